import { RemovalPolicy, Stack, Token } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct, IConstruct } from 'constructs';
import { acknowledgePublicSubnetRoutes } from '../compliance/acknowledgements';
import { ManagedPolicyRole } from '../private/managed-policy-role';
import { checkNumber, cidrProblem, invalidProp } from '../private/validation';

/**
 * How a new VPC reaches the internet from its private subnets.
 */
export enum NatGatewayStrategy {
  /**
   * One NAT gateway in every Availability Zone (the default).
   *
   * An AZ outage never cuts the other AZs off from the internet. Costs one NAT gateway per AZ
   * (about 33 USD a month each in us-east-1, plus data processing).
   */
  PER_AZ = 'PER_AZ',
  /**
   * One NAT gateway shared by all Availability Zones.
   *
   * Cheaper (one gateway), but tasks in every AZ lose internet access when the NAT's AZ fails,
   * and cross-AZ traffic is billed. Good for development and cost-sensitive environments.
   */
  SINGLE = 'SINGLE',
  /**
   * No NAT gateway: private subnets are isolated.
   *
   * For workloads that must not reach the internet. The cluster adds the VPC endpoints its workloads need, so images
   * still pull and logs still flow; anything else on the internet is unreachable.
   *
   * Always: S3 (gateway, free) and the interface endpoints `ecr.api`, `ecr.dkr` and `logs`. On demand, once per cluster:
   * `secretsmanager` and `ssm` when a container reads a secret from them, `ssmmessages` and `kms` when a workload
   * enables ECS Exec, `ecs`, `ecs-agent` and `ecs-telemetry` when EC2 or Managed Instances capacity is added (with
   * `ssm` and `ssmmessages` for Session Manager on EC2 capacity), `sqs` with a `WorkerService`. Add others with
   * `FoundryCluster.addInterfaceEndpoint()`. Every interface endpoint has private DNS and accepts HTTPS from the
   * VPC's range only.
   */
  NONE = 'NONE',
}

/**
 * Options for the VPC that `FoundryCluster` creates when you do not pass one.
 */
export interface FoundryNetworkOptions {
  /**
   * Number of Availability Zones to spread subnets over.
   *
   * @default 2
   */
  readonly maxAzs?: number;

  /**
   * NAT gateway strategy for the private subnets.
   *
   * @default NatGatewayStrategy.PER_AZ
   */
  readonly natGateways?: NatGatewayStrategy;

  /**
   * IPv4 CIDR block of the new VPC, a /16 to /22 private range with no host bits set.
   *
   * Each AZ gets a /24 public subnet and a /20 private subnet (4,091 task IPs) when the block is
   * large enough; smaller blocks get proportionally smaller subnets.
   *
   * @default '10.0.0.0/16'
   */
  readonly vpcCidr?: string;

  /**
   * Add the VPC endpoints the cluster's workloads need: S3 (gateway), ECR and CloudWatch Logs always, others on demand.
   *
   * Required when there is no NAT gateway; optional otherwise (it keeps image pulls and logs off the NAT,
   * at about 7 USD a month per interface endpoint per AZ). The endpoints added on demand are listed under
   * `NatGatewayStrategy.NONE`; `FoundryCluster.addInterfaceEndpoint()` adds more.
   *
   * @default - true when `natGateways` is `NONE`, false otherwise
   */
  readonly vpcEndpoints?: boolean;

  /**
   * Create public subnets (and an internet gateway) for internet-facing load balancers and NAT gateways.
   *
   * Set to false for a fully private network: no internet gateway, no public subnets, no NAT
   * (`natGateways` must then be `NONE`).
   *
   * @default true
   */
  readonly publicSubnets?: boolean;
}

/** What `createNetwork` needs besides the user's options. */
export interface NetworkContext {
  readonly key: kms.IKey;
  readonly logRetention: logs.RetentionDays;
  readonly removalPolicy: RemovalPolicy;
}

const CIDR_PATTERN = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/;

/**
 * Validate the network options (used by FoundryCluster before creating anything).
 */
