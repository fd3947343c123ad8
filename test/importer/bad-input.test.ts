import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { writeWorkspace } from './support/inline-workspace';
import { main } from '../../src/importer/cli';

const FIXTURES = path.join(__dirname, '..', 'fixtures', 'copilot');

/** Run the command with captured output. */
function run(...argv: string[]): { code: number; stdout: string; stderr: string } {
  let stdout = '';
  let stderr = '';
  const code = main(argv, { write: (t: string) => (stdout += t) }, { write: (t: string) => (stderr += t) });
  return { code, stdout, stderr };
}

function tempOut(): string {
  return path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'import-out-')), 'app');
}

describe('bad input: a clear message naming the file, exit code 1, nothing written', () => {
  test.each([
    ['no-workspace', /bad\/no-workspace: not a Copilot workspace \(no copilot\/\.workspace\)/],
    ['malformed-yaml', /copilot\/web\/manifest\.yml:\d+:\d+: malformed YAML/],
    ['request-driven-web-service', /copilot\/frontend\/manifest\.yml: type 'Request-Driven Web Service' has no equivalent here: it runs on AWS App Runner\. Use a Load Balanced Web Service .*WebService/],
    ['static-site', /copilot\/website\/manifest\.yml: type 'Static Site' has no equivalent here: it is an S3 bucket behind CloudFront/],
    ['service-without-image', /copilot\/api\/manifest\.yml: the workload has no image: set image\.location .* or image\.build/],
    ['unknown-type', /copilot\/web\/manifest\.yml: unknown workload type 'Load Balanced Website'\. The importer reads 'Load Balanced Web Service', 'Backend Service', 'Worker Service', 'Scheduled Job'/],
  ])('%s', (name, message) => {
    const out = tempOut();
    const { code, stderr, stdout } = run('import-copilot', path.relative(process.cwd(), path.join(FIXTURES, 'bad', name)), '--out', out);
    expect(code).toBe(1);
    expect(stderr).toMatch(message);
    expect(stderr).toMatch(/Nothing was written\.\n$/);
    expect(stdout).toBe('');
    expect(fs.existsSync(out)).toBe(false);
    expect(fs.readdirSync(path.dirname(out))).toEqual([]);
  });

  test('an undefined ${VAR} fails the whole import (Copilot interpolates overrides too)', () => {
    const saved = process.env.IMAGE_TAG;
    delete process.env.IMAGE_TAG;
    try {
      const out = tempOut();
      const { code, stderr } = run('import-copilot', path.join(FIXTURES, 'full'), '--out', out);
      expect(code).toBe(1);
      expect(stderr).toMatch(/copilot\/frontend\/manifest\.yml: environment variable "IMAGE_TAG" is not defined/);
      expect(fs.existsSync(out)).toBe(false);
    } finally {
      if (saved !== undefined) process.env.IMAGE_TAG = saved;
    }
  });

  test('an override for an environment the workspace lacks is reported, not fatal (Copilot ignores it silently)', () => {
    const out = tempOut();
    const { code, stdout } = run('import-copilot', path.join(FIXTURES, 'bad', 'override-unknown-environment'), '--out', out);
    expect(code).toBe(0);
    expect(stdout).toMatch(/reported: copilot\/web\/manifest\.yml: environments\.staging .*\n\s+There is no environment 'staging'/);
  });

  test('no environment manifests and a workspace without an application name are refused', () => {
    const noEnv = fs.mkdtempSync(path.join(os.tmpdir(), 'copilot-ws-'));
    fs.mkdirSync(path.join(noEnv, 'copilot'));
    fs.writeFileSync(path.join(noEnv, 'copilot', '.workspace'), 'application: shop\n');
    expect(run('import-copilot', noEnv, '--out', tempOut()).stderr).toMatch(/copilot: no environment manifests \(copilot\/environments\/<env>\/manifest\.yml\)/);
    const noApp = writeWorkspace({ '.workspace': 'something: else\n' });
    expect(run('import-copilot', noApp, '--out', tempOut()).stderr).toMatch(/copilot\/\.workspace: no application name/);
  });
});

describe('the command', () => {
  test('imports, writes the app all at once, prints the reports and the summary', () => {
    const out = tempOut();
    const { code, stdout } = run('import-copilot', path.join(FIXTURES, 'minimal', 'copilot'), '--out', out);
    expect(code).toBe(0);
    expect(fs.readdirSync(out).sort()).toEqual(['IMPORT-REPORT.md', 'bin', 'cdk.json', 'lib', 'package.json', 'tsconfig.json']);
    expect(fs.readdirSync(path.join(out, 'lib'))).toEqual(['dev-stack.ts']);
    expect(stdout).toMatch(/Imported 1 service or job into 1 environment stack: \d+ fields carried, 0 fields reported\./);
    expect(fs.readdirSync(path.dirname(out))).toEqual(['app']);
  });

  test('a non-empty --out is refused unless --force, which replaces it', () => {
    const out = tempOut();
    fs.mkdirSync(out, { recursive: true });
    fs.writeFileSync(path.join(out, 'keep.txt'), 'mine');
    const refused = run('import-copilot', path.join(FIXTURES, 'minimal'), '--out', out);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/the directory is not empty\. Choose another --out directory, or pass --force/);
    expect(fs.readdirSync(out)).toEqual(['keep.txt']);
    const forced = run('import-copilot', path.join(FIXTURES, 'minimal'), `--out=${out}`, '--force');
    expect(forced.code).toBe(0);
    expect(fs.existsSync(path.join(out, 'keep.txt'))).toBe(false);
    expect(fs.existsSync(path.join(out, 'lib', 'dev-stack.ts'))).toBe(true);
    expect(fs.readdirSync(path.dirname(out))).toEqual(['app']);
  });

  test('--help, and usage errors exit with 2', () => {
    expect(run('--help')).toMatchObject({ code: 0, stdout: expect.stringMatching(/^Usage: cdk-ecs-foundry import-copilot \[copilot-dir\] \[--out dir\] \[--force\]/) });
    expect(run('import-copilot', '--help').code).toBe(0);
    expect(run()).toMatchObject({ code: 2, stderr: expect.stringMatching(/no command given/) });
    expect(run('deploy')).toMatchObject({ code: 2, stderr: expect.stringMatching(/unknown command 'deploy'/) });
    expect(run('import-copilot', '--colour')).toMatchObject({ code: 2, stderr: expect.stringMatching(/unknown option --colour/) });
    expect(run('import-copilot', '--out')).toMatchObject({ code: 2, stderr: expect.stringMatching(/--out needs a directory/) });
  });

  test('the package bin script calls main with the arguments', () => {
    const script = fs.readFileSync(path.join(__dirname, '..', '..', 'bin', 'cdk-ecs-foundry'), 'utf-8');
    expect(script.startsWith('#!/usr/bin/env node\n')).toBe(true);
    expect(script).toContain("require('../lib/importer/cli.js')");
    expect(script).toContain('main(process.argv.slice(2), process.stdout, process.stderr)');
    const pkg = JSON.parse(fs.readFileSync(path.join(__dirname, '..', '..', 'package.json'), 'utf-8'));
    expect(pkg.bin).toEqual({ 'cdk-ecs-foundry': 'bin/cdk-ecs-foundry' });
    expect(pkg.bundledDependencies).toContain('yaml');
  });
});
