import { Stack } from 'aws-cdk-lib';
import { Annotations, Match } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import { Capacity, FoundryCluster, FoundryTaskDefinition, WorkloadOptions } from '../../src';
import { instanceShape, registrableMemoryMiB } from '../../src/cluster/instance-types';
import { INSTANCE_SPECS } from '../../src/cost/price-table';
import { plainStack } from '../support/stacks';

const nginx = ecs.ContainerImage.fromRegistry('public.ecr.aws/nginx/nginx:stable');

/** A workload on EC2 capacity of the given instance type(s); returns a thunk that creates it. */
function onEc2(instanceType: string, workload: Partial<WorkloadOptions>, additional: string[] = []): () => FoundryTaskDefinition {
  const stack = plainStack();
  const cluster = new FoundryCluster(stack, 'Cluster');
  const capacity = cluster.addEc2Capacity('Hosts', {
    instanceType: new ec2.InstanceType(instanceType),
    ...(additional.length > 0 ? { spot: { additionalInstanceTypes: additional.map(t => new ec2.InstanceType(t)) } } : {}),
  });
  return () => new FoundryTaskDefinition(stack, 'Task', { cluster, image: nginx, capacity: Capacity.ec2(capacity), ...workload });
}

describe('a task must fit on an instance of its EC2 capacity', () => {
  test.each([
    // m7i.large: 2 vCPU = 2048 units, 8 GiB installed (~7985 MiB registered).
    ['all the installed memory of an m7i.large', 'm7i.large', { cpu: 2048, memoryMiB: 8192 },
      /invalid memoryMiB = 8192\. No instance of the EC2 capacity 'Test\/Cluster\/Hosts' \(m7i\.large\) can hold the task: the largest, m7i\.large, has 8 GiB installed, of which ECS registers at most about 7985 MiB/],
    ['4 vCPUs on a 2-vCPU m7i.large', 'm7i.large', { cpu: 4096, memoryMiB: 2048 },
      /invalid cpu = 4096\. No instance of .*the largest, m7i\.large, has 2 vCPUs = 2048 CPU units \(1024 per vCPU\)\. Choose a larger instance type/],
    ['8 vCPUs and 60 GiB on an m7i.large', 'm7i.large', { cpu: 8192, memoryMiB: 61440 }, /invalid cpu = 8192\./],
    ['4 GPUs on a 1-GPU g5.xlarge', 'g5.xlarge', { cpu: 1024, memoryMiB: 4096, gpuCount: 4 },
      /invalid gpuCount = 4\. No instance of .*the largest, g5\.xlarge, has 1 GPU\(s\)\. Choose a larger instance type .* or make the task smaller/],
    ['more memory than a c7g.large registers', 'c7g.large', { cpu: 1024, memoryMiB: 4096, cpuArchitecture: ecs.CpuArchitecture.ARM64 }, /invalid memoryMiB = 4096\./],
  ])('%s is rejected', (_name, type, workload, message) => {
    expect(onEc2(type, workload)).toThrow(message);
  });

  test.each([
    ['what an m7i.large registers', 'm7i.large', { cpu: 2048, memoryMiB: 7985 }],
    ['a small task', 'm7i.large', { cpu: 256, memoryMiB: 512 }],
    ['4 GPUs on a g5.12xlarge', 'g5.12xlarge', { cpu: 4096, memoryMiB: 16384, gpuCount: 4 }],
    ['a 2xlarge-sized task on m7i.2xlarge (sizes derived from the family)', 'm7i.2xlarge', { cpu: 8192, memoryMiB: 30720 }],
  ])('%s is accepted', (_name, type, workload) => {
    expect(onEc2(type, workload)).not.toThrow();
  });

  test('the largest Spot type counts: a task too big for instanceType fits on an additional type', () => {
    expect(onEc2('m7i.large', { cpu: 4096, memoryMiB: 8192 }, ['m7i.xlarge'])).not.toThrow();
    expect(onEc2('m7i.large', { cpu: 8192, memoryMiB: 8192 }, ['m7i.xlarge']))
      .toThrow(/invalid cpu = 8192\. No instance of the EC2 capacity 'Test\/Cluster\/Hosts' \(m7i\.large, m7i\.xlarge\) can hold the task: the largest, m7i\.xlarge, has 4 vCPUs/);
  });

  test('CPU, memory and GPUs must fit on one type, not each on a different one', () => {
    // c7i.xlarge: 4 vCPU, 8 GiB; r7i.large: 2 vCPU, 16 GiB. The task needs 4 vCPU and 12 GiB.
    expect(onEc2('c7i.xlarge', { cpu: 4096, memoryMiB: 12288 }, ['r7i.large']))
      .toThrow(/invalid memoryMiB = '4096 CPU units, 12288 MiB'\. No single instance type of .* has enough CPU, memory and GPUs together/);
  });

  test('an instance type the library does not know is not judged (the capacity warns instead)', () => {
    const create = onEc2('x2iedn.xlarge', { cpu: 4096, memoryMiB: 65536 });
    const task = create();
    Annotations.fromStack(Stack.of(task)).hasWarning('/Test/Cluster/Hosts',
      Match.stringLikeRegexp('no size data for the instance type \'x2iedn\\.xlarge\''));
  });
});

