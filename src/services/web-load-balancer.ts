import { ArnFormat, Duration, Names, Stack, Token } from 'aws-cdk-lib';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as cwactions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as wafv2 from 'aws-cdk-lib/aws-wafv2';
import { Construct } from 'constructs';
import { ListenerPriorityAllocator, PlacementError } from './listener-priority';
import { stackDashboard } from './stack-dashboard';
import { checkCertificateRegion, validateWebLoadBalancerOptions } from './web-load-balancer-validation';
import { checkRuleQuotas, MAX_CERTIFICATES_PER_ALB, MAX_RULES_PER_ALB, MAX_TARGET_GROUPS_PER_ALB } from './web-routing';
import type { FoundryCluster } from '../cluster/foundry-cluster';
import { acknowledgeInternetFacingListener, acknowledgePlainHttp, acknowledgeRedirectListener } from '../compliance/acknowledgements';
import { addDashboardAlarms } from '../operations/service-dashboard';
import { createAccessLogsBucket } from '../private/access-logs';
import { securityGroupDescription } from '../private/descriptions';
import { invalidProp } from '../private/validation';

/** ALB listener rules allowed per load balancer by default. */
export const MAX_RULES_PER_LISTENER = MAX_RULES_PER_ALB;

/**
 * Alarms of a load balancer, sent to the cluster's alert topic.
 *
 * The load balancer alarms on the 5xx responses it generates itself (`HTTPCode_ELB_5XX_Count`), which the services'
 * alarms do not see: they read their target groups' `HTTPCode_Target_5XX_Count`. Among them are 503s for a rule
 * that forwards to a target group without registered targets (see the README, 'Blue/green and route changes'),
 * 502s when targets close connections and 504s when they time out.
 */
export interface WebLoadBalancerAlarmOptions {
  /**
   * Alarm at all.
   *
   * @default true
   */
  readonly enabled?: boolean;

  /**
   * Load balancer 5xx responses in one minute that make the minute breaching (a whole number, at least 1).
   *
   * @default 10
   */
  readonly elb5xxCount?: number;

