import { App, Duration, Stack, TimeZone } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { IConstruct } from 'constructs';
import {
  BackendService, BackendServiceProps, Capacity, FoundryCluster, IBackendService, IFoundryService, NetworkServiceProps, ScheduledTask,
  ScheduledTaskProps, Schedule, SharedVolume, WebService, WebServiceProps, WorkerService, WorkerServiceProps,
} from '../../src';
import { plainStack, cfnRoleOf } from '../support/stacks';
import { subtreeTemplate } from '../support/subtree';

const image = ecs.ContainerImage.fromRegistry('public.ecr.aws/docker/library/python:3.13-slim');

// GIVEN: a web front end and a worker that both call a backend, a worker on an existing FIFO queue, and two jobs.
function buildBackground() {
  const stack = plainStack('Background');
  const cluster = new FoundryCluster(stack, 'Cluster');
  const ec2Capacity = cluster.addEc2Capacity('Ec2', { instanceType: new ec2.InstanceType('m7i.large') });
  const orders = new BackendService(stack, 'Orders', { cluster, image, port: 8080, cloudMapDns: true });
  const web = new WebService(stack, 'Web', {
    cluster,
    image,
    port: 8080,
    certificate: acm.Certificate.fromCertificateArn(stack, 'Cert', 'arn:aws:acm:us-east-1:123456789012:certificate/abc'),
  });
  const worker = new WorkerService(stack, 'Thumbnails', {
    cluster,
    image,
    capacity: Capacity.spot(),
    expectedProcessingTime: Duration.seconds(20),
    queueScaling: { minTasks: 0, maxTasks: 50, acceptableLatency: Duration.minutes(5), cpuPercent: 80 },
  });
  web.connectTo(orders);
  worker.connectTo(orders);
  worker.connectTo(orders); // idempotent
  const existing = sqs.Queue.fromQueueArn(stack, 'Existing', 'arn:aws:sqs:us-east-1:123456789012:orders.fifo');
  const fifoWorker = new WorkerService(stack, 'Ledger', { cluster, image, queue: existing, desiredCount: 1, capacity: Capacity.ec2(ec2Capacity) });
  const nightly = new ScheduledTask(stack, 'Nightly', {
    cluster,
    image,
    command: ['python', '-m', 'report'],
    schedule: Schedule.cron('0 3 * * ? *'),
    timeZone: TimeZone.EUROPE_BERLIN,
    flexibleWindow: Duration.minutes(15),
    capacity: Capacity.ec2(ec2Capacity),
    maxRetries: 5,
    maxEventAge: Duration.hours(2),
    taskCount: 2,
  });
  const hourly = new ScheduledTask(stack, 'Hourly', { cluster, image, schedule: Schedule.rate(Duration.hours(1)), capacity: Capacity.spot() });
  worker.queue.grantSendMessages(hourly.workload.taskRole); // the hourly job enqueues work: it gets a task role
  const template = Template.fromStack(stack);
  return { stack, cluster, orders, web, worker, existing, fifoWorker, nightly, hourly, template };
}

let stack: Stack;
let cluster: FoundryCluster;
let orders: BackendService;
let web: WebService;
let worker: WorkerService;
let existing: sqs.IQueue;
let fifoWorker: WorkerService;
let nightly: ScheduledTask;
let hourly: ScheduledTask;
let template: Template;
beforeAll(() => {
  ({ stack, cluster, orders, web, worker, existing, fifoWorker, nightly, hourly, template } = buildBackground());
});
const props = (construct: any) => template.toJSON().Resources[stack.getLogicalId(construct.node.defaultChild ?? construct)].Properties;
const policyOf = (role: iam.IRole) => Object.values<any>(template.findResources('AWS::IAM::ManagedPolicy'))
  .filter(p => p.Properties.Roles.some((r: any) => r.Ref === stack.getLogicalId(cfnRoleOf(role))))
  .flatMap(p => p.Properties.PolicyDocument.Statement);

