import { Annotations, Duration, Stack, Token } from 'aws-cdk-lib';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { FoundryServiceBase } from './service-base';
import { RequestServiceOptions, ServiceFrontEnd } from './service-options';
import type { FoundryCluster } from '../cluster/foundry-cluster';
import { acknowledgeInternetFacingListener, acknowledgeNetworkListener, acknowledgeNetworkLoadBalancerLogging } from '../compliance/acknowledgements';
import { createAccessLogsBucket } from '../private/access-logs';
import { securityGroupDescription } from '../private/descriptions';
import { checkNumber, invalidProp, invalidPropMessage, isConcrete, validateAllowedCidrs } from '../private/validation';

/**
 * Transport of a network service's listener.
 */
export enum NetworkProtocol {
  /** TCP passed through to the tasks. */
  TCP = 'TCP',
  /** TLS terminated at the load balancer with an ACM certificate; TCP to the tasks. */
  TLS = 'TLS',
  /** UDP passed through to the tasks (health checks use TCP on `healthCheckPort`). */
  UDP = 'UDP',
}

/**
 * A VPC endpoint service (AWS PrivateLink) in front of the network load balancer.
 */
export interface PrivateLinkOptions {
  /**
   * Principals (accounts, IAM roles, IAM users) allowed to create endpoints to the service, e.g.
   * `new iam.ArnPrincipal('arn:aws:iam::210987654321:root')`.
   *
   * `'*'` lets every AWS account connect. Consumers are admitted by these principals and by acceptance, not by
   * address: the load balancer's security group does not filter PrivateLink traffic (see `allowedCidrs`).
   */
  readonly allowedPrincipals: iam.ArnPrincipal[];

  /**
   * Every endpoint connection must be accepted by you before traffic flows.
   *
   * @default true
   */
  readonly acceptanceRequired?: boolean;
}

/**
 * Properties of a `NetworkService`.
 */
export interface NetworkServiceProps extends RequestServiceOptions {
  /** The cluster. */
  readonly cluster: FoundryCluster;

  /**
   * Listener protocol.
   *
   * @default NetworkProtocol.TCP
   */
  readonly protocol?: NetworkProtocol;

  /**
   * Listener port.
   *
   * @default - the container port (443 for TLS)
   */
  readonly listenerPort?: number;

  /**
   * Certificate of a TLS listener.
   *
   * @default - none; required for TLS
   */
  readonly certificate?: acm.ICertificate;

  /**
   * Reachable from the internet (public subnets) or only inside the VPC.
   *
   * @default false
   */
  readonly internetFacing?: boolean;

  /**
   * Client IPv4 ranges allowed to reach the listener.
   *
   * They filter traffic that reaches the load balancer directly. With `privateLink`, traffic through VPC endpoints is
   * not filtered by them: endpoint connections are admitted by `privateLink.allowedPrincipals` and acceptance, and each
   * consumer restricts its own endpoint with the endpoint's security group.
   *
   * @default - ['0.0.0.0/0'] when internet-facing, the VPC's range when internal
   */
  readonly allowedCidrs?: string[];

  /**
   * TCP port the load balancer health-checks the tasks on. Required for UDP, whose health checks cannot use UDP.
   *
   * @default - the container port (TCP and TLS)
   */
  readonly healthCheckPort?: number;

  /**
   * Refuse deletion of the load balancer.
   *
   * @default true
   */
  readonly deletionProtection?: boolean;

  /**
   * Offer the service to other VPCs and accounts through AWS PrivateLink.
   *
   * @default - no endpoint service
   */
  readonly privateLink?: PrivateLinkOptions;

  /**
   * Time a stopping task keeps its connections.
   *
   * @default Duration.seconds(30)
   */
  readonly deregistrationDelay?: Duration;
}

/**
 * A TCP, TLS or UDP service behind a Network Load Balancer, with a security-group path that actually lets
 * clients and health checks reach the tasks, and optionally an AWS PrivateLink endpoint service.
 *
 * The load balancer has its own security group: clients are admitted on the listener port, and the tasks admit
 * the load balancer's group on the container port (and the health check port), and nothing else.
 *
 * @example
 * new NetworkService(stack, 'Mqtt', {
 *   cluster,
 *   image: ecs.ContainerImage.fromRegistry('public.ecr.aws/docker/library/eclipse-mosquitto:2'),
 *   port: 1883,
 * });
 */
