import { Annotations, Duration, Token } from 'aws-cdk-lib';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { IConstruct } from 'constructs';
import { CircuitBreakerThreshold, DeploymentLifecycleHook, DeploymentStrategy, DeploymentStrategyType } from './deployment-strategy';
import { ServiceBaseProps, ServiceFrontEnd } from './service-options';
import { checkNumber, describeValue, invalidProp } from '../private/validation';

/** The default header of the test route (ALB and Service Connect). */
export const DEFAULT_TEST_HEADER = 'x-foundry-test';
/** Both revisions run this long after all traffic shifted, unless `bakeTime` says otherwise. */
export const DEFAULT_BAKE_TIME = Duration.minutes(10);
/** `CanaryBakeTimeInMinutes` default of ECS (https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_CanaryConfiguration.html). */
export const DEFAULT_CANARY_BAKE_TIME = Duration.minutes(10);
/** `StepBakeTimeInMinutes` default of ECS (https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_LinearConfiguration.html). */
export const DEFAULT_STEP_BAKE_TIME = Duration.minutes(6);

/**
 * The deployment strategy, defaulted and validated for the service's front end: every service builds from this.
 *
 * @internal
 */
export interface ResolvedDeploymentStrategy {
  readonly type: DeploymentStrategyType;
  /** True for blue/green, canary and linear: two revisions run side by side and traffic shifts between them. */
  readonly trafficShift: boolean;
  /** Both revisions run this long after all traffic shifted (traffic-shifting strategies only). */
  readonly bakeTime?: Duration;
  /** Header of the test route (ALB and Service Connect, traffic-shifting strategies only). */
  readonly testHeader?: string;
  /** The test listener port given (NLB only); undefined means the service's port + 1. */
  readonly testListenerPort?: number;
  readonly canary?: { readonly percent: number; readonly bakeTime: Duration };
  readonly linear?: { readonly stepPercent: number; readonly stepBakeTime: Duration };
}

/**
 * A lifecycle hook, validated.
 *
 * @internal
 */
export interface ResolvedLifecycleHook {
  readonly handler: lambda.IFunction;
  readonly stages: ecs.DeploymentLifecycleStage[];
}

/**
 * The deployment part of the resolved service options.
 *
 * @internal
 */
export interface ResolvedDeployment {
  readonly strategy: ResolvedDeploymentStrategy;
  readonly lifecycleHooks: ResolvedLifecycleHook[];
  /** The service's own alarms roll a deployment back. */
  readonly rollbackOnAlarm: boolean;
  readonly circuitBreakerThreshold?: CircuitBreakerThreshold;
  readonly circuitBreakerResetOnHealthyTask?: boolean;
}

const DEPLOYMENT_PAGES: Record<DeploymentStrategyType, string> = {
  [DeploymentStrategyType.ROLLING]: 'https://docs.aws.amazon.com/AmazonECS/latest/developerguide/deployment-type-ecs.html',
  [DeploymentStrategyType.BLUE_GREEN]: 'https://docs.aws.amazon.com/AmazonECS/latest/developerguide/blue-green-deployment-implementation.html',
  [DeploymentStrategyType.CANARY]: 'https://docs.aws.amazon.com/AmazonECS/latest/developerguide/canary-deployment-implementation.html',
  [DeploymentStrategyType.LINEAR]: 'https://docs.aws.amazon.com/AmazonECS/latest/developerguide/linear-deployment-implementation.html',
};

/** Stages in which traffic moves: meaningless for a service that has no traffic to shift. */
const TRAFFIC_STAGES = new Set<string>([
  ecs.DeploymentLifecycleStage.TEST_TRAFFIC_SHIFT, ecs.DeploymentLifecycleStage.POST_TEST_TRAFFIC_SHIFT,
  ecs.DeploymentLifecycleStage.PRODUCTION_TRAFFIC_SHIFT, ecs.DeploymentLifecycleStage.POST_PRODUCTION_TRAFFIC_SHIFT,
]);
const ALL_STAGES = new Set<string>(Object.values(ecs.DeploymentLifecycleStage));