describe('BackendService', () => {
  test('is reachable by name through Service Connect in the cluster namespace', () => {
    expect(props(orders.ecsService).ServiceConnectConfiguration).toMatchObject({
      Enabled: true,
      Namespace: { 'Fn::GetAtt': [expect.stringMatching(/^ClusterDefaultServiceDiscoveryNamespace/), 'Arn'] },
      // The alias is named: without DnsName ECS aliases 'orders.internal', and `endpoint` would not resolve.
      Services: [{ DiscoveryName: 'orders', PortName: 'tcp-8080', ClientAliases: [{ Port: 8080, DnsName: 'orders' }] }],
    });
    expect(orders.endpoint).toBe('http://orders:8080');
    template.hasResourceProperties('AWS::ServiceDiscovery::PrivateDnsNamespace', { Name: 'internal' });
  });

  test('registers in Cloud Map DNS when asked, under a name of its own', () => {
    expect(props(orders.ecsService).ServiceRegistries).toHaveLength(1);
    template.hasResourceProperties('AWS::ServiceDiscovery::Service', { Name: 'orders-dns', DnsConfig: Match.objectLike({ DnsRecords: [{ TTL: 10, Type: 'A' }] }) });
    expect(orders.cloudMapDnsName).toBe('orders-dns.internal');
  });

  test('every Cloud Map service name is unique in its namespace (ECS creates one per Service Connect discovery name)', () => {
    // A second Cloud Map service of the same name in one namespace fails the deployment:
    // https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_ServiceConnectServiceResource.html
    const names: string[] = [];
    for (const resource of Object.values<any>(template.toJSON().Resources)) {
      const p = resource.Properties;
      if (resource.Type === 'AWS::ServiceDiscovery::Service') {
        names.push(`${p.NamespaceId['Fn::GetAtt'][0]}/${p.Name}`);
      }
      for (const service of resource.Type === 'AWS::ECS::Service' ? p.ServiceConnectConfiguration?.Services ?? [] : []) {
        names.push(`${p.ServiceConnectConfiguration.Namespace['Fn::GetAtt'][0]}/${service.DiscoveryName ?? service.PortName}`);
      }
    }
    expect(names.map(n => n.split('/')[1]).sort()).toEqual(['orders', 'orders-dns']);
    expect(new Set(names).size).toBe(names.length);
  });

  test('has no load balancer and admits only its consumers on its port', () => {
    expect(props(orders.ecsService).LoadBalancers).toBeUndefined();
    const orderSg = stack.getLogicalId(orders.workload.securityGroup.node.defaultChild as any);
    const rules = Object.values<any>(template.findResources('AWS::EC2::SecurityGroupIngress')).map(r => r.Properties)
      .filter(p => p.GroupId['Fn::GetAtt'][0] === orderSg);
    expect(rules.map(r => [r.FromPort, r.SourceSecurityGroupId['Fn::GetAtt'][0]]).sort()).toEqual([
      [8080, stack.getLogicalId(worker.workload.securityGroup.node.defaultChild as any)],
      [8080, stack.getLogicalId(web.workload.securityGroup.node.defaultChild as any)],
    ].sort());
  });

  test('consumers become Service Connect clients', () => {
    for (const consumer of [web, worker]) {
      const config = props(consumer.ecsService).ServiceConnectConfiguration;
      expect(config.Enabled).toBe(true);
      expect(config.Services).toBeUndefined();
    }
  });
});

