/**
 * Container restart policies, fault injection, the GuardDuty Runtime Monitoring agent pull and images whose tag a
 * pipeline writes into SSM: the template each produces and every input each refuses.
 */
import { App, CfnResource, CfnWaitConditionHandle, Duration, Stack, Token } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Capacity, FoundryCluster, FoundryTaskDefinition, FoundryTaskDefinitionProps, WebService, WorkloadRepository } from '../../src';
import { GUARDDUTY_AGENT_ACCOUNTS } from '../../src/workload/guardduty-agent';
import { CFN_VALIDATE, complianceApp, findingsOf, synthFindings } from '../support/compliance';
import { plainStack } from '../support/stacks';

const nginx = ecs.ContainerImage.fromRegistry('public.ecr.aws/nginx/nginx:stable');
const agent = ecs.ContainerImage.fromRegistry('public.ecr.aws/aws-observability/aws-otel-collector:latest');

function build(props: Partial<FoundryTaskDefinitionProps> = {}, stack: Stack = plainStack()) {
  const cluster = new FoundryCluster(stack, 'Cluster');
  const workload = new FoundryTaskDefinition(stack, 'Web', { cluster, image: nginx, port: 8080, ...props });
  return { stack, cluster, workload };
}

const containerNamed = (template: Template, name: string) => {
  const defs = Object.values(template.findResources('AWS::ECS::TaskDefinition'))
    .flatMap(r => r.Properties.ContainerDefinitions as Array<Record<string, unknown>>);
  return defs.find(c => c.Name === name)!;
};

describe('container restart policy', () => {
  test('a sidecar and the main container restart in place with the given exit codes and period', () => {
    const { stack } = build({
      restartPolicy: { restartAttemptPeriod: Duration.minutes(2) },
      sidecars: [{
        name: 'otel',
        image: agent,
        essential: false,
        restartPolicy: { ignoredExitCodes: [0, 143], restartAttemptPeriod: Duration.seconds(60) },
      }],
    });
    const template = Template.fromStack(stack);
    expect(containerNamed(template, 'otel').RestartPolicy).toEqual({ Enabled: true, IgnoredExitCodes: [0, 143], RestartAttemptPeriod: 60 });
    expect(containerNamed(template, 'app').RestartPolicy).toEqual({ Enabled: true, RestartAttemptPeriod: 120 });
  });

  test('an empty restart policy turns it on with ECS defaults; no policy leaves it off', () => {
    const { stack } = build({ sidecars: [{ name: 'otel', image: agent, essential: false, restartPolicy: {} }, { name: 'plain', image: agent, essential: false }] });
    const template = Template.fromStack(stack);
    expect(containerNamed(template, 'otel').RestartPolicy).toEqual({ Enabled: true });
    expect(containerNamed(template, 'plain').RestartPolicy).toBeUndefined();
    expect(containerNamed(template, 'app').RestartPolicy).toBeUndefined();
  });

  test('addSidecar() takes a restart policy too, validated the same way', () => {
    const { stack, workload } = build();
    workload.addSidecar({ name: 'otel', image: agent, essential: false, restartPolicy: { ignoredExitCodes: [0] } });
    expect(containerNamed(Template.fromStack(stack), 'otel').RestartPolicy).toEqual({ Enabled: true, IgnoredExitCodes: [0] });
    expect(() => workload.addSidecar({ name: 'late', image: agent, restartPolicy: { restartAttemptPeriod: Duration.seconds(30) } }))
      .toThrow(/late: restartPolicy.restartAttemptPeriod \(seconds\) = 30/);
  });

  test.each([
    ['a period under 60 seconds', { restartAttemptPeriod: Duration.seconds(59) }, /restartAttemptPeriod \(seconds\) = 59\. Use a whole number between 60 and 1800/],
    ['a period over 30 minutes', { restartAttemptPeriod: Duration.seconds(1801) }, /restartAttemptPeriod \(seconds\) = 1801/],
    ['a fractional period', { restartAttemptPeriod: Duration.millis(60_500) }, /restartAttemptPeriod \(seconds\) = 60.5/],
    ['51 ignored exit codes', { ignoredExitCodes: Array.from({ length: 51 }, (_, i) => i) }, /ignoredExitCodes = '51 exit codes'. ECS takes at most 50/],
    ['an empty list of exit codes', { ignoredExitCodes: [] }, /ignoredExitCodes = \[\]\. List at least one exit code/],
    ['a negative exit code', { ignoredExitCodes: [-1] }, /ignoredExitCodes = -1/],
    ['an exit code over 255', { ignoredExitCodes: [256] }, /ignoredExitCodes = 256/],
    ['a fractional exit code', { ignoredExitCodes: [1.5] }, /ignoredExitCodes = 1.5/],
    ['a duplicate exit code', { ignoredExitCodes: [0, 0] }, /ignoredExitCodes = 0\. List each exit code once/],
  ])('refuses %s', (_, restartPolicy, message) => {
    expect(() => build({ sidecars: [{ name: 'otel', image: agent, essential: false, restartPolicy }] })).toThrow(message);
  });

  test('accepts the bounds and 50 exit codes', () => {
    expect(() => build({
      sidecars: [
        { name: 'a', image: agent, essential: false, restartPolicy: { restartAttemptPeriod: Duration.seconds(60), ignoredExitCodes: Array.from({ length: 50 }, (_, i) => i) } },
        { name: 'b', image: agent, essential: false, restartPolicy: { restartAttemptPeriod: Duration.minutes(30) } },
      ],
    })).not.toThrow();
  });

  test('refuses a restart policy on an init container the main container waits on to exit', () => {
    expect(() => build({
      sidecars: [{ name: 'migrate', image: agent, essential: false, mainContainerWaitsFor: ecs.ContainerDependencyCondition.SUCCESS, restartPolicy: {} }],
    })).toThrow(/sidecar 'migrate': restartPolicy = \{\}\. The main container waits for this init container to exit \(SUCCESS\)/);
  });

  test('refuses a restart policy on Windows containers, which Fargate does not restart', () => {
    expect(() => build({ operatingSystemFamily: ecs.OperatingSystemFamily.WINDOWS_SERVER_2022_CORE, restartPolicy: {} }))
      .toThrow(/app: restartPolicy = \{\}\. ECS does not restart Windows containers on Fargate/);
  });
});

