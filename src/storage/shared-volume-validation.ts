import { Annotations, RemovalPolicy, Stack, Token } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as efs from 'aws-cdk-lib/aws-efs';
import * as iam from 'aws-cdk-lib/aws-iam';
import { IConstruct } from 'constructs';
import { AccessPointOptions, ResolvedAccessPoint, ResolvedVolumeOptions, SharedVolumeProps } from './shared-volume-options';
import { checkNumber, invalidProp, isConcrete } from '../private/validation';

/** The NFS client actions of EFS (the only actions a file system policy governs). */
export const CLIENT_ACTIONS = [
  'elasticfilesystem:ClientMount',
  'elasticfilesystem:ClientWrite',
  'elasticfilesystem:ClientRootAccess',
];

/**
 * EFS's default upper limit for provisioned throughput, which depends on the Region and can be raised through AWS
 * Support ("Valid values are 1-3414 MiBps", https://docs.aws.amazon.com/efs/latest/ug/API_CreateFileSystem.html).
 */
const PROVISIONED_QUOTA_MIBPS = 3414;
/** The default access point's directory. */
const DEFAULT_ACCESS_POINT_PATH = '/data';
/** The POSIX user and group of an access point when `uid`/`gid` are not given. */
const DEFAULT_POSIX_ID = 1000;
/** The permissions of an access point's root directory when `permissions` is not given. */
const DEFAULT_PERMISSIONS = '750';
/** POSIX ids are unsigned 32-bit integers. */
const MAX_POSIX_ID = 4294967295;
/** Characters EFS refuses in an access point path. */
const PATH_FORBIDDEN = /[$#<>;`|&?{}^*\n\r]/;
/** Values of a tag (the file system's Name). */
const TAG_VALUE = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$/u;

/**
 * The file system policy of a `SharedVolume`. It has no Allow statement: clients are allowed by their own
 * identity policy (`grantMount`), and anonymous clients (no IAM authorization) are denied because no statement
 * allows them.
 */
export function fileSystemPolicy(): iam.PolicyDocument {
  return new iam.PolicyDocument({
    statements: [
      new iam.PolicyStatement({
        sid: 'DenyInsecureTransport',
        effect: iam.Effect.DENY,
        principals: [new iam.AnyPrincipal()],
        actions: CLIENT_ACTIONS,
        conditions: { Bool: { 'aws:SecureTransport': 'false' } },
      }),
      new iam.PolicyStatement({
        sid: 'DenyMountWithoutAccessPoint',
        effect: iam.Effect.DENY,
        principals: [new iam.AnyPrincipal()],
        actions: CLIENT_ACTIONS,
        conditions: { Null: { 'elasticfilesystem:AccessPointArn': 'true' } },
      }),
    ],
  });
}

function checkEnum(scope: IConstruct, prop: string, value: string | undefined, values: Record<string, string>, type: string): void {
  if (value !== undefined && !Object.values(values).includes(value)) {
    const names = Object.keys(values).map(k => `${type}.${k}`).join(', ');
    invalidProp(scope, prop, value, `Use one of ${names}.`);
  }
}

/**
 * Resolve the options of a `SharedVolume` once: validate them, check the mount target subnets against the cluster's
 * VPC and apply every default.
 */
export function resolveVolumeOptions(scope: IConstruct, props: SharedVolumeProps): ResolvedVolumeOptions {
  checkEnum(scope, 'throughputMode', props.throughputMode, efs.ThroughputMode, 'efs.ThroughputMode');
  checkEnum(scope, 'performanceMode', props.performanceMode, efs.PerformanceMode, 'efs.PerformanceMode');
  checkEnum(scope, 'lifecyclePolicy', props.lifecyclePolicy, efs.LifecyclePolicy, 'efs.LifecyclePolicy');
  checkEnum(scope, 'removalPolicy', props.removalPolicy, RemovalPolicy, 'RemovalPolicy');
  if (props.removalPolicy === RemovalPolicy.SNAPSHOT) {
    invalidProp(scope, 'removalPolicy', props.removalPolicy,
      'EFS file systems have no snapshot on deletion; use RemovalPolicy.RETAIN (backups keep recovery points) or DESTROY.');
  }
  if (props.backups !== undefined && typeof props.backups !== 'boolean') {
    invalidProp(scope, 'backups', props.backups, 'Use true or false.');
  }

  const throughputMode = props.throughputMode ?? efs.ThroughputMode.ELASTIC;
  if (props.performanceMode === efs.PerformanceMode.MAX_IO && throughputMode === efs.ThroughputMode.ELASTIC) {
    invalidProp(scope, 'performanceMode', props.performanceMode,
      'MAX_IO does not support Elastic throughput (the default); use efs.PerformanceMode.GENERAL_PURPOSE, or set throughputMode to BURSTING or PROVISIONED.');
  }

  const provisioned = props.provisionedThroughputMiBps;
  if (throughputMode === efs.ThroughputMode.PROVISIONED && provisioned === undefined) {
    invalidProp(scope, 'provisionedThroughputMiBps', provisioned,
      'throughputMode PROVISIONED needs the throughput to provision: set provisionedThroughputMiBps (1 or more MiB/s).');
  }
  if (throughputMode !== efs.ThroughputMode.PROVISIONED && provisioned !== undefined) {
    invalidProp(scope, 'provisionedThroughputMiBps', provisioned,
      `Provisioned throughput applies only to throughputMode PROVISIONED (this volume uses ${throughputMode}); remove it or set throughputMode: efs.ThroughputMode.PROVISIONED.`);
  }
  checkNumber(scope, 'provisionedThroughputMiBps', provisioned, { min: 1 });
  if (isConcrete(provisioned) && provisioned > PROVISIONED_QUOTA_MIBPS) {
    Annotations.of(scope).addWarningV2('cdk-ecs-foundry:provisionedThroughputQuota',
      `provisionedThroughputMiBps = ${provisioned} is above EFS's default quota of ${PROVISIONED_QUOTA_MIBPS} MiB/s; deployment fails unless AWS Support raised it for this account and Region.`);
  }

  const name = props.fileSystemName;
  if (name !== undefined && !Token.isUnresolved(name)
    && (typeof name !== 'string' || name.length === 0 || name.length > 256 || !TAG_VALUE.test(name))) {
    invalidProp(scope, 'fileSystemName', name, 'Use 1 to 256 letters, digits, spaces and _ . : / = + - @ (it becomes the Name tag).');
  }
  return {
    throughputMode,
    provisionedThroughputMiBps: provisioned,
    performanceMode: props.performanceMode ?? efs.PerformanceMode.GENERAL_PURPOSE,
    lifecyclePolicy: props.lifecyclePolicy ?? efs.LifecyclePolicy.AFTER_30_DAYS,
    encryptionKey: props.encryptionKey ?? props.cluster.encryptionKey,
    removalPolicy: props.removalPolicy ?? RemovalPolicy.RETAIN,
    backups: props.backups ?? true,
    fileSystemName: name,
    vpcSubnets: checkMountTargetSubnets(scope, props.cluster.vpc, props.vpcSubnets),
    accessPoint: props.accessPoint ?? {},
  };
}

/**
 * Resolve an access point's options: the defaults (the default access point's directory is '/data', that of an
 * access point added with `addAccessPoint(id)` is '/<id>'), validated. `id` names it in messages.
 */
export function resolveAccessPoint(scope: IConstruct, id: string, options: AccessPointOptions, isDefault: boolean): ResolvedAccessPoint {
  const ap: ResolvedAccessPoint = {
    path: options.path ?? (isDefault ? DEFAULT_ACCESS_POINT_PATH : `/${id}`),
    uid: options.uid ?? DEFAULT_POSIX_ID,
    gid: options.gid ?? DEFAULT_POSIX_ID,
    permissions: options.permissions ?? DEFAULT_PERMISSIONS,
  };
  checkAccessPoint(scope, id, ap, options.path === undefined);
  return ap;
}

function checkAccessPoint(scope: IConstruct, id: string, ap: ResolvedAccessPoint, pathDefaulted: boolean): void {
  const prop = id === 'AccessPoint' ? 'accessPoint' : `addAccessPoint('${id}')`;
  checkNumber(scope, `${prop}.uid`, ap.uid, { min: 0, max: MAX_POSIX_ID, integer: true });
  checkNumber(scope, `${prop}.gid`, ap.gid, { min: 0, max: MAX_POSIX_ID, integer: true });
  if (ap.uid === 0) {
    Annotations.of(scope).addWarningV2('cdk-ecs-foundry:accessPointRootUser',
      `${prop}.uid is 0: every file operation through this access point runs as root. Use an unprivileged uid such as 1000.`);
  }

  const permissions = ap.permissions;
  if (!Token.isUnresolved(permissions) && (typeof permissions !== 'string' || !/^[0-7]{3,4}$/.test(permissions))) {
    invalidProp(scope, `${prop}.permissions`, permissions, "Use an octal mode of 3 or 4 digits as a string, such as '750' or '2770'.");
  }

  const path = ap.path;
  if (Token.isUnresolved(path)) {
    return;
  }
  const fix = pathDefaulted
    ? `The path defaults to '/<id>'; pass path explicitly, for example { path: '/${id.toLowerCase().replace(/[^a-z0-9_-]/g, '-')}' }.`
    : 'Use an absolute path of at most 100 characters and four directories, such as \'/data\' or \'/models/cache\'.';
  if (typeof path !== 'string' || !path.startsWith('/') || path.length > 100) {
    invalidProp(scope, `${prop}.path`, path, fix);
  }
  if (path === '/') {
    Annotations.of(scope).addWarningV2('cdk-ecs-foundry:accessPointFileSystemRoot',
      `${prop}.path is '/': this access point exposes the whole file system (Security Hub EFS.3). Prefer a directory such as '${DEFAULT_ACCESS_POINT_PATH}'.`);
    return;
  }
  const segments = path.slice(1).split('/');
  for (const segment of segments) {
    if (segment === '' || segment === '.' || segment === '..') {
      invalidProp(scope, `${prop}.path`, path, `${fix} Empty, '.' and '..' segments (and a trailing '/') are not allowed.`);
    }
    if (segment.startsWith('.') || PATH_FORBIDDEN.test(segment)) {
      invalidProp(scope, `${prop}.path`, path, `${fix} Directory names cannot start with '.' or contain $ # < > ; \` | & ? { } ^ *.`);
    }
  }
  if (segments.length > 4) {
    invalidProp(scope, `${prop}.path`, path, `${fix} EFS allows at most four directory levels.`);
  }
}

/**
 * Resolve and check the mount target subnets: private or isolated subnets of the VPC, at most one per AZ.
 */
function checkMountTargetSubnets(scope: IConstruct, vpc: ec2.IVpc, selection: ec2.SubnetSelection | undefined): ec2.SubnetSelection {
  const effective: ec2.SubnetSelection = selection ?? {
    subnetType: vpc.privateSubnets.length > 0 ? ec2.SubnetType.PRIVATE_WITH_EGRESS : ec2.SubnetType.PRIVATE_ISOLATED,
    onePerAz: true,
  };
  let selected: ec2.SelectedSubnets;
  try {
    selected = vpc.selectSubnets(effective);
  } catch (e) {
    return invalidProp(scope, 'vpcSubnets', selection,
      `The cluster's VPC has no such subnets (${(e as Error).message}). Select private or isolated subnets of ${vpc.node.path}.`);
  }
  if (selected.subnets.length === 0) {
    invalidProp(scope, 'vpcSubnets', selection ?? 'default',
      `The selection matches no subnet of the cluster's VPC. Select private or isolated subnets of ${vpc.node.path}.`);
  }
  const publicIds = new Set(vpc.publicSubnets.map(s => s.subnetId));
  if (selected.subnets.some(s => publicIds.has(s.subnetId))) {
    invalidProp(scope, 'vpcSubnets', selection,
      'Mount targets never go in public subnets. Select private or isolated subnets (subnetType PRIVATE_WITH_EGRESS or PRIVATE_ISOLATED).');
  }
  const azs = selected.subnets.map(s => s.availabilityZone).filter(az => !Token.isUnresolved(az));
  const duplicate = azs.find((az, i) => azs.indexOf(az) !== i);
  if (duplicate !== undefined) {
    invalidProp(scope, 'vpcSubnets', selection,
      `EFS allows one mount target per Availability Zone and two selected subnets are in ${duplicate}. Add onePerAz: true to the selection.`);
  }
  return effective;
}

/** Fail for task definitions that cannot mount EFS: Windows and external (ECS Anywhere) tasks. */
export function checkTaskDefinition(scope: IConstruct, taskDefinition: ecs.TaskDefinition): void {
  if (!taskDefinition || !(taskDefinition.node.defaultChild instanceof ecs.CfnTaskDefinition)) {
    invalidProp(scope, 'taskDefinition', taskDefinition, 'Pass an ecs.TaskDefinition (Fargate or EC2) created in this app.');
  }
  if (taskDefinition.compatibility === ecs.Compatibility.EXTERNAL) {
    invalidProp(scope, 'taskDefinition', taskDefinition.node.path,
      'External (ECS Anywhere) tasks cannot mount EFS volumes; run the task on Fargate or EC2 capacity.');
  }
  const cfn = taskDefinition.node.defaultChild as ecs.CfnTaskDefinition;
  const platform = Stack.of(taskDefinition).resolve(cfn.runtimePlatform);
  const family = platform?.operatingSystemFamily;
  if (typeof family === 'string' && family.toLowerCase().startsWith('windows')) {
    invalidProp(scope, 'taskDefinition', taskDefinition.node.path,
      `Windows tasks (${family}) cannot mount EFS, which is NFS for Linux. Use a Linux task, or Amazon FSx for Windows File Server for Windows tasks.`);
  }
}
