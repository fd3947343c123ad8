import { CfnResource, Duration, Fn, RemovalPolicy, Stack, TimeZone } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as route53 from 'aws-cdk-lib/aws-route53';
import { Capacity, Ec2Capacity, FoundryCluster, Schedule, WebLoadBalancer, WebService, WebServiceProps } from '../../src';
import { autoDeleteObjectsOf } from '../../src/private/access-logs';
import { resolveScaling } from '../../src/scaling/service-scaling';
import { deletedBefore, logicalIdOf } from '../support/access-logs-deletion';
import { plainStack } from '../support/stacks';
import { subtreeTemplate } from '../support/subtree';

const image = ecs.ContainerImage.fromRegistry('public.ecr.aws/nginx/nginx:stable');
const certArn = 'arn:aws:acm:us-east-1:123456789012:certificate/11111111-2222-3333-4444-555555555555';

/** GIVEN: a default web service with its own load balancer. */
function buildOwn() {
  const ownStack = plainStack('Own');
  const ownCluster = new FoundryCluster(ownStack, 'Cluster');
  const own = new WebService(ownStack, 'Web', {
    cluster: ownCluster, image, port: 8080, certificate: acm.Certificate.fromCertificateArn(ownStack, 'Cert', certArn),
  });
  const ownTemplate = Template.fromStack(ownStack);
  return { ownStack, own, ownTemplate };
}

/** GIVEN: three services sharing one load balancer: Spot with scaling and blue/green, EC2 with a domain, Fargate by path. */
function buildShared() {
  const sharedStack = plainStack('Shared');
  const sharedCluster = new FoundryCluster(sharedStack, 'Cluster');
  const ec2Capacity = sharedCluster.addEc2Capacity('Ec2', { instanceType: new ec2.InstanceType('m7i.large') });
  const zone = route53.HostedZone.fromHostedZoneAttributes(sharedStack, 'Zone', { hostedZoneId: 'Z0123456789', zoneName: 'example.com' });
  const alb = new WebLoadBalancer(sharedStack, 'Alb', { cluster: sharedCluster, certificate: acm.Certificate.fromCertificateArn(sharedStack, 'Cert', certArn) });
  const rollbackAlarm = new cloudwatch.Alarm(sharedStack, 'Errors', {
    metric: new cloudwatch.Metric({ namespace: 'App', metricName: 'Errors' }), threshold: 1, evaluationPeriods: 1,
  });
  const api = new WebService(sharedStack, 'Api', {
    cluster: sharedCluster,
    image,
    port: 8080,
    loadBalancer: alb,
    pathPatterns: ['/api/*'],
    capacity: Capacity.spot({ onDemandBase: 1 }),
    scaling: { minTasks: 2, maxTasks: 20, cpuPercent: 60, memoryPercent: 75, requestsPerTask: 500 },
    enableExecuteCommand: true,
    deployment: { blueGreen: { bakeTime: Duration.minutes(5) }, alarms: [rollbackAlarm] },
    targetHealthCheck: { path: '/health' },
  });
  api.scaleOnSchedule('NightlyLow', { schedule: Schedule.cron('0 22 * * ? *'), timeZone: TimeZone.EUROPE_BERLIN, minTasks: 1, maxTasks: 4 });
  api.scaleOnMetric('Backlog', {
    metric: new cloudwatch.Metric({ namespace: 'App', metricName: 'Backlog' }),
    steps: [{ upper: 10, change: -1 }, { lower: 100, change: 2 }],
  });
  const site = new WebService(sharedStack, 'Site', {
    cluster: sharedCluster,
    image,
    port: 3000,
    loadBalancer: alb,
    domainName: 'www.example.com',
    hostedZone: zone,
    capacity: Capacity.ec2(ec2Capacity),
    desiredCount: 3,
  });
  const docs = new WebService(sharedStack, 'Docs', { cluster: sharedCluster, image, port: 8080, loadBalancer: alb, pathPatterns: ['/docs/*'] });
  const sharedTemplate = Template.fromStack(sharedStack);
  return { sharedStack, ec2Capacity, alb, rollbackAlarm, api, site, docs, sharedTemplate };
}

let ownStack: Stack;
let own: WebService;
let ownTemplate: Template;
let sharedStack: Stack;
let ec2Capacity: Ec2Capacity;
let alb: WebLoadBalancer;
let rollbackAlarm: cloudwatch.Alarm;
let api: WebService;
let site: WebService;
let docs: WebService;
let sharedTemplate: Template;
beforeAll(() => {
  ({ ownStack, own, ownTemplate } = buildOwn());
  ({ sharedStack, ec2Capacity, alb, rollbackAlarm, api, site, docs, sharedTemplate } = buildShared());
});

const cfnProviderOf = (capacity: { capacityProvider: ecs.AsgCapacityProvider }) =>
  capacity.capacityProvider.node.children.find(c => c instanceof ecs.CfnCapacityProvider) as ecs.CfnCapacityProvider;
const resourceOf = (t: Template, stack: Stack, construct: any) => t.toJSON().Resources[stack.getLogicalId(construct.node.defaultChild ?? construct)];
const serviceOf = (t: Template, stack: Stack, svc: WebService) => resourceOf(t, stack, svc.ecsService).Properties;

