import { Annotations, Duration, Token } from 'aws-cdk-lib';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as cloudmap from 'aws-cdk-lib/aws-servicediscovery';
import { Construct, IConstruct } from 'constructs';
import { RequestServiceBase } from './service-base';
import { DeploymentOptions, IBackendService, RequestServiceOptions, ServiceFrontEnd } from './service-options';
import type { FoundryCluster } from '../cluster/foundry-cluster';
import { checkNumber, invalidProp } from '../private/validation';
import { ScalingOptions } from '../scaling/service-scaling';

/**
 * TLS between Service Connect proxies, with certificates from AWS Private CA.
 */
export interface ServiceConnectTlsOptions {
  /** ARN of the AWS Private CA that issues the certificates. */
  readonly certificateAuthorityArn: string;

  /**
   * Infrastructure role ECS uses to issue and rotate the certificates (see the ECS documentation
   * "Service Connect TLS": trust `ecs.amazonaws.com`, with the Private CA and Secrets Manager permissions).
   */
  readonly role: iam.IRole;

  /**
   * Key that encrypts the certificates' private keys in Secrets Manager.
   *
   * @default - an AWS managed key
   */
  readonly kmsKey?: kms.IKey;
}

/**
 * Properties of a `BackendService`.
 */
export interface BackendServiceProps extends RequestServiceOptions {
  /** The cluster, whose Service Connect namespace is used (created as 'internal' when it has none). */
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
   * Name clients use: `http://<discoveryName>:<port>` (or `dnsName`).
   *
   * @default - the construct id in lower case
   */
  readonly discoveryName?: string;

  /**
   * Host name Service Connect clients use, when it differs from `discoveryName`.
   *
   * @default - `discoveryName`
   */
  readonly dnsName?: string;

  /**
   * Register the tasks in Cloud Map DNS (A records) besides Service Connect, for clients outside it.
   *
   * Those clients resolve `<discoveryName>-dns.<namespace>` (`cloudMapDnsName`) through the VPC's DNS. The records
   * cannot use the plain `discoveryName`: ECS registers a Cloud Map service of that name for Service Connect, and a
   * Cloud Map service name is unique in its namespace. Service Connect clients keep using `endpoint`.
   *
   * @default false
   */
  readonly cloudMapDns?: boolean;

  /**
   * Encrypt traffic between Service Connect proxies with TLS.
   *
   * @default - no TLS between proxies (traffic stays inside the VPC)
   */
  readonly serviceConnectTls?: ServiceConnectTlsOptions;

  /**
   * Application protocol of `port`, which Service Connect reads for HTTP metrics and for routing test traffic by header.
   *
   * A blue/green, canary or linear deployment routes requests with the strategy's `testHeader` to the new revision
   * only on an HTTP, HTTP/2 or gRPC port.
   *
   * @default - none (plain TCP: no test route by header)
   */
  readonly appProtocol?: ecs.AppProtocol;

  /**
   * Idle timeout of Service Connect connections.
   *
   * @default - the ECS default (5 minutes for HTTP, 1 hour for TCP)
   */
  readonly idleTimeout?: Duration;
}

/**
 * An internal service with no load balancer, reachable by name through Service Connect in the cluster's
 * namespace. Consumers call `consumer.connectTo(backend)`, which opens the backend's port to the consumer's
 * security group only and makes the consumer a Service Connect client.
 *
 * @example
 * const orders = new BackendService(stack, 'Orders', {
 *   cluster,
 *   image: ecs.ContainerImage.fromRegistry('public.ecr.aws/docker/library/httpd:2.4'),
 *   port: 8080,
 * });
 */
export class BackendService extends RequestServiceBase implements IBackendService {
  /** The name clients use. */
  public readonly discoveryName: string;
  /** The port clients use. */
  public readonly port: number;
  /** The Service Connect namespace. */
  public readonly namespace: cloudmap.INamespace;
  /** `http://<discoveryName>:<port>` as clients address it. */
  public readonly endpoint: string;
  /** `<discoveryName>-dns.<namespace>`, the DNS name clients outside Service Connect resolve (with `cloudMapDns`). */
  public readonly cloudMapDnsName?: string;

