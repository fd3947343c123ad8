/**
 * Update safety of FoundryCluster, Ec2Capacity, FoundryTaskDefinition, WorkloadRepository and SharedVolume: every
 * plausible prop change, on the default and fullest configurations, is diffed with the CDK's diff engine; no
 * stateful or named resource may be replaced unless the README documents the migration
 * (see test/proof/support/update-safety.ts).
 */
import { Duration, Size } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as efs from 'aws-cdk-lib/aws-efs';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import {
  Capacity, Ec2MachineImage, FoundryCluster, FoundryTaskDefinition, NatGatewayStrategy, SharedVolume, WorkloadRepository,
} from '../../src';
import { proveUpdateSafety, UpdateCase } from './support/update-safety';

interface ClusterKnobs {
  readonly natGateways?: NatGatewayStrategy;
  readonly maxAzs?: number;
  readonly containerInsights?: ecs.ContainerInsights;
  readonly defaultCapacity?: 'fargate' | 'spot';
  readonly namespace?: string;
  readonly logRetention?: logs.RetentionDays;
  readonly alertEmails?: string[];
  readonly stoppedTaskAlerts?: boolean;
  readonly vpcEndpoints?: boolean;
  readonly ownKey?: boolean;
}

const cluster: UpdateCase<ClusterKnobs> = {
  construct: 'FoundryCluster',
  build: (stack, k) => {
    new FoundryCluster(stack, 'Cluster', {
      natGateways: k.natGateways,
      maxAzs: k.maxAzs,
      containerInsights: k.containerInsights,
      defaultCapacity: k.defaultCapacity === 'spot' ? Capacity.spot({ onDemandBase: 1 }) : k.defaultCapacity === 'fargate' ? Capacity.fargate() : undefined,
      serviceConnectNamespace: k.namespace,
      logRetention: k.logRetention,
      alertEmails: k.alertEmails,
      stoppedTaskAlerts: k.stoppedTaskAlerts,
      vpcEndpoints: k.vpcEndpoints,
      encryptionKey: k.ownKey ? new kms.Key(stack, 'Key', { enableKeyRotation: true }) : undefined,
    });
  },
  configurations: {
    default: {},
    fullest: {
      natGateways: NatGatewayStrategy.SINGLE,
      maxAzs: 3,
      defaultCapacity: 'spot',
      namespace: 'prod.internal',
      logRetention: logs.RetentionDays.THREE_MONTHS,
      alertEmails: ['ops@example.com'],
      vpcEndpoints: true,
    },
  },
  changes: [
    {
      name: 'NAT gateways → one per AZ',
      apply: k => ((k.natGateways ?? NatGatewayStrategy.PER_AZ) === NatGatewayStrategy.PER_AZ
        ? undefined : { ...k, natGateways: NatGatewayStrategy.PER_AZ }),
    },
    { name: 'NAT gateways → single', apply: k => (k.natGateways === NatGatewayStrategy.SINGLE ? undefined : { ...k, natGateways: NatGatewayStrategy.SINGLE }) },
    { name: 'default capacity → spot', apply: k => (k.defaultCapacity === 'spot' ? undefined : { ...k, defaultCapacity: 'spot' }) },
    { name: 'default capacity → fargate', apply: k => (k.defaultCapacity === 'spot' ? { ...k, defaultCapacity: 'fargate' } : undefined) },
    { name: 'Container Insights → enabled (not enhanced)', apply: k => ({ ...k, containerInsights: ecs.ContainerInsights.ENABLED }) },
    { name: 'add a Service Connect namespace', apply: k => (k.namespace ? undefined : { ...k, namespace: 'internal' }) },
    { name: 'log retention → 6 months', apply: k => ({ ...k, logRetention: logs.RetentionDays.SIX_MONTHS }) },
    { name: 'add an alert e-mail', apply: k => ({ ...k, alertEmails: [...(k.alertEmails ?? []), 'oncall@example.com'] }) },
    { name: 'stopped-task alerts off', apply: k => ({ ...k, stoppedTaskAlerts: false }) },
    { name: 'toggle VPC endpoints', apply: k => ({ ...k, vpcEndpoints: !k.vpcEndpoints }) },
    { name: 'own encryption key', apply: k => (k.ownKey ? undefined : { ...k, ownKey: true }) },
  ],
};

