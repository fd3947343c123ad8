import { RemovalPolicy, Size, Stack, Token } from 'aws-cdk-lib';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct, IConstruct } from 'constructs';
import { invalidProp } from '../private/validation';

/** The Fluent Bit image FireLens routes logs through (public ECR: no pull permission needed). */
export const FLUENT_BIT_IMAGE = 'public.ecr.aws/aws-observability/aws-for-fluent-bit:stable';

/**
 * Where and how a workload's containers log.
 */
export interface WorkloadLoggingOptions {
  /**
   * How long CloudWatch Logs keeps the workload's logs.
   *
   * @default - the cluster's `logRetention` (one year unless changed)
   */
  readonly retention?: logs.RetentionDays;

  /**
   * What happens to the log group when it leaves the stack.
   *
   * The log group is encrypted with the cluster's KMS key, which follows the cluster's `removalPolicy`: a log
   * group kept after that key is deleted can no longer be read.
   *
   * @default - the cluster's `removalPolicy` (RETAIN unless changed)
   */
  readonly removalPolicy?: RemovalPolicy;

  /**
   * Use non-blocking log delivery.
   *
   * The application never stalls when CloudWatch Logs is slow, at the price of dropping lines when the buffer
   * (`maxBufferSize`) is full.
   *
   * The mode is always written into the task definition, because ECS applies the account setting
   * `defaultLogDriverMode` (non-blocking since June 2025) to containers that leave it out. With FireLens, the
   * mode and buffer apply to the log router's own awslogs stream, and `nonBlocking` decides how hard the router
   * retries: the applications reach the router through Docker's fluentd driver, which the ECS agent configures
   * itself (asynchronous, with its own buffer), so no per-container mode exists there.
   *
   * @default false - blocking: no log line is lost, but a slow log path slows the application
   */
  readonly nonBlocking?: boolean;

  /**
   * Buffer for non-blocking delivery, 1 MiB to 1 GiB.
   *
   * Only with `nonBlocking`.
   *
   * @default Size.mebibytes(25)
   */
  readonly maxBufferSize?: Size;

  /**
   * Route the containers' logs through a FireLens (AWS for Fluent Bit) log router sidecar into the same log group.
   *
   * It is the starting point for sending logs elsewhere too. The router's own logs go to the group through awslogs.
   * Linux only: Windows containers do not support FireLens.
   *
   * @default false - the awslogs driver sends logs straight to CloudWatch Logs
   */
  readonly firelens?: boolean;

  /**
   * Image of the FireLens log router (AWS for Fluent Bit).
   *
   * Pass a copy in a private ECR repository of this region (or an ECR pull-through cache of public.ecr.aws) when the tasks run in isolated subnets, where
   * public registries are unreachable.
   *
   * @default - `public.ecr.aws/aws-observability/aws-for-fluent-bit:stable`, with `firelens`
   */
  readonly firelensImage?: ecs.ContainerImage;
}

/** The logging of a workload after defaults: what `WorkloadLogs` builds from. */
export interface ResolvedLogging {
  readonly retention: logs.RetentionDays;
  readonly removalPolicy: RemovalPolicy;
  readonly nonBlocking: boolean;
  /** The buffer of non-blocking delivery, undefined with blocking delivery. */
  readonly maxBufferSize?: Size;
  readonly firelens: boolean;
  /** The FireLens router's image, undefined without FireLens. */
  readonly firelensImage?: ecs.ContainerImage;
}

/** What a workload's logging falls back to: the cluster's settings. */
export interface LoggingDefaults {
  readonly retention: logs.RetentionDays;
  readonly removalPolicy: RemovalPolicy;
}

/** Validate logging options and apply their defaults. */
export function resolveLogging(scope: IConstruct, options: WorkloadLoggingOptions, windows: boolean, defaults: LoggingDefaults): ResolvedLogging {
  if (windows && options.firelens) {
    // The ECS guide's FireLens considerations: FireLens is supported for tasks on Fargate on Linux and EC2 on Linux,
    // Windows containers don't support it (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/using_firelens.html).
    // The windowsservercore images of AWS for Fluent Bit run as a log service of their own, not as a FireLens router.
    invalidProp(scope, 'logging.firelens', options.firelens,
      'Windows containers do not support FireLens (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/using_firelens.html). '
      + 'Remove firelens: the awslogs driver sends Windows container logs to CloudWatch Logs.');
  }
  if (options.maxBufferSize !== undefined && !options.nonBlocking) {
    invalidProp(scope, 'logging.maxBufferSize', `${options.maxBufferSize.toKibibytes() / 1024} MiB`,
      'A buffer applies only to non-blocking delivery: set logging.nonBlocking to true, or remove maxBufferSize.');
  }
  if (options.maxBufferSize !== undefined) {
    const mib = options.maxBufferSize.toKibibytes() / 1024;
    if (mib < 1 || mib > 1024) {
      invalidProp(scope, 'logging.maxBufferSize', `${mib} MiB`, 'Use Size.mebibytes(1) to Size.gibibytes(1).');
    }
  }
  if (options.firelensImage !== undefined && !options.firelens) {
    invalidProp(scope, 'logging.firelensImage', options.firelensImage.constructor.name,
      'The image is that of the FireLens log router: set logging.firelens to true, or remove firelensImage.');
  }
  if (options.retention !== undefined && !Object.values(logs.RetentionDays).includes(options.retention)) {
    invalidProp(scope, 'logging.retention', options.retention, 'Use a logs.RetentionDays value such as logs.RetentionDays.ONE_YEAR.');
  }
  const nonBlocking = options.nonBlocking ?? false;
  const firelens = options.firelens ?? false;
  return {
    retention: options.retention ?? defaults.retention,
    removalPolicy: options.removalPolicy ?? defaults.removalPolicy,
    nonBlocking,
    maxBufferSize: nonBlocking ? (options.maxBufferSize ?? Size.mebibytes(25)) : undefined,
    firelens,
    firelensImage: firelens ? (options.firelensImage ?? ecs.ContainerImage.fromRegistry(FLUENT_BIT_IMAGE)) : undefined,
  };
}

