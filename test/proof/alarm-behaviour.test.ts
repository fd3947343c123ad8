import { Duration, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import { DeploymentStrategy, FoundryCluster, ServiceAlarm, ServiceAlarms, ServiceDashboard, WebService, WorkerService } from '../../src';
import { plainStack } from '../support/stacks';
import { alarmPeriod, alarmSeries, alarmStates, AlarmResource, evaluate, MetricRef, MetricSource, Mode, Series } from './support/metric-math';

/**
 * Alarms as behaviour: the service alarms are read from the synthesized template and evaluated by the metric-math
 * and alarm model of ./support/metric-math.ts, fed with the data AWS really has in the situations where it has the
 * least: a worker at zero tasks (no AWS/ECS metrics, no Container Insights counts), a cluster without Container
 * Insights, an idle queue (SQS publishes nothing), a blue/green web service after the swap (the first target group
 * has no targets and no data). Every documented condition must still fire, under both alignment rules.
 */

const image = ecs.ContainerImage.fromRegistry('public.ecr.aws/docker/library/python:3.13-slim');
const MODES: Mode[] = ['documented', 'strict'];
const MINUTES = 10;
const certificateArn = 'arn:aws:acm:us-east-1:123456789012:certificate/abc';

/** What AWS publishes in each minute of a scenario; a key left out has no datapoint at all. */
type Facts = Partial<Record<string, number>>;

interface Fixture {
  readonly name: string;
  readonly alarms: AlarmResource[];
  readonly conditions: ServiceAlarm[];
  /** Logical IDs: queue, dead-letter queue, target group (a) and alternate target group (b). */
  readonly entities: Record<string, string>;
  readonly template: any;
  /** Warnings the service's constructs carry. */
  readonly warnings: string[];
}

function fixture(name: string, build: (stack: Stack) => WorkerService | WebService): Fixture {
  const stack = plainStack(name);
  const service = build(stack);
  const template = Template.fromStack(stack).toJSON();
  const id = (c: any) => stack.getLogicalId(c.node.defaultChild ?? c);
  const entities: Record<string, string> = {};
  if (service instanceof WorkerService) {
    entities.queue = id(service.queue);
    if (service.deadLetterQueue) entities.dlq = id(service.deadLetterQueue);
  } else {
    entities.a = id(service.targetGroup);
    if (service.alternateTargetGroup) entities.b = id(service.alternateTargetGroup);
  }
  const alarms = service.alarms.map(a => ({ logicalId: id(a), props: template.Resources[id(a)].Properties }));
  const warnings = service.node.findAll().flatMap(c => c.node.metadata).filter(m => m.type === 'aws:cdk:warning').map(m => String(m.data));
  return { name, alarms, conditions: (service as any)._alarms?.conditions ?? [], entities, template, warnings };
}

/** Turns facts into metric data: AWS/ECS and Insights by metric name, SQS and ALB metrics by the entity they name. */
function sourceOf(f: Fixture, facts: Facts): MetricSource {
  const constant = (v: number | undefined): Series => Array.from({ length: MINUTES }, () => v);
  return (m: MetricRef) => {
    const entity = Object.entries(f.entities).find(([, logicalId]) => m.refs.includes(logicalId))?.[0];
    let key: string;
    if (m.namespace === 'AWS/ECS') key = m.metricName === 'CPUUtilization' ? 'cpu' : m.metricName === 'MemoryUtilization' ? 'memory' : m.metricName;
    else if (m.namespace === 'ECS/ContainerInsights') key = m.metricName === 'RunningTaskCount' ? 'running' : m.metricName === 'DesiredTaskCount' ? 'desired' : m.metricName;
    else if (m.namespace === 'AWS/SQS') key = `${m.metricName === 'ApproximateAgeOfOldestMessage' ? 'oldest' : 'visible'}:${entity}`;
    else if (m.namespace === 'AWS/ApplicationELB') key = `${m.metricName}:${entity}`;
    else throw new Error(`no facts for ${m.namespace} ${m.metricName}`);
    return constant(facts[key]);
  };
}

/** The state of each alarm of the service after MINUTES minutes of these facts. */
function finalStates(f: Fixture, facts: Facts, mode: Mode): Record<string, string> {
  const source = sourceOf(f, facts);
  return Object.fromEntries(f.alarms.map(a => [a.logicalId, alarmStates(a, alarmSeries(a, source, MINUTES, mode))[MINUTES - 1]]));
}

const firing = (states: Record<string, string>) => Object.values(states).filter(s => s === 'ALARM').length;

// Situations with the least data, and for each condition the facts that make it hold.
const workerAtZero: Facts = { 'visible:dlq': undefined };
const workerNoInsights: Facts = { cpu: 20, memory: 30 };
const webAfterSwap: Facts = { 'cpu': 20, 'memory': 30, 'running': 2, 'desired': 2, 'RequestCount:b': 600, 'TargetResponseTime:b': 0.1, 'UnHealthyHostCount:b': 0 };
const webNoInsights: Facts = { 'cpu': 20, 'memory': 30, 'RequestCount:a': 600, 'TargetResponseTime:a': 0.1, 'UnHealthyHostCount:a': 0 };

const triggers = (traffic: 'a' | 'b'): Record<ServiceAlarm, Facts> => ({
  [ServiceAlarm.CPU]: { cpu: 97 },
  [ServiceAlarm.MEMORY]: { memory: 97 },
  [ServiceAlarm.RUNNING_TASKS]: { running: 1, desired: 2 },
  [ServiceAlarm.HTTP_5XX]: { [`HTTPCode_Target_5XX_Count:${traffic}`]: 60 },
  [ServiceAlarm.RESPONSE_TIME]: { [`TargetResponseTime:${traffic}`]: 4 },
  [ServiceAlarm.UNHEALTHY_HOSTS]: { [`UnHealthyHostCount:${traffic}`]: 1 },
  [ServiceAlarm.DLQ_NOT_EMPTY]: { 'visible:dlq': 3 },
  [ServiceAlarm.OLDEST_MESSAGE_AGE]: { 'visible:queue': 4, 'oldest:queue': 3600 },
});

describe('service alarms fed with missing data, evaluated from the template', () => {
  const fixtures: Record<string, Fixture> = {};
  beforeAll(() => {
    const worker = (separateAlarms: boolean) => (stack: Stack) => new WorkerService(stack, 'Worker', {
      cluster: new FoundryCluster(stack, 'Cluster'),
      image,
      queueScaling: { minTasks: 0, maxTasks: 10, messagesPerTask: 10 },
      alarms: { separateAlarms },
    });
    const web = (insights: boolean, separateAlarms: boolean) => (stack: Stack) => new WebService(stack, 'Web', {
      cluster: new FoundryCluster(stack, 'Cluster', { containerInsights: insights ? undefined : ecs.ContainerInsights.DISABLED }),
      image,
      port: 8080,
      certificate: acm.Certificate.fromCertificateArn(stack, 'Cert', certificateArn),
      deployment: insights ? { blueGreen: {} } : undefined,
      alarms: { separateAlarms },
    });
    for (const separate of [false, true]) {
      const suffix = separate ? 'Separate' : 'Combined';
      fixtures[`worker${suffix}`] = fixture(`Worker${suffix}`, worker(separate));
      fixtures[`workerNoInsights${suffix}`] = fixture(`WorkerNoInsights${suffix}`, stack => new WorkerService(stack, 'Worker', {
        cluster: new FoundryCluster(stack, 'Cluster', { containerInsights: ecs.ContainerInsights.DISABLED }),
        image,
        desiredCount: 2,
        alarms: { separateAlarms: separate },
      }));
      fixtures[`webBlueGreen${suffix}`] = fixture(`WebBlueGreen${suffix}`, web(true, separate));
      fixtures[`webNoInsights${suffix}`] = fixture(`WebNoInsights${suffix}`, web(false, separate));
    }
  });

  // [fixture, baseline facts, the conditions it documents, the target group with the traffic]
  const cases: [string, Facts, ServiceAlarm[], 'a' | 'b'][] = [];
  for (const suffix of ['Combined', 'Separate']) {
    cases.push(
      [`worker${suffix}`, workerAtZero, [ServiceAlarm.RUNNING_TASKS, ServiceAlarm.DLQ_NOT_EMPTY, ServiceAlarm.OLDEST_MESSAGE_AGE], 'a'],
      [`workerNoInsights${suffix}`, workerNoInsights, [ServiceAlarm.CPU, ServiceAlarm.MEMORY, ServiceAlarm.DLQ_NOT_EMPTY, ServiceAlarm.OLDEST_MESSAGE_AGE], 'a'],
      [`webBlueGreen${suffix}`, webAfterSwap, [ServiceAlarm.CPU, ServiceAlarm.MEMORY, ServiceAlarm.RUNNING_TASKS, ServiceAlarm.HTTP_5XX, ServiceAlarm.RESPONSE_TIME, ServiceAlarm.UNHEALTHY_HOSTS], 'b'],
      [`webNoInsights${suffix}`, webNoInsights, [ServiceAlarm.CPU, ServiceAlarm.MEMORY, ServiceAlarm.HTTP_5XX, ServiceAlarm.RESPONSE_TIME, ServiceAlarm.UNHEALTHY_HOSTS], 'a'],
    );
  }

  describe.each(MODES)('metric math alignment: %s', mode => {
    describe.each(cases)('%s', (name, baseline, conditions, traffic) => {
      test('quiet: no alarm fires', () => {
        expect(firing(finalStates(fixtures[name], baseline, mode))).toBe(0);
      });

      test.each(conditions)('%s fires', condition => {
        const facts = { ...baseline, ...triggers(traffic)[condition] };
        if (condition === ServiceAlarm.RUNNING_TASKS && name.startsWith('worker')) {
          // A worker at zero: one task desired, none running (cannot be placed). Container Insights reports it.
          Object.assign(facts, { running: 0, desired: 1 });
        }
        expect(firing(finalStates(fixtures[name], facts, mode))).toBeGreaterThanOrEqual(1);
      });
    });
  });

  test('every condition of each service is alarmed on (nothing documented is left without an alarm)', () => {
    for (const [name, , conditions] of cases) {
      const f = fixtures[name];
      expect(f.conditions).toEqual(expect.arrayContaining(conditions));
      expect(f.alarms.length).toBeGreaterThan(0);
    }
  });

  test('without Container Insights the running-tasks condition is left out with a warning, not kept as a silent term', () => {
    for (const name of ['workerNoInsightsCombined', 'webNoInsightsSeparate']) {
      const f = fixtures[name];
      expect(f.conditions).not.toContain(ServiceAlarm.RUNNING_TASKS);
      expect(JSON.stringify(f.alarms.map(a => a.props))).not.toContain('ECS/ContainerInsights');
      expect(f.warnings).toEqual(expect.arrayContaining([expect.stringMatching(/RUNNING_TASKS alarm .* reads Container Insights, which is disabled/)]));
    }
  });

  test('every alarm reads at most 10 metrics (a hard CloudWatch limit) and acts on the alert topic', () => {
    // https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/alarm-limits.html
    for (const f of Object.values(fixtures)) {
      for (const a of f.alarms) {
        expect((a.props.Metrics ?? []).filter((q: any) => q.MetricStat).length).toBeLessThanOrEqual(10);
        expect(a.props.AlarmActions).toHaveLength(1);
      }
    }
    // The blue/green web service's twelve metrics fill two combined alarms.
    expect(fixtures.webBlueGreenCombined.alarms).toHaveLength(2);
  });
});

describe('the model reproduces the examples of the AWS documentation', () => {
  // https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/using-metric-math.html
  const u = undefined;
  test('comparison and logical operators: a missing value counts as 0 where the other series has one', () => {
    const inputs = { metric1: [30, 20, 0, 0], metric2: [20, u, 20, u] };
    expect(evaluate('(metric1 < metric2)', inputs, 4)).toEqual([0, 0, 1, 0]);
    expect(evaluate('(metric1 >= 30)', inputs, 4)).toEqual([1, 0, 0, 0]);
    expect(evaluate('(metric1 > 15 AND metric2 > 15)', inputs, 4)).toEqual([1, 0, 0, 0]);
  });

  test('IF with time series and scalars', () => {
    const inputs = { metric1: [1, 1, 0, 0, u], metric2: [30, u, 0, 0, 30], metric3: [0, 0, 20, u, 20] };
    expect(evaluate('IF(metric1, metric2, metric3)', inputs, 5)).toEqual([30, 0, 20, u, u]);
    expect(evaluate('IF(metric1, 5, metric3)', inputs, 5)).toEqual([5, 5, 20, u, u]);
    expect(evaluate('IF(metric1, metric2, 5)', inputs, 5)).toEqual([30, 0, 5, 5, u]);
  });

  test('FILL gives every minute a point; the strict rule drops a point when an operand has none', () => {
    const inputs = { a: [1, u, 3], b: [u, u, u] };
    expect(evaluate('FILL(b, 0) + a', inputs, 3)).toEqual([1, 0, 3]);
    expect(evaluate('a + b', inputs, 3, 'strict')).toEqual([u, u, u]);
    expect(evaluate('FILL(a, 0) + FILL(b, 0)', inputs, 3, 'strict')).toEqual([1, 0, 3]);
    expect(evaluate('FILL(a, REPEAT)', inputs, 3)).toEqual([1, 1, 3]);
    expect(evaluate('MAX([FILL(a, 0), FILL(b, 0)])', inputs, 3)).toEqual([1, 0, 3]);
  });

  // https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/AlarmThatSendsEmail.html: "0" is a datapoint
  // within the threshold, "X" a breaching one, "-" a missing one; CloudWatch looks at the 5 most recent.
  const table = (m: number, rows: [string, string, string, string][]) =>
    rows.map(([points, missing, breaching, notBreaching]) => ({ m, points, missing, breaching, notBreaching }));
  const rows = [
    ...table(3, [
      ['0 - X - X', 'OK', 'OK', 'OK'],
      ['0 - - - -', 'OK', 'OK', 'OK'],
      ['- - - - -', 'INSUFFICIENT_DATA', 'ALARM', 'OK'],
      ['0 X X - X', 'ALARM', 'ALARM', 'ALARM'],
      ['- - - - X', 'INSUFFICIENT_DATA', 'ALARM', 'OK'],
    ]),
    ...table(2, [
      ['0 - X - X', 'ALARM', 'ALARM', 'ALARM'],
      ['0 0 X 0 X', 'ALARM', 'ALARM', 'ALARM'],
      ['0 - X - -', 'OK', 'ALARM', 'OK'],
      ['- - - - 0', 'OK', 'ALARM', 'OK'],
      ['- - - - X', 'INSUFFICIENT_DATA', 'ALARM', 'OK'],
    ]),
  ];
  test.each(rows)('$m of 3, datapoints $points', ({ m, points, missing, breaching, notBreaching }) => {
    const series = points.split(' ').map(p => (p === '-' ? undefined : p === 'X' ? 10 : 0));
    const state = (treat: string) => alarmStates({
      logicalId: 'A',
      props: { EvaluationPeriods: 3, DatapointsToAlarm: m, Threshold: 5, ComparisonOperator: 'GreaterThanThreshold', TreatMissingData: treat },
    }, series)[4];
    expect({ missing: state('missing'), breaching: state('breaching'), notBreaching: state('notBreaching') }).toEqual({ missing, breaching, notBreaching });
  });
});

describe('ServiceAlarms and ServiceDashboard take (scope, id, props) like every construct', () => {
  const build = () => {
    const stack = plainStack('Standalone');
    const cluster = new FoundryCluster(stack, 'Cluster');
    const worker = new WorkerService(stack, 'Worker', { cluster, image, alarms: { enabled: false } });
    return { stack, cluster, worker };
  };

  test('a ServiceAlarms of its own reads its options and writes one alarm per condition', () => {
    const { stack, cluster, worker } = build();
    const alarms = new ServiceAlarms(stack, 'Alarms', {
      service: worker.ecsService,
      alertTopic: cluster.alertTopic,
      queue: worker.queue,
      deadLetterQueue: worker.deadLetterQueue,
      separateAlarms: true,
      cpuPercent: 50,
      evaluationPeriod: Duration.minutes(5),
      disable: [ServiceAlarm.MEMORY],
    });
    new ServiceDashboard(stack, 'Dashboard', { service: worker.ecsService, queue: worker.queue, alarms: alarms.alarms });
    expect(worker.alarms).toEqual([]);
    expect(alarms.conditions).toEqual([ServiceAlarm.CPU, ServiceAlarm.RUNNING_TASKS, ServiceAlarm.OLDEST_MESSAGE_AGE, ServiceAlarm.DLQ_NOT_EMPTY]);
    const template = Template.fromStack(stack);
    const written = Object.values<any>(template.findResources('AWS::CloudWatch::Alarm'))
      .filter(a => String(a.Properties.AlarmDescription).startsWith('Standalone: '));
    expect(written).toHaveLength(4);
    for (const alarm of written) {
      expect(alarm.Properties).toMatchObject({ EvaluationPeriods: 5, DatapointsToAlarm: 5 });
    }
    expect(written.map(a => a.Properties.AlarmDescription)).toContain('Standalone: CPU above 50 % (for 5 minutes)');
    template.resourceCountIs('AWS::CloudWatch::Dashboard', 2); // the cluster's and the standalone one
  });

  test.each<[string, Duration, RegExp]>([
    ['part of a minute', Duration.seconds(90), /invalid alarms\.evaluationPeriod \(minutes\) = 1\.5\. Use a whole number between 1 and 60/],
    ['more than an hour', Duration.minutes(61), /invalid alarms\.evaluationPeriod \(minutes\) = 61\. Use a whole number between 1 and 60/],
  ])('an evaluationPeriod of %s is rejected on a service and on a ServiceAlarms alike', (_, evaluationPeriod, message) => {
    const { stack, cluster, worker } = build();
    expect(() => new WorkerService(stack, 'Other', { cluster, image, alarms: { evaluationPeriod } })).toThrow(message);
    expect(() => new ServiceAlarms(stack, 'Alarms', { service: worker.ecsService, alertTopic: cluster.alertTopic, evaluationPeriod })).toThrow(message);
  });
});

describe('20-second metrics (highResolutionMetrics): the alarm fires on the same condition, sooner', () => {
  // https://docs.aws.amazon.com/AmazonECS/latest/developerguide/target-tracking-faster-auto-scaling.html: ECS publishes
  // CPUUtilization and MemoryUtilization every 20 seconds; a 20-second alarm period makes a high-resolution alarm
  // (https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_PutMetricAlarm.html).
  let standard: Fixture;
  let fast: Fixture;
  beforeAll(() => {
    const build = (highResolutionMetrics: boolean) => (stack: Stack) => new WebService(stack, 'Web', {
      cluster: new FoundryCluster(stack, 'Cluster'),
      image,
      port: 8080,
      certificate: acm.Certificate.fromCertificateArn(stack, 'Cert', certificateArn),
      highResolutionMetrics,
    });
    standard = fixture('StandardResolution', build(false));
    fast = fixture('HighResolution', build(true));
  });

  const SECONDS = 900;
  /** CPU at 97 % from `onset` for `duration` seconds, 20 % otherwise, as ECS publishes it every 20 seconds. */
  const cpuEvery20s = (onset: number, duration: number): number[] =>
    Array.from({ length: SECONDS / 20 }, (_, k) => (k * 20 >= onset && k * 20 < onset + duration ? 97 : 20));
  /** Every metric on the alarm's grid: CPU from the 20-second points (a minute is the average of its three), the rest steady. */
  const source = (cpu20: number[]) => (m: MetricRef): Series => {
    const period = m.period ?? 60;
    const n = SECONDS / period;
    if (m.namespace === 'AWS/ECS' && m.metricName === 'CPUUtilization') {
      return period === 20 ? cpu20 : Array.from({ length: n }, (_, i) => (cpu20[3 * i] + cpu20[3 * i + 1] + cpu20[3 * i + 2]) / 3);
    }
    const steady: Record<string, number> = {
      MemoryUtilization: 30,
      RunningTaskCount: 2,
      DesiredTaskCount: 2,
      RequestCount: 600,
      TargetResponseTime: 0.1,
      HTTPCode_Target_5XX_Count: 0,
      UnHealthyHostCount: 0,
    };
    const v = steady[m.metricName];
    if (v === undefined) throw new Error(`no steady value for ${m.namespace} ${m.metricName}`);
    return Array.from({ length: n }, () => v);
  };
  /** The second at which the service's first alarm goes off (the end of the period that tips it), or undefined. */
  const firesAt = (f: Fixture, cpu20: number[], mode: Mode): number | undefined => {
    const times = f.alarms.map(a => {
      const period = alarmPeriod(a);
      const states = alarmStates(a, alarmSeries(a, source(cpu20), SECONDS / period, mode));
      const first = states.indexOf('ALARM');
      return first < 0 ? undefined : (first + 1) * period;
    }).filter((t): t is number => t !== undefined);
    return times.length > 0 ? Math.min(...times) : undefined;
  };

  test('CPU and memory move to a 20-second alarm of their own that still waits 3 minutes (9 of 9 periods), the rest stays per minute', () => {
    const byId = Object.fromEntries(fast.alarms.map(a => [a.logicalId.replace(/[0-9A-F]{8}$/, ''), a]));
    const highRes = byId.WebAlarmsUnhealthyHighResolution;
    expect(highRes.props).toMatchObject({ EvaluationPeriods: 9, DatapointsToAlarm: 9 });
    expect(highRes.props.Metrics.filter((q: any) => q.MetricStat).map((q: any) => [q.MetricStat.Metric.MetricName, q.MetricStat.Period]))
      .toEqual([['CPUUtilization', 20], ['MemoryUtilization', 20]]);
    expect(highRes.props.AlarmDescription).toMatch(/CPU above 85 %; or memory above 85 % \(for 3 minutes\)$/);
    const perMinute = byId.WebAlarmsUnhealthy;
    expect(perMinute.props).toMatchObject({ EvaluationPeriods: 3, DatapointsToAlarm: 3 });
    expect(JSON.stringify(perMinute.props.Metrics)).not.toContain('CPUUtilization');
    expect(perMinute.props.Metrics.filter((q: any) => q.MetricStat).every((q: any) => q.MetricStat.Period === 60)).toBe(true);
    // Without the option nothing changes: one combined alarm per minute with CPU and memory in it.
    expect(standard.alarms).toHaveLength(1);
    expect(JSON.stringify(standard.alarms[0].props.Metrics)).toContain('CPUUtilization');
    expect(standard.alarms[0].props).toMatchObject({ EvaluationPeriods: 3, DatapointsToAlarm: 3 });
  });

  describe.each(MODES)('metric math alignment: %s', mode => {
    test('quiet: neither alarm fires', () => {
      expect(firesAt(standard, cpuEvery20s(0, 0), mode)).toBeUndefined();
      expect(firesAt(fast, cpuEvery20s(0, 0), mode)).toBeUndefined();
    });

    test('CPU high from 2 min 20 s on: the 20-second alarm fires at exactly 3 minutes, the one-minute alarm 40 s later', () => {
      const cpu = cpuEvery20s(140, SECONDS);
      expect(firesAt(fast, cpu, mode)).toBe(140 + 180);
      expect(firesAt(standard, cpu, mode)).toBe(140 + 220);
    });

    test('every onset and duration on the 20-second grid: the 20-second alarm fires if and only if the condition held 3 minutes, when it had', () => {
      let sooner = 0;
      let onlyFast = 0;
      for (let onset = 0; onset < 360; onset += 20) {
        for (let duration = 20; duration <= 420; duration += 20) {
          const cpu = cpuEvery20s(onset, duration);
          const f = firesAt(fast, cpu, mode);
          const s = firesAt(standard, cpu, mode);
          // Same condition: 3 minutes of CPU above the threshold, never less.
          expect(f).toBe(duration >= 180 ? onset + 180 : undefined);
          if (s !== undefined) {
            expect(duration).toBeGreaterThanOrEqual(180);
            expect(f).toBeDefined();
            expect(f!).toBeLessThanOrEqual(s);
            if (f! < s) sooner++;
          } else if (f !== undefined) {
            onlyFast++;
          }
        }
      }
      // Sooner whenever the condition starts off the minute; and a 3-minute condition that straddles minutes is
      // reported only by the 20-second alarm (no minute average above the threshold three times).
      expect(sooner).toBeGreaterThan(0);
      expect(onlyFast).toBeGreaterThan(0);
    });
  });
});

describe('rollbackOnAlarm: deployments roll back on a bad revision, not on capacity still starting', () => {
  // A first deployment (stack creation) to capacity that scales out from zero (EC2 Auto Scaling, Managed Instances)
  // runs no task for minutes while instances launch: ECS must not roll it back, the alert topic still hears of it.
  const build = (rollbackOnAlarm: boolean) => (stack: Stack) => new WebService(stack, 'Web', {
    cluster: new FoundryCluster(stack, 'Cluster'),
    image,
    port: 8080,
    certificate: acm.Certificate.fromCertificateArn(stack, 'Cert', certificateArn),
    deployment: { strategy: DeploymentStrategy.blueGreen(), rollbackOnAlarm },
  });
  let withRollback: Fixture;
  let withoutRollback: Fixture;
  let rollbackIds: string[];
  beforeAll(() => {
    withRollback = fixture('WebRollback', build(true));
    withoutRollback = fixture('WebNoRollback', build(false));
    // The alarms the deployment rolls back on, read from the template: the service names them in its Alarms.
    const service = Object.values<any>(withRollback.template.Resources).find(r => r.Type === 'AWS::ECS::Service');
    const names: string[] = service.Properties.DeploymentConfiguration.Alarms.AlarmNames;
    rollbackIds = withRollback.alarms.filter(a => names.includes(a.props.AlarmName)).map(a => a.logicalId);
    expect(rollbackIds.length).toBe(names.length);
  });

  /** Each alarm's state in every minute of facts that change over time. */
  const statesOverTime = (f: Fixture, at: (minute: number) => Facts, mode: Mode): Record<string, string[]> => {
    const constantSource = (facts: Facts) => sourceOf(f, facts);
    const source: MetricSource = m => Array.from({ length: MINUTES }, (_, minute) => constantSource(at(minute))(m)?.[minute]);
    return Object.fromEntries(f.alarms.map(a => [a.logicalId, alarmStates(a, alarmSeries(a, source, MINUTES, mode))]));
  };
  /** In which minutes at least one alarm notifies the alert topic (every alarm of the service acts on it). */
  const alerting = (states: Record<string, string[]>) => Array.from({ length: MINUTES }, (_, i) => Object.values(states).some(s => s[i] === 'ALARM'));

  // A new service serves from the first target group.
  const live: Facts = { 'cpu': 20, 'memory': 30, 'running': 2, 'desired': 2, 'RequestCount:a': 600, 'TargetResponseTime:a': 0.1, 'UnHealthyHostCount:a': 0 };
  // No task runs for the first 5 minutes (instances launching), then 2 of 2, healthy; no traffic before they run.
  const firstDeploy = (minute: number): Facts => minute < 5 ? { desired: 2, running: 0 } : live;
  // 10 % of responses are 5xx.
  const burst5xx = (): Facts => ({ ...live, 'HTTPCode_Target_5XX_Count:a': 60 });

  test('the running-task condition is an alarm of its own, on the alert topic, which the deployment does not read', () => {
    expect(withRollback.alarms.map(a => a.logicalId).filter(id => !rollbackIds.includes(id))).toEqual([expect.stringMatching(/RunningTasks/)]);
    for (const a of withRollback.alarms) {
      expect(a.props.AlarmActions).toHaveLength(1);
    }
    // No extra alarm: without the two running-task metrics, both target groups' conditions fit one alarm of 10.
    expect(withRollback.alarms).toHaveLength(withoutRollback.alarms.length);
  });

  describe.each(MODES)('metric math alignment: %s', mode => {
    test('first deployment, 0 of 2 tasks running for 5 minutes: the rollback alarm stays OK while the alert alarm fires', () => {
      const states = statesOverTime(withRollback, firstDeploy, mode);
      for (const id of rollbackIds) {
        expect(states[id]).not.toContain('ALARM');
      }
      const running = withRollback.alarms.find(a => !rollbackIds.includes(a.logicalId))!.logicalId;
      expect(states[running].slice(2, 5)).toEqual(['ALARM', 'ALARM', 'ALARM']);
    });

    test('a 5xx burst: the rollback alarm fires', () => {
      const states = statesOverTime(withRollback, burst5xx, mode);
      expect(rollbackIds.some(id => states[id][MINUTES - 1] === 'ALARM')).toBe(true);
    });

    test('the alert topic hears the same conditions in the same minutes as with rollbackOnAlarm: false', () => {
      const scenarios: [string, (minute: number) => Facts][] = [
        ['first deployment', firstDeploy],
        ['5xx burst', burst5xx],
        ['quiet', () => live],
        ...Object.entries(triggers('a')).map(([condition, facts]): [string, (minute: number) => Facts] => [condition, () => ({ ...live, ...facts })]),
      ];
      for (const [name, at] of scenarios) {
        const expected = alerting(statesOverTime(withoutRollback, at, mode));
        expect({ name, alerting: alerting(statesOverTime(withRollback, at, mode)) }).toEqual({ name, alerting: expected });
      }
      // ...and the scenarios are not all quiet.
      expect(alerting(statesOverTime(withoutRollback, firstDeploy, mode))).toContain(true);
    });
  });
});
