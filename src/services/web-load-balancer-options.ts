import { Duration, Stack, Token } from 'aws-cdk-lib';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import { RegionInfo } from 'aws-cdk-lib/region-info';
import { Construct, IConstruct } from 'constructs';
import { LoadBalancerOptions, resolveLoadBalancerOptions, ResolvedLoadBalancerOptions } from './load-balancer-options';
import { MAX_CERTIFICATES_PER_ALB, MAX_RULES_PER_ALB, MAX_TARGET_GROUPS_PER_ALB } from './web-routing';
import type { FoundryCluster } from '../cluster/foundry-cluster';
import { evaluationPeriodMinutes } from '../operations/service-alarms';
import { checkNumber, invalidProp } from '../private/validation';

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
   * How long a condition must hold before the alarm goes off, in whole minutes from 1 to 60.
   *
   * @default Duration.minutes(3)
   */
  readonly evaluationPeriod?: Duration;
}

/**
 * Options of an Application Load Balancer, own or shared.
 */
export interface WebLoadBalancerOptions extends LoadBalancerOptions {
  /**
   * Serve plain HTTP on port 80 instead of HTTPS.
   *
   * An explicit opt-in for development and for traffic that is encrypted elsewhere: production traffic should use
   * a certificate.
   *
   * @default false - HTTPS on 443 with HTTP redirected to HTTPS
   */
  readonly allowHttp?: boolean;

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
   * Listener rules this load balancer may hold (1-100).
   *
   * ALB allows 100 rules per load balancer by default, and every rule of a service forwards to a target group of
   * its own, of which ALB holds at most 100 (not adjustable): a lower value keeps room for rules added outside the
   * library. Adding a service beyond it is an error that says to use another load balancer.
   *
   * @default 100
   */
  readonly maxRules?: number;

  /**
   * Certificates the HTTPS listener may hold besides its default one (services with their own domain add theirs).
   *
   * ALB allows 25 by default: raise the quota ("Certificates per Application Load Balancer") before raising this.
   *
   * @default 25
   */
  readonly maxCertificates?: number;

  /**
   * Idle connection timeout (whole seconds, 1-4000).
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
   * The certificate of the HTTPS listener.
   *
   * Services with their own domain add theirs to the listener.
   *
   * @default - none, which only a plain-HTTP load balancer (`allowHttp`) accepts
   */
  readonly certificate?: acm.ICertificate;
}

/** What a service asks of the load balancer. @internal */
export interface WebRoute {
  readonly owner: Construct;
  readonly hostHeaders: string[];
  readonly pathPatterns: string[];
  readonly priority?: number;
  readonly targetGroup: elbv2.IApplicationTargetGroup;
  readonly testHeader?: string;
  readonly alternateTargetGroup?: elbv2.IApplicationTargetGroup;
}

/** The listener rules a route got. @internal */
export interface WebRouteRules {
  readonly production: elbv2.ApplicationListenerRule;
  readonly test?: elbv2.ApplicationListenerRule;
  readonly priority: number;
}

/** The load balancer alarm with its defaults applied. @internal */
export interface ResolvedWebLoadBalancerAlarm {
  readonly elb5xxCount: number;
  readonly evaluationMinutes: number;
}

/** A `WebLoadBalancer`'s props, validated, with every default applied. @internal */
export interface ResolvedWebLoadBalancer extends ResolvedLoadBalancerOptions {
  readonly cluster: FoundryCluster;
  readonly certificate?: acm.ICertificate;
  readonly plainHttp: boolean;
  readonly listenerPort: number;
  readonly webAclArn?: string;
  readonly sslPolicy: elbv2.SslPolicy;
  readonly maxRules: number;
  readonly maxCertificates: number;
  readonly idleTimeout?: Duration;
  /** The 5xx alarm, or undefined when turned off. */
  readonly alarm?: ResolvedWebLoadBalancerAlarm;
}

/** Whether a web load balancer serves plain HTTP (`allowHttp`) unless told. */
export const PLAIN_HTTP_BY_DEFAULT = false;

/**
 * Validate the props of a `WebLoadBalancer` and apply their defaults.
 * @internal
 */
