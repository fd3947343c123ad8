import { fullDiff, ResourceImpact } from '@aws-cdk/cloudformation-diff';
import { CfnParameter, Size, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as kms from 'aws-cdk-lib/aws-kms';
import {
  BackendService, Capacity, EbsVolumeOptions, FoundryCluster, FoundryClusterProps, NetworkService, SharedVolume,
  WorkerService,
} from '../../src';
import { harmfulReplacements, synthTemplate } from '../proof/support/update-safety';
import { plainStack } from '../support/stacks';

const image = ecs.ContainerImage.fromRegistry('public.ecr.aws/nginx/nginx:stable');
const windowsImage = ecs.ContainerImage.fromRegistry('mcr.microsoft.com/windows/servercore/iis:windowsservercore-ltsc2022');
const SNAPSHOT = 'snap-0123456789abcdef0';

function worker(ebsVolumes: EbsVolumeOptions[] | undefined, extra: Record<string, unknown> = {}, clusterProps: FoundryClusterProps = {}) {
  const stack = plainStack();
  const cluster = new FoundryCluster(stack, 'Cluster', clusterProps);
  const service = new WorkerService(stack, 'Worker', { cluster, image, ebsVolumes, ...extra });
  return { stack, cluster, service };
}

const volumeConfiguration = (t: Template) => {
  const services = t.findResources('AWS::ECS::Service');
  const [service] = Object.values(services);
  return service.Properties.VolumeConfigurations;
};

describe('EBS task volumes: templates', () => {
  let stack: Stack;
  let t: Template;
  let cluster: FoundryCluster;
  beforeAll(() => {
    stack = plainStack();
    cluster = new FoundryCluster(stack, 'Cluster');
    new WorkerService(stack, 'Worker', { cluster, image, ebsVolumes: [{ name: 'scratch', containerPath: '/scratch' }] });
    new BackendService(stack, 'Api', {
      cluster,
      image,
      port: 8080,
      ebsVolumes: [{ name: 'cache', containerPath: '/cache', volumeType: ec2.EbsDeviceVolumeType.GP3, size: Size.gibibytes(100), iops: 6000, throughputMiBps: 500, snapshotId: SNAPSHOT, volumeInitializationRateMiBps: 200, fileSystemType: ecs.FileSystemType.EXT4 }],
    });
    t = Template.fromStack(stack);
  });

  test('the task definition declares the volume configuredAtLaunch and mounts it read-write in the main container (app)', () => {
    t.hasResourceProperties('AWS::ECS::TaskDefinition', {
      Volumes: Match.arrayWith([{ Name: 'scratch', ConfiguredAtLaunch: true }]),
      ContainerDefinitions: Match.arrayWith([Match.objectLike({
        Name: 'app',
        MountPoints: Match.arrayWith([{ ContainerPath: '/scratch', SourceVolume: 'scratch', ReadOnly: false }]),
      })]),
    });
  });

  test('defaults: a 20 GiB gp3 xfs volume, encrypted with the cluster key, tagged with the service tags', () => {
    t.hasResourceProperties('AWS::ECS::Service', {
      VolumeConfigurations: [{
        Name: 'scratch',
        ManagedEBSVolume: {
          Encrypted: true,
          KmsKeyId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^ClusterKey'), 'Arn'] },
          VolumeType: 'gp3',
          SizeInGiB: 20,
          FilesystemType: 'xfs',
          RoleArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^ClusterEbsVolumesInfrastructureRole'), 'Arn'] },
          TagSpecifications: [{ ResourceType: 'volume', PropagateTags: 'SERVICE' }],
        },
      }],
    });
  });

  test('every setting reaches the volume configuration (gp3 from a snapshot with an initialization rate)', () => {
    t.hasResourceProperties('AWS::ECS::Service', {
      VolumeConfigurations: [{
        Name: 'cache',
        ManagedEBSVolume: Match.objectLike({
          Encrypted: true,
          VolumeType: 'gp3',
          SizeInGiB: 100,
          Iops: 6000,
          Throughput: 500,
          SnapshotId: SNAPSHOT,
          VolumeInitializationRate: 200,
          FilesystemType: 'ext4',
        }),
      }],
    });
  });

  test('one infrastructure role per cluster, trusted by ECS only, with the AWS managed volumes policy', () => {
    t.resourcePropertiesCountIs('AWS::IAM::Role', {
      AssumeRolePolicyDocument: { Statement: [Match.objectLike({ Principal: { Service: 'ecs.amazonaws.com' } })] },
      ManagedPolicyArns: Match.arrayWith([{ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::aws:policy/service-role/AmazonECSInfrastructureRolePolicyForVolumes']] }]),
    }, 1);
    expect(cluster.node.tryFindChild('EbsVolumesInfrastructureRole')).toBeDefined();
  });

  test('the role may use the cluster key through EC2 only, and grant it to AWS resources only', () => {
    const key = { 'Fn::GetAtt': [Match.stringLikeRegexp('^ClusterKey'), 'Arn'] };
    t.hasResourceProperties('AWS::IAM::ManagedPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Sid: 'EncryptVolumesWithTheClusterKey',
            Action: ['kms:GenerateDataKeyWithoutPlaintext', 'kms:Decrypt', 'kms:ReEncryptFrom', 'kms:ReEncryptTo', 'kms:DescribeKey'],
            Resource: key,
            Condition: { StringEquals: { 'kms:ViaService': 'ec2.us-east-1.amazonaws.com' } },
          }),
          Match.objectLike({
            Sid: 'GrantTheClusterKeyToVolumes',
            Action: 'kms:CreateGrant',
            Resource: key,
            Condition: { StringEquals: { 'kms:ViaService': 'ec2.us-east-1.amazonaws.com' }, Bool: { 'kms:GrantIsForAWSResource': 'true' } },
          }),
        ]),
      },
    });
  });

  test('the service waits for the role and its policy', () => {
    const services = t.findResources('AWS::ECS::Service');
    for (const service of Object.values(services)) {
      expect(service.DependsOn).toEqual(expect.arrayContaining([expect.stringMatching(/^ClusterEbsVolumesInfrastructureRole/)]));
    }
  });
});

