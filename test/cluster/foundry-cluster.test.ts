import { App, CfnParameter, Fn, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sns from 'aws-cdk-lib/aws-sns';
import { BackendService, Capacity, FoundryCluster, NatGatewayStrategy } from '../../src';
import { plainStack } from '../support/stacks';
import { subtreeTemplate } from '../support/subtree';

// GIVEN one stack per configuration, synthesized once for the whole file.
const defaultStack = plainStack('Default');
const defaultCluster = new FoundryCluster(defaultStack, 'Cluster');
const defaults = Template.fromStack(defaultStack);

const singleNatStack = plainStack('SingleNat');
new FoundryCluster(singleNatStack, 'Cluster', { natGateways: NatGatewayStrategy.SINGLE, maxAzs: 3, vpcCidr: '10.20.0.0/18' });
const singleNat = Template.fromStack(singleNatStack);

const isolatedStack = plainStack('Isolated');
const isolatedCluster = new FoundryCluster(isolatedStack, 'Cluster', {
  natGateways: NatGatewayStrategy.NONE,
  serviceConnectNamespace: 'internal',
  defaultCapacity: Capacity.spot({ onDemandBase: 1, onDemandWeight: 1, spotWeight: 3 }),
  containerInsights: ecs.ContainerInsights.ENABLED,
  logRetention: logs.RetentionDays.THREE_MONTHS,
  removalPolicy: RemovalPolicy.DESTROY,
  clusterName: 'isolated-batch',
});
const isolated = Template.fromStack(isolatedStack);

const importedStack = plainStack('Imported');
const importedVpc = ec2.Vpc.fromVpcAttributes(importedStack, 'Vpc', {
  vpcId: Fn.importValue('NetworkVpcId'),
  availabilityZones: ['us-east-1a', 'us-east-1b'],
  privateSubnetIds: Fn.split(',', Fn.importValue('NetworkPrivateSubnets'), 2),
});
const importedKey = kms.Key.fromKeyArn(importedStack, 'Key', 'arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab');
const importedTopic = sns.Topic.fromTopicArn(importedStack, 'Topic', 'arn:aws:sns:us-east-1:123456789012:ops-alerts');
const tokenName = new CfnParameter(importedStack, 'ClusterName', { type: 'String' });
const importedCluster = new FoundryCluster(importedStack, 'Cluster', {
  vpc: importedVpc,
  encryptionKey: importedKey,
  alertTopic: importedTopic,
  clusterName: tokenName.valueAsString,
});
const imported = Template.fromStack(importedStack);

describe('FoundryCluster defaults', () => {
  test('creates a 2-AZ VPC with public and private subnets and a NAT gateway per AZ', () => {
    defaults.resourceCountIs('AWS::EC2::VPC', 1);
    defaults.hasResourceProperties('AWS::EC2::VPC', { CidrBlock: '10.0.0.0/16' });
    defaults.resourceCountIs('AWS::EC2::Subnet', 4);
    defaults.resourceCountIs('AWS::EC2::NatGateway', 2);
    defaults.resourceCountIs('AWS::EC2::VPCEndpoint', 0);
  });

  test('public subnets never assign public IPs on launch', () => {
    const subnets = defaults.findResources('AWS::EC2::Subnet');
    for (const subnet of Object.values(subnets)) {
      expect(subnet.Properties.MapPublicIpOnLaunch).toBe(false);
    }
  });

  test('sends all VPC flow logs to a KMS-encrypted log group kept for a year', () => {
    defaults.hasResourceProperties('AWS::EC2::FlowLog', {
      ResourceType: 'VPC',
      TrafficType: 'ALL',
      LogDestinationType: 'cloud-watch-logs',
    });
    defaults.hasResource('AWS::Logs::LogGroup', {
      Properties: { RetentionInDays: 365, KmsKeyId: { 'Fn::GetAtt': [Match.stringLikeRegexp('ClusterKey'), 'Arn'] } },
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
    });
  });

  test('the flow log role trusts VPC Flow Logs of this account only, with a managed (not inline) policy', () => {
    defaults.hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: {
        Statement: [Match.objectLike({
          Principal: { Service: 'vpc-flow-logs.amazonaws.com' },
          Condition: {
            StringEquals: { 'aws:SourceAccount': '123456789012' },
            ArnLike: { 'aws:SourceArn': Match.anyValue() },
          },
        })],
      },
    });
    defaults.resourceCountIs('AWS::IAM::Policy', 0);
  });

  test('closes the default security group', () => {
    defaults.resourceCountIs('Custom::VpcRestrictDefaultSG', 1);
  });

  test('enables enhanced Container Insights', () => {
    defaults.hasResourceProperties('AWS::ECS::Cluster', {
      ClusterSettings: [{ Name: 'containerInsights', Value: 'enhanced' }],
    });
  });

  test('configures ECS Exec with the KMS key and an encrypted audit log group', () => {
    defaults.hasResourceProperties('AWS::ECS::Cluster', {
      Configuration: {
        ExecuteCommandConfiguration: {
          KmsKeyId: { 'Fn::GetAtt': [Match.stringLikeRegexp('ClusterKey'), 'Arn'] },
          Logging: 'OVERRIDE',
          LogConfiguration: {
            CloudWatchEncryptionEnabled: true,
            CloudWatchLogGroupName: { Ref: Match.stringLikeRegexp('ClusterExecLogGroup') },
          },
        },
      },
    });
    // Flow logs, the ECS Exec audit log and the stopped-task alerts' raw events.
    defaults.resourceCountIs('AWS::Logs::LogGroup', 3);
  });

  test('the key rotates, is retained, and lets CloudWatch Logs of this account use it', () => {
    defaults.hasResource('AWS::KMS::Key', {
      Properties: {
        EnableKeyRotation: true,
        KeyPolicy: {
          Statement: Match.arrayWith([Match.objectLike({
            Sid: 'AllowCloudWatchLogs',
            Principal: { Service: 'logs.us-east-1.amazonaws.com' },
            Condition: { ArnLike: { 'kms:EncryptionContext:aws:logs:arn': Match.anyValue() } },
          })]),
        },
      },
      DeletionPolicy: 'Retain',
    });
  });

  test('registers Fargate and Fargate Spot with Fargate as the default strategy', () => {
    defaults.hasResourceProperties('AWS::ECS::ClusterCapacityProviderAssociations', {
      CapacityProviders: ['FARGATE', 'FARGATE_SPOT'],
      DefaultCapacityProviderStrategy: [{ CapacityProvider: 'FARGATE', Weight: 1 }],
    });
    expect(defaultCluster.defaultCapacity.type).toBe('FARGATE');
  });

  test('creates an encrypted alert topic that accepts only TLS', () => {
    defaults.hasResourceProperties('AWS::SNS::Topic', {
      KmsMasterKeyId: { 'Fn::GetAtt': [Match.stringLikeRegexp('ClusterKey'), 'Arn'] },
    });
    defaults.hasResourceProperties('AWS::SNS::TopicPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([Match.objectLike({
          Effect: 'Deny',
          Condition: { Bool: { 'aws:SecureTransport': 'false' } },
        })]),
      },
    });
  });

  test('creates no Cloud Map namespace unless asked', () => {
    defaults.resourceCountIs('AWS::ServiceDiscovery::PrivateDnsNamespace', 0);
    expect(defaultCluster.namespace).toBeUndefined();
  });

  test('exposes the L2 objects', () => {
    expect(defaultCluster.vpc).toBeInstanceOf(ec2.Vpc);
    expect(defaultCluster.ecsCluster).toBeInstanceOf(ecs.Cluster);
    expect(defaultCluster.encryptionKey).toBeInstanceOf(kms.Key);
    expect(defaultCluster.execLogGroup).toBeInstanceOf(logs.LogGroup);
    expect(defaultCluster.flowLogGroup).toBeInstanceOf(logs.LogGroup);
    expect(defaultCluster.alertTopic).toBeInstanceOf(sns.Topic);
    expect(defaultCluster.logRetention).toBe(logs.RetentionDays.ONE_YEAR);
    expect(defaultCluster.removalPolicy).toBe(RemovalPolicy.RETAIN);
  });

  test('keeps the logical IDs of its stateful resources', () => {
    const ids = (type: string) => Object.keys(defaults.findResources(type)).sort();
    expect(ids('AWS::Logs::LogGroup')).toEqual(['ClusterExecLogGroup2AEF0708', 'ClusterFlowLogGroup28D7828C', 'ClusterStoppedTaskAlertsLogGroup1C19FFAD']);
    expect(ids('AWS::KMS::Key')).toEqual(['ClusterKeyB247D7DD']);
  });

  test('matches the snapshot', () => {
    expect(subtreeTemplate(defaultCluster, defaults)).toMatchSnapshot();
  });
});

