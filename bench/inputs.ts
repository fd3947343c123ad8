/**
 * What the benchmark report includes from other parts of the project, each loaded on its own so that a missing or
 * failing part is reported in bench/RESULTS.md (with what to do) instead of stopping the run:
 *
 * - `bench/test-time.ts`: how long `npm test` takes on this machine (jest and eslint, wall and CPU time);
 * - `bench/ci-timings.txt`: the step timings `.ci/run` printed, copied in as measured input (its date and commit);
 * - `bench/cost-of-defaults.ts`: `costOfDefaultsMarkdown()`, the monthly cost of the defaults from the library's own
 *   price table, ours against aws-ecs-patterns, line by line;
 * - `bench/profile-notes.md`: where synth time goes, from a CPU profile of the synth.
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';

const BENCH = __dirname;

/** A part of the report: its content, or why it is missing. */
export type Loaded<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly reason: string };

/** The `npm test` time measured by bench/test-time.ts: its result as the module returns it. */
export interface TestTime {
  /** Wall-clock seconds of the whole `npm test` equivalent. */
  readonly wallSeconds?: number;
  /** CPU seconds (user + system of every process). */
  readonly cpuSeconds?: number;
  /** Markdown the module renders itself, when it offers one. */
  readonly markdown?: string;
  /** Every other field, as the module returned it. */
  readonly fields: Record<string, unknown>;
}

/** The `.ci/run` step timings, as measured input. */
export interface CiTimings {
  readonly file: string;
  /** When the file was written (its modification time). */
  readonly date: string;
  /** The commit the timings were taken on, when the file names one. */
  readonly commit?: string;
  readonly text: string;
}

function load(relative: string): Loaded<Record<string, unknown>> {
  const file = path.join(BENCH, relative);
  if (!fs.existsSync(`${file}.ts`) && !fs.existsSync(`${file}.js`)) {
    return { ok: false, reason: `bench/${relative}.ts does not exist yet` };
  }
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return { ok: true, value: require(file) as Record<string, unknown> };
  } catch (e) {
    return { ok: false, reason: `bench/${relative}.ts failed to load: ${firstLine(e)}` };
  }
}

function firstLine(e: unknown): string {
  return ((e as Error)?.message ?? String(e)).split('\n')[0];
}

/** Names bench/test-time.ts may export its measurement under (the first that is a function is called). */
const TEST_TIME_EXPORTS = ['measureTestTime', 'testTime', 'measure', 'default'];

/** Run bench/test-time.ts: `npm test` on this machine (takes a few minutes). */
export async function measureTestTime(): Promise<Loaded<TestTime>> {
  const mod = load('test-time');
  if (!mod.ok) {
    return mod;
  }
  const name = TEST_TIME_EXPORTS.find(n => typeof mod.value[n] === 'function');
  if (!name) {
    return { ok: false, reason: `bench/test-time.ts exports none of ${TEST_TIME_EXPORTS.join(', ')} as a function (exports: ${Object.keys(mod.value).join(', ') || 'none'})` };
  }
  try {
    const result = await (mod.value[name] as () => unknown)();
    const fields = (result && typeof result === 'object' ? result : { result }) as Record<string, unknown>;
    const num = (...keys: string[]) => keys.map(k => fields[k]).find((v): v is number => typeof v === 'number');
    const render = fields.markdown ?? fields.toMarkdown;
    return {
      ok: true,
      value: {
        wallSeconds: num('wallSeconds', 'wallS', 'seconds') ?? msToS(num('wallMs')),
        cpuSeconds: num('cpuSeconds', 'cpuS') ?? msToS(num('cpuMs')),
        markdown: typeof render === 'string' ? render : typeof render === 'function' ? String((render as () => unknown).call(result)) : undefined,
        fields,
      },
    };
  } catch (e) {
    return { ok: false, reason: `bench/test-time.ts ${name}() failed: ${firstLine(e)}` };
  }
}

function msToS(ms: number | undefined): number | undefined {
  return ms === undefined ? undefined : ms / 1000;
}

/** The cost-of-defaults table of bench/cost-of-defaults.ts. */
export function costOfDefaults(): Loaded<string> {
  const mod = load('cost-of-defaults');
  if (!mod.ok) {
    return mod;
  }
  const render = mod.value.costOfDefaultsMarkdown;
  if (typeof render !== 'function') {
    return { ok: false, reason: 'bench/cost-of-defaults.ts does not export costOfDefaultsMarkdown()' };
  }
  try {
    return { ok: true, value: String((render as () => unknown)()) };
  } catch (e) {
    return { ok: false, reason: `costOfDefaultsMarkdown() failed: ${firstLine(e)}` };
  }
}

/** bench/profile-notes.md, without its own top-level heading. */
export function profileNotes(): Loaded<string> {
  const file = path.join(BENCH, 'profile-notes.md');
  if (!fs.existsSync(file)) {
    return { ok: false, reason: 'bench/profile-notes.md does not exist yet' };
  }
  return { ok: true, value: fs.readFileSync(file, 'utf-8').replace(/^# .*\n+/, '').trim() };
}

/** The `.ci/run` step timings: `file` if given, else bench/ci-timings.txt. */
export function ciTimings(file?: string): Loaded<CiTimings> {
  const source = file ?? path.join(BENCH, 'ci-timings.txt');
  if (!fs.existsSync(source)) {
    return { ok: false, reason: `${path.relative(path.join(BENCH, '..'), source)} does not exist: copy the output of \`.ci/run\` there (or pass --ci-timings FILE)` };
  }
  const text = fs.readFileSync(source, 'utf-8').trim();
  const named = /\b(?:commit|HEAD|rev)\b[^0-9a-f]{0,20}([0-9a-f]{7,40})\b/i.exec(text)?.[1];
  let commit = named;
  if (commit) {
    try {
      commit = execFileSync('git', ['rev-parse', '--short', commit], { cwd: BENCH, encoding: 'utf-8', stdio: ['ignore', 'pipe', 'ignore'] }).trim() || commit;
    } catch {
      // Not in this clone: keep the name as written.
    }
  }
  const date = /\b(20\d\d-\d\d-\d\d(?:[T ]\d\d:\d\d(?::\d\d)?Z?)?)/.exec(text)?.[1] ?? fs.statSync(source).mtime.toISOString().slice(0, 16).replace('T', ' ');
  return { ok: true, value: { file: path.relative(path.join(BENCH, '..'), source), date, commit, text } };
}
