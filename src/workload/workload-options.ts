import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as efs from 'aws-cdk-lib/aws-efs';
import * as iam from 'aws-cdk-lib/aws-iam';
import { ContainerOptions, ContainerPortOptions, SidecarOptions, WorkloadLinuxOptions } from './container';
import { ResolvedLogging, WorkloadLoggingOptions } from './logging';
import type { Capacity } from '../cluster/capacity';
import type { FoundryCluster } from '../cluster/foundry-cluster';

/*
 * The props of a `FoundryTaskDefinition` and what they resolve to, in a file of their own: the validator
 * (workload-validation.ts, `resolveWorkload`) turns the props into a `ResolvedWorkload` and the construct
 * (task-definition.ts) builds from it, so neither imports the other for its types.
 */

/**
 * What a workload is: its main container, sidecars, size, platform and logging.
 *
 * Every service pattern takes these options, and `FoundryTaskDefinition` turns them into a task definition.
 */
export interface WorkloadOptions extends ContainerOptions {
  /** The main container's image: `ecs.ContainerImage.fromRegistry(...)`, `fromEcrRepository(...)`, `fromAsset(...)` or `WorkloadRepository.image(tag)`. */
  readonly image: ecs.ContainerImage;

  /**
   * Name of the main container.
   *
   * @default 'app'
   */
  readonly containerName?: string;

  /**
   * Task CPU units (1024 = 1 vCPU).
   *
   * On Fargate one of 256, 512, 1024, 2048, 4096, 8192, 16384 (Windows: 1024-4096).
   *
   * @default 256 (1024 for Windows)
   */
  readonly cpu?: number;

  /**
   * Task memory in MiB.
   *
   * On Fargate it must be valid for `cpu` (the error lists the valid values).
   *
   * @default - on Fargate the smallest memory valid for `cpu` (512 MiB for 256 CPU units), on EC2 capacity 512 MiB
   */
  readonly memoryMiB?: number;

  /**
   * GPUs for the main container (EC2 capacity with GPU instances only).
   *
   * @default - no GPU
   */
  readonly gpuCount?: number;

  /**
   * CPU architecture of the images.
   *
   * @default - the EC2 capacity's architecture, or X86_64 on Fargate
   */
  readonly cpuArchitecture?: ecs.CpuArchitecture;

  /**
   * Operating system of the images.
   *
   * Windows Server runs on Fargate (not Spot) with 1-4 vCPU.
   *
   * @default ecs.OperatingSystemFamily.LINUX
   */
  readonly operatingSystemFamily?: ecs.OperatingSystemFamily;

  /**
   * Ephemeral storage of a Fargate task in GiB, 21 to 200 when set.
   *
   * Without the setting Fargate gives each task 20 GiB, the amount included in its price; ECS accepts only
   * 21-200 for the setting itself (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/fargate-task-storage.html,
   * https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_EphemeralStorage.html). Not available on EC2
   * capacity, where the instances' volume holds the tasks' storage.
   *
   * @default - not set: Fargate gives the task 20 GiB
   */
  readonly ephemeralStorageGiB?: number;

  /**
   * Linux settings of the main container.
   *
   * @default - an init process and Docker's default capabilities
   */
  readonly linux?: WorkloadLinuxOptions;

  /**
   * Containers next to the main one (proxies, agents, init containers), with start-up ordering.
   *
   * @default - none
   */
  readonly sidecars?: SidecarOptions[];

  /**
   * Where and how the containers log: a KMS-encrypted log group of the workload, through awslogs or FireLens.
   *
   * @default - awslogs (blocking) to a new log group encrypted with the cluster's key, with the cluster's `logRetention` and `removalPolicy`
   */
  readonly logging?: WorkloadLoggingOptions;

  /**
   * Task definition family name.
   *
   * @default - a name generated from the construct path
   */
  readonly family?: string;

  /**
   * Execution role (used by ECS to pull images, write logs and read secrets).
   *
   * When you pass one, the grants for the image, log group and secrets are still added to it.
   *
   * @default - a new role that can pull only this workload's image, write only its log group and read only its secrets
   */
  readonly executionRole?: iam.IRole;

  /**
   * Task role (used by the application).
   *
   * @default - a role without any permission, created on the first grant: grant it what the application needs
   */
  readonly taskRole?: iam.IRole;

  /**
   * Let AWS Fault Injection Service (FIS) inject faults into the tasks.
   *
   * Sets the task definition's `enableFaultInjection`: the ECS agent then accepts fault requests (network blackhole
   * port, network latency, network packet loss) from the task's containers on its fault injection endpoints
   * (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/fault-injection.html,
   * https://docs.aws.amazon.com/AmazonECS/latest/developerguide/fault-injection-endpoints.html), which the FIS
   * `aws:ecs:task` network actions use; those actions also need an SSM agent sidecar in the task
   * (https://docs.aws.amazon.com/fis/latest/userguide/ecs-task-actions.html). The tasks use the awsvpc network mode,
   * which fault injection needs; Windows tasks cannot take it. Off by default: a task that accepts faults is for
   * resilience tests, not for every workload.
   *
   * @default false
   */
  readonly enableFaultInjection?: boolean;