interface Ec2Knobs {
  readonly instanceType: string;
  readonly machineImage?: 'al2023' | 'bottlerocket';
  readonly minCapacity?: number;
  readonly maxCapacity?: number;
  readonly targetCapacityPercent?: number;
  readonly volumeGiB?: number;
  readonly sessionManager?: boolean;
  readonly spot?: boolean;
  readonly warmupSeconds?: number;
}

const ec2Capacity: UpdateCase<Ec2Knobs> = {
  construct: 'Ec2Capacity',
  build: (stack, k) => {
    const c = new FoundryCluster(stack, 'Cluster');
    const capacity = c.addEc2Capacity('Ec2', {
      instanceType: new ec2.InstanceType(k.instanceType),
      machineImage: k.machineImage === 'bottlerocket' ? Ec2MachineImage.BOTTLEROCKET : undefined,
      minCapacity: k.minCapacity,
      maxCapacity: k.maxCapacity,
      targetCapacityPercent: k.targetCapacityPercent,
      volumeSize: k.volumeGiB === undefined ? undefined : Size.gibibytes(k.volumeGiB),
      enableSessionManager: k.sessionManager,
      spot: k.spot ? { additionalInstanceTypes: [new ec2.InstanceType('m6i.large')], onDemandBaseCapacity: 1 } : undefined,
      instanceWarmup: k.warmupSeconds === undefined ? undefined : Duration.seconds(k.warmupSeconds),
    });
    // A service on the capacity: what a capacity change must not break.
    new FoundryTaskDefinition(stack, 'Api', { cluster: c, capacity: Capacity.ec2(capacity), image: ecs.ContainerImage.fromRegistry('public.ecr.aws/nginx/nginx:stable') });
  },
  configurations: {
    default: { instanceType: 'm7i.large' },
    fullest: {
      instanceType: 'm7i.large',
      machineImage: 'bottlerocket',
      minCapacity: 1,
      maxCapacity: 20,
      targetCapacityPercent: 90,
      volumeGiB: 60,
      sessionManager: true,
      spot: true,
      warmupSeconds: 120,
    },
  },
  changes: [
    { name: 'instance type → m7i.xlarge', apply: k => ({ ...k, instanceType: 'm7i.xlarge' }) },
    { name: 'machine image → Bottlerocket', apply: k => (k.machineImage === 'bottlerocket' ? undefined : { ...k, machineImage: 'bottlerocket' }) },
    { name: 'machine image → AL2023', apply: k => (k.machineImage === 'bottlerocket' ? { ...k, machineImage: 'al2023' } : undefined) },
    { name: 'capacity range → 2-50', apply: k => ({ ...k, minCapacity: 2, maxCapacity: 50 }) },
    { name: 'target capacity → 75 %', apply: k => ({ ...k, targetCapacityPercent: 75 }) },
    { name: 'volume → 100 GiB', apply: k => ({ ...k, volumeGiB: 100 }) },
    { name: 'toggle Session Manager', apply: k => ({ ...k, sessionManager: !k.sessionManager }) },
    { name: 'toggle Spot', apply: k => ({ ...k, spot: !k.spot }) },
    { name: 'instance warm-up → 600 s', apply: k => ({ ...k, warmupSeconds: 600 }) },
  ],
};

interface WorkloadKnobs {
  // Fargate and Fargate Spot give the same task definition (capacity is the service's); services try both.
  readonly capacity: 'fargate' | 'spot';
  readonly imageTag: string;
  readonly cpu?: number;
  readonly memoryMiB?: number;
  readonly arm?: boolean;
  readonly ephemeralGiB?: number;
  readonly environment?: Record<string, string>;
  readonly logRetention?: logs.RetentionDays;
  readonly firelens?: boolean;
  readonly nonBlocking?: boolean;
  readonly sidecar?: boolean;
  readonly readonlyRoot?: boolean;
  readonly family?: string;
}