  /**
   * Consecutive breaching minutes before the alarm fires (1-60).
   *
   * @default 3
   */
  readonly evaluationMinutes?: number;
}

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
   * Listener rules this load balancer may hold (1-100). ALB allows 100 rules per load balancer by default, and every
   * rule of a service forwards to a target group of its own, of which ALB holds at most 100 (not adjustable): a
   * lower value keeps room for rules added outside the library. Adding a service beyond it is an error that says to
   * use another load balancer.
   *
   * @default 100
   */
  readonly maxRules?: number;

  /**
   * Certificates the HTTPS listener may hold besides its default one (services with their own domain add theirs).
   * ALB allows 25 by default; raise the quota ("Certificates per Application Load Balancer") before raising this.
   *
   * @default 25
   */
  readonly maxCertificates?: number;

  /**
   * Idle connection timeout.
   *
   * @default Duration.seconds(60)
   */
  readonly idleTimeout?: Duration;

  /**
   * Alarm on the 5xx responses the load balancer generates itself (not its targets), sent to the cluster's alert topic.
   *
   * @default - an alarm when the load balancer returns 10 or more 5xx responses a minute for 3 minutes in a row
   */
  readonly alarms?: WebLoadBalancerAlarmOptions;
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
  /** Certificates the listener may hold besides its default one. */
  public readonly maxCertificates: number;
  /** The load balancer's alarms (empty when turned off). */
  public readonly alarms: cloudwatch.IAlarm[] = [];

  private readonly priorities = new ListenerPriorityAllocator();
  private readonly defaultCertificate?: acm.ICertificate;
  private readonly certificates: acm.ICertificate[] = [];
  private targetGroups = 0;

  constructor(scope: Construct, id: string, props: WebLoadBalancerProps) {
    super(scope, id);
    if (!props || !props.cluster) {
      invalidProp(this, 'cluster', props?.cluster, 'Pass the FoundryCluster whose VPC hosts the load balancer.');
    }
    this.cluster = props.cluster;
    const vpc = props.cluster.vpc;
    const internetFacing = props.internetFacing ?? true;
    this.plainHttp = props.allowHttp ?? false;
    validateWebLoadBalancerOptions(this, props);
    this.maxRules = props.maxRules ?? MAX_RULES_PER_LISTENER;
    this.maxCertificates = props.maxCertificates ?? MAX_CERTIFICATES_PER_ALB;
    this.defaultCertificate = props.certificate;
    if (this.plainHttp && props.certificate) {
      invalidProp(this, 'certificate', props.certificate,
        'A plain-HTTP listener (allowHttp: true) serves no certificate, so it would be dropped: remove allowHttp for HTTPS, or remove the certificate.');
    }
    if (!this.plainHttp && !props.certificate) {
      invalidProp(this, 'certificate', undefined,
        'HTTPS needs an ACM certificate: pass certificate (or, on a WebService, domainName with hostedZone to create one). For plain HTTP set allowHttp: true explicitly.');
    }
    checkCertificateRegion(this, props.certificate, this);
    if (internetFacing && vpc.publicSubnets.length === 0) {
      invalidProp(this, 'internetFacing', true, "The cluster's VPC has no public subnets; use internetFacing: false, or a VPC with public subnets.");
    }

    // Outbound stays open: a load balancer only connects to its registered targets, and a closed group would
    // cost one egress rule per service. Each target's own group admits this group on the container port only.
    this.securityGroup = new ec2.SecurityGroup(this, 'SecurityGroup', {
      vpc,
      description: securityGroupDescription(`Load balancer ${this.node.path}: clients on the listener ports only`),
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

    if (props.alarms?.enabled ?? true) {
      this.alarms.push(this.createElb5xxAlarm(props.alarms ?? {}));
      addDashboardAlarms(stackDashboard(this, this.cluster), this.alarms);
    }
  }

  /** Number of listener rules in use. */
  public get ruleCount(): number {
    return this.priorities.size;
  }

  /** Number of target groups the routes forward to. */
  public get targetGroupCount(): number {
    return this.targetGroups;
  }

  /**
   * Count a service's certificate against the listener's quota; false when the listener already serves it.
   * @internal
   */
  public _addCertificate(owner: Construct, certificate: acm.ICertificate): boolean {
    if (certificate === this.defaultCertificate || this.certificates.includes(certificate)) return false;
    checkCertificateRegion(owner, certificate, this);
    const arn = certificate.certificateArn;
    if (!Token.isUnresolved(arn) && [this.defaultCertificate, ...this.certificates].some(c => c?.certificateArn === arn)) return false;
    // "Certificates per Application Load Balancer (excluding default certificates)": 25 by default, adjustable.
    // https://docs.aws.amazon.com/elasticloadbalancing/latest/application/load-balancer-limits.html
    if (this.certificates.length + 1 > this.maxCertificates) {
      invalidProp(owner, 'certificate', arn,
        `The listener of ${this.node.path} already holds ${this.certificates.length} of its ${this.maxCertificates} certificates (maxCertificates, the "Certificates per Application Load Balancer" quota). Put this service behind a second WebLoadBalancer, use one certificate for several names, or raise the quota and maxCertificates.`);
    }
    this.certificates.push(certificate);
    return true;
  }

  /**
   * Add a service's route: a listener rule (and its test rule for blue/green) with a stable priority that puts
   * more specific routes first.
   * @internal
   */
  public _addRoute(route: WebRoute): WebRouteRules {
    const owner = route.owner.node.path;
    const { hostHeaders, pathPatterns } = route;
    const blueGreen = route.testHeader !== undefined && route.alternateTargetGroup !== undefined;
    checkRuleQuotas(route.owner, hostHeaders, pathPatterns, blueGreen);
    const rulesNeeded = blueGreen ? 2 : 1;
    // "Target Groups per Application Load Balancer": 100, not adjustable. A blue/green service uses two.
    // https://docs.aws.amazon.com/elasticloadbalancing/latest/application/load-balancer-limits.html
    if (this.targetGroups + rulesNeeded > MAX_TARGET_GROUPS_PER_ALB) {
      invalidProp(route.owner, 'loadBalancer', this.node.path,
        `Too many services for one load balancer: it already forwards to ${this.targetGroups} target groups and an Application Load Balancer holds at most ${MAX_TARGET_GROUPS_PER_ALB} (not adjustable; a blue/green service uses 2). Put this service behind a second WebLoadBalancer.`);
    }
    if (this.priorities.size + rulesNeeded > this.maxRules) {
      invalidProp(route.owner, 'loadBalancer', this.node.path,
        `The listener already has ${this.priorities.size} of its ${this.maxRules} rules (maxRules, the "Rules per Application Load Balancer" quota). Put this service behind a second WebLoadBalancer.`);
    }
    let placement;
    try {
      placement = this.priorities.place({ hosts: hostHeaders, paths: pathPatterns }, owner, { explicit: route.priority, withTest: blueGreen });
    } catch (e) {
      if (!(e instanceof PlacementError)) throw e;
      if (e.prop === 'priority') {
        invalidProp(route.owner, 'priority', route.priority, `On ${this.node.path} ${e.message}; choose another priority or leave it unset.`);
      }
      invalidProp(route.owner, pathPatterns.length > 0 ? 'pathPatterns' : 'hostHeaders', pathPatterns.length > 0 ? pathPatterns : hostHeaders,
        `On ${this.node.path} ${e.message}. Give each service sharing a load balancer its own hostHeaders and/or pathPatterns, or set an explicit priority.`);
    }
    this.targetGroups += rulesNeeded;
    const conditions: elbv2.ListenerCondition[] = [];
    if (hostHeaders.length > 0) conditions.push(elbv2.ListenerCondition.hostHeaders(hostHeaders));
    conditions.push(elbv2.ListenerCondition.pathPatterns(pathPatterns.length > 0 ? pathPatterns : ['/*']));

    let test: elbv2.ApplicationListenerRule | undefined;
    if (blueGreen) {
      // Test traffic (a request with the header) is evaluated right before the route's production rule.
      test = new elbv2.ApplicationListenerRule(route.owner, 'TestRule', {
        listener: this.listener,
        priority: placement.testPriority!,
        conditions: [...conditions, elbv2.ListenerCondition.httpHeader(route.testHeader!, ['*'])],
        action: elbv2.ListenerAction.forward([route.alternateTargetGroup!]),
      });
    }
    const production = new elbv2.ApplicationListenerRule(route.owner, 'Rule', {
      listener: this.listener,
      priority: placement.priority,
      conditions,
      action: elbv2.ListenerAction.forward([route.targetGroup]),
    });
    return { production, test, priority: placement.priority };
  }

  /**
   * 5xx responses the load balancer generates itself: `HTTPCode_ELB_5XX_Count` ("The number of HTTP 5XX server error
   * codes that originate from the load balancer. This count does not include any response codes generated by the
   * targets"; dimensions LoadBalancer, or AvailabilityZone and LoadBalancer; reported only when nonzero, hence
   * notBreaching). https://docs.aws.amazon.com/elasticloadbalancing/latest/application/load-balancer-cloudwatch-metrics.html
   */
  private createElb5xxAlarm(options: WebLoadBalancerAlarmOptions): cloudwatch.Alarm {
    const count = options.elb5xxCount ?? 10;
    const minutes = options.evaluationMinutes ?? 3;
    const alarm = new cloudwatch.Alarm(this, 'Elb5xxAlarm', {
      alarmDescription: `${this.node.path}: the load balancer itself returned ${count} or more 5xx responses a minute (for ${minutes} minutes), `
        + 'e.g. 503 for a rule forwarding to a target group without registered targets (README: Blue/green and route changes), 502 or 504 from targets',
      metric: this.loadBalancer.metrics.httpCodeElb(elbv2.HttpCodeElb.ELB_5XX_COUNT, { period: Duration.minutes(1), statistic: 'Sum' }),
      threshold: count,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods: minutes,
      datapointsToAlarm: minutes,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    const action = new cwactions.SnsAction(this.cluster.alertTopic);
    alarm.addAlarmAction(action);
    alarm.addOkAction(action);
    return alarm;
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
    // WAF logs to CloudWatch Logs only into groups named aws-waf-logs-* (a LogGroup without a name cannot have the
    // prefix). https://docs.aws.amazon.com/waf/latest/APIReference/API_LoggingConfiguration.html
    // The name ends with the web ACL's ID, which AWS generates: a new web ACL (a new stack, or the load balancer
    // removed and added again) logs into a new group instead of failing on the retained one ("already exists").
    const logGroup = new logs.LogGroup(this, 'WebAclLogGroup', {
      logGroupName: `aws-waf-logs-${Names.uniqueResourceName(this, { maxLength: 400, separator: '-' })}-${webAcl.attrId}`,
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
