import { Arn, ArnFormat, Stack, Token } from 'aws-cdk-lib';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import { IConstruct } from 'constructs';
import { ContainerOptions, ContainerPortOptions, SidecarOptions } from './container';
import { stackPartition } from './deploy-checks';
import { describeMemoryOptions, EPHEMERAL_STORAGE_GIB, FARGATE_LINUX, FARGATE_WINDOWS, isValidFargateSize, memoryOptions } from './sizes';
import type { FoundryTaskDefinitionProps } from './workload-options';
import { Capacity, CapacityType } from '../cluster/capacity';
import type { FoundryCluster } from '../cluster/foundry-cluster';
import { checkNumber, invalidProp, isConcrete } from '../private/validation';

/** What validation decided about the platform and size of a workload. */
export interface WorkloadPlatform {
  readonly cpuArchitecture: ecs.CpuArchitecture;
  readonly operatingSystemFamily: ecs.OperatingSystemFamily;
  readonly windows: boolean;
  readonly cpu: number;
  readonly memoryMiB: number;
}

const NAME = /^[A-Za-z0-9_-]{1,255}$/;
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Port mappings of a container, with a default name per port. */
export function portMappings(ports: ContainerPortOptions[]): ecs.PortMapping[] {
  return ports.map(p => ({
    containerPort: p.port,
    protocol: p.protocol ?? ecs.Protocol.TCP,
    name: p.name ?? `${(p.protocol ?? ecs.Protocol.TCP).toString().toLowerCase()}-${p.port}`,
    appProtocol: p.appProtocol,
  }));
}

/**
 * Validate a workload against what ECS accepts for the chosen capacity, before anything is created.
 */