describe('FoundryCluster alert topic publishers (the topic policy replaces SNS\'s default policy)', () => {
  const ec2Stack = plainStack('Ec2Publishers');
  const ec2Cluster = new FoundryCluster(ec2Stack, 'Cluster');
  ec2Cluster.addEc2Capacity('General', { instanceType: new ec2.InstanceType('m7i.large') });
  const withEc2 = Template.fromStack(ec2Stack);
  const statements = (t: Template, type: string) => (Object.values(t.findResources(type))[0].Properties[type === 'AWS::KMS::Key' ? 'KeyPolicy' : 'PolicyDocument'].Statement as any[]);
  const bySid = (t: Template, type: string, sid: string) => statements(t, type).find(s => s.Sid === sid);
  const alarmConditions = {
    StringEquals: { 'aws:SourceAccount': '123456789012' },
    ArnLike: { 'aws:SourceArn': { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':cloudwatch:us-east-1:123456789012:alarm:*']] } },
  };

  test('CloudWatch alarms of this account and Region may publish (service alarms were silent without it)', () => {
    expect(bySid(defaults, 'AWS::SNS::TopicPolicy', 'AllowCloudWatchAlarms')).toEqual({
      Sid: 'AllowCloudWatchAlarms',
      Effect: 'Allow',
      Principal: { Service: 'cloudwatch.amazonaws.com' },
      Action: 'sns:Publish',
      Resource: { Ref: defaultStack.getLogicalId((defaultCluster.alertTopic as sns.Topic).node.defaultChild as any) },
      Condition: alarmConditions,
    });
  });

  test('the key lets CloudWatch alarms of this account and Region encrypt what they publish', () => {
    expect(bySid(defaults, 'AWS::KMS::Key', 'AllowCloudWatchAlarms')).toEqual({
      Sid: 'AllowCloudWatchAlarms',
      Effect: 'Allow',
      Principal: { Service: 'cloudwatch.amazonaws.com' },
      Action: ['kms:Decrypt', 'kms:GenerateDataKey*'],
      Resource: '*',
      Condition: alarmConditions,
    });
  });

  test('the key lets EventBridge use it once, without aws:Source* conditions (SNS: "not supported for EventBridge-to-encrypted topics")', () => {
    // The statement comes from the rules' SNS target (topic.grantPublish grants on the topic's key too): one, not two.
    const events = statements(defaults, 'AWS::KMS::Key').filter(s => JSON.stringify(s.Principal).includes('events.amazonaws.com'));
    expect(events).toEqual([{
      Effect: 'Allow',
      Principal: { Service: 'events.amazonaws.com' },
      Action: ['kms:Decrypt', 'kms:GenerateDataKey*'],
      Resource: '*',
    }]);
  });

  test('without EventBridge rules on the topic, EventBridge may not use the key', () => {
    const stack = plainStack('NoRules');
    new FoundryCluster(stack, 'Cluster', { stoppedTaskAlerts: false });
    const events = statements(Template.fromStack(stack), 'AWS::KMS::Key').filter(s => JSON.stringify(s.Principal).includes('events.amazonaws.com'));
    expect(events).toEqual([]);
  });

  test('services with ECS Exec add nothing to the key policy (CloudWatch Logs stays scoped to log groups)', () => {
    const stack = plainStack('ExecKey');
    const cluster = new FoundryCluster(stack, 'Cluster');
    const before = statements(Template.fromStack(stack), 'AWS::KMS::Key');
    const stack2 = plainStack('ExecKeyWithServices');
    const cluster2 = new FoundryCluster(stack2, 'Cluster');
    const image = ecs.ContainerImage.fromRegistry('public.ecr.aws/nginx/nginx:stable');
    new BackendService(stack2, 'Api', { cluster: cluster2, image, port: 8080, enableExecuteCommand: true });
    new BackendService(stack2, 'Admin', { cluster: cluster2, image, port: 8080, enableExecuteCommand: true });
    const after = statements(Template.fromStack(stack2), 'AWS::KMS::Key');
    expect(after).toEqual(before);
    const logStatements = after.filter(s => JSON.stringify(s.Principal).includes('logs.'));
    expect(logStatements.map(s => s.Sid)).toEqual(['AllowCloudWatchLogs']);
    expect(logStatements[0].Condition.ArnLike['kms:EncryptionContext:aws:logs:arn']).toEqual(
      { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':logs:us-east-1:123456789012:log-group:*']] });
    // ECS Exec still uses the cluster key, and the tasks may use it.
    Template.fromStack(stack2).hasResourceProperties('AWS::ECS::Cluster', {
      Configuration: { ExecuteCommandConfiguration: { KmsKeyId: { 'Fn::GetAtt': [stack2.getLogicalId(cluster2.encryptionKey.node.defaultChild as any), 'Arn'] } } },
    });
    expect(cluster.encryptionKey).toBeInstanceOf(kms.Key);
  });

  test('EventBridge may publish, without Condition blocks (EventBridge does not support them on SNS topic policies)', () => {
    const events = statements(defaults, 'AWS::SNS::TopicPolicy').filter(s => JSON.stringify(s.Principal).includes('events.amazonaws.com'));
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ Effect: 'Allow', Action: 'sns:Publish' });
    expect(events[0].Condition).toBeUndefined();
  });

  test('the topic policy allows nothing else: TLS-only deny, CloudWatch alarms, EventBridge', () => {
    const summary = statements(defaults, 'AWS::SNS::TopicPolicy').map(s => `${s.Effect} ${JSON.stringify(s.Principal)}`).sort();
    // (the deny is enforceSSL's: any principal, any action, when aws:SecureTransport is false)
    expect(summary).toEqual([
      'Allow {"Service":"cloudwatch.amazonaws.com"}',
      'Allow {"Service":"events.amazonaws.com"}',
      'Deny "*"',
    ]);
  });

  test('the Auto Scaling service-linked role may use the key once the cluster has EC2 capacity, and only then', () => {
    expect(bySid(defaults, 'AWS::KMS::Key', 'AllowAutoScalingNotifications')).toBeUndefined();
    expect(bySid(withEc2, 'AWS::KMS::Key', 'AllowAutoScalingNotifications')).toEqual({
      Sid: 'AllowAutoScalingNotifications',
      Effect: 'Allow',
      Principal: { AWS: '*' },
      Action: ['kms:Decrypt', 'kms:GenerateDataKey*'],
      Resource: '*',
      Condition: {
        ArnEquals: {
          'aws:PrincipalArn': { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::123456789012:role/aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling']] },
        },
        StringEquals: { 'aws:PrincipalAccount': '123456789012' },
      },
    });
    // The group notifies the cluster's topic.
    withEc2.hasResourceProperties('AWS::AutoScaling::AutoScalingGroup', {
      NotificationConfigurations: [Match.objectLike({ TopicARN: { Ref: Match.stringLikeRegexp('ClusterAlertTopic') } })],
    });
  });
});

