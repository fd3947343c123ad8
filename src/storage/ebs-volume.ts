import { Size, SizeRoundingBehavior, Stack, Token } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as iam from 'aws-cdk-lib/aws-iam';
import { IConstruct } from 'constructs';
import { EbsVolumeOptions } from './ebs-volume-options';
import type { FoundryCluster } from '../cluster/foundry-cluster';
import { acknowledgeEbsVolumesInfrastructureRole } from '../compliance/acknowledgements';
import { ManagedPolicyRole } from '../private/managed-policy-role';
import { checkNumber, describeValue, invalidProp } from '../private/validation';

/*
 * EBS task volumes: ECS creates one volume per task from the service's `volumeConfigurations`, attaches it, and
 * deletes it when the task stops (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/ebs-volumes.html).
 * The task definition declares the volume `configuredAtLaunch`; ECS manages the volume with an infrastructure role
 * (one per cluster, created with the first service that has a volume).
 */

/** An EBS volume, validated and defaulted once. */
export interface ResolvedEbsVolume {
  readonly name: string;
  readonly containerPath: string;
  readonly containerName?: string;
  readonly readOnly: boolean;
  readonly sizeGiB?: number;
  readonly volumeType: ec2.EbsDeviceVolumeType;
  readonly iops?: number;
  readonly throughputMiBps?: number;
  readonly snapshotId?: string;
  readonly volumeInitializationRateMiBps?: number;
  readonly fileSystemType: ecs.FileSystemType;
}

/** What each EBS volume type accepts. */
interface VolumeTypeLimits {
  readonly minGiB: number;
  readonly maxGiB: number;
  /** Provisioned IOPS range, when the type takes provisioned IOPS. */
  readonly iops?: { readonly min: number; readonly max: number; readonly perGiB: number; readonly required: boolean };
}

/**
 * Sizes and IOPS per volume type: the ECS API reference
 * (https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_ServiceManagedEBSVolumeConfiguration.html) and the
 * EBS volume types page (https://docs.aws.amazon.com/ebs/latest/userguide/ebs-volume-types.html): gp3 up to 64 TiB,
 * 80,000 IOPS (500 per GiB) and 2,000 MiB/s; io1 50 IOPS per GiB; io2 Block Express up to 64 TiB and 1,000 IOPS per
 * GiB. gp2, st1, sc1 and standard take no provisioned IOPS (EC2 CreateVolume:
 * https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_CreateVolume.html).
 */
const LIMITS: Record<string, VolumeTypeLimits> = {
  [ec2.EbsDeviceVolumeType.GP2]: { minGiB: 1, maxGiB: 16384 },
  [ec2.EbsDeviceVolumeType.GP3]: { minGiB: 1, maxGiB: 65536, iops: { min: 3000, max: 80000, perGiB: 500, required: false } },
  [ec2.EbsDeviceVolumeType.IO1]: { minGiB: 4, maxGiB: 16384, iops: { min: 100, max: 64000, perGiB: 50, required: true } },
  [ec2.EbsDeviceVolumeType.IO2]: { minGiB: 4, maxGiB: 65536, iops: { min: 100, max: 256000, perGiB: 1000, required: true } },
  [ec2.EbsDeviceVolumeType.ST1]: { minGiB: 125, maxGiB: 16384 },
  [ec2.EbsDeviceVolumeType.SC1]: { minGiB: 125, maxGiB: 16384 },
  [ec2.EbsDeviceVolumeType.STANDARD]: { minGiB: 1, maxGiB: 1024 },
};

/** gp3 includes 3,000 IOPS; throughput 125-2,000 MiB/s, at most 0.25 MiB/s per IOPS (EBS volume types page). */
const GP3_BASELINE_IOPS = 3000;
const GP3_THROUGHPUT = { min: 125, max: 2000, perIops: 0.25 };
/** The size of a new volume without a snapshot. */
export const DEFAULT_EBS_SIZE_GIB = 20;

/**
 * Validate and default a service's EBS volumes. Every check cites the AWS page of the rule it enforces.
 */
export function resolveEbsVolumes(scope: IConstruct, volumes: EbsVolumeOptions[] | undefined): ResolvedEbsVolume[] {
  if (volumes === undefined) {
    return [];
  }
  if (!Array.isArray(volumes)) {
    invalidProp(scope, 'ebsVolumes', volumes, 'Pass a list with one EbsVolumeOptions.');
  }
  const names = new Set<string>();
  for (const volume of volumes) {
    if (volume && typeof volume.name === 'string' && names.has(volume.name)) {
      invalidProp(scope, 'ebsVolumes', volume.name, 'Each volume needs its own name.');
    }
    names.add(volume?.name);
  }
  // "During service creation or update, you can provide the configuration that will be used to attach one EBS volume
  // per task", and a task definition "may only have one volume configured at launch"
  // (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/ebs-volumes.html,
  // https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_Volume.html).
  if (volumes.length > 1) {
    invalidProp(scope, 'ebsVolumes', volumes.map(v => v?.name),
      'ECS attaches one EBS volume per task: give one volume (mount more paths of it with subdirectories), or use a SharedVolume (EFS) for the others.');
  }
  return volumes.map((volume, index) => resolveVolume(scope, volume, index));
}

