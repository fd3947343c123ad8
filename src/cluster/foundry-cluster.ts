import { Annotations, Aspects, IAspect, RemovalPolicy, Stack, Token } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as cloudmap from 'aws-cdk-lib/aws-servicediscovery';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import { Construct, IConstruct } from 'constructs';
import { Capacity } from './capacity';
import { createClusterDashboard } from './cluster-dashboard';
import type { IFoundryCluster } from './cluster-interfaces';
import { Ec2Capacity } from './ec2-capacity';
import type { Ec2CapacityOptions } from './ec2-capacity-options';
import { FoundryClusterProps, resolveClusterProps } from './foundry-cluster-props';
import { ManagedInstancesCapacity } from './managed-instances';
import type { ManagedInstancesCapacityOptions } from './managed-instances-options';
import { addInterfaceEndpoint, createdVpcCidrBlock, createNetwork, interfaceEndpointId, ON_DEMAND_ENDPOINTS, OnDemandEndpoint, REQUIRED_ENDPOINTS, secretEndpoint } from './network';
import { StoppedTaskAlerts } from './stopped-task-alerts';
import { orderServiceDeletion } from './teardown';
import { acknowledgeEnhancedContainerInsights, denyGrantsExceptForAwsResources } from '../compliance/acknowledgements';
import { invalidProp } from '../private/validation';

const DNS_NAME = /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$/;

/**
 * An ECS cluster with everything a production workload expects around it.
 *
 * - a VPC (new or imported) with flow logs to an encrypted log group and the default security group closed;
 * - Container Insights (enhanced), ECS Exec with KMS-encrypted sessions and an encrypted audit log group;
 * - Fargate and Fargate Spot capacity providers and a default capacity provider strategy;
 * - an encrypted, TLS-only SNS topic for alerts, and alerts on tasks that stop for a failure;
 * - optionally a Cloud Map namespace for Service Connect;
 * - EC2 capacity on demand with `addEc2Capacity()`, ECS Managed Instances with `addManagedInstances()`.
 *
 * @example
 * const cluster = new FoundryCluster(stack, 'Cluster');
 * const gpu = cluster.addEc2Capacity('Gpu', { instanceType: new ec2.InstanceType('g5.xlarge') });
 */
export class FoundryCluster extends Construct implements IFoundryCluster {
  /** The cluster's VPC. */
  public readonly vpc: ec2.IVpc;
  private readonly createdVpcCidr?: string;
  /** The VPC the cluster created, when the cluster manages its endpoints (no NAT, or `vpcEndpoints`): added on demand. */
  private readonly endpointVpc?: ec2.Vpc;
  /** The interface endpoints of `endpointVpc`, by service name. */
  private readonly endpoints = new Map<string, ec2.InterfaceVpcEndpoint>();
  /** The ECS cluster. */
  public readonly ecsCluster: ecs.Cluster;
  /** The KMS key for logs, ECS Exec sessions and the alert topic. */
  public readonly encryptionKey: kms.IKey;
  /** Audit log group of ECS Exec sessions. */
  public readonly execLogGroup: logs.ILogGroup;
  /** Log group of the VPC flow logs (undefined for an imported VPC). */
  public readonly flowLogGroup?: logs.ILogGroup;
  /** The SNS topic that receives the cluster's alerts. */
  public readonly alertTopic: sns.ITopic;
  /** Retention of the cluster's log groups. */
  public readonly logRetention: logs.RetentionDays;
  /** Container Insights level of the cluster. */
  public readonly containerInsights: ecs.ContainerInsights;
  /** Removal policy of the cluster's stateful resources. */
  public readonly removalPolicy: RemovalPolicy;
  /** Stopped-task and service-event alerts (undefined when `stoppedTaskAlerts` is false). */
  public readonly stoppedTaskAlerts?: StoppedTaskAlerts;
  /** The EventBridge rule matching tasks that stopped for a failure (undefined when `stoppedTaskAlerts` is false). */
  public readonly stoppedTaskRule?: events.IRule;
  /** Log group keeping the raw events behind every alert (undefined when `stoppedTaskAlerts` is false). */
  public readonly alertLogGroup?: logs.ILogGroup;