export class NetworkService extends FoundryServiceBase {
  /** The network load balancer. */
  public readonly loadBalancer: elbv2.NetworkLoadBalancer;
  /** The listener. */
  public readonly listener: elbv2.NetworkListener;
  /** The target group of the tasks. */
  public readonly targetGroup: elbv2.NetworkTargetGroup;
  /** The load balancer's security group. */
  public readonly loadBalancerSecurityGroup: ec2.SecurityGroup;
  /** The PrivateLink endpoint service, when enabled. */
  public readonly endpointService?: ec2.VpcEndpointService;
  private _accessLogsBucket?: s3.IBucket;

  constructor(scope: Construct, id: string, props: NetworkServiceProps) {
    super(scope, id, { ...props, frontEnd: ServiceFrontEnd.NETWORK_LOAD_BALANCER });
    const protocol = props.protocol ?? NetworkProtocol.TCP;
    const containerPort = props.port ?? props.ports?.[0]?.port;
    validateNetworkProps(this, props, protocol, containerPort);
    const port = containerPort!;
    const vpc = this.cluster.vpc;
    const internetFacing = props.internetFacing ?? false;
    const listenerPort = props.listenerPort ?? (protocol === NetworkProtocol.TLS ? 443 : port);
    const transport = protocol === NetworkProtocol.UDP ? ec2.Protocol.UDP : ec2.Protocol.TCP;

    this.loadBalancerSecurityGroup = new ec2.SecurityGroup(this, 'LoadBalancerSecurityGroup', {
      vpc,
      description: securityGroupDescription(`Network load balancer of ${this.node.path}: clients on the listener port only`),
      allowAllOutbound: true,
    });
    this.loadBalancer = new elbv2.NetworkLoadBalancer(this, 'LoadBalancer', {
      vpc,
      internetFacing,
      vpcSubnets: internetFacing
        ? { subnetType: ec2.SubnetType.PUBLIC }
        : { subnets: vpc.privateSubnets.length ? vpc.privateSubnets : vpc.isolatedSubnets },
      securityGroups: [this.loadBalancerSecurityGroup],
      deletionProtection: props.deletionProtection ?? true,
      crossZoneEnabled: true,
      // The security group would filter PrivateLink traffic too, by addresses of the consumers' VPCs that the
      // provider does not know: every endpoint connection would be dropped. Consumers are admitted by principal and
      // acceptance instead (https://docs.aws.amazon.com/elasticloadbalancing/latest/network/load-balancer-security-groups.html).
      enforceSecurityGroupInboundRulesOnPrivateLinkTraffic: props.privateLink ? false : undefined,
    });
    // "Access logs are created only if the load balancer has a TLS listener, and the logs contain information about
    // TLS requests only" (https://docs.aws.amazon.com/elasticloadbalancing/latest/network/enable-access-logs.html):
    // a TCP or UDP load balancer gets no log buckets, which would stay empty. Logging is set off explicitly, because
    // CloudFormation does not reset a load balancer attribute removed from the template
    // (https://github.com/aws-cloudformation/cloudformation-coverage-roadmap/issues/554): a load balancer deployed by an
    // earlier version, which logged every NetworkService, would otherwise keep logging to a bucket that left the stack.
    // A TLS listener added later through `loadBalancer` fails synth until `enableAccessLogs()` is called.
    if (protocol === NetworkProtocol.TLS) {
      this.enableAccessLogs();
    } else {
      this.loadBalancer.setAttribute('access_logs.s3.enabled', 'false');
      acknowledgeNetworkLoadBalancerLogging(this.loadBalancer, protocol);
    }

    const cidrs = props.allowedCidrs ?? (internetFacing ? ['0.0.0.0/0'] : [this.cluster.vpcCidrBlock]);
    for (const cidr of cidrs) {
      this.loadBalancerSecurityGroup.addIngressRule(ec2.Peer.ipv4(cidr), new ec2.Port({
        protocol: transport, fromPort: listenerPort, toPort: listenerPort, stringRepresentation: `${transport}/${listenerPort}`,
      }), `Clients to the ${protocol} listener`);
    }
    if (cidrs.includes('0.0.0.0/0')) {
      acknowledgeInternetFacingListener(this.loadBalancerSecurityGroup);
    }

    const healthCheckPort = props.healthCheckPort ?? port;
    this.targetGroup = new elbv2.NetworkTargetGroup(this, 'TargetGroup', {
      vpc,
      port,
      protocol: protocol === NetworkProtocol.UDP ? elbv2.Protocol.UDP : elbv2.Protocol.TCP,
      targetType: elbv2.TargetType.IP,
      deregistrationDelay: props.deregistrationDelay ?? Duration.seconds(30),
      healthCheck: {
        protocol: elbv2.Protocol.TCP,
        port: String(healthCheckPort),
        interval: Duration.seconds(10),
        healthyThresholdCount: 2,
        unhealthyThresholdCount: 2,
      },
    });
    this.listener = this.loadBalancer.addListener('Listener', {
      port: listenerPort,
      protocol: protocol === NetworkProtocol.TLS ? elbv2.Protocol.TLS : protocol === NetworkProtocol.UDP ? elbv2.Protocol.UDP : elbv2.Protocol.TCP,
      certificates: props.certificate ? [elbv2.ListenerCertificate.fromCertificateManager(props.certificate)] : undefined,
      sslPolicy: protocol === NetworkProtocol.TLS ? elbv2.SslPolicy.RECOMMENDED_TLS : undefined,
      defaultTargetGroups: [this.targetGroup],
    });
    if (protocol !== NetworkProtocol.TLS) {
      acknowledgeNetworkListener(this.listener, protocol);
    }
    this.targetGroup.addTarget(this.ecsService.loadBalancerTarget({
      containerName: this.workload.mainContainer.containerName,
      containerPort: port,
      protocol: protocol === NetworkProtocol.UDP ? ecs.Protocol.UDP : ecs.Protocol.TCP,
    }));
    // The path aws-ecs-patterns never opened: traffic and health checks from the load balancer's group.
    this.workload.securityGroup.addIngressRule(this.loadBalancerSecurityGroup, new ec2.Port({
      protocol: transport, fromPort: port, toPort: port, stringRepresentation: `${transport}/${port}`,
    }), 'Clients through the network load balancer');
    if (healthCheckPort !== port || transport === ec2.Protocol.UDP) {
      this.workload.securityGroup.addIngressRule(this.loadBalancerSecurityGroup, ec2.Port.tcp(healthCheckPort), 'Load balancer health checks');
    }

    if (props.privateLink) {
      this.endpointService = new ec2.VpcEndpointService(this, 'EndpointService', {
        vpcEndpointServiceLoadBalancers: [this.loadBalancer],
        acceptanceRequired: props.privateLink.acceptanceRequired ?? true,
        allowedPrincipals: props.privateLink.allowedPrincipals,
      });
    }
    this.enableScaling(props.scaling);
    this._enableOperations();
    const loadBalancer = this.loadBalancer;
    this.node.addValidation({ validate: () => validateLoadBalancerQuotas(this, loadBalancer) });
  }

