import { Annotations, Duration, Token } from 'aws-cdk-lib';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as route53 from 'aws-cdk-lib/aws-route53';
import * as route53targets from 'aws-cdk-lib/aws-route53-targets';
import { Construct } from 'constructs';
import { FoundryServiceBase } from './service-base';
import { RequestServiceOptions, ServiceFrontEnd } from './service-options';
import { WebLoadBalancer, WebLoadBalancerOptions } from './web-load-balancer';
import { checkCertificateRegion } from './web-load-balancer-validation';
import { checkHostPatterns } from './web-routing';
import type { FoundryCluster } from '../cluster/foundry-cluster';
import { acknowledgeBlueGreenRole } from '../compliance/acknowledgements';
import { securityGroupDescription } from '../private/descriptions';
import { ManagedPolicyRole } from '../private/managed-policy-role';
import { checkNumber, invalidProp } from '../private/validation';

/**
 * Target group health check of a web service. The defaults replace a task in about 50 seconds during a
 * rolling deployment: a new task is healthy after 2 checks 10 s apart, an old one drains for 30 s.
 */
export interface WebHealthCheckOptions {
  /**
   * HTTP path the load balancer requests.
   *
   * @default '/'
   */
  readonly path?: string;

  /**
   * Time between checks (5-300 s).
   *
   * @default Duration.seconds(10)
   */
  readonly interval?: Duration;

  /**
   * Time to wait for a response (2-120 s, shorter than the interval).
   *
   * @default Duration.seconds(5)
   */
  readonly timeout?: Duration;

  /**
   * Consecutive successes before a task receives traffic (2-10).
   *
   * @default 2
   */
  readonly healthyThreshold?: number;

  /**
   * Consecutive failures before a task is taken out (2-10).
   *
   * @default 3
   */
  readonly unhealthyThreshold?: number;

  /**
   * HTTP codes that count as healthy.
   *
   * @default '200-399'
   */
  readonly healthyHttpCodes?: string;
}

/**
 * Properties of a `WebService`.
 */
export interface WebServiceProps extends RequestServiceOptions {
  /** The cluster. */
  readonly cluster: FoundryCluster;

  /**
   * A load balancer shared with other services. The service adds a listener rule by `hostHeaders` and/or
   * `pathPatterns`.
   *
   * @default - a load balancer of its own, configured by `loadBalancerOptions`
   */
  readonly loadBalancer?: WebLoadBalancer;

  /**
   * Options of the service's own load balancer (not allowed with `loadBalancer`).
   *
   * @default - internet-facing, HTTPS with redirect, WAF, access logs, deletion protection
   */
  readonly loadBalancerOptions?: WebLoadBalancerOptions;

  /**
   * Certificate for the service's HTTPS traffic.
   *
   * @default - created with DNS validation when `domainName` and `hostedZone` are given
   */
  readonly certificate?: acm.ICertificate;

  /**
   * The service's domain name: with `hostedZone`, a DNS-validated certificate and an alias record are created,
   * and on a shared load balancer requests for this host are routed to the service.
   *
   * @default - no domain
   */
  readonly domainName?: string;

  /**
   * Route 53 hosted zone of `domainName`.
   *
   * @default - none
   */
  readonly hostedZone?: route53.IHostedZone;

  /**
   * Route requests with these Host headers to the service.
   *
   * @default - `domainName` if given; otherwise every host
   */
  readonly hostHeaders?: string[];

  /**
   * Route requests with these paths to the service (e.g. '/api/*').
   *
   * @default - every path
   */
  readonly pathPatterns?: string[];

  /**
   * Fixed listener-rule priority (1-50000).
   *
   * @default - a stable priority derived from the route, more specific routes first
   */
  readonly priority?: number;

  /**
   * Health check of the target group (the load balancer's view; `healthCheck` is the container's own).
   *
   * @default - '/' every 10 s, healthy after 2, unhealthy after 3
   */
  readonly targetHealthCheck?: WebHealthCheckOptions;

