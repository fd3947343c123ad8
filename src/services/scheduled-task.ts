import { Duration, Lazy, Names, Stack, TimeZone, Token } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { atProblem, cronProblem, formatWallClock, isKnownTimeZone, wallClockIn } from './schedule-expression';
import { taskSubnets } from './service-base';
import { Capacity } from '../cluster/capacity';
import type { FoundryCluster } from '../cluster/foundry-cluster';
import { acknowledgeSchedulerDeadLetterQueue } from '../compliance/acknowledgements';
import { ManagedPolicyRole } from '../private/managed-policy-role';
import { OnDemandRole } from '../private/on-demand-role';
import { checkNumber, invalidProp } from '../private/validation';
import { FoundryTaskDefinition } from '../workload/task-definition';
import { WorkloadOptions } from '../workload/workload-options';

/**
 * When a scheduled task runs: a cron or rate expression, or one time.
 *
 * Expressions are checked against EventBridge Scheduler's rules ("Schedule types on EventBridge Scheduler",
 * https://docs.aws.amazon.com/scheduler/latest/UserGuide/schedule-types.html) when they are created.
 */
export class TaskSchedule {
  /**
   * A cron expression of EventBridge Scheduler: `minutes hours day-of-month month day-of-week year`, one of the
   * two day fields '?'. Example: `TaskSchedule.cron('0 3 * * ? *')` runs at 03:00 every day (in the schedule's time zone).
   */
  public static cron(expression: string): TaskSchedule {
    if (typeof expression !== 'string') {
      invalidProp('TaskSchedule.cron()', 'expression', expression, "Pass the six cron fields as a string, e.g. '0 3 * * ? *'.");
    }
    const body = expression.trim().replace(/\s+/g, ' ');
    const problem = cronProblem(body);
    if (problem) {
      invalidProp('TaskSchedule.cron()', 'expression', expression, problem);
    }
    return new TaskSchedule('cron', `cron(${body})`);
  }

  /** Every `interval` (whole minutes, hours or days). */
  public static rate(interval: Duration): TaskSchedule {
    const minutes = interval.toMinutes({ integral: false });
    if (!Number.isInteger(minutes) || minutes < 1) {
      invalidProp('TaskSchedule.rate()', 'interval', interval.toHumanString(), 'Use whole minutes, hours or days, at least 1 minute.');
    }
    const [value, unit] = minutes % 1440 === 0 ? [minutes / 1440, 'day'] : minutes % 60 === 0 ? [minutes / 60, 'hour'] : [minutes, 'minute'];
    return new TaskSchedule('rate', `rate(${value} ${unit}${value === 1 ? '' : 's'})`);
  }

  /**
   * Once, at this instant. The expression is written as the wall-clock time of the instant in the schedule's time
   * zone (`timeZone`, UTC by default), which is how EventBridge Scheduler reads `at()`: the task runs at this
   * instant whatever the time zone, and the template does not depend on the build machine's time zone.
   *
   * Build the `Date` from an unambiguous instant (`Date.UTC(...)` or an ISO string with `Z` or an offset): in
   * JavaScript, `new Date(2027, 0, 31, 6, 30)` and `new Date('2027-01-31T06:30:00')` are read in the build
   * machine's time zone. To give a wall-clock time in the schedule's time zone, use `TaskSchedule.atLocalTime()`.
   */
  public static at(date: Date): TaskSchedule {
    if (!(date instanceof Date) || Number.isNaN(date.getTime())) {
      invalidProp('TaskSchedule.at()', 'date', String(date), 'Pass a valid Date, e.g. new Date(Date.UTC(2027, 0, 31, 6, 30)).');
    }
    const instant = new Date(date.getTime());
    const utc = wallClockIn(instant, 'UTC');
    if (utc.year < 1970 || utc.year > 2199) {
      invalidProp('TaskSchedule.at()', 'date', instant.toISOString(), 'EventBridge Scheduler takes dates from 1970 to 2199.');
    }
    return new TaskSchedule('at', `at(${formatWallClock(utc)})`, instant);
  }

