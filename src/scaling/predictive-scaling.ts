import { Duration, Names } from 'aws-cdk-lib';
import * as appscaling from 'aws-cdk-lib/aws-applicationautoscaling';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import { IConstruct } from 'constructs';
import { checkNumber, invalidProp } from '../private/validation';

/*
 * Predictive scaling of an ECS service (Application Auto Scaling supports it for ECS services only):
 * https://docs.aws.amazon.com/autoscaling/application/userguide/aas-predictive-scaling-how-it-works.html
 * https://docs.aws.amazon.com/AmazonECS/latest/developerguide/predictive-scaling-create-policy.html
 * https://docs.aws.amazon.com/autoscaling/application/APIReference/API_PredictiveScalingPolicyConfiguration.html
 * https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-properties-applicationautoscaling-scalingpolicy-predictivescalingpolicyconfiguration.html
 * aws-cdk-lib 2.271 has no L2 for it: the policy is an `applicationautoscaling.CfnScalingPolicy` on the service's
 * scalable target.
 */

/**
 * Whether predictive scaling only forecasts or also scales.
 */
export enum PredictiveScalingMode {
  /** Forecast the capacity the service needs, without acting on it: review the forecast before it scales. */
  FORECAST_ONLY = 'FORECAST_ONLY',
  /** Forecast and scale out ahead of the forecast load (predictive scaling never scales in). */
  FORECAST_AND_SCALE = 'FORECAST_AND_SCALE',
}

/**
 * The load a predictive scaling policy forecasts and the per-task metric its target applies to.
 */
export enum PredictiveScalingMetric {
  /** Total CPU of the service (load) and average CPU utilization per task, percent (the ECSServiceCPUUtilization pair). */
  CPU = 'CPU',
  /** Total memory of the service (load) and average memory utilization per task, percent (the ECSServiceMemoryUtilization pair). */
  MEMORY = 'MEMORY',
  /** Requests to the Application Load Balancer target group (load) and requests per task (the ALBRequestCount pair), web services only. */
  REQUESTS = 'REQUESTS',
}

/**
 * Predictive scaling of a service: hourly forecasts of the capacity it needs, from up to 14 days of its metrics.
 */
export interface PredictiveScalingOptions {
  /**
   * Whether the policy only forecasts or also scales out ahead of the forecast.
   *
   * Start with `FORECAST_ONLY`, compare the forecast with the real load in the console (it needs at least 24 hours
   * of metric data), then switch to `FORECAST_AND_SCALE`.
   *
   * @default PredictiveScalingMode.FORECAST_ONLY
   */
  readonly mode?: PredictiveScalingMode;

  /**
   * The metric whose load is forecast and whose per-task value `targetValue` applies to.
   *
   * @default - the first target the service tracks: CPU, else MEMORY, else REQUESTS
   */
  readonly metric?: PredictiveScalingMetric;

  /**
   * The value of the per-task metric each task should run at: utilization percent (1-100) for CPU and MEMORY, requests per task per minute for REQUESTS.
   *
   * Keep it equal to the target tracking target of the same metric so that both policies want the same capacity.
   *
   * @default - the service's target tracking target of the same metric (`cpuPercent`, `memoryPercent` or `requestsPerTask`), 70 for CPU and MEMORY without one
   */
  readonly targetValue?: number;

  /**
   * How long before each forecast hour its capacity is scheduled, so that tasks are running when the hour starts (0 to 1 hour, whole seconds).
   *
   * @default Duration.minutes(5)
   */
  readonly schedulingBuffer?: Duration;

  /**
   * Let the forecast raise the most tasks above `maxTasks`, up to the forecast capacity plus this percentage (0-100).
   *
   * Application Auto Scaling then keeps the raised maximum (`IncreaseMaxCapacity`). Without it the forecast never
   * takes the service above `maxTasks` (`HonorMaxCapacity`).
   *
   * @default - never above maxTasks
   */
  readonly maxTasksBufferPercent?: number;
}

/**
 * Predictive scaling options with their defaults, validated.
 *
 * @internal
 */
export interface ResolvedPredictiveScaling {
  readonly mode: PredictiveScalingMode;
  readonly metric: PredictiveScalingMetric;
  readonly targetValue: number;
  readonly schedulingBufferSeconds: number;
  readonly maxTasksBufferPercent?: number;
}