describe('fault injection', () => {
  test('is off by default: the task definition does not set it', () => {
    const { stack } = build();
    const props = Object.values(Template.fromStack(stack).findResources('AWS::ECS::TaskDefinition'))[0].Properties;
    expect(props.EnableFaultInjection).toBeUndefined();
  });

  test('an opt-in sets EnableFaultInjection on the awsvpc task definition, on Fargate and on EC2', () => {
    const { stack } = build({ enableFaultInjection: true });
    Template.fromStack(stack).hasResourceProperties('AWS::ECS::TaskDefinition', { EnableFaultInjection: true, NetworkMode: 'awsvpc' });

    const ec2Stack = plainStack('OnEc2');
    const cluster = new FoundryCluster(ec2Stack, 'Cluster');
    const capacity = cluster.addEc2Capacity('Hosts', { instanceType: new ec2.InstanceType('m7g.large') });
    new FoundryTaskDefinition(ec2Stack, 'Web', { cluster, image: nginx, capacity: Capacity.ec2(capacity), enableFaultInjection: true });
    Template.fromStack(ec2Stack).hasResourceProperties('AWS::ECS::TaskDefinition', { EnableFaultInjection: true, RequiresCompatibilities: ['EC2'] });
  });

  test('false is written as nothing, like the default', () => {
    const { stack } = build({ enableFaultInjection: false });
    const props = Object.values(Template.fromStack(stack).findResources('AWS::ECS::TaskDefinition'))[0].Properties;
    expect(props.EnableFaultInjection).toBeUndefined();
  });

  test('is refused on Windows, where ECS has no fault injection', () => {
    expect(() => build({ operatingSystemFamily: ecs.OperatingSystemFamily.WINDOWS_SERVER_2022_CORE, enableFaultInjection: true }))
      .toThrow(/invalid enableFaultInjection = true\. ECS fault injection is not available on Windows \(https:\/\/docs\.aws\.amazon\.com\/AmazonECS\/latest\/developerguide\/fault-injection\.html\)/);
  });
});

