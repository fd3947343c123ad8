import { execSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as vm from 'vm';
import { CfnResource, CustomResource, Duration, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import { IConstruct } from 'constructs';
import { Capacity, Ec2Capacity, FoundryCluster } from '../../src';
// Not public: only Ec2Capacity creates it (issue 11 API review); its own validation is still tested here.
import { Ec2CapacityTeardown } from '../../src/cluster/teardown';
import { plainStack } from '../support/stacks';

const ROOT = path.join(__dirname, '..', '..');
const COMMITTED_HANDLER = path.join(ROOT, 'assets', 'cluster', 'teardown-handler', 'index.js');
const TSC = path.join(ROOT, 'node_modules', '.bin', 'tsc');

// GIVEN a cluster with two EC2 capacities and services on them, synthesized once.
const stack = plainStack('Teardown');
const cluster = new FoundryCluster(stack, 'Cluster', { logRetention: logs.RetentionDays.SIX_MONTHS });
const general = cluster.addEc2Capacity('General', { instanceType: new ec2.InstanceType('m7i.large') });
const graviton = cluster.addEc2Capacity('Graviton', { instanceType: new ec2.InstanceType('m7g.large'), teardownWait: Duration.seconds(30) });
const manual = cluster.addEc2Capacity('Manual', { instanceType: new ec2.InstanceType('c7i.large'), cleanTeardown: false });

const taskDefinition = new ecs.Ec2TaskDefinition(stack, 'TaskDef', { networkMode: ecs.NetworkMode.AWS_VPC });
taskDefinition.addContainer('app', { image: ecs.ContainerImage.fromRegistry('public.ecr.aws/nginx/nginx:stable'), memoryLimitMiB: 256 });
const ec2Service = new ecs.Ec2Service(stack, 'Ec2Service', {
  cluster: cluster.ecsCluster,
  taskDefinition,
  capacityProviderStrategies: Capacity.ec2(general).strategies(cluster),
});
const fargateTask = new ecs.FargateTaskDefinition(stack, 'FargateTaskDef');
fargateTask.addContainer('app', { image: ecs.ContainerImage.fromRegistry('public.ecr.aws/nginx/nginx:stable') });
const fargateService = new ecs.FargateService(stack, 'FargateService', { cluster: cluster.ecsCluster, taskDefinition: fargateTask });
// A service of another cluster in the same stack keeps its own ordering.
const otherCluster = new ecs.Cluster(stack, 'OtherCluster', { vpc: cluster.vpc });
const otherService = new ecs.FargateService(stack, 'OtherService', { cluster: otherCluster, taskDefinition: fargateTask });

const template = Template.fromStack(stack);
const resources = template.toJSON().Resources as Record<string, any>;
/** Logical ID of an L2's CloudFormation resource (its default child, or its only CfnResource child). */
const id = (construct: IConstruct) => stack.getLogicalId((construct instanceof CfnResource ? construct : construct.node.defaultChild
  ?? construct.node.children.find(c => c instanceof CfnResource)) as CfnResource);
const associationId = stack.getLogicalId(cluster.ecsCluster.node.children.find(c => c instanceof ecs.CfnClusterCapacityProviderAssociations) as any);
const dependsOn = (logicalId: string): string[] => resources[logicalId].DependsOn ?? [];
/** The teardown Lambda function shared by a capacity's cluster. */
const handlerOf = (capacity: Ec2Capacity) => capacity.cluster.node.findChild('CapacityTeardown').node.findChild('Function') as lambda.Function;

describe('Ec2CapacityTeardown custom resource', () => {
  test('one per capacity with cleanTeardown, naming its group', () => {
    template.resourceCountIs('Custom::EcsFoundryCapacityTeardown', 2);
    expect(manual.teardown).toBeUndefined();
    expect(general.teardown).toBeInstanceOf(CustomResource);
    expect(resources[id(general.teardown!)].Properties).toEqual({
      ServiceToken: { 'Fn::GetAtt': [id(handlerOf(general) as any), 'Arn'] },
      ServiceTimeout: '900',
      AutoScalingGroupName: { Ref: id(general.autoScalingGroup) },
      AutoScalingGroupLogicalId: id(general.autoScalingGroup),
      WaitSeconds: '120',
    });
    expect(resources[id(graviton.teardown!)].Properties.WaitSeconds).toBe('30');
  });

  test('deletion order: services, then associations, then capacity provider, then teardown, then group', () => {
    for (const capacity of [general, graviton]) {
      const teardownId = id(capacity.teardown!);
      // The capacity provider depends on the teardown resource, so it is deleted first.
      expect(dependsOn(id(capacity.capacityProvider))).toContain(teardownId);
      // The teardown resource references the group, so it is deleted before the group.
      expect(JSON.stringify(resources[teardownId].Properties)).toContain(id(capacity.autoScalingGroup));
    }
    // The associations reference every capacity provider.
    expect(JSON.stringify(resources[associationId].Properties.CapacityProviders)).toContain(id(general.capacityProvider));
    // Services of the cluster are deleted before the associations, whatever their capacity.
    const serviceId = (service: ecs.BaseService) => id(service.node.findChild('Service'));
    expect(dependsOn(serviceId(ec2Service))).toContain(associationId);
    expect(dependsOn(serviceId(fargateService))).toContain(associationId);
    expect(dependsOn(serviceId(otherService))).not.toContain(associationId);
    // A capacity without teardown keeps aws-cdk-lib's ordering.
    expect(dependsOn(id(manual.capacityProvider))).toEqual([]);
  });

  test('the function and its permissions are deleted after every teardown resource', () => {
    const provider = handlerOf(general);
    expect(handlerOf(graviton)).toBe(provider);
    const role = cluster.node.findChild('CapacityTeardown').node.findChild('Role');
    const policyId = stack.getLogicalId(role.node.findChild('Policy').node.defaultChild as any);
    for (const capacity of [general, graviton]) {
      expect(dependsOn(id(capacity.teardown!))).toEqual(expect.arrayContaining([id(provider as any), policyId, id(role as any)]));
    }
  });
});

describe('teardown function', () => {
  const functions = template.findResources('AWS::Lambda::Function', { Properties: { Handler: 'index.handler', Runtime: 'nodejs24.x' } });
  const [functionId, fn] = Object.entries<any>(functions).find(([logicalId]) => logicalId.includes('CapacityTeardown'))!;

  test('is shared by the cluster\'s capacities: the latest Node.js runtime, JSON logs to its own log group', () => {
    expect(Object.keys(functions).filter(k => k.includes('CapacityTeardown'))).toHaveLength(1);
    expect(fn.Properties).toMatchObject({
      Runtime: 'nodejs24.x',
      Timeout: 720,
      LoggingConfig: { LogFormat: 'JSON', LogGroup: { Ref: expect.stringMatching(/CapacityTeardownLogGroup/) } },
    });
    expect(fn.Properties.VpcConfig).toBeUndefined();
    const logGroupId = fn.Properties.LoggingConfig.LogGroup.Ref;
    expect(resources[logGroupId]).toMatchObject({
      Properties: { RetentionInDays: 180, KmsKeyId: { 'Fn::GetAtt': [id(cluster.encryptionKey as any), 'Arn'] } },
      DeletionPolicy: 'Retain',
    });
    expect(functionId).toBe(id(handlerOf(general) as any));
  });

  test('has only what it needs, in a managed policy: group ARNs, this stack, its log group', () => {
    const roleId = fn.Properties.Role['Fn::GetAtt'][0];
    expect(resources[roleId].Properties.Policies).toBeUndefined();
    expect(resources[roleId].Properties.ManagedPolicyArns).toBeUndefined();
    expect(resources[roleId].Properties.AssumeRolePolicyDocument.Statement).toEqual([
      { Action: 'sts:AssumeRole', Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' } },
    ]);
    const policies = Object.values(template.findResources('AWS::IAM::ManagedPolicy'))
      .filter((p: any) => JSON.stringify(p.Properties.Roles) === JSON.stringify([{ Ref: roleId }]));
    expect(policies).toHaveLength(1);
    const groupArn = (capacity: Ec2Capacity) => ({
      'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':autoscaling:us-east-1:123456789012:autoScalingGroup:*:autoScalingGroupName/', { Ref: id(capacity.autoScalingGroup) }]],
    });
    expect((policies[0] as any).Properties.PolicyDocument.Statement).toEqual([
      { Sid: 'DescribeGroups', Effect: 'Allow', Action: 'autoscaling:DescribeAutoScalingGroups', Resource: '*' },
      {
        Sid: 'UnprotectAndEmptyTheseGroups',
        Effect: 'Allow',
        Action: ['autoscaling:SetInstanceProtection', 'autoscaling:UpdateAutoScalingGroup'],
        Resource: [groupArn(general), groupArn(graviton)],
      },
      { Sid: 'ReadThisStackStatus', Effect: 'Allow', Action: ['cloudformation:DescribeStacks', 'cloudformation:DescribeStackResource'], Resource: { Ref: 'AWS::StackId' } },
      { Effect: 'Allow', Action: ['logs:CreateLogStream', 'logs:PutLogEvents'], Resource: { 'Fn::GetAtt': [fn.Properties.LoggingConfig.LogGroup.Ref, 'Arn'] } },
    ]);
  });

  test('its code is the handler, compiled to JavaScript', () => {
    const assembly = stack.node.root as any;
    const outdir: string = assembly.synth().directory;
    const key: string = fn.Properties.Code.S3Key;
    const assetDir = path.join(outdir, `asset.${key.replace(/\.zip$/, '')}`);
    expect(fs.readdirSync(assetDir)).toEqual(['index.js']);
    const code = fs.readFileSync(path.join(assetDir, 'index.js'), 'utf-8');
    // CommonJS that Node.js parses, exporting the handler; the AWS SDK comes from the Lambda runtime.
    expect(() => new vm.Script(code)).not.toThrow();
    expect(code).toMatch(/^exports\.handler = handler;$/m);
    expect(code).toContain('require("@aws-sdk/client-auto-scaling")');
    expect(code).not.toMatch(/: (string|number|Promise<void>)\b/); // no TypeScript left
  });

  test('its code is the committed asset the build compiles, never a file written during synth', () => {
    // Before: synth from the TypeScript sources transpiled the handler into the OS temp folder.
    const assembly = stack.node.root as any;
    const outdir: string = assembly.synth().directory;
    const assetDir = path.join(outdir, `asset.${(fn.Properties.Code.S3Key as string).replace(/\.zip$/, '')}`);
    expect(fs.readFileSync(path.join(assetDir, 'index.js'), 'utf-8')).toBe(fs.readFileSync(COMMITTED_HANDLER, 'utf-8'));
    const tempEntries = () => fs.readdirSync(os.tmpdir()).filter(name => name.startsWith('cdk-ecs-foundry-teardown'));
    const before = tempEntries();
    const s = plainStack('Fresh');
    new FoundryCluster(s, 'Cluster').addEc2Capacity('Ec2', { instanceType: new ec2.InstanceType('m7i.large') });
    Template.fromStack(s);
    expect(tempEntries()).toEqual(before);
  });

  test('the committed asset is what the build task compiles from the handler source (not stale)', () => {
    // The exact command of the projen task, with a scratch output folder.
    const tasks = JSON.parse(fs.readFileSync(path.join(ROOT, '.projen', 'tasks.json'), 'utf-8'));
    const exec: string = tasks.tasks['bundle:teardown-handler'].steps[0].exec;
    const outDir = fs.mkdtempSync(path.join(os.tmpdir(), 'teardown-handler-check-'));
    try {
      expect(exec).toContain('--outDir assets/cluster/teardown-handler ');
      execSync(exec.replace('--outDir assets/cluster/teardown-handler ', `--outDir ${outDir} `).replace(/^tsc /, `${TSC} `), { cwd: ROOT, stdio: 'pipe' });
      expect(fs.readFileSync(COMMITTED_HANDLER, 'utf-8')).toBe(fs.readFileSync(path.join(outDir, 'index.js'), 'utf-8'));
    } finally {
      fs.rmSync(outDir, { recursive: true, force: true });
    }
  });

  test('a cluster without EC2 capacity (or with cleanTeardown: false everywhere) has no teardown function', () => {
    const s = plainStack('NoTeardown');
    const c = new FoundryCluster(s, 'Cluster');
    c.addEc2Capacity('Manual', { instanceType: new ec2.InstanceType('m7i.large'), cleanTeardown: false });
    const t = Template.fromStack(s);
    t.resourceCountIs('Custom::EcsFoundryCapacityTeardown', 0);
    expect(c.node.tryFindChild('CapacityTeardown')).toBeUndefined();
  });
});

describe('validation', () => {
  test.each([
    ['too long', Duration.minutes(11)],
    ['fractional', Duration.millis(1500)],
  ])('teardownWait %s is rejected', (_name, wait) => {
    const c = new FoundryCluster(plainStack(), 'Cluster');
    expect(() => c.addEc2Capacity('Ec2', { instanceType: new ec2.InstanceType('m7i.large'), teardownWait: wait }))
      .toThrow(/Ec2CapacityTeardown 'Test\/Cluster\/Ec2\/Teardown': invalid wait \(seconds\) = .*Use a whole number between 0 and 600/);
  });

  test('Ec2CapacityTeardown needs a capacity', () => {
    expect(() => new Ec2CapacityTeardown(new Stack(), 'Teardown', {} as any)).toThrow(/invalid capacity = undefined/);
  });
});
