import { Annotations, Duration, Token } from 'aws-cdk-lib';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as iam from 'aws-cdk-lib/aws-iam';
import { IConstruct } from 'constructs';
import { DeploymentStrategyType } from './deployment-strategy';
import {
  DEREGISTRATION_DELAY, LoadBalancerOptions, resolveLoadBalancerOptions, ResolvedLoadBalancerOptions, ResolvedTargetHealthCheck,
  resolveTargetHealthCheck, TargetHealthCheckOptions,
} from './load-balancer-options';
import { DeploymentOptions, RequestServiceOptions } from './service-options';
import type { ResolvedServiceOptions } from './service-options-validation';
import type { FoundryCluster } from '../cluster/foundry-cluster';
import { checkNumber, invalidProp, isConcrete } from '../private/validation';
import { ScalingOptions } from '../scaling/service-scaling';

/**
 * Transport of a network service's listener.
 */
export enum NetworkProtocol {
  /** TCP passed through to the tasks. */
  TCP = 'TCP',
  /** TLS terminated at the load balancer with an ACM certificate, and TCP to the tasks. */
  TLS = 'TLS',
  /** UDP passed through to the tasks: `port` is a UDP container port, health checks use TCP on `targetHealthCheck.port`. */
  UDP = 'UDP',
}

/**
 * A VPC endpoint service (AWS PrivateLink) in front of the network load balancer.
 */
export interface PrivateLinkOptions {
  /**
   * Principals (accounts, IAM roles, IAM users) allowed to create endpoints to the service.
   *
   * For example `new iam.ArnPrincipal('arn:aws:iam::210987654321:root')`; `'*'` lets every AWS account connect.
   * Consumers are admitted by these principals and by acceptance, not by address: the load balancer's security
   * group does not filter PrivateLink traffic (see `LoadBalancerOptions.allowedCidrs`).
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
 * Options of a `NetworkService`'s Network Load Balancer.
 *
 * They are the options every load balancer of the library takes (`LoadBalancerOptions`), with the defaults of a
 * network load balancer: internal unless `internetFacing`.
 */
export interface NetworkLoadBalancerOptions extends LoadBalancerOptions {
}

/**
 * Properties of a `NetworkService`.
 */
export interface NetworkServiceProps extends RequestServiceOptions {
  /** The cluster. */
  readonly cluster: FoundryCluster;

  /**
   * How the service rolls out new versions.
   *
   * @default - rolling, circuit breaker with rollback, 100 % minimum healthy, 200 % maximum
   */
  readonly deployment?: DeploymentOptions;

  /**
   * Auto scaling of the task count.
   *
   * @default - no auto scaling: `desiredCount` tasks
   */
  readonly scaling?: ScalingOptions;

  /**
   * Listener protocol.
   *
   * @default NetworkProtocol.TCP
   */
  readonly protocol?: NetworkProtocol;

  /**
   * Listener port (1-65535).
   *
   * @default - the container port (443 for TLS)
   */
  readonly listenerPort?: number;

  /**
   * Certificate of a TLS listener.
   *
   * @default - none, which only a TCP or UDP listener accepts
   */
  readonly certificate?: acm.ICertificate;

  /**
   * Options of the service's Network Load Balancer.
   *
   * @default - internal, clients from the VPC's range, deletion protection unless the cluster's `removalPolicy` is `DESTROY`, access logs kept 90 days (TLS only)
   */
  readonly loadBalancerOptions?: NetworkLoadBalancerOptions;

  /**
   * Health check of the target group, over TCP.
   *
   * A UDP service needs `port`: Network Load Balancers check UDP targets over TCP.
   *
   * @default - TCP on the container port every 10 s, healthy after 2 successes, unhealthy after 3 failures
   */
  readonly targetHealthCheck?: TargetHealthCheckOptions;

  /**
   * Offer the service to other VPCs and accounts through AWS PrivateLink.
   *
   * @default - no endpoint service
   */
  readonly privateLink?: PrivateLinkOptions;

