import { Stack, Token } from 'aws-cdk-lib';
import * as autoscaling from 'aws-cdk-lib/aws-autoscaling';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import { RegionInfo } from 'aws-cdk-lib/region-info';
import { IConstruct } from 'constructs';
import type { Ec2Capacity } from '../cluster/ec2-capacity';
import { InstanceShape, instanceShape, registrableMemoryMiB } from '../cluster/instance-types';
import { invalidProp, isConcrete } from '../private/validation';

/**
 * Checks of what AWS accepts or can do at deploy and run time that the task definition's shape alone does not show:
 * images reachable from the task's subnets, secrets in the task's partition, and the task definition quotas.
 */

/**
 * Amazon ECS service quotas of a task definition (not adjustable).
 * https://docs.aws.amazon.com/AmazonECS/latest/developerguide/service-quotas.html
 */
export const TASK_DEFINITION_QUOTAS = {
  /** "Task definition max containers": container definitions in one task definition. */
  containers: 10,
  /** "Task definition size limit": the task definition, in KiB. */
  sizeKiB: 64,
} as const;

/**
 * Paths the ECS Exec (SSM) agent writes to inside every container of a task started with exec enabled. The SSM
 * agent keeps its state under /var/lib/amazon/ssm and logs under /var/log/amazon/ssm; the ECS agent bind-mounts a
 * host directory at /var/log/amazon/ssm itself (amazon-ecs-agent, agent/engine/execcmd/manager_init_task_linux.go,
 * ContainerLogDir), and Docker refuses two mounts at one path ("Duplicate mount point"). The parents are therefore
 * mounted, which also gives the agent the directories it creates. The ECS guide states that the SSM agent needs a
 * writable file system to create its directories and files
 * (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/ecs-exec.html, considerations).
 */
export const EXEC_WRITABLE_PATHS: readonly string[] = ['/var/lib/amazon', '/var/log/amazon'];

/** True when the tasks of this VPC run in isolated subnets (the library places tasks in private subnets with egress when there are any). */
export function tasksRunIsolated(vpc: ec2.IVpc): boolean {
  return vpc.privateSubnets.length === 0 && vpc.isolatedSubnets.length > 0;
}

const ECR_HOST = /^(\d{12})\.dkr[.-]ecr(?:-fips)?\.([a-z0-9-]+)\.(?:amazonaws\.com(?:\.cn)?|on\.aws)\//;

/** Where an image comes from, as far as the synthesized image name tells. */
export interface ImageSource {
  /** 'ecr' for a private ECR registry, 'public' for any other registry, 'unknown' when the name is a token. */
  readonly kind: 'ecr' | 'public' | 'unknown';
  /** The ECR region, when known. */
  readonly region?: string;
}

/** Classify an image name (the `Image` of a container definition). */
export function imageSource(imageName: string): ImageSource {
  const host = ECR_HOST.exec(imageName);
  if (host) {
    return { kind: 'ecr', region: Token.isUnresolved(host[2]) ? undefined : host[2] };
  }
  // A name whose registry part is a token (a repository URI from an ECR construct or an asset) is ECR when it
  // says so, unknown otherwise.
  if (Token.isUnresolved(imageName)) {
    if (!imageName.includes('.dkr.ecr.')) {
      return { kind: 'unknown' };
    }
    const region = /\.dkr\.ecr\.([a-z]{2}(?:-[a-z]+)+-\d+)\./.exec(imageName);
    return { kind: 'ecr', region: region ? region[1] : undefined };
  }
  return { kind: 'public' };
}

/**
 * Reject images that tasks in isolated subnets cannot pull. Without a NAT gateway, tasks reach only the VPC
 * endpoints of their own region: private ECR of this region (ecr.api, ecr.dkr and the S3 gateway endpoint,
 * https://docs.aws.amazon.com/AmazonECR/latest/userguide/vpc-endpoints.html) works; Docker Hub, public.ecr.aws,
 * ghcr.io and ECR of other regions do not.
 */
