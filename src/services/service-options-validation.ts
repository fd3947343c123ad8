import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { IConstruct } from 'constructs';
import { ResolvedDeployment, resolveDeployment } from './deployment-strategy-resolve';
import { ServiceBaseProps, ServiceFrontEnd } from './service-options';
import { resolveAlarmOptions, ServiceAlarmOptions } from '../operations/service-alarms';
import { checkNumber, invalidProp, isConcrete } from '../private/validation';
import { ResolvedScaling, resolveScaling } from '../scaling/service-scaling';

/**
 * What every service takes besides its workload, defaulted and validated once: the base and the concrete services
 * build from this object and never default a prop again.
 *
 * @internal
 */
export interface ResolvedServiceOptions {
  /** The fixed task count, or undefined when auto scaling sets it. */
  readonly desiredCount?: number;
  /** Tasks the service runs when idle: the desired count, or the minimum of its auto scaling. */
  readonly baselineTaskCount: number;
  readonly circuitBreaker: boolean;
  readonly minHealthyPercent: number;
  readonly maxHealthyPercent: number;
  readonly deploymentAlarms: cloudwatch.IAlarm[];
  /** The rollout: strategy (rolling, blue/green, canary, linear), lifecycle hooks, rollback on alarm, circuit breaker tuning. */
  readonly deployment: ResolvedDeployment;
  readonly enableExecuteCommand: boolean;
  readonly healthCheckGracePeriod?: Duration;
  readonly scaling?: ResolvedScaling;
  /** The alarm options, or undefined when alarms are turned off. */
  readonly alarms?: ServiceAlarmOptions;
  readonly dashboard: boolean;
}

/** Tasks of a service without auto scaling: one per Availability Zone, so an outage of one zone keeps it up. */
const DEFAULT_DESIRED_COUNT = 2;

/**
 * Validate what every service takes besides its workload (the workload validates itself) and fill in the defaults.
 *
 * @internal
 */
export function resolveServiceOptions(scope: IConstruct, props: ServiceBaseProps): ResolvedServiceOptions {
  const behindAlb = props.frontEnd === ServiceFrontEnd.APPLICATION_LOAD_BALANCER;
  // Tasks per service: 5,000, not adjustable (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/service-quotas.html).
  checkNumber(scope, 'desiredCount', props.desiredCount, { min: 0, max: 5000, integer: true });
  if (props.desiredCount !== undefined && props.scaling) {
    invalidProp(scope, 'desiredCount', props.desiredCount, 'With scaling the task count is auto scaling\'s to set (between minTasks and maxTasks); remove desiredCount.');
  }
  const scaling = props.scaling ? resolveScaling(scope, props.scaling, behindAlb) : undefined;
  const d = props.deployment ?? {};
  // Rolling deployments: minimumHealthyPercent is a share of the desired count kept running (0-100), maximumPercent
  // the share allowed to run (at least 100); above 200 a rolling deployment gains nothing, since 200 already starts
  // every new task at once (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/deployment-type-ecs.html).
  checkNumber(scope, 'deployment.minHealthyPercent', d.minHealthyPercent, { min: 0, max: 100, integer: true });
  checkNumber(scope, 'deployment.maxHealthyPercent', d.maxHealthyPercent, { min: 100, max: 200, integer: true });
  const minHealthy = d.minHealthyPercent ?? 100;
  const maxHealthy = d.maxHealthyPercent ?? 200;
  if (isConcrete(minHealthy) && isConcrete(d.maxHealthyPercent) && minHealthy === 100 && d.maxHealthyPercent === 100) {
    invalidProp(scope, 'deployment.maxHealthyPercent', 100,
      `With minHealthyPercent 100${d.minHealthyPercent === undefined ? ' (the default)' : ''} and maxHealthyPercent 100 ECS can neither stop an old task nor start a new one; raise maxHealthyPercent, or lower minHealthyPercent (e.g. 50) to replace tasks in place.`);
  }
  if (props.healthCheckGracePeriod !== undefined) {
    // "a health check grace period of up to 2,147,483,647 seconds", in whole seconds
    // (https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_CreateService.html).
    checkNumber(scope, 'healthCheckGracePeriod (seconds)', props.healthCheckGracePeriod.toSeconds({ integral: false }), { min: 0, max: 2_147_483_647, integer: true });
  }
  const alarms = resolveAlarmOptions(scope, props.alarms);
  const deployment = resolveDeployment(scope, props, alarms.enabled);
  const desiredCount = scaling ? undefined : (props.desiredCount ?? DEFAULT_DESIRED_COUNT);
  return {
    desiredCount,
    baselineTaskCount: scaling ? scaling.minTasks : desiredCount!,
    circuitBreaker: d.circuitBreaker ?? true,
    minHealthyPercent: minHealthy,
    maxHealthyPercent: maxHealthy,
    deploymentAlarms: d.alarms ?? [],
    deployment,
    enableExecuteCommand: props.enableExecuteCommand ?? false,
    healthCheckGracePeriod: props.healthCheckGracePeriod
      ?? (props.frontEnd !== ServiceFrontEnd.NONE ? Duration.seconds(30) : undefined),
    scaling,
    alarms: alarms.enabled ? (props.alarms ?? {}) : undefined,
    dashboard: props.dashboard ?? false,
  };
}
