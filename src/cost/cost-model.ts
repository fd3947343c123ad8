/**
 * The arithmetic behind `CostEstimate` (internal): what each stack's resources cost per month.
 */
import { Stack } from 'aws-cdk-lib';
import * as autoscaling from 'aws-cdk-lib/aws-autoscaling';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import type { CostAssumptions, CostAssumptionValue, CostComparison, CostLine } from './cost-types';
import { FargateRate, INSTANCE_SPECS, InstanceSpec, REGION_PRICES, RegionPrices } from './price-table';
import { CapacityType } from '../cluster/capacity';
import type { Ec2Capacity } from '../cluster/ec2-capacity';
import type { ManagedInstancesCapacity } from '../cluster/managed-instances';
import { ManagedInstancesPurchaseOption } from '../cluster/managed-instances-options';
import { checkNumber, invalidProp } from '../private/validation';
import { FoundryServiceBase } from '../services/service-base';
import type { FoundryTaskDefinition } from '../workload/task-definition';

/** What one stack holds, as `CostEstimate` collected it. */
export interface CostContext {
  readonly stack: Stack;
  /** The stack's region, undefined for an environment-agnostic stack. */
  readonly region?: string;
  readonly taskDefinitions: FoundryTaskDefinition[];
  readonly ec2Capacities: Ec2Capacity[];
  /** ECS Managed Instances capacities (undefined: none collected). */
  readonly managedInstancesCapacities?: ManagedInstancesCapacity[];
  readonly natGateways: number;
  /** The `Type` of each load balancer ('application', 'network', 'gateway'). */
  readonly loadBalancers: string[];
  readonly fileSystems: number;
  readonly flowLogs: number;
  /** For each interface endpoint, its number of AZs (subnets). */
  readonly interfaceEndpointAzs: number[];
  readonly kmsKeys: number;
}

const WHERE = 'CostEstimate.of()';

/** The assumptions with their defaults filled in. */
export class ResolvedAssumptions {
  public readonly hoursPerMonth: number;
  public readonly tasksPerTaskDefinition: number;
  public readonly ec2InstancesPerCapacity?: number;
  public readonly fargateSpotDiscountPercent: number;
  public readonly ec2SpotDiscountPercent: number;
  public readonly ec2UsableMemoryPercent: number;
  public readonly natDataGbPerGateway: number;
  public readonly loadBalancerCapacityUnits: number;
  public readonly efsStorageGb: number;
  public readonly logGbPerWorkload: number;
  public readonly flowLogGbPerVpc: number;
  public readonly region?: string;
  public readonly comparisonInstanceTypeX86: string;
  public readonly comparisonInstanceTypeArm64: string;
  private readonly taskCounts = new Map<FoundryTaskDefinition, number>();

