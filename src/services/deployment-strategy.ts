import { Duration } from 'aws-cdk-lib';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as lambda from 'aws-cdk-lib/aws-lambda';

/**
 * The kind of rollout a service uses for a new revision.
 */
export enum DeploymentStrategyType {
  /** Replace tasks in batches behind the same target (the ECS rolling update). */
  ROLLING = 'ROLLING',
  /** Start a full new revision, test it, then shift all production traffic at once. */
  BLUE_GREEN = 'BLUE_GREEN',
  /** Shift a share of production traffic first, wait, then shift the rest. */
  CANARY = 'CANARY',
  /** Shift production traffic in equal steps with a wait between them. */
  LINEAR = 'LINEAR',
}

/**
 * What every traffic-shifting strategy (blue/green, canary, linear) takes.
 */
export interface TrafficShiftOptions {
  /**
   * How long both the new (green) and old (blue) tasks run after all production traffic shifted, so that a rollback is instant.
   *
   * ECS `BakeTimeInMinutes`: whole minutes, 0 to 1,440.
   *
   * @default Duration.minutes(10)
   */
  readonly bakeTime?: Duration;

  /**
   * Requests with this header (any value) reach the new revision before production traffic does.
   *
   * It is the test route of the deployment, for an Application Load Balancer or Service Connect.
   *
   * @default 'x-foundry-test'
   */
  readonly testHeader?: string;

  /**
   * The listener port that carries test traffic to the new revision, for a Network Load Balancer only.
   *
   * @default - the service's listener port + 1
   */
  readonly testListenerPort?: number;
}

/**
 * Native ECS blue/green deployments (`deploymentStrategy: BLUE_GREEN`).
 */
export interface BlueGreenOptions extends TrafficShiftOptions {
}

/**
 * A canary deployment: a share of production traffic first, then the rest after a wait.
 */
export interface CanaryOptions extends TrafficShiftOptions {
  /**
   * Share of production traffic shifted to the new revision first, in percent.
   *
   * A multiple of 0.1 from 0.1 to 100.
   */
  readonly percent: number;

  /**
   * How long the canary share runs before ECS shifts the rest of production traffic.
   *
   * ECS `CanaryBakeTimeInMinutes`: whole minutes, 0 to 1,440.
   *
   * @default Duration.minutes(10) - the ECS default
   */
  readonly canaryBakeTime?: Duration;
}

/**
 * A linear deployment: production traffic shifted in equal steps with a wait between steps.
 */
export interface LinearOptions extends TrafficShiftOptions {
  /**
   * Share of production traffic shifted in each step, in percent.
   *
   * A multiple of 0.1 from 3 to 100.
   */
  readonly stepPercent: number;

  /**
   * How long ECS waits after each step before the next one (not after the last).
   *
   * ECS `StepBakeTimeInMinutes`: whole minutes, 0 to 1,440.
   *
   * @default Duration.minutes(6) - the ECS default
   */
  readonly stepBakeTime?: Duration;
}

/**
 * How a service rolls out a new revision: rolling, blue/green, canary or linear.
 */
export class DeploymentStrategy {
  /**
   * Replace tasks in batches (the ECS rolling update), bounded by `minHealthyPercent` and `maxHealthyPercent`.
   */
  public static rolling(): DeploymentStrategy {
    return new DeploymentStrategy(DeploymentStrategyType.ROLLING, {});
  }

  /**
   * Start the new revision beside the old one, route test traffic to it, then shift all production traffic at once.
   */
  public static blueGreen(options: BlueGreenOptions = {}): DeploymentStrategy {
    return new DeploymentStrategy(DeploymentStrategyType.BLUE_GREEN, options);
  }

  /**
   * Shift `percent` of production traffic first, wait `canaryBakeTime`, then shift the rest.
   */
  public static canary(options: CanaryOptions): DeploymentStrategy {
    return new DeploymentStrategy(DeploymentStrategyType.CANARY, options);
  }

  /**
   * Shift production traffic `stepPercent` at a time, waiting `stepBakeTime` between steps.
   */
  public static linear(options: LinearOptions): DeploymentStrategy {
    return new DeploymentStrategy(DeploymentStrategyType.LINEAR, options);
  }

  /** The kind of rollout. */
  public readonly type: DeploymentStrategyType;

  /**
   * The options given to the factory.
   *
   * @internal
   */
  public readonly _options: TrafficShiftOptions & Partial<CanaryOptions> & Partial<LinearOptions>;

  private constructor(type: DeploymentStrategyType, options: TrafficShiftOptions) {
    this.type = type;
    this._options = options ?? {};
  }
}

/**
 * A Lambda function that ECS runs at deployment lifecycle stages, answering SUCCEEDED, FAILED or IN_PROGRESS.
 *
 * FAILED (or no answer, or an error) rolls the deployment back; IN_PROGRESS makes ECS call it again after 30 seconds
 * (or the `callBackDelay` it returns).
 */
export interface DeploymentLifecycleHook {
  /**
   * The function ECS invokes.
   */
  readonly handler: lambda.IFunction;

  /**
   * The stages at which ECS invokes it, e.g. `POST_TEST_TRAFFIC_SHIFT` to test the new revision before production traffic reaches it.
   */
  readonly stages: ecs.DeploymentLifecycleStage[];
}

/**
 * How many failed tasks stop a deployment (the deployment circuit breaker's failure threshold).
 *
 * https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_ThresholdConfiguration.html
 */
export class CircuitBreakerThreshold {
  /**
   * A share of the desired count, kept between 3 and 200 tasks (the ECS default is 50 %).
   *
   * @param percent percent of the desired count, a whole number of at least 1
   */
  public static percent(percent: number): CircuitBreakerThreshold {
    return new CircuitBreakerThreshold('BOUNDED_PERCENT', percent);
  }

  /**
   * A share of the desired count without the 3 to 200 bounds, for services whose share should pass 200 tasks.
   *
   * @param percent percent of the desired count, a whole number of at least 1
   */
  public static unboundedPercent(percent: number): CircuitBreakerThreshold {
    return new CircuitBreakerThreshold('UNBOUNDED_PERCENT', percent);
  }

  /**
   * A fixed number of failed tasks.
   *
   * @param tasks failed tasks that stop the deployment, a whole number of at least 1
   */
  public static count(tasks: number): CircuitBreakerThreshold {
    return new CircuitBreakerThreshold('COUNT', tasks);
  }

  /**
   * The ECS threshold type: `BOUNDED_PERCENT`, `UNBOUNDED_PERCENT` or `COUNT`.
   *
   * @internal
   */
  public readonly _thresholdType: string;

  /** The threshold value: a percent of the desired count, or a number of tasks. */
  public readonly value: number;

  private constructor(thresholdType: string, value: number) {
    this._thresholdType = thresholdType;
    this.value = value;
  }
}
