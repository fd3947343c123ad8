import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

/**
 * The README's quick start, run as a user runs it: in a new `cdk init app --language typescript` project, made by
 * this repository's CDK CLI (its init template, offline with `--generate-only`), with the stack file replaced by
 * the README's code block verbatim and `bin/<app>.ts` left as `cdk init` wrote it (an environment-agnostic stack,
 * no `env`).
 *
 * - `cdk-ecs-foundry` resolves to this checkout's `src/` (a package in the app's node_modules that re-exports it).
 * - Type-checked with the app's own tsconfig.json (`npx tsc`, the first half of the template's `app` command), by
 *   this repository's TypeScript.
 * - Synthesized by the CDK CLI (`cdk synth`). The template runs the app with `tsx`; here ts-node transpiles it
 *   (both strip types without checking them, the type check is the step before).
 */

const ROOT = path.join(__dirname, '..');
const BIN = path.join(ROOT, 'node_modules', '.bin');

/** The environment without what the jest setup files add for test Apps (test/support/setup-context.ts). */
function withoutTestSetup(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const { CDK_VALIDATION: _validation, CDK_CONTEXT_JSON: _context, ...rest } = env;
  return rest;
}

interface CodeBlock { readonly info: string; readonly code: string }

/** The fenced code blocks of the README's "Quick start" section. */
function quickStartBlocks(readme: string): CodeBlock[] {
  const start = readme.indexOf('\n## Quick start\n');
  if (start < 0) {
    return [];
  }
  const end = readme.indexOf('\n## ', start + 1);
  const section = readme.slice(start, end < 0 ? undefined : end);
  return [...section.matchAll(/^```([^\n]*)\n([\s\S]*?)^```$/gm)].map(m => ({ info: m[1].trim(), code: m[2] }));
}

/** The lines of TypeScript that are code: comments and blank lines dropped, whitespace trimmed. */
function codeLines(source: string): string[] {
  return source
    .replace(/\/\*[\s\S]*?\*\//g, '')
    .split('\n')
    .map(line => line.replace(/^\s*\/\/.*$/, '').trim())
    .filter(line => line.length > 0);
}

function isSubsequence(needle: string[], haystack: string[]): boolean {
  let i = 0;
  for (const line of haystack) {
    if (i < needle.length && line === needle[i]) {
      i++;
    }
  }
  return i === needle.length;
}

function run(command: string, args: string[], cwd: string, env: NodeJS.ProcessEnv = {}): string {
  try {
    return execFileSync(command, args, {
      cwd,
      encoding: 'utf-8',
      stdio: 'pipe',
      timeout: 5 * 60_000,
      // As a user runs it: with the CloudFormation validation the test setup turns off for plain test Apps
      // (test/support/setup-context.ts), which the app's cdk.json makes strict.
      env: { ...withoutTestSetup(process.env), CDK_DISABLE_VERSION_CHECK: '1', ...env },
    });
  } catch (e) {
    const err = e as { stdout?: string; stderr?: string; message: string };
    throw new Error(`${command} ${args.join(' ')} failed in ${cwd}:\n${err.stdout ?? ''}\n${err.stderr ?? err.message}`);
  }
}

/** node_modules of the app: this repository's packages, and `cdk-ecs-foundry` as this checkout's src/. */
function linkModules(appDir: string): void {
  const modules = path.join(appDir, 'node_modules');
  fs.mkdirSync(modules, { recursive: true });
  for (const name of fs.readdirSync(path.join(ROOT, 'node_modules'))) {
    if (name !== 'cdk-ecs-foundry') {
      fs.symlinkSync(path.join(ROOT, 'node_modules', name), path.join(modules, name));
    }
  }
  const pkg = path.join(modules, 'cdk-ecs-foundry');
  fs.mkdirSync(pkg);
  const src = path.join(ROOT, 'src', 'index');
  fs.writeFileSync(path.join(pkg, 'package.json'), JSON.stringify({ name: 'cdk-ecs-foundry', main: 'index.js', types: 'index.d.ts' }));
  fs.writeFileSync(path.join(pkg, 'index.js'), `module.exports = require(${JSON.stringify(src + '.ts')});\n`);
  fs.writeFileSync(path.join(pkg, 'index.d.ts'), `export * from ${JSON.stringify(src)};\n`);
}

const readme = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf-8');
const blocks = quickStartBlocks(readme);
const shell = blocks.find(b => /cdk(@\S+)? init app --language typescript/.test(b.code));
const appName = /mkdir (\S+)/.exec(shell?.code ?? '')?.[1] ?? '';
/** TypeScript blocks that name the app file they are (first line `// lib/...` or `// bin/...`). */
const files = blocks
  .filter(b => /^(ts|typescript)\b/.test(b.info))
  .map(b => ({ file: /^\/\/ ((?:lib|bin)\/[\w.-]+\.ts)\b/.exec(b.code)?.[1], code: b.code }))
  .filter((b): b is { file: string; code: string } => b.file !== undefined);

let workDir: string;
let appDir: string;

beforeAll(() => {
  workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'readme-quickstart-'));
  appDir = path.join(workDir, appName);
  fs.mkdirSync(appDir);
  run(path.join(BIN, 'cdk'), ['init', 'app', '--language', 'typescript', '--generate-only', '--no-notices'], appDir);
  linkModules(appDir);
}, 5 * 60_000);

