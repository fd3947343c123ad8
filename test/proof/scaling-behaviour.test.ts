import { Duration, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import { FoundryCluster, WebService, WorkerService } from '../../src';
import { plainStack } from '../support/stacks';
import {
  directionChanges, MetricRef, Mode, readScaling, ScalingModel, ScalingTrace, Series, simulateScaling, World,
} from './support/metric-math';

/**
 * Scaling as behaviour: the scalable target, policies and alarms are read from the synthesized template and run
 * against scenarios by the simulator in ./support/metric-math.ts (its header lists the AWS rules and the
 * approximations). Every scenario runs under both metric-math alignment rules ('documented' and 'strict').
 */

const image = ecs.ContainerImage.fromRegistry('public.ecr.aws/docker/library/python:3.13-slim');
const MODES: Mode[] = ['documented', 'strict'];
const logicalId = (stack: Stack, construct: any) => stack.getLogicalId(construct.node.defaultChild ?? construct);

// ---------------------------------------------------------------------------------------------------------------
// Worker: 6 s per message (10 messages per task per minute), 10 messages per task target, scale to zero.
// ---------------------------------------------------------------------------------------------------------------

interface WorkerFixture {
  readonly model: ScalingModel;
  readonly ids: { queue: string; service: string };
  readonly template: any;
}

function workerFixture(cpuPercent?: number): WorkerFixture {
  const stack = plainStack('WorkerScaling');
  const cluster = new FoundryCluster(stack, 'Cluster');
  const worker = new WorkerService(stack, 'Worker', {
    cluster,
    image,
    expectedProcessingTime: Duration.seconds(6),
    queueScaling: { minTasks: 0, maxTasks: 20, messagesPerTask: 10, cpuPercent },
  });
  const template = Template.fromStack(stack).toJSON();
  const ids = { queue: logicalId(stack, worker.queue), service: logicalId(stack, worker.ecsService) };
  return { model: readScaling(template, ids.service), ids, template };
}

interface WorkerScenario {
  /** Messages arriving in each minute. */
  readonly arrivals: (minute: number) => number;
  /** CPU of the running tasks in each minute (undefined: from load). */
  readonly cpu?: (minute: number) => number | undefined;
  /** Initial backlog. */
  readonly backlog?: number;
  /** SQS stops publishing for a queue idle for hours: an empty, idle queue has no datapoints. */
  readonly idleQueueSilent?: boolean;
}

/**
 * A queue and its workers: a task desired at the end of a minute works in the next one (a one-minute start; a
 * slower start with the library's 60-second scale-out cooldown overshoots, see the report) and processes 10
 * messages a minute.
 * Container Insights publishes the running and desired counts only while a task is desired or running; AWS/ECS CPU
 * exists only while a task runs.
 */
class WorkerWorld implements World {
  public readonly metrics: Record<string, Series> = { visible: [], running: [], desired: [], cpu: [] };
  public readonly running: number[] = [];
  public readonly backlog: number[] = [];
  private depth: number;
  private tasks = 0;

  constructor(private readonly ids: WorkerFixture['ids'], private readonly scenario: WorkerScenario) {
    this.depth = scenario.backlog ?? 0;
  }

  public step(minute: number, desired: number): void {
    this.tasks = desired; // decided at the end of the previous minute, running in this one
    const arrivals = this.scenario.arrivals(minute);
    const capacity = this.tasks * 10;
    const processed = Math.min(capacity, this.depth + arrivals);
    this.depth = this.depth + arrivals - processed;
    const silent = this.scenario.idleQueueSilent && this.depth === 0 && arrivals === 0;
    // Maximum over the minute: the backlog, plus arrivals seen before a worker received them (at least one).
    const inFlight = arrivals > 0 ? Math.min(arrivals, Math.max(1, arrivals - capacity / 2)) : 0;
    this.metrics.visible.push(silent ? undefined : this.depth + inFlight);
    const published = desired > 0 || this.tasks > 0;
    this.metrics.running.push(published ? this.tasks : undefined);
    this.metrics.desired.push(published ? desired : undefined);
    const load = capacity > 0 ? 100 * processed / capacity : 0;
    this.metrics.cpu.push(this.tasks > 0 ? (this.scenario.cpu?.(minute) ?? Math.max(5, load * 0.6)) : undefined);
    this.running.push(this.tasks);
    this.backlog.push(this.depth);
  }

  public get source() {
    return (m: MetricRef): Series | undefined => {
      if (m.namespace === 'AWS/SQS' && m.metricName === 'ApproximateNumberOfMessagesVisible' && m.refs.includes(this.ids.queue)) return this.metrics.visible;
      if (m.namespace === 'ECS/ContainerInsights' && m.metricName === 'RunningTaskCount') return this.metrics.running;
      if (m.namespace === 'ECS/ContainerInsights' && m.metricName === 'DesiredTaskCount') return this.metrics.desired;
      if (m.namespace === 'AWS/ECS' && m.metricName === 'CPUUtilization') return this.metrics.cpu;
      throw new Error(`the worker world has no ${m.namespace} ${m.metricName} (${m.refs.join(', ')})`);
    };
  }
}

function runWorker(fixture: WorkerFixture, scenario: WorkerScenario, minutes: number, initial: number, mode: Mode) {
  const world = new WorkerWorld(fixture.ids, scenario);
  const trace = simulateScaling(fixture.model, world, minutes, initial, mode);
  return { trace, world };
}

const maxOf = (trace: ScalingTrace) => Math.max(...trace.desired);
const last = (trace: ScalingTrace) => trace.desired[trace.desired.length - 1];

describe('WorkerService scaling, simulated from the template', () => {
  let worker: WorkerFixture;
  let workerWithCpu: WorkerFixture;
  beforeAll(() => {
    worker = workerFixture();
    workerWithCpu = workerFixture(80);
  });

  test('the scalable target uses the ECS service-linked role and no role of its own', () => {
    expect(JSON.stringify(worker.model.roleArn)).toContain('role/aws-service-role/ecs.application-autoscaling.amazonaws.com/AWSServiceRoleForApplicationAutoScaling_ECSService');
    const roles = Object.values<any>(worker.template.Resources).filter(r => r.Type === 'AWS::IAM::Role'
      && JSON.stringify(r.Properties.AssumeRolePolicyDocument).includes('application-autoscaling.amazonaws.com'));
    expect(roles).toEqual([]);
  });

  describe.each(MODES)('metric math alignment: %s', mode => {
    test('steady trickle (5 messages a minute, half of one task): no runaway, never more than one task', () => {
      const { trace, world } = runWorker(worker, { arrivals: () => 5 }, 180, 0, mode);
      expect(maxOf(trace)).toBe(1);
      // Messages never wait longer than the wake-up takes.
      expect(Math.max(...world.backlog)).toBeLessThanOrEqual(20);
    });

    test('burst of 3000 messages: scales out towards the backlog target, drains, and scales in to zero', () => {
      const { trace, world } = runWorker(worker, { arrivals: t => (t === 5 ? 3000 : 0), idleQueueSilent: true }, 150, 0, mode);
      expect(maxOf(trace)).toBe(20); // 3000 messages ÷ 10 per task, capped at maxTasks
      expect(world.backlog[world.backlog.length - 1]).toBe(0);
      expect(last(trace)).toBe(0);
      expect(directionChanges(trace)).toBe(1); // up, then down: no policy fight
    });

    test('empty, idle queue (SQS publishes nothing): scales in from 4 tasks to the minimum', () => {
      const { trace } = runWorker(worker, { arrivals: () => 0, idleQueueSilent: true }, 60, 4, mode);
      expect(last(trace)).toBe(0);
      expect(maxOf(trace)).toBe(4);
    });

    test('CPU spike during a backlog: both policies scale out, no scale-in while the backlog lasts, then one scale-in to zero', () => {
      // 300 messages a minute for 40 minutes: more than 20 tasks process, so the backlog lasts past the arrivals.
      const { trace, world } = runWorker(workerWithCpu, {
        arrivals: t => (t < 40 ? 300 : 0),
        cpu: t => (t >= 10 && t < 40 ? 97 : undefined),
        backlog: 200,
        idleQueueSilent: true,
      }, 200, 1, mode);
      expect(maxOf(trace)).toBe(20);
      const drained = world.backlog.findIndex((b, t) => t > 40 && b === 0);
      expect(drained).toBeGreaterThan(40);
      const firstScaleIn = trace.changes.find(c => c.to < c.from)!;
      expect(firstScaleIn.minute).toBeGreaterThanOrEqual(drained);
      expect(directionChanges(trace)).toBe(1);
      expect(last(trace)).toBe(0);
    });

    test('scale to zero and wake up: one message after an hour asleep starts exactly one task', () => {
      const { trace, world } = runWorker(worker, { arrivals: t => (t === 60 ? 1 : 0), idleQueueSilent: true }, 100, 0, mode);
      expect(trace.desired.slice(0, 60).every(d => d === 0)).toBe(true);
      const wake = trace.changes.find(c => c.to > 0)!;
      expect(wake).toMatchObject({ from: 0, to: 1 });
      expect(wake.minute - 60).toBeLessThanOrEqual(2);
      expect(maxOf(trace)).toBe(1);
      expect(world.backlog[world.backlog.length - 1]).toBe(0);
      expect(last(trace)).toBe(0);
    });
  });
});

// ---------------------------------------------------------------------------------------------------------------
// Web service: 500 requests per task per minute, 2-20 tasks, blue/green or rolling.
// ---------------------------------------------------------------------------------------------------------------

interface WebFixture {
  readonly model: ScalingModel;
  readonly ids: { targetGroup: string; alternate?: string; service: string };
}

function webFixture(blueGreen: boolean): WebFixture {
  const stack = plainStack(blueGreen ? 'WebBlueGreen' : 'WebRolling');
  const cluster = new FoundryCluster(stack, 'Cluster');
  const web = new WebService(stack, 'Web', {
    cluster,
    image,
    port: 8080,
    certificate: acm.Certificate.fromCertificateArn(stack, 'Cert', 'arn:aws:acm:us-east-1:123456789012:certificate/abc'),
    scaling: { minTasks: 2, maxTasks: 20, requestsPerTask: 500 },
    deployment: blueGreen ? { blueGreen: {} } : undefined,
  });
  const template = Template.fromStack(stack).toJSON();
  const ids = {
    targetGroup: logicalId(stack, web.targetGroup),
    alternate: web.alternateTargetGroup ? logicalId(stack, web.alternateTargetGroup) : undefined,
    service: logicalId(stack, web.ecsService),
  };
  return { model: readScaling(template, ids.service), ids };
}

/**
 * Requests arrive at the target group that carries production traffic; the other target group has no targets and
 * publishes nothing. RequestCountPerTarget = requests ÷ tasks registered in that target group.
 */
class WebWorld implements World {
  private readonly perTarget: Record<string, Series> = {};
  private tasks: number;

  constructor(private readonly live: string, private readonly groups: string[], private readonly requests: (minute: number) => number,
    initial: number) {
    for (const g of groups) this.perTarget[g] = [];
    this.tasks = initial;
  }

  public step(minute: number, desired: number): void {
    this.tasks = desired; // decided at the end of the previous minute, serving in this one
    const r = this.requests(minute);
    for (const g of this.groups) {
      this.perTarget[g].push(g === this.live && this.tasks > 0 ? r / this.tasks : undefined);
    }
  }

  public get source() {
    return (m: MetricRef): Series | undefined => {
      if (m.namespace === 'AWS/ApplicationELB' && m.metricName === 'RequestCountPerTarget') {
        const group = this.groups.find(g => m.refs.includes(g));
        if (group) return this.perTarget[group];
      }
      throw new Error(`the web world has no ${m.namespace} ${m.metricName} (${m.refs.join(', ')})`);
    };
  }
}

describe('WebService request scaling, simulated from the template', () => {
  let rolling: WebFixture;
  let blueGreen: WebFixture;
  beforeAll(() => {
    rolling = webFixture(false);
    blueGreen = webFixture(true);
  });
  const burst = (t: number) => (t >= 10 && t < 40 ? 8000 : 300);

  describe.each(MODES)('metric math alignment: %s', mode => {
    test('request burst (8000 a minute for 30 minutes): scales out to 16, then back to the minimum of 2', () => {
      const world = new WebWorld(rolling.ids.targetGroup, [rolling.ids.targetGroup], burst, 2);
      const trace = simulateScaling(rolling.model, world, 120, 2, mode);
      expect(maxOf(trace)).toBe(16);
      expect(last(trace)).toBe(2);
      expect(directionChanges(trace)).toBe(1);
    });

    test.each([
      ['before the swap (traffic on the target group)', 'targetGroup'],
      ['after the swap (traffic on the alternate target group)', 'alternate'],
    ] as const)('blue/green %s: the burst scales out to 16 and back to 2', (_label, live) => {
      const groups = [blueGreen.ids.targetGroup, blueGreen.ids.alternate!];
      const world = new WebWorld(blueGreen.ids[live]!, groups, burst, 2);
      const trace = simulateScaling(blueGreen.model, world, 120, 2, mode);
      expect(maxOf(trace)).toBe(16);
      expect(last(trace)).toBe(2);
      expect(directionChanges(trace)).toBe(1);
    });
  });
});
