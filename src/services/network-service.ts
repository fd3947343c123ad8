import { Annotations, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { modelDeploymentTime } from './deployment-time';
import { acknowledgeDeletionProtection } from './load-balancer-options';
import {
  NetworkProtocol, NetworkServiceProps, networkWorkloadProps, NLB_CERTIFICATES, NLB_LISTENERS, ResolvedNetworkService, resolveNetworkServiceProps,
} from './network-service-options';
import { RequestServiceBase } from './service-base';
import { ServiceFrontEnd } from './service-options';
import { acknowledgeBlueGreenRole, acknowledgeInternetFacingListener, acknowledgeNetworkListener, acknowledgeNetworkLoadBalancerLogging } from '../compliance/acknowledgements';
import { AccessLogsBucketOptions, createAccessLogsBucket, logNetworkAccessLogs } from '../private/access-logs';
import { securityGroupDescription } from '../private/descriptions';
import { ManagedPolicyRole } from '../private/managed-policy-role';
import { invalidPropMessage } from '../private/validation';

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
export class NetworkService extends RequestServiceBase {
  /** The network load balancer. */
  public readonly loadBalancer: elbv2.NetworkLoadBalancer;
  /** The listener. */
  public readonly listener: elbv2.NetworkListener;
  /** The target group of the tasks. */
  public readonly targetGroup: elbv2.NetworkTargetGroup;
  /**
   * The second target group that blue/green, canary and linear deployments shift traffic to and from.
   *
   * @default - undefined with a rolling deployment
   */
  public readonly alternateTargetGroup?: elbv2.NetworkTargetGroup;
  /**
   * The listener that sends test traffic to the new revision during a blue/green, canary or linear deployment.
   *
   * @default - undefined with a rolling deployment
   */
  public readonly testListener?: elbv2.NetworkListener;
  /**
   * The role ECS assumes to shift traffic between the target groups (only these listeners and target groups).
   *
   * @default - undefined with a rolling deployment
   */
  public readonly blueGreenRole?: iam.IRole;
  /**
   * Time to deploy a new revision with the service's strategy, modeled from its options.
   *
   * Health check interval × healthy threshold for new tasks, then per strategy: rolling batches, or the test and
   * production traffic shifts (ECS waits 10 minutes at each behind a Network Load Balancer), canary bake or linear
   * steps, bake time; and the deregistration delay. Task start-up and lifecycle hooks add to it.
   */
  public readonly modeledDeploymentTime: Duration;
  /** The load balancer's security group. */
  public readonly loadBalancerSecurityGroup: ec2.SecurityGroup;
  /** The PrivateLink endpoint service, when enabled. */
  public readonly endpointService?: ec2.VpcEndpointService;
  private _accessLogsBucket?: s3.IBucket;
  private readonly resolved: ResolvedNetworkService;

  constructor(scope: Construct, id: string, props: NetworkServiceProps) {
    super(scope, id, { ...networkWorkloadProps(props), frontEnd: ServiceFrontEnd.NETWORK_LOAD_BALANCER });
    const resolved = resolveNetworkServiceProps(this, props, this._options);
    this.resolved = resolved;
    const { protocol, containerPort: port, listenerPort, internetFacing } = resolved;
    const vpc = this.cluster.vpc;
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
      deletionProtection: resolved.deletionProtection,
      crossZoneEnabled: true,
      // The security group would filter PrivateLink traffic too, by addresses of the consumers' VPCs that the
      // provider does not know: every endpoint connection would be dropped. Consumers are admitted by principal and
      // acceptance instead (https://docs.aws.amazon.com/elasticloadbalancing/latest/network/load-balancer-security-groups.html).
      enforceSecurityGroupInboundRulesOnPrivateLinkTraffic: resolved.privateLink ? false : undefined,
    });
    acknowledgeDeletionProtection(this.loadBalancer, resolved);
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

    for (const cidr of resolved.allowedCidrs) {
      this.loadBalancerSecurityGroup.addIngressRule(ec2.Peer.ipv4(cidr), new ec2.Port({
        protocol: transport, fromPort: listenerPort, toPort: listenerPort, stringRepresentation: `${transport}/${listenerPort}`,
      }), `Clients to the ${protocol} listener`);
    }
    if (resolved.allowedCidrs.includes('0.0.0.0/0')) {
      acknowledgeInternetFacingListener(this.loadBalancerSecurityGroup);
    }

    const hc = resolved.targetHealthCheck;
    // "When your configuration includes a Network Load Balancer, Amazon ECS adds a 10 minute delay" to the test and
    // production traffic shift stages (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/nlb-resources-for-blue-green.html).
    this.modeledDeploymentTime = modelDeploymentTime(this._options.deployment.strategy, {
      healthCheckInterval: hc.interval,
      healthyThreshold: hc.healthyThreshold,
      deregistrationDelay: resolved.deregistrationDelay,
      minHealthyPercent: this._options.minHealthyPercent,
      maxHealthyPercent: this._options.maxHealthyPercent,
      trafficShiftDelay: NLB_TRAFFIC_SHIFT_DELAY,
    }).total;
    const targetGroupProps: elbv2.NetworkTargetGroupProps = {
      vpc,
      port,
      protocol: protocol === NetworkProtocol.UDP ? elbv2.Protocol.UDP : elbv2.Protocol.TCP,
      targetType: elbv2.TargetType.IP,
      deregistrationDelay: resolved.deregistrationDelay,
      healthCheck: {
        protocol: elbv2.Protocol.TCP,
        port: String(hc.port),
        interval: hc.interval,
        timeout: hc.timeout,
        healthyThresholdCount: hc.healthyThreshold,
        unhealthyThresholdCount: hc.unhealthyThreshold,
      },
    };
    this.targetGroup = new elbv2.NetworkTargetGroup(this, 'TargetGroup', targetGroupProps);
    const listenerProps = (listenerPortOf: number, targetGroup: elbv2.NetworkTargetGroup): elbv2.BaseNetworkListenerProps => ({
      port: listenerPortOf,
      protocol: protocol === NetworkProtocol.TLS ? elbv2.Protocol.TLS : protocol === NetworkProtocol.UDP ? elbv2.Protocol.UDP : elbv2.Protocol.TCP,
      certificates: resolved.certificate ? [elbv2.ListenerCertificate.fromCertificateManager(resolved.certificate)] : undefined,
      sslPolicy: protocol === NetworkProtocol.TLS ? elbv2.SslPolicy.RECOMMENDED_TLS : undefined,
      defaultTargetGroups: [targetGroup],
    });
    this.listener = this.loadBalancer.addListener('Listener', listenerProps(listenerPort, this.targetGroup));
    if (protocol !== NetworkProtocol.TLS) {
      acknowledgeNetworkListener(this.listener, protocol);
    }

    // --- Progressive delivery (issue 12): blue/green, canary and linear behind the NLB -----------------------------
    // ECS shifts traffic between a primary and an alternate target group by rewriting the production listener's
    // default action, and sends test traffic to the new revision through a test listener
    // (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/nlb-resources-for-blue-green.html; canary and linear
    // run on the same resources: https://docs.aws.amazon.com/AmazonECS/latest/developerguide/canary-deployment-implementation.html,
    // https://docs.aws.amazon.com/AmazonECS/latest/developerguide/linear-deployment-implementation.html).
    const shift = resolved.trafficShift;
    let alternateTarget: ecs.AlternateTarget | undefined;
    if (shift) {
      this.alternateTargetGroup = new elbv2.NetworkTargetGroup(this, 'AlternateTargetGroup', targetGroupProps);
      // The test listener: the production listener's protocol, certificate and TLS policy, on testListenerPort.
      this.testListener = this.loadBalancer.addListener('TestListener', listenerProps(shift.testListenerPort, this.alternateTargetGroup));
      if (protocol !== NetworkProtocol.TLS) {
        acknowledgeNetworkListener(this.testListener, protocol);
      }
      // Test clients: the same ranges as production clients, on the test port only.
      for (const cidr of resolved.allowedCidrs) {
        this.loadBalancerSecurityGroup.addIngressRule(ec2.Peer.ipv4(cidr), new ec2.Port({
          protocol: transport,
          fromPort: shift.testListenerPort,
          toPort: shift.testListenerPort,
          stringRepresentation: `${transport}/${shift.testListenerPort}`,
        }), `Test clients to the ${protocol} test listener`);
      }
      this.blueGreenRole = this.trafficShiftRole(this.alternateTargetGroup, this.testListener);
      // The service references only the role's ARN: it waits for the role's policy too (created before the first
      // traffic shift, deleted after the service).
      this.ecsService.node.addDependency(this.blueGreenRole);
      alternateTarget = new ecs.AlternateTarget('BlueGreen', {
        alternateTargetGroup: this.alternateTargetGroup,
        productionListener: ecs.ListenerRuleConfiguration.networkListener(this.listener),
        testListener: ecs.ListenerRuleConfiguration.networkListener(this.testListener),
        role: this.blueGreenRole,
      });
      warnListenerChanges(this, shift.kind);
    }
    // --- end progressive delivery -----------------------------------------------------------------------------------
    this.targetGroup.addTarget(this.ecsService.loadBalancerTarget({
      containerName: this.workload.mainContainer.containerName,
      containerPort: port,
      protocol: protocol === NetworkProtocol.UDP ? ecs.Protocol.UDP : ecs.Protocol.TCP,
      alternateTarget,
    }));
    // The path aws-ecs-patterns never opened: traffic and health checks from the load balancer's group.
    this.workload.securityGroup.addIngressRule(this.loadBalancerSecurityGroup, new ec2.Port({
      protocol: transport, fromPort: port, toPort: port, stringRepresentation: `${transport}/${port}`,
    }), 'Clients through the network load balancer');
    if (hc.port !== port || transport === ec2.Protocol.UDP) {
      this.workload.securityGroup.addIngressRule(this.loadBalancerSecurityGroup, ec2.Port.tcp(hc.port), 'Load balancer health checks');
    }

    if (resolved.privateLink) {
      this.endpointService = new ec2.VpcEndpointService(this, 'EndpointService', {
        vpcEndpointServiceLoadBalancers: [this.loadBalancer],
        acceptanceRequired: resolved.privateLink.acceptanceRequired,
        allowedPrincipals: resolved.privateLink.allowedPrincipals,
      });
      if (shift) {
        // Security groups are not enforced on PrivateLink traffic here (above): the endpoint service forwards every
        // listener port, the test listener's included.
        Annotations.of(this).addWarningV2('cdk-ecs-foundry:privateLinkTestListener',
          `${this.node.path} is shared over PrivateLink and uses a ${shift.kind} deployment with a test listener on port ${shift.testListenerPort}: `
          + 'the load balancer\'s security group does not filter PrivateLink traffic, so every consumer\'s endpoint reaches the test port too '
          + 'and can reach the new, not yet tested revision during a deployment. To avoid it, use DeploymentStrategy.rolling() for a service '
          + 'shared over PrivateLink, or ask consumers to allow only the service port in their endpoint\'s security group.');
      }
    }
    this._enableScaling();
    this._enableOperations();
    const loadBalancer = this.loadBalancer;
    this.node.addValidation({ validate: () => validateLoadBalancerQuotas(this, loadBalancer) });
  }

  /**
   * The role ECS uses to shift traffic: ModifyListener on the production and test listeners, RegisterTargets and
   * DeregisterTargets on the two target groups, the Describe actions (no resource-level permissions) on '*'. It is the
   * NLB part of AmazonECSInfrastructureRolePolicyForLoadBalancers limited to this service
   * (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/AmazonECSInfrastructureRolePolicyForLoadBalancers.html,
   * https://docs.aws.amazon.com/aws-managed-policy/latest/reference/AmazonECSInfrastructureRolePolicyForLoadBalancers.html).
   */
  private trafficShiftRole(alternateTargetGroup: elbv2.NetworkTargetGroup, testListener: elbv2.NetworkListener): iam.IRole {
    const role = new ManagedPolicyRole(this, 'BlueGreenRole', {
      assumedBy: new iam.ServicePrincipal('ecs.amazonaws.com'),
      description: `Lets ECS shift traffic of ${this.node.path} between its target groups`,
    });
    role.addToPrincipalPolicy(new iam.PolicyStatement({
      sid: 'ShiftTraffic',
      actions: ['elasticloadbalancing:ModifyListener'],
      resources: [this.listener.listenerArn, testListener.listenerArn],
    }));
    role.addToPrincipalPolicy(new iam.PolicyStatement({
      sid: 'RegisterTargets',
      actions: ['elasticloadbalancing:RegisterTargets', 'elasticloadbalancing:DeregisterTargets'],
      resources: [this.targetGroup.targetGroupArn, alternateTargetGroup.targetGroupArn],
    }));
    role.addToPrincipalPolicy(new iam.PolicyStatement({
      sid: 'DescribeOnly',
      actions: [
        'elasticloadbalancing:DescribeListeners', 'elasticloadbalancing:DescribeRules',
        'elasticloadbalancing:DescribeTargetGroups', 'elasticloadbalancing:DescribeTargetHealth',
      ],
      resources: ['*'],
    }));
    acknowledgeBlueGreenRole(role);
    return role;
  }

  /**
   * The access logs bucket, when the load balancer logs (TLS listeners).
   *
   * The stack's logging NetworkServices share it when they keep logs as long and have the same removal policy.
   */
  public get accessLogsBucket(): s3.IBucket | undefined {
    return this._accessLogsBucket;
  }

  /**
   * Turn on the load balancer's access logs, to a versioned, TLS-only bucket that keeps them for `accessLogsRetention`.
   *
   * The bucket (and the bucket for its own server access logs) belongs to the stack: every NetworkService of the stack
   * with the same `accessLogsRetention` and removal policy writes to it, under the prefix `nlb` (each log file name
   * carries its load balancer's ID), instead of two buckets per load balancer.
   *
   * Network Load Balancers log TLS listeners only, so a `NetworkProtocol.TLS` service turns them on itself and TCP and
   * UDP services do not. Call this after adding a TLS listener to `loadBalancer` yourself: synth fails until you do.
   * Calling it again returns the same bucket.
   *
   * @returns the access logs bucket
   */
  public enableAccessLogs(): s3.IBucket {
    if (!this._accessLogsBucket) {
      this._accessLogsBucket = sharedAccessLogsBucket(this, {
        retention: this.resolved.accessLogsRetention, removalPolicy: this.resolved.accessLogsRemovalPolicy,
      });
      logNetworkAccessLogs(this.loadBalancer, this._accessLogsBucket, 'nlb');
    }
    return this._accessLogsBucket;
  }
}