describe('GuardDuty Runtime Monitoring agent pull', () => {
  /** The policies (environment-agnostic stacks) that hold only the agent pull. */
  const agentPolicies = (stack: Stack) => Template.fromStack(stack).findResources('AWS::IAM::ManagedPolicy', {
    Properties: { Description: Match.stringLikeRegexp('GuardDuty Runtime Monitoring agent') },
  });
  /** Every policy statement (managed or inline policy) that grants on the agent repository, with its policy. */
  const agentGrants = (stack: Stack) => {
    const resources = Template.fromStack(stack).toJSON().Resources as Record<string, { Type: string; Properties: any }>;
    return Object.entries(resources)
      .filter(([, r]) => r.Type === 'AWS::IAM::ManagedPolicy' || r.Type === 'AWS::IAM::Policy')
      .flatMap(([id, r]) => (r.Properties.PolicyDocument.Statement as any[])
        .filter(st => JSON.stringify(st.Resource).includes('aws-guardduty-agent-fargate'))
        .map(statement => ({ id, roles: r.Properties.Roles, statements: r.Properties.PolicyDocument.Statement as any[], statement })));
  };

  test('by default the execution role may pull the agent repository of the stack Region, in its own policy: no resource more', () => {
    const { stack, workload } = build();
    const grants = agentGrants(stack);
    expect(grants).toHaveLength(1);
    expect(grants[0].roles).toEqual([{ Ref: Stack.of(workload).getLogicalId(workload.executionRole.node.defaultChild as iam.CfnRole) }]);
    expect(grants[0].statement).toEqual({
      Effect: 'Allow',
      Action: ['ecr:BatchCheckLayerAvailability', 'ecr:GetDownloadUrlForLayer', 'ecr:BatchGetImage'],
      Resource: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':ecr:', { Ref: 'AWS::Region' }, ':593207742271:repository/aws-guardduty-agent-fargate']] },
    });
    expect(grants[0].statements).toContainEqual({ Effect: 'Allow', Action: 'ecr:GetAuthorizationToken', Resource: '*' });
    expect(Object.keys(agentPolicies(stack))).toHaveLength(0);
    // The execution role's own policy and nothing else (beside the cluster's flow log role's).
    expect(Object.keys(Template.fromStack(stack).findResources('AWS::IAM::ManagedPolicy')).sort())
      .toEqual([expect.stringMatching(/^ClusterFlowLogRolePolicy/), expect.stringMatching(/^WebExecutionRolePolicy/)]);
  });

  test.each([
    ['eu-central-1', '323658145986'],
    ['ap-northeast-1', '533107202818'],
    ['me-central-1', '000014521398'],
  ])('in %s the grant names GuardDuty account %s', (region, account) => {
    const stack = new Stack(new App(), 'Regional', { env: { account: '123456789012', region } });
    build({}, stack);
    const [grant] = agentGrants(stack);
    expect(JSON.stringify(grant.statement.Resource)).toContain(`:${account}:repository/aws-guardduty-agent-fargate`);
  });

  test('the table has the 33 Regions the GuardDuty page lists, each with a 12-digit account', () => {
    expect(Object.keys(GUARDDUTY_AGENT_ACCOUNTS)).toHaveLength(33);
    for (const account of Object.values(GUARDDUTY_AGENT_ACCOUNTS)) {
      expect(account).toMatch(/^\d{12}$/);
    }
  });

  test('a Region without the Fargate agent gets no grant, and says so', () => {
    const stack = new Stack(new App(), 'China', { env: { account: '123456789012', region: 'cn-north-1' } });
    build({}, stack);
    expect(agentGrants(stack)).toHaveLength(0);
    const infos = stack.node.findAll().flatMap(c => c.node.metadata).filter(m => m.type === 'aws:cdk:info').map(m => String(m.data));
    expect(infos).toContainEqual(expect.stringMatching(/GuardDuty lists no Fargate agent repository in cn-north-1/));
  });

  test('an environment-agnostic stack maps the Region to the account, and creates the policy only in listed Regions', () => {
    const stack = new Stack(new App(), 'Agnostic');
    build({}, stack);
    build({}, new Stack(stack, 'Unused'));
    const template = Template.fromStack(stack);
    const json = template.toJSON();
    expect(Object.keys(json.Mappings.FoundryGuardDutyAgentAccounts)).toHaveLength(33);
    expect(json.Mappings.FoundryGuardDutyAgentAccounts['us-east-1']).toEqual({ account: '593207742271' });
    const [policy] = Object.values(agentPolicies(stack));
    expect(policy.Condition).toBe('FoundryGuardDutyAgentRegion');
    expect(JSON.stringify(policy.Properties.PolicyDocument.Statement[0].Resource))
      .toContain('{"Fn::FindInMap":["FoundryGuardDutyAgentAccounts",{"Ref":"AWS::Region"},"account"]}');
    // Fn::Or takes at most 10 conditions: the 33 Regions are grouped.
    const or = json.Conditions.FoundryGuardDutyAgentRegion['Fn::Or'];
    expect(or.length).toBeLessThanOrEqual(10);
    const regions = or.flatMap((g: { 'Fn::Or': Array<{ 'Fn::Equals': [unknown, string] }> }) => g['Fn::Or'].map(e => e['Fn::Equals'][1]));
    expect(new Set(regions)).toEqual(new Set(Object.keys(GUARDDUTY_AGENT_ACCOUNTS)));
  });

  test('the environment-agnostic template passes CloudFormation validation and the four cdk-nag packs', () => {
    // The compliance harness synthesizes stacks with a Region; the mapping, the condition and Fn::FindInMap exist
    // only without one, so they get their own run here.
    const app = complianceApp();
    const stack = new Stack(app, 'AgnosticCompliance');
    build({}, stack);
    expect(findingsOf(synthFindings(app), 'AgnosticCompliance')).toEqual([]);
  });

  test('two workloads in one agnostic stack share one mapping and one condition', () => {
    const stack = new Stack(new App(), 'Agnostic');
    const { cluster } = build({}, stack);
    new FoundryTaskDefinition(stack, 'Other', { cluster, image: nginx });
    expect(Object.keys(agentPolicies(stack))).toHaveLength(2);
    expect(Object.keys(Template.fromStack(stack).toJSON().Conditions)).toEqual(['FoundryGuardDutyAgentRegion']);
  });

  test('the ECS service waits for the grant (it is in its execution role\'s policy); a shared role holds it once', () => {
    const stack = plainStack();
    const cluster = new FoundryCluster(stack, 'Cluster');
    new WebService(stack, 'Site', { cluster, image: nginx, port: 8080, loadBalancerOptions: { allowHttp: true } });
    const shared = new iam.Role(stack, 'SharedExecutionRole', { assumedBy: new iam.ServicePrincipal('ecs-tasks.amazonaws.com') });
    new FoundryTaskDefinition(stack, 'One', { cluster, image: nginx, executionRole: shared });
    new FoundryTaskDefinition(stack, 'Two', { cluster, image: nginx, executionRole: shared });
    const grants = agentGrants(stack);
    // One in the service's role's policy, one in the shared role's policy.
    expect(grants.map(g => g.id).sort()).toEqual([expect.stringMatching(/^SharedExecutionRoleDefaultPolicy/), expect.stringMatching(/^SiteTaskExecutionRolePolicy/)]);
    const [service] = Object.values(Template.fromStack(stack).findResources('AWS::ECS::Service'));
    expect(service.DependsOn).toContain(grants.find(g => g.id.startsWith('SiteTask'))!.id);
  });

  test('environment-agnostic: the ECS service waits for the conditional policy through an unconditional handle under the execution role; one per shared role', () => {
    const stack = new Stack(new App(), 'Agnostic');
    const cluster = new FoundryCluster(stack, 'Cluster');
    const web = new WebService(stack, 'Site', { cluster, image: nginx, port: 8080, loadBalancerOptions: { allowHttp: true }, scaling: { maxTasks: 4 } });
    const shared = new iam.Role(stack, 'SharedExecutionRole', { assumedBy: new iam.ServicePrincipal('ecs-tasks.amazonaws.com') });
    new FoundryTaskDefinition(stack, 'One', { cluster, image: nginx, executionRole: shared });
    new FoundryTaskDefinition(stack, 'Two', { cluster, image: nginx, executionRole: shared });
    const policies = Object.keys(agentPolicies(stack));
    expect(policies).toHaveLength(2);
    const policy = policies.find(id => id.startsWith('SiteTask'))!;
    const ready = web.workload.executionRole.node.tryFindChild('GuardDutyAgentPullReady') as CfnResource;
    expect(ready).toBeDefined();
    const readyId = stack.getLogicalId(ready);
    const json = Template.fromStack(stack).toJSON();
    // The handle has no condition, and references the policy only where the policy exists.
    expect(json.Resources[readyId]).toEqual({
      Type: 'AWS::CloudFormation::WaitConditionHandle',
      Metadata: { GuardDutyAgentPull: { 'Fn::If': ['FoundryGuardDutyAgentRegion', { Ref: policy }, { Ref: 'AWS::NoValue' }] } },
    });
    // Nothing depends on the conditional policies: CloudFormation rejects a DependsOn on a resource that may not exist.
    const dependents = Object.entries<any>(json.Resources).filter(([, r]) => (r.DependsOn ?? []).some((d: string) => policies.includes(d)));
    expect(dependents.map(([id]) => id)).toEqual([]);
    const [service] = Object.values(Template.fromStack(stack).findResources('AWS::ECS::Service'));
    expect(service.DependsOn).toContain(readyId);
    // Two workloads sharing a role share its handle.
    expect(shared.node.findAll().filter(c => c instanceof CfnWaitConditionHandle)).toHaveLength(1);
  });

  test('environment-agnostic services (a scaled WebService, a shared role) pass CloudFormation validation with zero findings, warnings included', () => {
    const app = complianceApp();
    const stack = new Stack(app, 'AgnosticServices');
    const cluster = new FoundryCluster(stack, 'Cluster');
    new WebService(stack, 'Site', { cluster, image: nginx, port: 8080, loadBalancerOptions: { allowHttp: true }, scaling: { maxTasks: 4 } });
    const shared = new iam.Role(stack, 'SharedExecutionRole', { assumedBy: new iam.ServicePrincipal('ecs-tasks.amazonaws.com') });
    new FoundryTaskDefinition(stack, 'One', { cluster, image: nginx, executionRole: shared });
    const findings = synthFindings(app).filter(f => f.plugin === CFN_VALIDATE);
    expect(findingsOf(findings, 'AgnosticServices')).toEqual([]);
  });

  test('environment-agnostic, an execution role of another stack: the policy is the workload\'s, and its task definition waits for it', () => {
    const app = new App();
    const roles = new Stack(app, 'Roles');
    const stack = new Stack(app, 'Workloads');
    // An existing role imported into another stack (a platform stack that hands roles out).
    const role = iam.Role.fromRoleName(roles, 'ExecutionRole', 'shared-execution-role');
    build({ executionRole: role }, stack);
    const [policyId] = Object.keys(agentPolicies(stack));
    expect(policyId).toMatch(/^WebGuardDutyAgentPull/);
    const json = Template.fromStack(stack).toJSON();
    const [readyId] = Object.keys(Template.fromStack(stack).findResources('AWS::CloudFormation::WaitConditionHandle'));
    expect(JSON.stringify(json.Resources[readyId].Metadata)).toContain(JSON.stringify({ Ref: policyId }));
    const [taskDefinition] = Object.values(Template.fromStack(stack).findResources('AWS::ECS::TaskDefinition'));
    expect(taskDefinition.DependsOn).toContain(readyId);
    expect(taskDefinition.DependsOn).not.toContain(policyId);
  });

  test('allowGuardDutyAgentPull: false opts out', () => {
    const { stack } = build({ allowGuardDutyAgentPull: false });
    expect(agentGrants(stack)).toHaveLength(0);
  });

  test('only Linux tasks on Fargate get it: not EC2 capacity, not Windows', () => {
    const ec2Stack = plainStack('OnEc2');
    const cluster = new FoundryCluster(ec2Stack, 'Cluster');
    const capacity = cluster.addEc2Capacity('Hosts', { instanceType: new ec2.InstanceType('m7g.large') });
    new FoundryTaskDefinition(ec2Stack, 'Web', { cluster, image: nginx, capacity: Capacity.ec2(capacity) });
    expect(agentGrants(ec2Stack)).toHaveLength(0);

    const { stack } = build({ operatingSystemFamily: ecs.OperatingSystemFamily.WINDOWS_SERVER_2022_CORE });
    expect(agentGrants(stack)).toHaveLength(0);
  });

  test('Fargate Spot tasks get it too, and so does an execution role you pass', () => {
    const stack = plainStack();
    const role = new iam.Role(stack, 'MyExecutionRole', { assumedBy: new iam.ServicePrincipal('ecs-tasks.amazonaws.com') });
    build({ capacity: Capacity.spot(), executionRole: role }, stack);
    const [grant] = agentGrants(stack);
    expect(grant.roles).toEqual([{ Ref: stack.getLogicalId(role.node.defaultChild as iam.CfnRole) }]);
  });
});

