/**
 * Access paths of progressive deployments, proven with an IAM policy simulator on the synthesized template of a
 * canary WebService with lifecycle hooks and a worker with a blue/green hook: ECS assumes each service's hook role and
 * invokes exactly that service's hook functions; nothing else may assume the role, and the role may invoke no other
 * function, not even another service's hook.
 *
 * Evaluation follows AWS's policy evaluation logic (same account: identity OR resource policy allows):
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html
 * The role ECS needs for Lambda hooks: lambda:InvokeFunction, trusted by ecs.amazonaws.com
 * (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/blue-green-permissions.html).
 */
import { App, Duration, Stack } from 'aws-cdk-lib';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { DeploymentStrategy, FoundryCluster, WebService, WorkerService } from '../../src';
import { ACCOUNT, REGION } from './support/iam-cases';
import { AccessRequest, Decision, TemplatePolicies } from './support/iam-policies';
import { ResolvedTemplate } from './support/iam-resolve';

const Stage = ecs.DeploymentLifecycleStage;
const ROLE = 'AWS::IAM::Role';
const FUNCTION = 'AWS::Lambda::Function';
const ANOTHER_ACCOUNT = '210987654321';

function fn(stack: Stack, id: string): lambda.Function {
  return new lambda.Function(stack, id, {
    runtime: lambda.Runtime.NODEJS_22_X,
    handler: 'index.handler',
    code: lambda.Code.fromInline('exports.handler = async () => ({ hookStatus: "SUCCEEDED" });'),
  });
}

let t: ResolvedTemplate;
let p: TemplatePolicies;
beforeAll(() => {
  const app = new App();
  const stack = new Stack(app, 'Deployments', { env: { account: ACCOUNT, region: REGION } });
  const cluster = new FoundryCluster(stack, 'Cluster');
  const smoke = fn(stack, 'SmokeTest');
  const approve = fn(stack, 'Approve');
  fn(stack, 'Unrelated');
  const drain = fn(stack, 'DrainCheck');
  const image = ecs.ContainerImage.fromRegistry('public.ecr.aws/nginx/nginx:stable');
  new WebService(stack, 'Api', {
    cluster,
    image,
    port: 8080,
    loadBalancerOptions: { allowHttp: true },
    deployment: {
      strategy: DeploymentStrategy.canary({ percent: 10, canaryBakeTime: Duration.minutes(5) }),
      lifecycleHooks: [
        { handler: smoke, stages: [Stage.POST_TEST_TRAFFIC_SHIFT] },
        { handler: approve, stages: [Stage.PRODUCTION_TRAFFIC_SHIFT, Stage.POST_PRODUCTION_TRAFFIC_SHIFT] },
      ],
    },
  });
  new WorkerService(stack, 'Jobs', {
    cluster,
    image,
    deployment: { strategy: DeploymentStrategy.blueGreen(), lifecycleHooks: [{ handler: drain, stages: [Stage.POST_SCALE_UP] }] },
  });
  t = new ResolvedTemplate('Deployments', app.synth().getStackByName('Deployments').template);
  p = new TemplatePolicies(t);
});

const hookRole = (service: string) => t.find(ROLE, `${service}LifecycleHookRole`);
const fnArn = (id: string) => t.getAtt(t.find(FUNCTION, id), 'Arn');

interface Path {
  readonly name: string;
  readonly expect: 'Allowed' | 'Denied';
  readonly request: () => AccessRequest;
}

