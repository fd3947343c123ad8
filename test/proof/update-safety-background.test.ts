/**
 * Update safety of BackendService, WorkerService and ScheduledTask: every plausible prop change, on the default,
 * fullest and EC2 configurations, is diffed with the CDK's diff engine; no stateful or named resource may be
 * replaced unless the README documents the migration (see test/proof/support/update-safety.ts).
 */
import { Duration, TimeZone } from 'aws-cdk-lib';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import { BackendService, ScheduledTask, Schedule, WorkerService } from '../../src';
import { proveUpdateSafety, UpdateCase } from './support/update-safety';
import { clusterFor, DEFAULT_SERVICE, FULLEST_SERVICE, maybeVolume, ServiceKnobs, serviceChanges, serviceOptions } from './support/update-safety-services';

interface BackendKnobs extends ServiceKnobs {
  readonly discoveryName?: string;
  readonly cloudMapDns?: boolean;
  readonly idleTimeoutMinutes?: number;
}

const backend: UpdateCase<BackendKnobs> = {
  construct: 'BackendService',
  build: (stack, k) => {
    const { cluster, capacity } = clusterFor(stack, k);
    const service = new BackendService(stack, 'Orders', {
      cluster,
      ...serviceOptions(k, capacity),
      port: 8080,
      discoveryName: k.discoveryName,
      cloudMapDns: k.cloudMapDns,
      idleTimeout: k.idleTimeoutMinutes === undefined ? undefined : Duration.minutes(k.idleTimeoutMinutes),
    });
    maybeVolume(stack, cluster, k, v => service.addVolume(v, '/data'));
  },
  configurations: {
    default: DEFAULT_SERVICE,
    fullest: { ...FULLEST_SERVICE, discoveryName: 'orders', cloudMapDns: true, idleTimeoutMinutes: 10 },
    ec2: { ...DEFAULT_SERVICE, capacity: 'ec2' },
  },
  changes: [
    ...serviceChanges<BackendKnobs>(),
    { name: 'toggle cloudMapDns', apply: k => ({ ...k, cloudMapDns: !k.cloudMapDns }) },
    { name: 'idle timeout → 30 min', apply: k => ({ ...k, idleTimeoutMinutes: 30 }) },
  ],
};

interface WorkerKnobs extends ServiceKnobs {
  readonly fifo?: boolean;
  readonly maxReceiveCount?: number;
  readonly retentionDays?: number;
  readonly processingSeconds?: number;
}

const worker: UpdateCase<WorkerKnobs> = {
  construct: 'WorkerService',
  build: (stack, k) => {
    const { cluster, capacity } = clusterFor(stack, k);
    const options = serviceOptions(k, capacity);
    const service = new WorkerService(stack, 'Worker', {
      cluster,
      ...options,
      queueScaling: k.scaling ? { ...k.scaling, messagesPerTask: 10 } : undefined,
      queueOptions: {
        fifo: k.fifo,
        contentBasedDeduplication: k.fifo ? true : undefined,
        maxReceiveCount: k.maxReceiveCount,
        retentionPeriod: k.retentionDays === undefined ? undefined : Duration.days(k.retentionDays),
      },
      expectedProcessingTime: k.processingSeconds === undefined ? undefined : Duration.seconds(k.processingSeconds),
    });
    maybeVolume(stack, cluster, k, v => service.addVolume(v, '/data'));
  },
  configurations: {
    default: DEFAULT_SERVICE,
    fullest: {
      ...FULLEST_SERVICE,
      fifo: true,
      maxReceiveCount: 3,
      retentionDays: 7,
      processingSeconds: 40,
      scaling: { minTasks: 0, maxTasks: 10, cpuPercent: 85 },
    },
    ec2: { ...DEFAULT_SERVICE, capacity: 'ec2' },
  },
  changes: [
    // A worker has no health check grace period (nothing health-checks it): that knob is not one of its props.
    ...serviceChanges<WorkerKnobs>().filter(ch => !ch.name.startsWith('health check grace period')),
    { name: 'maxReceiveCount → 10', apply: k => ({ ...k, maxReceiveCount: 10 }) },
    { name: 'queue retention → 10 days', apply: k => ({ ...k, retentionDays: 10 }) },
    { name: 'expected processing time → 5 min', apply: k => ({ ...k, processingSeconds: 300 }) },
  ],
};

