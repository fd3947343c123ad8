import { ArnFormat, Duration, Names, Stack, Token } from 'aws-cdk-lib';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as wafv2 from 'aws-cdk-lib/aws-wafv2';
import { Construct } from 'constructs';
import { ListenerPriorityAllocator, specificityBand } from './listener-priority';
import type { FoundryCluster } from '../cluster/foundry-cluster';
import { acknowledgeInternetFacingListener, acknowledgePlainHttp, acknowledgeRedirectListener } from '../compliance/acknowledgements';
import { createAccessLogsBucket } from '../private/access-logs';
import { checkNumber, invalidProp } from '../private/validation';

/** ALB listener rules allowed per listener by default. */
export const MAX_RULES_PER_LISTENER = 100;

/**
 * Options of an Application Load Balancer, own or shared.
 */
export interface WebLoadBalancerOptions {
  /**
   * Reachable from the internet (in public subnets) or only inside the VPC (private subnets).
   *
   * @default true
   */
  readonly internetFacing?: boolean;

  /**
   * Serve plain HTTP on port 80 instead of HTTPS. An explicit opt-in for development and for traffic that is
   * encrypted elsewhere; production traffic should use a certificate.
   *
   * @default false - HTTPS on 443 with HTTP redirected to HTTPS
   */
  readonly allowHttp?: boolean;

  /**
   * Client IPv4 ranges allowed to reach the listener ports.
   *
   * @default - ['0.0.0.0/0'] when internet-facing, the VPC's range when internal
   */
  readonly allowedCidrs?: string[];

  /**
   * Refuse deletion of the load balancer (delete it only after turning this off). Protects production traffic
   * from an accidental `cdk destroy` or resource replacement.
   *
   * @default true
   */
  readonly deletionProtection?: boolean;

  /**
   * Keep access logs in S3 for this long (an SSE-S3 bucket with versioning, TLS only, no public access).
   *
   * @default Duration.days(90)
   */
  readonly accessLogsRetention?: Duration;

  /**
   * An existing AWS WAF web ACL (ARN) to associate instead of the one the load balancer creates.
   *
   * @default - a new web ACL with the AWS managed Core, Known Bad Inputs and IP Reputation rule groups, logged to an encrypted log group
   */
  readonly webAclArn?: string;

  /**
   * TLS policy of the HTTPS listener.
   *
   * @default elbv2.SslPolicy.RECOMMENDED_TLS (TLS 1.2 and 1.3)
   */
  readonly sslPolicy?: elbv2.SslPolicy;

  /**
   * Listener rules this load balancer may hold. ALB allows 100 rules per load balancer by default; the quota can be
   * raised (Service Quotas: "Rules per Application Load Balancer"). Adding a service beyond it is an error that
   * says to use another load balancer.
   *
   * @default 100
   */
  readonly maxRules?: number;

  /**
   * Idle connection timeout.
   *
   * @default Duration.seconds(60)
   */
  readonly idleTimeout?: Duration;
}

/**
 * Properties of a `WebLoadBalancer`.
 */
export interface WebLoadBalancerProps extends WebLoadBalancerOptions {
  /** The cluster whose VPC hosts the load balancer. */
  readonly cluster: FoundryCluster;

  /**
   * The certificate of the HTTPS listener. Services with their own domain add theirs to the listener.
   *
   * @default - none; required unless `allowHttp`
   */
  readonly certificate?: acm.ICertificate;
}

/** What a service asks of the load balancer. */
export interface WebRoute {
  readonly owner: Construct;
  readonly hostHeaders: string[];
  readonly pathPatterns: string[];
  readonly priority?: number;
  readonly targetGroup: elbv2.IApplicationTargetGroup;
  readonly testHeader?: string;
  readonly alternateTargetGroup?: elbv2.IApplicationTargetGroup;
}

/** The listener rules a route got. */
export interface WebRouteRules {
  readonly production: elbv2.ApplicationListenerRule;
  readonly test?: elbv2.ApplicationListenerRule;
  readonly priority: number;
}