describe('WorkerService', () => {
  test('creates a KMS-encrypted, TLS-only queue with a dead-letter queue', () => {
    expect(props(worker.queue)).toMatchObject({
      KmsMasterKeyId: { 'Fn::GetAtt': [stack.getLogicalId(cluster.encryptionKey.node.defaultChild as any), 'Arn'] },
      VisibilityTimeout: 120,
      MessageRetentionPeriod: 345_600,
      RedrivePolicy: { maxReceiveCount: 5, deadLetterTargetArn: { 'Fn::GetAtt': [stack.getLogicalId(worker.deadLetterQueue!.node.defaultChild as any), 'Arn'] } },
    });
    expect(props(worker.deadLetterQueue).MessageRetentionPeriod).toBe(1_209_600);
    template.hasResourceProperties('AWS::SQS::QueuePolicy', {
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } })]) },
    });
  });

  test('passes the queue URL and may consume that queue only', () => {
    const taskDef = props(worker.taskDefinition);
    expect(taskDef.ContainerDefinitions[0].Environment).toEqual([{ Name: 'QUEUE_URL', Value: { Ref: stack.getLogicalId(worker.queue.node.defaultChild as any) } }]);
    const consume = policyOf(worker.taskRole).find((s: any) => [].concat(s.Action).includes('sqs:ReceiveMessage' as never));
    expect(consume.Resource).toEqual({ 'Fn::GetAtt': [stack.getLogicalId(worker.queue.node.defaultChild as any), 'Arn'] });
    expect(consume.Action).toEqual(expect.arrayContaining(['sqs:ReceiveMessage', 'sqs:DeleteMessage', 'sqs:ChangeMessageVisibility']));
  });

  test('scales on backlog per task with CloudWatch metric math, no Lambda', () => {
    expect(worker.messagesPerTask).toBe(15); // 5 minutes ÷ 20 s
    expect(Object.keys(template.findResources('AWS::Lambda::Function')).filter(id => id.startsWith('Thumbnails'))).toEqual([]);
    template.hasResourceProperties('AWS::ApplicationAutoScaling::ScalingPolicy', {
      PolicyType: 'TargetTrackingScaling',
      TargetTrackingScalingPolicyConfiguration: {
        TargetValue: 15,
        CustomizedMetricSpecification: {
          Metrics: [
            Match.objectLike({ Id: 'visible', ReturnData: false, MetricStat: Match.objectLike({ Metric: Match.objectLike({ Namespace: 'AWS/SQS', MetricName: 'ApproximateNumberOfMessagesVisible' }) }) }),
            Match.objectLike({ Id: 'tasks', ReturnData: false, MetricStat: Match.objectLike({ Metric: Match.objectLike({ Namespace: 'ECS/ContainerInsights', MetricName: 'RunningTaskCount' }) }) }),
            { Id: 'backlogPerTask', Label: 'Backlog per task', ReturnData: true, Expression: 'FILL(visible, 0) / IF(FILL(tasks, 0) > 0, FILL(tasks, 0), 1)' },
          ],
        },
      },
    });
    expect(props(worker.ecsService).DesiredCount).toBeUndefined();
  });

  test('scales to zero and a step policy sets one task when messages wait while none is desired or running', () => {
    expect(props(worker.scalableTarget)).toMatchObject({ MinCapacity: 0, MaxCapacity: 50 });
    template.hasResourceProperties('AWS::ApplicationAutoScaling::ScalingPolicy', {
      PolicyType: 'StepScaling',
      StepScalingPolicyConfiguration: Match.objectLike({ AdjustmentType: 'ExactCapacity', StepAdjustments: [{ MetricIntervalLowerBound: 0, ScalingAdjustment: 1 }] }),
    });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      Threshold: 1,
      EvaluationPeriods: 1,
      Metrics: Match.arrayWith([Match.objectLike({ Expression: 'IF(FILL(visible, 0) > 0 AND FILL(running, 0) == 0 AND FILL(desired, 0) == 0, 1, 0)' })]),
    });
    // The worker runs no step policy on the raw queue depth (a `visible >= 1` alarm stays in ALARM under any trickle).
    expect(Object.values<any>(template.findResources('AWS::CloudWatch::Alarm')).filter(a => a.Properties.MetricName === 'ApproximateNumberOfMessagesVisible')).toEqual([]);
  });

  test('the scalable target uses the ECS Application Auto Scaling service-linked role', () => {
    expect(JSON.stringify(props(worker.scalableTarget).RoleARN)).toContain(
      ':iam::', // formatted for the stack's partition and account
    );
    expect(JSON.stringify(props(worker.scalableTarget).RoleARN)).toContain('role/aws-service-role/ecs.application-autoscaling.amazonaws.com/AWSServiceRoleForApplicationAutoScaling_ECSService');
  });

  test('CPU scaling only scales out, so it never fights the queue policy', () => {
    template.hasResourceProperties('AWS::ApplicationAutoScaling::ScalingPolicy', {
      TargetTrackingScalingPolicyConfiguration: { DisableScaleIn: true, TargetValue: 80, PredefinedMetricSpecification: { PredefinedMetricType: 'ECSServiceAverageCPUUtilization' } },
    });
  });

  test('with highResolutionMetrics the scale-out-only CPU policy tracks the 20-second CPU metric', () => {
    const s = plainStack('FastWorker');
    new WorkerService(s, 'W', {
      cluster: new FoundryCluster(s, 'Cluster'), image, highResolutionMetrics: true, queueScaling: { maxTasks: 10, messagesPerTask: 10, cpuPercent: 80 },
    });
    const t = Template.fromStack(s);
    t.hasResourceProperties('AWS::ECS::Service', { Monitoring: { MetricConfigurations: [{ MetricNames: ['CPUUtilization', 'MemoryUtilization'], ResolutionSeconds: 20 }] } });
    t.hasResourceProperties('AWS::ApplicationAutoScaling::ScalingPolicy', {
      TargetTrackingScalingPolicyConfiguration: { DisableScaleIn: true, TargetValue: 80, PredefinedMetricSpecification: { PredefinedMetricType: 'ECSServiceAverageCPUUtilizationHighResolution' } },
    });
  });

  test('a worker offers no predictive scaling: it scales on its backlog, and an untyped caller\'s predictive options never reach it', () => {
    // Predictive scaling forecasts CPU, memory or ALB requests (the predefined pairs for ECS); a worker's load is its
    // queue, and a worker that scales to zero publishes no CPU to learn from. Known peaks: scaleOnSchedule() on a
    // request service, or queueScaling.minTasks.
    const s = plainStack('PredictiveWorker');
    new WorkerService(s, 'W', {
      cluster: new FoundryCluster(s, 'Cluster'), image, queueScaling: { maxTasks: 10, messagesPerTask: 10, predictive: {} },
    } as any);
    const policies = Object.values(Template.fromStack(s).findResources('AWS::ApplicationAutoScaling::ScalingPolicy')) as any[];
    expect(policies.length).toBeGreaterThan(0);
    expect(policies.filter(p => p.Properties.PolicyType === 'PredictiveScaling')).toEqual([]);
  });

  test('consumes an existing queue with a fixed count on EC2', () => {
    expect(fifoWorker.queue).toBe(existing);
    expect(fifoWorker.deadLetterQueue).toBeUndefined();
    expect(props(fifoWorker.ecsService).DesiredCount).toBe(1);
    expect(policyOf(fifoWorker.taskRole)[0].Resource).toBe('arn:aws:sqs:us-east-1:123456789012:orders.fifo');
  });
});

