import { CfnResource, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Capacity, FoundryCluster, NetworkProtocol, NetworkService, NetworkServiceProps } from '../../src';
import { autoDeleteObjectsOf } from '../../src/private/access-logs';
import { deletedBefore, logicalIdOf } from '../support/access-logs-deletion';
import { plainStack } from '../support/stacks';
import { subtreeTemplate } from '../support/subtree';

const image = ecs.ContainerImage.fromRegistry('public.ecr.aws/docker/library/postgres:16');
const certArn = 'arn:aws:acm:us-east-1:123456789012:certificate/11111111-2222-3333-4444-555555555555';

/** Three services in one stack: TCP (defaults), TLS (internet-facing, Spot, scaling) and UDP (EC2, PrivateLink). */
function buildServices() {
  const stack = plainStack('Net');
  const cluster = new FoundryCluster(stack, 'Cluster');
  const ec2Capacity = cluster.addEc2Capacity('Ec2', { instanceType: new ec2.InstanceType('m7i.large') });
  const tcp = new NetworkService(stack, 'Db', { cluster, image, port: 5432 });
  const tls = new NetworkService(stack, 'Api', {
    cluster,
    image,
    port: 8443,
    protocol: NetworkProtocol.TLS,
    loadBalancerOptions: { internetFacing: true },
    certificate: acm.Certificate.fromCertificateArn(stack, 'Cert', certArn),
    capacity: Capacity.spot({ onDemandBase: 1 }),
    scaling: { minTasks: 2, maxTasks: 6, cpuPercent: 50 },
  });
  const udp = new NetworkService(stack, 'Dns', {
    cluster,
    image,
    port: 53,
    protocol: NetworkProtocol.UDP,
    targetHealthCheck: { port: 8080 },
    capacity: Capacity.ec2(ec2Capacity),
    privateLink: { allowedPrincipals: [new iam.ArnPrincipal('arn:aws:iam::210987654321:root')] },
  });
  return { stack, tcp, tls, udp, template: Template.fromStack(stack) };
}

let stack: Stack;
let tcp: NetworkService;
let tls: NetworkService;
let udp: NetworkService;
let template: Template;
beforeAll(() => {
  ({ stack, tcp, tls, udp, template } = buildServices());
});
const props = (construct: any) => template.toJSON().Resources[stack.getLogicalId(construct.node.defaultChild ?? construct)].Properties;

