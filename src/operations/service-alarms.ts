import { Annotations, Duration, Tokenization } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as cwactions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct, IConstruct } from 'constructs';
import { EcsServiceMetrics, HIGH_RESOLUTION_PERIOD_SECONDS, readEvery20Seconds, TargetGroupMetrics } from '../private/ecs-metrics';
import { checkNumber, invalidProp } from '../private/validation';

/**
 * A condition a service is alarmed on.
 */
export enum ServiceAlarm {
  /** Average CPU utilization above `cpuPercent`. */
  CPU = 'CPU',
  /** Average memory utilization above `memoryPercent`. */
  MEMORY = 'MEMORY',
  /**
   * Fewer running tasks than desired (tasks crash, cannot be placed, or fail health checks). It needs Container
   * Insights: on a cluster without it the condition is left out, with a warning.
   */
  RUNNING_TASKS = 'RUNNING_TASKS',
  /** Share of target 5xx responses above `http5xxPercent` (web services, both target groups of blue/green). */
  HTTP_5XX = 'HTTP_5XX',
  /** Target response time (p99) above `responseTime` (web services). */
  RESPONSE_TIME = 'RESPONSE_TIME',
  /** Any unhealthy target (web services, both target groups of blue/green). */
  UNHEALTHY_HOSTS = 'UNHEALTHY_HOSTS',
  /** Messages in the dead-letter queue (workers). */
  DLQ_NOT_EMPTY = 'DLQ_NOT_EMPTY',
  /** Oldest message older than `oldestMessageAge` (workers). */
  OLDEST_MESSAGE_AGE = 'OLDEST_MESSAGE_AGE',
}

/**
 * Alarms of a service, sent to the cluster's alert topic.
 */
export interface ServiceAlarmOptions {
  /**
   * Whether the service has alarms at all.
   *
   * @default true
   */
  readonly enabled?: boolean;

  /**
   * Conditions not to alarm on.
   *
   * @default - none: every condition that applies to the service
   */
  readonly disable?: ServiceAlarm[];

  /**
   * One CloudWatch alarm per condition instead of one alarm per service that fires when any condition holds.
   *
   * The combined alarm costs one resource and one alarm fee per service: its description lists the conditions, and
   * the service dashboard shows which one fired. An alarm reads at most 10 metrics, so the conditions of a
   * blue/green web service fill two combined alarms.
   *
   * @default false - one combined alarm per service
   */
  readonly separateAlarms?: boolean;

  /** CPU threshold, percent (1-100). @default 85 */
  readonly cpuPercent?: number;
  /** Memory threshold, percent (1-100). @default 85 */
  readonly memoryPercent?: number;
  /** 5xx share threshold, percent of requests (0-100). @default 5 */
  readonly http5xxPercent?: number;
  /** p99 target response time threshold. @default Duration.seconds(2) */
  readonly responseTime?: Duration;
  /** Oldest message age threshold (workers). @default Duration.minutes(15) */
  readonly oldestMessageAge?: Duration;

  /**
   * How long a condition must hold before the alarm goes off, in whole minutes from 1 to 60.
   *
   * Rolling deployments briefly run fewer tasks than desired, which a shorter period would report.
   *
   * @default Duration.minutes(3)
   */
  readonly evaluationPeriod?: Duration;
}

/**
 * Properties of `ServiceAlarms`: the service, where alarms go, and what else the service reads from.
 */
export interface ServiceAlarmsProps extends ServiceAlarmOptions {
  /** The ECS service alarmed on (its cluster's name is read from it). */
  readonly service: ecs.BaseService;

  /** The topic that receives the alarms' ALARM and OK notifications. */
  readonly alertTopic: sns.ITopic;

  /**
   * Container Insights of the service's cluster: the running and desired task counts come from it.
   *
   * Only `ecs.ContainerInsights.DISABLED` leaves out the condition on fewer running tasks than desired.
   *
   * @default - on: the running-task condition is part of the alarm unless this is `ecs.ContainerInsights.DISABLED`
   */
  readonly containerInsights?: ecs.ContainerInsights;

  /**
   * The service's Application Load Balancer target group, for the 5xx, response time and unhealthy target conditions.
   *
   * @default - no load balancer conditions
   */
  readonly targetGroup?: elbv2.ApplicationTargetGroup;

