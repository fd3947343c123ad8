import { Duration, Size, Token } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import { IConstruct } from 'constructs';
import {
  ManagedInstancesCapacityOptions, ManagedInstancesCapacityReservationOptions, ManagedInstancesPurchaseOption,
  ManagedInstancesReservationPreference,
} from './managed-instances-options';
import { checkNumber, describeValue, invalidProp, isConcrete } from '../private/validation';

/** A Managed Instances capacity's options resolved once: every default applied, everything validated. */
export interface ResolvedManagedInstances {
  readonly cpuArchitecture: ecs.CpuArchitecture;
  readonly minVcpus: number;
  readonly maxVcpus?: number;
  readonly minMemoryMiB: number;
  readonly maxMemoryMiB?: number;
  readonly allowedInstanceTypes?: string[];
  readonly excludedInstanceTypes?: string[];
  readonly burstable: boolean;
  readonly minGpus?: number;
  readonly purchaseOption: ManagedInstancesPurchaseOption;
  readonly capacityReservations?: ManagedInstancesCapacityReservationOptions;
  readonly storageSizeGiB: number;
  readonly useLocalStorage: boolean;
  readonly detailedMonitoring: boolean;
  readonly autoRepair: boolean;
  readonly infrastructureOptimization: boolean;
  /** Seconds, when given. */
  readonly scaleInAfterSeconds?: number;
  readonly fipsEnabled: boolean;
  readonly propagateTags: boolean;
  readonly vpcSubnets?: ec2.SubnetSelection;
  readonly capacityProviderName?: string;
}

/** The default data volume: the same 30 GiB as an `Ec2Capacity`, enough for a few images and their logs. */
export const MANAGED_INSTANCES_DEFAULT_STORAGE = Size.gibibytes(30);

/**
 * Instance type names and patterns EC2 accepts in AllowedInstanceTypes and ExcludedInstanceTypes: at most 400
 * entries of 1-30 characters from [a-zA-Z0-9.*-]
 * (https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_InstanceRequirementsRequest.html).
 */
const INSTANCE_TYPE_PATTERN = /^[a-zA-Z0-9.*-]{1,30}$/;
const MAX_INSTANCE_TYPES = 400;

/**
 * A capacity provider name: up to 255 letters, digits, underscores and hyphens, not starting with aws, ecs or
 * fargate (https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_CreateCapacityProvider.html, name).
 */
const CAPACITY_PROVIDER_NAME = /^[a-zA-Z0-9_-]{1,255}$/;
const RESERVED_PREFIX = /^(aws|ecs|fargate)/i;

/**
 * Resolve `ManagedInstancesCapacityOptions` once. Every range checked here is one AWS documents; the page is named
 * next to each check.
 */
