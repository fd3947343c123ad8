/**
 * Adversarial inputs to services and workloads: names ECS rejects, durations with milliseconds, and tokens for the
 * task size. Each is either rejected at synth in the library's message shape or synthesizes a template that deploys.
 */
import { CfnParameter, Duration, Lazy } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import {
  BackendService, FoundryCluster, FoundryTaskDefinition, ScheduledTask, Schedule, WebLoadBalancer, WebService, WorkerService,
} from '../../src';
import { plainStack } from '../support/stacks';

const image = ecs.ContainerImage.fromRegistry('public.ecr.aws/nginx/nginx:stable');

function setup() {
  const stack = plainStack('Inputs');
  const cluster = new FoundryCluster(stack, 'Cluster');
  const certificate = acm.Certificate.fromCertificateArn(stack, 'Cert', 'arn:aws:acm:us-east-1:123456789012:certificate/abc');
  return { stack, cluster, certificate };
}

/** The error a construction throws (undefined when it does not throw). */
function errorOf(make: () => unknown): Error | undefined {
  try {
    make();
  } catch (e) {
    return e as Error;
  }
  return undefined;
}

const BAD_NAMES: Array<[string, string]> = [
  ['a space', 'my service'],
  ['empty', ''],
  ['300 characters', 'a'.repeat(300)],
  ['an umlaut', 'dienst-ü'],
  ['a dot', 'orders.api'],
];

describe('serviceName and family follow the ECS naming rules', () => {
  test.each(BAD_NAMES)('serviceName with %s is rejected', (_case, name) => {
    const { stack, cluster } = setup();
    const error = errorOf(() => new BackendService(stack, 'Api', { cluster, image, port: 8080, serviceName: name }));
    expect(error?.message).toMatch(/^BackendService 'Inputs\/Api': invalid serviceName = '.*'\. Use 1 to 255 letters/);
  });

  test.each(BAD_NAMES)('family with %s is rejected', (_case, name) => {
    const { stack, cluster } = setup();
    const error = errorOf(() => new FoundryTaskDefinition(stack, 'Job', { cluster, image, family: name }));
    expect(error?.message).toMatch(/^FoundryTaskDefinition 'Inputs\/Job': invalid family = '.*'\. Use 1 to 255 letters/);
  });

  test('valid names of up to 255 characters and tokens are accepted', () => {
    const { stack, cluster } = setup();
    const name = `Orders_api-${'x'.repeat(244)}`;
    new BackendService(stack, 'Api', { cluster, image, port: 8080, serviceName: name, family: name });
    const param = new CfnParameter(stack, 'Name');
    new BackendService(stack, 'Other', { cluster, image, port: 8080, serviceName: param.valueAsString });
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::ECS::Service', { ServiceName: name });
    template.hasResourceProperties('AWS::ECS::TaskDefinition', { Family: name });
    template.hasResourceProperties('AWS::ECS::Service', { ServiceName: { Ref: 'Name' } });
  });

  test('two services with one name in one cluster are rejected, in two clusters accepted', () => {
    const { stack, cluster } = setup();
    new BackendService(stack, 'First', { cluster, image, port: 8080, serviceName: 'orders' });
    const other = new FoundryCluster(stack, 'Other');
    expect(() => new BackendService(stack, 'Elsewhere', { cluster: other, image, port: 8080, serviceName: 'orders' })).not.toThrow();
    const error = errorOf(() => new WorkerService(stack, 'Second', { cluster, image, serviceName: 'orders' }));
    expect(error?.message).toMatch(/^WorkerService 'Inputs\/Second': invalid serviceName = 'orders'\. The service 'Inputs\/First' in the same cluster 'Inputs\/Cluster' already has this name/);
  });
});