  constructor(a: CostAssumptions) {
    const number = (prop: keyof CostAssumptions, value: number | undefined, fallback: number, max: number): number => {
      checkNumber(WHERE, `assumptions.${prop}`, value, { min: 0, max });
      return value ?? fallback;
    };
    this.hoursPerMonth = number('hoursPerMonth', a.hoursPerMonth, 730, 744);
    this.tasksPerTaskDefinition = number('tasksPerTaskDefinition', a.tasksPerTaskDefinition, 1, 100_000);
    checkNumber(WHERE, 'assumptions.ec2InstancesPerCapacity', a.ec2InstancesPerCapacity, { min: 0, max: 5000, integer: true });
    this.ec2InstancesPerCapacity = a.ec2InstancesPerCapacity;
    this.fargateSpotDiscountPercent = number('fargateSpotDiscountPercent', a.fargateSpotDiscountPercent, 70, 100);
    this.ec2SpotDiscountPercent = number('ec2SpotDiscountPercent', a.ec2SpotDiscountPercent, 60, 100);
    this.ec2UsableMemoryPercent = number('ec2UsableMemoryPercent', a.ec2UsableMemoryPercent, 90, 100);
    if (this.ec2UsableMemoryPercent === 0) {
      invalidProp(WHERE, 'assumptions.ec2UsableMemoryPercent', 0, 'Use a percentage above 0: tasks need some memory.');
    }
    this.natDataGbPerGateway = number('natDataGbPerGateway', a.natDataGbPerGateway, 100, 10_000_000);
    this.loadBalancerCapacityUnits = number('loadBalancerCapacityUnits', a.loadBalancerCapacityUnits, 1, 100_000);
    this.efsStorageGb = number('efsStorageGb', a.efsStorageGb, 10, 10_000_000);
    this.logGbPerWorkload = number('logGbPerWorkload', a.logGbPerWorkload, 5, 10_000_000);
    this.flowLogGbPerVpc = number('flowLogGbPerVpc', a.flowLogGbPerVpc, 10, 10_000_000);
    if (a.region !== undefined && !REGION_PRICES[a.region]) {
      invalidProp(WHERE, 'assumptions.region', a.region, `The price table covers ${Object.keys(REGION_PRICES).join(', ')}.`);
    }
    this.region = a.region;
    this.comparisonInstanceTypeX86 = instanceType('comparisonInstanceTypeX86', a.comparisonInstanceTypeX86, 'm7i.large');
    this.comparisonInstanceTypeArm64 = instanceType('comparisonInstanceTypeArm64', a.comparisonInstanceTypeArm64, 'm7g.large');
    for (const count of a.taskCounts ?? []) {
      if (!count || !count.taskDefinition) {
        invalidProp(WHERE, 'assumptions.taskCounts', count, 'Each entry needs the taskDefinition (a FoundryTaskDefinition) and its number of tasks.');
      }
      checkNumber(WHERE, `assumptions.taskCounts[${count.taskDefinition.node.path}].tasks`, count.tasks, { min: 0, max: 100_000 });
      if (this.taskCounts.has(count.taskDefinition)) {
        invalidProp(WHERE, 'assumptions.taskCounts', count.taskDefinition.node.path, 'The task definition is listed twice; list it once.');
      }
      this.taskCounts.set(count.taskDefinition, count.tasks);
    }
  }

  /** Tasks of a task definition running all month. */
  public tasksOf(taskDefinition: FoundryTaskDefinition): number {
    const explicit = this.taskCounts.get(taskDefinition);
    if (explicit !== undefined) return explicit;
    // A service's task definition runs the service's idle count: its desired count or its scaling minimum.
    const parent = taskDefinition.node.scope;
    if (parent instanceof FoundryServiceBase) return parent.baselineTaskCount;
    return this.tasksPerTaskDefinition;
  }

  public describe(): CostAssumptionValue[] {
    const v = (name: string, value: string, description: string): CostAssumptionValue => ({ name, value, description });
    return [
      v('hoursPerMonth', String(this.hoursPerMonth), 'hours every resource runs per month'),
      v('tasksPerTaskDefinition', String(this.tasksPerTaskDefinition), 'tasks running all month per standalone task definition (services count their desired count or scaling minimum)'
        + (this.taskCounts.size > 0 ? `, except ${[...this.taskCounts].map(([td, n]) => `${td.node.path}: ${n}`).join(', ')}` : '')),
      v('ec2InstancesPerCapacity', this.ec2InstancesPerCapacity === undefined ? 'auto' : String(this.ec2InstancesPerCapacity),
        'instances per EC2 or Managed Instances capacity (auto: its minimum capacity, or what its tasks need if more)'),
      v('fargateSpotDiscountPercent', `${this.fargateSpotDiscountPercent} %`, 'Fargate Spot discount on the on-demand price'),
      v('ec2SpotDiscountPercent', `${this.ec2SpotDiscountPercent} %`, 'EC2 Spot discount on the on-demand price'),
      v('ec2UsableMemoryPercent', `${this.ec2UsableMemoryPercent} %`, 'share of instance memory ECS gives to tasks'),
      v('natDataGbPerGateway', `${this.natDataGbPerGateway} GB`, 'data processed per NAT gateway per month'),
      v('loadBalancerCapacityUnits', String(this.loadBalancerCapacityUnits), 'average LCUs (NLCUs) per load balancer'),
      v('efsStorageGb', `${this.efsStorageGb} GB`, 'EFS Standard storage per file system'),
      v('logGbPerWorkload', `${this.logGbPerWorkload} GB`, 'CloudWatch Logs ingested per task definition per month'),
      v('flowLogGbPerVpc', `${this.flowLogGbPerVpc} GB`, 'VPC flow logs ingested per flow log per month'),
      v('region', this.region ?? '-', 'region for environment-agnostic stacks'),
      v('comparisonInstanceTypeX86', this.comparisonInstanceTypeX86, 'EC2 type for the comparison of x86_64 Fargate tasks'),
      v('comparisonInstanceTypeArm64', this.comparisonInstanceTypeArm64, 'EC2 type for the comparison of ARM64 Fargate tasks'),
    ];
  }
}