  /**
   * Time a stopping task keeps serving in-flight requests.
   *
   * @default Duration.seconds(30)
   */
  readonly deregistrationDelay?: Duration;
}

/**
 * A web service behind an Application Load Balancer (its own or shared), on Fargate, Fargate Spot or EC2.
 *
 * HTTPS with an ACM certificate and HTTP redirected (plain HTTP only with `allowHttp`), WAF, access logs, a
 * target group tuned for fast, safe deployments, security groups that admit clients to the listener ports only
 * and the load balancer to the container port only, plus every service default: circuit breaker, scaling, tags.
 *
 * @example
 * const web = new WebService(stack, 'Web', {
 *   cluster,
 *   image: ecs.ContainerImage.fromRegistry('public.ecr.aws/nginx/nginx:stable'),
 *   port: 8080,
 *   certificate,
 *   scaling: { minTasks: 2, maxTasks: 20, cpuPercent: 60, requestsPerTask: 500 },
 * });
 */
export class WebService extends FoundryServiceBase {
  /** The load balancer (own or shared). */
  public readonly loadBalancer: WebLoadBalancer;
  /** The target group of the tasks. */
  public readonly targetGroup: elbv2.ApplicationTargetGroup;
  /** The second target group of blue/green deployments. */
  public readonly alternateTargetGroup?: elbv2.ApplicationTargetGroup;
  /** The listener rule routing to the service. */
  public readonly listenerRule: elbv2.ApplicationListenerRule;
  /** Priority of the listener rule. */
  public readonly priority: number;
  /** The certificate, when the service has one. */
  public readonly certificate?: acm.ICertificate;
  /** Seconds to replace one task in a rolling deployment: health check interval × healthy threshold + deregistration delay. */
  public readonly modeledReplacementSeconds: number;

