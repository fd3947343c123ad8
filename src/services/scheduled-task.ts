import { Duration, Lazy, Names, RemovalPolicy, Stack, TimeZone } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { taskSubnets } from './service-base';
import { Capacity } from '../cluster/capacity';
import type { FoundryCluster } from '../cluster/foundry-cluster';
import { acknowledgeSchedulerDeadLetterQueue } from '../compliance/acknowledgements';
import { ManagedPolicyRole } from '../private/managed-policy-role';
import { OnDemandRole } from '../private/on-demand-role';
import { checkNumber, invalidProp } from '../private/validation';
import { FoundryTaskDefinition, WorkloadOptions } from '../workload/task-definition';

/**
 * When a scheduled task runs: a cron or rate expression, or one time.
 */
export class TaskSchedule {
  /**
   * A cron expression of EventBridge Scheduler: `minutes hours day-of-month month day-of-week year`, one of the
   * two day fields '?'. Example: `TaskSchedule.cron('0 3 * * ? *')` runs at 03:00 every day.
   */
  public static cron(expression: string): TaskSchedule {
    return new TaskSchedule(`cron(${expression})`, 'cron', expression);
  }

  /** Every `interval` (whole minutes, hours or days). */
  public static rate(interval: Duration): TaskSchedule {
    const minutes = interval.toMinutes({ integral: false });
    if (!Number.isInteger(minutes) || minutes < 1) {
      invalidProp('TaskSchedule.rate()', 'interval', interval.toHumanString(), 'Use whole minutes, hours or days, at least 1 minute.');
    }
    const [value, unit] = minutes % 1440 === 0 ? [minutes / 1440, 'day'] : minutes % 60 === 0 ? [minutes / 60, 'hour'] : [minutes, 'minute'];
    return new TaskSchedule(`rate(${value} ${unit}${value === 1 ? '' : 's'})`, 'rate', String(minutes));
  }

  /** Once, at this date and time (in the schedule's time zone). */
  public static at(date: Date): TaskSchedule {
    if (!(date instanceof Date) || Number.isNaN(date.getTime())) {
      invalidProp('TaskSchedule.at()', 'date', String(date), 'Pass a valid Date.');
    }
    const iso = date.toISOString().slice(0, 19);
    return new TaskSchedule(`at(${iso})`, 'at', iso);
  }

  /** The expression EventBridge Scheduler receives. */
  public readonly expressionString: string;
  private readonly kind: 'cron' | 'rate' | 'at';

  private constructor(expression: string, kind: 'cron' | 'rate' | 'at', body: string) {
    this.expressionString = expression;
    this.kind = kind;
    if (kind === 'cron') {
      validateCron(body);
    }
  }

  /** Whether the schedule fires once only. */
  public get oneTime(): boolean {
    return this.kind === 'at';
  }
}

