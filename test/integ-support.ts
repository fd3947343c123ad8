/**
 * Shared settings of the integration tests (test/integ.*.ts). They deploy real resources: run them in an AWS
 * account with the deploy kit (`npm run integ`, test/integ-run.ts; see the README's "Deploy kit"); CI only checks
 * their snapshots (test/integ-snapshots.test.ts).
 */
import { IntegTest } from '@aws-cdk/integ-tests-alpha';
import { App, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { FoundryCluster, FoundryClusterProps } from '../src';

export function integApp(): App {
  return new App();
}

/** A stack in the region the CDK CLI deploys to (load balancer access logs need a concrete region). */
export function integStack(app: App, id: string): Stack {
  return new Stack(app, id, { env: { region: process.env.CDK_DEFAULT_REGION ?? 'us-east-1' } });
}

/**
 * A cluster whose key, log groups, queues and load balancer access-log buckets go away with the test stack
 * (`removalPolicy: DESTROY`): see the README's "Deploy kit".
 */
export function integCluster(stack: Stack, props: FoundryClusterProps = {}): FoundryCluster {
  return new FoundryCluster(stack, 'Cluster', { removalPolicy: RemovalPolicy.DESTROY, ...props });
}

/** The integration test, with its assertion stack in the test stack's region (assertions read its resources). */
export function integTest(app: App, id: string, stack: Stack): IntegTest {
  return new IntegTest(app, id, {
    testCases: [stack],
    diffAssets: false,
    assertionStack: integStack(app, `${id}Assertions`),
  });
}