  constructor(scope: Construct, id: string, props: WebServiceProps) {
    super(scope, id, { ...props, frontEnd: ServiceFrontEnd.APPLICATION_LOAD_BALANCER });
    const port = props.port ?? props.ports?.[0]?.port;
    validateWebProps(this, props, port);
    const containerPort = port!;

    // Checked here so the error names the service; a shared load balancer's Region is that of its own stack.
    checkCertificateRegion(this, props.certificate, props.loadBalancer ?? this);
    const plainHttp = props.loadBalancer?.plainHttp ?? props.loadBalancerOptions?.allowHttp ?? false;
    if (props.domainName && props.hostedZone && !plainHttp) {
      this.certificate = props.certificate ?? new acm.Certificate(this, 'Certificate', {
        domainName: props.domainName,
        validation: acm.CertificateValidation.fromDns(props.hostedZone),
      });
    } else {
      this.certificate = props.certificate;
    }

    this.loadBalancer = props.loadBalancer ?? new WebLoadBalancer(this, 'LoadBalancer', {
      ...props.loadBalancerOptions,
      cluster: this.cluster,
      certificate: this.certificate,
    });
    if (props.loadBalancer && this.certificate && this.loadBalancer._addCertificate(this, this.certificate)) {
      // Created here, not under the listener: the service may live in another stack than the load balancer.
      new elbv2.ApplicationListenerCertificate(this, 'ListenerCertificate', {
        listener: this.loadBalancer.listener,
        certificates: [elbv2.ListenerCertificate.fromCertificateManager(this.certificate)],
      });
    }

    const hc = props.targetHealthCheck ?? {};
    const interval = hc.interval ?? Duration.seconds(10);
    const healthyThreshold = hc.healthyThreshold ?? 2;
    const deregistrationDelay = props.deregistrationDelay ?? Duration.seconds(30);
    this.modeledReplacementSeconds = interval.toSeconds() * healthyThreshold + deregistrationDelay.toSeconds();
    const targetGroupProps: elbv2.ApplicationTargetGroupProps = {
      vpc: this.cluster.vpc,
      port: containerPort,
      protocol: elbv2.ApplicationProtocol.HTTP,
      targetType: elbv2.TargetType.IP,
      deregistrationDelay,
      healthCheck: {
        path: hc.path ?? '/',
        interval,
        timeout: hc.timeout ?? Duration.seconds(5),
        healthyThresholdCount: healthyThreshold,
        unhealthyThresholdCount: hc.unhealthyThreshold ?? 3,
        healthyHttpCodes: hc.healthyHttpCodes ?? '200-399',
      },
    };
    this.targetGroup = new elbv2.ApplicationTargetGroup(this, 'TargetGroup', targetGroupProps);
    const blueGreen = props.deployment?.blueGreen;
    if (blueGreen) {
      this.alternateTargetGroup = new elbv2.ApplicationTargetGroup(this, 'AlternateTargetGroup', targetGroupProps);
    }

    const hostHeaders = props.hostHeaders ?? (props.domainName ? [props.domainName] : []);
    const rules = this.loadBalancer._addRoute({
      owner: this,
      hostHeaders,
      pathPatterns: props.pathPatterns ?? [],
      priority: props.priority,
      targetGroup: this.targetGroup,
      testHeader: blueGreen ? (blueGreen.testHeader ?? 'x-foundry-test') : undefined,
      alternateTargetGroup: this.alternateTargetGroup,
    });
    this.listenerRule = rules.production;
    this.priority = rules.priority;
    if (blueGreen) {
      warnBlueGreenRouteChanges(this);
    }

    const mainContainer = this.workload.mainContainer.containerName;
    const target = this.ecsService.loadBalancerTarget({
      containerName: mainContainer,
      containerPort,
      alternateTarget: blueGreen ? new ecs.AlternateTarget('BlueGreen', {
        alternateTargetGroup: this.alternateTargetGroup!,
        productionListener: ecs.ListenerRuleConfiguration.applicationListenerRule(rules.production),
        testListener: ecs.ListenerRuleConfiguration.applicationListenerRule(rules.test!),
        role: this.blueGreenRole(rules),
      }) : undefined,
    });
    // Register the tasks without aws-cdk-lib's automatic security-group rule (a separate AWS::EC2::SecurityGroupIngress
    // per service); the same rule — the load balancer's group, on the container port only — is written inline in the
    // task security group instead: one resource less per service, 500 resources per stack being the limit.
    const withoutRules = Object.create(this.targetGroup, { registerConnectable: { value: () => undefined } }) as elbv2.IApplicationTargetGroup;
    this.targetGroup.addTarget({ attachToApplicationTargetGroup: () => target.attachToApplicationTargetGroup(withoutRules) });
    this.workload.securityGroup.addIngressRule(ec2.Peer.securityGroupId(this.loadBalancer.securityGroup.securityGroupId),
      ec2.Port.tcp(containerPort), securityGroupDescription(`From the load balancer ${this.loadBalancer.node.path}`));
    if (props.domainName && props.hostedZone) {
      new route53.ARecord(this, 'AliasRecord', {
        zone: props.hostedZone,
        recordName: props.domainName,
        target: route53.RecordTarget.fromAlias(new route53targets.LoadBalancerTarget(this.loadBalancer.loadBalancer)),
      });
    }
    // Blue/green moves production traffic to the alternate target group every other deployment: scaling and alarms
    // watch both.
    this.enableScaling(props.scaling, this.targetGroup, this.alternateTargetGroup);
    this._enableOperations({ targetGroup: this.targetGroup, alternateTargetGroup: this.alternateTargetGroup });
  }

