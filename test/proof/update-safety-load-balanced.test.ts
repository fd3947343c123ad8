/**
 * Update safety of WebService (own and shared WebLoadBalancer) and NetworkService: every plausible prop change, on
 * the default, fullest and EC2 configurations, is diffed with the CDK's diff engine; no stateful or named
 * resource may be replaced unless the README documents the migration (see test/proof/support/update-safety.ts).
 */
import { Duration, Stack } from 'aws-cdk-lib';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as iam from 'aws-cdk-lib/aws-iam';
import { NetworkProtocol, NetworkService, WebLoadBalancer, WebLoadBalancerOptions, WebService } from '../../src';
import { proveUpdateSafety, synthTemplate, trafficHazards, UpdateCase } from './support/update-safety';
import { clusterFor, DEFAULT_SERVICE, FULLEST_SERVICE, maybeVolume, ServiceKnobs, serviceChanges, serviceOptions } from './support/update-safety-services';

const certificate = (stack: Stack, n: number) => acm.Certificate.fromCertificateArn(stack, `Certificate${n}`,
  `arn:aws:acm:us-east-1:123456789012:certificate/11111111-2222-3333-4444-55555555555${n}`);

interface WebKnobs extends ServiceKnobs {
  readonly sharedAlb?: boolean;
  readonly certificate: 1 | 2;
  readonly pathPatterns?: string[];
  readonly hostHeaders?: string[];
  readonly priority?: number;
  readonly healthCheckPath?: string;
  readonly deregistrationSeconds?: number;
  readonly blueGreen?: boolean;
  readonly lb: {
    readonly internetFacing?: boolean;
    readonly allowedCidrs?: string[];
    readonly idleTimeoutSeconds?: number;
    readonly accessLogsDays?: number;
    readonly deletionProtection?: boolean;
    readonly sslPolicy?: elbv2.SslPolicy;
    readonly webAcl?: boolean;
  };
}

function lbOptions(k: WebKnobs): WebLoadBalancerOptions {
  return {
    internetFacing: k.lb.internetFacing,
    allowedCidrs: k.lb.allowedCidrs,
    idleTimeout: k.lb.idleTimeoutSeconds === undefined ? undefined : Duration.seconds(k.lb.idleTimeoutSeconds),
    accessLogsRetention: k.lb.accessLogsDays === undefined ? undefined : Duration.days(k.lb.accessLogsDays),
    deletionProtection: k.lb.deletionProtection,
    sslPolicy: k.lb.sslPolicy,
    webAclArn: k.lb.webAcl ? 'arn:aws:wafv2:us-east-1:123456789012:regional/webacl/edge/a1b2c3d4-5678-90ab-cdef-EXAMPLE11111' : undefined,
  };
}

const web: UpdateCase<WebKnobs> = {
  construct: 'WebService',
  build: (stack, k) => {
    const { cluster, capacity } = clusterFor(stack, k);
    const loadBalancer = k.sharedAlb
      ? new WebLoadBalancer(stack, 'Alb', { cluster, certificate: certificate(stack, k.certificate), ...lbOptions(k) })
      : undefined;
    const service = new WebService(stack, 'Web', {
      cluster,
      ...serviceOptions(k, capacity),
      port: 8080,
      loadBalancer,
      loadBalancerOptions: loadBalancer ? undefined : lbOptions(k),
      certificate: loadBalancer ? undefined : certificate(stack, k.certificate),
      pathPatterns: k.pathPatterns,
      hostHeaders: k.hostHeaders,
      priority: k.priority,
      targetHealthCheck: k.healthCheckPath ? { path: k.healthCheckPath } : undefined,
      deregistrationDelay: k.deregistrationSeconds === undefined ? undefined : Duration.seconds(k.deregistrationSeconds),
      deployment: { ...serviceOptions(k, capacity).deployment, blueGreen: k.blueGreen ? {} : undefined },
    });
    if (k.sharedAlb) {
      // A neighbour on the shared load balancer: its rule must not move when this service changes.
      new WebService(stack, 'Docs', { cluster, ...serviceOptions(DEFAULT_SERVICE, capacity), port: 8080, loadBalancer, pathPatterns: ['/docs/*'] });
    }
    maybeVolume(stack, cluster, k, v => service.addVolume(v, '/data'));
  },
  configurations: {
    default: { ...DEFAULT_SERVICE, certificate: 1, lb: {} },
    fullest: {
      ...FULLEST_SERVICE,
      certificate: 1,
      sharedAlb: true,
      pathPatterns: ['/api/*'],
      hostHeaders: ['api.example.com'],
      healthCheckPath: '/health',
      deregistrationSeconds: 20,
      blueGreen: true,
      lb: { allowedCidrs: ['203.0.113.0/24'], idleTimeoutSeconds: 120, accessLogsDays: 90, sslPolicy: elbv2.SslPolicy.RECOMMENDED_TLS, webAcl: true },
    },
    ec2: { ...DEFAULT_SERVICE, capacity: 'ec2', certificate: 1, lb: {} },
  },
  changes: [
    ...serviceChanges<WebKnobs>(),
    { name: 'other certificate', apply: k => ({ ...k, certificate: k.certificate === 1 ? 2 : 1 }) },
    { name: 'route: path patterns → /v2/*', apply: k => ({ ...k, pathPatterns: ['/v2/*'] }) },
    { name: 'route: add a host header', apply: k => ({ ...k, hostHeaders: [...(k.hostHeaders ?? []), 'www.example.com'] }) },
    { name: 'explicit priority', apply: k => ({ ...k, priority: 4242 }) },
    { name: 'health check path → /ready', apply: k => ({ ...k, healthCheckPath: '/ready' }) },
    { name: 'deregistration delay → 60 s', apply: k => ({ ...k, deregistrationSeconds: 60 }) },
    { name: 'toggle blue/green', apply: k => ({ ...k, blueGreen: !k.blueGreen }) },
    { name: 'load balancer: allowed CIDRs', apply: k => ({ ...k, lb: { ...k.lb, allowedCidrs: ['198.51.100.0/24'] } }) },
    { name: 'load balancer: idle timeout → 300 s', apply: k => ({ ...k, lb: { ...k.lb, idleTimeoutSeconds: 300 } }) },
    { name: 'load balancer: access log retention → 30 days', apply: k => ({ ...k, lb: { ...k.lb, accessLogsDays: 30 } }) },
    { name: 'load balancer: deletion protection off', apply: k => ({ ...k, lb: { ...k.lb, deletionProtection: false } }) },
    { name: 'load balancer: TLS 1.3 policy', apply: k => ({ ...k, lb: { ...k.lb, sslPolicy: elbv2.SslPolicy.TLS13_13 } }) },
    { name: 'load balancer: toggle WAF', apply: k => ({ ...k, lb: { ...k.lb, webAcl: !k.lb.webAcl } }) },
    { name: 'load balancer: internal', apply: k => (k.lb.internetFacing === false ? undefined : { ...k, lb: { ...k.lb, internetFacing: false } }) },
  ],
};