export function resolveWebLoadBalancerProps(scope: IConstruct, props: WebLoadBalancerProps): ResolvedWebLoadBalancer {
  if (!props || !props.cluster) {
    invalidProp(scope, 'cluster', props?.cluster, 'Pass the FoundryCluster whose VPC hosts the load balancer.');
  }
  const plainHttp = props.allowHttp ?? PLAIN_HTTP_BY_DEFAULT;
  const common = resolveLoadBalancerOptions(scope, props, {
    internetFacingByDefault: true,
    vpc: props.cluster.vpc,
    vpcCidrBlock: props.cluster.vpcCidrBlock,
    removalPolicy: props.cluster.removalPolicy,
    // HTTPS admits each range on 443 and on 80 (the redirect): two inbound rules per range.
    rulesPerCidr: plainHttp ? 1 : 2,
  });
  if (plainHttp && props.certificate) {
    invalidProp(scope, 'certificate', props.certificate,
      'A plain-HTTP listener (allowHttp: true) serves no certificate, so it would be dropped: remove allowHttp for HTTPS, or remove the certificate.');
  }
  if (!plainHttp && !props.certificate) {
    invalidProp(scope, 'certificate', undefined,
      'HTTPS needs an ACM certificate: pass certificate (or, on a WebService, domainName with hostedZone to create one). For plain HTTP set allowHttp: true explicitly.');
  }
  checkCertificateRegion(scope, props.certificate, scope);
  // Every rule forwards to a target group of its own: 100 target groups per load balancer (not adjustable) bound the
  // rules too. https://docs.aws.amazon.com/elasticloadbalancing/latest/application/load-balancer-limits.html
  checkNumber(scope, 'maxRules', props.maxRules, { min: 1, max: MAX_TARGET_GROUPS_PER_ALB, integer: true });
  checkNumber(scope, 'maxCertificates', props.maxCertificates, { min: 0, integer: true });
  // Connection idle timeout: 1-4000 seconds.
  // https://docs.aws.amazon.com/elasticloadbalancing/latest/application/edit-load-balancer-attributes.html#connection-idle-timeout
  checkNumber(scope, 'idleTimeout (seconds)', props.idleTimeout?.toSeconds({ integral: false }), { min: 1, max: 4000, integer: true });
  if (props.webAclArn !== undefined && !Token.isUnresolved(props.webAclArn) && !/^arn:aws[a-z-]*:wafv2:[a-z0-9-]+:\d{12}:regional\/webacl\//.test(props.webAclArn)) {
    invalidProp(scope, 'webAclArn', props.webAclArn, 'Use the ARN of a REGIONAL AWS WAF (v2) web ACL: arn:aws:wafv2:<region>:<account>:regional/webacl/<name>/<id>.');
  }
  const alarms = props.alarms ?? {};
  checkNumber(scope, 'alarms.elb5xxCount', alarms.elb5xxCount, { min: 1, integer: true });
  const evaluationMinutes = evaluationPeriodMinutes(scope, 'alarms.evaluationPeriod', alarms.evaluationPeriod);
  return {
    ...common,
    cluster: props.cluster,
    certificate: props.certificate,
    plainHttp,
    listenerPort: plainHttp ? 80 : 443,
    webAclArn: props.webAclArn,
    sslPolicy: props.sslPolicy ?? elbv2.SslPolicy.RECOMMENDED_TLS,
    maxRules: props.maxRules ?? MAX_RULES_PER_ALB,
    maxCertificates: props.maxCertificates ?? MAX_CERTIFICATES_PER_ALB,
    idleTimeout: props.idleTimeout,
    alarm: (alarms.enabled ?? true) ? { elb5xxCount: alarms.elb5xxCount ?? 10, evaluationMinutes } : undefined,
  };
}

/**
 * Reject a certificate whose ARN names another Region (or partition) than the load balancer's stack: ACM certificates
 * are regional, and a load balancer uses only those of its own Region ("To use a certificate with Elastic Load
 * Balancing for the same fully qualified domain name (FQDN) or set of FQDNs in more than one AWS region, you must
 * request or import a certificate for each region ... You cannot copy a certificate between regions.",
 * https://docs.aws.amazon.com/acm/latest/userguide/acm-regions.html). CloudFormation only finds out at deploy time.
 * Unresolved ARNs or Regions are left to CloudFormation.
 *
 * @internal
 */
export function checkCertificateRegion(owner: IConstruct, certificate: acm.ICertificate | undefined, where: IConstruct): void {
  if (!certificate) return;
  const arn = certificate.certificateArn;
  const region = Stack.of(where).region;
  if (Token.isUnresolved(arn) || Token.isUnresolved(region)) return;
  const m = /^arn:([^:]+):acm:([^:]*):/.exec(arn);
  if (!m) return;
  const [, certPartition, certRegion] = m;
  const partition = RegionInfo.get(region).partition;
  if (certRegion !== region || (partition !== undefined && certPartition !== partition)) {
    invalidProp(owner, 'certificate', arn,
      `The certificate is in ${certRegion || 'no Region'} (partition ${certPartition}) and the load balancer in ${region}${partition ? ` (partition ${partition})` : ''}: ACM certificates are regional and a load balancer uses only those of its own Region. Request or import the certificate in ${region} and use that one.`);
  }
}