describe('ScheduledTask', () => {
  test('an EventBridge Scheduler schedule with time zone, flexible window, retries and a dead-letter queue', () => {
    expect(props(nightly.cfnSchedule)).toMatchObject({
      ScheduleExpression: 'cron(0 3 * * ? *)',
      ScheduleExpressionTimezone: 'Europe/Berlin',
      FlexibleTimeWindow: { Mode: 'FLEXIBLE', MaximumWindowInMinutes: 15 },
      State: 'ENABLED',
      Target: {
        RetryPolicy: { MaximumRetryAttempts: 5, MaximumEventAgeInSeconds: 7200 },
        DeadLetterConfig: { Arn: { 'Fn::GetAtt': [stack.getLogicalId(nightly.deadLetterQueue.node.defaultChild as any), 'Arn'] } },
        EcsParameters: expect.objectContaining({
          TaskCount: 2,
          CapacityProviderStrategy: [{ CapacityProvider: { Ref: expect.stringMatching(/^ClusterEc2CapacityProvider/) }, Weight: 1 }],
          NetworkConfiguration: { AwsvpcConfiguration: expect.objectContaining({ AssignPublicIp: 'DISABLED' }) },
        }),
      },
    });
    expect(props(hourly.cfnSchedule)).toMatchObject({
      ScheduleExpression: 'rate(1 hour)',
      FlexibleTimeWindow: { Mode: 'OFF' },
      Target: { EcsParameters: expect.objectContaining({ CapacityProviderStrategy: [{ CapacityProvider: 'FARGATE_SPOT', Weight: 1 }] }) },
    });
  });

  test('the scheduler may run only this task definition and pass only its two roles', () => {
    const statements = policyOf(nightly.schedulerRole);
    expect(statements.find((s: any) => s.Sid === 'RunThisTaskDefinition')).toEqual(expect.objectContaining({
      Action: 'ecs:RunTask', Resource: { Ref: stack.getLogicalId(nightly.workload.taskDefinition.node.defaultChild as any) },
    }));
    // The nightly job was granted nothing, so it has no task role and only the execution role can be passed.
    expect(statements.find((s: any) => s.Sid === 'PassOnlyTheTaskRoles').Resource)
      .toEqual([{ 'Fn::GetAtt': [stack.getLogicalId(nightly.workload.executionRole.node.defaultChild as any), 'Arn'] }]);
    expect(props(nightly.workload.taskDefinition).TaskRoleArn).toBeUndefined();
    expect(policyOf(hourly.schedulerRole).find((s: any) => s.Sid === 'PassOnlyTheTaskRoles').Resource).toEqual([
      { 'Fn::GetAtt': [stack.getLogicalId(hourly.workload.executionRole.node.defaultChild as any), 'Arn'] },
      { 'Fn::GetAtt': [stack.getLogicalId(cfnRoleOf(hourly.workload.taskRole)), 'Arn'] },
    ]);
    const trust = props(nightly.schedulerRole).AssumeRolePolicyDocument.Statement[0];
    expect(trust.Principal).toEqual({ Service: 'scheduler.amazonaws.com' });
    expect(trust.Condition.StringEquals).toEqual({ 'aws:SourceAccount': '123456789012' });
  });

  test('schedule expressions', () => {
    expect(Schedule.rate(Duration.minutes(1)).expressionString).toBe('rate(1 minute)');
    expect(Schedule.rate(Duration.minutes(90)).expressionString).toBe('rate(90 minutes)');
    expect(Schedule.rate(Duration.days(2)).expressionString).toBe('rate(2 days)');
    expect(Schedule.at(new Date(Date.UTC(2027, 0, 31, 6, 30))).expressionString).toBe('at(2027-01-31T06:30:00)');
    expect(Schedule.cron('0/15 8-18 ? * MON-FRI *').expressionString).toBe('cron(0/15 8-18 ? * MON-FRI *)');
  });

  test('matches the snapshot (each construct\'s own subtree, the worker\'s queues beside it)', () => {
    expect({
      orders: subtreeTemplate(orders, template),
      worker: subtreeTemplate(worker, template),
      workerQueues: [subtreeTemplate(worker.queue, template), subtreeTemplate(worker.deadLetterQueue!, template)],
      fifoWorker: subtreeTemplate(fifoWorker, template),
      nightly: subtreeTemplate(nightly, template),
      hourly: subtreeTemplate(hourly, template),
    }).toMatchSnapshot();
  });
});