  /**
   * The second target group of a blue/green web service, which carries production traffic after every other deployment.
   *
   * @default - no alternate target group
   */
  readonly alternateTargetGroup?: elbv2.ApplicationTargetGroup;

  /**
   * The full name of the target groups' load balancer (`app/<name>/<id>`), the `LoadBalancer` dimension of the load balancer conditions.
   *
   * Pass the load balancer's `loadBalancerFullName` (one `Fn::GetAtt` in the template). Without it the name is cut out
   * of the ARN of the target group's first listener, the same value written as an `Fn::Join` of three `Fn::Select`
   * of `Fn::Split` in every metric of the alarm.
   *
   * @default - derived from the ARN of the target group's first listener
   */
  readonly loadBalancerFullName?: string;

  /**
   * The queue a worker consumes, for the oldest message condition.
   *
   * @default - no queue condition
   */
  readonly queue?: sqs.IQueue;

  /**
   * The worker's dead-letter queue, for the dead-letter condition.
   *
   * @default - no dead-letter condition
   */
  readonly deadLetterQueue?: sqs.IQueue;

  /**
   * Read CPU and memory utilization every 20 seconds, for a service that publishes them at high resolution.
   *
   * The CPU and memory conditions then form an alarm of their own with a 20-second period (a high-resolution alarm,
   * which costs more): it still waits for `evaluationPeriod`, counted in 20-second periods, so it fires up to a
   * minute sooner on the same condition.
   *
   * @default false
   */
  readonly highResolutionMetrics?: boolean;

  /**
   * Whether the service's deployments roll back on these alarms.
   *
   * A deployment should roll back when the new revision is bad, not while capacity is slow to come: on a first
   * deployment to EC2 or Managed Instances capacity that scales out from zero (or on a slow image pull), fewer tasks
   * run than desired for minutes. With this set, the condition on fewer running tasks than desired gets an alarm of
   * its own, `RunningTasks`, which still notifies the alert topic but is left out of `rollbackAlarms`.
   *
   * @default false - the running-task condition stays in the combined alarm
   */
  readonly deploymentRollback?: boolean;
}

/**
 * Alarm options with their defaults, validated.
 *
 * @internal
 */
export interface ResolvedAlarmOptions {
  readonly enabled: boolean;
  readonly disabled: ReadonlySet<ServiceAlarm>;
  readonly separateAlarms: boolean;
  readonly cpuPercent: number;
  readonly memoryPercent: number;
  readonly http5xxPercent: number;
  readonly responseTime: Duration;
  readonly oldestMessageAge: Duration;
  readonly evaluationMinutes: number;
}

/** How long a condition holds before an alarm goes off, unless an `evaluationPeriod` says otherwise. */
const DEFAULT_EVALUATION_PERIOD = Duration.minutes(3);

/**
 * The minutes of an alarm's `evaluationPeriod` (its default when unset), validated: the alarms of this library read
 * one-minute periods, so the period is a whole number of evaluation periods of one minute each. CloudWatch allows
 * up to one day of periods shorter than an hour ("For alarms with a period of less than one hour (3,600 seconds),
 * the total evaluation period can't be longer than one day",
 * https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_PutMetricAlarm.html); an alarm that waits
 * longer than an hour before it reports an unhealthy service is not one this library writes.
 */
export function evaluationPeriodMinutes(scope: IConstruct | string, prop: string, value: Duration | undefined): number {
  const minutes = (value ?? DEFAULT_EVALUATION_PERIOD).toMinutes({ integral: false });
  checkNumber(scope, `${prop} (minutes)`, minutes, { min: 1, max: 60, integer: true });
  return minutes;
}

/** CloudWatch's hard limit of metrics in one metric-math alarm. */
const MAX_METRICS_PER_ALARM = 10;

interface Condition {
  readonly kind: ServiceAlarm;
  readonly metrics: Record<string, cloudwatch.IMetric>;
  readonly expression: string;
  readonly description: string;
  /** The condition reads 20-second metrics only: it goes into a high-resolution alarm. */
  readonly highResolution?: boolean;
}

/**
 * The period of a high-resolution alarm: "Valid values are 10, 20, 30, and any multiple of 60 ... Specifying 10, 20,
 * or 30 also sets this alarm as a high-resolution alarm, which has a higher charge than other alarms"
 * (https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_PutMetricAlarm.html). ECS publishes
 * high-resolution CPU and memory every 20 seconds
 * (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/target-tracking-faster-auto-scaling.html).
 */