  private _defaultCapacity: Capacity;
  private defaultCapacityExplicit: boolean;
  /** The first construct the default capacity was handed out to: the default is fixed from then on. */
  private defaultCapacityConsumer?: IConstruct;
  /** Names claimed in this cluster, by kind and name: the construct that claimed each. */
  private readonly claimedNames = new Map<string, IConstruct>();
  private readonly ec2Capacities: Ec2Capacity[] = [];
  private readonly managedInstancesCapacities: ManagedInstancesCapacity[] = [];
  private _namespace?: cloudmap.INamespace;
  private _dashboard?: cloudwatch.Dashboard;

  constructor(scope: Construct, id: string, props: FoundryClusterProps = {}) {
    super(scope, id);
    const resolved = resolveClusterProps(this, props);
    this.logRetention = resolved.logRetention;
    this.containerInsights = resolved.containerInsights;
    this.removalPolicy = resolved.removalPolicy;
    this.encryptionKey = resolved.encryptionKey ?? this.createKey();

    if (resolved.vpc) {
      this.vpc = resolved.vpc;
    } else {
      const network = createNetwork(this, resolved.network, {
        key: this.encryptionKey, logRetention: this.logRetention, removalPolicy: this.removalPolicy,
      });
      this.vpc = network.vpc;
      // The block the VPC resource is created with, never the user's string (they agree: host bits are rejected).
      this.createdVpcCidr = createdVpcCidrBlock(network.vpc);
      if (network.endpoints) {
        this.endpointVpc = network.vpc;
        for (const [endpointId, service] of Object.entries(REQUIRED_ENDPOINTS)) {
          this.endpoints.set(service.name, network.vpc.node.findChild(endpointId) as ec2.InterfaceVpcEndpoint);
        }
      }
      this.flowLogGroup = network.flowLogGroup;
    }

    this.execLogGroup = new logs.LogGroup(this, 'ExecLogGroup', {
      encryptionKey: this.encryptionKey,
      retention: this.logRetention,
      removalPolicy: this.removalPolicy,
    });

    this.ecsCluster = new ecs.Cluster(this, 'Cluster', {
      vpc: this.vpc,
      clusterName: resolved.clusterName,
      containerInsightsV2: this.containerInsights,
      enableFargateCapacityProviders: true,
      executeCommandConfiguration: {
        kmsKey: this.execSessionKey(),
        logging: ecs.ExecuteCommandLogging.OVERRIDE,
        logConfiguration: { cloudWatchLogGroup: this.execLogGroup, cloudWatchEncryptionEnabled: true },
      },
      // --- Storage (issue 12): managed storage encryption -------------------------------------------------------
      // Fargate ephemeral storage and ECS-managed EBS volumes encrypted with the cluster key. aws-cdk-lib adds the key
      // policy statements AWS documents for Fargate (GenerateDataKeyWithoutPlaintext and CreateGrant for Decrypt only,
      // with the aws:ecs:clusterAccount encryption context, and aws:ecs:clusterName when the name is fixed:
      // https://docs.aws.amazon.com/AmazonECS/latest/developerguide/fargate-create-storage-key.html). A generated name
      // cannot be in the key policy (the cluster references the key). An in-place update of the cluster
      // (https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-properties-ecs-cluster-managedstorageconfiguration.html).
      managedStorageConfiguration: resolved.encryptManagedStorage
        ? { fargateEphemeralStorageKmsKey: this.encryptionKey, kmsKey: this.encryptionKey } : undefined,
      // --- end storage --------------------------------------------------------------------------------------------
    });
    if (this.containerInsights === ecs.ContainerInsights.ENHANCED) {
      acknowledgeEnhancedContainerInsights(this.ecsCluster);
    }

    this.alertTopic = resolved.alertTopic ?? this.createAlertTopic();
    for (const email of resolved.alertEmails) {
      this.alertTopic.addSubscription(new subscriptions.EmailSubscription(email));
    }
    for (const subscription of resolved.alertSubscriptions) {
      this.alertTopic.addSubscription(subscription);
    }
    if (resolved.stoppedTaskAlerts) {
      this.stoppedTaskAlerts = new StoppedTaskAlerts(this, 'StoppedTaskAlerts', { cluster: this });
      this.stoppedTaskRule = this.stoppedTaskAlerts.stoppedTaskRule;
      this.alertLogGroup = this.stoppedTaskAlerts.logGroup;
    }
    // cdk destroy: services go before the capacity provider associations they use (see teardown.ts).
    orderServiceDeletion(this);

    if (resolved.serviceConnectNamespace !== undefined) {
      this.addServiceConnectNamespace(resolved.serviceConnectNamespace);
    }

    this._defaultCapacity = resolved.defaultCapacity;
    this.defaultCapacityExplicit = resolved.defaultCapacityChosen;
    // aws-cdk-lib allows the default strategy to be set once, and EC2 capacity is added after the cluster:
    // apply the final choice just before aws-cdk-lib's own aspect renders the association.
    // Synthesizing twice (Template.fromStack, then Annotations.fromStack) visits the aspect twice: apply once.
    const self = this;
    let applied = false;
    const applyDefault: IAspect = {
      visit(node: IConstruct) {
        if (node === self.ecsCluster && !applied) {
          applied = true;
          self.ecsCluster.addDefaultCapacityProviderStrategy(self._defaultCapacity.strategies(self));
        }
      },
    };
    Aspects.of(this.ecsCluster).add(applyDefault, { priority: 10 });
  }

