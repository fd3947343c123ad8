import { App, Duration, RemovalPolicy, Size, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { Capacity, Ec2Capacity, Ec2CapacityOptions, Ec2InstanceUpdate, Ec2MachineImage, FoundryCluster, IFoundryCluster } from '../../src';
import { placeholder, renderCfnText } from '../proof/support/host-user-data';
import { plainStack } from '../support/stacks';
import { subtreeTemplate } from '../support/subtree';
import { parseToml as parse } from '../support/toml';

// GIVEN: one cluster with one capacity of each kind, synthesized once.
const stack = plainStack('Capacity');
const cluster = new FoundryCluster(stack, 'Cluster');
const standard = cluster.addEc2Capacity('Standard', { instanceType: new ec2.InstanceType('m7i.large') });
const graviton = cluster.addEc2Capacity('Graviton', {
  instanceType: new ec2.InstanceType('m7g.large'),
  machineImage: Ec2MachineImage.BOTTLEROCKET,
  minCapacity: 1,
  maxCapacity: 20,
  targetCapacityPercent: 80,
  volumeSize: Size.gibibytes(100),
  enableSessionManager: true,
  capacityProviderName: 'graviton-spot',
  instanceWarmup: Duration.minutes(2),
  spot: {
    additionalInstanceTypes: [new ec2.InstanceType('c7g.large'), new ec2.InstanceType('r7g.large')],
    onDemandBaseCapacity: 1,
    onDemandPercentageAboveBaseCapacity: 25,
    maxPrice: '0.08',
  },
});
const gpu = cluster.addEc2Capacity('Gpu', { instanceType: new ec2.InstanceType('g5.xlarge') });
const neuron = cluster.addEc2Capacity('Neuron', { instanceType: new ec2.InstanceType('inf2.xlarge') });
const gpuArm = cluster.addEc2Capacity('GpuArm', { instanceType: new ec2.InstanceType('g5g.xlarge'), machineImage: Ec2MachineImage.BOTTLEROCKET });
cluster.useDefaultCapacity(Capacity.ec2(standard));
const template = Template.fromStack(stack);

function resourceOf(capacity: Ec2Capacity, child: string, type: string): any {
  const logicalId = stack.getLogicalId(capacity.node.findChild(child).node.defaultChild as any);
  const resource = template.toJSON().Resources[logicalId];
  expect(resource?.Type).toBe(type);
  return resource;
}
const launchTemplateOf = (c: Ec2Capacity) => resourceOf(c, 'LaunchTemplate', 'AWS::EC2::LaunchTemplate').Properties.LaunchTemplateData;
const userDataOf = (c: Ec2Capacity) => JSON.stringify(launchTemplateOf(c).UserData);

describe('Ec2Capacity launch template', () => {
  test.each([
    ['standard', standard], ['graviton spot', graviton], ['gpu', gpu],
  ])('%s requires IMDSv2 with a hop limit of 1 and has no public IP', (_name, capacity) => {
    const data = launchTemplateOf(capacity);
    expect(data.MetadataOptions).toEqual({ HttpTokens: 'required', HttpPutResponseHopLimit: 1, HttpEndpoint: 'enabled' });
    expect(data.NetworkInterfaces[0].AssociatePublicIpAddress).toBe(false);
    expect(data.KeyName).toBeUndefined();
    expect(data.Monitoring).toEqual({ Enabled: true });
  });

  test.each([
    ['standard', standard], ['graviton spot', graviton], ['gpu', gpu],
  ])('%s encrypts every EBS volume as gp3', (_name, capacity) => {
    const mappings = launchTemplateOf(capacity).BlockDeviceMappings;
    expect(mappings.length).toBeGreaterThan(0);
    for (const mapping of mappings) {
      expect(mapping.Ebs).toMatchObject({ Encrypted: true, VolumeType: 'gp3', DeleteOnTermination: true });
    }
  });

  test('Amazon Linux 2023 uses a 30 GiB root volume; Bottlerocket an OS volume and a data volume of volumeSize', () => {
    expect(launchTemplateOf(standard).BlockDeviceMappings).toEqual([
      { DeviceName: '/dev/xvda', Ebs: expect.objectContaining({ VolumeSize: 30 }) },
    ]);
    expect(launchTemplateOf(graviton).BlockDeviceMappings).toEqual([
      { DeviceName: '/dev/xvda', Ebs: expect.objectContaining({ VolumeSize: 4 }) },
      { DeviceName: '/dev/xvdb', Ebs: expect.objectContaining({ VolumeSize: 100 }) },
    ]);
  });

  test('the AMI variant follows the instance type', () => {
    const params = Object.values<any>(template.toJSON().Parameters).map(p => p.Default);
    expect(params).toEqual(expect.arrayContaining([
      '/aws/service/ecs/optimized-ami/amazon-linux-2023/recommended/image_id',
      '/aws/service/ecs/optimized-ami/amazon-linux-2023/gpu/recommended/image_id',
      '/aws/service/ecs/optimized-ami/amazon-linux-2023/neuron/recommended/image_id',
      '/aws/service/bottlerocket/aws-ecs-2/arm64/latest/image_id',
      '/aws/service/bottlerocket/aws-ecs-2-nvidia/arm64/latest/image_id',
    ]));
    expect([standard, graviton, gpu, neuron, gpuArm].map(c => [c.cpuArchitecture._cpuArchitecture, c.hardwareType])).toEqual([
      ['X86_64', ecs.AmiHardwareType.STANDARD],
      ['ARM64', ecs.AmiHardwareType.ARM],
      ['X86_64', ecs.AmiHardwareType.GPU],
      ['X86_64', ecs.AmiHardwareType.NEURON],
      ['ARM64', ecs.AmiHardwareType.GPU],
    ]);
  });

  test('Amazon Linux user data joins the cluster, sends logs with the execution role and blocks IMDS for awsvpc tasks', () => {
    const userData = userDataOf(standard);
    expect(userData).toContain('ECS_CLUSTER=');
    expect(userData).toContain('ECS_ENABLE_AWSLOGS_EXECUTIONROLE_OVERRIDE=true');
    expect(userData).toContain('ECS_AWSVPC_BLOCK_IMDS=true');
    expect(userData).not.toContain('SPOT_INSTANCE_DRAINING');
  });

  test('Bottlerocket user data is one TOML document of documented settings: cluster, IMDS blocked, Spot draining, host containers', () => {
    // The host parses the user data as TOML; a table declared twice stops it before the agent starts.
    const toml = renderCfnText(launchTemplateOf(graviton).UserData);
    const clusterRef = placeholder('REF', stack.getLogicalId(cluster.ecsCluster.node.defaultChild as any));
    expect(parse(toml)).toEqual({
      settings: {
        'ecs': { 'cluster': clusterRef, 'awsvpc-block-imds': true, 'enable-spot-instance-draining': true },
        'host-containers': { admin: { enabled: false }, control: { enabled: true } },
      },
    });
    expect(toml).not.toContain('awslogs-execution-role-override');
    expect(toml).not.toContain('#!/bin/bash');
    expect(parse(renderCfnText(launchTemplateOf(gpuArm).UserData))).toEqual({
      settings: {
        'ecs': { 'cluster': clusterRef, 'awsvpc-block-imds': true },
        'host-containers': { admin: { enabled: false }, control: { enabled: false } },
      },
    });
  });

  test('without Session Manager the Bottlerocket control container is off (nothing runs that cannot pull or connect)', () => {
    const control = (parse(renderCfnText(launchTemplateOf(gpuArm).UserData)) as any).settings['host-containers'].control;
    expect(control).toEqual({ enabled: false });
  });

  test('keys appended to Bottlerocket user data still land in [settings.ecs] (the host-container tables come first)', () => {
    const s = plainStack('AppendBr');
    const c = new FoundryCluster(s, 'Cluster');
    const cap = c.addEc2Capacity('Br', { instanceType: new ec2.InstanceType('m7g.large'), machineImage: Ec2MachineImage.BOTTLEROCKET });
    cap.launchTemplate.userData!.addCommands('image-cleanup-enabled = true');
    const resources = Template.fromStack(s).toJSON().Resources;
    const data = resources[s.getLogicalId(cap.launchTemplate.node.defaultChild as any)].Properties.LaunchTemplateData.UserData;
    const settings = (parse(renderCfnText(data)) as any).settings;
    expect(settings.ecs['image-cleanup-enabled']).toBe(true);
    expect(settings['host-containers']).toEqual({ admin: { enabled: false }, control: { enabled: false } });
  });
});

describe('Ec2Capacity Auto Scaling group and capacity provider', () => {
  test('capacity providers enable managed scaling, termination protection and draining', () => {
    template.resourceCountIs('AWS::ECS::CapacityProvider', 5);
    template.hasResourceProperties('AWS::ECS::CapacityProvider', {
      AutoScalingGroupProvider: {
        ManagedScaling: { Status: 'ENABLED', TargetCapacity: 100, InstanceWarmupPeriod: 300 },
        ManagedTerminationProtection: 'ENABLED',
        ManagedDraining: 'ENABLED',
      },
    });
    template.hasResourceProperties('AWS::ECS::CapacityProvider', {
      Name: 'graviton-spot',
      AutoScalingGroupProvider: {
        ManagedScaling: { Status: 'ENABLED', TargetCapacity: 80, InstanceWarmupPeriod: 120 },
        ManagedTerminationProtection: 'ENABLED',
        ManagedDraining: 'ENABLED',
      },
    });
  });

  test('groups protect new instances from scale-in and default to 0..10 instances in private subnets', () => {
    const group = resourceOf(standard, 'Group', 'AWS::AutoScaling::AutoScalingGroup');
    expect(group.Properties).toMatchObject({ MinSize: '0', MaxSize: '10', NewInstancesProtectedFromScaleIn: true });
    expect(group.Properties.DesiredCapacity).toBeUndefined();
    expect(JSON.stringify(group.Properties.VPCZoneIdentifier)).toMatch(/PrivateSubnet1.*PrivateSubnet2/);
  });

  test('groups notify the cluster alert topic', () => {
    const group = resourceOf(standard, 'Group', 'AWS::AutoScaling::AutoScalingGroup');
    const [notification] = group.Properties.NotificationConfigurations;
    expect(notification.TopicARN).toEqual({ Ref: stack.getLogicalId(cluster.alertTopic.node.defaultChild as any) });
    expect(notification.NotificationTypes).toEqual(expect.arrayContaining(['autoscaling:EC2_INSTANCE_LAUNCH_ERROR', 'autoscaling:EC2_INSTANCE_TERMINATE_ERROR']));
  });

  test('Spot uses a mixed instances policy over all listed types with capacity rebalancing', () => {
    const group = resourceOf(graviton, 'Group', 'AWS::AutoScaling::AutoScalingGroup').Properties;
    expect(group.CapacityRebalance).toBe(true);
    expect(group.LaunchTemplate).toBeUndefined();
    expect(group.MixedInstancesPolicy.InstancesDistribution).toEqual({
      OnDemandBaseCapacity: 1,
      OnDemandPercentageAboveBaseCapacity: 25,
      SpotAllocationStrategy: 'price-capacity-optimized',
      SpotMaxPrice: '0.08',
    });
    expect(group.MixedInstancesPolicy.LaunchTemplate.Overrides).toEqual([
      { InstanceType: 'm7g.large' }, { InstanceType: 'c7g.large' }, { InstanceType: 'r7g.large' },
    ]);
    expect(graviton.spot).toBe(true);
    expect(standard.spot).toBe(false);
  });

  test('every capacity provider is associated with the cluster and one can be the default', () => {
    const association = Object.values<any>(template.findResources('AWS::ECS::ClusterCapacityProviderAssociations'))[0].Properties;
    expect(association.CapacityProviders).toHaveLength(7);
    const provider = standard.capacityProvider.node.children.find(c => c instanceof ecs.CfnCapacityProvider) as ecs.CfnCapacityProvider;
    expect(association.DefaultCapacityProviderStrategy).toEqual([{ CapacityProvider: { Ref: stack.getLogicalId(provider) }, Weight: 1 }]);
    expect(cluster.ec2CapacityList).toEqual([standard, graviton, gpu, neuron, gpuArm]);
  });
});

describe('Ec2Capacity rolls new AMIs onto running instances', () => {
  test('by default an instance refresh replaces every instance when the launch template changes, draining protected ones', () => {
    for (const c of [standard, graviton]) {
      const group = resourceOf(c, 'Group', 'AWS::AutoScaling::AutoScalingGroup');
      expect(group.UpdatePolicy).toEqual({
        AutoScalingInstanceRefresh: {
          Strategy: 'Rolling',
          Preferences: {
            MinHealthyPercentage: 100,
            MaxHealthyPercentage: 110,
            InstanceWarmup: c === graviton ? 120 : 300,
            ScaleInProtectedInstances: 'Refresh',
          },
        },
        AutoScalingScheduledAction: { IgnoreUnmodifiedGroupSizeProperties: true },
      });
    }
    // The refresh is triggered by the launch template version, which changes with the AMI resolved from SSM.
    const group = resourceOf(standard, 'Group', 'AWS::AutoScaling::AutoScalingGroup');
    expect(group.Properties.LaunchTemplate.Version).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/LaunchTemplate/), 'LatestVersionNumber'] });
    expect(JSON.stringify(launchTemplateOf(standard).ImageId)).toContain('SsmParameterValue');
  });

  test('NEW_INSTANCES_ONLY leaves running instances alone', () => {
    const s = plainStack('NoRefresh');
    const c = new FoundryCluster(s, 'Cluster');
    const capacity = c.addEc2Capacity('Ec2', { instanceType: new ec2.InstanceType('m7i.large'), instanceUpdate: Ec2InstanceUpdate.NEW_INSTANCES_ONLY });
    const logicalId = s.getLogicalId(capacity.autoScalingGroup.node.defaultChild as any);
    expect(Template.fromStack(s).toJSON().Resources[logicalId].UpdatePolicy).toEqual({
      AutoScalingScheduledAction: { IgnoreUnmodifiedGroupSizeProperties: true },
    });
  });
});