/** The service's target tracking targets, to default the predictive metric and its target from. */
export interface TrackedTargets {
  readonly cpuPercent?: number;
  readonly memoryPercent?: number;
  readonly requestsPerTask?: number;
}

/**
 * Validate predictive scaling options and fill in their defaults.
 *
 * @internal
 */
export function resolvePredictiveScaling(scope: IConstruct, options: PredictiveScalingOptions, targets: TrackedTargets,
  behindAlb: boolean): ResolvedPredictiveScaling {
  const mode = options.mode ?? PredictiveScalingMode.FORECAST_ONLY;
  if (!Object.values(PredictiveScalingMode).includes(mode)) {
    invalidProp(scope, 'scaling.predictive.mode', mode, `Use PredictiveScalingMode.${Object.values(PredictiveScalingMode).join(' or PredictiveScalingMode.')}.`);
  }
  const metric = options.metric ?? (targets.cpuPercent !== undefined ? PredictiveScalingMetric.CPU
    : targets.memoryPercent !== undefined ? PredictiveScalingMetric.MEMORY : PredictiveScalingMetric.REQUESTS);
  if (!Object.values(PredictiveScalingMetric).includes(metric)) {
    invalidProp(scope, 'scaling.predictive.metric', metric, `Use PredictiveScalingMetric.${Object.values(PredictiveScalingMetric).join(', PredictiveScalingMetric.')}.`);
  }
  // "ALBRequestCountPerTarget is only supported when you have attached an Application Load Balancer target group
  // to your service" (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/predictive-scaling-create-policy.html).
  if (metric === PredictiveScalingMetric.REQUESTS && !behindAlb) {
    invalidProp(scope, 'scaling.predictive.metric', metric,
      'Request forecasts need an Application Load Balancer target group: use WebService, or PredictiveScalingMetric.CPU or MEMORY.');
  }
  const tracked = metric === PredictiveScalingMetric.CPU ? targets.cpuPercent
    : metric === PredictiveScalingMetric.MEMORY ? targets.memoryPercent : targets.requestsPerTask;
  const targetValue = options.targetValue ?? tracked ?? (metric === PredictiveScalingMetric.REQUESTS ? undefined : 70);
  if (targetValue === undefined) {
    invalidProp(scope, 'scaling.predictive.targetValue', undefined,
      'Request forecasts need the requests each task should serve per minute: set scaling.predictive.targetValue or scaling.requestsPerTask.');
  }
  if (metric === PredictiveScalingMetric.REQUESTS) {
    checkNumber(scope, 'scaling.predictive.targetValue', targetValue, { min: 1, max: 1_000_000 });
  } else {
    // A utilization target is a percentage of the tasks' reservation.
    checkNumber(scope, 'scaling.predictive.targetValue', targetValue, { min: 1, max: 100 });
  }
  // "The amount of time, in seconds, that the start time can be advanced. The value must be less than the forecast
  // interval duration of 3600 seconds (60 minutes). Defaults to 300 seconds"
  // (https://docs.aws.amazon.com/autoscaling/application/APIReference/API_PredictiveScalingPolicyConfiguration.html);
  // AWS's own example policy uses 3600, the largest value the API takes
  // (https://docs.aws.amazon.com/autoscaling/application/userguide/aas-create-predictive-scaling-policy.html).
  const buffer = options.schedulingBuffer?.toSeconds({ integral: false });
  checkNumber(scope, 'scaling.predictive.schedulingBuffer (seconds)', buffer, { min: 0, max: 3600, integer: true });
  // MaxCapacityBuffer: a percentage of the forecast capacity, "Required if the MaxCapacityBreachBehavior property is
  // set to IncreaseMaxCapacity, and cannot be used otherwise"; Valid Range: maximum value of 100
  // (https://docs.aws.amazon.com/autoscaling/application/APIReference/API_PredictiveScalingPolicyConfiguration.html).
  checkNumber(scope, 'scaling.predictive.maxTasksBufferPercent', options.maxTasksBufferPercent, { min: 0, max: 100, integer: true });
  return {
    mode,
    metric,
    targetValue,
    schedulingBufferSeconds: buffer ?? 300,
    maxTasksBufferPercent: options.maxTasksBufferPercent,
  };
}

/** The predefined metric pair of each metric for ECS services (load metric + scaling metric). */
const METRIC_PAIRS: Record<PredictiveScalingMetric, string> = {
  [PredictiveScalingMetric.CPU]: 'ECSServiceCPUUtilization',
  [PredictiveScalingMetric.MEMORY]: 'ECSServiceMemoryUtilization',
  [PredictiveScalingMetric.REQUESTS]: 'ALBRequestCount',
};