function resolveVolume(scope: IConstruct, volume: EbsVolumeOptions, index: number): ResolvedEbsVolume {
  const at = (prop: string) => `ebsVolumes[${index}].${prop}`;
  if (!volume || typeof volume !== 'object') {
    invalidProp(scope, `ebsVolumes[${index}]`, volume, 'Give { name, containerPath } and the volume\'s settings.');
  }
  // Volume names: "Up to 255 letters (uppercase and lowercase), numbers, underscores, and hyphens are allowed"
  // (https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_Volume.html).
  const name = volume.name;
  if (typeof name !== 'string' || Token.isUnresolved(name) || !/^[A-Za-z0-9_-]{1,255}$/.test(name)) {
    invalidProp(scope, at('name'), name, 'Use 1 to 255 letters, digits, hyphens and underscores, written in the app (not a token).');
  }
  if (typeof volume.containerPath !== 'string' || Token.isUnresolved(volume.containerPath)) {
    invalidProp(scope, at('containerPath'), volume.containerPath, "Use an absolute path written in the app, such as '/data'.");
  }

  const volumeType = volume.volumeType ?? ec2.EbsDeviceVolumeType.GP3;
  const limits = LIMITS[volumeType];
  if (!limits) {
    invalidProp(scope, at('volumeType'), volumeType, `Use one of ${Object.keys(LIMITS).join(', ')}.`);
  }

  // Snapshot IDs are 'snap-' and 8 or 17 hexadecimal characters (https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/resource-ids.html).
  const snapshotId = volume.snapshotId;
  if (snapshotId !== undefined && !Token.isUnresolved(snapshotId)
    && (typeof snapshotId !== 'string' || !/^snap-([0-9a-f]{8}|[0-9a-f]{17})$/.test(snapshotId))) {
    invalidProp(scope, at('snapshotId'), snapshotId, "Use a snapshot ID such as 'snap-0123456789abcdef0'.");
  }

  const sizeGiB = resolveSize(scope, at('size'), volume.size, volumeType, limits, snapshotId !== undefined);

  // Provisioned IOPS (ServiceManagedEBSVolumeConfiguration: "required for io1 and io2 ... not supported for st1, sc1,
  // or standard"; EC2 CreateVolume: not for gp2 either).
  const iops = volume.iops;
  if (iops !== undefined && !limits.iops) {
    invalidProp(scope, at('iops'), iops, `${volumeType} volumes take no provisioned IOPS (only gp3, io1 and io2 do): remove iops, or choose one of those types.`);
  }
  if (iops === undefined && limits.iops?.required) {
    invalidProp(scope, at('iops'), iops, `${volumeType} volumes need provisioned IOPS: give iops between ${limits.iops.min} and ${limits.iops.max}.`);
  }
  if (limits.iops) {
    checkNumber(scope, at('iops'), iops, { min: limits.iops.min, max: limits.iops.max, integer: true });
    if (iops !== undefined && !Token.isUnresolved(iops) && sizeGiB !== undefined && !Token.isUnresolved(sizeGiB)
      && iops > sizeGiB * limits.iops.perGiB) {
      invalidProp(scope, at('iops'), iops,
        `${volumeType} volumes take at most ${limits.iops.perGiB} IOPS per GiB (https://docs.aws.amazon.com/ebs/latest/userguide/ebs-volume-types.html): a ${sizeGiB} GiB volume takes at most ${sizeGiB * limits.iops.perGiB}. Lower iops, or give a size of at least ${Math.ceil(iops / limits.iops.perGiB)} GiB.`);
    }
  }

  // Throughput: "only supported for the gp3 volume type" (ServiceManagedEBSVolumeConfiguration).
  const throughput = volume.throughputMiBps;
  if (throughput !== undefined) {
    if (volumeType !== ec2.EbsDeviceVolumeType.GP3) {
      invalidProp(scope, at('throughputMiBps'), throughput, `Only gp3 volumes take provisioned throughput, and this volume is ${volumeType}: remove throughputMiBps, or use gp3.`);
    }
    checkNumber(scope, at('throughputMiBps'), throughput, { min: GP3_THROUGHPUT.min, max: GP3_THROUGHPUT.max, integer: true });
    const effectiveIops = iops ?? GP3_BASELINE_IOPS;
    if (!Token.isUnresolved(throughput) && !Token.isUnresolved(effectiveIops) && throughput > effectiveIops * GP3_THROUGHPUT.perIops) {
      invalidProp(scope, at('throughputMiBps'), throughput,
        `gp3 allows at most ${GP3_THROUGHPUT.perIops} MiB/s per provisioned IOPS (https://docs.aws.amazon.com/ebs/latest/userguide/ebs-volume-types.html): ${effectiveIops} IOPS allow ${effectiveIops * GP3_THROUGHPUT.perIops} MiB/s. Give iops of at least ${Math.ceil(throughput / GP3_THROUGHPUT.perIops)}, or lower throughputMiBps.`);
    }
  }

  // Volume initialization rate: 100-300 MiB/s, for volumes created from a snapshot
  // (https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_ServiceManagedEBSVolumeConfiguration.html,
  // https://docs.aws.amazon.com/ebs/latest/userguide/initalize-volume.html).
  const rate = volume.volumeInitializationRateMiBps;
  if (rate !== undefined) {
    if (snapshotId === undefined) {
      invalidProp(scope, at('volumeInitializationRateMiBps'), rate, 'A volume initialization rate applies to volumes restored from a snapshot: give snapshotId, or remove the rate.');
    }
    checkNumber(scope, at('volumeInitializationRateMiBps'), rate, { min: 100, max: 300, integer: true });
  }

  // File systems ECS creates: ext3, ext4 and xfs on Linux; NTFS is for Windows tasks, which cannot have EBS volumes here.
  const fileSystemType = volume.fileSystemType ?? ecs.FileSystemType.XFS;
  if (![ecs.FileSystemType.EXT3, ecs.FileSystemType.EXT4, ecs.FileSystemType.XFS].includes(fileSystemType)) {
    invalidProp(scope, at('fileSystemType'), fileSystemType, 'Use ext3, ext4 or xfs: Linux tasks mount these (NTFS is for Windows tasks on EC2).');
  }

  if (volume.readOnly === true && snapshotId === undefined) {
    invalidProp(scope, at('readOnly'), true, 'A new volume is empty, so a read-only mount of it holds nothing: give snapshotId to restore data, or mount it read-write.');
  }

  return {
    name,
    containerPath: volume.containerPath,
    containerName: volume.containerName,
    readOnly: volume.readOnly ?? false,
    sizeGiB,
    volumeType,
    iops,
    throughputMiBps: throughput,
    snapshotId,
    volumeInitializationRateMiBps: rate,
    fileSystemType,
  };
}

