import { Duration, Size } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import type { IFoundryCluster } from './cluster-interfaces';

/**
 * How ECS Managed Instances buys the EC2 instances it launches.
 */
export enum ManagedInstancesPurchaseOption {
  /** On-Demand instances: predictable price and availability. */
  ON_DEMAND = 'ON_DEMAND',
  /** Spot instances: spare EC2 capacity at a lower price, reclaimed with a two-minute warning. */
  SPOT = 'SPOT',
  /** Instances launched into EC2 Capacity Reservations (set `capacityReservations`). */
  RESERVED = 'RESERVED',
}

/**
 * When ECS Managed Instances launches into EC2 Capacity Reservations.
 */
export enum ManagedInstancesReservationPreference {
  /** Launch only into matching Capacity Reservations (without one, no instance launches). */
  RESERVATIONS_ONLY = 'RESERVATIONS_ONLY',
  /** Prefer matching Capacity Reservations and fall back to On-Demand instances. */
  RESERVATIONS_FIRST = 'RESERVATIONS_FIRST',
  /** Never use Capacity Reservations. */
  RESERVATIONS_EXCLUDED = 'RESERVATIONS_EXCLUDED',
}

/**
 * The EC2 Capacity Reservations an ECS Managed Instances capacity launches into.
 */
export interface ManagedInstancesCapacityReservationOptions {
  /**
   * When to use Capacity Reservations.
   */
  readonly preference: ManagedInstancesReservationPreference;

  /**
   * ARN of the Capacity Reservation resource group to launch into (targeted reservations).
   *
   * @default - any open Capacity Reservation that matches the instance requirements
   */
  readonly reservationGroupArn?: string;
}

/**
 * Options of `cluster.addManagedInstances()`: what instances ECS may choose and how it runs them.
 */
export interface ManagedInstancesCapacityOptions {
  /**
   * CPU architecture of the instances, which the workloads on this capacity must share.
   *
   * X86_64 selects Intel and AMD processors, ARM64 AWS Graviton.
   *
   * @default ecs.CpuArchitecture.X86_64
   */
  readonly cpuArchitecture?: ecs.CpuArchitecture;

  /**
   * Fewest vCPUs an instance may have.
   *
   * @default 1
   */
  readonly minVcpus?: number;

  /**
   * Most vCPUs an instance may have.
   *
   * @default - no upper bound: ECS chooses the most cost-effective size for the tasks it places
   */
  readonly maxVcpus?: number;

  /**
   * Least memory an instance may have.
   *
   * @default Size.gibibytes(1)
   */
  readonly minMemory?: Size;

  /**
   * Most memory an instance may have.
   *
   * @default - no upper bound
   */
  readonly maxMemory?: Size;

  /**
   * Instance types ECS may launch, such as 'm7i.large', 'c7g.*' or 'm7*.*' (wildcards allowed).
   *
   * The other requirements still apply. Cannot be combined with `excludedInstanceTypes`.
   *
   * @default - every current-generation type that meets the other requirements
   */
  readonly allowedInstanceTypes?: string[];

  /**
   * Instance types ECS must not launch, such as 't3.*' (wildcards allowed).
   *
   * @default - none excluded
   */
  readonly excludedInstanceTypes?: string[];

  /**
   * Allow burstable instance types (T3, T4g, ...).
   *
   * Burstable types run at full speed only while they have CPU credits, so a busy service slows down or pays for
   * unlimited credits; they are left out unless you allow them.
   *
   * @default false
   */
  readonly burstable?: boolean;

  /**
   * GPUs each instance must have, for GPU workloads.
   *
   * @default - instances without GPU requirement
   */
  readonly minGpus?: number;

  /**
   * How the instances are bought: On-Demand, Spot or Capacity Reservations.
   *
   * @default ManagedInstancesPurchaseOption.ON_DEMAND
   */
  readonly purchaseOption?: ManagedInstancesPurchaseOption;

  /**
   * The Capacity Reservations to launch into, with `purchaseOption: ManagedInstancesPurchaseOption.RESERVED`.
   *
   * @default - no Capacity Reservations
   */
  readonly capacityReservations?: ManagedInstancesCapacityReservationOptions;

  /**
   * Size of each instance's data volume, which holds images, container logs and the tasks' writable layers.
   *
   * @default Size.gibibytes(30)
   */
  readonly storageSize?: Size;

  /**
   * Use instance store volumes for the tasks' data instead of EBS, which limits ECS to instance types with local storage.
   *
   * @default false
   */
  readonly useLocalStorage?: boolean;

  /**
   * CloudWatch detailed monitoring (1-minute instance metrics, charged per metric).
   *
   * @default false
   */
  readonly detailedMonitoring?: boolean;

  /**
   * Replace instances whose health ECS reports as impaired (auto repair).
   *
   * @default true
   */
  readonly autoRepair?: boolean;

  /**
   * Let ECS replace idle and underutilized instances with fewer or cheaper ones (infrastructure optimization).
   *
   * @default true
   */
  readonly infrastructureOptimization?: boolean;

  /**
   * How long an instance stays idle or underutilized before ECS optimizes it away.
   *
   * A longer delay keeps warm instances for new tasks, a shorter one saves money sooner. Between 0 seconds and 1 hour.
   *
   * @default - ECS's default delay
   */
  readonly scaleInAfter?: Duration;

  /**
   * Run the instances with FIPS 140 validated cryptographic modules (in the Regions that offer them).
   *
   * @default false
   */
  readonly fipsEnabled?: boolean;

  /**
   * Copy the capacity provider's tags to the instances it launches, for cost allocation.
   *
   * @default true
   */
  readonly propagateTags?: boolean;

  /**
   * The subnets of the cluster's VPC the instances run in: private or isolated ones only.
   *
   * @default - the cluster's private subnets (isolated ones when there are none)
   */
  readonly vpcSubnets?: ec2.SubnetSelection;

  /**
   * Name of the capacity provider.
   *
   * @default - a name generated by CloudFormation
   */
  readonly capacityProviderName?: string;
}

/**
 * Props of `ManagedInstancesCapacity`.
 */
export interface ManagedInstancesCapacityProps extends ManagedInstancesCapacityOptions {
  /**
   * The cluster whose tasks run on these instances.
   */
  readonly cluster: IFoundryCluster;
}
