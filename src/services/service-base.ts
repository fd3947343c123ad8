import { Token } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { addLifecycleHooks, progressiveDeploymentProps, rollBackOnAlarms, tuneCircuitBreaker } from './deployment-wiring';
import { IBackendService, IFoundryService, ServiceBaseProps } from './service-options';
import { ResolvedServiceOptions, resolveServiceOptions } from './service-options-validation';
import { stackDashboard } from './stack-dashboard';
import { Capacity, CapacityType } from '../cluster/capacity';
import type { FoundryCluster } from '../cluster/foundry-cluster';
import { acknowledgeExecLogStreams, acknowledgeExecuteCommand } from '../compliance/acknowledgements';
import { ServiceAlarms } from '../operations/service-alarms';
import { addDashboardAlarms, ServiceDashboard } from '../operations/service-dashboard';
import { accessLogsWithoutServiceConnect, highResolutionMonitoring, ResolvedObservability, resolveObservability } from '../operations/service-observability';
import { securityGroupDescription } from '../private/descriptions';
import { checkEcsName, invalidProp, isConcrete } from '../private/validation';
import { MetricScalingOptions, ScheduledScalingOptions, ServiceScaling } from '../scaling/service-scaling';
import { attachEbsVolumes, resolveEbsVolumes } from '../storage/ebs-volume';
import type { SharedVolume } from '../storage/shared-volume';
import { FoundryTaskDefinition } from '../workload/task-definition';
import { VolumeMountOptions } from '../workload/workload-options';

/**
 * The part every service pattern shares: the workload's task definition, the ECS service on the chosen capacity,
 * safe deployments, tags, ECS Exec, alarms and dashboards.
 *
 * Not part of the public API: jsii erases it and copies its public members into each service
 * (`IFoundryService` is the type for "any service").
 *
 * @jsii ignore
 */
export abstract class FoundryServiceBase extends Construct implements IFoundryService {
  /** The cluster the service runs in. */
  public readonly cluster: FoundryCluster;
  /** The workload's task definition construct, with its roles, log group and security group. */
  public readonly workload: FoundryTaskDefinition;
  /** The ECS service. */
  public readonly ecsService: ecs.BaseService;
  /** The ECS task definition. */
  public readonly taskDefinition: ecs.TaskDefinition;
  /** Where the tasks run: the `capacity` prop, or the cluster's default capacity. */
  public readonly capacity: Capacity;
  /** Network connections of the service's tasks. */
  public readonly connections: ec2.Connections;
  /**
   * The service's options, defaulted and validated once.
   *
   * @internal
   */
  protected readonly _options: ResolvedServiceOptions;
  private _baselineTasks: number;
  private _alarms?: ServiceAlarms;
  private _dashboard?: ServiceDashboard;
  private serviceConnect = false;
  /**
   * Scaling & observability (issue 12): 20-second metrics and Service Connect access logs, resolved once.
   *
   * @internal
   */
  protected readonly _observability: ResolvedObservability;
  private readonly connectedTo = new Set<IBackendService>();
  /**
   * The role ECS assumes to invoke the deployment lifecycle hooks.
   *
   * @default - undefined unless `deployment.lifecycleHooks` is given
   */
  public readonly lifecycleHookRole?: iam.IRole;

