/**
 * CostEstimate prices ECS Managed Instances beside Fargate and EC2: the instances ECS launches for the tasks (the EC2
 * list price, Spot at the assumed discount), their data volumes, and the management fee per instance-hour, which
 * the price table does not hold yet and which is therefore listed as not priced, never guessed.
 * Figures by hand (us-east-1, 730 h): m7i.large $0.1008/h (2 vCPU, 8 GiB, 3 ENIs), m7g.large $0.0816/h,
 * r7g.large $0.1071/h, g5.xlarge $1.006/h, gp3 $0.08/GB-month.
 */
import { App, Size, Stack } from 'aws-cdk-lib';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import { Capacity, CostEstimate, CostLine, FoundryCluster, FoundryTaskDefinition, ManagedInstancesPurchaseOption } from '../../src';

const IMAGE = ecs.ContainerImage.fromRegistry('public.ecr.aws/nginx/nginx:stable');

const app = new App();
const stack = new Stack(app, 'Mi', { env: { account: '123456789012', region: 'us-east-1' } });
const cluster = new FoundryCluster(stack, 'Cluster');
const standard = cluster.addManagedInstances('Standard');
const graviton = cluster.addManagedInstances('Graviton', {
  cpuArchitecture: ecs.CpuArchitecture.ARM64, purchaseOption: ManagedInstancesPurchaseOption.SPOT, storageSize: Size.gibibytes(50),
});
const memoryHeavy = cluster.addManagedInstances('MemoryHeavy', { cpuArchitecture: ecs.CpuArchitecture.ARM64, allowedInstanceTypes: ['c7g.*', 'r7g.large'] });
const gpu = cluster.addManagedInstances('Gpu', { minGpus: 1 });
cluster.addManagedInstances('Idle');
const api = new FoundryTaskDefinition(stack, 'Api', { cluster, image: IMAGE, capacity: Capacity.managedInstances(standard), cpu: 1024, memoryMiB: 2048 });
const batch = new FoundryTaskDefinition(stack, 'Batch', { cluster, image: IMAGE, capacity: Capacity.managedInstances(graviton), cpu: 512, memoryMiB: 1024 });
new FoundryTaskDefinition(stack, 'Cache', { cluster, image: IMAGE, capacity: Capacity.managedInstances(memoryHeavy), cpu: 1024, memoryMiB: 8192 });
new FoundryTaskDefinition(stack, 'Cuda', { cluster, image: IMAGE, capacity: Capacity.managedInstances(gpu), cpu: 2048, memoryMiB: 8192, gpuCount: 1 });
const estimate = CostEstimate.of(stack, { taskCounts: [{ taskDefinition: api, tasks: 3 }, { taskDefinition: batch, tasks: 4 }] });

const lineOf = (category: string, item: string): CostLine => {
  const found = estimate.lines.filter(l => l.category === category && l.item === item);
  expect(found).toHaveLength(1);
  return found[0];
};

describe('ECS Managed Instances in the cost estimate', () => {
  test('tasks on Managed Instances cost nothing themselves: they are in the instances', () => {
    const line = lineOf('Tasks on Managed Instances', 'Api');
    expect(line.monthlyUsd).toBe(0);
    expect(line.note).toBe('in the instances of Cluster/Standard');
    // Not priced as Fargate (or left out): the task runs on instances.
    expect(estimate.lines.filter(l => l.item === 'Api' && l.category.startsWith('Fargate'))).toEqual([]);
  });

  test('the instances the tasks need, at the EC2 list price', () => {
    // 3 tasks of 1 vCPU, 2 GB on m7i.large: vCPU and ENIs allow 2 per instance -> 2 instances; 2 × 730 × 0.1008 = 147.168
    const line = lineOf('Managed Instances', 'Cluster/Standard');
    expect(line.monthlyUsd).toBe(147.17);
    expect(line.quantity).toBe('2 × m7i.large × 730 h at $0.1008/h (its tasks need 2)');
    expect(line.note).toMatch(/priced as m7i\.large: ECS chooses the types/);
  });

  test('Spot capacity at the assumed discount, on the Graviton type', () => {
    // 4 tasks of 0.5 vCPU, 1 GB on m7g.large: 2 ENIs per instance -> 2 instances; 2 × 730 × 0.0816 × 0.4 = 47.6544
    expect(lineOf('Managed Instances Spot', 'Cluster/Graviton').monthlyUsd).toBe(47.65);
  });

  test('the data volume of every instance, at the gp3 price', () => {
    expect(lineOf('EBS', 'Cluster/Standard').monthlyUsd).toBe(4.8); // 2 × 30 GB × 0.08
    expect(lineOf('EBS', 'Cluster/Graviton').monthlyUsd).toBe(8); // 2 × 50 GB × 0.08
  });

  test('an allowed instance type the table knows is the one priced', () => {
    // 1 task of 1 vCPU, 8 GB: r7g.large (2 vCPU, 16 GiB) holds it -> 1 × 730 × 0.1071 = 78.183
    expect(lineOf('Managed Instances', 'Cluster/MemoryHeavy').monthlyUsd).toBe(78.18);
  });

  test('GPU capacity is priced as a GPU instance', () => {
    expect(lineOf('Managed Instances', 'Cluster/Gpu').quantity).toMatch(/^1 × g5\.xlarge × 730 h at \$1\.006\/h/);
    expect(lineOf('Managed Instances', 'Cluster/Gpu').monthlyUsd).toBe(734.38);
  });

  test('the management fee is listed as not priced until the table holds it, with where to find it', () => {
    const fee = lineOf('Managed Instances fee', 'Cluster/Standard');
    expect(fee.monthlyUsd).toBeUndefined();
    expect(fee.note).toBe('the table has no ECS Managed Instances management fee for m7i.large in us-east-1 (https://aws.amazon.com/ecs/pricing/)');
    expect(estimate.unpricedLines).toBeGreaterThanOrEqual(4);
  });

  test('a capacity without tasks launches no instance and costs nothing', () => {
    expect(lineOf('Managed Instances', 'Cluster/Idle').monthlyUsd).toBe(0);
    expect(lineOf('Managed Instances fee', 'Cluster/Idle').monthlyUsd).toBe(0);
    expect(estimate.lines.filter(l => l.category === 'EBS' && l.item === 'Cluster/Idle')).toEqual([]);
  });

  test('the comparison still shows the same tasks on Fargate and on EC2', () => {
    const row = estimate.comparisons.find(c => c.taskDefinition === 'Api')!;
    // 3 × 730 × (1 × 0.04048 + 2 × 0.004445) = 3 × 730 × 0.04937 = 108.1203
    expect(row.fargateMonthlyUsd).toBe(108.12);
    expect(row.ec2MonthlyUsd).toBe(147.17);
  });
});