/**
 * A hardened Application Load Balancer that one or many `WebService`s share.
 *
 * - HTTPS on 443 (TLS 1.2+) with HTTP redirected, or plain HTTP by explicit opt-in;
 * - drops invalid header fields, deletion protection on, access logs to an encrypted, versioned bucket;
 * - an AWS WAF web ACL (AWS managed rule groups) with logging, or yours;
 * - a security group that admits clients on the listener ports only; targets admit it on their port only;
 * - listener rules by host header and/or path, with deterministic, collision-free priorities that do not change
 *   when services are added.
 *
 * @example
 * const alb = new WebLoadBalancer(stack, 'Alb', { cluster, certificate });
 */
export class WebLoadBalancer extends Construct {
  /** The load balancer. */
  public readonly loadBalancer: elbv2.ApplicationLoadBalancer;
  /** The listener services attach to (HTTPS, or HTTP with `allowHttp`). */
  public readonly listener: elbv2.ApplicationListener;
  /** The security group of the load balancer. */
  public readonly securityGroup: ec2.SecurityGroup;
  /** The access logs bucket. */
  public readonly accessLogsBucket: s3.IBucket;
  /** The web ACL created for the load balancer, if any. */
  public readonly webAcl?: wafv2.CfnWebACL;
  /** The cluster. */
  public readonly cluster: FoundryCluster;
  /** Whether the listener is plain HTTP. */
  public readonly plainHttp: boolean;
  /** Port of the listener services attach to. */
  public readonly listenerPort: number;

  /** Listener rules this load balancer may hold. */
  public readonly maxRules: number;

  private readonly priorities = new ListenerPriorityAllocator();
  private defaultRouteOwner?: string;

  constructor(scope: Construct, id: string, props: WebLoadBalancerProps) {
    super(scope, id);
    if (!props || !props.cluster) {
      invalidProp(this, 'cluster', props?.cluster, 'Pass the FoundryCluster whose VPC hosts the load balancer.');
    }
    this.cluster = props.cluster;
    const vpc = props.cluster.vpc;
    const internetFacing = props.internetFacing ?? true;
    this.plainHttp = props.allowHttp ?? false;
    validateOptions(this, props);
    this.maxRules = props.maxRules ?? MAX_RULES_PER_LISTENER;
    if (!this.plainHttp && !props.certificate) {
      invalidProp(this, 'certificate', undefined,
        'HTTPS needs an ACM certificate: pass certificate (or, on a WebService, domainName with hostedZone to create one). For plain HTTP set allowHttp: true explicitly.');
    }
    if (internetFacing && vpc.publicSubnets.length === 0) {
      invalidProp(this, 'internetFacing', true, "The cluster's VPC has no public subnets; use internetFacing: false, or a VPC with public subnets.");
    }

    // Outbound stays open: a load balancer only connects to its registered targets, and a closed group would
    // cost one egress rule per service. Each target's own group admits this group on the container port only.
    this.securityGroup = new ec2.SecurityGroup(this, 'SecurityGroup', {
      vpc,
      description: `Load balancer ${this.node.path}: clients on the listener ports only`,
      allowAllOutbound: true,
    });

    this.loadBalancer = new elbv2.ApplicationLoadBalancer(this, 'LoadBalancer', {
      vpc,
      internetFacing,
      vpcSubnets: internetFacing ? { subnetType: ec2.SubnetType.PUBLIC } : { subnets: privateSubnets(vpc) },
      securityGroup: this.securityGroup,
      deletionProtection: props.deletionProtection ?? true,
      dropInvalidHeaderFields: true,
      http2Enabled: true,
      idleTimeout: props.idleTimeout,
      desyncMitigationMode: elbv2.DesyncMitigationMode.DEFENSIVE,
    });
    this.accessLogsBucket = createAccessLogsBucket(this, props.accessLogsRetention ?? Duration.days(90));
    this.loadBalancer.logAccessLogs(this.accessLogsBucket, 'alb');

    const cidrs = props.allowedCidrs ?? (internetFacing ? ['0.0.0.0/0'] : [this.cluster.vpcCidrBlock]);
    const notFound = elbv2.ListenerAction.fixedResponse(404, { contentType: 'text/plain', messageBody: 'No service matches this request.' });
    if (this.plainHttp) {
      this.listenerPort = 80;
      this.listener = this.loadBalancer.addListener('Http', { port: 80, protocol: elbv2.ApplicationProtocol.HTTP, open: false, defaultAction: notFound });
      acknowledgePlainHttp(this.listener, this.loadBalancer);
    } else {
      this.listenerPort = 443;
      this.listener = this.loadBalancer.addListener('Https', {
        port: 443,
        protocol: elbv2.ApplicationProtocol.HTTPS,
        certificates: [props.certificate!],
        sslPolicy: props.sslPolicy ?? elbv2.SslPolicy.RECOMMENDED_TLS,
        open: false,
        defaultAction: notFound,
      });
      const redirect = this.loadBalancer.addRedirect({ sourcePort: 80, targetPort: 443, open: false });
      acknowledgeRedirectListener(redirect);
    }
    for (const cidr of cidrs) {
      this.securityGroup.addIngressRule(ec2.Peer.ipv4(cidr), ec2.Port.tcp(this.listenerPort), `Clients to the ${this.plainHttp ? 'HTTP' : 'HTTPS'} listener`);
      if (!this.plainHttp) {
        this.securityGroup.addIngressRule(ec2.Peer.ipv4(cidr), ec2.Port.tcp(80), 'Clients to the HTTP to HTTPS redirect');
      }
    }
    if (cidrs.includes('0.0.0.0/0')) {
      acknowledgeInternetFacingListener(this.securityGroup);
    }

    if (props.webAclArn === undefined) {
      this.webAcl = this.createWebAcl();
    }
    new wafv2.CfnWebACLAssociation(this, 'WebAclAssociation', {
      resourceArn: this.loadBalancer.loadBalancerArn,
      webAclArn: props.webAclArn ?? this.webAcl!.attrArn,
    });
  }