interface NetworkKnobs extends ServiceKnobs {
  readonly protocol?: NetworkProtocol;
  readonly listenerPort?: number;
  readonly internetFacing?: boolean;
  readonly allowedCidrs?: string[];
  readonly healthCheckPort?: number;
  readonly deletionProtection?: boolean;
  readonly privateLink?: boolean;
  readonly deregistrationSeconds?: number;
}

const network: UpdateCase<NetworkKnobs> = {
  construct: 'NetworkService',
  build: (stack, k) => {
    const { cluster, capacity } = clusterFor(stack, k);
    const service = new NetworkService(stack, 'Db', {
      cluster,
      ...serviceOptions(k, capacity),
      port: 5432,
      protocol: k.protocol,
      certificate: k.protocol === NetworkProtocol.TLS ? certificate(stack, 1) : undefined,
      listenerPort: k.listenerPort,
      loadBalancerOptions: { internetFacing: k.internetFacing, allowedCidrs: k.allowedCidrs, deletionProtection: k.deletionProtection },
      targetHealthCheck: { port: k.healthCheckPort },
      privateLink: k.privateLink ? { allowedPrincipals: [new iam.ArnPrincipal('arn:aws:iam::210987654321:root')] } : undefined,
      deregistrationDelay: k.deregistrationSeconds === undefined ? undefined : Duration.seconds(k.deregistrationSeconds),
    });
    maybeVolume(stack, cluster, k, v => service.addVolume(v, '/data'));
  },
  configurations: {
    default: DEFAULT_SERVICE,
    fullest: {
      ...FULLEST_SERVICE,
      protocol: NetworkProtocol.TLS,
      listenerPort: 443,
      allowedCidrs: ['10.0.0.0/8'],
      healthCheckPort: 8080,
      privateLink: true,
      deregistrationSeconds: 10,
    },
    ec2: { ...DEFAULT_SERVICE, capacity: 'ec2' },
  },
  changes: [
    ...serviceChanges<NetworkKnobs>(),
    { name: 'listener port → 6432', apply: k => ({ ...k, listenerPort: 6432 }) },
    { name: 'allowed CIDRs', apply: k => ({ ...k, allowedCidrs: ['192.168.0.0/16'] }) },
    { name: 'health check port → 9000', apply: k => ({ ...k, healthCheckPort: 9000 }) },
    { name: 'deregistration delay → 60 s', apply: k => ({ ...k, deregistrationSeconds: 60 }) },
    { name: 'deletion protection off', apply: k => (k.deletionProtection === false ? undefined : { ...k, deletionProtection: false }) },
    { name: 'toggle PrivateLink', apply: k => ({ ...k, privateLink: !k.privateLink }) },
    { name: 'internet-facing', apply: k => (k.privateLink || k.internetFacing ? undefined : { ...k, internetFacing: true }) },
  ],
};

proveUpdateSafety([web, network]);

describe('blue/green traffic hazards (aws-cdk#36649)', () => {
  // The production rule of a blue/green service is rewritten by ECS on every deployment; an update of the rule makes
  // CloudFormation send its template action again (forward to the primary target group).
  const own: WebKnobs = { ...DEFAULT_SERVICE, certificate: 1, lb: {}, blueGreen: true };
  const hazards = (before: WebKnobs, after: WebKnobs) =>
    trafficHazards(synthTemplate(s => web.build(s, before)), synthTemplate(s => web.build(s, after)));

  test('changing pathPatterns or hostHeaders of a blue/green service updates its ECS-managed production rule', () => {
    const paths = hazards(own, { ...own, pathPatterns: ['/v2/*'] });
    expect(paths).toEqual([expect.objectContaining({ hazard: true, type: 'AWS::ElasticLoadBalancingV2::ListenerRule' })]);
    expect(paths[0].why).toMatch(/production listener rule of blue\/green service .* is updated \(Conditions.*\): CloudFormation sends its Actions again/);
    expect(hazards(own, { ...own, hostHeaders: ['api.example.com'] })).toHaveLength(1);
  });

  test('the same route change without blue/green, and a deployment (new image) with blue/green, are no hazard', () => {
    const rolling: WebKnobs = { ...own, blueGreen: undefined };
    expect(hazards(rolling, { ...rolling, pathPatterns: ['/v2/*'] })).toEqual([]);
    expect(hazards(own, { ...own, imageTag: 'next' })).toEqual([]);
  });
});
