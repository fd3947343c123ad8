import { CfnParameter, Duration, Stack, Token } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import {
  BackendService, FoundryCluster, PredictiveScalingMetric, PredictiveScalingMode, PredictiveScalingOptions, WebScalingOptions, WebService,
} from '../../src';
import { plainStack } from '../support/stacks';
import { MetricRef, Mode, readScaling, ScalingModel, ScalingTrace, Series, simulateScaling, World } from './support/metric-math';

/**
 * Predictive scaling: the policy's template, every validation branch, and its behaviour next to target tracking,
 * evaluated over the synthesized template by the scaling simulator of ./support/metric-math.ts (its header cites the
 * AWS rules: hourly forecasts, forecast-only does not scale, forecast-and-scale only scales out, the largest capacity
 * of several policies wins, HonorMaxCapacity / IncreaseMaxCapacity).
 */

const image = ecs.ContainerImage.fromRegistry('public.ecr.aws/docker/library/python:3.13-slim');
const certificateArn = 'arn:aws:acm:us-east-1:123456789012:certificate/abc';

function web(stack: Stack, scaling: WebScalingOptions, blueGreen = false): WebService {
  return new WebService(stack, 'Web', {
    cluster: new FoundryCluster(stack, 'Cluster'),
    image,
    port: 8080,
    certificate: acm.Certificate.fromCertificateArn(stack, 'Cert', certificateArn),
    scaling,
    deployment: blueGreen ? { blueGreen: {} } : undefined,
  });
}

function predictivePolicies(stack: Stack): any[] {
  return Object.values(Template.fromStack(stack).findResources('AWS::ApplicationAutoScaling::ScalingPolicy'))
    .filter((r: any) => r.Properties.PolicyType === 'PredictiveScaling');
}

