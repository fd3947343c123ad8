import { Arn, ArnFormat, Stack, Token } from 'aws-cdk-lib';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import { IConstruct } from 'constructs';
import { ContainerOptions, ContainerPortOptions, ContainerRestartPolicy, SidecarOptions, WorkloadLinuxOptions } from './container';
import { checkTaskFitsInstances, EXEC_WRITABLE_PATHS, stackPartition, TASK_DEFINITION_QUOTAS } from './deploy-checks';
import { resolveLogging } from './logging';
import {
  checkManagedInstancesPlatform, checkManagedInstancesTaskSize, defaultMemoryFor, describeMemoryOptions, EPHEMERAL_STORAGE_GIB, FARGATE_LINUX,
  FARGATE_WINDOWS, isValidFargateSize,
} from './sizes';
import {
  FoundryTaskDefinitionProps, ResolvedContainer, ResolvedLinux, ResolvedPlatform, ResolvedSidecar, ResolvedWorkload,
} from './workload-options';
import { CapacityType } from '../cluster/capacity';
import { checkEcsName, checkNumber, invalidProp, isConcrete } from '../private/validation';

/*
 * A workload's props resolved once: `resolveWorkload` validates them against what ECS accepts for the chosen
 * capacity and applies every default, before anything is created. The defaults live here and nowhere else.
 */

/** The main container's name when `containerName` is not given. */
const DEFAULT_CONTAINER_NAME = 'app';
/** Writable paths of a container with a read-only root file system when `writablePaths` is not given. */
const DEFAULT_WRITABLE_PATHS: readonly string[] = ['/tmp'];
/** Task memory on EC2 capacity when `memoryMiB` is not given (on Fargate: the smallest memory valid for the CPU). */
const EC2_DEFAULT_MEMORY_MIB = 512;
/** The container name FireLens's log router takes. */
const LOG_ROUTER_NAME = 'log-router';

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
 * Resolve a task definition's props once: the capacity (from the cluster, which records a handed-out default),
 * the platform and size, every container and the logging, validated and defaulted.
 */
