import { applyEnvironmentOverride, ImportError, interpolate, parseManifest, YamlMap, yamlBool } from '../../src/importer/manifest-yaml';

const PREDEFINED = { COPILOT_APPLICATION_NAME: 'shop', COPILOT_ENVIRONMENT_NAME: 'test' };

function read(text: string, env: NodeJS.ProcessEnv = {}): YamlMap {
  return interpolate(parseManifest('copilot/web/manifest.yml', text), PREDEFINED, env);
}

describe('parsing', () => {
  test('malformed YAML names the file, line and column', () => {
    expect(() => parseManifest('copilot/web/manifest.yml', 'image:\n  location: x\n    port: 80\n'))
      .toThrow(/^copilot\/web\/manifest\.yml:2:\d+: malformed YAML: Nested mappings/);
  });

  test('a manifest that is not a mapping is refused', () => {
    expect(() => parseManifest('copilot/web/manifest.yml', '- a\n- b\n')).toThrow(/copilot\/web\/manifest.yml: a manifest is a YAML mapping/);
  });

  test('YAML 1.1 booleans read as Copilot reads them into bool fields', () => {
    expect(['on', 'yes', 'True', 'Y'].map(v => yamlBool(v))).toEqual([true, true, true, true]);
    expect(['off', 'no', 'FALSE', 'n'].map(v => yamlBool(v))).toEqual([false, false, false, false]);
    expect(yamlBool('maybe')).toBeUndefined();
    // The key 'on' of a Scheduled Job stays a string key (YAML 1.2), as in Copilot.
    expect(read('on:\n  schedule: "@daily"\n')).toEqual({ on: { schedule: '@daily' } });
  });
});

describe('${VAR} substitution (Copilot interpolate.go)', () => {
  test('predefined names and shell variables are substituted in string values', () => {
    const m = read('image:\n  location: repo/web:${TAG}\nsecrets:\n  DB: /copilot/${COPILOT_APPLICATION_NAME}/${COPILOT_ENVIRONMENT_NAME}/db\n', { TAG: 'v1' });
    expect(m).toEqual({ image: { location: 'repo/web:v1' }, secrets: { DB: '/copilot/shop/test/db' } });
  });

  test('keys, numbers and booleans are left alone', () => {
    expect(read('${KEY}: ${TAG}\ncount: 2\nexec: true\n', { TAG: 'x', KEY: 'k' })).toEqual({ '${KEY}': 'x', 'count': 2, 'exec': true });
  });

  test('list items are substituted', () => {
    expect(read('command: ["run", "${MODE}"]\n', { MODE: 'fast' })).toEqual({ command: ['run', 'fast'] });
  });

  test('an undefined variable is an error naming the file and the variable', () => {
    expect(() => read('image:\n  location: repo/web:${IMAGE_TAG}\n')).toThrow(ImportError);
    expect(() => read('image:\n  location: repo/web:${IMAGE_TAG}\n')).toThrow(/copilot\/web\/manifest\.yml: environment variable "IMAGE_TAG" is not defined/);
  });

  test('a shell variable that contradicts a predefined one is an error, an equal one is fine', () => {
    expect(() => read('a: ${COPILOT_ENVIRONMENT_NAME}\n', { COPILOT_ENVIRONMENT_NAME: 'prod' })).toThrow(/cannot be overridden/);
    expect(read('a: ${COPILOT_ENVIRONMENT_NAME}\n', { COPILOT_ENVIRONMENT_NAME: 'test' })).toEqual({ a: 'test' });
  });

  test('an escaped variable keeps its text without the backslash, and needs no definition', () => {
    expect(read("a: 'tenant-\\${tenant}'\n")).toEqual({ a: 'tenant-${tenant}' });
  });

  test('Copilot quirk: an escaped and a plain occurrence of one name in one string are both substituted', () => {
    expect(read("a: 'a-\\${X}-${X}'\n", { X: 'val' })).toEqual({ a: 'a-val-val' });
  });

  test('a value that is a JSON list of strings becomes a list, unless it is a literal block', () => {
    expect(read('security_groups: ${SGS}\n', { SGS: '["sg-1","sg-2"]' })).toEqual({ security_groups: ['sg-1', 'sg-2'] });
    expect(read("a: '[\"x\",\"y\"]'\n")).toEqual({ a: ['x', 'y'] });
    expect(read('a: |\n  ["x"]\n')).toEqual({ a: '["x"]\n' });
    expect(read("a: '[]'\nb: '[1]'\n")).toEqual({ a: '[]', b: '[1]' });
  });

  test('overrides are substituted too (the whole file first)', () => {
    const m = read('environments:\n  prod:\n    image:\n      location: r:${TAG}\n', { TAG: 't' });
    expect(m.environments).toEqual({ prod: { image: { location: 'r:t' } } });
  });
});

