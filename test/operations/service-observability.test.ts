import { fullDiff, ResourceImpact } from '@aws-cdk/cloudformation-diff';
import { App, Duration, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import {
  BackendService, FoundryCluster, PredictiveScalingMetric, PredictiveScalingMode, PredictiveScalingOptions, ServiceAlarms, WebService, WorkerService,
} from '../../src';
import { synthTemplate } from '../proof/support/update-safety';
import { plainStack } from '../support/stacks';

/**
 * 20-second service metrics (`highResolutionMetrics`) and Service Connect access logs (`serviceConnectAccessLogs`):
 * what each writes, and every validation branch. The alarm's behaviour is proven in test/proof/alarm-behaviour.test.ts.
 */

const image = ecs.ContainerImage.fromRegistry('public.ecr.aws/docker/library/python:3.13-slim');
const certificateArn = 'arn:aws:acm:us-east-1:123456789012:certificate/abc';

function webService(stack: Stack, highResolutionMetrics?: boolean, dashboard = false): WebService {
  return new WebService(stack, 'Web', {
    cluster: new FoundryCluster(stack, 'Cluster'),
    image,
    port: 8080,
    certificate: acm.Certificate.fromCertificateArn(stack, 'Cert', certificateArn),
    scaling: { minTasks: 2, maxTasks: 10, cpuPercent: 60, memoryPercent: 70, requestsPerTask: 500 },
    highResolutionMetrics,
    dashboard,
  });
}

const policyTypes = (stack: Stack) => Object.values(Template.fromStack(stack).findResources('AWS::ApplicationAutoScaling::ScalingPolicy'))
  .map((p: any) => p.Properties.TargetTrackingScalingPolicyConfiguration?.PredefinedMetricSpecification?.PredefinedMetricType)
  .filter(t => t !== undefined)
  .sort();

describe('highResolutionMetrics', () => {
  test('off by default: no MonitoringConfiguration, one-minute target tracking, one alarm per minute', () => {
    const stack = plainStack();
    webService(stack);
    const service = Object.values(Template.fromStack(stack).findResources('AWS::ECS::Service'))[0] as any;
    expect(service.Properties.Monitoring).toBeUndefined();
    expect(policyTypes(stack)).toEqual(['ALBRequestCountPerTarget', 'ECSServiceAverageCPUUtilization', 'ECSServiceAverageMemoryUtilization']);
    const alarms = Object.values(Template.fromStack(stack).findResources('AWS::CloudWatch::Alarm')) as any[];
    expect(JSON.stringify(alarms)).not.toMatch(/"Period":20/);
  });

  test('on: CPU and memory every 20 seconds, tracked by the HighResolution predefined metrics', () => {
    const stack = plainStack();
    webService(stack, true);
    Template.fromStack(stack).hasResourceProperties('AWS::ECS::Service', {
      Monitoring: { MetricConfigurations: [{ MetricNames: ['CPUUtilization', 'MemoryUtilization'], ResolutionSeconds: 20 }] },
    });
    expect(policyTypes(stack)).toEqual([
      'ALBRequestCountPerTarget', 'ECSServiceAverageCPUUtilizationHighResolution', 'ECSServiceAverageMemoryUtilizationHighResolution',
    ]);
    // The targets and cooldowns do not change.
    Template.fromStack(stack).hasResourceProperties('AWS::ApplicationAutoScaling::ScalingPolicy', {
      TargetTrackingScalingPolicyConfiguration: {
        PredefinedMetricSpecification: { PredefinedMetricType: 'ECSServiceAverageCPUUtilizationHighResolution' },
        TargetValue: 60,
        ScaleInCooldown: 300,
        ScaleOutCooldown: 60,
      },
    });
  });

  test('switching it on keeps the logical IDs of the scaling policies (an in-place update)', () => {
    const ids = (hr: boolean) => {
      const stack = plainStack();
      webService(stack, hr);
      return Object.keys(Template.fromStack(stack).findResources('AWS::ApplicationAutoScaling::ScalingPolicy')).sort();
    };
    expect(ids(true)).toEqual(ids(false));
  });

  test('the service dashboard graphs CPU and memory every 20 seconds', () => {
    const stack = plainStack();
    webService(stack, true, true);
    const dashboards = Template.fromStack(stack).findResources('AWS::CloudWatch::Dashboard');
    const body = JSON.stringify(Object.entries(dashboards).find(([id]) => id.startsWith('WebDashboard'))![1]);
    expect(body).toContain('CPU and memory (%, every 20 s)');
    expect(body).toContain('{\\"label\\":\\"CPU\\",\\"period\\":20}');
    expect(body).toContain('{\\"label\\":\\"Memory\\",\\"period\\":20}');
  });

  test('a ServiceAlarms of its own takes the option too', () => {
    const stack = plainStack();
    const cluster = new FoundryCluster(stack, 'Cluster');
    const worker = new WorkerService(stack, 'Worker', { cluster, image, alarms: { enabled: false }, highResolutionMetrics: true });
    const alarms = new ServiceAlarms(stack, 'Alarms', { service: worker.ecsService, alertTopic: cluster.alertTopic, highResolutionMetrics: true, separateAlarms: true });
    const cpu = alarms.alarms.find(a => a.node.id === 'Cpu')!;
    const props = Template.fromStack(stack).toJSON().Resources[stack.getLogicalId(cpu.node.defaultChild as any)].Properties;
    expect(props).toMatchObject({ EvaluationPeriods: 9, DatapointsToAlarm: 9 });
    expect(props.Metrics.find((q: any) => q.MetricStat).MetricStat.Period).toBe(20);
    // The running-task condition reads one-minute Container Insights metrics: its alarm stays per minute.
    const running = alarms.alarms.find(a => a.node.id === 'RunningTasks')!;
    const runningProps = Template.fromStack(stack).toJSON().Resources[stack.getLogicalId(running.node.defaultChild as any)].Properties;
    expect(runningProps).toMatchObject({ EvaluationPeriods: 3, DatapointsToAlarm: 3 });
  });

  test('the longest evaluation period, one hour, is 180 periods of 20 s: within CloudWatch\'s one day for periods under an hour', () => {
    // "For alarms with a period of less than one hour (3,600 seconds), the total evaluation period can't be longer
    // than one day (86,400 seconds)" (https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_PutMetricAlarm.html).
    const stack = plainStack();
    new WorkerService(stack, 'W', { cluster: new FoundryCluster(stack, 'Cluster'), image, highResolutionMetrics: true, alarms: { evaluationPeriod: Duration.hours(1) } });
    const fast = Object.values(Template.fromStack(stack).findResources('AWS::CloudWatch::Alarm'))
      .map((a: any) => a.Properties)
      .find(p => p.Metrics.some((q: any) => q.MetricStat?.Period === 20));
    expect(fast).toMatchObject({ EvaluationPeriods: 180, DatapointsToAlarm: 180 });
    expect(fast.EvaluationPeriods * 20).toBeLessThanOrEqual(86_400);
    expect(fast.AlarmDescription).toMatch(/\(for 60 minutes\)$/);
  });

  test('a value that is not a boolean is rejected (JavaScript callers)', () => {
    expect(() => webService(plainStack(), 'yes' as unknown as boolean)).toThrow(/invalid highResolutionMetrics = 'yes'\. Use true or false/);
  });
});

describe('serviceConnectAccessLogs', () => {
  const serviceConnect = (stack: Stack) => Object.values(Template.fromStack(stack).findResources('AWS::ECS::Service'))
    .map((s: any) => s.Properties.ServiceConnectConfiguration)
    .filter(c => c !== undefined);

  test('off by default: a backend service writes no access log configuration', () => {
    const stack = plainStack();
    new BackendService(stack, 'Api', { cluster: new FoundryCluster(stack, 'Cluster'), image, port: 8080 });
    expect(serviceConnect(stack)).toHaveLength(1);
    expect(serviceConnect(stack)[0].AccessLogConfiguration).toBeUndefined();
  });

  test('a backend service and its client log to their own log groups through the Service Connect log configuration', () => {
    const stack = plainStack();
    const cluster = new FoundryCluster(stack, 'Cluster');
    const api = new BackendService(stack, 'Api', {
      cluster, image, port: 8080, serviceConnectAccessLogs: { format: ecs.ServiceConnectAccessLogFormat.JSON },
    });
    const client = new WorkerService(stack, 'Client', {
      cluster, image, serviceConnectAccessLogs: { format: ecs.ServiceConnectAccessLogFormat.TEXT, includeQueryParameters: true },
    });
    client.connectTo(api);
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::ECS::Service', {
      ServiceConnectConfiguration: Match.objectLike({
        AccessLogConfiguration: { Format: 'JSON', IncludeQueryParameters: 'DISABLED' },
        LogConfiguration: Match.objectLike({
          LogDriver: 'awslogs',
          Options: Match.objectLike({ 'awslogs-group': { Ref: stack.getLogicalId(api.workload.logGroup.node.defaultChild as any) } }),
        }),
      }),
    });
    template.hasResourceProperties('AWS::ECS::Service', {
      ServiceConnectConfiguration: Match.objectLike({
        AccessLogConfiguration: { Format: 'TEXT', IncludeQueryParameters: 'ENABLED' },
        LogConfiguration: Match.objectLike({
          Options: Match.objectLike({ 'awslogs-group': { Ref: stack.getLogicalId(client.workload.logGroup.node.defaultChild as any) } }),
        }),
      }),
    });
  });

  test('on a service that never uses Service Connect: refused at synth, naming the service', () => {
    const app = new App();
    const stack = new Stack(app, 'NoConnect', { env: { account: '123456789012', region: 'us-east-1' } });
    new WorkerService(stack, 'Worker', {
      cluster: new FoundryCluster(stack, 'Cluster'), image, serviceConnectAccessLogs: { format: ecs.ServiceConnectAccessLogFormat.JSON },
    });
    expect(() => app.synth()).toThrow(/WorkerService 'NoConnect\/Worker': invalid serviceConnectAccessLogs = \{"format":"JSON"\}\. Service Connect access logs are written by the Service Connect proxy/);
  });

  test.each<[string, unknown, RegExp]>([
    ['an unknown format', { format: 'CSV' }, /invalid serviceConnectAccessLogs\.format = 'CSV'\. Use ecs\.ServiceConnectAccessLogFormat\.JSON/],
    ['no format', {}, /invalid serviceConnectAccessLogs\.format = undefined/],
    ['null', null, /invalid serviceConnectAccessLogs\.format = undefined/],
    ['a string for includeQueryParameters', { format: 'JSON', includeQueryParameters: 'ENABLED' }, /invalid serviceConnectAccessLogs\.includeQueryParameters = 'ENABLED'\. Use true or false/],
  ])('%s is rejected', (_label, value, message) => {
    const stack = plainStack();
    expect(() => new BackendService(stack, 'Api', {
      cluster: new FoundryCluster(stack, 'Cluster'), image, port: 8080, serviceConnectAccessLogs: value as ecs.ServiceConnectAccessLogConfiguration,
    })).toThrow(message);
  });
});

