import { Duration, Stack } from 'aws-cdk-lib';
import * as appscaling from 'aws-cdk-lib/aws-applicationautoscaling';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { FoundryServiceBase } from './service-base';
import { ServiceFrontEnd, ServiceOptions } from './service-options';
import type { FoundryCluster } from '../cluster/foundry-cluster';
import { EcsServiceMetrics } from '../private/ecs-metrics';
import { checkNumber, invalidProp, isConcrete } from '../private/validation';

/**
 * Visible messages per running task; at zero tasks, the visible messages themselves. Both operands are filled with 0:
 * SQS stops publishing for an idle queue and Container Insights publishes nothing for a service at zero tasks, and
 * a target tracking policy without data never scales in (https://docs.aws.amazon.com/autoscaling/application/userguide/application-auto-scaling-target-tracking.html).
 */
const BACKLOG_PER_TASK = 'FILL(visible, 0) / IF(FILL(tasks, 0) > 0, FILL(tasks, 0), 1)';

/**
 * 1 while messages wait and the service is asleep (no task desired or running; missing data counts as 0), else 0.
 * FILL makes every operand exist in every minute, so the expression has a point whichever way CloudWatch aligns
 * series (https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/using-metric-math.html).
 */
const ASLEEP_WITH_MESSAGES = 'IF(FILL(visible, 0) > 0 AND FILL(running, 0) == 0 AND FILL(desired, 0) == 0, 1, 0)';

/**
 * The ECS Application Auto Scaling service-linked role, as aws-cdk-lib's `autoScaleTaskCount()` uses it. Naming it
 * in the template lets Application Auto Scaling create it when missing ("To automatically create a service-linked
 * role (recommended), specify the full ARN of the service-linked role in your stack template":
 * https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-applicationautoscaling-scalabletarget.html,
 * https://docs.aws.amazon.com/autoscaling/application/userguide/application-auto-scaling-service-linked-roles.html).
 */
function ecsScalingServiceLinkedRole(scope: Construct): iam.IRole {
  return iam.Role.fromRoleArn(scope, 'ScalingRole', Stack.of(scope).formatArn({
    region: '',
    service: 'iam',
    resource: 'role/aws-service-role/ecs.application-autoscaling.amazonaws.com',
    resourceName: 'AWSServiceRoleForApplicationAutoScaling_ECSService',
  }));
}

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
   * A FIFO queue (exactly-once processing, ordered per message group); its dead-letter queue is FIFO too.
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
   * Fewest tasks. 0 lets the service scale to zero; a step policy starts one task when messages wait while no task
   * runs, and backlog scaling takes over from there.
   *
   * @default 1
   */
  readonly minTasks?: number;

  /** Most tasks. */
  readonly maxTasks: number;

  /**
   * Target backlog: visible messages per running task. Give this or `acceptableLatency`.
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
   * Also add tasks when average CPU exceeds this percentage. It only scales out, so it never fights the queue
   * policy over scale-in (aws-cdk issue #20706).
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

/**
 * A worker that consumes an SQS queue: the queue (KMS-encrypted, TLS-only, with a dead-letter queue) or yours,
 * consume rights on that queue only in the task role, the queue URL in the environment, and scaling on the
 * backlog per task computed by CloudWatch metric math — with optional scale to zero.
 *
 * @example
 * new WorkerService(stack, 'Thumbnails', {
 *   cluster,
 *   image: ecs.ContainerImage.fromRegistry('public.ecr.aws/docker/library/python:3.13-slim'),
 *   expectedProcessingTime: Duration.seconds(20),
 *   queueScaling: { minTasks: 0, maxTasks: 50, acceptableLatency: Duration.minutes(5) },
 * });
 */
export class WorkerService extends FoundryServiceBase {
  /** The queue the worker consumes. */
  public readonly queue: sqs.IQueue;
  /** The dead-letter queue (when the worker created the queue). */
  public readonly deadLetterQueue?: sqs.Queue;
  /** The backlog-per-task metric (visible messages ÷ running tasks) the worker scales on. */
  public readonly backlogPerTaskMetric: cloudwatch.MathExpression;
  /** The scalable target, when the worker scales on its queue. */
  public readonly scalableTarget?: appscaling.ScalableTarget;
  /** Target backlog per task, when the worker scales on its queue. */
  public readonly messagesPerTask?: number;