describe('the predictive scaling policy in the template', () => {
  test('default: forecast only, the CPU pair at the CPU target, a 5-minute buffer, never above maxTasks', () => {
    const stack = plainStack();
    const service = web(stack, { minTasks: 2, maxTasks: 10, cpuPercent: 60, predictive: {} });
    const policies = predictivePolicies(stack);
    expect(policies).toHaveLength(1);
    expect(policies[0].Properties).toEqual({
      PolicyName: expect.stringMatching(/Predictive$/),
      PolicyType: 'PredictiveScaling',
      ScalingTargetId: { Ref: expect.any(String) },
      PredictiveScalingPolicyConfiguration: {
        Mode: 'ForecastOnly',
        SchedulingBufferTime: 300,
        MaxCapacityBreachBehavior: 'HonorMaxCapacity',
        MetricSpecifications: [{ TargetValue: 60, PredefinedMetricPairSpecification: { PredefinedMetricType: 'ECSServiceCPUUtilization' } }],
      },
    });
    // On the service's own scalable target, beside target tracking.
    const target = stack.getLogicalId(service.scaling!.scalableTarget.node.findChild('Target').node.defaultChild as any);
    expect(policies[0].Properties.ScalingTargetId).toEqual({ Ref: target });
    Template.fromStack(stack).hasResourceProperties('AWS::ApplicationAutoScaling::ScalingPolicy', {
      PolicyType: 'TargetTrackingScaling',
      TargetTrackingScalingPolicyConfiguration: Match.objectLike({ TargetValue: 60 }),
    });
  });

  test('without a CPU target the memory target is forecast, at its own value', () => {
    const stack = plainStack();
    web(stack, { maxTasks: 10, memoryPercent: 75, predictive: {} });
    expect(predictivePolicies(stack)[0].Properties.PredictiveScalingPolicyConfiguration.MetricSpecifications).toEqual([
      { TargetValue: 75, PredefinedMetricPairSpecification: { PredefinedMetricType: 'ECSServiceMemoryUtilization' } },
    ]);
  });

  test('forecast and scale, requests per task: the ALBRequestCount pair labelled with the target group', () => {
    const stack = plainStack();
    web(stack, {
      maxTasks: 10,
      requestsPerTask: 500,
      predictive: { mode: PredictiveScalingMode.FORECAST_AND_SCALE, schedulingBuffer: Duration.minutes(10), maxTasksBufferPercent: 10 },
    });
    const config = predictivePolicies(stack)[0].Properties.PredictiveScalingPolicyConfiguration;
    expect(config).toMatchObject({ Mode: 'ForecastAndScale', SchedulingBufferTime: 600, MaxCapacityBreachBehavior: 'IncreaseMaxCapacity', MaxCapacityBuffer: 10 });
    const pair = config.MetricSpecifications[0];
    expect(pair.TargetValue).toBe(500);
    expect(pair.PredefinedMetricPairSpecification.PredefinedMetricType).toBe('ALBRequestCount');
    // The same label as target tracking's ALBRequestCountPerTarget: app/<load balancer>/<id>/targetgroup/<name>/<id>.
    const tracking = Object.values(Template.fromStack(stack).findResources('AWS::ApplicationAutoScaling::ScalingPolicy'))
      .find((r: any) => r.Properties.PolicyType === 'TargetTrackingScaling') as any;
    const label = pair.PredefinedMetricPairSpecification.ResourceLabel;
    expect(label).toEqual(tracking.Properties.TargetTrackingScalingPolicyConfiguration.PredefinedMetricSpecification.ResourceLabel);
    expect(JSON.stringify(label)).toContain('TargetGroupFullName');
  });

  test('blue/green: the requests of both target groups, as customized load and scaling metrics', () => {
    const stack = plainStack();
    const service = web(stack, { maxTasks: 10, requestsPerTask: 500, predictive: { metric: PredictiveScalingMetric.REQUESTS } }, true);
    const spec = predictivePolicies(stack)[0].Properties.PredictiveScalingPolicyConfiguration.MetricSpecifications[0];
    expect(spec.PredefinedMetricPairSpecification).toBeUndefined();
    const groups = [service.targetGroup, service.alternateTargetGroup!].map(g => stack.getLogicalId(g.node.defaultChild as any));
    for (const [key, metricName, stat] of [
      ['CustomizedLoadMetricSpecification', 'RequestCount', 'Sum'],
      ['CustomizedScalingMetricSpecification', 'RequestCountPerTarget', 'Sum'],
    ]) {
      const queries = spec[key].MetricDataQueries;
      expect(queries.filter((q: any) => q.ReturnData !== false)).toHaveLength(1);
      expect(queries.find((q: any) => q.ReturnData !== false).Expression).toMatch(/^FILL\(\w+a, 0\) \+ FILL\(\w+b, 0\)$/);
      const stats = queries.filter((q: any) => q.MetricStat);
      expect(stats.map((q: any) => [q.MetricStat.Metric.MetricName, q.MetricStat.Stat])).toEqual([[metricName, stat], [metricName, stat]]);
      groups.forEach((g, i) => expect(JSON.stringify(stats[i].MetricStat.Metric.Dimensions)).toContain(g));
    }
  });

  test('a token target value and buffer are passed through (CloudFormation checks them)', () => {
    const stack = plainStack();
    const target = new CfnParameter(stack, 'Target', { type: 'Number' }).valueAsNumber;
    const buffer = new CfnParameter(stack, 'Buffer', { type: 'Number' }).valueAsNumber;
    expect(Token.isUnresolved(target)).toBe(true);
    web(stack, { maxTasks: 10, predictive: { targetValue: target, maxTasksBufferPercent: buffer } });
    const config = predictivePolicies(stack)[0].Properties.PredictiveScalingPolicyConfiguration;
    expect(config.MetricSpecifications[0].TargetValue).toEqual({ Ref: 'Target' });
    expect(config.MaxCapacityBuffer).toEqual({ Ref: 'Buffer' });
  });

  test('no predictive prop: no predictive policy (existing stacks are unchanged)', () => {
    const stack = plainStack();
    web(stack, { maxTasks: 10 });
    expect(predictivePolicies(stack)).toEqual([]);
  });
});

