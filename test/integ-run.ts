/**
 * The deploy kit: `npm run integ` deploys each integration app (test/integ.*.ts) with the project's own CDK CLI —
 * the test stack and its assertion stack, whose integ-tests-alpha assertions are custom resources that run while
 * the stack deploys and fail the deployment when an assertion fails — then destroys both, and prints a result per
 * app. integ-runner is not used: its newest release reads cloud assembly schema 53, aws-cdk-lib writes 54.
 *
 * Usage: `npm run integ` (every app), `npm run integ -- web-service worker-service` (apps whose name contains one
 * of the words). Needs AWS credentials for a bootstrapped account (`cdk bootstrap`) and a region (AWS_REGION or
 * the profile's); the README's "Deploy kit" section lists what each app costs. An app that reads `FOUNDRY_INTEG_*`
 * environment variables (web-service: FOUNDRY_INTEG_ZONE_ID and FOUNDRY_INTEG_ZONE_NAME) is SKIPPED when they are
 * not set, never deployed against its snapshot's placeholders.
 * Each app's cloud assembly and CLI log go to test/cdk-integ.out.<app>/ (git-ignored).
 */
import { spawn } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';

/** One integration app and how it went. */
interface AppResult {
  readonly app: string;
  readonly deployed: boolean;
  readonly destroyed: boolean;
  readonly minutes: number;
  readonly log: string;
  /** The environment variables the app needs and did not get: it was not deployed. */
  readonly skippedFor?: string[];
}

/** The integration apps: every test/integ.<name>.ts, in name order. */
export function integApps(dir: string = __dirname): string[] {
  return fs.readdirSync(dir).filter(f => /^integ\.[a-z0-9-]+\.ts$/.test(f)).map(f => f.slice('integ.'.length, -'.ts'.length)).sort();
}

/**
 * The environment variables an app needs: every `FOUNDRY_INTEG_*` variable its source reads (such as the Route 53
 * hosted zone of `web-service`). Without them the app would deploy against the placeholders of its snapshot and
 * fail after creating its NAT gateways and load balancer.
 */
export function requiredEnv(app: string, dir: string = __dirname): string[] {
  const source = fs.readFileSync(path.join(dir, `integ.${app}.ts`), 'utf-8');
  return [...new Set([...source.matchAll(/process\.env\.(FOUNDRY_INTEG_[A-Z0-9_]+)/g)].map(m => m[1]))].sort();
}

/** The variables of `requiredEnv` that are unset or empty in `env`: the app is skipped when there are any. */
export function missingEnv(app: string, env: NodeJS.ProcessEnv = process.env, dir: string = __dirname): string[] {
  return requiredEnv(app, dir).filter(name => (env[name] ?? '').trim() === '');
}

/** Run the project's CDK CLI, streaming its output to the console and to the app's log file. */
function cdk(args: string[], log: fs.WriteStream, label: string): Promise<boolean> {
  return new Promise(resolve => {
    const cli = path.join(__dirname, '..', 'node_modules', '.bin', 'cdk');
    const child = spawn(cli, args, {
      cwd: path.join(__dirname, '..'),
      env: { ...process.env, CDK_DISABLE_VERSION_CHECK: 'true' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const forward = (chunk: Buffer) => {
      log.write(chunk);
      for (const line of chunk.toString().split('\n').filter(l => l.trim() !== '')) {
        process.stdout.write(`[${label}] ${line}\n`);
      }
    };
    child.stdout.on('data', forward);
    child.stderr.on('data', forward);
    child.on('error', e => {
      log.write(`${e}\n`);
      resolve(false);
    });
    child.on('close', code => resolve(code === 0));
  });
}

/** Deploy one app with its assertions, then destroy it whatever happened. */
async function runApp(app: string): Promise<AppResult> {
  const started = Date.now();
  const outdir = path.join('test', `cdk-integ.out.${app}`);
  fs.mkdirSync(path.join(__dirname, '..', outdir), { recursive: true });
  const logFile = path.join(outdir, 'cli.log');
  const log = fs.createWriteStream(path.join(__dirname, '..', logFile));
  const common = ['--app', `npx ts-node --prefer-ts-exts test/integ.${app}.ts`, '--output', outdir, '--all'];
  const deployed = await cdk(['deploy', ...common, '--require-approval', 'never', '--progress', 'events'], log, `${app} deploy`);
  const destroyed = await cdk(['destroy', ...common, '--force'], log, `${app} destroy`);
  await new Promise(resolve => log.end(resolve));
  return { app, deployed, destroyed, minutes: (Date.now() - started) / 60_000, log: logFile };
}

/** What a user sees at the end: one line per app. */
export function summary(results: AppResult[]): string {
  const lines = results.map(r => {
    if (r.skippedFor) {
      return `SKIPPED  ${r.app.padEnd(24)} not deployed: set ${r.skippedFor.join(' and ')} to run it (see the README's "Deploy kit")`;
    }
    const status = r.deployed ? 'PASS' : 'FAIL';
    const cleanup = r.destroyed ? 'destroyed' : `destroy failed: check the account for its stacks and delete them (see ${r.log})`;
    return `${status}  ${r.app.padEnd(24)} ${r.minutes.toFixed(1).padStart(5)} min  ${r.deployed ? 'deployed, assertions passed' : `deploy or an assertion failed (see ${r.log})`}; ${cleanup}`;
  });
  const ran = results.filter(r => !r.skippedFor);
  const failed = ran.filter(r => !r.deployed || !r.destroyed).length;
  const skipped = results.length - ran.length;
  const total = `${ran.length - failed} of ${ran.length} app(s) passed and were cleaned up.${skipped > 0 ? ` ${skipped} skipped.` : ''}`;
  return ['', 'Deploy kit results', ...lines, '', total].join('\n');
}

/** Whether the run succeeded: every app that ran passed and was destroyed (skipped apps do not fail it). */
export function succeeded(results: AppResult[]): boolean {
  return results.every(r => r.skippedFor !== undefined || (r.deployed && r.destroyed));
}

async function main(): Promise<void> {
  const words = process.argv.slice(2);
  const apps = integApps().filter(a => words.length === 0 || words.some(w => a.includes(w)));
  if (apps.length === 0) {
    console.error(`No integration app matches ${words.join(', ')}. Apps: ${integApps().join(', ')}`);
    process.exit(2);
  }
  console.log(`Deploying ${apps.length} integration app(s) one after the other: ${apps.join(', ')}`);
  const results: AppResult[] = [];
  for (const app of apps) {
    const missing = missingEnv(app);
    if (missing.length > 0) {
      console.log(`SKIPPED ${app}: it needs ${missing.join(' and ')} (see the README's "Deploy kit"); not deploying it.`);
      results.push({ app, deployed: false, destroyed: false, minutes: 0, log: '', skippedFor: missing });
      continue;
    }
    results.push(await runApp(app));
  }
  console.log(summary(results));
  process.exit(succeeded(results) ? 0 : 1);
}

if (require.main === module) {
  void main();
}