/**
 * The access-log bucket the stack's NetworkServices share: one per stack, retention and removal policy (with its
 * server-access-log bucket), in place of two buckets and two bucket policies per load balancer. A log file's name
 * carries the ID of the load balancer that wrote it (`..._net.<load-balancer-id>_<end-time>_<random>.log.gz`,
 * https://docs.aws.amazon.com/elasticloadbalancing/latest/network/load-balancer-access-logs.html), so load balancers
 * can share a bucket and prefix; the bucket policy admits the log delivery service for this
 * account only, as for a bucket of one load balancer, and the retention is the bucket's lifecycle rule.
 */
function sharedAccessLogsBucket(service: Construct, options: AccessLogsBucketOptions): s3.IBucket {
  const stack = Stack.of(service);
  const days = options.retention.toDays();
  const destroy = options.removalPolicy === RemovalPolicy.DESTROY;
  const id = `FoundryNetworkAccessLogs${days}Days${destroy ? 'Destroy' : ''}`;
  const existing = stack.node.tryFindChild(id);
  if (existing) {
    return existing.node.findChild(ACCESS_LOGS_BUCKET_ID) as s3.IBucket;
  }
  // A bucket pair no 1.0 stack has: server access logs by bucket policy, ACLs disabled (CT.S3.PR.5 met).
  const bucket = createAccessLogsBucket(new Construct(stack, id), { ...options, serverAccessLogsByBucketPolicy: true });
  if (bucket.node.id !== ACCESS_LOGS_BUCKET_ID) {
    throw new Error(`createAccessLogsBucket named its bucket '${bucket.node.id}', not '${ACCESS_LOGS_BUCKET_ID}'.`);
  }
  return bucket;
}

