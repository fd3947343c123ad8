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
import { acknowledgeDeletionProtection } from './load-balancer-options';
import { stackDashboard } from './stack-dashboard';
import {
  checkCertificateRegion, ResolvedWebLoadBalancerAlarm, resolveWebLoadBalancerProps, WebLoadBalancerProps, WebRoute, WebRouteRules,
} from './web-load-balancer-options';
import { checkRuleQuotas, MAX_TARGET_GROUPS_PER_ALB } from './web-routing';
import type { FoundryCluster } from '../cluster/foundry-cluster';
import { acknowledgeInternetFacingListener, acknowledgePlainHttp, acknowledgeRedirectListener } from '../compliance/acknowledgements';
import { addDashboardAlarms } from '../operations/service-dashboard';
import { createAccessLogsBucket, logApplicationAccessLogs } from '../private/access-logs';
import { securityGroupDescription } from '../private/descriptions';
import { invalidProp } from '../private/validation';

/**
 * A hardened Application Load Balancer that one or many `WebService`s share.
 *
 * - HTTPS on 443 (TLS 1.2+) with HTTP redirected, or plain HTTP by explicit opt-in;
 * - drops invalid header fields, deletion protection (unless the cluster's `removalPolicy` is `DESTROY`), access logs to
 *   an encrypted, versioned bucket;
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
    const resolved = resolveWebLoadBalancerProps(this, props);
    this.cluster = resolved.cluster;
    const vpc = resolved.cluster.vpc;
    const internetFacing = resolved.internetFacing;
    this.plainHttp = resolved.plainHttp;
    this.listenerPort = resolved.listenerPort;
    this.maxRules = resolved.maxRules;
    this.maxCertificates = resolved.maxCertificates;
    this.defaultCertificate = resolved.certificate;

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
      deletionProtection: resolved.deletionProtection,
      dropInvalidHeaderFields: true,
      http2Enabled: true,
      idleTimeout: resolved.idleTimeout,
      desyncMitigationMode: elbv2.DesyncMitigationMode.DEFENSIVE,
    });
    acknowledgeDeletionProtection(this.loadBalancer, resolved);
    this.accessLogsBucket = createAccessLogsBucket(this, {
      retention: resolved.accessLogsRetention, removalPolicy: resolved.accessLogsRemovalPolicy,
    });
    logApplicationAccessLogs(this.loadBalancer, this.accessLogsBucket, 'alb');

    const cidrs = resolved.allowedCidrs;
    const notFound = elbv2.ListenerAction.fixedResponse(404, { contentType: 'text/plain', messageBody: 'No service matches this request.' });
    if (this.plainHttp) {
      this.listener = this.loadBalancer.addListener('Http', { port: 80, protocol: elbv2.ApplicationProtocol.HTTP, open: false, defaultAction: notFound });
      acknowledgePlainHttp(this.listener, this.loadBalancer);
    } else {
      this.listener = this.loadBalancer.addListener('Https', {
        port: 443,
        protocol: elbv2.ApplicationProtocol.HTTPS,
        certificates: [resolved.certificate!],
        sslPolicy: resolved.sslPolicy,
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

    if (resolved.webAclArn === undefined) {
      this.webAcl = this.createWebAcl();
    }
    new wafv2.CfnWebACLAssociation(this, 'WebAclAssociation', {
      resourceArn: this.loadBalancer.loadBalancerArn,
      webAclArn: resolved.webAclArn ?? this.webAcl!.attrArn,
    });

    if (resolved.alarm) {
      this.alarms.push(this.createElb5xxAlarm(resolved.alarm));
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
  private createElb5xxAlarm(options: ResolvedWebLoadBalancerAlarm): cloudwatch.Alarm {
    const count = options.elb5xxCount;
    const minutes = options.evaluationMinutes;
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