  /**
   * Let the execution role pull the GuardDuty Runtime Monitoring agent, which GuardDuty adds as a sidecar to Fargate tasks where the account enables it.
   *
   * The grant is `ecr:BatchGetImage`, `ecr:GetDownloadUrlForLayer` and `ecr:BatchCheckLayerAvailability` on
   * exactly the `aws-guardduty-agent-fargate` repository of the stack's Region (GuardDuty's account there), plus
   * `ecr:GetAuthorizationToken`
   * (https://docs.aws.amazon.com/guardduty/latest/ug/ecs-runtime-agent-ecr-image-uri.html). Without it the agent
   * sidecar cannot start and the tasks run unmonitored. Only Linux tasks on Fargate get the grant: elsewhere
   * GuardDuty does not add the sidecar. In an environment-agnostic stack the grant is a managed policy that names the
   * role, even an `executionRole` imported with `mutable: false`: set this to false to leave such a role untouched.
   *
   * @default true
   */
  readonly allowGuardDutyAgentPull?: boolean;
}

/**
 * Properties of a `FoundryTaskDefinition`.
 */
export interface FoundryTaskDefinitionProps extends WorkloadOptions {
  /** The cluster the tasks run in: its network, KMS key, log retention and removal policy are used. */
  readonly cluster: FoundryCluster;

  /**
   * The main container's port (TCP), listed before the ports in `ports`.
   *
   * A task definition on its own may listen or not: services that take requests pass their `port` here.
   *
   * @default - no port besides those in `ports`
   */
  readonly port?: number;

  /**
   * Where the tasks run, which decides Fargate or EC2 compatibility and is checked against the workload.
   *
   * @default - the cluster's default capacity
   */
  readonly capacity?: Capacity;

  /**
   * Prepare the containers for ECS Exec.
   *
   * Containers with a read-only root file system get writable task-scoped volumes at /var/lib/amazon and
   * /var/log/amazon, where the SSM agent that ECS Exec starts in each container keeps its state and logs.
   * Services set it from their own `enableExecuteCommand`.
   *
   * @default false
   */
  readonly enableExecuteCommand?: boolean;
}

/**
 * Options for `FoundryTaskDefinition.addVolume()`.
 */
export interface VolumeMountOptions {
  /**
   * Mount read-only, and grant the task role `ClientMount` only.
   *
   * @default false
   */
  readonly readOnly?: boolean;

  /**
   * Access point to mount, of the volume.
   *
   * @default - the volume's default access point
   */
  readonly accessPoint?: efs.IAccessPoint;

  /**
   * Container to mount into.
   *
   * @default - the main container
   */
  readonly containerName?: string;
}

/** A container of the workload after defaults and validation: what the task definition builds. */
export interface ResolvedContainer {
  readonly name: string;
  readonly image: ecs.ContainerImage;
  /** The container's options as given (environment, secrets, command, ...). */
  readonly options: ContainerOptions;
  /** Every port, the main container's `port` first. */
  readonly ports: ContainerPortOptions[];
  readonly readonlyRootFilesystem: boolean;
  /** The task-scoped writable volumes to mount (none when the root file system is writable), nested paths merged. */
  readonly writablePaths: string[];
}

/** A sidecar after defaults and validation. */
export interface ResolvedSidecar extends ResolvedContainer {
  readonly essential: boolean;
  readonly mainContainerWaitsFor?: ecs.ContainerDependencyCondition;
  readonly cpu?: number;
  readonly memoryReservationMiB?: number;
}

/** The main container's Linux settings after defaults. */
export interface ResolvedLinux {
  readonly initProcessEnabled: boolean;
  readonly dropCapabilities: ecs.Capability[];
  readonly addCapabilities: ecs.Capability[];
  readonly sharedMemorySizeMiB?: number;
}

/** The platform of a workload after defaults and validation, which every container is checked against. */
export interface ResolvedPlatform {
  readonly fargate: boolean;
  readonly windows: boolean;
  readonly cpuArchitecture: ecs.CpuArchitecture;
  readonly operatingSystemFamily: ecs.OperatingSystemFamily;
  readonly cpu: number;
  readonly memoryMiB: number;
  readonly enableExecuteCommand: boolean;
}

/** A `FoundryTaskDefinition`'s props resolved once: every default applied, everything validated. */
export interface ResolvedWorkload {
  readonly cluster: FoundryCluster;
  readonly capacity: Capacity;
  readonly platform: ResolvedPlatform;
  readonly ephemeralStorageGiB?: number;
  readonly gpuCount?: number;
  readonly main: ResolvedContainer;
  /** Linux settings of the main container, undefined for Windows. */
  readonly linux?: ResolvedLinux;
  readonly sidecars: ResolvedSidecar[];
  readonly logging: ResolvedLogging;
  readonly family?: string;
  readonly executionRole?: iam.IRole;
  readonly taskRole?: iam.IRole;
  readonly enableFaultInjection: boolean;
  /** Grant the execution role the GuardDuty agent pull (Linux on Fargate, unless opted out). */
  readonly guardDutyAgentPull: boolean;
}
