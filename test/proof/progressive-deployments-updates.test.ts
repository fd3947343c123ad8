/**
 * Update safety of progressive deployments: a user switches an existing WebService between rolling, blue/green,
 * canary and linear, tunes a strategy or adds hooks after the first deploy. Each update is diffed with the CDK's diff
 * engine (`@aws-cdk/cloudformation-diff`, which knows from the CloudFormation resource specification which property
 * changes replace a resource): the ECS service, its target group and load balancer are updated in place, never
 * replaced, and only the changes the README describes happen.
 */
import { fullDiff, ResourceImpact } from '@aws-cdk/cloudformation-diff';
import { Duration, Stack } from 'aws-cdk-lib';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { DeploymentStrategy, FoundryCluster, WebDeploymentOptions, WebService } from '../../src';
import { harmfulReplacements, synthTemplate, Template, trafficHazards } from './support/update-safety';

const image = ecs.ContainerImage.fromRegistry('public.ecr.aws/nginx/nginx:stable');

/** A WebService with its own load balancer; `deployment` may use a hook function of the stack. */
function template(deployment: (hook: lambda.IFunction) => WebDeploymentOptions | undefined): Template {
  return synthTemplate((stack: Stack) => {
    const cluster = new FoundryCluster(stack, 'Cluster');
    const hook = new lambda.Function(stack, 'Hook', {
      runtime: lambda.Runtime.NODEJS_22_X,
      handler: 'index.handler',
      code: lambda.Code.fromInline('exports.handler = async () => ({ hookStatus: "SUCCEEDED" });'),
    });
    new WebService(stack, 'Web', { cluster, image, port: 8080, loadBalancerOptions: { allowHttp: true }, deployment: deployment(hook) });
  });
}

interface Change {
  readonly logicalId: string;
  readonly type: string;
  readonly how: 'added' | 'removed' | 'replaced' | 'updated';
}

function changes(before: Template, after: Template): Change[] {
  const found: Change[] = [];
  fullDiff(before, after).resources.forEachDifference((logicalId, change) => {
    if (!change.isDifferent) return;
    const how = change.isAddition ? 'added' : change.isRemoval ? 'removed'
      : change.changeImpact === ResourceImpact.WILL_REPLACE || change.changeImpact === ResourceImpact.MAY_REPLACE ? 'replaced' : 'updated';
    found.push({ logicalId, type: (change.newResourceType ?? change.oldResourceType)!, how });
  });
  return found;
}

const of = (list: Change[], type: string) => list.filter(c => c.type === type);

let rolling: Template;
let canary: Template;
beforeAll(() => {
  rolling = template(() => undefined);
  canary = template(() => ({ strategy: DeploymentStrategy.canary({ percent: 10 }) }));
});

describe('rolling → canary on an existing WebService', () => {
  test('the ECS service, target group, load balancer and listener are updated in place or untouched, never replaced', () => {
    const list = changes(rolling, canary);
    expect(harmfulReplacements(rolling, canary)).toEqual([]);
    expect(of(list, 'AWS::ECS::Service').map(c => c.how)).toEqual(['updated']);
    for (const type of ['AWS::ElasticLoadBalancingV2::TargetGroup', 'AWS::ElasticLoadBalancingV2::LoadBalancer', 'AWS::ElasticLoadBalancingV2::Listener']) {
      expect(of(list, type).filter(c => c.how !== 'added')).toEqual([]);
    }
  });

  test('it adds the alternate target group, the test rule and the traffic-shift role; the production rule keeps its logical ID', () => {
    const list = changes(rolling, canary);
    expect(of(list, 'AWS::ElasticLoadBalancingV2::TargetGroup').map(c => [c.how, c.logicalId.replace(/[0-9A-F]{8}$/, '')]))
      .toEqual([['added', 'WebAlternateTargetGroup']]);
    expect(of(list, 'AWS::ElasticLoadBalancingV2::ListenerRule').filter(c => c.how === 'added').map(c => c.logicalId.replace(/[0-9A-F]{8}$/, '')))
      .toEqual(['WebTestRule']);
    expect(of(list, 'AWS::ElasticLoadBalancingV2::ListenerRule').filter(c => c.how === 'replaced' || c.how === 'removed')).toEqual([]);
    expect(of(list, 'AWS::IAM::Role').map(c => [c.how, c.logicalId.replace(/[0-9A-F]{8}$/, '')])).toEqual([['added', 'WebBlueGreenRole']]);
  });

  test('the service\'s alarms get physical names (replaced once, as the README says) to roll deployments back', () => {
    const alarms = of(changes(rolling, canary), 'AWS::CloudWatch::Alarm');
    expect(alarms.length).toBeGreaterThan(0);
    // The combined alarm gets its physical name (a replacement: its history starts over) and keeps every condition
    // of both target groups (10 metrics per alarm); fewer running tasks than desired moves to an alarm of its own,
    // which notifies the alert topic but does not roll deployments back.
    expect(alarms.map(c => [c.how, c.logicalId.replace(/[0-9A-F]{8}$/, '')]))
      .toEqual([['added', 'WebAlarmsRunningTasks'], ['replaced', 'WebAlarmsUnhealthy']]);
    expect(canary.Resources[alarms.find(c => c.how === 'replaced')!.logicalId].Properties.AlarmName)
      .toMatch(/^Update-Web-Alarms-Unhealthy-[0-9A-F]{8}$/);
  });

  test('while the service is rolling there is no traffic-shifted rule to overwrite: no traffic hazard', () => {
    expect(trafficHazards(rolling, canary)).toEqual([]);
  });
});