export function resolveWorkload(scope: IConstruct, props: FoundryTaskDefinitionProps): ResolvedWorkload {
  const cluster = props.cluster;
  const capacity = cluster._resolveCapacity(scope, props.capacity);
  if (!props.image) {
    invalidProp(scope, 'image', props.image, "Pass the main container's image, e.g. ecs.ContainerImage.fromRegistry('public.ecr.aws/nginx/nginx:stable').");
  }
  // ECS Managed Instances (helper M): instances ECS manages, validated like EC2 capacity below except where noted.
  const managedInstances = capacity.managedInstancesCapacity;
  const fargate = capacity.type !== CapacityType.EC2 && capacity.type !== CapacityType.MANAGED_INSTANCES;
  const os = props.operatingSystemFamily ?? ecs.OperatingSystemFamily.LINUX;
  const windows = os.isWindows();
  const ec2Capacity = capacity.ec2Capacity;
  if (managedInstances) {
    checkManagedInstancesPlatform(scope, managedInstances, os, props.cpuArchitecture, props.linux?.sharedMemorySizeMiB);
  }

  // Platform and capacity.
  if (windows && !fargate) {
    invalidProp(scope, 'operatingSystemFamily', os._operatingSystemFamily,
      'Windows tasks run on Fargate here (EC2 capacity is Linux: Amazon Linux 2023 or Bottlerocket). Use Capacity.fargate().');
  }
  if (windows && capacity.type === CapacityType.FARGATE_SPOT) {
    invalidProp(scope, 'capacity', 'Capacity.spot()', 'Fargate Spot does not run Windows containers. Use Capacity.fargate().');
  }
  const arch = props.cpuArchitecture ?? ec2Capacity?.cpuArchitecture ?? managedInstances?.cpuArchitecture ?? ecs.CpuArchitecture.X86_64;
  if (windows && arch._cpuArchitecture !== 'X86_64') {
    invalidProp(scope, 'cpuArchitecture', arch._cpuArchitecture, 'Windows containers on Fargate are X86_64 only.');
  }
  if (ec2Capacity && arch._cpuArchitecture !== ec2Capacity.cpuArchitecture._cpuArchitecture) {
    invalidProp(scope, 'cpuArchitecture', arch._cpuArchitecture,
      `The EC2 capacity '${ec2Capacity.node.path}' runs ${ec2Capacity.cpuArchitecture._cpuArchitecture} instances; build the image for that architecture or place the workload on capacity of its own architecture.`);
  }

  // Size: Fargate's CPU and memory pairs (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task-cpu-memory-error.html);
  // on EC2, 128-196608 CPU units (https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_RegisterTaskDefinition.html, cpu).
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
    memory ??= defaultMemoryFor(table, cpu)!;
    // A token on either side: the pair is CloudFormation's to check.
    if (isConcrete(memory) && isConcrete(cpu) && !isValidFargateSize(table, cpu, memory)) {
      invalidProp(scope, 'memoryMiB', memory, `On Fargate, ${describeMemoryOptions(table, cpu)}.`);
    }
  } else {
    memory ??= EC2_DEFAULT_MEMORY_MIB;
    checkNumber(scope, 'memoryMiB', memory, { min: 128, max: 3_145_728, integer: true });
  }
  if (managedInstances) {
    checkManagedInstancesTaskSize(scope, managedInstances, cpu, memory);
  }
  const platform: ResolvedPlatform = {
    fargate,
    windows,
    cpuArchitecture: arch,
    operatingSystemFamily: os,
    cpu,
    memoryMiB: memory,
    enableExecuteCommand: props.enableExecuteCommand ?? false,
  };

  // Fargate-only and EC2-only features.
  if (props.ephemeralStorageGiB !== undefined) {
    if (managedInstances) {
      invalidProp(scope, 'ephemeralStorageGiB', props.ephemeralStorageGiB,
        `Ephemeral storage is a Fargate setting; tasks on Managed Instances use the instances' data volume: size it with the storageSize of '${managedInstances.node.path}'.`);
    }
    if (!fargate) {
      invalidProp(scope, 'ephemeralStorageGiB', props.ephemeralStorageGiB,
        'Ephemeral storage is a Fargate setting; on EC2 capacity size the instances\' volume (Ec2Capacity volumeSize) instead.');
    }
    // ECS accepts 21-200 GiB; without the setting a task gets 20 GiB
    // (https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_EphemeralStorage.html,
    // https://docs.aws.amazon.com/AmazonECS/latest/developerguide/fargate-task-storage.html).
    const { min, max } = EPHEMERAL_STORAGE_GIB;
    if (isConcrete(props.ephemeralStorageGiB) && Number.isInteger(props.ephemeralStorageGiB) && props.ephemeralStorageGiB < min) {
      invalidProp(scope, 'ephemeralStorageGiB', props.ephemeralStorageGiB,
        `Use a whole number between ${min} and ${max}: Fargate gives every task 20 GiB without the setting, so leave ephemeralStorageGiB unset for 20 GiB or less.`);
    }
    checkNumber(scope, 'ephemeralStorageGiB', props.ephemeralStorageGiB, { min, max, integer: true });
  }
  if (props.gpuCount !== undefined) {
    checkNumber(scope, 'gpuCount', props.gpuCount, { min: 1, max: 16, integer: true });
    // Managed Instances with a GPU requirement (minGpus) launch GPU instances (helper M).
    const managedGpus = managedInstances?.minGpus ?? 0;
    if (managedInstances && isConcrete(props.gpuCount) && managedGpus < props.gpuCount) {
      invalidProp(scope, 'gpuCount', props.gpuCount,
        `The Managed Instances capacity '${managedInstances.node.path}' guarantees ${managedGpus} GPU(s) per instance: set its minGpus to at least ${props.gpuCount}.`);
    }
    if (!managedInstances && (!ec2Capacity || ec2Capacity.hardwareType !== ecs.AmiHardwareType.GPU)) {
      invalidProp(scope, 'gpuCount', props.gpuCount,
        'GPUs need EC2 capacity with GPU instances: capacity: Capacity.ec2(cluster.addEc2Capacity(id, { instanceType: new ec2.InstanceType(\'g5.xlarge\') })).');
    }
  }
  const linux = resolveLinux(scope, props.linux, platform);
  if (ec2Capacity) {
    checkTaskFitsInstances(scope, { cpu, memoryMiB: memory, gpuCount: props.gpuCount }, ec2Capacity);
  }
  const logging = resolveLogging(scope, props.logging ?? {}, windows, { retention: cluster.logRetention, removalPolicy: cluster.removalPolicy });

  // Containers.
  const mainName = props.containerName ?? DEFAULT_CONTAINER_NAME;
  checkContainerName(scope, mainName);
  const sidecars = (props.sidecars ?? []).map(s => resolveSidecar(scope, s, platform));
  const mainPorts: ContainerPortOptions[] = [...(props.port !== undefined ? [{ port: props.port }] : []), ...(props.ports ?? [])];
  const main = resolveContainer(scope, mainName, props.image, props, mainPorts, platform);
  checkContainerSet(scope, [main, ...sidecars], platform, logging.firelens);

  return {
    cluster,
    capacity,
    platform,
    ephemeralStorageGiB: props.ephemeralStorageGiB,
    gpuCount: props.gpuCount,
    main,
    linux,
    sidecars,
    logging,
    family: checkEcsName(scope, 'family', props.family),
    executionRole: props.executionRole,
    taskRole: props.taskRole,
    enableFaultInjection: resolveFaultInjection(scope, props.enableFaultInjection, platform),
    // GuardDuty adds its agent sidecar to Linux tasks on Fargate only
    // (https://docs.aws.amazon.com/guardduty/latest/ug/prereq-runtime-monitoring-ecs-support.html).
    guardDutyAgentPull: (props.allowGuardDutyAgentPull ?? true) && fargate && !windows,
  };
}