/** The construct ID createAccessLogsBucket gives the log bucket. */
const ACCESS_LOGS_BUCKET_ID = 'AccessLogsBucket';

/** The wait ECS adds to each traffic shift stage behind a Network Load Balancer. */
const NLB_TRAFFIC_SHIFT_DELAY = Duration.minutes(10);

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
  // "Each listener ... port" is unique per load balancer: two listeners on one port fail at deploy time
  // (https://docs.aws.amazon.com/elasticloadbalancing/latest/network/load-balancer-listeners.html). The blue/green test
  // listener takes a port of its own, which a listener added through `loadBalancer` may also take.
  const byPort = new Map<number, string[]>();
  for (const l of listeners) {
    const p = stack.resolve(l.port);
    if (typeof p === 'number') {
      byPort.set(p, [...(byPort.get(p) ?? []), l.node.path]);
    }
  }
  for (const [p, paths] of byPort) {
    if (paths.length > 1) {
      errors.push(invalidPropMessage(scope, 'loadBalancer listeners', `${paths.join(', ')} on port ${p}`,
        'A load balancer listens on a port with one listener: move one of them to a free port (with a progressive deployment, give deployment.strategy a free testListenerPort).'));
    }
  }
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

/**
 * ECS shifts production traffic by rewriting the production listener's default action (a weighted forward over both
 * target groups), and every deployment may leave traffic on the alternate one. CloudFormation still owns the
 * listener's `DefaultActions`: an update of that listener (its port, protocol, certificate or TLS policy) sends the
 * template's action again, which forwards to the primary target group only, empty when the last deployment left
 * traffic on the alternate one (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/nlb-resources-for-blue-green.html;
 * the same happens to the production rule of an ALB: https://github.com/aws/aws-cdk/issues/36649).
 */
function warnListenerChanges(service: NetworkService, kind: string): void {
  Annotations.of(service).addWarningV2('cdk-ecs-foundry:blueGreenListenerChanges',
    `${service.node.path} uses native ${kind}: ECS moves production traffic between the two target groups by rewriting the `
    + 'production listener, and CloudFormation re-applies the listener\'s template action (forward to the primary target group) '
    + 'whenever the listener itself changes: a change of listenerPort, protocol, certificate or TLS policy. After a deployment that '
    + 'left traffic on the alternate target group, the primary one is empty and connections fail. Make such changes only while '
    + "traffic is on the primary target group (check with 'aws elbv2 describe-listeners'; one more deployment moves it back).");
}
