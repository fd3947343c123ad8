import { App, Duration, RemovalPolicy, Size, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as ssm from 'aws-cdk-lib/aws-ssm';
import { Capacity, FoundryCluster, FoundryTaskDefinition, FoundryTaskDefinitionProps, SharedVolume, WorkloadRepository } from '../../src';
import { plainStack, cfnRoleOf } from '../support/stacks';
import { subtreeTemplate } from '../support/subtree';

const nginx = ecs.ContainerImage.fromRegistry('public.ecr.aws/nginx/nginx:stable');
const busybox = ecs.ContainerImage.fromRegistry('public.ecr.aws/docker/library/busybox:stable');

// GIVEN: a default workload, a fullest one, one on EC2 and one on Windows, each in its own stack, synthesized once.
function defaultWorkload() {
  const stack = plainStack('Default');
  const cluster = new FoundryCluster(stack, 'Cluster');
  const workload = new FoundryTaskDefinition(stack, 'Web', { cluster, image: nginx, port: 8080 });
  return { stack, workload, template: Template.fromStack(stack) };
}

function fullestWorkload() {
  const stack = plainStack('Full');
  const cluster = new FoundryCluster(stack, 'Cluster');
  const repository = new WorkloadRepository(stack, 'Repo', { keepImages: 10 });
  const secretKey = new kms.Key(stack, 'SecretKey', { enableKeyRotation: true });
  const secret = new secretsmanager.Secret(stack, 'DbSecret', { encryptionKey: secretKey });
  const sharedSecret = secretsmanager.Secret.fromSecretCompleteArn(stack, 'Shared', 'arn:aws:secretsmanager:eu-west-1:210987654321:secret:shared-AbCdEf');
  const token = ssm.StringParameter.fromSecureStringParameterAttributes(stack, 'Token', { parameterName: '/api/token' });
  const volume = new SharedVolume(stack, 'Data', { cluster });
  const workload = new FoundryTaskDefinition(stack, 'Api', {
    cluster,
    capacity: Capacity.spot({ onDemandBase: 1 }),
    image: repository.image('1.4.2'),
    containerName: 'api',
    port: 8080,
    ports: [{ port: 9090, name: 'metrics' }],
    cpu: 1024,
    memoryMiB: 3072,
    cpuArchitecture: ecs.CpuArchitecture.ARM64,
    ephemeralStorageGiB: 50,
    environment: { LOG_LEVEL: 'info' },
    secrets: {
      DB_PASSWORD: ecs.Secret.fromSecretsManager(secret, 'password'),
      SHARED_KEY: ecs.Secret.fromSecretsManager(sharedSecret),
      API_TOKEN: ecs.Secret.fromSsmParameter(token),
    },
    command: ['serve', '--port', '8080'],
    user: '1000:1000',
    workingDirectory: '/srv',
    healthCheck: { command: ['CMD-SHELL', 'wget -qO- localhost:8080/health || exit 1'] },
    writablePaths: ['/tmp', '/srv/cache'],
    stopTimeout: Duration.seconds(60),
    linux: { dropCapabilities: [ecs.Capability.ALL], addCapabilities: [ecs.Capability.SYS_PTRACE] },
    logging: { firelens: true, nonBlocking: true, maxBufferSize: Size.mebibytes(10), retention: logs.RetentionDays.SIX_MONTHS },
    sidecars: [
      { name: 'migrate', image: busybox, essential: false, command: ['true'], mainContainerWaitsFor: ecs.ContainerDependencyCondition.SUCCESS },
      {
        name: 'proxy',
        image: busybox,
        ports: [{ port: 15000 }],
        cpu: 128,
        memoryReservationMiB: 128,
        healthCheck: { command: ['CMD', 'true'] },
        mainContainerWaitsFor: ecs.ContainerDependencyCondition.HEALTHY,
      },
    ],
  });
  workload.addVolume(volume, '/data');
  workload.addVolume(volume, '/reports', { readOnly: true, accessPoint: volume.addAccessPoint('Reports', { path: '/reports' }), containerName: 'proxy' });
  return { stack, workload, repository, secret, template: Template.fromStack(stack) };
}

function gpuWorkload(): Template {
  const stack = plainStack('Ec2');
  const cluster = new FoundryCluster(stack, 'Cluster');
  const gpu = cluster.addEc2Capacity('Gpu', { instanceType: new ec2.InstanceType('g5.xlarge') });
  new FoundryTaskDefinition(stack, 'Inference', {
    cluster,
    capacity: Capacity.ec2(gpu),
    image: nginx,
    cpu: 2048,
    memoryMiB: 8192,
    gpuCount: 1,
    linux: { sharedMemorySizeMiB: 1024 },
  });
  return Template.fromStack(stack);
}

function windowsWorkload(): Template {
  const stack = plainStack('Windows');
  const cluster = new FoundryCluster(stack, 'Cluster');
  new FoundryTaskDefinition(stack, 'Legacy', {
    cluster,
    image: ecs.ContainerImage.fromRegistry('mcr.microsoft.com/windows/servercore/iis:windowsservercore-ltsc2022'),
    operatingSystemFamily: ecs.OperatingSystemFamily.WINDOWS_SERVER_2022_CORE,
    cpu: 1024,
    memoryMiB: 2048,
    port: 80,
  });
  return Template.fromStack(stack);
}

let defaultStack: Stack;
let plain: FoundryTaskDefinition;
let defaults: Template;
let fullStack: Stack;
let full: FoundryTaskDefinition;
let repo: WorkloadRepository;
let dbSecret: secretsmanager.Secret;
let fullTemplate: Template;
let ec2Template: Template;
let windowsTemplate: Template;

beforeAll(() => {
  ({ stack: defaultStack, workload: plain, template: defaults } = defaultWorkload());
  ({ stack: fullStack, workload: full, repository: repo, secret: dbSecret, template: fullTemplate } = fullestWorkload());
  ec2Template = gpuWorkload();
  windowsTemplate = windowsWorkload();
});

const taskDefOf = (t: Template) => Object.values<any>(t.findResources('AWS::ECS::TaskDefinition'))[0].Properties;
const containerOf = (t: Template, name: string) => taskDefOf(t).ContainerDefinitions.find((c: any) => c.Name === name);
const policyOf = (t: Template, stack: Stack, role: iam.IRole) => {
  const roleId = stack.getLogicalId(cfnRoleOf(role));
  return Object.values<any>(t.findResources('AWS::IAM::ManagedPolicy'))
    .filter(p => p.Properties.Roles.some((r: any) => r.Ref === roleId))
    .flatMap(p => p.Properties.PolicyDocument.Statement);
};

describe('FoundryTaskDefinition defaults', () => {
  test('a Fargate awsvpc task of 256 CPU units and 512 MiB on Linux x86_64', () => {
    expect(taskDefOf(defaults)).toMatchObject({
      RequiresCompatibilities: ['FARGATE'],
      NetworkMode: 'awsvpc',
      Cpu: '256',
      Memory: '512',
      RuntimePlatform: { CpuArchitecture: 'X86_64', OperatingSystemFamily: 'LINUX' },
    });
    expect(plain.cpu).toBe(256);
    expect(plain.memoryMiB).toBe(512);
  });

  test('the main container is hardened: read-only root, writable /tmp, init process, named port', () => {
    const app = containerOf(defaults, 'app');
    expect(app).toMatchObject({
      Essential: true,
      ReadonlyRootFilesystem: true,
      LinuxParameters: { InitProcessEnabled: true },
      PortMappings: [{ ContainerPort: 8080, Protocol: 'tcp', Name: 'tcp-8080' }],
      MountPoints: [{ ContainerPath: '/tmp', SourceVolume: 'writable-app-tmp', ReadOnly: false }],
    });
    expect(taskDefOf(defaults).Volumes).toEqual([{ Name: 'writable-app-tmp' }]);
  });

  test('logs go through awslogs (blocking) to an encrypted log group with the cluster retention, retained', () => {
    expect(containerOf(defaults, 'app').LogConfiguration).toEqual({
      LogDriver: 'awslogs',
      Options: {
        'awslogs-group': { Ref: expect.stringMatching(/^WebLogGroup/) },
        'awslogs-stream-prefix': 'app',
        'awslogs-region': 'us-east-1',
        'mode': 'blocking',
      },
    });
    defaults.hasResource('AWS::Logs::LogGroup', {
      Properties: { RetentionInDays: 365, KmsKeyId: { 'Fn::GetAtt': [Match.stringLikeRegexp('ClusterKey'), 'Arn'] } },
      DeletionPolicy: 'Retain',
    });
  });

  test('the execution role trusts ECS tasks of this account and region only', () => {
    const roles = Object.entries<any>(defaults.findResources('AWS::IAM::Role')).filter(([id]) => id.startsWith('Web'));
    expect(roles).toHaveLength(1);
    expect(roles[0][1].Properties.AssumeRolePolicyDocument.Statement).toEqual([{
      Action: 'sts:AssumeRole',
      Effect: 'Allow',
      Principal: { Service: 'ecs-tasks.amazonaws.com' },
      Condition: {
        StringEquals: { 'aws:SourceAccount': '123456789012' },
        ArnLike: { 'aws:SourceArn': { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':ecs:us-east-1:123456789012:*']] } },
      },
    }]);
  });

  test('no task role until the application is granted something; the execution role may write only its log group and pull only the GuardDuty agent', () => {
    expect(taskDefOf(defaults).TaskRoleArn).toBeUndefined();
    const statements = policyOf(defaults, defaultStack, plain.executionRole);
    expect(statements).toHaveLength(3);
    expect(statements).toEqual(expect.arrayContaining([{
      Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
      Effect: 'Allow',
      Resource: { 'Fn::GetAtt': [expect.stringMatching(/^WebLogGroup/), 'Arn'] },
    }, {
      Action: ['ecr:BatchCheckLayerAvailability', 'ecr:GetDownloadUrlForLayer', 'ecr:BatchGetImage'],
      Effect: 'Allow',
      Resource: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':ecr:', { Ref: 'AWS::Region' }, ':593207742271:repository/aws-guardduty-agent-fargate']] },
    }, {
      Action: 'ecr:GetAuthorizationToken',
      Effect: 'Allow',
      Resource: '*',
    }]));
    defaults.resourceCountIs('AWS::IAM::Policy', 0);
  });

  test('a grant creates the task role, with the same trust and a managed policy', () => {
    const stack = plainStack('Granted');
    const cluster = new FoundryCluster(stack, 'Cluster');
    const td = new FoundryTaskDefinition(stack, 'Td', { cluster, image: nginx });
    cluster.alertTopic.grantPublish(td.taskRole);
    const t = Template.fromStack(stack);
    expect(taskDefOf(t).TaskRoleArn).toEqual({ 'Fn::GetAtt': [stack.getLogicalId(cfnRoleOf(td.taskRole)), 'Arn'] });
    expect(t.toJSON().Resources[stack.getLogicalId(cfnRoleOf(td.taskRole))].Properties.AssumeRolePolicyDocument.Statement[0].Condition)
      .toEqual(expect.objectContaining({ StringEquals: { 'aws:SourceAccount': '123456789012' } }));
    expect(policyOf(t, stack, td.taskRole)).toEqual(expect.arrayContaining([expect.objectContaining({ Action: 'sns:Publish' })]));
  });

  test('its security group has no inbound rule', () => {
    const groups = Object.entries<any>(defaults.findResources('AWS::EC2::SecurityGroup')).filter(([id]) => id.startsWith('Web'));
    expect(groups).toHaveLength(1);
    expect(groups[0][1].Properties.SecurityGroupIngress).toBeUndefined();
  });

  test('keeps the logical ID of its log group', () => {
    expect(Object.keys(defaults.findResources('AWS::Logs::LogGroup'))).toContain('WebLogGroup1664F270');
  });

  test('matches the snapshot', () => {
    expect(subtreeTemplate(plain, defaults)).toMatchSnapshot();
  });
});