const taskDefinition: UpdateCase<WorkloadKnobs> = {
  construct: 'FoundryTaskDefinition',
  build: (stack, k) => {
    const c = new FoundryCluster(stack, 'Cluster');
    new FoundryTaskDefinition(stack, 'Api', {
      cluster: c,
      capacity: k.capacity === 'spot' ? Capacity.spot() : Capacity.fargate(),
      image: ecs.ContainerImage.fromRegistry(`public.ecr.aws/nginx/nginx:${k.imageTag}`),
      port: 8080,
      cpu: k.cpu,
      memoryMiB: k.memoryMiB,
      cpuArchitecture: k.arm ? ecs.CpuArchitecture.ARM64 : undefined,
      ephemeralStorageGiB: k.ephemeralGiB,
      environment: k.environment,
      logging: { retention: k.logRetention, firelens: k.firelens, nonBlocking: k.nonBlocking },
      sidecars: k.sidecar ? [{ name: 'migrate', image: ecs.ContainerImage.fromRegistry('public.ecr.aws/docker/library/busybox:stable'), essential: false }] : undefined,
      readonlyRootFilesystem: k.readonlyRoot,
      family: k.family,
    });
  },
  configurations: {
    default: { capacity: 'fargate', imageTag: 'stable' },
    fullest: {
      capacity: 'spot',
      imageTag: '1.27',
      cpu: 1024,
      memoryMiB: 2048,
      arm: true,
      ephemeralGiB: 40,
      environment: { LOG_LEVEL: 'info' },
      logRetention: logs.RetentionDays.ONE_MONTH,
      firelens: true,
      nonBlocking: true,
      sidecar: true,
      family: 'api',
    },
  },
  changes: [
    { name: 'new image tag', apply: k => ({ ...k, imageTag: `${k.imageTag}-next` }) },
    { name: 'cpu and memory up', apply: k => ({ ...k, cpu: (k.cpu ?? 256) * 4, memoryMiB: (k.memoryMiB ?? 512) * 4 }) },
    { name: 'toggle ARM64', apply: k => ({ ...k, arm: !k.arm }) },
    { name: 'ephemeral storage → 100 GiB', apply: k => ({ ...k, ephemeralGiB: 100 }) },
    { name: 'add an environment variable', apply: k => ({ ...k, environment: { ...k.environment, FEATURE_X: 'on' } }) },
    { name: 'log retention → 6 months', apply: k => ({ ...k, logRetention: logs.RetentionDays.SIX_MONTHS }) },
    { name: 'toggle FireLens', apply: k => ({ ...k, firelens: !k.firelens }) },
    { name: 'toggle non-blocking logs', apply: k => ({ ...k, nonBlocking: !k.nonBlocking }) },
    { name: 'toggle sidecar', apply: k => ({ ...k, sidecar: !k.sidecar }) },
    { name: 'writable root file system', apply: k => ({ ...k, readonlyRoot: false }) },
    { name: 'family name', apply: k => ({ ...k, family: `${k.family ?? 'web'}-v2` }) },
  ],
};

interface RepositoryKnobs {
  readonly repositoryName?: string;
  readonly keepImages?: number;
  readonly key?: 'own';
}

const repository: UpdateCase<RepositoryKnobs> = {
  construct: 'WorkloadRepository',
  build: (stack, k) => {
    new WorkloadRepository(stack, 'Repo', {
      repositoryName: k.repositoryName,
      keepImages: k.keepImages,
      encryptionKey: k.key === 'own' ? new kms.Key(stack, 'Key', { enableKeyRotation: true }) : undefined,
    });
  },
  configurations: {
    default: {},
    fullest: { repositoryName: 'team/api', keepImages: 50, key: 'own' },
  },
  changes: [
    { name: 'keepImages → 100', apply: k => ({ ...k, keepImages: 100 }) },
    { name: 'encryption → own key', apply: k => (k.key === 'own' ? undefined : { ...k, key: 'own' }) },
    { name: 'encryption → AWS managed key', apply: k => (k.key === 'own' ? { ...k, key: undefined } : undefined) },
    { name: 'set repositoryName', apply: k => (k.repositoryName ? undefined : { ...k, repositoryName: 'team/web' }) },
  ],
};

