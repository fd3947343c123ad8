import { Duration, Names, TimeZone } from 'aws-cdk-lib';
import * as appscaling from 'aws-cdk-lib/aws-applicationautoscaling';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import { IConstruct } from 'constructs';
import { addPredictiveScalingPolicy, PredictiveScalingOptions, ResolvedPredictiveScaling, resolvePredictiveScaling } from './predictive-scaling';
import { Schedule } from './schedule';
import { checkNumber, invalidProp, isConcrete } from '../private/validation';

/**
 * Auto scaling of a service's task count.
 */
export interface ScalingOptions {
  /**
   * Fewest tasks.
   *
   * @default 1
   */
  readonly minTasks?: number;

  /** Most tasks. */
  readonly maxTasks: number;

  /**
   * Keep average CPU utilization at this percentage (1-100) by target tracking.
   *
   * @default - no CPU target (70 when no other target is given)
   */
  readonly cpuPercent?: number;

  /**
   * Keep average memory utilization at this percentage (1-100) by target tracking.
   *
   * @default - no memory target
   */
  readonly memoryPercent?: number;

  /**
   * Wait after a scale-in before scaling in again.
   *
   * @default Duration.minutes(5)
   */
  readonly scaleInCooldown?: Duration;

  /**
   * Wait after a scale-out before scaling out again.
   *
   * @default Duration.minutes(1)
   */
  readonly scaleOutCooldown?: Duration;

  /**
   * Predictive scaling next to target tracking: hourly forecasts of the capacity the service needs.
   *
   * Forecast-only until `mode: PredictiveScalingMode.FORECAST_AND_SCALE`: review the forecast first. Predictive
   * scaling only scales out, and with target tracking the larger capacity wins.
   *
   * @default - no predictive scaling
   */
  readonly predictive?: PredictiveScalingOptions;
}

/**
 * Auto scaling of a web service's task count: the targets of every service plus requests per task.
 */
export interface WebScalingOptions extends ScalingOptions {
  /**
   * Keep the Application Load Balancer's requests per task per minute at this number by target tracking.
   *
   * With blue/green deployments it counts the requests per target of both target groups (production traffic is on
   * the alternate one after every other deployment).
   *
   * @default - no request target
   */
  readonly requestsPerTask?: number;
}

/**
 * A step of `scaleOnMetric()`: change the task count by `change` when the metric is in [lower, upper).
 */
export interface ScalingStep {
  /** Lower bound of the metric value for this step. @default - no lower bound */
  readonly lower?: number;
  /** Upper bound of the metric value for this step. @default - no upper bound */
  readonly upper?: number;
  /** Tasks to add (positive) or remove (negative). */
  readonly change: number;
}

/**
 * Options of `scaleOnMetric()`: step scaling on any CloudWatch metric.
 */
export interface MetricScalingOptions {
  /** The metric to scale on. */
  readonly metric: cloudwatch.IMetric;
  /** Steps, at least one scaling out and one scaling in. */
  readonly steps: ScalingStep[];
  /**
   * Number of consecutive metric periods (1-100) that must breach a step's bound before the step scaling alarm fires.
   *
   * A count, not a time: each period is the metric's own period.
   *
   * @default 1
   */
  readonly alarmEvaluationPeriods?: number;
  /**
   * Cooldown after a step.
   *
   * @default Duration.minutes(2)
   */
  readonly cooldown?: Duration;
}

/**
 * Options of `scaleOnSchedule()`: set the fewest and most tasks at scheduled times.
 */
export interface ScheduledScalingOptions {
  /** When: `Schedule.cron('0 8 * * ? *')`, `Schedule.rate(...)`, `Schedule.at(date)` or `Schedule.atLocalTime(...)`. */
  readonly schedule: Schedule;

  /**
   * Time zone of `cron()` and `atLocalTime()` schedules, e.g. `TimeZone.EUROPE_BERLIN`.
   *
   * Not of `at()`, whose instant is written in UTC, nor of `rate()`, which has no time of day.
   *
   * @default - UTC
   */
  readonly timeZone?: TimeZone;

  /**
   * New fewest tasks (0-5000).
   *
   * @default - unchanged
   */
  readonly minTasks?: number;

  /**
   * New most tasks (0-5000).
   *
   * @default - unchanged
   */
  readonly maxTasks?: number;
}

/**
 * Scaling options with their defaults, validated.
 *
 * @internal
 */
