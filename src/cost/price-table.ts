/**
 * The price table behind `CostEstimate`: on-demand list prices in USD, per region.
 *
 * Source: the AWS public pricing pages (https://aws.amazon.com/fargate/pricing/,
 * https://aws.amazon.com/ec2/pricing/on-demand/, https://aws.amazon.com/vpc/pricing/,
 * https://aws.amazon.com/elasticloadbalancing/pricing/, https://aws.amazon.com/efs/pricing/,
 * https://aws.amazon.com/cloudwatch/pricing/, https://aws.amazon.com/ebs/pricing/,
 * https://aws.amazon.com/kms/pricing/), Linux, on demand, without taxes. These pages are also published as the
 * AWS Price List API (https://pricing.us-east-1.amazonaws.com/offers/v1.0/aws/index.json).
 *
 * A price that is not in this table is never guessed: the estimate lists the item as "not priced". Refresh the
 * table (and PRICE_TABLE_DATE) from the Price List API; the unit tests pin a few figures so that every change
 * is deliberate.
 */

/** When the table was compiled. */
export const PRICE_TABLE_DATE = '2026-11-21';

/** Where the prices come from. */
export const PRICE_TABLE_SOURCE = 'AWS public pricing pages (aws.amazon.com/fargate/pricing, /ec2/pricing/on-demand, /vpc/pricing, '
  + '/elasticloadbalancing/pricing, /efs/pricing, /cloudwatch/pricing, /ebs/pricing, /kms/pricing): on-demand list prices, USD, Linux, without taxes';

/** Per-hour Fargate prices of one platform. */
export interface FargateRate {
  readonly vcpuHour: number;
  readonly gbHour: number;
}

/** List prices of one region. Missing entries are not priced. */
export interface RegionPrices {
  readonly name: string;
  readonly fargateX86: FargateRate;
  readonly fargateArm64: FargateRate;
  /** Ephemeral storage above the 20 GB every Fargate task includes, per GB-hour. */
  readonly fargateEphemeralGbHour?: number;
  readonly natGatewayHour: number;
  readonly natGatewayGb: number;
  readonly albHour: number;
  readonly albLcuHour?: number;
  readonly nlbHour: number;
  readonly nlbLcuHour?: number;
  /** EFS Standard storage, per GB-month. */
  readonly efsStandardGbMonth: number;
  /** CloudWatch Logs ingestion (standard log class), per GB. */
  readonly logsIngestionGb?: number;
  /** Interface VPC endpoint, per endpoint per AZ per hour. */
  readonly interfaceEndpointAzHour?: number;
  /** A customer-managed KMS key, per month. */
  readonly kmsKeyMonth: number;
  /** EBS gp3 storage, per GB-month. */
  readonly ebsGp3GbMonth: number;
  /** EC2 on-demand Linux instance prices, per hour. */
  readonly ec2Hour: Readonly<Record<string, number>>;
  /**
   * A CloudWatch alarm, per metric it evaluates per month: standard resolution (a period of 60 seconds or more), and
   * high resolution (a shorter period). https://aws.amazon.com/cloudwatch/pricing/ ("Alarm Metrics"). Used by the
   * template pricing (`priceTemplate`).
   */
  readonly alarmMetricMonth?: number;
  readonly highResolutionAlarmMetricMonth?: number;
  /** A CloudWatch dashboard per month (https://aws.amazon.com/cloudwatch/pricing/, "Dashboards"). */
  readonly dashboardMonth?: number;
  /** An AWS WAF web ACL per month, and each rule or rule group in it (https://aws.amazon.com/waf/pricing/). */
  readonly wafWebAclMonth?: number;
  readonly wafRuleMonth?: number;
  /**
   * ECS Managed Instances management fee per instance-hour, by instance type, charged on top of the EC2 price
   * (https://aws.amazon.com/ecs/pricing/, "Amazon ECS Managed Instances"). AWS publishes it per instance type and
   * region; a type missing here is listed as "not priced", never guessed. Not compiled yet for any region (the page
   * renders the fee table dynamically and it was not available to the compiler on PRICE_TABLE_DATE).
   */
  readonly managedInstancesFeeHour?: Readonly<Record<string, number>>;
}