function instanceType(prop: string, value: string | undefined, fallback: string): string {
  if (value !== undefined && !INSTANCE_SPECS[value]) {
    invalidProp(WHERE, `assumptions.${prop}`, value, `Use an instance type of the price table: ${Object.keys(INSTANCE_SPECS).join(', ')}.`);
  }
  return value ?? fallback;
}

export function resolveAssumptions(a: CostAssumptions): ResolvedAssumptions {
  return new ResolvedAssumptions(a ?? {});
}

/** One workload's size, for pricing and packing. */
interface TaskShape {
  readonly tasks: number;
  readonly vcpu: number;
  readonly gb: number;
  readonly gpus: number;
}

/** Lines and comparisons of one stack. */
export function estimateStack(ctx: CostContext, a: ResolvedAssumptions): { lines: CostLine[]; comparisons: CostComparison[] } {
  const stackName = ctx.stack.node.path;
  const regionName = ctx.region ?? a.region;
  const prices: RegionPrices | undefined = regionName ? REGION_PRICES[regionName] : undefined;
  const region = ctx.region ?? (a.region ? `${a.region} (assumed)` : 'unknown region');
  const noRegion = ctx.region === undefined && a.region === undefined
    ? 'the stack is environment-agnostic; give it env.region or pass assumptions.region'
    : `the price table has no prices for ${regionName} (it covers ${Object.keys(REGION_PRICES).join(', ')})`;
  const h = a.hoursPerMonth;
  const lines: CostLine[] = [];
  const comparisons: CostComparison[] = [];
  const rel = (path: string) => (path.startsWith(`${stackName}/`) ? path.slice(stackName.length + 1) : path);
  const line = (category: string, item: string, quantity: string, monthly: number | undefined, note?: string, missing?: string) => {
    lines.push({
      stack: stackName,
      region,
      category,
      item,
      quantity,
      monthlyUsd: monthly === undefined || !prices ? undefined : round(monthly),
      note: !prices ? noRegion : monthly === undefined ? missing : note,
    });
  };

  // Tasks.
  const onCapacity = new Map<Ec2Capacity, TaskShape[]>();
  const onManaged = new Map<ManagedInstancesCapacity, TaskShape[]>();
  for (const td of ctx.taskDefinitions) {
    const n = a.tasksOf(td);
    if (n === 0) continue;
    const shape = shapeOf(ctx.stack, td, n);
    const arm = td.cpuArchitecture._cpuArchitecture === ecs.CpuArchitecture.ARM64._cpuArchitecture;
    const windows = td.operatingSystemFamily._operatingSystemFamily !== ecs.OperatingSystemFamily.LINUX._operatingSystemFamily;
    const item = rel(td.node.path);
    const capacity = td.capacity.ec2Capacity;
    const managed = td.capacity.managedInstancesCapacity;
    if (td.capacity.type === CapacityType.MANAGED_INSTANCES && managed) {
      onManaged.set(managed, [...(onManaged.get(managed) ?? []), shape]);
      line('Tasks on Managed Instances', item, `${fmt(n)} task(s) of ${fmt(shape.vcpu)} vCPU, ${fmt(shape.gb)} GB`, 0, `in the instances of ${rel(managed.node.path)}`);
    } else if (td.capacity.type === CapacityType.EC2 && capacity) {
      onCapacity.set(capacity, [...(onCapacity.get(capacity) ?? []), shape]);
      line('Tasks on EC2', item, `${fmt(n)} task(s) of ${fmt(shape.vcpu)} vCPU, ${fmt(shape.gb)} GB`, 0, `in the instances of ${rel(capacity.node.path)}`);
    } else {
      const rate = prices ? (arm ? prices.fargateArm64 : prices.fargateX86) : undefined;
      const split = splitTasks(n, td.capacity.strategies(td.cluster));
      for (const [category, count, factor] of [['Fargate', split.onDemand, 1], ['Fargate Spot', split.spot, 1 - a.fargateSpotDiscountPercent / 100]] as const) {
        if (count === 0) continue;
        const quantity = `${fmt(count)} task(s) × ${fmt(shape.vcpu)} vCPU, ${fmt(shape.gb)} GB × ${h} h = ${fmt(count * shape.vcpu * h)} vCPU-h, ${fmt(count * shape.gb * h)} GB-h`
          + (rate ? ` at $${rate.vcpuHour}/vCPU-h, $${rate.gbHour}/GB-h` : '') + (factor !== 1 ? ` − ${a.fargateSpotDiscountPercent} % Spot discount` : '');
        const monthly = windows || !rate ? undefined : count * h * fargateHourly(shape, rate) * factor;
        line(category, item, quantity, monthly, undefined, 'the table has no Fargate Windows prices (they include a license fee)');
      }
      const ephemeral = ephemeralGiB(ctx.stack, td);
      if (ephemeral > 20) {
        const gbHours = n * (ephemeral - 20) * h;
        line('Fargate storage', item, `${fmt(n)} task(s) × ${ephemeral - 20} GB above the included 20 GB × ${h} h`,
          prices?.fargateEphemeralGbHour === undefined ? undefined : gbHours * prices.fargateEphemeralGbHour,
          undefined, `the table has no Fargate ephemeral storage price for ${regionName}`);
      }
    }
    comparisons.push(compare(stackName, item, shape, arm, windows, capacity, prices, a, regionName, noRegion));
  }

  // EC2 capacity: instances and their volumes.
  for (const capacity of ctx.ec2Capacities) {
    const item = rel(capacity.node.path);
    const type = capacity.launchTemplate.instanceType?.toString() ?? 'unknown';
    const group = capacity.autoScalingGroup.node.defaultChild as autoscaling.CfnAutoScalingGroup;
    const min = Number(ctx.stack.resolve(group.minSize)) || 0;
    const spec = INSTANCE_SPECS[type];
    const shapes = onCapacity.get(capacity) ?? [];
    const needed = spec ? pack(shapes, spec, a.ec2UsableMemoryPercent) : undefined;
    const instances = a.ec2InstancesPerCapacity ?? Math.max(min, needed?.instances ?? 0);
    const why = a.ec2InstancesPerCapacity !== undefined ? 'assumed'
      : `minimum capacity ${min}` + (shapes.length > 0 ? (needed ? `; its tasks need ${needed.instances}` : '; its tasks are not sized (unknown instance type)') : '; no task placed on it');
    const hourly = prices?.ec2Hour[type];
    const split = capacity.spot ? spotSplit(ctx.stack, group, instances) : { onDemand: instances, spot: 0 };
    const missing = `the table has no ${type} price for ${regionName}`;
    if (split.onDemand > 0 || split.spot === 0) {
      line('EC2', item, `${fmt(split.onDemand)} × ${type} × ${h} h${hourly !== undefined ? ` at $${hourly}/h` : ''} (${why})`,
        hourly === undefined ? undefined : split.onDemand * h * hourly, split.onDemand === 0 ? 'scales from 0 when tasks need instances' : undefined, missing);
    }
    if (split.spot > 0) {
      line('EC2 Spot', item, `${fmt(split.spot)} × ${type} × ${h} h${hourly !== undefined ? ` at $${hourly}/h` : ''} − ${a.ec2SpotDiscountPercent} % (${why})`,
        hourly === undefined ? undefined : split.spot * h * hourly * (1 - a.ec2SpotDiscountPercent / 100), 'priced as the primary instance type', missing);
    }
    const volumeGb = volumeGiB(ctx.stack, capacity);
    if (instances > 0 && volumeGb > 0) {
      line('EBS', item, `${fmt(instances)} × ${volumeGb} GB gp3 at $${prices?.ebsGp3GbMonth ?? '?'}/GB-month`,
        prices ? instances * volumeGb * prices.ebsGp3GbMonth : undefined);
    }
  }

  // ECS Managed Instances: the instances ECS launches for the tasks, their management fee and their data volumes.
  for (const capacity of ctx.managedInstancesCapacities ?? []) {
    const item = rel(capacity.node.path);
    const type = managedInstanceType(capacity, a);
    const spec = INSTANCE_SPECS[type];
    const shapes = onManaged.get(capacity) ?? [];
    const needed = spec ? pack(shapes, spec, a.ec2UsableMemoryPercent) : undefined;
    // No minimum: ECS launches instances for the tasks placed on the capacity and optimizes idle ones away.
    const instances = a.ec2InstancesPerCapacity ?? needed?.instances ?? 0;
    const why = a.ec2InstancesPerCapacity !== undefined ? 'assumed'
      : shapes.length === 0 ? 'no task placed on it' : needed ? `its tasks need ${needed.instances}` : `a task does not fit on one ${type}`;
    const chosen = `priced as ${type}: ECS chooses the types that meet the instance requirements`;
    const hourly = prices?.ec2Hour[type];
    const spot = capacity.purchaseOption === ManagedInstancesPurchaseOption.SPOT;
    line(spot ? 'Managed Instances Spot' : 'Managed Instances', item,
      `${fmt(instances)} × ${type} × ${h} h${hourly !== undefined ? ` at $${hourly}/h` : ''}${spot ? ` − ${a.ec2SpotDiscountPercent} %` : ''} (${why})`,
      hourly === undefined ? undefined : instances * h * hourly * (spot ? 1 - a.ec2SpotDiscountPercent / 100 : 1),
      capacity.purchaseOption === ManagedInstancesPurchaseOption.RESERVED ? `${chosen}; Capacity Reservations are billed as reserved` : chosen,
      `the table has no ${type} price for ${regionName}`);
    const fee = prices?.managedInstancesFeeHour?.[type];
    line('Managed Instances fee', item, `${fmt(instances)} × ${type} × ${h} h${fee !== undefined ? ` at $${fee}/h` : ''}`,
      instances === 0 ? 0 : fee === undefined ? undefined : instances * h * fee, undefined,
      `the table has no ECS Managed Instances management fee for ${type} in ${regionName} (https://aws.amazon.com/ecs/pricing/)`);
    const volumeGb = managedStorageGiB(ctx.stack, capacity);
    if (instances > 0 && volumeGb > 0) {
      line('EBS', item, `${fmt(instances)} × ${volumeGb} GB gp3 at $${prices?.ebsGp3GbMonth ?? '?'}/GB-month`,
        prices ? instances * volumeGb * prices.ebsGp3GbMonth : undefined);
    }
  }

  // Network, storage, logs, keys.
  if (ctx.natGateways > 0) {
    line('NAT gateway', `${ctx.natGateways} NAT gateway(s)`, `${ctx.natGateways} × ${h} h at $${prices?.natGatewayHour ?? '?'}/h`,
      prices ? ctx.natGateways * h * prices.natGatewayHour : undefined);
    line('NAT gateway', 'data processing', `${ctx.natGateways} × ${a.natDataGbPerGateway} GB at $${prices?.natGatewayGb ?? '?'}/GB`,
      prices ? ctx.natGateways * a.natDataGbPerGateway * prices.natGatewayGb : undefined);
  }
  for (const [type, label, hourly, lcu, unit] of [
    ['application', 'Application Load Balancer', prices?.albHour, prices?.albLcuHour, 'LCU'],
    ['network', 'Network Load Balancer', prices?.nlbHour, prices?.nlbLcuHour, 'NLCU'],
  ] as const) {
    const count = ctx.loadBalancers.filter(t => t === type).length;
    if (count === 0) continue;
    line('Load balancer', `${count} ${label}(s)`, `${count} × ${h} h at $${hourly ?? '?'}/h`, hourly === undefined ? undefined : count * h * hourly);
    line('Load balancer', `${label} capacity units`, `${count} × ${a.loadBalancerCapacityUnits} ${unit} × ${h} h at $${lcu ?? '?'}/${unit}-h`,
      lcu === undefined ? undefined : count * a.loadBalancerCapacityUnits * h * lcu, undefined, `the table has no ${unit} price for ${regionName}`);
  }
  const otherLbs = ctx.loadBalancers.filter(t => t !== 'application' && t !== 'network').length;
  if (otherLbs > 0) {
    line('Load balancer', `${otherLbs} other load balancer(s)`, `${otherLbs}`, undefined, undefined, 'the table prices application and network load balancers only');
  }
  if (ctx.fileSystems > 0) {
    line('EFS', `${ctx.fileSystems} file system(s)`, `${ctx.fileSystems} × ${a.efsStorageGb} GB Standard at $${prices?.efsStandardGbMonth ?? '?'}/GB-month`,
      prices ? ctx.fileSystems * a.efsStorageGb * prices.efsStandardGbMonth : undefined);
  }
  const workloads = ctx.taskDefinitions.length;
  const logGb = workloads * a.logGbPerWorkload + ctx.flowLogs * a.flowLogGbPerVpc;
  if (logGb > 0) {
    line('CloudWatch Logs', 'ingestion', `(${workloads} task definition(s) × ${a.logGbPerWorkload} GB + ${ctx.flowLogs} flow log(s) × ${a.flowLogGbPerVpc} GB) at $${prices?.logsIngestionGb ?? '?'}/GB`,
      prices?.logsIngestionGb === undefined ? undefined : logGb * prices.logsIngestionGb, undefined, `the table has no CloudWatch Logs price for ${regionName}`);
  }
  const endpointAzs = ctx.interfaceEndpointAzs.reduce((sum, n) => sum + n, 0);
  if (endpointAzs > 0) {
    line('VPC endpoints', `${ctx.interfaceEndpointAzs.length} interface endpoint(s)`, `${endpointAzs} endpoint-AZs × ${h} h at $${prices?.interfaceEndpointAzHour ?? '?'}/h`,
      prices?.interfaceEndpointAzHour === undefined ? undefined : endpointAzs * h * prices.interfaceEndpointAzHour, undefined, `the table has no interface endpoint price for ${regionName}`);
  }
  if (ctx.kmsKeys > 0) {
    line('KMS', `${ctx.kmsKeys} customer-managed key(s)`, `${ctx.kmsKeys} × $${prices?.kmsKeyMonth ?? '?'}/month`, prices ? ctx.kmsKeys * prices.kmsKeyMonth : undefined);
  }
  return { lines, comparisons };
}

