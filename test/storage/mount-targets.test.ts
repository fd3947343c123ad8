import { App, Stack, Token } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import { BackendService, FoundryCluster, FoundryTaskDefinition, SharedVolume } from '../../src';
import { plainStack } from '../support/stacks';

const nginx = ecs.ContainerImage.fromRegistry('public.ecr.aws/nginx/nginx:stable');

describe('SharedVolume mount targets must cover every Availability Zone of the tasks', () => {
  test('a volume in one zone cannot be mounted by tasks that run in two', () => {
    const stack = plainStack();
    const cluster = new FoundryCluster(stack, 'Cluster');
    const zones = cluster.vpc.privateSubnets.map(s => s.availabilityZone);
    expect(zones.length).toBeGreaterThan(1);
    const volume = new SharedVolume(stack, 'Data', {
      cluster,
      vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS, availabilityZones: [zones[0]] },
    });
    expect(volume.availabilityZones).toEqual([zones[0]]);
    const task = new FoundryTaskDefinition(stack, 'Task', { cluster, image: nginx });
    expect(() => task.addVolume(volume, '/data')).toThrow(new RegExp(
      `invalid volume = 'Test/Data'\\. The volume has mount targets in ${zones[0]} only, but the tasks run in ${zones.join(', ')}: `
      + `tasks in ${zones.slice(1).join(', ')} cannot resolve the file system's DNS name and stop with ResourceInitializationError`));
  });

  test('the same check guards service.addVolume()', () => {
    const stack = plainStack();
    const cluster = new FoundryCluster(stack, 'Cluster');
    const zones = cluster.vpc.privateSubnets.map(s => s.availabilityZone);
    const volume = new SharedVolume(stack, 'Data', {
      cluster,
      vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS, availabilityZones: [zones[zones.length - 1]] },
    });
    const service = new BackendService(stack, 'Api', { cluster, image: nginx, port: 8080 });
    expect(() => service.addVolume(volume, '/data')).toThrow(/invalid volume = 'Test\/Data'\. The volume has mount targets in .* only/);
  });

  test('the default volume (one mount target per zone) mounts', () => {
    const stack = plainStack();
    const cluster = new FoundryCluster(stack, 'Cluster');
    const volume = new SharedVolume(stack, 'Data', { cluster });
    expect(volume.availabilityZones).toEqual(cluster.vpc.privateSubnets.map(s => s.availabilityZone));
    const task = new FoundryTaskDefinition(stack, 'Task', { cluster, image: nginx });
    task.addVolume(volume, '/data');
    Template.fromStack(stack).resourceCountIs('AWS::EFS::MountTarget', cluster.vpc.privateSubnets.length);
  });

  test('an imported VPC whose zones are tokens is not judged', () => {
    // An environment-agnostic stack: its Availability Zones are Fn::GetAZs tokens.
    const stack = new Stack(new App(), 'Agnostic');
    expect(Token.isUnresolved(stack.availabilityZones[0])).toBe(true);
    const vpc = ec2.Vpc.fromVpcAttributes(stack, 'Vpc', {
      vpcId: 'vpc-0a1b2c3d4e5f67890',
      availabilityZones: stack.availabilityZones,
      privateSubnetIds: ['subnet-0a1b2c3d', 'subnet-1a1b2c3d'],
    });
    const cluster = new FoundryCluster(stack, 'Cluster', { vpc });
    const volume = new SharedVolume(stack, 'Data', { cluster });
    const task = new FoundryTaskDefinition(stack, 'Task', { cluster, image: nginx });
    expect(() => task.addVolume(volume, '/data')).not.toThrow();
  });
});