describe('durations with milliseconds get the library message, never aws-cdk-lib\'s conversion error', () => {
  const millis = Duration.millis(1500);
  /** [prop as printed, construction] */
  const CASES: Array<[string, (s: ReturnType<typeof setup>) => unknown]> = [
    ['idleTimeout (seconds)', ({ stack, cluster }) => new BackendService(stack, 'S', { cluster, image, port: 8080, idleTimeout: millis })],
    ['deregistrationDelay (seconds)', ({ stack, cluster, certificate }) => new WebService(stack, 'S', { cluster, image, port: 80, certificate, deregistrationDelay: millis })],
    ['targetHealthCheck.interval (seconds)', ({ stack, cluster, certificate }) => new WebService(stack, 'S', {
      cluster, image, port: 80, certificate, targetHealthCheck: { interval: Duration.millis(10_500) },
    })],
    ['targetHealthCheck.timeout (seconds)', ({ stack, cluster, certificate }) => new WebService(stack, 'S', {
      cluster, image, port: 80, certificate, targetHealthCheck: { timeout: Duration.millis(2500) },
    })],
    ['scaling.scaleInCooldown (seconds)', ({ stack, cluster }) => new BackendService(stack, 'S', {
      cluster, image, port: 8080, scaling: { maxTasks: 4, scaleInCooldown: millis },
    })],
    ['scaling.scaleOutCooldown (seconds)', ({ stack, cluster }) => new BackendService(stack, 'S', {
      cluster, image, port: 8080, scaling: { maxTasks: 4, scaleOutCooldown: millis },
    })],
    ['cooldown (seconds)', ({ stack, cluster }) => new BackendService(stack, 'S', { cluster, image, port: 8080, scaling: { maxTasks: 4 } }).scaleOnMetric('Step', {
      metric: new cloudwatch.Metric({ namespace: 'App', metricName: 'Backlog' }),
      steps: [{ upper: 10, change: -1 }, { lower: 100, change: 2 }],
      cooldown: millis,
    })],
    ['idleTimeout (seconds)', ({ stack, cluster, certificate }) => new WebLoadBalancer(stack, 'S', { cluster, certificate, idleTimeout: millis })],
    ['accessLogsRetention (days)', ({ stack, cluster, certificate }) => new WebLoadBalancer(stack, 'S', { cluster, certificate, accessLogsRetention: Duration.hours(36) })],
    ['maxEventAge (seconds)', ({ stack, cluster }) => new ScheduledTask(stack, 'S', {
      cluster, image, schedule: Schedule.rate(Duration.hours(1)), maxEventAge: Duration.millis(90_500),
    })],
    ['app: stopTimeout (seconds)', ({ stack, cluster }) => new FoundryTaskDefinition(stack, 'S', { cluster, image, stopTimeout: Duration.millis(2500) })],
    ['queueOptions.visibilityTimeout (seconds)', ({ stack, cluster }) => new WorkerService(stack, 'S', {
      cluster, image, queueOptions: { visibilityTimeout: Duration.millis(300_500) },
    })],
    ['queueOptions.retentionPeriod (seconds)', ({ stack, cluster }) => new WorkerService(stack, 'S', {
      cluster, image, queueOptions: { retentionPeriod: Duration.millis(86_400_500) },
    })],
    ['queueOptions.deadLetterRetentionPeriod (seconds)', ({ stack, cluster }) => new WorkerService(stack, 'S', {
      cluster, image, queueOptions: { deadLetterRetentionPeriod: Duration.millis(1_000_000_500) },
    })],
    ['instanceWarmup (seconds)', ({ cluster }) => cluster.addEc2Capacity('S', { instanceType: new ec2.InstanceType('m7i.large'), instanceWarmup: millis })],
  ];

  test.each(CASES)('%s', (prop, make) => {
    const error = errorOf(() => make(setup()));
    expect(error).toBeDefined();
    expect(error!.message).not.toMatch(/cannot be converted into a whole number/);
    // '<prop> (seconds) = 1.5. Use a whole number ...', or the construct's own message naming the prop and a fix.
    const escaped = prop.replace(/ \(\w+\)$/, '').replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    expect(error!.message).toMatch(new RegExp(`^\\w+ '[^']+': invalid ${escaped}( \\(\\w+\\))? = .+?\\. \\S.{10,}`));
  });

  test('durations that need no whole number accept milliseconds', () => {
    const { stack, cluster } = setup();
    const worker = new WorkerService(stack, 'Worker', {
      cluster, image, expectedProcessingTime: Duration.millis(1500), queueScaling: { maxTasks: 4, acceptableLatency: Duration.millis(30_500) },
    });
    // 30.5 s of latency at 1.5 s per message: 20 messages per task.
    expect(worker.messagesPerTask).toBe(20);
    // An alarm threshold may be a fraction of a second.
    new WorkerService(stack, 'Aged', { cluster, image, alarms: { oldestMessageAge: Duration.millis(90_500) } });
    new BackendService(stack, 'Api', { cluster, image, port: 8080, idleTimeout: Duration.millis(2000), scaling: { maxTasks: 2, scaleInCooldown: Duration.millis(60_000) } });
    Template.fromStack(stack).hasResourceProperties('AWS::ApplicationAutoScaling::ScalingPolicy', {
      TargetTrackingScalingPolicyConfiguration: { ScaleInCooldown: 60 },
    });
  });
});

describe('tokens for the task size', () => {
  test('a CfnParameter cpu with a memory synthesizes, CloudFormation checks the pair', () => {
    const { stack, cluster } = setup();
    const cpu = new CfnParameter(stack, 'Cpu', { type: 'Number' });
    new FoundryTaskDefinition(stack, 'Job', { cluster, image, cpu: cpu.valueAsNumber, memoryMiB: 2048 });
    Template.fromStack(stack).hasResourceProperties('AWS::ECS::TaskDefinition', { Cpu: { Ref: 'Cpu' }, Memory: '2048' });
  });

  test('a token cpu without memoryMiB asks for memoryMiB', () => {
    const { stack, cluster } = setup();
    const cpu = new CfnParameter(stack, 'Cpu', { type: 'Number' });
    expect(() => new FoundryTaskDefinition(stack, 'Job', { cluster, image, cpu: cpu.valueAsNumber }))
      .toThrow(/^FoundryTaskDefinition 'Inputs\/Job': invalid memoryMiB = undefined\. cpu is a token/);
  });

  test('a Lazy.number memoryMiB is written as the string CloudFormation expects', () => {
    const { stack, cluster } = setup();
    new FoundryTaskDefinition(stack, 'Job', { cluster, image, cpu: 256, memoryMiB: Lazy.number({ produce: () => 1024 }) });
    new FoundryTaskDefinition(stack, 'Ec2Job', { cluster, image, cpu: Lazy.number({ produce: () => 512 }), memoryMiB: 1024 });
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::ECS::TaskDefinition', { Cpu: '256', Memory: '1024' });
    template.hasResourceProperties('AWS::ECS::TaskDefinition', { Cpu: '512', Memory: '1024' });
  });
});
