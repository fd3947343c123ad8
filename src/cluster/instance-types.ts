import { Annotations, Token } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { IConstruct } from 'constructs';
import { describeValue, invalidProp } from '../private/validation';

/**
 * What the library knows about EC2 instance types: vCPUs, installed memory and NVIDIA GPUs, enough to tell
 * whether a task fits on an instance at all.
 *
 * Sources: Amazon EC2 instance type specifications, general purpose
 * (https://docs.aws.amazon.com/ec2/latest/instancetypes/gp.html), compute optimized
 * (https://docs.aws.amazon.com/ec2/latest/instancetypes/co.html), memory optimized
 * (https://docs.aws.amazon.com/ec2/latest/instancetypes/mo.html) and accelerated computing
 * (https://docs.aws.amazon.com/ec2/latest/instancetypes/ac.html). Types outside this table are not guessed:
 * the checks skip them with a warning. New types appear every year, so an unknown but well-formed name is never
 * an error.
 */

/** Size of one instance type. */
export interface InstanceShape {
  /** vCPUs; ECS registers 1024 CPU units for each. */
  readonly vcpus: number;
  /** Installed memory, GiB. */
  readonly memoryGiB: number;
  /** NVIDIA GPUs that ECS can assign to tasks (`gpuCount`). */
  readonly gpus: number;
}

/**
 * Families whose memory is a fixed number of GiB per vCPU at every size from medium to the largest `Nxlarge`
 * (M: 4 GiB, C: 2 GiB, R: 8 GiB per vCPU). c5n (5.25 GiB per vCPU) is left out on purpose.
 */
const GIB_PER_VCPU: Readonly<Record<string, number>> = Object.fromEntries([
  ...['m5', 'm5a', 'm5ad', 'm5d', 'm5dn', 'm5n', 'm5zn', 'm6a', 'm6g', 'm6gd', 'm6i', 'm6id', 'm6idn', 'm6in',
    'm7a', 'm7g', 'm7gd', 'm7i', 'm7i-flex', 'm8g', 'm8gd'].map(f => [f, 4]),
  ...['c5', 'c5a', 'c5ad', 'c5d', 'c6a', 'c6g', 'c6gd', 'c6gn', 'c6i', 'c6id', 'c6in', 'c7a', 'c7g', 'c7gd', 'c7gn',
    'c7i', 'c7i-flex', 'c8g', 'c8gd'].map(f => [f, 2]),
  ...['r5', 'r5a', 'r5ad', 'r5b', 'r5d', 'r5dn', 'r5n', 'r6a', 'r6g', 'r6gd', 'r6i', 'r6id', 'r6idn', 'r6in',
    'r7a', 'r7g', 'r7gd', 'r7i', 'r7iz', 'r8g', 'r8gd'].map(f => [f, 8]),
]);

/** [vCPUs, GiB] of the burstable families, by size. */
const T3: Record<string, [number, number]> = {
  'nano': [2, 0.5], 'micro': [2, 1], 'small': [2, 2], 'medium': [2, 4], 'large': [2, 8], 'xlarge': [4, 16], '2xlarge': [8, 32],
};
const T2: Record<string, [number, number]> = {
  'nano': [1, 0.5], 'micro': [1, 1], 'small': [1, 2], 'medium': [2, 4], 'large': [2, 8], 'xlarge': [4, 16], '2xlarge': [8, 32],
};

/** [vCPUs, GiB, GPUs] of the g5 sizes (g6 has the same shapes). */
const G5_SIZES: Record<string, [number, number, number]> = {
  'xlarge': [4, 16, 1],
  '2xlarge': [8, 32, 1],
  '4xlarge': [16, 64, 1],
  '8xlarge': [32, 128, 1],
  '16xlarge': [64, 256, 1],
  '12xlarge': [48, 192, 4],
  '24xlarge': [96, 384, 4],
  '48xlarge': [192, 768, 8],
};