interface ScheduledKnobs extends ServiceKnobs {
  readonly schedule: 'hourly' | 'cron' | 'at';
  readonly timeZone?: TimeZone;
  readonly flexibleMinutes?: number;
  readonly taskCount?: number;
  readonly maxRetries?: number;
  readonly enabled?: boolean;
}

const SCHEDULES = {
  hourly: () => Schedule.rate(Duration.hours(1)),
  cron: () => Schedule.cron('30 2 ? * MON-FRI *'),
  at: () => Schedule.at(new Date(Date.UTC(2031, 0, 15, 9, 30))),
};

const scheduled: UpdateCase<ScheduledKnobs> = {
  construct: 'ScheduledTask',
  build: (stack, k) => {
    const { cluster, capacity } = clusterFor(stack, k);
    const task = new ScheduledTask(stack, 'Job', {
      cluster,
      image: ecs.ContainerImage.fromRegistry(`public.ecr.aws/nginx/nginx:${k.imageTag}`),
      capacity,
      cpu: k.cpu,
      memoryMiB: k.memoryMiB,
      environment: k.environment,
      logging: k.logRetention ? { retention: k.logRetention } : undefined,
      schedule: SCHEDULES[k.schedule](),
      timeZone: k.timeZone,
      flexibleWindow: k.flexibleMinutes === undefined ? undefined : Duration.minutes(k.flexibleMinutes),
      taskCount: k.taskCount,
      maxRetries: k.maxRetries,
      enabled: k.enabled,
    });
    maybeVolume(stack, cluster, k, v => task.workload.addVolume(v, '/data'));
  },
  configurations: {
    default: { ...DEFAULT_SERVICE, schedule: 'hourly' },
    fullest: {
      ...DEFAULT_SERVICE,
      capacity: 'spot',
      schedule: 'cron',
      timeZone: TimeZone.EUROPE_BERLIN,
      flexibleMinutes: 10,
      taskCount: 2,
      maxRetries: 2,
      cpu: 1024,
      memoryMiB: 2048,
      environment: { JOB: 'report' },
      volume: true,
    },
    ec2: { ...DEFAULT_SERVICE, capacity: 'ec2', schedule: 'at', timeZone: TimeZone.AMERICA_LOS_ANGELES },
  },
  changes: [
    ...serviceChanges<ScheduledKnobs>().filter(ch => /^(capacity|cpu|new image|log retention|add an environment|mount)/.test(ch.name)),
    { name: 'schedule → cron', apply: k => (k.schedule === 'cron' ? undefined : { ...k, schedule: 'cron' }) },
    { name: 'schedule → rate', apply: k => (k.schedule === 'hourly' ? undefined : { ...k, schedule: 'hourly', timeZone: undefined }) },
    { name: 'time zone → Asia/Tokyo', apply: k => (k.schedule === 'hourly' || k.schedule === 'at' ? undefined : { ...k, timeZone: TimeZone.ASIA_TOKYO }) },
    { name: 'flexible window → 30 min', apply: k => ({ ...k, flexibleMinutes: 30 }) },
    { name: 'taskCount → 3', apply: k => ({ ...k, taskCount: 3 }) },
    { name: 'maxRetries → 0', apply: k => ({ ...k, maxRetries: 0 }) },
    { name: 'disable', apply: k => (k.enabled === false ? undefined : { ...k, enabled: false }) },
  ],
};

proveUpdateSafety([backend, worker, scheduled]);