/** The log group and drivers of one workload. */
export class WorkloadLogs {
  public readonly logGroup: logs.LogGroup;
  private readonly options: ResolvedLogging;
  private _router?: ecs.FirelensLogRouter;

  /**
   * @param options resolved logging: its removal policy defaults to the cluster's, that of the KMS key, because a log
   * group encrypted with the key must not outlive it, or it stays behind unreadable
   */
  constructor(scope: Construct, options: ResolvedLogging, key: kms.IKey) {
    this.options = options;
    // Stateful: the construct ID 'LogGroup' must never change.
    this.logGroup = new logs.LogGroup(scope, 'LogGroup', {
      encryptionKey: key,
      retention: options.retention,
      removalPolicy: options.removalPolicy,
    });
  }

  /** The awslogs driver writing to the workload's log group under a stream prefix. */
  public awsLogs(streamPrefix: string): ecs.LogDriver {
    return ecs.LogDrivers.awsLogs({
      logGroup: this.logGroup,
      streamPrefix,
      mode: this.options.nonBlocking ? ecs.AwsLogDriverMode.NON_BLOCKING : ecs.AwsLogDriverMode.BLOCKING,
      maxBufferSize: this.options.maxBufferSize,
    });
  }

  /**
   * The driver for an application container: awslogs, or FireLens when enabled (adding the router once).
   */
  public driverFor(taskDefinition: ecs.TaskDefinition, taskRole: iam.IGrantable, streamPrefix: string): ecs.LogDriver {
    if (!this.options.firelens) {
      return this.awsLogs(streamPrefix);
    }
    this.ensureRouter(taskDefinition, taskRole);
    return ecs.LogDrivers.firelens({
      options: {
        Name: 'cloudwatch_logs',
        region: Stack.of(taskDefinition).region,
        log_group_name: this.logGroup.logGroupName,
        log_stream_prefix: `${streamPrefix}/`,
        auto_create_group: 'false',
        // Fluent Bit drops a chunk after retry_limit failed flushes: blocking delivery keeps retrying
        // (Fluent Bit "Scheduling and Retries": Retry_Limit False = no limit), non-blocking gives up after 2.
        // Only output options go here: the ECS agent forwards every awsfirelens option except
        // log-driver-buffer-limit to Fluent Bit's [OUTPUT] section (amazon-ecs-agent, agent/api/task/task.go,
        // collectFirelensLogOptions), so docker options such as `mode` would reach Fluent Bit as unknown properties.
        retry_limit: this.options.nonBlocking ? '2' : 'False',
      },
    });
  }

  /** The FireLens router container, if any. */
  public get router(): ecs.FirelensLogRouter | undefined {
    return this._router;
  }

  private ensureRouter(taskDefinition: ecs.TaskDefinition, taskRole: iam.IGrantable): void {
    if (this._router) return;
    this._router = taskDefinition.addFirelensLogRouter('LogRouter', {
      containerName: 'log-router',
      image: this.options.firelensImage!,
      essential: true,
      firelensConfig: { type: ecs.FirelensLogRouterType.FLUENTBIT, options: { enableECSLogMetadata: true } },
      logging: this.awsLogs('firelens'),
      memoryReservationMiB: 50,
      // A hard limit equal to the task's memory (Control Tower CT.ECS.PR.7): see FoundryTaskDefinition.
      memoryLimitMiB: taskMemoryMiB(taskDefinition),
      readonlyRootFilesystem: false,
      user: '0',
    });
    // Fluent Bit runs inside the task, so it writes with the task role, to this log group only.
    this.logGroup.grantWrite(taskRole);
  }
}

/** The task definition's memory in MiB, when it is known at synth. */
function taskMemoryMiB(taskDefinition: ecs.TaskDefinition): number | undefined {
  const memory = (taskDefinition.node.defaultChild as ecs.CfnTaskDefinition | undefined)?.memory;
  return memory !== undefined && !Token.isUnresolved(memory) ? Number(memory) : undefined;
}
