import { Annotations, Names, RemovalPolicy, Size } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as efs from 'aws-cdk-lib/aws-efs';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { AccessPointOptions, SharedVolumeMountOptions, SharedVolumeProps } from './shared-volume-options';
import { checkTaskDefinition, fileSystemPolicy, resolveAccessPoint, resolveVolumeOptions } from './shared-volume-validation';
import type { FoundryCluster } from '../cluster/foundry-cluster';
import { acknowledgeEfsAutomaticBackups } from '../compliance/acknowledgements';
import { securityGroupDescription } from '../private/descriptions';
import { describeValue, invalidProp } from '../private/validation';

/**
 * A persistent, shared file system for ECS tasks: Amazon EFS, secure by default.
 *
 * - encrypted at rest with a customer-managed KMS key, backed up daily, retained when removed from the stack;
 * - Elastic throughput, files moved to Infrequent Access after 30 days unused (and back on first access);
 * - a file system policy that denies clients without TLS and clients that bypass an access point, and allows
 *   no anonymous client: every mount is IAM-authorized, over TLS, through an access point with a fixed POSIX user;
 * - mount targets in the cluster's private subnets behind a security group that admits NFS only from the
 *   security groups given to `allowFrom()`.
 *
 * Mount it with `addVolume(volume, '/path')` of a `FoundryTaskDefinition` or a service, which does everything below.
 * By hand: `addToTaskDefinition()` (or `volumeConfiguration()` and `grantMount()`), a mount point in the container,
 * and `allowFrom(service)`.
 */
export class SharedVolume extends Construct implements ec2.IConnectable {
  /** The EFS file system. */
  public readonly fileSystem: efs.FileSystem;
  /** The default access point. */
  public readonly accessPoint: efs.AccessPoint;
  /** The cluster whose VPC holds the mount targets. */
  public readonly cluster: FoundryCluster;
  /** Security group of the mount targets: no ingress except what `allowFrom()` adds. */
  public readonly securityGroup: ec2.SecurityGroup;
  /** Network connections of the mount targets (default port: NFS, TCP 2049). */
  public readonly connections: ec2.Connections;
  /**
   * Availability Zones of the mount targets.
   *
   * Tasks can mount the volume only in these zones, so `addVolume()` checks that they cover every zone of the task
   * subnets.
   */
  public readonly availabilityZones: string[];

  private readonly accessPoints: efs.AccessPoint[] = [];
  private readonly mounted = new Map<ecs.TaskDefinition, Set<string>>();