/** The current-generation types in both US regions (identical prices there). */
const US_EC2: Record<string, number> = {
  'm7i.large': 0.1008,
  'm7i.xlarge': 0.2016,
  'c7i.large': 0.08925,
  'r7i.large': 0.1323,
  'm7g.large': 0.0816,
  'm7g.xlarge': 0.1632,
  'c7g.large': 0.0725,
  'r7g.large': 0.1071,
  'm6i.large': 0.096,
  'c6i.large': 0.085,
  'r6i.large': 0.126,
  'm6g.large': 0.077,
  'c6g.large': 0.068,
  'r6g.large': 0.1008,
  'm5.large': 0.096,
  'c5.large': 0.085,
  't3.medium': 0.0416,
  't4g.medium': 0.0336,
  'g5.xlarge': 1.006,
  'g5g.xlarge': 0.42,
  'g4dn.xlarge': 0.526,
  'inf2.xlarge': 0.7582,
};

export const REGION_PRICES: Readonly<Record<string, RegionPrices>> = {
  'us-east-1': {
    name: 'US East (N. Virginia)',
    fargateX86: { vcpuHour: 0.04048, gbHour: 0.004445 },
    fargateArm64: { vcpuHour: 0.03238, gbHour: 0.00356 },
    fargateEphemeralGbHour: 0.000111,
    natGatewayHour: 0.045,
    natGatewayGb: 0.045,
    albHour: 0.0225,
    albLcuHour: 0.008,
    nlbHour: 0.0225,
    nlbLcuHour: 0.006,
    efsStandardGbMonth: 0.30,
    logsIngestionGb: 0.50,
    interfaceEndpointAzHour: 0.01,
    kmsKeyMonth: 1,
    ebsGp3GbMonth: 0.08,
    ec2Hour: US_EC2,
    alarmMetricMonth: 0.10,
    highResolutionAlarmMetricMonth: 0.30,
    dashboardMonth: 3,
    wafWebAclMonth: 5,
    wafRuleMonth: 1,
  },
  'us-west-2': {
    name: 'US West (Oregon)',
    fargateX86: { vcpuHour: 0.04048, gbHour: 0.004445 },
    fargateArm64: { vcpuHour: 0.03238, gbHour: 0.00356 },
    fargateEphemeralGbHour: 0.000111,
    natGatewayHour: 0.045,
    natGatewayGb: 0.045,
    albHour: 0.0225,
    albLcuHour: 0.008,
    nlbHour: 0.0225,
    nlbLcuHour: 0.006,
    efsStandardGbMonth: 0.30,
    logsIngestionGb: 0.50,
    interfaceEndpointAzHour: 0.01,
    kmsKeyMonth: 1,
    ebsGp3GbMonth: 0.08,
    ec2Hour: US_EC2,
    alarmMetricMonth: 0.10,
    highResolutionAlarmMetricMonth: 0.30,
    dashboardMonth: 3,
    wafWebAclMonth: 5,
    wafRuleMonth: 1,
  },
  'eu-west-1': {
    name: 'Europe (Ireland)',
    fargateX86: { vcpuHour: 0.04456, gbHour: 0.004865 },
    fargateArm64: { vcpuHour: 0.03565, gbHour: 0.00389 },
    natGatewayHour: 0.048,
    natGatewayGb: 0.048,
    albHour: 0.0252,
    albLcuHour: 0.008,
    nlbHour: 0.0252,
    nlbLcuHour: 0.006,
    efsStandardGbMonth: 0.33,
    logsIngestionGb: 0.57,
    interfaceEndpointAzHour: 0.011,
    kmsKeyMonth: 1,
    ebsGp3GbMonth: 0.088,
    ec2Hour: {
      'm6i.large': 0.107,
      'c6i.large': 0.096,
      'm6g.large': 0.086,
      'c6g.large': 0.0768,
      'm5.large': 0.107,
      'c5.large': 0.096,
      't3.medium': 0.0456,
    },
  },
  'eu-central-1': {
    name: 'Europe (Frankfurt)',
    fargateX86: { vcpuHour: 0.04656, gbHour: 0.00511 },
    fargateArm64: { vcpuHour: 0.03725, gbHour: 0.00409 },
    natGatewayHour: 0.052,
    natGatewayGb: 0.052,
    albHour: 0.027,
    nlbHour: 0.027,
    efsStandardGbMonth: 0.36,
    logsIngestionGb: 0.63,
    interfaceEndpointAzHour: 0.012,
    kmsKeyMonth: 1,
    ebsGp3GbMonth: 0.0952,
    ec2Hour: {
      'm6i.large': 0.115,
      'c6i.large': 0.097,
      'm6g.large': 0.092,
      'c6g.large': 0.0776,
      'm5.large': 0.115,
      'c5.large': 0.097,
      't3.medium': 0.048,
    },
  },
  'ap-southeast-2': {
    name: 'Asia Pacific (Sydney)',
    fargateX86: { vcpuHour: 0.04856, gbHour: 0.00532 },
    fargateArm64: { vcpuHour: 0.03885, gbHour: 0.00426 },
    natGatewayHour: 0.059,
    natGatewayGb: 0.059,
    albHour: 0.0252,
    nlbHour: 0.0252,
    efsStandardGbMonth: 0.36,
    kmsKeyMonth: 1,
    ebsGp3GbMonth: 0.096,
    ec2Hour: {
      'm6i.large': 0.12,
      'c6i.large': 0.111,
      'm5.large': 0.12,
      'c5.large': 0.111,
      't3.medium': 0.0528,
    },
  },
};

