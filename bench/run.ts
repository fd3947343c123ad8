/**
 * The benchmark: the same workloads built with this library and with aws-ecs-patterns, measured side by side in
 * one run, written to bench/RESULTS.md.
 *
 *   npm run bench                                         (npx projen bench)
 *   npx ts-node --prefer-ts-exts bench/run.ts [--out FILE] [--ci-timings FILE] [--skip-test-time]
 *
 * Speed and memory are reported as ratios (ours / peer) of runs made on the same machine in the same run,
 * never as absolute goals: absolute times depend on the machine. BENCH_RUNS overrides the number of timed runs
 * per side (default 5); fewer than 5 is for trying the script out only.
 */
import { execFile, execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as v8 from 'v8';
import * as vm from 'vm';
import type { ChildResult } from './child';
import { ciTimings, costOfDefaults, measureTestTime, profileNotes } from './inputs';
import {
  isolation, Isolation, MAX_RESOURCES, MAX_TEMPLATE_BYTES, median, msSince, PluginFindings, replacementModel, ReplacementModel,
  synthFindings, synthTemplate, synthWithinLimit, TemplateStats,
} from './measure';
import { renderResults } from './report';
import { COUNTS, FINDINGS_AT_SCALE, FitResult, LimitFit, Pair, PAIRS, Results, SizeResult, TIMED_COUNT, TimingResult, TimingRun, VALIDATED_PAIRS } from './results';
import { build, cleanUp, newApp, Workload, WORKLOAD_KEYS } from './workloads';

const ROOT = path.resolve(__dirname, '..');
const gc = exposeGc();

async function main(): Promise<void> {
  const out = argValue('--out') ?? path.join(__dirname, 'RESULTS.md');
  const started = process.hrtime.bigint();
  const loadStart = os.loadavg();
  const environment = describeEnvironment();

  log('sizes: synthesizing 0, 1, 2, 10, 11, 30, 31 services of each workload');
  const sizes = {} as Record<Workload, SizeResult>;
  // Counting resources and bytes needs no validation: aws-cdk-lib's built-in CloudFormation validation (on by default,
  // off with CDK_VALIDATION=false) takes most of each synth here and changes no template. Its 500-resource check is
  // not validation: synthWithinLimit still meets it. The timed runs below keep the default validation.
  const validationSetting = process.env.CDK_VALIDATION;
  process.env.CDK_VALIDATION = 'false';
  try {
    for (const workload of WORKLOAD_KEYS) {
      sizes[workload] = measureSizes(workload);
      const s = sizes[workload];
      log(`  ${workload}: ${COUNTS.map(n => `${n}→${s.byCount[n].resources}`).join(', ')} resources; fits ${s.fit.max} (${s.fit.resources.max} by resources, ${s.fit.bytes.max} by bytes)`);
    }
  } finally {
    if (validationSetting === undefined) {
      delete process.env.CDK_VALIDATION;
    } else {
      process.env.CDK_VALIDATION = validationSetting;
    }
  }

  log(`findings: four cdk-nag packs, the Control Tower controls and strict CloudFormation validation, 1 service of each workload, ${TIMED_COUNT} of ${FINDINGS_AT_SCALE.join(', ')}`);
  const findings = {} as Record<Workload, Record<number, Record<string, PluginFindings>>>;
  for (const workload of WORKLOAD_KEYS) {
    findings[workload] = { 1: synthFindings(workload, 1) };
    if (FINDINGS_AT_SCALE.includes(workload)) {
      findings[workload][TIMED_COUNT] = synthFindings(workload, TIMED_COUNT);
    }
  }

  const timings: TimingResult[] = [];
  for (const validation of [false, true]) {
    const runs = Number(process.env.BENCH_RUNS ?? 5);
    for (const pair of validation ? VALIDATED_PAIRS : PAIRS) {
      log(`timing: ${pair.name}, ${TIMED_COUNT} services, ${validation ? 'with' : 'without'} the cdk-nag packs, ${runs} alternating runs`);
      const result = timeSynth(pair, validation, runs);
      log(`  ours/peer app.synth() ${result.synthRatio.toFixed(2)} (CPU ${result.synthCpuRatio.toFixed(2)}), construction + synth ${result.totalRatio.toFixed(2)} (CPU ${result.totalCpuRatio.toFixed(2)})`);
      timings.push(result);
    }
  }

  log('memory: one child process per case');
  const memory = await measureMemory();

  let testTime: Results['testTime'];
  if (process.argv.includes('--skip-test-time')) {
    testTime = { ok: false, reason: 'skipped (--skip-test-time)' };
  } else {
    log('npm test: bench/test-time.ts');
    testTime = await measureTestTime();
    log(testTime.ok ? `  ${testTime.value.wallSeconds?.toFixed(0) ?? '?'} s wall, ${testTime.value.cpuSeconds?.toFixed(0) ?? '?'} s CPU` : `  not measured: ${testTime.reason}`);
  }
  const costTable = costOfDefaults();
  const notes = profileNotes();
  const ci = ciTimings(argValue('--ci-timings'));
  for (const [name, part] of [['cost of defaults', costTable], ['profile notes', notes], ['.ci/run timings', ci]] as const) {
    if (!part.ok) {
      log(`  ${name} left out: ${part.reason}`);
    }
  }

  const results: Results = {
    date: new Date().toISOString(),
    environment,
    sizes,
    findings,
    timings,
    memory,
    testTime,
    ciTimings: ci,
    costOfDefaults: costTable,
    profileNotes: notes,
    durationSeconds: msSince(started) / 1000,
    loadAverage: { start: loadStart, end: os.loadavg() },
  };
  fs.writeFileSync(out, renderResults(results));
  log(`wrote ${path.relative(process.cwd(), out)} in ${results.durationSeconds.toFixed(0)} s`);
}

function measureSizes(workload: Workload): SizeResult {
  const byCount: Record<number, Omit<TemplateStats, 'template'>> = {};
  let replacement: ReplacementModel | undefined;
  let shared: Isolation | undefined;
  for (const count of [0, ...COUNTS.flatMap(n => [n, n + 1])]) {
    const { template, ...stats } = synthTemplate(workload, count);
    byCount[count] = stats;
    if (count === 1) {
      replacement = replacementModel(template);
    }
    if (count === TIMED_COUNT) {
      shared = isolation(template);
    }
  }
  return { byCount, replacement, isolation: shared!, fit: fitInOneStack(workload, byCount) };
}

/** The most services under the 500-resource and 1 MB quotas: fitted from base + per service, then checked by synthesis. */
function fitInOneStack(workload: Workload, byCount: Record<number, Omit<TemplateStats, 'template'>>): FitResult {
  const resources = fitLimit(workload, byCount, MAX_RESOURCES, t => t.resources);
  const bytes = fitLimit(workload, byCount, MAX_TEMPLATE_BYTES, t => t.bytes);
  return {
    resources,
    bytes,
    max: Math.min(resources.max, bytes.max),
    synthAtMax: synthWithinLimit(workload, resources.max),
    synthAtMaxPlusOne: synthWithinLimit(workload, resources.max + 1),
  };
}

function fitLimit(workload: Workload, byCount: Record<number, Omit<TemplateStats, 'template'>>, quota: number,
  measure: (t: Omit<TemplateStats, 'template'>) => number): LimitFit {
  const last = COUNTS[COUNTS.length - 1];
  const perService = measure(byCount[last + 1]) - measure(byCount[last]);
  const base = measure(byCount[last]) - last * perService;
  const predicted = Math.max(0, Math.floor((quota - base) / perService));
  const cache = new Map<number, number>(Object.entries(byCount).map(([n, t]) => [Number(n), measure(t)]));
  const at = (n: number) => {
    if (!cache.has(n)) {
      cache.set(n, measure(synthTemplate(workload, n)));
    }
    return cache.get(n)!;
  };
  let max = predicted;
  while (max > 0 && at(max) > quota) {
    max--;
  }
  while (at(max + 1) <= quota) {
    max++;
  }
  return { quota, base, perService, predicted, max, atMax: at(max), atMaxPlusOne: at(max + 1) };
}

/**
 * Alternating runs, each with a fresh App: ours then the peer on even runs, the peer then ours on odd runs, after
 * one discarded warm-up run of each (module loading, JIT, aws-cdk-lib's validation engine).
 */
function timeSynth(pair: Pair, validation: boolean, runs: number): TimingResult {
  timeOne(pair.ours, validation);
  timeOne(pair.peer, validation);
  const ours: TimingRun[] = [];
  const peer: TimingRun[] = [];
  for (let run = 0; run < runs; run++) {
    if (run % 2 === 0) {
      ours.push(timeOne(pair.ours, validation));
      peer.push(timeOne(pair.peer, validation));
    } else {
      peer.push(timeOne(pair.peer, validation));
      ours.push(timeOne(pair.ours, validation));
    }
  }
  const ratio = (f: (run: TimingRun) => number) => median(ours.map((o, i) => f(o) / f(peer[i])));
  return {
    pair: pair.name,
    validation,
    ours,
    peer,
    synthRatio: ratio(t => t.synthMs),
    totalRatio: ratio(t => t.constructMs + t.synthMs),
    synthCpuRatio: ratio(t => t.synthCpuMs),
    totalCpuRatio: ratio(t => t.constructCpuMs + t.synthCpuMs),
  };
}

function timeOne(workload: Workload, validation: boolean): TimingRun {
  gc();
  const app = newApp({ validation, unlimitedResources: true });
  try {
    const start = process.hrtime.bigint();
    const cpuStart = process.cpuUsage();
    build(app, workload, TIMED_COUNT);
    const constructMs = msSince(start);
    const constructCpuMs = cpuMs(process.cpuUsage(cpuStart));
    const synthStart = process.hrtime.bigint();
    const synthCpuStart = process.cpuUsage();
    app.synth();
    return { constructMs, synthMs: msSince(synthStart), constructCpuMs, synthCpuMs: cpuMs(process.cpuUsage(synthCpuStart)) };
  } finally {
    cleanUp(app);
  }
}

function cpuMs(usage: NodeJS.CpuUsage): number {
  return (usage.user + usage.system) / 1000;
}

/** Peak RSS of one synth per case in a fresh process, two processes at a time. */
async function measureMemory(): Promise<ChildResult[]> {
  const cases: Array<[string, number, boolean]> = [];
  for (const validation of [false, true]) {
    cases.push(['baseline', 0, validation]);
    for (const workload of new Set((validation ? VALIDATED_PAIRS : PAIRS).flatMap(p => [p.ours, p.peer]))) {
      cases.push([workload, TIMED_COUNT, validation]);
    }
  }
  const results: ChildResult[] = new Array(cases.length);
  let next = 0;
  const worker = async () => {
    while (next < cases.length) {
      const index = next++;
      results[index] = await runChild(...cases[index]);
      log(`  ${cases[index][0]}${cases[index][2] ? ' + validation' : ''}: ${results[index].peakRssMiB.toFixed(0)} MiB`);
    }
  };
  await Promise.all([worker(), worker()]);
  return results;
}

function runChild(workload: string, count: number, validation: boolean): Promise<ChildResult> {
  const args = ['-r', 'ts-node/register/transpile-only', path.join(__dirname, 'child.ts'), workload, String(count), validation ? '1' : '0'];
  return new Promise((resolve, reject) => {
    execFile(process.execPath, args, { cwd: ROOT, env: { ...process.env, TS_NODE_PREFER_TS_EXTS: 'true' }, maxBuffer: 64 * 1024 * 1024 },
      (error, stdout, stderr) => {
        const line = stdout.split('\n').find(l => l.startsWith('{'));
        if (error || !line) {
          reject(new Error(`Memory case ${workload} ${count} (validation ${validation}) failed: ${error?.message ?? 'no result'}\n${stderr.slice(-2000)}`));
          return;
        }
        resolve(JSON.parse(line) as ChildResult);
      });
  });
}

function describeEnvironment(): Record<string, string> {
  const version = (pkg: string) => (JSON.parse(fs.readFileSync(require.resolve(`${pkg}/package.json`, { paths: [ROOT] }), 'utf-8')) as { version: string }).version;
  const git = (...args: string[]) => {
    try {
      return execFileSync('git', args, { cwd: ROOT, encoding: 'utf-8' }).trim();
    } catch {
      return '';
    }
  };
  const dirty = git('status', '--porcelain', '--', 'src').length > 0;
  const cpus = os.cpus();
  return {
    'node': process.version,
    'aws-cdk-lib': version('aws-cdk-lib'),
    'cdk-nag': version('cdk-nag'),
    'constructs': version('constructs'),
    'cdk-ecs-foundry': `${git('rev-parse', '--short', 'HEAD') || 'unknown commit'}${dirty ? ' with uncommitted changes in src/' : ''}`,
    'os': `${os.type()} ${os.release()} ${os.arch()}`,
    'cpu': `${os.availableParallelism()} × ${cpus[0]?.model ?? 'unknown'}`,
    'memory': `${(os.totalmem() / 2 ** 30).toFixed(1)} GiB`,
  };
}

/** `global.gc` without requiring `node --expose-gc`: collect before each timed run so runs start alike. */
function exposeGc(): () => void {
  v8.setFlagsFromString('--expose-gc');
  return vm.runInNewContext('gc') as () => void;
}

function argValue(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

const processStart = process.hrtime.bigint();
function log(message: string): void {
  process.stderr.write(`[bench ${(msSince(processStart) / 1000).toFixed(0).padStart(4)} s] ${message}\n`);
}

main().catch(e => {
  process.stderr.write(`${(e as Error).stack ?? String(e)}\n`);
  process.exitCode = 1;
});
