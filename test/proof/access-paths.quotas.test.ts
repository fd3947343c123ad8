/**
 * IAM quotas on every policy the library generates, measured on the resolved templates (CloudFormation-style
 * generated names, so ARNs have their deployed length), and a role with many grants: its permissions are split
 * across managed policies that each fit, and the simulator still allows every grant.
 *
 * Quotas (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html): managed policy size 6,144
 * characters, role trust policy length 2,048 characters by default, 10 managed policies per role by default; IAM
 * does not count white space.
 */
import { App, Stack } from 'aws-cdk-lib';
import { Annotations, Match } from 'aws-cdk-lib/assertions';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { BackendService, FoundryCluster } from '../../src';
import { ACCOUNT, REGION } from './support/iam-cases';
import { Fixtures, synthFixtures } from './support/iam-paths';
import { TemplatePolicies } from './support/iam-policies';
import { ResolvedTemplate } from './support/iam-resolve';
import { MANAGED_POLICIES_PER_ROLE_DEFAULT, MANAGED_POLICY_MAX_CHARS, ManagedPolicyRole } from '../../src/private/managed-policy-role';

const TRUST_POLICY_MAX_CHARS = 2048;
const size = (doc: unknown) => JSON.stringify(doc).replace(/\s/g, '').length;

/** Size of each managed policy and trust policy, and managed policies per role, of a template. */
function measure(t: ResolvedTemplate) {
  const managed = t.ofType('AWS::IAM::ManagedPolicy').map(id => ({ id, size: size(t.properties(id).PolicyDocument) }));
  const trust = t.ofType('AWS::IAM::Role').map(id => ({ id, size: size(t.properties(id).AssumeRolePolicyDocument) }));
  const p = new TemplatePolicies(t);
  const perRole = t.ofType('AWS::IAM::Role').map(id => ({ id, count: p.identityPolicies(id).length + p.awsManagedPolicyArns(id).length }));
  return { managed, trust, perRole };
}

describe('IAM quotas on the generated policies', () => {
  let fixtures: Fixtures;
  beforeAll(() => {
    fixtures = synthFixtures();
  });

  test.each(['defaults', 'fargate', 'ec2'] as const)('%s: every managed policy, trust policy and role fits the IAM quotas', name => {
    const { managed, trust, perRole } = measure(fixtures[name].t);
    expect(managed.length).toBeGreaterThan(0);
    expect(managed.filter(m => m.size > MANAGED_POLICY_MAX_CHARS)).toEqual([]);
    expect(trust.filter(m => m.size > TRUST_POLICY_MAX_CHARS)).toEqual([]);
    expect(perRole.filter(r => r.count > MANAGED_POLICIES_PER_ROLE_DEFAULT)).toEqual([]);
  });
});

describe('a role with many grants', () => {
  const QUEUES = 30;
  const SECRETS = 40;
  let t: ResolvedTemplate;
  let p: TemplatePolicies;
  let taskRole: string;
  let executionRole: string;

  beforeAll(() => {
    const app = new App();
    const stack = new Stack(app, 'ManyGrants', { env: { account: ACCOUNT, region: REGION } });
    const cluster = new FoundryCluster(stack, 'Cluster');
    const key = new kms.Key(stack, 'SecretKey', { enableKeyRotation: true });
    const secrets: Record<string, ecs.Secret> = {};
    for (let i = 0; i < SECRETS; i++) {
      secrets[`SECRET_${i}`] = ecs.Secret.fromSecretsManager(new secretsmanager.Secret(stack, `Secret${i}`, { encryptionKey: key }));
    }
    const service = new BackendService(stack, 'Busy', {
      cluster, image: ecs.ContainerImage.fromRegistry('public.ecr.aws/nginx/nginx:stable'), port: 8080, secrets,
    });
    for (let i = 0; i < QUEUES; i++) {
      new sqs.Queue(stack, `Queue${i}`, { encryptionMasterKey: cluster.encryptionKey, enforceSSL: true }).grantConsumeMessages(service.workload.taskRole);
    }
    t = new ResolvedTemplate('ManyGrants', app.synth().getStackByName('ManyGrants').template);
    p = new TemplatePolicies(t);
    taskRole = t.find('AWS::IAM::Role', 'BusyTaskTaskRole');
    executionRole = t.find('AWS::IAM::Role', 'BusyTaskExecutionRole');
  });

  test('the task role and the execution role split their permissions into managed policies that each fit', () => {
    for (const role of [taskRole, executionRole]) {
      const policies = p.identityPolicies(role);
      expect(policies.length).toBeGreaterThan(1);
      expect(policies.length).toBeLessThanOrEqual(MANAGED_POLICIES_PER_ROLE_DEFAULT);
      expect(policies.filter(x => size(x.document) > MANAGED_POLICY_MAX_CHARS).map(x => x.where)).toEqual([]);
    }
  });

  test('the simulator allows every queue to the task role and every secret to the execution role', async () => {
    const queues = t.ofType('AWS::SQS::Queue').map(id => t.getAtt(id, 'Arn'));
    expect(queues).toHaveLength(QUEUES);
    for (const queue of queues) {
      expect(await p.decide({ caller: { role: taskRole }, action: 'sqs:ReceiveMessage', resource: queue })).toBe('Allowed');
    }
    const secrets = t.ofType('AWS::SecretsManager::Secret').map(id => t.ref(id));
    expect(secrets).toHaveLength(SECRETS);
    for (const secret of secrets) {
      expect(await p.decide({ caller: { role: executionRole }, action: 'secretsmanager:GetSecretValue', resource: secret })).toBe('Allowed');
    }
  });

  test('the ECS service waits for every part of its task role\'s policy', () => {
    const service = t.find('AWS::ECS::Service', 'BusyService');
    const dependsOn: string[] = (t.resources[service] as any).DependsOn ?? [];
    const parts = p.identityPolicies(taskRole).map(x => x.where);
    expect(parts.length).toBeGreaterThan(1);
    expect(dependsOn).toEqual(expect.arrayContaining(parts));
  });
});

describe('managed policies per role', () => {
  /** A role with statements of about 2,000 characters each: three fit in one managed policy. */
  function roleWith(statements: number): Stack {
    const stack = new Stack(new App(), 'Quota', { env: { account: ACCOUNT, region: REGION } });
    const role = new ManagedPolicyRole(stack, 'Role', { assumedBy: new iam.ServicePrincipal('ecs-tasks.amazonaws.com') });
    for (let i = 0; i < statements; i++) {
      role.addToPrincipalPolicy(new iam.PolicyStatement({
        actions: ['s3:GetObject'], resources: [`arn:aws:s3:::bucket-${i}/${'x'.repeat(1950)}`],
      }));
    }
    return stack;
  }

  test('more than 10 managed policies warns that the role needs a quota increase', () => {
    const annotations = Annotations.fromStack(roleWith(36));
    annotations.hasWarning('/Quota/Role', Match.stringLikeRegexp('needs 12 managed policies: IAM allows 10 per role unless you raise the quota'));
    annotations.hasNoError('/Quota/Role', Match.anyValue());
  });

  test('more than 20 managed policies is an error', () => {
    Annotations.fromStack(roleWith(66)).hasError('/Quota/Role', Match.stringLikeRegexp('needs 22 managed policies, more than IAM allows a role \\(20'));
  });

  test('10 managed policies or fewer synthesize quietly', () => {
    const annotations = Annotations.fromStack(roleWith(30));
    annotations.hasNoWarning('/Quota/Role', Match.anyValue());
    annotations.hasNoError('/Quota/Role', Match.anyValue());
  });
});