describe('WebService with its own load balancer', () => {
  test('an internet-facing ALB that drops invalid headers, is protected from deletion and logs to S3', () => {
    ownTemplate.hasResourceProperties('AWS::ElasticLoadBalancingV2::LoadBalancer', {
      Scheme: 'internet-facing',
      LoadBalancerAttributes: Match.arrayWith([
        { Key: 'deletion_protection.enabled', Value: 'true' },
        { Key: 'routing.http.drop_invalid_header_fields.enabled', Value: 'true' },
        { Key: 'access_logs.s3.enabled', Value: 'true' },
      ]),
    });
  });

  test('HTTPS on 443 with a TLS 1.2+ policy, and HTTP redirected to HTTPS', () => {
    ownTemplate.hasResourceProperties('AWS::ElasticLoadBalancingV2::Listener', {
      Port: 443,
      Protocol: 'HTTPS',
      Certificates: [{ CertificateArn: certArn }],
      SslPolicy: 'ELBSecurityPolicy-TLS13-1-2-2021-06',
      DefaultActions: [Match.objectLike({ Type: 'fixed-response', FixedResponseConfig: Match.objectLike({ StatusCode: '404' }) })],
    });
    ownTemplate.hasResourceProperties('AWS::ElasticLoadBalancingV2::Listener', {
      Port: 80,
      Protocol: 'HTTP',
      DefaultActions: [{ Type: 'redirect', RedirectConfig: { Port: '443', Protocol: 'HTTPS', StatusCode: 'HTTP_301' } }],
    });
  });

  test('clients reach the ALB on 443 and 80 only; tasks admit the ALB on the container port only', () => {
    const albSg = resourceOf(ownTemplate, ownStack, own.loadBalancer.securityGroup).Properties;
    expect(albSg.SecurityGroupIngress).toEqual([
      expect.objectContaining({ CidrIp: '0.0.0.0/0', FromPort: 443, ToPort: 443, IpProtocol: 'tcp' }),
      expect.objectContaining({ CidrIp: '0.0.0.0/0', FromPort: 80, ToPort: 80, IpProtocol: 'tcp' }),
    ]);
    // Inline in the task security group (one resource less per service), and nothing else comes in.
    expect(resourceOf(ownTemplate, ownStack, own.workload.securityGroup).Properties.SecurityGroupIngress).toEqual([expect.objectContaining({
      FromPort: 8080,
      ToPort: 8080,
      IpProtocol: 'tcp',
      SourceSecurityGroupId: { 'Fn::GetAtt': [ownStack.getLogicalId(own.loadBalancer.securityGroup.node.defaultChild as any), 'GroupId'] },
    })]);
    const taskSgId = ownStack.getLogicalId(own.workload.securityGroup.node.defaultChild as any);
    expect(Object.values<any>(ownTemplate.findResources('AWS::EC2::SecurityGroupIngress'))
      .filter(r => r.Properties.GroupId?.['Fn::GetAtt']?.[0] === taskSgId)).toEqual([]);
  });

  test('a WAF web ACL with AWS managed rules, logged, is associated with the ALB', () => {
    ownTemplate.hasResourceProperties('AWS::WAFv2::WebACL', {
      Scope: 'REGIONAL',
      Rules: [
        Match.objectLike({ Name: 'AWSManagedRulesCommonRuleSet' }),
        Match.objectLike({ Name: 'AWSManagedRulesKnownBadInputsRuleSet' }),
        Match.objectLike({ Name: 'AWSManagedRulesAmazonIpReputationList' }),
      ],
    });
    ownTemplate.resourceCountIs('AWS::WAFv2::WebACLAssociation', 1);
    ownTemplate.resourceCountIs('AWS::WAFv2::LoggingConfiguration', 1);
  });

  test('the WAF log group is named after its web ACL, so a new stack or load balancer never meets a retained group', () => {
    // Retained and named: a fixed name fails with "already exists" when the stack or the load balancer is created again.
    const webAclId = ownStack.getLogicalId(own.loadBalancer.webAcl!);
    const logGroup = resourceOf(ownTemplate, ownStack, own.loadBalancer.node.findChild('WebAclLogGroup'));
    expect(logGroup.DeletionPolicy).toBe('Retain');
    expect(logGroup.Properties.LogGroupName).toEqual({
      'Fn::Join': ['', [expect.stringMatching(/^aws-waf-logs-[A-Za-z0-9-]+-$/), { 'Fn::GetAtt': [webAclId, 'Id'] }]],
    });
  });

  test('access logs go to an encrypted, versioned, TLS-only bucket that expires them', () => {
    ownTemplate.hasResource('AWS::S3::Bucket', {
      Properties: {
        BucketEncryption: { ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }] },
        VersioningConfiguration: { Status: 'Enabled' },
        PublicAccessBlockConfiguration: { BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true },
        LifecycleConfiguration: { Rules: [Match.objectLike({ ExpirationInDays: 90, Status: 'Enabled' })] },
        LoggingConfiguration: Match.objectLike({ LogFilePrefix: 'access-logs-bucket/' }),
      },
      DeletionPolicy: 'Retain',
    });
  });

  test('the target group checks health fast: every 10 s, healthy after 2, 30 s deregistration', () => {
    ownTemplate.hasResourceProperties('AWS::ElasticLoadBalancingV2::TargetGroup', {
      TargetType: 'ip',
      Port: 8080,
      Protocol: 'HTTP',
      HealthCheckPath: '/',
      HealthCheckIntervalSeconds: 10,
      HealthCheckTimeoutSeconds: 5,
      HealthyThresholdCount: 2,
      UnhealthyThresholdCount: 3,
      Matcher: { HttpCode: '200-399' },
      TargetGroupAttributes: Match.arrayWith([{ Key: 'deregistration_delay.timeout_seconds', Value: '30' }]),
    });
    expect(own.modeledReplacementTime.toSeconds()).toBe(50);
  });

  test('safe deployments by default: circuit breaker with rollback, 100/200 %, tags, AZ rebalancing, 2 tasks', () => {
    expect(serviceOf(ownTemplate, ownStack, own)).toMatchObject({
      DeploymentConfiguration: {
        DeploymentCircuitBreaker: { Enable: true, Rollback: true },
        MinimumHealthyPercent: 100,
        MaximumPercent: 200,
      },
      DesiredCount: 2,
      EnableECSManagedTags: true,
      PropagateTags: 'SERVICE',
      AvailabilityZoneRebalancing: 'ENABLED',
      EnableExecuteCommand: false,
      HealthCheckGracePeriodSeconds: 30,
      CapacityProviderStrategy: [{ CapacityProvider: 'FARGATE', Weight: 1 }],
      NetworkConfiguration: { AwsvpcConfiguration: expect.objectContaining({ AssignPublicIp: 'DISABLED' }) },
    });
  });

  test('a catch-all listener rule forwards to the service', () => {
    expect(resourceOf(ownTemplate, ownStack, own.listenerRule).Properties).toMatchObject({
      Conditions: [{ Field: 'path-pattern', PathPatternConfig: { Values: ['/*'] } }],
      Priority: own.priority,
    });
    expect(own.priority).toBeGreaterThan(40_000);
  });

  test('its own part of the template (with its load balancer) matches the snapshot', () => {
    expect(subtreeTemplate(own, ownTemplate)).toMatchSnapshot();
  });

  test('access-log buckets are retained with the cluster\'s default removalPolicy', () => {
    const buckets = Object.values<any>(subtreeTemplate(own.loadBalancer, ownTemplate).Resources).filter(r => r.Type === 'AWS::S3::Bucket');
    expect(buckets.map(b => [b.DeletionPolicy, b.UpdateReplacePolicy])).toEqual([['Retain', 'Retain'], ['Retain', 'Retain']]);
  });
});