  /**
   * The VPC's IPv4 range: a literal for a VPC the cluster created (so security group rules stay reviewable and
   * checkable), the VPC's `vpcCidrBlock` otherwise.
   */
  public get vpcCidrBlock(): string {
    if (this.createdVpcCidr) {
      return this.createdVpcCidr;
    }
    try {
      return this.vpc.vpcCidrBlock;
    } catch {
      return invalidProp(this, 'vpc', this.vpc.node.path,
        'Internal load balancers admit the VPC range by default, and this imported VPC has none: pass vpcCidrBlock to Vpc.fromVpcAttributes, or allowedCidrs to the load balancer.');
    }
  }

  /**
   * The cluster's CloudWatch dashboard: cluster utilization, CPU, memory and running tasks of every service, and the
   * alarms of the services in the cluster's stack (created with the first service, or on first access). Its size
   * does not grow with the number of services.
   */
  public get dashboard(): cloudwatch.Dashboard {
    if (!this._dashboard) {
      this._dashboard = createClusterDashboard(this, 'Dashboard', this.ecsCluster, this.node.path);
    }
    return this._dashboard;
  }

  /** The Cloud Map namespace used for Service Connect, if any. */
  public get namespace(): cloudmap.INamespace | undefined {
    return this._namespace;
  }

  /** The capacity services use when they do not choose their own. */
  public get defaultCapacity(): Capacity {
    return this._defaultCapacity;
  }

  /**
   * Add EC2 capacity: a hardened launch template, an Auto Scaling group and an ASG capacity provider
   * with managed scaling, termination protection and draining, registered on this cluster.
   */
  public addEc2Capacity(id: string, options: Ec2CapacityOptions): Ec2Capacity {
    const existing = this.node.tryFindChild(id);
    if (existing) {
      invalidProp(this, 'addEc2Capacity id', id, existing instanceof Ec2Capacity
        ? `An Ec2Capacity with id '${id}' already exists on this cluster; use another id.`
        : `The cluster already has a construct with id '${id}'; use another id for the Ec2Capacity.`);
    }
    return new Ec2Capacity(this, id, { ...options, cluster: this });
  }

  /**
   * Add ECS Managed Instances capacity: ECS launches, patches and right-sizes EC2 instances for the tasks placed on it.
   *
   * Creates the capacity provider (scoped to this cluster), the infrastructure role ECS uses, the instance role and
   * profile, and the instances' security group. Use it with `Capacity.managedInstances(capacity)`.
   */
  public addManagedInstances(id: string, options: ManagedInstancesCapacityOptions = {}): ManagedInstancesCapacity {
    const existing = this.node.tryFindChild(id);
    if (existing) {
      invalidProp(this, 'addManagedInstances id', id, existing instanceof ManagedInstancesCapacity
        ? `A ManagedInstancesCapacity with id '${id}' already exists on this cluster; use another id.`
        : `The cluster already has a construct with id '${id}'; use another id for the ManagedInstancesCapacity.`);
    }
    return new ManagedInstancesCapacity(this, id, { ...options, cluster: this });
  }