/** What an instance type offers to ECS tasks (the same in every region). */
export interface InstanceSpec {
  readonly vcpus: number;
  readonly memoryGiB: number;
  /** Network interfaces; awsvpc tasks need one each, the instance keeps one (without ENI trunking). */
  readonly enis: number;
  /** GPUs (or Neuron devices). */
  readonly gpus?: number;
}

export const INSTANCE_SPECS: Readonly<Record<string, InstanceSpec>> = {
  'm7i.large': { vcpus: 2, memoryGiB: 8, enis: 3 },
  'm7i.xlarge': { vcpus: 4, memoryGiB: 16, enis: 4 },
  'c7i.large': { vcpus: 2, memoryGiB: 4, enis: 3 },
  'r7i.large': { vcpus: 2, memoryGiB: 16, enis: 3 },
  'm7g.large': { vcpus: 2, memoryGiB: 8, enis: 3 },
  'm7g.xlarge': { vcpus: 4, memoryGiB: 16, enis: 4 },
  'c7g.large': { vcpus: 2, memoryGiB: 4, enis: 3 },
  'r7g.large': { vcpus: 2, memoryGiB: 16, enis: 3 },
  'm6i.large': { vcpus: 2, memoryGiB: 8, enis: 3 },
  'c6i.large': { vcpus: 2, memoryGiB: 4, enis: 3 },
  'r6i.large': { vcpus: 2, memoryGiB: 16, enis: 3 },
  'm6g.large': { vcpus: 2, memoryGiB: 8, enis: 3 },
  'c6g.large': { vcpus: 2, memoryGiB: 4, enis: 3 },
  'r6g.large': { vcpus: 2, memoryGiB: 16, enis: 3 },
  'm5.large': { vcpus: 2, memoryGiB: 8, enis: 3 },
  'c5.large': { vcpus: 2, memoryGiB: 4, enis: 3 },
  't3.medium': { vcpus: 2, memoryGiB: 4, enis: 3 },
  't4g.medium': { vcpus: 2, memoryGiB: 4, enis: 3 },
  'g5.xlarge': { vcpus: 4, memoryGiB: 16, enis: 4, gpus: 1 },
  'g5g.xlarge': { vcpus: 4, memoryGiB: 8, enis: 4, gpus: 1 },
  'g4dn.xlarge': { vcpus: 4, memoryGiB: 16, enis: 3, gpus: 1 },
  'inf2.xlarge': { vcpus: 4, memoryGiB: 16, enis: 4, gpus: 1 },
};
