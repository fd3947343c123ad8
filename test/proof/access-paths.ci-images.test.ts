/**
 * An image whose tag a CI pipeline writes into SSM (`WorkloadRepository.imageFromTagParameter`), proven with an IAM
 * policy simulator on the synthesized template: the execution role pulls exactly that repository, nothing else, and
 * needs no access to the parameter (CloudFormation reads it with the deployer's credentials when it creates the
 * change set: https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/cloudformation-supplied-parameter-types.html).
 */
import { App, Stack } from 'aws-cdk-lib';
import { FoundryCluster, FoundryTaskDefinition, WorkloadRepository } from '../../src';
import { ACCOUNT, REGION } from './support/iam-cases';
import { AccessRequest, TemplatePolicies } from './support/iam-policies';
import { RegionalTemplate } from './support/iam-regional';

interface Case {
  readonly name: string;
  readonly expect: 'Allowed' | 'Denied';
  readonly request: (t: RegionalTemplate) => AccessRequest;
}

const role = (t: RegionalTemplate, prefix: string) => ({ role: t.find('AWS::IAM::Role', prefix) });
const repository = (t: RegionalTemplate, prefix: string) => t.getAtt(t.find('AWS::ECR::Repository', prefix), 'Arn');
const TAG_PARAMETER = `arn:aws:ssm:${REGION}:${ACCOUNT}:parameter/api/image-tag`;

const cases: Case[] = [
  ...['ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer', 'ecr:BatchCheckLayerAvailability'].map((action): Case => ({
    name: `the execution role may ${action} on the repository CI pushes to`,
    expect: 'Allowed',
    request: t => ({ caller: role(t, 'ApiExecutionRole'), action, resource: repository(t, 'ApiRepo') }),
  })),
  {
    name: 'the execution role gets an ECR authorization token',
    expect: 'Allowed',
    request: t => ({ caller: role(t, 'ApiExecutionRole'), action: 'ecr:GetAuthorizationToken', resource: '*' }),
  },
  {
    name: "the execution role cannot pull another workload's repository of the same account",
    expect: 'Denied',
    request: t => ({ caller: role(t, 'ApiExecutionRole'), action: 'ecr:BatchGetImage', resource: repository(t, 'OtherRepo') }),
  },
  {
    name: 'the execution role cannot push to the repository (only the pipeline does)',
    expect: 'Denied',
    request: t => ({ caller: role(t, 'ApiExecutionRole'), action: 'ecr:PutImage', resource: repository(t, 'ApiRepo') }),
  },
  {
    name: 'the execution role cannot overwrite the tag parameter',
    expect: 'Denied',
    request: t => ({ caller: role(t, 'ApiExecutionRole'), action: 'ssm:PutParameter', resource: TAG_PARAMETER }),
  },
  {
    name: 'the execution role needs no read of the tag parameter (CloudFormation resolves it at deployment)',
    expect: 'Denied',
    request: t => ({ caller: role(t, 'ApiExecutionRole'), action: 'ssm:GetParameters', resource: TAG_PARAMETER }),
  },
];

describe('access paths of an image whose tag CI writes into SSM', () => {
  let template: RegionalTemplate;
  const tally = { allowed: 0, denied: 0 };
  beforeAll(() => {
    const app = new App();
    const stack = new Stack(app, 'Ci', { env: { account: ACCOUNT, region: REGION } });
    const cluster = new FoundryCluster(stack, 'Cluster');
    const repo = new WorkloadRepository(stack, 'ApiRepo');
    new WorkloadRepository(stack, 'OtherRepo');
    new FoundryTaskDefinition(stack, 'Api', { cluster, image: repo.imageFromTagParameter('/api/image-tag') });
    template = new RegionalTemplate('Ci', app.synth().getStackByName('Ci').template, REGION);
  });
  afterAll(() => {
    console.log(`access paths of an image whose tag CI writes into SSM: ${tally.allowed} allowed and ${tally.denied} denied access paths proven`);
  });

  test.each(cases.map(c => [c.expect, c.name, c] as const))('%s — %s', async (expected, _name, c) => {
    const policies = new TemplatePolicies(template);
    const request = c.request(template);
    const decision = await policies.decide(request);
    const ok = expected === 'Allowed' ? decision === 'Allowed' : decision !== 'Allowed';
    if (!ok) {
      throw new Error(`expected ${expected}, got ${decision}: ${JSON.stringify(policies.simulation(request).identityPolicies)}`);
    }
    if (expected === 'Allowed') tally.allowed++; else tally.denied++;
  });
});

/**
 * Who reads the tag parameter at CreateChangeSet: the caller, with `cdk deploy` the bootstrap's deploy role
 * (aws-cdk-cli packages/aws-cdk/lib/api/bootstrap/bootstrap-template.yaml, DeploymentActionRole, statement ReadVersion:
 * "CreateChangeSet uses this to evaluate any SSM parameters"), not the CloudFormation execution role. The default
 * bootstrap allows the version parameter only; the README's custom bootstrap statement allows the tag parameter.
 */
describe('the CDK deploy role reads the tag parameter only with the README\'s bootstrap statement', () => {
  const VERSION_PARAMETER = `arn:aws:ssm:${REGION}:${ACCOUNT}:parameter/cdk-bootstrap/hnb659fds/version`;
  const readVersion = {
    Sid: 'ReadVersion',
    Effect: 'Allow',
    Action: ['ssm:GetParameter', 'ssm:GetParameters'],
    Resource: VERSION_PARAMETER,
  };
  // The statement README "Shipping images from CI" adds to DeploymentActionRole (its !Sub resolved).
  const readImageTags = { Sid: 'ReadImageTags', Effect: 'Allow', Action: ['ssm:GetParameter', 'ssm:GetParameters'], Resource: TAG_PARAMETER };
  const bootstrap = (statements: object[]) => new RegionalTemplate('Bootstrap', {
    Resources: {
      DeploymentActionRole: {
        Type: 'AWS::IAM::Role',
        Properties: {
          AssumeRolePolicyDocument: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'sts:AssumeRole', Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` } }] },
          Policies: [{ PolicyName: 'default', PolicyDocument: { Version: '2012-10-17', Statement: statements } }],
        },
      },
    },
  }, REGION);
  const decide = (t: RegionalTemplate, resource: string) =>
    new TemplatePolicies(t).decide({ caller: { role: t.find('AWS::IAM::Role', 'DeploymentActionRole') }, action: 'ssm:GetParameters', resource });

  test('default bootstrap: the deploy role reads the version parameter, not the tag parameter (CreateChangeSet fails)', async () => {
    const t = bootstrap([readVersion]);
    expect(await decide(t, VERSION_PARAMETER)).toBe('Allowed');
    expect(await decide(t, TAG_PARAMETER)).not.toBe('Allowed');
  });

  test('with the README\'s ReadImageTags statement the deploy role reads the tag parameter and no other parameter', async () => {
    const t = bootstrap([readVersion, readImageTags]);
    expect(await decide(t, TAG_PARAMETER)).toBe('Allowed');
    expect(await decide(t, VERSION_PARAMETER)).toBe('Allowed');
    expect(await decide(t, `arn:aws:ssm:${REGION}:${ACCOUNT}:parameter/db/password`)).not.toBe('Allowed');
  });
});