export function validateNetworkOptions(scope: IConstruct, options: FoundryNetworkOptions): void {
  checkNumber(scope, 'maxAzs', options.maxAzs, { min: 1, max: 6, integer: true });
  if (options.natGateways !== undefined && !Object.values(NatGatewayStrategy).includes(options.natGateways)) {
    invalidProp(scope, 'natGateways', options.natGateways, `Use one of ${Object.values(NatGatewayStrategy).map(v => `NatGatewayStrategy.${v}`).join(', ')}.`);
  }
  if (options.publicSubnets === false && options.natGateways !== undefined && options.natGateways !== NatGatewayStrategy.NONE) {
    invalidProp(scope, 'natGateways', options.natGateways,
      'NAT gateways live in public subnets; with publicSubnets: false use NatGatewayStrategy.NONE (VPC endpoints reach AWS services).');
  }
  const cidr = options.vpcCidr;
  if (cidr !== undefined && !Token.isUnresolved(cidr)) {
    const problem = cidrProblem(cidr);
    if (problem?.kind === 'malformed') {
      invalidProp(scope, 'vpcCidr', cidr, "Use an IPv4 CIDR block such as '10.0.0.0/16'.");
    }
    // aws-cdk-lib's IpAddresses.cidr does not mask host bits the way EC2 does ('10.0.128.0/16' becomes a VPC of
    // 10.1.0.0/16 while EC2 would read 10.0.0.0/16), so a block with host bits set is never what gets created.
    if (problem?.kind === 'hostBits') {
      invalidProp(scope, 'vpcCidr', cidr, `Host bits are set: the block that prefix describes is '${problem.canonical}'; write that.`);
    }
    // A VPC's IPv4 block is a /16 to a /28 (https://docs.aws.amazon.com/vpc/latest/userguide/vpc-cidr-blocks.html);
    // the cluster asks for /22 at most so that every AZ has room for awsvpc tasks.
    const prefix = Number(cidr.split('/')[1]);
    if (prefix < 16 || prefix > 22) {
      invalidProp(scope, 'vpcCidr', cidr, 'Use a prefix length from /16 to /22: a VPC is at most a /16, and smaller blocks than /22 leave too few addresses for awsvpc tasks in every AZ.');
    }
  } else if (cidr !== undefined) {
    invalidProp(scope, 'vpcCidr', cidr, 'The VPC CIDR must be a literal string: subnets are carved out of it at synth time.');
  }
}

/** The network `createNetwork` made. */
export interface Network {
  readonly vpc: ec2.Vpc;
  readonly flowLogGroup: logs.LogGroup;
  /** True when the private subnets are isolated (no NAT): tasks reach AWS services through interface endpoints. */
  readonly isolated: boolean;
  /** True when the cluster manages the VPC's endpoints (always ECR, logs and S3; others on demand). */
  readonly endpoints: boolean;
}

/**
 * Create the cluster's VPC: public and private subnets over `maxAzs` AZs, the chosen NAT strategy,
 * flow logs to a KMS-encrypted log group, the default security group closed and, when asked, VPC endpoints.
 */
export function createNetwork(scope: Construct, options: FoundryNetworkOptions, ctx: NetworkContext): Network {
  const withPublic = options.publicSubnets ?? true;
  const strategy = options.natGateways ?? (withPublic ? NatGatewayStrategy.PER_AZ : NatGatewayStrategy.NONE);
  const maxAzs = options.maxAzs ?? 2;
  const cidr = options.vpcCidr ?? '10.0.0.0/16';
  const prefix = Number(CIDR_PATTERN.exec(cidr)![5]);
  // Leave room for both tiers in every AZ: private subnets get the bulk of the addresses.
  const privateMask = Math.min(28, prefix + 4);
  const publicMask = Math.min(28, prefix + 8);

  const vpc = new ec2.Vpc(scope, 'Vpc', {
    ipAddresses: ec2.IpAddresses.cidr(cidr),
    maxAzs,
    natGateways: strategy === NatGatewayStrategy.NONE ? 0 : strategy === NatGatewayStrategy.SINGLE ? 1 : maxAzs,
    restrictDefaultSecurityGroup: true,
    subnetConfiguration: [
      // Nothing launched here gets a public IP by accident: load balancers and NAT gateways bring their own.
      ...(withPublic ? [{ name: 'Public', subnetType: ec2.SubnetType.PUBLIC, cidrMask: publicMask, mapPublicIpOnLaunch: false }] : []),
      {
        name: 'Private',
        subnetType: strategy === NatGatewayStrategy.NONE ? ec2.SubnetType.PRIVATE_ISOLATED : ec2.SubnetType.PRIVATE_WITH_EGRESS,
        cidrMask: privateMask,
      },
    ],
  });
  acknowledgePublicSubnetRoutes(vpc);

  const flowLogGroup = new logs.LogGroup(scope, 'FlowLogGroup', {
    encryptionKey: ctx.key,
    retention: ctx.logRetention,
    removalPolicy: ctx.removalPolicy,
  });
  const stack = Stack.of(scope);
  const flowLogRole = new ManagedPolicyRole(scope, 'FlowLogRole', {
    assumedBy: new iam.ServicePrincipal('vpc-flow-logs.amazonaws.com', {
      conditions: {
        StringEquals: { 'aws:SourceAccount': stack.account },
        ArnLike: { 'aws:SourceArn': `arn:${stack.partition}:ec2:${stack.region}:${stack.account}:vpc-flow-log/*` },
      },
    }),
    description: 'Lets VPC Flow Logs write to the cluster flow log group',
  });
  vpc.addFlowLog('FlowLog', {
    destination: ec2.FlowLogDestination.toCloudWatchLogs(flowLogGroup, flowLogRole),
    trafficType: ec2.FlowLogTrafficType.ALL,
  });

  const endpoints = options.vpcEndpoints ?? strategy === NatGatewayStrategy.NONE;
  if (endpoints) {
    addServiceEndpoints(vpc);
  }
  return { vpc, flowLogGroup, isolated: strategy === NatGatewayStrategy.NONE, endpoints };
}