/**
 * CloudFormation rejects a canary or linear deployment whose modeled time passes 33 hours (its operations time out
 * after 36): https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-properties-ecs-service-canaryconfiguration.html
 * and https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-properties-ecs-service-linearconfiguration.html.
 */
const CLOUDFORMATION_DEPLOYMENT_LIMIT_MINUTES = 33 * 60;

/**
 * Number of linear steps CloudFormation counts: (100 ÷ StepPercent) − 1 when StepPercent divides 100, else the floor
 * of 100 ÷ StepPercent (no step bake time after the last shift), per the LinearConfiguration page above.
 *
 * @internal
 */
export function linearBakedSteps(stepPercent: number): number {
  const tenths = Math.round(stepPercent * 10);
  return 1000 % tenths === 0 ? 1000 / tenths - 1 : Math.floor(1000 / tenths);
}

/**
 * Validate `deployment.strategy` (or the deprecated `deployment.blueGreen`), the lifecycle hooks, rollback on alarm
 * and the circuit breaker tuning for the service's front end, and fill in the defaults.
 *
 * @internal
 */
export function resolveDeployment(scope: IConstruct, props: ServiceBaseProps, alarmsEnabled: boolean): ResolvedDeployment {
  const d = props.deployment ?? {};
  if (d.blueGreen !== undefined && d.strategy !== undefined) {
    invalidProp(scope, 'deployment.blueGreen', d.blueGreen,
      'blueGreen is deprecated and strategy replaces it: give only strategy: DeploymentStrategy.blueGreen({ ... }).');
  }
  // Checked by shape, not instanceof: two copies of the library in one app (a monorepo) make two classes.
  if (d.strategy !== undefined && !isStrategy(d.strategy)) {
    invalidProp(scope, 'deployment.strategy', d.strategy,
      'Use DeploymentStrategy.rolling(), .blueGreen(), .canary({ percent }) or .linear({ stepPercent }).');
  }
  const prop = d.blueGreen !== undefined ? 'deployment.blueGreen' : 'deployment.strategy';
  if (d.blueGreen !== undefined && props.frontEnd !== ServiceFrontEnd.APPLICATION_LOAD_BALANCER) {
    invalidProp(scope, 'deployment.blueGreen', d.blueGreen, 'Native blue/green shifts traffic between two target groups of an Application Load Balancer; use it with WebService.');
  }
  const given = d.strategy ?? (d.blueGreen !== undefined ? DeploymentStrategy.blueGreen(d.blueGreen) : DeploymentStrategy.rolling());
  const strategy = resolveStrategy(scope, prop, given, props.frontEnd);
  const lifecycleHooks = resolveHooks(scope, d.lifecycleHooks, strategy, props.frontEnd);

  const rollbackOnAlarm = d.rollbackOnAlarm ?? strategy.trafficShift;
  if (!alarmsEnabled && d.rollbackOnAlarm === true) {
    invalidProp(scope, 'deployment.rollbackOnAlarm', true,
      'The service\'s alarms are turned off (alarms: { enabled: false }), so none can roll a deployment back: turn alarms on, give deployment.alarms, or remove rollbackOnAlarm.');
  }
  if (!alarmsEnabled && d.rollbackOnAlarm === undefined && strategy.trafficShift && (d.alarms ?? []).length === 0) {
    Annotations.of(scope).addWarningV2('cdk-ecs-foundry:deploymentWithoutAlarms',
      `${scope.node.path} uses a ${strategy.type} deployment with the service's alarms turned off and no deployment.alarms: `
      + 'no alarm can roll a deployment back, only failing tasks (circuit breaker) and lifecycle hooks. Turn alarms on, give '
      + 'deployment.alarms, or set rollbackOnAlarm: false to acknowledge.');
  }

  if (d.circuitBreaker === false && (d.circuitBreakerThreshold !== undefined || d.circuitBreakerResetOnHealthyTask !== undefined)) {
    invalidProp(scope, d.circuitBreakerThreshold !== undefined ? 'deployment.circuitBreakerThreshold' : 'deployment.circuitBreakerResetOnHealthyTask',
      d.circuitBreakerThreshold?.value ?? d.circuitBreakerResetOnHealthyTask,
      'They tune the circuit breaker, which circuitBreaker: false turns off: remove them, or turn the circuit breaker on.');
  }
  if (d.circuitBreakerThreshold !== undefined) {
    if (typeof d.circuitBreakerThreshold !== 'object' || typeof d.circuitBreakerThreshold._thresholdType !== 'string') {
      invalidProp(scope, 'deployment.circuitBreakerThreshold', d.circuitBreakerThreshold,
        'Use CircuitBreakerThreshold.percent(), .unboundedPercent() or .count().');
    }
    // ThresholdConfiguration.value: an integer (https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_ThresholdConfiguration.html);
    // 0 would stop every deployment at its first failed task.
    checkNumber(scope, 'deployment.circuitBreakerThreshold', d.circuitBreakerThreshold.value, { min: 1, integer: true });
  }
  return {
    strategy,
    lifecycleHooks,
    rollbackOnAlarm,
    circuitBreakerThreshold: d.circuitBreakerThreshold,
    circuitBreakerResetOnHealthyTask: d.circuitBreakerResetOnHealthyTask,
  };
}