export function resolveManagedInstances(scope: IConstruct, props: ManagedInstancesCapacityOptions): ResolvedManagedInstances {
  const arch = props.cpuArchitecture ?? ecs.CpuArchitecture.X86_64;
  if (!['X86_64', 'ARM64'].includes(arch._cpuArchitecture) && !Token.isUnresolved(arch._cpuArchitecture)) {
    invalidProp(scope, 'cpuArchitecture', arch._cpuArchitecture, 'Use ecs.CpuArchitecture.X86_64 or ecs.CpuArchitecture.ARM64.');
  }

  // vCPU and memory ranges: VCpuCountRangeRequest and MemoryMiBRequest take whole numbers, the minimum required
  // (https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_VCpuCountRangeRequest.html,
  // https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_MemoryMiBRequest.html). A task needs at least
  // 0.125 vCPU and 128 MiB, so an instance without a vCPU or memory can place nothing: the minimums are 1.
  const minVcpus = props.minVcpus ?? 1;
  checkNumber(scope, 'minVcpus', minVcpus, { min: 1, max: 10_000, integer: true });
  checkNumber(scope, 'maxVcpus', props.maxVcpus, { min: 1, max: 10_000, integer: true });
  if (isConcrete(minVcpus) && isConcrete(props.maxVcpus) && props.maxVcpus < minVcpus) {
    invalidProp(scope, 'maxVcpus', props.maxVcpus, `maxVcpus must be at least minVcpus (${minVcpus}).`);
  }
  const minMemoryMiB = sizeMiB(scope, 'minMemory', props.minMemory ?? Size.gibibytes(1));
  const maxMemoryMiB = props.maxMemory === undefined ? undefined : sizeMiB(scope, 'maxMemory', props.maxMemory);
  if (isConcrete(minMemoryMiB) && isConcrete(maxMemoryMiB) && maxMemoryMiB < minMemoryMiB) {
    invalidProp(scope, 'maxMemory', `${maxMemoryMiB} MiB`, `maxMemory must be at least minMemory (${minMemoryMiB} MiB).`);
  }

  // "If you specify AllowedInstanceTypes, you can't specify ExcludedInstanceTypes"
  // (https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_InstanceRequirementsRequest.html).
  if (props.allowedInstanceTypes !== undefined && props.excludedInstanceTypes !== undefined) {
    invalidProp(scope, 'excludedInstanceTypes', props.excludedInstanceTypes,
      'AWS accepts allowedInstanceTypes or excludedInstanceTypes, not both: list what ECS may launch, or what it must not.');
  }
  const allowed = instanceTypes(scope, 'allowedInstanceTypes', props.allowedInstanceTypes);
  const excluded = instanceTypes(scope, 'excludedInstanceTypes', props.excludedInstanceTypes);
  // The architecture selects the CPU manufacturers (Intel and AMD, or AWS Graviton): an allowed family of the other
  // architecture matches no instance, and tasks would wait in PROVISIONING.
  for (const type of Token.isUnresolved(allowed) ? [] : allowed ?? []) {
    const family = type.split('.')[0];
    if (Token.isUnresolved(type) || family.includes('*')) continue;
    const typeArch = new ec2.InstanceType(`${family}.large`).architecture === ec2.InstanceArchitecture.ARM_64 ? 'ARM64' : 'X86_64';
    if (typeArch !== arch._cpuArchitecture && !Token.isUnresolved(arch._cpuArchitecture)) {
      invalidProp(scope, 'allowedInstanceTypes', type,
        `${family} instances are ${typeArch} and this capacity launches ${arch._cpuArchitecture} instances (cpuArchitecture): allow ${arch._cpuArchitecture} types, or set cpuArchitecture: ecs.CpuArchitecture.${typeArch}.`);
    }
  }

  // AcceleratorCountRequest takes whole numbers (https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_AcceleratorCountRequest.html);
  // the largest EC2 GPU instances have 16 GPUs (p4de, p5: https://aws.amazon.com/ec2/instance-types/accelerated-computing/).
  checkNumber(scope, 'minGpus', props.minGpus, { min: 1, max: 16, integer: true });

  const purchase = props.purchaseOption ?? ManagedInstancesPurchaseOption.ON_DEMAND;
  if (!Object.values(ManagedInstancesPurchaseOption).includes(purchase)) {
    invalidProp(scope, 'purchaseOption', purchase, 'Use a ManagedInstancesPurchaseOption value: ON_DEMAND, SPOT or RESERVED.');
  }
  // Capacity reservations are "to be used when using the RESERVED capacity option type"
  // (https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_CapacityReservationRequest.html).
  const reservations = props.capacityReservations;
  if (reservations && purchase !== ManagedInstancesPurchaseOption.RESERVED) {
    invalidProp(scope, 'capacityReservations', reservations,
      `Capacity Reservations apply with purchaseOption: ManagedInstancesPurchaseOption.RESERVED (it is ${purchase}); set it, or remove capacityReservations.`);
  }
  if (purchase === ManagedInstancesPurchaseOption.RESERVED && !reservations) {
    invalidProp(scope, 'capacityReservations', undefined,
      'purchaseOption RESERVED launches into Capacity Reservations: say which with capacityReservations: { preference: ManagedInstancesReservationPreference.RESERVATIONS_FIRST }.');
  }
  if (reservations) {
    if (!Object.values(ManagedInstancesReservationPreference).includes(reservations.preference)) {
      invalidProp(scope, 'capacityReservations.preference', reservations.preference,
        'Use a ManagedInstancesReservationPreference value: RESERVATIONS_ONLY, RESERVATIONS_FIRST or RESERVATIONS_EXCLUDED.');
    }
    const group = reservations.reservationGroupArn;
    if (group !== undefined && !Token.isUnresolved(group) && !/^arn:aws[a-z-]*:resource-groups:[a-z0-9-]+:\d{12}:group\/[\w.-]{1,128}$/.test(group)) {
      invalidProp(scope, 'capacityReservations.reservationGroupArn', group,
        'Use the ARN of a Capacity Reservation resource group: arn:aws:resource-groups:<region>:<account>:group/<name>.');
    }
  }

  // StorageSizeGiB: a whole number, at least 1
  // (https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_ManagedInstancesStorageConfiguration.html);
  // an EBS gp3 volume holds at most 16,384 GiB (https://docs.aws.amazon.com/ebs/latest/userguide/general-purpose.html).
  const storage = props.storageSize ?? MANAGED_INSTANCES_DEFAULT_STORAGE;
  const storageMiB = storage.toMebibytes();
  const storageSizeGiB = Token.isUnresolved(storageMiB) ? storageMiB : storageMiB / 1024;
  checkNumber(scope, 'storageSize (GiB)', storageSizeGiB, { min: 1, max: 16_384, integer: true });

  // ScaleInAfter: -1 turns optimization off, 0-3600 seconds delay it
  // (https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_InfrastructureOptimization.html).
  const infrastructureOptimization = props.infrastructureOptimization ?? true;
  let scaleInAfterSeconds: number | undefined;
  if (props.scaleInAfter !== undefined) {
    if (!infrastructureOptimization) {
      invalidProp(scope, 'scaleInAfter', props.scaleInAfter.toHumanString(),
        'scaleInAfter delays infrastructure optimization, which infrastructureOptimization: false turns off; remove one of them.');
    }
    scaleInAfterSeconds = durationSeconds(scope, 'scaleInAfter', props.scaleInAfter);
    checkNumber(scope, 'scaleInAfter (seconds)', scaleInAfterSeconds, { min: 0, max: 3600, integer: true });
  }

  const name = props.capacityProviderName;
  if (name !== undefined && !Token.isUnresolved(name)) {
    if (!CAPACITY_PROVIDER_NAME.test(name)) {
      invalidProp(scope, 'capacityProviderName', name, 'Use 1-255 letters, digits, underscores and hyphens.');
    }
    if (RESERVED_PREFIX.test(name)) {
      invalidProp(scope, 'capacityProviderName', name, "ECS reserves names starting with 'aws', 'ecs' or 'fargate'; choose another prefix.");
    }
  }

  return {
    cpuArchitecture: arch,
    minVcpus,
    maxVcpus: props.maxVcpus,
    minMemoryMiB,
    maxMemoryMiB,
    allowedInstanceTypes: allowed,
    excludedInstanceTypes: excluded,
    burstable: props.burstable ?? false,
    minGpus: props.minGpus,
    purchaseOption: purchase,
    capacityReservations: reservations,
    storageSizeGiB,
    useLocalStorage: props.useLocalStorage ?? false,
    detailedMonitoring: props.detailedMonitoring ?? false,
    autoRepair: props.autoRepair ?? true,
    infrastructureOptimization,
    scaleInAfterSeconds,
    fipsEnabled: props.fipsEnabled ?? false,
    propagateTags: props.propagateTags ?? true,
    vpcSubnets: props.vpcSubnets,
    capacityProviderName: name,
  };
}

