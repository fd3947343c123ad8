import { fullDiff, ResourceImpact } from '@aws-cdk/cloudformation-diff';
import { App, Stack } from 'aws-cdk-lib';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import { BackendService, Capacity, FoundryCluster, NetworkService, WebService, WorkerService } from '../../src';

/**
 * A user moves a service to or from ECS Managed Instances after the first deploy. UpdateService changes a service's
 * capacity provider strategy in place (https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_UpdateService.html),
 * so the ECS service must not be replaced (CloudFormation refuses with Service Connect or a fixed serviceName): no
 * launch type or platform version may appear, and the service keeps its SchedulingStrategy. Adding the capacity to
 * a cluster that already runs services replaces nothing either.
 */

const image = ecs.ContainerImage.fromRegistry('public.ecr.aws/docker/library/httpd:2.4');
type Choice = 'fargate' | 'spot' | 'ec2' | 'managed';
type Pattern = 'backend' | 'web' | 'network' | 'worker';

function synth(pattern: Pattern, choice: Choice, withManaged = true): Record<string, any> {
  const app = new App();
  const stack = new Stack(app, 'Switch', { env: { account: '123456789012', region: 'us-east-1' } });
  const cluster = new FoundryCluster(stack, 'Cluster');
  const onEc2 = cluster.addEc2Capacity('Ec2', { instanceType: new ec2.InstanceType('m7i.large') });
  const managed = withManaged ? cluster.addManagedInstances('Managed') : undefined;
  const capacity = choice === 'ec2' ? Capacity.ec2(onEc2) : choice === 'spot' ? Capacity.spot({ onDemandBase: 1 })
    : choice === 'managed' ? Capacity.managedInstances(managed!) : Capacity.fargate();
  const common = { cluster, image, capacity, serviceName: `${pattern}-svc` };
  switch (pattern) {
    case 'backend':
      new BackendService(stack, 'Service', { ...common, port: 8080, cloudMapDns: true });
      break;
    case 'web': {
      const certificate = acm.Certificate.fromCertificateArn(stack, 'Cert', 'arn:aws:acm:us-east-1:123456789012:certificate/abc');
      new WebService(stack, 'Service', { ...common, port: 8080, certificate, scaling: { maxTasks: 4 } });
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

/** Resources the update would (or may) replace, with their types. */
function replaced(before: Record<string, any>, after: Record<string, any>): string[] {
  const found: string[] = [];
  fullDiff(before, after).resources.forEachDifference((logicalId, change) => {
    if (change.changeImpact === ResourceImpact.WILL_REPLACE || change.changeImpact === ResourceImpact.MAY_REPLACE) {
      found.push(`${change.resourceType ?? change.newResourceType} ${logicalId}`);
    }
  });
  return found;
}

const patterns: Pattern[] = ['backend', 'web', 'network', 'worker'];
const switches: Array<[Choice, Choice]> = [['fargate', 'managed'], ['managed', 'fargate'], ['ec2', 'managed'], ['managed', 'ec2'], ['spot', 'managed']];
const cache = new Map<string, Record<string, any>>();
const template = (pattern: Pattern, choice: Choice) => {
  const key = `${pattern}/${choice}`;
  if (!cache.has(key)) cache.set(key, synth(pattern, choice));
  return cache.get(key)!;
};

describe.each(patterns)('%s service: moving to or from Managed Instances updates the ECS service in place', pattern => {
  test.each(switches)('%s -> %s', (from, to) => {
    // Only the task definition gets a new revision (its compatibility changes; task definitions are immutable).
    expect(replaced(template(pattern, from), template(pattern, to)).filter(r => !r.startsWith('AWS::ECS::TaskDefinition'))).toEqual([]);
    for (const service of Object.values<any>(template(pattern, to).Resources).filter(r => r.Type === 'AWS::ECS::Service')) {
      expect(service.Properties.SchedulingStrategy).toBe('REPLICA');
      expect(service.Properties.LaunchType).toBeUndefined();
      expect(service.Properties.PlatformVersion).toBeUndefined();
    }
  });
});

test('adding Managed Instances capacity to a cluster with services replaces nothing', () => {
  const before = synth('web', 'fargate', false);
  const after = synth('web', 'fargate', true);
  expect(replaced(before, after)).toEqual([]);
});
