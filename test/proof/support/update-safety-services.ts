/**
 * Knobs shared by every service pattern in the update-safety proof: the props of `ServiceOptions` a user changes
 * after the first deploy, as plain data, and the changes to try on them.
 */
import { Duration, Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as logs from 'aws-cdk-lib/aws-logs';
import { UpdateCase } from './update-safety';
import { Capacity, DeploymentOptions, FoundryCluster, RequestServiceOptions, ScalingOptions, SharedVolume } from '../../../src';

/** What a service's props are made of, as data. */
export interface ServiceKnobs {
  readonly capacity: 'fargate' | 'spot' | 'ec2';
  readonly imageTag: string;
  readonly cpu?: number;
  readonly memoryMiB?: number;
  readonly desiredCount?: number;
  readonly scaling?: { readonly minTasks?: number; readonly maxTasks: number; readonly cpuPercent?: number };
  readonly logRetention?: logs.RetentionDays;
  readonly execute?: boolean;
  readonly serviceName?: string;
  readonly environment?: Record<string, string>;
  readonly alarms?: boolean;
  readonly dashboard?: boolean;
  readonly circuitBreaker?: boolean;
  readonly minHealthyPercent?: number;
  readonly gracePeriodSeconds?: number;
  readonly serviceConnectNamespace?: string;
  readonly volume?: boolean;
}

/** A cluster that always has EC2 capacity (so that switching capacity changes the service only). */
export function clusterFor(stack: Stack, knobs: ServiceKnobs): { cluster: FoundryCluster; capacity: Capacity } {
  const cluster = new FoundryCluster(stack, 'Cluster', { serviceConnectNamespace: knobs.serviceConnectNamespace });
  const ec2Capacity = cluster.addEc2Capacity('Ec2', { instanceType: new ec2.InstanceType('m7i.large') });
  const capacity = knobs.capacity === 'ec2' ? Capacity.ec2(ec2Capacity)
    : knobs.capacity === 'spot' ? Capacity.spot({ onDemandBase: 1 }) : Capacity.fargate();
  return { cluster, capacity };
}

/** The `RequestServiceOptions` of the knobs with `deployment` and `scaling`, but the port (a worker takes the ones it has). */
export function serviceOptions(knobs: ServiceKnobs, capacity: Capacity): Omit<RequestServiceOptions, 'port'> & { deployment?: DeploymentOptions; scaling?: ScalingOptions } {
  return {
    image: ecs.ContainerImage.fromRegistry(`public.ecr.aws/nginx/nginx:${knobs.imageTag}`),
    capacity,
    cpu: knobs.cpu,
    memoryMiB: knobs.memoryMiB,
    desiredCount: knobs.desiredCount,
    scaling: knobs.scaling,
    logging: knobs.logRetention ? { retention: knobs.logRetention } : undefined,
    enableExecuteCommand: knobs.execute,
    serviceName: knobs.serviceName,
    environment: knobs.environment,
    alarms: knobs.alarms === undefined ? undefined : { enabled: knobs.alarms },
    dashboard: knobs.dashboard,
    deployment: knobs.circuitBreaker === undefined && knobs.minHealthyPercent === undefined ? undefined
      : { circuitBreaker: knobs.circuitBreaker, minHealthyPercent: knobs.minHealthyPercent },
    healthCheckGracePeriod: knobs.gracePeriodSeconds === undefined ? undefined : Duration.seconds(knobs.gracePeriodSeconds),
  };
}

/** Mount a shared volume into the service when the knobs ask for one. */
export function maybeVolume(stack: Stack, cluster: FoundryCluster, knobs: ServiceKnobs, addVolume: (v: SharedVolume) => void): void {
  if (knobs.volume) {
    addVolume(new SharedVolume(stack, 'Data', { cluster }));
  }
}

type Change<K> = UpdateCase<K>['changes'][number];

/** The changes every service pattern is tried with. */
export function serviceChanges<K extends ServiceKnobs>(): Array<Change<K>> {
  const capacityTo = (to: ServiceKnobs['capacity']): Change<K> => ({
    name: `capacity → ${to}`,
    apply: k => (k.capacity === to ? undefined : { ...k, capacity: to }),
  });
  return [
    capacityTo('fargate'),
    capacityTo('spot'),
    capacityTo('ec2'),
    {
      name: 'cpu and memory up',
      apply: k => ({ ...k, cpu: (k.cpu ?? 256) * 4, memoryMiB: (k.memoryMiB ?? 512) * 4 }),
    },
    { name: 'desiredCount → 3', apply: k => (k.scaling ? undefined : { ...k, desiredCount: 3 }) },
    { name: 'add scaling', apply: k => (k.scaling ? undefined : { ...k, desiredCount: undefined, scaling: { minTasks: 2, maxTasks: 10 } }) },
    { name: 'scaling range 2-10 → 4-40', apply: k => (k.scaling ? { ...k, scaling: { ...k.scaling, minTasks: 4, maxTasks: 40 } } : undefined) },
    { name: 'scaling cpu target → 50', apply: k => (k.scaling ? { ...k, scaling: { ...k.scaling, cpuPercent: 50 } } : undefined) },
    { name: 'new image tag', apply: k => ({ ...k, imageTag: `${k.imageTag}-next` }) },
    { name: 'log retention → 3 months', apply: k => ({ ...k, logRetention: logs.RetentionDays.THREE_MONTHS }) },
    { name: 'toggle ECS Exec', apply: k => ({ ...k, execute: !k.execute }) },
    { name: 'set serviceName', apply: k => (k.serviceName ? undefined : { ...k, serviceName: 'orders-v1' }) },
    { name: 'rename serviceName', apply: k => (k.serviceName ? { ...k, serviceName: `${k.serviceName}-renamed` } : undefined) },
    { name: 'add an environment variable', apply: k => ({ ...k, environment: { ...k.environment, FEATURE_X: 'on' } }) },
    { name: 'toggle alarms', apply: k => ({ ...k, alarms: !(k.alarms ?? true) }) },
    { name: 'toggle dashboard', apply: k => ({ ...k, dashboard: !(k.dashboard ?? false) }) },
    { name: 'circuit breaker off', apply: k => (k.circuitBreaker === false ? undefined : { ...k, circuitBreaker: false }) },
    { name: 'minHealthyPercent → 50', apply: k => ({ ...k, minHealthyPercent: 50 }) },
    { name: 'health check grace period → 120 s', apply: k => ({ ...k, gracePeriodSeconds: 120 }) },
    { name: 'mount a shared volume', apply: k => (k.volume ? undefined : { ...k, volume: true }) },
  ];
}

/** The default configuration of a service's knobs. */
export const DEFAULT_SERVICE: ServiceKnobs = { capacity: 'fargate', imageTag: 'stable' };

/** The fullest configuration of a service's knobs (Spot; EC2 is the third configuration). */
export const FULLEST_SERVICE: ServiceKnobs = {
  capacity: 'spot',
  imageTag: '1.27',
  cpu: 1024,
  memoryMiB: 2048,
  scaling: { minTasks: 2, maxTasks: 10, cpuPercent: 60 },
  logRetention: logs.RetentionDays.ONE_MONTH,
  execute: true,
  serviceName: 'orders',
  environment: { MODE: 'prod' },
  circuitBreaker: true,
  minHealthyPercent: 100,
  gracePeriodSeconds: 60,
  serviceConnectNamespace: 'prod.internal',
  volume: true,
};
