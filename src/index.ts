// The public API: constructs, their props and options, enums and the classes users call — nothing else.
// Every name here is a contract in five languages (test/api-surface.test.ts holds the reviewed list).
// Helpers (validators, patterns, constants) and plumbing structs stay in their modules: tests import them from there.

// Cluster and capacity
export { Capacity, CapacityType } from './cluster/capacity';
export type { SpotCapacityOptions } from './cluster/capacity';
export { FoundryCluster } from './cluster/foundry-cluster';
export type { FoundryClusterProps } from './cluster/foundry-cluster-props';
export { Ec2Capacity } from './cluster/ec2-capacity';
export type { Ec2CapacityOptions, Ec2CapacityProps, Ec2SpotOptions } from './cluster/ec2-capacity-options';
export type { IFoundryCluster } from './cluster/cluster-interfaces';
export { NatGatewayStrategy } from './cluster/network';
export type { FoundryNetworkOptions } from './cluster/network';
export { Ec2InstanceUpdate, Ec2MachineImage } from './cluster/instance-image';
export { ManagedInstancesCapacity } from './cluster/managed-instances';
export { ManagedInstancesPurchaseOption, ManagedInstancesReservationPreference } from './cluster/managed-instances-options';
export type {
  ManagedInstancesCapacityOptions, ManagedInstancesCapacityProps, ManagedInstancesCapacityReservationOptions,
} from './cluster/managed-instances-options';
export { StoppedTaskAlerts } from './cluster/stopped-task-alerts';
export type { StoppedTaskAlertsOptions, StoppedTaskAlertsProps } from './cluster/stopped-task-alerts';

// Storage
export type { EbsVolumeOptions } from './storage/ebs-volume-options';
export { SharedVolume } from './storage/shared-volume';
export type { AccessPointOptions, SharedVolumeMountOptions, SharedVolumeOptions, SharedVolumeProps } from './storage/shared-volume-options';

// Workload
export type { ContainerOptions, ContainerPortOptions, ContainerRestartPolicy, SidecarOptions, WorkloadLinuxOptions } from './workload/container';
export type { WorkloadLoggingOptions } from './workload/logging';
export { WorkloadRepository } from './workload/repository';
export type { WorkloadRepositoryOptions, WorkloadRepositoryProps } from './workload/repository';
export { FoundryTaskDefinition } from './workload/task-definition';
export type { FoundryTaskDefinitionProps, VolumeMountOptions, WorkloadOptions } from './workload/workload-options';

// Scaling
export { PredictiveScalingMetric, PredictiveScalingMode } from './scaling/predictive-scaling';
export type { PredictiveScalingOptions } from './scaling/predictive-scaling';
export { Schedule } from './scaling/schedule';
export { ServiceScaling } from './scaling/service-scaling';
export type { MetricScalingOptions, ScalingOptions, ScalingStep, ScheduledScalingOptions, WebScalingOptions } from './scaling/service-scaling';

// Services
export type {
  DeploymentOptions, IBackendService, IFoundryService, RequestServiceOptions, ServiceOptions, WebDeploymentOptions,
} from './services/service-options';
export { CircuitBreakerThreshold, DeploymentStrategy, DeploymentStrategyType } from './services/deployment-strategy';
export type { BlueGreenOptions, CanaryOptions, DeploymentLifecycleHook, LinearOptions, TrafficShiftOptions } from './services/deployment-strategy';
export { WebLoadBalancer } from './services/web-load-balancer';
export type { LoadBalancerOptions, TargetHealthCheckOptions } from './services/load-balancer-options';
export type { WebLoadBalancerAlarmOptions, WebLoadBalancerOptions, WebLoadBalancerProps } from './services/web-load-balancer-options';
export { WebService } from './services/web-service';
export type { WebHealthCheckOptions, WebServiceProps } from './services/web-service-options';
export { NetworkService } from './services/network-service';
export { NetworkProtocol } from './services/network-service-options';
export type { NetworkLoadBalancerOptions, NetworkServiceProps, PrivateLinkOptions } from './services/network-service-options';
export { BackendService } from './services/backend-service';
export type { BackendServiceProps, ServiceConnectTlsOptions } from './services/backend-service';
export { WorkerService } from './services/worker-service';
export type { QueueScalingOptions, WorkerQueueOptions, WorkerServiceProps } from './services/worker-service-options';
export { ScheduledTask } from './services/scheduled-task';
export type { ScheduledTaskProps } from './services/scheduled-task';

// Operations
export { ServiceAlarm, ServiceAlarms } from './operations/service-alarms';
export type { ServiceAlarmOptions, ServiceAlarmsProps } from './operations/service-alarms';
export { ServiceDashboard } from './operations/service-dashboard';
export type { ServiceDashboardProps } from './operations/service-dashboard';

// Cost
export { CostEstimate } from './cost/cost-estimate';
export type { CostAssumptionValue, CostAssumptions, CostComparison, CostLine, TaskCountAssumption } from './cost/cost-types';