describe('EBS task volumes: each volume type', () => {
  test.each([
    [ec2.EbsDeviceVolumeType.GP2, { size: Size.gibibytes(50) }, { SizeInGiB: 50 }],
    [ec2.EbsDeviceVolumeType.GP3, { size: Size.gibibytes(1000), iops: 16000, throughputMiBps: 1000 },
      { SizeInGiB: 1000, Iops: 16000, Throughput: 1000 }],
    [ec2.EbsDeviceVolumeType.IO1, { size: Size.gibibytes(100), iops: 5000 }, { SizeInGiB: 100, Iops: 5000 }],
    [ec2.EbsDeviceVolumeType.IO2, { size: Size.gibibytes(100), iops: 100000 }, { SizeInGiB: 100, Iops: 100000 }],
    [ec2.EbsDeviceVolumeType.ST1, { size: Size.gibibytes(125) }, { SizeInGiB: 125 }],
    [ec2.EbsDeviceVolumeType.SC1, { size: Size.tebibytes(16) }, { SizeInGiB: 16384 }],
    [ec2.EbsDeviceVolumeType.STANDARD, { size: Size.gibibytes(1024) }, { SizeInGiB: 1024 }],
  ])('%s', (volumeType, options, expected) => {
    const { stack } = worker([{ name: 'data', containerPath: '/data', volumeType, ...options }]);
    const [config] = volumeConfiguration(Template.fromStack(stack));
    expect(config.ManagedEBSVolume).toMatchObject({ VolumeType: volumeType, Encrypted: true, ...expected });
  });

  test('a volume from a snapshot without a size takes the snapshot size', () => {
    const { stack } = worker([{ name: 'data', containerPath: '/data', snapshotId: SNAPSHOT }]);
    const [config] = volumeConfiguration(Template.fromStack(stack));
    expect(config.ManagedEBSVolume.SnapshotId).toBe(SNAPSHOT);
    expect(config.ManagedEBSVolume.SizeInGiB).toBeUndefined();
  });

  test('a read-only mount of a snapshot into a sidecar', () => {
    const { stack } = worker([{ name: 'models', containerPath: '/models', containerName: 'loader', readOnly: true, snapshotId: SNAPSHOT }],
      { sidecars: [{ name: 'loader', image, essential: false }] });
    Template.fromStack(stack).hasResourceProperties('AWS::ECS::TaskDefinition', {
      ContainerDefinitions: Match.arrayWith([Match.objectLike({
        Name: 'loader',
        MountPoints: Match.arrayWith([{ ContainerPath: '/models', SourceVolume: 'models', ReadOnly: true }]),
      })]),
    });
  });

  test('tokens are passed through unchecked (CloudFormation checks them)', () => {
    const stack = plainStack();
    const cluster = new FoundryCluster(stack, 'Cluster');
    const iops = new CfnParameter(stack, 'Iops', { type: 'Number' }).valueAsNumber;
    const size = new CfnParameter(stack, 'Size', { type: 'Number' }).valueAsNumber;
    const snapshot = new CfnParameter(stack, 'Snapshot').valueAsString;
    expect(() => new WorkerService(stack, 'Worker', {
      cluster,
      image,
      ebsVolumes: [{ name: 'data', containerPath: '/data', volumeType: ec2.EbsDeviceVolumeType.IO2, iops, size: Size.gibibytes(size), snapshotId: snapshot }],
    })).not.toThrow();
  });
});