describe('NetworkService', () => {
  test('TCP: an internal NLB with a security group, deletion protection and cross-zone', () => {
    expect(props(tcp.loadBalancer)).toMatchObject({
      Type: 'network',
      Scheme: 'internal',
      SecurityGroups: [{ 'Fn::GetAtt': [stack.getLogicalId(tcp.loadBalancerSecurityGroup.node.defaultChild as any), 'GroupId'] }],
    });
    expect(props(tcp.loadBalancer).LoadBalancerAttributes).toEqual(expect.arrayContaining([
      { Key: 'deletion_protection.enabled', Value: 'true' },
      { Key: 'load_balancing.cross_zone.enabled', Value: 'true' },
    ]));
    expect(props(tcp.listener)).toMatchObject({ Port: 5432, Protocol: 'TCP' });
  });

  // "Access logs are created only if the load balancer has a TLS listener"
  // (https://docs.aws.amazon.com/elasticloadbalancing/latest/network/enable-access-logs.html).
  /** Logical IDs of the service's resources of a type, in the synthesized template. */
  const resourcesUnder = (service: NetworkService, type: string) => {
    const ids = new Set(service.node.findAll().filter((c): c is CfnResource => c instanceof CfnResource).map(c => stack.getLogicalId(c)));
    return Object.keys(template.findResources(type)).filter(id => ids.has(id)).sort();
  };
  const attribute = (service: NetworkService, key: string) =>
    (props(service.loadBalancer).LoadBalancerAttributes as Array<{ Key: string; Value: string }>).find(a => a.Key === key)?.Value;

  test.each([['TCP', () => tcp], ['UDP', () => udp]])('%s: no access-log buckets (NLBs log TLS listeners only), logging set off', (_name, service) => {
    expect(service().accessLogsBucket).toBeUndefined();
    expect(resourcesUnder(service(), 'AWS::S3::Bucket')).toEqual([]);
    expect(resourcesUnder(service(), 'AWS::S3::BucketPolicy')).toEqual([]);
    // Off explicitly: CloudFormation does not reset an attribute removed from the template, so a load balancer
    // deployed by an earlier version (which logged) is turned off on upgrade.
    expect(attribute(service(), 'access_logs.s3.enabled')).toBe('false');
    expect(attribute(service(), 'access_logs.s3.bucket')).toBeUndefined();
  });

  test('TLS: access logs to the stack\'s shared log bucket (with a bucket for its server access logs), none under the service', () => {
    expect(tls.accessLogsBucket).toBeDefined();
    expect(resourcesUnder(tls, 'AWS::S3::Bucket')).toEqual([]);
    expect(resourcesUnder(tls, 'AWS::S3::BucketPolicy')).toEqual([]);
    const shared = tls.accessLogsBucket!.node.scope!;
    expect(shared.node.scope).toBe(stack);
    template.resourceCountIs('AWS::S3::Bucket', 2);
    template.resourceCountIs('AWS::S3::BucketPolicy', 2);
    expect(Object.keys(template.findResources('AWS::S3::Bucket')).sort()).toEqual([
      stack.getLogicalId(tls.accessLogsBucket!.node.defaultChild as any),
      stack.getLogicalId(shared.node.findChild('ServerAccessLogsBucket').node.defaultChild as any),
    ].sort());
    expect(attribute(tls, 'access_logs.s3.enabled')).toBe('true');
    expect(attribute(tls, 'access_logs.s3.bucket')).toEqual({ Ref: stack.getLogicalId(tls.accessLogsBucket!.node.defaultChild as any) });
    expect(attribute(tls, 'access_logs.s3.prefix')).toBe('nlb');
  });

  test('TCP: clients from the VPC reach the listener port; the tasks admit the load balancer on the container port', () => {
    expect(props(tcp.loadBalancerSecurityGroup).SecurityGroupIngress).toEqual([
      expect.objectContaining({ CidrIp: '10.0.0.0/16', FromPort: 5432, ToPort: 5432, IpProtocol: 'tcp' }),
    ]);
    template.hasResourceProperties('AWS::EC2::SecurityGroupIngress', {
      IpProtocol: 'tcp',
      FromPort: 5432,
      ToPort: 5432,
      GroupId: { 'Fn::GetAtt': [stack.getLogicalId(tcp.workload.securityGroup.node.defaultChild as any), 'GroupId'] },
      SourceSecurityGroupId: { 'Fn::GetAtt': [stack.getLogicalId(tcp.loadBalancerSecurityGroup.node.defaultChild as any), 'GroupId'] },
    });
  });

  test('TLS: terminates with the certificate and a TLS 1.2+ policy, internet-facing', () => {
    expect(props(tls.listener)).toMatchObject({ Port: 443, Protocol: 'TLS', Certificates: [{ CertificateArn: certArn }], SslPolicy: 'ELBSecurityPolicy-TLS13-1-2-2021-06' });
    expect(props(tls.loadBalancer).Scheme).toBe('internet-facing');
    expect(props(tls.loadBalancerSecurityGroup).SecurityGroupIngress).toEqual([expect.objectContaining({ CidrIp: '0.0.0.0/0', FromPort: 443 })]);
    expect(props(tls.targetGroup)).toMatchObject({ Port: 8443, Protocol: 'TCP', TargetType: 'ip' });
  });

  test('UDP: a UDP target group health-checked over TCP, with both paths open from the load balancer only', () => {
    expect(props(udp.targetGroup)).toMatchObject({ Port: 53, Protocol: 'UDP', HealthCheckProtocol: 'TCP', HealthCheckPort: '8080' });
    const lbSg = stack.getLogicalId(udp.loadBalancerSecurityGroup.node.defaultChild as any);
    const rules = Object.values<any>(template.findResources('AWS::EC2::SecurityGroupIngress'))
      .map(r => r.Properties)
      .filter(p => p.GroupId['Fn::GetAtt'][0] === stack.getLogicalId(udp.workload.securityGroup.node.defaultChild as any));
    expect(rules).toEqual(expect.arrayContaining([
      expect.objectContaining({ IpProtocol: 'udp', FromPort: 53, SourceSecurityGroupId: { 'Fn::GetAtt': [lbSg, 'GroupId'] } }),
      expect.objectContaining({ IpProtocol: 'tcp', FromPort: 8080, SourceSecurityGroupId: { 'Fn::GetAtt': [lbSg, 'GroupId'] } }),
    ]));
    expect(udp.ecsService).toBeInstanceOf(ecs.Ec2Service);
  });

  test('PrivateLink: an endpoint service with allowed principals and acceptance required', () => {
    template.hasResourceProperties('AWS::EC2::VPCEndpointService', {
      AcceptanceRequired: true,
      NetworkLoadBalancerArns: [{ Ref: stack.getLogicalId(udp.loadBalancer.node.defaultChild as any) }],
    });
    template.hasResourceProperties('AWS::EC2::VPCEndpointServicePermissions', { AllowedPrincipals: ['arn:aws:iam::210987654321:root'] });
    // Consumers' traffic is not filtered by the provider VPC's range (it would drop every consumer).
    expect(props(udp.loadBalancer).EnforceSecurityGroupInboundRulesOnPrivateLinkTraffic).toBe('off');
    expect(props(tcp.loadBalancer).EnforceSecurityGroupInboundRulesOnPrivateLinkTraffic).toBeUndefined();
  });

  test('services share the defaults: circuit breaker, 2 tasks or scaling, no public IPs', () => {
    expect(props(tcp.ecsService)).toMatchObject({
      DesiredCount: 2,
      DeploymentConfiguration: { DeploymentCircuitBreaker: { Enable: true, Rollback: true }, MinimumHealthyPercent: 100, MaximumPercent: 200 },
      HealthCheckGracePeriodSeconds: 30,
    });
    expect(props(tls.ecsService).DesiredCount).toBeUndefined();
    template.hasResourceProperties('AWS::ApplicationAutoScaling::ScalableTarget', { MinCapacity: 2, MaxCapacity: 6 });
  });

  test.each([['TCP', () => tcp], ['TLS', () => tls], ['UDP', () => udp]])('%s: its own part of the template matches the snapshot', (_name, service) => {
    expect(subtreeTemplate(service(), template)).toMatchSnapshot();
  });

  test('health checks: the defaults of every target health check (TCP on the container port)', () => {
    expect(props(tcp.targetGroup)).toMatchObject({
      HealthCheckProtocol: 'TCP',
      HealthCheckPort: '5432',
      HealthCheckIntervalSeconds: 10,
      HealthCheckTimeoutSeconds: 5,
      HealthyThresholdCount: 2,
      UnhealthyThresholdCount: 3,
    });
  });
});