describe('changes on a progressive service', () => {
  test('canary → rolling updates the service in place and removes the test rule; the production rule stays as ECS left it', () => {
    expect(harmfulReplacements(canary, rolling)).toEqual([]);
    expect(of(changes(canary, rolling), 'AWS::ECS::Service').map(c => c.how)).toEqual(['updated']);
    // CloudFormation leaves the production rule as it is: it keeps the weights the last deployment left, while the
    // rolling service registers its tasks in the primary target group only. Hence the README's order: move traffic to
    // the primary target group first, then switch.
    expect(trafficHazards(canary, rolling)).toEqual([]);
    expect(of(changes(canary, rolling), 'AWS::ElasticLoadBalancingV2::ListenerRule').map(c => [c.how, c.logicalId.replace(/[0-9A-F]{8}$/, '')]))
      .toEqual([['removed', 'WebTestRule']]);
  });

  test('canary → linear, a new percent or bake time: only the ECS service is updated', () => {
    for (const after of [
      template(() => ({ strategy: DeploymentStrategy.linear({ stepPercent: 20 }) })),
      template(() => ({ strategy: DeploymentStrategy.canary({ percent: 25, canaryBakeTime: Duration.minutes(3) }) })),
      template(() => ({ strategy: DeploymentStrategy.blueGreen({ bakeTime: Duration.minutes(20) }) })),
    ]) {
      expect(changes(canary, after)).toEqual([expect.objectContaining({ type: 'AWS::ECS::Service', how: 'updated' })]);
      expect(trafficHazards(canary, after)).toEqual([]);
    }
  });

  test('adding a lifecycle hook adds its role and updates the service in place', () => {
    const after = template(hook => ({
      strategy: DeploymentStrategy.canary({ percent: 10 }),
      lifecycleHooks: [{ handler: hook, stages: [ecs.DeploymentLifecycleStage.POST_TEST_TRAFFIC_SHIFT] }],
    }));
    const list = changes(canary, after);
    expect(list.filter(c => c.how !== 'added')).toEqual([expect.objectContaining({ type: 'AWS::ECS::Service', how: 'updated' })]);
    expect(list.filter(c => c.how === 'added').map(c => c.type).sort()).toEqual(['AWS::IAM::ManagedPolicy', 'AWS::IAM::Role']);
    expect(trafficHazards(canary, after)).toEqual([]);
  });

  test('the deprecated blueGreen → strategy: DeploymentStrategy.blueGreen() changes nothing', () => {
    const before = template(() => ({ blueGreen: { bakeTime: Duration.minutes(5) } }));
    const after = template(() => ({ strategy: DeploymentStrategy.blueGreen({ bakeTime: Duration.minutes(5) }) }));
    expect(changes(before, after)).toEqual([]);
  });
});
