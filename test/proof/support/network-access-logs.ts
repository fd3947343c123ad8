/**
 * The app of the NetworkService access-log upgrade proof: one cluster and two TLS NetworkServices, the configuration
 * in which Network Load Balancers write access logs. The fixtures in test/proof/fixtures/network-tls-1.0-*.template.json
 * are this app as the library synthesized it just before the stack's TLS services shared their log buckets (1.0's
 * shape: a log bucket and a server-access-log bucket per service).
 */
import { RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import { FoundryCluster, NetworkProtocol, NetworkService } from '../../../src';

export function buildTlsPair(stack: Stack, removalPolicy: RemovalPolicy): NetworkService[] {
  const cluster = new FoundryCluster(stack, 'Cluster', { removalPolicy });
  const certificate = acm.Certificate.fromCertificateArn(stack, 'Certificate',
    'arn:aws:acm:us-east-1:123456789012:certificate/11111111-2222-3333-4444-555555555555');
  const image = ecs.ContainerImage.fromRegistry('public.ecr.aws/docker/library/eclipse-mosquitto:2');
  return [8883, 8443].map((port, i) => new NetworkService(stack, `Tls${i}`, {
    cluster, image, port, protocol: NetworkProtocol.TLS, certificate,
  }));
}
