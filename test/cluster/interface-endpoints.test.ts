/**
 * Interface endpoints on demand (issue 13): a cluster that manages its VPC's endpoints creates ECR, CloudWatch Logs and
 * S3 always, and every other endpoint once, when something in the cluster needs it; users add more with
 * `FoundryCluster.addInterfaceEndpoint()`.
 */
import { fullDiff, ResourceImpact } from '@aws-cdk/cloudformation-diff';
import { App, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as ssm from 'aws-cdk-lib/aws-ssm';
import {
  BackendService, CostEstimate, FoundryCluster, FoundryTaskDefinition, NatGatewayStrategy, SharedVolume, WebService, WorkerService,
} from '../../src';
import { plainStack } from '../support/stacks';

const CERTIFICATE_ARN = 'arn:aws:acm:us-east-1:123456789012:certificate/11111111-2222-3333-4444-555555555555';
const REGION = 'com.amazonaws.us-east-1.';
/** What every cluster that manages its endpoints has: ECR (API and registry) and CloudWatch Logs. */
const REQUIRED = ['ecr.api', 'ecr.dkr', 'logs'];

function image(stack: Stack): ecs.ContainerImage {
  const repository = (stack.node.tryFindChild('Repo') as ecr.IRepository | undefined) ?? ecr.Repository.fromRepositoryName(stack, 'Repo', 'app');
  return ecs.ContainerImage.fromEcrRepository(repository, '1.0.0');
}

function isolatedCluster(stack: Stack): FoundryCluster {
  return new FoundryCluster(stack, 'Cluster', { natGateways: NatGatewayStrategy.NONE });
}

/** The short names of the interface endpoints in a template, sorted, duplicates kept. */
function interfaceEndpoints(template: Template): string[] {
  return Object.values(template.findResources('AWS::EC2::VPCEndpoint', { Properties: { VpcEndpointType: 'Interface' } }))
    .map(e => String(e.Properties.ServiceName).replace(REGION, '')).sort();
}

function gatewayEndpoints(template: Template): number {
  return Object.keys(template.findResources('AWS::EC2::VPCEndpoint', { Properties: { VpcEndpointType: 'Gateway' } })).length;
}

const sorted = (names: string[]) => [...names].sort();

describe('a cluster that manages its endpoints creates only what its workloads need', () => {
  test('default isolated cluster with one web service: S3 gateway, ecr.api, ecr.dkr and logs, nothing else', () => {
    const stack = plainStack();
    const cluster = isolatedCluster(stack);
    new WebService(stack, 'Web', {
      cluster, image: image(stack), port: 8080, certificate: acm.Certificate.fromCertificateArn(stack, 'Cert', CERTIFICATE_ARN),
    });
    const template = Template.fromStack(stack);
    expect(interfaceEndpoints(template)).toEqual(REQUIRED);
    expect(gatewayEndpoints(template)).toBe(1);
    // Each endpoint: private DNS, HTTPS from the VPC's range only (its own security group, least privilege).
    for (const endpoint of Object.values(template.findResources('AWS::EC2::VPCEndpoint', { Properties: { VpcEndpointType: 'Interface' } }))) {
      expect(endpoint.Properties.PrivateDnsEnabled).toBe(true);
      expect(endpoint.Properties.SecurityGroupIds).toHaveLength(1);
    }
    const groups = Object.values(template.findResources('AWS::EC2::SecurityGroup', { Properties: { GroupDescription: Match.stringLikeRegexp('Endpoint') } }));
    expect(groups).toHaveLength(3);
    for (const group of groups) {
      expect(group.Properties.SecurityGroupIngress).toEqual([expect.objectContaining({ CidrIp: '10.0.0.0/16', FromPort: 443, ToPort: 443, IpProtocol: 'tcp' })]);
    }
  });

  test('the isolated VPC of 2 AZs costs 3 interface endpoints (43.80 USD a month) instead of 10 (146 USD)', () => {
    const stack = plainStack();
    isolatedCluster(stack);
    const line = CostEstimate.of(stack).lines.find(l => l.category === 'VPC endpoints');
    // 3 endpoints × 2 AZs × 730 h × 0.01 USD (the price table's us-east-1 figure).
    expect(line).toMatchObject({ item: '3 interface endpoint(s)', quantity: expect.stringMatching(/^6 endpoint-AZs × 730 h/), monthlyUsd: 43.8 });
  });

  type Trigger = [string, (stack: Stack, cluster: FoundryCluster, n: number) => void, string[]];
  const triggers: Trigger[] = [
    ['a Secrets Manager secret', (stack, cluster, n) => {
      const secret = secretsmanager.Secret.fromSecretNameV2(stack, `Secret${n}`, 'db-password');
      new BackendService(stack, `Api${n}`, { cluster, image: image(stack), port: 8080, secrets: { DB_PASSWORD: ecs.Secret.fromSecretsManager(secret) } });
    }, ['secretsmanager']],
    ['a Secrets Manager secret created in the stack (a token ARN)', (stack, cluster, n) => {
      const secret = new secretsmanager.Secret(stack, `Secret${n}`);
      new FoundryTaskDefinition(stack, `Job${n}`, { cluster, image: image(stack), secrets: { TOKEN: ecs.Secret.fromSecretsManager(secret, 'token') } });
    }, ['secretsmanager']],
    ['an SSM parameter', (stack, cluster, n) => {
      const parameter = ssm.StringParameter.fromSecureStringParameterAttributes(stack, `Param${n}`, { parameterName: '/app/key' });
      new BackendService(stack, `Api${n}`, { cluster, image: image(stack), port: 8080, secrets: { API_KEY: ecs.Secret.fromSsmParameter(parameter) } });
    }, ['ssm']],
    ['an SSM parameter created in the stack', (stack, cluster, n) => {
      const parameter = new ssm.StringParameter(stack, `Param${n}`, { stringValue: 'x' });
      new FoundryTaskDefinition(stack, `Job${n}`, { cluster, image: image(stack), secrets: { SETTING: ecs.Secret.fromSsmParameter(parameter) } });
    }, ['ssm']],
    ['a sidecar with a secret', (stack, cluster, n) => {
      const secret = secretsmanager.Secret.fromSecretNameV2(stack, `Secret${n}`, 'agent-key');
      const task = new FoundryTaskDefinition(stack, `Job${n}`, { cluster, image: image(stack) });
      task.addSidecar({ name: 'agent', image: image(stack), secrets: { KEY: ecs.Secret.fromSecretsManager(secret) } });
    }, ['secretsmanager']],
    ['ECS Exec', (stack, cluster, n) => {
      new BackendService(stack, `Api${n}`, { cluster, image: image(stack), port: 8080, enableExecuteCommand: true });
    }, ['kms', 'ssmmessages']],
    ['EC2 capacity', (_stack, cluster, n) => {
      cluster.addEc2Capacity(`Ec2${n}`, { instanceType: new ec2.InstanceType('m7i.large') });
    }, ['ecs', 'ecs-agent', 'ecs-telemetry']],
    ['EC2 capacity with Session Manager', (_stack, cluster, n) => {
      cluster.addEc2Capacity(`Ec2${n}`, { instanceType: new ec2.InstanceType('m7i.large'), enableSessionManager: true });
    }, ['ecs', 'ecs-agent', 'ecs-telemetry', 'ssm', 'ssmmessages']],
    ['Managed Instances capacity', (_stack, cluster, n) => {
      cluster.addManagedInstances(`Managed${n}`);
    }, ['ecs', 'ecs-agent', 'ecs-telemetry']],
    ['a worker', (stack, cluster, n) => {
      new WorkerService(stack, `Worker${n}`, { cluster, image: image(stack) });
    }, ['sqs']],
    ['a shared EFS volume (mounted through its mount targets, no endpoint)', (stack, cluster, n) => {
      const api = new BackendService(stack, `Api${n}`, { cluster, image: image(stack), port: 8080 });
      api.addVolume(new SharedVolume(stack, `Data${n}`, { cluster }), '/data');
    }, []],
    ['a plain backend service', (stack, cluster, n) => {
      new BackendService(stack, `Api${n}`, { cluster, image: image(stack), port: 8080 });
    }, []],
  ];

  test.each(triggers)('%s adds exactly its endpoints, once for two of them', (_name, add, expected) => {
    for (const count of [1, 2]) {
      const stack = plainStack();
      const cluster = isolatedCluster(stack);
      for (let n = 0; n < count; n++) {
        add(stack, cluster, n);
      }
      expect(interfaceEndpoints(Template.fromStack(stack))).toEqual(sorted([...REQUIRED, ...expected]));
    }
  });

  test('everything at once: the union, each endpoint once, under the construct IDs the endpoints always had', () => {
    const stack = plainStack();
    const cluster = isolatedCluster(stack);
    for (const [, add] of triggers) {
      add(stack, cluster, triggers.findIndex(t => t[1] === add));
    }
    const expected = sorted([...REQUIRED, ...new Set(triggers.flatMap(t => t[2]))]);
    expect(interfaceEndpoints(Template.fromStack(stack))).toEqual(expected);
    const ids = cluster.vpc.node.children.map(c => c.node.id).filter(id => id.endsWith('Endpoint')).sort();
    expect(ids).toEqual(['EcrApiEndpoint', 'EcrDockerEndpoint', 'EcsAgentEndpoint', 'EcsEndpoint', 'EcsTelemetryEndpoint', 'KmsEndpoint',
      'LogsEndpoint', 'S3Endpoint', 'SecretsManagerEndpoint', 'SqsEndpoint', 'SsmEndpoint', 'SsmMessagesEndpoint']);
  });

  test('a cluster with NAT gateways and no vpcEndpoints creates no endpoint, whatever its workloads need', () => {
    const stack = plainStack();
    const cluster = new FoundryCluster(stack, 'Cluster', { natGateways: NatGatewayStrategy.SINGLE });
    triggers.forEach(([, add], n) => add(stack, cluster, n));
    const template = Template.fromStack(stack);
    expect(interfaceEndpoints(template)).toEqual([]);
    expect(gatewayEndpoints(template)).toBe(0);
  });

  test('a cluster in an imported VPC with isolated subnets only warns about each endpoint its workloads need', () => {
    const stack = plainStack();
    const vpc = ec2.Vpc.fromVpcAttributes(stack, 'Vpc', {
      vpcId: 'vpc-1234', availabilityZones: ['us-east-1a', 'us-east-1b'], isolatedSubnetIds: ['subnet-1', 'subnet-2'], vpcCidrBlock: '10.9.0.0/16',
    });
    const cluster = new FoundryCluster(stack, 'Cluster', { vpc });
    const secret = secretsmanager.Secret.fromSecretNameV2(stack, 'Secret', 'db-password');
    new BackendService(stack, 'Api', {
      cluster, image: image(stack), port: 8080, enableExecuteCommand: true, secrets: { DB_PASSWORD: ecs.Secret.fromSecretsManager(secret) },
    });
    const annotations = Annotations.fromStack(stack);
    for (const service of ['secretsmanager', 'ssmmessages', 'kms']) {
      annotations.hasWarning('/Test/Api/Task', Match.stringLikeRegexp(`interface endpoint for '${service}' with private DNS`));
    }
    expect(interfaceEndpoints(Template.fromStack(stack))).toEqual([]);
  });
});

describe('addInterfaceEndpoint', () => {
  test('adds an endpoint with private DNS and HTTPS from the VPC only, once per service', () => {
    const stack = plainStack();
    const cluster = isolatedCluster(stack);
    const sns = cluster.addInterfaceEndpoint(ec2.InterfaceVpcEndpointAwsService.SNS);
    expect(cluster.addInterfaceEndpoint(ec2.InterfaceVpcEndpointAwsService.SNS)).toBe(sns);
    expect(sns.node.id).toBe('SnsEndpoint');
    const bedrock = cluster.addInterfaceEndpoint(ec2.InterfaceVpcEndpointAwsService.BEDROCK_RUNTIME);
    expect(bedrock.node.id).toBe('BedrockRuntimeEndpoint');
    const template = Template.fromStack(stack);
    expect(interfaceEndpoints(template)).toEqual(sorted([...REQUIRED, 'bedrock-runtime', 'sns']));
    template.hasResourceProperties('AWS::EC2::VPCEndpoint', { ServiceName: `${REGION}sns`, PrivateDnsEnabled: true, VpcEndpointType: 'Interface' });
    const group = stack.resolve((sns.connections.securityGroups[0].node.defaultChild as ec2.CfnSecurityGroup).securityGroupIngress);
    expect(group).toEqual([expect.objectContaining({ cidrIp: '10.0.0.0/16', fromPort: 443, toPort: 443, ipProtocol: 'tcp' })]);
  });

  test('an endpoint the cluster creates anyway, or on demand, is the same endpoint', () => {
    const stack = plainStack();
    const cluster = isolatedCluster(stack);
    const logs = cluster.addInterfaceEndpoint(ec2.InterfaceVpcEndpointAwsService.CLOUDWATCH_LOGS);
    expect(logs.node.id).toBe('LogsEndpoint');
    const secrets = cluster.addInterfaceEndpoint(ec2.InterfaceVpcEndpointAwsService.SECRETS_MANAGER);
    const secret = secretsmanager.Secret.fromSecretNameV2(stack, 'Secret', 'db-password');
    new BackendService(stack, 'Api', { cluster, image: image(stack), port: 8080, secrets: { DB_PASSWORD: ecs.Secret.fromSecretsManager(secret) } });
    expect(secrets.node.id).toBe('SecretsManagerEndpoint');
    expect(interfaceEndpoints(Template.fromStack(stack))).toEqual(sorted([...REQUIRED, 'secretsmanager']));
  });

  test('works in a cluster with NAT gateways and vpcEndpoints: true', () => {
    const stack = plainStack();
    const cluster = new FoundryCluster(stack, 'Cluster', { natGateways: NatGatewayStrategy.SINGLE, vpcEndpoints: true });
    cluster.addInterfaceEndpoint(ec2.InterfaceVpcEndpointAwsService.STS);
    expect(interfaceEndpoints(Template.fromStack(stack))).toEqual(sorted([...REQUIRED, 'sts']));
  });

  test('refuses a cluster with NAT gateways and no endpoints, naming vpcEndpoints', () => {
    const cluster = new FoundryCluster(plainStack(), 'Cluster');
    expect(() => cluster.addInterfaceEndpoint(ec2.InterfaceVpcEndpointAwsService.SNS)).toThrow(
      "FoundryCluster 'Test/Cluster': invalid addInterfaceEndpoint service = 'sns'. The cluster's VPC reaches AWS services through its NAT gateways and the cluster manages no endpoints there: create the cluster with vpcEndpoints: true (or natGateways: NatGatewayStrategy.NONE) to add interface endpoints with it.");
  });

  test('refuses an imported VPC: its owner adds the endpoints', () => {
    const stack = plainStack();
    const vpc = ec2.Vpc.fromVpcAttributes(stack, 'Vpc', { vpcId: 'vpc-1234', availabilityZones: ['us-east-1a'], isolatedSubnetIds: ['subnet-1'], vpcCidrBlock: '10.9.0.0/16' });
    const cluster = new FoundryCluster(stack, 'Cluster', { vpc });
    expect(() => cluster.addInterfaceEndpoint(ec2.InterfaceVpcEndpointAwsService.SNS)).toThrow(/invalid addInterfaceEndpoint service = 'sns'\. The cluster's VPC is imported: its owner adds the endpoints/);
  });

  test('refuses S3 and DynamoDB (gateway endpoints are free) and a missing service', () => {
    const cluster = isolatedCluster(plainStack());
    expect(() => cluster.addInterfaceEndpoint(ec2.InterfaceVpcEndpointAwsService.S3)).toThrow(/invalid addInterfaceEndpoint service = 's3'\. The cluster already routes S3 through its gateway endpoint/);
    expect(() => cluster.addInterfaceEndpoint(ec2.InterfaceVpcEndpointAwsService.DYNAMODB)).toThrow(/invalid addInterfaceEndpoint service = 'dynamodb'\. Use a DynamoDB gateway endpoint/);
    expect(() => cluster.addInterfaceEndpoint(undefined as unknown as ec2.InterfaceVpcEndpointAwsService)).toThrow(/invalid addInterfaceEndpoint service = undefined\. Pass an AWS service/);
  });
});

describe('update safety: an isolated cluster upgrading to endpoints on demand', () => {
  /** The cluster before this change: the seven endpoints that were always created, added back by hand. */
  const LEGACY = [
    ec2.InterfaceVpcEndpointAwsService.SECRETS_MANAGER, ec2.InterfaceVpcEndpointAwsService.SSM, ec2.InterfaceVpcEndpointAwsService.SSM_MESSAGES,
    ec2.InterfaceVpcEndpointAwsService.KMS, ec2.InterfaceVpcEndpointAwsService.ECS, ec2.InterfaceVpcEndpointAwsService.ECS_AGENT,
    ec2.InterfaceVpcEndpointAwsService.ECS_TELEMETRY,
  ];
  const synth = (legacy: boolean) => {
    const app = new App();
    const stack = new Stack(app, 'Upgrade', { env: { account: '123456789012', region: 'us-east-1' } });
    const cluster = isolatedCluster(stack);
    new WebService(stack, 'Web', { cluster, image: image(stack), port: 8080, certificate: acm.Certificate.fromCertificateArn(stack, 'Cert', CERTIFICATE_ARN) });
    if (legacy) {
      LEGACY.forEach(service => cluster.addInterfaceEndpoint(service));
    }
    return app.synth().getStackByName(stack.stackName).template;
  };

  test('adding every former endpoint back gives the same 11 endpoints under the same logical IDs', () => {
    const legacy = synth(true);
    const endpoints = Object.entries<any>(legacy.Resources).filter(([, r]) => r.Type === 'AWS::EC2::VPCEndpoint');
    expect(endpoints).toHaveLength(11);
    // The logical IDs of the endpoints of an isolated cluster before this change (its snapshot): none moved.
    expect(endpoints.map(([id]) => id).sort()).toEqual([
      'ClusterVpcEcrApiEndpoint5239AD0F', 'ClusterVpcEcrDockerEndpointA0C373E5', 'ClusterVpcEcsAgentEndpointD11F62C1',
      'ClusterVpcEcsEndpoint28D675B2', 'ClusterVpcEcsTelemetryEndpointC1769009', 'ClusterVpcKmsEndpointAC0C373D',
      'ClusterVpcLogsEndpointBC3488A6', 'ClusterVpcS3Endpoint1492FEFB', 'ClusterVpcSecretsManagerEndpoint1CFF064D',
      'ClusterVpcSsmEndpointD0FC9F70', 'ClusterVpcSsmMessagesEndpoint13BFBB99',
    ]);
  });

  test('the update removes the seven unused endpoints and their security groups, and changes or replaces nothing else', () => {
    const diff = fullDiff(synth(true), synth(false));
    const removed: string[] = [];
    const other: string[] = [];
    diff.resources.forEachDifference((logicalId, change) => {
      if (change.isRemoval) {
        removed.push(`${change.oldResourceType}`);
      } else {
        other.push(`${logicalId} ${change.changeImpact === ResourceImpact.WILL_REPLACE ? 'replaced' : 'changed'}`);
      }
    });
    expect(other).toEqual([]);
    expect(removed.sort()).toEqual([...Array(7).fill('AWS::EC2::SecurityGroup'), ...Array(7).fill('AWS::EC2::VPCEndpoint')]);
  });
});