function resolveSize(scope: IConstruct, prop: string, size: Size | undefined, volumeType: string, limits: VolumeTypeLimits,
  fromSnapshot: boolean): number | undefined {
  if (size === undefined) {
    if (fromSnapshot) {
      return undefined; // the snapshot's size
    }
    if (DEFAULT_EBS_SIZE_GIB < limits.minGiB) {
      invalidProp(scope, prop, size, `${volumeType} volumes are at least ${limits.minGiB} GiB: give a size.`);
    }
    return DEFAULT_EBS_SIZE_GIB;
  }
  if (!(size instanceof Size)) {
    invalidProp(scope, prop, size, 'Use a Size, such as Size.gibibytes(100).');
  }
  if (size.isUnresolved()) {
    return size.toGibibytes();
  }
  const gib = size.toGibibytes({ rounding: SizeRoundingBehavior.NONE });
  if (!Number.isInteger(gib)) {
    invalidProp(scope, prop, `${describeValue(gib)} GiB`, 'EBS volume sizes are whole GiB: use Size.gibibytes(n) with a whole n.');
  }
  // Sizes per type: https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_ServiceManagedEBSVolumeConfiguration.html
  // and https://docs.aws.amazon.com/ebs/latest/userguide/ebs-volume-types.html
  if (gib < limits.minGiB || gib > limits.maxGiB) {
    invalidProp(scope, prop, `${gib} GiB`, `${volumeType} volumes are ${limits.minGiB} to ${limits.maxGiB} GiB.`);
  }
  return gib;
}

/**
 * What attaching a volume needs from the workload's task definition (a `FoundryTaskDefinition`): storage sits below
 * the workload layer and does not import it.
 */
export interface LaunchConfiguredVolumeTarget {
  /** Add a volume configured at launch, mounted into the main container or `options.containerName`. */
  _addLaunchConfiguredVolume(name: string, containerPath: string, options?: { readonly containerName?: string; readonly readOnly?: boolean }): void;
}

/**
 * Give the service its EBS volume: the task definition declares it `configuredAtLaunch` and mounts it, the service
 * carries its configuration (encrypted with the cluster key), and ECS manages it with the cluster's volumes role.
 */