const CRON_FIELD: Array<[string, RegExp]> = [
  ['minutes', /^(\*|([0-5]?\d)([-,/][0-5]?\d)*|\*\/\d+)$/],
  ['hours', /^(\*|(1?\d|2[0-3])([-,/](1?\d|2[0-3]))*|\*\/\d+)$/],
  ['day-of-month', /^(\*|\?|L|W|([1-9]|[12]\d|3[01])W?([-,/]([1-9]|[12]\d|3[01]))*|\*\/\d+)$/],
  ['month', /^(\*|([1-9]|1[0-2]|JAN|FEB|MAR|APR|MAY|JUN|JUL|AUG|SEP|OCT|NOV|DEC)([-,/]([1-9]|1[0-2]|JAN|FEB|MAR|APR|MAY|JUN|JUL|AUG|SEP|OCT|NOV|DEC))*|\*\/\d+)$/i],
  ['day-of-week', /^(\*|\?|L|([1-7]|SUN|MON|TUE|WED|THU|FRI|SAT)(#[1-5]|L)?([-,]([1-7]|SUN|MON|TUE|WED|THU|FRI|SAT))*|\*\/\d+)$/i],
  ['year', /^(\*|(19[7-9]\d|2[01]\d\d)([-,/](19[7-9]\d|2[01]\d\d))*|\*\/\d+)$/],
];

function validateCron(body: string): void {
  const where = 'TaskSchedule.cron()';
  const fields = body.trim().split(/\s+/);
  if (fields.length !== 6) {
    invalidProp(where, 'expression', body,
      `EventBridge Scheduler cron has 6 fields (minutes hours day-of-month month day-of-week year), this has ${fields.length}. Example: '0 3 * * ? *' for 03:00 daily.`);
  }
  fields.forEach((field, i) => {
    const [name, pattern] = CRON_FIELD[i];
    if (!pattern.test(field)) {
      invalidProp(where, `expression (${name})`, field, `'${field}' is not a valid ${name} field in '${body}'.`);
    }
  });
  if ((fields[2] === '?') === (fields[4] === '?')) {
    invalidProp(where, 'expression', body, "Exactly one of day-of-month and day-of-week must be '?', e.g. '0 3 * * ? *' or '0 3 ? * MON-FRI *'.");
  }
}

/**
 * Properties of a `ScheduledTask`.
 */
export interface ScheduledTaskProps extends WorkloadOptions {
  /** The cluster. */
  readonly cluster: FoundryCluster;

  /** When to run. */
  readonly schedule: TaskSchedule;

  /**
   * Time zone of cron and one-time schedules.
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
   * Where the task runs: a capacity provider strategy, which aws-ecs-patterns' scheduled tasks lack.
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
 * retries, a dead-letter queue for invocations that fail, and a capacity provider strategy (Fargate, Spot, EC2).
 * The scheduler's role may run only this task definition and pass only its two roles.
 *
 * @example
 * new ScheduledTask(stack, 'Nightly', {
 *   cluster,
 *   image: ecs.ContainerImage.fromRegistry('public.ecr.aws/docker/library/busybox:stable'),
 *   command: ['sh', '-c', 'echo nightly'],
 *   schedule: TaskSchedule.cron('0 3 * * ? *'),
 *   timeZone: TimeZone.EUROPE_BERLIN,
 *   capacity: Capacity.spot(),
 * });
 */
export class ScheduledTask extends Construct {
  /** The workload's task definition. */
  public readonly workload: FoundryTaskDefinition;
  /** The EventBridge Scheduler schedule. */
  public readonly schedule: scheduler.CfnSchedule;
  /** The role the scheduler assumes. */
  public readonly schedulerRole: iam.IRole;
  /** Where failed invocations go. */
  public readonly deadLetterQueue: sqs.IQueue;
  /** Where the task runs. */
  public readonly capacity: Capacity;

  constructor(scope: Construct, id: string, props: ScheduledTaskProps) {
    super(scope, id);
    if (!props || !props.cluster) {
      invalidProp(this, 'cluster', props?.cluster, 'Pass the FoundryCluster the task runs in.');
    }
    if (!props.schedule || !(props.schedule instanceof TaskSchedule)) {
      invalidProp(this, 'schedule', props.schedule, "Use TaskSchedule.cron('0 3 * * ? *'), TaskSchedule.rate(Duration.hours(1)) or TaskSchedule.at(new Date(...)).");
    }
    checkNumber(this, 'taskCount', props.taskCount, { min: 1, max: 10, integer: true });
    checkNumber(this, 'maxRetries', props.maxRetries, { min: 0, max: 185, integer: true });
    checkNumber(this, 'maxEventAge (seconds)', props.maxEventAge?.toSeconds(), { min: 60, max: 86_400, integer: true });
    checkNumber(this, 'flexibleWindow (minutes)', props.flexibleWindow?.toMinutes({ integral: false }), { min: 1, max: 1440, integer: true });
    if (props.timeZone && props.schedule.expressionString.startsWith('rate(')) {
      invalidProp(this, 'timeZone', props.timeZone.timezoneName, 'A rate schedule has no time of day; remove timeZone or use a cron schedule.');
    }

    const cluster = props.cluster;
    this.capacity = props.capacity ?? cluster.defaultCapacity;
    this.workload = new FoundryTaskDefinition(this, 'Task', { ...props, capacity: this.capacity });
    const taskDefinition = this.workload.taskDefinition;

    this.deadLetterQueue = props.deadLetterQueue ?? new sqs.Queue(this, 'DeadLetterQueue', {
      encryption: sqs.QueueEncryption.KMS,
      encryptionMasterKey: cluster.encryptionKey,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
      removalPolicy: RemovalPolicy.RETAIN,
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
          ArnLike: { 'aws:SourceArn': `arn:${stack.partition}:scheduler:${stack.region}:${stack.account}:schedule/default/${scheduleName}` },
        },
      }),
      description: `Lets EventBridge Scheduler run ${this.node.path}`,
    });
    role.addToPrincipalPolicy(new iam.PolicyStatement({
      sid: 'RunThisTaskDefinition',
      actions: ['ecs:RunTask'],
      resources: [taskDefinition.taskDefinitionArn],
      conditions: { ArnEquals: { 'ecs:cluster': cluster.cluster.clusterArn } },
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

    this.schedule = new scheduler.CfnSchedule(this, 'Schedule', {
      name: scheduleName,
      description: `Runs ${this.node.path}`,
      scheduleExpression: props.schedule.expressionString,
      scheduleExpressionTimezone: props.timeZone?.timezoneName,
      flexibleTimeWindow: props.flexibleWindow
        ? { mode: 'FLEXIBLE', maximumWindowInMinutes: props.flexibleWindow.toMinutes() }
        : { mode: 'OFF' },
      state: (props.enabled ?? true) ? 'ENABLED' : 'DISABLED',
      target: {
        arn: cluster.cluster.clusterArn,
        roleArn: role.roleArn,
        deadLetterConfig: { arn: this.deadLetterQueue.queueArn },
        retryPolicy: {
          maximumRetryAttempts: props.maxRetries ?? 3,
          maximumEventAgeInSeconds: (props.maxEventAge ?? Duration.hours(1)).toSeconds(),
        },
        ecsParameters: {
          taskDefinitionArn: taskDefinition.taskDefinitionArn,
          taskCount: props.taskCount ?? 1,
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