  protected constructor(scope: Construct, id: string, props: ServiceBaseProps) {
    super(scope, id);
    if (!props || !props.cluster) {
      invalidProp(this, 'cluster', props?.cluster, 'Pass the FoundryCluster the service runs in.');
    }
    this.cluster = props.cluster;
    const options = resolveServiceOptions(this, props);
    this._options = options;
    reserveServiceName(this, props.cluster, props.serviceName);

    // enableExecuteCommand reaches the task definition with the other props: it keeps the ECS Exec agent's paths
    // writable in every container with a read-only root file system. The task definition resolves the capacity
    // (the prop, or the cluster's default) once, and the service runs on that.
    this.workload = new FoundryTaskDefinition(this, 'Task', props);
    this.taskDefinition = this.workload.taskDefinition;
    this.capacity = this.workload.capacity;

    const maxHealthyPercent = options.maxHealthyPercent;
    const common: ecs.BaseServiceOptions = {
      cluster: this.cluster.ecsCluster,
      serviceName: props.serviceName,
      desiredCount: options.desiredCount,
      capacityProviderStrategies: this.capacity.strategies(this.cluster),
      circuitBreaker: options.circuitBreaker ? { enable: true, rollback: true } : undefined,
      // aws-cdk-lib writes DeploymentController only with a circuit breaker, and changing it replaces the service
      // (https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-properties-ecs-service-deploymentcontroller.html):
      // write it always so that turning the circuit breaker off or on is an in-place update.
      deploymentController: { type: ecs.DeploymentControllerType.ECS },
      minHealthyPercent: options.minHealthyPercent,
      maxHealthyPercent,
      // deploymentAlarms: written by _enableOperations, once the service's own alarms exist (rollbackOnAlarm).
      // --- Progressive delivery (issue 12): rolling writes no strategy (the ECS default), as before -------------
      ...progressiveDeploymentProps(options.deployment.strategy),
      enableExecuteCommand: options.enableExecuteCommand,
      propagateTags: ecs.PropagatedTagSource.SERVICE,
      enableECSManagedTags: true,
      healthCheckGracePeriod: options.healthCheckGracePeriod,
    };
    const network = {
      securityGroups: [this.workload.securityGroup],
      vpcSubnets: { subnets: this.cluster.vpc.selectSubnets(taskSubnets(this.cluster.vpc)).subnets },
      assignPublicIp: false,
      // ECS cannot rebalance Availability Zones with maximumPercent 100: it starts a task in the short zone before
      // it stops one in the long zone (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/service-rebalancing.html).
      // A service that must never run more than its desired count keeps that promise, without rebalancing.
      availabilityZoneRebalancing: isConcrete(maxHealthyPercent) && maxHealthyPercent === 100
        ? ecs.AvailabilityZoneRebalancing.DISABLED : ecs.AvailabilityZoneRebalancing.ENABLED,
    };
    this.ecsService = this.capacity.type === CapacityType.EC2
      ? new ecs.Ec2Service(this, 'Service', { ...common, ...network, taskDefinition: this.taskDefinition })
      : new ecs.FargateService(this, 'Service', { ...common, ...network, taskDefinition: this.taskDefinition });
    // Only Ec2Service writes SchedulingStrategy (REPLICA, the ECS default), and it is a create-only property: switching
    // the capacity between Fargate and EC2 would replace the service, which CloudFormation refuses outright with
    // Service Connect or a fixed serviceName. Write it for every capacity so that the switch is an in-place update
    // (UpdateService moves a service between Fargate and Auto Scaling group capacity providers:
    // https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_UpdateService.html).
    (this.ecsService.node.defaultChild as ecs.CfnService).schedulingStrategy = 'REPLICA';
    // The task definition references the execution role, not its policies: without this the first tasks can start
    // before they may pull their image, write their logs or read their secrets.
    this.ecsService.node.addDependency(this.workload.executionRole);
    // --- Progressive delivery (issue 12): lifecycle hooks and circuit breaker tuning ----------------------------
    if (options.deployment.lifecycleHooks.length > 0) {
      this.lifecycleHookRole = addLifecycleHooks(this, this.ecsService, options.deployment.lifecycleHooks);
    }
    tuneCircuitBreaker(this.ecsService, options.circuitBreaker, options.deployment);
    // --- end progressive delivery -------------------------------------------------------------------------------
    if (options.scaling) {
      // aws-cdk-lib writes DesiredCount: 1 unless a feature flag is set; with auto scaling, leave it out so
      // that a deployment never resets the count auto scaling chose.
      (this.ecsService.node.defaultChild as ecs.CfnService).addPropertyDeletionOverride('DesiredCount');
    }
    this.connections = this.ecsService.connections;
    this._baselineTasks = options.baselineTaskCount;
    if (options.enableExecuteCommand) {
      acknowledgeExecuteCommand(this.workload.taskRole);
      acknowledgeExecLogStreams(this.workload.taskRole, this.cluster.execLogGroup);
    }

    // --- Scaling & observability (issue 12) ---------------------------------------------------------------------
    // highResolutionMetrics: ECS publishes CPUUtilization and MemoryUtilization every 20 seconds; scaling, alarms and
    // dashboards read them (_enableScaling, _enableOperations). serviceConnectAccessLogs: written by _enableServiceConnect;
    // a service that never uses Service Connect (no BackendService, no connectTo()) is refused once construction is done.
    this._observability = resolveObservability(this, props);
    if (this._observability.highResolutionMetrics) {
      (this.ecsService.node.defaultChild as ecs.CfnService).monitoring = highResolutionMonitoring();
    }
    const accessLogs = this._observability.serviceConnectAccessLogs;
    if (accessLogs) {
      this.node.addValidation({ validate: () => (this.serviceConnect ? [] : [accessLogsWithoutServiceConnect(this, accessLogs)]) });
    }
    // --- end scaling & observability ----------------------------------------------------------------------------

    // --- Storage (issue 12): EBS task volumes ---------------------------------------------------------------------
    // The task definition declares each volume configuredAtLaunch and mounts it; the service carries its
    // volumeConfigurations (encrypted with the cluster key), managed with the cluster's volumes infrastructure role.
    attachEbsVolumes(this.ecsService, this.workload, this.cluster, resolveEbsVolumes(this, props.ebsVolumes));
    // --- end storage --------------------------------------------------------------------------------------------
  }