  /** The access logs bucket, when the load balancer logs (TLS listeners). */
  public get accessLogsBucket(): s3.IBucket | undefined {
    return this._accessLogsBucket;
  }

  /**
   * Turn on the load balancer's access logs, to a versioned, TLS-only bucket that keeps them 90 days.
   *
   * Network Load Balancers log TLS listeners only, so a `NetworkProtocol.TLS` service turns them on itself and TCP and
   * UDP services do not. Call this after adding a TLS listener to `loadBalancer` yourself: synth fails until you do.
   * Calling it again returns the same bucket.
   *
   * @returns the access logs bucket
   */
  public enableAccessLogs(): s3.IBucket {
    if (!this._accessLogsBucket) {
      this._accessLogsBucket = createAccessLogsBucket(this, Duration.days(90));
      this.loadBalancer.logAccessLogs(this._accessLogsBucket, 'nlb');
    }
    return this._accessLogsBucket;
  }
}

function validateNetworkProps(scope: Construct, props: NetworkServiceProps, protocol: NetworkProtocol, port: number | undefined): void {
  if (port === undefined) {
    invalidProp(scope, 'port', undefined, 'A network service needs the port its main container listens on, e.g. port: 5432.');
  }
  if (!Object.values(NetworkProtocol).includes(protocol)) {
    invalidProp(scope, 'protocol', protocol, 'Use NetworkProtocol.TCP, TLS or UDP.');
  }
  if (protocol === NetworkProtocol.TLS && !props.certificate) {
    invalidProp(scope, 'certificate', undefined, 'A TLS listener needs an ACM certificate; pass certificate, or use NetworkProtocol.TCP to pass TLS through to the tasks.');
  }
  if (protocol !== NetworkProtocol.TLS && props.certificate) {
    invalidProp(scope, 'certificate', props.certificate.certificateArn, `A ${protocol} listener does not terminate TLS; use protocol: NetworkProtocol.TLS or remove certificate.`);
  }
  if (protocol === NetworkProtocol.UDP && props.healthCheckPort === undefined) {
    invalidProp(scope, 'healthCheckPort', undefined, 'UDP targets are health-checked over TCP: give the TCP port the container answers health checks on.');
  }
  // A listener forwards to a target group of the same transport: TCP and TLS listeners to TCP targets, UDP to UDP
  // (https://docs.aws.amazon.com/elasticloadbalancing/latest/network/load-balancer-listeners.html).
  const mainProtocol = props.port === undefined ? props.ports?.[0]?.protocol : undefined;
  if (protocol === NetworkProtocol.UDP && props.port === undefined && mainProtocol !== ecs.Protocol.UDP) {
    invalidProp(scope, 'ports', props.ports, 'The container port of a UDP service must be a UDP port: ports: [{ port, protocol: ecs.Protocol.UDP }].');
  }
  if (protocol !== NetworkProtocol.UDP && mainProtocol === ecs.Protocol.UDP) {
    invalidProp(scope, 'ports', props.ports, `A ${protocol} listener forwards TCP connections, which a UDP container port never receives; use protocol: NetworkProtocol.UDP, or a TCP port.`);
  }
  // Listener and health check ports: 1-65535; deregistration delay: 0-3600 seconds
  // (https://docs.aws.amazon.com/elasticloadbalancing/latest/network/load-balancer-listeners.html,
  // https://docs.aws.amazon.com/elasticloadbalancing/latest/network/edit-target-group-attributes.html).
  checkNumber(scope, 'listenerPort', props.listenerPort, { min: 1, max: 65_535, integer: true });
  checkNumber(scope, 'healthCheckPort', props.healthCheckPort, { min: 1, max: 65_535, integer: true });
  checkNumber(scope, 'deregistrationDelay (seconds)', props.deregistrationDelay?.toSeconds({ integral: false }), { min: 0, max: 3600, integer: true });
  if (props.internetFacing && props.cluster.vpc.publicSubnets.length === 0) {
    invalidProp(scope, 'internetFacing', true, "The cluster's VPC has no public subnets; use internetFacing: false.");
  }
  validateAllowedCidrs(scope, props.allowedCidrs, 1);
  if (props.privateLink) {
    validatePrivateLink(scope, props.privateLink, props.internetFacing ?? false);
  }
  // Targets per Network Load Balancer: 500 with cross-zone load balancing, adjustable
  // (https://docs.aws.amazon.com/elasticloadbalancing/latest/network/load-balancer-limits.html). Each task is an IP
  // target, and a rolling deployment runs up to maxHealthyPercent of the desired tasks.
  const tasks = props.scaling ? props.scaling.maxTasks : (props.desiredCount ?? 2);
  const maxPercent = props.deployment?.maxHealthyPercent ?? 200;
  if (isConcrete(tasks) && isConcrete(maxPercent) && Math.floor(tasks * maxPercent / 100) > NLB_TARGETS) {
    Annotations.of(scope).addWarningV2('cdk-ecs-foundry:nlbTargetsQuota',
      `Up to ${Math.floor(tasks * maxPercent / 100)} tasks (${tasks} at ${maxPercent} % during a deployment) register as targets, above the default quota of ${NLB_TARGETS} targets per Network Load Balancer with cross-zone load balancing; request a quota increase before deploying, or lower ${props.scaling ? 'scaling.maxTasks' : 'desiredCount'}.`);
  }
}