/** The same tasks on on-demand Fargate and on EC2 instances. */
function compare(stack: string, item: string, shape: TaskShape, arm: boolean, windows: boolean, capacity: Ec2Capacity | undefined,
  prices: RegionPrices | undefined, a: ResolvedAssumptions, regionName: string | undefined, noRegion: string): CostComparison {
  const h = a.hoursPerMonth;
  const type = capacity?.launchTemplate.instanceType?.toString() ?? (arm ? a.comparisonInstanceTypeArm64 : a.comparisonInstanceTypeX86);
  const spec = INSTANCE_SPECS[type];
  const notes: string[] = [];
  let fargate: number | undefined;
  if (shape.gpus > 0) {
    notes.push('GPU tasks cannot run on Fargate');
  } else if (windows) {
    notes.push('Fargate Windows is not priced');
  } else if (prices) {
    fargate = round(shape.tasks * h * fargateHourly(shape, arm ? prices.fargateArm64 : prices.fargateX86));
  }
  const packed = spec ? pack([shape], spec, a.ec2UsableMemoryPercent) : undefined;
  const hourly = prices?.ec2Hour[type];
  if (!spec) notes.push(`${type} is not in the instance table`);
  else if (!packed) notes.push(`a task does not fit on one ${type}`);
  else notes.push(`${packed.perInstance} task(s) per instance, limited by ${packed.limit}`);
  if (!prices) notes.push(noRegion);
  else if (hourly === undefined) notes.push(`the table has no ${type} price for ${regionName}`);
  return {
    stack,
    taskDefinition: item,
    tasks: shape.tasks,
    fargateMonthlyUsd: fargate,
    ec2InstanceType: type,
    ec2Instances: packed?.instances,
    ec2MonthlyUsd: packed && hourly !== undefined ? round(packed.instances * h * hourly) : undefined,
    note: notes.join('; '),
  };
}

