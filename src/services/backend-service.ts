import { Duration, Token } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as cloudmap from 'aws-cdk-lib/aws-servicediscovery';
import { Construct } from 'constructs';
import { FoundryServiceBase, ServiceOptions } from './service-base';
import type { FoundryCluster } from '../cluster/foundry-cluster';
import { checkNumber, invalidProp } from '../private/validation';

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
export interface BackendServiceProps extends ServiceOptions {
  /** The cluster; its Service Connect namespace is used (created as 'internal' when it has none). */
  readonly cluster: FoundryCluster;

  /**
   * Name clients use: `http://<discoveryName>:<port>` (or `dnsName`).
   *
   * @default - the construct id in lower case
   */
  readonly discoveryName?: string;

  /**
   * Host name clients use, when it differs from `discoveryName`.
   *
   * @default - `<discoveryName>.<namespace>`
   */
  readonly dnsName?: string;

  /**
   * Also register the tasks in Cloud Map DNS (A records), for clients outside Service Connect.
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
export class BackendService extends FoundryServiceBase {
  /** The name clients use. */
  public readonly discoveryName: string;
  /** The port clients use. */
  public readonly port: number;
  /** The Service Connect namespace. */
  public readonly namespace: cloudmap.INamespace;
  /** `http://<discoveryName>:<port>` as clients address it. */
  public readonly endpoint: string;

  constructor(scope: Construct, id: string, props: BackendServiceProps) {
    super(scope, id, props, 'none');
    const port = props.port ?? props.ports?.[0]?.port;
    if (port === undefined) {
      invalidProp(this, 'port', undefined, 'A backend service needs the port its main container listens on, e.g. port: 8080.');
    }
    this.port = port;
    const discoveryName = props.discoveryName ?? id.toLowerCase().replace(/[^a-z0-9-]/g, '-');
    if (!Token.isUnresolved(discoveryName) && !/^[a-z0-9]([a-z0-9-]{0,62})$/.test(discoveryName)) {
      invalidProp(this, 'discoveryName', discoveryName, "Use 1-63 lower-case letters, digits and hyphens, e.g. 'orders'.");
    }
    if (props.dnsName !== undefined && !/^[a-z0-9]([a-z0-9.-]{0,252})$/.test(props.dnsName)) {
      invalidProp(this, 'dnsName', props.dnsName, "Use a lower-case DNS name, e.g. 'orders.internal'.");
    }
    if (props.serviceConnectTls && !/^arn:aws[a-z-]*:acm-pca:[a-z0-9-]+:\d{12}:certificate-authority\/[0-9a-f-]+$/.test(props.serviceConnectTls.certificateAuthorityArn)
      && !Token.isUnresolved(props.serviceConnectTls.certificateAuthorityArn)) {
      invalidProp(this, 'serviceConnectTls.certificateAuthorityArn', props.serviceConnectTls.certificateAuthorityArn,
        'Use the ARN of an AWS Private CA: arn:aws:acm-pca:<region>:<account>:certificate-authority/<id>.');
    }
    checkNumber(this, 'idleTimeout (seconds)', props.idleTimeout?.toSeconds(), { min: 0, max: 86_400, integer: true });
    this.discoveryName = discoveryName;
    this.namespace = this._serviceConnectNamespace();
    this.endpoint = `http://${props.dnsName ?? discoveryName}:${port}`;

    const mappingName = this.workload.mainContainer.portMappings.find(m => m.containerPort === port)?.name ?? `tcp-${port}`;
    this._enableServiceConnect([{
      portMappingName: mappingName,
      discoveryName,
      dnsName: props.dnsName,
      port,
      idleTimeout: props.idleTimeout,
      tls: props.serviceConnectTls ? {
        awsPcaAuthorityArn: props.serviceConnectTls.certificateAuthorityArn,
        kmsKey: props.serviceConnectTls.kmsKey,
        role: props.serviceConnectTls.role,
      } : undefined,
    }]);
    if (props.cloudMapDns) {
      this.service.enableCloudMap({
        name: discoveryName,
        cloudMapNamespace: this.namespace,
        dnsRecordType: cloudmap.DnsRecordType.A,
        dnsTtl: Duration.seconds(10),
        container: this.workload.mainContainer,
        containerPort: port,
      });
    }
    this.enableScaling(props.scaling);
    this._enableOperations();
  }
}
