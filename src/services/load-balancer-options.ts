import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import { IConstruct } from 'constructs';
import { acknowledgeDisposableLoadBalancer } from '../compliance/acknowledgements';
import { checkNumber, invalidProp, validateAllowedCidrs } from '../private/validation';

/**
 * Options every load balancer of the library takes, an Application Load Balancer (`WebLoadBalancerOptions`) or a
 * Network Load Balancer (`NetworkLoadBalancerOptions`).
 */
export interface LoadBalancerOptions {
  /**
   * Reachable from the internet (in public subnets) or only inside the VPC (in private subnets).
   *
   * Web traffic comes from browsers on the internet, so a web load balancer faces the internet unless told
   * otherwise. TCP, TLS and UDP services are most often databases, brokers and internal APIs, so a network load
   * balancer stays inside the VPC unless told otherwise.
   *
   * @default - true for a `WebService` or `WebLoadBalancer`, false for a `NetworkService`
   */
  readonly internetFacing?: boolean;

  /**
   * Client IPv4 ranges allowed to reach the listener ports.
   *
   * With a `NetworkService`'s `privateLink`, traffic through VPC endpoints is not filtered by them: endpoint
   * connections are admitted by `privateLink.allowedPrincipals` and acceptance, and each consumer restricts its
   * own endpoint with the endpoint's security group.
   *
   * @default - ['0.0.0.0/0'] when internet-facing, the VPC's range when internal
   */
  readonly allowedCidrs?: string[];

  /**
   * Refuse deletion of the load balancer until this is turned off.
   *
   * It protects production traffic from an accidental `cdk destroy` or a replacement of the load balancer. A cluster
   * whose `removalPolicy` is `RemovalPolicy.DESTROY` says that its stack is disposable, so its load balancers are
   * not protected unless this says so.
   *
   * @default - true, or false when the cluster's `removalPolicy` is `RemovalPolicy.DESTROY`
   */
  readonly deletionProtection?: boolean;

  /**
   * How long access logs are kept in their S3 bucket (whole days, 1-3650).
   *
   * The bucket is encrypted with SSE-S3, versioned, TLS-only and blocks public access, and follows the cluster's
   * `removalPolicy`. An Application Load Balancer always logs. A Network Load Balancer logs only TLS connections
   * ("Access logs are created only if the load balancer has a TLS listener",
   * https://docs.aws.amazon.com/elasticloadbalancing/latest/network/enable-access-logs.html), so a TCP or UDP
   * `NetworkService` creates no bucket until `enableAccessLogs()` is called.
   *
   * @default Duration.days(90)
   */
  readonly accessLogsRetention?: Duration;
}

/**
 * Health check of a load balancer's target group: how the load balancer decides that a task may receive traffic.
 *
 * The defaults replace a task in about 50 seconds during a rolling deployment: a new task is healthy after 2
 * checks 10 s apart, an old one drains for 30 s. A web service checks over HTTP, a network service over TCP.
 */
export interface TargetHealthCheckOptions {
  /**
   * Port the load balancer checks the tasks on (1-65535).
   *
   * The tasks' security group admits the load balancer on it. A UDP `NetworkService` needs it: Network Load
   * Balancers check UDP targets over TCP.
   *
   * @default - the container port (for a UDP network service: required)
   */
  readonly port?: number;

  /**
   * Time between checks (whole seconds, 5-300).
   *
   * @default Duration.seconds(10)
   */
  readonly interval?: Duration;