describe('NetworkService access-log buckets follow the cluster\'s removalPolicy', () => {
  const tlsService = (removalPolicy: RemovalPolicy, deletionProtection?: boolean) => {
    const own = plainStack('Removal');
    const ownCluster = new FoundryCluster(own, 'Cluster', { removalPolicy });
    const service = new NetworkService(own, 'Api', {
      cluster: ownCluster,
      image,
      port: 8443,
      protocol: NetworkProtocol.TLS,
      certificate: acm.Certificate.fromCertificateArn(own, 'Cert', certArn),
      loadBalancerOptions: { deletionProtection },
    });
    return { service, template: Template.fromStack(own) };
  };
  const deletionPolicies = (service: NetworkService, t: Template) => Object.entries(
    subtreeTemplate(service.accessLogsBucket!.node.scope!, t).Resources)
    .filter(([, r]: [string, any]) => r.Type === 'AWS::S3::Bucket').map(([, r]: [string, any]) => [r.DeletionPolicy, r.UpdateReplacePolicy]);

  test('RETAIN (the default): both buckets are retained with their logs', () => {
    const { service, template: t } = tlsService(RemovalPolicy.RETAIN);
    expect(deletionPolicies(service, t)).toEqual([['Retain', 'Retain'], ['Retain', 'Retain']]);
    t.resourceCountIs('Custom::S3AutoDeleteObjects', 0);
  });

  test('DESTROY: both buckets are emptied and deleted with the stack', () => {
    const { service, template: t } = tlsService(RemovalPolicy.DESTROY);
    expect(deletionPolicies(service, t)).toEqual([['Delete', 'Delete'], ['Delete', 'Delete']]);
    t.resourceCountIs('Custom::S3AutoDeleteObjects', 2);
  });

  test('DESTROY: the load balancer is deleted before its log bucket is emptied, the log bucket before its server-log bucket is emptied', () => {
    const { service, template: t } = tlsService(RemovalPolicy.DESTROY);
    const logs = service.accessLogsBucket!;
    const serverLogs = logs.node.scope!.node.findChild('ServerAccessLogsBucket');
    const json = t.toJSON() as any;
    expect(deletedBefore(json, logicalIdOf(service.loadBalancer), logicalIdOf(autoDeleteObjectsOf(logs)!))).toBe(true);
    expect(deletedBefore(json, logicalIdOf(logs), logicalIdOf(autoDeleteObjectsOf(serverLogs)!))).toBe(true);
    expect(deletedBefore(json, logicalIdOf(autoDeleteObjectsOf(logs)!), logicalIdOf(service.loadBalancer))).toBe(false);
  });

  const protection = (service: NetworkService, t: Template) => t.toJSON().Resources[logicalIdOf(service.loadBalancer)]
    .Properties.LoadBalancerAttributes.find((a: any) => a.Key === 'deletion_protection.enabled')?.Value;

  test('deletion protection follows the cluster\'s removalPolicy unless given: on with RETAIN, off with DESTROY', () => {
    for (const [removalPolicy, given, expected] of [
      [RemovalPolicy.RETAIN, undefined, 'true'],
      [RemovalPolicy.DESTROY, undefined, 'false'],
      [RemovalPolicy.DESTROY, true, 'true'],
      [RemovalPolicy.RETAIN, false, 'false'],
    ] as const) {
      const { service, template: t } = tlsService(removalPolicy, given);
      expect([removalPolicy, given, protection(service, t)]).toEqual([removalPolicy, given, expected]);
    }
  });

  test('accessLogsRetention sets the expiry of the logs', () => {
    const own = plainStack('Retention');
    const service = new NetworkService(own, 'Api', {
      cluster: new FoundryCluster(own, 'Cluster'),
      image,
      port: 8443,
      protocol: NetworkProtocol.TLS,
      certificate: acm.Certificate.fromCertificateArn(own, 'Cert', certArn),
      loadBalancerOptions: { accessLogsRetention: Duration.days(30) },
    });
    const bucket = Template.fromStack(own).toJSON().Resources[own.getLogicalId(service.accessLogsBucket!.node.defaultChild as any)];
    expect(bucket.Properties.LifecycleConfiguration.Rules[0]).toMatchObject({ ExpirationInDays: 30 });
  });
});

