/**
 * What the benchmark compares and the shape of its results (shared by run.ts and report.ts).
 */
import type { ChildResult } from './child';
import type { CiTimings, Loaded, TestTime } from './inputs';
import type { Isolation, PluginFindings, ReplacementModel, TemplateStats } from './measure';
import type { Workload } from './workloads';

/** Service counts of the per-stack tables; N+1 of each gives the cost of one more service. */
export const COUNTS = [1, 10, 30] as const;
/** The service count of the speed and memory comparisons. */
export const TIMED_COUNT = 30;
/**
 * Workloads whose findings are also counted at TIMED_COUNT services (every workload's are counted at 1): findings
 * per service repeat, and a synth with every pack at that size is the slowest step of the benchmark.
 */
export const FINDINGS_AT_SCALE: readonly Workload[] = ['ours-web-shared-alb', 'ours-network'];

/** Comparisons: ours against a peer, for one kind of workload. The first is the one the targets refer to. */
export const PAIRS: readonly Pair[] = [
  { name: 'web', ours: 'ours-web-shared-alb', peer: 'peer-web-own-alb' },
  { name: 'web, peer sharing one ALB', ours: 'ours-web-shared-alb', peer: 'peer-web-shared-alb' },
  { name: 'web, our alarms off (the peer has none)', ours: 'ours-web-shared-alb-no-alarms', peer: 'peer-web-own-alb' },
  { name: 'network', ours: 'ours-network', peer: 'peer-network' },
];

/** Service kinds side by side in the services-per-stack table (aws-ecs-patterns has no Service Connect backend pattern). */
export const KINDS: readonly Kind[] = [
  { name: 'web', ours: 'ours-web-shared-alb', peer: 'peer-web-own-alb' },
  { name: 'network', ours: 'ours-network', peer: 'peer-network' },
  { name: 'worker (queue processing)', ours: 'ours-worker', peer: 'peer-queue-processing' },
  { name: 'backend (Service Connect)', ours: 'ours-backend' },
];

/**
 * The comparisons also timed (and measured for memory) with every validation pack on: the web pair the targets refer
 * to. A synth with the five packs takes several times one without, so the other pairs are compared without them.
 */
export const VALIDATED_PAIRS: readonly Pair[] = PAIRS.slice(0, 1);

export interface Kind {
  readonly name: string;
  readonly ours: Workload;
  readonly peer?: Workload;
}

export interface Pair {
  readonly name: string;
  readonly ours: Workload;
  readonly peer: Workload;
}

export interface SizeResult {
  /** Stats by service count (0, 1, 2, 10, 11, 30, 31). */
  readonly byCount: Record<number, Omit<TemplateStats, 'template'>>;
  /** Undefined for services behind no load balancer. */
  readonly replacement?: ReplacementModel;
  /** What the services share, at TIMED_COUNT services. */
  readonly isolation: Isolation;
  readonly fit: FitResult;
}

/** How many services fit under one CloudFormation quota: fitted linearly, then checked by synthesizing. */
export interface LimitFit {
  readonly quota: number;
  /** Fixed part: the value with N services − N × per service (includes what the first service creates once). */
  readonly base: number;
  readonly perService: number;
  /** floor((quota − base) / perService). */
  readonly predicted: number;
  /** The largest count whose template stays within the quota, found by synthesizing around the prediction. */
  readonly max: number;
  readonly atMax: number;
  readonly atMaxPlusOne: number;
}

export interface FitResult {
  /** CloudFormation's 500 resources per stack. */
  readonly resources: LimitFit;
  /** CloudFormation's 1 MB per template. */
  readonly bytes: LimitFit;
  /** The most services in one stack: the smaller of the two. */
  readonly max: number;
  /** aws-cdk-lib's own 500-resource check at resources.max and resources.max + 1 (it does not check bytes). */
  readonly synthAtMax: { ok: boolean; error?: string };
  readonly synthAtMaxPlusOne: { ok: boolean; error?: string };
}

export interface TimingRun {
  /** Wall-clock time (process.hrtime.bigint()). */
  readonly constructMs: number;
  readonly synthMs: number;
  /** CPU time of the process, user + system (process.cpuUsage()): barely affected by other processes. */
  readonly constructCpuMs: number;
  readonly synthCpuMs: number;
}

export interface TimingResult {
  readonly pair: string;
  readonly validation: boolean;
  readonly ours: TimingRun[];
  readonly peer: TimingRun[];
  /** Median over runs of ours / peer for app.synth(). */
  readonly synthRatio: number;
  /** Median over runs of ours / peer for construction + app.synth(). */
  readonly totalRatio: number;
  /** The same two ratios in CPU time. */
  readonly synthCpuRatio: number;
  readonly totalCpuRatio: number;
}

export interface Results {
  readonly date: string;
  readonly environment: Record<string, string>;
  readonly sizes: Record<Workload, SizeResult>;
  readonly findings: Record<Workload, Record<number, Record<string, PluginFindings>>>;
  readonly timings: TimingResult[];
  readonly memory: ChildResult[];
  /** `npm test` on this machine (bench/test-time.ts), or why it is missing. */
  readonly testTime: Loaded<TestTime>;
  /** The `.ci/run` step timings, as measured input. */
  readonly ciTimings: Loaded<CiTimings>;
  /** The cost-of-defaults table (bench/cost-of-defaults.ts). */
  readonly costOfDefaults: Loaded<string>;
  /** Where synth time goes (bench/profile-notes.md). */
  readonly profileNotes: Loaded<string>;
  readonly durationSeconds: number;
  readonly loadAverage: { readonly start: number[]; readonly end: number[] };
}