/** Listeners per Network Load Balancer (not adjustable). */
const NLB_LISTENERS = 50;
/** Certificates per Network Load Balancer (adjustable). */
const NLB_CERTIFICATES = 25;
/** Targets per Network Load Balancer with cross-zone load balancing (adjustable). */
const NLB_TARGETS = 500;

function validatePrivateLink(scope: Construct, privateLink: PrivateLinkOptions, internetFacing: boolean): void {
  const principals = privateLink.allowedPrincipals ?? [];
  if (principals.length === 0) {
    invalidProp(scope, 'privateLink.allowedPrincipals', [], 'List the accounts or roles that may connect, e.g. [new iam.ArnPrincipal(\'arn:aws:iam::210987654321:root\')].');
  }
  // Endpoint service permissions name AWS accounts, IAM users and IAM roles by ARN, or '*' for every principal
  // (https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-resource-ec2-vpcendpointservicepermissions.html).
  for (const principal of principals) {
    const arn = principal?.arn;
    if (typeof arn !== 'string' || (!Token.isUnresolved(arn) && arn !== '*'
      && !/^arn:aws[a-z-]*:iam::\d{12}:(root|user\/.+|role\/.+)$/.test(arn))) {
      invalidProp(scope, 'privateLink.allowedPrincipals', arn,
        "Use the ARN of an account ('arn:aws:iam::210987654321:root'), an IAM role or an IAM user, or '*' for every AWS account.");
    }
  }
  if (internetFacing) {
    invalidProp(scope, 'privateLink', 'internetFacing: true', 'PrivateLink serves other VPCs privately; use an internal load balancer (internetFacing: false).');
  }
  if (principals.some(p => p.arn === '*') && privateLink.acceptanceRequired === false) {
    // "If you grant permissions to all principals, the service is public ... If the service does not require manual
    // approval, attachments are automatically approved" (same page).
    Annotations.of(scope).addWarningV2('cdk-ecs-foundry:publicEndpointService',
      "allowedPrincipals '*' without acceptanceRequired lets any AWS account that knows the service name connect, without your approval.");
  }
}

