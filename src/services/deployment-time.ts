import { Duration, Token } from 'aws-cdk-lib';
import { DeploymentStrategyType } from './deployment-strategy';
import { linearBakedSteps, ResolvedDeploymentStrategy } from './deployment-strategy-resolve';

/**
 * What the time of a deployment depends on besides the strategy: the target health check, the deregistration delay,
 * the rolling bounds, and any wait ECS adds to each traffic shift.
 *
 * @internal
 */
export interface DeploymentTimeInputs {
  /** Target health check interval. */
  readonly healthCheckInterval: Duration;
  /** Consecutive successful checks before a target is healthy. */
  readonly healthyThreshold: number;
  /** Time an old target keeps finishing its requests after it leaves the target group. */
  readonly deregistrationDelay: Duration;
  readonly minHealthyPercent: number;
  readonly maxHealthyPercent: number;
  /**
   * Wait ECS adds to each of the test and production traffic shift stages: 10 minutes behind a Network Load Balancer
   * (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/nlb-resources-for-blue-green.html), none otherwise.
   */
  readonly trafficShiftDelay?: Duration;
}

/**
 * One phase of a modeled deployment.
 *
 * @internal
 */
export interface DeploymentPhase {
  readonly name: string;
  readonly time: Duration;
}

/**
 * The modeled time of a deployment, phase by phase.
 *
 * @internal
 */
export interface DeploymentTimeModel {
  readonly phases: DeploymentPhase[];
  readonly total: Duration;
}

/**
 * Model the time to deploy a new revision, from the resolved options: new tasks become healthy (health check interval
 * × healthy threshold), then
 * - rolling: one such batch per share the rolling bounds allow (⌈100 ÷ (maxHealthyPercent − minHealthyPercent)⌉), each
 *   batch ending when its old targets drained (the deregistration delay);
 * - blue/green: test traffic shift, production traffic shift, bake time, old targets drain;
 * - canary: test traffic, canary share, canary bake time, the rest, bake time, old targets drain;
 * - linear: test traffic, one step bake time after every step but the last (CloudFormation's own count of steps), bake
 *   time, old targets drain.
 * Task start-up (image pull, container start) and lifecycle hooks add to every strategy and are not modeled: the
 * model compares strategies and shows what each knob costs.
 *
 * @internal
 */
export function modelDeploymentTime(strategy: ResolvedDeploymentStrategy, inputs: DeploymentTimeInputs): DeploymentTimeModel {
  const healthy = Duration.seconds(inputs.healthCheckInterval.toSeconds() * inputs.healthyThreshold);
  const drain = inputs.deregistrationDelay;
  const phases: DeploymentPhase[] = [];
  if (strategy.type === DeploymentStrategyType.ROLLING) {
    // Percents given as tokens (resolved at deploy time) are modeled as one batch.
    const concrete = !Token.isUnresolved(inputs.maxHealthyPercent) && !Token.isUnresolved(inputs.minHealthyPercent);
    const share = inputs.maxHealthyPercent - inputs.minHealthyPercent;
    const batches = concrete && share > 0 ? Math.ceil(100 / share) : 1;
    for (let i = 1; i <= batches; i++) {
      phases.push({ name: batches === 1 ? 'new tasks healthy' : `batch ${i}: new tasks healthy`, time: healthy });
      phases.push({ name: batches === 1 ? 'old tasks drain' : `batch ${i}: old tasks drain`, time: drain });
    }
  } else {
    const shift = inputs.trafficShiftDelay ?? Duration.seconds(0);
    phases.push({ name: 'new tasks healthy', time: healthy });
    phases.push({ name: 'test traffic shift', time: shift });
    if (strategy.canary) {
      phases.push({ name: `canary bake (${strategy.canary.percent} %)`, time: strategy.canary.bakeTime });
    }
    if (strategy.linear) {
      const steps = linearBakedSteps(strategy.linear.stepPercent);
      phases.push({
        name: `linear steps (${steps} × ${strategy.linear.stepBakeTime.toMinutes()} min)`,
        time: Duration.minutes(steps * strategy.linear.stepBakeTime.toMinutes()),
      });
    }
    phases.push({ name: 'production traffic shift', time: shift });
    phases.push({ name: 'bake time', time: strategy.bakeTime ?? Duration.seconds(0) });
    phases.push({ name: 'old tasks drain', time: drain });
  }
  const total = Duration.seconds(phases.reduce((sum, p) => sum + p.time.toSeconds(), 0));
  return { phases, total };
}
