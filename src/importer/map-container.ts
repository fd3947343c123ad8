import * as path from 'path';
import { Code, CodeObject, goDuration, isEmptyObject, lit, pascalCase, raw, render, str } from './code';
import { ManifestFields } from './manifest-fields';
import { ImportError, isMap, YamlValue } from './manifest-yaml';

/** Where the generated app lives, to write image build contexts relative to it. */
export interface PathContext {
  /** The directory that holds `copilot/` (Copilot's paths are relative to it). */
  readonly workspaceRoot: string;
  /** The generated app's directory. */
  readonly outDir: string;
}

/** A Copilot command or entrypoint: a list, or a string split the way Copilot splits it (shell words, quotes kept together). */
export function commandList(value: YamlValue | undefined): string[] | undefined {
  if (value === undefined) return undefined;
  if (Array.isArray(value)) return value.map(String);
  const words: string[] = [];
  for (const m of String(value).matchAll(/"([^"]*)"|'([^']*)'|(\S+)/g)) words.push(m[1] ?? m[2] ?? m[3]);
  return words;
}

/** The image of a workload or sidecar: `fromRegistry(location)` or `fromAsset(context)`. */
export function mapImage(f: ManifestFields, prefix: string, where: PathContext, required: boolean): Code | undefined {
  const location = f.peek(`${prefix}.location`) ?? (prefix === 'image' ? undefined : f.peek(prefix));
  const build = f.peek(`${prefix}.build`);
  if (typeof location === 'string' && location) {
    f.take(typeof f.peek(prefix) === 'string' ? prefix : `${prefix}.location`);
    const credentials = f.takeString(`${prefix}.credentials`);
    return credentials
      ? raw(`ecs.ContainerImage.fromRegistry(${str(location).text}, { credentials: secretsmanager.Secret.fromSecretCompleteArn(this, ${str(`${pascalCase(f.manifest.name as string ?? 'Workload')}RegistryCredentials`).text}, ${str(credentials).text}) })`)
      : raw(`ecs.ContainerImage.fromRegistry(${str(location).text})`);
  }
  if (build !== undefined && prefix === 'image') {
    return mapBuild(f, where);
  }
  if (required) {
    throw new ImportError(`${f.file}: the workload has no image: set image.location (an image in a registry) or image.build (a Dockerfile to build); Copilot needs one too.`);
  }
  return undefined;
}

function mapBuild(f: ManifestFields, where: PathContext): Code {
  const build = f.take('image.build')!;
  let dockerfile: string | undefined;
  let context: string | undefined;
  const options: CodeObject = {};
  if (typeof build === 'string') {
    dockerfile = build;
  } else if (isMap(build)) {
    dockerfile = build.dockerfile === undefined || build.dockerfile === null ? undefined : String(build.dockerfile);
    context = build.context === undefined || build.context === null ? undefined : String(build.context);
    if (isMap(build.args)) {
      const args: CodeObject = {};
      for (const [k, v] of Object.entries(build.args)) args[k] = str(String(v));
      options.buildArgs = args;
    }
    if (build.target !== undefined && build.target !== null) options.target = str(String(build.target));
    if (build.cache_from !== undefined && build.cache_from !== null) {
      f.report('image.build.cache_from', build.cache_from, 'Set `cacheFrom` in `fromAsset(..., { cacheFrom })` or in your CI build.');
    }
  }
  // Copilot: the context defaults to the Dockerfile's directory; both are relative to the workspace root.
  const contextDir = path.resolve(where.workspaceRoot, context ?? path.dirname(dockerfile ?? 'Dockerfile'));
  if (dockerfile !== undefined) {
    const file = path.relative(contextDir, path.resolve(where.workspaceRoot, dockerfile)).split(path.sep).join('/');
    if (file !== 'Dockerfile') options.file = str(file);
  }
  const relative = path.relative(path.join(where.outDir, 'lib'), contextDir).split(path.sep).join('/') || '.';
  const dir = `path.join(__dirname, ${str(relative).text})`;
  return isEmptyObject(options)
    ? raw(`ecs.ContainerImage.fromAsset(${dir})`)
    : raw(`ecs.ContainerImage.fromAsset(${dir}, ${render(options)})`);
}

/**
 * A secret as Copilot resolves it: an SSM parameter name or ARN, a Secrets Manager ARN (with an optional
 * ':json-key:version-stage:version-id' suffix), or `{ secretsmanager: 'name[:json-key[:stage[:id]]]' }`.
 */