describe('the cluster\'s removalPolicy reaches the load balancer\'s access-log buckets', () => {
  const destroyedAlb = (deletionProtection?: boolean) => {
    const stack = plainStack('Destroy');
    const cluster = new FoundryCluster(stack, 'Cluster', { removalPolicy: RemovalPolicy.DESTROY });
    const destroyed = new WebLoadBalancer(stack, 'Alb', { cluster, allowHttp: true, deletionProtection });
    return { destroyed, template: Template.fromStack(stack) };
  };
  const attribute = (t: Template, lb: WebLoadBalancer, key: string) =>
    t.toJSON().Resources[logicalIdOf(lb.loadBalancer)].Properties.LoadBalancerAttributes.find((a: any) => a.Key === key)?.Value;

  test('DESTROY: both buckets are emptied and deleted with the stack', () => {
    const { destroyed, template } = destroyedAlb();
    const buckets = Object.values<any>(subtreeTemplate(destroyed, template).Resources).filter(r => r.Type === 'AWS::S3::Bucket');
    expect(buckets.map(b => [b.DeletionPolicy, b.UpdateReplacePolicy])).toEqual([['Delete', 'Delete'], ['Delete', 'Delete']]);
    template.resourceCountIs('Custom::S3AutoDeleteObjects', 2);
  });

  test('DESTROY: the load balancer is deleted before its log bucket is emptied, the log bucket before its server-log bucket is emptied', () => {
    const { destroyed, template } = destroyedAlb();
    const logs = destroyed.accessLogsBucket;
    const serverLogs = destroyed.node.findChild('ServerAccessLogsBucket');
    const json = template.toJSON() as any;
    expect(deletedBefore(json, logicalIdOf(destroyed.loadBalancer), logicalIdOf(autoDeleteObjectsOf(logs)!))).toBe(true);
    expect(deletedBefore(json, logicalIdOf(logs), logicalIdOf(autoDeleteObjectsOf(serverLogs)!))).toBe(true);
    // and not the other way round (a cycle would fail the deployment)
    expect(deletedBefore(json, logicalIdOf(autoDeleteObjectsOf(logs)!), logicalIdOf(destroyed.loadBalancer))).toBe(false);
  });

  test('DESTROY: no deletion protection unless asked for, since the stack is disposable', () => {
    const byDefault = destroyedAlb();
    expect(attribute(byDefault.template, byDefault.destroyed, 'deletion_protection.enabled')).toBe('false');
    const asked = destroyedAlb(true);
    expect(attribute(asked.template, asked.destroyed, 'deletion_protection.enabled')).toBe('true');
  });
});

