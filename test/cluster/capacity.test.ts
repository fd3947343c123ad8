import { App, Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import { Construct } from 'constructs';
import * as fc from 'fast-check';
import { Capacity, CapacityType, FoundryCluster, FoundryTaskDefinition } from '../../src';
import { plainStack } from '../support/stacks';

const stack = plainStack('Capacity');
const cluster = new FoundryCluster(stack, 'Cluster');
const ec2Capacity = cluster.addEc2Capacity('Ec2', { instanceType: new ec2.InstanceType('m7i.large') });

describe('Capacity', () => {
  test('fargate() places every task on on-demand Fargate', () => {
    const capacity = Capacity.fargate();
    expect(capacity.type).toBe(CapacityType.FARGATE);
    expect(capacity.strategies(cluster)).toEqual([{ capacityProvider: 'FARGATE', weight: 1 }]);
  });

  test('spot() defaults to Fargate Spot only', () => {
    expect(Capacity.spot().strategies(cluster)).toEqual([{ capacityProvider: 'FARGATE_SPOT', weight: 1 }]);
  });

  test('spot() with an on-demand base keeps that many tasks on Fargate', () => {
    expect(Capacity.spot({ onDemandBase: 2, onDemandWeight: 1, spotWeight: 4 }).strategies(cluster)).toEqual([
      { capacityProvider: 'FARGATE', base: 2, weight: 1 },
      { capacityProvider: 'FARGATE_SPOT', weight: 4 },
    ]);
  });

  test('ec2() uses the capacity provider of the Ec2Capacity', () => {
    const capacity = Capacity.ec2(ec2Capacity);
    expect(capacity.type).toBe(CapacityType.EC2);
    expect(capacity.ec2Capacity).toBe(ec2Capacity);
    expect(capacity.strategies(cluster)).toEqual([{ capacityProvider: ec2Capacity.capacityProvider.capacityProviderName, weight: 1 }]);
  });

  test('strategies() returns copies', () => {
    const capacity = Capacity.fargate();
    (capacity.strategies(cluster)[0] as any).weight = 99;
    expect(capacity.strategies(cluster)[0].weight).toBe(1);
  });

  test.each<[string, () => unknown, RegExp]>([
    ['negative base', () => Capacity.spot({ onDemandBase: -1 }), /^Capacity\.spot\(\): invalid onDemandBase = -1\. Use a whole number between 0 and 100000/],
    ['fractional weight', () => Capacity.spot({ spotWeight: 0.5 }), /invalid spotWeight = 0\.5/],
    ['weight above 1000', () => Capacity.spot({ onDemandWeight: 1001 }), /invalid onDemandWeight = 1001/],
    ['all weights zero', () => Capacity.spot({ spotWeight: 0 }), /invalid spotWeight = 0\. At least one of spotWeight and onDemandWeight must be greater than 0/],
    ['ec2() without capacity', () => Capacity.ec2(undefined as any), /^Capacity\.ec2\(\): invalid capacity = undefined/],
  ])('rejects %s', (_name, make, message) => {
    expect(make).toThrow(message);
  });

  test('rejects EC2 capacity of another cluster', () => {
    const other = new FoundryCluster(stack, 'Other');
    expect(() => other.useDefaultCapacity(Capacity.ec2(ec2Capacity)))
      .toThrow(/FoundryCluster 'Capacity\/Other': invalid capacity = 'Capacity\.ec2\(Capacity\/Cluster\/Ec2\)'\. That EC2 capacity belongs to the cluster 'Capacity\/Cluster'/);
  });

  test('valid Spot options always give a strategy ECS accepts', () => {
    fc.assert(fc.property(
      fc.integer({ min: 0, max: 100_000 }), fc.integer({ min: 0, max: 1000 }), fc.integer({ min: 0, max: 1000 }),
      (onDemandBase, onDemandWeight, spotWeight) => {
        fc.pre(onDemandWeight + spotWeight > 0);
        const strategies = Capacity.spot({ onDemandBase, onDemandWeight, spotWeight }).strategies(cluster);
        // At most one provider has a base, at least one has weight, only Fargate providers appear.
        expect(strategies.filter(s => s.base).length).toBeLessThanOrEqual(1);
        expect(strategies.some(s => (s.weight ?? 0) > 0)).toBe(true);
        expect(strategies.every(s => ['FARGATE', 'FARGATE_SPOT'].includes(s.capacityProvider))).toBe(true);
        expect(strategies.find(s => s.capacityProvider === 'FARGATE')?.base ?? 0).toBe(onDemandBase);
      },
    ), { numRuns: 200 });
  });

  test('the default strategy is applied once, whatever the call order', () => {
    const app = new App();
    const s = new Stack(app, 'Order');
    const c = new FoundryCluster(s, 'Cluster');
    const e = c.addEc2Capacity('Ec2', { instanceType: new ec2.InstanceType('m7i.large') });
    c.useDefaultCapacity(Capacity.ec2(e));
    expect(() => app.synth()).not.toThrow();
    expect(c.defaultCapacity.type).toBe(CapacityType.EC2);
  });

  test('managedInstances() places every task on the Managed Instances capacity provider', () => {
    const c = new FoundryCluster(plainStack('Managed'), 'Cluster');
    const mi = c.addManagedInstances('Instances');
    const capacity = Capacity.managedInstances(mi);
    expect(capacity.type).toBe(CapacityType.MANAGED_INSTANCES);
    expect(capacity.managedInstancesCapacity).toBe(mi);
    expect(capacity.ec2Capacity).toBeUndefined();
    expect(capacity.strategies(c)).toEqual([{ capacityProvider: mi.capacityProvider.capacityProviderName, weight: 1 }]);
  });

  test('useDefaultCapacity() compares Managed Instances capacities by identity', () => {
    const c = new FoundryCluster(plainStack('ManagedDefault'), 'Cluster');
    const a = c.addManagedInstances('A');
    const b = c.addManagedInstances('B');
    c.useDefaultCapacity(Capacity.managedInstances(a));
    // The same capacity again is the same choice; another one is a second choice.
    expect(() => c.useDefaultCapacity(Capacity.managedInstances(a))).not.toThrow();
    expect(() => c.useDefaultCapacity(Capacity.managedInstances(b))).toThrow(/invalid defaultCapacity = 'MANAGED_INSTANCES'\. The default capacity was already chosen/);
  });
});

describe('FoundryCluster._resolveCapacity', () => {
  test("a workload's own capacity wins, validated for the cluster", () => {
    const c = new FoundryCluster(plainStack('OwnCapacity'), 'Cluster');
    const spot = Capacity.spot();
    expect(c._resolveCapacity(c, spot)).toBe(spot);
    // Choosing its own capacity does not fix the default.
    expect(() => c.useDefaultCapacity(Capacity.spot({ onDemandBase: 1 }))).not.toThrow();
    expect(() => c._resolveCapacity(c, Capacity.ec2(ec2Capacity)))
      .toThrow(/FoundryCluster 'OwnCapacity\/Cluster': invalid capacity = 'Capacity\.ec2\(Capacity\/Cluster\/Ec2\)'\. That EC2 capacity belongs to the cluster 'Capacity\/Cluster'/);
  });

  test('without a capacity, the default is handed out', () => {
    const c = new FoundryCluster(plainStack('DefaultHandedOut'), 'Cluster', { defaultCapacity: Capacity.spot() });
    expect(c._resolveCapacity(c).type).toBe(CapacityType.FARGATE_SPOT);
  });

  test('useDefaultCapacity() after the default was handed out throws, naming the first consumer', () => {
    // Before: a workload built before useDefaultCapacity() kept the old default while the cluster switched.
    const s = plainStack('LateDefault');
    const c = new FoundryCluster(s, 'Cluster');
    const e = c.addEc2Capacity('Ec2', { instanceType: new ec2.InstanceType('m7i.large') });
    const first = new Construct(s, 'FirstWorkload');
    const second = new Construct(s, 'SecondWorkload');
    const fargate = c._resolveCapacity(first);
    c._resolveCapacity(second);
    expect(fargate.type).toBe(CapacityType.FARGATE);
    expect(() => c.useDefaultCapacity(Capacity.ec2(e)))
      .toThrow("FoundryCluster 'LateDefault/Cluster': invalid defaultCapacity = 'EC2'. 'LateDefault/FirstWorkload' already runs on the default capacity (FARGATE): call useDefaultCapacity() before creating workloads.");
    // Choosing the capacity it already hands out changes nothing, so it stays allowed.
    expect(() => c.useDefaultCapacity(fargate)).not.toThrow();
  });

  test('a task definition built before useDefaultCapacity() makes the late call an error, not a silent divergence', () => {
    const s = plainStack('LateWorkload');
    const c = new FoundryCluster(s, 'Cluster');
    const e = c.addEc2Capacity('Ec2', { instanceType: new ec2.InstanceType('m7i.large') });
    const early = new FoundryTaskDefinition(s, 'Early', { cluster: c, image: ecs.ContainerImage.fromRegistry('public.ecr.aws/nginx/nginx:stable') });
    expect(early.capacity.type).toBe(CapacityType.FARGATE);
    expect(() => c.useDefaultCapacity(Capacity.ec2(e)))
      .toThrow(/invalid defaultCapacity = 'EC2'\. 'LateWorkload\/Early' already runs on the default capacity \(FARGATE\): call useDefaultCapacity\(\) before creating workloads/);
  });

  test('useDefaultCapacity() before the first workload is what workloads get', () => {
    const s = plainStack('EarlyDefault');
    const c = new FoundryCluster(s, 'Cluster');
    const ec2Default = Capacity.ec2(c.addEc2Capacity('Ec2', { instanceType: new ec2.InstanceType('m7i.large') }));
    c.useDefaultCapacity(ec2Default);
    expect(c._resolveCapacity(new Construct(s, 'Workload'))).toBe(ec2Default);
  });

  test('useDefaultCapacity() with a capacity equal to the default is accepted, a different one still throws', () => {
    // Before: capacities were compared by reference, so Capacity.spot() after `defaultCapacity: Capacity.spot()`
    // threw "already chosen" although it means the same strategy.
    const s = plainStack('EqualDefault');
    const c = new FoundryCluster(s, 'Cluster', { defaultCapacity: Capacity.spot({ onDemandBase: 1 }) });
    const e = c.addEc2Capacity('Ec2', { instanceType: new ec2.InstanceType('m7i.large') });
    c._resolveCapacity(new Construct(s, 'Workload'));
    expect(() => c.useDefaultCapacity(Capacity.spot({ onDemandBase: 1 }))).not.toThrow();
    for (const other of [Capacity.spot(), Capacity.spot({ onDemandBase: 2 }), Capacity.fargate(), Capacity.ec2(e)]) {
      expect(() => c.useDefaultCapacity(other)).toThrow(/invalid defaultCapacity = '\w+'\. 'EqualDefault\/Workload' already runs on the default capacity \(FARGATE_SPOT\)/);
    }
    // EC2 capacity: the same Ec2Capacity is equal, another one with the same settings is not.
    const s2 = plainStack('EqualEc2Default');
    const c2 = new FoundryCluster(s2, 'Cluster');
    const e2 = c2.addEc2Capacity('Ec2', { instanceType: new ec2.InstanceType('m7i.large') });
    const f2 = c2.addEc2Capacity('Ec2b', { instanceType: new ec2.InstanceType('m7i.large') });
    c2.useDefaultCapacity(Capacity.ec2(e2));
    expect(() => c2.useDefaultCapacity(Capacity.ec2(e2))).not.toThrow();
    expect(() => c2.useDefaultCapacity(Capacity.ec2(f2))).toThrow(/The default capacity was already chosen/);
  });
});

describe('FoundryCluster._claimName', () => {
  const s = plainStack('Claims');
  const c = new FoundryCluster(s, 'Cluster');
  const a = new Construct(s, 'A');
  const b = new Construct(s, 'B');

  test('the first claim is recorded, a second owner gets the first owner path', () => {
    expect(c._claimName('service', 'api', a)).toBeUndefined();
    expect(c._claimName('service', 'api', b)).toBe('Claims/A');
  });

  test('the same owner may claim again, and kinds do not collide', () => {
    expect(c._claimName('service', 'api', a)).toBeUndefined();
    expect(c._claimName('cloudmap:Claims/Ns', 'api', b)).toBeUndefined();
    expect(c._claimName('cloudmap:Claims/Other', 'api', a)).toBeUndefined();
  });

  test('claims belong to one cluster', () => {
    const other = new FoundryCluster(s, 'Other');
    expect(other._claimName('service', 'api', b)).toBeUndefined();
  });
});
