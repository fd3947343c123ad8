import { Annotations, Duration } from 'aws-cdk-lib';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as route53 from 'aws-cdk-lib/aws-route53';
import * as route53targets from 'aws-cdk-lib/aws-route53-targets';
import { Construct } from 'constructs';
import { DeploymentStrategyType } from './deployment-strategy';
import { modelDeploymentTime } from './deployment-time';
import { RequestServiceBase } from './service-base';
import { ServiceFrontEnd } from './service-options';
import { WebLoadBalancer } from './web-load-balancer';
import { WebRouteRules } from './web-load-balancer-options';
import { resolveWebServiceProps, WebServiceProps } from './web-service-options';
import { acknowledgeBlueGreenRole } from '../compliance/acknowledgements';
import { securityGroupDescription } from '../private/descriptions';
import { ManagedPolicyRole } from '../private/managed-policy-role';

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
export class WebService extends RequestServiceBase {
  /** The load balancer (own or shared). */
  public readonly loadBalancer: WebLoadBalancer;
  /** The target group of the tasks. */
  public readonly targetGroup: elbv2.ApplicationTargetGroup;
  /** The second target group of blue/green, canary and linear deployments. */
  public readonly alternateTargetGroup?: elbv2.ApplicationTargetGroup;
  /** The listener rule routing to the service. */
  public readonly listenerRule: elbv2.ApplicationListenerRule;
  /** Priority of the listener rule. */
  public readonly priority: number;
  /** The certificate, when the service has one. */
  public readonly certificate?: acm.ICertificate;
  /** Time to replace one task in a rolling deployment, modeled as health check interval × healthy threshold + deregistration delay. */
  public readonly modeledReplacementTime: Duration;
  /**
   * Time to deploy a new revision with the service's strategy, modeled from its options.
   *
   * Health check interval × healthy threshold for new tasks, then per strategy: rolling batches, or test traffic,
   * canary bake or linear steps, bake time; and the deregistration delay. Task start-up and lifecycle hooks add to it.
   */
  public readonly modeledDeploymentTime: Duration;

  constructor(scope: Construct, id: string, props: WebServiceProps) {
    super(scope, id, { ...props, frontEnd: ServiceFrontEnd.APPLICATION_LOAD_BALANCER });
    const resolved = resolveWebServiceProps(this, props);
    const containerPort = resolved.containerPort;
    const plainHttp = resolved.plainHttp;
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

    const hc = resolved.targetHealthCheck;
    const deregistrationDelay = resolved.deregistrationDelay;
    this.modeledReplacementTime = Duration.seconds(hc.interval.toSeconds() * hc.healthyThreshold + deregistrationDelay.toSeconds());
    this.modeledDeploymentTime = modelDeploymentTime(this._options.deployment.strategy, {
      healthCheckInterval: hc.interval,
      healthyThreshold: hc.healthyThreshold,
      deregistrationDelay,
      minHealthyPercent: this._options.minHealthyPercent,
      maxHealthyPercent: this._options.maxHealthyPercent,
    }).total;
    const targetGroupProps: elbv2.ApplicationTargetGroupProps = {
      vpc: this.cluster.vpc,
      port: containerPort,
      protocol: elbv2.ApplicationProtocol.HTTP,
      targetType: elbv2.TargetType.IP,
      deregistrationDelay,
      healthCheck: {
        path: hc.path,
        port: hc.port === undefined ? undefined : String(hc.port),
        interval: hc.interval,
        timeout: hc.timeout,
        healthyThresholdCount: hc.healthyThreshold,
        unhealthyThresholdCount: hc.unhealthyThreshold,
        healthyHttpCodes: hc.healthyHttpCodes,
      },
    };
    this.targetGroup = new elbv2.ApplicationTargetGroup(this, 'TargetGroup', targetGroupProps);
    // Blue/green, canary and linear all shift traffic between two target groups with a test rule
    // (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/alb-resources-for-blue-green.html).
    const strategy = this._options.deployment.strategy;
    const blueGreen = strategy.trafficShift ? strategy : undefined;
    if (blueGreen) {
      this.alternateTargetGroup = new elbv2.ApplicationTargetGroup(this, 'AlternateTargetGroup', targetGroupProps);
    }

    const rules = this.loadBalancer._addRoute({
      owner: this,
      hostHeaders: resolved.hostHeaders,
      pathPatterns: resolved.pathPatterns,
      priority: props.priority,
      targetGroup: this.targetGroup,
      testHeader: blueGreen?.testHeader,
      alternateTargetGroup: this.alternateTargetGroup,
    });
    this.listenerRule = rules.production;
    this.priority = rules.priority;
    if (blueGreen) {
      warnBlueGreenRouteChanges(this, blueGreen.type === DeploymentStrategyType.BLUE_GREEN ? 'blue/green' : blueGreen.type.toLowerCase());
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
    if (hc.port !== undefined && hc.port !== containerPort) {
      this.workload.securityGroup.addIngressRule(ec2.Peer.securityGroupId(this.loadBalancer.securityGroup.securityGroupId),
        ec2.Port.tcp(hc.port), securityGroupDescription(`Health checks from the load balancer ${this.loadBalancer.node.path}`));
    }
    if (props.domainName && props.hostedZone) {
      new route53.ARecord(this, 'AliasRecord', {
        zone: props.hostedZone,
        recordName: props.domainName,
        target: route53.RecordTarget.fromAlias(new route53targets.LoadBalancerTarget(this.loadBalancer.loadBalancer)),
      });
    }
    // Blue/green moves production traffic to the alternate target group every other deployment: scaling and alarms
    // watch both.
    this._enableScaling(this.targetGroup, this.alternateTargetGroup);
    this._enableOperations({
      targetGroup: this.targetGroup,
      alternateTargetGroup: this.alternateTargetGroup,
      loadBalancerFullName: this.loadBalancer.loadBalancer.loadBalancerFullName,
    });
  }

  /** The role ECS uses to shift traffic between the target groups (scoped to this service's rules). */
  private blueGreenRole(rules: WebRouteRules): iam.IRole {
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
    // The service references only the role's ARN: without this, ECS could shift traffic before the role's policy
    // exists, and a delete could remove the policy while the service still uses it.
    this.ecsService.node.addDependency(role);
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
function warnBlueGreenRouteChanges(service: WebService, kind: string): void {
  Annotations.of(service).addWarningV2('cdk-ecs-foundry:blueGreenRouteChanges',
    `${service.node.path} uses native ${kind}: ECS moves production traffic between the two target groups by rewriting `
    + 'the production listener rule, and CloudFormation re-applies the rule\'s template action (forward to the primary target '
    + 'group) whenever the rule itself changes: a change of hostHeaders, pathPatterns, domainName, priority, load balancer '
    + 'or target group. After a deployment that left traffic on the alternate target group, the primary one is empty and '
    + 'clients get 503 errors. Make such changes only while traffic is on the primary target group (check the rule with '
    + "'aws elbv2 describe-rules'; one more deployment moves it back); see the README, 'Blue/green and route changes'.");
}