export function checkImagePullable(scope: IConstruct, prop: string, imageName: string, vpc: ec2.IVpc): void {
  if (!tasksRunIsolated(vpc)) {
    return;
  }
  const source = imageSource(imageName);
  const region = Stack.of(scope).region;
  const fix = 'Copy the image into a private ECR repository of this region and use ecs.ContainerImage.fromEcrRepository(...) '
    + '(or an ECR pull-through cache rule for public.ecr.aws), build it with ecs.ContainerImage.fromAsset(...), '
    + 'or give the VPC a NAT gateway (natGateways: NatGatewayStrategy.SINGLE).';
  if (source.kind === 'public') {
    invalidProp(scope, prop, imageName,
      `The tasks run in isolated subnets (no NAT gateway), which reach no public registry. ${fix}`);
  }
  if (source.kind === 'ecr' && source.region && !Token.isUnresolved(region) && source.region !== region) {
    invalidProp(scope, prop, imageName,
      `The tasks run in isolated subnets, whose ECR endpoints serve ${region} only, not ${source.region}. ${fix}`);
  }
}

/** The partition of the stack, when known at synth. */
export function stackPartition(scope: IConstruct): string | undefined {
  const stack = Stack.of(scope);
  if (!Token.isUnresolved(stack.partition)) {
    return stack.partition;
  }
  return Token.isUnresolved(stack.region) ? undefined : RegionInfo.get(stack.region).partition;
}

/**
 * Reject a container definition list larger than ECS accepts. The size counts the container definitions as they
 * are rendered (references to other resources count as their short CloudFormation form).
 */
export function checkTaskDefinitionSize(scope: IConstruct, taskDefinition: ecs.TaskDefinition): string | undefined {
  const cfn = taskDefinition.node.defaultChild as ecs.CfnTaskDefinition;
  const rendered = Stack.of(scope).resolve((cfn as unknown as { _toCloudFormation(): unknown })._toCloudFormation());
  const bytes = Buffer.byteLength(JSON.stringify(rendered), 'utf8');
  if (bytes > TASK_DEFINITION_QUOTAS.sizeKiB * 1024) {
    return `The task definition is ${Math.ceil(bytes / 1024)} KiB; ECS accepts at most ${TASK_DEFINITION_QUOTAS.sizeKiB} KiB `
      + '(https://docs.aws.amazon.com/AmazonECS/latest/developerguide/service-quotas.html). Move large values out of '
      + 'environment variables and commands (into secrets, files in the image, or a configuration service).';
  }
  return undefined;
}

/** The instance types an EC2 capacity may launch: its instance type and, with Spot, the additional types. */
export function capacityInstanceTypes(capacity: Ec2Capacity): string[] {
  const group = capacity.autoScalingGroup.node.defaultChild as autoscaling.CfnAutoScalingGroup;
  const mixed = Stack.of(capacity).resolve(group.mixedInstancesPolicy) as
    { launchTemplate?: { overrides?: { instanceType?: string }[] } } | undefined;
  const overrides = (mixed?.launchTemplate?.overrides ?? []).map(o => o.instanceType);
  const main = capacity.launchTemplate.instanceType?.toString();
  return [...new Set([main, ...overrides].filter((t): t is string => typeof t === 'string'))];
}

/** What a task asks of one instance. */
export interface TaskSize {
  readonly cpu: number;
  readonly memoryMiB: number;
  readonly gpuCount?: number;
}

/**
 * Reject a task that no instance of its EC2 capacity can hold: ECS would leave it in PROVISIONING forever and
 * the first deployment would fail when the circuit breaker trips. An instance registers 1024 CPU units per vCPU
 * and less memory than it has installed (`registrableMemoryMiB`,
 * https://docs.aws.amazon.com/AmazonECS/latest/developerguide/memory-management.html), and offers its GPUs
 * (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/ecs-gpu.html). The task must fit on one instance
 * type of the group (the largest for each resource is what the message names). Types the library does not know
 * are skipped; the capacity warned about them.
 */