  constructor(scope: Construct, id: string, props: SharedVolumeProps) {
    super(scope, id);
    if (!props || !props.cluster || !props.cluster.vpc) {
      invalidProp(this, 'cluster', props?.cluster, 'Pass the FoundryCluster whose tasks mount the volume: its VPC holds the mount targets.');
    }
    const options = resolveVolumeOptions(this, props);
    this.cluster = props.cluster;
    const vpc = this.cluster.vpc;

    this.securityGroup = new ec2.SecurityGroup(this, 'SecurityGroup', {
      vpc,
      description: securityGroupDescription(`EFS mount targets of ${this.node.path}: NFS from allowed security groups only`),
      allowAllOutbound: false,
    });

    this.availabilityZones = vpc.selectSubnets(options.vpcSubnets).availabilityZones;
    this.fileSystem = new efs.FileSystem(this, 'FileSystem', {
      vpc,
      vpcSubnets: options.vpcSubnets,
      securityGroup: this.securityGroup,
      encrypted: true,
      kmsKey: options.encryptionKey,
      fileSystemName: options.fileSystemName,
      throughputMode: options.throughputMode,
      provisionedThroughputPerSecond: options.provisionedThroughputMiBps !== undefined
        ? Size.mebibytes(options.provisionedThroughputMiBps) : undefined,
      performanceMode: options.performanceMode,
      lifecyclePolicy: options.lifecyclePolicy,
      outOfInfrequentAccessPolicy: efs.OutOfInfrequentAccessPolicy.AFTER_1_ACCESS,
      enableAutomaticBackups: options.backups,
      removalPolicy: options.removalPolicy,
      fileSystemPolicy: fileSystemPolicy(),
      // Our policy has no Allow statement, so no anonymous client can mount. Left to itself, aws-cdk-lib would add
      // an Allow of ClientWrite and ClientRootAccess for every IAM principal, which would turn read-only grants into
      // read-write ones; `true` only stops that statement.
      allowAnonymousAccess: true,
    });
    const onClusterKey = props.encryptionKey === undefined;
    if (onClusterKey && this.cluster.removalPolicy === RemovalPolicy.DESTROY && options.removalPolicy !== RemovalPolicy.DESTROY) {
      Annotations.of(this).addWarningV2('cdk-ecs-foundry:volumeOutlivesKey',
        'The file system is retained when it leaves the stack, but it is encrypted with the cluster key, which the cluster\'s removalPolicy DESTROY deletes: '
        + 'its data becomes unreadable once the key\'s deletion window ends. Set removalPolicy: RemovalPolicy.DESTROY on the volume for a throw-away '
        + 'environment, give the volume a retained encryptionKey of its own, or keep the cluster\'s removalPolicy RETAIN.');
    }
    this.connections = this.fileSystem.connections;

    if (options.backups) {
      acknowledgeEfsAutomaticBackups(this.fileSystem);
    } else {
      Annotations.of(this).addWarningV2('cdk-ecs-foundry:sharedVolumeNoBackups',
        'backups is false: the file system is in no backup plan. Add it to an AWS Backup plan of your own, or enable backups.');
    }

    this.accessPoint = this.createAccessPoint('AccessPoint', options.accessPoint, true);
  }

  /**
   * Add another access point, for example a read-only view or a directory per service.
   *
   * @param id construct id, unique within this volume; never change it (a new id replaces the access point)
   */
  public addAccessPoint(id: string, options: AccessPointOptions = {}): efs.AccessPoint {
    if (typeof id !== 'string' || id.length === 0 || this.node.tryFindChild(id) !== undefined) {
      invalidProp(this, 'addAccessPoint id', id,
        `Use an id not yet used in this volume (taken: ${this.node.children.map(c => `'${c.node.id}'`).join(', ')}).`);
    }
    return this.createAccessPoint(id, options, false);
  }

  /**
   * The ECS volume configuration for a task: transit encryption ENABLED, IAM authorization ENABLED, the access point.
   *
   * @param accessPoint an access point of this volume, the default access point when omitted
   */
  public volumeConfiguration(accessPoint?: efs.IAccessPoint): ecs.EfsVolumeConfiguration {
    const ap = this.resolveAccessPoint(accessPoint);
    return {
      fileSystemId: this.fileSystem.fileSystemId,
      transitEncryption: 'ENABLED',
      authorizationConfig: { accessPointId: ap.accessPointId, iam: 'ENABLED' },
    };
  }

  /**
   * Let the grantee mount this file system through one access point.
   *
   * Grants `elasticfilesystem:ClientMount` (and `ClientWrite` unless `readOnly`) on this file system, conditioned on
   * that access point and on access through a mount target. Goes to the grantee's policy (to the file system policy
   * for a grantee without one).
   *
   * @param grantee usually a task role
   * @param accessPoint an access point of this volume, the default access point when omitted
   * @param readOnly grant ClientMount only (false when omitted)
   */
  public grantMount(grantee: iam.IGrantable, accessPoint?: efs.IAccessPoint, readOnly?: boolean): iam.Grant {
    const ap = this.resolveAccessPoint(accessPoint);
    const actions = ['elasticfilesystem:ClientMount'];
    if (!readOnly) {
      actions.push('elasticfilesystem:ClientWrite');
    }
    return iam.Grant.addToPrincipalOrResource({
      grantee,
      actions,
      resourceArns: [this.fileSystem.fileSystemArn],
      resource: this.fileSystem,
      conditions: {
        StringEquals: { 'elasticfilesystem:AccessPointArn': ap.accessPointArn },
        Bool: { 'elasticfilesystem:AccessedViaMountTarget': 'true' },
      },
    });
  }