describe('EBS task volumes: every service and capacity ECS supports', () => {
  test('NetworkService', () => {
    const stack = plainStack();
    const cluster = new FoundryCluster(stack, 'Cluster');
    new NetworkService(stack, 'Tcp', { cluster, image, port: 5432, ebsVolumes: [{ name: 'pgdata', containerPath: '/var/lib/postgresql/data' }] });
    expect(volumeConfiguration(Template.fromStack(stack))).toHaveLength(1);
  });

  test('EC2 capacity', () => {
    const stack = plainStack();
    const cluster = new FoundryCluster(stack, 'Cluster');
    const onEc2 = Capacity.ec2(cluster.addEc2Capacity('Ec2', { instanceType: new ec2.InstanceType('m7i.large') }));
    new WorkerService(stack, 'Worker', { cluster, image, capacity: onEc2, ebsVolumes: [{ name: 'data', containerPath: '/data' }] });
    expect(volumeConfiguration(Template.fromStack(stack))).toHaveLength(1);
  });

  test('Managed Instances capacity', () => {
    const stack = plainStack();
    const cluster = new FoundryCluster(stack, 'Cluster');
    const capacity = Capacity.managedInstances(cluster.addManagedInstances('Instances'));
    new WorkerService(stack, 'Worker', { cluster, image, capacity, ebsVolumes: [{ name: 'data', containerPath: '/data' }] });
    expect(volumeConfiguration(Template.fromStack(stack))).toHaveLength(1);
  });

  test('two services of one cluster share one infrastructure role', () => {
    const stack = plainStack();
    const cluster = new FoundryCluster(stack, 'Cluster');
    new WorkerService(stack, 'A', { cluster, image, ebsVolumes: [{ name: 'data', containerPath: '/data' }] });
    new WorkerService(stack, 'B', { cluster, image, ebsVolumes: [{ name: 'data', containerPath: '/data' }] });
    Template.fromStack(stack).resourcePropertiesCountIs('AWS::IAM::Role',
      { AssumeRolePolicyDocument: { Statement: [Match.objectLike({ Principal: { Service: 'ecs.amazonaws.com' } })] } }, 1);
  });

  test('no volume: no role and no volume configuration', () => {
    const { stack } = worker(undefined);
    const t = Template.fromStack(stack);
    expect(volumeConfiguration(t)).toBeUndefined();
    t.resourcePropertiesCountIs('AWS::IAM::Role',
      { AssumeRolePolicyDocument: { Statement: [Match.objectLike({ Principal: { Service: 'ecs.amazonaws.com' } })] } }, 0);
  });
});