describe('one shape per service kind', () => {
  test('a worker takes no port, grace period or scaling, and offers neither scaleOnMetric() nor scaleOnSchedule()', () => {
    // @ts-expect-error a worker scales on its queue (queueScaling): scaling is not one of its props
    const withScaling: WorkerServiceProps = { cluster, image, scaling: { maxTasks: 2 } };
    // @ts-expect-error a worker answers no requests: it has no port
    const withPort: WorkerServiceProps = { cluster, image, port: 8080 };
    expect([withScaling, withPort]).toHaveLength(2);
    expect('scaleOnSchedule' in worker).toBe(false);
    expect('scaleOnMetric' in worker).toBe(false);
    expect('scaling' in worker).toBe(false);
    expect(props(worker.ecsService).HealthCheckGracePeriodSeconds).toBeUndefined();
    // Request services keep them.
    expect('scaleOnSchedule' in orders && 'scaleOnMetric' in orders && 'scaling' in orders).toBe(true);
  });

  test('an untyped caller\'s port, grace period or scaling never reaches a worker\'s service', () => {
    const s = plainStack('UntypedWorker');
    const c = new FoundryCluster(s, 'Cluster');
    const w = new WorkerService(s, 'W', { cluster: c, image, port: 8080, healthCheckGracePeriod: Duration.seconds(60), scaling: { maxTasks: 9 } } as any);
    const t = Template.fromStack(s);
    t.resourceCountIs('AWS::ApplicationAutoScaling::ScalableTarget', 0);
    const resource = (construct: IConstruct) => t.toJSON().Resources[s.getLogicalId(construct.node.defaultChild as any)].Properties;
    expect(resource(w.ecsService).HealthCheckGracePeriodSeconds).toBeUndefined();
    expect(resource(w.taskDefinition).ContainerDefinitions[0].PortMappings).toBeUndefined();
  });

  test('every service is an IFoundryService, and connectTo() takes any IBackendService', () => {
    const services: IFoundryService[] = [orders, web, worker, fifoWorker];
    expect(services.map(x => x.baselineTaskCount)).toEqual([2, 2, 0, 1]);
    const backend: IBackendService = orders;
    expect(backend.endpoint).toBe('http://orders:8080');
  });

  test('blue/green deployments and requests-per-task scaling are props of a web service only', () => {
    const backend = { cluster, image, port: 8080 };
    // @ts-expect-error blue/green shifts traffic between two ALB target groups: not a backend's option
    const backendBlueGreen: BackendServiceProps = { ...backend, deployment: { blueGreen: {} } };
    // @ts-expect-error request-count scaling needs an ALB
    const backendRequests: BackendServiceProps = { ...backend, scaling: { maxTasks: 4, requestsPerTask: 100 } };
    // @ts-expect-error blue/green is not a network service's option
    const networkBlueGreen: NetworkServiceProps = { ...backend, deployment: { blueGreen: {} } };
    // @ts-expect-error request-count scaling is not a network service's option
    const networkRequests: NetworkServiceProps = { ...backend, scaling: { maxTasks: 4, requestsPerTask: 100 } };
    // @ts-expect-error a worker has no load balancer for blue/green
    const workerBlueGreen: WorkerServiceProps = { cluster, image, deployment: { blueGreen: {} } };
    const webProps: WebServiceProps = { ...backend, deployment: { blueGreen: {} }, scaling: { maxTasks: 4, requestsPerTask: 100 } };
    expect([backendBlueGreen, backendRequests, networkBlueGreen, networkRequests, workerBlueGreen, webProps]).toHaveLength(6);
    // An untyped caller still gets the error at synth.
    const s = plainStack('UntypedBlueGreen');
    const c = new FoundryCluster(s, 'Cluster');
    expect(() => new BackendService(s, 'B', { cluster: c, image, port: 8080, deployment: { blueGreen: {} } } as BackendServiceProps))
      .toThrow(/invalid deployment\.blueGreen = .*use it with WebService/);
  });

  test('any service, as an IFoundryService, mounts volumes, connects to backends and has its dashboard', () => {
    const s = plainStack('AnyService');
    const c = new FoundryCluster(s, 'Cluster');
    const backend = new BackendService(s, 'Backend', { cluster: c, image, port: 8080 });
    const volume = new SharedVolume(s, 'Data', { cluster: c });
    const services: IFoundryService[] = [
      new BackendService(s, 'Api', { cluster: c, image, port: 9090, dashboard: true }),
      new WorkerService(s, 'Worker', { cluster: c, image }),
    ];
    for (const service of services) {
      service.addVolume(volume, '/data');
      service.connectTo(backend);
    }
    expect(services.map(x => x.serviceDashboard !== undefined)).toEqual([true, false]);
    const t = Template.fromStack(s);
    for (const service of services) {
      const taskDef = t.toJSON().Resources[s.getLogicalId(service.taskDefinition.node.defaultChild as any)].Properties;
      expect(taskDef.ContainerDefinitions[0].MountPoints).toEqual(expect.arrayContaining([expect.objectContaining({ ContainerPath: '/data' })]));
      t.hasResourceProperties('AWS::EC2::SecurityGroupIngress', {
        FromPort: 8080,
        GroupId: { 'Fn::GetAtt': [s.getLogicalId(backend.workload.securityGroup.node.defaultChild as any), 'GroupId'] },
        SourceSecurityGroupId: { 'Fn::GetAtt': [s.getLogicalId(service.workload.securityGroup.node.defaultChild as any), 'GroupId'] },
      });
    }
  });

  test('step scaling counts alarm evaluation periods in alarmEvaluationPeriods (a count, not a Duration)', () => {
    const s = plainStack('StepScaling');
    const c = new FoundryCluster(s, 'Cluster');
    const api = new BackendService(s, 'Api', { cluster: c, image, port: 8080, scaling: { maxTasks: 4 } });
    const metric = new cloudwatch.Metric({ namespace: 'App', metricName: 'Backlog' });
    api.scaleOnMetric('Backlog', { metric, steps: [{ upper: 10, change: -1 }, { lower: 100, change: 2 }], alarmEvaluationPeriods: 3 });
    const alarms = Object.values<any>(Template.fromStack(s).findResources('AWS::CloudWatch::Alarm', { Properties: { MetricName: 'Backlog' } }));
    expect(alarms.map(a => a.Properties.EvaluationPeriods)).toEqual([3, 3]);
    expect(() => api.scaleOnMetric('Zero', { metric, steps: [{ upper: 10, change: -1 }, { lower: 100, change: 2 }], alarmEvaluationPeriods: 0 }))
      .toThrow(/invalid alarmEvaluationPeriods = 0/);
  });

  test('a scheduled task\'s schedule resource is cfnSchedule, not a second meaning of schedule', () => {
    expect(nightly.cfnSchedule).toBeInstanceOf(scheduler.CfnSchedule);
    expect('schedule' in nightly).toBe(false);
  });

  test('capacity is resolved once: the service runs on what its task definition was built for, and a later default throws', () => {
    const s = plainStack('CapacityOnce');
    const c = new FoundryCluster(s, 'Cluster');
    const api = new BackendService(s, 'Api', { cluster: c, image, port: 8080 });
    const job = new ScheduledTask(s, 'Job', { cluster: c, image, schedule: Schedule.rate(Duration.hours(1)) });
    expect(api.capacity).toBe(api.workload.capacity);
    expect(job.capacity).toBe(job.workload.capacity);
    // Before, the service read the cluster's default itself: Spot chosen now would have left it on Fargate unnoticed.
    expect(() => c.useDefaultCapacity(Capacity.spot())).toThrow(/'CapacityOnce\/Api\/Task' already runs on the default capacity/);
  });
});

