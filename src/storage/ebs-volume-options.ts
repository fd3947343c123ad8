import { Size } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';

/*
 * The options of an EBS task volume, in a file of their own: services take them (`ServiceOptions.ebsVolumes`), the
 * storage code (ebs-volume.ts) validates and wires them.
 */

/**
 * An Amazon EBS volume that ECS creates for each task of a service, attaches and deletes with the task.
 *
 * Encrypted with the cluster's KMS key, always. Each task gets its own new volume (empty, or restored from
 * `snapshotId`): use it for scratch space, caches and data that a task rebuilds, and a `SharedVolume` (EFS) for
 * data that tasks share or that outlives them.
 */
export interface EbsVolumeOptions {
  /**
   * Name of the volume in the task definition.
   *
   * Up to 255 letters, digits, hyphens and underscores, unique among the task's volumes.
   */
  readonly name: string;

  /**
   * Absolute path where the volume is mounted in the container, such as '/data'.
   */
  readonly containerPath: string;

  /**
   * Container the volume is mounted into.
   *
   * @default - the main container
   */
  readonly containerName?: string;

  /**
   * Mount the volume read-only.
   *
   * A read-only volume is useful only when it is restored from `snapshotId`.
   *
   * @default false
   */
  readonly readOnly?: boolean;

  /**
   * Size of each task's volume, in whole GiB.
   *
   * gp2 1-16,384 GiB, gp3 1-65,536, io1 4-16,384, io2 4-65,536, st1 and sc1 125-16,384, standard 1-1,024. With
   * `snapshotId` it must be at least the snapshot's size.
   *
   * @default - the snapshot's size with `snapshotId`, otherwise Size.gibibytes(20)
   */
  readonly size?: Size;

  /**
   * EBS volume type.
   *
   * @default ec2.EbsDeviceVolumeType.GP3 (3,000 IOPS and 125 MiB/s included at any size)
   */
  readonly volumeType?: ec2.EbsDeviceVolumeType;

  /**
   * Provisioned I/O operations per second (gp3, io1 and io2 only).
   *
   * gp3 3,000-80,000 and at most 500 per GiB, io1 100-64,000 and at most 50 per GiB, io2 100-256,000 and at most
   * 1,000 per GiB. Required for io1 and io2.
   *
   * @default - 3,000 for gp3, none for other types (io1 and io2 require it)
   */
  readonly iops?: number;

  /**
   * Provisioned throughput in MiB/s (gp3 only).
   *
   * 125-2,000 MiB/s and at most 0.25 MiB/s per provisioned IOPS (750 MiB/s with the 3,000 IOPS gp3 includes).
   *
   * @default - 125 for gp3
   */
  readonly throughputMiBps?: number;

  /**
   * Snapshot each task's volume is restored from, such as 'snap-0123456789abcdef0'.
   *
   * @default - a new, empty volume
   */
  readonly snapshotId?: string;

  /**
   * Rate in MiB/s at which EBS fetches the snapshot's blocks, so that the volume is fully initialized in a predictable time.
   *
   * 100-300 MiB/s, with `snapshotId` only. Billed by EBS per GiB initialized.
   *
   * @default - no provisioned rate: blocks are fetched on first access, which is slow until each block was read
   */
  readonly volumeInitializationRateMiBps?: number;

  /**
   * Linux file system ECS creates on a new volume (ext3, ext4 or xfs).
   *
   * With `snapshotId`, the file system the snapshot's volume had: a mismatch stops the task from starting.
   *
   * @default ecs.FileSystemType.XFS
   */
  readonly fileSystemType?: ecs.FileSystemType;
}