describe('FoundryTaskDefinition fullest configuration', () => {
  test('size, architecture, ephemeral storage and stop timeout', () => {
    expect(taskDefOf(fullTemplate)).toMatchObject({
      Cpu: '1024',
      Memory: '3072',
      EphemeralStorage: { SizeInGiB: 50 },
      RuntimePlatform: { CpuArchitecture: 'ARM64', OperatingSystemFamily: 'LINUX' },
    });
    expect(containerOf(fullTemplate, 'api')).toMatchObject({
      StopTimeout: 60,
      User: '1000:1000',
      WorkingDirectory: '/srv',
      Command: ['serve', '--port', '8080'],
      PortMappings: [{ ContainerPort: 8080, Name: 'tcp-8080' }, { ContainerPort: 9090, Name: 'metrics' }].map(p => expect.objectContaining(p)),
      LinuxParameters: { InitProcessEnabled: true, Capabilities: { Drop: ['ALL'], Add: ['SYS_PTRACE'] } },
    });
  });

  test('secrets are injected by ECS, never written as environment values', () => {
    const api = containerOf(fullTemplate, 'api');
    expect(api.Environment).toEqual([{ Name: 'LOG_LEVEL', Value: 'info' }]);
    expect(api.Secrets.map((s: any) => s.Name).sort()).toEqual(['API_TOKEN', 'DB_PASSWORD', 'SHARED_KEY']);
    expect(JSON.stringify(api.Environment)).not.toMatch(/password|secret/i);
    expect(api.Secrets.find((s: any) => s.Name === 'SHARED_KEY').ValueFrom)
      .toBe('arn:aws:secretsmanager:eu-west-1:210987654321:secret:shared-AbCdEf');
  });

  test('the execution role reads exactly the named secrets and decrypts with their key', () => {
    const statements = policyOf(fullTemplate, fullStack, full.executionRole);
    const actions = statements.flatMap((s: any) => ([] as string[]).concat(s.Action));
    expect(actions).toEqual(expect.arrayContaining(['secretsmanager:GetSecretValue', 'ssm:GetParameters']));
    // The secret's customer-managed key lets this role decrypt through Secrets Manager only.
    fullTemplate.hasResourceProperties('AWS::KMS::Key', {
      KeyPolicy: {
        Statement: Match.arrayWith([Match.objectLike({
          Action: 'kms:Decrypt',
          Principal: { AWS: { 'Fn::GetAtt': [fullStack.getLogicalId(full.executionRole.node.defaultChild as any), 'Arn'] } },
          Condition: { StringEquals: { 'kms:ViaService': 'secretsmanager.us-east-1.amazonaws.com' } },
        })]),
      },
    });
    const secretResources = statements.filter((s: any) => ([] as string[]).concat(s.Action).includes('secretsmanager:GetSecretValue')).map((s: any) => s.Resource);
    expect(secretResources).toEqual([{ Ref: fullStack.getLogicalId(dbSecret.node.defaultChild as any) }, 'arn:aws:secretsmanager:eu-west-1:210987654321:secret:shared-AbCdEf']);
  });

  test('the execution role pulls only from the workload repository', () => {
    const statements = policyOf(fullTemplate, fullStack, full.executionRole);
    // Its own repository, and GuardDuty's agent repository of the Region (README, GuardDuty Runtime Monitoring): nothing else.
    const pulls = statements.filter((s: any) => ([] as string[]).concat(s.Action).includes('ecr:BatchGetImage')).map((s: any) => s.Resource);
    expect(pulls).toHaveLength(2);
    expect(pulls).toContainEqual({ 'Fn::GetAtt': [fullStack.getLogicalId(repo.repository.node.defaultChild as any), 'Arn'] });
    expect(JSON.stringify(pulls)).toContain(':593207742271:repository/aws-guardduty-agent-fargate');
  });

  test('the repository scans on push, has immutable tags, KMS encryption and keeps the last 10 images', () => {
    fullTemplate.hasResource('AWS::ECR::Repository', {
      Properties: {
        ImageScanningConfiguration: { ScanOnPush: true },
        ImageTagMutability: 'IMMUTABLE',
        EncryptionConfiguration: { EncryptionType: 'KMS' },
        LifecyclePolicy: { LifecyclePolicyText: Match.stringLikeRegexp('"countNumber":10') },
      },
      DeletionPolicy: 'Retain',
    });
  });

  test('FireLens routes every container through the log router, which the task role lets write to the log group', () => {
    const router = containerOf(fullTemplate, 'log-router');
    expect(router.FirelensConfiguration.Type).toBe('fluentbit');
    expect(router.LogConfiguration.Options).toMatchObject({ 'mode': 'non-blocking', 'max-buffer-size': '10485760b' });
    for (const name of ['api', 'migrate', 'proxy']) {
      const container = containerOf(fullTemplate, name);
      expect(container.LogConfiguration.LogDriver).toBe('awsfirelens');
      expect(container.DependsOn).toContainEqual({ ContainerName: 'log-router', Condition: 'START' });
    }
    const taskStatements = policyOf(fullTemplate, fullStack, full.taskRole);
    expect(taskStatements).toContainEqual(expect.objectContaining({ Action: ['logs:CreateLogStream', 'logs:PutLogEvents'] }));
    fullTemplate.hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: 180 });
  });

  test('sidecars start in order: an init container that must succeed and a proxy that must be healthy', () => {
    expect(containerOf(fullTemplate, 'api').DependsOn).toEqual(expect.arrayContaining([
      { ContainerName: 'migrate', Condition: 'SUCCESS' },
      { ContainerName: 'proxy', Condition: 'HEALTHY' },
    ]));
    expect(containerOf(fullTemplate, 'migrate').Essential).toBe(false);
    expect(containerOf(fullTemplate, 'proxy')).toMatchObject({ Essential: true, Cpu: 128, MemoryReservation: 128, ReadonlyRootFilesystem: true });
  });

  test('writable paths become task-scoped volumes', () => {
    const mounts = containerOf(fullTemplate, 'api').MountPoints;
    expect(mounts).toEqual(expect.arrayContaining([
      { ContainerPath: '/tmp', SourceVolume: 'writable-api-tmp', ReadOnly: false },
      { ContainerPath: '/srv/cache', SourceVolume: 'writable-api-srv-cache', ReadOnly: false },
    ]));
  });

  test('a shared volume is mounted with TLS and IAM through its access point, NFS open only to the task security group', () => {
    const volumes = taskDefOf(fullTemplate).Volumes.filter((v: any) => v.EFSVolumeConfiguration);
    expect(volumes).toHaveLength(2);
    for (const v of volumes) {
      expect(v.EFSVolumeConfiguration).toMatchObject({ TransitEncryption: 'ENABLED', AuthorizationConfig: { IAM: 'ENABLED', AccessPointId: expect.anything() } });
    }
    expect(containerOf(fullTemplate, 'api').MountPoints).toContainEqual({ ContainerPath: '/data', SourceVolume: volumes[0].Name, ReadOnly: false });
    expect(containerOf(fullTemplate, 'proxy').MountPoints).toContainEqual({ ContainerPath: '/reports', SourceVolume: volumes[1].Name, ReadOnly: true });
    const efsGrants = policyOf(fullTemplate, fullStack, full.taskRole).filter((s: any) => String(s.Action).includes('elasticfilesystem'));
    expect(efsGrants.map((s: any) => s.Action)).toEqual([
      ['elasticfilesystem:ClientMount', 'elasticfilesystem:ClientWrite'],
      'elasticfilesystem:ClientMount',
    ]);
    for (const grant of efsGrants) {
      expect(grant.Condition.StringEquals['elasticfilesystem:AccessPointArn']).toBeDefined();
    }
    fullTemplate.hasResourceProperties('AWS::EC2::SecurityGroupIngress', {
      IpProtocol: 'tcp',
      FromPort: 2049,
      ToPort: 2049,
      SourceSecurityGroupId: { 'Fn::GetAtt': [fullStack.getLogicalId(full.securityGroup.node.defaultChild as any), 'GroupId'] },
    });
  });

  test('matches the snapshot', () => {
    expect(subtreeTemplate(full, fullTemplate)).toMatchSnapshot();
  });
});