  /**
   * Time a stopping task keeps its connections (whole seconds, 0-3600).
   *
   * @default Duration.seconds(30)
   */
  readonly deregistrationDelay?: Duration;
}

/** A `NetworkService`'s own props, validated, with every default applied (the base resolves the service options). @internal */
export interface ResolvedNetworkService extends ResolvedLoadBalancerOptions {
  readonly protocol: NetworkProtocol;
  readonly containerPort: number;
  readonly listenerPort: number;
  readonly certificate?: acm.ICertificate;
  /** The health check; its port is the container port unless given. */
  readonly targetHealthCheck: ResolvedTargetHealthCheck & { readonly port: number };
  readonly deregistrationDelay: Duration;
  readonly privateLink?: { readonly allowedPrincipals: iam.ArnPrincipal[]; readonly acceptanceRequired: boolean };
  /** Blue/green, canary and linear: the test listener's port and the strategy's name for messages; undefined when rolling. */
  readonly trafficShift?: { readonly testListenerPort: number; readonly kind: string };
}

/**
 * The props the service's task definition gets: a UDP service's `port` is a UDP container port (a task definition
 * takes `port` as TCP), listed first unless `ports` already has it.
 * @internal
 */
export function networkWorkloadProps(props: NetworkServiceProps): NetworkServiceProps {
  if (props?.protocol !== NetworkProtocol.UDP || props.port === undefined) {
    return props;
  }
  const others = (props.ports ?? []).filter(p => !(p.port === props.port && p.protocol === ecs.Protocol.UDP));
  return { ...props, port: undefined as unknown as number, ports: [{ port: props.port, protocol: ecs.Protocol.UDP }, ...others] };
}

/**
 * Validate a `NetworkService`'s props and apply their defaults.
 * @internal
 */
export function resolveNetworkServiceProps(scope: IConstruct, props: NetworkServiceProps, service: ResolvedServiceOptions): ResolvedNetworkService {
  const protocol = props.protocol ?? NetworkProtocol.TCP;
  const port = props.port ?? props.ports?.[0]?.port;
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
  const hc = props.targetHealthCheck ?? {};
  if (protocol === NetworkProtocol.UDP && hc.port === undefined) {
    invalidProp(scope, 'targetHealthCheck.port', undefined, 'UDP targets are health-checked over TCP: give the TCP port the container answers health checks on.');
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
  // Listener ports: 1-65535; deregistration delay: 0-3600 seconds
  // (https://docs.aws.amazon.com/elasticloadbalancing/latest/network/load-balancer-listeners.html,
  // https://docs.aws.amazon.com/elasticloadbalancing/latest/network/edit-target-group-attributes.html).
  checkNumber(scope, 'listenerPort', props.listenerPort, { min: 1, max: 65_535, integer: true });
  const healthCheck = resolveTargetHealthCheck(scope, hc);
  const listenerPort = props.listenerPort ?? (protocol === NetworkProtocol.TLS ? 443 : port!);
  const trafficShift = resolveTestListener(scope, service, listenerPort);
  const lb = resolveLoadBalancerOptions(scope, props.loadBalancerOptions ?? {}, {
    internetFacingByDefault: false,
    vpc: props.cluster.vpc,
    vpcCidrBlock: props.cluster.vpcCidrBlock,
    removalPolicy: props.cluster.removalPolicy,
    // Each range is admitted on the listener port, and on the test listener port with a progressive deployment.
    rulesPerCidr: trafficShift ? 2 : 1,
  });
  checkNumber(scope, 'deregistrationDelay (seconds)', props.deregistrationDelay?.toSeconds({ integral: false }), { min: 0, max: 3600, integer: true });

  if (props.privateLink) {
    validatePrivateLink(scope, props.privateLink, lb.internetFacing);
  }
  // Targets per Network Load Balancer: 500 with cross-zone load balancing, adjustable
  // (https://docs.aws.amazon.com/elasticloadbalancing/latest/network/load-balancer-limits.html). Each task is an IP
  // target, and a rolling deployment runs up to maxHealthyPercent of the desired tasks. A blue/green, canary or linear
  // deployment starts the whole new revision beside the old one in the alternate target group: twice the tasks
  // (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/blue-green-deployment-how-it-works.html).
  const tasks = service.scaling ? service.scaling.maxTasks : service.desiredCount!;
  const maxPercent = trafficShift ? 200 : service.maxHealthyPercent;
  if (isConcrete(tasks) && isConcrete(maxPercent) && Math.floor(tasks * maxPercent / 100) > NLB_TARGETS) {
    const during = trafficShift ? `both revisions of ${tasks} tasks during a ${trafficShift.kind} deployment` : `${tasks} at ${maxPercent} % during a deployment`;
    Annotations.of(scope).addWarningV2('cdk-ecs-foundry:nlbTargetsQuota',
      `Up to ${Math.floor(tasks * maxPercent / 100)} tasks (${during}) register as targets, above the default quota of ${NLB_TARGETS} targets per Network Load Balancer with cross-zone load balancing; request a quota increase before deploying, or lower ${service.scaling ? 'scaling.maxTasks' : 'desiredCount'}.`);
  }
  return {
    ...lb,
    protocol,
    containerPort: port!,
    listenerPort,
    certificate: props.certificate,
    targetHealthCheck: { ...healthCheck, port: healthCheck.port ?? port! },
    deregistrationDelay: props.deregistrationDelay ?? DEREGISTRATION_DELAY,
    privateLink: props.privateLink ? {
      allowedPrincipals: props.privateLink.allowedPrincipals,
      acceptanceRequired: props.privateLink.acceptanceRequired ?? true,
    } : undefined,
    trafficShift,
  };
}

/**
 * The test listener of a blue/green, canary or linear deployment: a concrete port from 1 to 65535 (listener ports,
 * https://docs.aws.amazon.com/elasticloadbalancing/latest/network/load-balancer-listeners.html), other than the
 * production listener's, on the same protocol. Its default is the listener port + 1.
 */
function resolveTestListener(scope: IConstruct, service: ResolvedServiceOptions, listenerPort: number): ResolvedNetworkService['trafficShift'] {
  const strategy = service.deployment.strategy;
  if (!strategy.trafficShift) {
    return undefined;
  }
  const kind = strategy.type === DeploymentStrategyType.BLUE_GREEN ? 'blue/green' : strategy.type.toLowerCase();
  const prop = 'deployment.strategy.testListenerPort';
  const given = strategy.testListenerPort;
  if (given !== undefined && Token.isUnresolved(given)) {
    invalidProp(scope, prop, given, 'Give a concrete port: it is checked against the production listener and the other listeners of the load balancer at synth.');
  }
  if (given === undefined && (Token.isUnresolved(listenerPort) || listenerPort >= 65_535)) {
    invalidProp(scope, prop, undefined,
      `The default test listener port is the listener port + 1, and the listener port is ${Token.isUnresolved(listenerPort) ? 'a token' : listenerPort}: give testListenerPort (1-65535, not the listener port).`);
  }
  const testListenerPort = given ?? listenerPort + 1;
  checkNumber(scope, prop, testListenerPort, { min: 1, max: 65_535, integer: true });
  if (testListenerPort === listenerPort) {
    invalidProp(scope, prop, testListenerPort,
      `The production listener already listens on ${listenerPort}, and test traffic needs a listener of its own (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/nlb-resources-for-blue-green.html): choose another port.`);
  }
  return { testListenerPort, kind };
}

/** Listeners per Network Load Balancer (not adjustable). */
export const NLB_LISTENERS = 50;
/** Certificates per Network Load Balancer (adjustable). */
export const NLB_CERTIFICATES = 25;
/** Targets per Network Load Balancer with cross-zone load balancing (adjustable). */
const NLB_TARGETS = 500;

function validatePrivateLink(scope: IConstruct, privateLink: PrivateLinkOptions, internetFacing: boolean): void {
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

