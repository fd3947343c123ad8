/**
 * The GuardDuty Runtime Monitoring agent pull, proven with an IAM policy simulator on the synthesized templates.
 *
 * GuardDuty adds its agent as a sidecar to Fargate tasks; ECS pulls it with the task's execution role from
 * `aws-guardduty-agent-fargate` in GuardDuty's account of the Region
 * (https://docs.aws.amazon.com/guardduty/latest/ug/ecs-runtime-agent-ecr-image-uri.html). The pull is cross-account:
 * AWS allows it when the caller's identity policy and the repository's policy both allow it. GuardDuty's repository
 * policy is GuardDuty's; it is modelled here as allowing every principal to pull, so the decision below is our
 * identity policy's alone: what the execution role may pull, and what it may not.
 *
 * An environment-agnostic template is deployed in several Regions: each is resolved as CloudFormation would there
 * (AWS::Region, the Region mapping, and the condition that leaves the policy out of Regions without the agent).
 */
import { App, Stack } from 'aws-cdk-lib';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import { FoundryCluster, FoundryTaskDefinition, WorkloadRepository } from '../../src';
import { ACCOUNT } from './support/iam-cases';
import { AccessRequest, PolicyDocument, TemplatePolicies } from './support/iam-policies';
import { RegionalTemplate } from './support/iam-regional';
import { CfnTemplate } from './support/iam-resolve';
import { GUARDDUTY_AGENT_ACCOUNTS } from '../../src/workload/guardduty-agent';

const agentRepository = (region: string) => `arn:aws:ecr:${region}:${GUARDDUTY_AGENT_ACCOUNTS[region]}:repository/aws-guardduty-agent-fargate`;
const PULL = ['ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer', 'ecr:BatchCheckLayerAvailability'];
/** GuardDuty's repository policy as modelled here: anyone may pull (the identity policy decides). */
const OPEN_REPOSITORY: PolicyDocument = {
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Principal: '*', Action: [...PULL, 'ecr:PutImage', 'ecr:InitiateLayerUpload'], Resource: '*' }],
};

function synth(): { agnostic: CfnTemplate; frankfurt: CfnTemplate; optedOut: CfnTemplate } {
  const app = new App();
  const build = (stack: Stack, allow = true) => {
    const cluster = new FoundryCluster(stack, 'Cluster');
    const repo = new WorkloadRepository(stack, 'Repo');
    new FoundryTaskDefinition(stack, 'Api', { cluster, image: repo.image('1.0.0'), allowGuardDutyAgentPull: allow });
    new FoundryTaskDefinition(stack, 'Docs', { cluster, image: ecs.ContainerImage.fromRegistry('public.ecr.aws/nginx/nginx:stable') });
  };
  build(new Stack(app, 'Agnostic'));
  build(new Stack(app, 'Frankfurt', { env: { account: ACCOUNT, region: 'eu-central-1' } }));
  build(new Stack(app, 'OptedOut', { env: { account: ACCOUNT, region: 'us-east-1' } }), false);
  const assembly = app.synth();
  return {
    agnostic: assembly.getStackByName('Agnostic').template,
    frankfurt: assembly.getStackByName('Frankfurt').template,
    optedOut: assembly.getStackByName('OptedOut').template,
  };
}

interface Case {
  readonly name: string;
  readonly stack: 'agnostic' | 'frankfurt' | 'optedOut';
  readonly region: string;
  readonly expect: 'Allowed' | 'Denied';
  readonly request: (executionRole: (prefix: string) => { role: string }) => AccessRequest;
}