const paths: Path[] = [
  // ECS assumes each service's hook role.
  ...['Api', 'Jobs'].map((service): Path => ({
    name: `ECS assumes the ${service} hook role`,
    expect: 'Allowed',
    request: () => ({ caller: { service: 'ecs.amazonaws.com' }, action: 'sts:AssumeRole', resource: p.roleArn(hookRole(service)) }),
  })),
  // ...and invokes exactly that service's hook functions.
  ...[['Api', 'SmokeTest'], ['Api', 'Approve'], ['Jobs', 'DrainCheck']].map(([service, hook]): Path => ({
    name: `the ${service} hook role invokes ${hook}`,
    expect: 'Allowed',
    request: () => ({ caller: { role: hookRole(service) }, action: 'lambda:InvokeFunction', resource: fnArn(hook) }),
  })),
  {
    name: 'the hook role cannot invoke a function that is no hook',
    expect: 'Denied',
    request: () => ({ caller: { role: hookRole('Api') }, action: 'lambda:InvokeFunction', resource: fnArn('Unrelated') }),
  },
  {
    name: "one service's hook role cannot invoke another service's hook",
    expect: 'Denied',
    request: () => ({ caller: { role: hookRole('Api') }, action: 'lambda:InvokeFunction', resource: fnArn('DrainCheck') }),
  },
  {
    name: 'the hook role cannot invoke a version or alias of its hook (ECS invokes the function ARN it was given)',
    expect: 'Denied',
    request: () => ({ caller: { role: hookRole('Api') }, action: 'lambda:InvokeFunction', resource: `${fnArn('SmokeTest')}:live` }),
  },
  {
    name: 'the hook role cannot change its hook function',
    expect: 'Denied',
    request: () => ({ caller: { role: hookRole('Api') }, action: 'lambda:UpdateFunctionCode', resource: fnArn('SmokeTest') }),
  },
  {
    name: 'the hook role cannot invoke a function of another account',
    expect: 'Denied',
    request: () => ({
      caller: { role: hookRole('Api') }, action: 'lambda:InvokeFunction', resource: `arn:aws:lambda:${REGION}:${ANOTHER_ACCOUNT}:function:hook`,
    }),
  },
  // Nothing but ECS assumes the role.
  ...['lambda.amazonaws.com', 'ecs-tasks.amazonaws.com', 'codedeploy.amazonaws.com'].map((service): Path => ({
    name: `${service} cannot assume the hook role`,
    expect: 'Denied',
    request: () => ({ caller: { service }, action: 'sts:AssumeRole', resource: p.roleArn(hookRole('Api')) }),
  })),
  {
    name: 'a role of another account cannot assume the hook role',
    expect: 'Denied',
    request: () => ({ caller: { arn: `arn:aws:iam::${ANOTHER_ACCOUNT}:role/admin` }, action: 'sts:AssumeRole', resource: p.roleArn(hookRole('Api')) }),
  },
  {
    name: "the execution role of the service cannot invoke the service's hook",
    expect: 'Denied',
    request: () => ({ caller: { role: t.find(ROLE, 'ApiTaskExecutionRole') }, action: 'lambda:InvokeFunction', resource: fnArn('SmokeTest') }),
  },
];

const tally = { allowed: 0, denied: 0 };
afterAll(() => {
  console.log(`progressive deployments: ${tally.allowed} allowed and ${tally.denied} denied access paths proven`);
});

describe('access paths of deployment lifecycle hooks', () => {
  test.each(paths.map(path => [path.expect, path.name, path] as const))('%s — %s', async (expected, _name, path) => {
    const request = path.request();
    const decision: Decision = await p.decide(request);
    if (expected === 'Allowed') {
      expect(decision).toBe('Allowed');
      tally.allowed++;
    } else {
      expect(decision).not.toBe('Allowed');
      tally.denied++;
    }
  });

  test('each hook role carries one statement: lambda:InvokeFunction on exactly its hook functions', () => {
    const docs = p.identityPolicies(hookRole('Api')).map(found => found.document.Statement);
    expect(docs).toEqual([[{ Sid: 'InvokeLifecycleHooks', Effect: 'Allow', Action: 'lambda:InvokeFunction', Resource: [fnArn('SmokeTest'), fnArn('Approve')] }]]);
    expect(p.awsManagedPolicyArns(hookRole('Api'))).toEqual([]);
  });
});