afterAll(() => {
  if (workDir) {
    fs.rmSync(workDir, { recursive: true, force: true });
  }
});

describe('README quick start in a new `cdk init app --language typescript` project', () => {
  test('the README shows the commands that create the app and add the library', () => {
    expect(shell).toBeDefined();
    expect(appName).toMatch(/^[a-z][a-z0-9-]*$/);
    expect(shell!.code).toMatch(new RegExp(`cd ${appName}`));
    expect(shell!.code).toMatch(/npm install cdk-ecs-foundry/);
  });

  test('the README shows the stack file and the App and Stack lines of bin/, as `cdk init` names them', () => {
    expect(files.map(f => f.file).sort()).toEqual([`bin/${appName}.ts`, `lib/${appName}-stack.ts`]);
    for (const { file } of files) {
      expect(fs.existsSync(path.join(appDir, file))).toBe(true);
    }
  });

  test('bin/ is what `cdk init` wrote: the README lines appear in it, and the stack has no env', () => {
    const bin = files.find(f => f.file.startsWith('bin/'))!;
    const generated = fs.readFileSync(path.join(appDir, bin.file), 'utf-8');
    const shown = codeLines(bin.code);
    expect(shown.some(line => /new cdk\.App\(\)/.test(line))).toBe(true);
    expect(shown.some(line => /new \w+Stack\(app, /.test(line))).toBe(true);
    expect(isSubsequence(shown, codeLines(generated))).toBe(true);
    expect(codeLines(generated).join('\n')).not.toMatch(/\benv\s*:/);
  });

  test('the stack file replaces the generated one verbatim, type-checks with the app\'s tsconfig and synthesizes environment-agnostic', () => {
    const stack = files.find(f => f.file.startsWith('lib/'))!;
    fs.writeFileSync(path.join(appDir, stack.file), stack.code);

    // `npx tsc` (the template's tsconfig.json: strict, NodeNext, noEmit)
    run(process.execPath, [path.join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.json'], appDir);

    // `cdk synth`, the app run by ts-node instead of tsx (types stripped, checked above)
    const out = path.join(appDir, 'cdk.out');
    run(path.join(BIN, 'cdk'), ['synth', '--no-notices', '--quiet', '--output', out, '--app', `node -r ts-node/register bin/${appName}.ts`], appDir, {
      TS_NODE_SKIP_PROJECT: 'true',
      TS_NODE_TRANSPILE_ONLY: 'true',
      TS_NODE_COMPILER_OPTIONS: JSON.stringify({ module: 'nodenext', moduleResolution: 'nodenext', target: 'ES2022', rootDir: '/' }),
    });

    const manifest = JSON.parse(fs.readFileSync(path.join(out, 'manifest.json'), 'utf-8'));
    const stacks = Object.entries(manifest.artifacts as Record<string, { type: string; environment: string; properties: { templateFile: string } }>)
      .filter(([, a]) => a.type === 'aws:cloudformation:stack');
    expect(stacks.map(([id, a]) => [id, a.environment])).toEqual([[expect.stringMatching(/Stack$/), 'aws://unknown-account/unknown-region']]);

    const template = JSON.parse(fs.readFileSync(path.join(out, stacks[0][1].properties.templateFile), 'utf-8'));
    const types = Object.values(template.Resources as Record<string, { Type: string }>).map(r => r.Type);
    expect(types).toEqual(expect.arrayContaining([
      'AWS::ECS::Cluster', 'AWS::ECS::Service', 'AWS::ElasticLoadBalancingV2::LoadBalancer', 'AWS::ElasticLoadBalancingV2::Listener',
    ]));
  }, 10 * 60_000);
});