describe('EBS task volumes: bad input is rejected at synth', () => {
  const base = { name: 'data', containerPath: '/data' };
  test.each<[string, EbsVolumeOptions[], RegExp]>([
    ['two volumes (ECS attaches one per task)', [base, { name: 'more', containerPath: '/more' }], /invalid ebsVolumes = \['data', 'more'\]\. ECS attaches one EBS volume per task/],
    ['duplicate names', [base, { ...base, containerPath: '/other' }], /invalid ebsVolumes = 'data'\. Each volume needs its own name/],
    ['an empty name', [{ ...base, name: '' }], /invalid ebsVolumes\[0\]\.name = ''/],
    ['a name with a slash', [{ ...base, name: 'a/b' }], /invalid ebsVolumes\[0\]\.name = 'a\/b'/],
    ['a name of 256 characters', [{ ...base, name: 'a'.repeat(256) }], /invalid ebsVolumes\[0\]\.name/],
    ['a relative containerPath', [{ ...base, containerPath: 'data' }], /invalid containerPath = 'data'/],
    ["containerPath '/'", [{ ...base, containerPath: '/' }], /invalid containerPath = '\/'/],
    ["containerPath with '..'", [{ ...base, containerPath: '/data/../etc' }], /invalid containerPath = '\/data\/\.\.\/etc'/],
    ['a zero size', [{ ...base, size: Size.gibibytes(0) }], /invalid ebsVolumes\[0\]\.size = '0 GiB'\. gp3 volumes are 1 to 65536 GiB/],
    ['a fractional size', [{ ...base, size: Size.mebibytes(1536) }], /invalid ebsVolumes\[0\]\.size = '1\.5 GiB'\. EBS volume sizes are whole GiB/],
    ['gp3 above 64 TiB', [{ ...base, size: Size.gibibytes(65537) }], /gp3 volumes are 1 to 65536 GiB/],
    ['gp2 above 16 TiB', [{ ...base, volumeType: ec2.EbsDeviceVolumeType.GP2, size: Size.gibibytes(16385) }], /gp2 volumes are 1 to 16384 GiB/],
    ['standard above 1 TiB', [{ ...base, volumeType: ec2.EbsDeviceVolumeType.STANDARD, size: Size.gibibytes(1025) }], /standard volumes are 1 to 1024 GiB/],
    ['io1 below 4 GiB', [{ ...base, volumeType: ec2.EbsDeviceVolumeType.IO1, size: Size.gibibytes(3), iops: 100 }], /io1 volumes are 4 to 16384 GiB/],
    ['st1 without a size (20 GiB is below its minimum)', [{ ...base, volumeType: ec2.EbsDeviceVolumeType.ST1 }], /invalid ebsVolumes\[0\]\.size = undefined\. st1 volumes are at least 125 GiB/],
    ['sc1 below 125 GiB', [{ ...base, volumeType: ec2.EbsDeviceVolumeType.SC1, size: Size.gibibytes(124) }], /sc1 volumes are 125 to 16384 GiB/],
    ['io1 without iops', [{ ...base, volumeType: ec2.EbsDeviceVolumeType.IO1 }], /invalid ebsVolumes\[0\]\.iops = undefined\. io1 volumes need provisioned IOPS/],
    ['io2 without iops', [{ ...base, volumeType: ec2.EbsDeviceVolumeType.IO2 }], /io2 volumes need provisioned IOPS/],
    ['iops on gp2', [{ ...base, volumeType: ec2.EbsDeviceVolumeType.GP2, iops: 3000 }], /invalid ebsVolumes\[0\]\.iops = 3000\. gp2 volumes take no provisioned IOPS/],
    ['iops on st1', [{ ...base, volumeType: ec2.EbsDeviceVolumeType.ST1, size: Size.gibibytes(500), iops: 500 }], /st1 volumes take no provisioned IOPS/],
    ['gp3 iops below 3,000', [{ ...base, iops: 2999 }], /invalid ebsVolumes\[0\]\.iops = 2999\. Use a whole number between 3000 and 80000/],
    ['gp3 iops above 80,000', [{ ...base, size: Size.gibibytes(1000), iops: 80001 }], /between 3000 and 80000/],
    ['fractional iops', [{ ...base, iops: 3000.5 }], /invalid ebsVolumes\[0\]\.iops = 3000\.5\. Use a whole number/],
    ['negative iops on io1', [{ ...base, volumeType: ec2.EbsDeviceVolumeType.IO1, iops: -1 }], /between 100 and 64000/],
    ['io2 above 256,000', [{ ...base, volumeType: ec2.EbsDeviceVolumeType.IO2, size: Size.gibibytes(1000), iops: 256001 }], /between 100 and 256000/],
    ['gp3 above 500 IOPS per GiB', [{ ...base, size: Size.gibibytes(10), iops: 5001 }], /gp3 volumes take at most 500 IOPS per GiB .* a 10 GiB volume takes at most 5000\. Lower iops, or give a size of at least 11 GiB/],
    ['io1 above 50 IOPS per GiB', [{ ...base, volumeType: ec2.EbsDeviceVolumeType.IO1, size: Size.gibibytes(10), iops: 501 }], /io1 volumes take at most 50 IOPS per GiB/],
    ['io2 above 1,000 IOPS per GiB', [{ ...base, volumeType: ec2.EbsDeviceVolumeType.IO2, size: Size.gibibytes(10), iops: 10001 }], /io2 volumes take at most 1000 IOPS per GiB/],
    ['throughput on io2', [{ ...base, volumeType: ec2.EbsDeviceVolumeType.IO2, iops: 1000, throughputMiBps: 500 }], /invalid ebsVolumes\[0\]\.throughputMiBps = 500\. Only gp3 volumes take provisioned throughput/],
    ['gp3 throughput below 125', [{ ...base, throughputMiBps: 124 }], /between 125 and 2000/],
    ['gp3 throughput above 2,000', [{ ...base, size: Size.gibibytes(100), iops: 16000, throughputMiBps: 2001 }], /between 125 and 2000/],
    ['gp3 throughput above 0.25 MiB/s per IOPS', [{ ...base, throughputMiBps: 751 }], /gp3 allows at most 0\.25 MiB\/s per provisioned IOPS .* 3000 IOPS allow 750 MiB\/s\. Give iops of at least 3004/],
    ['a malformed snapshot id', [{ ...base, snapshotId: 'snapshot-1' }], /invalid ebsVolumes\[0\]\.snapshotId = 'snapshot-1'/],
    ['an uppercase snapshot id', [{ ...base, snapshotId: 'snap-0123456789ABCDEF0' }], /invalid ebsVolumes\[0\]\.snapshotId/],
    ['a snapshot id of 10 hex digits', [{ ...base, snapshotId: 'snap-0123456789' }], /invalid ebsVolumes\[0\]\.snapshotId/],
    ['an initialization rate without a snapshot', [{ ...base, volumeInitializationRateMiBps: 200 }], /invalid ebsVolumes\[0\]\.volumeInitializationRateMiBps = 200\. A volume initialization rate applies to volumes restored from a snapshot/],
    ['an initialization rate below 100', [{ ...base, snapshotId: SNAPSHOT, volumeInitializationRateMiBps: 99 }], /between 100 and 300/],
    ['an initialization rate above 300', [{ ...base, snapshotId: SNAPSHOT, volumeInitializationRateMiBps: 301 }], /between 100 and 300/],
    ['NTFS', [{ ...base, fileSystemType: ecs.FileSystemType.NTFS }], /invalid ebsVolumes\[0\]\.fileSystemType = 'ntfs'/],
    ['a read-only empty volume', [{ ...base, readOnly: true }], /invalid ebsVolumes\[0\]\.readOnly = true\. A new volume is empty/],
    ['a container that does not exist', [{ ...base, containerName: 'nope' }], /invalid containerName = 'nope'\. The task has the containers 'app'/],
  ])('%s', (_name, volumes, message) => {
    expect(() => worker(volumes)).toThrow(message);
  });

  test('a negative size is rejected (by Size itself or by the range check)', () => {
    expect(() => worker([{ ...base, size: Size.gibibytes(-1) }])).toThrow(/-1/);
  });

  test('a token name is rejected (the mount point names it in the task definition)', () => {
    const stack = plainStack();
    const cluster = new FoundryCluster(stack, 'Cluster');
    const name = new CfnParameter(stack, 'Name').valueAsString;
    expect(() => new WorkerService(stack, 'Worker', { cluster, image, ebsVolumes: [{ name, containerPath: '/data' }] }))
      .toThrow(/invalid ebsVolumes\[0\]\.name = .*written in the app/);
  });

  test('a containerPath that a writable path of the container already has', () => {
    expect(() => worker([{ ...base, containerPath: '/tmp' }], { readonlyRootFilesystem: true, writablePaths: ['/tmp'] }))
      .toThrow(/invalid containerPath = '\/tmp'\. Container 'app' already has a volume or writable path at \/tmp/);
  });

  test('a containerPath that a SharedVolume mount then claims', () => {
    const { stack, cluster, service } = worker([base]);
    const efs = new SharedVolume(stack, 'Efs', { cluster });
    expect(() => service.addVolume(efs, '/data')).toThrow(/invalid containerPath = '\/data'\. Container 'app' already has a volume/);
  });

  test('Windows tasks (ECS attaches EBS volumes to Windows tasks on EC2 only)', () => {
    const windows = { image: windowsImage, operatingSystemFamily: ecs.OperatingSystemFamily.WINDOWS_SERVER_2022_CORE, cpu: 1024, memoryMiB: 2048 };
    expect(() => worker([base], windows))
      .toThrow(/invalid ebsVolumes = 'data'\. ECS attaches EBS volumes to Windows tasks on EC2 only/);
  });

  test('a non-list', () => {
    expect(() => worker(base as unknown as EbsVolumeOptions[])).toThrow(/invalid ebsVolumes = .*Pass a list/);
  });

  test('an empty list adds nothing', () => {
    const { stack } = worker([]);
    expect(volumeConfiguration(Template.fromStack(stack))).toBeUndefined();
  });
});