export function validateWorkload(scope: IConstruct, props: FoundryTaskDefinitionProps, capacity: Capacity, cluster: FoundryCluster): WorkloadPlatform {
  // EC2 capacity of another cluster or stack is an error (Capacity.strategies says which).
  capacity.strategies(cluster);
  if (!props.image) {
    invalidProp(scope, 'image', props.image, "Pass the main container's image, e.g. ecs.ContainerImage.fromRegistry('public.ecr.aws/nginx/nginx:stable').");
  }
  const fargate = capacity.type !== CapacityType.EC2;
  const os = props.operatingSystemFamily ?? ecs.OperatingSystemFamily.LINUX;
  const windows = os.isWindows();
  const ec2Capacity = capacity.ec2Capacity;

  // Platform and capacity.
  if (windows && !fargate) {
    invalidProp(scope, 'operatingSystemFamily', os._operatingSystemFamily,
      'Windows tasks run on Fargate here (EC2 capacity is Linux: Amazon Linux 2023 or Bottlerocket). Use Capacity.fargate().');
  }
  if (windows && capacity.type === CapacityType.FARGATE_SPOT) {
    invalidProp(scope, 'capacity', 'Capacity.spot()', 'Fargate Spot does not run Windows containers. Use Capacity.fargate().');
  }
  const archDefault = ec2Capacity?.cpuArchitecture ?? ecs.CpuArchitecture.X86_64;
  const arch = props.cpuArchitecture ?? archDefault;
  if (windows && arch._cpuArchitecture !== 'X86_64') {
    invalidProp(scope, 'cpuArchitecture', arch._cpuArchitecture, 'Windows containers on Fargate are X86_64 only.');
  }
  if (ec2Capacity && arch._cpuArchitecture !== ec2Capacity.cpuArchitecture._cpuArchitecture) {
    invalidProp(scope, 'cpuArchitecture', arch._cpuArchitecture,
      `The EC2 capacity '${ec2Capacity.node.path}' runs ${ec2Capacity.cpuArchitecture._cpuArchitecture} instances; build the image for that architecture or place the workload on capacity of its own architecture.`);
  }

  // Size.
  const table = windows ? FARGATE_WINDOWS : FARGATE_LINUX;
  const cpu = props.cpu ?? (windows ? 1024 : 256);
  checkNumber(scope, 'cpu', cpu, { min: 128, max: 196_608, integer: true });
  let memory = props.memoryMiB;
  if (fargate) {
    if (isConcrete(cpu) && !table.some(r => r.cpu === cpu)) {
      invalidProp(scope, 'cpu', cpu, `Fargate ${windows ? 'Windows ' : ''}tasks take ${table.map(r => r.cpu).join(', ')} CPU units.`);
    }
    if (!isConcrete(cpu) && memory === undefined) {
      invalidProp(scope, 'memoryMiB', undefined, 'cpu is a token, so the memory Fargate pairs with it is unknown at synth: set memoryMiB as well (CloudFormation checks the pair).');
    }
    memory ??= Math.min(...memoryOptions(table, cpu) ?? [512]);
    // A token on either side: the pair is CloudFormation's to check.
    if (isConcrete(memory) && isConcrete(cpu) && !isValidFargateSize(table, cpu, memory)) {
      invalidProp(scope, 'memoryMiB', memory, `On Fargate, ${describeMemoryOptions(table, cpu)}.`);
    }
  } else {
    memory ??= 512;
    checkNumber(scope, 'memoryMiB', memory, { min: 128, max: 3_145_728, integer: true });
  }

  // Fargate-only and EC2-only features.
  if (props.ephemeralStorageGiB !== undefined) {
    if (!fargate) {
      invalidProp(scope, 'ephemeralStorageGiB', props.ephemeralStorageGiB,
        'Ephemeral storage is a Fargate setting; on EC2 capacity size the instances\' volume (Ec2Capacity volumeSize) instead.');
    }
    checkNumber(scope, 'ephemeralStorageGiB', props.ephemeralStorageGiB, { min: EPHEMERAL_STORAGE_GIB.min, max: EPHEMERAL_STORAGE_GIB.max, integer: true });
  }
  if (props.gpuCount !== undefined) {
    checkNumber(scope, 'gpuCount', props.gpuCount, { min: 1, max: 16, integer: true });
    if (!ec2Capacity || ec2Capacity.hardwareType !== ecs.AmiHardwareType.GPU) {
      invalidProp(scope, 'gpuCount', props.gpuCount,
        'GPUs need EC2 capacity with GPU instances: capacity: Capacity.ec2(cluster.addEc2Capacity(id, { instanceType: new ec2.InstanceType(\'g5.xlarge\') })).');
    }
  }
  const linux = props.linux;
  if (linux && windows) {
    invalidProp(scope, 'linux', linux, 'Linux parameters do not apply to Windows containers; remove them.');
  }
  if (linux?.sharedMemorySizeMiB !== undefined) {
    if (fargate) {
      invalidProp(scope, 'linux.sharedMemorySizeMiB', linux.sharedMemorySizeMiB, 'Fargate does not support a custom /dev/shm size; use EC2 capacity or write to a writable path instead.');
    }
    checkNumber(scope, 'linux.sharedMemorySizeMiB', linux.sharedMemorySizeMiB, { min: 1, max: memory, integer: true });
  }
  if (fargate && linux?.addCapabilities?.some(c => c !== ecs.Capability.SYS_PTRACE)) {
    invalidProp(scope, 'linux.addCapabilities', linux.addCapabilities, 'Fargate allows adding only ecs.Capability.SYS_PTRACE.');
  }

  // Containers: names, ports, environment, secrets, writable paths, stop timeouts.
  const sidecars: SidecarOptions[] = props.sidecars ?? [];
  const names = [props.containerName ?? 'app', ...sidecars.map(s => s.name)];
  for (const name of names) {
    if (!Token.isUnresolved(name) && !NAME.test(name ?? '')) {
      invalidProp(scope, 'containerName', name, 'Use 1-255 letters, digits, hyphens and underscores.');
    }
  }
  const duplicate = names.find((n, i) => names.indexOf(n) !== i) ?? names.find(n => n === 'log-router');
  if (duplicate !== undefined) {
    invalidProp(scope, 'containerName', duplicate, "Container names must be unique in a task ('log-router' is reserved for FireLens); rename one of them.");
  }

  const mainPorts: ContainerPortOptions[] = [...(props.port !== undefined ? [{ port: props.port }] : []), ...(props.ports ?? [])];
  const seenPorts = new Map<string, string>();
  const checkContainer = (name: string, spec: ContainerOptions, ports: ContainerPortOptions[]) => {
    for (const p of ports) {
      checkNumber(scope, `${name}: port`, p.port, { min: 1, max: 65_535, integer: true });
      const key = `${p.port}/${p.protocol ?? ecs.Protocol.TCP}`;
      const owner = seenPorts.get(key);
      if (owner !== undefined) {
        invalidProp(scope, 'port', p.port,
          `Port ${key} is claimed by both '${owner}' and '${name}'. In awsvpc mode all containers of a task share one network namespace: give each a different port.`);
      }
      seenPorts.set(key, name);
    }
    const env = spec.environment ?? {};
    for (const [key, value] of Object.entries(env)) {
      if (!ENV_NAME.test(key)) {
        invalidProp(scope, `${name}: environment`, key, 'Environment variable names are letters, digits and underscores, not starting with a digit.');
      }
      if (typeof value !== 'string') {
        invalidProp(scope, `${name}: environment.${key}`, value, 'Environment values must be strings; use String(value).');
      }
    }
    for (const [key, secret] of Object.entries(spec.secrets ?? {})) {
      if (!ENV_NAME.test(key)) {
        invalidProp(scope, `${name}: secrets`, key, 'Secret names become environment variables: letters, digits and underscores, not starting with a digit.');
      }
      if (key in env) {
        invalidProp(scope, `${name}: secrets`, key, `${key} is both a plain environment variable and a secret; keep only the secret.`);
      }
      checkSecretLocation(scope, `${name}: secrets.${key}`, secret);
    }
    const readonlyRoot = spec.readonlyRootFilesystem ?? !windows;
    if (windows && spec.readonlyRootFilesystem) {
      invalidProp(scope, `${name}: readonlyRootFilesystem`, true, 'Windows containers do not support a read-only root file system; remove the setting.');
    }
    if (spec.writablePaths !== undefined) {
      if (!readonlyRoot) {
        invalidProp(scope, `${name}: writablePaths`, spec.writablePaths, 'The root file system is already writable; writablePaths only apply with readonlyRootFilesystem: true.');
      }
      const seen = new Set<string>();
      for (const path of spec.writablePaths) {
        if (!/^\/./.test(path) || path.split('/').includes('..')) {
          invalidProp(scope, `${name}: writablePaths`, path, "Use absolute paths other than '/', without '..', such as '/tmp' or '/var/cache/nginx'.");
        }
        if (seen.has(path)) {
          invalidProp(scope, `${name}: writablePaths`, path, 'Each path once.');
        }
        seen.add(path);
      }
    }
    if (spec.stopTimeout !== undefined) {
      const seconds = spec.stopTimeout.toSeconds({ integral: false });
      checkNumber(scope, `${name}: stopTimeout (seconds)`, seconds, fargate ? { min: 2, max: 120, integer: true } : { min: 2, max: 86_400, integer: true });
    }
  };
  checkContainer(names[0], props, mainPorts);

  let reservedCpu = 0;
  let reservedMemory = 0;
  for (const sidecar of sidecars) {
    if (!sidecar.image) {
      invalidProp(scope, `sidecar '${sidecar.name}': image`, sidecar.image, 'Every sidecar needs an image.');
    }
    checkContainer(sidecar.name, sidecar, sidecar.ports ?? []);
    checkNumber(scope, `sidecar '${sidecar.name}': cpu`, sidecar.cpu, { min: 0, max: cpu, integer: true });
    checkNumber(scope, `sidecar '${sidecar.name}': memoryReservationMiB`, sidecar.memoryReservationMiB, { min: 6, max: memory, integer: true });
    reservedCpu += sidecar.cpu ?? 0;
    reservedMemory += sidecar.memoryReservationMiB ?? 0;
    const waits = sidecar.mainContainerWaitsFor;
    if (waits === ecs.ContainerDependencyCondition.HEALTHY && !sidecar.healthCheck) {
      invalidProp(scope, `sidecar '${sidecar.name}': mainContainerWaitsFor`, waits, 'HEALTHY needs a healthCheck on the sidecar, or the main container never starts. Add healthCheck or wait for START.');
    }
    const exits = waits === ecs.ContainerDependencyCondition.COMPLETE || waits === ecs.ContainerDependencyCondition.SUCCESS;
    if (exits && (sidecar.essential ?? true)) {
      invalidProp(scope, `sidecar '${sidecar.name}': essential`, true,
        `The main container waits for this sidecar to exit (${waits}), but an essential container that exits stops the whole task. Set essential: false for init containers.`);
    }
  }
  if (isConcrete(cpu) && reservedCpu > cpu) {
    invalidProp(scope, 'sidecars', `${reservedCpu} CPU units reserved`, `Sidecars reserve more CPU than the task has (${cpu}); raise cpu or lower the reservations.`);
  }
  if (isConcrete(memory) && reservedMemory >= memory) {
    invalidProp(scope, 'sidecars', `${reservedMemory} MiB reserved`, `Sidecars reserve all the task memory (${memory} MiB) and leave none to the main container; raise memoryMiB or lower the reservations.`);
  }

  return { cpuArchitecture: arch, operatingSystemFamily: os, windows, cpu, memoryMiB: memory };
}