  /**
   * Make this capacity the cluster's default capacity provider strategy.
   *
   * Call it once, instead of the `defaultCapacity` prop, and before creating the workloads that use the default:
   * afterwards it throws, since they already run on the previous default.
   */
  public useDefaultCapacity(capacity: Capacity): void {
    const consumer = this.defaultCapacityConsumer;
    // Capacities are compared by what they mean (a second Capacity.spot() equals the first), not by reference.
    const same = sameCapacity(this, this._defaultCapacity, capacity);
    if (consumer && !same) {
      invalidProp(this, 'defaultCapacity', capacity.type,
        `'${consumer.node.path}' already runs on the default capacity (${this._defaultCapacity.type}): call useDefaultCapacity() before creating workloads.`);
    }
    if (this.defaultCapacityExplicit && !same) {
      invalidProp(this, 'defaultCapacity', capacity.type,
        'The default capacity was already chosen (prop or earlier useDefaultCapacity() call); choose it in one place.');
    }
    capacity.strategies(this); // validate now, so the error points at this call
    this._defaultCapacity = capacity;
    this.defaultCapacityExplicit = true;
  }

  /**
   * Create (once) a private DNS Cloud Map namespace and use it for Service Connect.
   *
   * @param name the namespace name, for example 'internal' or 'prod.local'
   */
  public addServiceConnectNamespace(name: string): cloudmap.INamespace {
    if (this._namespace) {
      invalidProp(this, 'serviceConnectNamespace', name, `The cluster already has the namespace '${this._namespace.namespaceName}'; a cluster has one Service Connect namespace.`);
    }
    if (!Token.isUnresolved(name) && !DNS_NAME.test(name)) {
      invalidProp(this, 'serviceConnectNamespace', name, "Use a lower-case DNS name such as 'internal' or 'prod.local'.");
    }
    this._namespace = this.ecsCluster.addDefaultCloudMapNamespace({
      name,
      type: cloudmap.NamespaceType.DNS_PRIVATE,
      vpc: this.vpc,
      useForServiceConnect: true,
    });
    return this._namespace;
  }

  /**
   * Add an interface VPC endpoint for an AWS service to the VPC the cluster created, once per service.
   *
   * The cluster creates the endpoints its workloads need (see `NatGatewayStrategy.NONE`); add the others your tasks
   * call, for example `ec2.InterfaceVpcEndpointAwsService.SNS`. The endpoint has private DNS and accepts HTTPS from the
   * VPC's range only. Calling it again for the same service returns the same endpoint. Only for a VPC the cluster
   * created with endpoints (`natGateways: NatGatewayStrategy.NONE`, or `vpcEndpoints: true`): the owner of an imported
   * VPC adds its endpoints there. Each interface endpoint costs about 7.30 USD a month per Availability Zone.
   *
   * @param service the AWS service, e.g. `ec2.InterfaceVpcEndpointAwsService.SNS`
   * @returns the interface endpoint of that service
   */
  public addInterfaceEndpoint(service: ec2.InterfaceVpcEndpointAwsService): ec2.InterfaceVpcEndpoint {
    if (!service || typeof service.shortName !== 'string' || typeof service.name !== 'string') {
      invalidProp(this, 'addInterfaceEndpoint service', service, 'Pass an AWS service such as ec2.InterfaceVpcEndpointAwsService.SNS.');
    }
    if (service.shortName === 's3' || service.shortName === 'dynamodb') {
      invalidProp(this, 'addInterfaceEndpoint service', service.shortName, service.shortName === 's3'
        ? 'The cluster already routes S3 through its gateway endpoint, which is free; an interface endpoint would add cost without adding a path.'
        : 'Use a DynamoDB gateway endpoint (free) on the VPC: cluster.vpc.addGatewayEndpoint(id, { service: ec2.GatewayVpcEndpointAwsService.DYNAMODB }).');
    }
    const vpc = this.endpointVpc;
    if (!vpc) {
      invalidProp(this, 'addInterfaceEndpoint service', service.shortName, this.createdVpcCidr
        ? 'The cluster\'s VPC reaches AWS services through its NAT gateways and the cluster manages no endpoints there: create the cluster with vpcEndpoints: true (or natGateways: NatGatewayStrategy.NONE) to add interface endpoints with it.'
        : 'The cluster\'s VPC is imported: its owner adds the endpoints, where the VPC is defined (vpc.addInterfaceEndpoint()).');
    }
    return this.interfaceEndpoint(vpc, service);
  }