describe('managed storage encryption on the cluster', () => {
  const fargateStatements = (t: Template) => {
    const keys = t.findResources('AWS::KMS::Key');
    const statements = Object.values(keys).flatMap(k => k.Properties.KeyPolicy.Statement as any[]);
    return statements.filter(s => s.Principal?.Service === 'fargate.amazonaws.com');
  };

  test('by default, Fargate ephemeral storage and EBS task volumes use the cluster key', () => {
    const { stack } = worker(undefined);
    const t = Template.fromStack(stack);
    t.hasResourceProperties('AWS::ECS::Cluster', {
      Configuration: Match.objectLike({
        ManagedStorageConfiguration: {
          FargateEphemeralStorageKmsKeyId: { Ref: Match.stringLikeRegexp('^ClusterKey') },
          KmsKeyId: { Ref: Match.stringLikeRegexp('^ClusterKey') },
        },
      }),
    });
  });

  test('the key policy lets Fargate generate data keys and grant Decrypt only, in this account\'s cluster encryption context', () => {
    const { stack } = worker(undefined);
    const statements = fargateStatements(Template.fromStack(stack));
    expect(statements).toEqual([
      expect.objectContaining({
        Action: 'kms:GenerateDataKeyWithoutPlaintext',
        Condition: { StringEquals: { 'kms:EncryptionContext:aws:ecs:clusterAccount': [{ Ref: 'AWS::AccountId' }] } },
      }),
      expect.objectContaining({
        Action: 'kms:CreateGrant',
        Condition: {
          'StringEquals': { 'kms:EncryptionContext:aws:ecs:clusterAccount': [{ Ref: 'AWS::AccountId' }] },
          'ForAllValues:StringEquals': { 'kms:GrantOperations': ['Decrypt'] },
        },
      }),
    ]);
  });

  test('a fixed cluster name narrows the encryption context to the cluster', () => {
    const { stack } = worker(undefined, {}, { clusterName: 'prod' });
    const [generate] = fargateStatements(Template.fromStack(stack));
    expect(generate.Condition.StringEquals['kms:EncryptionContext:aws:ecs:clusterName']).toEqual(['prod']);
  });

  test('encryptManagedStorage: false keeps AWS owned keys (no configuration, no Fargate statements)', () => {
    const { stack } = worker(undefined, {}, { encryptManagedStorage: false });
    const t = Template.fromStack(stack);
    t.hasResourceProperties('AWS::ECS::Cluster', { Configuration: Match.objectLike({ ManagedStorageConfiguration: Match.absent() }) });
    expect(fargateStatements(t)).toEqual([]);
  });

  test('an imported key is not used for managed storage unless asked (its policy is its owner\'s)', () => {
    const stack = plainStack();
    const key = kms.Key.fromKeyArn(stack, 'Imported', 'arn:aws:kms:us-east-1:123456789012:key/11111111-2222-3333-4444-555555555555');
    new FoundryCluster(stack, 'Cluster', { encryptionKey: key });
    Template.fromStack(stack).hasResourceProperties('AWS::ECS::Cluster', { Configuration: Match.objectLike({ ManagedStorageConfiguration: Match.absent() }) });
  });

  test('an imported key with encryptManagedStorage: true is configured', () => {
    const stack = plainStack();
    const key = kms.Key.fromKeyArn(stack, 'Imported', 'arn:aws:kms:us-east-1:123456789012:key/11111111-2222-3333-4444-555555555555');
    new FoundryCluster(stack, 'Cluster', { encryptionKey: key, encryptManagedStorage: true });
    Template.fromStack(stack).hasResourceProperties('AWS::ECS::Cluster', {
      Configuration: Match.objectLike({
        ManagedStorageConfiguration: {
          FargateEphemeralStorageKmsKeyId: '11111111-2222-3333-4444-555555555555',
          KmsKeyId: '11111111-2222-3333-4444-555555555555',
        },
      }),
    });
  });
});