export interface ResolvedScaling {
  readonly minTasks: number;
  readonly maxTasks: number;
  /** The CPU target, 70 when no target is given. */
  readonly cpuPercent?: number;
  readonly memoryPercent?: number;
  readonly requestsPerTask?: number;
  readonly scaleInCooldown: Duration;
  readonly scaleOutCooldown: Duration;
  /** The predictive options as given: services resolve their scaling again from this object. */
  readonly predictive?: PredictiveScalingOptions;
  readonly resolvedPredictive?: ResolvedPredictiveScaling;
}

/**
 * Validate scaling options (requests-per-task only behind an ALB) and fill in their defaults.
 *
 * @internal
 */
export function resolveScaling(scope: IConstruct, scaling: WebScalingOptions, behindAlb: boolean): ResolvedScaling {
  checkNumber(scope, 'scaling.minTasks', scaling.minTasks, { min: 0, max: 5000, integer: true });
  checkNumber(scope, 'scaling.maxTasks', scaling.maxTasks, { min: 1, max: 5000, integer: true });
  const min = scaling.minTasks ?? 1;
  if (scaling.maxTasks === undefined) {
    invalidProp(scope, 'scaling.maxTasks', undefined, 'Set the most tasks the service may run, e.g. scaling: { minTasks: 2, maxTasks: 10 }.');
  }
  if (isConcrete(min) && isConcrete(scaling.maxTasks) && min > scaling.maxTasks) {
    invalidProp(scope, 'scaling.minTasks', min, `minTasks must not exceed maxTasks (${scaling.maxTasks}).`);
  }
  checkNumber(scope, 'scaling.cpuPercent', scaling.cpuPercent, { min: 1, max: 100 });
  checkNumber(scope, 'scaling.memoryPercent', scaling.memoryPercent, { min: 1, max: 100 });
  checkNumber(scope, 'scaling.requestsPerTask', scaling.requestsPerTask, { min: 1, max: 1_000_000, integer: true });
  checkCooldown(scope, 'scaling.scaleInCooldown', scaling.scaleInCooldown);
  checkCooldown(scope, 'scaling.scaleOutCooldown', scaling.scaleOutCooldown);
  if (scaling.requestsPerTask !== undefined && !behindAlb) {
    invalidProp(scope, 'scaling.requestsPerTask', scaling.requestsPerTask,
      'Request-count scaling needs an Application Load Balancer; use WebService, or scale on cpuPercent/memoryPercent or scaleOnMetric().');
  }
  const anyTarget = scaling.cpuPercent !== undefined || scaling.memoryPercent !== undefined || scaling.requestsPerTask !== undefined;
  const cpuPercent = anyTarget ? scaling.cpuPercent : 70;
  return {
    minTasks: min,
    maxTasks: scaling.maxTasks,
    cpuPercent,
    memoryPercent: scaling.memoryPercent,
    requestsPerTask: scaling.requestsPerTask,
    predictive: scaling.predictive,
    resolvedPredictive: scaling.predictive === undefined ? undefined : resolvePredictiveScaling(scope, scaling.predictive,
      { cpuPercent, memoryPercent: scaling.memoryPercent, requestsPerTask: scaling.requestsPerTask }, behindAlb),
    scaleInCooldown: scaling.scaleInCooldown ?? Duration.minutes(5),
    scaleOutCooldown: scaling.scaleOutCooldown ?? Duration.minutes(1),
  };
}

/**
 * Cooldowns are whole seconds ("The amount of time, in seconds ... Type: Integer",
 * https://docs.aws.amazon.com/autoscaling/application/APIReference/API_TargetTrackingScalingPolicyConfiguration.html,
 * https://docs.aws.amazon.com/autoscaling/application/APIReference/API_StepScalingPolicyConfiguration.html).
 */
function checkCooldown(scope: IConstruct, prop: string, cooldown: Duration | undefined): void {
  checkNumber(scope, `${prop} (seconds)`, cooldown?.toSeconds({ integral: false }), { min: 0, integer: true });
}

/**
 * Scaling of one service: target tracking from `ScalingOptions`, plus step and scheduled scaling on demand.
 *
 * A service with `scaling` creates it: read it from `service.scaling`.
 */
export class ServiceScaling {
  /**
   * Scale a service's task count by target tracking: services create it from their `scaling` prop.
   *
   * @param scope the construct that validation errors name
   * @param service the ECS service to scale
   * @param options fewest and most tasks and the targets to track
   * @param targetGroup the Application Load Balancer target group, for `requestsPerTask`
   * @param alternateTargetGroup the second target group of a blue/green service
   * @param highResolutionMetrics the service publishes CPU and memory every 20 seconds: track those
   * @internal
   */
  public static _create(scope: IConstruct, service: ecs.BaseService, options: ScalingOptions, targetGroup?: elbv2.ApplicationTargetGroup,
    alternateTargetGroup?: elbv2.ApplicationTargetGroup, highResolutionMetrics?: boolean): ServiceScaling {
    return new ServiceScaling(scope, service, options, targetGroup, alternateTargetGroup, highResolutionMetrics);
  }

