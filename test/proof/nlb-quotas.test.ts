import { fullDiff, ResourceImpact } from '@aws-cdk/cloudformation-diff';
import { Duration } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { DeploymentStrategy, FoundryCluster, NetworkProtocol, NetworkService, NetworkServiceProps } from '../../src';
import { plainStack } from '../support/stacks';

/**
 * Network Load Balancer quotas and constraints a NetworkService prop (or an escape hatch on its `loadBalancer`) can
 * break, checked at synth. Quotas: https://docs.aws.amazon.com/elasticloadbalancing/latest/network/load-balancer-limits.html
 */

const image = ecs.ContainerImage.fromRegistry('public.ecr.aws/docker/library/postgres:16');
const certArn = (i: number) => `arn:aws:acm:us-east-1:123456789012:certificate/${String(i).padStart(8, '0')}-2222-3333-4444-555555555555`;
const consumer = new iam.ArnPrincipal('arn:aws:iam::210987654321:root');

/** A NetworkService in a stack of its own. */
function build(p: Partial<NetworkServiceProps> = {}) {
  const stack = plainStack('Nlb');
  const cluster = new FoundryCluster(stack, 'Cluster');
  const service = new NetworkService(stack, 'Db', { cluster, image, port: 5432, ...p } as NetworkServiceProps);
  return { stack, service };
}

describe('PrivateLink consumers reach the service', () => {
  // The NLB's security group filters PrivateLink traffic too unless turned off, and it admits only the provider
  // VPC's range: every consumer VPC's connection would be dropped
  // (https://docs.aws.amazon.com/elasticloadbalancing/latest/network/load-balancer-security-groups.html).
  test('the security group does not filter traffic through endpoints; principals and acceptance admit consumers', () => {
    const { stack, service } = build({ privateLink: { allowedPrincipals: [consumer] } });
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::LoadBalancer', {
      Type: 'network',
      EnforceSecurityGroupInboundRulesOnPrivateLinkTraffic: 'off',
    });
    template.hasResourceProperties('AWS::EC2::VPCEndpointService', { AcceptanceRequired: true });
    template.hasResourceProperties('AWS::EC2::VPCEndpointServicePermissions', { AllowedPrincipals: ['arn:aws:iam::210987654321:root'] });
    // Direct clients are still filtered by the security group.
    expect(Object.values<any>(template.findResources('AWS::EC2::SecurityGroup'))
      .find(r => r.Properties.GroupDescription.startsWith(`Network load balancer of ${service.node.path}`)).Properties.SecurityGroupIngress)
      .toEqual([expect.objectContaining({ CidrIp: '10.0.0.0/16', FromPort: 5432 })]);
  });

  test('without PrivateLink the load balancer keeps the default (the security group filters all traffic)', () => {
    const { stack } = build();
    Template.fromStack(stack).hasResourceProperties('AWS::ElasticLoadBalancingV2::LoadBalancer', {
      EnforceSecurityGroupInboundRulesOnPrivateLinkTraffic: Match.absent(),
    });
  });

  test('offering an existing service through PrivateLink later updates the load balancer in place', () => {
    const before = Template.fromStack(build().stack).toJSON();
    const after = Template.fromStack(build({ privateLink: { allowedPrincipals: [consumer] } }).stack).toJSON();
    const replaced: string[] = [];
    fullDiff(before, after).resources.forEachDifference((id, change) => {
      if ([ResourceImpact.WILL_REPLACE, ResourceImpact.MAY_REPLACE].includes(change.changeImpact)) replaced.push(`${id} ${change.resourceType}`);
    });
    expect(replaced).toEqual([]);
  });

  test("'*' without acceptance is a public service: a warning", () => {
    const { stack } = build({ privateLink: { allowedPrincipals: [new iam.ArnPrincipal('*')], acceptanceRequired: false } });
    Annotations.fromStack(stack).hasWarning('/Nlb/Db', Match.stringLikeRegexp('lets any AWS account that knows the service name connect'));
  });
});

