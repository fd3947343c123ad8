import { Duration, Lazy, Size, Stack, Token } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import {
  Capacity, CapacityType, FoundryCluster, FoundryTaskDefinition, ManagedInstancesCapacity, ManagedInstancesCapacityOptions,
  ManagedInstancesPurchaseOption, ManagedInstancesReservationPreference, Schedule, ScheduledTask, WebService, WorkerService,
} from '../../src';
import { plainStack } from '../support/stacks';

const image = ecs.ContainerImage.fromRegistry('public.ecr.aws/nginx/nginx:stable');
const CP = 'AWS::ECS::CapacityProvider';

/** The ManagedInstancesProvider of the one Managed Instances capacity provider of a template. */
function providerOf(template: Template, capacity: ManagedInstancesCapacity): any {
  const id = Stack.of(capacity).getLogicalId(capacity.capacityProvider.node.defaultChild as ecs.CfnCapacityProvider);
  return template.toJSON().Resources[id].Properties.ManagedInstancesProvider;
}

describe('ManagedInstancesCapacity: defaults', () => {
  // GIVEN: a cluster whose default capacity is Managed Instances, with a web service, a worker and a scheduled task.
  const stack = plainStack('Mi');
  const cluster = new FoundryCluster(stack, 'Cluster');
  const mi = cluster.addManagedInstances('Instances');
  const capacity = Capacity.managedInstances(mi);
  cluster.useDefaultCapacity(capacity);
  const web = new WebService(stack, 'Web', {
    cluster,
    image,
    port: 8080,
    certificate: acm.Certificate.fromCertificateArn(stack, 'Cert', 'arn:aws:acm:us-east-1:123456789012:certificate/abc'),
  });
  const worker = new WorkerService(stack, 'Worker', { cluster, image, capacity });
  new ScheduledTask(stack, 'Nightly', { cluster, image, schedule: Schedule.cron('0 3 * * ? *') });
  const template = Template.fromStack(stack);
  const provider = providerOf(template, mi);
  const cpRef = { Ref: stack.getLogicalId(mi.capacityProvider.node.defaultChild as ecs.CfnCapacityProvider) };

  test('the capacity provider is cluster-scoped, on demand, auto-repaired, tagged and in private subnets', () => {
    template.hasResourceProperties(CP, { ClusterName: { Ref: Match.stringLikeRegexp('^ClusterC') } });
    expect(provider.InstanceLaunchTemplate.CapacityOptionType).toBe('ON_DEMAND');
    expect(provider.AutoRepairConfiguration).toEqual({ ActionsStatus: 'ENABLED' });
    expect(provider.InfrastructureOptimization).toBeUndefined();
    expect(provider.PropagateTags).toBe('CAPACITY_PROVIDER');
    expect(provider.InstanceLaunchTemplate.Monitoring).toBe('BASIC');
    expect(provider.InstanceLaunchTemplate.StorageConfiguration).toEqual({ StorageSizeGiB: 30 });
    expect(provider.InstanceLaunchTemplate.FipsEnabled).toBeUndefined();
    expect(provider.InstanceLaunchTemplate.NetworkConfiguration.Subnets).toEqual(
      cluster.vpc.privateSubnets.map(s => ({ Ref: stack.getLogicalId(s.node.defaultChild as ec2.CfnSubnet) })));
  });

  test('instance requirements: x86_64, current generation, no burstable or bare metal types', () => {
    expect(provider.InstanceLaunchTemplate.InstanceRequirements).toEqual({
      VCpuCount: { Min: 1 },
      MemoryMiB: { Min: 1024 },
      CpuManufacturers: ['intel', 'amd'],
      BurstablePerformance: 'excluded',
      BareMetal: 'excluded',
      InstanceGenerations: ['current'],
    });
  });

  test('the instance profile carries the instance role; the security group admits nothing', () => {
    template.hasResourceProperties('AWS::IAM::InstanceProfile', { Roles: [{ Ref: stack.getLogicalId(mi.instanceRole.node.defaultChild as any) }] });
    const sg = template.toJSON().Resources[stack.getLogicalId(mi.securityGroup.node.defaultChild as ec2.CfnSecurityGroup)];
    expect(sg.Properties.SecurityGroupIngress).toBeUndefined();
  });

  test('the infrastructure role: trusted by ECS, the AWS managed policy, and iam:PassRole of exactly the instance role', () => {
    const roleId = stack.getLogicalId(mi.infrastructureRole.node.defaultChild as any);
    template.hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: { Statement: [Match.objectLike({ Principal: { Service: 'ecs.amazonaws.com' } })] },
      ManagedPolicyArns: [{ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::aws:policy/AmazonECSInfrastructureRolePolicyForManagedInstances']] }],
    });
    const instanceRoleArn = { 'Fn::GetAtt': [stack.getLogicalId(mi.instanceRole.node.defaultChild as any), 'Arn'] };
    template.hasResourceProperties('AWS::IAM::ManagedPolicy', {
      Roles: [{ Ref: roleId }],
      PolicyDocument: {
        Statement: [
          { Sid: 'PassTheInstanceRole', Effect: 'Allow', Action: 'iam:PassRole', Resource: instanceRoleArn, Condition: { StringEquals: { 'iam:PassedToService': 'ec2.amazonaws.com' } } },
          { Sid: 'PassNoOtherRole', Effect: 'Deny', Action: 'iam:PassRole', NotResource: instanceRoleArn },
        ],
      },
    });
  });

  test('the cluster default strategy names the capacity provider; it is not an association of the cluster', () => {
    template.hasResourceProperties('AWS::ECS::ClusterCapacityProviderAssociations', {
      CapacityProviders: ['FARGATE', 'FARGATE_SPOT'],
      DefaultCapacityProviderStrategy: [{ CapacityProvider: cpRef, Weight: 1 }],
    });
  });

  test('task definitions are MANAGED_INSTANCES, awsvpc, with the capacity\'s architecture', () => {
    for (const td of [web.taskDefinition, worker.taskDefinition]) {
      const props = template.toJSON().Resources[stack.getLogicalId(td.node.defaultChild as ecs.CfnTaskDefinition)].Properties;
      expect(props.RequiresCompatibilities).toEqual(['MANAGED_INSTANCES']);
      expect(props.NetworkMode).toBe('awsvpc');
      expect(props.RuntimePlatform).toEqual({ CpuArchitecture: 'X86_64', OperatingSystemFamily: 'LINUX' });
    }
  });

  test('services run on the capacity provider: no launch type, no Fargate platform version', () => {
    const services = Object.values<any>(template.findResources('AWS::ECS::Service'));
    expect(services).toHaveLength(2);
    for (const service of services) {
      expect(service.Properties.LaunchType).toBeUndefined();
      expect(service.Properties.PlatformVersion).toBeUndefined();
      expect(service.Properties.CapacityProviderStrategy).toEqual([{ CapacityProvider: cpRef, Weight: 1 }]);
    }
    expect(web.capacity.type).toBe(CapacityType.MANAGED_INSTANCES);
  });

  test('the scheduled task runs with the capacity provider strategy', () => {
    template.hasResourceProperties('AWS::Scheduler::Schedule', {
      Target: { EcsParameters: Match.objectLike({ CapacityProviderStrategy: [{ CapacityProvider: cpRef, Weight: 1 }], LaunchType: Match.absent() }) },
    });
  });

  test('the cluster lists its Managed Instances capacity', () => {
    expect(cluster.managedInstancesCapacityList).toEqual([mi]);
    expect(mi.cpuArchitecture).toBe(ecs.CpuArchitecture.X86_64);
  });
});