  constructor(scope: Construct, id: string, props: WorkerServiceProps) {
    const variable = props?.queueUrlVariable ?? 'QUEUE_URL';
    // The queue must exist before the workload (its URL is an environment variable), so it is a sibling construct.
    const early = validateWorkerEarly(scope, id, props);
    const queues = props.queue ? { queue: props.queue } : createQueues(scope, id, props, early.visibilityTimeout);
    super(scope, id, {
      ...props,
      desiredCount: props.queueScaling ? undefined : props.desiredCount,
      environment: { ...props.environment, [variable]: queues.queue.queueUrl },
      // A worker answers no requests: nothing of a request service reaches its base, even from untyped callers.
      port: undefined,
      healthCheckGracePeriod: undefined,
      scaling: undefined,
      frontEnd: ServiceFrontEnd.NONE,
    });
    if (queues !== undefined && 'deadLetterQueue' in queues) {
      this.deadLetterQueue = queues.deadLetterQueue;
    }
    this.queue = queues.queue;
    this.queue.grantConsumeMessages(this.workload.taskRole);
    // Tasks in isolated subnets (a cluster without NAT) reach SQS only through its interface endpoint.
    props.cluster._requireInterfaceEndpoint('sqs', this);

    const visible = this.queue.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(1), statistic: 'Maximum' });
    const ecsMetrics = new EcsServiceMetrics(this.cluster.ecsCluster.clusterName, this.ecsService.serviceName);
    const running = ecsMetrics.metricRunningTaskCount();
    this.backlogPerTaskMetric = new cloudwatch.MathExpression({
      expression: BACKLOG_PER_TASK,
      usingMetrics: { visible, tasks: running },
      label: 'Backlog per task',
      period: Duration.minutes(1),
    });

    this._enableOperations({ queue: this.queue, deadLetterQueue: this.deadLetterQueue });

    const scaling = props.queueScaling;
    if (scaling) {
      const perTask = scaling.messagesPerTask
        ?? Math.max(1, Math.floor(scaling.acceptableLatency!.toSeconds({ integral: false }) / early.processingSeconds));
      this.messagesPerTask = perTask;
      const minTasks = scaling.minTasks ?? 1;
      this._setBaselineTaskCount(minTasks);
      this.scalableTarget = new appscaling.ScalableTarget(this, 'ScalableTarget', {
        serviceNamespace: appscaling.ServiceNamespace.ECS,
        resourceId: `service/${this.cluster.ecsCluster.clusterName}/${this.ecsService.serviceName}`,
        scalableDimension: 'ecs:service:DesiredCount',
        minCapacity: minTasks,
        maxCapacity: scaling.maxTasks,
        role: ecsScalingServiceLinkedRole(this),
      });
      (this.ecsService.node.defaultChild as ecs.CfnService).addPropertyDeletionOverride('DesiredCount');
      const queueMetric = (metricId: string, metricName: string) => ({
        id: metricId,
        returnData: false,
        metricStat: { stat: 'Maximum', metric: { namespace: 'AWS/SQS', metricName, dimensions: [{ name: 'QueueName', value: this.queue.queueName }] } },
      });
      // Target tracking on metric math (no Lambda): keep visible messages per running task at the target.
      new appscaling.CfnScalingPolicy(this, 'BacklogPerTaskScaling', {
        policyName: `${Stack.of(this).stackName}-${id}-backlog`.slice(0, 255),
        policyType: 'TargetTrackingScaling',
        scalingTargetId: this.scalableTarget.scalableTargetId,
        targetTrackingScalingPolicyConfiguration: {
          targetValue: perTask,
          scaleInCooldown: 300,
          scaleOutCooldown: 60,
          customizedMetricSpecification: {
            metrics: [
              queueMetric('visible', 'ApproximateNumberOfMessagesVisible'),
              { id: 'tasks', returnData: false, metricStat: { stat: 'Average', metric: ecsMetrics.runningTaskCountSpec() } },
              { id: 'backlogPerTask', label: 'Backlog per task', returnData: true, expression: BACKLOG_PER_TASK },
            ],
          },
        },
      });
      if (minTasks === 0) {
        this.addWakeUp(id, visible, ecsMetrics);
      }
      if (scaling.cpuPercent !== undefined) {
        this.scalableTarget.scaleToTrackMetric('CpuScaleOutOnly', {
          targetValue: scaling.cpuPercent,
          predefinedMetric: appscaling.PredefinedMetric.ECS_SERVICE_AVERAGE_CPU_UTILIZATION,
          disableScaleIn: true,
        });
      }
    }
  }

  /**
   * From zero, target tracking has no capacity to multiply: this step policy sets the count to exactly one task when
   * messages wait and no task is desired or running. Its alarm turns OK as soon as a task is desired, so it never
   * adds a second task (a `visible >= 1` alarm stays in ALARM under any trickle and, re-run every minute, would step
   * up to maxTasks: "the alarm continues to invoke the action for every period that the alarm remains in the new
   * state", https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/AlarmThatSendsEmail.html).
   */
  private addWakeUp(id: string, visible: cloudwatch.IMetric, ecsMetrics: EcsServiceMetrics): void {
    const policy = new appscaling.CfnScalingPolicy(this, 'WakeUp', {
      policyName: `${Stack.of(this).stackName}-${id}-wake-up`.slice(0, 255),
      policyType: 'StepScaling',
      scalingTargetId: this.scalableTarget!.scalableTargetId,
      stepScalingPolicyConfiguration: {
        adjustmentType: 'ExactCapacity',
        cooldown: 60,
        metricAggregationType: 'Maximum',
        stepAdjustments: [{ metricIntervalLowerBound: 0, scalingAdjustment: 1 }],
      },
    });
    const alarm = new cloudwatch.Alarm(this, 'WakeUpAlarm', {
      alarmDescription: `${this.node.path}: messages wait while no task runs; start one task`,
      metric: new cloudwatch.MathExpression({
        expression: ASLEEP_WITH_MESSAGES,
        usingMetrics: { visible, running: ecsMetrics.metricRunningTaskCount(), desired: ecsMetrics.metricDesiredTaskCount() },
        period: Duration.minutes(1),
        label: 'Asleep with messages waiting',
      }),
      threshold: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    alarm.addAlarmAction({ bind: () => ({ alarmActionArn: policy.ref }) });
  }
}

/** The longest visibility timeout SQS allows: 12 hours. */
const MAX_VISIBILITY_SECONDS = 43_200;

/** A duration in seconds, fractions kept (aws-cdk-lib's `toSeconds()` throws on milliseconds). */
function seconds(duration: Duration): number {
  return duration.toSeconds({ integral: false });
}

interface EarlyChecks {
  readonly processingSeconds: number;
  readonly visibilityTimeout: Duration;
}

function validateWorkerEarly(scope: Construct, id: string, props: WorkerServiceProps): EarlyChecks {
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
  return { processingSeconds, visibilityTimeout: visibility };
}

interface WorkerQueues {
  readonly queue: sqs.Queue;
  readonly deadLetterQueue: sqs.Queue;
}

function createQueues(scope: Construct, id: string, props: WorkerServiceProps, visibilityTimeout: Duration): WorkerQueues {
  const q = props.queueOptions ?? {};
  const key = props.cluster.encryptionKey;
  const fifo = q.fifo ?? false;
  // Stateful: construct IDs '<id>DeadLetterQueue' and '<id>Queue' never change.
  // The queues follow the removal policy of the cluster and its KMS key: a queue kept after the key that encrypts
  // its messages is deleted can no longer be read.
  const deadLetterQueue = new sqs.Queue(scope, `${id}DeadLetterQueue`, {
    encryption: sqs.QueueEncryption.KMS,
    encryptionMasterKey: key,
    enforceSSL: true,
    retentionPeriod: q.deadLetterRetentionPeriod ?? Duration.days(14),
    fifo: fifo || undefined,
    removalPolicy: props.cluster.removalPolicy,
  });
  const queue = new sqs.Queue(scope, `${id}Queue`, {
    encryption: sqs.QueueEncryption.KMS,
    encryptionMasterKey: key,
    enforceSSL: true,
    visibilityTimeout,
    retentionPeriod: q.retentionPeriod ?? Duration.days(4),
    deadLetterQueue: { queue: deadLetterQueue, maxReceiveCount: q.maxReceiveCount ?? 5 },
    fifo: fifo || undefined,
    contentBasedDeduplication: q.contentBasedDeduplication,
    removalPolicy: props.cluster.removalPolicy,
  });
  return { queue, deadLetterQueue };
}