describe('bad predictive scaling input is rejected at synth', () => {
  const cases: [string, WebScalingOptions, RegExp][] = [
    ['an unknown mode', { maxTasks: 4, predictive: { mode: 'ForecastAndScale' as PredictiveScalingMode } }, /invalid scaling\.predictive\.mode = 'ForecastAndScale'\. Use PredictiveScalingMode\.FORECAST_ONLY or/],
    ['an unknown metric', { maxTasks: 4, predictive: { metric: 'ALBRequestCountPerTarget' as PredictiveScalingMetric } }, /invalid scaling\.predictive\.metric = 'ALBRequestCountPerTarget'/],
    ['requests without a requests target', { maxTasks: 4, cpuPercent: 50, predictive: { metric: PredictiveScalingMetric.REQUESTS } }, /invalid scaling\.predictive\.targetValue = undefined\. Request forecasts need/],
    ['a zero utilization target', { maxTasks: 4, predictive: { targetValue: 0 } }, /invalid scaling\.predictive\.targetValue = 0\. Use a number between 1 and 100/],
    ['a utilization target above 100', { maxTasks: 4, predictive: { targetValue: 101 } }, /invalid scaling\.predictive\.targetValue = 101/],
    ['a negative target', { maxTasks: 4, predictive: { targetValue: -5 } }, /invalid scaling\.predictive\.targetValue = -5/],
    ['a NaN target', { maxTasks: 4, predictive: { targetValue: NaN } }, /invalid scaling\.predictive\.targetValue = NaN/],
    ['a requests target of 0.5', { maxTasks: 4, predictive: { metric: PredictiveScalingMetric.REQUESTS, targetValue: 0.5 } }, /invalid scaling\.predictive\.targetValue = 0\.5\. Use a number between 1 and 1000000/],
    ['a buffer above one hour', { maxTasks: 4, predictive: { schedulingBuffer: Duration.seconds(3601) } }, /invalid scaling\.predictive\.schedulingBuffer \(seconds\) = 3601\. Use a whole number between 0 and 3600/],
    ['a buffer in fractions of a second', { maxTasks: 4, predictive: { schedulingBuffer: Duration.millis(1500) } }, /invalid scaling\.predictive\.schedulingBuffer \(seconds\) = 1\.5/],
    ['a max-tasks buffer above 100 %', { maxTasks: 4, predictive: { maxTasksBufferPercent: 101 } }, /invalid scaling\.predictive\.maxTasksBufferPercent = 101\. Use a whole number between 0 and 100/],
    ['a negative max-tasks buffer', { maxTasks: 4, predictive: { maxTasksBufferPercent: -1 } }, /invalid scaling\.predictive\.maxTasksBufferPercent = -1/],
    ['a fractional max-tasks buffer', { maxTasks: 4, predictive: { maxTasksBufferPercent: 12.5 } }, /invalid scaling\.predictive\.maxTasksBufferPercent = 12\.5/],
  ];
  test.each(cases)('%s', (_label, scaling, message) => {
    expect(() => web(plainStack(), scaling)).toThrow(message);
  });

  test('the error names the service', () => {
    expect(() => web(plainStack('Named'), { maxTasks: 4, predictive: { targetValue: 0 } })).toThrow(/^WebService 'Named\/Web': invalid scaling\.predictive\.targetValue/);
  });

  test('request forecasts need an Application Load Balancer: a BackendService is refused', () => {
    const stack = plainStack();
    expect(() => new BackendService(stack, 'Api', {
      cluster: new FoundryCluster(stack, 'Cluster'),
      image,
      port: 8080,
      scaling: { maxTasks: 4, predictive: { metric: PredictiveScalingMetric.REQUESTS, targetValue: 100 } },
    })).toThrow(/invalid scaling\.predictive\.metric = 'REQUESTS'\. Request forecasts need an Application Load Balancer target group/);
  });

  test('edge values are accepted: a fractional utilization target, buffers of 0 and one hour, 0 % and 100 %', () => {
    for (const predictive of [
      { targetValue: 55.5 }, { schedulingBuffer: Duration.seconds(0) }, { schedulingBuffer: Duration.hours(1) },
      { maxTasksBufferPercent: 0 }, { maxTasksBufferPercent: 100 },
    ] as PredictiveScalingOptions[]) {
      expect(() => web(plainStack(), { maxTasks: 4, predictive })).not.toThrow();
    }
  });
});

// ---------------------------------------------------------------------------------------------------------------
// Behaviour: CPU target tracking at 60 % beside a CPU forecast, 2-10 tasks.
// ---------------------------------------------------------------------------------------------------------------

/**
 * A service whose load is `demand` CPU units (100 = one task fully busy): each running task runs at demand ÷ tasks
 * percent (at most 100). The forecast load of each hour is the scenario's.
 */