describe('instance type names', () => {
  const capacity = (instanceType: string, additional?: string[]) => () => {
    const cluster = new FoundryCluster(plainStack(), 'Cluster');
    return cluster.addEc2Capacity('Hosts', {
      instanceType: new ec2.InstanceType(instanceType),
      spot: additional ? { additionalInstanceTypes: additional.map(t => new ec2.InstanceType(t)) } : undefined,
    });
  };

  test.each(['zz9.huge', 'm7i', 'm7i.large.x', 'M7i.large', 'm7i.2XLARGE', 'm7i.0xlarge'])('%s is rejected', name => {
    expect(capacity(name)).toThrow(new RegExp(`invalid instanceType = '${name.replace(/\./g, '\\.')}'\\. Instance types read family\\.size`));
  });

  test('a malformed additional Spot type is rejected', () => {
    expect(capacity('m7i.large', ['m7i.jumbo'])).toThrow(/invalid spot\.additionalInstanceTypes = 'm7i\.jumbo'\. Instance types read family\.size/);
  });

  test.each(['m7g.medium', 'c7i-flex.large', 'r8g.metal-24xl', 'u-6tb1.56xlarge', 'x2iedn.xlarge', 'g6e.12xlarge'])('%s is well-formed', name => {
    // Construction may still warn (unknown to the size table) or fail for AMI reasons, but not for its name.
    expect(capacity(name)).not.toThrow(/Instance types read family\.size/);
  });

  test('a well-formed but unknown type is a warning, not an error', () => {
    const hosts = capacity('zz9.large')();
    Annotations.fromStack(Stack.of(hosts)).hasWarning('/Test/Cluster/Hosts',
      Match.stringLikeRegexp('no size data for the instance type \'zz9\\.large\': check its spelling'));
  });

  test('known types raise no warning', () => {
    const hosts = capacity('m7i.large')();
    Annotations.fromStack(Stack.of(hosts)).hasNoWarning('/Test/Cluster/Hosts', Match.stringLikeRegexp('no size data'));
  });
});

describe('the instance table', () => {
  test('agrees with the price table on vCPUs and memory of every type the cost estimate knows', () => {
    for (const [name, spec] of Object.entries(INSTANCE_SPECS)) {
      const shape = instanceShape(name);
      expect({ name, vcpus: shape?.vcpus, memoryGiB: shape?.memoryGiB }).toEqual({ name, vcpus: spec.vcpus, memoryGiB: spec.memoryGiB });
    }
  });

  test('GPU counts of the documented GPU sizes', () => {
    expect(instanceShape('g5.xlarge')?.gpus).toBe(1);
    expect(instanceShape('g5.12xlarge')?.gpus).toBe(4);
    expect(instanceShape('g5.48xlarge')?.gpus).toBe(8);
    expect(instanceShape('g4dn.12xlarge')?.gpus).toBe(4);
    expect(instanceShape('p4d.24xlarge')?.gpus).toBe(8);
    expect(instanceShape('m7i.large')?.gpus).toBe(0);
  });

  test('registered memory follows the ECS guide\'s m4.large example (7985 of 8192 MiB)', () => {
    expect(registrableMemoryMiB({ vcpus: 2, memoryGiB: 8, gpus: 0 })).toBe(7985);
    expect(registrableMemoryMiB({ vcpus: 4, memoryGiB: 16, gpus: 0 })).toBe(15970);
  });

  test('unknown sizes and families are not guessed', () => {
    expect(instanceShape('m7i.metal-24xl')).toBeUndefined();
    expect(instanceShape('c5n.large')).toBeUndefined();
    expect(instanceShape('zz9.large')).toBeUndefined();
    expect(instanceShape('m7i')).toBeUndefined();
  });
});

describe('FireLens on Windows', () => {
  test('is rejected: Windows containers do not support FireLens', () => {
    const cluster = new FoundryCluster(plainStack(), 'Cluster');
    expect(() => new FoundryTaskDefinition(cluster, 'Win', {
      cluster,
      image: ecs.ContainerImage.fromRegistry('mcr.microsoft.com/windows/servercore/iis:windowsservercore-ltsc2022'),
      operatingSystemFamily: ecs.OperatingSystemFamily.WINDOWS_SERVER_2022_CORE,
      logging: { firelens: true },
    })).toThrow(/invalid logging\.firelens = true\. Windows containers do not support FireLens \(https:\/\/docs\.aws\.amazon\.com\/AmazonECS\/latest\/developerguide\/using_firelens\.html\)/);
  });

  test('Windows with awslogs still works', () => {
    const cluster = new FoundryCluster(plainStack(), 'Cluster');
    expect(() => new FoundryTaskDefinition(cluster, 'Win', {
      cluster,
      image: ecs.ContainerImage.fromRegistry('mcr.microsoft.com/windows/servercore/iis:windowsservercore-ltsc2022'),
      operatingSystemFamily: ecs.OperatingSystemFamily.WINDOWS_SERVER_2022_CORE,
    })).not.toThrow();
  });
});
