import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as fc from 'fast-check';
import { Capacity, FoundryCluster, FoundryTaskDefinition } from '../../src';
import {
  checkManagedInstancesTaskSize, describeMemoryOptions, FARGATE_LINUX, FARGATE_WINDOWS, isValidFargateSize, memoryOptions,
} from '../../src/workload/sizes';
import { plainStack } from '../support/stacks';

// The Fargate table as the ECS Developer Guide lists it, written out independently of src/workload/sizes.ts.
const GIB = 1024;
const range = (from: number, to: number, step: number) => Array.from({ length: (to - from) / step + 1 }, (_, i) => from + i * step);
const DOCUMENTED: Record<number, number[]> = {
  256: [512, 1 * GIB, 2 * GIB],
  512: range(1 * GIB, 4 * GIB, GIB),
  1024: range(2 * GIB, 8 * GIB, GIB),
  2048: range(4 * GIB, 16 * GIB, GIB),
  4096: range(8 * GIB, 30 * GIB, GIB),
  8192: range(16 * GIB, 60 * GIB, 4 * GIB),
  16384: range(32 * GIB, 120 * GIB, 8 * GIB),
};

describe('Fargate size table', () => {
  test('matches the documented CPU and memory combinations', () => {
    for (const [cpu, memories] of Object.entries(DOCUMENTED)) {
      expect(memoryOptions(FARGATE_LINUX, Number(cpu))).toEqual(memories);
    }
    expect(FARGATE_LINUX.map(r => r.cpu)).toEqual(Object.keys(DOCUMENTED).map(Number));
  });

  test('Windows allows 1 to 4 vCPU only', () => {
    expect(FARGATE_WINDOWS.map(r => r.cpu)).toEqual([1024, 2048, 4096]);
  });

  test('isValidFargateSize agrees with the documented table for any pair', () => {
    fc.assert(fc.property(
      fc.constantFrom(128, 256, 512, 1024, 2048, 3072, 4096, 8192, 16384, 32768),
      fc.integer({ min: 1, max: 130 * GIB }),
      (cpu, memory) => {
        const documented = DOCUMENTED[cpu]?.includes(memory) ?? false;
        expect(isValidFargateSize(FARGATE_LINUX, cpu, memory)).toBe(documented);
      },
    ), { numRuns: 2000 });
  });

  test('describeMemoryOptions lists the valid values for the CPU', () => {
    expect(describeMemoryOptions(FARGATE_LINUX, 256)).toBe('memory for 256 CPU units must be 512 or 1024-2048 MiB in steps of 1024');
    expect(describeMemoryOptions(FARGATE_LINUX, 8192)).toBe('memory for 8192 CPU units must be 16384-61440 MiB in steps of 4096');
    expect(describeMemoryOptions(FARGATE_LINUX, 300)).toMatch(/CPU must be one of 256, 512/);
  });
});

describe('FoundryTaskDefinition size validation', () => {
  const stack = plainStack('Sizes');
  const cluster = new FoundryCluster(stack, 'Cluster');
  const image = ecs.ContainerImage.fromRegistry('public.ecr.aws/nginx/nginx:stable');
  let n = 0;
  const make = (cpu: number, memoryMiB: number, os?: ecs.OperatingSystemFamily) =>
    () => new FoundryTaskDefinition(stack, `Task${n++}`, { cluster, image, cpu, memoryMiB, operatingSystemFamily: os, capacity: Capacity.fargate() });

  test('every documented Linux pair is accepted and every other memory value rejected with the valid values', () => {
    fc.assert(fc.property(
      fc.constantFrom(...Object.keys(DOCUMENTED).map(Number)),
      fc.integer({ min: 1, max: 128 }).map(g => g * 512),
      (cpu, memory) => {
        if (DOCUMENTED[cpu].includes(memory)) {
          expect(make(cpu, memory)).not.toThrow();
        } else {
          expect(make(cpu, memory)).toThrow(new RegExp(`invalid memoryMiB = ${memory}\\. On Fargate, memory for ${cpu} CPU units must be`));
        }
      },
    ), { numRuns: 60 });
  });

  test('Windows rejects 256 and 512 CPU units', () => {
    expect(make(512, 1024, ecs.OperatingSystemFamily.WINDOWS_SERVER_2022_CORE))
      .toThrow(/invalid cpu = 512\. Fargate Windows tasks take 1024, 2048, 4096 CPU units/);
  });
});

describe('ECS Managed Instances sizes (property-based)', () => {
  // A stand-in for a capacity limited to maxVcpus and maxMemory: what checkManagedInstancesTaskSize reads.
  const limited = (maxVcpus: number, maxMemoryMiB: number) => ({ node: { path: 'Stack/Cluster/Instances' }, maxVcpus, maxMemoryMiB }) as any;

  test('any task within the largest instance is accepted, whatever Fargate says of the pair', () => {
    fc.assert(fc.property(fc.integer({ min: 1, max: 192 }), fc.integer({ min: 1024, max: 1_048_576 }), fc.nat(), fc.nat(), (vcpus, mib, c, m) => {
      const cpu = 128 + (c % (vcpus * 1024 - 127));
      const memory = 128 + (m % (mib - 127));
      expect(() => checkManagedInstancesTaskSize('Task' as any, limited(vcpus, mib), cpu, memory)).not.toThrow();
    }));
  });

  test('a task larger than the largest instance is rejected, naming the limit', () => {
    fc.assert(fc.property(fc.integer({ min: 1, max: 192 }), fc.integer({ min: 1, max: 4096 }), (vcpus, extra) => {
      expect(() => checkManagedInstancesTaskSize('Task' as any, limited(vcpus, 1_048_576), vcpus * 1024 + extra, 512))
        .toThrow(new RegExp(`invalid cpu = ${vcpus * 1024 + extra}\\. .*at most ${vcpus} vCPUs`));
      expect(() => checkManagedInstancesTaskSize('Task' as any, limited(192, vcpus * 1024), 256, vcpus * 1024 + extra))
        .toThrow(new RegExp(`invalid memoryMiB = ${vcpus * 1024 + extra}\\. .*at most ${vcpus * 1024} MiB`));
    }), { numRuns: 50 });
  });

  test('on a real capacity, sizes Fargate has no pair for synthesize as they are', () => {
    const stack = plainStack('MiSizes');
    const cluster = new FoundryCluster(stack, 'Cluster');
    const capacity = Capacity.managedInstances(cluster.addManagedInstances('Instances'));
    const td = new FoundryTaskDefinition(stack, 'Odd', { cluster, capacity, image: ecs.ContainerImage.fromRegistry('public.ecr.aws/nginx/nginx:stable'), cpu: 640, memoryMiB: 1500 });
    expect(isValidFargateSize(FARGATE_LINUX, 640, 1500)).toBe(false);
    expect([td.cpu, td.memoryMiB]).toEqual([640, 1500]);
  });
});
