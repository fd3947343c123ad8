import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';

/** A plain App (no validation plugins): fast, for fine-grained assertions. */
export function plainStack(id = 'Test'): Stack {
  const app = new App();
  return new Stack(app, id, { env: { account: '123456789012', region: 'us-east-1' } });
}

/** Template of a stack, as JSON, for snapshots. */
export function templateJson(stack: Stack): Record<string, unknown> {
  return Template.fromStack(stack).toJSON();
}
