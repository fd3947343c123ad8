import type { FoundryTaskDefinition } from '../workload/task-definition';

/**
 * How many tasks of one task definition run all month.
 */
export interface TaskCountAssumption {
  /** The task definition. */
  readonly taskDefinition: FoundryTaskDefinition;
  /** Tasks running all month, 0 or more (fractions model tasks that run part of the month). */
  readonly tasks: number;
}

/**
 * What `CostEstimate` assumes where the app does not say. Every value is printed with the estimate.
 */
export interface CostAssumptions {
  /**
   * Hours in a month: every resource runs all month.
   *
   * @default 730
   */
  readonly hoursPerMonth?: number;

  /**
   * Tasks running all month for each `FoundryTaskDefinition` not listed in `taskCounts`.
   *
   * @default 1
   */
  readonly tasksPerTaskDefinition?: number;

  /**
   * Task counts of particular task definitions.
   *
   * @default - `tasksPerTaskDefinition` for every task definition
   */
  readonly taskCounts?: TaskCountAssumption[];

  /**
   * Instances running all month in each `Ec2Capacity` and each `ManagedInstancesCapacity`.
   *
   * @default - the group's minimum capacity, or as many instances as the tasks placed on it need, whichever is more (Managed Instances: as many as the tasks need)
   */
  readonly ec2InstancesPerCapacity?: number;

  /**
   * Fargate Spot discount on the on-demand price, in percent (Spot prices change, AWS quotes up to 70 %).
   *
   * @default 70
   */
  readonly fargateSpotDiscountPercent?: number;

  /**
   * EC2 Spot discount on the on-demand price, in percent (it varies by instance type, region and time).
   *
   * It applies to Spot instances of an `Ec2Capacity` and of a Spot `ManagedInstancesCapacity`.
   *
   * @default 60
   */
  readonly ec2SpotDiscountPercent?: number;

  /**
   * Share of an instance's memory that ECS can give to tasks (the rest is for the OS and the agent), in percent.
   *
   * @default 90
   */
  readonly ec2UsableMemoryPercent?: number;

  /**
   * Data processed by each NAT gateway per month, in GB.
   *
   * @default 100
   */
  readonly natDataGbPerGateway?: number;

  /**
   * Average load balancer capacity units (LCU, or NLCU for network load balancers) of each load balancer.
   *
   * @default 1
   */
  readonly loadBalancerCapacityUnits?: number;

  /**
   * Data stored in each EFS file system (EFS Standard), in GB.
   *
   * @default 10
   */
  readonly efsStorageGb?: number;

  /**
   * Logs ingested by CloudWatch Logs per month from each `FoundryTaskDefinition`, in GB.
   *
   * @default 5
   */
  readonly logGbPerWorkload?: number;

  /**
   * VPC flow logs ingested per month for each flow log, in GB.
   *
   * @default 10
   */
  readonly flowLogGbPerVpc?: number;

  /**
   * Region used to price environment-agnostic stacks (whose region is only known at deploy time).
   *
   * @default - such stacks are listed as not priced
   */
  readonly region?: string;

  /**
   * Instance type the Fargate-or-EC2 comparison uses for x86_64 tasks that do not run on EC2 capacity.
   *
   * @default 'm7i.large'
   */
  readonly comparisonInstanceTypeX86?: string;

  /**
   * Instance type the Fargate-or-EC2 comparison uses for ARM64 tasks that do not run on EC2 capacity.
   *
   * @default 'm7g.large'
   */
  readonly comparisonInstanceTypeArm64?: string;
}

/**
 * One line of a cost estimate.
 */
export interface CostLine {
  /** The stack (construct path) the resources belong to. */
  readonly stack: string;
  /** The region prices come from (or the unresolved region). */
  readonly region: string;
  /** What is priced: 'Fargate', 'Fargate Spot', 'EC2', 'Managed Instances', 'Managed Instances fee', 'EBS', 'NAT gateway', 'Load balancer', 'EFS', 'CloudWatch Logs', 'VPC endpoints', 'KMS'. */
  readonly category: string;
  /** Which resources (construct paths relative to the stack, or a description). */
  readonly item: string;
  /** The quantities and unit prices the figure is computed from. */
  readonly quantity: string;
  /**
   * Monthly cost in USD.
   *
   * @default - undefined: the item could not be priced (see `note`)
   */
  readonly monthlyUsd?: number;
  /**
   * Why the item is not priced, or what the figure includes.
   *
   * @default - no note
   */
  readonly note?: string;
}

/**
 * The same tasks priced on Fargate and on EC2 instances.
 */
export interface CostComparison {
  /** The stack (construct path). */
  readonly stack: string;
  /** The task definition (construct path relative to the stack). */
  readonly taskDefinition: string;
  /** Tasks running all month. */
  readonly tasks: number;
  /**
   * Monthly cost of the tasks on on-demand Fargate.
   *
   * @default - undefined: the tasks cannot run on Fargate, or Fargate is not priced in the region
   */
  readonly fargateMonthlyUsd?: number;
  /** The instance type of the EC2 side. */
  readonly ec2InstanceType: string;
  /**
   * Instances the tasks need.
   *
   * @default - undefined: the instance type is unknown
   */
  readonly ec2Instances?: number;
  /**
   * Monthly cost of those instances on demand (without EBS).
   *
   * @default - undefined: not priced
   */
  readonly ec2MonthlyUsd?: number;
  /** What limits the packing, or why a side is not priced. */
  readonly note: string;
}

/**
 * One assumption as the estimate used it.
 */
export interface CostAssumptionValue {
  /** The assumption's name (a `CostAssumptions` property). */
  readonly name: string;
  /** Its value. */
  readonly value: string;
  /** What it means. */
  readonly description: string;
}