export function fargateHourly(shape: { readonly vcpu: number; readonly gb: number }, rate: FargateRate): number {
  return shape.vcpu * rate.vcpuHour + shape.gb * rate.gbHour;
}

/**
 * Instances needed for the tasks: each task shape packs `perInstance` tasks on one instance, limited by vCPU,
 * usable memory, network interfaces (awsvpc tasks need one each; the instance keeps one; ENI trunking is an
 * account setting this estimate does not assume) and GPUs. Undefined when a task does not fit at all.
 */
export interface Packing {
  readonly instances: number;
  readonly perInstance: number;
  readonly limit: string;
}

export function pack(shapes: TaskShape[], spec: InstanceSpec, usableMemoryPercent: number): Packing | undefined {
  let instances = 0;
  let perInstance = Infinity;
  let limit = 'nothing';
  for (const shape of shapes) {
    const limits: Array<[string, number]> = [
      ['vCPU', Math.floor(spec.vcpus / shape.vcpu + 1e-9)],
      ['memory', Math.floor((spec.memoryGiB * usableMemoryPercent) / 100 / shape.gb + 1e-9)],
      ['network interfaces (awsvpc, no ENI trunking)', spec.enis - 1],
      ...(shape.gpus > 0 ? [['GPUs', Math.floor((spec.gpus ?? 0) / shape.gpus)] as [string, number]] : []),
    ];
    const fits = Math.min(...limits.map(([, n]) => n));
    if (fits < 1) return undefined;
    const name = limits.filter(([, n]) => n === fits).map(([limitName]) => limitName).join(' and ');
    instances += shape.tasks / fits;
    if (fits < perInstance) {
      perInstance = fits;
      limit = name;
    }
  }
  return { instances: Math.ceil(instances - 1e-9), perInstance: perInstance === Infinity ? 0 : perInstance, limit };
}