/**
 * Fault injection needs the awsvpc or host network mode (every task here uses awsvpc) and is not available on Windows
 * (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/fault-injection.html).
 */
function resolveFaultInjection(scope: IConstruct, enable: boolean | undefined, platform: ResolvedPlatform): boolean {
  if (enable === true && platform.windows) {
    invalidProp(scope, 'enableFaultInjection', enable,
      'ECS fault injection is not available on Windows (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/fault-injection.html). Remove it, or test a Linux build of the workload.');
  }
  return enable ?? false;
}

/** ECS's bounds of a container restart policy (https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_ContainerRestartPolicy.html). */
export const RESTART_POLICY_LIMITS = { minPeriodSeconds: 60, maxPeriodSeconds: 1800, maxIgnoredExitCodes: 50 } as const;

/**
 * Check a container's restart policy against what ECS accepts: a restart attempt period of 60-1800 whole seconds and
 * at most 50 ignored exit codes (https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_ContainerRestartPolicy.html);
 * no restart policy for Windows containers on Fargate
 * (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/container-restart-policy.html, Considerations).
 */
function checkRestartPolicy(scope: IConstruct, name: string, policy: ContainerRestartPolicy, platform: ResolvedPlatform): void {
  const prop = `${name}: restartPolicy`;
  if (platform.windows) {
    invalidProp(scope, prop, policy, 'ECS does not restart Windows containers on Fargate in place; remove the restart policy (the service replaces a task whose essential container exits).');
  }
  if (policy.restartAttemptPeriod !== undefined) {
    const seconds = policy.restartAttemptPeriod.toSeconds({ integral: false });
    checkNumber(scope, `${prop}.restartAttemptPeriod (seconds)`, seconds,
      { min: RESTART_POLICY_LIMITS.minPeriodSeconds, max: RESTART_POLICY_LIMITS.maxPeriodSeconds, integer: true });
  }
  const codes = policy.ignoredExitCodes;
  if (codes === undefined || Token.isUnresolved(codes)) {
    return;
  }
  if (codes.length === 0) {
    invalidProp(scope, `${prop}.ignoredExitCodes`, codes, 'List at least one exit code, or leave ignoredExitCodes out to restart on every exit code.');
  }
  if (codes.length > RESTART_POLICY_LIMITS.maxIgnoredExitCodes) {
    invalidProp(scope, `${prop}.ignoredExitCodes`, `${codes.length} exit codes`,
      `ECS takes at most ${RESTART_POLICY_LIMITS.maxIgnoredExitCodes} ignored exit codes (https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_ContainerRestartPolicy.html).`);
  }
  const seen = new Set<number>();
  for (const code of codes) {
    // A process's exit status is 8 bits (POSIX wait status, WEXITSTATUS): 0-255.
    checkNumber(scope, `${prop}.ignoredExitCodes`, code, { min: 0, max: 255, integer: true });
    if (seen.has(code)) {
      invalidProp(scope, `${prop}.ignoredExitCodes`, code, 'List each exit code once.');
    }
    seen.add(code);
  }
}

