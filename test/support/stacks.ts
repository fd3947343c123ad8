import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';

/** A plain App (no validation plugins): fast, for fine-grained assertions. */
export function plainStack(id = 'Test'): Stack {
  const app = new App();
  return new Stack(app, id, { env: { account: '123456789012', region: 'us-east-1' } });
}

/** Template of a stack, as JSON, for snapshots. */
export function templateJson(stack: Stack): Record<string, unknown> {
  return Template.fromStack(stack).toJSON();
}

/** The CfnRole behind a role (a plain role, or the task role created on demand). */
export function cfnRoleOf(role: iam.IRole): iam.CfnRole {
  const child = role.node.defaultChild;
  return (child instanceof iam.CfnRole ? child : child?.node.defaultChild) as iam.CfnRole;
}