/**
 * How ECS places `n` tasks over a capacity provider strategy: the base first, then the rest in proportion to
 * the weights (FARGATE on demand, FARGATE_SPOT Spot).
 */
export function splitTasks(n: number, strategies: ecs.CapacityProviderStrategy[]): { onDemand: number; spot: number } {
  let remaining = n;
  const placed = new Map<string, number>();
  for (const s of strategies) {
    const base = Math.min(remaining, s.base ?? 0);
    placed.set(s.capacityProvider, base);
    remaining -= base;
  }
  const totalWeight = strategies.reduce((sum, s) => sum + (s.weight ?? 0), 0);
  for (const s of strategies) {
    const share = totalWeight === 0 ? 0 : (remaining * (s.weight ?? 0)) / totalWeight;
    placed.set(s.capacityProvider, (placed.get(s.capacityProvider) ?? 0) + share);
  }
  return { onDemand: placed.get('FARGATE') ?? 0, spot: placed.get('FARGATE_SPOT') ?? 0 };
}

/** On-demand and Spot instances of a Spot group: its on-demand base, then its on-demand percentage. */
function spotSplit(stack: Stack, group: autoscaling.CfnAutoScalingGroup, instances: number): { onDemand: number; spot: number } {
  const policy = stack.resolve(group.mixedInstancesPolicy) as autoscaling.CfnAutoScalingGroup.MixedInstancesPolicyProperty | undefined;
  const distribution = policy?.instancesDistribution as autoscaling.CfnAutoScalingGroup.InstancesDistributionProperty | undefined;
  const base = Math.min(instances, Number(distribution?.onDemandBaseCapacity ?? 0));
  const percent = Number(distribution?.onDemandPercentageAboveBaseCapacity ?? 100);
  const onDemand = base + ((instances - base) * percent) / 100;
  return { onDemand, spot: instances - onDemand };
}