describe('ManagedInstancesCapacity: fullest', () => {
  const stack = plainStack('MiFull');
  const cluster = new FoundryCluster(stack, 'Cluster');
  const mi = cluster.addManagedInstances('Graviton', {
    cpuArchitecture: ecs.CpuArchitecture.ARM64,
    minVcpus: 2,
    maxVcpus: 16,
    minMemory: Size.gibibytes(4),
    maxMemory: Size.gibibytes(64),
    allowedInstanceTypes: ['m7g.*', 'c7g.*'],
    burstable: true,
    purchaseOption: ManagedInstancesPurchaseOption.SPOT,
    storageSize: Size.gibibytes(100),
    useLocalStorage: true,
    detailedMonitoring: true,
    autoRepair: false,
    scaleInAfter: Duration.minutes(5),
    fipsEnabled: true,
    propagateTags: false,
    capacityProviderName: 'graviton-mi',
  });
  const gpu = cluster.addManagedInstances('Gpu', {
    minGpus: 1,
    purchaseOption: ManagedInstancesPurchaseOption.RESERVED,
    capacityReservations: {
      preference: ManagedInstancesReservationPreference.RESERVATIONS_FIRST,
      reservationGroupArn: 'arn:aws:resource-groups:us-east-1:123456789012:group/gpu-reservations',
    },
    infrastructureOptimization: false,
  });
  const arm = new FoundryTaskDefinition(stack, 'Arm', { cluster, image, capacity: Capacity.managedInstances(mi), cpu: 1536, memoryMiB: 3000 });
  const cuda = new FoundryTaskDefinition(stack, 'Cuda', { cluster, image, capacity: Capacity.managedInstances(gpu), gpuCount: 1, memoryMiB: 8192 });
  const template = Template.fromStack(stack);

  test('every option reaches the capacity provider', () => {
    template.hasResourceProperties(CP, { Name: 'graviton-mi' });
    const provider = providerOf(template, mi);
    expect(provider.InstanceLaunchTemplate).toMatchObject({
      CapacityOptionType: 'SPOT',
      Monitoring: 'DETAILED',
      StorageConfiguration: { StorageSizeGiB: 100 },
      LocalStorageConfiguration: { UseLocalStorage: true },
      FipsEnabled: true,
      InstanceRequirements: {
        VCpuCount: { Min: 2, Max: 16 },
        MemoryMiB: { Min: 4096, Max: 65536 },
        CpuManufacturers: ['amazon-web-services'],
        BurstablePerformance: 'included',
        AllowedInstanceTypes: ['m7g.*', 'c7g.*'],
        LocalStorage: 'required',
      },
    });
    expect(provider.AutoRepairConfiguration).toEqual({ ActionsStatus: 'DISABLED' });
    expect(provider.InfrastructureOptimization).toEqual({ ScaleInAfter: 300 });
    expect(provider.PropagateTags).toBe('NONE');
  });

  test('reserved GPU capacity: accelerators and reservations; optimization off', () => {
    const provider = providerOf(template, gpu);
    expect(provider.InstanceLaunchTemplate.CapacityOptionType).toBe('RESERVED');
    expect(provider.InstanceLaunchTemplate.CapacityReservations).toEqual({
      ReservationPreference: 'RESERVATIONS_FIRST',
      ReservationGroupArn: 'arn:aws:resource-groups:us-east-1:123456789012:group/gpu-reservations',
    });
    expect(provider.InstanceLaunchTemplate.InstanceRequirements).toMatchObject({ AcceleratorTypes: ['gpu'], AcceleratorCount: { Min: 1 } });
    expect(provider.InfrastructureOptimization).toEqual({ ScaleInAfter: -1 });
  });

  test('tasks take any whole size (no Fargate pairs), the capacity\'s architecture and its GPUs', () => {
    const props = (td: FoundryTaskDefinition) =>
      template.toJSON().Resources[stack.getLogicalId(td.taskDefinition.node.defaultChild as ecs.CfnTaskDefinition)].Properties;
    expect(props(arm)).toMatchObject({ Cpu: '1536', Memory: '3000', RuntimePlatform: { CpuArchitecture: 'ARM64' } });
    expect(props(cuda).ContainerDefinitions[0].ResourceRequirements).toEqual([{ Type: 'GPU', Value: '1' }]);
  });
});