describe('FoundryTaskDefinition on EC2 and Windows', () => {
  test('EC2 capacity gives an EC2-compatible awsvpc task with GPUs and shared memory', () => {
    expect(taskDefOf(ec2Template)).toMatchObject({ RequiresCompatibilities: ['EC2'], NetworkMode: 'awsvpc', Cpu: '2048', Memory: '8192' });
    expect(taskDefOf(ec2Template).RuntimePlatform).toBeUndefined();
    expect(containerOf(ec2Template, 'app')).toMatchObject({
      ResourceRequirements: [{ Type: 'GPU', Value: '1' }],
      LinuxParameters: { InitProcessEnabled: true, SharedMemorySize: 1024 },
    });
  });

  test('Windows containers get a writable root and no Linux parameters', () => {
    expect(taskDefOf(windowsTemplate).RuntimePlatform).toEqual({ CpuArchitecture: 'X86_64', OperatingSystemFamily: 'WINDOWS_SERVER_2022_CORE' });
    const app = containerOf(windowsTemplate, 'app');
    expect(app.ReadonlyRootFilesystem).toBe(false);
    expect(app.LinuxParameters).toBeUndefined();
    expect(app.MountPoints).toBeUndefined();
  });

  test('your own roles are used as given', () => {
    const stack = plainStack();
    const cluster = new FoundryCluster(stack, 'Cluster');
    const taskRole = iam.Role.fromRoleArn(stack, 'TaskRole', 'arn:aws:iam::123456789012:role/app');
    const executionRole = iam.Role.fromRoleArn(stack, 'ExecRole', 'arn:aws:iam::123456789012:role/exec');
    const td = new FoundryTaskDefinition(stack, 'Td', { cluster, image: nginx, taskRole, executionRole });
    expect(td.taskRole).toBe(taskRole);
    expect(taskDefOf(Template.fromStack(stack))).toMatchObject({
      TaskRoleArn: 'arn:aws:iam::123456789012:role/app', ExecutionRoleArn: 'arn:aws:iam::123456789012:role/exec',
    });
  });
});