  /** The endpoint of a service in the cluster's VPC, created on first use under a stable construct ID. */
  private interfaceEndpoint(vpc: ec2.Vpc, service: ec2.InterfaceVpcEndpointAwsService): ec2.InterfaceVpcEndpoint {
    const existing = this.endpoints.get(service.name);
    if (existing) {
      return existing;
    }
    const id = interfaceEndpointId(service);
    if (vpc.node.tryFindChild(id)) {
      invalidProp(this, 'addInterfaceEndpoint service', service.name,
        `The VPC already has a construct '${id}' for another service name: pass the service the cluster uses for '${service.shortName}', or add this endpoint to the VPC yourself under another id.`);
    }
    const endpoint = addInterfaceEndpoint(vpc, id, service);
    this.endpoints.set(service.name, endpoint);
    return endpoint;
  }

  /**
   * Make sure tasks in isolated subnets reach an AWS service: in a VPC the cluster created with endpoints (no NAT, or
   * `vpcEndpoints`), add the service's interface endpoint (once; private DNS, HTTPS from inside the VPC). Elsewhere the
   * NAT gateways carry the traffic, or, for an imported VPC with isolated subnets only, a warning asks for the endpoint.
   *
   * @internal
   */
  public _requireInterfaceEndpoint(service: OnDemandEndpoint, requiredBy: IConstruct): void {
    const endpointService = Object.values(ON_DEMAND_ENDPOINTS).find(s => s.shortName === service)
      ?? invalidProp(this, 'interface endpoint', service, 'Internal error: unknown endpoint.');
    if (this.endpointVpc) {
      this.interfaceEndpoint(this.endpointVpc, endpointService);
      return;
    }
    if (!this.createdVpcCidr && this.vpc.privateSubnets.length === 0) {
      Annotations.of(requiredBy).addWarningV2(`cdk-ecs-foundry:${service}Endpoint`,
        `The cluster's imported VPC has isolated subnets only: its tasks reach ${service.toUpperCase()} only through an interface endpoint for '${endpointService.shortName}' with private DNS, which the VPC's owner must add.`);
    }
  }

  /**
   * The endpoints a container's secrets need (Secrets Manager, SSM Parameter Store), asked for on behalf of a workload.
   *
   * @internal
   */
  public _requireSecretEndpoints(secrets: { [name: string]: ecs.Secret } | undefined, requiredBy: IConstruct): void {
    for (const service of new Set(Object.values(secrets ?? {}).map(secret => secretEndpoint(requiredBy, secret)))) {
      this._requireInterfaceEndpoint(service, requiredBy);
    }
  }

  /**
   * The capacity a workload runs on: its own choice, else the cluster's default, validated for this cluster.
   *
   * Handing out the default fixes it: a later `useDefaultCapacity()` with another capacity would leave this
   * consumer on the old one, so it throws instead.
   *
   * @internal
   */
  public _resolveCapacity(consumer: IConstruct, capacity?: Capacity): Capacity {
    const resolved = capacity ?? this._defaultCapacity;
    if (capacity === undefined && !this.defaultCapacityConsumer) {
      this.defaultCapacityConsumer = consumer;
    }
    resolved.strategies(this); // EC2 capacity of this cluster and stack only
    return resolved;
  }

  /**
   * Claim a name of a kind (a service name, a Cloud Map name) within this cluster for a construct.
   *
   * @returns the path of the construct that claimed the name before, or undefined when the claim is recorded
   * @internal
   */
  public _claimName(kind: string, name: string, owner: IConstruct): string | undefined {
    const key = `${kind}\u0000${name}`;
    const previous = this.claimedNames.get(key);
    if (previous && previous !== owner) {
      return previous.node.path;
    }
    this.claimedNames.set(key, owner);
    return undefined;
  }

  /**
   * Record EC2 capacity added to this cluster. `Ec2Capacity` finds and calls it at run time: it is not part of
   * `IFoundryCluster`, whose other implementations (in any language) cannot provide an internal member.
   *
   * @internal
   */
  public _registerEc2Capacity(capacity: Ec2Capacity, sessionManager?: boolean): void {
    if (this.ec2Capacities.length === 0) {
      this.allowAutoScalingNotifications();
    }
    this.requireContainerInstanceEndpoints(capacity);
    if (sessionManager) {
      // The instances' SSM agent: instance registration (ssm) and the session channels (ssmmessages).
      this._requireInterfaceEndpoint('ssm', capacity);
      this._requireInterfaceEndpoint('ssmmessages', capacity);
    }
    this.ec2Capacities.push(capacity);
  }

  /** EC2 capacities added to this cluster. */
  public get ec2CapacityList(): Ec2Capacity[] {
    return [...this.ec2Capacities];
  }