interface VolumeKnobs {
  readonly ownKey?: boolean;
  readonly throughputMode?: efs.ThroughputMode;
  readonly provisionedMiBps?: number;
  readonly performanceMode?: efs.PerformanceMode;
  readonly lifecyclePolicy?: efs.LifecyclePolicy;
  readonly backups?: boolean;
  readonly fileSystemName?: string;
  readonly accessPointPath?: string;
  readonly uid?: number;
  readonly extraAccessPoint?: boolean;
}

const volume: UpdateCase<VolumeKnobs> = {
  construct: 'SharedVolume',
  build: (stack, k) => {
    const c = new FoundryCluster(stack, 'Cluster');
    const v = new SharedVolume(stack, 'Data', {
      cluster: c,
      encryptionKey: k.ownKey ? new kms.Key(stack, 'Key', { enableKeyRotation: true }) : undefined,
      throughputMode: k.throughputMode,
      provisionedThroughputMiBps: k.provisionedMiBps,
      performanceMode: k.performanceMode,
      lifecyclePolicy: k.lifecyclePolicy,
      backups: k.backups,
      fileSystemName: k.fileSystemName,
      accessPoint: { path: k.accessPointPath, uid: k.uid, gid: k.uid },
    });
    if (k.extraAccessPoint) {
      v.addAccessPoint('Reports', { path: '/reports' });
    }
    const api = new FoundryTaskDefinition(stack, 'Api', { cluster: c, image: ecs.ContainerImage.fromRegistry('public.ecr.aws/nginx/nginx:stable') });
    api.addVolume(v, '/data');
  },
  configurations: {
    default: {},
    fullest: {
      throughputMode: efs.ThroughputMode.PROVISIONED,
      provisionedMiBps: 64,
      lifecyclePolicy: efs.LifecyclePolicy.AFTER_7_DAYS,
      fileSystemName: 'shared-data',
      accessPointPath: '/shared',
      uid: 2000,
      extraAccessPoint: true,
    },
  },
  changes: [
    { name: 'throughput → bursting', apply: k => ({ ...k, throughputMode: efs.ThroughputMode.BURSTING, provisionedMiBps: undefined }) },
    { name: 'provisioned throughput → 128 MiB/s', apply: k => ({ ...k, throughputMode: efs.ThroughputMode.PROVISIONED, provisionedMiBps: 128 }) },
    { name: 'lifecycle → 90 days', apply: k => ({ ...k, lifecyclePolicy: efs.LifecyclePolicy.AFTER_90_DAYS }) },
    { name: 'backups off', apply: k => (k.backups === false ? undefined : { ...k, backups: false }) },
    { name: 'file system name', apply: k => ({ ...k, fileSystemName: `${k.fileSystemName ?? 'data'}-renamed` }) },
    { name: 'access point uid/gid → 3000', apply: k => ({ ...k, uid: 3000 }) },
    { name: 'encryption → own key', apply: k => (k.ownKey ? undefined : { ...k, ownKey: true }) },
    {
      name: 'performance mode → MAX_IO',
      apply: k => (k.performanceMode === efs.PerformanceMode.MAX_IO ? undefined
        : { ...k, performanceMode: efs.PerformanceMode.MAX_IO, throughputMode: k.throughputMode ?? efs.ThroughputMode.BURSTING }),
    },
    { name: 'add an access point', apply: k => (k.extraAccessPoint ? undefined : { ...k, extraAccessPoint: true }) },
  ],
};

proveUpdateSafety([cluster, ec2Capacity, taskDefinition, repository, volume]);