describe('target health check options', () => {
  test('a health check port of its own: the target group checks it and the tasks admit the load balancer on it', () => {
    const stack = plainStack('HealthPort');
    const cluster = new FoundryCluster(stack, 'Cluster');
    const svc = new WebService(stack, 'Web', {
      cluster,
      image,
      port: 8080,
      loadBalancerOptions: { allowHttp: true },
      targetHealthCheck: { port: 8081, path: '/health', interval: Duration.seconds(15), timeout: Duration.seconds(4), healthyThreshold: 3, unhealthyThreshold: 4 },
    });
    const template = Template.fromStack(stack);
    expect(resourceOf(template, stack, svc.targetGroup).Properties).toMatchObject({
      HealthCheckPort: '8081',
      HealthCheckPath: '/health',
      HealthCheckIntervalSeconds: 15,
      HealthCheckTimeoutSeconds: 4,
      HealthyThresholdCount: 3,
      UnhealthyThresholdCount: 4,
    });
    const ingress = resourceOf(template, stack, svc.workload.securityGroup).Properties.SecurityGroupIngress;
    expect(ingress.map((r: any) => r.FromPort).sort()).toEqual([8080, 8081]);
    expect(svc.modeledReplacementTime.toSeconds()).toBe(15 * 3 + 30);
  });
});

describe('WebServices sharing a load balancer', () => {
  test('one load balancer, one HTTPS listener, a rule per service with distinct priorities', () => {
    sharedTemplate.resourceCountIs('AWS::ElasticLoadBalancingV2::LoadBalancer', 1);
    sharedTemplate.resourceCountIs('AWS::ElasticLoadBalancingV2::ListenerRule', 4); // api + its test route, site, docs
    const priorities = Object.values<any>(sharedTemplate.findResources('AWS::ElasticLoadBalancingV2::ListenerRule')).map(r => r.Properties.Priority);
    expect(new Set(priorities).size).toBe(priorities.length);
    expect(alb.ruleCount).toBe(4);
  });

  test('more specific routes come first: host before path', () => {
    expect(site.priority).toBeLessThan(api.priority);
    expect(site.priority).toBeLessThan(docs.priority);
  });

  test('a domain gets a DNS-validated certificate on the shared listener and an alias record', () => {
    sharedTemplate.hasResourceProperties('AWS::CertificateManager::Certificate', {
      DomainName: 'www.example.com',
      ValidationMethod: 'DNS',
      DomainValidationOptions: [{ DomainName: 'www.example.com', HostedZoneId: 'Z0123456789' }],
    });
    sharedTemplate.resourceCountIs('AWS::ElasticLoadBalancingV2::ListenerCertificate', 1);
    sharedTemplate.hasResourceProperties('AWS::Route53::RecordSet', { Name: 'www.example.com.', Type: 'A', HostedZoneId: 'Z0123456789' });
    expect(resourceOf(sharedTemplate, sharedStack, site.listenerRule).Properties.Conditions).toEqual([
      { Field: 'host-header', HostHeaderConfig: { Values: ['www.example.com'] } },
      { Field: 'path-pattern', PathPatternConfig: { Values: ['/*'] } },
    ]);
  });

  test('each capacity maps to its strategy and the right service type', () => {
    expect(serviceOf(sharedTemplate, sharedStack, api).CapacityProviderStrategy).toEqual([
      { CapacityProvider: 'FARGATE', Base: 1, Weight: 0 },
      { CapacityProvider: 'FARGATE_SPOT', Weight: 1 },
    ]);
    expect(serviceOf(sharedTemplate, sharedStack, site).CapacityProviderStrategy).toEqual([
      { CapacityProvider: { Ref: sharedStack.getLogicalId(cfnProviderOf(ec2Capacity)) }, Weight: 1 },
    ]);
    expect(api.ecsService).toBeInstanceOf(ecs.FargateService);
    expect(site.ecsService).toBeInstanceOf(ecs.Ec2Service);
    expect(serviceOf(sharedTemplate, sharedStack, site).DesiredCount).toBe(3);
  });

  test('with scaling, the template leaves the desired count to auto scaling', () => {
    expect(serviceOf(sharedTemplate, sharedStack, api).DesiredCount).toBeUndefined();
    sharedTemplate.hasResourceProperties('AWS::ApplicationAutoScaling::ScalableTarget', { MinCapacity: 2, MaxCapacity: 20 });
  });

  test('target tracking on CPU, memory and ALB requests per task', () => {
    const policies = Object.values<any>(sharedTemplate.findResources('AWS::ApplicationAutoScaling::ScalingPolicy')).map(p => p.Properties);
    const tracking = policies.filter(p => p.PolicyType === 'TargetTrackingScaling').map(p => p.TargetTrackingScalingPolicyConfiguration);
    expect(tracking).toEqual(expect.arrayContaining([
      expect.objectContaining({ TargetValue: 60, PredefinedMetricSpecification: { PredefinedMetricType: 'ECSServiceAverageCPUUtilization' } }),
      expect.objectContaining({ TargetValue: 75, PredefinedMetricSpecification: { PredefinedMetricType: 'ECSServiceAverageMemoryUtilization' } }),
      // Blue/green: requests per target over both target groups (production traffic alternates between them).
      expect.objectContaining({
        TargetValue: 500,
        CustomizedMetricSpecification: expect.objectContaining({
          Metrics: expect.arrayContaining([expect.objectContaining({ Expression: 'FILL(requestsa, 0) + FILL(requestsb, 0)' })]),
        }),
      }),
    ]));
    expect(policies.some(p => p.PolicyType === 'StepScaling')).toBe(true);
  });

  test('scheduled scaling with a time zone', () => {
    sharedTemplate.hasResourceProperties('AWS::ApplicationAutoScaling::ScalableTarget', {
      ScheduledActions: [Match.objectLike({
        Schedule: 'cron(0 22 * * ? *)', Timezone: 'Europe/Berlin', ScalableTargetAction: { MinCapacity: 1, MaxCapacity: 4 },
      })],
    });
  });

  test('native blue/green: BLUE_GREEN strategy, bake time, alternate target group, test route by header', () => {
    const svc = serviceOf(sharedTemplate, sharedStack, api);
    expect(svc.DeploymentConfiguration).toMatchObject({ Strategy: 'BLUE_GREEN', BakeTimeInMinutes: 5 });
    expect(svc.LoadBalancers[0].AdvancedConfiguration).toMatchObject({
      AlternateTargetGroupArn: { Ref: sharedStack.getLogicalId(api.alternateTargetGroup!.node.defaultChild as any) },
      ProductionListenerRule: { Ref: sharedStack.getLogicalId(api.listenerRule.node.defaultChild as any) },
      TestListenerRule: expect.anything(),
      RoleArn: expect.anything(),
    });
    sharedTemplate.hasResourceProperties('AWS::ElasticLoadBalancingV2::ListenerRule', {
      Conditions: Match.arrayWith([{ Field: 'http-header', HttpHeaderConfig: { HttpHeaderName: 'x-foundry-test', Values: ['*'] } }]),
    });
  });

  test('a blue/green service warns that route changes re-apply the production rule\'s action (aws-cdk#36649)', () => {
    // Read from the construct metadata (the stacks are already synthesized once).
    const warnings = (service: WebService) => service.node.findAll().flatMap(c => c.node.metadata)
      .filter(m => m.type === 'aws:cdk:warning' && /native blue\/green/.test(String(m.data))).map(m => String(m.data));
    // THEN: the warning names the changes that update the rule, the outage and the safe procedure...
    expect(warnings(api)).toEqual([expect.stringMatching(
      /^Shared\/Api uses native blue\/green: .*hostHeaders, pathPatterns, domainName, priority, load balancer or target group.*primary one is empty and clients get 503 errors.*only while traffic is on the primary target group.*'Blue\/green and route changes'/)]);
    // ...and services without blue/green do not get it.
    expect([site, docs, own].flatMap(warnings)).toEqual([]);
  });

  test('deployment alarms roll back and ECS Exec is opted in', () => {
    // The given alarm, then the blue/green service's own alarms (rollbackOnAlarm defaults to true), by physical name:
    // the alarms read the service's metrics, so a Ref would be a circular dependency.
    // Fewer running tasks than desired has an alarm of its own, on the alert topic only: capacity still starting is no
    // reason to roll back.
    expect(api.alarms.map(a => a.node.id)).toEqual(['Unhealthy', 'RunningTasks']);
    const ownNames = [(api.alarms[0].node.defaultChild as any).alarmName];
    expect(ownNames).toEqual(['Shared-Api-Alarms-Unhealthy-F2DAB132']);
    expect(serviceOf(sharedTemplate, sharedStack, api)).toMatchObject({
      DeploymentConfiguration: {
        Alarms: {
          AlarmNames: [{ Ref: sharedStack.getLogicalId(rollbackAlarm.node.defaultChild as any) }, ...ownNames], Enable: true, Rollback: true,
        },
      },
      EnableExecuteCommand: true,
    });
    // The exec agent needs writable state directories in a read-only root file system.
    const taskDef = resourceOf(sharedTemplate, sharedStack, api.taskDefinition).Properties;
    expect(taskDef.ContainerDefinitions[0].MountPoints.map((m: any) => m.ContainerPath)).toEqual(['/tmp', '/var/lib/amazon', '/var/log/amazon']);
  });

  test.each([['the load balancer', () => alb], ['Api', () => api], ['Site', () => site], ['Docs', () => docs]])('%s: its own part of the template matches the snapshot', (_name, construct) => {
    expect(subtreeTemplate(construct(), sharedTemplate)).toMatchSnapshot();
  });
});