/**
 * The IPv4 block the VPC is created with: the `CidrBlock` aws-cdk-lib writes on the AWS::EC2::VPC resource. A literal
 * (so rules stay reviewable in the template) that is, by construction, the VPC's own range.
 */
export function createdVpcCidrBlock(vpc: ec2.Vpc): string {
  return (vpc.node.defaultChild as ec2.CfnVPC).cidrBlock!;
}

/**
 * The interface endpoints every Fargate task of the cluster needs, by construct ID (these IDs never change: a new ID
 * replaces the endpoint). A task pulls its image from ECR (`ecr.api` for the authorization token and manifests,
 * `ecr.dkr` for the registry API, S3 for the layers) and writes its logs with the awslogs driver (`logs`):
 * https://docs.aws.amazon.com/AmazonECS/latest/developerguide/platform-version-migration.html (interface VPC endpoints
 * for Fargate platform 1.4.0: ECR endpoints and the S3 gateway endpoint) and
 * https://docs.aws.amazon.com/AmazonECR/latest/userguide/vpc-endpoints.html. GuardDuty's Fargate agent sidecar is an
 * image in GuardDuty's ECR account, pulled through the same endpoints (they have no endpoint policy).
 */
export const REQUIRED_ENDPOINTS: Record<string, ec2.InterfaceVpcEndpointAwsService> = {
  EcrApiEndpoint: ec2.InterfaceVpcEndpointAwsService.ECR,
  EcrDockerEndpoint: ec2.InterfaceVpcEndpointAwsService.ECR_DOCKER,
  LogsEndpoint: ec2.InterfaceVpcEndpointAwsService.CLOUDWATCH_LOGS,
};

/**
 * Interface endpoints the cluster adds on demand (`FoundryCluster._requireInterfaceEndpoint`), by construct ID. The IDs
 * are those of the endpoints every isolated cluster had before they became on demand: an endpoint still needed keeps
 * its logical ID and is not replaced.
 *
 * - `secretsmanager`, `ssm`: a container secret from Secrets Manager or SSM Parameter Store; ECS retrieves it through the
 *   task's network interface (platform-version-migration page above). A SecureString or a secret encrypted with a
 *   customer key is decrypted by the service itself (kms:ViaService), never by a call from the VPC.
 * - `ssmmessages`, `kms`: ECS Exec. The SSM agent inside the task opens the Session Manager channels (`ssmmessages`; agents
 *   from 3.3.40.0 use no `ec2messages`) and, with the cluster key configured for sessions, calls KMS from the task
 *   (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/ecs-exec.html,
 *   https://docs.aws.amazon.com/systems-manager/latest/userguide/setup-create-vpc.html).
 * - `ecs`, `ecs-agent`, `ecs-telemetry`: container instances (EC2 or Managed Instances), whose ECS agent talks to ECS.
 *   "Tasks using the Fargate launch type don't require the interface VPC endpoints for Amazon ECS"
 *   (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/vpc-endpoints.html).
 * - `sqs`: WorkerService tasks receive and delete messages (SQS has no gateway endpoint).
 *
 * EFS needs none: tasks mount through the file system's mount targets in the VPC; the `elasticfilesystem` endpoint
 * serves the EFS management API only (https://docs.aws.amazon.com/efs/latest/ug/efs-vpc-endpoints.html).
 */
