import { fullDiff, ResourceImpact } from '@aws-cdk/cloudformation-diff';
import { App, Stack } from 'aws-cdk-lib';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import { BackendService, Capacity, DeploymentOptions, FoundryCluster, NetworkService, WebService, WorkerService } from '../../src';

/**
 * A user moves a service between Fargate, Fargate Spot and EC2 capacity after the first deploy. UpdateService moves a
 * service between Fargate and Auto Scaling group capacity providers in place
 * (https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_UpdateService.html), so the ECS service must not be
 * replaced: with Service Connect CloudFormation refuses the replacement outright, and with a fixed serviceName the new
 * service's name collides with the old one. The CDK's diff engine knows which properties replace a resource.
 */

const image = ecs.ContainerImage.fromRegistry('public.ecr.aws/docker/library/httpd:2.4');
type CapacityChoice = 'fargate' | 'spot' | 'ec2';
type Pattern = 'backend' | 'web' | 'network' | 'worker';

/** One app with one service of the pattern, on the chosen capacity; everything else is identical. */
function synth(pattern: Pattern, choice: CapacityChoice, deployment?: DeploymentOptions): Record<string, any> {
  const app = new App();
  const stack = new Stack(app, 'Switch', { env: { account: '123456789012', region: 'us-east-1' } });
  const cluster = new FoundryCluster(stack, 'Cluster');
  const onEc2 = cluster.addEc2Capacity('Ec2', { instanceType: new ec2.InstanceType('m7i.large') });
  const capacity = choice === 'ec2' ? Capacity.ec2(onEc2) : choice === 'spot' ? Capacity.spot({ onDemandBase: 1 }) : Capacity.fargate();
  // Fixed names and Service Connect: the two configurations where a replacement cannot even be attempted.
  const common = { cluster, image, capacity, serviceName: `${pattern}-svc`, deployment };
  switch (pattern) {
    case 'backend':
      new BackendService(stack, 'Service', { ...common, port: 8080, cloudMapDns: true });
      break;
    case 'web': {
      const certificate = acm.Certificate.fromCertificateArn(stack, 'Cert', 'arn:aws:acm:us-east-1:123456789012:certificate/abc');
      const web = new WebService(stack, 'Service', { ...common, port: 8080, certificate, scaling: { maxTasks: 4 } });
      web.connectTo(new BackendService(stack, 'Api', { cluster, image, port: 9090 }));
      break;
    }
    case 'network':
      new NetworkService(stack, 'Service', { ...common, port: 5432 });
      break;
    case 'worker':
      new WorkerService(stack, 'Service', common);
      break;
  }
  return app.synth().getStackByName('Switch').template;
}

interface Replacement {
  readonly logicalId: string;
  readonly type: string;
  readonly impact: ResourceImpact;
  readonly properties: string[];
}

/** Every resource the update would replace (or may replace), with the properties that force it. */
function replacements(before: Record<string, any>, after: Record<string, any>): Replacement[] {
  const found: Replacement[] = [];
  fullDiff(before, after).resources.forEachDifference((logicalId, change) => {
    if (change.changeImpact === ResourceImpact.WILL_REPLACE || change.changeImpact === ResourceImpact.MAY_REPLACE) {
      found.push({
        logicalId,
        type: change.resourceType ?? `${change.oldResourceType} -> ${change.newResourceType}`,
        impact: change.changeImpact,
        properties: Object.entries(change.propertyUpdates)
          .filter(([, p]) => p.changeImpact === ResourceImpact.WILL_REPLACE || p.changeImpact === ResourceImpact.MAY_REPLACE)
          .map(([name]) => name).sort(),
      });
    }
  });
  return found;
}

const patterns: Pattern[] = ['backend', 'web', 'network', 'worker'];
const switches: Array<[CapacityChoice, CapacityChoice]> = [['fargate', 'ec2'], ['ec2', 'fargate'], ['spot', 'ec2'], ['fargate', 'spot']];
const templates = new Map<string, Record<string, any>>();
const template = (pattern: Pattern, choice: CapacityChoice) => {
  const key = `${pattern}/${choice}`;
  if (!templates.has(key)) templates.set(key, synth(pattern, choice));
  return templates.get(key)!;
};

describe.each(patterns)('%s service: switching capacity updates the ECS service in place', (pattern) => {
  test.each(switches)('%s -> %s', (from, to) => {
    const replaced = replacements(template(pattern, from), template(pattern, to));
    // The ECS service and everything stateful or named stay; only the task definition gets a new revision (task
    // definitions are immutable: every change registers a new revision, and the service rolls to it).
    expect(replaced.filter(r => r.type !== 'AWS::ECS::TaskDefinition')).toEqual([]);
    const services = Object.values<any>(template(pattern, to).Resources).filter(r => r.Type === 'AWS::ECS::Service');
    expect(services.length).toBeGreaterThan(0);
    for (const service of services) {
      // Both variants state the scheduling strategy and neither states a launch type or platform version (each of
      // them forces a replacement when it appears or changes).
      expect(service.Properties.SchedulingStrategy).toBe('REPLICA');
      expect(service.Properties.LaunchType).toBeUndefined();
      expect(service.Properties.PlatformVersion).toBeUndefined();
      expect(service.Properties.DeploymentController).toEqual({ Type: 'ECS' });
    }
  });
});

test('the diff engine does see a replacement when SchedulingStrategy appears (the check has teeth)', () => {
  const after = template('backend', 'fargate');
  const before = JSON.parse(JSON.stringify(after));
  const [id] = Object.entries<any>(after.Resources).find(([, r]) => r.Type === 'AWS::ECS::Service')!;
  delete before.Resources[id].Properties.SchedulingStrategy;
  expect(replacements(before, after)).toEqual([expect.objectContaining({ logicalId: id, type: 'AWS::ECS::Service', properties: ['SchedulingStrategy'] })]);
});

test('maxHealthyPercent 100 turns Availability Zone rebalancing off in place', () => {
  const before = template('backend', 'fargate');
  const after = synth('backend', 'fargate', { maxHealthyPercent: 100, minHealthyPercent: 50 });
  expect(replacements(before, after).filter(r => r.type !== 'AWS::ECS::TaskDefinition')).toEqual([]);
  const service = Object.values<any>(after.Resources).find(r => r.Type === 'AWS::ECS::Service');
  expect(service.Properties).toMatchObject({
    AvailabilityZoneRebalancing: 'DISABLED',
    DeploymentConfiguration: expect.objectContaining({ MaximumPercent: 100, MinimumHealthyPercent: 50 }),
  });
});
