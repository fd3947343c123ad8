/**
 * CostEstimate against figures computed by hand from the price table (us-east-1 unless stated):
 * Fargate x86 $0.04048/vCPU-h + $0.004445/GB-h, ARM64 $0.03238 + $0.00356, m7i.large $0.1008/h, m7g.large
 * $0.0816/h, NAT $0.045/h + $0.045/GB, ALB/NLB $0.0225/h, LCU $0.008, NLCU $0.006, EFS $0.30/GB-month,
 * Logs $0.50/GB, interface endpoints $0.01/AZ-h, KMS $1/month, gp3 $0.08/GB-month; 730 hours.
 */
import { App, Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as fc from 'fast-check';
import {
  BackendService, Capacity, CostEstimate, CostLine, Ec2MachineImage,
  FoundryCluster, FoundryTaskDefinition, NatGatewayStrategy, SharedVolume, WorkerService,
} from '../../src';
import { pack, round, splitTasks } from '../../src/cost/cost-model';
import { REGION_PRICES } from '../../src/cost/price-table';

const IMAGE = ecs.ContainerImage.fromRegistry('public.ecr.aws/nginx/nginx:stable');

function app(): App {
  const azs = Object.fromEntries(['us-east-1', 'eu-west-1', 'sa-east-1'].map(r => [
    `availability-zones:account=123456789012:region=${r}`, [`${r}a`, `${r}b`, `${r}c`],
  ]));
  return new App({ context: azs });
}

function stackIn(scope: App, id: string, region = 'us-east-1'): Stack {
  return new Stack(scope, id, { env: { account: '123456789012', region } });
}

const lineOf = (estimate: CostEstimate, category: string, item?: string): CostLine => {
  const found = estimate.lines.filter(l => l.category === category && (item === undefined || l.item === item));
  expect(found).toHaveLength(1);
  return found[0];
};

// GIVEN a platform stack: default cluster (2 NAT gateways), a Fargate web workload, a Spot workload, two EC2
// capacities, a load balancer of each kind; and a batch stack: isolated cluster (endpoints), EFS, ARM tasks.
const main = app();
const platform = stackIn(main, 'Platform');
const cluster = new FoundryCluster(platform, 'Cluster');
const general = cluster.addEc2Capacity('General', { instanceType: new ec2.InstanceType('m7i.large'), minCapacity: 2 });
cluster.addEc2Capacity('GravitonSpot', {
  instanceType: new ec2.InstanceType('m7g.large'),
  machineImage: Ec2MachineImage.BOTTLEROCKET,
  minCapacity: 4,
  spot: { additionalInstanceTypes: [new ec2.InstanceType('c7g.large')], onDemandBaseCapacity: 1, onDemandPercentageAboveBaseCapacity: 25 },
});
const web = new FoundryTaskDefinition(platform, 'Web', { cluster, image: IMAGE, cpu: 512, memoryMiB: 1024 });
const spot = new FoundryTaskDefinition(platform, 'Spot', { cluster, image: IMAGE, cpu: 256, memoryMiB: 512, capacity: Capacity.spot() });
const mixed = new FoundryTaskDefinition(platform, 'Mixed', {
  cluster, image: IMAGE, cpu: 256, memoryMiB: 512, capacity: Capacity.spot({ onDemandBase: 1, onDemandWeight: 1, spotWeight: 3 }),
});
const onEc2 = new FoundryTaskDefinition(platform, 'OnEc2', { cluster, image: IMAGE, cpu: 1024, memoryMiB: 2048, capacity: Capacity.ec2(general) });
new FoundryTaskDefinition(platform, 'Scratch', { cluster, image: IMAGE, cpu: 256, memoryMiB: 512, ephemeralStorageGiB: 40 });
new elbv2.ApplicationLoadBalancer(platform, 'Alb', { vpc: cluster.vpc });
new elbv2.NetworkLoadBalancer(platform, 'Nlb', { vpc: cluster.vpc });

const batch = stackIn(main, 'Batch');
const isolated = new FoundryCluster(batch, 'Cluster', { natGateways: NatGatewayStrategy.NONE });
new SharedVolume(batch, 'Results', { cluster: isolated });
new FoundryTaskDefinition(batch, 'Arm', { cluster: isolated, image: ecs.ContainerImage.fromEcrRepository(ecr.Repository.fromRepositoryName(batch, 'Repo', 'jobs'), '1.0.0'), cpu: 1024, memoryMiB: 2048, cpuArchitecture: ecs.CpuArchitecture.ARM64 });

const estimate = CostEstimate.of(main, {
  taskCounts: [{ taskDefinition: spot, tasks: 4 }, { taskDefinition: mixed, tasks: 5 }, { taskDefinition: onEc2, tasks: 3 }],
});
const platformOnly = CostEstimate.of(platform, { taskCounts: [{ taskDefinition: onEc2, tasks: 3 }] });

describe('Fargate tasks', () => {
  test('one always-on task per task definition by default, on demand: vCPU-hours and GB-hours at the list price', () => {
    const line = lineOf(estimate, 'Fargate', 'Web');
    // 730 × (0.5 × 0.04048 + 1 × 0.004445) = 18.02005
    expect(line.monthlyUsd).toBe(18.02);
    expect(line.quantity).toContain('1 task(s) × 0.5 vCPU, 1 GB × 730 h = 365 vCPU-h, 730 GB-h at $0.04048/vCPU-h, $0.004445/GB-h');
    expect(line.region).toBe('us-east-1');
    expect(line.stack).toBe('Platform');
  });

  test('Fargate Spot at the assumed discount', () => {
    // 4 × 730 × (0.25 × 0.04048 + 0.5 × 0.004445) × (1 − 0.70) = 10.81203
    expect(lineOf(estimate, 'Fargate Spot', 'Spot').monthlyUsd).toBe(10.81);
    expect(estimate.lines.filter(l => l.item === 'Spot').map(l => l.category)).toEqual(['Fargate Spot']);
  });

  test('a mixed strategy places the base on demand, then the rest by weight', () => {
    // 5 tasks: base 1 on demand; 4 more split 1:3 -> 2 on demand, 3 Spot.
    const perTask = 730 * (0.25 * 0.04048 + 0.5 * 0.004445); // 9.010025
    expect(lineOf(estimate, 'Fargate', 'Mixed').monthlyUsd).toBe(round(2 * perTask)); // 18.02
    expect(lineOf(estimate, 'Fargate Spot', 'Mixed').monthlyUsd).toBe(round(3 * perTask * 0.3)); // 8.11
  });

  test('ephemeral storage above the included 20 GB', () => {
    // 1 task × 20 GB × 730 h × 0.000111 = 1.6206
    expect(lineOf(estimate, 'Fargate storage', 'Scratch').monthlyUsd).toBe(1.62);
  });

  test('ARM64 at the Graviton price', () => {
    // 730 × (1 × 0.03238 + 2 × 0.00356) = 730 × 0.0395 = 28.835
    expect(lineOf(estimate, 'Fargate', 'Arm').monthlyUsd).toBe(28.84);
  });

  test('tasks on EC2 capacity cost nothing themselves: they are in the instances', () => {
    const line = lineOf(estimate, 'Tasks on EC2', 'OnEc2');
    expect(line.monthlyUsd).toBe(0);
    expect(line.note).toBe('in the instances of Cluster/General');
  });

  test('a task definition assumed to run 0 tasks is left out', () => {
    const zero = CostEstimate.of(platform, { tasksPerTaskDefinition: 0 });
    expect(zero.lines.filter(l => l.category.startsWith('Fargate'))).toEqual([]);
    expect(zero.comparisons).toEqual([]);
  });
});

describe('EC2 capacity', () => {
  test('on-demand instances: the minimum capacity, or what the tasks need when more', () => {
    // minCapacity 2; 3 awsvpc tasks need 2 m7i.large (2 tasks per instance: 3 ENIs, one for the host).
    const line = lineOf(estimate, 'EC2', 'Cluster/General');
    expect(line.monthlyUsd).toBe(147.17); // 2 × 730 × 0.1008 = 147.168
    expect(line.quantity).toBe('2 × m7i.large × 730 h at $0.1008/h (minimum capacity 2; its tasks need 2)');
    const more = CostEstimate.of(platform, { taskCounts: [{ taskDefinition: onEc2, tasks: 7 }] });
    expect(lineOf(more, 'EC2', 'Cluster/General').monthlyUsd).toBe(294.34); // 4 × 730 × 0.1008 = 294.336
  });

  test('Spot groups: on-demand base and percentage at the list price, the rest at the Spot discount', () => {
    // 4 instances: base 1 + 25 % of 3 = 1.75 on demand, 2.25 Spot.
    expect(lineOf(estimate, 'EC2', 'Cluster/GravitonSpot').monthlyUsd).toBe(104.24); // 1.75 × 730 × 0.0816 = 104.244
    expect(lineOf(estimate, 'EC2 Spot', 'Cluster/GravitonSpot').monthlyUsd).toBe(53.61); // 2.25 × 730 × 0.0816 × 0.4 = 53.6112
  });

  test('gp3 volumes of every instance', () => {
    expect(lineOf(estimate, 'EBS', 'Cluster/General').monthlyUsd).toBe(4.8); // 2 × 30 GB × 0.08
    expect(lineOf(estimate, 'EBS', 'Cluster/GravitonSpot').monthlyUsd).toBe(10.88); // 4 × (4 + 30) GB × 0.08
  });

  test('an assumed instance count replaces the automatic one', () => {
    const fixed = CostEstimate.of(platform, { ec2InstancesPerCapacity: 1 });
    expect(lineOf(fixed, 'EC2', 'Cluster/General').monthlyUsd).toBe(73.58); // 730 × 0.1008 = 73.584
    expect(lineOf(fixed, 'EC2', 'Cluster/General').quantity).toContain('(assumed)');
  });

  test('a group that scales from zero costs nothing until tasks need it', () => {
    const s = stackIn(app(), 'Zero');
    const c = new FoundryCluster(s, 'Cluster');
    c.addEc2Capacity('Idle', { instanceType: new ec2.InstanceType('m7i.large') });
    const line = lineOf(CostEstimate.of(s), 'EC2', 'Cluster/Idle');
    expect(line.monthlyUsd).toBe(0);
    expect(line.note).toBe('scales from 0 when tasks need instances');
  });
});

describe('network, storage, logs and keys', () => {
  test('NAT gateways: hours and the assumed data', () => {
    expect(lineOf(estimate, 'NAT gateway', '2 NAT gateway(s)').monthlyUsd).toBe(65.7); // 2 × 730 × 0.045
    expect(lineOf(estimate, 'NAT gateway', 'data processing').monthlyUsd).toBe(9); // 2 × 100 GB × 0.045
  });

  test('load balancers by type, with the assumed capacity units', () => {
    expect(lineOf(estimate, 'Load balancer', '1 Application Load Balancer(s)').monthlyUsd).toBe(16.43); // 730 × 0.0225 = 16.425
    expect(lineOf(estimate, 'Load balancer', 'Application Load Balancer capacity units').monthlyUsd).toBe(5.84); // 730 × 0.008
    expect(lineOf(estimate, 'Load balancer', '1 Network Load Balancer(s)').monthlyUsd).toBe(16.43);
    expect(lineOf(estimate, 'Load balancer', 'Network Load Balancer capacity units').monthlyUsd).toBe(4.38); // 730 × 0.006
  });

  test('EFS at the assumed size; interface endpoints per AZ; logs per workload and flow log; KMS keys', () => {
    const batchLines = estimate.lines.filter(l => l.stack === 'Batch');
    const get = (category: string) => batchLines.find(l => l.category === category)!;
    expect(get('EFS').monthlyUsd).toBe(3); // 10 GB × 0.30
    expect(get('VPC endpoints').monthlyUsd).toBe(43.8); // 3 endpoints (ECR API, ECR registry, logs) × 2 AZs × 730 h × 0.01
    expect(get('VPC endpoints').item).toBe('3 interface endpoint(s)');
    expect(get('CloudWatch Logs').monthlyUsd).toBe(7.5); // (1 × 5 GB + 1 × 10 GB) × 0.50
    expect(get('KMS').monthlyUsd).toBe(1);
    expect(batchLines.some(l => l.category === 'NAT gateway')).toBe(false);
  });

  test('the total is the sum of the lines, per scope', () => {
    const sum = round(estimate.lines.reduce((s, l) => s + (l.monthlyUsd ?? 0), 0));
    expect(estimate.totalMonthlyUsd).toBe(sum);
    expect(estimate.unpricedLines).toBe(0);
    expect(platformOnly.lines.every(l => l.stack === 'Platform')).toBe(true);
  });
});

describe('Fargate or EC2', () => {
  test('the same tasks on on-demand Fargate and packed on instances', () => {
    const onEc2Comparison = estimate.comparisons.find(c => c.taskDefinition === 'OnEc2')!;
    expect(onEc2Comparison).toEqual({
      stack: 'Platform',
      taskDefinition: 'OnEc2',
      tasks: 3,
      fargateMonthlyUsd: 108.12, // 3 × 730 × (0.04048 + 2 × 0.004445) = 108.1203
      ec2InstanceType: 'm7i.large',
      ec2Instances: 2,
      ec2MonthlyUsd: 147.17,
      note: '2 task(s) per instance, limited by vCPU and network interfaces (awsvpc, no ENI trunking)',
    });
    // Fargate tasks are compared with the reference type of their architecture.
    const armComparison = estimate.comparisons.find(c => c.taskDefinition === 'Arm')!;
    expect(armComparison).toMatchObject({ ec2InstanceType: 'm7g.large', ec2Instances: 1, ec2MonthlyUsd: 59.57, fargateMonthlyUsd: 28.84 });
  });

  test('packing: vCPU, usable memory, network interfaces and GPUs limit tasks per instance', () => {
    const m7i = { vcpus: 2, memoryGiB: 8, enis: 3 };
    expect(pack([{ tasks: 4, vcpu: 0.25, gb: 0.5, gpus: 0 }], m7i, 90)).toEqual({ instances: 2, perInstance: 2, limit: 'network interfaces (awsvpc, no ENI trunking)' });
    expect(pack([{ tasks: 4, vcpu: 2, gb: 1, gpus: 0 }], m7i, 90)).toEqual({ instances: 4, perInstance: 1, limit: 'vCPU' });
    expect(pack([{ tasks: 3, vcpu: 0.5, gb: 6, gpus: 0 }], m7i, 90)).toEqual({ instances: 3, perInstance: 1, limit: 'memory' });
    expect(pack([{ tasks: 1, vcpu: 1, gb: 8, gpus: 0 }], m7i, 90)).toBeUndefined(); // 8 GB > 7.2 GB usable
    expect(pack([{ tasks: 2, vcpu: 1, gb: 4, gpus: 1 }], { vcpus: 4, memoryGiB: 16, enis: 4, gpus: 1 }, 90)).toEqual({ instances: 2, perInstance: 1, limit: 'GPUs' });
  });

  test('GPU tasks cannot run on Fargate', () => {
    const s = stackIn(app(), 'Gpu');
    const c = new FoundryCluster(s, 'Cluster');
    const gpu = c.addEc2Capacity('Gpu', { instanceType: new ec2.InstanceType('g5.xlarge') });
    new FoundryTaskDefinition(s, 'Inference', { cluster: c, capacity: Capacity.ec2(gpu), image: IMAGE, cpu: 2048, memoryMiB: 8192, gpuCount: 1 });
    const [comparison] = CostEstimate.of(s).comparisons;
    expect(comparison).toMatchObject({ fargateMonthlyUsd: undefined, ec2InstanceType: 'g5.xlarge', ec2Instances: 1, ec2MonthlyUsd: 734.38 }); // 730 × 1.006
    expect(comparison.note).toContain('GPU tasks cannot run on Fargate');
  });
});

describe('what cannot be priced is listed, never guessed', () => {
  test('a region the table does not have', () => {
    const s = stackIn(app(), 'SaoPaulo', 'sa-east-1');
    const c = new FoundryCluster(s, 'Cluster');
    new FoundryTaskDefinition(s, 'Web', { cluster: c, image: IMAGE });
    const result = CostEstimate.of(s);
    expect(result.lines.length).toBeGreaterThan(0);
    for (const line of result.lines) {
      expect(line.monthlyUsd).toBeUndefined();
      expect(line.note).toBe('the price table has no prices for sa-east-1 (it covers us-east-1, us-west-2, eu-west-1, eu-central-1, ap-southeast-2)');
    }
    expect(result.totalMonthlyUsd).toBe(0);
    expect(result.unpricedLines).toBe(result.lines.length);
    expect(result.toMarkdown()).toContain('not priced: the price table has no prices for sa-east-1');
    expect(result.comparisons[0]).toMatchObject({ fargateMonthlyUsd: undefined, ec2MonthlyUsd: undefined });
  });

  test('an environment-agnostic stack, unless a region is assumed', () => {
    const agnosticApp = new App();
    const s = new Stack(agnosticApp, 'Anywhere');
    const c = new FoundryCluster(s, 'Cluster');
    new FoundryTaskDefinition(s, 'Web', { cluster: c, image: IMAGE, cpu: 512, memoryMiB: 1024 });
    const unknown = CostEstimate.of(s);
    expect(lineOf(unknown, 'Fargate').note).toBe('the stack is environment-agnostic; give it env.region or pass assumptions.region');
    expect(lineOf(unknown, 'Fargate').region).toBe('unknown region');
    const assumed = CostEstimate.of(s, { region: 'eu-west-1' });
    // 730 × (0.5 × 0.04456 + 1 × 0.004865) = 19.81625
    expect(lineOf(assumed, 'Fargate').monthlyUsd).toBe(19.82);
    expect(lineOf(assumed, 'Fargate').region).toBe('eu-west-1 (assumed)');
  });

  test('an instance type the table does not price in the region', () => {
    const s = stackIn(app(), 'Ireland', 'eu-west-1');
    const c = new FoundryCluster(s, 'Cluster');
    c.addEc2Capacity('New', { instanceType: new ec2.InstanceType('m7i.large'), minCapacity: 1 });
    c.addEc2Capacity('Odd', { instanceType: new ec2.InstanceType('z1d.large'), minCapacity: 1 });
    c.addEc2Capacity('Known', { instanceType: new ec2.InstanceType('m6i.large'), minCapacity: 1 });
    const result = CostEstimate.of(s);
    expect(lineOf(result, 'EC2', 'Cluster/New')).toMatchObject({ monthlyUsd: undefined, note: 'the table has no m7i.large price for eu-west-1' });
    expect(lineOf(result, 'EC2', 'Cluster/Odd')).toMatchObject({ monthlyUsd: undefined, note: 'the table has no z1d.large price for eu-west-1' });
    expect(lineOf(result, 'EC2', 'Cluster/Known').monthlyUsd).toBe(78.11); // 730 × 0.107 = 78.11
    expect(result.unpricedLines).toBe(2);
    expect(result.toMarkdown()).toMatch(/\*\*Total\*\* \| \| \| \*\*[\d.]+\*\* \+ 2 item\(s\) not priced/);
  });

  test('Windows tasks on Fargate', () => {
    const s = stackIn(app(), 'Windows');
    const c = new FoundryCluster(s, 'Cluster');
    new FoundryTaskDefinition(s, 'Win', {
      cluster: c, image: IMAGE, cpu: 1024, memoryMiB: 2048, operatingSystemFamily: ecs.OperatingSystemFamily.WINDOWS_SERVER_2022_CORE,
    });
    expect(lineOf(CostEstimate.of(s), 'Fargate', 'Win')).toMatchObject({
      monthlyUsd: undefined, note: 'the table has no Fargate Windows prices (they include a license fee)',
    });
  });
});

describe('report', () => {
  const markdown = estimate.toMarkdown();

  test('says it is an estimate, names the price source and date, prints every assumption with its value', () => {
    expect(markdown).toContain('This is an estimate, not a quote');
    expect(markdown).toContain(`table dated ${estimate.priceTableDate}`);
    expect(markdown).toContain('aws.amazon.com/fargate/pricing');
    for (const a of estimate.assumptions) {
      expect(markdown).toContain(`\`${a.name}\` = ${a.value}`);
    }
    expect(markdown).toContain('`tasksPerTaskDefinition` = 1: tasks running all month per standalone task definition (services count their desired count or scaling minimum), except Platform/Spot: 4, Platform/Mixed: 5, Platform/OnEc2: 3');
    expect(markdown).toContain('### Platform (us-east-1)');
    expect(markdown).toContain('### Fargate or EC2? The same tasks, on demand');
    expect(markdown).toContain(`**All stacks: ${estimate.totalMonthlyUsd.toFixed(2)} USD/month**`);
  });

  test('JSON carries the same figures', () => {
    const json = JSON.parse(estimate.toJson());
    expect(json.totalMonthlyUsd).toBe(estimate.totalMonthlyUsd);
    expect(json.lines).toHaveLength(estimate.lines.length);
    expect(json.estimate).toContain('an estimate, not a quote');
    expect(json.priceTableSource).toBe(estimate.priceTableSource);
  });
});

describe('assumptions are validated', () => {
  test.each([
    ['hoursPerMonth', { hoursPerMonth: -1 }, /invalid assumptions.hoursPerMonth = -1. Use a number between 0 and 744/],
    ['fargateSpotDiscountPercent', { fargateSpotDiscountPercent: 120 }, /invalid assumptions.fargateSpotDiscountPercent = 120/],
    ['ec2InstancesPerCapacity', { ec2InstancesPerCapacity: 1.5 }, /invalid assumptions.ec2InstancesPerCapacity = 1.5. Use a whole number/],
    ['ec2UsableMemoryPercent', { ec2UsableMemoryPercent: 0 }, /invalid assumptions.ec2UsableMemoryPercent = 0/],
    ['region', { region: 'mars-north-1' }, /invalid assumptions.region = 'mars-north-1'. The price table covers us-east-1/],
    ['comparisonInstanceTypeX86', { comparisonInstanceTypeX86: 'x9.huge' }, /invalid assumptions.comparisonInstanceTypeX86 = 'x9.huge'/],
  ])('%s', (_name, assumptions, error) => {
    expect(() => CostEstimate.of(platform, assumptions as any)).toThrow(error);
    expect(() => CostEstimate.of(platform, assumptions as any)).toThrow(/^CostEstimate.of\(\): /);
  });

  test('task counts: non-negative, each task definition once', () => {
    expect(() => CostEstimate.of(platform, { taskCounts: [{ taskDefinition: web, tasks: -2 }] }))
      .toThrow(/invalid assumptions.taskCounts\[Platform\/Web\].tasks = -2/);
    expect(() => CostEstimate.of(platform, { taskCounts: [{ taskDefinition: web, tasks: 1 }, { taskDefinition: web, tasks: 2 }] }))
      .toThrow(/invalid assumptions.taskCounts = 'Platform\/Web'. The task definition is listed twice/);
    expect(() => CostEstimate.of(platform, { taskCounts: [{ tasks: 1 } as any] })).toThrow(/Each entry needs the taskDefinition/);
  });
});

describe('properties', () => {
  test('ECS strategy split: every task is placed, the base first', () => {
    fc.assert(fc.property(
      fc.integer({ min: 0, max: 500 }), fc.integer({ min: 0, max: 20 }), fc.integer({ min: 0, max: 10 }), fc.integer({ min: 1, max: 10 }),
      (n, base, onDemandWeight, spotWeight) => {
        const strategies = Capacity.spot({ onDemandBase: base, onDemandWeight, spotWeight }).strategies(cluster);
        const split = splitTasks(n, strategies);
        expect(split.onDemand + split.spot).toBeCloseTo(n, 9);
        expect(split.onDemand).toBeGreaterThanOrEqual(Math.min(n, base) - 1e-9);
      }));
  });

  test('a Fargate line is tasks × hours × (vCPU × price + GB × price), for every valid size', () => {
    const sizes: Array<[number, number]> = [[256, 512], [512, 1024], [1024, 2048], [2048, 4096], [4096, 8192], [8192, 16384], [16384, 32768]];
    fc.assert(fc.property(fc.constantFrom(...sizes), fc.integer({ min: 1, max: 50 }), fc.constantFrom('us-east-1', 'eu-west-1', 'ap-southeast-2'),
      ([cpu, memoryMiB], tasks, region) => {
        const s = stackIn(app(), 'P', region);
        const c = new FoundryCluster(s, 'Cluster', { stoppedTaskAlerts: false });
        const td = new FoundryTaskDefinition(s, 'T', { cluster: c, image: IMAGE, cpu, memoryMiB });
        const rate = REGION_PRICES[region].fargateX86;
        const expected = round(tasks * 730 * ((cpu / 1024) * rate.vcpuHour + (memoryMiB / 1024) * rate.gbHour));
        expect(lineOf(CostEstimate.of(s, { taskCounts: [{ taskDefinition: td, tasks }] }), 'Fargate').monthlyUsd).toBe(expected);
      }), { numRuns: 15 });
  });

  test('the price table pins the figures the hand computations use', () => {
    expect(REGION_PRICES['us-east-1'].fargateX86).toEqual({ vcpuHour: 0.04048, gbHour: 0.004445 });
    expect(REGION_PRICES['us-east-1'].fargateArm64).toEqual({ vcpuHour: 0.03238, gbHour: 0.00356 });
    expect(REGION_PRICES['us-east-1'].ec2Hour['m7i.large']).toBe(0.1008);
    expect(REGION_PRICES['us-east-1'].natGatewayHour).toBe(0.045);
    expect(Object.keys(REGION_PRICES)).toEqual(['us-east-1', 'us-west-2', 'eu-west-1', 'eu-central-1', 'ap-southeast-2']);
  });
});

describe('services', () => {
  test('count their desired count or their scaling minimum as running all month', () => {
    const svcApp = app();
    const stack = stackIn(svcApp, 'Svc');
    const c = new FoundryCluster(stack, 'Cluster');
    new BackendService(stack, 'Fixed', { cluster: c, image: IMAGE, port: 80, desiredCount: 3 });
    new BackendService(stack, 'Scaled', { cluster: c, image: IMAGE, port: 80, scaling: { minTasks: 2, maxTasks: 10 } });
    new WorkerService(stack, 'Idle', { cluster: c, image: IMAGE, queueScaling: { minTasks: 0, maxTasks: 5, messagesPerTask: 10 } });
    const report = CostEstimate.of(svcApp).toMarkdown();
    expect(report).toMatch(/\| Fargate \| Fixed\/Task \| 3 task\(s\)/);
    expect(report).toMatch(/\| Fargate \| Scaled\/Task \| 2 task\(s\)/);
    expect(report).not.toMatch(/\| Fargate( Spot)? \| Idle\/Task \| [1-9]/);
  });
});