function resolveLinux(scope: IConstruct, linux: WorkloadLinuxOptions | undefined, platform: ResolvedPlatform): ResolvedLinux | undefined {
  if (linux && platform.windows) {
    invalidProp(scope, 'linux', linux, 'Linux parameters do not apply to Windows containers; remove them.');
  }
  if (linux?.sharedMemorySizeMiB !== undefined) {
    if (platform.fargate) {
      invalidProp(scope, 'linux.sharedMemorySizeMiB', linux.sharedMemorySizeMiB, 'Fargate does not support a custom /dev/shm size; use EC2 capacity or write to a writable path instead.');
    }
    checkNumber(scope, 'linux.sharedMemorySizeMiB', linux.sharedMemorySizeMiB, { min: 1, max: platform.memoryMiB, integer: true });
  }
  if (platform.fargate && linux?.addCapabilities?.some(c => c !== ecs.Capability.SYS_PTRACE)) {
    invalidProp(scope, 'linux.addCapabilities', linux.addCapabilities, 'Fargate allows adding only ecs.Capability.SYS_PTRACE.');
  }
  if (platform.windows) {
    return undefined;
  }
  return {
    initProcessEnabled: linux?.initProcessEnabled ?? true,
    dropCapabilities: linux?.dropCapabilities ?? [],
    addCapabilities: linux?.addCapabilities ?? [],
    sharedMemorySizeMiB: linux?.sharedMemorySizeMiB,
  };
}

function checkContainerName(scope: IConstruct, name: string): void {
  if (!Token.isUnresolved(name) && !NAME.test(name ?? '')) {
    invalidProp(scope, 'containerName', name, 'Use 1-255 letters, digits, hyphens and underscores.');
  }
}

/**
 * Resolve a sidecar, from the `sidecars` prop or `addSidecar()`: its own settings. What it must not share with the
 * other containers (name, ports, reservations) is `checkContainerSet`'s.
 */
export function resolveSidecar(scope: IConstruct, sidecar: SidecarOptions, platform: ResolvedPlatform): ResolvedSidecar {
  checkContainerName(scope, sidecar.name);
  if (!sidecar.image) {
    invalidProp(scope, `sidecar '${sidecar.name}': image`, sidecar.image, 'Every sidecar needs an image.');
  }
  const container = resolveContainer(scope, sidecar.name, sidecar.image, sidecar, sidecar.ports ?? [], platform);
  checkNumber(scope, `sidecar '${sidecar.name}': cpu`, sidecar.cpu, { min: 0, max: platform.cpu, integer: true });
  checkNumber(scope, `sidecar '${sidecar.name}': memoryReservationMiB`, sidecar.memoryReservationMiB, { min: 6, max: platform.memoryMiB, integer: true });
  const waits = sidecar.mainContainerWaitsFor;
  if (waits === ecs.ContainerDependencyCondition.HEALTHY && !sidecar.healthCheck) {
    invalidProp(scope, `sidecar '${sidecar.name}': mainContainerWaitsFor`, waits, 'HEALTHY needs a healthCheck on the sidecar, or the main container never starts. Add healthCheck or wait for START.');
  }
  const essential = sidecar.essential ?? true;
  const exits = waits === ecs.ContainerDependencyCondition.COMPLETE || waits === ecs.ContainerDependencyCondition.SUCCESS;
  if (exits && essential) {
    invalidProp(scope, `sidecar '${sidecar.name}': essential`, true,
      `The main container waits for this sidecar to exit (${waits}), but an essential container that exits stops the whole task. Set essential: false for init containers.`);
  }
  if (exits && sidecar.restartPolicy) {
    invalidProp(scope, `sidecar '${sidecar.name}': restartPolicy`, sidecar.restartPolicy,
      `The main container waits for this init container to exit (${waits}); restarting it in place would run it again. Remove the restart policy.`);
  }
  return { ...container, essential, mainContainerWaitsFor: waits, cpu: sidecar.cpu, memoryReservationMiB: sidecar.memoryReservationMiB };
}