const DEPLOYED_IN = ['us-east-1', 'eu-central-1', 'ap-northeast-1', 'me-central-1', 'ap-east-2'];
const cases: Case[] = [
  ...DEPLOYED_IN.flatMap((region): Case[] => [
    ...PULL.map((action): Case => ({
      name: `in ${region} the execution role may ${action} the GuardDuty agent of ${region}`,
      stack: 'agnostic',
      region,
      expect: 'Allowed',
      request: role => ({ caller: role('ApiExecutionRole'), action, resource: agentRepository(region), resourcePolicy: OPEN_REPOSITORY }),
    })),
    {
      name: `in ${region} the execution role of a workload with a public image gets an ECR authorization token`,
      stack: 'agnostic',
      region,
      expect: 'Allowed',
      request: role => ({ caller: role('DocsExecutionRole'), action: 'ecr:GetAuthorizationToken', resource: '*' }),
    },
    {
      name: `in ${region} the execution role cannot pull another repository of GuardDuty's account`,
      stack: 'agnostic',
      region,
      expect: 'Denied',
      request: role => ({
        caller: role('ApiExecutionRole'),
        action: 'ecr:BatchGetImage',
        resource: `arn:aws:ecr:${region}:${GUARDDUTY_AGENT_ACCOUNTS[region]}:repository/aws-guardduty-agent-ecs-ec2`,
        resourcePolicy: OPEN_REPOSITORY,
      }),
    },
    {
      name: `in ${region} the execution role cannot pull the agent repository of another Region`,
      stack: 'agnostic',
      region,
      expect: 'Denied',
      request: role => {
        const other = region === 'us-west-2' ? 'us-east-1' : 'us-west-2';
        return { caller: role('ApiExecutionRole'), action: 'ecr:BatchGetImage', resource: agentRepository(other), resourcePolicy: OPEN_REPOSITORY };
      },
    },
    {
      name: `in ${region} the execution role cannot push to the agent repository`,
      stack: 'agnostic',
      region,
      expect: 'Denied',
      request: role => ({ caller: role('ApiExecutionRole'), action: 'ecr:PutImage', resource: agentRepository(region), resourcePolicy: OPEN_REPOSITORY }),
    },
  ]),
  {
    name: 'in a Region GuardDuty lists no agent for, the environment-agnostic template grants nothing',
    stack: 'agnostic',
    region: 'eu-west-9',
    expect: 'Denied',
    request: role => ({
      caller: role('DocsExecutionRole'),
      action: 'ecr:BatchGetImage',
      resource: `arn:aws:ecr:eu-west-9:${GUARDDUTY_AGENT_ACCOUNTS['us-east-1']}:repository/aws-guardduty-agent-fargate`,
      resourcePolicy: OPEN_REPOSITORY,
    }),
  },
  {
    name: 'a stack in eu-central-1 may pull the agent of eu-central-1',
    stack: 'frankfurt',
    region: 'eu-central-1',
    expect: 'Allowed',
    request: role => ({ caller: role('DocsExecutionRole'), action: 'ecr:BatchGetImage', resource: agentRepository('eu-central-1'), resourcePolicy: OPEN_REPOSITORY }),
  },
  {
    name: 'a stack in eu-central-1 cannot pull the agent of eu-west-1',
    stack: 'frankfurt',
    region: 'eu-central-1',
    expect: 'Denied',
    request: role => ({ caller: role('DocsExecutionRole'), action: 'ecr:BatchGetImage', resource: agentRepository('eu-west-1'), resourcePolicy: OPEN_REPOSITORY }),
  },
  {
    name: 'allowGuardDutyAgentPull: false leaves the agent closed to that workload',
    stack: 'optedOut',
    region: 'us-east-1',
    expect: 'Denied',
    request: role => ({ caller: role('ApiExecutionRole'), action: 'ecr:BatchGetImage', resource: agentRepository('us-east-1'), resourcePolicy: OPEN_REPOSITORY }),
  },
  {
    name: 'allowGuardDutyAgentPull: false keeps the workload\'s own pull',
    stack: 'optedOut',
    region: 'us-east-1',
    expect: 'Allowed',
    request: role => ({ caller: role('ApiExecutionRole'), action: 'ecr:GetAuthorizationToken', resource: '*' }),
  },
  {
    name: 'the other workload of the opted-out stack still pulls the agent',
    stack: 'optedOut',
    region: 'us-east-1',
    expect: 'Allowed',
    request: role => ({ caller: role('DocsExecutionRole'), action: 'ecr:BatchGetImage', resource: agentRepository('us-east-1'), resourcePolicy: OPEN_REPOSITORY }),
  },
];

describe('access paths of the GuardDuty agent pull', () => {
  let templates: ReturnType<typeof synth>;
  const tally = { allowed: 0, denied: 0 };
  beforeAll(() => {
    templates = synth();
  });
  afterAll(() => {
    console.log(`access paths of the GuardDuty agent pull: ${tally.allowed} allowed and ${tally.denied} denied access paths proven`);
  });

  test.each(cases.map(c => [c.expect, c.name, c] as const))('%s — %s', async (expected, _name, c) => {
    const t = new RegionalTemplate(c.stack, templates[c.stack], c.region);
    const policies = new TemplatePolicies(t);
    const role = (prefix: string) => ({ role: t.find('AWS::IAM::Role', prefix) });
    const request = c.request(role);
    const decision = await policies.decide(request);
    const ok = expected === 'Allowed' ? decision === 'Allowed' : decision !== 'Allowed';
    if (!ok) {
      throw new Error(`expected ${expected}, got ${decision}: ${JSON.stringify(policies.simulation(request).identityPolicies)}`);
    }
    if (expected === 'Allowed') tally.allowed++; else tally.denied++;
  });

  test('the agnostic template creates the policy only where its condition holds', () => {
    const policiesIn = (region: string) => new RegionalTemplate('agnostic', templates.agnostic, region).ofType('AWS::IAM::ManagedPolicy')
      .filter(id => id.includes('GuardDutyAgentPull')).length;
    expect(policiesIn('us-east-1')).toBe(2);
    expect(policiesIn('eu-west-9')).toBe(0);
  });
});
