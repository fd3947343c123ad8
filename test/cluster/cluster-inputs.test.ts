import { App, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as fc from 'fast-check';
import { BackendService, CostEstimate, FoundryCluster, NatGatewayStrategy, WorkerService } from '../../src';
import { validateAllowedCidrs } from '../../src/private/validation';
import { plainStack } from '../support/stacks';

/** Ingress CIDRs of every VPC-endpoint security group in the template. */
function endpointIngressCidrs(template: Template): string[] {
  const groups = template.findResources('AWS::EC2::SecurityGroup', {
    Properties: { GroupDescription: Match.stringLikeRegexp('Endpoint') },
  });
  return Object.values(groups).flatMap(g => (g.Properties.SecurityGroupIngress ?? []).map((r: { CidrIp: string }) => r.CidrIp));
}

function interfaceEndpointServices(template: Template): string[] {
  return Object.values(template.findResources('AWS::EC2::VPCEndpoint', { Properties: { VpcEndpointType: 'Interface' } }))
    .map(e => e.Properties.ServiceName as string).sort();
}

describe('vpcCidr', () => {
  test.each([
    ['10.0.128.0/16', '10.0.0.0/16'],
    ['10.0.0.1/16', '10.0.0.0/16'],
    ['172.16.4.0/20', '172.16.0.0/20'],
  ])('a block with host bits set (%s) is rejected, naming the canonical block %s', (cidr, canonical) => {
    const stack = plainStack();
    expect(() => new FoundryCluster(stack, 'Cluster', { vpcCidr: cidr }))
      .toThrow(`FoundryCluster 'Test/Cluster': invalid vpcCidr = '${cidr}'. Host bits are set: the block that prefix describes is '${canonical}'; write that.`);
  });

  test.each(['10.0.0.0/15', '10.0.0.0/24', '10.0.0.0/28'])('prefix %s outside /16 to /22 is rejected', cidr => {
    expect(() => new FoundryCluster(plainStack(), 'Cluster', { vpcCidr: cidr })).toThrow(/invalid vpcCidr = .*Use a prefix length from \/16 to \/22/);
  });

  test('endpoint rules and vpcCidrBlock carry the block the VPC resource is created with', () => {
    const stack = plainStack();
    const cluster = new FoundryCluster(stack, 'Cluster', { vpcCidr: '10.20.0.0/18', natGateways: NatGatewayStrategy.NONE });
    const template = Template.fromStack(stack);
    const vpcs = Object.values(template.findResources('AWS::EC2::VPC'));
    expect(vpcs).toHaveLength(1);
    const vpcBlock = vpcs[0].Properties.CidrBlock;
    expect(vpcBlock).toBe('10.20.0.0/18');
    const cidrs = endpointIngressCidrs(template);
    expect(cidrs).toHaveLength(3); // ecr.api, ecr.dkr, logs: no workload asks for more
    expect(new Set(cidrs)).toEqual(new Set([vpcBlock]));
    expect(cluster.vpcCidrBlock).toBe(vpcBlock);
  });

  test('property: every accepted vpcCidr is the block the VPC gets, and the endpoint rules use it', () => {
    fc.assert(fc.property(
      fc.tuple(fc.integer({ min: 0, max: 255 }), fc.integer({ min: 0, max: 255 }), fc.integer({ min: 0, max: 255 }),
        fc.integer({ min: 0, max: 255 }), fc.integer({ min: 16, max: 22 }), fc.boolean()),
      ([a, b, c, d, prefix, masked]) => {
        // Half the blocks are canonical (host bits cleared), half as drawn.
        const address = [a, b, c, d].reduce((x, o) => x * 256 + o, 0);
        const size = 2 ** (32 - prefix);
        const start = masked ? Math.floor(address / size) * size : address;
        const cidr = `${[24, 16, 8, 0].map(bits => Math.floor(start / 2 ** bits) % 256).join('.')}/${prefix}`;
        const stack = plainStack();
        let cluster: FoundryCluster;
        try {
          cluster = new FoundryCluster(stack, 'Cluster', { vpcCidr: cidr, natGateways: NatGatewayStrategy.NONE, stoppedTaskAlerts: false });
        } catch (e) {
          expect(start % size).not.toBe(0);
          expect((e as Error).message).toMatch(/Host bits are set/);
          return;
        }
        expect(start % size).toBe(0);
        const vpc = stack.resolve((cluster.vpc.node.defaultChild as ec2.CfnVPC).cidrBlock);
        expect(vpc).toBe(cidr);
        expect(cluster.vpcCidrBlock).toBe(cidr);
        const rules = cluster.vpc.node.findAll().filter((n): n is ec2.CfnSecurityGroup => n instanceof ec2.CfnSecurityGroup)
          .flatMap(g => (stack.resolve(g.securityGroupIngress) ?? []) as { cidrIp: string }[]);
        expect(rules.length).toBeGreaterThan(0);
        expect(rules.every(r => r.cidrIp === cidr)).toBe(true);
      },
    ), { numRuns: 40 });
  });

  test('validateAllowedCidrs keeps its messages (shared helper)', () => {
    const stack = plainStack();
    expect(() => validateAllowedCidrs(stack, ['203.0.113.7/24'], 1))
      .toThrow("invalid allowedCidrs = '203.0.113.7/24'. Host bits are set: EC2 would admit the whole network 203.0.113.0/24; write '203.0.113.0/24', or '203.0.113.7/32' for that one address.");
    expect(() => validateAllowedCidrs(stack, ['300.0.0.0/8'], 1))
      .toThrow("invalid allowedCidrs = '300.0.0.0/8'. Use IPv4 CIDR blocks such as '203.0.113.0/24' (four numbers 0-255, a prefix 0-32).");
    expect(() => validateAllowedCidrs(stack, ['10.0.0.0/33'], 1)).toThrow(/Use IPv4 CIDR blocks/);
    expect(() => validateAllowedCidrs(stack, ['10.0.0.0/8', '203.0.113.9/32'], 1)).not.toThrow();
  });
});

describe('isolated VPC endpoints', () => {
  const repository = (stack: Stack) => ecr.Repository.fromRepositoryName(stack, 'Repo', 'app');

  test('a WorkerService in a cluster without NAT gets an SQS interface endpoint, once, open to HTTPS from the VPC', () => {
    const stack = plainStack();
    const cluster = new FoundryCluster(stack, 'Cluster', { natGateways: NatGatewayStrategy.NONE });
    const image = ecs.ContainerImage.fromEcrRepository(repository(stack), '1.0.0');
    new WorkerService(stack, 'One', { cluster, image });
    new WorkerService(stack, 'Two', { cluster, image });
    const template = Template.fromStack(stack);
    expect(interfaceEndpointServices(template)).toEqual([
      'com.amazonaws.us-east-1.ecr.api', 'com.amazonaws.us-east-1.ecr.dkr', 'com.amazonaws.us-east-1.logs', 'com.amazonaws.us-east-1.sqs',
    ]);
    template.hasResourceProperties('AWS::EC2::VPCEndpoint', {
      ServiceName: 'com.amazonaws.us-east-1.sqs', PrivateDnsEnabled: true, VpcEndpointType: 'Interface',
    });
    expect(endpointIngressCidrs(template)).toEqual(Array(4).fill('10.0.0.0/16'));
    // Existing endpoints keep their construct IDs (update safety); the new one has its own.
    const ids = cluster.vpc.node.children.map(c => c.node.id);
    expect(ids).toEqual(expect.arrayContaining(['S3Endpoint', 'EcrApiEndpoint', 'EcrDockerEndpoint', 'LogsEndpoint', 'SqsEndpoint']));
  });

  test('the cost estimate counts the SQS endpoint', () => {
    const endpointLine = (withWorker: boolean) => {
      const stack = plainStack();
      const cluster = new FoundryCluster(stack, 'Cluster', { natGateways: NatGatewayStrategy.NONE });
      if (withWorker) {
        new WorkerService(stack, 'Worker', { cluster, image: ecs.ContainerImage.fromEcrRepository(repository(stack), '1.0.0') });
      }
      return CostEstimate.of(stack).lines.find(l => l.category === 'VPC endpoints');
    };
    // 2 AZs: one endpoint network interface per AZ.
    expect(endpointLine(false)).toMatchObject({ item: '3 interface endpoint(s)', quantity: expect.stringMatching(/^6 endpoint-AZs/) });
    expect(endpointLine(true)).toMatchObject({ item: '4 interface endpoint(s)', quantity: expect.stringMatching(/^8 endpoint-AZs/) });
  });

  test('no SQS endpoint without a worker, nor in a cluster with NAT gateways and no vpcEndpoints; vpcEndpoints adds it on demand too', () => {
    const isolatedStack = plainStack();
    const isolated = new FoundryCluster(isolatedStack, 'Cluster', { natGateways: NatGatewayStrategy.NONE });
    new BackendService(isolatedStack, 'Api', { cluster: isolated, image: ecs.ContainerImage.fromEcrRepository(repository(isolatedStack), '1.0.0'), port: 8080 });
    expect(interfaceEndpointServices(Template.fromStack(isolatedStack))).not.toContain('com.amazonaws.us-east-1.sqs');

    const natStack = plainStack();
    const withNat = new FoundryCluster(natStack, 'Cluster', { natGateways: NatGatewayStrategy.SINGLE });
    new WorkerService(natStack, 'Worker', { cluster: withNat, image: ecs.ContainerImage.fromRegistry('public.ecr.aws/docker/library/python:3.13-slim') });
    expect(interfaceEndpointServices(Template.fromStack(natStack))).toEqual([]);

    // vpcEndpoints: true with NAT gateways follows the same rule (the endpoints keep the traffic off the NAT).
    const endpointsStack = plainStack();
    const withEndpoints = new FoundryCluster(endpointsStack, 'Cluster', { natGateways: NatGatewayStrategy.SINGLE, vpcEndpoints: true });
    new WorkerService(endpointsStack, 'Worker', { cluster: withEndpoints, image: ecs.ContainerImage.fromRegistry('public.ecr.aws/docker/library/python:3.13-slim') });
    expect(interfaceEndpointServices(Template.fromStack(endpointsStack))).toEqual([
      'com.amazonaws.us-east-1.ecr.api', 'com.amazonaws.us-east-1.ecr.dkr', 'com.amazonaws.us-east-1.logs', 'com.amazonaws.us-east-1.sqs',
    ]);
  });

  test('a worker in an imported VPC with isolated subnets only is warned that the VPC needs an SQS endpoint', () => {
    const stack = plainStack();
    const vpc = ec2.Vpc.fromVpcAttributes(stack, 'Vpc', {
      vpcId: 'vpc-1234', availabilityZones: ['us-east-1a', 'us-east-1b'], isolatedSubnetIds: ['subnet-1', 'subnet-2'], vpcCidrBlock: '10.9.0.0/16',
    });
    const cluster = new FoundryCluster(stack, 'Cluster', { vpc });
    new WorkerService(stack, 'Worker', { cluster, image: ecs.ContainerImage.fromEcrRepository(repository(stack), '1.0.0') });
    Annotations.fromStack(stack).hasWarning('/Test/Worker', Match.stringLikeRegexp("reach SQS only through an interface endpoint for 'sqs' with private DNS"));
  });
});

describe('encryptionKey and alertTopic environment', () => {
  test('a key of another Region is rejected, naming encryptionKey', () => {
    const stack = plainStack();
    const key = kms.Key.fromKeyArn(stack, 'Key', 'arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab');
    expect(() => new FoundryCluster(stack, 'Cluster', { encryptionKey: key }))
      .toThrow(/FoundryCluster 'Test\/Cluster': invalid encryptionKey = 'Test\/Key'\. The key is in eu-west-1 and the stack in us-east-1: CloudWatch Logs, SNS and SQS encrypt only with a key of their own Region/);
  });

  test('a key of another account in the same Region is accepted (its key policy decides)', () => {
    const stack = plainStack();
    const key = kms.Key.fromKeyArn(stack, 'Key', 'arn:aws:kms:us-east-1:210987654321:key/1234abcd-12ab-34cd-56ef-1234567890ab');
    expect(() => new FoundryCluster(stack, 'Cluster', { encryptionKey: key })).not.toThrow();
  });

  test('a key in an environment-agnostic stack is not judged (tokens)', () => {
    const stack = new Stack(new App(), 'Agnostic');
    const key = kms.Key.fromKeyArn(stack, 'Key', 'arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab');
    expect(() => new FoundryCluster(stack, 'Cluster', { encryptionKey: key })).not.toThrow();
  });

  test.each([
    ['another Region', 'arn:aws:sns:eu-west-1:123456789012:pager', /The topic is in 123456789012\/eu-west-1 and the cluster in 123456789012\/us-east-1/],
    ['another account', 'arn:aws:sns:us-east-1:210987654321:pager', /The topic is in 210987654321\/us-east-1 and the cluster in 123456789012\/us-east-1/],
  ])('an alertTopic of %s is rejected with our message', (_, arn, message) => {
    const stack = plainStack();
    const topic = sns.Topic.fromTopicArn(stack, 'Pager', arn);
    expect(() => new FoundryCluster(stack, 'Cluster', { alertTopic: topic }))
      .toThrow(/FoundryCluster 'Test\/Cluster': invalid alertTopic = 'arn:aws:sns:[^']+'\./);
    expect(() => new FoundryCluster(plainStack(), 'Cluster', { alertTopic: sns.Topic.fromTopicArn(plainStack(), 'P', arn) })).toThrow(message);
  });

  test('an alertTopic of the same account and Region is accepted', () => {
    const stack = plainStack();
    const topic = sns.Topic.fromTopicArn(stack, 'Pager', 'arn:aws:sns:us-east-1:123456789012:pager');
    expect(() => new FoundryCluster(stack, 'Cluster', { alertTopic: topic })).not.toThrow();
  });
});

describe('addEc2Capacity', () => {
  test('the same id twice gets our message', () => {
    const stack = plainStack();
    const cluster = new FoundryCluster(stack, 'Cluster');
    cluster.addEc2Capacity('E', { instanceType: new ec2.InstanceType('m7i.large') });
    expect(() => cluster.addEc2Capacity('E', { instanceType: new ec2.InstanceType('m7i.large') }))
      .toThrow("FoundryCluster 'Test/Cluster': invalid addEc2Capacity id = 'E'. An Ec2Capacity with id 'E' already exists on this cluster; use another id.");
  });

  test('an id taken by another construct of the cluster gets our message', () => {
    const stack = plainStack();
    const cluster = new FoundryCluster(stack, 'Cluster');
    expect(() => cluster.addEc2Capacity('Vpc', { instanceType: new ec2.InstanceType('m7i.large') }))
      .toThrow(/invalid addEc2Capacity id = 'Vpc'\. The cluster already has a construct with id 'Vpc'; use another id/);
  });
});