describe('WorkloadRepository.imageFromTagParameter', () => {
  function ciStack(context: Record<string, string> = {}) {
    const app = new App({ context });
    const stack = new Stack(app, 'Ci', { env: { account: '123456789012', region: 'us-east-1' } });
    const repository = new WorkloadRepository(stack, 'Repo');
    build({ image: repository.imageFromTagParameter('/api/image-tag') }, stack);
    return { stack, repository, template: Template.fromStack(stack) };
  }

  test('the image tag comes from an SSM-typed stack parameter named after the SSM parameter, never a literal tag', () => {
    const { template } = ciStack();
    const parameters = template.toJSON().Parameters;
    const [key, parameter] = Object.entries(parameters).find(([, p]) => (p as { Default?: string }).Default === '/api/image-tag')! as [string, Record<string, string>];
    expect(parameter.Type).toBe('AWS::SSM::Parameter::Value<String>');
    // The CDK CLI skips no deployment of a stack with an SSM parameter, unless its description carries '[cdk:skip]'.
    expect(parameter.Description ?? '').not.toContain('[cdk:skip]');
    const image = JSON.stringify(containerNamed(template, 'app').Image);
    expect(image).toContain(`{"Ref":"${key}"}`);
    expect(image).toContain('RepoRepository');
  });

  test('a second synth with another CI context (a build number, a commit) gives the same template', () => {
    const first = ciStack({ buildNumber: '41', commit: 'abc123' }).template.toJSON();
    const second = ciStack({ buildNumber: '42', commit: 'def456', imageTag: '2.0.0' }).template.toJSON();
    expect(second).toEqual(first);
  });

  test('the execution role may pull from that repository', () => {
    const { template } = ciStack();
    const statements = Object.values(template.findResources('AWS::IAM::ManagedPolicy'))
      .flatMap(p => p.Properties.PolicyDocument.Statement as Array<{ Action: string | string[]; Resource: unknown }>);
    const pull = statements.find(s => Array.isArray(s.Action) && s.Action.includes('ecr:BatchGetImage') && JSON.stringify(s.Resource).includes('RepoRepository'));
    expect(pull).toBeDefined();
  });

  test.each([
    ['an empty name', ''],
    ['a space', '/api/image tag'],
    ['a hierarchy without the leading slash', 'api/image-tag'],
    ['a trailing slash', '/api/'],
    ['a reserved aws prefix', '/aws/service/tag'],
    ['a reserved ssm prefix', 'ssmTag'],
    ['16 levels', `/${Array.from({ length: 16 }, (_, i) => `l${i}`).join('/')}`],
    ['1012 characters', `/${'a'.repeat(1011)}`],
  ])('refuses %s', (_, name) => {
    const stack = plainStack();
    const repository = new WorkloadRepository(stack, 'Repo');
    expect(() => repository.imageFromTagParameter(name)).toThrow(/WorkloadRepository 'Test\/Repo': invalid parameterName/);
  });

  test('accepts a simple name and a hierarchy, refuses a token (a template parameter default holds no reference)', () => {
    const stack = plainStack();
    const repository = new WorkloadRepository(stack, 'Repo');
    expect(() => repository.imageFromTagParameter('apiImageTag')).not.toThrow();
    expect(() => repository.imageFromTagParameter('/team/api/image-tag')).not.toThrow();
    expect(() => repository.imageFromTagParameter(Token.asString({ Ref: 'TagParameterName' }))).toThrow(/invalid parameterName = .*Pass the parameter's name as a string/);
  });
});
