import { Duration, Token } from 'aws-cdk-lib';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as route53 from 'aws-cdk-lib/aws-route53';
import { IConstruct } from 'constructs';
import { DEREGISTRATION_DELAY, ResolvedTargetHealthCheck, resolveTargetHealthCheck, TargetHealthCheckOptions } from './load-balancer-options';
import { RequestServiceOptions, WebDeploymentOptions } from './service-options';
import type { WebLoadBalancer } from './web-load-balancer';
import { checkCertificateRegion, PLAIN_HTTP_BY_DEFAULT, WebLoadBalancerOptions } from './web-load-balancer-options';
import { checkHostPatterns } from './web-routing';
import type { FoundryCluster } from '../cluster/foundry-cluster';
import { checkNumber, invalidProp } from '../private/validation';
import type { WebScalingOptions } from '../scaling/service-scaling';

/**
 * Target group health check of a web service: an HTTP request the load balancer sends to each task.
 */
export interface WebHealthCheckOptions extends TargetHealthCheckOptions {
  /**
   * HTTP path the load balancer requests.
   *
   * @default '/'
   */
  readonly path?: string;

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
   * How the service rolls out new versions: rolling, blue/green, canary or linear.
   *
   * @default - rolling, circuit breaker with rollback, 100 % minimum healthy, 200 % maximum
   */
  readonly deployment?: WebDeploymentOptions;

  /**
   * Auto scaling of the task count, on CPU, memory or requests per task.
   *
   * @default - no auto scaling: `desiredCount` tasks
   */
  readonly scaling?: WebScalingOptions;

  /**
   * A load balancer shared with other services.
   *
   * The service adds a listener rule by `hostHeaders` and/or `pathPatterns`.
   *
   * @default - a load balancer of its own, configured by `loadBalancerOptions`
   */
  readonly loadBalancer?: WebLoadBalancer;

  /**
   * Options of the service's own load balancer (not allowed with `loadBalancer`).
   *
   * @default - internet-facing, HTTPS with redirect, WAF, access logs, deletion protection unless the cluster's `removalPolicy` is `DESTROY`
   */
  readonly loadBalancerOptions?: WebLoadBalancerOptions;

  /**
   * Certificate for the service's HTTPS traffic.
   *
   * @default - created with DNS validation when `domainName` and `hostedZone` are given
   */
  readonly certificate?: acm.ICertificate;

  /**
   * The service's domain name.
   *
   * With `hostedZone`, a DNS-validated certificate and an alias record are created, and on a shared load balancer
   * requests for this host are routed to the service.
   *
   * @default - no domain
   */
  readonly domainName?: string;

  /**
   * Route 53 hosted zone of `domainName`.
   *
   * @default - no hosted zone: no certificate or alias record is created
   */
  readonly hostedZone?: route53.IHostedZone;

  /**
   * Route requests with these Host headers to the service.
   *
   * @default - `domainName` if given, otherwise every host
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
   * Health check of the target group (the load balancer's view of a task, not the container's own `healthCheck`).
   *
   * @default - GET '/' on the container port every 10 s, healthy after 2 answers with 200-399, unhealthy after 3 failures
   */
  readonly targetHealthCheck?: WebHealthCheckOptions;

  /**
   * Time a stopping task keeps serving in-flight requests (whole seconds, 0-3600).
   *
   * @default Duration.seconds(30)
   */
  readonly deregistrationDelay?: Duration;
}

/** The web health check with every default applied. @internal */
export interface ResolvedWebHealthCheck extends ResolvedTargetHealthCheck {
  readonly path: string;
  readonly healthyHttpCodes: string;
}

/** A `WebService`'s own props, validated, with every default applied (the base resolves the service options). @internal */
export interface ResolvedWebService {
  readonly containerPort: number;
  /** Whether the load balancer (own or shared) serves plain HTTP. */
  readonly plainHttp: boolean;
  readonly hostHeaders: string[];
  readonly pathPatterns: string[];
  readonly targetHealthCheck: ResolvedWebHealthCheck;
  readonly deregistrationDelay: Duration;
}

/**
 * Validate a `WebService`'s props and apply their defaults.
 * @internal
 */
export function resolveWebServiceProps(scope: IConstruct, props: WebServiceProps): ResolvedWebService {
  const port = props.port ?? props.ports?.[0]?.port;
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
  const plainHttp = props.loadBalancer?.plainHttp ?? props.loadBalancerOptions?.allowHttp ?? PLAIN_HTTP_BY_DEFAULT;
  if (plainHttp && props.certificate) {
    invalidProp(scope, 'certificate', props.certificate,
      'The load balancer serves plain HTTP (allowHttp), so the certificate would be dropped: use an HTTPS load balancer, or remove the certificate.');
  }
  if (!plainHttp && !props.loadBalancer && !props.certificate && !(props.domainName && props.hostedZone)) {
    invalidProp(scope, 'certificate', undefined,
      'HTTPS needs a certificate: pass certificate, or domainName with hostedZone to create one. For plain HTTP set loadBalancerOptions: { allowHttp: true } explicitly.');
  }
  // Checked here so the error names the service; a shared load balancer's Region is that of its own stack.
  checkCertificateRegion(scope, props.certificate, props.loadBalancer ?? scope);
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
  const common = resolveTargetHealthCheck(scope, hc);
  if (hc.path !== undefined && !hc.path.startsWith('/')) {
    invalidProp(scope, 'targetHealthCheck.path', hc.path, "Use an absolute path such as '/health'.");
  }
  if (hc.healthyHttpCodes !== undefined && !/^\d{3}(-\d{3})?(,\d{3}(-\d{3})?)*$/.test(hc.healthyHttpCodes)) {
    invalidProp(scope, 'targetHealthCheck.healthyHttpCodes', hc.healthyHttpCodes, "Use codes and ranges such as '200' or '200-299,302'.");
  }
  // Deregistration delay: 0-3600 seconds.
  // https://docs.aws.amazon.com/elasticloadbalancing/latest/application/edit-target-group-attributes.html#deregistration-delay
  checkNumber(scope, 'deregistrationDelay (seconds)', props.deregistrationDelay?.toSeconds({ integral: false }), { min: 0, max: 3600, integer: true });
  return {
    containerPort: port!,
    plainHttp,
    hostHeaders: props.hostHeaders ?? (props.domainName ? [props.domainName] : []),
    pathPatterns: props.pathPatterns ?? [],
    targetHealthCheck: { ...common, path: hc.path ?? '/', healthyHttpCodes: hc.healthyHttpCodes ?? '200-399' },
    deregistrationDelay: props.deregistrationDelay ?? DEREGISTRATION_DELAY,
  };
}