describe('environment overrides (Copilot transform.go)', () => {
  const base = (environments: unknown): YamlMap => ({
    image: { build: 'web/Dockerfile', port: 80 },
    count: { range: '1-10', cpu_percentage: 70 },
    variables: { A: 'a', B: 'b' },
    http: { path: '/', allowed_source_ips: ['10.0.0.0/8', '192.168.0.0/16'], healthcheck: { path: '/h', interval: '10s' } },
    storage: { volumes: { data: { path: '/data', efs: { uid: 1, gid: 1 } } } },
    secrets: { DB: { secretsmanager: 'db' } },
    environments: environments as YamlMap,
  });

  test('no override for the environment: the manifest without its environments block', () => {
    const m = base({ prod: { cpu: 1024 } });
    const { environments: _environments, ...rest } = m;
    expect(applyEnvironmentOverride(m, 'test')).toEqual(rest);
  });

  test('maps merge deeply, scalars replace', () => {
    const m = applyEnvironmentOverride(base({ test: { http: { healthcheck: { interval: '30s' } }, variables: { B: 'bb', C: 'c' } } }), 'test');
    expect(m.http).toEqual({ path: '/', allowed_source_ips: ['10.0.0.0/8', '192.168.0.0/16'], healthcheck: { path: '/h', interval: '30s' } });
    expect(m.variables).toEqual({ A: 'a', B: 'bb', C: 'c' });
    expect(m.environments).toBeUndefined();
  });

  test('a list replaces the whole list, an empty list empties it', () => {
    expect(applyEnvironmentOverride(base({ test: { http: { allowed_source_ips: ['1.2.3.4/32'] } } }), 'test').http)
      .toMatchObject({ allowed_source_ips: ['1.2.3.4/32'] });
    expect(applyEnvironmentOverride(base({ test: { http: { allowed_source_ips: [] } } }), 'test').http).toMatchObject({ allowed_source_ips: [] });
  });

  test('null and {} change nothing', () => {
    const m = applyEnvironmentOverride(base({ test: { cpu: null, count: {} } }), 'test');
    expect(m.count).toEqual({ range: '1-10', cpu_percentage: 70 });
    expect('cpu' in m).toBe(false);
  });

  test('a value of another form replaces the base (count number over count map)', () => {
    expect(applyEnvironmentOverride(base({ test: { count: 2 } }), 'test').count).toBe(2);
    expect(applyEnvironmentOverride(base({ test: { count: { range: { min: 1, max: 3 } } } }), 'test').count)
      .toEqual({ range: { min: 1, max: 3 }, cpu_percentage: 70 });
  });

  test('image.location drops image.build and the other way round', () => {
    expect(applyEnvironmentOverride(base({ test: { image: { location: 'repo/web:1' } } }), 'test').image).toEqual({ location: 'repo/web:1', port: 80 });
    const m: YamlMap = { image: { location: 'x' }, environments: { test: { image: { build: 'Dockerfile' } } } };
    expect(applyEnvironmentOverride(m, 'test').image).toEqual({ build: 'Dockerfile' });
  });

  test('count.spot drops the autoscaling fields and the other way round', () => {
    expect(applyEnvironmentOverride(base({ test: { count: { spot: 2 } } }), 'test').count).toEqual({ spot: 2 });
    const m: YamlMap = { count: { spot: 2 }, environments: { test: { count: { range: '1-3' } } } };
    expect(applyEnvironmentOverride(m, 'test').count).toEqual({ range: '1-3' });
  });

  test('EFS uid/gid and id/root_dir/auth exclude each other', () => {
    const m = applyEnvironmentOverride(base({ test: { storage: { volumes: { data: { efs: { id: 'fs-1' } } } } } }), 'test');
    expect(m.storage).toEqual({ volumes: { data: { path: '/data', efs: { id: 'fs-1' } } } });
  });

  test('a variable or secret entry is replaced whole (values, not pointers, in Copilot)', () => {
    const m = applyEnvironmentOverride(base({ test: { secrets: { DB: { from_cfn: 'export' } }, variables: { A: { from_cfn: 'x' } } } }), 'test');
    expect(m.secrets).toEqual({ DB: { from_cfn: 'export' } });
    expect(m.variables).toEqual({ A: { from_cfn: 'x' }, B: 'b' });
  });
});
