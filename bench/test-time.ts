/**
 * How long `npm test` takes on this machine: the commands of the projen `test` task (.projen/tasks.json), jest with
 * CI=true and then eslint, each run in a child process from the repository root, with its wall-clock time and the CPU
 * time (user + system) of every process it started.
 *
 *   npx ts-node --prefer-ts-exts bench/test-time.ts [jest arguments]   (prints the result as JSON)
 *
 * bench/run.ts calls `measureTestTime()` and puts the result in bench/RESULTS.md.
 *
 * - The commands are read from the `test` and `eslint` tasks, so the measurement follows the task when it changes.
 * - jest also writes `--json` to a temporary file, for the suite and test counts (a reporter: no other work).
 * - eslint runs without `--fix`, so that measuring never rewrites a file: fixing costs nothing when nothing needs it.
 * - CPU time is the children's user + system time as bash's `times` reports it for the command it waited for.
 *   On a machine others use, wall time is noise and CPU time is the number to compare.
 */
import { spawn } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

const ROOT = path.resolve(__dirname, '..');

/** One step of `npm test`, measured. */
export interface StepTime {
  /** 'jest' or 'eslint'. */
  readonly step: string;
  /** The command as run (shell words). */
  readonly command: string;
  readonly wallSeconds: number;
  /** User + system CPU seconds of the step's processes (jest's workers, eslint). */
  readonly cpuSeconds: number;
  /** Test suites (files) jest ran; undefined for eslint. */
  readonly suites?: number;
  /** Tests jest ran; undefined for eslint. */
  readonly tests?: number;
  /** Whether the step exited with status 0. */
  readonly passed: boolean;
  /** Where the step's output went. */
  readonly log: string;
}

/** `npm test`, measured step by step. */
export interface TestTime {
  /** Both steps, one after the other. */
  readonly wallSeconds: number;
  readonly cpuSeconds: number;
  readonly suites?: number;
  readonly tests?: number;
  readonly passed: boolean;
  /** Cores of this machine, and its load average when the measurement started. */
  readonly cores: number;
  readonly loadAverage: number;
  readonly steps: StepTime[];
  /** Every jest test file's time, slowest first. */
  readonly files: FileTime[];
  /** A table of the steps for bench/RESULTS.md. */
  readonly markdown: string;
}

interface TaskStep { readonly exec?: string; readonly execArgs?: string[]; readonly spawn?: string }
interface Task { readonly env?: Record<string, string>; readonly steps?: TaskStep[] }

function tasks(): Record<string, Task> {
  return JSON.parse(fs.readFileSync(path.join(ROOT, '.projen', 'tasks.json'), 'utf-8')).tasks;
}

/** Quote one word for bash. */
function quote(word: string): string {
  return /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, '\'\\\'\'')}'`;
}

/** The words of a task step (projen's `execArgs`, or `exec` split on spaces), run from node_modules/.bin. */
function words(step: TaskStep): string[] {
  const args = step.execArgs ?? step.exec?.split(/\s+/).filter(Boolean);
  if (!args || args.length === 0) {
    throw new Error(`unexpected task step ${JSON.stringify(step)} in .projen/tasks.json`);
  }
  return args;
}

/** The jest command of the `test` task, and the eslint task's command and environment. */
export function testCommands(): { jest: string[]; eslint: string[]; eslintEnv: Record<string, string> } {
  const all = tasks();
  const test = all.test?.steps ?? [];
  const jestStep = test.find(s => (s.execArgs ?? s.exec?.split(/\s+/))?.[0] === 'jest');
  if (!jestStep || !test.some(s => s.spawn === 'eslint')) {
    throw new Error('.projen/tasks.json: the test task no longer runs jest then the eslint task: update bench/test-time.ts');
  }
  const eslintTask = all.eslint;
  const eslintStep = eslintTask?.steps?.[0];
  if (!eslintStep) {
    throw new Error('.projen/tasks.json has no eslint task');
  }
  // `$@` is where projen passes the task's arguments: none here.
  const eslint = words(eslintStep).filter(w => w !== '--fix' && w !== '$@');
  return { jest: words(jestStep), eslint, eslintEnv: eslintTask.env ?? {} };
}

interface Measured { readonly wallSeconds: number; readonly cpuSeconds: number; readonly status: number | null }

