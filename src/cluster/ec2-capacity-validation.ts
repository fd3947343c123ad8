import { Annotations, Duration, Size, Token } from 'aws-cdk-lib';
import * as autoscaling from 'aws-cdk-lib/aws-autoscaling';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { Construct } from 'constructs';
import type { Ec2CapacityProps } from './ec2-capacity-options';
import { Ec2InstanceUpdate, Ec2MachineImage, InstanceProfileInfo } from './instance-image';
import { checkInstanceTypes } from './instance-types';
import { checkNumber, describeValue, invalidProp, isConcrete } from '../private/validation';

/** The Spot settings of an `Ec2Capacity`, every default filled in. */
export interface ResolvedEc2Spot {
  readonly additionalInstanceTypes: ec2.InstanceType[];
  readonly onDemandBaseCapacity: number;
  readonly onDemandPercentageAboveBaseCapacity: number;
  readonly maxPrice?: string;
  readonly allocationStrategy: autoscaling.SpotAllocationStrategy;
}

/** The props of an `Ec2Capacity`, validated, every default filled in (each default is written here only). */
export interface ResolvedEc2Capacity {
  readonly instanceType: ec2.InstanceType;
  /** The AMI variant, architecture and operating system of the instances. */
  readonly image: InstanceProfileInfo;
  readonly minCapacity: number;
  readonly maxCapacity: number;
  readonly desiredCapacity?: number;
  readonly targetCapacityPercent: number;
  readonly vpcSubnets?: ec2.SubnetSelection;
  readonly spot?: ResolvedEc2Spot;
  readonly volumeSize: Size;
  readonly enableSessionManager: boolean;
  readonly capacityProviderName?: string;
  readonly instanceWarmup: Duration;
  readonly instanceUpdate: Ec2InstanceUpdate;
  readonly cleanTeardown: boolean;
  /** Passed on to `Ec2CapacityTeardown`, which owns its default. */
  readonly teardownWait?: Duration;
}

/**
 * Ec2Capacity props, validated (everything that would otherwise fail at deploy time, or never work) and defaulted.
 */
export function resolveEc2Capacity(scope: Construct, props: Ec2CapacityProps): ResolvedEc2Capacity {
  if (!props.instanceType || !(props.instanceType instanceof ec2.InstanceType)) {
    invalidProp(scope, 'instanceType', props.instanceType, "Pass an ec2.InstanceType, for example new ec2.InstanceType('m7g.large').");
  }
  const spot: ResolvedEc2Spot | undefined = props.spot && {
    additionalInstanceTypes: props.spot.additionalInstanceTypes ?? [],
    onDemandBaseCapacity: props.spot.onDemandBaseCapacity ?? 0,
    onDemandPercentageAboveBaseCapacity: props.spot.onDemandPercentageAboveBaseCapacity ?? 0,
    maxPrice: props.spot.maxPrice,
    allocationStrategy: props.spot.allocationStrategy ?? autoscaling.SpotAllocationStrategy.PRICE_CAPACITY_OPTIMIZED,
  };
  checkInstanceTypes(scope, 'instanceType', [props.instanceType]);
  checkInstanceTypes(scope, 'spot.additionalInstanceTypes', spot?.additionalInstanceTypes ?? []);
  const min = props.minCapacity;
  const max = props.maxCapacity;
  const desired = props.desiredCapacity;
  checkNumber(scope, 'minCapacity', min, { min: 0, max: 5000, integer: true });
  checkNumber(scope, 'maxCapacity', max, { min: 1, max: 5000, integer: true });
  checkNumber(scope, 'desiredCapacity', desired, { min: 0, max: 5000, integer: true });
  const minV = min ?? 0;
  const maxV = max ?? 10;
  if (isConcrete(minV) && isConcrete(maxV) && minV > maxV) {
    invalidProp(scope, 'minCapacity', minV, `minCapacity must not exceed maxCapacity (${maxV}). Lower minCapacity or raise maxCapacity.`);
  }
  if (isConcrete(desired) && ((isConcrete(minV) && desired < minV) || (isConcrete(maxV) && desired > maxV))) {
    invalidProp(scope, 'desiredCapacity', desired, `desiredCapacity must lie between minCapacity (${minV}) and maxCapacity (${maxV}); or leave it unset so managed scaling decides.`);
  }
  if (isConcrete(desired)) {
    Annotations.of(scope).addWarningV2('cdk-ecs-foundry:desiredCapacity',
      'desiredCapacity is set: every deployment resets the group to it, fighting ECS managed scaling. Leave it unset unless you need a starting size.');
  }
  // Managed scaling: targetCapacity above 0 and at most 100, instanceWarmupPeriod 0-10000 seconds
  // (https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_ManagedScaling.html).
  checkNumber(scope, 'targetCapacityPercent', props.targetCapacityPercent, { min: 1, max: 100, integer: true });
  if (props.instanceWarmup !== undefined) {
    const seconds = props.instanceWarmup.toSeconds({ integral: false });
    checkNumber(scope, 'instanceWarmup (seconds)', seconds, { min: 0, max: 10_000, integer: true });
  }
  if (props.machineImage !== undefined && !Object.values(Ec2MachineImage).includes(props.machineImage)) {
    invalidProp(scope, 'machineImage', props.machineImage, 'Use Ec2MachineImage.AMAZON_LINUX_2023 or Ec2MachineImage.BOTTLEROCKET.');
  }
  if (props.instanceUpdate !== undefined && !Object.values(Ec2InstanceUpdate).includes(props.instanceUpdate)) {
    invalidProp(scope, 'instanceUpdate', props.instanceUpdate, 'Use Ec2InstanceUpdate.ROLLING_REFRESH or Ec2InstanceUpdate.NEW_INSTANCES_ONLY.');
  }
  const info = InstanceProfileInfo.of(scope, props.instanceType, props.machineImage ?? Ec2MachineImage.AMAZON_LINUX_2023);
  if (props.cpuArchitecture !== undefined && !Token.isUnresolved(props.instanceType.toString())
    && props.cpuArchitecture._cpuArchitecture !== info.architecture._cpuArchitecture) {
    invalidProp(scope, 'cpuArchitecture', props.cpuArchitecture._cpuArchitecture,
      `The instance type ${props.instanceType} is ${info.architecture._cpuArchitecture}. Choose an instance type of the workload's architecture (Graviton types such as m7g for ARM64) or build the image for ${info.architecture._cpuArchitecture}.`);
  }
  if (props.volumeSize !== undefined) {
    const gib = props.volumeSize.toMebibytes() / 1024;
    const minGib = info.machineImage === Ec2MachineImage.BOTTLEROCKET ? 20 : 30;
    // A gp3 volume of a launch template is 1-16,384 GiB
    // (https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_LaunchTemplateEbsBlockDeviceRequest.html).
    checkNumber(scope, 'volumeSize (GiB)', gib, { min: minGib, max: 16_384, integer: true });
  }
  if (spot) {
    validateSpot(scope, spot, props.instanceType, info, maxV);
  }
  return {
    instanceType: props.instanceType,
    image: info,
    minCapacity: minV,
    maxCapacity: maxV,
    desiredCapacity: desired,
    targetCapacityPercent: props.targetCapacityPercent ?? 100,
    vpcSubnets: props.vpcSubnets,
    spot,
    volumeSize: props.volumeSize ?? Size.gibibytes(30),
    enableSessionManager: props.enableSessionManager ?? false,
    capacityProviderName: props.capacityProviderName,
    instanceWarmup: props.instanceWarmup ?? Duration.minutes(5),
    instanceUpdate: props.instanceUpdate ?? Ec2InstanceUpdate.ROLLING_REFRESH,
    cleanTeardown: props.cleanTeardown ?? true,
    teardownWait: props.teardownWait,
  };
}