  /** Number of listener rules in use. */
  public get ruleCount(): number {
    return this.priorities.size;
  }

  /**
   * Add a service's route: a listener rule (and its test rule for blue/green) with a stable priority.
   * @internal
   */
  public _addRoute(route: WebRoute): WebRouteRules {
    const owner = route.owner.node.path;
    const { hostHeaders, pathPatterns } = route;
    const rulesNeeded = route.testHeader ? 2 : 1;
    if (this.priorities.size + rulesNeeded > this.maxRules) {
      invalidProp(route.owner, 'loadBalancer', this.node.path,
        `The listener already has ${this.priorities.size} of its ${this.maxRules} rules (maxRules, the "Rules per Application Load Balancer" quota). Put this service behind another WebLoadBalancer, or raise the quota and maxRules.`);
    }
    if (hostHeaders.length === 0 && pathPatterns.length === 0) {
      if (this.defaultRouteOwner !== undefined) {
        invalidProp(route.owner, 'hostHeaders', [],
          `'${this.defaultRouteOwner}' already takes every request on ${this.node.path}. Give each service sharing a load balancer hostHeaders and/or pathPatterns.`);
      }
      this.defaultRouteOwner = owner;
    }
    const conditions: elbv2.ListenerCondition[] = [];
    if (hostHeaders.length > 0) conditions.push(elbv2.ListenerCondition.hostHeaders(hostHeaders));
    conditions.push(elbv2.ListenerCondition.pathPatterns(pathPatterns.length > 0 ? pathPatterns : ['/*']));

    const identity = JSON.stringify({ h: [...hostHeaders].sort(), p: [...pathPatterns].sort() });
    const band = specificityBand(hostHeaders, pathPatterns);
    let priority: number;
    if (route.priority !== undefined) {
      try {
        this.priorities.reserve(route.priority, owner);
      } catch (e) {
        invalidProp(route.owner, 'priority', route.priority, `On ${this.node.path} ${(e as Error).message}; choose another priority or leave it unset.`);
      }
      priority = route.priority;
    } else {
      priority = this.priorities.allocate(identity, band, owner);
    }
    let test: elbv2.ApplicationListenerRule | undefined;
    if (route.testHeader && route.alternateTargetGroup) {
      // Test traffic (a request with the header) is evaluated first: its priority sits in band 0 of the same identity.
      const testPriority = this.priorities.allocate(`test:${identity}`, 0, `${owner} (test route)`);
      test = new elbv2.ApplicationListenerRule(route.owner, 'TestRule', {
        listener: this.listener,
        priority: testPriority,
        conditions: [...conditions, elbv2.ListenerCondition.httpHeader(route.testHeader, ['*'])],
        action: elbv2.ListenerAction.forward([route.alternateTargetGroup]),
      });
    }
    const production = new elbv2.ApplicationListenerRule(route.owner, 'Rule', {
      listener: this.listener,
      priority,
      conditions,
      action: elbv2.ListenerAction.forward([route.targetGroup]),
    });
    return { production, test, priority };
  }