/** Run `command` under bash from the repository root; `times` gives the CPU time of the processes bash waited for. */
function timed(command: string[], env: Record<string, string>, log: string): Promise<Measured> {
  const script = `${command.map(quote).join(' ')} >${quote(log)} 2>&1; status=$?; times; exit $status`;
  return new Promise((resolve, reject) => {
    const started = process.hrtime.bigint();
    const child = spawn('bash', ['-c', script], {
      cwd: ROOT,
      env: { ...process.env, ...env, PATH: `${path.join(ROOT, 'node_modules', '.bin')}${path.delimiter}${process.env.PATH ?? ''}` },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.on('data', (d: Buffer) => { out += d.toString(); });
    child.on('error', reject);
    child.on('close', status => {
      const wallSeconds = Number(process.hrtime.bigint() - started) / 1e9;
      // `times` prints two lines: the shell's user and system time, then its children's.
      const lines = out.trim().split('\n');
      const children = lines[lines.length - 1]?.match(/(\d+)m([\d.]+)s\s+(\d+)m([\d.]+)s/);
      if (!children) {
        reject(new Error(`could not read the CPU time from bash's times: ${JSON.stringify(out)}`));
        return;
      }
      const cpuSeconds = Number(children[1]) * 60 + Number(children[2]) + Number(children[3]) * 60 + Number(children[4]);
      resolve({ wallSeconds, cpuSeconds, status });
    });
  });
}

/** Suite and test counts from jest's --json output. */
function counts(file: string): { suites?: number; tests?: number } {
  try {
    const r = JSON.parse(fs.readFileSync(file, 'utf-8'));
    return { suites: r.numTotalTestSuites, tests: r.numTotalTests };
  } catch {
    return {};
  }
}

/** A test file's time in jest's --json output (from its start to its end in its worker, module loading included). */
export interface FileTime {
  readonly file: string;
  readonly seconds: number;
  readonly tests: number;
}

/** Every test file's time, slowest first, from jest's --json output (paths relative to `root`). */
export function fileTimes(file: string, root: string): FileTime[] {
  try {
    const r = JSON.parse(fs.readFileSync(file, 'utf-8'));
    return (r.testResults as Array<{ name: string; startTime: number; endTime: number; assertionResults: unknown[] }>)
      .map(t => ({ file: path.relative(root, t.name), seconds: (t.endTime - t.startTime) / 1000, tests: t.assertionResults.length }))
      .sort((a, b) => b.seconds - a.seconds);
  } catch {
    return [];
  }
}

function markdown(t: Omit<TestTime, 'markdown'>): string {
  const rows = t.steps.map(s => `| ${s.step} | \`${s.command}\` | ${s.wallSeconds.toFixed(0)} | ${s.cpuSeconds.toFixed(0)} | ${s.suites ?? ''} | ${s.tests ?? ''} | ${s.passed ? 'passed' : 'FAILED'} |`);
  return [
    `Measured on ${t.cores} cores (load average ${t.loadAverage.toFixed(1)} when it started: wall time counts only on an idle machine; CPU time is user + system of every process of the step).`,
    '',
    '| step | command | wall s | CPU s | suites | tests | result |',
    '|---|---|---:|---:|---:|---:|---|',
    ...rows,
    `| **npm test** | | **${t.wallSeconds.toFixed(0)}** | **${t.cpuSeconds.toFixed(0)}** | ${t.suites ?? ''} | ${t.tests ?? ''} | ${t.passed ? 'passed' : 'FAILED'} |`,
    ...slowestFiles(t.files),
  ].join('\n');
}

/** The slowest test files, and what all files took together (jest runs them on as many workers as cores). */
function slowestFiles(files: readonly FileTime[]): string[] {
  if (files.length === 0) {
    return [];
  }
  const total = files.reduce((sum, f) => sum + f.seconds, 0);
  const top = files.slice(0, 12);
  const topSum = top.reduce((sum, f) => sum + f.seconds, 0);
  return [
    '',
    `Where jest's time goes: the ${files.length} test files took ${total.toFixed(0)} s together (each from its start to its end in its worker, `
      + `module loading included; the workers run files side by side); the ${top.length} slowest, ${(100 * topSum / total).toFixed(0)} % of it:`,
    '',
    '| test file | s | tests |',
    '|---|---:|---:|',
    ...top.map(f => `| ${f.file} | ${f.seconds.toFixed(1)} | ${f.tests} |`),
  ];
}

/** What to measure: all of `npm test` unless told otherwise. */
export interface TestTimeOptions {
  /** Extra jest arguments, e.g. a test file to try the measurement out on. @default - none: every test */
  readonly jestArgs?: string[];
}

/** Run `npm test`'s jest and eslint steps from the repository root and measure each. */
export async function measureTestTime(options: TestTimeOptions = {}): Promise<TestTime> {
  const commands = testCommands();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'foundry-test-time-'));
  const loadAverage = os.loadavg()[0];
  const steps: StepTime[] = [];

  const json = path.join(dir, 'jest.json');
  const jestCommand = [...commands.jest, '--json', `--outputFile=${json}`, ...options.jestArgs ?? []];
  const jestLog = path.join(dir, 'jest.log');
  const jest = await timed(jestCommand, { CI: 'true' }, jestLog);
  steps.push({ step: 'jest', command: jestCommand.join(' '), wallSeconds: jest.wallSeconds, cpuSeconds: jest.cpuSeconds, ...counts(json), passed: jest.status === 0, log: jestLog });

  const eslintLog = path.join(dir, 'eslint.log');
  const eslint = await timed(commands.eslint, { CI: 'true', ...commands.eslintEnv }, eslintLog);
  steps.push({ step: 'eslint', command: commands.eslint.join(' '), wallSeconds: eslint.wallSeconds, cpuSeconds: eslint.cpuSeconds, passed: eslint.status === 0, log: eslintLog });

  const result = {
    wallSeconds: steps.reduce((sum, s) => sum + s.wallSeconds, 0),
    cpuSeconds: steps.reduce((sum, s) => sum + s.cpuSeconds, 0),
    suites: steps[0].suites,
    tests: steps[0].tests,
    passed: steps.every(s => s.passed),
    cores: os.cpus().length,
    loadAverage,
    steps,
    files: fileTimes(json, ROOT),
  };
  return { ...result, markdown: markdown(result) };
}

if (require.main === module) {
  // Arguments are passed to jest: `bench/test-time.ts test/stability.test.ts` tries the measurement out on one file.
  measureTestTime({ jestArgs: process.argv.slice(2) }).then(
    r => console.log(JSON.stringify(r, undefined, 2)),
    e => {
      console.error(e);
      process.exitCode = 1;
    },
  );
}
