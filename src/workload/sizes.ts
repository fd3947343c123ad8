import * as ecs from 'aws-cdk-lib/aws-ecs';
import { IConstruct } from 'constructs';
import type { ManagedInstancesCapacity } from '../cluster/managed-instances';
import { invalidProp, isConcrete } from '../private/validation';

/**
 * The task sizes ECS accepts, as data, so that validation, error messages and property-based tests
 * all read the same table.
 *
 * Source: Amazon ECS Developer Guide, the Fargate CPU and memory table
 * (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task-cpu-memory-error.html), as of 2026-11.
 */

/** Valid memory values (MiB) for one Fargate CPU value. */
export interface MemoryRange {
  readonly cpu: number;
  readonly minMiB: number;
  readonly maxMiB: number;
  readonly stepMiB: number;
  /** Extra allowed values below the stepped range (256 CPU units allow 512 MiB). */
  readonly extraMiB?: number[];
}

/** Linux (x86_64 and ARM64) on Fargate. */
export const FARGATE_LINUX: MemoryRange[] = [
  { cpu: 256, minMiB: 1024, maxMiB: 2048, stepMiB: 1024, extraMiB: [512] },
  { cpu: 512, minMiB: 1024, maxMiB: 4096, stepMiB: 1024 },
  { cpu: 1024, minMiB: 2048, maxMiB: 8192, stepMiB: 1024 },
  { cpu: 2048, minMiB: 4096, maxMiB: 16384, stepMiB: 1024 },
  { cpu: 4096, minMiB: 8192, maxMiB: 30720, stepMiB: 1024 },
  { cpu: 8192, minMiB: 16384, maxMiB: 61440, stepMiB: 4096 },
  { cpu: 16384, minMiB: 32768, maxMiB: 122880, stepMiB: 8192 },
];

/** Windows Server on Fargate: 1 vCPU and more only. */
export const FARGATE_WINDOWS: MemoryRange[] = FARGATE_LINUX.filter(r => r.cpu >= 1024 && r.cpu <= 4096);

/**
 * Fargate ephemeral storage a task definition may ask for, GiB. Without the setting a task gets 20 GiB, which is
 * included in the price (https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_EphemeralStorage.html).
 */
export const EPHEMERAL_STORAGE_GIB = { min: 21, max: 200 } as const;

/** The memory values (MiB) a Fargate CPU value allows, or undefined for an unknown CPU value. */
export function memoryOptions(table: MemoryRange[], cpu: number): number[] | undefined {
  const range = table.find(r => r.cpu === cpu);
  if (!range) {
    return undefined;
  }
  const values = [...(range.extraMiB ?? [])];
  for (let m = range.minMiB; m <= range.maxMiB; m += range.stepMiB) {
    values.push(m);
  }
  return values;
}

/** True when ECS accepts this CPU/memory pair on Fargate for the given table. */
export function isValidFargateSize(table: MemoryRange[], cpu: number, memoryMiB: number): boolean {
  return memoryOptions(table, cpu)?.includes(memoryMiB) ?? false;
}

/** Render the memory options of a CPU value compactly: "2048-8192 MiB in steps of 1024". */
export function describeMemoryOptions(table: MemoryRange[], cpu: number): string {
  const range = table.find(r => r.cpu === cpu);
  if (!range) {
    return `CPU must be one of ${table.map(r => r.cpu).join(', ')}`;
  }
  const extra = range.extraMiB?.length ? `${range.extraMiB.join(', ')} or ` : '';
  return `memory for ${cpu} CPU units must be ${extra}${range.minMiB}-${range.maxMiB} MiB in steps of ${range.stepMiB}`;
}

/** The smallest valid Fargate memory for a CPU value. */
export function defaultMemoryFor(table: MemoryRange[], cpu: number): number | undefined {
  const options = memoryOptions(table, cpu);
  return options ? Math.min(...options) : undefined;
}

/**
 * Reject a workload that ECS Managed Instances cannot run: Windows containers (Managed Instances run Linux), a
 * parameter Managed Instances tasks do not accept, and an image architecture the capacity's instances do not have.
 *
 * Task CPU and memory on Managed Instances are any whole values in the EC2 ranges (no Fargate pairs, checked by the
 * caller), with task-level cpu and memory, on Linux only, in awsvpc or host network mode
 * (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task_definition_parameters-managed-instances.html,
 * https://docs.aws.amazon.com/AmazonECS/latest/developerguide/managed-instances-tasks-services.html).
 */
export function checkManagedInstancesPlatform(scope: IConstruct, capacity: ManagedInstancesCapacity,
  os: ecs.OperatingSystemFamily, arch: ecs.CpuArchitecture | undefined, sharedMemorySizeMiB?: number): void {
  // "The following task definition parameters are not valid in Amazon ECS Managed Instances tasks: ... sharedMemorySize
  // ..." (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/managed-instances-tasks-services.html). Of that
  // list, the library writes only sharedMemorySize (from linux.sharedMemorySizeMiB); ephemeralStorage is rejected
  // where it is resolved.
  if (sharedMemorySizeMiB !== undefined) {
    invalidProp(scope, 'linux.sharedMemorySizeMiB', sharedMemorySizeMiB,
      'ECS Managed Instances do not accept a custom /dev/shm size (sharedMemorySize); remove it, or run the workload on an Ec2Capacity.');
  }
  if (os.isWindows()) {
    invalidProp(scope, 'operatingSystemFamily', os._operatingSystemFamily,
      'ECS Managed Instances run Linux containers only (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/ManagedInstances.html): run Windows tasks with Capacity.fargate().');
  }
  if (arch && arch._cpuArchitecture !== capacity.cpuArchitecture._cpuArchitecture) {
    invalidProp(scope, 'cpuArchitecture', arch._cpuArchitecture,
      `The Managed Instances capacity '${capacity.node.path}' launches ${capacity.cpuArchitecture._cpuArchitecture} instances; build the image for that architecture or add a capacity with cpuArchitecture ${arch._cpuArchitecture}.`);
  }
}

/**
 * Reject a task larger than every instance the capacity may launch (its maxVcpus / maxMemory): ECS would leave it in
 * PROVISIONING. Tokens are skipped.
 */
export function checkManagedInstancesTaskSize(scope: IConstruct, capacity: ManagedInstancesCapacity, cpu: number, memoryMiB: number): void {
  const maxVcpus = capacity.maxVcpus;
  if (maxVcpus !== undefined && isConcrete(maxVcpus) && isConcrete(cpu) && cpu > maxVcpus * 1024) {
    invalidProp(scope, 'cpu', cpu,
      `The Managed Instances capacity '${capacity.node.path}' launches instances with at most ${maxVcpus} vCPUs (${maxVcpus * 1024} CPU units): raise its maxVcpus or make the task smaller.`);
  }
  const maxMemory = capacity.maxMemoryMiB;
  if (maxMemory !== undefined && isConcrete(maxMemory) && isConcrete(memoryMiB) && memoryMiB > maxMemory) {
    invalidProp(scope, 'memoryMiB', memoryMiB,
      `The Managed Instances capacity '${capacity.node.path}' launches instances with at most ${maxMemory} MiB of memory, part of which the OS and the ECS agent keep: raise its maxMemory or make the task smaller.`);
  }
}
