import { Duration, Token } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import type { BackendService } from './backend-service';
import { ServiceBaseProps, ServiceFrontEnd } from './service-options';
import { validateServiceOptions } from './service-options-validation';
import { stackDashboard } from './stack-dashboard';
import { Capacity, CapacityType } from '../cluster/capacity';
import type { FoundryCluster } from '../cluster/foundry-cluster';
import { acknowledgeExecLogStreams, acknowledgeExecuteCommand } from '../compliance/acknowledgements';
import { AlarmSubject, ServiceAlarmOptions, ServiceAlarms, validateAlarms } from '../operations/service-alarms';
import { addDashboardAlarms, ServiceDashboard } from '../operations/service-dashboard';
import { securityGroupDescription } from '../private/descriptions';
import { checkEcsName, invalidProp, isConcrete } from '../private/validation';
import { MetricScalingOptions, ScalingOptions, ScheduledScalingOptions, ServiceScaling } from '../scaling/service-scaling';
import type { SharedVolume } from '../storage/shared-volume';
import { FoundryTaskDefinition } from '../workload/task-definition';
import { VolumeMountOptions } from '../workload/workload-options';

/**
 * The part every service pattern shares: the workload's task definition, the ECS service on the chosen capacity,
 * safe deployments, auto scaling, tags and ECS Exec.
 */
export abstract class FoundryServiceBase extends Construct implements ec2.IConnectable {
  /** The cluster. */
  public readonly cluster: FoundryCluster;
  /** The workload's task definition (roles, log group, security group). */
  public readonly workload: FoundryTaskDefinition;
  /** The ECS service. */
  public readonly ecsService: ecs.BaseService;
  /** The ECS task definition. */
  public readonly taskDefinition: ecs.TaskDefinition;
  /** Where the tasks run. */
  public readonly capacity: Capacity;
  /** Network connections of the service's tasks. */
  public readonly connections: ec2.Connections;
  private _scaling?: ServiceScaling;
  private _baselineTasks: number;
  private _alarms?: ServiceAlarms;
  private _dashboard?: ServiceDashboard;
  private readonly operations: { alarms?: ServiceAlarmOptions; dashboard: boolean };
  private serviceConnect = false;
  private readonly connectedTo = new Set<FoundryServiceBase>();

  protected constructor(scope: Construct, id: string, props: ServiceBaseProps) {
    super(scope, id);
    if (!props || !props.cluster) {
      invalidProp(this, 'cluster', props?.cluster, 'Pass the FoundryCluster the service runs in.');
    }
    this.cluster = props.cluster;
    this.capacity = props.capacity ?? props.cluster.defaultCapacity;
    validateServiceOptions(this, props);
    reserveServiceName(this, props.cluster, props.serviceName);

    const exec = props.enableExecuteCommand ?? false;
    // enableExecuteCommand reaches the task definition with the other props: it keeps the ECS Exec agent's paths
    // writable in every container with a read-only root file system.
    this.workload = new FoundryTaskDefinition(this, 'Task', { ...props, capacity: this.capacity });
    this.taskDefinition = this.workload.taskDefinition;

    const deployment = props.deployment ?? {};
    const maxHealthyPercent = deployment.maxHealthyPercent ?? 200;
    const common: ecs.BaseServiceOptions = {
      cluster: this.cluster.ecsCluster,
      serviceName: props.serviceName,
      desiredCount: props.scaling ? undefined : (props.desiredCount ?? 2),
      capacityProviderStrategies: this.capacity.strategies(this.cluster),
      circuitBreaker: (deployment.circuitBreaker ?? true) ? { enable: true, rollback: true } : undefined,
      // aws-cdk-lib writes DeploymentController only with a circuit breaker, and changing it replaces the service
      // (https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-properties-ecs-service-deploymentcontroller.html):
      // write it always so that turning the circuit breaker off or on is an in-place update.
      deploymentController: { type: ecs.DeploymentControllerType.ECS },
      minHealthyPercent: deployment.minHealthyPercent ?? 100,
      maxHealthyPercent,
      deploymentAlarms: deployment.alarms?.length ? {
        alarmNames: deployment.alarms.map(a => a.alarmName),
        behavior: ecs.AlarmBehavior.ROLLBACK_ON_ALARM,
      } : undefined,
      deploymentStrategy: deployment.blueGreen ? ecs.DeploymentStrategy.BLUE_GREEN : undefined,
      bakeTime: deployment.blueGreen ? (deployment.blueGreen.bakeTime ?? Duration.minutes(10)) : undefined,
      enableExecuteCommand: exec,
      propagateTags: ecs.PropagatedTagSource.SERVICE,
      enableECSManagedTags: true,
      healthCheckGracePeriod: props.healthCheckGracePeriod ?? (props.frontEnd !== ServiceFrontEnd.NONE ? Duration.seconds(30) : undefined),
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
    if (props.scaling) {
      // aws-cdk-lib writes DesiredCount: 1 unless a feature flag is set; with auto scaling, leave it out so
      // that a deployment never resets the count auto scaling chose.
      (this.ecsService.node.defaultChild as ecs.CfnService).addPropertyDeletionOverride('DesiredCount');
    }
    this.connections = this.ecsService.connections;
    this._baselineTasks = props.scaling ? (props.scaling.minTasks ?? 1) : (props.desiredCount ?? 2);
    validateAlarms(this, props.alarms);
    this.operations = { alarms: props.alarms, dashboard: props.dashboard ?? false };
    if (exec) {
      acknowledgeExecuteCommand(this.workload.taskRole);
      acknowledgeExecLogStreams(this.workload.taskRole, this.cluster.execLogGroup);
    }
  }

  /**
   * Tasks the service runs when idle: its desired count, or the minimum of its auto scaling (what a cost estimate
   * counts as running all month).
   */
  public get baselineTaskCount(): number {
    return this._baselineTasks;
  }

  /** @internal Set by services whose count is not the base's (workers scaling on their queue). */
  protected _setBaselineTaskCount(tasks: number): void {
    this._baselineTasks = tasks;
  }

  /** The service's alarms (empty when turned off). */
  public get alarms(): cloudwatch.IAlarm[] {
    return this._alarms ? [...this._alarms.alarms] : [];
  }

  /** The service's own dashboard, when `dashboard` was set. */
  public get serviceDashboard(): cloudwatch.Dashboard | undefined {
    return this._dashboard?.dashboard;
  }

  /** Auto scaling of the service, when `scaling` was given. */
  public get scaling(): ServiceScaling | undefined {
    return this._scaling;
  }

  /** The task role: grant it what the application needs. */
  public get taskRole() {
    return this.workload.taskRole;
  }

  /** The workload's log group. */
  public get logGroup() {
    return this.workload.logGroup;
  }

  /**
   * Mount a SharedVolume into the main container (or `options.containerName`).
   */
  public addVolume(volume: SharedVolume, containerPath: string, options?: VolumeMountOptions): void {
    this.workload.addVolume(volume, containerPath, options);
  }

  /**
   * Let this service call a backend by name through Service Connect: opens the backend's port to this service's
   * security group only, and makes this service a Service Connect client of the cluster's namespace.
   */
  public connectTo(backend: BackendService): void {
    if ((backend as FoundryServiceBase) === this) {
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
    });
  }