  /**
   * Record Managed Instances capacity added to this cluster (found and called at run time, like `_registerEc2Capacity`).
   *
   * @internal
   */
  public _registerManagedInstances(capacity: ManagedInstancesCapacity): void {
    this.requireContainerInstanceEndpoints(capacity);
    if (this.vpc.privateSubnets.length === 0) {
      // AWS documents no list of the endpoints Managed Instances need in subnets without internet access (only AWS
      // Batch's documentation says that subnets without public IPs need a NAT gateway): the library adds the ECS agent's
      // endpoints, and says the rest is unverified.
      Annotations.of(capacity).addWarningV2('cdk-ecs-foundry:managedInstancesIsolated',
        'The cluster\'s VPC has no NAT gateway. ECS Managed Instances in isolated subnets are unverified: AWS documents no list of the VPC endpoints '
        + 'they need (the cluster adds ecs, ecs-agent and ecs-telemetry). Give the VPC a NAT gateway (natGateways: NatGatewayStrategy.SINGLE), '
        + 'or deploy a test stack first and add the missing endpoints with cluster.addInterfaceEndpoint().');
    }
    this.managedInstancesCapacities.push(capacity);
  }

  /**
   * Container instances run the ECS agent, which talks to ECS (`ecs`, `ecs-agent`, `ecs-telemetry`); Fargate tasks do not
   * need these endpoints (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/vpc-endpoints.html).
   */
  private requireContainerInstanceEndpoints(capacity: IConstruct): void {
    for (const service of ['ecs', 'ecs-agent', 'ecs-telemetry'] as const) {
      this._requireInterfaceEndpoint(service, capacity);
    }
  }

  /** ECS Managed Instances capacities added to this cluster. */
  public get managedInstancesCapacityList(): ManagedInstancesCapacity[] {
    return [...this.managedInstancesCapacities];
  }

  /**
   * The key ECS Exec sessions use. For the key the cluster creates, a reference to it by ARN (no resource of its
   * own): each service with ECS Exec would otherwise add aws-cdk-lib's key statements (BaseService
   * `enableExecuteCommandEncryption`): the account root, which the key policy has already, and CloudWatch Logs
   * on `arn:...:logs:<region>:<account>:*`, broader than AllowCloudWatchLogs (log groups only), which already covers
   * the audit log group. A key you pass is used as given.
   */
  private execSessionKey(): kms.IKey {
    const key = this.encryptionKey;
    if (key instanceof kms.Key && key.node.scope === this) {
      return kms.Key.fromKeyArn(this, 'ExecSessionKey', key.keyArn);
    }
    return key;
  }