function validateSpot(scope: Construct, spot: ResolvedEc2Spot, instanceType: ec2.InstanceType, info: InstanceProfileInfo, max: number): void {
  const base = spot.onDemandBaseCapacity;
  const pct = spot.onDemandPercentageAboveBaseCapacity;
  checkNumber(scope, 'spot.onDemandBaseCapacity', base, { min: 0, max: 5000, integer: true });
  // https://docs.aws.amazon.com/autoscaling/ec2/APIReference/API_InstancesDistribution.html (percentage 0-100)
  checkNumber(scope, 'spot.onDemandPercentageAboveBaseCapacity', pct, { min: 0, max: 100, integer: true });
  if (isConcrete(base) && isConcrete(max) && base > max) {
    invalidProp(scope, 'spot.onDemandBaseCapacity', base, `The on-demand base exceeds maxCapacity (${max}); lower it or raise maxCapacity.`);
  }
  if (isConcrete(pct) && pct === 100) {
    invalidProp(scope, 'spot.onDemandPercentageAboveBaseCapacity', pct, 'With 100 % on demand the group never launches a Spot instance; lower the percentage, or remove `spot` for on-demand capacity.');
  }
  if (spot.maxPrice !== undefined && !Token.isUnresolved(spot.maxPrice) && !(/^\d+(\.\d+)?$/.test(spot.maxPrice) && Number(spot.maxPrice) > 0)) {
    invalidProp(scope, 'spot.maxPrice', spot.maxPrice, "Use a positive USD price per hour as a decimal string, such as '0.05', or leave it unset to cap at the on-demand price.");
  }
  if (spot.allocationStrategy !== undefined && !Object.values(autoscaling.SpotAllocationStrategy).includes(spot.allocationStrategy)) {
    invalidProp(scope, 'spot.allocationStrategy', spot.allocationStrategy, 'Use an autoscaling.SpotAllocationStrategy value such as PRICE_CAPACITY_OPTIMIZED.');
  }
  const extra = spot.additionalInstanceTypes;
  const seen = new Set<string>([instanceType.toString()]);
  for (const type of extra) {
    const other = InstanceProfileInfo.of(scope, type, info.machineImage);
    if (other.architecture._cpuArchitecture !== info.architecture._cpuArchitecture || other.hardwareType !== info.hardwareType) {
      invalidProp(scope, 'spot.additionalInstanceTypes', type.toString(),
        `All instance types of one group share one AMI: ${instanceType} needs the ${info.hardwareType} image, ${type} the ${other.hardwareType} image. Use types of one architecture and accelerator, or add a second Ec2Capacity.`);
    }
    if (seen.has(type.toString())) {
      invalidProp(scope, 'spot.additionalInstanceTypes', extra.map(t => t.toString()), `${type} is listed twice (or repeats instanceType); list each type once.`);
    }
    seen.add(type.toString());
  }
  if (extra.length === 0) {
    Annotations.of(scope).addWarningV2('cdk-ecs-foundry:spotDiversity',
      `Spot capacity with the single instance type ${describeValue(instanceType.toString())} is often unavailable; add spot.additionalInstanceTypes of the same architecture.`);
  }
}