class CpuWorld implements World {
  public readonly cpu: Series = [];
  private tasks = 0;

  constructor(private readonly demand: (minute: number) => number, private readonly forecast: (hour: number) => number | undefined) {}

  public step(_minute: number, desired: number): void {
    this.tasks = desired;
    this.cpu.push(this.tasks > 0 ? Math.min(100, this.demand(_minute) / this.tasks) : undefined);
  }

  public forecastLoad(hour: number): number | undefined {
    return this.forecast(hour);
  }

  public get source() {
    return (m: MetricRef): Series | undefined => {
      if (m.namespace === 'AWS/ECS' && m.metricName === 'CPUUtilization') return this.cpu;
      throw new Error(`the CPU world has no ${m.namespace} ${m.metricName}`);
    };
  }
}

const MODES: Mode[] = ['documented', 'strict'];

describe('predictive scaling beside target tracking, simulated from the template', () => {
  const models: Record<string, ScalingModel> = {};
  beforeAll(() => {
    const build = (name: string, predictive?: PredictiveScalingOptions) => {
      const stack = plainStack(name);
      const service = web(stack, { minTasks: 2, maxTasks: 10, cpuPercent: 60, predictive });
      models[name] = readScaling(Template.fromStack(stack).toJSON(), stack.getLogicalId(service.ecsService.node.defaultChild as any));
    };
    build('none');
    build('forecastOnly', {});
    build('forecastAndScale', { mode: PredictiveScalingMode.FORECAST_AND_SCALE });
    build('increaseMax', { mode: PredictiveScalingMode.FORECAST_AND_SCALE, maxTasksBufferPercent: 10 });
  });

  const run = (name: string, demand: (t: number) => number, forecast: (h: number) => number | undefined, minutes: number, mode: Mode): ScalingTrace =>
    simulateScaling(models[name], new CpuWorld(demand, forecast), minutes, 2, mode);
  const predictiveChanges = (name: string, trace: ScalingTrace) => {
    const id = models[name].policies.find(p => p.kind === 'predictive')!.logicalId;
    return trace.changes.filter(c => c.by.includes(id));
  };

  test('the model reads the policies from the template', () => {
    expect(models.none.policies.map(p => p.kind)).toEqual(['tracking']);
    expect(models.forecastAndScale.policies.map(p => p.kind).sort()).toEqual(['predictive', 'tracking']);
    expect(models.forecastAndScale.policies.find(p => p.kind === 'predictive')).toMatchObject({
      mode: 'ForecastAndScale', target: 60, metricPair: 'ECSServiceCPUUtilization', schedulingBufferSeconds: 300, breach: 'HonorMaxCapacity',
    });
  });

  describe.each(MODES)('metric math alignment: %s', mode => {
    // Idle at 60 units (two tasks at 30 %: target tracking neither scales out nor below the minimum); the forecast
    // expects 300 units in hour 2 (minutes 120-179): 300 ÷ 60 = 5 tasks.
    const idle = () => 60;
    const peakInHour2 = (h: number) => (h === 2 ? 300 : 60);

    test('a forecast above the current load, target tracking idle: 5 tasks from 5 minutes before the hour, held until the next hour\'s action', () => {
      const trace = run('forecastAndScale', idle, peakInHour2, 200, mode);
      expect(trace.desired[113]).toBe(2);
      expect(trace.desired[115]).toBe(5); // 120 - SchedulingBufferTime (300 s) = minute 115
      // Held while hour 2's forecast is in force: until hour 3's action starts, 5 minutes before hour 3.
      expect(trace.desired.slice(115, 175).every(d => d === 5)).toBe(true);
      expect(predictiveChanges('forecastAndScale', trace)).toEqual([{ minute: 115, from: 2, to: 5, by: [expect.any(String)] }]);
      // After the hour the idle load lets target tracking scale back in (predictive scaling never scales in itself).
      expect(trace.desired[199]).toBe(2);
    });

    test('forecast only: the same forecast is computed and nothing scales', () => {
      const withForecast = run('forecastOnly', idle, peakInHour2, 200, mode);
      expect(withForecast.forecast[130]).toBe(5);
      expect(withForecast.desired.every(d => d === 2)).toBe(true);
      expect(withForecast.desired).toEqual(run('none', idle, peakInHour2, 200, mode).desired);
    });

    test('a forecast below the load while target tracking scales out: target tracking wins, predictive never lowers it', () => {
      // 480 units during hour 1 (8 tasks at 60 %) but a forecast of 120 units (2 tasks) for every hour.
      const burst = (t: number) => (t >= 60 && t < 120 ? 480 : 60);
      const low = () => 120;
      const trace = run('forecastAndScale', burst, low, 200, mode);
      expect(Math.max(...trace.desired)).toBe(8);
      expect(trace.desired).toEqual(run('none', burst, low, 200, mode).desired);
      expect(predictiveChanges('forecastAndScale', trace)).toEqual([]);
    });

    test('predictive scaling only scales out: a forecast that falls from 8 to 2 tasks removes none', () => {
      const falling = (h: number) => (h === 1 ? 480 : 120);
      const trace = run('forecastAndScale', idle, falling, 200, mode);
      const changes = predictiveChanges('forecastAndScale', trace);
      expect(changes.length).toBeGreaterThan(0);
      expect(changes.every(c => c.to > c.from)).toBe(true);
      expect(Math.max(...trace.desired)).toBe(8);
    });

    test('a forecast above maxTasks: HonorMaxCapacity stops at maxTasks', () => {
      const huge = (h: number) => (h === 2 ? 900 : 60); // 15 tasks
      const trace = run('forecastAndScale', idle, huge, 180, mode);
      expect(trace.forecast[130]).toBe(15);
      expect(Math.max(...trace.desired)).toBe(10);
      expect(Math.max(...trace.maxCapacity)).toBe(10);
    });

    test('a forecast above maxTasks: IncreaseMaxCapacity (10 %) scales to the forecast and raises the maximum to forecast + 10 %', () => {
      const huge = (h: number) => (h === 2 ? 900 : 60);
      const trace = run('increaseMax', idle, huge, 180, mode);
      expect(trace.desired[115]).toBe(15);
      expect(trace.maxCapacity[179]).toBe(17); // ceil(15 × 1.1)
    });
  });
});