describe('routing order on a shared load balancer', () => {
  const stack = plainStack('Order');
  const cluster = new FoundryCluster(stack, 'Cluster');
  const orderAlb = new WebLoadBalancer(stack, 'Alb', { cluster, allowHttp: true });
  const svc = (id: string, props: Partial<WebServiceProps>) =>
    new WebService(stack, id, { cluster, image, port: 8080, loadBalancer: orderAlb, ...props } as WebServiceProps);
  // Added general first: a hash inside a band could put the general route first, and it would take the specific
  // route's traffic.
  const apiAll = svc('ApiAll', { pathPatterns: ['/api/*'] });
  const apiV1 = svc('ApiV1', { pathPatterns: ['/api/v1/*'], deployment: { blueGreen: {} } });
  const apiV1Users = svc('ApiV1Users', { pathPatterns: ['/api/v1/users'] });
  const anySub = svc('AnySub', { hostHeaders: ['*.example.com'] });
  const apiHost = svc('ApiHost', { hostHeaders: ['api.example.com'] });
  const catchAll = svc('CatchAll', {});

  test('a route inside another comes first, whatever the order services were added in', () => {
    expect(apiV1Users.priority).toBeLessThan(apiV1.priority);
    expect(apiV1.priority).toBeLessThan(apiAll.priority);
    expect(apiHost.priority).toBeLessThan(anySub.priority);
    expect(apiAll.priority).toBeLessThan(catchAll.priority);
  });

  test('a blue/green test rule sits right before its production rule', () => {
    const template = Template.fromStack(stack);
    const test = Object.values<any>(template.findResources('AWS::ElasticLoadBalancingV2::ListenerRule'))
      .find(r => r.Properties.Conditions.some((c: any) => c.Field === 'http-header'));
    expect(test.Properties.Priority).toBe(apiV1.priority - 1);
    expect(apiV1Users.priority).toBeLessThan(apiV1.priority - 1);
  });
});