export function mapSecret(f: ManifestFields, fieldPath: string, idBase: string): Code | undefined {
  const value = f.peek(fieldPath);
  if (value === undefined) return undefined;
  const id = str(`${idBase}Secret`).text;
  if (isMap(value) && typeof value.secretsmanager === 'string') {
    f.take(fieldPath);
    const [name, field] = value.secretsmanager.split(':');
    const secret = `secretsmanager.Secret.fromSecretNameV2(this, ${id}, ${str(name).text})`;
    return raw(field ? `ecs.Secret.fromSecretsManager(${secret}, ${str(field).text})` : `ecs.Secret.fromSecretsManager(${secret})`);
  }
  if (typeof value !== 'string') {
    f.report(fieldPath, value, 'A `from_cfn` secret: import the exported ARN and pass `ecs.Secret.fromSecretsManager(...)` or `ecs.Secret.fromSsmParameter(...)`.');
    return undefined;
  }
  f.take(fieldPath);
  const sm = /^(arn:[^:]+:secretsmanager:[^:]*:[^:]*:secret:[^:]+)(?::([^:]*))?(?::([^:]*))?(?::([^:]*))?$/.exec(value);
  if (sm) {
    const secret = `secretsmanager.Secret.fromSecretCompleteArn(this, ${id}, ${str(sm[1]).text})`;
    return raw(sm[2] ? `ecs.Secret.fromSecretsManager(${secret}, ${str(sm[2]).text})` : `ecs.Secret.fromSecretsManager(${secret})`);
  }
  const ssmArn = /^arn:[^:]+:ssm:[^:]*:[^:]*:parameter(\/.*)$/.exec(value);
  const parameterName = ssmArn ? ssmArn[1] : value;
  return raw(`ecs.Secret.fromSsmParameter(ssm.StringParameter.fromSecureStringParameterAttributes(this, ${id}, { parameterName: ${str(parameterName).text} }))`);
}

/** Variables, secrets, command and entrypoint of the main container (prefix '') or a sidecar ('sidecars.<name>.'). */
export function mapContainerOptions(f: ManifestFields, prefix: string, idBase: string): CodeObject {
  const props: CodeObject = {};
  const variables = f.peek(`${prefix}variables`);
  if (isMap(variables)) {
    const env: CodeObject = {};
    for (const [name, v] of Object.entries(variables)) {
      if (v === null) continue;
      if (isMap(v) && typeof v.from_cfn === 'string') {
        f.take(`${prefix}variables.${name}`);
        env[name] = raw(`Fn.importValue(${str(v.from_cfn).text})`);
      } else if (!isMap(v) && !Array.isArray(v)) {
        f.take(`${prefix}variables.${name}`);
        const text = String(v);
        // A literal '${...}' (an escaped Copilot variable) goes through Fn::Sub as '${!...}', CloudFormation's own escape,
        // so that the template holds no bare '${' (which CloudFormation validation reads as a forgotten Fn::Sub).
        env[name] = text.includes('${') ? raw(`Fn.sub(${str(text.replace(/\$\{/g, '${!')).text})`) : str(text);
      }
    }
    if (!isEmptyObject(env)) props.environment = env;
  }
  const secrets = f.peek(`${prefix}secrets`);
  if (isMap(secrets)) {
    const out: CodeObject = {};
    for (const name of Object.keys(secrets)) {
      out[name] = mapSecret(f, `${prefix}secrets.${name}`, `${idBase}${pascalCase(name)}`);
    }
    if (!isEmptyObject(out)) props.secrets = out;
  }
  const command = commandList(f.take(`${prefix}command`));
  if (command) props.command = command.map(c => str(c));
  const entryPoint = commandList(f.take(`${prefix}entrypoint`));
  if (entryPoint) props.entryPoint = entryPoint.map(c => str(c));
  return props;
}

/** `image.healthcheck` as a container health check. */
export function mapContainerHealthCheck(f: ManifestFields, prefix = 'image.healthcheck'): Code | undefined {
  const hc = f.peek(prefix);
  if (!isMap(hc)) return undefined;
  const command = commandList(f.take(`${prefix}.command`) ?? undefined);
  if (!command) {
    return undefined;
  }
  const out: CodeObject = { command: command.map(c => str(c)) };
  for (const [field, prop] of [['interval', 'interval'], ['timeout', 'timeout'], ['start_period', 'startPeriod']] as const) {
    const d = duration(f, `${prefix}.${field}`);
    if (d) out[prop] = d;
  }
  const retries = f.takeNumber(`${prefix}.retries`);
  if (retries !== undefined) out.retries = lit(retries);
  return out;
}

/** A Go duration field as a `Duration`, taken; reported when it is not a duration. */
export function duration(f: ManifestFields, fieldPath: string): Code | undefined {
  const value = f.peek(fieldPath);
  if (value === undefined) return undefined;
  const d = typeof value === 'string' || typeof value === 'number' ? goDuration(value) : undefined;
  if (!d) {
    f.report(fieldPath, value, "Not a duration: write it as Copilot does ('30s', '1m30s', '2h').");
    return undefined;
  }
  f.take(fieldPath);
  return d.code;
}