export const ON_DEMAND_ENDPOINTS: Record<string, ec2.InterfaceVpcEndpointAwsService> = {
  SecretsManagerEndpoint: ec2.InterfaceVpcEndpointAwsService.SECRETS_MANAGER,
  SsmEndpoint: ec2.InterfaceVpcEndpointAwsService.SSM,
  SsmMessagesEndpoint: ec2.InterfaceVpcEndpointAwsService.SSM_MESSAGES,
  KmsEndpoint: ec2.InterfaceVpcEndpointAwsService.KMS,
  EcsEndpoint: ec2.InterfaceVpcEndpointAwsService.ECS,
  EcsAgentEndpoint: ec2.InterfaceVpcEndpointAwsService.ECS_AGENT,
  EcsTelemetryEndpoint: ec2.InterfaceVpcEndpointAwsService.ECS_TELEMETRY,
  SqsEndpoint: ec2.InterfaceVpcEndpointAwsService.SQS,
};

/** The short names of the AWS services whose endpoint a workload can ask its cluster for. */
export type OnDemandEndpoint = 'secretsmanager' | 'ssm' | 'ssmmessages' | 'kms' | 'ecs' | 'ecs-agent' | 'ecs-telemetry' | 'sqs';

/**
 * The construct ID of an interface endpoint: the fixed ID of an endpoint the cluster manages, otherwise one derived
 * from the service's short name ('bedrock-runtime' → 'BedrockRuntimeEndpoint').
 */
export function interfaceEndpointId(service: ec2.InterfaceVpcEndpointAwsService): string {
  const known = Object.entries({ ...REQUIRED_ENDPOINTS, ...ON_DEMAND_ENDPOINTS }).find(([, s]) => s.shortName === service.shortName);
  if (known) {
    return known[0];
  }
  const words = service.shortName.split(/[^A-Za-z0-9]+/).filter(w => w.length > 0);
  return `${words.map(w => w[0].toUpperCase() + w.slice(1)).join('')}Endpoint`;
}

/**
 * The on-demand endpoints a container secret needs: SSM Parameter Store for a parameter, Secrets Manager otherwise
 * (ECS reads secrets from these two services only:
 * https://docs.aws.amazon.com/AmazonECS/latest/developerguide/specifying-sensitive-data.html). A parameter's ARN always
 * names the `ssm` service, also as a token (aws-cdk-lib formats it from its parts).
 */
export function secretEndpoint(scope: IConstruct, secret: ecs.Secret): OnDemandEndpoint {
  const arn = Token.isUnresolved(secret.arn) ? JSON.stringify(Stack.of(scope).resolve(secret.arn)) : secret.arn;
  return /:ssm:|:parameter\//.test(arn) ? 'ssm' : 'secretsmanager';
}

/**
 * Add one interface endpoint with private DNS that accepts HTTPS from inside the VPC only.
 */
export function addInterfaceEndpoint(vpc: ec2.Vpc, id: string, service: ec2.InterfaceVpcEndpointAwsService): ec2.InterfaceVpcEndpoint {
  // open: false — only what we allow below reaches the endpoint: HTTPS from inside the VPC.
  const endpoint = vpc.addInterfaceEndpoint(id, { service, privateDnsEnabled: service.privateDnsDefault ?? true, open: false });
  // The VPC's own block, as written on the VPC resource (a literal, not the CidrBlock attribute, keeps the rule
  // reviewable in the template; never the user's string, which could differ from what the VPC gets).
  endpoint.connections.allowFrom(ec2.Peer.ipv4(createdVpcCidrBlock(vpc)), ec2.Port.tcp(service.port), 'HTTPS from inside the VPC');
  return endpoint;
}

function addServiceEndpoints(vpc: ec2.Vpc): void {
  // S3 serves ECR image layers; a gateway endpoint is free.
  vpc.addGatewayEndpoint('S3Endpoint', { service: ec2.GatewayVpcEndpointAwsService.S3 });
  for (const [id, service] of Object.entries(REQUIRED_ENDPOINTS)) {
    addInterfaceEndpoint(vpc, id, service);
  }
}

/**
 * Check that an imported VPC has somewhere to put tasks.
 */
export function validateImportedVpc(scope: IConstruct, vpc: ec2.IVpc, options: FoundryNetworkOptions): void {
  const given = (Object.keys(options) as (keyof FoundryNetworkOptions)[]).filter(k => options[k] !== undefined);
  if (given.length > 0) {
    invalidProp(scope, given[0], options[given[0]],
      'These network options shape a VPC the cluster creates; remove them when you pass `vpc`, or remove `vpc` to let the cluster create one.');
  }
  const taskSubnets = vpc.privateSubnets.length + vpc.isolatedSubnets.length;
  if (taskSubnets === 0) {
    invalidProp(scope, 'vpc', vpc.node.path,
      'The VPC has no private or isolated subnets; ECS tasks are never placed in public subnets. Import a VPC with private subnets (Vpc.fromLookup or Vpc.fromVpcAttributes with privateSubnetIds).');
  }
}