  private createWebAcl(): wafv2.CfnWebACL {
    const name = Names.uniqueResourceName(this, { maxLength: 100, separator: '-' });
    const managed = (ruleName: string, priority: number): wafv2.CfnWebACL.RuleProperty => ({
      name: ruleName,
      priority,
      statement: { managedRuleGroupStatement: { vendorName: 'AWS', name: ruleName } },
      overrideAction: { none: {} },
      visibilityConfig: { cloudWatchMetricsEnabled: true, metricName: ruleName, sampledRequestsEnabled: true },
    });
    const webAcl = new wafv2.CfnWebACL(this, 'WebAcl', {
      scope: 'REGIONAL',
      defaultAction: { allow: {} },
      visibilityConfig: { cloudWatchMetricsEnabled: true, metricName: name.slice(0, 128), sampledRequestsEnabled: true },
      rules: [
        managed('AWSManagedRulesCommonRuleSet', 0),
        managed('AWSManagedRulesKnownBadInputsRuleSet', 1),
        managed('AWSManagedRulesAmazonIpReputationList', 2),
      ],
    });
    // WAF logs to CloudWatch Logs only into groups named aws-waf-logs-*.
    const logGroup = new logs.LogGroup(this, 'WebAclLogGroup', {
      logGroupName: `aws-waf-logs-${Names.uniqueResourceName(this, { maxLength: 400, separator: '-' })}`,
      encryptionKey: this.cluster.encryptionKey,
      retention: this.cluster.logRetention,
      removalPolicy: this.cluster.removalPolicy,
    });
    new wafv2.CfnLoggingConfiguration(this, 'WebAclLogging', {
      resourceArn: webAcl.attrArn,
      logDestinationConfigs: [Stack.of(this).formatArn({
        service: 'logs', resource: 'log-group', resourceName: logGroup.logGroupName, arnFormat: ArnFormat.COLON_RESOURCE_NAME,
      })],
    });
    return webAcl;
  }
}

function privateSubnets(vpc: ec2.IVpc): ec2.ISubnet[] {
  return vpc.privateSubnets.length > 0 ? vpc.privateSubnets : vpc.isolatedSubnets;
}

function validateOptions(scope: Construct, props: WebLoadBalancerOptions): void {
  for (const cidr of props.allowedCidrs ?? []) {
    if (!Token.isUnresolved(cidr) && !/^(\d{1,3}\.){3}\d{1,3}\/(\d|[12]\d|3[0-2])$/.test(cidr)) {
      invalidProp(scope, 'allowedCidrs', cidr, "Use IPv4 CIDR blocks such as '203.0.113.0/24'.");
    }
  }
  if (props.allowedCidrs !== undefined && props.allowedCidrs.length === 0) {
    invalidProp(scope, 'allowedCidrs', [], 'An empty list lets no client in; leave it unset for the default, or list the client ranges.');
  }
  if (props.accessLogsRetention !== undefined) {
    checkNumber(scope, 'accessLogsRetention (days)', props.accessLogsRetention.toDays(), { min: 1, max: 3650, integer: true });
  }
  checkNumber(scope, 'maxRules', props.maxRules, { min: 1, max: 1000, integer: true });
  if (props.idleTimeout !== undefined) {
    checkNumber(scope, 'idleTimeout (seconds)', props.idleTimeout.toSeconds(), { min: 1, max: 4000, integer: true });
  }
  if (props.webAclArn !== undefined && !Token.isUnresolved(props.webAclArn) && !/^arn:aws[a-z-]*:wafv2:[a-z0-9-]+:\d{12}:regional\/webacl\//.test(props.webAclArn)) {
    invalidProp(scope, 'webAclArn', props.webAclArn, 'Use the ARN of a REGIONAL AWS WAF (v2) web ACL: arn:aws:wafv2:<region>:<account>:regional/webacl/<name>/<id>.');
  }
}