describe('background services reject bad input with the prop name and a fix', () => {
  const bad = plainStack('Bad');
  const badCluster = new FoundryCluster(bad, 'Cluster');
  new BackendService(bad, 'Payments', { cluster: badCluster, image, port: 8080, cloudMapDns: true });
  let n = 0;
  const makeWorker = (p: Partial<WorkerServiceProps>) => () => new WorkerService(bad, `W${n++}`, { cluster: badCluster, image, ...p } as WorkerServiceProps);
  const job = (p: Partial<ScheduledTaskProps>) => () =>
    new ScheduledTask(bad, `J${n++}`, { cluster: badCluster, image, schedule: Schedule.rate(Duration.hours(1)), ...p } as ScheduledTaskProps);

  test.each<[string, () => unknown, RegExp]>([
    ['visibility timeout shorter than processing', makeWorker({ expectedProcessingTime: Duration.minutes(5), queueOptions: { visibilityTimeout: Duration.minutes(2) } }),
      /invalid queueOptions\.visibilityTimeout = '120 s'\. It must exceed expectedProcessingTime \(300 s\)/],
    ['DLQ retention shorter than the queue', makeWorker({ queueOptions: { retentionPeriod: Duration.days(7), deadLetterRetentionPeriod: Duration.days(3) } }),
      /invalid queueOptions\.deadLetterRetentionPeriod = '3 days'\. It must be longer than the queue's retention \(7 days\)/],
    ['retention beyond 14 days', makeWorker({ queueOptions: { retentionPeriod: Duration.days(20) } }), /invalid queueOptions\.retentionPeriod \(seconds\) = 1728000/],
    ['max receive count 0', makeWorker({ queueOptions: { maxReceiveCount: 0 } }), /invalid queueOptions\.maxReceiveCount = 0/],
    ['deduplication without FIFO', makeWorker({ queueOptions: { contentBasedDeduplication: true } }), /invalid queueOptions\.contentBasedDeduplication = true\. Deduplication is a FIFO feature/],
    ['min above max tasks', makeWorker({ queueScaling: { minTasks: 5, maxTasks: 2, messagesPerTask: 10 } }), /invalid queueScaling\.minTasks = 5\. minTasks must not exceed maxTasks \(2\)/],
    ['no backlog target', makeWorker({ queueScaling: { maxTasks: 2 } }), /invalid queueScaling = .*State the target once/],
    ['two backlog targets', makeWorker({ queueScaling: { maxTasks: 2, messagesPerTask: 5, acceptableLatency: Duration.minutes(1) } }), /State the target once/],
    ['latency below processing time', makeWorker({ expectedProcessingTime: Duration.minutes(2), queueScaling: { maxTasks: 2, acceptableLatency: Duration.minutes(1) } }),
      /invalid queueScaling\.acceptableLatency = '60 s'\. No backlog can meet a latency below the processing time/],
    ['queue options with an existing queue', makeWorker({ queue: sqs.Queue.fromQueueArn(bad, 'Q', 'arn:aws:sqs:us-east-1:123456789012:q'), queueOptions: { fifo: true } }),
      /invalid queueOptions = .*Options shape a queue the worker creates/],
    ['desired count with queue scaling', makeWorker({ desiredCount: 2, queueScaling: { maxTasks: 4, messagesPerTask: 10 } }), /invalid desiredCount = 2\. With queueScaling the task count follows the backlog/],
    ['bad queue URL variable', makeWorker({ queueUrlVariable: 'queue-url' }), /invalid queueUrlVariable = 'queue-url'/],
    ['cron with 5 fields', () => Schedule.cron('0 3 * * *'), /^Schedule\.cron\(\): invalid expression = '0 3 \* \* \*'\. A cron expression has 6 fields/],
    ['cron with both day fields', () => Schedule.cron('0 3 * * * *'), /Exactly one of day-of-month and day-of-week must be '\?'/],
    ['cron with an invalid hour', () => Schedule.cron('0 25 * * ? *'), /invalid expression = '0 25 \* \* \? \*'\. Invalid hours field '25': hours takes 0-23/],
    ['rate below a minute', () => Schedule.rate(Duration.seconds(30)), /^Schedule\.rate\(\): invalid interval = '30 seconds'\. Use whole minutes/],
    ['at with an invalid date', () => Schedule.at(new Date('nope')), /Schedule\.at\(\): invalid date = 'Invalid Date'/],
    ['time zone on a rate', job({ timeZone: TimeZone.EUROPE_BERLIN }), /invalid timeZone = 'Europe\/Berlin'\. A rate schedule has no time of day/],
    ['task count above 10', job({ taskCount: 11 }), /invalid taskCount = 11/],
    ['too many retries', job({ maxRetries: 200 }), /invalid maxRetries = 200/],
    ['event age under a minute', job({ maxEventAge: Duration.seconds(30) }), /invalid maxEventAge \(seconds\) = 30/],
    ['flexible window of a day and more', job({ flexibleWindow: Duration.hours(25) }), /invalid flexibleWindow \(minutes\) = 1500/],
    ['schedule that is not a Schedule', job({ schedule: 'rate(1 hour)' as any }), /invalid schedule = 'rate\(1 hour\)'\. Use Schedule\.cron/],
    ['backend without a port', () => new BackendService(bad, `B${n++}`, { cluster: badCluster, image } as any), /invalid port = undefined\. A backend service needs the port/],
    ['bad discovery name', () => new BackendService(bad, `B${n++}`, { cluster: badCluster, image, port: 80, discoveryName: 'Orders_API' }), /invalid discoveryName = 'Orders_API'/],
    ['a discovery name taken in the namespace', () => new BackendService(bad, `B${n++}`, { cluster: badCluster, image, port: 80, discoveryName: 'payments' }),
      /invalid discoveryName = 'payments'\. The namespace already has a Cloud Map service named 'payments' \(from 'Bad\/Payments'\)/],
    ['a discovery name taken by DNS records', () => new BackendService(bad, `B${n++}`, { cluster: badCluster, image, port: 80, discoveryName: 'payments-dns' }),
      /invalid discoveryName = 'payments-dns'\. The namespace already has a Cloud Map service named 'payments-dns' \(from 'Bad\/Payments'\)/],
    ['a discovery name too long for its DNS records', () => new BackendService(bad, `B${n++}`, { cluster: badCluster, image, port: 80, discoveryName: 'a'.repeat(60), cloudMapDns: true }),
      /invalid discoveryName = 'a{60}'\. Use 1-59 lower-case letters.*'<discoveryName>-dns'/],
    ['a DNS name with upper case', () => new BackendService(bad, `B${n++}`, { cluster: badCluster, image, port: 80, dnsName: 'Orders.internal' }), /invalid dnsName = 'Orders\.internal'/],
    ['bad Private CA ARN', () => new BackendService(bad, `B${n++}`, {
      cluster: badCluster, image, port: 80, serviceConnectTls: { certificateAuthorityArn: 'arn:aws:acm:us-east-1:123456789012:certificate/x', role: iam.Role.fromRoleArn(bad, `R${n}`, 'arn:aws:iam::123456789012:role/r') },
    }), /invalid serviceConnectTls\.certificateAuthorityArn/],
  ])('%s', (_name, make, message) => {
    expect(make).toThrow(message);
  });

  test('connectTo a backend of another cluster', () => {
    const app = new App();
    const other = new Stack(app, 'Other');
    const c2 = new FoundryCluster(other, 'Cluster');
    const backend = new BackendService(other, 'Api', { cluster: c2, image, port: 80 });
    const c3 = new FoundryCluster(other, 'Cluster3');
    const consumer = new WorkerService(other, 'Consumer', { cluster: c3, image });
    expect(() => consumer.connectTo(backend)).toThrow(/invalid backend = 'Other\/Api'\. The backend runs in 'Other\/Cluster', this service in 'Other\/Cluster3'/);
  });
});