  private createKey(): kms.Key {
    const stack = Stack.of(this);
    const key = new kms.Key(this, 'Key', {
      description: `Encrypts logs, ECS Exec sessions and alerts of ${this.node.path}`,
      enableKeyRotation: true,
      removalPolicy: this.removalPolicy,
    });
    // Grants only for AWS resources or by AWS services (Control Tower CT.KMS.PR.3): EBS, EFS and Fargate make every grant
    // the library needs.
    denyGrantsExceptForAwsResources(key);
    // CloudWatch Logs encrypts this account's log groups in this region with the key.
    key.addToResourcePolicy(new iam.PolicyStatement({
      sid: 'AllowCloudWatchLogs',
      principals: [new iam.ServicePrincipal(`logs.${stack.region}.amazonaws.com`)],
      actions: ['kms:Encrypt*', 'kms:Decrypt*', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:Describe*'],
      resources: ['*'],
      conditions: {
        ArnLike: { 'kms:EncryptionContext:aws:logs:arn': `arn:${stack.partition}:logs:${stack.region}:${stack.account}:log-group:*` },
      },
    }));
    // Publishers of the encrypted alert topic. SNS encrypts what a service publishes with the key on the
    // publisher's behalf, so each publisher needs kms:GenerateDataKey* and kms:Decrypt on it:
    // https://docs.aws.amazon.com/sns/latest/dg/sns-key-management.html#compatibility-with-aws-services
    // CloudWatch alarms of this account and region only (confused-deputy guard, step 3 of that page).
    key.addToResourcePolicy(new iam.PolicyStatement({
      sid: 'AllowCloudWatchAlarms',
      principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
      actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
      resources: ['*'],
      conditions: alarmSourceConditions(stack),
    }));
    // EventBridge rules get their statement from their SNS target, as in the topic policy: aws-cdk-lib's
    // targets.SnsTopic calls topic.grantPublish(events.amazonaws.com), which grants kms:Decrypt and
    // kms:GenerateDataKey* on the topic's key to the same principal, without conditions (the same page: aws:Source*
    // keys are "not supported for EventBridge-to-encrypted topics"). A statement of our own would be a duplicate.
    return key;
  }

  /**
   * The alert topic: encrypted with the cluster key, TLS only, and open to exactly the publishers the library
   * wires. An AWS::SNS::TopicPolicy replaces SNS's default policy, so each publisher needs its own statement.
   */
  private createAlertTopic(): sns.Topic {
    const stack = Stack.of(this);
    const topic = new sns.Topic(this, 'AlertTopic', {
      displayName: 'ECS cluster alerts',
      masterKey: this.encryptionKey,
      enforceSSL: true,
    });
    // Service alarms (SnsAction adds no topic policy): CloudWatch alarms of this account and region only.
    // https://docs.aws.amazon.com/sns/latest/dg/sns-access-policy-use-cases.html (CloudWatch alarms, aws:SourceArn)
    // https://repost.aws/knowledge-center/cloudwatch-receive-sns-for-alarm-trigger
    topic.addToResourcePolicy(new iam.PolicyStatement({
      sid: 'AllowCloudWatchAlarms',
      principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
      actions: ['sns:Publish'],
      resources: [topic.topicArn],
      conditions: alarmSourceConditions(stack),
    }));
    // EventBridge rules get their statement from their SNS target (events.amazonaws.com, without conditions:
    // "You can't use Condition blocks in Amazon SNS topic policies for EventBridge",
    // https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-use-resource-based.html#eb-sns-permissions).
    // EC2 Auto Scaling publishes as its service-linked role, whose AWS managed policy
    // (AutoScalingServiceRolePolicy) allows sns:Publish: within the account that identity policy is enough.
    return topic;
  }

  /**
   * Let EC2 Auto Scaling notifications reach the encrypted alert topic: the group publishes as the Auto Scaling
   * service-linked role, which must be allowed to use the key
   * (https://docs.aws.amazon.com/autoscaling/ec2/userguide/ec2-auto-scaling-sns-notifications.html#sns-kms-permissions,
   * where aws:SourceArn and aws:SourceAccount "are not supported"). Added with the first EC2 capacity.
   */
  private allowAutoScalingNotifications(): void {
    if (!(this.encryptionKey instanceof kms.Key) || this.encryptionKey.node.scope !== this) {
      return; // an imported key's policy is its owner's business (see encryptionKey)
    }
    const stack = Stack.of(this);
    // The service-linked role may not exist yet when the key is created, and KMS rejects a policy naming an
    // unknown principal, so the role is named in a condition rather than as the principal.
    this.encryptionKey.addToResourcePolicy(new iam.PolicyStatement({
      sid: 'AllowAutoScalingNotifications',
      principals: [new iam.AnyPrincipal()],
      actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
      resources: ['*'],
      conditions: {
        ArnEquals: {
          'aws:PrincipalArn': `arn:${stack.partition}:iam::${stack.account}:role/aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling`,
        },
        StringEquals: { 'aws:PrincipalAccount': stack.account },
      },
    }));
  }

  /** The stack the cluster lives in. */
  public get stack(): Stack {
    return Stack.of(this);
  }
}

/** CloudWatch alarms of the stack's account and region (aws:SourceAccount and aws:SourceArn). */
function alarmSourceConditions(stack: Stack): Record<string, unknown> {
  return {
    StringEquals: { 'aws:SourceAccount': stack.account },
    ArnLike: { 'aws:SourceArn': `arn:${stack.partition}:cloudwatch:${stack.region}:${stack.account}:alarm:*` },
  };
}

/**
 * Whether two capacities place tasks the same way in a cluster: the same type, the same EC2 capacity (by identity)
 * and the same capacity provider strategy.
 */
function sameCapacity(cluster: FoundryCluster, a: Capacity, b: Capacity): boolean {
  if (a === b) return true;
  if (!b || a.type !== b.type || a.ec2Capacity !== b.ec2Capacity) return false;
  if (a.managedInstancesCapacity !== b.managedInstancesCapacity) return false;
  return JSON.stringify(a.strategies(cluster)) === JSON.stringify(b.strategies(cluster));
}
