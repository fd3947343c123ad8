import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as cloudmap from 'aws-cdk-lib/aws-servicediscovery';
import { IConstruct } from 'constructs';
import { BlueGreenOptions, CircuitBreakerThreshold, DeploymentLifecycleHook, DeploymentStrategy } from './deployment-strategy';
import { Capacity } from '../cluster/capacity';
import type { FoundryCluster } from '../cluster/foundry-cluster';
import { ServiceAlarmOptions } from '../operations/service-alarms';
import { WebScalingOptions } from '../scaling/service-scaling';
import { EbsVolumeOptions } from '../storage/ebs-volume-options';
import type { SharedVolume } from '../storage/shared-volume';
import type { FoundryTaskDefinition } from '../workload/task-definition';
import { VolumeMountOptions, WorkloadOptions } from '../workload/workload-options';

/**
 * How a service rolls out new versions.
 */
export interface DeploymentOptions {
  /**
   * Stop a failing deployment and roll back to the last working one (the deployment circuit breaker).
   *
   * Without it a failed deployment takes up to 3 hours to fail.
   *
   * @default true
   */
  readonly circuitBreaker?: boolean;

  /**
   * Lowest share (0-100) of the desired tasks kept running during a deployment.
   *
   * @default 100 - never run below the desired count
   */
  readonly minHealthyPercent?: number;

  /**
   * Highest share (100-200) of the desired tasks running during a deployment.
   *
   * At 100 the service never runs more tasks than desired: ECS stops an old task before it starts a new one
   * (give `minHealthyPercent` below 100), and Availability Zone rebalancing, which starts a task before it stops
   * one, is turned off.
   *
   * @default 200 - start a full set of new tasks before stopping old ones
   */
  readonly maxHealthyPercent?: number;

  /**
   * CloudWatch alarms that roll a deployment back when they go into ALARM.
   *
   * @default - none
   */
  readonly alarms?: cloudwatch.IAlarm[];

  /**
   * How the service rolls out a new revision: rolling, blue/green, canary or linear.
   *
   * Blue/green, canary and linear shift traffic between two target groups (Application or Network Load Balancer) or
   * through Service Connect; a service without traffic (a worker) can use blue/green only. Each service rejects
   * the strategies it does not support.
   *
   * @default DeploymentStrategy.rolling()
   */
  readonly strategy?: DeploymentStrategy;

  /**
   * Lambda functions ECS runs at stages of a blue/green, canary or linear deployment, to test or approve it.
   *
   * ECS invokes them through a role the service creates, which may invoke exactly these functions.
   *
   * @default - none
   */
  readonly lifecycleHooks?: DeploymentLifecycleHook[];

  /**
   * Roll a blue/green, canary or linear deployment back when the service's own alarms go into ALARM during it.
   *
   * The service's alarms (see `alarms`) join any `deployment.alarms` given. A rolling deployment uses only
   * `deployment.alarms`: its circuit breaker already rolls back tasks that fail to start.
   *
   * @default - true for blue/green, canary and linear deployments, false for rolling ones
   */
  readonly rollbackOnAlarm?: boolean;

  /**
   * How many failed tasks stop a deployment (the circuit breaker's failure threshold).
   *
   * @default - the ECS default: 50 % of the desired count, at least 3 and at most 200 tasks
   */
  readonly circuitBreakerThreshold?: CircuitBreakerThreshold;

  /**
   * Reset the circuit breaker's count of failed tasks whenever a task of the deployment becomes healthy.
   *
   * @default true - the ECS default
   */
  readonly circuitBreakerResetOnHealthyTask?: boolean;
}

/**
 * How a web service rolls out new versions: the options of every service plus the deprecated `blueGreen`.
 */
export interface WebDeploymentOptions extends DeploymentOptions {
  /**
   * Use native ECS blue/green deployments with an alternate target group and a test route.
   *
   * @default - rolling deployments
   * @deprecated use `strategy: DeploymentStrategy.blueGreen(options)` instead
   */
  readonly blueGreen?: BlueGreenOptions;
}

/**
 * What every service takes besides its workload: capacity, count, ECS Exec, name and operations.
 *
 * Each service's props add `deployment` (and request services `scaling`), typed for what that service supports:
 * blue/green deployments and request-count scaling are for `WebService` only.
 */
export interface ServiceOptions extends WorkloadOptions {
  /**
   * Where the tasks run.
   *
   * @default - the cluster's default capacity
   */
  readonly capacity?: Capacity;

  /**
   * Number of tasks when the service does not scale.
   *
   * With auto scaling the count is auto scaling's to set, and deployments never reset it.
   *
   * @default 2 (one per Availability Zone, so an outage of one zone keeps the service up)
   */
  readonly desiredCount?: number;

  /**
   * Let operators open a shell in running containers with ECS Exec.
   *
   * Sessions are encrypted with the cluster key and logged to its audit log group.
   *
   * @default false
   */
  readonly enableExecuteCommand?: boolean;

  /**
   * Service name, unique within the cluster.
   *
   * Up to 255 letters, digits, hyphens and underscores.
   *
   * @default - a name generated by CloudFormation
   */
  readonly serviceName?: string;

  /**
   * Alarms, sent to the cluster's alert topic.
   *
   * @default - one combined alarm per service: CPU or memory above 85 %, fewer running tasks than desired, and
   * for web services 5xx above 5 %, p99 response time above 2 s or unhealthy targets, for workers a non-empty
   * dead-letter queue or a message older than 15 minutes, each for 3 minutes
   */
  readonly alarms?: ServiceAlarmOptions;

  /**
   * Create a CloudWatch dashboard for this service alone.
   *
   * The service always gets a row on the cluster dashboard.
   *
   * @default false
   */
  readonly dashboard?: boolean;