describe('ManagedInstancesCapacity: bad input is rejected at synth', () => {
  let n = 0;
  const add = (options: ManagedInstancesCapacityOptions) => () => {
    const stack = plainStack(`Bad${n++}`);
    new FoundryCluster(stack, 'Cluster').addManagedInstances('Instances', options);
  };
  test.each<[string, () => unknown, RegExp]>([
    ['zero vCPUs', add({ minVcpus: 0 }), /invalid minVcpus = 0\. Use a whole number between 1 and 10000/],
    ['negative vCPUs', add({ minVcpus: -2 }), /invalid minVcpus = -2/],
    ['fractional vCPUs', add({ minVcpus: 1.5 }), /invalid minVcpus = 1\.5\. Use a whole number/],
    ['maxVcpus below minVcpus', add({ minVcpus: 8, maxVcpus: 4 }), /invalid maxVcpus = 4\. maxVcpus must be at least minVcpus \(8\)/],
    ['maxMemory below minMemory', add({ minMemory: Size.gibibytes(8), maxMemory: Size.gibibytes(4) }), /invalid maxMemory = '4096 MiB'\. maxMemory must be at least minMemory \(8192 MiB\)/],
    ['fractional memory', add({ minMemory: Size.kibibytes(1536) }), /invalid minMemory/],
    ['allowed and excluded types', add({ allowedInstanceTypes: ['m7i.*'], excludedInstanceTypes: ['t3.*'] }), /invalid excludedInstanceTypes.*not both/],
    ['an empty type list', add({ allowedInstanceTypes: [] }), /invalid allowedInstanceTypes = \[\]\. List at least one/],
    ['an empty excluded list', add({ excludedInstanceTypes: [] }), /invalid excludedInstanceTypes = \[\]/],
    ['a malformed type', add({ allowedInstanceTypes: ['m7i large'] }), /invalid allowedInstanceTypes = 'm7i large'/],
    ['a type name too long', add({ excludedInstanceTypes: ['x'.repeat(31)] }), /invalid excludedInstanceTypes = 'x{31}'/],
    ['a duplicate type', add({ allowedInstanceTypes: ['m7i.large', 'M7i.large'] }), /is listed twice/],
    ['more than 400 types', add({ allowedInstanceTypes: Array.from({ length: 401 }, (_, i) => `m${i}.large`) }), /at most 400 instance types/],
    ['zero GPUs', add({ minGpus: 0 }), /invalid minGpus = 0/],
    ['17 GPUs', add({ minGpus: 17 }), /invalid minGpus = 17/],
    ['reservations without RESERVED', add({ capacityReservations: { preference: ManagedInstancesReservationPreference.RESERVATIONS_ONLY } }), /invalid capacityReservations.*RESERVED \(it is ON_DEMAND\)/],
    ['RESERVED without reservations', add({ purchaseOption: ManagedInstancesPurchaseOption.RESERVED }), /invalid capacityReservations = undefined/],
    ['an unknown reservation preference', add({ purchaseOption: ManagedInstancesPurchaseOption.RESERVED, capacityReservations: { preference: 'LATER' as ManagedInstancesReservationPreference } }), /invalid capacityReservations\.preference = 'LATER'/],
    ['a reservation group that is not a resource group ARN', add({
      purchaseOption: ManagedInstancesPurchaseOption.RESERVED,
      capacityReservations: { preference: ManagedInstancesReservationPreference.RESERVATIONS_ONLY, reservationGroupArn: 'arn:aws:ec2:us-east-1:123456789012:capacity-reservation/cr-1' },
    }), /invalid capacityReservations\.reservationGroupArn/],
    ['an unknown purchase option', add({ purchaseOption: 'CHEAP' as ManagedInstancesPurchaseOption }), /invalid purchaseOption = 'CHEAP'/],
    ['storage of 0 GiB', add({ storageSize: Size.gibibytes(0) }), /invalid storageSize \(GiB\) = 0/],
    ['storage above 16 TiB', add({ storageSize: Size.gibibytes(16_385) }), /invalid storageSize \(GiB\) = 16385/],
    ['fractional storage', add({ storageSize: Size.mebibytes(1536) }), /invalid storageSize \(GiB\) = 1\.5/],
    ['a scale-in delay above one hour', add({ scaleInAfter: Duration.hours(2) }), /invalid scaleInAfter \(seconds\) = 7200\. Use a whole number between 0 and 3600/],
    ['a scale-in delay with optimization off', add({ scaleInAfter: Duration.minutes(1), infrastructureOptimization: false }), /invalid scaleInAfter = '1 minute'.*turns off/],
    ['a fractional scale-in delay', add({ scaleInAfter: Duration.millis(1500) }), /invalid scaleInAfter/],
    ['a reserved name prefix', add({ capacityProviderName: 'ecs-instances' }), /invalid capacityProviderName = 'ecs-instances'\. ECS reserves names/],
    ['a name with spaces', add({ capacityProviderName: 'my instances' }), /invalid capacityProviderName = 'my instances'/],
    ['an unknown architecture', add({ cpuArchitecture: ecs.CpuArchitecture.of('RISCV') }), /invalid cpuArchitecture = 'RISCV'/],
    ['a Graviton type on x86 capacity', add({ allowedInstanceTypes: ['m7i.*', 'm7g.large'] }), /invalid allowedInstanceTypes = 'm7g\.large'\. m7g instances are ARM64 and this capacity launches X86_64/],
    ['an x86 family on Graviton capacity', add({ cpuArchitecture: ecs.CpuArchitecture.ARM64, allowedInstanceTypes: ['c7i.*'] }), /invalid allowedInstanceTypes = 'c7i\.\*'\. c7i instances are X86_64/],
    ['public subnets', add({ vpcSubnets: { subnetType: ec2.SubnetType.PUBLIC } }), /Managed Instances never run in public subnets/],
  ])('%s', (_name, act, message) => {
    expect(act).toThrow(message);
  });

  test('tokens are accepted and left to CloudFormation', () => {
    const stack = plainStack('Tokens');
    const cluster = new FoundryCluster(stack, 'Cluster');
    expect(() => cluster.addManagedInstances('Instances', {
      minVcpus: Token.asNumber(Lazy.number({ produce: () => 2 })),
      maxVcpus: Token.asNumber(Lazy.number({ produce: () => 8 })),
      allowedInstanceTypes: [Lazy.string({ produce: () => 'm7i.large' })],
      capacityProviderName: Lazy.string({ produce: () => 'from-context' }),
    })).not.toThrow();
    expect(() => Template.fromStack(stack)).not.toThrow();
  });

  test('a second capacity with the same id', () => {
    const stack = plainStack('Twice');
    const cluster = new FoundryCluster(stack, 'Cluster');
    cluster.addManagedInstances('Instances');
    expect(() => cluster.addManagedInstances('Instances')).toThrow(/invalid addManagedInstances id = 'Instances'\. A ManagedInstancesCapacity with id 'Instances' already exists/);
  });

  test('Capacity.managedInstances() without a capacity', () => {
    expect(() => Capacity.managedInstances(undefined as unknown as ManagedInstancesCapacity)).toThrow(/Capacity\.managedInstances\(\): invalid capacity/);
  });

  test('the Managed Instances of another cluster', () => {
    const stack = plainStack('TwoClusters');
    const a = new FoundryCluster(stack, 'A');
    const b = new FoundryCluster(stack, 'B');
    const mi = a.addManagedInstances('Instances');
    expect(() => new WorkerService(stack, 'Worker', { cluster: b, image, capacity: Capacity.managedInstances(mi) }))
      .toThrow(/belongs to the cluster 'TwoClusters\/A'; a Managed Instances capacity provider serves one cluster only/);
    expect(() => b.useDefaultCapacity(Capacity.managedInstances(mi))).toThrow(/serves one cluster only/);
  });

  test('a capacity in another stack than its cluster', () => {
    const stack = plainStack('Home');
    const cluster = new FoundryCluster(stack, 'Cluster');
    const other = new Stack(stack.node.root as any, 'Other', { env: { account: '123456789012', region: 'us-east-1' } });
    expect(() => new ManagedInstancesCapacity(other, 'Instances', { cluster }))
      .toThrow(/ManagedInstancesCapacity 'Other\/Instances': invalid cluster = 'Home\/Cluster'\. .*create the capacity in the cluster's stack/);
  });

  test('a cluster that is not a FoundryCluster', () => {
    const stack = plainStack('Foreign');
    const real = new FoundryCluster(stack, 'Cluster');
    const foreign = {
      node: real.node,
      vpc: real.vpc,
      ecsCluster: real.ecsCluster,
      encryptionKey: real.encryptionKey,
      alertTopic: real.alertTopic,
      logRetention: real.logRetention,
      removalPolicy: real.removalPolicy,
    };
    expect(() => new ManagedInstancesCapacity(stack, 'Instances', { cluster: foreign as any })).toThrow(/needs a FoundryCluster/);
  });
});

describe('workloads on Managed Instances: bad input', () => {
  let n = 0;
  const on = (options: ManagedInstancesCapacityOptions, workload: Record<string, unknown>) => () => {
    const stack = plainStack(`Workload${n++}`);
    const cluster = new FoundryCluster(stack, 'Cluster');
    const mi = cluster.addManagedInstances('Instances', options);
    new FoundryTaskDefinition(stack, 'Task', { cluster, image, capacity: Capacity.managedInstances(mi), ...workload });
  };
  test.each<[string, () => unknown, RegExp]>([
    ['Windows containers', on({}, { operatingSystemFamily: ecs.OperatingSystemFamily.WINDOWS_SERVER_2022_CORE, cpu: 1024 }), /invalid operatingSystemFamily = 'WINDOWS_SERVER_2022_CORE'\. ECS Managed Instances run Linux containers only/],
    ['an ARM64 image on x86 instances', on({}, { cpuArchitecture: ecs.CpuArchitecture.ARM64 }), /invalid cpuArchitecture = 'ARM64'\. The Managed Instances capacity 'Workload\d+\/Cluster\/Instances' launches X86_64 instances/],
    ['GPUs without a GPU requirement', on({}, { gpuCount: 1 }), /invalid gpuCount = 1\. The Managed Instances capacity .* guarantees 0 GPU\(s\) per instance: set its minGpus to at least 1/],
    ['more GPUs than the capacity guarantees', on({ minGpus: 1 }, { gpuCount: 4 }), /guarantees 1 GPU\(s\) per instance: set its minGpus to at least 4/],
    ['a task larger than the largest instance (CPU)', on({ maxVcpus: 2 }, { cpu: 4096, memoryMiB: 4096 }), /invalid cpu = 4096\. .* at most 2 vCPUs \(2048 CPU units\)/],
    ['a task larger than the largest instance (memory)', on({ maxMemory: Size.gibibytes(4) }, { memoryMiB: 8192 }), /invalid memoryMiB = 8192\. .* at most 4096 MiB/],
    ['Fargate ephemeral storage', on({}, { ephemeralStorageGiB: 50 }), /invalid ephemeralStorageGiB = 50\. .*size it with the storageSize of 'Workload\d+\/Cluster\/Instances'/],
    ['a CPU value out of range', on({}, { cpu: 64 }), /invalid cpu = 64/],
    ['a /dev/shm size (sharedMemorySize is not valid on Managed Instances)', on({}, { linux: { sharedMemorySizeMiB: 64 } }), /invalid linux\.sharedMemorySizeMiB = 64\. ECS Managed Instances do not accept/],
    ['a fractional memory value', on({}, { memoryMiB: 1000.5 }), /invalid memoryMiB = 1000\.5/],
  ])('%s', (_name, act, message) => {
    expect(act).toThrow(message);
  });

  test('sizes Fargate rejects are valid here', () => {
    expect(on({}, { cpu: 384, memoryMiB: 700 })).not.toThrow();
  });
});
