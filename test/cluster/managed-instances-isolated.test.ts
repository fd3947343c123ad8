import { Annotations, Match } from 'aws-cdk-lib/assertions';
import { FoundryCluster, NatGatewayStrategy } from '../../src';
import { plainStack } from '../support/stacks';

describe('ECS Managed Instances in a VPC without NAT', () => {
  test('adding Managed Instances to an isolated cluster warns that the endpoints they need are unverified', () => {
    const stack = plainStack();
    const cluster = new FoundryCluster(stack, 'Cluster', { natGateways: NatGatewayStrategy.NONE });
    cluster.addManagedInstances('Instances');
    Annotations.fromStack(stack).hasWarning('/Test/Cluster/Instances',
      Match.stringLikeRegexp('ECS Managed Instances in isolated subnets are unverified.*cluster.addInterfaceEndpoint'));
  });

  test('with a NAT gateway there is no such warning', () => {
    const stack = plainStack();
    const cluster = new FoundryCluster(stack, 'Cluster', { natGateways: NatGatewayStrategy.SINGLE });
    cluster.addManagedInstances('Instances');
    Annotations.fromStack(stack).hasNoWarning('*', Match.stringLikeRegexp('Managed Instances in isolated subnets'));
  });
});