function shapeOf(stack: Stack, td: FoundryTaskDefinition, tasks: number): TaskShape {
  const cfn = td.taskDefinition.node.defaultChild as ecs.CfnTaskDefinition;
  const containers = (stack.resolve(cfn.containerDefinitions) ?? []) as ecs.CfnTaskDefinition.ContainerDefinitionProperty[];
  const gpus = containers.flatMap(c => (c.resourceRequirements ?? []) as ecs.CfnTaskDefinition.ResourceRequirementProperty[])
    .filter(r => r.type === 'GPU').reduce((sum, r) => sum + Number(r.value), 0);
  return { tasks, vcpu: td.cpu / 1024, gb: td.memoryMiB / 1024, gpus };
}

function ephemeralGiB(stack: Stack, td: FoundryTaskDefinition): number {
  const cfn = td.taskDefinition.node.defaultChild as ecs.CfnTaskDefinition;
  const storage = stack.resolve(cfn.ephemeralStorage) as ecs.CfnTaskDefinition.EphemeralStorageProperty | undefined;
  return Number(storage?.sizeInGiB ?? 20);
}

/**
 * The instance type a Managed Instances capacity is priced as: its first allowed type that the instance table knows,
 * else the comparison type of its architecture (a GPU type when it requires GPUs).
 */