/**
 * Create the predictive scaling policy on a scalable target.
 *
 * @param targetGroups the Application Load Balancer target groups whose requests the REQUESTS metric forecasts
 * (two for a service with an alternate target group: production traffic is on one or the other)
 * @internal
 */
export function addPredictiveScalingPolicy(scalableTarget: IConstruct, scalingTargetId: string, resolved: ResolvedPredictiveScaling,
  targetGroups: elbv2.ApplicationTargetGroup[]): appscaling.CfnScalingPolicy {
  let metricSpecification: appscaling.CfnScalingPolicy.PredictiveScalingMetricSpecificationProperty;
  if (resolved.metric === PredictiveScalingMetric.REQUESTS && targetGroups.length > 1) {
    metricSpecification = requestsOfBothTargetGroups(resolved.targetValue, targetGroups);
  } else {
    const group = targetGroups[0];
    metricSpecification = {
      targetValue: resolved.targetValue,
      predefinedMetricPairSpecification: {
        predefinedMetricType: METRIC_PAIRS[resolved.metric],
        // The pair's resource label names the target group: app/<load balancer>/<id>/targetgroup/<name>/<id>.
        resourceLabel: resolved.metric === PredictiveScalingMetric.REQUESTS
          ? `${group.firstLoadBalancerFullName}/${group.targetGroupFullName}` : undefined,
      },
    };
  }
  const increase = resolved.maxTasksBufferPercent !== undefined;
  return new appscaling.CfnScalingPolicy(scalableTarget, 'Predictive', {
    policyName: `${Names.uniqueId(scalableTarget)}Predictive`.slice(-255),
    policyType: 'PredictiveScaling',
    scalingTargetId,
    predictiveScalingPolicyConfiguration: {
      mode: resolved.mode === PredictiveScalingMode.FORECAST_AND_SCALE ? 'ForecastAndScale' : 'ForecastOnly',
      schedulingBufferTime: resolved.schedulingBufferSeconds,
      maxCapacityBreachBehavior: increase ? 'IncreaseMaxCapacity' : 'HonorMaxCapacity',
      maxCapacityBuffer: increase ? resolved.maxTasksBufferPercent : undefined,
      metricSpecifications: [metricSpecification],
    },
  });
}

/**
 * The ALBRequestCount pair names one target group. With an alternate target group production traffic is on one or
 * the other, so the load is the sum of both groups' requests and the scaling metric the sum of their requests per
 * target (the group without traffic has no targets and no data: FILL(…, 0)), as customized metrics
 * (https://docs.aws.amazon.com/autoscaling/application/APIReference/API_PredictiveScalingMetricSpecification.html).
 */
function requestsOfBothTargetGroups(targetValue: number, groups: elbv2.ApplicationTargetGroup[]):
appscaling.CfnScalingPolicy.PredictiveScalingMetricSpecificationProperty {
  const ids = ['a', 'b'];
  const queries = (metricOf: (g: elbv2.ApplicationTargetGroup) => cloudwatch.Metric, stat: string, prefix: string, label: string) => [
    ...groups.map((g, i) => {
      const metric = metricOf(g).toMetricConfig().metricStat!;
      return {
        id: `${prefix}${ids[i]}`,
        returnData: false,
        metricStat: {
          stat,
          metric: {
            namespace: metric.namespace,
            metricName: metric.metricName,
            dimensions: metric.dimensions?.map(d => ({ name: d.name, value: d.value })),
          },
        },
      };
    }),
    { id: prefix, label, returnData: true, expression: groups.map((_, i) => `FILL(${prefix}${ids[i]}, 0)`).join(' + ') },
  ];
  // RequestCountPerTarget: "The only valid statistic is Sum"
  // (https://docs.aws.amazon.com/elasticloadbalancing/latest/application/load-balancer-cloudwatch-metrics.html).
  const period = Duration.minutes(1);
  return {
    targetValue,
    customizedLoadMetricSpecification: { metricDataQueries: queries(g => g.metrics.requestCount({ period }), 'Sum', 'requests', 'Requests (both target groups)') },
    customizedScalingMetricSpecification: {
      metricDataQueries: queries(g => g.metrics.requestCountPerTarget({ period }), 'Sum', 'requestsPerTarget', 'Requests per target (both target groups)'),
    },
  };
}