describe('switching the options on an existing stack replaces nothing', () => {
  // The CDK's own diff engine decides which property changes replace a resource.
  const replaced = (before: Record<string, any>, after: Record<string, any>): string[] => {
    const found: string[] = [];
    fullDiff(before, after).resources.forEachDifference((logicalId, change) => {
      if (change.isRemoval || change.changeImpact === ResourceImpact.WILL_REPLACE || change.changeImpact === ResourceImpact.MAY_REPLACE) {
        found.push(`${logicalId} (${change.isRemoval ? 'removed' : 'replaced'})`);
      }
    });
    return found;
  };
  const webWith = (options: { highResolutionMetrics?: boolean; predictive?: PredictiveScalingOptions }) => synthTemplate(stack => {
    new WebService(stack, 'Web', {
      cluster: new FoundryCluster(stack, 'Cluster'),
      image,
      port: 8080,
      certificate: acm.Certificate.fromCertificateArn(stack, 'Cert', certificateArn),
      scaling: { minTasks: 2, maxTasks: 10, cpuPercent: 60, memoryPercent: 70, requestsPerTask: 500, predictive: options.predictive },
      highResolutionMetrics: options.highResolutionMetrics,
      dashboard: true,
    });
  });
  const backendWith = (serviceConnectAccessLogs?: ecs.ServiceConnectAccessLogConfiguration) => synthTemplate(stack => {
    const cluster = new FoundryCluster(stack, 'Cluster');
    const api = new BackendService(stack, 'Api', { cluster, image, port: 8080, serviceConnectAccessLogs });
    new WorkerService(stack, 'Client', { cluster, image, serviceConnectAccessLogs }).connectTo(api);
  });

  test('highResolutionMetrics off → on → off', () => {
    const off = webWith({});
    const on = webWith({ highResolutionMetrics: true });
    expect(replaced(off, on)).toEqual([]);
    // Back off: only the 20-second alarm goes away.
    expect(replaced(on, off)).toEqual([expect.stringMatching(/^WebAlarmsUnhealthyHighResolution[0-9A-F]{8} \(removed\)$/)]);
  });

  test('predictive scaling: none → forecast only → forecast and scale → another metric', () => {
    const steps = [
      webWith({}),
      webWith({ predictive: {} }),
      webWith({ predictive: { mode: PredictiveScalingMode.FORECAST_AND_SCALE } }),
      webWith({
        predictive: { mode: PredictiveScalingMode.FORECAST_AND_SCALE, metric: PredictiveScalingMetric.REQUESTS, maxTasksBufferPercent: 10 },
      }),
    ];
    for (let i = 1; i < steps.length; i++) {
      expect(replaced(steps[i - 1], steps[i])).toEqual([]);
    }
  });

  test('Service Connect access logs on a backend and its client: off → on (the services are updated, never replaced)', () => {
    expect(replaced(backendWith(), backendWith({ format: ecs.ServiceConnectAccessLogFormat.JSON }))).toEqual([]);
  });
});