describe('update safety (diffed with the CDK diff engine)', () => {
  const build = (managedStorage: boolean, volumes?: EbsVolumeOptions[], name?: string) => synthTemplate(stack => {
    const cluster = new FoundryCluster(stack, 'Cluster', { encryptManagedStorage: managedStorage, clusterName: name });
    new WorkerService(stack, 'Worker', { cluster, image, serviceName: name && 'worker', ebsVolumes: volumes });
  });
  const replaced = (before: Record<string, any>, after: Record<string, any>) => {
    const ids: string[] = [];
    fullDiff(before, after).resources.forEachDifference((id, change) => {
      if (change.changeImpact === ResourceImpact.WILL_REPLACE || change.changeImpact === ResourceImpact.MAY_REPLACE) ids.push(`${change.newResourceType} ${id}`);
    });
    return ids;
  };

  test('upgrading a cluster to managed storage encryption updates the cluster and its key in place', () => {
    const before = build(false);
    const after = build(true);
    expect(replaced(before, after)).toEqual([]);
    expect(harmfulReplacements(before, after)).toEqual([]);
  });

  test('upgrading a named cluster with a named service replaces nothing either', () => {
    expect(replaced(build(false, undefined, 'orders'), build(true, undefined, 'orders'))).toEqual([]);
  });

  test('adding, resizing and removing an EBS volume replaces only the task definition (a new revision), never the service', () => {
    const none = build(true);
    const small = build(true, [{ name: 'data', containerPath: '/data' }]);
    const large = build(true, [{ name: 'data', containerPath: '/data', size: Size.gibibytes(500), iops: 6000 }]);
    for (const [before, after] of [[none, small], [small, large], [large, none]]) {
      expect(replaced(before, after).filter(r => !r.startsWith('AWS::ECS::TaskDefinition '))).toEqual([]);
      expect(harmfulReplacements(before, after)).toEqual([]);
    }
  });
});