describe('FoundryCluster options', () => {
  test('a single NAT gateway serves every AZ and subnets fit the given CIDR', () => {
    singleNat.resourceCountIs('AWS::EC2::NatGateway', 1);
    singleNat.resourceCountIs('AWS::EC2::Subnet', 6);
    singleNat.hasResourceProperties('AWS::EC2::VPC', { CidrBlock: '10.20.0.0/18' });
    singleNat.hasResourceProperties('AWS::EC2::Subnet', { CidrBlock: '10.20.0.0/26' }); // public: prefix + 8
    singleNat.hasResourceProperties('AWS::EC2::Subnet', { CidrBlock: '10.20.4.0/22' }); // private: prefix + 4
  });

  test('without NAT, private subnets are isolated and VPC endpoints carry ECR, logs and S3 (others on demand)', () => {
    isolated.resourceCountIs('AWS::EC2::NatGateway', 0);
    // S3 (gateway) + ecr.api, ecr.dkr, logs: the cluster has no workload that needs more.
    isolated.resourceCountIs('AWS::EC2::VPCEndpoint', 4);
    isolated.hasResourceProperties('AWS::EC2::VPCEndpoint', {
      ServiceName: 'com.amazonaws.us-east-1.ecr.dkr', VpcEndpointType: 'Interface', PrivateDnsEnabled: true,
    });
    isolated.hasResourceProperties('AWS::EC2::VPCEndpoint', {
      ServiceName: { 'Fn::Join': ['', ['com.amazonaws.', { Ref: 'AWS::Region' }, '.s3']] }, VpcEndpointType: 'Gateway',
    });
    // Endpoints accept HTTPS from inside the VPC only.
    isolated.hasResourceProperties('AWS::EC2::SecurityGroup', {
      SecurityGroupIngress: [{ CidrIp: '10.0.0.0/16', FromPort: 443, ToPort: 443, IpProtocol: 'tcp', Description: Match.anyValue() }],
    });
  });

  test("without NAT, Bottlerocket hosts reach Bottlerocket's own ECR repository for the control container", () => {
    // host-ctr calls the ECR API (BatchGetImage, GetDownloadUrlForLayer) in the host's Region on the repository of
    // Bottlerocket's account, then downloads each layer from a pre-signed URL of an AWS-owned S3 bucket: the ECR API
    // endpoint (private DNS) and the S3 gateway endpoint carry it, provided no endpoint policy limits them to this
    // account's resources (https://docs.aws.amazon.com/AmazonECR/latest/userguide/vpc-endpoints.html).
    const endpoints = Object.values(isolated.findResources('AWS::EC2::VPCEndpoint')).map(r => r.Properties);
    const ecrApi = endpoints.filter(p => p.ServiceName === 'com.amazonaws.us-east-1.ecr.api');
    expect(ecrApi).toEqual([expect.objectContaining({ VpcEndpointType: 'Interface', PrivateDnsEnabled: true })]);
    const s3 = endpoints.filter(p => JSON.stringify(p.ServiceName).includes('.s3'));
    expect(s3).toHaveLength(1);
    expect(endpoints.filter(p => p.PolicyDocument !== undefined)).toEqual([]);
  });

  test('creates a private DNS namespace used for Service Connect', () => {
    isolated.hasResourceProperties('AWS::ServiceDiscovery::PrivateDnsNamespace', { Name: 'internal' });
    isolated.hasResourceProperties('AWS::ECS::Cluster', {
      ClusterName: 'isolated-batch',
      ServiceConnectDefaults: { Namespace: { 'Fn::GetAtt': [Match.anyValue(), 'Arn'] } },
      ClusterSettings: [{ Name: 'containerInsights', Value: 'enabled' }],
    });
  });

  test('a Spot default strategy keeps an on-demand base', () => {
    isolated.hasResourceProperties('AWS::ECS::ClusterCapacityProviderAssociations', {
      DefaultCapacityProviderStrategy: [
        { CapacityProvider: 'FARGATE', Base: 1, Weight: 1 },
        { CapacityProvider: 'FARGATE_SPOT', Weight: 3 },
      ],
    });
  });

  test('retention and removal policy apply to every cluster log group and the key', () => {
    const groups = isolated.findResources('AWS::Logs::LogGroup');
    expect(Object.values(groups).map(g => [g.Properties.RetentionInDays, g.DeletionPolicy])).toEqual([[90, 'Delete'], [90, 'Delete'], [90, 'Delete']]);
    isolated.hasResource('AWS::KMS::Key', { DeletionPolicy: 'Delete' });
  });

  test('matches the snapshot (fullest network configuration)', () => {
    expect(subtreeTemplate(isolatedCluster, isolated)).toMatchSnapshot();
  });
});