  /**
   * Publish the service's CPU and memory utilization every 20 seconds instead of every minute.
   *
   * Target tracking then scales on the 20-second metrics, and the service alarm and dashboard read them: the alarm
   * still waits for its evaluation period, but it fires as soon as that much time has passed. High-resolution metrics
   * and alarms cost more than standard ones (CloudWatch pricing). ECS `MonitoringConfiguration`.
   *
   * @default false - one-minute metrics
   */
  readonly highResolutionMetrics?: boolean;

  /**
   * Log every request the Service Connect proxy handles (method, path, response code, timing) to the service's log group.
   *
   * For services that use Service Connect: a `BackendService`, and clients after `connectTo()`. Query parameters
   * are left out unless `includeQueryParameters` is true (they may carry tokens).
   *
   * @default - no access logs: Service Connect's request metrics only (one log event per request costs CloudWatch Logs ingestion)
   */
  readonly serviceConnectAccessLogs?: ecs.ServiceConnectAccessLogConfiguration;

  /**
   * Amazon EBS volumes that ECS creates for each task (at most one), encrypted with the cluster key and deleted with the task.
   *
   * Use it for per-task scratch space, caches and data restored from a snapshot, and a `SharedVolume` (EFS) for data
   * that tasks share or that must outlive them. Linux tasks on Fargate, EC2 and Managed Instances.
   *
   * @default - no EBS volume
   */
  readonly ebsVolumes?: EbsVolumeOptions[];
}

/**
 * What a service that answers requests on a port takes (web, network and backend services).
 */
export interface RequestServiceOptions extends ServiceOptions {
  /**
   * The port the main container listens on, where the service's clients reach it.
   */
  readonly port: number;

  /**
   * Time the scheduler ignores failing load balancer or container health checks after a task starts.
   *
   * A backend service has no load balancer: there it covers the container health check (`healthCheck` or the
   * image's own), if any ("ignores unhealthy Elastic Load Balancing, VPC Lattice, and container health checks after a
   * task has first started", https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_CreateService.html).
   *
   * @default - Duration.seconds(30) behind a load balancer, none for a backend service
   */
  readonly healthCheckGracePeriod?: Duration;

}

/**
 * How clients reach a service, which decides what the base wires for it.
 *
 * @internal
 */
export enum ServiceFrontEnd {
  /** No load balancer and no Service Connect server (workers): blue/green only, without traffic shifting. */
  NONE = 'NONE',
  /** An Application Load Balancer: blue/green deployments and request-count scaling apply. */
  APPLICATION_LOAD_BALANCER = 'APPLICATION_LOAD_BALANCER',
  /** A Network Load Balancer. */
  NETWORK_LOAD_BALANCER = 'NETWORK_LOAD_BALANCER',
  /** Service Connect only (a backend service): its proxies shift traffic between revisions. */
  SERVICE_CONNECT = 'SERVICE_CONNECT',
}

/**
 * What a concrete service tells the base.
 *
 * @internal
 */
export interface ServiceBaseProps extends ServiceOptions {
  /** The cluster. */
  readonly cluster: FoundryCluster;
  /** The main container's port, for services that answer requests. */
  readonly port?: number;
  /** The health check grace period of a request service. */
  readonly healthCheckGracePeriod?: Duration;
  /** Auto scaling of a request service (request-count scaling behind an Application Load Balancer only). */
  readonly scaling?: WebScalingOptions;
  /** How clients reach the service. */
  readonly frontEnd: ServiceFrontEnd;
  /** How the service rolls out new versions (the deprecated `blueGreen` behind an Application Load Balancer only). */
  readonly deployment?: WebDeploymentOptions;
}

/**
 * Any service of this library: what the web, network, backend and worker services all expose.
 */
export interface IFoundryService extends IConstruct, ec2.IConnectable {
  /** The cluster the service runs in. */
  readonly cluster: FoundryCluster;

  /** The ECS service. */
  readonly ecsService: ecs.BaseService;

  /** The ECS task definition. */
  readonly taskDefinition: ecs.TaskDefinition;

  /** The workload's task definition construct, with its roles, log group and security group. */
  readonly workload: FoundryTaskDefinition;

  /** Where the tasks run: the `capacity` prop, or the cluster's default capacity. */
  readonly capacity: Capacity;

  /** The service's alarms, empty when alarms are turned off. */
  readonly alarms: cloudwatch.IAlarm[];

  /** The task role, to grant what the application needs. */
  readonly taskRole: iam.IRole;

  /** The workload's log group. */
  readonly logGroup: logs.ILogGroup;

  /** Tasks the service runs when idle: its desired count, or the minimum of its auto scaling. */
  readonly baselineTaskCount: number;

  /**
   * The service's own dashboard.
   *
   * @default - undefined unless `dashboard` is true
   */
  readonly serviceDashboard?: cloudwatch.Dashboard;

  /**
   * Mount a SharedVolume into the main container (or `options.containerName`).
   */
  addVolume(volume: SharedVolume, containerPath: string, options?: VolumeMountOptions): void;

  /**
   * Let this service call a backend by name through Service Connect.
   *
   * It opens the backend's port to this service's security group only, and makes this service a Service Connect
   * client of the cluster's namespace.
   */
  connectTo(backend: IBackendService): void;
}

/**
 * A service that other services reach by name through Service Connect (a `BackendService`).
 */
export interface IBackendService extends IFoundryService {
  /** The port clients use. */
  readonly port: number;

  /** The name clients use. */
  readonly discoveryName: string;

  /** The Service Connect namespace. */
  readonly namespace: cloudmap.INamespace;

  /** `http://<discoveryName>:<port>` as clients address it. */
  readonly endpoint: string;
}