/** A Size in whole MiB, at least 1 (MemoryMiBRequest takes whole MiB). */
function sizeMiB(scope: IConstruct, prop: string, size: Size): number {
  let mib: number;
  try {
    mib = size.toMebibytes();
  } catch (e) {
    return invalidProp(scope, prop, size, `Use a whole number of MiB (${(e as Error).message}).`);
  }
  checkNumber(scope, `${prop} (MiB)`, mib, { min: 1, integer: true });
  return mib;
}

function durationSeconds(scope: IConstruct, prop: string, duration: Duration): number {
  try {
    return duration.toSeconds();
  } catch (e) {
    return invalidProp(scope, prop, duration.toHumanString(), `Use whole seconds (${(e as Error).message}).`);
  }
}

function instanceTypes(scope: IConstruct, prop: string, types: string[] | undefined): string[] | undefined {
  if (types === undefined) {
    return undefined;
  }
  if (Token.isUnresolved(types)) {
    return types;
  }
  if (!Array.isArray(types) || types.length === 0) {
    invalidProp(scope, prop, types, 'List at least one instance type or pattern (such as \'m7i.large\' or \'c7g.*\'), or leave the prop unset.');
  }
  if (types.length > MAX_INSTANCE_TYPES) {
    invalidProp(scope, prop, `${types.length} entries`, `AWS accepts at most ${MAX_INSTANCE_TYPES} instance types; use wildcards such as 'm7i.*'.`);
  }
  const seen = new Set<string>();
  for (const type of types) {
    if (Token.isUnresolved(type)) {
      continue;
    }
    if (typeof type !== 'string' || !INSTANCE_TYPE_PATTERN.test(type)) {
      invalidProp(scope, prop, type, "Use an instance type or pattern of 1-30 letters, digits, '.', '-' and '*', such as 'm7i.large' or 'c7g.*'.");
    }
    if (seen.has(type.toLowerCase())) {
      invalidProp(scope, prop, types, `${describeValue(type)} is listed twice; list each type once.`);
    }
    seen.add(type.toLowerCase());
  }
  return types;
}