describe('FoundryCluster with an imported VPC, key, topic and token values', () => {
  test('creates no VPC, flow log, key or topic of its own', () => {
    imported.resourceCountIs('AWS::EC2::VPC', 0);
    imported.resourceCountIs('AWS::EC2::FlowLog', 0);
    imported.resourceCountIs('AWS::KMS::Key', 0);
    imported.resourceCountIs('AWS::SNS::Topic', 0);
    expect(importedCluster.flowLogGroup).toBeUndefined();
    expect(importedCluster.vpc).toBe(importedVpc);
  });

  test('passes token values through to CloudFormation', () => {
    imported.hasResourceProperties('AWS::ECS::Cluster', {
      ClusterName: { Ref: 'ClusterName' },
      Configuration: { ExecuteCommandConfiguration: { KmsKeyId: importedKey.keyArn } },
    });
    imported.hasResourceProperties('AWS::Logs::LogGroup', { KmsKeyId: importedKey.keyArn });
  });
});

describe('FoundryCluster rejects bad input with the prop name and a fix', () => {
  const make = (props: ConstructorParameters<typeof FoundryCluster>[2]) => () => new FoundryCluster(plainStack(), 'Cluster', props);

  test.each([
    [{ maxAzs: 0 }, /invalid maxAzs = 0\. Use a whole number between 1 and 6/],
    [{ maxAzs: 7 }, /invalid maxAzs = 7/],
    [{ maxAzs: 1.5 }, /invalid maxAzs = 1\.5\. Use a whole number/],
    [{ vpcCidr: 'banana' }, /invalid vpcCidr = 'banana'\. Use an IPv4 CIDR block/],
    [{ vpcCidr: '10.0.0.0/8' }, /invalid vpcCidr = '10\.0\.0\.0\/8'\. Use a prefix length from \/16 to \/22/],
    [{ vpcCidr: '300.0.0.0/16' }, /invalid vpcCidr/],
    [{ clusterName: 'bad name!' }, /invalid clusterName = 'bad name!'\. Use 1 to 255 letters/],
    [{ serviceConnectNamespace: 'Bad_Name' }, /invalid serviceConnectNamespace = 'Bad_Name'\. Use a lower-case DNS name/],
    [{ natGateways: 'TWO' as NatGatewayStrategy }, /invalid natGateways = 'TWO'\. Use one of NatGatewayStrategy\.PER_AZ/],
    [{ containerInsights: 'on' as ecs.ContainerInsights }, /invalid containerInsights = 'on'/],
  ])('%j', (props, message) => {
    expect(make(props)).toThrow(message);
  });

  test('errors name the construct path', () => {
    expect(make({ maxAzs: 9 })).toThrow(/^FoundryCluster 'Test\/Cluster': invalid maxAzs = 9/);
  });

  test('network options together with an imported VPC', () => {
    const stack = plainStack();
    const vpc = new ec2.Vpc(stack, 'Vpc');
    expect(() => new FoundryCluster(stack, 'Cluster', { vpc, natGateways: NatGatewayStrategy.SINGLE }))
      .toThrow(/invalid natGateways = 'SINGLE'\. These network options shape a VPC the cluster creates; remove them when you pass `vpc`/);
  });

  test('an imported VPC without private subnets', () => {
    const stack = plainStack();
    const vpc = ec2.Vpc.fromVpcAttributes(stack, 'Vpc', {
      vpcId: 'vpc-123', availabilityZones: ['us-east-1a'], publicSubnetIds: ['subnet-1'],
    });
    expect(() => new FoundryCluster(stack, 'Cluster', { vpc })).toThrow(/invalid vpc = 'Test\/Vpc'\. The VPC has no private or isolated subnets/);
  });

  test('a second Service Connect namespace', () => {
    const cluster = new FoundryCluster(plainStack(), 'Cluster', { serviceConnectNamespace: 'internal' });
    expect(() => cluster.addServiceConnectNamespace('other')).toThrow(/already has the namespace 'internal'/);
  });

  test('choosing the default capacity twice', () => {
    const cluster = new FoundryCluster(plainStack(), 'Cluster', { defaultCapacity: Capacity.spot() });
    expect(() => cluster.useDefaultCapacity(Capacity.fargate())).toThrow(/invalid defaultCapacity = 'FARGATE'\. The default capacity was already chosen/);
  });
});

