import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as cwactions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { checkNumber, invalidProp } from '../private/validation';

/**
 * A condition a service is alarmed on.
 */
export enum ServiceAlarm {
  /** Average CPU utilization above `cpuPercent`. */
  CPU = 'CPU',
  /** Average memory utilization above `memoryPercent`. */
  MEMORY = 'MEMORY',
  /** Fewer running tasks than desired (tasks crash, cannot be placed, or fail health checks). */
  RUNNING_TASKS = 'RUNNING_TASKS',
  /** Share of target 5xx responses above `http5xxPercent` (web services). */
  HTTP_5XX = 'HTTP_5XX',
  /** Target response time (p99) above `responseTime` (web services). */
  RESPONSE_TIME = 'RESPONSE_TIME',
  /** Any unhealthy target (web services). */
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
   * Alarm at all.
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
   * One CloudWatch alarm per condition instead of one alarm per service that fires when any condition holds
   * (the combined alarm costs one resource and one alarm fee per service; its description lists the conditions,
   * and the service dashboard shows which one fired).
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
   * Minutes a condition must hold before the alarm fires (rolling deployments briefly run fewer tasks).
   *
   * @default 3
   */
  readonly evaluationMinutes?: number;
}

/** What the service exposes to its alarms. */
export interface AlarmSubject {
  readonly service: ecs.BaseService;
  readonly clusterName: string;
  readonly topic: sns.ITopic;
  readonly targetGroup?: elbv2.ApplicationTargetGroup;
  readonly queue?: sqs.IQueue;
  readonly deadLetterQueue?: sqs.IQueue;
}

interface Condition {
  readonly kind: ServiceAlarm;
  readonly metrics: Record<string, cloudwatch.IMetric>;
  readonly expression: string;
  readonly description: string;
}

/** Validate alarm options. */
export function validateAlarms(scope: Construct, options: ServiceAlarmOptions | undefined): void {
  if (!options) return;
  checkNumber(scope, 'alarms.cpuPercent', options.cpuPercent, { min: 1, max: 100 });
  checkNumber(scope, 'alarms.memoryPercent', options.memoryPercent, { min: 1, max: 100 });
  checkNumber(scope, 'alarms.http5xxPercent', options.http5xxPercent, { min: 0, max: 100 });
  checkNumber(scope, 'alarms.evaluationMinutes', options.evaluationMinutes, { min: 1, max: 60, integer: true });
  checkNumber(scope, 'alarms.responseTime (ms)', options.responseTime?.toMilliseconds(), { min: 1, max: 3_600_000 });
  checkNumber(scope, 'alarms.oldestMessageAge (seconds)', options.oldestMessageAge?.toSeconds(), { min: 60, max: 1_209_600 });
  for (const kind of options.disable ?? []) {
    if (!Object.values(ServiceAlarm).includes(kind)) {
      invalidProp(scope, 'alarms.disable', kind, `Use ServiceAlarm values: ${Object.values(ServiceAlarm).join(', ')}.`);
    }
  }
}

/**
 * The alarms of one service: a combined "service unhealthy" alarm (or one per condition), acting on the alert topic.
 */
export class ServiceAlarms extends Construct {
  /** The alarms created. */
  public readonly alarms: cloudwatch.Alarm[] = [];
  /** The conditions alarmed on. */
  public readonly conditions: ServiceAlarm[];

