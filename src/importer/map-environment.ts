import { CodeObject, lit, raw, str } from './code';
import { ManifestFields } from './manifest-fields';
import { isMap, yamlBool } from './manifest-yaml';

/** An environment, ready to render: the cluster's props and the shared load balancer's. */
export interface EnvironmentModel {
  readonly name: string;
  readonly clusterProps: CodeObject;
  /** Props of the public load balancer besides `cluster` (used when the environment has web services). */
  readonly loadBalancerProps: CodeObject;
  /** The certificate ARN of the HTTPS listener, if the environment has one. */
  readonly certificateArn?: string;
}

/** Map an environment manifest onto `FoundryCluster` and `WebLoadBalancer` props. */
export function mapEnvironment(f: ManifestFields, name: string): EnvironmentModel {
  f.take('name');
  f.take('type');
  const clusterProps: CodeObject = {};
  const cidr = f.takeString('network.vpc.cidr');
  if (cidr !== undefined) clusterProps.vpcCidr = str(cidr);
  const subnets = f.peek('network.vpc.subnets');
  // The number of private subnets is the number of Availability Zones; each subnet's range and zone are reported.
  if (isMap(subnets) && f.peek('network.vpc.id') === undefined) {
    const privateSubnets = subnets.private;
    if (Array.isArray(privateSubnets) && privateSubnets.length > 0) {
      clusterProps.maxAzs = lit(privateSubnets.length);
    }
  }
  // The cluster's VPC always has flow logs: 'flow_logs: true' is carried, 'false' is reported.
  if (yamlBool(f.peek('network.vpc.flow_logs')) === true) f.take('network.vpc.flow_logs');
  if (yamlBool(f.peek('cdn')) === false) f.take('cdn');
  const insights = yamlBool(f.peek('observability.container_insights'));
  if (insights === true) {
    f.take('observability.container_insights');
    clusterProps.containerInsights = raw('ecs.ContainerInsights.ENABLED');
  }
  const loadBalancerProps: CodeObject = {};
  const certificates = f.peek('http.public.certificates');
  let certificateArn: string | undefined;
  if (Array.isArray(certificates) && certificates.length > 0) {
    certificateArn = String(certificates[0]);
    if (certificates.length === 1) {
      f.take('http.public.certificates');
    } else {
      f.report('http.public.certificates', certificates.slice(1), 'Only the first certificate is used: add the others with `loadBalancer.listener.addCertificates()`.');
    }
  }
  const sourceIps = f.peek('http.public.ingress.source_ips');
  if (Array.isArray(sourceIps)) {
    f.take('http.public.ingress.source_ips');
    loadBalancerProps.allowedCidrs = sourceIps.map(ip => str(String(ip)));
  }
  if (yamlBool(f.peek('http.public.access_logs')) === true) f.take('http.public.access_logs');
  return { name, clusterProps, loadBalancerProps, certificateArn };
}