describe('Ec2Capacity instance role', () => {
  const policyOf = (c: Ec2Capacity) => {
    const policies = Object.values<any>(template.findResources('AWS::IAM::ManagedPolicy'))
      .filter(p => p.Properties.Roles[0].Ref === stack.getLogicalId(c.instanceRole.node.defaultChild as any));
    expect(policies).toHaveLength(1);
    return policies[0].Properties.PolicyDocument.Statement;
  };

  test('has no inline policies and no AWS managed policies, even on Bottlerocket', () => {
    template.resourceCountIs('AWS::IAM::Policy', 0);
    for (const c of [standard, graviton]) {
      const role = resourceOf(c, 'InstanceRole', 'AWS::IAM::Role');
      expect(role.Properties.ManagedPolicyArns).toBeUndefined();
      expect(role.Properties.Policies).toBeUndefined();
      expect(role.Properties.AssumeRolePolicyDocument.Statement[0].Principal).toEqual({ Service: 'ec2.amazonaws.com' });
    }
  });

  test('grants exactly what the ECS agent needs, scoped to the cluster', () => {
    const statements = policyOf(standard);
    expect(statements.map((s: any) => s.Sid)).toEqual(['RegisterWithThisCluster', 'AgentSessionsForThisCluster', 'DrainOwnContainerInstance', 'NoResourceLevelPermissions']);
    const actions = statements.flatMap((s: any) => s.Action);
    expect(actions).not.toContainEqual(expect.stringContaining('*'));
    expect(actions).not.toContain('logs:PutLogEvents');
    expect(actions).not.toContain('ecr:BatchGetImage');
    expect(statements[0].Resource).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^ClusterC2E21B66$/), 'Arn'] });
    expect(statements[1].Condition).toEqual({ ArnEquals: { 'ecs:cluster': { 'Fn::GetAtt': ['ClusterC2E21B66', 'Arn'] } } });
  });

  test('the agent may set its own container instance to DRAINING (Spot interruption), on this cluster only', () => {
    // amazon-ecs-agent's spot poller calls UpdateContainerInstancesState; its resource is the container instance.
    for (const c of [standard, graviton]) {
      const drain = policyOf(c).find((s: any) => s.Sid === 'DrainOwnContainerInstance');
      expect(drain).toEqual({
        Sid: 'DrainOwnContainerInstance',
        Effect: 'Allow',
        Action: 'ecs:UpdateContainerInstancesState',
        Resource: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':ecs:us-east-1:123456789012:container-instance/', { Ref: 'ClusterC2E21B66' }, '/*']] },
        Condition: { ArnEquals: { 'ecs:cluster': { 'Fn::GetAtt': ['ClusterC2E21B66', 'Arn'] } } },
      });
    }
  });

  test('Session Manager is opt-in', () => {
    expect(policyOf(standard).map((s: any) => s.Sid)).not.toContain('SessionManager');
    expect(policyOf(graviton).map((s: any) => s.Sid)).toContain('SessionManager');
  });

  test('Bottlerocket with Session Manager may pull its control container, from Bottlerocket\'s repository only', () => {
    // host-ctr pulls the control container (the SSM agent) with the instance role through the ECR API.
    const pull = policyOf(graviton).filter((s: any) => JSON.stringify(s.Action).includes('ecr:'));
    expect(pull).toEqual([{
      Sid: 'PullBottlerocketControlContainer',
      Effect: 'Allow',
      Action: ['ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer'],
      Resource: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':ecr:us-east-1:328549459982:repository/bottlerocket-control']] },
    }]);
    // No ECR permission without Session Manager, or on Amazon Linux.
    for (const c of [gpuArm, standard, gpu, neuron]) {
      expect(JSON.stringify(policyOf(c))).not.toContain('ecr:');
    }
  });

  test('the control container repository follows the Region (Bottlerocket\'s registry map, us-east-1 fallback)', () => {
    const pullResource = (region: string | undefined) => {
      const app = new App();
      const s = new Stack(app, 'Region', region ? { env: { account: '123456789012', region } } : {});
      const c = new FoundryCluster(s, 'Cluster');
      const cap = c.addEc2Capacity('Br', { instanceType: new ec2.InstanceType('m7g.large'), machineImage: Ec2MachineImage.BOTTLEROCKET, enableSessionManager: true });
      const t = Template.fromStack(s);
      const policy = Object.values<any>(t.findResources('AWS::IAM::ManagedPolicy'))
        .find(p => p.Properties.Roles[0].Ref === s.getLogicalId(cap.instanceRole.node.defaultChild as any));
      const statement = policy.Properties.PolicyDocument.Statement.find((x: any) => x.Sid === 'PullBottlerocketControlContainer');
      return { resource: JSON.stringify(statement.Resource), condition: statement.Condition };
    };
    expect(pullResource('af-south-1').resource).toContain(':ecr:af-south-1:917644944286:repository/bottlerocket-control');
    expect(pullResource('eu-west-1').resource).toContain(':ecr:eu-west-1:328549459982:repository/bottlerocket-control');
    expect(pullResource('xx-newregion-1').resource).toContain(':ecr:us-east-1:328549459982:repository/bottlerocket-control');
    const agnostic = pullResource(undefined);
    expect(agnostic.resource).toContain(':ecr:');
    expect(agnostic.resource).toContain(':*:repository/bottlerocket-control');
    expect(agnostic.condition.StringEquals['aws:ResourceAccount']).toEqual(expect.arrayContaining(['328549459982', '917644944286']));
  });

  test('Session Manager channels carry no resource condition (ssmmessages actions have no resource type to match)', () => {
    const statement = policyOf(graviton).find((s: any) => s.Sid === 'SessionManager');
    expect(statement.Resource).toBe('*');
    expect(statement.Condition).toBeUndefined();
    expect(statement.Action).toEqual(expect.arrayContaining(['ssmmessages:CreateControlChannel', 'ssmmessages:OpenDataChannel']));
  });

  test('the instance security group has no inbound rules', () => {
    const sg = resourceOf(standard, 'SecurityGroup', 'AWS::EC2::SecurityGroup');
    expect(sg.Properties.SecurityGroupIngress).toBeUndefined();
  });

  test('warns about Spot with a single instance type and about a fixed desired capacity', () => {
    const s = plainStack('Warn');
    const c = new FoundryCluster(s, 'Cluster');
    c.addEc2Capacity('Spot', { instanceType: new ec2.InstanceType('m7i.large'), spot: {}, desiredCapacity: 2 });
    const warnings = Annotations.fromStack(s).findWarning('*', Match.anyValue()).map(w => String(w.entry.data));
    expect(warnings).toEqual(expect.arrayContaining([
      expect.stringContaining('Spot capacity with the single instance type'),
      expect.stringContaining('desiredCapacity is set'),
    ]));
  });

  test('matches the snapshot (defaults: the capacity\'s own resources)', () => {
    expect(subtreeTemplate(standard, template)).toMatchSnapshot();
  });

  test('matches the snapshot (fullest: Bottlerocket, ARM64, Spot, Session Manager)', () => {
    expect(subtreeTemplate(graviton, template)).toMatchSnapshot();
  });
});