function isStrategy(value: DeploymentStrategy): boolean {
  return typeof value === 'object' && value !== null && Object.values(DeploymentStrategyType).includes(value.type)
    && typeof value._options === 'object' && value._options !== null;
}

function resolveStrategy(scope: IConstruct, prop: string, given: DeploymentStrategy, frontEnd: ServiceFrontEnd): ResolvedDeploymentStrategy {
  const type = given.type;
  const o = given._options;
  if (type === DeploymentStrategyType.ROLLING) {
    return { type, trafficShift: false };
  }
  // Canary and linear need managed traffic shifting: Elastic Load Balancing or Service Connect. Blue/green also runs
  // without them ("Services that don't use Service Discovery, Service Connect, VPC Lattice or Elastic Load Balancing
  // can also use blue/green deployments, but don't get any of the managed traffic shifting benefits").
  if (frontEnd === ServiceFrontEnd.NONE && type !== DeploymentStrategyType.BLUE_GREEN) {
    invalidProp(scope, prop, type,
      `A ${type.toLowerCase()} deployment shifts traffic through a load balancer or Service Connect, and this service has neither `
      + `(${DEPLOYMENT_PAGES[type]}); use DeploymentStrategy.blueGreen() (both revisions run side by side for the bake time) or rolling().`);
  }
  const bakeTime = o.bakeTime ?? DEFAULT_BAKE_TIME;
  // BakeTimeInMinutes: 0-1440 (https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_DeploymentConfiguration.html).
  const bakeMinutes = wholeMinutes(scope, `${prop}.bakeTime`, bakeTime);

  let testHeader: string | undefined;
  if (o.testHeader !== undefined) {
    if (frontEnd === ServiceFrontEnd.NETWORK_LOAD_BALANCER || frontEnd === ServiceFrontEnd.NONE) {
      invalidProp(scope, `${prop}.testHeader`, o.testHeader, frontEnd === ServiceFrontEnd.NONE
        ? 'This service has no traffic to route: remove testHeader.'
        : 'A Network Load Balancer does not read HTTP headers: test traffic reaches the new revision on testListenerPort; remove testHeader.');
    }
    if (Token.isUnresolved(o.testHeader) || !/^[A-Za-z0-9-]{1,40}$/.test(o.testHeader)) {
      invalidProp(scope, `${prop}.testHeader`, o.testHeader, "Use an HTTP header name: letters, digits and '-' (up to 40).");
    }
  }
  if (frontEnd === ServiceFrontEnd.APPLICATION_LOAD_BALANCER || frontEnd === ServiceFrontEnd.SERVICE_CONNECT) {
    testHeader = o.testHeader ?? DEFAULT_TEST_HEADER;
  }
  if (o.testListenerPort !== undefined) {
    if (frontEnd !== ServiceFrontEnd.NETWORK_LOAD_BALANCER) {
      invalidProp(scope, `${prop}.testListenerPort`, o.testListenerPort,
        frontEnd === ServiceFrontEnd.NONE ? 'This service has no traffic to route: remove testListenerPort.'
          : 'Test traffic reaches the new revision through testHeader on the production listener; testListenerPort is for a NetworkService: remove it.');
    }
    checkNumber(scope, `${prop}.testListenerPort`, o.testListenerPort, { min: 1, max: 65535, integer: true });
  }

  let canary: ResolvedDeploymentStrategy['canary'];
  let linear: ResolvedDeploymentStrategy['linear'];
  if (type === DeploymentStrategyType.CANARY) {
    // canaryPercent: "multiples of 0.1 from 0.1 to 100.0"; canaryBakeTimeInMinutes: "0 to 1440 minutes"
    // (https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_CanaryConfiguration.html).
    const percent = tenthsPercent(scope, `${prop}.percent`, o.percent, 0.1);
    const canaryBake = o.canaryBakeTime ?? DEFAULT_CANARY_BAKE_TIME;
    const canaryMinutes = wholeMinutes(scope, `${prop}.canaryBakeTime`, canaryBake);
    if (bakeMinutes + canaryMinutes > CLOUDFORMATION_DEPLOYMENT_LIMIT_MINUTES) {
      invalidProp(scope, `${prop}.canaryBakeTime`, canaryBake.toHumanString(),
        `bakeTime (${bakeMinutes} min) + canaryBakeTime (${canaryMinutes} min) passes the 33 hours CloudFormation allows a canary deployment `
        + '(https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-properties-ecs-service-canaryconfiguration.html): shorten them.');
    }
    canary = { percent, bakeTime: canaryBake };
  } else if (type === DeploymentStrategyType.LINEAR) {
    // stepPercent: "multiples of 0.1 from 3.0 to 100.0"; stepBakeTimeInMinutes: "0 to 1440 minutes"
    // (https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_LinearConfiguration.html).
    const stepPercent = tenthsPercent(scope, `${prop}.stepPercent`, o.stepPercent, 3);
    const stepBake = o.stepBakeTime ?? DEFAULT_STEP_BAKE_TIME;
    const stepMinutes = wholeMinutes(scope, `${prop}.stepBakeTime`, stepBake);
    const steps = linearBakedSteps(stepPercent);
    if (bakeMinutes + stepMinutes * steps > CLOUDFORMATION_DEPLOYMENT_LIMIT_MINUTES) {
      invalidProp(scope, `${prop}.stepBakeTime`, stepBake.toHumanString(),
        `bakeTime (${bakeMinutes} min) + stepBakeTime (${stepMinutes} min) × ${steps} steps passes the 33 hours CloudFormation allows a linear deployment `
        + '(https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-properties-ecs-service-linearconfiguration.html): shorten them or raise stepPercent.');
    }
    linear = { stepPercent, stepBakeTime: stepBake };
  }
  return {
    type,
    trafficShift: true,
    bakeTime,
    testHeader,
    testListenerPort: o.testListenerPort,
    canary,
    linear,
  };
}