  /**
   * Time to wait for a response (whole seconds, 2-120, shorter than the interval).
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
}

/** The load balancer options with every default applied. @internal */
export interface ResolvedLoadBalancerOptions {
  readonly internetFacing: boolean;
  readonly allowedCidrs: string[];
  readonly deletionProtection: boolean;
  readonly accessLogsRetention: Duration;
  /** Removal policy of the access-log buckets: the cluster's. */
  readonly accessLogsRemovalPolicy: RemovalPolicy;
}

/** The target health check with every default applied. @internal */
export interface ResolvedTargetHealthCheck {
  /** The port, or undefined for the traffic (container) port. */
  readonly port?: number;
  readonly interval: Duration;
  readonly timeout: Duration;
  readonly healthyThreshold: number;
  readonly unhealthyThreshold: number;
}

/** Time a stopping task keeps its connections unless `deregistrationDelay` says otherwise (web and network services). */
export const DEREGISTRATION_DELAY = Duration.seconds(30);

/** Default retention of access logs. */
const ACCESS_LOGS_RETENTION = Duration.days(90);

/** What resolving load balancer options needs to know about the load balancer and its cluster. @internal */
export interface LoadBalancerContext {
  /** Whether the load balancer faces the internet when `internetFacing` is not given (see its doc). */
  readonly internetFacingByDefault: boolean;
  readonly vpc: ec2.IVpc;
  readonly vpcCidrBlock: string;
  readonly removalPolicy: RemovalPolicy;
  /** Inbound rules each allowed range becomes (an HTTPS ALB admits each range on 443 and on 80, the redirect). */
  readonly rulesPerCidr: number;
}

/**
 * Validate load balancer options and apply their defaults, once for every load balancer of the library.
 * @internal
 */
export function resolveLoadBalancerOptions(scope: IConstruct, options: LoadBalancerOptions,
  context: LoadBalancerContext): ResolvedLoadBalancerOptions {
  const internetFacing = options.internetFacing ?? context.internetFacingByDefault;
  if (internetFacing && context.vpc.publicSubnets.length === 0) {
    invalidProp(scope, 'internetFacing', true, "The cluster's VPC has no public subnets; use internetFacing: false, or a VPC with public subnets.");
  }
  validateAllowedCidrs(scope, options.allowedCidrs, context.rulesPerCidr);
  // Access logs expire by an S3 lifecycle rule, in whole days ("Days ... must be a non-zero positive integer",
  // https://docs.aws.amazon.com/AmazonS3/latest/API/API_LifecycleExpiration.html); beyond ten years is taken for a
  // unit mistake.
  checkNumber(scope, 'accessLogsRetention (days)', options.accessLogsRetention?.toDays({ integral: false }), { min: 1, max: 3650, integer: true });
  return {
    internetFacing,
    allowedCidrs: options.allowedCidrs ?? (internetFacing ? ['0.0.0.0/0'] : [context.vpcCidrBlock]),
    deletionProtection: options.deletionProtection ?? context.removalPolicy !== RemovalPolicy.DESTROY,
    accessLogsRetention: options.accessLogsRetention ?? ACCESS_LOGS_RETENTION,
    accessLogsRemovalPolicy: context.removalPolicy,
  };
}

/**
 * Acknowledge the missing deletion protection of a load balancer in a disposable (`DESTROY`) cluster.
 * @internal
 */
export function acknowledgeDeletionProtection(loadBalancer: elbv2.BaseLoadBalancer, resolved: ResolvedLoadBalancerOptions): void {
  if (!resolved.deletionProtection && resolved.accessLogsRemovalPolicy === RemovalPolicy.DESTROY) {
    acknowledgeDisposableLoadBalancer(loadBalancer);
  }
}

/**
 * Validate a target health check and apply its defaults. The ranges are the same for Application and Network Load
 * Balancers: interval 5-300 s, timeout 2-120 s, thresholds 2-10, port 1-65535
 * (https://docs.aws.amazon.com/elasticloadbalancing/latest/application/target-group-health-checks.html#health-check-settings,
 * https://docs.aws.amazon.com/elasticloadbalancing/latest/network/target-group-health-checks.html#health-check-settings).
 * An Application Load Balancer needs the timeout shorter than the interval ("must be smaller than the interval",
 * AWS::ElasticLoadBalancingV2::TargetGroup HealthCheckTimeoutSeconds); it is held to the same rule on both.
 * @internal
 */
export function resolveTargetHealthCheck(scope: IConstruct, options: TargetHealthCheckOptions): ResolvedTargetHealthCheck {
  const seconds = (d: Duration | undefined) => d?.toSeconds({ integral: false });
  checkNumber(scope, 'targetHealthCheck.port', options.port, { min: 1, max: 65_535, integer: true });
  checkNumber(scope, 'targetHealthCheck.interval (seconds)', seconds(options.interval), { min: 5, max: 300, integer: true });
  checkNumber(scope, 'targetHealthCheck.timeout (seconds)', seconds(options.timeout), { min: 2, max: 120, integer: true });
  checkNumber(scope, 'targetHealthCheck.healthyThreshold', options.healthyThreshold, { min: 2, max: 10, integer: true });
  checkNumber(scope, 'targetHealthCheck.unhealthyThreshold', options.unhealthyThreshold, { min: 2, max: 10, integer: true });
  const resolved: ResolvedTargetHealthCheck = {
    port: options.port,
    interval: options.interval ?? Duration.seconds(10),
    timeout: options.timeout ?? Duration.seconds(5),
    healthyThreshold: options.healthyThreshold ?? 2,
    unhealthyThreshold: options.unhealthyThreshold ?? 3,
  };
  const interval = resolved.interval.toSeconds();
  if (resolved.timeout.toSeconds() >= interval) {
    invalidProp(scope, 'targetHealthCheck.timeout', `${resolved.timeout.toSeconds()} s`, `The timeout must be shorter than the interval (${interval} s).`);
  }
  return resolved;
}
