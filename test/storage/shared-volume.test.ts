import * as fs from 'fs';
import * as path from 'path';
import { Fn, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as efs from 'aws-cdk-lib/aws-efs';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';
import * as fc from 'fast-check';
import { FoundryCluster, NatGatewayStrategy, SharedVolume, SharedVolumeProps } from '../../src';
import { denyGrantsExceptForAwsResources } from '../../src/compliance/acknowledgements';
import { ManagedPolicyRole } from '../../src/private/managed-policy-role';
import { complianceApp, Finding, findingsOf, synthFindings, testStack } from '../support/compliance';
import { plainStack } from '../support/stacks';
import { subtreeTemplate } from '../support/subtree';

const CLIENT_ACTIONS = ['elasticfilesystem:ClientMount', 'elasticfilesystem:ClientWrite', 'elasticfilesystem:ClientRootAccess'];

/** The fullest configuration: every prop set, a second access point and an allowed security group. */
function fullest(stack: Stack): { volume: SharedVolume; cluster: FoundryCluster; key: kms.Key; clients: ec2.SecurityGroup } {
  const cluster = new FoundryCluster(stack, 'Cluster');
  const key = new kms.Key(stack, 'DataKey', { enableKeyRotation: true, description: 'EFS data' });
  denyGrantsExceptForAwsResources(key); // the user's key, made Control Tower compliant (CT.KMS.PR.3) as the cluster key is
  const volume = new SharedVolume(stack, 'Volume', {
    cluster,
    accessPoint: { path: '/models/cache', uid: 2000, gid: 3000, permissions: '2770' },
    throughputMode: efs.ThroughputMode.PROVISIONED,
    provisionedThroughputMiBps: 256,
    performanceMode: efs.PerformanceMode.MAX_IO,
    lifecyclePolicy: efs.LifecyclePolicy.AFTER_7_DAYS,
    encryptionKey: key,
    removalPolicy: RemovalPolicy.DESTROY,
    backups: true,
    fileSystemName: 'model-cache',
    vpcSubnets: { subnetGroupName: 'Private', onePerAz: true },
  });
  volume.addAccessPoint('ReadOnly', { path: '/models/cache', uid: 2001, gid: 3000 });
  const clients = new ec2.SecurityGroup(stack, 'Clients', { vpc: cluster.vpc, allowAllOutbound: false, description: 'NFS clients' });
  volume.allowFrom(clients);
  return { volume, cluster, key, clients };
}

// GIVEN one stack per configuration, each built by a small builder and synthesized once for the whole file.
function defaultVolumeStack() {
  const stack = plainStack('Default');
  const cluster = new FoundryCluster(stack, 'Cluster');
  const volume = new SharedVolume(stack, 'Volume', { cluster });
  return { stack, cluster, volume, template: Template.fromStack(stack) };
}

function fullestVolumeStack() {
  const stack = plainStack('Fullest');
  const built = fullest(stack);
  return { stack, built, template: Template.fromStack(stack) };
}

function isolatedVolumeStack() {
  const stack = plainStack('Isolated');
  const cluster = new FoundryCluster(stack, 'Cluster', { natGateways: NatGatewayStrategy.NONE });
  new SharedVolume(stack, 'Volume', { cluster });
  return { stack, cluster, template: Template.fromStack(stack) };
}

/** A volume mounted every way: a Fargate task by hand, a role with a managed policy read-only, an EC2 task twice. */
function mountedVolumeStack() {
  const stack = plainStack('Mount');
  const cluster = new FoundryCluster(stack, 'Cluster');
  const volume = new SharedVolume(stack, 'Volume', { cluster });
  const readOnly = volume.addAccessPoint('ReadOnly', { path: '/data' });
  const task = new ecs.FargateTaskDefinition(stack, 'Task');
  const group = new ec2.SecurityGroup(stack, 'ServiceGroup', { vpc: cluster.vpc });
  const configuration = volume.volumeConfiguration();
  task.addVolume({ name: 'data', efsVolumeConfiguration: configuration });
  volume.grantMount(task.taskRole);
  const role = new ManagedPolicyRole(stack, 'ReaderRole', { assumedBy: new iam.ServicePrincipal('ecs-tasks.amazonaws.com') });
  volume.grantMount(role, readOnly, true);
  volume.allowFrom(group);
  const ec2Task = new ecs.Ec2TaskDefinition(stack, 'Ec2Task', { networkMode: ecs.NetworkMode.BRIDGE });
  const ec2Name = volume.addToTaskDefinition(ec2Task, { accessPoint: readOnly, readOnly: true });
  const ec2NameAgain = volume.addToTaskDefinition(ec2Task, { accessPoint: readOnly, readOnly: true });
  return { stack, volume, readOnly, group, configuration, ec2Name, ec2NameAgain, template: Template.fromStack(stack) };
}

let defaultStack: Stack;
let defaultCluster: FoundryCluster;
let defaultVolume: SharedVolume;
let defaults: Template;
let fullestStack: Stack;
let full: ReturnType<typeof fullest>;
let fullestTemplate: Template;
let isolatedStack: Stack;
let isolatedCluster: FoundryCluster;
let isolated: Template;
let mountStack: Stack;
let mountVolume: SharedVolume;
let readOnlyAp: efs.AccessPoint;
let serviceGroup: ec2.SecurityGroup;
let volumeConfiguration: ecs.EfsVolumeConfiguration;
let ec2VolumeName: string;
let ec2VolumeNameAgain: string;
let mount: Template;

beforeAll(() => {
  ({ stack: defaultStack, cluster: defaultCluster, volume: defaultVolume, template: defaults } = defaultVolumeStack());
  ({ stack: fullestStack, built: full, template: fullestTemplate } = fullestVolumeStack());
  ({ stack: isolatedStack, cluster: isolatedCluster, template: isolated } = isolatedVolumeStack());
  ({
    stack: mountStack, volume: mountVolume, readOnly: readOnlyAp, group: serviceGroup,
    configuration: volumeConfiguration, ec2Name: ec2VolumeName, ec2NameAgain: ec2VolumeNameAgain, template: mount,
  } = mountedVolumeStack());
});

const resolve = (stack: Stack, value: unknown) => stack.resolve(value);
/** Warnings on a construct and its children, read from metadata (Annotations.fromStack would synthesize again). */
const warningsUnder = (scope: Construct) => scope.node.findAll()
  .flatMap(c => c.node.metadata.filter(m => m.type === 'aws:cdk:warning').map(m => String(m.data)));

describe('SharedVolume defaults', () => {
  test('encrypts the file system with the cluster key', () => {
    defaults.hasResourceProperties('AWS::EFS::FileSystem', {
      Encrypted: true,
      KmsKeyId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^ClusterKey'), 'Arn'] },
    });
  });

  test('the cluster key delegates to IAM, so the deploying principal can create the grants EFS uses', () => {
    defaults.hasResourceProperties('AWS::KMS::Key', {
      KeyPolicy: {
        Statement: Match.arrayWith([Match.objectLike({
          Effect: 'Allow',
          Action: 'kms:*',
          Principal: { AWS: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::123456789012:root']] } },
        })]),
      },
    });
  });

  test('enables automatic backups and retains the file system', () => {
    defaults.hasResource('AWS::EFS::FileSystem', {
      Properties: { BackupPolicy: { Status: 'ENABLED' } },
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
    });
    expect(warningsUnder(defaultVolume)).toEqual([]);
  });

  test('moves files to Infrequent Access after 30 days and back on first access', () => {
    defaults.hasResourceProperties('AWS::EFS::FileSystem', {
      LifecyclePolicies: [{ TransitionToIA: 'AFTER_30_DAYS' }, { TransitionToPrimaryStorageClass: 'AFTER_1_ACCESS' }],
    });
  });

  test('uses Elastic throughput and General Purpose performance', () => {
    defaults.hasResourceProperties('AWS::EFS::FileSystem', {
      ThroughputMode: 'elastic',
      PerformanceMode: 'generalPurpose',
      ProvisionedThroughputInMibps: Match.absent(),
    });
  });

  test('puts one mount target in each private subnet and nowhere else', () => {
    const privateIds = defaultCluster.vpc.privateSubnets.map(s => resolve(defaultStack, s.subnetId));
    const mountTargets = Object.values(defaults.findResources('AWS::EFS::MountTarget'));
    expect(mountTargets.map(m => m.Properties.SubnetId)).toEqual(privateIds);
    for (const target of mountTargets) {
      expect(target.Properties.SecurityGroups).toEqual([resolve(defaultStack, defaultVolume.securityGroup.securityGroupId)]);
    }
  });

  test('the default access point enforces uid/gid 1000 and creates /data with mode 750', () => {
    defaults.resourceCountIs('AWS::EFS::AccessPoint', 1);
    defaults.hasResourceProperties('AWS::EFS::AccessPoint', {
      FileSystemId: { Ref: Match.stringLikeRegexp('^VolumeFileSystem') },
      PosixUser: { Uid: '1000', Gid: '1000' },
      RootDirectory: { Path: '/data', CreationInfo: { OwnerUid: '1000', OwnerGid: '1000', Permissions: '750' } },
    });
  });

  test('the file system policy denies clients without TLS or without an access point, and allows nobody', () => {
    defaults.hasResourceProperties('AWS::EFS::FileSystem', {
      FileSystemPolicy: {
        Version: '2012-10-17',
        Statement: [
          { Sid: 'DenyInsecureTransport', Effect: 'Deny', Principal: { AWS: '*' }, Action: CLIENT_ACTIONS, Condition: { Bool: { 'aws:SecureTransport': 'false' } } },
          { Sid: 'DenyMountWithoutAccessPoint', Effect: 'Deny', Principal: { AWS: '*' }, Action: CLIENT_ACTIONS, Condition: { Null: { 'elasticfilesystem:AccessPointArn': 'true' } } },
        ],
      },
    });
  });

  test('the mount targets admit nothing and send nothing until allowFrom() is called', () => {
    defaults.hasResourceProperties('AWS::EC2::SecurityGroup', {
      GroupDescription: Match.stringLikeRegexp('EFS mount targets of Default/Volume'),
      SecurityGroupIngress: Match.absent(),
      SecurityGroupEgress: [Match.objectLike({ CidrIp: '255.255.255.255/32', Description: 'Disallow all traffic' })],
    });
    defaults.resourceCountIs('AWS::EC2::SecurityGroupIngress', 0);
    expect(JSON.stringify(subtreeTemplate(defaultVolume, defaults))).not.toMatch(/10\.0\.0\.0\/16|CidrBlock/);
  });

  test('names the file system after its path and exposes the L2 objects', () => {
    defaults.hasResourceProperties('AWS::EFS::FileSystem', { FileSystemTags: [{ Key: 'Name', Value: 'Default/Volume/FileSystem' }] });
    expect(defaultVolume.fileSystem).toBeInstanceOf(efs.FileSystem);
    expect(defaultVolume.accessPoint).toBeInstanceOf(efs.AccessPoint);
    expect(defaultVolume.cluster).toBe(defaultCluster);
    expect(defaultVolume.connections.securityGroups).toEqual([defaultVolume.securityGroup]);
  });

  test('keeps the construct and logical IDs of its stateful resources', () => {
    expect(defaultVolume.fileSystem.node.id).toBe('FileSystem');
    expect(defaultVolume.accessPoint.node.id).toBe('AccessPoint');
    const ids = (type: string) => Object.keys(defaults.findResources(type)).sort();
    expect(ids('AWS::EFS::FileSystem')).toEqual(['VolumeFileSystem0840AE77']);
    expect(ids('AWS::EFS::AccessPoint')).toEqual(['VolumeAccessPoint353CF402']);
  });

  test('matches the snapshot', () => {
    expect(subtreeTemplate(defaultVolume, defaults)).toMatchSnapshot();
  });
});

describe('SharedVolume fullest configuration', () => {
  test('uses the given key, throughput, performance mode, lifecycle, name and removal policy', () => {
    fullestTemplate.hasResource('AWS::EFS::FileSystem', {
      Properties: {
        KmsKeyId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^DataKey'), 'Arn'] },
        ThroughputMode: 'provisioned',
        ProvisionedThroughputInMibps: 256,
        PerformanceMode: 'maxIO',
        LifecyclePolicies: [{ TransitionToIA: 'AFTER_7_DAYS' }, { TransitionToPrimaryStorageClass: 'AFTER_1_ACCESS' }],
        BackupPolicy: { Status: 'ENABLED' },
        FileSystemTags: [{ Key: 'Name', Value: 'model-cache' }],
      },
      DeletionPolicy: 'Delete',
    });
  });

  test('creates both access points with their POSIX identities', () => {
    fullestTemplate.resourceCountIs('AWS::EFS::AccessPoint', 2);
    fullestTemplate.hasResourceProperties('AWS::EFS::AccessPoint', {
      PosixUser: { Uid: '2000', Gid: '3000' },
      RootDirectory: { Path: '/models/cache', CreationInfo: { OwnerUid: '2000', OwnerGid: '3000', Permissions: '2770' } },
    });
    fullestTemplate.hasResourceProperties('AWS::EFS::AccessPoint', {
      PosixUser: { Uid: '2001', Gid: '3000' },
      RootDirectory: { Path: '/models/cache', CreationInfo: { OwnerUid: '2001', OwnerGid: '3000', Permissions: '750' } },
    });
    expect(full.volume.node.tryFindChild('ReadOnly')).toBeInstanceOf(efs.AccessPoint);
  });

  test('admits NFS from the allowed security group only', () => {
    fullestTemplate.resourceCountIs('AWS::EC2::SecurityGroupIngress', 1);
    fullestTemplate.hasResourceProperties('AWS::EC2::SecurityGroupIngress', {
      IpProtocol: 'tcp',
      FromPort: 2049,
      ToPort: 2049,
      GroupId: resolve(fullestStack, full.volume.securityGroup.securityGroupId),
      SourceSecurityGroupId: resolve(fullestStack, full.clients.securityGroupId),
    });
    // The client group allows no outbound traffic, so it gets the matching egress rule.
    fullestTemplate.hasResourceProperties('AWS::EC2::SecurityGroupEgress', {
      IpProtocol: 'tcp',
      FromPort: 2049,
      ToPort: 2049,
      GroupId: resolve(fullestStack, full.clients.securityGroupId),
      DestinationSecurityGroupId: resolve(fullestStack, full.volume.securityGroup.securityGroupId),
    });
  });

  test('puts the mount targets in the selected subnets', () => {
    const privateIds = full.cluster.vpc.privateSubnets.map(s => resolve(fullestStack, s.subnetId));
    const mountTargets = Object.values(fullestTemplate.findResources('AWS::EFS::MountTarget'));
    expect(mountTargets.map(m => m.Properties.SubnetId)).toEqual(privateIds);
  });

  test('matches the snapshot', () => {
    expect(subtreeTemplate(full.volume, fullestTemplate)).toMatchSnapshot();
  });
});

describe('SharedVolume in a VPC without NAT', () => {
  test('puts the mount targets in the isolated subnets', () => {
    const isolatedIds = isolatedCluster.vpc.isolatedSubnets.map(s => resolve(isolatedStack, s.subnetId));
    expect(isolatedIds).toHaveLength(2);
    const mountTargets = Object.values(isolated.findResources('AWS::EFS::MountTarget'));
    expect(mountTargets.map(m => m.Properties.SubnetId)).toEqual(isolatedIds);
  });
});

describe('SharedVolume mounting', () => {
  test('volumeConfiguration() enables transit encryption and IAM authorization through the access point', () => {
    expect(resolve(mountStack, volumeConfiguration)).toEqual({
      fileSystemId: { Ref: 'VolumeFileSystem0840AE77' },
      transitEncryption: 'ENABLED',
      authorizationConfig: { accessPointId: { Ref: 'VolumeAccessPoint353CF402' }, iam: 'ENABLED' },
    });
    mount.hasResourceProperties('AWS::ECS::TaskDefinition', {
      RequiresCompatibilities: ['FARGATE'],
      Volumes: [{
        Name: 'data',
        EFSVolumeConfiguration: {
          FilesystemId: { Ref: 'VolumeFileSystem0840AE77' },
          TransitEncryption: 'ENABLED',
          AuthorizationConfig: { AccessPointId: { Ref: 'VolumeAccessPoint353CF402' }, IAM: 'ENABLED' },
          RootDirectory: Match.absent(),
        },
      }],
    });
  });

  test('grantMount() gives the task role ClientMount and ClientWrite through that access point only', () => {
    mount.hasResourceProperties('AWS::IAM::Policy', {
      Roles: [{ Ref: Match.stringLikeRegexp('^TaskTaskRole') }],
      PolicyDocument: {
        Statement: [{
          Effect: 'Allow',
          Action: ['elasticfilesystem:ClientMount', 'elasticfilesystem:ClientWrite'],
          Resource: resolve(mountStack, mountVolume.fileSystem.fileSystemArn),
          Condition: {
            StringEquals: { 'elasticfilesystem:AccessPointArn': resolve(mountStack, mountVolume.accessPoint.accessPointArn) },
            Bool: { 'elasticfilesystem:AccessedViaMountTarget': 'true' },
          },
        }],
      },
    });
  });

  test('a read-only grant has ClientMount only, and lands in a managed policy for a ManagedPolicyRole', () => {
    mount.hasResourceProperties('AWS::IAM::ManagedPolicy', {
      Roles: [{ Ref: Match.stringLikeRegexp('^ReaderRole') }],
      PolicyDocument: {
        Statement: [{
          Effect: 'Allow',
          Action: 'elasticfilesystem:ClientMount',
          Resource: resolve(mountStack, mountVolume.fileSystem.fileSystemArn),
          Condition: {
            StringEquals: { 'elasticfilesystem:AccessPointArn': resolve(mountStack, readOnlyAp.accessPointArn) },
            Bool: { 'elasticfilesystem:AccessedViaMountTarget': 'true' },
          },
        }],
      },
    });
    // Nothing in the file system policy grants write: read-only really is read-only.
    const [fileSystem] = Object.values(mount.findResources('AWS::EFS::FileSystem'));
    expect(fileSystem.Properties.FileSystemPolicy.Statement.every((s: any) => s.Effect === 'Deny')).toBe(true);
  });

  test('allowFrom() opens NFS from exactly the service security group', () => {
    mount.resourceCountIs('AWS::EC2::SecurityGroupIngress', 1);
    mount.hasResourceProperties('AWS::EC2::SecurityGroupIngress', {
      IpProtocol: 'tcp',
      FromPort: 2049,
      ToPort: 2049,
      GroupId: resolve(mountStack, mountVolume.securityGroup.securityGroupId),
      SourceSecurityGroupId: resolve(mountStack, serviceGroup.securityGroupId),
      CidrIp: Match.absent(),
    });
  });

  test('addToTaskDefinition() adds the volume once and grants the task role, on EC2 capacity too', () => {
    expect(ec2VolumeNameAgain).toBe(ec2VolumeName);
    expect(ec2VolumeName).toMatch(/^[A-Za-z0-9_-]{1,255}$/);
    mount.hasResourceProperties('AWS::ECS::TaskDefinition', {
      RequiresCompatibilities: ['EC2'],
      NetworkMode: 'bridge',
      Volumes: [{
        Name: ec2VolumeName,
        EFSVolumeConfiguration: {
          FilesystemId: { Ref: 'VolumeFileSystem0840AE77' },
          TransitEncryption: 'ENABLED',
          AuthorizationConfig: { AccessPointId: resolve(mountStack, readOnlyAp.accessPointId), IAM: 'ENABLED' },
        },
      }],
    });
    mount.hasResourceProperties('AWS::IAM::Policy', {
      Roles: [{ Ref: Match.stringLikeRegexp('^Ec2TaskTaskRole') }],
      PolicyDocument: { Statement: [Match.objectLike({ Action: 'elasticfilesystem:ClientMount' })] },
    });
  });

  test('refuses Windows and external task definitions', () => {
    const stack = plainStack();
    const volume = new SharedVolume(stack, 'Volume', { cluster: new FoundryCluster(stack, 'Cluster') });
    const windows = new ecs.FargateTaskDefinition(stack, 'Windows', {
      cpu: 1024,
      memoryLimitMiB: 2048,
      runtimePlatform: { operatingSystemFamily: ecs.OperatingSystemFamily.WINDOWS_SERVER_2022_CORE, cpuArchitecture: ecs.CpuArchitecture.X86_64 },
    });
    expect(() => volume.addToTaskDefinition(windows))
      .toThrow(/^SharedVolume 'Test\/Volume': invalid taskDefinition = 'Test\/Windows'\. Windows tasks \(WINDOWS_SERVER_2022_CORE\) cannot mount EFS/);
    const external = new ecs.ExternalTaskDefinition(stack, 'External');
    expect(() => volume.addToTaskDefinition(external)).toThrow(/invalid taskDefinition = 'Test\/External'\. External \(ECS Anywhere\) tasks cannot mount EFS/);
  });

  test('refuses CIDR peers and access points of other volumes', () => {
    const stack = plainStack();
    const cluster = new FoundryCluster(stack, 'Cluster');
    const volume = new SharedVolume(stack, 'Volume', { cluster });
    const other = new SharedVolume(stack, 'Other', { cluster });
    expect(() => volume.allowFrom(ec2.Peer.ipv4('10.0.0.0/16'))).toThrow(/invalid allowFrom peer = .*NFS is never opened to IP ranges/);
    expect(() => volume.grantMount(new iam.AnyPrincipal(), other.accessPoint)).toThrow(/invalid accessPoint = 'Test\/Other\/AccessPoint'\. Pass an access point of this volume/);
    expect(() => volume.volumeConfiguration(efs.AccessPoint.fromAccessPointId(stack, 'Imported', 'fsap-1234'))).toThrow(/invalid accessPoint/);
    expect(() => volume.addToTaskDefinition(undefined as unknown as ecs.TaskDefinition)).toThrow(/invalid taskDefinition = undefined\. Pass an ecs\.TaskDefinition/);
    // An imported access point of this very file system is fine.
    const imported = efs.AccessPoint.fromAccessPointAttributes(stack, 'Own', { accessPointId: 'fsap-0123456789abcdef0', fileSystem: volume.fileSystem });
    expect(stack.resolve(volume.volumeConfiguration(imported).authorizationConfig)).toEqual({ accessPointId: 'fsap-0123456789abcdef0', iam: 'ENABLED' });
  });
});

describe('SharedVolume rejects bad input with the prop name and a fix', () => {
  const stack = plainStack();
  const cluster = new FoundryCluster(stack, 'Cluster');
  let n = 0;
  const make = (props: Partial<SharedVolumeProps>) => () => new SharedVolume(stack, `V${++n}`, { cluster, ...props });

  test.each<[string, Partial<SharedVolumeProps>, RegExp]>([
    ['missing cluster', { cluster: undefined }, /^SharedVolume 'Test\/V\d+': invalid cluster = undefined\. Pass the FoundryCluster/],
    ['negative uid', { accessPoint: { uid: -1 } }, /invalid accessPoint\.uid = -1\. Use a whole number between 0 and 4294967295/],
    ['fractional uid', { accessPoint: { uid: 1.5 } }, /invalid accessPoint\.uid = 1\.5/],
    ['gid above 2^32-1', { accessPoint: { gid: 4294967296 } }, /invalid accessPoint\.gid = 4294967296/],
    ['relative path', { accessPoint: { path: 'data' } }, /invalid accessPoint\.path = 'data'\. Use an absolute path/],
    ['path with ..', { accessPoint: { path: '/data/../etc' } }, /invalid accessPoint\.path = '\/data\/\.\.\/etc'\..*'\.\.' segments/],
    ['path with a trailing slash', { accessPoint: { path: '/data/' } }, /invalid accessPoint\.path = '\/data\/'/],
    ['path too deep', { accessPoint: { path: '/a/b/c/d/e' } }, /invalid accessPoint\.path = '\/a\/b\/c\/d\/e'\..*at most four directory levels/],
    ['path with a forbidden character', { accessPoint: { path: '/da$ta' } }, /invalid accessPoint\.path = '\/da\$ta'/],
    ['path too long', { accessPoint: { path: `/${'a'.repeat(100)}` } }, /invalid accessPoint\.path/],
    ['non-octal permissions', { accessPoint: { permissions: '789' } }, /invalid accessPoint\.permissions = '789'\. Use an octal mode of 3 or 4 digits/],
    ['5-digit permissions', { accessPoint: { permissions: '07550' } }, /invalid accessPoint\.permissions = '07550'/],
    ['provisioned without throughput', { throughputMode: efs.ThroughputMode.PROVISIONED }, /invalid provisionedThroughputMiBps = undefined\. throughputMode PROVISIONED needs/],
    ['provisioned throughput below 1', { throughputMode: efs.ThroughputMode.PROVISIONED, provisionedThroughputMiBps: 0 }, /invalid provisionedThroughputMiBps = 0\. Use a number at least 1/],
    ['throughput without PROVISIONED', { provisionedThroughputMiBps: 100 }, /invalid provisionedThroughputMiBps = 100\. Provisioned throughput applies only to throughputMode PROVISIONED \(this volume uses elastic\)/],
    ['MAX_IO with Elastic throughput', { performanceMode: efs.PerformanceMode.MAX_IO }, /invalid performanceMode = 'maxIO'\. MAX_IO does not support Elastic throughput/],
    ['unknown throughput mode', { throughputMode: 'turbo' as efs.ThroughputMode }, /invalid throughputMode = 'turbo'\. Use one of efs\.ThroughputMode\.BURSTING/],
    ['unknown performance mode', { performanceMode: 'fast' as efs.PerformanceMode }, /invalid performanceMode = 'fast'/],
    ['unknown lifecycle policy', { lifecyclePolicy: 'AFTER_2_DAYS' as efs.LifecyclePolicy }, /invalid lifecyclePolicy = 'AFTER_2_DAYS'\. Use one of efs\.LifecyclePolicy\.AFTER_1_DAY/],
    ['snapshot removal policy', { removalPolicy: RemovalPolicy.SNAPSHOT }, /invalid removalPolicy = 'snapshot'\. EFS file systems have no snapshot/],
    ['non-boolean backups', { backups: 'yes' as unknown as boolean }, /invalid backups = 'yes'/],
    ['file system name with bad characters', { fileSystemName: 'data;rm' }, /invalid fileSystemName = 'data;rm'\. Use 1 to 256 letters/],
    ['empty file system name', { fileSystemName: '' }, /invalid fileSystemName = ''/],
    ['public mount target subnets', { vpcSubnets: { subnetType: ec2.SubnetType.PUBLIC } }, /invalid vpcSubnets = \{"subnetType":"Public"\}\. Mount targets never go in public subnets/],
    ['subnets that do not exist', { vpcSubnets: { subnetGroupName: 'Database' } }, /invalid vpcSubnets = \{"subnetGroupName":"Database"\}\. The cluster's VPC has no such subnets/],
    ['an empty subnet list', { vpcSubnets: { subnets: [] } }, /invalid vpcSubnets = \{"subnets":\[\]\}\. The selection matches no subnet of the cluster's VPC/],
  ])('%s', (_name, props, message) => {
    expect(make(props)).toThrow(message);
  });

  test('two mount target subnets in one AZ', () => {
    const s = plainStack();
    const vpc = ec2.Vpc.fromVpcAttributes(s, 'Vpc', {
      vpcId: 'vpc-0a1b2c3d4e5f67890',
      availabilityZones: ['us-east-1a', 'us-east-1b'],
      privateSubnetIds: ['subnet-0a1b2c3d', 'subnet-1a1b2c3d', 'subnet-2a1b2c3d', 'subnet-3a1b2c3d'],
    });
    const c = new FoundryCluster(s, 'Cluster', { vpc });
    expect(() => new SharedVolume(s, 'Volume', { cluster: c, vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS } }))
      .toThrow(/invalid vpcSubnets = .*EFS allows one mount target per Availability Zone and two selected subnets are in us-east-1a\. Add onePerAz: true/);
    // The default selection takes one subnet per AZ.
    new SharedVolume(s, 'Default', { cluster: c });
    Template.fromStack(s).resourceCountIs('AWS::EFS::MountTarget', 2);
  });

  test('access point ids are unique within the volume', () => {
    const volume = new SharedVolume(stack, 'Ids', { cluster });
    volume.addAccessPoint('Logs');
    for (const id of ['Logs', 'AccessPoint', 'FileSystem', 'SecurityGroup', '']) {
      expect(() => volume.addAccessPoint(id)).toThrow(/invalid addAccessPoint id = '.*'\. Use an id not yet used in this volume \(taken: 'SecurityGroup', 'FileSystem', 'AccessPoint', 'Logs'\)/);
    }
  });

  test('added access points are validated too, and a defaulted path says how to fix it', () => {
    const volume = new SharedVolume(stack, 'Added', { cluster });
    expect(() => volume.addAccessPoint('Cache', { uid: -5 })).toThrow(/invalid addAccessPoint\('Cache'\)\.uid = -5/);
    expect(() => volume.addAccessPoint('.hidden')).toThrow(/invalid addAccessPoint\('\.hidden'\)\.path = '\/\.hidden'\. The path defaults to '\/<id>'; pass path explicitly, for example \{ path: '\/-hidden' \}/);
    expect(volume.addAccessPoint('Models').node.id).toBe('Models');
    Template.fromStack(stack).hasResourceProperties('AWS::EFS::AccessPoint', { RootDirectory: Match.objectLike({ Path: '/Models' }) });
  });

  test('accepts tokens and leaves them to CloudFormation', () => {
    const s = plainStack();
    const c = new FoundryCluster(s, 'Cluster');
    expect(() => new SharedVolume(s, 'Volume', {
      cluster: c,
      accessPoint: { path: Fn.importValue('DataPath'), permissions: Fn.importValue('DataMode') },
      fileSystemName: Fn.importValue('Name'),
    })).not.toThrow();
  });

  test('any whole uid/gid in 0..2^32-1 and any absolute path of up to four plain directories is accepted', () => {
    const segment = fc.stringMatching(/^[A-Za-z0-9_-][A-Za-z0-9_.-]{0,11}$/);
    fc.assert(fc.property(
      fc.integer({ min: 1, max: 4294967295 }), fc.integer({ min: 0, max: 4294967295 }), fc.array(segment, { minLength: 1, maxLength: 4 }),
      (uid, gid, segments) => {
        expect(make({ accessPoint: { uid, gid, path: `/${segments.join('/')}` } })).not.toThrow();
      },
    ), { numRuns: 50 });
  });

  test('any uid outside 0..2^32-1 or not whole is refused', () => {
    fc.assert(fc.property(
      fc.oneof(fc.integer({ max: -1 }), fc.double({ min: 4294967296, noNaN: true }), fc.double({ min: 0, max: 1000, noInteger: true })),
      uid => {
        expect(make({ accessPoint: { uid } })).toThrow(/invalid accessPoint\.uid/);
      },
    ), { numRuns: 50 });
  });
});

describe('SharedVolume warnings', () => {
  const warningsOf = (build: (scope: Construct, cluster: FoundryCluster) => void): string[] => {
    const s = plainStack();
    build(s, new FoundryCluster(s, 'Cluster'));
    return Annotations.fromStack(s).findWarning('*', Match.anyValue()).map(w => String(w.entry.data));
  };

  test('warns when backups are off, uid is root, the path is the file system root or throughput exceeds the quota', () => {
    expect(warningsOf((s, cluster) => new SharedVolume(s, 'Volume', { cluster, backups: false })))
      .toEqual([expect.stringMatching(/backups is false: the file system is in no backup plan/)]);
    expect(warningsOf((s, cluster) => new SharedVolume(s, 'Volume', { cluster, accessPoint: { uid: 0, path: '/' } })))
      .toEqual([
        expect.stringMatching(/accessPoint\.uid is 0: every file operation through this access point runs as root/),
        expect.stringMatching(/accessPoint\.path is '\/': this access point exposes the whole file system/),
      ]);
    expect(warningsOf((s, cluster) => new SharedVolume(s, 'Volume', {
      cluster, throughputMode: efs.ThroughputMode.PROVISIONED, provisionedThroughputMiBps: 5000,
    }))).toEqual([expect.stringMatching(/provisionedThroughputMiBps = 5000 is above EFS's default quota of 3414 MiB\/s/)]);
  });

  test('backups: false removes the backup policy', () => {
    const s = plainStack();
    const volume = new SharedVolume(s, 'Volume', { cluster: new FoundryCluster(s, 'Cluster'), backups: false });
    Template.fromStack(s).hasResourceProperties('AWS::EFS::FileSystem', { BackupPolicy: Match.absent() });
    expect(warningsUnder(volume)).toEqual([expect.stringMatching(/backups is false/)]);
  });
});

describe('SharedVolume compliance', () => {
  const app = complianceApp();
  let findings: Finding[];

  beforeAll(() => {
    const defaultCase = testStack(app, 'SharedVolumeDefault');
    new SharedVolume(defaultCase, 'Volume', { cluster: new FoundryCluster(defaultCase, 'Cluster') });
    fullest(testStack(app, 'SharedVolumeFullest'));
    findings = synthFindings(app);
  });

  test.each(['SharedVolumeDefault', 'SharedVolumeFullest'])('%s has zero unacknowledged findings', name => {
    const problems = findingsOf(findings, name);
    if (problems.length > 0) {
      console.error(`${name} has ${problems.length} finding(s):\n${problems.join('\n')}`);
    }
    expect(problems).toEqual([]);
  });

  test('the volume acknowledges only the backup-plan rule that cannot see EFS automatic backups', () => {
    const acknowledged = new Set<string>();
    for (const file of fs.readdirSync(app.outdir).filter(f => f.startsWith('SharedVolume') && f.endsWith('.metadata.json'))) {
      const metadata = JSON.parse(fs.readFileSync(path.join(app.outdir, file), 'utf-8'));
      for (const [constructPath, entries] of Object.entries<any[]>(metadata)) {
        if (!constructPath.includes('/Volume/')) continue;
        for (const entry of entries.filter(e => e.type === 'aws:cdk:acknowledged-rules')) {
          for (const [rule, reason] of Object.entries<string>(entry.data)) {
            expect(reason.length).toBeGreaterThan(60);
            acknowledged.add(rule.replace(/^[A-Za-z-]+::(?=[A-Za-z])/, ''));
          }
        }
      }
    }
    expect([...acknowledged].sort()).toEqual(['HIPAA.Security-EFSInBackupPlan', 'NIST.800.53.R5-EFSInBackupPlan']);
  });
});