describe('quotas counted on the finished app (escape hatches included)', () => {
  test('listeners per Network Load Balancer: 50, not adjustable', () => {
    const { stack, service } = build();
    for (let port = 1; port <= 49; port++) {
      service.loadBalancer.addListener(`Extra${port}`, { port: 10_000 + port, defaultTargetGroups: [service.targetGroup] });
    }
    expect(() => Template.fromStack(stack)).not.toThrow(); // 50 listeners
    const { stack: over, service: full } = build();
    for (let port = 1; port <= 50; port++) {
      full.loadBalancer.addListener(`Extra${port}`, { port: 10_000 + port, defaultTargetGroups: [full.targetGroup] });
    }
    expect(() => Template.fromStack(over)).toThrow(/NetworkService 'Nlb\/Db': invalid loadBalancer listeners = 51\. A Network Load Balancer has at most 50 listeners/);
  });

  test('certificates per Network Load Balancer: 25 by default, adjustable: a warning', () => {
    const { stack, service } = build({ protocol: NetworkProtocol.TLS, certificate: acm.Certificate.fromCertificateArn(plainStack(), 'C', certArn(0)) });
    service.listener.addCertificates('More', Array.from({ length: 25 }, (_, i) => elbv2.ListenerCertificate.fromArn(certArn(i + 1))));
    Annotations.fromStack(stack).hasWarning('/Nlb/Db', Match.stringLikeRegexp('26 certificates, above the default quota of 25'));
  });

  test('targets per Network Load Balancer with cross-zone load balancing: 500 by default, adjustable: a warning', () => {
    const { stack } = build({ scaling: { maxTasks: 300 } }); // 600 targets while a deployment runs at 200 %
    Annotations.fromStack(stack).hasWarning('/Nlb/Db', Match.stringLikeRegexp('Up to 600 tasks .* above the default quota of 500 targets'));
    const { stack: within } = build({ scaling: { maxTasks: 250 } });
    Annotations.fromStack(within).hasNoWarning('/Nlb/Db', Match.stringLikeRegexp('targets per Network Load Balancer'));
  });

  test('inbound rules per security group: 60 by default, adjustable: a warning', () => {
    const cidrs = Array.from({ length: 61 }, (_, i) => `10.${i}.0.0/16`);
    const { stack } = build({ loadBalancerOptions: { allowedCidrs: cidrs } });
    Annotations.fromStack(stack).hasWarning('/Nlb/Db', Match.stringLikeRegexp('allowedCidrs has 61 ranges'));
  });
});

describe('progressive deployments (blue/green, canary, linear) count against the same quotas', () => {
  const blueGreen = { deployment: { strategy: DeploymentStrategy.blueGreen() } };

  test('the test listener is one of the 50 listeners per Network Load Balancer', () => {
    const { stack, service } = build(blueGreen);
    for (let port = 1; port <= 48; port++) {
      service.loadBalancer.addListener(`Extra${port}`, { port: 10_000 + port, defaultTargetGroups: [service.targetGroup] });
    }
    expect(() => Template.fromStack(stack)).not.toThrow(); // production + test + 48 = 50
    const { stack: over, service: full } = build(blueGreen);
    for (let port = 1; port <= 49; port++) {
      full.loadBalancer.addListener(`Extra${port}`, { port: 10_000 + port, defaultTargetGroups: [full.targetGroup] });
    }
    expect(() => Template.fromStack(over)).toThrow(/invalid loadBalancer listeners = 51\. A Network Load Balancer has at most 50 listeners/);
  });

  test('one listener per port: a listener added on the test port fails synth, naming both', () => {
    // https://docs.aws.amazon.com/elasticloadbalancing/latest/network/load-balancer-listeners.html
    const { stack, service } = build(blueGreen);
    service.loadBalancer.addListener('Admin', { port: 5433, defaultTargetGroups: [service.targetGroup] });
    expect(() => Template.fromStack(stack)).toThrow(/TestListener\/Resource, Nlb\/Db\/LoadBalancer\/Admin\/Resource on port 5433/);
  });

  test('targets: both revisions register during the deployment (twice the tasks), whatever maxHealthyPercent says', () => {
    // 251 tasks × 2 revisions = 502 targets > 500; with rolling at 100 % maximum they stay at 251.
    const { stack } = build({
      scaling: { maxTasks: 251 },
      deployment: { strategy: DeploymentStrategy.canary({ percent: 10 }), maxHealthyPercent: 100, minHealthyPercent: 50 },
    });
    Annotations.fromStack(stack).hasWarning('/Nlb/Db', Match.stringLikeRegexp('Up to 502 tasks \\(both revisions of 251 tasks during a canary deployment\\)'));
    const { stack: rolling } = build({ scaling: { maxTasks: 251 }, deployment: { maxHealthyPercent: 100, minHealthyPercent: 50 } });
    Annotations.fromStack(rolling).hasNoWarning('/Nlb/Db', Match.stringLikeRegexp('targets per Network Load Balancer'));
    const { stack: within } = build({ scaling: { maxTasks: 250 }, ...blueGreen });
    Annotations.fromStack(within).hasNoWarning('/Nlb/Db', Match.stringLikeRegexp('targets per Network Load Balancer'));
  });

  test('inbound rules: each allowed range is admitted on the listener and the test listener (two rules), 60 per security group', () => {
    const cidrs = (n: number) => Array.from({ length: n }, (_, i) => `10.${i}.0.0/16`);
    const { stack } = build({ loadBalancerOptions: { allowedCidrs: cidrs(31) }, ...blueGreen });
    Annotations.fromStack(stack).hasWarning('/Nlb/Db', Match.stringLikeRegexp('allowedCidrs has 31 ranges, 2 inbound rules each'));
    const { stack: within } = build({ loadBalancerOptions: { allowedCidrs: cidrs(30) }, ...blueGreen });
    Annotations.fromStack(within).hasNoWarning('/Nlb/Db', Match.stringLikeRegexp('allowedCidrs has'));
  });

  test('two target groups per service: both attached to the one load balancer through its listeners', () => {
    const { stack } = build(blueGreen);
    const t = Template.fromStack(stack);
    t.resourceCountIs('AWS::ElasticLoadBalancingV2::TargetGroup', 2);
    // A target group of an NLB is reachable through one listener each: production → primary, test → alternate.
    const forwards = Object.values<any>(t.findResources('AWS::ElasticLoadBalancingV2::Listener'))
      .map(l => l.Properties.DefaultActions[0].TargetGroupArn.Ref);
    expect(new Set(forwards).size).toBe(2);
  });
});