  constructor(scope: Construct, id: string, props: BackendServiceProps) {
    // Service Connect is the backend's front end: its proxies shift traffic between revisions in a blue/green, canary or
    // linear deployment (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/service-connect-blue-green.html).
    super(scope, id, { ...backendWorkloadProps(props), frontEnd: ServiceFrontEnd.SERVICE_CONNECT });
    if (props.healthCheckGracePeriod === undefined) {
      // The grace period delays load balancer and container health checks; a backend has no load balancer, and its
      // template stays as it was before Service Connect counted as a front end.
      (this.ecsService.node.defaultChild as ecs.CfnService).healthCheckGracePeriodSeconds = undefined;
    }
    const { port, discoveryName, cloudMapDns, clientName } = resolveBackend(this, id, props);
    this.port = port;
    this.discoveryName = discoveryName;
    this.namespace = this._serviceConnectNamespace();
    this.reserveCloudMapName(discoveryName, 'discoveryName');
    if (cloudMapDns) {
      this.reserveCloudMapName(`${discoveryName}-dns`, 'cloudMapDns');
    }
    this.endpoint = `http://${clientName}:${port}`;

    const mappingName = this.workload.mainContainer.portMappings.find(m => m.containerPort === port)?.name ?? `tcp-${port}`;
    this._enableServiceConnect([{
      portMappingName: mappingName,
      discoveryName,
      // Without a DNS name ECS aliases '<discoveryName>.<namespace>'; name the alias so that `endpoint` resolves.
      dnsName: clientName,
      port,
      idleTimeout: props.idleTimeout,
      tls: props.serviceConnectTls ? {
        awsPcaAuthorityArn: props.serviceConnectTls.certificateAuthorityArn,
        kmsKey: props.serviceConnectTls.kmsKey,
        role: props.serviceConnectTls.role,
      } : undefined,
    }]);
    this.addTestTrafficRule(port, props);
    if (cloudMapDns) {
      // ECS creates a Cloud Map service named after the Service Connect discovery name, and that name must be unique
      // in the namespace (https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_ServiceConnectServiceResource.html):
      // the DNS records get a Cloud Map service of their own name. Both names stay the same when cloudMapDns is
      // switched on or off later, so neither update collides with the other service.
      const dnsServiceName = `${discoveryName}-dns`;
      this.cloudMapDnsName = `${dnsServiceName}.${this.namespace.namespaceName}`;
      this.ecsService.enableCloudMap({
        name: dnsServiceName,
        cloudMapNamespace: this.namespace,
        dnsRecordType: cloudmap.DnsRecordType.A,
        dnsTtl: Duration.seconds(10),
        container: this.workload.mainContainer,
        containerPort: port,
      });
    }
    this._enableScaling();
    this._enableOperations();
  }

  /**
   * Blue/green, canary and linear: requests that carry the strategy's `testHeader` reach the new revision before
   * production traffic does. The header rule sits on the client alias (`ServiceConnectClientAlias.TestTrafficRules`,
   * https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-properties-ecs-service-serviceconnectclientalias.html),
   * which aws-cdk-lib 2.271's `ServiceConnectService` does not model. Service Connect routes test traffic by header for
   * HTTP-based protocols only (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/service-connect-blue-green.html):
   * the port needs an HTTP, HTTP/2 or gRPC `appProtocol`.
   */
  private addTestTrafficRule(port: number, props: BackendServiceProps): void {
    const strategy = this._options.deployment.strategy;
    if (!strategy.trafficShift || strategy.testHeader === undefined) {
      return;
    }
    const mapping = this.workload.mainContainer.portMappings.find(m => m.containerPort === port);
    const appProtocol = mapping?.appProtocol?.value;
    if (appProtocol === undefined || !HTTP_PROTOCOLS.includes(appProtocol)) {
      const given = props.deployment?.strategy?._options.testHeader;
      const fix = 'Service Connect routes test traffic by header for HTTP-based protocols only (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/service-connect-blue-green.html): '
        + 'name the port\'s protocol, e.g. appProtocol: ecs.AppProtocol.http';
      if (given !== undefined) {
        invalidProp(this, 'deployment.strategy.testHeader', given, `${fix}, or remove testHeader.`);
      }
      Annotations.of(this).addWarningV2('cdk-ecs-foundry:backendWithoutTestRoute',
        `${this.node.path} uses a ${strategy.type.toLowerCase()} deployment on a port without an HTTP appProtocol (${appProtocol ?? 'plain TCP'}): `
        + `no test route reaches the new revision before production traffic does, and lifecycle hooks at the test traffic stages cannot test it (a POST_TEST_TRAFFIC_SHIFT hook sees no test traffic). ${fix}.`);
      return;
    }
    (this.ecsService.node.defaultChild as ecs.CfnService).addPropertyOverride(
      'ServiceConnectConfiguration.Services.0.ClientAliases.0.TestTrafficRules', { Header: { Name: strategy.testHeader } });
  }