/**
 * Listeners and certificates on the load balancer, counted when the app is complete (escape hatches can add them to
 * `loadBalancer`), and access logs for any TLS listener among them. Quotas: https://docs.aws.amazon.com/elasticloadbalancing/latest/network/load-balancer-limits.html
 */
function validateLoadBalancerQuotas(scope: Construct, loadBalancer: elbv2.NetworkLoadBalancer): string[] {
  const stack = Stack.of(loadBalancer);
  const lbRef = JSON.stringify(stack.resolve((loadBalancer.node.defaultChild as elbv2.CfnLoadBalancer).ref));
  const all = stack.node.findAll();
  const listeners = all.filter((c): c is elbv2.CfnListener => c instanceof elbv2.CfnListener
    && JSON.stringify(stack.resolve(c.loadBalancerArn)) === lbRef);
  const listenerRefs = new Set(listeners.map(l => JSON.stringify(stack.resolve(l.ref))));
  const certificates = listeners.reduce((n, l) => n + ((stack.resolve(l.certificates) as unknown[] | undefined)?.length ?? 0), 0)
    + all.filter((c): c is elbv2.CfnListenerCertificate => c instanceof elbv2.CfnListenerCertificate
      && listenerRefs.has(JSON.stringify(stack.resolve(c.listenerArn))))
      .reduce((n, c) => n + ((stack.resolve(c.certificates) as unknown[] | undefined)?.length ?? 0), 0);
  const errors: string[] = [];
  if (listeners.length > NLB_LISTENERS) {
    errors.push(invalidPropMessage(scope, 'loadBalancer listeners', listeners.length,
      `A Network Load Balancer has at most ${NLB_LISTENERS} listeners (not adjustable); put the other ports on a second NetworkService.`));
  }
  if (certificates > NLB_CERTIFICATES) {
    Annotations.of(scope).addWarningV2('cdk-ecs-foundry:nlbCertificatesQuota',
      `The load balancer has ${certificates} certificates, above the default quota of ${NLB_CERTIFICATES} per Network Load Balancer; request a quota increase before deploying.`);
  }
  // A TLS listener is what NLB access logs record
  // (https://docs.aws.amazon.com/elasticloadbalancing/latest/network/enable-access-logs.html): one added through
  // `loadBalancer` to a TCP or UDP service, whose logging is off, would go unlogged.
  const cfnLoadBalancer = loadBalancer.node.defaultChild as elbv2.CfnLoadBalancer;
  const attributes = (stack.resolve(cfnLoadBalancer.loadBalancerAttributes) ?? []) as Array<Record<string, unknown>>;
  const logging = attributes.some(a => (a.key ?? a.Key) === 'access_logs.s3.enabled' && (a.value ?? a.Value) === 'true');
  const tlsListeners = listeners.filter(l => stack.resolve(l.protocol) === 'TLS');
  if (tlsListeners.length > 0 && !logging) {
    errors.push(invalidPropMessage(scope, 'loadBalancer listeners', tlsListeners.map(l => l.node.path).join(', '),
      'A TLS listener without access logs: Network Load Balancers log TLS connections only, so this TCP/UDP service turned its logs off. Call enableAccessLogs() on the service (a 90-day log bucket), or give the TLS listener its own NetworkService with protocol: NetworkProtocol.TLS.'));
  }
  return errors;
}