export function attachEbsVolumes(service: ecs.BaseService, workload: LaunchConfiguredVolumeTarget, cluster: FoundryCluster,
  volumes: ResolvedEbsVolume[]): void {
  if (volumes.length === 0) {
    return;
  }
  const role = ebsVolumesInfrastructureRole(cluster);
  const configurations: ecs.CfnService.ServiceVolumeConfigurationProperty[] = [];
  for (const volume of volumes) {
    workload._addLaunchConfiguredVolume(volume.name, volume.containerPath, { containerName: volume.containerName, readOnly: volume.readOnly });
    // Written as CloudFormation (ServiceVolumeConfiguration) rather than with ecs.ServiceManagedVolume: its checks
    // read a token size as a number, and the checks above are the library's, with its messages.
    configurations.push({
      name: volume.name,
      managedEbsVolume: {
        roleArn: role.roleArn,
        // Always encrypted, with the cluster key: the volume's own key wins over the account's EBS default key and
        // the cluster's managed storage key (ServiceManagedEBSVolumeConfiguration kmsKeyId).
        encrypted: true,
        kmsKeyId: cluster.encryptionKey.keyArn,
        volumeType: volume.volumeType,
        sizeInGiB: volume.sizeGiB,
        iops: volume.iops,
        throughput: volume.throughputMiBps,
        snapshotId: volume.snapshotId,
        volumeInitializationRate: volume.volumeInitializationRateMiBps,
        filesystemType: volume.fileSystemType,
        // The service's tags (cost allocation) on each volume, beside the AmazonECSCreated/AmazonECSManaged tags ECS adds.
        tagSpecifications: [{ resourceType: 'volume', propagateTags: 'SERVICE' }],
      },
    });
  }
  (service.node.defaultChild as ecs.CfnService).volumeConfigurations = configurations;
  // Tasks must not start before ECS may create, attach and encrypt their volumes.
  service.node.addDependency(role);
}

/** The construct ID of the volumes role in the cluster. */
export const EBS_VOLUMES_ROLE_ID = 'EbsVolumesInfrastructureRole';

/**
 * The ECS infrastructure role for EBS volumes of a cluster, created once, with the first service that has a volume
 * (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/infrastructure_IAM_role.html).
 *
 * ECS creates, attaches, detaches and deletes the volumes with the AWS managed policy
 * AmazonECSInfrastructureRolePolicyForVolumes (its EC2 actions are scoped by AWS to volumes ECS tagged as its own,
 * and AWS extends it as the feature grows). The cluster key is granted here, through EC2 only: EBS encrypts a volume
 * with the caller's permissions on the key (kms:CreateGrant for the attachment, kms:GenerateDataKeyWithoutPlaintext,
 * kms:Decrypt, kms:ReEncrypt*, kms:DescribeKey: https://docs.aws.amazon.com/ebs/latest/userguide/ebs-encryption-requirements.html),
 * and grants only for AWS resources (kms:GrantIsForAWSResource). The key policy of the key the cluster creates lets
 * the account's IAM policies grant its use (the default key policy), so no statement naming this role is needed
 * there; a key you pass must do the same, or name this role.
 */
export function ebsVolumesInfrastructureRole(cluster: FoundryCluster): iam.IRole {
  const existing = cluster.node.tryFindChild(EBS_VOLUMES_ROLE_ID);
  if (existing) {
    return existing as iam.IRole;
  }
  const role = new ManagedPolicyRole(cluster, EBS_VOLUMES_ROLE_ID, {
    assumedBy: new iam.ServicePrincipal('ecs.amazonaws.com'),
    description: `ECS manages the EBS volumes of the tasks in ${cluster.node.path}`,
    managedPolicies: [iam.ManagedPolicy.fromAwsManagedPolicyName('service-role/AmazonECSInfrastructureRolePolicyForVolumes')],
  });
  const viaEc2 = { 'kms:ViaService': `ec2.${Stack.of(cluster).region}.amazonaws.com` };
  role.addToPrincipalPolicy(new iam.PolicyStatement({
    sid: 'EncryptVolumesWithTheClusterKey',
    actions: ['kms:GenerateDataKeyWithoutPlaintext', 'kms:Decrypt', 'kms:ReEncryptFrom', 'kms:ReEncryptTo', 'kms:DescribeKey'],
    resources: [cluster.encryptionKey.keyArn],
    conditions: { StringEquals: viaEc2 },
  }));
  role.addToPrincipalPolicy(new iam.PolicyStatement({
    sid: 'GrantTheClusterKeyToVolumes',
    actions: ['kms:CreateGrant'],
    resources: [cluster.encryptionKey.keyArn],
    conditions: { StringEquals: viaEc2, Bool: { 'kms:GrantIsForAWSResource': 'true' } },
  }));
  acknowledgeEbsVolumesInfrastructureRole(role);
  return role;
}