  /**
   * Tasks the service runs when idle: its desired count, or the minimum of its auto scaling.
   *
   * A cost estimate counts them as running all month.
   */
  public get baselineTaskCount(): number {
    return this._baselineTasks;
  }

  /** The service's alarms, empty when alarms are turned off. */
  public get alarms(): cloudwatch.IAlarm[] {
    return this._alarms ? [...this._alarms.alarms] : [];
  }

  /**
   * The service's own dashboard.
   *
   * @default - undefined unless `dashboard` is true
   */
  public get serviceDashboard(): cloudwatch.Dashboard | undefined {
    return this._dashboard?.dashboard;
  }

  /** The task role, to grant what the application needs. */
  public get taskRole(): iam.IRole {
    return this.workload.taskRole;
  }

  /** The workload's log group. */
  public get logGroup(): logs.ILogGroup {
    return this.workload.logGroup;
  }

  /**
   * Mount a SharedVolume into the main container (or `options.containerName`).
   */
  public addVolume(volume: SharedVolume, containerPath: string, options?: VolumeMountOptions): void {
    this.workload.addVolume(volume, containerPath, options);
  }

  /**
   * Let this service call a backend by name through Service Connect.
   *
   * It opens the backend's port to this service's security group only, and makes this service a Service Connect
   * client of the cluster's namespace.
   */
  public connectTo(backend: IBackendService): void {
    if ((backend as IFoundryService) === (this as IFoundryService)) {
      invalidProp(this, 'backend', backend.node.path, 'A service reaches itself without Service Connect.');
    }
    if (backend.cluster !== this.cluster) {
      invalidProp(this, 'backend', backend.node.path,
        `The backend runs in '${backend.cluster.node.path}', this service in '${this.cluster.node.path}'; Service Connect works within one namespace: put both in one cluster.`);
    }
    if (this.connectedTo.has(backend)) {
      return;
    }
    this.connectedTo.add(backend);
    this._enableServiceConnect([]);
    backend.workload.securityGroup.addIngressRule(this.workload.securityGroup, ec2.Port.tcp(backend.port),
      securityGroupDescription(`Service Connect from ${this.node.path}`));
  }

  /** @internal The cluster's Service Connect namespace, created as 'internal' when missing. */
  public _serviceConnectNamespace() {
    return this.cluster.namespace ?? this.cluster.addServiceConnectNamespace('internal');
  }

  /** @internal Enable Service Connect once (as client, or as server with services). */
  public _enableServiceConnect(services: ecs.ServiceConnectService[]): void {
    if (this.serviceConnect) {
      if (services.length > 0) {
        invalidProp(this, 'serviceConnect', services.map(s => s.discoveryName), 'Service Connect is configured once per service.');
      }
      return;
    }
    this.serviceConnect = true;
    this.ecsService.enableServiceConnect({
      namespace: this._serviceConnectNamespace().namespaceArn,
      services: services.length > 0 ? services : undefined,
      logDriver: ecs.LogDrivers.awsLogs({ logGroup: this.workload.logGroup, streamPrefix: 'service-connect' }),
      // Scaling & observability (issue 12): the proxy's access logs go through the log driver above, into the
      // workload's log group (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/service-connect-envoy-access-logs.html).
      accessLogConfiguration: this._observability.serviceConnectAccessLogs,
    });
  }

  /**
   * Set by services whose idle count is not the base's (workers scaling on their queue).
   *
   * @internal
   */
  protected _setBaselineTaskCount(tasks: number): void {
    this._baselineTasks = tasks;
  }