  /** The scalable task count of the ECS service, for scaling policies of your own. */
  public readonly scalableTarget: ecs.ScalableTaskCount;
  private readonly scope: IConstruct;
  private readonly options: ScalingOptions;

  private constructor(scope: IConstruct, service: ecs.BaseService, options: ScalingOptions, targetGroup?: elbv2.ApplicationTargetGroup,
    alternateTargetGroup?: elbv2.ApplicationTargetGroup, highResolutionMetrics = false) {
    this.scope = scope;
    this.options = options;
    const resolved = resolveScaling(scope, options, targetGroup !== undefined);
    this.scalableTarget = service.autoScaleTaskCount({ minCapacity: resolved.minTasks, maxCapacity: resolved.maxTasks });
    const cooldowns = { scaleInCooldown: resolved.scaleInCooldown, scaleOutCooldown: resolved.scaleOutCooldown };
    if (highResolutionMetrics) {
      // 20-second metrics: the ...HighResolution predefined metrics read them
      // (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/target-tracking-faster-auto-scaling.html).
      // aws-cdk-lib 2.271's PredefinedMetric enum does not list them yet; the values are Application Auto Scaling's.
      const scalingTarget = this.scalableTarget.node.findChild('Target') as appscaling.ScalableTarget;
      // Under the scalable target with the ids scaleOnCpuUtilization() uses: switching the option keeps the logical IDs.
      const track = (id: string, type: string, target: number) => new appscaling.TargetTrackingScalingPolicy(scalingTarget, id, {
        scalingTarget, predefinedMetric: type as appscaling.PredefinedMetric, targetValue: target, ...cooldowns,
      });
      if (resolved.cpuPercent !== undefined) track('Cpu', 'ECSServiceAverageCPUUtilizationHighResolution', resolved.cpuPercent);
      if (resolved.memoryPercent !== undefined) track('Memory', 'ECSServiceAverageMemoryUtilizationHighResolution', resolved.memoryPercent);
    } else {
      if (resolved.cpuPercent !== undefined) {
        this.scalableTarget.scaleOnCpuUtilization('Cpu', { targetUtilizationPercent: resolved.cpuPercent, ...cooldowns });
      }
      if (resolved.memoryPercent !== undefined) {
        this.scalableTarget.scaleOnMemoryUtilization('Memory', { targetUtilizationPercent: resolved.memoryPercent, ...cooldowns });
      }
    }
    if (resolved.requestsPerTask !== undefined && targetGroup && alternateTargetGroup) {
      this.trackRequestsOfBothTargetGroups(resolved.requestsPerTask, [targetGroup, alternateTargetGroup], cooldowns);
    } else if (resolved.requestsPerTask !== undefined && targetGroup) {
      this.scalableTarget.scaleOnRequestCount('Requests', { requestsPerTarget: resolved.requestsPerTask, targetGroup, ...cooldowns });
    }
    if (resolved.resolvedPredictive) {
      const target = this.scalableTarget.node.findChild('Target') as appscaling.ScalableTarget;
      const groups = [targetGroup, alternateTargetGroup].filter((g): g is elbv2.ApplicationTargetGroup => g !== undefined);
      addPredictiveScalingPolicy(this.scalableTarget, target.scalableTargetId, resolved.resolvedPredictive, groups);
    }
  }