const HIGH_RESOLUTION_ALARM_PERIOD = Duration.seconds(HIGH_RESOLUTION_PERIOD_SECONDS);

/**
 * Validate alarm options and fill in their defaults.
 *
 * @internal
 */
export function resolveAlarmOptions(scope: IConstruct, options: ServiceAlarmOptions = {}): ResolvedAlarmOptions {
  checkNumber(scope, 'alarms.cpuPercent', options.cpuPercent, { min: 1, max: 100 });
  checkNumber(scope, 'alarms.memoryPercent', options.memoryPercent, { min: 1, max: 100 });
  checkNumber(scope, 'alarms.http5xxPercent', options.http5xxPercent, { min: 0, max: 100 });
  checkNumber(scope, 'alarms.responseTime (ms)', options.responseTime?.toMilliseconds(), { min: 1, max: 3_600_000 });
  checkNumber(scope, 'alarms.oldestMessageAge (seconds)', options.oldestMessageAge?.toSeconds({ integral: false }), { min: 60, max: 1_209_600 });
  for (const kind of options.disable ?? []) {
    if (!Object.values(ServiceAlarm).includes(kind)) {
      invalidProp(scope, 'alarms.disable', kind, `Use ServiceAlarm values: ${Object.values(ServiceAlarm).join(', ')}.`);
    }
  }
  return {
    enabled: options.enabled ?? true,
    disabled: new Set(options.disable ?? []),
    separateAlarms: options.separateAlarms ?? false,
    cpuPercent: options.cpuPercent ?? 85,
    memoryPercent: options.memoryPercent ?? 85,
    http5xxPercent: options.http5xxPercent ?? 5,
    responseTime: options.responseTime ?? Duration.seconds(2),
    oldestMessageAge: options.oldestMessageAge ?? Duration.minutes(15),
    evaluationMinutes: evaluationPeriodMinutes(scope, 'alarms.evaluationPeriod', options.evaluationPeriod),
  };
}

/**
 * The alarms of one service: a combined "service unhealthy" alarm (or one per condition), acting on the alert topic.
 */
export class ServiceAlarms extends Construct {
  /** The alarms created, none when `enabled` is false. */
  public readonly alarms: cloudwatch.Alarm[] = [];
  /** The conditions alarmed on, after `disable` and the service's kind. */
  public readonly conditions: ServiceAlarm[];
  /**
   * The alarms that mean a new revision is bad, for a deployment to roll back on.
   *
   * Every alarm that does not read the condition on fewer running tasks than desired (capacity still starting is no
   * reason to roll back). With `deploymentRollback` that condition has an alarm of its own, so every other condition
   * is in one of these.
   */
  public readonly rollbackAlarms: cloudwatch.Alarm[] = [];