  /**
   * Alarms and dashboards; concrete services call it last, with what they add (target groups, queues).
   *
   * @internal
   */
  protected _enableOperations(extra: {
    targetGroup?: elbv2.ApplicationTargetGroup;
    alternateTargetGroup?: elbv2.ApplicationTargetGroup;
    loadBalancerFullName?: string;
    queue?: sqs.IQueue;
    deadLetterQueue?: sqs.IQueue;
  } = {}): void {
    if (this._options.alarms) {
      this._alarms = new ServiceAlarms(this, 'Alarms', {
        ...this._options.alarms,
        service: this.ecsService,
        alertTopic: this.cluster.alertTopic,
        containerInsights: this.cluster.containerInsights,
        highResolutionMetrics: this._observability.highResolutionMetrics,
        // Rollbacks read every condition but fewer running tasks than desired (capacity still starting).
        deploymentRollback: this._options.deployment.rollbackOnAlarm,
        ...extra,
      });
    }
    // Progressive delivery (issue 12): deployment.alarms, and the service's own alarms with rollbackOnAlarm, roll the
    // deployment back (one call: aws-cdk-lib 2.271's enableDeploymentAlarms drops the names of a second call).
    rollBackOnAlarms(this.ecsService, this._options.deploymentAlarms,
      this._options.deployment.rollbackOnAlarm && this._alarms ? this._alarms.rollbackAlarms : []);
    addDashboardAlarms(stackDashboard(this, this.cluster), this.alarms);
    if (this._options.dashboard) {
      this._dashboard = new ServiceDashboard(this, 'Dashboard', {
        title: `${this.constructor.name} ${this.node.path}`,
        service: this.ecsService,
        targetGroup: extra.targetGroup,
        queue: extra.queue,
        deadLetterQueue: extra.deadLetterQueue,
        alarms: this.alarms,
        highResolutionMetrics: this._observability.highResolutionMetrics,
      });
    }
  }
}

/**
 * A service that answers requests on a port (web, network and backend services): it may scale on CPU, memory,
 * requests, any metric and a schedule.
 *
 * @jsii ignore
 */
export abstract class RequestServiceBase extends FoundryServiceBase {
  private _scaling?: ServiceScaling;

  /**
   * Auto scaling of the service.
   *
   * @default - undefined unless `scaling` was given
   */
  public get scaling(): ServiceScaling | undefined {
    return this._scaling;
  }

  /** Add step scaling on any CloudWatch metric (needs `scaling`). */
  public scaleOnMetric(id: string, options: MetricScalingOptions): void {
    this.requireScaling('scaleOnMetric').scaleOnMetric(id, options);
  }

  /** Set the fewest and most tasks at scheduled times (needs `scaling`). */
  public scaleOnSchedule(id: string, options: ScheduledScalingOptions): void {
    this.requireScaling('scaleOnSchedule').scaleOnSchedule(id, options);
  }

  /**
   * Set up auto scaling; concrete services call it after their load balancer wiring.
   *
   * @internal
   */
  protected _enableScaling(targetGroup?: elbv2.ApplicationTargetGroup, alternateTargetGroup?: elbv2.ApplicationTargetGroup): void {
    const scaling = this._options.scaling;
    if (scaling) {
      this._scaling = ServiceScaling._create(this, this.ecsService, scaling, targetGroup, alternateTargetGroup,
        this._observability.highResolutionMetrics);
    }
  }

  private requireScaling(method: string): ServiceScaling {
    if (!this._scaling) {
      invalidProp(this, 'scaling', undefined, `${method}() adjusts auto scaling: give the service scaling: { minTasks, maxTasks } first.`);
    }
    return this._scaling;
  }
}

/** Subnets for tasks: private with egress, else isolated. */
export function taskSubnets(vpc: ec2.IVpc): ec2.SubnetSelection {
  return vpc.privateSubnets.length > 0 ? { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS } : { subnetType: ec2.SubnetType.PRIVATE_ISOLATED };
}

/**
 * Validate a fixed service name and claim it in its cluster: "Service names must be unique within a cluster"
 * (https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_CreateService.html). A second service with the
 * same name would synthesize and then fail at deploy time.
 */
function reserveServiceName(service: Construct, cluster: FoundryCluster, serviceName: string | undefined): void {
  if (checkEcsName(service, 'serviceName', serviceName) === undefined || Token.isUnresolved(serviceName)) {
    return;
  }
  const owner = cluster._claimName('service', serviceName!, service);
  if (owner !== undefined) {
    invalidProp(service, 'serviceName', serviceName,
      `The service '${owner}' in the same cluster '${cluster.node.path}' already has this name, and ECS service names are unique within a cluster: choose another name, or leave serviceName unset for a generated one.`);
  }
}