describe('blue/green: request forecasts over both target groups, beside request target tracking', () => {
  let model: ScalingModel;
  let groups: string[];
  beforeAll(() => {
    const stack = plainStack('BlueGreenPredictive');
    const service = web(stack, {
      minTasks: 2, maxTasks: 20, requestsPerTask: 500, predictive: { mode: PredictiveScalingMode.FORECAST_AND_SCALE },
    }, true);
    groups = [service.targetGroup, service.alternateTargetGroup!].map(g => stack.getLogicalId(g.node.defaultChild as any));
    model = readScaling(Template.fromStack(stack).toJSON(), stack.getLogicalId(service.ecsService.node.defaultChild as any));
  });

  /** Requests reach the target group with production traffic; the other one has no targets and no data. */
  class RequestsWorld implements World {
    private readonly perTarget: Record<string, Series> = {};
    constructor(private readonly live: string, private readonly requests: (t: number) => number, private readonly forecast: (h: number) => number) {
      for (const g of groups) this.perTarget[g] = [];
    }
    public step(t: number, desired: number): void {
      for (const g of groups) this.perTarget[g].push(g === this.live ? this.requests(t) / desired : undefined);
    }
    public forecastLoad(hour: number): number {
      return this.forecast(hour);
    }
    public get source() {
      return (m: MetricRef): Series | undefined => {
        const group = groups.find(g => m.refs.includes(g));
        if (m.metricName === 'RequestCountPerTarget' && group) return this.perTarget[group];
        throw new Error(`the requests world has no ${m.namespace} ${m.metricName}`);
      };
    }
  }

  test.each(MODES)('either target group live (%s): 10 tasks from 5 minutes before the forecast peak of 5000 requests a minute', mode => {
    expect(model.policies.find(p => p.kind === 'predictive')).toMatchObject({ metricPair: 'custom', target: 500 });
    for (const live of [0, 1]) {
      const trace = simulateScaling(model, new RequestsWorld(groups[live], () => 600, h => (h === 2 ? 5000 : 600)), 200, 2, mode);
      expect(trace.desired[113]).toBe(2);
      expect(trace.desired[115]).toBe(10);
      expect(trace.desired.slice(115, 175).every(d => d === 10)).toBe(true);
    }
  });
});