describe('FoundryCluster stack placement', () => {
  test('two clusters in one app do not collide', () => {
    const app = new App();
    const a = new FoundryCluster(new Stack(app, 'A'), 'Cluster');
    const b = new FoundryCluster(new Stack(app, 'B'), 'Cluster');
    expect(a.stack).not.toBe(b.stack);
  });
});

describe('FoundryCluster without public subnets', () => {
  const stack = plainStack('Private');
  new FoundryCluster(stack, 'Cluster', { publicSubnets: false });
  const template = Template.fromStack(stack);

  test('has no internet gateway, no NAT and only isolated subnets, reached through VPC endpoints', () => {
    template.resourceCountIs('AWS::EC2::InternetGateway', 0);
    template.resourceCountIs('AWS::EC2::NatGateway', 0);
    template.resourceCountIs('AWS::EC2::Subnet', 2);
    template.resourceCountIs('AWS::EC2::VPCEndpoint', 4);
  });

  test('rejects NAT gateways without public subnets', () => {
    expect(() => new FoundryCluster(plainStack(), 'Cluster', { publicSubnets: false, natGateways: NatGatewayStrategy.PER_AZ }))
      .toThrow(/invalid natGateways = 'PER_AZ'\. NAT gateways live in public subnets/);
  });
});