export function checkTaskFitsInstances(scope: IConstruct, size: TaskSize, capacity: Ec2Capacity): void {
  if (!isConcrete(size.cpu) || !isConcrete(size.memoryMiB) || (size.gpuCount !== undefined && !isConcrete(size.gpuCount))) {
    return;
  }
  const types = capacityInstanceTypes(capacity);
  const known = types.map(name => ({ name, shape: instanceShape(name) }))
    .filter((t): t is { name: string; shape: InstanceShape } => t.shape !== undefined);
  if (known.length === 0 || known.length < types.length) {
    // An unknown type may be large enough: only a group of known types can be judged.
    return;
  }
  const gpus = size.gpuCount ?? 0;
  const fits = (s: InstanceShape) => size.cpu <= s.vcpus * 1024 && size.memoryMiB <= registrableMemoryMiB(s) && gpus <= s.gpus;
  if (known.some(t => fits(t.shape))) {
    return;
  }
  const largest = <K extends 'vcpus' | 'gpus'>(key: K) => known.reduce((a, b) => (b.shape[key] > a.shape[key] ? b : a));
  const byMemory = known.reduce((a, b) => (registrableMemoryMiB(b.shape) > registrableMemoryMiB(a.shape) ? b : a));
  const where = `the EC2 capacity '${capacity.node.path}' (${types.join(', ')})`;
  const fix = 'Choose a larger instance type for the capacity (or add one to spot.additionalInstanceTypes), or make the task smaller.';
  const cpuMax = largest('vcpus');
  if (size.cpu > cpuMax.shape.vcpus * 1024) {
    invalidProp(scope, 'cpu', size.cpu,
      `No instance of ${where} can hold the task: the largest, ${cpuMax.name}, has ${cpuMax.shape.vcpus} vCPUs = ${cpuMax.shape.vcpus * 1024} CPU units (1024 per vCPU). ${fix}`);
  }
  if (size.memoryMiB > registrableMemoryMiB(byMemory.shape)) {
    invalidProp(scope, 'memoryMiB', size.memoryMiB,
      `No instance of ${where} can hold the task: the largest, ${byMemory.name}, has ${byMemory.shape.memoryGiB} GiB installed, of which ECS registers `
      + `at most about ${registrableMemoryMiB(byMemory.shape)} MiB for tasks (the kernel keeps the rest; an m4.large registers 7985 of 8192 MiB, `
      + `https://docs.aws.amazon.com/AmazonECS/latest/developerguide/memory-management.html). ${fix}`);
  }
  const gpuMax = largest('gpus');
  if (gpus > gpuMax.shape.gpus) {
    invalidProp(scope, 'gpuCount', gpus,
      `No instance of ${where} can hold the task: the largest, ${gpuMax.name}, has ${gpuMax.shape.gpus} GPU(s). ${fix}`);
  }
  invalidProp(scope, 'memoryMiB', `${size.cpu} CPU units, ${size.memoryMiB} MiB${gpus ? `, ${gpus} GPU(s)` : ''}`,
    `No single instance type of ${where} has enough CPU, memory and GPUs together for the task: `
    + `${known.map(t => `${t.name} = ${t.shape.vcpus * 1024} CPU units, ~${registrableMemoryMiB(t.shape)} MiB, ${t.shape.gpus} GPU(s)`).join('; ')}. ${fix}`);
}

/** The subnets the library places tasks in: private subnets with egress, else isolated ones (as the services do). */
export function taskSubnetsOf(vpc: ec2.IVpc): ec2.ISubnet[] {
  return vpc.privateSubnets.length > 0 ? vpc.privateSubnets : vpc.isolatedSubnets;
}

/**
 * Reject a volume whose mount targets miss an Availability Zone the tasks run in. A task resolves the file
 * system's DNS name to the mount target of its own zone; in a zone without one the name does not resolve and
 * the task stops with `ResourceInitializationError: failed to resolve "fs-....efs....amazonaws.com"`. "At a
 * minimum, you should create a mount target in each Availability Zone from which you want to access the file
 * system" (https://docs.aws.amazon.com/efs/latest/ug/manage-fs-access-create-delete-mount-targets.html; the EFS
 * DNS name resolves to the mount target in the client's zone, https://docs.aws.amazon.com/efs/latest/ug/mounting-fs-mount-cmd-dns-name.html).
 * Zones that are tokens (an imported VPC without zone names) are not compared.
 */
export function checkVolumeZones(scope: IConstruct, volumePath: string, mountTargetZones: string[], vpc: ec2.IVpc): void {
  if (mountTargetZones.some(az => Token.isUnresolved(az))) {
    return;
  }
  const taskZones = [...new Set(taskSubnetsOf(vpc).map(s => s.availabilityZone))];
  if (taskZones.some(az => Token.isUnresolved(az))) {
    return;
  }
  const missing = taskZones.filter(az => !mountTargetZones.includes(az));
  if (missing.length > 0) {
    invalidProp(scope, 'volume', volumePath,
      `The volume has mount targets in ${mountTargetZones.join(', ')} only, but the tasks run in ${taskZones.join(', ')}: tasks in ${missing.join(', ')} `
      + 'cannot resolve the file system\'s DNS name and stop with ResourceInitializationError '
      + '(https://docs.aws.amazon.com/efs/latest/ug/manage-fs-access-create-delete-mount-targets.html). '
      + 'Give the SharedVolume a mount target in every zone of the task subnets (leave vpcSubnets unset, or select one subnet per zone with onePerAz: true).');
  }
}