  /** Step scaling on any CloudWatch metric (needs `scaling`). */
  public scaleOnMetric(id: string, options: MetricScalingOptions): void {
    this.requireScaling('scaleOnMetric').scaleOnMetric(id, options);
  }

  /** Scheduled scaling of min/max tasks (needs `scaling`). */
  public scaleOnSchedule(id: string, options: ScheduledScalingOptions): void {
    this.requireScaling('scaleOnSchedule').scaleOnSchedule(id, options);
  }

  /**
   * Alarms and dashboards; concrete services call it last, with what they add (target group, queues).
   * @internal
   */
  protected _enableOperations(extra: {
    targetGroup?: elbv2.ApplicationTargetGroup;
    alternateTargetGroup?: elbv2.ApplicationTargetGroup;
    queue?: sqs.IQueue;
    deadLetterQueue?: sqs.IQueue;
  } = {}): void {
    const subject: AlarmSubject = {
      service: this.ecsService,
      clusterName: this.cluster.ecsCluster.clusterName,
      containerInsights: this.cluster.containerInsights,
      topic: this.cluster.alertTopic,
      ...extra,
    };
    if (this.operations.alarms?.enabled ?? true) {
      this._alarms = new ServiceAlarms(this, 'Alarms', subject, this.operations.alarms);
    }
    addDashboardAlarms(stackDashboard(this, this.cluster), this.alarms);
    if (this.operations.dashboard) {
      this._dashboard = new ServiceDashboard(this, 'Dashboard', `${this.constructor.name} ${this.node.path}`, subject, this.alarms);
    }
  }

  /** Set up auto scaling; concrete services call it after their load balancer wiring. */
  protected enableScaling(scaling: ScalingOptions | undefined, targetGroup?: elbv2.ApplicationTargetGroup,
    alternateTargetGroup?: elbv2.ApplicationTargetGroup): void {
    if (scaling) {
      this._scaling = new ServiceScaling(this, this.ecsService, scaling, targetGroup, alternateTargetGroup);
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

/** Service names taken in each cluster, with the path of the service that took each. */
const serviceNames = new WeakMap<FoundryCluster, Map<string, string>>();

/**
 * Validate a fixed service name and reserve it in its cluster: "Service names must be unique within a cluster"
 * (https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_CreateService.html). A second service with the
 * same name would synthesize and then fail at deploy time.
 */
function reserveServiceName(service: Construct, cluster: FoundryCluster, serviceName: string | undefined): void {
  if (checkEcsName(service, 'serviceName', serviceName) === undefined || Token.isUnresolved(serviceName)) {
    return;
  }
  const taken = serviceNames.get(cluster) ?? new Map<string, string>();
  serviceNames.set(cluster, taken);
  const owner = taken.get(serviceName!);
  if (owner !== undefined) {
    invalidProp(service, 'serviceName', serviceName,
      `The service '${owner}' in the same cluster '${cluster.node.path}' already has this name, and ECS service names are unique within a cluster: choose another name, or leave serviceName unset for a generated one.`);
  }
  taken.set(serviceName!, service.node.path);
}