describe('WebService rejects bad input with the prop name and a fix', () => {
  const stack = plainStack('Bad');
  const cluster = new FoundryCluster(stack, 'Cluster');
  const cert = acm.Certificate.fromCertificateArn(stack, 'Cert', certArn);
  const shared = new WebLoadBalancer(stack, 'Alb', { cluster, certificate: cert });
  let n = 0;
  const make = (props: Partial<WebServiceProps>) => () =>
    new WebService(stack, `Svc${n++}`, { cluster, image, port: 8080, certificate: cert, ...props } as WebServiceProps);

  test.each<[string, Partial<WebServiceProps>, RegExp]>([
    ['no port', { port: undefined }, /invalid port = undefined\. A web service needs the port/],
    ['no certificate without the HTTP opt-in', { certificate: undefined }, /invalid certificate = undefined\. HTTPS needs a certificate/],
    ['domain without zone', { domainName: 'api.example.com', certificate: undefined }, /invalid hostedZone = 'api\.example\.com'\. domainName and hostedZone go together/],
    ['domain outside the zone', {
      domainName: 'api.other.org', hostedZone: route53.HostedZone.fromHostedZoneAttributes(stack, 'Z', { hostedZoneId: 'Z1', zoneName: 'example.com' }),
    }, /invalid domainName = 'api\.other\.org'\. The name is not in the hosted zone 'example\.com'/],
    ['shared and own load balancer options', { loadBalancer: shared, loadBalancerOptions: { allowHttp: true }, hostHeaders: ['a.example.com'] }, /invalid loadBalancerOptions = .*pass either loadBalancer or loadBalancerOptions/],
    ['path without a slash', { loadBalancer: shared, pathPatterns: ['api/*'] }, /invalid pathPatterns = 'api\/\*'\. Use paths starting with '\/'/],
    ['four paths', { loadBalancer: shared, pathPatterns: ['/a', '/b', '/c', '/d'] }, /invalid pathPatterns = \['\/a', '\/b', '\/c', '\/d'\]\. A listener rule condition takes at most 3 values .*load-balancer-limits\.html.*split the routes over several services/],
    ['four host headers', { loadBalancer: shared, hostHeaders: ['a.example.com', 'b.example.com', 'c.example.com', 'd.example.com'] }, /invalid hostHeaders = .*A listener rule condition takes at most 3 values/],
    ['three hosts and three paths', { loadBalancer: shared, hostHeaders: ['a.example.com', 'b.example.com', 'c.example.com'], pathPatterns: ['/a', '/b', '/c'] }, /invalid pathPatterns = .*A listener rule matches at most 5 values in all .* this one needs 6: 3 host\(s\) \+ 3 path\(s\)\. Split the routes/],
    ['three hosts, two paths and blue/green', {
      loadBalancer: shared, hostHeaders: ['a.example.com', 'b.example.com', 'c.example.com'], pathPatterns: ['/a', '/b'], deployment: { blueGreen: {} },
    }, /this one needs 6: 3 host\(s\) \+ 2 path\(s\) \+ the blue\/green test header/],
    ['six wildcards in one rule', { loadBalancer: shared, hostHeaders: ['*.a.com', '*.b.com', '*.c.com'], pathPatterns: ['/x/*/y*z*'] }, /at most 5 wildcard characters .* this one has 6/],
    ['a host without a dot', { loadBalancer: shared, hostHeaders: ['localhost'] }, /invalid hostHeaders = 'localhost'\. .*at least one '\.'/],
    ['a host ending in a wildcard', { loadBalancer: shared, hostHeaders: ['example.*'] }, /invalid hostHeaders = 'example\.\*'/],
    ['a certificate on a plain-HTTP load balancer of its own', { loadBalancerOptions: { allowHttp: true } }, /invalid certificate = .*serves plain HTTP \(allowHttp\), so the certificate would be dropped/],
    ['priority out of range', { loadBalancer: shared, pathPatterns: ['/x/*'], priority: 60000 }, /invalid priority = 60000\. Use a whole number between 1 and 50000/],
    ['health check timeout not below interval', { targetHealthCheck: { interval: Duration.seconds(5), timeout: Duration.seconds(5) } }, /invalid targetHealthCheck\.timeout = '5 s'\. The timeout must be shorter than the interval \(5 s\)/],
    ['healthy threshold of 1', { targetHealthCheck: { healthyThreshold: 1 } }, /invalid targetHealthCheck\.healthyThreshold = 1\. Use a whole number between 2 and 10/],
    ['health check path not absolute', { targetHealthCheck: { path: 'health' } }, /invalid targetHealthCheck\.path = 'health'/],
    ['bad healthy codes', { targetHealthCheck: { healthyHttpCodes: '2xx' } }, /invalid targetHealthCheck\.healthyHttpCodes = '2xx'/],
    ['deregistration delay over an hour', { deregistrationDelay: Duration.hours(2) }, /invalid deregistrationDelay \(seconds\) = 7200/],
    ['health check port 0', { targetHealthCheck: { port: 0 } }, /invalid targetHealthCheck\.port = 0\. Use a whole number between 1 and 65535/],
    ['health check every 301 s', { targetHealthCheck: { interval: Duration.seconds(301) } }, /invalid targetHealthCheck\.interval \(seconds\) = 301/],
    ['unhealthy threshold of 11', { targetHealthCheck: { unhealthyThreshold: 11 } }, /invalid targetHealthCheck\.unhealthyThreshold = 11/],
    ['access logs kept 11 years', { loadBalancerOptions: { accessLogsRetention: Duration.days(4015) } }, /WebLoadBalancer 'Bad\/Svc\d+\/LoadBalancer': invalid accessLogsRetention \(days\) = 4015/],
    ['idle timeout of 0.5 s', { loadBalancerOptions: { idleTimeout: Duration.millis(500) } }, /invalid idleTimeout \(seconds\) = 0\.5/],
    ['scaling min above max', { scaling: { minTasks: 5, maxTasks: 2 } }, /invalid scaling\.minTasks = 5\. minTasks must not exceed maxTasks \(2\)/],
    ['scaling CPU above 100 %', { scaling: { maxTasks: 4, cpuPercent: 150 } }, /invalid scaling\.cpuPercent = 150\. Use a number between 1 and 100/],
    ['scaling memory 0 %', { scaling: { maxTasks: 4, memoryPercent: 0 } }, /invalid scaling\.memoryPercent = 0/],
    ['desired count with scaling', { desiredCount: 3, scaling: { maxTasks: 4 } }, /invalid desiredCount = 3\. With scaling the task count is auto scaling's to set/],
    ['min healthy above 100 %', { deployment: { minHealthyPercent: 150 } }, /invalid deployment\.minHealthyPercent = 150/],
    ['a deployment that cannot move', { deployment: { minHealthyPercent: 100, maxHealthyPercent: 100 } }, /invalid deployment\.maxHealthyPercent = 100\. With minHealthyPercent 100 and maxHealthyPercent 100/],
    ['bad test header', { deployment: { blueGreen: { testHeader: 'x test' } } }, /invalid deployment\.blueGreen\.testHeader = 'x test'/],
    ['Windows on Spot', { operatingSystemFamily: ecs.OperatingSystemFamily.WINDOWS_SERVER_2022_CORE, cpu: 1024, memoryMiB: 2048, capacity: Capacity.spot() }, /Fargate Spot does not run Windows containers/],
  ])('%s', (_name, props, message) => {
    expect(make(props)).toThrow(message);
  });

  test('two catch-all services on one load balancer', () => {
    make({ loadBalancer: shared, certificate: undefined })();
    expect(make({ loadBalancer: shared, certificate: undefined }))
      .toThrow(/invalid hostHeaders = \[\]\. On Bad\/Alb 'Bad\/Svc\d+' already routes exactly these requests \(any host \/ every path\), so the second rule would never match/);
  });

  test('the same host and path on two services names both (hosts compare case-insensitively)', () => {
    make({ loadBalancer: shared, certificate: undefined, hostHeaders: ['dup.example.com'], pathPatterns: ['/v1/*'] })();
    expect(make({ loadBalancer: shared, certificate: undefined, hostHeaders: ['DUP.example.com'], pathPatterns: ['/v1/*'] }))
      .toThrow(/WebService 'Bad\/Svc(\d+)': invalid pathPatterns = \['\/v1\/\*'\]\. On Bad\/Alb 'Bad\/Svc(?!\1)\d+' already routes exactly these requests/);
  });

  test('routes that differ in spelling but match the same requests are duplicates too', () => {
    make({ loadBalancer: shared, certificate: undefined, pathPatterns: ['/same/*'] })();
    expect(make({ loadBalancer: shared, certificate: undefined, pathPatterns: ['/same/**'] })).toThrow(/already routes exactly these requests/);
  });

  test('an explicit priority may not put a route before a more specific one it contains', () => {
    make({ loadBalancer: shared, certificate: undefined, pathPatterns: ['/shop/cart/*'], priority: 300 })();
    expect(make({ loadBalancer: shared, certificate: undefined, pathPatterns: ['/shop/*'], priority: 200 }))
      .toThrow(/invalid priority = 200\. On Bad\/Alb 'Bad\/Svc\d+' \(any host \/ \/shop\/cart\/\*, priority 300\) is more specific and must come first; use a priority above 300/);
  });

  test('a certificate on a shared plain-HTTP load balancer', () => {
    const http = new WebLoadBalancer(stack, 'HttpAlb', { cluster, allowHttp: true });
    expect(make({ loadBalancer: http, hostHeaders: ['h.example.com'] })).toThrow(/invalid certificate = .*serves plain HTTP \(allowHttp\)/);
  });

  test('a WebLoadBalancer with a certificate and allowHttp', () => {
    expect(() => new WebLoadBalancer(stack, 'Both', { cluster, allowHttp: true, certificate: cert }))
      .toThrow(/WebLoadBalancer 'Bad\/Both': invalid certificate = .*A plain-HTTP listener \(allowHttp: true\) serves no certificate, so it would be dropped/);
  });

  describe('a certificate from another Region or partition fails at synth, not at deploy', () => {
    const otherRegion = 'arn:aws:acm:eu-west-1:123456789012:certificate/11111111-2222-3333-4444-555555555555';
    const otherPartition = 'arn:aws-cn:acm:us-east-1:123456789012:certificate/11111111-2222-3333-4444-555555555555';
    let c = 0;
    const certOf = (arn: string) => acm.Certificate.fromCertificateArn(stack, `RegionCert${c++}`, arn);

    test('on a WebLoadBalancer', () => {
      expect(() => new WebLoadBalancer(stack, 'EuAlb', { cluster, certificate: certOf(otherRegion) }))
        .toThrow(/WebLoadBalancer 'Bad\/EuAlb': invalid certificate = 'arn:aws:acm:eu-west-1:.*The certificate is in eu-west-1 \(partition aws\) and the load balancer in us-east-1 \(partition aws\): ACM certificates are regional/);
      expect(() => new WebLoadBalancer(stack, 'CnAlb', { cluster, certificate: certOf(otherPartition) }))
        .toThrow(/WebLoadBalancer 'Bad\/CnAlb': invalid certificate = 'arn:aws-cn:acm:us-east-1:.*partition aws-cn/);
    });

    test('on a WebService with a load balancer of its own', () => {
      expect(make({ certificate: certOf(otherRegion) })).toThrow(/WebService 'Bad\/Svc\d+': invalid certificate = 'arn:aws:acm:eu-west-1:.*Request or import the certificate in us-east-1/);
    });

    test('on a WebService that adds its certificate to a shared load balancer', () => {
      expect(make({ loadBalancer: shared, certificate: certOf(otherRegion), hostHeaders: ['eu.example.com'] }))
        .toThrow(/WebService 'Bad\/Svc\d+': invalid certificate = 'arn:aws:acm:eu-west-1:/);
    });

    test('a certificate of the same Region, or with an ARN only known at deploy time, is accepted', () => {
      expect(make({ certificate: certOf(certArn.replace('11111111-', '99999999-')) })).not.toThrow();
      // A token (a parameter, an import, a certificate created in the stack) is left to CloudFormation.
      expect(make({ certificate: certOf(Fn.importValue('EuCertificateArn')) })).not.toThrow();
    });
  });

  test('the same explicit priority twice', () => {
    make({ loadBalancer: shared, certificate: undefined, pathPatterns: ['/p1/*'], priority: 7 })();
    expect(make({ loadBalancer: shared, certificate: undefined, pathPatterns: ['/p2/*'], priority: 7 }))
      .toThrow(/invalid priority = 7\. On Bad\/Alb priority 7 is already used by 'Bad\/Svc\d+'/);
  });

  test('scaling methods without scaling', () => {
    const svc = make({})();
    expect(() => svc.scaleOnSchedule('X', { schedule: Schedule.rate(Duration.hours(1)), minTasks: 1 }))
      .toThrow(/invalid scaling = undefined\. scaleOnSchedule\(\) adjusts auto scaling/);
  });

  test('bad scheduled and step scaling', () => {
    const svc = make({ scaling: { maxTasks: 4 } })();
    expect(() => svc.scaleOnSchedule('A', { schedule: Schedule.rate(Duration.hours(1)) })).toThrow(/A scheduled action sets minTasks, maxTasks or both/);
    expect(() => svc.scaleOnSchedule('B', { schedule: Schedule.rate(Duration.hours(1)), minTasks: 5, maxTasks: 2 })).toThrow(/invalid minTasks = 5/);
    expect(() => svc.scaleOnMetric('C', { metric: new cloudwatch.Metric({ namespace: 'A', metricName: 'B' }), steps: [{ lower: 1, change: 1 }] }))
      .toThrow(/invalid steps = .*Give at least two steps/);
  });

  test('requests per task without an ALB is refused by the scaling validator', () => {
    expect(() => resolveScaling(stack, { maxTasks: 4, requestsPerTask: 100 }, false)).toThrow(/invalid scaling\.requestsPerTask = 100\. Request-count scaling needs an Application Load Balancer/);
  });
});

describe('first deploy ordering', () => {
  test('the ECS service waits for every policy of its execution role, not only for the role', () => {
    // GIVEN the default web service: its task definition references the execution role's ARN only.
    const services = ownTemplate.findResources('AWS::ECS::Service');
    const [service] = Object.values(services) as Array<{ DependsOn?: string[] }>;
    const executionPolicies = Object.entries(ownTemplate.findResources('AWS::IAM::ManagedPolicy'))
      .filter(([, r]) => JSON.stringify((r as any).Properties.Roles).includes('ExecutionRole'))
      .map(([id]) => id);
    // THEN the service depends on each of them, so no task starts before it may pull its image and write its logs.
    expect(executionPolicies.length).toBeGreaterThan(0);
    for (const policy of executionPolicies) {
      expect(service.DependsOn ?? []).toContain(policy);
    }
  });
});

test('blue/green: the ECS service waits for the policy of its traffic-shift role (the service names only the role ARN)', () => {
  const stack = plainStack('BlueGreenPolicy');
  const cluster = new FoundryCluster(stack, 'Cluster');
  const web = new WebService(stack, 'Web', { cluster, image, port: 8080, loadBalancerOptions: { allowHttp: true }, deployment: { blueGreen: {} } });
  const role = web.node.findChild('BlueGreenRole');
  const policies = role.node.findAll().filter(c => c instanceof CfnResource && c.cfnResourceType.startsWith('AWS::IAM::') && c.cfnResourceType !== 'AWS::IAM::Role')
    .map(c => stack.getLogicalId(c as CfnResource));
  expect(policies.length).toBeGreaterThan(0);
  const service = resourceOf(Template.fromStack(stack), stack, web.ecsService);
  for (const policy of policies) {
    expect(service.DependsOn ?? []).toContain(policy);
  }
});
