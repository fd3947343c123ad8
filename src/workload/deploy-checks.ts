import { Stack, Token } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import { RegionInfo } from 'aws-cdk-lib/region-info';
import { IConstruct } from 'constructs';
import { invalidProp } from '../private/validation';

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