describe('FoundryCluster removalPolicy reaches everything stateful the cluster creates', () => {
  /** Types whose data outlives a stack unless their DeletionPolicy says otherwise. */
  const STATEFUL = ['AWS::Logs::LogGroup', 'AWS::S3::Bucket', 'AWS::KMS::Key', 'AWS::SQS::Queue', 'AWS::EFS::FileSystem'];

  /** A cluster with everything it can own: flow logs, ECS Exec audit log, alert log group, EC2 capacity teardown. */
  function fullCluster(id: string, removalPolicy?: RemovalPolicy): Record<string, [string, string, string]> {
    const s = plainStack(id);
    const c = new FoundryCluster(s, 'Cluster', { removalPolicy });
    c.addEc2Capacity('Ec2', { instanceType: new ec2.InstanceType('m7i.large') });
    const own = subtreeTemplate(c, Template.fromStack(s)).Resources as Record<string, any>;
    return Object.fromEntries(Object.entries(own)
      .filter(([, r]) => STATEFUL.includes(r.Type))
      .map(([logicalId, r]) => [logicalId, [r.Type, r.DeletionPolicy, r.UpdateReplacePolicy]]));
  }
  const destroyed = fullCluster('Destroyed', RemovalPolicy.DESTROY);
  const kept = fullCluster('Kept');

  test('every log group and the key (flow logs, ECS Exec audit, alerts, teardown function) are found', () => {
    const types = Object.values(destroyed).map(([type]) => type).sort();
    expect(types).toEqual(['AWS::KMS::Key', 'AWS::Logs::LogGroup', 'AWS::Logs::LogGroup', 'AWS::Logs::LogGroup', 'AWS::Logs::LogGroup']);
  });

  test('DESTROY deletes each of them', () => {
    for (const [logicalId, [type, deletion, replace]] of Object.entries(destroyed)) {
      expect([logicalId, type, deletion, replace]).toEqual([logicalId, type, 'Delete', 'Delete']);
    }
  });

  test('by default each of them is retained', () => {
    expect(Object.keys(kept).length).toBe(Object.keys(destroyed).length);
    for (const [logicalId, [type, deletion, replace]] of Object.entries(kept)) {
      expect([logicalId, type, deletion, replace]).toEqual([logicalId, type, 'Retain', 'Retain']);
    }
  });
});