describe('constraints AWS would reject (or apply silently) fail with the prop and a fix', () => {
  test.each<[string, Partial<NetworkServiceProps>, RegExp]>([
    ['an empty client list', { loadBalancerOptions: { allowedCidrs: [] } }, /invalid allowedCidrs = \[\]\. An empty list admits no client/],
    ['an IPv6 range on an IPv4 load balancer', { loadBalancerOptions: { allowedCidrs: ['2001:db8::/32'] } }, /invalid allowedCidrs = '2001:db8::\/32'\. The load balancer has IPv4 addresses only/],
    ['an octet above 255', { loadBalancerOptions: { allowedCidrs: ['10.0.256.0/24'] } }, /invalid allowedCidrs = '10\.0\.256\.0\/24'\. Use IPv4 CIDR blocks/],
    ['a prefix above 32', { loadBalancerOptions: { allowedCidrs: ['10.0.0.0/33'] } }, /invalid allowedCidrs = '10\.0\.0\.0\/33'/],
    ['a range without a prefix', { loadBalancerOptions: { allowedCidrs: ['10.0.0.0'] } }, /invalid allowedCidrs = '10\.0\.0\.0'/],
    ['host bits set (EC2 would widen it silently)', { loadBalancerOptions: { allowedCidrs: ['203.0.113.7/24'] } },
      /invalid allowedCidrs = '203\.0\.113\.7\/24'\. Host bits are set: EC2 would admit the whole network 203\.0\.113\.0\/24; write '203\.0\.113\.0\/24', or '203\.0\.113\.7\/32'/],
    ['a principal that is not an account, role or user', { privateLink: { allowedPrincipals: [new iam.ArnPrincipal('arn:aws:iam::210987654321:group/devs')] } },
      /invalid privateLink\.allowedPrincipals = 'arn:aws:iam::210987654321:group\/devs'\. Use the ARN of an account/],
    ['an account id instead of an ARN', { privateLink: { allowedPrincipals: [new iam.ArnPrincipal('210987654321')] } }, /invalid privateLink\.allowedPrincipals = '210987654321'/],
    ['a TCP listener on a UDP container port', { port: undefined, ports: [{ port: 53, protocol: ecs.Protocol.UDP }] },
      /invalid ports = .*A TCP listener forwards TCP connections, which a UDP container port never receives/],
    ['a health check port of 0', { targetHealthCheck: { port: 0 } }, /invalid targetHealthCheck\.port = 0/],
    ['a deregistration delay in fractions of a second', { deregistrationDelay: Duration.millis(2500) }, /invalid deregistrationDelay \(seconds\) = 2\.5/],
  ])('%s', (_name, p, message) => {
    expect(() => build(p)).toThrow(message);
  });

  test('valid forms pass: accounts, roles with paths, users, everyone; canonical and single-address ranges', () => {
    expect(() => build({
      loadBalancerOptions: { allowedCidrs: ['0.0.0.0/0', '203.0.113.7/32', '198.51.100.0/24', '10.0.0.0/8'] },
      privateLink: {
        allowedPrincipals: ['arn:aws:iam::210987654321:root', 'arn:aws:iam::210987654321:role/team/consumer', 'arn:aws-us-gov:iam::210987654321:user/ci', '*']
          .map(arn => new iam.ArnPrincipal(arn)),
      },
    })).not.toThrow();
  });
});