describe('NetworkService access logs: one bucket pair per stack, retention and removal policy', () => {
  const tlsIn = (own: Stack, id: string, cluster: FoundryCluster, days?: number) => new NetworkService(own, id, {
    cluster,
    image,
    port: 8443,
    protocol: NetworkProtocol.TLS,
    certificate: acm.Certificate.fromCertificateArn(own, `${id}Cert`, certArn),
    loadBalancerOptions: { accessLogsRetention: days === undefined ? undefined : Duration.days(days) },
  });
  const expiry = (t: Template, own: Stack, service: NetworkService) => t.toJSON()
    .Resources[own.getLogicalId(service.accessLogsBucket!.node.defaultChild as any)].Properties.LifecycleConfiguration.Rules[0].ExpirationInDays;

  test('three TLS services with the default retention share one log bucket and one server-access-log bucket', () => {
    const own = plainStack('Shared');
    const cluster = new FoundryCluster(own, 'Cluster');
    const services = [0, 1, 2].map(i => tlsIn(own, `Tls${i}`, cluster));
    const t = Template.fromStack(own);
    expect(new Set(services.map(s => s.accessLogsBucket))).toEqual(new Set([services[0].accessLogsBucket]));
    t.resourceCountIs('AWS::S3::Bucket', 2);
    t.resourceCountIs('AWS::S3::BucketPolicy', 2);
    const bucketRef = { Ref: own.getLogicalId(services[0].accessLogsBucket!.node.defaultChild as any) };
    for (const service of services) {
      const loadBalancer = t.toJSON().Resources[own.getLogicalId(service.loadBalancer.node.defaultChild as any)];
      const attributes = loadBalancer.Properties.LoadBalancerAttributes;
      expect(attributes).toEqual(expect.arrayContaining([
        { Key: 'access_logs.s3.enabled', Value: 'true' }, { Key: 'access_logs.s3.bucket', Value: bucketRef }, { Key: 'access_logs.s3.prefix', Value: 'nlb' },
      ]));
    }
    // The log delivery statements are written once (the same for every load balancer of the account), besides TLS-only.
    const [policy] = Object.values(t.findResources('AWS::S3::BucketPolicy', { Properties: { Bucket: bucketRef } })) as any[];
    expect(policy.Properties.PolicyDocument.Statement.map((st: any) => st.Sid ?? st.Effect)).toEqual(['Deny', 'AWSLogDeliveryWrite', 'AWSLogDeliveryAclCheck']);
  });

  test('a different retention or removal policy gets its own pair, each bucket expiring logs after its retention', () => {
    const own = plainStack('Split');
    const retained = new FoundryCluster(own, 'Cluster');
    const destroyed = new FoundryCluster(own, 'Scratch', { removalPolicy: RemovalPolicy.DESTROY });
    const a = tlsIn(own, 'A', retained);
    const b = tlsIn(own, 'B', retained, 30);
    const c = tlsIn(own, 'C', destroyed);
    const d = tlsIn(own, 'D', retained, 30);
    const t = Template.fromStack(own);
    expect(new Set([a, b, c].map(s => s.accessLogsBucket)).size).toBe(3);
    expect(d.accessLogsBucket).toBe(b.accessLogsBucket);
    t.resourceCountIs('AWS::S3::Bucket', 6);
    expect([expiry(t, own, a), expiry(t, own, b), expiry(t, own, c)]).toEqual([90, 30, 90]);
    const policy = (s: NetworkService) => t.toJSON().Resources[own.getLogicalId(s.accessLogsBucket!.node.defaultChild as any)].DeletionPolicy;
    expect([policy(a), policy(b), policy(c)]).toEqual(['Retain', 'Retain', 'Delete']);
  });

  test('enableAccessLogs() on a TCP service with a TLS listener added later logs to the same shared bucket', () => {
    const own = plainStack('Later');
    const cluster = new FoundryCluster(own, 'Cluster');
    const tlsService = tlsIn(own, 'Tls', cluster);
    const tcpService = new NetworkService(own, 'Tcp', { cluster, image, port: 5432 });
    tcpService.loadBalancer.addListener('Tls', {
      port: 443,
      certificates: [{ certificateArn: certArn }],
      defaultTargetGroups: [tcpService.targetGroup],
    });
    expect(tcpService.enableAccessLogs()).toBe(tlsService.accessLogsBucket);
    expect(tcpService.enableAccessLogs()).toBe(tcpService.accessLogsBucket);
    Template.fromStack(own).resourceCountIs('AWS::S3::Bucket', 2);
  });
});