/** A percent that ECS takes in tenths: concrete, a multiple of 0.1, from `min` to 100. */
function tenthsPercent(scope: IConstruct, prop: string, value: number | undefined, min: number): number {
  if (value === undefined || typeof value !== 'number' || Token.isUnresolved(value)) {
    invalidProp(scope, prop, value, `Give a number from ${min} to 100 (a multiple of 0.1): the share is checked against the CloudFormation limits and the modeled deployment time at synth.`);
  }
  if (!Number.isFinite(value) || value < min || value > 100 || Math.abs(value * 10 - Math.round(value * 10)) > 1e-9) {
    invalidProp(scope, prop, value, `ECS takes a multiple of 0.1 from ${min} to 100.`);
  }
  return Math.round(value * 10) / 10;
}

/** A bake time that ECS takes in whole minutes from 0 to 1,440. */
function wholeMinutes(scope: IConstruct, prop: string, value: Duration): number {
  let minutes: number;
  try {
    minutes = value.toMinutes({ integral: false });
  } catch {
    minutes = NaN;
  }
  if (!Number.isFinite(minutes) || Token.isUnresolved(minutes)) {
    invalidProp(scope, prop, describeDuration(value), 'Give a concrete Duration in whole minutes from 0 to 1,440 (24 hours).');
  }
  checkNumber(scope, `${prop} (minutes)`, minutes, { min: 0, max: 1440, integer: true });
  return minutes;
}