  /**
   * Once, at this wall-clock date and time (`yyyy-mm-ddThh:mm:ss`) in the schedule's time zone (`timeZone`, UTC
   * by default). Example: `TaskSchedule.atLocalTime('2027-01-31T06:30:00')` with `timeZone: TimeZone.EUROPE_BERLIN`
   * runs at 06:30 in Berlin.
   */
  public static atLocalTime(dateTime: string): TaskSchedule {
    const problem = typeof dateTime === 'string' ? atProblem(dateTime) : 'Pass a string.';
    if (problem) {
      invalidProp('TaskSchedule.atLocalTime()', 'dateTime', dateTime, problem);
    }
    return new TaskSchedule('at', `at(${dateTime})`);
  }

  /**
   * The expression EventBridge Scheduler receives when the schedule has no time zone (UTC). A `ScheduledTask`
   * with a `timeZone` renders one-time schedules made with `at()` in that zone.
   */
  public readonly expressionString: string;
  private readonly kind: 'cron' | 'rate' | 'at';
  private readonly instant?: Date;

  private constructor(kind: 'cron' | 'rate' | 'at', expression: string, instant?: Date) {
    this.kind = kind;
    this.expressionString = expression;
    this.instant = instant;
  }

  /** Whether the schedule fires once only. */
  public get oneTime(): boolean {
    return this.kind === 'at';
  }

  /**
   * Whether the schedule is an instant (from `at()`) that is written in the schedule's time zone.
   *
   * @internal
   */
  public get _instantBased(): boolean {
    return this.instant !== undefined;
  }

  /**
   * The expression as Scheduler must receive it with `ScheduleExpressionTimezone` = `timeZone`.
   *
   * @internal
   */
  public _expressionIn(timeZone?: string): string {
    if (this.instant && timeZone !== undefined && !Token.isUnresolved(timeZone)) {
      return `at(${formatWallClock(wallClockIn(this.instant, timeZone))})`;
    }
    return this.expressionString;
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
    checkNumber(this, 'maxEventAge (seconds)', props.maxEventAge?.toSeconds({ integral: false }), { min: 60, max: 86_400, integer: true });
    checkNumber(this, 'flexibleWindow (minutes)', props.flexibleWindow?.toMinutes({ integral: false }), { min: 1, max: 1440, integer: true });
    if (props.timeZone && props.schedule.expressionString.startsWith('rate(')) {
      invalidProp(this, 'timeZone', props.timeZone.timezoneName, 'A rate schedule has no time of day; remove timeZone or use a cron schedule.');
    }
    // Scheduler takes IANA time zone names (https://docs.aws.amazon.com/scheduler/latest/APIReference/API_CreateSchedule.html,
    // ScheduleExpressionTimezone); a misspelt TimeZone.of('...') fails only at deploy.
    const timeZone = props.timeZone?.timezoneName;
    if (timeZone !== undefined && !Token.isUnresolved(timeZone) && !isKnownTimeZone(timeZone)) {
      invalidProp(this, 'timeZone', timeZone, "Use an IANA time zone name such as TimeZone.EUROPE_BERLIN or TimeZone.of('America/New_York').");
    }
    if (timeZone !== undefined && Token.isUnresolved(timeZone) && props.schedule._instantBased) {
      invalidProp(this, 'timeZone', timeZone, 'TaskSchedule.at() is written in the time zone of the schedule, which must then be known at synth: use a literal TimeZone, or TaskSchedule.atLocalTime().');
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

    this.schedule = new scheduler.CfnSchedule(this, 'Schedule', {
      name: scheduleName,
      description: `Runs ${this.node.path}`,
      // at() is read in ScheduleExpressionTimezone: a one-time instant is written as its wall-clock time there.
      scheduleExpression: timeZone !== undefined && !Token.isUnresolved(timeZone)
        ? props.schedule._expressionIn(timeZone) : props.schedule.expressionString,
      scheduleExpressionTimezone: timeZone,
      flexibleTimeWindow: props.flexibleWindow
        ? { mode: 'FLEXIBLE', maximumWindowInMinutes: props.flexibleWindow.toMinutes() }
        : { mode: 'OFF' },
      state: (props.enabled ?? true) ? 'ENABLED' : 'DISABLED',
      target: {
        arn: cluster.ecsCluster.clusterArn,
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
