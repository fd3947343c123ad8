import { Duration, Lazy, Names, Stack, TimeZone } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct, IConstruct } from 'constructs';
import { taskSubnets } from './service-base';
import { Capacity } from '../cluster/capacity';
import type { FoundryCluster } from '../cluster/foundry-cluster';
import { acknowledgeSchedulerDeadLetterQueue } from '../compliance/acknowledgements';
import { ManagedPolicyRole } from '../private/managed-policy-role';
import { OnDemandRole } from '../private/on-demand-role';
import { checkNumber, invalidProp } from '../private/validation';
import { Schedule } from '../scaling/schedule';
import { FoundryTaskDefinition } from '../workload/task-definition';
import { WorkloadOptions } from '../workload/workload-options';

/**
 * Properties of a `ScheduledTask`.
 */
export interface ScheduledTaskProps extends WorkloadOptions {
  /** The cluster. */
  readonly cluster: FoundryCluster;

  /** When to run: `Schedule.cron()`, `Schedule.rate()`, `Schedule.at()` or `Schedule.atLocalTime()`. */
  readonly schedule: Schedule;

  /**
   * Time zone of `cron()` and `atLocalTime()` schedules.
   *
   * Not of `at()`, whose instant is written in UTC, nor of `rate()`, which has no time of day.
   *
   * @default - UTC
   */
  readonly timeZone?: TimeZone;

  /**
   * Let the scheduler start the task anywhere in this window after the scheduled time (spreads load).
   *
   * @default - exactly on time
   */
  readonly flexibleWindow?: Duration;

  /**
   * Where the task runs, as a capacity provider strategy (which aws-ecs-patterns' scheduled tasks lack).
   *
   * @default - the cluster's default capacity
   */
  readonly capacity?: Capacity;

  /**
   * Number of tasks started each time (1-10).
   *
   * @default 1
   */
  readonly taskCount?: number;

  /**
   * Retries when the scheduler cannot start the task (0-185).
   *
   * @default 3
   */
  readonly maxRetries?: number;

  /**
   * How long the scheduler keeps retrying (1 minute to 24 hours).
   *
   * @default Duration.hours(1)
   */
  readonly maxEventAge?: Duration;

  /**
   * Queue for invocations that failed after every retry.
   *
   * @default - a new KMS-encrypted, TLS-only queue kept 14 days
   */
  readonly deadLetterQueue?: sqs.IQueue;

  /**
   * Whether the schedule is on.
   *
   * @default true
   */
  readonly enabled?: boolean;
}

/**
 * Runs a workload on a schedule with EventBridge Scheduler: cron, rate or one time, time zone, flexible window,
 * retries, a dead-letter queue for invocations that fail, and a capacity provider strategy (Fargate, Spot, EC2, ECS Managed
 * Instances).
 * The scheduler's role may run only this task definition and pass only its two roles.
 *
 * @example
 * new ScheduledTask(stack, 'Nightly', {
 *   cluster,
 *   image: ecs.ContainerImage.fromRegistry('public.ecr.aws/docker/library/busybox:stable'),
 *   command: ['sh', '-c', 'echo nightly'],
 *   schedule: Schedule.cron('0 3 * * ? *'),
 *   timeZone: TimeZone.EUROPE_BERLIN,
 *   capacity: Capacity.spot(),
 * });
 */
export class ScheduledTask extends Construct {
  /** The workload's task definition construct, with its roles, log group and security group. */
  public readonly workload: FoundryTaskDefinition;
  /** The EventBridge Scheduler schedule resource (the `schedule` prop is the `Schedule` it runs on). */
  public readonly cfnSchedule: scheduler.CfnSchedule;
  /** The role the scheduler assumes. */
  public readonly schedulerRole: iam.IRole;
  /** Where failed invocations go. */
  public readonly deadLetterQueue: sqs.IQueue;
  /** Where the task runs: the `capacity` prop, or the cluster's default capacity. */
  public readonly capacity: Capacity;

