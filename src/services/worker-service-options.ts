import { Duration } from 'aws-cdk-lib';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { IConstruct } from 'constructs';
import { DeploymentOptions, ServiceOptions } from './service-options';
import type { FoundryCluster } from '../cluster/foundry-cluster';
import { checkNumber, invalidProp, isConcrete } from '../private/validation';

/*
 * The props of a `WorkerService` and their resolution, in a file of their own: the construct and its validator
 * both read them.
 */

/**
 * The queue a `WorkerService` creates.
 */
export interface WorkerQueueOptions {
  /**
   * Time a received message stays invisible to other workers, in whole seconds up to 12 hours.
   *
   * Must exceed `expectedProcessingTime`, or a message is handed to a second worker while the first still works on it.
   *
   * @default - six times `expectedProcessingTime` rounded up to whole seconds, at least 30 seconds and at most 12 hours
   */
  readonly visibilityTimeout?: Duration;

  /**
   * How long an unprocessed message is kept (1 minute to 14 days).
   *
   * @default Duration.days(4)
   */
  readonly retentionPeriod?: Duration;

  /**
   * Receives before a message moves to the dead-letter queue (1-1000).
   *
   * @default 5
   */
  readonly maxReceiveCount?: number;

  /**
   * How long the dead-letter queue keeps messages. It must be longer than `retentionPeriod`: a message keeps its
   * original age when it moves, so a shorter retention deletes it on arrival.
   *
   * @default Duration.days(14)
   */
  readonly deadLetterRetentionPeriod?: Duration;

  /**
   * A FIFO queue with exactly-once processing, ordered per message group.
   *
   * Its dead-letter queue is FIFO too.
   *
   * @default false
   */
  readonly fifo?: boolean;

  /**
   * Deduplicate FIFO messages by a hash of their body (FIFO only).
   *
   * @default false
   */
  readonly contentBasedDeduplication?: boolean;
}

/**
 * How a worker scales on its queue.
 */
export interface QueueScalingOptions {
  /**
   * Fewest tasks, 0 to let the service scale to zero.
   *
   * At zero a step policy starts one task when messages wait while no task runs, and backlog scaling takes over
   * from there.
   *
   * @default 1
   */
  readonly minTasks?: number;

  /** Most tasks. */
  readonly maxTasks: number;

  /**
   * Target backlog: visible messages per running task.
   *
   * Give this or `acceptableLatency`.
   *
   * @default - derived from `acceptableLatency`
   */
  readonly messagesPerTask?: number;

  /**
   * Target latency: the longest a message should wait. With `expectedProcessingTime` it becomes the backlog per
   * task (latency ÷ processing time).
   *
   * @default - `messagesPerTask` is used
   */
  readonly acceptableLatency?: Duration;

  /**
   * Add tasks when average CPU exceeds this percentage, besides the backlog policy.
   *
   * It only scales out, so it never fights the backlog policy over scale-in (aws-cdk issue #20706).
   *
   * @default - queue-based scaling only
   */
  readonly cpuPercent?: number;
}

/**
 * Properties of a `WorkerService`.
 */
export interface WorkerServiceProps extends ServiceOptions {
  /** The cluster. */
  readonly cluster: FoundryCluster;

  /**
   * How the service rolls out new versions.
   *
   * @default - rolling, circuit breaker with rollback, 100 % minimum healthy, 200 % maximum
   */
  readonly deployment?: DeploymentOptions;

  /**
   * An existing queue to consume instead of creating one.
   *
   * @default - a new KMS-encrypted, TLS-only queue with a dead-letter queue
   */
  readonly queue?: sqs.IQueue;

  /**
   * Options of the queue the worker creates (not with `queue`).
   *
   * @default - see WorkerQueueOptions
   */
  readonly queueOptions?: WorkerQueueOptions;

  /**
   * How long one message takes to process, more than 0 and less than 12 hours.
   *
   * It is checked against the visibility timeout (at most 12 hours, so the processing time must stay below that) and
   * used for `acceptableLatency`.
   *
   * @default Duration.seconds(30)
   */
  readonly expectedProcessingTime?: Duration;

  /**
   * Scale on the backlog per task (visible messages ÷ running tasks).
   *
   * @default - a fixed count (`desiredCount`, default 2)
   */
  readonly queueScaling?: QueueScalingOptions;

  /**
   * Name of the environment variable that carries the queue URL.
   *
   * @default 'QUEUE_URL'
   */
  readonly queueUrlVariable?: string;
}

