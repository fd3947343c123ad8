import { App, Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as fc from 'fast-check';
import { Capacity, CapacityType, FoundryCluster } from '../../src';
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
});