  /**
   * Take a Cloud Map service name in the namespace: ECS (Service Connect) and CloudFormation (DNS records) each create
   * a Cloud Map service, and a second service of the same name in one namespace fails the deployment
   * (https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_ServiceConnectServiceResource.html).
   */
  private reserveCloudMapName(name: string, prop: string): void {
    if (Token.isUnresolved(name)) {
      return;
    }
    // The namespace belongs to the cluster (a backend and its clients share one cluster), which keeps the claims.
    const owner = this.cluster._claimName(`cloudmap:${this.namespace.node.path}`, name, this);
    if (owner !== undefined) {
      invalidProp(this, prop, name, `The namespace already has a Cloud Map service named '${name}' (from '${owner}'), and names are unique in a namespace; choose another discoveryName.`);
    }
  }
}

/**
 * The props the task definition gets: with `appProtocol`, `port` becomes the first entry of `ports` with that protocol
 * (a task definition takes `port` as plain TCP).
 */
function backendWorkloadProps(props: BackendServiceProps): BackendServiceProps {
  if (props?.appProtocol === undefined || props.port === undefined) {
    return props;
  }
  return { ...props, port: undefined as unknown as number, ports: [{ port: props.port, appProtocol: props.appProtocol }, ...(props.ports ?? [])] };
}

/** Application protocols whose requests Service Connect routes by header. */
const HTTP_PROTOCOLS = ['http', 'http2', 'grpc'];

/** A backend's own props, defaulted and validated once (the base resolves what every service takes). */
interface ResolvedBackend {
  readonly port: number;
  readonly discoveryName: string;
  readonly cloudMapDns: boolean;
  /** The host name Service Connect clients use. */
  readonly clientName: string;
}

/** Validate a backend's own props and fill in their defaults. */
function resolveBackend(scope: IConstruct, id: string, props: BackendServiceProps): ResolvedBackend {
  const port = props.port;
  if (port === undefined) {
    invalidProp(scope, 'port', undefined, 'A backend service needs the port its main container listens on, e.g. port: 8080.');
  }
  const discoveryName = props.discoveryName ?? id.toLowerCase().replace(/[^a-z0-9-]/g, '-');
  const cloudMapDns = props.cloudMapDns ?? false;
  // With cloudMapDns, '<discoveryName>-dns' is a DNS label: 63 characters at most.
  const maxName = cloudMapDns ? 59 : 63;
  if (!Token.isUnresolved(discoveryName) && (!/^[a-z0-9][a-z0-9-]*$/.test(discoveryName) || discoveryName.length > maxName)) {
    invalidProp(scope, 'discoveryName', discoveryName, `Use 1-${maxName} lower-case letters, digits and hyphens, e.g. 'orders'${cloudMapDns
      ? " (with cloudMapDns the DNS records are named '<discoveryName>-dns', a DNS label of at most 63 characters)" : ''}.`);
  }
  // A client alias DNS name: up to 127 characters, lower-case letters, digits, '_', '-' and '.', not starting with
  // a hyphen (https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_ServiceConnectClientAlias.html).
  if (props.dnsName !== undefined && !Token.isUnresolved(props.dnsName) && !/^[a-z0-9_][a-z0-9_.-]{0,126}$/.test(props.dnsName)) {
    invalidProp(scope, 'dnsName', props.dnsName, "Use a lower-case DNS name of up to 127 characters, e.g. 'orders.internal'.");
  }
  if (props.serviceConnectTls && !/^arn:aws[a-z-]*:acm-pca:[a-z0-9-]+:\d{12}:certificate-authority\/[0-9a-f-]+$/.test(props.serviceConnectTls.certificateAuthorityArn)
    && !Token.isUnresolved(props.serviceConnectTls.certificateAuthorityArn)) {
    invalidProp(scope, 'serviceConnectTls.certificateAuthorityArn', props.serviceConnectTls.certificateAuthorityArn,
      'Use the ARN of an AWS Private CA: arn:aws:acm-pca:<region>:<account>:certificate-authority/<id>.');
  }
  checkNumber(scope, 'idleTimeout (seconds)', props.idleTimeout?.toSeconds({ integral: false }), { min: 0, max: 86_400, integer: true });
  return { port, discoveryName, cloudMapDns, clientName: props.dnsName ?? discoveryName };
}