/** The longest visibility timeout SQS allows: 12 hours. */
const MAX_VISIBILITY_SECONDS = 43_200;

/** A duration in seconds, fractions kept (aws-cdk-lib's `toSeconds()` throws on milliseconds). */
function seconds(duration: Duration): number {
  return duration.toSeconds({ integral: false });
}

/**
 * The queue a worker creates, with its defaults.
 *
 * @internal
 */
export interface ResolvedWorkerQueue {
  readonly visibilityTimeout: Duration;
  readonly retentionPeriod: Duration;
  readonly deadLetterRetentionPeriod: Duration;
  readonly maxReceiveCount: number;
  readonly fifo: boolean;
  readonly contentBasedDeduplication?: boolean;
}

/**
 * Backlog scaling with its defaults.
 *
 * @internal
 */
export interface ResolvedQueueScaling {
  readonly minTasks: number;
  readonly maxTasks: number;
  /** The target backlog per task, given or derived from `acceptableLatency`. */
  readonly messagesPerTask: number;
  readonly cpuPercent?: number;
}

/**
 * A worker's own props, defaulted and validated once (the base resolves what every service takes).
 *
 * @internal
 */
export interface ResolvedWorker {
  readonly queueUrlVariable: string;
  readonly processingSeconds: number;
  /** The queue to create, or undefined when the worker consumes the `queue` given. */
  readonly queue?: ResolvedWorkerQueue;
  readonly queueScaling?: ResolvedQueueScaling;
}

/**
 * Validate a worker's props and fill in their defaults. It runs before the worker construct exists (the queue,
 * created first, is its sibling), so messages name the path the worker will have.
 *
 * @internal
 */