describe('Ec2Capacity rejects bad input with the prop name and a fix', () => {
  const add = (options: Partial<Ec2CapacityOptions>) => () => {
    const c = new FoundryCluster(plainStack(), 'Cluster');
    return c.addEc2Capacity('Ec2', { instanceType: new ec2.InstanceType('m7i.large'), ...options });
  };
  const arm = new ec2.InstanceType('m7g.large');

  test.each<[string, Partial<Ec2CapacityOptions>, RegExp]>([
    ['min > max', { minCapacity: 5, maxCapacity: 2 }, /invalid minCapacity = 5\. minCapacity must not exceed maxCapacity \(2\)/],
    ['negative min', { minCapacity: -1 }, /invalid minCapacity = -1/],
    ['max 0', { maxCapacity: 0 }, /invalid maxCapacity = 0\. Use a whole number between 1 and 5000/],
    ['desired above max', { desiredCapacity: 11 }, /invalid desiredCapacity = 11\. desiredCapacity must lie between minCapacity \(0\) and maxCapacity \(10\)/],
    ['target capacity 0', { targetCapacityPercent: 0 }, /invalid targetCapacityPercent = 0\. Use a whole number between 1 and 100/],
    ['target capacity 101', { targetCapacityPercent: 101 }, /invalid targetCapacityPercent = 101/],
    ['ARM64 workload on x86 instances', { cpuArchitecture: ecs.CpuArchitecture.ARM64 }, /invalid cpuArchitecture = 'ARM64'\. The instance type m7i\.large is X86_64/],
    ['x86 workload on Graviton', { instanceType: arm, cpuArchitecture: ecs.CpuArchitecture.X86_64 }, /invalid cpuArchitecture = 'X86_64'\. The instance type m7g\.large is ARM64/],
    ['ARM GPU on Amazon Linux', { instanceType: new ec2.InstanceType('g5g.xlarge') }, /invalid instanceType = 'g5g\.xlarge'\. The ECS GPU-optimized Amazon Linux 2023 AMI is x86_64 only/],
    ['Neuron on Bottlerocket', { instanceType: new ec2.InstanceType('inf2.xlarge'), machineImage: Ec2MachineImage.BOTTLEROCKET }, /invalid machineImage = 'BOTTLEROCKET'\. Bottlerocket has no ECS variant for AWS Neuron/],
    ['AMD GPU', { instanceType: new ec2.InstanceType('g4ad.xlarge') }, /invalid instanceType = 'g4ad\.xlarge'\. The g4ad family has GPUs that the ECS-optimized AMIs do not support/],
    ['unknown machine image', { machineImage: 'UBUNTU' as Ec2MachineImage }, /invalid machineImage = 'UBUNTU'/],
    ['unknown instance update', { instanceUpdate: 'REPLACE' as Ec2InstanceUpdate }, /invalid instanceUpdate = 'REPLACE'\. Use Ec2InstanceUpdate\.ROLLING_REFRESH or Ec2InstanceUpdate\.NEW_INSTANCES_ONLY/],
    ['volume too small', { volumeSize: Size.gibibytes(10) }, /invalid volumeSize \(GiB\) = 10\. Use a whole number between 30 and 16384/],
    ['fractional volume', { volumeSize: Size.mebibytes(40_000) }, /invalid volumeSize \(GiB\)/],
    ['negative warmup', { instanceWarmup: Duration.seconds(20_000) }, /invalid instanceWarmup \(seconds\) = 20000/],
    ['spot base above max', { spot: { onDemandBaseCapacity: 11 } }, /invalid spot\.onDemandBaseCapacity = 11\. The on-demand base exceeds maxCapacity \(10\)/],
    ['spot that is never spot', { spot: { onDemandPercentageAboveBaseCapacity: 100 } }, /invalid spot\.onDemandPercentageAboveBaseCapacity = 100\. With 100 % on demand the group never launches a Spot instance/],
    ['spot percentage over 100', { spot: { onDemandPercentageAboveBaseCapacity: 150 } }, /invalid spot\.onDemandPercentageAboveBaseCapacity = 150/],
    ['spot price not a number', { spot: { maxPrice: 'cheap' } }, /invalid spot\.maxPrice = 'cheap'\. Use a positive USD price/],
    ['spot price zero', { spot: { maxPrice: '0' } }, /invalid spot\.maxPrice = '0'/],
    ['spot types of two architectures', { spot: { additionalInstanceTypes: [arm] } }, /invalid spot\.additionalInstanceTypes = 'm7g\.large'\. All instance types of one group share one AMI/],
    ['spot GPU mixed with CPU', { instanceType: new ec2.InstanceType('g5.xlarge'), spot: { additionalInstanceTypes: [new ec2.InstanceType('m7i.xlarge')] } }, /share one AMI: g5\.xlarge needs the GPU image/],
    ['spot type listed twice', { spot: { additionalInstanceTypes: [new ec2.InstanceType('m7i.large')] } }, /m7i\.large is listed twice/],
    ['public subnets', { vpcSubnets: { subnetType: ec2.SubnetType.PUBLIC } }, /invalid vpcSubnets = .*Container instances never run in public subnets/],
    ['subnets that do not exist', { vpcSubnets: { subnetGroupName: 'Databases' } }, /invalid vpcSubnets = .*The cluster's VPC has no such subnets/],
    ['missing instance type', { instanceType: undefined }, /invalid instanceType = undefined\. Pass an ec2\.InstanceType/],
  ])('%s', (_name, options, message) => {
    expect(add(options)).toThrow(message);
  });

  test('errors name the construct path', () => {
    expect(add({ maxCapacity: 0 })).toThrow(/^Ec2Capacity 'Test\/Cluster\/Ec2': invalid maxCapacity/);
  });

  test('capacity in another stack than its cluster', () => {
    const app = new App();
    const c = new FoundryCluster(new Stack(app, 'ClusterStack'), 'Cluster');
    const other = new Stack(app, 'Other');
    expect(() => new Ec2Capacity(other, 'Ec2', { cluster: c, instanceType: new ec2.InstanceType('m7i.large') }))
      .toThrow(/invalid cluster = 'ClusterStack\/Cluster'\. A cluster, its Auto Scaling group and its capacity provider must live in one stack/);
  });

  test('another IFoundryCluster implementation is rejected with a clear error, not a missing internal method', () => {
    // The public interface has only public members: a user's implementation (in any jsii language) compiles
    // without internal ones. EC2 capacity still needs a FoundryCluster, which it registers with.
    class ForeignCluster extends Construct implements IFoundryCluster {
      public readonly vpc: ec2.IVpc;
      public readonly ecsCluster: ecs.Cluster;
      public readonly encryptionKey: kms.IKey;
      public readonly alertTopic: sns.ITopic;
      public readonly logRetention = logs.RetentionDays.ONE_MONTH;
      public readonly removalPolicy = RemovalPolicy.RETAIN;
      constructor(scope: Construct, id: string) {
        super(scope, id);
        this.vpc = new ec2.Vpc(this, 'Vpc');
        this.ecsCluster = new ecs.Cluster(this, 'Cluster', { vpc: this.vpc });
        this.encryptionKey = new kms.Key(this, 'Key');
        this.alertTopic = new sns.Topic(this, 'Topic');
      }
    }
    const foreign = new ForeignCluster(plainStack(), 'Foreign');
    expect(() => new Ec2Capacity(foreign, 'Ec2', { cluster: foreign, instanceType: new ec2.InstanceType('m7i.large') }))
      .toThrow(/^Ec2Capacity 'Test\/Foreign\/Ec2': invalid cluster = 'Test\/Foreign'\. Ec2Capacity needs a FoundryCluster/);
  });
});