  constructor(scope: Construct, id: string, props: ScheduledTaskProps) {
    super(scope, id);
    const options = resolveScheduledTask(this, props);
    const cluster = props.cluster;
    // The task definition resolves the capacity (the prop, or the cluster's default) once; the schedule uses that.
    this.workload = new FoundryTaskDefinition(this, 'Task', props);
    this.capacity = this.workload.capacity;
    const taskDefinition = this.workload.taskDefinition;

    this.deadLetterQueue = props.deadLetterQueue ?? new sqs.Queue(this, 'DeadLetterQueue', {
      encryption: sqs.QueueEncryption.KMS,
      encryptionMasterKey: cluster.encryptionKey,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
      // Encrypted with the cluster's key: the queue follows the key's removal policy, never outliving it unreadable.
      removalPolicy: cluster.removalPolicy,
    });

    const stack = Stack.of(this);
    const scheduleName = Names.uniqueResourceName(this, { maxLength: 64, separator: '-' });
    // The task role exists only if the application was granted something; pass it only then.
    const taskRole = this.workload.taskRole;
    const executionRoleArn = this.workload.executionRole.roleArn;
    const passableRoles = taskRole instanceof OnDemandRole
      ? Lazy.list({ produce: () => (taskRole.created ? [executionRoleArn, taskRole.role().roleArn] : [executionRoleArn]) })
      : [executionRoleArn, taskRole.roleArn];
    const role = new ManagedPolicyRole(this, 'SchedulerRole', {
      assumedBy: new iam.ServicePrincipal('scheduler.amazonaws.com', {
        conditions: {
          StringEquals: { 'aws:SourceAccount': stack.account },
          // Scheduler sends its schedule group's ARN, never the schedule's own: AWS says not to scope aws:SourceArn
          // to a schedule or a name prefix (a condition on the schedule ARN never matches, so the task never runs).
          // https://docs.aws.amazon.com/scheduler/latest/UserGuide/cross-service-confused-deputy-prevention.html
          ArnEquals: { 'aws:SourceArn': `arn:${stack.partition}:scheduler:${stack.region}:${stack.account}:schedule-group/default` },
        },
      }),
      description: `Lets EventBridge Scheduler run ${this.node.path}`,
    });
    role.addToPrincipalPolicy(new iam.PolicyStatement({
      sid: 'RunThisTaskDefinition',
      actions: ['ecs:RunTask'],
      resources: [taskDefinition.taskDefinitionArn],
      conditions: { ArnEquals: { 'ecs:cluster': cluster.ecsCluster.clusterArn } },
    }));
    role.addToPrincipalPolicy(new iam.PolicyStatement({
      sid: 'PassOnlyTheTaskRoles',
      actions: ['iam:PassRole'],
      resources: passableRoles,
      conditions: { StringLike: { 'iam:PassedToService': 'ecs-tasks.amazonaws.com' } },
    }));
    if (props.deadLetterQueue) {
      props.deadLetterQueue.grantSendMessages(role);
    } else {
      // Exactly what SendMessage to a KMS-encrypted queue needs (grantSendMessages would add wildcard KMS actions).
      role.addToPrincipalPolicy(new iam.PolicyStatement({
        sid: 'SendFailedInvocations', actions: ['sqs:SendMessage'], resources: [this.deadLetterQueue.queueArn],
      }));
      role.addToPrincipalPolicy(new iam.PolicyStatement({
        sid: 'EncryptFailedInvocations', actions: ['kms:GenerateDataKey', 'kms:Decrypt'], resources: [cluster.encryptionKey.keyArn],
      }));
      acknowledgeSchedulerDeadLetterQueue(this.deadLetterQueue);
    }
    this.schedulerRole = role;

    this.cfnSchedule = new scheduler.CfnSchedule(this, 'Schedule', {
      name: scheduleName,
      description: `Runs ${this.node.path}`,
      scheduleExpression: options.schedule.expression,
      scheduleExpressionTimezone: options.schedule.timeZone,
      flexibleTimeWindow: options.flexibleWindowMinutes !== undefined
        ? { mode: 'FLEXIBLE', maximumWindowInMinutes: options.flexibleWindowMinutes }
        : { mode: 'OFF' },
      state: options.enabled ? 'ENABLED' : 'DISABLED',
      target: {
        arn: cluster.ecsCluster.clusterArn,
        roleArn: role.roleArn,
        deadLetterConfig: { arn: this.deadLetterQueue.queueArn },
        retryPolicy: {
          maximumRetryAttempts: options.maxRetries,
          maximumEventAgeInSeconds: options.maxEventAgeSeconds,
        },
        ecsParameters: {
          taskDefinitionArn: taskDefinition.taskDefinitionArn,
          taskCount: options.taskCount,
          capacityProviderStrategy: this.capacity.strategies(cluster)
            .map(s => ({ capacityProvider: s.capacityProvider, base: s.base, weight: s.weight })),
          networkConfiguration: {
            awsvpcConfiguration: {
              subnets: cluster.vpc.selectSubnets(taskSubnets(cluster.vpc)).subnetIds,
              securityGroups: [this.workload.securityGroup.securityGroupId],
              assignPublicIp: 'DISABLED',
            },
          },
        },
      },
    });
  }
}

/** A scheduled task's props, defaulted and validated once. */
interface ResolvedScheduledTask {
  /** The expression and time zone, validated for EventBridge Scheduler. */
  readonly schedule: { readonly expression: string; readonly timeZone?: string };
  readonly flexibleWindowMinutes?: number;
  readonly taskCount: number;
  readonly maxRetries: number;
  readonly maxEventAgeSeconds: number;
  readonly enabled: boolean;
}

/** Validate a scheduled task's props and fill in their defaults. */
function resolveScheduledTask(scope: IConstruct, props: ScheduledTaskProps): ResolvedScheduledTask {
  if (!props || !props.cluster) {
    invalidProp(scope, 'cluster', props?.cluster, 'Pass the FoundryCluster the task runs in.');
  }
  if (!props.schedule || !(props.schedule instanceof Schedule)) {
    invalidProp(scope, 'schedule', props.schedule, "Use Schedule.cron('0 3 * * ? *'), Schedule.rate(Duration.hours(1)) or Schedule.at(new Date(...)).");
  }
  // Target and retry limits of EventBridge Scheduler (https://docs.aws.amazon.com/scheduler/latest/APIReference/API_EcsParameters.html,
  // https://docs.aws.amazon.com/scheduler/latest/APIReference/API_RetryPolicy.html,
  // https://docs.aws.amazon.com/scheduler/latest/APIReference/API_FlexibleTimeWindow.html).
  checkNumber(scope, 'taskCount', props.taskCount, { min: 1, max: 10, integer: true });
  checkNumber(scope, 'maxRetries', props.maxRetries, { min: 0, max: 185, integer: true });
  checkNumber(scope, 'maxEventAge (seconds)', props.maxEventAge?.toSeconds({ integral: false }), { min: 60, max: 86_400, integer: true });
  checkNumber(scope, 'flexibleWindow (minutes)', props.flexibleWindow?.toMinutes({ integral: false }), { min: 1, max: 1440, integer: true });
  return {
    schedule: props.schedule._render(scope, props.timeZone),
    flexibleWindowMinutes: props.flexibleWindow?.toMinutes(),
    taskCount: props.taskCount ?? 1,
    maxRetries: props.maxRetries ?? 3,
    maxEventAgeSeconds: (props.maxEventAge ?? Duration.hours(1)).toSeconds(),
    enabled: props.enabled ?? true,
  };
}