  /**
   * Blue/green: production traffic is on one target group or the other, so track the requests per target of both.
   * The predefined ALBRequestCountPerTarget takes one target group (its resource label), so this is a customized
   * metric with metric math (https://docs.aws.amazon.com/autoscaling/application/userguide/application-auto-scaling-target-tracking-metric-math.html).
   * The target group without traffic has no targets and no data: FILL(…, 0) keeps the sum defined, and with no
   * traffic at all the sum is 0, which lets the service scale in to its minimum.
   */
  private trackRequestsOfBothTargetGroups(requestsPerTask: number, groups: elbv2.ApplicationTargetGroup[],
    cooldowns: { scaleInCooldown: Duration; scaleOutCooldown: Duration }): void {
    const target = this.scalableTarget.node.findChild('Target') as appscaling.ScalableTarget;
    const ids = ['requestsa', 'requestsb'];
    new appscaling.CfnScalingPolicy(this.scalableTarget, 'Requests', {
      policyName: `${Names.uniqueId(this.scalableTarget)}Requests`.slice(-255),
      policyType: 'TargetTrackingScaling',
      scalingTargetId: target.scalableTargetId,
      targetTrackingScalingPolicyConfiguration: {
        targetValue: requestsPerTask,
        scaleInCooldown: cooldowns.scaleInCooldown.toSeconds(),
        scaleOutCooldown: cooldowns.scaleOutCooldown.toSeconds(),
        customizedMetricSpecification: {
          metrics: [
            ...groups.map((g, i) => {
              const stat = g.metrics.requestCountPerTarget({ statistic: 'Sum', period: Duration.minutes(1) }).toMetricConfig().metricStat!;
              return {
                id: ids[i],
                returnData: false,
                metricStat: {
                  stat: 'Sum',
                  metric: {
                    namespace: stat.namespace,
                    metricName: stat.metricName,
                    dimensions: stat.dimensions?.map(d => ({ name: d.name, value: d.value })),
                  },
                },
              };
            }),
            { id: 'requestsPerTarget', label: 'Requests per target (both target groups)', returnData: true, expression: 'FILL(requestsa, 0) + FILL(requestsb, 0)' },
          ],
        },
      },
    });
  }

  /** Step scaling on any CloudWatch metric. */
  public scaleOnMetric(id: string, options: MetricScalingOptions): void {
    if (!options.steps || options.steps.length < 2) {
      invalidProp(this.scope, 'steps', options.steps, 'Give at least two steps, one scaling out (change > 0) and one scaling in (change < 0), e.g. [{ upper: 10, change: -1 }, { lower: 100, change: +2 }].');
    }
    for (const step of options.steps) {
      checkNumber(this.scope, 'steps.change', step.change, { min: -5000, max: 5000, integer: true });
      if (step.lower === undefined && step.upper === undefined) {
        invalidProp(this.scope, 'steps', step, 'Each step needs a lower or an upper bound.');
      }
    }
    checkNumber(this.scope, 'alarmEvaluationPeriods', options.alarmEvaluationPeriods, { min: 1, max: 100, integer: true });
    checkCooldown(this.scope, 'cooldown', options.cooldown);
    this.scalableTarget.scaleOnMetric(id, {
      metric: options.metric,
      scalingSteps: options.steps.map(s => ({ lower: s.lower, upper: s.upper, change: s.change })),
      adjustmentType: appscaling.AdjustmentType.CHANGE_IN_CAPACITY,
      evaluationPeriods: options.alarmEvaluationPeriods ?? 1,
      cooldown: options.cooldown ?? Duration.minutes(2),
    });
  }

  /** Scheduled scaling: set min/max tasks at a time (cron, rate or at, with a time zone). */
  public scaleOnSchedule(id: string, options: ScheduledScalingOptions): void {
    if (options.minTasks === undefined && options.maxTasks === undefined) {
      invalidProp(this.scope, 'minTasks', undefined, 'A scheduled action sets minTasks, maxTasks or both.');
    }
    checkNumber(this.scope, 'minTasks', options.minTasks, { min: 0, max: 5000, integer: true });
    checkNumber(this.scope, 'maxTasks', options.maxTasks, { min: 0, max: 5000, integer: true });
    if (isConcrete(options.minTasks) && isConcrete(options.maxTasks) && options.minTasks > options.maxTasks) {
      invalidProp(this.scope, 'minTasks', options.minTasks, `minTasks must not exceed maxTasks (${options.maxTasks}).`);
    }
    if (!options.schedule || !(options.schedule instanceof Schedule)) {
      invalidProp(this.scope, 'schedule', options.schedule, "Use Schedule.cron('0 8 * * ? *'), Schedule.rate(Duration.hours(1)) or Schedule.at(new Date(...)).");
    }
    // The same expression and time zone rules as a ScheduledTask's: Application Auto Scaling and EventBridge Scheduler
    // take the same at(), rate() and cron() forms and IANA time zones (see Schedule).
    const rendered = options.schedule._render(this.scope, options.timeZone);
    this.scalableTarget.scaleOnSchedule(id, {
      schedule: appscaling.Schedule.expression(rendered.expression),
      // Schedule.at() is written in UTC and comes without a time zone.
      timeZone: rendered.timeZone === undefined ? undefined : options.timeZone,
      minCapacity: options.minTasks,
      maxCapacity: options.maxTasks,
    });
  }

  /** The scaling options the service was created with. */
  public get settings(): ScalingOptions {
    return this.options;
  }
}
