import { Duration, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import { BackendService, BackendServiceProps, Capacity, FoundryCluster } from '../../src';
import { plainStack } from '../support/stacks';

/**
 * Deployment options every service shares, against what ECS accepts and does: a deployment configuration that ECS
 * would reject, or that could never replace a task, fails at synth with the library's message, never with
 * aws-cdk-lib's or at deploy.
 */

const image = ecs.ContainerImage.fromRegistry('public.ecr.aws/docker/library/httpd:2.4');
let stack: Stack;
let cluster: FoundryCluster;
beforeAll(() => {
  stack = plainStack('Deploy');
  cluster = new FoundryCluster(stack, 'Cluster');
});
let n = 0;
const make = (p: Partial<BackendServiceProps>) => new BackendService(stack, `S${n++}`, { cluster, image, port: 8080, ...p } as BackendServiceProps);

/** The ECS service's properties of one service in a stack of its own. */
function synthesized(p: Partial<BackendServiceProps>, ec2Capacity = false): Record<string, any> {
  const own = plainStack('Own');
  const ownCluster = new FoundryCluster(own, 'Cluster');
  const capacity = ec2Capacity ? Capacity.ec2(ownCluster.addEc2Capacity('Ec2', { instanceType: new ec2.InstanceType('m7i.large') })) : undefined;
  const service = new BackendService(own, 'Service', { cluster: ownCluster, image, port: 8080, capacity, ...p } as BackendServiceProps);
  return Template.fromStack(own).toJSON().Resources[own.getLogicalId(service.ecsService.node.defaultChild as ecs.CfnService)].Properties;
}

describe('maxHealthyPercent 100: never more tasks than desired', () => {
  // ECS cannot rebalance Availability Zones with maximumPercent 100
  // (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/service-rebalancing.html): aws-cdk-lib refuses the
  // combination with its own error. The service keeps its promise and turns rebalancing off instead.
  test.each([['Fargate', false], ['EC2', true]])('%s: synthesizes, with AZ rebalancing off', (_name, onEc2) => {
    const props = synthesized({ deployment: { minHealthyPercent: 50, maxHealthyPercent: 100 } }, onEc2);
    expect(props.AvailabilityZoneRebalancing).toBe('DISABLED');
    expect(props.DeploymentConfiguration).toMatchObject({ MaximumPercent: 100, MinimumHealthyPercent: 50 });
  });

  test('the default keeps AZ rebalancing on', () => {
    const props = synthesized({});
    expect(props.AvailabilityZoneRebalancing).toBe('ENABLED');
    expect(props.DeploymentConfiguration).toMatchObject({ MaximumPercent: 200, MinimumHealthyPercent: 100 });
  });
});

describe('deployment options ECS would reject or never complete fail with the prop and a fix', () => {
  test.each<[string, Partial<BackendServiceProps>, RegExp]>([
    // With the default minHealthyPercent of 100, ECS may neither stop an old task nor start a new one.
    ['maxHealthyPercent 100 with the default minimum', { deployment: { maxHealthyPercent: 100 } },
      /^BackendService 'Deploy\/S\d+': invalid deployment\.maxHealthyPercent = 100\. With minHealthyPercent 100 \(the default\) and maxHealthyPercent 100 ECS can neither stop an old task nor start a new one; raise maxHealthyPercent, or lower minHealthyPercent/],
    ['both at 100', { deployment: { minHealthyPercent: 100, maxHealthyPercent: 100 } }, /invalid deployment\.maxHealthyPercent = 100\. With minHealthyPercent 100 and maxHealthyPercent 100/],
    ['maxHealthyPercent below 100', { deployment: { maxHealthyPercent: 90 } }, /invalid deployment\.maxHealthyPercent = 90\. Use a whole number between 100 and 200/],
    ['minHealthyPercent above 100', { deployment: { minHealthyPercent: 120 } }, /invalid deployment\.minHealthyPercent = 120\. Use a whole number between 0 and 100/],
    ['fractional minHealthyPercent', { deployment: { minHealthyPercent: 50.5 } }, /invalid deployment\.minHealthyPercent = 50\.5/],
    ['desiredCount above the tasks-per-service quota', { desiredCount: 5001 }, /invalid desiredCount = 5001\. Use a whole number between 0 and 5000/],
    ['desiredCount with scaling', { desiredCount: 3, scaling: { maxTasks: 6 } }, /invalid desiredCount = 3\. With scaling the task count is auto scaling's to set/],
    ['grace period beyond the ECS maximum', { healthCheckGracePeriod: Duration.seconds(2_147_483_648) }, /invalid healthCheckGracePeriod \(seconds\) = 2147483648/],
    // Duration.toSeconds() would throw aws-cdk-lib's own error for a fraction of a second.
    ['grace period in fractions of a second', { healthCheckGracePeriod: Duration.millis(1500) }, /invalid healthCheckGracePeriod \(seconds\) = 1\.5\. Use a whole number/],
  ])('%s', (_name, p, message) => {
    expect(() => make(p)).toThrow(message);
  });
});
