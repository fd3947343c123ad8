import { RemovalPolicy } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as efs from 'aws-cdk-lib/aws-efs';
import * as kms from 'aws-cdk-lib/aws-kms';
import type { FoundryCluster } from '../cluster/foundry-cluster';

/*
 * The props of a `SharedVolume` and what they resolve to, in a file of their own: the validator
 * (shared-volume-validation.ts, `resolveVolumeOptions`) turns the props into a `ResolvedVolumeOptions` and the
 * construct (shared-volume.ts) builds from it, so neither imports the other for its types.
 */

/**
 * An EFS access point: the directory a mount sees as its root and the POSIX identity of every file operation.
 */
export interface AccessPointOptions {
  /**
   * Directory on the file system exposed as the root of the mount.
   *
   * Absolute, at most four levels deep, without `.` or `..` segments. EFS creates it (with `uid`, `gid` and
   * `permissions`) on first mount.
   *
   * @default - '/data' for the default access point, `/<id>` for access points added with `addAccessPoint(id)`
   */
  readonly path?: string;

  /**
   * POSIX user id of every file operation through this access point (whatever user the container runs as).
   *
   * @default 1000
   */
  readonly uid?: number;

  /**
   * POSIX group id of every file operation through this access point.
   *
   * @default 1000
   */
  readonly gid?: number;

  /**
   * Permissions (octal, 3 or 4 digits) of the root directory when EFS creates it.
   *
   * @default '750'
   */
  readonly permissions?: string;
}

/**
 * Options of a `SharedVolume` (everything but the cluster).
 */
export interface SharedVolumeOptions {
  /**
   * The access point that `volumeConfiguration()` and `grantMount()` use when none is given.
   *
   * @default - path '/data', uid and gid 1000, permissions '750'
   */
  readonly accessPoint?: AccessPointOptions;

  /**
   * How the file system's throughput scales.
   *
   * @default efs.ThroughputMode.ELASTIC - pay for what you use, no burst credits to run out of
   */
  readonly throughputMode?: efs.ThroughputMode;

  /**
   * Throughput in MiB/s when `throughputMode` is `PROVISIONED` (required then, not allowed otherwise).
   *
   * EFS accepts 1-3414 MiB/s by default (the upper limit depends on the Region and can be raised through AWS
   * Support); above that the volume is warned about.
   *
   * @default - none (not provisioned)
   */
  readonly provisionedThroughputMiBps?: number;

  /**
   * Performance mode of the file system.
   *
   * `MAX_IO` cannot be combined with `ELASTIC` throughput.
   *
   * Fixed when EFS creates the file system: changing it later makes CloudFormation create a new, empty file
   * system (the old one is retained). Migrate the data instead (README, "Updates that replace resources").
   *
   * @default efs.PerformanceMode.GENERAL_PURPOSE
   */
  readonly performanceMode?: efs.PerformanceMode;

  /**
   * When files not accessed for this long move to the Infrequent Access storage class.
   *
   * Files move back to standard storage on their first access.
   *
   * @default efs.LifecyclePolicy.AFTER_30_DAYS
   */
  readonly lifecyclePolicy?: efs.LifecyclePolicy;

  /**
   * Customer-managed KMS key that encrypts the file system at rest.
   *
   * EFS uses the key through KMS grants created by the principal that deploys the stack; a key you pass must
   * allow that (the default key policy, which delegates to IAM in the account, does).
   *
   * Fixed when EFS creates the file system, like the cluster key it defaults to: changing either later makes
   * CloudFormation create a new, empty file system (the old one is retained). Migrate the data instead (README,
   * "Updates that replace resources").
   *
   * @default - the cluster's key (`cluster.encryptionKey`)
   */
  readonly encryptionKey?: kms.IKey;

  /**
   * What happens to the file system when it leaves the stack.
   *
   * EFS has no snapshot removal policy. The cluster's `removalPolicy` does not reach the volume (its data is the
   * user's): a retained volume encrypted with the key of a `DESTROY` cluster is warned about.
   *
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;

  /**
   * Back the file system up with EFS automatic backups.
   *
   * The AWS Backup plan `aws/efs/automatic-backup-plan` backs it up daily and keeps each backup 35 days.
   *
   * @default true
   */
  readonly backups?: boolean;

  /**
   * Name of the file system (its `Name` tag).
   *
   * @default - the construct path
   */
  readonly fileSystemName?: string;

  /**
   * Subnets for the mount targets: private or isolated subnets of the cluster's VPC, at most one per AZ.
   *
   * Tasks reach the file system through the mount target in their own AZ, so mounting the volume into a
   * workload fails at synth when a zone of the task subnets has no mount target.
   *
   * @default - one private subnet per AZ (isolated subnets when the VPC has no private ones)
   */
  readonly vpcSubnets?: ec2.SubnetSelection;
}

/**
 * Properties of a `SharedVolume`.
 */
export interface SharedVolumeProps extends SharedVolumeOptions {
  /**
   * The cluster whose tasks mount the volume: its VPC holds the mount targets, its key encrypts the data.
   */
  readonly cluster: FoundryCluster;
}

/**
 * Options of `SharedVolume.addToTaskDefinition()`.
 */
export interface SharedVolumeMountOptions {
  /**
   * Access point of this volume to mount.
   *
   * @default - the volume's default access point
   */
  readonly accessPoint?: efs.IAccessPoint;

  /**
   * Grant the task role read access only (ClientMount, no ClientWrite).
   *
   * @default false
   */
  readonly readOnly?: boolean;
}

/** A `SharedVolume`'s file system options resolved once: every default applied, everything validated. */
export interface ResolvedVolumeOptions {
  readonly throughputMode: efs.ThroughputMode;
  readonly provisionedThroughputMiBps?: number;
  readonly performanceMode: efs.PerformanceMode;
  readonly lifecyclePolicy: efs.LifecyclePolicy;
  readonly encryptionKey: kms.IKey;
  readonly removalPolicy: RemovalPolicy;
  readonly backups: boolean;
  readonly fileSystemName?: string;
  /** The mount target subnets, checked against the cluster's VPC. */
  readonly vpcSubnets: ec2.SubnetSelection;
  readonly accessPoint: AccessPointOptions;
}

/** An access point after defaults: what EFS creates. */
export interface ResolvedAccessPoint {
  readonly path: string;
  readonly uid: number;
  readonly gid: number;
  readonly permissions: string;
}
