import { Duration, Stack } from 'aws-cdk-lib';
import * as appscaling from 'aws-cdk-lib/aws-applicationautoscaling';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { FoundryServiceBase } from './service-base';
import { ServiceFrontEnd } from './service-options';
import { ResolvedWorkerQueue, resolveWorker, WorkerServiceProps } from './worker-service-options';
import type { FoundryCluster } from '../cluster/foundry-cluster';
import { acknowledgeDeadLetterQueue } from '../compliance/acknowledgements';
import { EcsServiceMetrics } from '../private/ecs-metrics';

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
    const worker = resolveWorker(scope, id, props);
    // The queue must exist before the workload (its URL is an environment variable), so it is a sibling construct.
    const queues = worker.queue ? createQueues(scope, id, props.cluster, worker.queue) : { queue: props.queue! };
    super(scope, id, {
      ...props,
      desiredCount: worker.queueScaling ? undefined : props.desiredCount,
      environment: { ...props.environment, [worker.queueUrlVariable]: queues.queue.queueUrl },
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

    const scaling = worker.queueScaling;
    if (scaling) {
      const perTask = scaling.messagesPerTask;
      this.messagesPerTask = perTask;
      const minTasks = scaling.minTasks;
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
          // Scaling & observability (issue 12): with highResolutionMetrics, the 20-second CPU metric (not in aws-cdk-lib
          // 2.271's enum yet, https://docs.aws.amazon.com/AmazonECS/latest/developerguide/target-tracking-faster-auto-scaling.html).
          predefinedMetric: this._observability.highResolutionMetrics
            ? 'ECSServiceAverageCPUUtilizationHighResolution' as appscaling.PredefinedMetric
            : appscaling.PredefinedMetric.ECS_SERVICE_AVERAGE_CPU_UTILIZATION,
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


interface WorkerQueues {
  readonly queue: sqs.Queue;
  readonly deadLetterQueue: sqs.Queue;
}

function createQueues(scope: Construct, id: string, cluster: FoundryCluster, q: ResolvedWorkerQueue): WorkerQueues {
  const key = cluster.encryptionKey;
  const fifo = q.fifo;
  // Stateful: construct IDs '<id>DeadLetterQueue' and '<id>Queue' never change.
  // The queues follow the removal policy of the cluster and its KMS key: a queue kept after the key that encrypts
  // its messages is deleted can no longer be read.
  const deadLetterQueue = new sqs.Queue(scope, `${id}DeadLetterQueue`, {
    encryption: sqs.QueueEncryption.KMS,
    encryptionMasterKey: key,
    enforceSSL: true,
    retentionPeriod: q.deadLetterRetentionPeriod,
    fifo: fifo || undefined,
    removalPolicy: cluster.removalPolicy,
  });
  acknowledgeDeadLetterQueue(deadLetterQueue);
  const queue = new sqs.Queue(scope, `${id}Queue`, {
    encryption: sqs.QueueEncryption.KMS,
    encryptionMasterKey: key,
    enforceSSL: true,
    visibilityTimeout: q.visibilityTimeout,
    retentionPeriod: q.retentionPeriod,
    deadLetterQueue: { queue: deadLetterQueue, maxReceiveCount: q.maxReceiveCount },
    fifo: fifo || undefined,
    contentBasedDeduplication: q.contentBasedDeduplication,
    removalPolicy: cluster.removalPolicy,
  });
  return { queue, deadLetterQueue };
}