/** One container's own settings: ports, environment, secrets, root file system and writable paths, stop timeout. */
function resolveContainer(scope: IConstruct, name: string, image: ecs.ContainerImage, spec: ContainerOptions,
  ports: ContainerPortOptions[], platform: ResolvedPlatform): ResolvedContainer {
  for (const p of ports) {
    checkNumber(scope, `${name}: port`, p.port, { min: 1, max: 65_535, integer: true });
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
  const readonlyRoot = spec.readonlyRootFilesystem ?? !platform.windows;
  if (platform.windows && spec.readonlyRootFilesystem) {
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
    // At most 120 seconds on Fargate; on EC2 the agent takes the container's value over ECS_CONTAINER_STOP_TIMEOUT
    // (https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_ContainerDefinition.html, stopTimeout).
    const seconds = spec.stopTimeout.toSeconds({ integral: false });
    checkNumber(scope, `${name}: stopTimeout (seconds)`, seconds, platform.fargate ? { min: 2, max: 120, integer: true } : { min: 2, max: 86_400, integer: true });
  }
  if (spec.restartPolicy) {
    checkRestartPolicy(scope, name, spec.restartPolicy, platform);
  }
  const writablePaths = readonlyRoot ? writableVolumes(spec, platform) : [];
  return { name, image, options: spec, ports, readonlyRootFilesystem: readonlyRoot, writablePaths };
}

/**
 * The writable task-scoped volumes of a container with a read-only root file system: its `writablePaths` (or the
 * default) and, for ECS Exec, the SSM agent's directories. A path inside another writable path is already writable,
 * so a second mount there would only add a volume.
 */
function writableVolumes(spec: ContainerOptions, platform: ResolvedPlatform): string[] {
  const wanted = [...(spec.writablePaths ?? DEFAULT_WRITABLE_PATHS), ...(platform.enableExecuteCommand ? EXEC_WRITABLE_PATHS : [])];
  const inside = (path: string, parent: string) => path === parent || path.startsWith(`${parent}/`);
  return wanted.filter((p, i) => !wanted.some((q, j) => j !== i && (inside(p, q) && (p !== q || j < i))));
}

/**
 * Check what the containers of one task share: unique names, unique ports (one network namespace in awsvpc mode),
 * the container quota, and reservations that leave the main container something.
 */
export function checkContainerSet(scope: IConstruct, containers: (ResolvedContainer | ResolvedSidecar)[], platform: ResolvedPlatform,
  firelens: boolean): void {
  const names = containers.map(c => c.name);
  const duplicate = names.find((n, i) => names.indexOf(n) !== i) ?? names.find(n => n === LOG_ROUTER_NAME);
  if (duplicate !== undefined) {
    invalidProp(scope, 'containerName', duplicate, `Container names must be unique in a task ('${LOG_ROUTER_NAME}' is reserved for FireLens); rename one of them.`);
  }
  const seenPorts = new Map<string, string>();
  for (const container of containers) {
    for (const p of container.ports) {
      const key = `${p.port}/${p.protocol ?? ecs.Protocol.TCP}`;
      const owner = seenPorts.get(key);
      if (owner !== undefined) {
        invalidProp(scope, 'port', p.port,
          `Port ${key} is claimed by both '${owner}' and '${container.name}'. In awsvpc mode all containers of a task share one network namespace: give each a different port.`);
      }
      seenPorts.set(key, container.name);
    }
  }
  // https://docs.aws.amazon.com/AmazonECS/latest/developerguide/service-quotas.html ("Task definition max containers")
  const router = firelens ? 1 : 0;
  const over = containers.findIndex((_, i) => i + 1 + router > TASK_DEFINITION_QUOTAS.containers);
  if (over >= 0) {
    invalidProp(scope, 'sidecars', `${over + 1 + router} containers with '${containers[over].name}'`,
      `A task definition holds at most ${TASK_DEFINITION_QUOTAS.containers} containers (the main container, the sidecars${firelens ? ' and the FireLens log router' : ''}). Merge sidecars or move some into a workload of their own.`);
  }
  const sidecars = containers.filter((c): c is ResolvedSidecar => 'essential' in c);
  const reservedCpu = sidecars.reduce((sum, s) => sum + (s.cpu ?? 0), 0);
  const reservedMemory = sidecars.reduce((sum, s) => sum + (s.memoryReservationMiB ?? 0), 0);
  if (isConcrete(platform.cpu) && reservedCpu > platform.cpu) {
    invalidProp(scope, 'sidecars', `${reservedCpu} CPU units reserved`, `Sidecars reserve more CPU than the task has (${platform.cpu}); raise cpu or lower the reservations.`);
  }
  if (isConcrete(platform.memoryMiB) && reservedMemory >= platform.memoryMiB) {
    invalidProp(scope, 'sidecars', `${reservedMemory} MiB reserved`, `Sidecars reserve all the task memory (${platform.memoryMiB} MiB) and leave none to the main container; raise memoryMiB or lower the reservations.`);
  }
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