export function resolveWorker(scope: IConstruct, id: string, props: WorkerServiceProps): ResolvedWorker {
  const where = `WorkerService '${scope.node.path ? `${scope.node.path}/` : ''}${id}'`;
  if (!props || !props.cluster) {
    invalidProp(where, 'cluster', props?.cluster, 'Pass the FoundryCluster the worker runs in.');
  }
  if (props.queue && props.queueOptions) {
    invalidProp(where, 'queueOptions', props.queueOptions, 'Options shape a queue the worker creates; set them where your queue is created, or remove queue.');
  }
  // Durations are read with integral: false so that milliseconds reach our checks instead of aws-cdk-lib's error.
  const processing = props.expectedProcessingTime ?? Duration.seconds(30);
  const processingSeconds = seconds(processing);
  // The visibility timeout is at most 12 hours (43,200 s) and must exceed the processing time
  // (https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-visibility-timeout.html),
  // so the processing time must stay below 12 hours.
  if (!(processingSeconds > 0 && processingSeconds < MAX_VISIBILITY_SECONDS)) {
    invalidProp(where, 'expectedProcessingTime', `${processingSeconds} s`,
      `Use more than 0 and less than ${MAX_VISIBILITY_SECONDS} s (12 hours): the visibility timeout must exceed it, and SQS allows at most 12 hours.`);
  }
  const q = props.queueOptions ?? {};
  // Whole seconds, above the processing time, at most 12 hours: defined for every accepted processing time.
  const visibility = q.visibilityTimeout ?? Duration.seconds(Math.min(MAX_VISIBILITY_SECONDS, Math.max(30, Math.ceil(processingSeconds * 6))));
  const visibilitySeconds = seconds(visibility);
  if (!Number.isInteger(visibilitySeconds)) {
    invalidProp(where, 'queueOptions.visibilityTimeout', `${visibilitySeconds} s`,
      `SQS sets the visibility timeout in whole seconds; use Duration.seconds(${Math.ceil(visibilitySeconds)}).`);
  }
  checkNumber(where, 'queueOptions.visibilityTimeout (seconds)', visibilitySeconds, { min: 0, max: MAX_VISIBILITY_SECONDS, integer: true });
  if (visibilitySeconds <= processingSeconds) {
    const suggestion = Math.min(MAX_VISIBILITY_SECONDS, Math.max(Math.floor(processingSeconds) + 1, Math.ceil(processingSeconds * 2)));
    invalidProp(where, 'queueOptions.visibilityTimeout', `${visibilitySeconds} s`,
      `It must exceed expectedProcessingTime (${processingSeconds} s), or a message reappears and a second worker processes it while the first still is. Use at least ${suggestion} s (AWS recommends 6x, at most ${MAX_VISIBILITY_SECONDS} s).`);
  }
  const retention = q.retentionPeriod ?? Duration.days(4);
  const dlqRetention = q.deadLetterRetentionPeriod ?? Duration.days(14);
  checkNumber(where, 'queueOptions.retentionPeriod (seconds)', seconds(retention), { min: 60, max: 1_209_600, integer: true });
  checkNumber(where, 'queueOptions.deadLetterRetentionPeriod (seconds)', seconds(dlqRetention), { min: 60, max: 1_209_600, integer: true });
  if (seconds(dlqRetention) <= seconds(retention)) {
    invalidProp(where, 'queueOptions.deadLetterRetentionPeriod', `${dlqRetention.toDays({ integral: false })} days`,
      `It must be longer than the queue's retention (${retention.toDays({ integral: false })} days): messages keep their original age in the dead-letter queue and would expire on arrival.`);
  }
  checkNumber(where, 'queueOptions.maxReceiveCount', q.maxReceiveCount, { min: 1, max: 1000, integer: true });
  if (q.contentBasedDeduplication && !q.fifo) {
    invalidProp(where, 'queueOptions.contentBasedDeduplication', true, 'Deduplication is a FIFO feature: set fifo: true, or remove contentBasedDeduplication.');
  }
  const s = props.queueScaling;
  if (s) {
    checkNumber(where, 'queueScaling.minTasks', s.minTasks, { min: 0, max: 5000, integer: true });
    checkNumber(where, 'queueScaling.maxTasks', s.maxTasks, { min: 1, max: 5000, integer: true });
    if (isConcrete(s.minTasks) && isConcrete(s.maxTasks) && s.minTasks > s.maxTasks) {
      invalidProp(where, 'queueScaling.minTasks', s.minTasks, `minTasks must not exceed maxTasks (${s.maxTasks}).`);
    }
    if ((s.messagesPerTask === undefined) === (s.acceptableLatency === undefined)) {
      invalidProp(where, 'queueScaling', s, 'State the target once: messagesPerTask (backlog per task) or acceptableLatency (with expectedProcessingTime).');
    }
    checkNumber(where, 'queueScaling.messagesPerTask', s.messagesPerTask, { min: 1, max: 1_000_000, integer: true });
    if (s.acceptableLatency && s.acceptableLatency.toSeconds({ integral: false }) < processingSeconds) {
      invalidProp(where, 'queueScaling.acceptableLatency', `${s.acceptableLatency.toSeconds({ integral: false })} s`,
        `No backlog can meet a latency below the processing time of one message (${processingSeconds} s); raise acceptableLatency or lower expectedProcessingTime.`);
    }
    checkNumber(where, 'queueScaling.cpuPercent', s.cpuPercent, { min: 1, max: 100 });
    if (props.desiredCount !== undefined) {
      invalidProp(where, 'desiredCount', props.desiredCount, 'With queueScaling the task count follows the backlog; remove desiredCount.');
    }
    if (props.cluster.containerInsights === ecs.ContainerInsights.DISABLED) {
      invalidProp(where, 'queueScaling', s, "Backlog per task divides by Container Insights' RunningTaskCount; enable Container Insights on the cluster.");
    }
  }
  if (props.queueUrlVariable !== undefined && !/^[A-Za-z_][A-Za-z0-9_]*$/.test(props.queueUrlVariable)) {
    invalidProp(where, 'queueUrlVariable', props.queueUrlVariable, 'Use an environment variable name: letters, digits and underscores.');
  }
  return {
    queueUrlVariable: props.queueUrlVariable ?? 'QUEUE_URL',
    processingSeconds,
    queue: props.queue ? undefined : {
      visibilityTimeout: visibility,
      retentionPeriod: retention,
      deadLetterRetentionPeriod: dlqRetention,
      maxReceiveCount: q.maxReceiveCount ?? 5,
      fifo: q.fifo ?? false,
      contentBasedDeduplication: q.contentBasedDeduplication,
    },
    queueScaling: s ? {
      minTasks: s.minTasks ?? 1,
      maxTasks: s.maxTasks,
      messagesPerTask: s.messagesPerTask ?? Math.max(1, Math.floor(s.acceptableLatency!.toSeconds({ integral: false }) / processingSeconds)),
      cpuPercent: s.cpuPercent,
    } : undefined,
  };
}