/**
 * ECS resolves secrets by ARN. A Secrets Manager secret in another region or account must be referenced by its
 * complete ARN (with the 6-character suffix); a partial ARN or a name only works in the task's own account and region.
 */
function checkSecretLocation(scope: IConstruct, prop: string, secret: ecs.Secret): void {
  const arn = secret.arn;
  if (Token.isUnresolved(arn) || !arn.startsWith('arn:')) {
    return;
  }
  const parts = Arn.split(arn, arn.includes(':secret:') ? ArnFormat.COLON_RESOURCE_NAME : ArnFormat.SLASH_RESOURCE_NAME);
  const stack = Stack.of(scope);
  // Partitions (aws, aws-cn, aws-us-gov, ...) are separate: no identity, resource or endpoint is shared across them
  // (https://docs.aws.amazon.com/whitepapers/latest/aws-fault-isolation-boundaries/partitions.html), so ECS cannot
  // read a secret or parameter of another partition.
  const partition = stackPartition(scope);
  if (partition !== undefined && !Token.isUnresolved(parts.partition) && parts.partition !== partition) {
    invalidProp(scope, prop, arn,
      `This ${parts.service === 'ssm' ? 'parameter' : 'secret'} is in the ${parts.partition} partition and the task in ${partition}; ECS cannot read across partitions. Copy the value into a secret of this partition.`);
  }
  const elsewhere = (!Token.isUnresolved(stack.region) && parts.region && parts.region !== stack.region)
    || (!Token.isUnresolved(stack.account) && parts.account && parts.account !== stack.account);
  if (!elsewhere) {
    return;
  }
  if (parts.service === 'secretsmanager') {
    const name = (parts.resourceName ?? '').split(':')[0];
    if (!/-[A-Za-z0-9]{6}$/.test(name)) {
      invalidProp(scope, prop, arn,
        `This secret is in ${parts.account}/${parts.region}, not the task's ${stack.account}/${stack.region}, and ECS needs its complete ARN there. Use secretsmanager.Secret.fromSecretCompleteArn() with the ARN including its 6-character suffix.`);
    }
  }
  if (parts.service === 'ssm' && parts.account && parts.account !== stack.account) {
    invalidProp(scope, prop, arn, 'ECS cannot read SSM parameters of another account; share the value through Secrets Manager (complete ARN) or copy the parameter into this account.');
  }
}