/** [vCPUs, GiB, GPUs] of the NVIDIA GPU and AWS Neuron types, by size (accelerated computing specifications). */
const ACCELERATED: Readonly<Record<string, Record<string, [number, number, number]>>> = {
  g4dn: {
    'xlarge': [4, 16, 1],
    '2xlarge': [8, 32, 1],
    '4xlarge': [16, 64, 1],
    '8xlarge': [32, 128, 1],
    '16xlarge': [64, 256, 1],
    '12xlarge': [48, 192, 4],
    'metal': [96, 384, 8],
  },
  g5: G5_SIZES,
  g5g: {
    'xlarge': [4, 8, 1],
    '2xlarge': [8, 16, 1],
    '4xlarge': [16, 32, 1],
    '8xlarge': [32, 64, 1],
    '16xlarge': [64, 128, 2],
    'metal': [64, 128, 2],
  },
  // g6 has the sizes, vCPUs, memory and GPU counts of g5 (L4 instead of A10G GPUs).
  g6: G5_SIZES,
  g6e: {
    'xlarge': [4, 32, 1],
    '2xlarge': [8, 64, 1],
    '4xlarge': [16, 128, 1],
    '8xlarge': [32, 256, 1],
    '16xlarge': [64, 512, 1],
    '12xlarge': [48, 384, 4],
    '24xlarge': [96, 768, 4],
    '48xlarge': [192, 1536, 8],
  },
  p3: { '2xlarge': [8, 61, 1], '8xlarge': [32, 244, 4], '16xlarge': [64, 488, 8] },
  p4d: { '24xlarge': [96, 1152, 8] },
  p5: { '48xlarge': [192, 2048, 8] },
  // Neuron accelerators are not GPUs: ECS assigns them as devices, not through gpuCount.
  inf2: { 'xlarge': [4, 16, 0], '8xlarge': [32, 128, 0], '24xlarge': [96, 384, 0], '48xlarge': [192, 768, 0] },
};

/** The shape of an instance type, or undefined when the library does not know it (or it is a token). */
export function instanceShape(instanceType: string): InstanceShape | undefined {
  if (Token.isUnresolved(instanceType)) {
    return undefined;
  }
  const dot = instanceType.indexOf('.');
  const family = instanceType.slice(0, dot);
  const size = instanceType.slice(dot + 1);
  if (dot <= 0) {
    return undefined;
  }
  const accelerated = ACCELERATED[family]?.[size];
  if (accelerated) {
    return { vcpus: accelerated[0], memoryGiB: accelerated[1], gpus: accelerated[2] };
  }
  const burst = /^t[34][ag]?$/.test(family) ? T3[size] : family === 't2' ? T2[size] : undefined;
  if (burst) {
    return { vcpus: burst[0], memoryGiB: burst[1], gpus: 0 };
  }
  const ratio = GIB_PER_VCPU[family];
  if (ratio === undefined) {
    return undefined;
  }
  const multiple = /^(\d+)xlarge$/.exec(size);
  const vcpus = size === 'medium' ? 1 : size === 'large' ? 2 : size === 'xlarge' ? 4 : multiple ? 4 * Number(multiple[1]) : undefined;
  return vcpus === undefined ? undefined : { vcpus, memoryGiB: vcpus * ratio, gpus: 0 };
}

/**
 * Memory (MiB) that ECS can give to tasks on an instance, at most. The ECS agent registers the memory the
 * kernel reports, less than the installed memory: "an m4.large instance has 8 GiB of installed memory ... 7985 MiB
 * can be used for tasks" (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/memory-management.html,
 * and the AWS Batch guide's worked example of the same instance,
 * https://docs.aws.amazon.com/batch/latest/userguide/memory-management.html). The library scales that documented
 * ratio (7985 of 8192 MiB) to every type. Instances often register a little less still, so a task that passes
 * this check can still be too large by a few MiB; a task that fails it never fits.
 */
export function registrableMemoryMiB(shape: InstanceShape): number {
  return Math.floor(shape.memoryGiB * 1024 * 7985 / 8192);
}

/**
 * Instance type names read `family.size`: a family such as m7g, c7i-flex or u-6tb1, and a size such as medium,
 * large, 4xlarge, metal or metal-24xl (https://docs.aws.amazon.com/ec2/latest/instancetypes/instance-type-names.html).
 */
const FAMILY = /^[a-z][a-z0-9]*(-[a-z0-9]+)*$/;
const SIZE = /^(nano|micro|small|medium|large|xlarge|[1-9]\d*xlarge|metal|metal-[1-9]\d*xl)$/;

/**
 * Reject instance type names that cannot exist (CloudFormation would reject them only at the launch template),
 * and warn for well-formed types the library has no size data for.
 */
export function checkInstanceTypes(scope: IConstruct, prop: string, types: ec2.InstanceType[]): void {
  for (const type of types) {
    const name = type?.toString();
    if (name === undefined || Token.isUnresolved(name)) {
      continue;
    }
    const [family, size, ...rest] = name.split('.');
    if (rest.length > 0 || !FAMILY.test(family ?? '') || !SIZE.test(size ?? '')) {
      invalidProp(scope, prop, name,
        "Instance types read family.size, with a size such as medium, large, xlarge, 4xlarge or metal: for example 'm7g.large' or 'c7i.2xlarge' "
        + '(https://docs.aws.amazon.com/ec2/latest/instancetypes/instance-type-names.html).');
    }
    if (!instanceShape(name)) {
      Annotations.of(scope).addWarningV2(`cdk-ecs-foundry:unknownInstanceType:${name}`,
        `The library has no size data for the instance type ${describeValue(name)}: check its spelling (EC2 rejects unknown types only at deploy), `
        + 'and size tasks for it yourself, as their CPU, memory and GPUs are not checked against it.');
    }
  }
}
