import { Duration } from 'aws-cdk-lib';
import * as ecs from 'aws-cdk-lib/aws-ecs';

/**
 * A port a container listens on.
 */
export interface ContainerPortOptions {
  /** The port number, 1-65535. */
  readonly port: number;

  /**
   * Transport protocol.
   *
   * @default ecs.Protocol.TCP
   */
  readonly protocol?: ecs.Protocol;

  /**
   * Name of the port mapping (Service Connect uses it as the port alias).
   *
   * @default - '<protocol>-<port>', for example 'tcp-8080'
   */
  readonly name?: string;

  /**
   * Application protocol, for Service Connect metrics and routing.
   *
   * @default - none (plain TCP/UDP)
   */
  readonly appProtocol?: ecs.AppProtocol;
}

/**
 * What every container of a workload can specify, the main container and sidecars alike.
 */
export interface ContainerOptions {
  /**
   * Ports the container listens on.
   *
   * @default - none
   */
  readonly ports?: ContainerPortOptions[];

  /**
   * Plain environment variables.
   *
   * Never put secrets here: use `secrets`, which ECS injects at start-up.
   *
   * @default - none
   */
  readonly environment?: { [name: string]: string };

  /**
   * Secrets injected by ECS as environment variables.
   *
   * From Secrets Manager (whole secret, JSON field or version) or SSM Parameter Store:
   * `ecs.Secret.fromSecretsManager(secret, 'password')`, `ecs.Secret.fromSsmParameter(p)`. The execution role may
   * read exactly these (and decrypt with their keys).
   *
   * @default - none
   */
  readonly secrets?: { [name: string]: ecs.Secret };

  /**
   * Command, overriding the image's CMD.
   *
   * @default - the image's CMD
   */
  readonly command?: string[];

  /**
   * Entry point, overriding the image's ENTRYPOINT.
   *
   * @default - the image's ENTRYPOINT
   */
  readonly entryPoint?: string[];

  /**
   * User (name, uid, uid:gid) the container runs as.
   *
   * @default - the image's USER
   */
  readonly user?: string;

  /**
   * Working directory.
   *
   * @default - the image's WORKDIR
   */
  readonly workingDirectory?: string;

  /**
   * Container health check (Docker HEALTHCHECK).
   *
   * Use it for sidecars others wait on with HEALTHY.
   *
   * @default - the image's health check, if any
   */
  readonly healthCheck?: ecs.HealthCheck;

  /**
   * Mount the root file system read-only (ECS security best practice).
   *
   * Writable paths come from `writablePaths`. Windows containers do not support a read-only root file system.
   *
   * @default - true on Linux, false on Windows
   */
  readonly readonlyRootFilesystem?: boolean;

  /**
   * Absolute paths that stay writable when the root file system is read-only.
   *
   * Each becomes a task-scoped volume, empty at start and gone when the task stops. With ECS Exec, the SSM agent's
   * directories (/var/lib/amazon and /var/log/amazon) are added.
   *
   * @default - ['/tmp'] when the root file system is read-only
   */
  readonly writablePaths?: string[];

  /**
   * Time ECS waits after SIGTERM before it kills the container, 2-120 seconds on Fargate.
   *
   * @default - 30 seconds, ECS's default (on EC2 capacity the agent's ECS_CONTAINER_STOP_TIMEOUT, 30 seconds unless changed)
   */
  readonly stopTimeout?: Duration;

  /**
   * Restart the container in place when it exits, instead of stopping the task or leaving the container stopped.
   *
   * ECS restarts a container with a restart policy, essential or not, without replacing the task
   * (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/container-restart-policy.html). Useful for
   * non-essential sidecars (agents, proxies) that would otherwise stay stopped until the task is replaced. Not
   * available for Windows containers on Fargate, nor for init containers the main container waits on to exit.
   *
   * @default - no restart policy: an essential container that exits stops the task, a non-essential one stays stopped
   */
  readonly restartPolicy?: ContainerRestartPolicy;
}

/**
 * When ECS restarts a container that exits, without replacing its task.
 *
 * Giving a `ContainerRestartPolicy` turns the restart policy on
 * (https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_ContainerRestartPolicy.html).
 */
export interface ContainerRestartPolicy {
  /**
   * Exit codes after which ECS does not restart the container, at most 50.
   *
   * For example `[0]` for a container that exits 0 when its work is done.
   *
   * @default - none: ECS restarts the container whatever its exit code
   */
  readonly ignoredExitCodes?: number[];

  /**
   * How long the container must have run before ECS restarts it after an exit, 60 seconds to 30 minutes in whole seconds.
   *
   * A container that exits sooner is not restarted, so a container that crashes at start-up does not restart in
   * a loop. ECS restarts a container at most once per period.
   *
   * @default Duration.seconds(300), ECS's default
   */
  readonly restartAttemptPeriod?: Duration;
}

/**
 * A sidecar container next to the workload's main container.
 */
export interface SidecarOptions extends ContainerOptions {
  /** Container name, unique in the task. */
  readonly name: string;

  /** The sidecar's image. */
  readonly image: ecs.ContainerImage;

  /**
   * Stop the task when this sidecar stops.
   *
   * @default true
   */
  readonly essential?: boolean;

  /**
   * Make the main container wait until this sidecar reaches a condition.
   *
   * `START` (started), `HEALTHY` (health check passes, needs `healthCheck`), `COMPLETE` (exited, for init
   * containers) or `SUCCESS` (exited with 0).
   *
   * @default - no ordering
   */
  readonly mainContainerWaitsFor?: ecs.ContainerDependencyCondition;

  /**
   * CPU units reserved for the sidecar, out of the task's CPU.
   *
   * @default - shares the task's CPU
   */
  readonly cpu?: number;

  /**
   * Memory (MiB) reserved for the sidecar, out of the task's memory (soft limit).
   *
   * @default - shares the task's memory
   */
  readonly memoryReservationMiB?: number;
}

/** Linux settings of the main container that users reach for. */
export interface WorkloadLinuxOptions {
  /**
   * Run an init process (tini) as PID 1, which forwards signals and reaps zombies.
   *
   * @default true
   */
  readonly initProcessEnabled?: boolean;

  /**
   * Linux capabilities to drop.
   *
   * `ecs.Capability.ALL` drops every capability Docker grants by default.
   *
   * @default - none dropped (Docker's default set)
   */
  readonly dropCapabilities?: ecs.Capability[];

  /**
   * Linux capabilities to add.
   *
   * Fargate allows only `SYS_PTRACE`.
   *
   * @default - none
   */
  readonly addCapabilities?: ecs.Capability[];

  /**
   * Size of /dev/shm in MiB, on EC2 capacity only.
   *
   * Fargate does not support a custom /dev/shm size.
   *
   * @default - Docker's default (64 MiB)
   */
  readonly sharedMemorySizeMiB?: number;
}
