import { Token } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import { IConstruct } from 'constructs';
import { invalidProp } from '../private/validation';

/**
 * Operating system of EC2 capacity. Both are ECS-optimized and published by AWS through SSM parameters.
 */
export enum Ec2MachineImage {
  /** The ECS-optimized Amazon Linux 2023 AMI (standard, ARM64, GPU or Neuron variant by instance type). */
  AMAZON_LINUX_2023 = 'AMAZON_LINUX_2023',
  /** Bottlerocket `aws-ecs-2` (or `aws-ecs-2-nvidia` for GPU instances): minimal, immutable, container-only OS. */
  BOTTLEROCKET = 'BOTTLEROCKET',
}

/**
 * How an `Ec2Capacity` brings a changed launch template to its running instances.
 *
 * The launch template changes whenever a deploy resolves a newer ECS-optimized AMI from AWS's public SSM
 * parameter, and when you change the instance type, volume or host settings.
 */
export enum Ec2InstanceUpdate {
  /**
   * An Auto Scaling instance refresh replaces every instance during the deploy, one at a time, launching the
   * new instance before the old one terminates. ECS managed draining moves each old instance's tasks first,
   * and instances that managed termination protection keeps alive are replaced too.
   */
  ROLLING_REFRESH = 'ROLLING_REFRESH',
  /**
   * Running instances keep their AMI. Only instances launched later (scale-out, replacement) get the new
   * launch template, so patched AMIs reach busy hosts only when you replace them yourself.
   */
  NEW_INSTANCES_ONLY = 'NEW_INSTANCES_ONLY',
}

/** Instance families with NVIDIA GPUs (g4ad has AMD GPUs, which the ECS GPU AMIs do not drive). */
const NVIDIA_GPU = /^(g4dn|g5|g5g|g6|g6e|g6f|gr6|gr6f|g7e|p3|p3dn|p4d|p4de|p5|p5e|p5en|p6-b200|p6e-gb200)$/;
const OTHER_GPU = /^(g4ad|g3|g3s|g2|p2)$/;
const NEURON = /^(inf1|inf2|trn1|trn1n|trn2)$/;

/**
 * What the instance type means for the AMI: architecture and accelerator.
 */
export class InstanceProfileInfo {
  /** Work out the AMI variant for an instance type, or throw a clear error when none fits. */
  public static of(scope: IConstruct, instanceType: ec2.InstanceType, machineImage: Ec2MachineImage): InstanceProfileInfo {
    const name = instanceType.toString();
    if (Token.isUnresolved(name)) {
      return new InstanceProfileInfo(machineImage, ecs.CpuArchitecture.X86_64, ecs.AmiHardwareType.STANDARD);
    }
    const family = name.split('.')[0];
    const arm = instanceType.architecture === ec2.InstanceArchitecture.ARM_64;
    const architecture = arm ? ecs.CpuArchitecture.ARM64 : ecs.CpuArchitecture.X86_64;
    if (OTHER_GPU.test(family)) {
      invalidProp(scope, 'instanceType', name,
        `The ${family} family has GPUs that the ECS-optimized AMIs do not support. Use an NVIDIA family such as g5, g6 or p5.`);
    }
    if (NVIDIA_GPU.test(family)) {
      if (arm && machineImage === Ec2MachineImage.AMAZON_LINUX_2023) {
        invalidProp(scope, 'instanceType', name,
          'The ECS GPU-optimized Amazon Linux 2023 AMI is x86_64 only. Use machineImage: Ec2MachineImage.BOTTLEROCKET (aws-ecs-2-nvidia supports ARM64) or an x86_64 GPU family such as g5.');
      }
      return new InstanceProfileInfo(machineImage, architecture, ecs.AmiHardwareType.GPU);
    }
    if (NEURON.test(family)) {
      if (machineImage === Ec2MachineImage.BOTTLEROCKET) {
        invalidProp(scope, 'machineImage', machineImage,
          `Bottlerocket has no ECS variant for AWS Neuron instances (${name}). Use Ec2MachineImage.AMAZON_LINUX_2023, whose Neuron AMI supports them.`);
      }
      return new InstanceProfileInfo(machineImage, architecture, ecs.AmiHardwareType.NEURON);
    }
    return new InstanceProfileInfo(machineImage, architecture, arm ? ecs.AmiHardwareType.ARM : ecs.AmiHardwareType.STANDARD);
  }

  private constructor(
    public readonly machineImage: Ec2MachineImage,
    public readonly architecture: ecs.CpuArchitecture,
    public readonly hardwareType: ecs.AmiHardwareType,
  ) {}
}

/**
 * The ECS-optimized AMI for an instance profile, resolved at deploy time from AWS's public SSM parameters.
 */
export function resolveInstanceImage(info: InstanceProfileInfo): ec2.IMachineImage {
  const arm = info.architecture === ecs.CpuArchitecture.ARM64;
  if (info.machineImage === Ec2MachineImage.BOTTLEROCKET) {
    return new ecs.BottleRocketImage({
      variant: info.hardwareType === ecs.AmiHardwareType.GPU ? ecs.BottlerocketEcsVariant.AWS_ECS_2_NVIDIA : ecs.BottlerocketEcsVariant.AWS_ECS_2,
      architecture: arm ? ec2.InstanceArchitecture.ARM_64 : ec2.InstanceArchitecture.X86_64,
    });
  }
  return ecs.EcsOptimizedImage.amazonLinux2023(info.hardwareType);
}