  /**
   * Allow NFS (TCP 2049) to the mount targets from exactly this security group or connectable.
   *
   * The peer is a service, an Auto Scaling group or a security group. CIDR peers are refused.
   */
  public allowFrom(peer: ec2.IConnectable): void {
    const groups = peer?.connections?.securityGroups ?? [];
    if (groups.length === 0) {
      invalidProp(this, 'allowFrom peer', peer,
        'Pass a security group or a construct that has one (a service, an Auto Scaling group): NFS is never opened to IP ranges such as the VPC CIDR.');
    }
    const from = Construct.isConstruct(peer) ? peer.node.path : groups.map(g => g.node.path).join(', ');
    // Security group rule descriptions allow a limited character set and 255 characters.
    const description = securityGroupDescription(`NFS between ${from} and the EFS mount targets of ${this.node.path}`);
    this.connections.allowDefaultPortFrom(peer, description);
  }

  /**
   * Add this volume to a task definition: the EFS volume (`volumeConfiguration()`) and the task role's grant (`grantMount()`).
   *
   * Containers still need a mount point (`container.addMountPoints({ sourceVolume, containerPath,
   * readOnly })`), and the service's security group still needs `allowFrom()`. Calling it again for the same
   * task definition and access point adds nothing but the grant.
   *
   * Fails for Windows task definitions and for external (ECS Anywhere) tasks: they cannot mount EFS.
   *
   * @returns the volume name, for `sourceVolume` of the containers' mount points
   */
  public addToTaskDefinition(taskDefinition: ecs.TaskDefinition, options: SharedVolumeMountOptions = {}): string {
    checkTaskDefinition(this, taskDefinition);
    const ap = this.resolveAccessPoint(options.accessPoint);
    const name = Names.uniqueResourceName(ap, { maxLength: 255, separator: '-' });
    const names = this.mounted.get(taskDefinition) ?? new Set<string>();
    if (!names.has(name)) {
      taskDefinition.addVolume({ name, efsVolumeConfiguration: this.volumeConfiguration(ap) });
      names.add(name);
      this.mounted.set(taskDefinition, names);
    }
    this.grantMount(taskDefinition.taskRole, ap, options.readOnly ?? false);
    return name;
  }

  private createAccessPoint(id: string, options: AccessPointOptions, isDefault: boolean): efs.AccessPoint {
    const { path, uid, gid, permissions } = resolveAccessPoint(this, id, options, isDefault);
    const accessPoint = new efs.AccessPoint(this, id, {
      fileSystem: this.fileSystem,
      path,
      posixUser: { uid: String(uid), gid: String(gid) },
      createAcl: { ownerUid: String(uid), ownerGid: String(gid), permissions },
    });
    this.accessPoints.push(accessPoint);
    return accessPoint;
  }

  private resolveAccessPoint(accessPoint: efs.IAccessPoint | undefined): efs.IAccessPoint {
    if (accessPoint === undefined) {
      return this.accessPoint;
    }
    if (this.accessPoints.includes(accessPoint as efs.AccessPoint)) {
      return accessPoint;
    }
    let fileSystem: efs.IFileSystem | undefined;
    try {
      fileSystem = accessPoint.fileSystem;
    } catch {
      fileSystem = undefined;
    }
    if (fileSystem !== this.fileSystem) {
      invalidProp(this, 'accessPoint', accessPoint.node?.path ?? describeValue(accessPoint),
        'Pass an access point of this volume: volume.accessPoint or one returned by volume.addAccessPoint().');
    }
    return accessPoint;
  }
}