describe('NetworkService rejects bad input with the prop name and a fix', () => {
  const bad = plainStack('Bad');
  const badCluster = new FoundryCluster(bad, 'Cluster');
  const privateOnly = new FoundryCluster(bad, 'Private', { publicSubnets: false });
  const privateRepo = ecr.Repository.fromRepositoryName(bad, 'Repo', 'postgres');
  let n = 0;
  const make = (p: Partial<NetworkServiceProps>) => () => new NetworkService(bad, `N${n++}`, { cluster: badCluster, image, port: 5432, ...p } as NetworkServiceProps);
  const cert = acm.Certificate.fromCertificateArn(bad, 'Cert', certArn);

  test.each<[string, Partial<NetworkServiceProps>, RegExp]>([
    ['no port', { port: undefined }, /invalid port = undefined\. A network service needs the port/],
    ['TLS without a certificate', { protocol: NetworkProtocol.TLS }, /invalid certificate = undefined\. A TLS listener needs an ACM certificate/],
    ['certificate on TCP', { certificate: cert }, /invalid certificate = .*A TCP listener does not terminate TLS/],
    ['UDP without a health check port', { protocol: NetworkProtocol.UDP, ports: [{ port: 53, protocol: ecs.Protocol.UDP }], port: undefined }, /invalid targetHealthCheck\.port = undefined\. UDP targets are health-checked over TCP/],
    ['UDP on a TCP container port', { protocol: NetworkProtocol.UDP, port: undefined, ports: [{ port: 53 }], targetHealthCheck: { port: 8080 } }, /invalid ports = .*must be a UDP port/],
    ['listener port 0', { listenerPort: 0 }, /invalid listenerPort = 0/],
    // An image from this region's ECR: tasks in the isolated subnets of a VPC without public subnets can pull it.
    ['internet-facing without public subnets', { cluster: privateOnly, loadBalancerOptions: { internetFacing: true }, image: ecs.ContainerImage.fromEcrRepository(privateRepo, 'v1') }, /invalid internetFacing = true\. The cluster's VPC has no public subnets/],
    ['PrivateLink with no principals', { privateLink: { allowedPrincipals: [] } }, /invalid privateLink\.allowedPrincipals = \[\]/],
    ['PrivateLink on an internet-facing NLB', { loadBalancerOptions: { internetFacing: true }, privateLink: { allowedPrincipals: [new iam.ArnPrincipal('arn:aws:iam::210987654321:root')] } }, /invalid privateLink = 'internetFacing: true'/],
    ['bad client range', { loadBalancerOptions: { allowedCidrs: ['10.0.0.0'] } }, /invalid allowedCidrs = '10\.0\.0\.0'/],
    // Not in NetworkServiceProps' types (WebService only, issue 11); still rejected for untyped callers.
    ['requests per task behind an NLB', { scaling: { maxTasks: 3, requestsPerTask: 100 } as NetworkServiceProps['scaling'] }, /invalid scaling\.requestsPerTask = 100\. Request-count scaling needs an Application Load Balancer/],
    ['blue/green behind an NLB', { deployment: { blueGreen: {} } as NetworkServiceProps['deployment'] }, /invalid deployment\.blueGreen = .*use it with WebService/],
    ['deregistration delay too long', { deregistrationDelay: Duration.hours(2) }, /invalid deregistrationDelay \(seconds\) = 7200/],
    ['health check every 4 s', { targetHealthCheck: { interval: Duration.seconds(4) } }, /invalid targetHealthCheck\.interval \(seconds\) = 4\. Use a whole number between 5 and 300/],
    ['health check timeout of 1 s', { targetHealthCheck: { timeout: Duration.seconds(1) } }, /invalid targetHealthCheck\.timeout \(seconds\) = 1\. Use a whole number between 2 and 120/],
    ['health check timeout as long as the interval', { targetHealthCheck: { interval: Duration.seconds(10), timeout: Duration.seconds(10) } }, /invalid targetHealthCheck\.timeout = '10 s'\. The timeout must be shorter than the interval/],
    ['healthy threshold of 1', { targetHealthCheck: { healthyThreshold: 1 } }, /invalid targetHealthCheck\.healthyThreshold = 1\. Use a whole number between 2 and 10/],
    ['unhealthy threshold of 11', { targetHealthCheck: { unhealthyThreshold: 11 } }, /invalid targetHealthCheck\.unhealthyThreshold = 11\. Use a whole number between 2 and 10/],
    ['health check port 70000', { targetHealthCheck: { port: 70_000 } }, /invalid targetHealthCheck\.port = 70000/],
    ['access logs kept half a day', { loadBalancerOptions: { accessLogsRetention: Duration.hours(12) } }, /invalid accessLogsRetention \(days\) = 0\.5/],
  ])('%s', (_name, p, message) => {
    expect(make(p)).toThrow(message);
  });
});
