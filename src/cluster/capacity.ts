import { Stack } from 'aws-cdk-lib';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import type { IFoundryCluster } from './cluster-interfaces';
import type { Ec2Capacity } from './ec2-capacity';
import type { ManagedInstancesCapacity } from './managed-instances';
import { checkNumber, invalidProp, isConcrete } from '../private/validation';

/**
 * The kind of compute a `Capacity` places tasks on.
 */
export enum CapacityType {
  /** AWS Fargate, on demand. */
  FARGATE = 'FARGATE',
  /** AWS Fargate Spot, optionally with an on-demand Fargate base. */
  FARGATE_SPOT = 'FARGATE_SPOT',
  /** EC2 instances of an `Ec2Capacity` (Auto Scaling group capacity provider). */
  EC2 = 'EC2',
  /** EC2 instances that ECS launches and manages for a `ManagedInstancesCapacity` (ECS Managed Instances). */
  MANAGED_INSTANCES = 'MANAGED_INSTANCES',
}

/**
 * Options of `Capacity.spot()`.
 */
export interface SpotCapacityOptions {
  /**
   * Number of tasks always placed on on-demand Fargate before any Spot task.
   *
   * Keep at least one task on demand for services that must stay up through a Spot interruption.
   *
   * @default 0
   */
  readonly onDemandBase?: number;

  /**
   * Relative share of tasks beyond the base that go to on-demand Fargate.
   *
   * @default 0
   */
  readonly onDemandWeight?: number;

  /**
   * Relative share of tasks beyond the base that go to Fargate Spot.
   *
   * @default 1
   */
  readonly spotWeight?: number;
}

/**
 * Where tasks run: Fargate, Fargate Spot, EC2 capacity or ECS Managed Instances. Maps to a capacity provider strategy.
 *
 * @example
 * Capacity.fargate();
 * Capacity.spot({ onDemandBase: 1, spotWeight: 3, onDemandWeight: 1 });
 * Capacity.managedInstances(cluster.addManagedInstances('Instances'));
 */
export class Capacity {
  /** Run tasks on on-demand Fargate. */
  public static fargate(): Capacity {
    return new Capacity(CapacityType.FARGATE, [{ capacityProvider: 'FARGATE', weight: 1 }]);
  }

  /**
   * Run tasks on Fargate Spot, with an optional on-demand base and weight.
   *
   * Spot tasks can be stopped with a two-minute warning; Windows containers cannot use Spot.
   */
  public static spot(options: SpotCapacityOptions = {}): Capacity {
    const where = 'Capacity.spot()';
    // A strategy item's base is 0-100000 and its weight 0-1000, and at least one weight must be above 0:
    // https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_CapacityProviderStrategyItem.html
    checkNumber(where, 'onDemandBase', options.onDemandBase, { min: 0, max: 100_000, integer: true });
    checkNumber(where, 'onDemandWeight', options.onDemandWeight, { min: 0, max: 1_000, integer: true });
    checkNumber(where, 'spotWeight', options.spotWeight, { min: 0, max: 1_000, integer: true });
    const base = options.onDemandBase ?? 0;
    const onDemandWeight = options.onDemandWeight ?? 0;
    const spotWeight = options.spotWeight ?? 1;
    if (isConcrete(onDemandWeight) && isConcrete(spotWeight) && onDemandWeight + spotWeight === 0) {
      invalidProp(where, 'spotWeight', spotWeight, 'At least one of spotWeight and onDemandWeight must be greater than 0, or ECS places no task beyond the base.');
    }
    const strategies: ecs.CapacityProviderStrategy[] = [];
    if (base !== 0 || onDemandWeight !== 0) {
      strategies.push({ capacityProvider: 'FARGATE', base: base || undefined, weight: onDemandWeight });
    }
    strategies.push({ capacityProvider: 'FARGATE_SPOT', weight: spotWeight });
    return new Capacity(CapacityType.FARGATE_SPOT, strategies);
  }

  /** Run tasks on the EC2 instances of an `Ec2Capacity` created with `cluster.addEc2Capacity()`. */
  public static ec2(capacity: Ec2Capacity): Capacity {
    if (!capacity || !capacity.capacityProvider) {
      invalidProp('Capacity.ec2()', 'capacity', capacity, 'Pass the Ec2Capacity returned by cluster.addEc2Capacity().');
    }
    return new Capacity(CapacityType.EC2, [{ capacityProvider: capacity.capacityProvider.capacityProviderName, weight: 1 }], capacity);
  }

  /**
   * Run tasks on the ECS Managed Instances of a `ManagedInstancesCapacity` created with `cluster.addManagedInstances()`.
   *
   * ECS launches, patches and replaces the instances; task definitions get the MANAGED_INSTANCES compatibility.
   */
  public static managedInstances(capacity: ManagedInstancesCapacity): Capacity {
    if (!capacity || !capacity.capacityProvider) {
      invalidProp('Capacity.managedInstances()', 'capacity', capacity, 'Pass the ManagedInstancesCapacity returned by cluster.addManagedInstances().');
    }
    return new Capacity(CapacityType.MANAGED_INSTANCES,
      [{ capacityProvider: capacity.capacityProvider.capacityProviderName, weight: 1 }], undefined, capacity);
  }

  /** The kind of compute. */
  public readonly type: CapacityType;
  /** The EC2 capacity, for `CapacityType.EC2`. */
  public readonly ec2Capacity?: Ec2Capacity;
  /** The Managed Instances capacity, for `CapacityType.MANAGED_INSTANCES`. */
  public readonly managedInstancesCapacity?: ManagedInstancesCapacity;
  private readonly providerStrategies: ecs.CapacityProviderStrategy[];

  private constructor(type: CapacityType, strategies: ecs.CapacityProviderStrategy[], ec2Capacity?: Ec2Capacity,
    managedInstancesCapacity?: ManagedInstancesCapacity) {
    this.type = type;
    this.providerStrategies = strategies;
    this.ec2Capacity = ec2Capacity;
    this.managedInstancesCapacity = managedInstancesCapacity;
  }

  /**
   * The capacity provider strategy for a service or task in the given cluster.
   *
   * Throws when the capacity cannot be used there (EC2 or Managed Instances capacity of another cluster or stack).
   */
  public strategies(cluster: IFoundryCluster): ecs.CapacityProviderStrategy[] {
    const ec2Capacity = this.ec2Capacity;
    if (ec2Capacity && ec2Capacity.cluster !== cluster) {
      invalidProp(cluster, 'capacity', `Capacity.ec2(${ec2Capacity.node.path})`,
        `That EC2 capacity belongs to the cluster '${ec2Capacity.cluster.node.path}'; use capacity added with this cluster's addEc2Capacity().`);
    }
    if (ec2Capacity && Stack.of(ec2Capacity) !== Stack.of(cluster)) {
      invalidProp(cluster, 'capacity', `Capacity.ec2(${ec2Capacity.node.path})`,
        'A cluster, its Auto Scaling group and its capacity provider must live in one stack.');
    }
    // A Managed Instances capacity provider is cluster-scoped: ECS places tasks of another cluster nowhere on it
    // (https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-ecs-capacityprovider.html, ClusterName).
    const managed = this.managedInstancesCapacity;
    if (managed && managed.cluster !== cluster) {
      invalidProp(cluster, 'capacity', `Capacity.managedInstances(${managed.node.path})`,
        `That Managed Instances capacity belongs to the cluster '${managed.cluster.node.path}'; a Managed Instances capacity provider serves one cluster only. Use capacity added with this cluster's addManagedInstances().`);
    }
    return this.providerStrategies.map(s => ({ ...s }));
  }
}
