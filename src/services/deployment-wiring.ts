import { Names } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { DeploymentStrategyType } from './deployment-strategy';
import { ResolvedDeployment, ResolvedDeploymentStrategy, ResolvedLifecycleHook } from './deployment-strategy-resolve';
import { ManagedPolicyRole } from '../private/managed-policy-role';

const ECS_STRATEGY: Record<DeploymentStrategyType, ecs.DeploymentStrategy> = {
  [DeploymentStrategyType.ROLLING]: ecs.DeploymentStrategy.ROLLING,
  [DeploymentStrategyType.BLUE_GREEN]: ecs.DeploymentStrategy.BLUE_GREEN,
  [DeploymentStrategyType.CANARY]: ecs.DeploymentStrategy.CANARY,
  [DeploymentStrategyType.LINEAR]: ecs.DeploymentStrategy.LINEAR,
};

/**
 * The `ecs.BaseServiceOptions` of a strategy: nothing for rolling (ECS's default, and today's templates stay as they
 * were), the strategy and bake time for the others, and the canary or linear configuration
 * (https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_DeploymentConfiguration.html).
 *
 * @internal
 */
export function progressiveDeploymentProps(strategy: ResolvedDeploymentStrategy): Partial<ecs.BaseServiceOptions> {
  if (!strategy.trafficShift) {
    return {};
  }
  return {
    deploymentStrategy: ECS_STRATEGY[strategy.type],
    bakeTime: strategy.bakeTime,
    canaryConfiguration: strategy.canary ? { stepPercent: strategy.canary.percent, stepBakeTime: strategy.canary.bakeTime } : undefined,
    linearConfiguration: strategy.linear ? { stepPercent: strategy.linear.stepPercent, stepBakeTime: strategy.linear.stepBakeTime } : undefined,
  };
}

/**
 * Register the lifecycle hooks with one role for the service: ECS assumes it (trust `ecs.amazonaws.com`, as
 * https://docs.aws.amazon.com/AmazonECS/latest/developerguide/blue-green-permissions.html documents; no source
 * condition is documented for it) and may invoke exactly the hook functions (their unqualified ARNs, which the service
 * names), nothing else.
 *
 * @internal
 */
export function addLifecycleHooks(scope: Construct, service: ecs.BaseService, hooks: ResolvedLifecycleHook[]): iam.IRole {
  const role = new ManagedPolicyRole(scope, 'LifecycleHookRole', {
    assumedBy: new iam.ServicePrincipal('ecs.amazonaws.com'),
    description: `Lets ECS invoke the deployment lifecycle hooks of ${scope.node.path}`,
  });
  const arns = [...new Set(hooks.map(h => h.handler.functionArn))];
  role.addToPrincipalPolicy(new iam.PolicyStatement({
    sid: 'InvokeLifecycleHooks',
    actions: ['lambda:InvokeFunction'],
    resources: arns,
  }));
  // The service references only the role's ARN: it waits for the role's policy too, so that ECS never calls a hook
  // before it may, and a delete removes the policy after the service.
  service.node.addDependency(role);
  for (const hook of hooks) {
    service.addLifecycleHook({
      bind: () => ({ targetArn: hook.handler.functionArn, role, lifecycleStages: hook.stages }),
    });
  }
  return role;
}

/**
 * Tune the circuit breaker where CloudFormation allows it: `ResetOnHealthyTask` and `ThresholdConfiguration`
 * (https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-properties-ecs-service-deploymentcircuitbreaker.html).
 * aws-cdk-lib 2.271's L2 writes only Enable and Rollback.
 *
 * @internal
 */
export function tuneCircuitBreaker(service: ecs.BaseService, enabled: boolean, deployment: ResolvedDeployment): void {
  if (!enabled) {
    return;
  }
  const cfn = service.node.defaultChild as ecs.CfnService;
  if (deployment.circuitBreakerResetOnHealthyTask !== undefined) {
    cfn.addPropertyOverride('DeploymentConfiguration.DeploymentCircuitBreaker.ResetOnHealthyTask', deployment.circuitBreakerResetOnHealthyTask);
  }
  if (deployment.circuitBreakerThreshold !== undefined) {
    cfn.addPropertyOverride('DeploymentConfiguration.DeploymentCircuitBreaker.ThresholdConfiguration', {
      Type: deployment.circuitBreakerThreshold._thresholdType,
      Value: deployment.circuitBreakerThreshold.value,
    });
  }
}

/**
 * The given deployment alarms and the service's own alarms roll a deployment back.
 *
 * The service's alarms read its metrics (its name is a dimension), so the service cannot reference them by `Ref`
 * without a circular dependency: each gets a physical name made from the stack name and its unique path, and the
 * service names it as a plain string (the way the aws-cdk-lib ECS README's "Troubleshooting circular dependencies"
 * advises). They are named only when they roll deployments back, so other services' alarms keep their generated names.
 *
 * @internal
 */
export function rollBackOnAlarms(service: ecs.BaseService, given: cloudwatch.IAlarm[], own: cloudwatch.Alarm[]): void {
  const names = [
    ...given.map(a => a.alarmName),
    ...own.map(alarm => {
      const name = physicalAlarmName(alarm);
      (alarm.node.defaultChild as cloudwatch.CfnAlarm).alarmName = name;
      return name;
    }),
  ];
  if (names.length > 0) {
    service.enableDeploymentAlarms(names, { behavior: ecs.AlarmBehavior.ROLLBACK_ON_ALARM });
  }
}

/**
 * Alarm names: up to 255 characters, unique per account and Region. `Names.uniqueResourceName` starts with the stack
 * name (letters and digits), then the construct path, then a hash of the path: one app deployed under two stack names
 * in one account and Region gets two sets of names.
 */
function physicalAlarmName(alarm: cloudwatch.Alarm): string {
  return Names.uniqueResourceName(alarm, { maxLength: 255, separator: '-' });
}