  /** The role ECS uses to shift traffic between the target groups (scoped to this service's rules). */
  private blueGreenRole(rules: { production: elbv2.ApplicationListenerRule; test?: elbv2.ApplicationListenerRule }): iam.IRole {
    const role = new ManagedPolicyRole(this, 'BlueGreenRole', {
      assumedBy: new iam.ServicePrincipal('ecs.amazonaws.com'),
      description: `Lets ECS shift traffic of ${this.node.path} between its target groups`,
    });
    role.addToPrincipalPolicy(new iam.PolicyStatement({
      sid: 'ShiftTraffic',
      actions: ['elasticloadbalancing:ModifyRule', 'elasticloadbalancing:ModifyListener'],
      resources: [rules.production.listenerRuleArn, rules.test!.listenerRuleArn, this.loadBalancer.listener.listenerArn],
    }));
    role.addToPrincipalPolicy(new iam.PolicyStatement({
      sid: 'RegisterTargets',
      actions: ['elasticloadbalancing:RegisterTargets', 'elasticloadbalancing:DeregisterTargets'],
      resources: [this.targetGroup.targetGroupArn, this.alternateTargetGroup!.targetGroupArn],
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
}

/**
 * Native blue/green shifts production traffic by rewriting the production listener rule's actions (a weighted forward
 * over both target groups), and every deployment moves it to the other group. CloudFormation still owns the rule's
 * `Actions`: any later update of that rule (its conditions, priority, target group or listener) sends the template's
 * actions again, which forward to the primary target group only — empty when the last deployment left traffic on the
 * alternate one: 503s until the next deployment or a manual fix.
 * https://docs.aws.amazon.com/AmazonECS/latest/developerguide/alb-resources-for-blue-green.html (primary and alternate
 * target groups, production and test rules); https://github.com/aws/aws-cdk/issues/36649 (a stack update resets the
 * rule ECS rewrote); https://github.com/go-to-k/cdk-real-drift/issues/1730 (observed live: the rule becomes a
 * weighted forward, alternate 100 / primary 0, and swings on every deployment);
 * https://github.com/aws/containers-roadmap/issues/2853 (ECS does not check the live weights before shifting).
 * A weighted forward in the template would not help: CloudFormation re-applies its weights just the same, and changing
 * the action's form would itself update every existing blue/green rule once.
 */
function warnBlueGreenRouteChanges(service: WebService): void {
  Annotations.of(service).addWarningV2('cdk-ecs-foundry:blueGreenRouteChanges',
    `${service.node.path} uses native blue/green: ECS moves production traffic between the two target groups by rewriting `
    + 'the production listener rule, and CloudFormation re-applies the rule\'s template action (forward to the primary target '
    + 'group) whenever the rule itself changes: a change of hostHeaders, pathPatterns, domainName, priority, load balancer '
    + 'or target group. After a deployment that left traffic on the alternate target group, the primary one is empty and '
    + 'clients get 503 errors. Make such changes only while traffic is on the primary target group (check the rule with '
    + "'aws elbv2 describe-rules'; one more deployment moves it back); see the README, 'Blue/green and route changes'.");
}

function validateWebProps(scope: Construct, props: WebServiceProps, port: number | undefined): void {
  if (port === undefined) {
    invalidProp(scope, 'port', undefined, 'A web service needs the port its main container listens on, e.g. port: 8080.');
  }
  if (props.loadBalancer && props.loadBalancerOptions) {
    invalidProp(scope, 'loadBalancerOptions', props.loadBalancerOptions,
      'Options of a shared load balancer are set where it is created (new WebLoadBalancer(...)); pass either loadBalancer or loadBalancerOptions.');
  }
  if ((props.domainName === undefined) !== (props.hostedZone === undefined) && !(props.domainName && props.certificate)) {
    invalidProp(scope, props.domainName ? 'hostedZone' : 'domainName', props.domainName ?? props.hostedZone?.zoneName,
      'domainName and hostedZone go together: the certificate is validated and the alias record created in that zone.');
  }
  if (props.domainName && !Token.isUnresolved(props.domainName)
    && !/^(?=.{1,253}$)(\*\.)?([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/.test(props.domainName)) {
    invalidProp(scope, 'domainName', props.domainName, "Use a lower-case DNS name such as 'api.example.com'.");
  }
  if (props.domainName && props.hostedZone && !Token.isUnresolved(props.hostedZone.zoneName) && !Token.isUnresolved(props.domainName)
    && !(props.domainName === props.hostedZone.zoneName || props.domainName.endsWith(`.${props.hostedZone.zoneName}`))) {
    invalidProp(scope, 'domainName', props.domainName, `The name is not in the hosted zone '${props.hostedZone.zoneName}'; use a name in that zone or the zone of the name.`);
  }
  const lbPlainHttp = props.loadBalancer?.plainHttp ?? props.loadBalancerOptions?.allowHttp ?? false;
  if (lbPlainHttp && props.certificate) {
    invalidProp(scope, 'certificate', props.certificate,
      'The load balancer serves plain HTTP (allowHttp), so the certificate would be dropped: use an HTTPS load balancer, or remove the certificate.');
  }
  if (!lbPlainHttp && !props.loadBalancer && !props.certificate && !(props.domainName && props.hostedZone)) {
    invalidProp(scope, 'certificate', undefined,
      'HTTPS needs a certificate: pass certificate, or domainName with hostedZone to create one. For plain HTTP set loadBalancerOptions: { allowHttp: true } explicitly.');
  }
  for (const path of props.pathPatterns ?? []) {
    if (!/^\/[A-Za-z0-9_\-.$/~"'@:+*?&=%]{0,127}$/.test(path)) {
      invalidProp(scope, 'pathPatterns', path, "Use paths starting with '/', up to 128 characters, with '*' and '?' wildcards, e.g. '/api/*'.");
    }
  }
  // Per-rule quotas (values per condition, match evaluations and wildcards per rule) are checked where the rule is
  // made (WebLoadBalancer), counting the implicit '/*' path and the blue/green test header.
  checkHostPatterns(scope, props.hostHeaders ?? []);
  checkNumber(scope, 'priority', props.priority, { min: 1, max: 50_000, integer: true });
  const hc = props.targetHealthCheck ?? {};
  const interval = hc.interval?.toSeconds({ integral: false }) ?? 10;
  checkNumber(scope, 'targetHealthCheck.interval (seconds)', hc.interval?.toSeconds({ integral: false }), { min: 5, max: 300, integer: true });
  checkNumber(scope, 'targetHealthCheck.timeout (seconds)', hc.timeout?.toSeconds({ integral: false }), { min: 2, max: 120, integer: true });
  if ((hc.timeout?.toSeconds() ?? 5) >= interval) {
    invalidProp(scope, 'targetHealthCheck.timeout', `${hc.timeout?.toSeconds() ?? 5} s`, `The timeout must be shorter than the interval (${interval} s).`);
  }
  checkNumber(scope, 'targetHealthCheck.healthyThreshold', hc.healthyThreshold, { min: 2, max: 10, integer: true });
  checkNumber(scope, 'targetHealthCheck.unhealthyThreshold', hc.unhealthyThreshold, { min: 2, max: 10, integer: true });
  if (hc.path !== undefined && !hc.path.startsWith('/')) {
    invalidProp(scope, 'targetHealthCheck.path', hc.path, "Use an absolute path such as '/health'.");
  }
  if (hc.healthyHttpCodes !== undefined && !/^\d{3}(-\d{3})?(,\d{3}(-\d{3})?)*$/.test(hc.healthyHttpCodes)) {
    invalidProp(scope, 'targetHealthCheck.healthyHttpCodes', hc.healthyHttpCodes, "Use codes and ranges such as '200' or '200-299,302'.");
  }
  checkNumber(scope, 'deregistrationDelay (seconds)', props.deregistrationDelay?.toSeconds({ integral: false }), { min: 0, max: 3600, integer: true });
}