  constructor(scope: Construct, id: string, subject: AlarmSubject, options: ServiceAlarmOptions = {}) {
    super(scope, id);
    const period = Duration.minutes(1);
    const serviceName = subject.service.serviceName;
    const dims = { ClusterName: subject.clusterName, ServiceName: serviceName };
    const ecsMetric = (metricName: string) => new cloudwatch.Metric({ namespace: 'AWS/ECS', metricName, dimensionsMap: dims, period, statistic: 'Average' });
    const insights = (metricName: string) => new cloudwatch.Metric({ namespace: 'ECS/ContainerInsights', metricName, dimensionsMap: dims, period, statistic: 'Average' });
    const disabled = new Set(options.disable ?? []);
    const cpu = options.cpuPercent ?? 85;
    const memory = options.memoryPercent ?? 85;
    const all: Condition[] = [
      { kind: ServiceAlarm.CPU, metrics: { cpu: ecsMetric('CPUUtilization') }, expression: `cpu > ${cpu}`, description: `CPU above ${cpu} %` },
      { kind: ServiceAlarm.MEMORY, metrics: { mem: ecsMetric('MemoryUtilization') }, expression: `mem > ${memory}`, description: `memory above ${memory} %` },
      {
        kind: ServiceAlarm.RUNNING_TASKS,
        metrics: { running: insights('RunningTaskCount'), desired: insights('DesiredTaskCount') },
        expression: 'running < desired',
        description: 'fewer running tasks than desired',
      },
    ];
    const tg = subject.targetGroup;
    if (tg) {
      const pct = options.http5xxPercent ?? 5;
      const seconds = (options.responseTime ?? Duration.seconds(2)).toMilliseconds() / 1000;
      all.push(
        {
          kind: ServiceAlarm.HTTP_5XX,
          metrics: {
            e5xx: tg.metrics.httpCodeTarget(elbv2.HttpCodeTarget.TARGET_5XX_COUNT, { period, statistic: 'Sum' }),
            requests: tg.metrics.requestCount({ period, statistic: 'Sum' }),
          },
          expression: `(100 * FILL(e5xx, 0) / IF(FILL(requests, 0) > 0, requests, 1)) > ${pct}`,
          description: `more than ${pct} % of responses are 5xx`,
        },
        {
          kind: ServiceAlarm.RESPONSE_TIME,
          metrics: { latency: tg.metrics.targetResponseTime({ period, statistic: 'p99' }) },
          expression: `FILL(latency, 0) > ${seconds}`,
          description: `p99 response time above ${seconds} s`,
        },
        {
          kind: ServiceAlarm.UNHEALTHY_HOSTS,
          metrics: { unhealthy: tg.metrics.unhealthyHostCount({ period, statistic: 'Maximum' }) },
          expression: 'FILL(unhealthy, 0) > 0',
          description: 'unhealthy targets',
        },
      );
    }
    if (subject.queue) {
      const age = (options.oldestMessageAge ?? Duration.minutes(15)).toSeconds();
      all.push({
        kind: ServiceAlarm.OLDEST_MESSAGE_AGE,
        metrics: { oldest: subject.queue.metricApproximateAgeOfOldestMessage({ period, statistic: 'Maximum' }) },
        expression: `FILL(oldest, 0) > ${age}`,
        description: `oldest message older than ${age} s`,
      });
    }
    if (subject.deadLetterQueue) {
      all.push({
        kind: ServiceAlarm.DLQ_NOT_EMPTY,
        metrics: { dlq: subject.deadLetterQueue.metricApproximateNumberOfMessagesVisible({ period, statistic: 'Maximum' }) },
        expression: 'FILL(dlq, 0) > 0',
        description: 'messages in the dead-letter queue',
      });
    }
    const conditions = all.filter(c => !disabled.has(c.kind));
    this.conditions = conditions.map(c => c.kind);
    const minutes = options.evaluationMinutes ?? 3;
    const action = new cwactions.SnsAction(subject.topic);
    const make = (alarmId: string, parts: Condition[]) => {
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
        evaluationPeriods: minutes,
        datapointsToAlarm: minutes,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      });
      alarm.addAlarmAction(action);
      alarm.addOkAction(action);
      this.alarms.push(alarm);
    };
    if (conditions.length === 0) {
      return;
    }
    if (options.separateAlarms) {
      for (const c of conditions) {
        make(c.kind.split('_').map(w => w[0] + w.slice(1).toLowerCase()).join(''), [c]);
      }
    } else {
      make('Unhealthy', conditions);
    }
  }
}
