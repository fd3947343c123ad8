import { Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { ManagedPolicyRole } from '../private/managed-policy-role';

/**
 * The trust of task and execution roles: ECS tasks of this account and region only, so that no other account's
 * ECS can be tricked into assuming the role (confused deputy).
 */
export function ecsTasksPrincipal(scope: Construct): iam.IPrincipal {
  const stack = Stack.of(scope);
  return new iam.ServicePrincipal('ecs-tasks.amazonaws.com', {
    conditions: {
      StringEquals: { 'aws:SourceAccount': stack.account },
      ArnLike: { 'aws:SourceArn': `arn:${stack.partition}:ecs:${stack.region}:${stack.account}:*` },
    },
  });
}

/**
 * A role for ECS tasks whose permissions live in a customer-managed policy created on the first grant,
 * so it starts with no permissions at all.
 */
export function createTaskRole(scope: Construct, id: string, description: string): iam.Role {
  return new ManagedPolicyRole(scope, id, { assumedBy: ecsTasksPrincipal(scope), description });
}