describe('access logs exist only where NLBs write them: TLS listeners', () => {
  // "Access logs are created only if the load balancer has a TLS listener, and the logs contain information about TLS
  // requests only" (https://docs.aws.amazon.com/elasticloadbalancing/latest/network/enable-access-logs.html).
  const tlsListener = (service: NetworkService) => service.loadBalancer.addListener('Tls', {
    port: 443,
    certificates: [elbv2.ListenerCertificate.fromArn(certArn(1))],
    defaultTargetGroups: [service.targetGroup],
  });

  test('a TLS listener added to a TCP service through loadBalancer fails synth until its logs are on', () => {
    const { stack, service } = build();
    tlsListener(service);
    expect(() => Template.fromStack(stack)).toThrow(
      /NetworkService 'Nlb\/Db': invalid loadBalancer listeners = 'Nlb\/Db\/LoadBalancer\/Tls\/Resource'\. A TLS listener without access logs.*Call enableAccessLogs\(\)/);

    const { stack: fixed, service: logged } = build();
    tlsListener(logged);
    const bucket = logged.enableAccessLogs();
    expect(logged.enableAccessLogs()).toBe(bucket); // idempotent
    const template = Template.fromStack(fixed);
    template.resourceCountIs('AWS::S3::Bucket', 2);
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::LoadBalancer', {
      LoadBalancerAttributes: Match.arrayWith([{ Key: 'access_logs.s3.enabled', Value: 'true' }]),
    });
  });

  test("logs turned on with aws-cdk-lib's own logAccessLogs, to a bucket of your own, satisfy the check too", () => {
    const { stack, service } = build();
    tlsListener(service);
    service.loadBalancer.logAccessLogs(new s3.Bucket(stack, 'MyLogs', { enforceSSL: true }));
    expect(() => Template.fromStack(stack)).not.toThrow();
    expect(service.accessLogsBucket).toBeUndefined();
  });

  test('upgrading a TCP service: the log buckets leave the stack but stay in the account; the load balancer stops logging in place', () => {
    // What earlier versions synthesized for every TCP NetworkService: the same service with its logs on.
    const earlier = build();
    earlier.service.enableAccessLogs();
    const before = Template.fromStack(earlier.stack).toJSON();
    const after = Template.fromStack(build().stack).toJSON();

    const changes: string[] = [];
    fullDiff(before, after).resources.forEachDifference((id, change) => {
      if (change.isRemoval) changes.push(`remove ${change.oldResourceType} (DeletionPolicy ${before.Resources[id].DeletionPolicy ?? 'Delete'})`);
      else if (change.isAddition) changes.push(`add ${change.newResourceType}`);
      else changes.push(`${change.changeImpact} ${change.resourceType}`);
    });
    expect(changes.sort()).toEqual([
      // The load balancer turns logging off explicitly (CloudFormation does not reset removed attributes).
      `${ResourceImpact.WILL_UPDATE} AWS::ElasticLoadBalancingV2::LoadBalancer`,
      // Both buckets are retained with their objects; their policies (TLS-only, log delivery) are deleted.
      'remove AWS::S3::Bucket (DeletionPolicy Retain)',
      'remove AWS::S3::Bucket (DeletionPolicy Retain)',
      'remove AWS::S3::BucketPolicy (DeletionPolicy Delete)',
      'remove AWS::S3::BucketPolicy (DeletionPolicy Delete)',
    ].sort());
    const lb = Object.values<any>(after.Resources).find(r => r.Type === 'AWS::ElasticLoadBalancingV2::LoadBalancer');
    expect(lb.Properties.LoadBalancerAttributes).toContainEqual({ Key: 'access_logs.s3.enabled', Value: 'false' });
    expect(Object.keys(before.Resources).length - Object.keys(after.Resources).length).toBe(4);
  });
});