function describeDuration(value: Duration): string {
  try {
    return value.toHumanString();
  } catch {
    return describeValue(value);
  }
}

function resolveHooks(scope: IConstruct, hooks: DeploymentLifecycleHook[] | undefined, strategy: ResolvedDeploymentStrategy,
  frontEnd: ServiceFrontEnd): ResolvedLifecycleHook[] {
  if (hooks === undefined) {
    return [];
  }
  if (hooks.length > 0 && !strategy.trafficShift) {
    // The lifecycle stages are those of a deployment with a blue and a green revision
    // (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/blue-green-deployment-how-it-works.html#blue-green-deployment-stages,
    // https://docs.aws.amazon.com/AmazonECS/latest/developerguide/deployment-lifecycle-hooks.html).
    invalidProp(scope, 'deployment.lifecycleHooks', hooks.map(h => h.stages).flat(),
      'Lifecycle hooks run at the stages of a blue/green, canary or linear deployment (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/deployment-lifecycle-hooks.html); '
      + 'give strategy: DeploymentStrategy.blueGreen(), .canary() or .linear(), or remove the hooks.');
  }
  hooks.forEach((hook, i) => {
    const p = `deployment.lifecycleHooks[${i}]`;
    if (!hook || !hook.handler || typeof hook.handler.functionArn !== 'string') {
      invalidProp(scope, `${p}.handler`, hook?.handler, 'Give the Lambda function ECS invokes (lambda.IFunction).');
    }
    const stages = hook.stages ?? [];
    if (stages.length === 0) {
      invalidProp(scope, `${p}.stages`, stages, 'Give at least one ecs.DeploymentLifecycleStage at which ECS invokes the function.');
    }
    const seen = new Set<string>();
    for (const stage of stages) {
      if (!ALL_STAGES.has(stage)) {
        invalidProp(scope, `${p}.stages`, stage, `Use an ecs.DeploymentLifecycleStage: ${[...ALL_STAGES].join(', ')}.`);
      }
      if (seen.has(stage)) {
        invalidProp(scope, `${p}.stages`, stage, 'Each stage once per hook: remove the duplicate.');
      }
      seen.add(stage);
      if (frontEnd === ServiceFrontEnd.NONE && TRAFFIC_STAGES.has(stage)) {
        invalidProp(scope, `${p}.stages`, stage,
          'This service has no load balancer or Service Connect, so its blue/green deployment shifts no traffic '
          + '(https://docs.aws.amazon.com/AmazonECS/latest/developerguide/blue-green-deployment-implementation.html): use RECONCILE_SERVICE, PRE_SCALE_UP or POST_SCALE_UP.');
      }
    }
  });
  return hooks.map(h => ({ handler: h.handler, stages: [...h.stages] }));
}