describe('FoundryTaskDefinition rejects bad input with the prop name and a fix', () => {
  const otherStack = plainStack('Bad');
  const cluster = new FoundryCluster(otherStack, 'Cluster');
  const gpuCapacity = cluster.addEc2Capacity('Gpu', { instanceType: new ec2.InstanceType('g5.xlarge') });
  const armCapacity = cluster.addEc2Capacity('Arm', { instanceType: new ec2.InstanceType('m7g.large') });
  const crossRegion = secretsmanager.Secret.fromSecretPartialArn(otherStack, 'Partial', 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:shared');
  const crossAccountParam = ssm.StringParameter.fromStringParameterArn(otherStack, 'OtherAccount', 'arn:aws:ssm:us-east-1:999999999999:parameter/x');
  let n = 0;
  const make = (props: Partial<FoundryTaskDefinitionProps>) => () =>
    new FoundryTaskDefinition(otherStack, `Td${n++}`, { cluster, image: nginx, ...props } as FoundryTaskDefinitionProps);
  const windows = ecs.OperatingSystemFamily.WINDOWS_SERVER_2022_CORE;

  test.each<[string, Partial<FoundryTaskDefinitionProps>, RegExp]>([
    ['no image', { image: undefined }, /invalid image = undefined\. Pass the main container's image/],
    ['Fargate CPU that does not exist', { cpu: 300 }, /invalid cpu = 300\. Fargate tasks take 256, 512, 1024/],
    ['Linux memory not valid for the CPU', { cpu: 1024, memoryMiB: 1024 }, /invalid memoryMiB = 1024\. On Fargate, memory for 1024 CPU units must be 2048-8192 MiB in steps of 1024/],
    ['memory above the range for 8 vCPU', { cpu: 8192, memoryMiB: 65536 }, /memory for 8192 CPU units must be 16384-61440 MiB in steps of 4096/],
    ['Windows with 512 CPU units', { operatingSystemFamily: windows, cpu: 512, memoryMiB: 1024 }, /invalid cpu = 512\. Fargate Windows tasks take 1024, 2048, 4096/],
    ['Windows on Spot', { operatingSystemFamily: windows, cpu: 1024, memoryMiB: 2048, capacity: Capacity.spot() }, /invalid capacity = 'Capacity\.spot\(\)'\. Fargate Spot does not run Windows/],
    ['Windows on EC2', { operatingSystemFamily: windows, capacity: Capacity.ec2(gpuCapacity) }, /invalid operatingSystemFamily = 'WINDOWS_SERVER_2022_CORE'\. Windows tasks run on Fargate/],
    ['Windows on ARM64', { operatingSystemFamily: windows, cpu: 1024, memoryMiB: 2048, cpuArchitecture: ecs.CpuArchitecture.ARM64 }, /invalid cpuArchitecture = 'ARM64'\. Windows containers on Fargate are X86_64 only/],
    ['Windows with a read-only root', { operatingSystemFamily: windows, cpu: 1024, memoryMiB: 2048, readonlyRootFilesystem: true }, /invalid app: readonlyRootFilesystem = true\. Windows containers do not support a read-only root/],
    ['ARM64 image on x86 instances', { capacity: Capacity.ec2(gpuCapacity), cpuArchitecture: ecs.CpuArchitecture.ARM64 }, /invalid cpuArchitecture = 'ARM64'\. The EC2 capacity 'Bad\/Cluster\/Gpu' runs X86_64 instances/],
    ['ephemeral storage below 21 GiB', { ephemeralStorageGiB: 20 }, /invalid ephemeralStorageGiB = 20\. Use a whole number between 21 and 200/],
    ['ephemeral storage above 200 GiB', { ephemeralStorageGiB: 201 }, /invalid ephemeralStorageGiB = 201/],
    ['ephemeral storage on EC2', { capacity: Capacity.ec2(armCapacity), ephemeralStorageGiB: 50 }, /invalid ephemeralStorageGiB = 50\. Ephemeral storage is a Fargate setting/],
    ['GPU on Fargate', { gpuCount: 1 }, /invalid gpuCount = 1\. GPUs need EC2 capacity with GPU instances/],
    ['shared memory on Fargate', { linux: { sharedMemorySizeMiB: 256 } }, /invalid linux\.sharedMemorySizeMiB = 256\. Fargate does not support a custom \/dev\/shm size/],
    ['capability Fargate refuses', { linux: { addCapabilities: [ecs.Capability.NET_ADMIN] } }, /invalid linux\.addCapabilities = \['NET_ADMIN'\]\. Fargate allows adding only ecs\.Capability\.SYS_PTRACE/],
    ['duplicate container names', { sidecars: [{ name: 'app', image: busybox }] }, /invalid containerName = 'app'\. Container names must be unique/],
    ['reserved container name', { sidecars: [{ name: 'log-router', image: busybox }] }, /invalid containerName = 'log-router'/],
    ['bad container name', { containerName: 'my app' }, /invalid containerName = 'my app'\. Use 1-255 letters/],
    ['duplicate ports across containers', { port: 8080, sidecars: [{ name: 'proxy', image: busybox, ports: [{ port: 8080 }] }] }, /invalid port = 8080\. Port 8080\/tcp is claimed by both 'app' and 'proxy'/],
    ['duplicate ports in one container', { port: 8080, ports: [{ port: 8080 }] }, /Port 8080\/tcp is claimed by both 'app' and 'app'/],
    ['port out of range', { port: 70000 }, /invalid app: port = 70000\. Use a whole number between 1 and 65535/],
    ['invalid environment name', { environment: { 'LOG-LEVEL': 'info' } }, /invalid app: environment = 'LOG-LEVEL'\. Environment variable names are letters/],
    ['a variable both plain and secret', { environment: { TOKEN: 'x' }, secrets: { TOKEN: ecs.Secret.fromSsmParameter(crossAccountParam) } }, /invalid app: secrets = 'TOKEN'\. TOKEN is both a plain environment variable and a secret/],
    ['secret from another region without a complete ARN', { secrets: { SHARED: ecs.Secret.fromSecretsManager(crossRegion) } }, /invalid app: secrets\.SHARED = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:shared'\. This secret is in 123456789012\/eu-west-1.*fromSecretCompleteArn/],
    ['SSM parameter of another account', { secrets: { X: ecs.Secret.fromSsmParameter(crossAccountParam) } }, /invalid app: secrets\.X = .*ECS cannot read SSM parameters of another account/],
    ['writable paths with a writable root', { readonlyRootFilesystem: false, writablePaths: ['/tmp'] }, /invalid app: writablePaths = \['\/tmp'\]\. The root file system is already writable/],
    ['relative writable path', { writablePaths: ['tmp'] }, /invalid app: writablePaths = 'tmp'\. Use absolute paths/],
    ['stop timeout above Fargate\'s 120 s', { stopTimeout: Duration.minutes(5) }, /invalid app: stopTimeout \(seconds\) = 300\. Use a whole number between 2 and 120/],
    ['HEALTHY without a health check', { sidecars: [{ name: 'proxy', image: busybox, mainContainerWaitsFor: ecs.ContainerDependencyCondition.HEALTHY }] }, /invalid sidecar 'proxy': mainContainerWaitsFor = 'HEALTHY'\. HEALTHY needs a healthCheck/],
    ['an essential init container', { sidecars: [{ name: 'init', image: busybox, mainContainerWaitsFor: ecs.ContainerDependencyCondition.COMPLETE }] }, /invalid sidecar 'init': essential = true\. The main container waits for this sidecar to exit/],
    ['sidecars reserving all memory', { sidecars: [{ name: 'big', image: busybox, memoryReservationMiB: 512 }] }, /invalid sidecars = '512 MiB reserved'\. Sidecars reserve all the task memory/],
    ['buffer without non-blocking mode', { logging: { maxBufferSize: Size.mebibytes(4) } }, /invalid logging\.maxBufferSize = '4 MiB'\. A buffer applies only to non-blocking delivery/],
    ['buffer too large', { logging: { nonBlocking: true, maxBufferSize: Size.gibibytes(2) } }, /invalid logging\.maxBufferSize = '2048 MiB'\. Use Size\.mebibytes\(1\) to Size\.gibibytes\(1\)/],
  ])('%s', (_name, props, message) => {
    expect(make(props)).toThrow(message);
  });

  test('EC2 capacity of another cluster', () => {
    const other = new FoundryCluster(otherStack, 'Other');
    expect(make({ cluster: other, capacity: Capacity.ec2(gpuCapacity) })).toThrow(/That EC2 capacity belongs to the cluster 'Bad\/Cluster'/);
  });

  test('EFS on Windows, the same path twice, and a volume of another cluster', () => {
    const vol = new SharedVolume(otherStack, 'Vol', { cluster });
    const win = make({ operatingSystemFamily: windows, cpu: 1024, memoryMiB: 2048 })();
    expect(() => win.addVolume(vol, '/data')).toThrow(/invalid volume = 'Bad\/Vol'\. EFS volumes cannot be mounted into Windows containers/);
    const linux = make({})();
    linux.addVolume(vol, '/data');
    expect(() => linux.addVolume(vol, '/data')).toThrow(/invalid containerPath = '\/data'\. Container 'app' already has a volume or writable path at \/data/);
    expect(() => linux.addVolume(vol, '/tmp')).toThrow(/already has a volume or writable path at \/tmp/);
    expect(() => linux.addVolume(vol, 'data')).toThrow(/invalid containerPath = 'data'\. Use an absolute path/);
    const app = new App();
    const elsewhere = new FoundryCluster(new Stack(app, 'Elsewhere'), 'Cluster');
    const foreign = new SharedVolume(elsewhere, 'Vol', { cluster: elsewhere });
    expect(() => linux.addVolume(foreign, '/other')).toThrow(/The volume's mount targets are in the VPC of 'Elsewhere\/Cluster'/);
    expect(() => linux.container('nope')).toThrow(/invalid containerName = 'nope'\. The task has the containers 'app'/);
  });

  test('bad repository inputs', () => {
    expect(() => new WorkloadRepository(otherStack, 'R1', { keepImages: 0 })).toThrow(/invalid keepImages = 0/);
    expect(() => new WorkloadRepository(otherStack, 'R2', { repositoryName: 'My_Repo' })).toThrow(/invalid repositoryName = 'My_Repo'/);
    expect(() => new WorkloadRepository(otherStack, 'R3').image('-bad')).toThrow(/invalid tag = '-bad'\. Use a Docker tag/);
  });
});

describe('FoundryTaskDefinition resolves its props once', () => {
  test('the capacity comes from the cluster once: a later useDefaultCapacity() names this workload instead of diverging from it', () => {
    // Before: the task definition read cluster.defaultCapacity itself, so a useDefaultCapacity() after it silently
    // gave the cluster another default than the one this workload was built for.
    const stack = plainStack('CapacityOnce');
    const cluster = new FoundryCluster(stack, 'Cluster');
    const ec2Capacity = cluster.addEc2Capacity('Ec2', { instanceType: new ec2.InstanceType('m7i.large') });
    const td = new FoundryTaskDefinition(stack, 'Td', { cluster, image: nginx });
    expect(td.capacity).toBe(cluster.defaultCapacity);
    expect(() => cluster.useDefaultCapacity(Capacity.ec2(ec2Capacity)))
      .toThrow(/'CapacityOnce\/Td' already runs on the default capacity \(FARGATE\): call useDefaultCapacity\(\) before creating workloads/);
  });

  test("a workload's own capacity leaves the cluster's default free to change", () => {
    const stack = plainStack('OwnCapacity');
    const cluster = new FoundryCluster(stack, 'Cluster');
    const spot = Capacity.spot();
    const td = new FoundryTaskDefinition(stack, 'Td', { cluster, image: nginx, capacity: spot });
    expect(td.capacity).toBe(spot);
    expect(() => cluster.useDefaultCapacity(Capacity.spot({ onDemandBase: 1 }))).not.toThrow();
  });

  test('addSidecar() is validated like the sidecars prop: ports, environment and names shared with the other containers', () => {
    // Before: addSidecar() checked only the name and the container count.
    const stack = plainStack('LateSidecar');
    const cluster = new FoundryCluster(stack, 'Cluster');
    const td = new FoundryTaskDefinition(stack, 'Td', { cluster, image: nginx, port: 8080 });
    expect(() => td.addSidecar({ name: 'proxy', image: busybox, ports: [{ port: 8080 }] }))
      .toThrow(/FoundryTaskDefinition 'LateSidecar\/Td': invalid port = 8080\. Port 8080\/tcp is claimed by both 'app' and 'proxy'/);
    expect(() => td.addSidecar({ name: 'agent', image: busybox, environment: { 'BAD-NAME': 'x' } }))
      .toThrow(/invalid agent: environment = 'BAD-NAME'\. Environment variable names are letters/);
    expect(() => td.addSidecar({ name: 'init', image: busybox, mainContainerWaitsFor: ecs.ContainerDependencyCondition.SUCCESS }))
      .toThrow(/invalid sidecar 'init': essential = true\. The main container waits for this sidecar to exit/);
    expect(() => td.addSidecar({ name: 'hog', image: busybox, memoryReservationMiB: 512 }))
      .toThrow(/invalid sidecars = '512 MiB reserved'/);
    // A refused sidecar leaves nothing behind: a valid one with the same name is still accepted.
    const proxy = td.addSidecar({ name: 'proxy', image: busybox, ports: [{ port: 15000 }] });
    expect(td.container('proxy')).toBe(proxy);
    expect(() => td.addSidecar({ name: 'other', image: busybox, ports: [{ port: 15000 }] })).toThrow(/claimed by both 'proxy' and 'other'/);
  });

  test('a sidecar added later starts after the FireLens log router, like those of the sidecars prop', () => {
    // Before: only the containers created by the constructor waited for the router, so a late sidecar could lose its first lines.
    const stack = plainStack('LateFirelens');
    const cluster = new FoundryCluster(stack, 'Cluster');
    const td = new FoundryTaskDefinition(stack, 'Td', { cluster, image: nginx, logging: { firelens: true } });
    td.addSidecar({ name: 'late', image: busybox });
    expect(containerOf(Template.fromStack(stack), 'late')).toMatchObject({
      LogConfiguration: { LogDriver: 'awsfirelens' },
      DependsOn: [{ ContainerName: 'log-router', Condition: 'START' }],
    });
  });

  test('ephemeralStorageGiB 20 is refused with the reason: without the setting Fargate already gives 20 GiB', () => {
    const stack = plainStack('Ephemeral');
    const cluster = new FoundryCluster(stack, 'Cluster');
    expect(() => new FoundryTaskDefinition(stack, 'Twenty', { cluster, image: nginx, ephemeralStorageGiB: 20 }))
      .toThrow(/invalid ephemeralStorageGiB = 20\. Use a whole number between 21 and 200: Fargate gives every task 20 GiB without the setting, so leave ephemeralStorageGiB unset/);
    new FoundryTaskDefinition(stack, 'Unset', { cluster, image: nginx });
    new FoundryTaskDefinition(stack, 'Least', { cluster, image: nginx, ephemeralStorageGiB: 21 });
    const sizes = Object.values<any>(Template.fromStack(stack).findResources('AWS::ECS::TaskDefinition')).map(r => r.Properties.EphemeralStorage);
    expect(sizes).toEqual([undefined, { SizeInGiB: 21 }]);
  });

  test("the cluster's removalPolicy reaches the log group of a task definition on its own; logging.removalPolicy wins", () => {
    const stack = plainStack('LogRemoval');
    const cluster = new FoundryCluster(stack, 'Cluster', { removalPolicy: RemovalPolicy.DESTROY });
    const followed = new FoundryTaskDefinition(stack, 'Followed', { cluster, image: nginx });
    const kept = new FoundryTaskDefinition(stack, 'Kept', { cluster, image: nginx, logging: { removalPolicy: RemovalPolicy.RETAIN } });
    const resources = Template.fromStack(stack).toJSON().Resources;
    const policyOfLogGroup = (td: FoundryTaskDefinition) => resources[stack.getLogicalId(td.logGroup.node.defaultChild as any)].DeletionPolicy;
    expect(policyOfLogGroup(followed)).toBe('Delete');
    expect(policyOfLogGroup(kept)).toBe('Retain');
  });

  test('the defaults are applied once, the same for the main container and sidecars', () => {
    const stack = plainStack('Defaults');
    const cluster = new FoundryCluster(stack, 'Cluster');
    new FoundryTaskDefinition(stack, 'Td', { cluster, image: nginx, sidecars: [{ name: 'agent', image: busybox }] });
    const t = Template.fromStack(stack);
    for (const name of ['app', 'agent']) {
      expect(containerOf(t, name)).toMatchObject({
        Essential: true,
        ReadonlyRootFilesystem: true,
        MountPoints: [{ ContainerPath: '/tmp', SourceVolume: `writable-${name}-tmp`, ReadOnly: false }],
      });
    }
  });
});
