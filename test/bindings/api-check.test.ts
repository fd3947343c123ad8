/**
 * `npx projen api:check` bites: jsii-diff, run exactly as that task runs it, fails on a breaking change to the recorded
 * public API (api/.jsii) and passes when nothing breaks.
 *
 * Each case edits a copy of the recorded assembly the way a breaking (or compatible) source change would change
 * the compiled one, then compares the recording with the copy. The recording is the baseline, so the cases hold
 * whatever the API looks like when it is re-recorded.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

const root = path.join(__dirname, '..', '..');
const baselineDir = path.join(root, 'api');

interface Property { readonly name: string; readonly optional?: boolean }
interface TypeSpec { readonly fqn: string; readonly kind: string; readonly datatype?: boolean; properties?: Property[] }
interface Assembly { readonly name: string; readonly types: Record<string, TypeSpec> }

const baseline: Assembly = JSON.parse(fs.readFileSync(path.join(baselineDir, '.jsii'), 'utf-8'));

/** The jsii-diff arguments of the api:check task (.projen/tasks.json), so that the test runs what CI runs. */
const checkArgs: string[] = (() => {
  const tasks = JSON.parse(fs.readFileSync(path.join(root, '.projen', 'tasks.json'), 'utf-8'));
  const exec: string = tasks.tasks['api:check'].steps[0].exec;
  const [command, original, updated, ...flags] = exec.split(/\s+/);
  expect([command, original, updated]).toEqual(['jsii-diff', 'api', '.']);
  return flags;
})();

/** Runs jsii-diff (recorded baseline → an edited copy of it), as `npx projen api:check` does. */
function apiCheck(edit: (assembly: Assembly) => void): { status: number | null; output: string } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'api-check-'));
  try {
    const copy: Assembly = JSON.parse(JSON.stringify(baseline));
    edit(copy);
    fs.writeFileSync(path.join(dir, '.jsii'), JSON.stringify(copy));
    fs.copyFileSync(path.join(baselineDir, 'package.json'), path.join(dir, 'package.json'));
    // jsii-diff resolves the assembly's dependencies (aws-cdk-lib, constructs) from the package's node_modules.
    fs.symlinkSync(path.join(root, 'node_modules'), path.join(dir, 'node_modules'), 'dir');
    const result = spawnSync(path.join(root, 'node_modules', '.bin', 'jsii-diff'), ['api', dir, ...checkArgs], {
      cwd: root,
      encoding: 'utf-8',
      env: { ...process.env, JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION: '20' },
    });
    return { status: result.status, output: `${result.stdout}${result.stderr}` };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** The first public class with a property, and the first construct props struct with an optional prop (by fqn). */
const types = Object.values(baseline.types).sort((a, b) => a.fqn.localeCompare(b.fqn));
const someClass = types.find((t) => t.kind === 'class' && (t.properties ?? []).length > 0)!;
const someStruct = types.find((t) => t.datatype && t.fqn.endsWith('Props') && (t.properties ?? []).some((p) => p.optional))!;

describe('api:check (jsii-diff against api/.jsii)', () => {
  test('the baseline records the library\'s public API', () => {
    expect(baseline.name).toBe('cdk-ecs-foundry');
    expect(someClass).toBeDefined();
    expect(someStruct).toBeDefined();
  });

  test('passes when the API is unchanged', () => {
    const { status, output } = apiCheck(() => undefined);
    expect({ status, output }).toEqual({ status: 0, output: expect.any(String) });
  });

  test('passes when a member is added (additions do not break users)', () => {
    const { status } = apiCheck((assembly) => {
      const added = {
        name: 'addedInThisTest',
        optional: true,
        docs: { summary: 'An added optional prop.' },
        type: { primitive: 'string' },
        immutable: true,
        abstract: true,
        locationInModule: { filename: 'src/added.ts', line: 1 },
      };
      assembly.types[someStruct.fqn].properties!.push(added);
    });
    expect(status).toBe(0);
  });

  test('fails when a public property is removed', () => {
    const removed = someClass.properties![0].name;
    const { status, output } = apiCheck((assembly) => {
      const type = assembly.types[someClass.fqn];
      type.properties = type.properties!.filter((p) => p.name !== removed);
    });
    expect(status).not.toBe(0);
    expect(output).toContain(`${someClass.fqn}.${removed}: has been removed`);
  });

  test('fails when a public type is removed', () => {
    const { status, output } = apiCheck((assembly) => {
      delete assembly.types[someClass.fqn];
    });
    expect(status).not.toBe(0);
    expect(output).toContain(`${someClass.fqn}: has been removed`);
  });

  test('fails when an optional prop becomes required', () => {
    const prop = someStruct.properties!.find((p) => p.optional)!.name;
    const { status, output } = apiCheck((assembly) => {
      const type = assembly.types[someStruct.fqn];
      type.properties = type.properties!.map((p) => (p.name === prop ? { ...p, optional: false } : p));
    });
    expect(status).not.toBe(0);
    expect(output).toContain(`${someStruct.fqn}: newly required property '${prop}' used to be optional`);
  });
});