  constructor(scope: Construct, id: string, props: ServiceAlarmsProps) {
    super(scope, id);
    if (!props || !props.service || !props.alertTopic) {
      invalidProp(this, props?.service ? 'alertTopic' : 'service', undefined, 'Pass the ECS service and the SNS topic its alarms notify.');
    }
    // Validated against the scope, the service the alarms belong to, so that messages name the prop where it was given.
    const options = resolveAlarmOptions(scope, props);
    if (!options.enabled) {
      this.conditions = [];
      return;
    }
    const period = Duration.minutes(1);
    const ecsMetrics = new EcsServiceMetrics(props.service.cluster.clusterName, props.service.serviceName);
    const disabled = options.disabled;
    const cpu = options.cpuPercent;
    const memory = options.memoryPercent;
    // Every operand is wrapped in FILL(m, 0): metric math gives no point where its operands have none (AWS/ECS
    // CPUUtilization does not exist while a service runs zero tasks, Container Insights' counts not while it is off,
    // SQS and ALB metrics not while idle), and a combined alarm without points never fires for any of its conditions.
    // With FILL every term exists in every minute, whichever way CloudWatch aligns the series
    // (https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/using-metric-math.html).
    const highResolution = props.highResolutionMetrics ?? false;
    const all: Condition[] = [
      {
        kind: ServiceAlarm.CPU,
        metrics: { cpu: ecsMetrics.metricCpuUtilization() },
        expression: `FILL(cpu, 0) > ${cpu}`,
        description: `CPU above ${cpu} %`,
        highResolution,
      },
      {
        kind: ServiceAlarm.MEMORY,
        metrics: { mem: ecsMetrics.metricMemoryUtilization() },
        expression: `FILL(mem, 0) > ${memory}`,
        description: `memory above ${memory} %`,
        highResolution,
      },
    ];
    if (props.containerInsights !== ecs.ContainerInsights.DISABLED) {
      all.push({
        kind: ServiceAlarm.RUNNING_TASKS,
        metrics: { running: ecsMetrics.metricRunningTaskCount(), desired: ecsMetrics.metricDesiredTaskCount() },
        expression: 'FILL(running, 0) < FILL(desired, 0)',
        description: 'fewer running tasks than desired',
      });
    } else if (!disabled.has(ServiceAlarm.RUNNING_TASKS)) {
      Annotations.of(scope).addWarningV2('cdk-ecs-foundry:runningTasksAlarmNeedsInsights',
        'The RUNNING_TASKS alarm (fewer running tasks than desired) reads Container Insights, which is disabled on the cluster: the condition is left out. Enable Container Insights, or add ServiceAlarm.RUNNING_TASKS to alarms.disable to acknowledge.');
    }
    const groups = [props.targetGroup, props.alternateTargetGroup].filter((g): g is elbv2.ApplicationTargetGroup => g !== undefined);
    if (groups.length > 0) {
      const pct = options.http5xxPercent;
      const seconds = options.responseTime.toMilliseconds() / 1000;
      // One id per target group: ...a for the target group, ...b for the alternate one of blue/green.
      const groupMetrics = groups.map(g => new TargetGroupMetrics(g, props.loadBalancerFullName));
      const each = <T>(prefix: string, metric: (g: TargetGroupMetrics) => T): Record<string, T> =>
        Object.fromEntries(groupMetrics.map((g, i) => [`${prefix}${'ab'[i]}`, metric(g)]));
      const sum = (prefix: string) => groups.map((_, i) => `FILL(${prefix}${'ab'[i]}, 0)`).join(' + ');
      all.push(
        {
          kind: ServiceAlarm.HTTP_5XX,
          metrics: {
            ...each('e5xx', g => g.metricTarget5xxCount()),
            ...each('requests', g => g.metricRequestCount()),
          },
          expression: `(100 * (${sum('e5xx')}) / IF((${sum('requests')}) > 0, ${sum('requests')}, 1)) > ${pct}`,
          description: `more than ${pct} % of responses are 5xx`,
        },
        {
          kind: ServiceAlarm.RESPONSE_TIME,
          metrics: each('latency', g => g.metricTargetResponseTimeP99()),
          expression: groups.length === 1 ? `FILL(latencya, 0) > ${seconds}` : `MAX([FILL(latencya, 0), FILL(latencyb, 0)]) > ${seconds}`,
          description: `p99 response time above ${seconds} s`,
        },
        {
          kind: ServiceAlarm.UNHEALTHY_HOSTS,
          metrics: each('unhealthy', g => g.metricUnhealthyHostCount()),
          expression: `(${sum('unhealthy')}) > 0`,
          description: 'unhealthy targets',
        },
      );
    }
    if (props.queue) {
      const age = options.oldestMessageAge.toSeconds({ integral: false });
      all.push({
        kind: ServiceAlarm.OLDEST_MESSAGE_AGE,
        metrics: { oldest: props.queue.metricApproximateAgeOfOldestMessage({ period, statistic: 'Maximum' }) },
        expression: `FILL(oldest, 0) > ${age}`,
        description: `oldest message older than ${age} s`,
      });
    }
    if (props.deadLetterQueue) {
      all.push({
        kind: ServiceAlarm.DLQ_NOT_EMPTY,
        metrics: { dlq: props.deadLetterQueue.metricApproximateNumberOfMessagesVisible({ period, statistic: 'Maximum' }) },
        expression: 'FILL(dlq, 0) > 0',
        description: 'messages in the dead-letter queue',
      });
    }
    const conditions = all.filter(c => !disabled.has(c.kind));
    this.conditions = conditions.map(c => c.kind);
    const minutes = options.evaluationMinutes;
    const action = new cwactions.SnsAction(props.alertTopic);
    const make = (alarmId: string, parts: Condition[]) => {
      // A 20-second alarm counts the same evaluation period in 20-second periods: "3 minutes" is 9 of 9 periods.
      const highResolutionAlarm = parts.every(p => p.highResolution);
      const periods = minutes * (60 / (highResolutionAlarm ? HIGH_RESOLUTION_ALARM_PERIOD : period).toSeconds());
      const expression = parts.length === 1 ? `IF(${parts[0].expression}, 1, 0)` : `IF(${parts.map(p => `(${p.expression})`).join(' OR ')}, 1, 0)`;
      const alarm = new cloudwatch.Alarm(this, alarmId, {
        alarmDescription: `${scope.node.path}: ${parts.map(p => p.description).join('; or ')} (for ${minutes} minutes)`,
        metric: new cloudwatch.MathExpression({
          expression,
          usingMetrics: Object.assign({}, ...parts.map(p => p.metrics)),
          period,
          label: parts.length === 1 ? parts[0].description : 'service unhealthy',
        }),
        threshold: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        evaluationPeriods: periods,
        datapointsToAlarm: periods,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      });
      const cfn = alarm.node.defaultChild as cloudwatch.CfnAlarm;
      let queries = cfn.metrics as cloudwatch.CfnAlarm.MetricDataQueryProperty[];
      if (highResolutionAlarm) {
        // aws-cdk-lib 2.271 refuses a 20-second metric period: written here (see HIGH_RESOLUTION_PERIOD_SECONDS).
        queries = readEvery20Seconds(queries);
      }
      // The queries go into the template as written (an override) instead of through the typed property: aws-cdk-lib
      // resolves a typed property twice more (its type checks, and the tree metadata of every L1 in tree.json), and
      // with 8 queries of two dimensions each that was a third of what the alarm cost at synth (bench/profile-notes.md).
      // The template is the same.
      cfn.metrics = undefined;
      cfn.addPropertyOverride('Metrics', queries.map(toCfnQuery));
      alarm.addAlarmAction(action);
      alarm.addOkAction(action);
      this.alarms.push(alarm);
      if (!parts.some(p => p.kind === ServiceAlarm.RUNNING_TASKS)) {
        this.rollbackAlarms.push(alarm);
      }
    };
    if (conditions.length === 0) {
      return;
    }
    if (options.separateAlarms) {
      for (const c of conditions) {
        make(c.kind.split('_').map(w => w[0] + w.slice(1).toLowerCase()).join(''), [c]);
      }
    } else {
      // "Alarms based on metric math expressions can reference a maximum of 10 metrics. This is a hard limit"
      // (https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/alarm-limits.html): fill combined alarms in
      // order; the first keeps the id 'Unhealthy'.
      // Conditions on 20-second metrics form an alarm of their own: a 20-second period over one-minute metrics would
      // see a point in one period of three only.
      // With deploymentRollback, the running-task condition is an alarm of its own, which rollbacks do not read.
      const ownRunning = (props.deploymentRollback ?? false) ? conditions.filter(x => x.kind === ServiceAlarm.RUNNING_TASKS) : [];
      const batches: Condition[][] = [[]];
      for (const c of conditions.filter(x => !x.highResolution && !ownRunning.includes(x))) {
        const current = batches[batches.length - 1];
        const used = current.reduce((n, p) => n + Object.keys(p.metrics).length, 0);
        if (current.length > 0 && used + Object.keys(c.metrics).length > MAX_METRICS_PER_ALARM) {
          batches.push([c]);
        } else {
          current.push(c);
        }
      }
      batches.filter(b => b.length > 0).forEach((batch, i) => make(i === 0 ? 'Unhealthy' : `Unhealthy${i + 1}`, batch));
      const fast = conditions.filter(x => x.highResolution);
      if (fast.length > 0) {
        make('UnhealthyHighResolution', fast);
      }
      if (ownRunning.length > 0) {
        make('RunningTasks', ownRunning);
      }
    }
  }
}

/**
 * A metric data query as the template writes it: each key capitalized (`metricStat` is `MetricStat`, `returnData` is
 * `ReturnData`, ...), the values (tokens included) as they are, undefined keys left out.
 */
function toCfnQuery(value: unknown): unknown {
  if (Array.isArray(value)) {
    return value.map(toCfnQuery);
  }
  if (typeof value !== 'object' || value === null || Tokenization.isResolvable(value)) {
    return value;
  }
  return Object.fromEntries(Object.entries(value)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]): [string, unknown] => [k[0].toUpperCase() + k.slice(1), toCfnQuery(v)])
    .sort(([a], [b]) => (a < b ? -1 : 1)));
}