export function managedInstanceType(capacity: ManagedInstancesCapacity, a: ResolvedAssumptions): string {
  const known = (capacity.allowedInstanceTypes ?? []).find(t => INSTANCE_SPECS[t] !== undefined && (INSTANCE_SPECS[t].gpus ?? 0) >= capacity.minGpus);
  if (known) return known;
  const arm = capacity.cpuArchitecture._cpuArchitecture === ecs.CpuArchitecture.ARM64._cpuArchitecture;
  if (capacity.minGpus > 0) return arm ? 'g5g.xlarge' : 'g5.xlarge';
  return arm ? a.comparisonInstanceTypeArm64 : a.comparisonInstanceTypeX86;
}

function managedStorageGiB(stack: Stack, capacity: ManagedInstancesCapacity): number {
  const cfn = capacity.capacityProvider.node.defaultChild as ecs.CfnCapacityProvider;
  const provider = stack.resolve(cfn.managedInstancesProvider) as ecs.CfnCapacityProvider.ManagedInstancesProviderProperty | undefined;
  const template = provider?.instanceLaunchTemplate as ecs.CfnCapacityProvider.InstanceLaunchTemplateProperty | undefined;
  const storage = template?.storageConfiguration as ecs.CfnCapacityProvider.ManagedInstancesStorageConfigurationProperty | undefined;
  return Number(storage?.storageSizeGiB ?? 0);
}

function volumeGiB(stack: Stack, capacity: Ec2Capacity): number {
  const cfn = capacity.launchTemplate.node.defaultChild as ec2.CfnLaunchTemplate;
  const data = stack.resolve(cfn.launchTemplateData) as ec2.CfnLaunchTemplate.LaunchTemplateDataProperty | undefined;
  const mappings = (data?.blockDeviceMappings ?? []) as ec2.CfnLaunchTemplate.BlockDeviceMappingProperty[];
  return mappings.reduce((sum, m) => sum + Number((m.ebs as ec2.CfnLaunchTemplate.EbsProperty | undefined)?.volumeSize ?? 0), 0);
}

/** A number for a quantity string: at most 4 decimals, no trailing zeros. */
export function fmt(value: number): string {
  return String(Math.round(value * 10_000) / 10_000);
}

/** Round to cents, half up on the decimal value (16.425 -> 16.43, which `Math.round(x * 100)` gets wrong). */
export function round(value: number): number {
  return Number(`${Math.round(Number(`${value.toFixed(8)}e2`))}e-2`);
}
