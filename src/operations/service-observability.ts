import * as ecs from 'aws-cdk-lib/aws-ecs';
import { IConstruct } from 'constructs';
import { invalidProp, invalidPropMessage } from '../private/validation';

/*
 * What a service publishes about itself beyond the defaults: 20-second CPU and memory metrics (ECS
 * `MonitoringConfiguration`) and Service Connect access logs (`ServiceConnectConfiguration.AccessLogConfiguration`).
 * Services resolve these once and build from the result.
 */

/**
 * Observability options with their defaults, validated.
 *
 * @internal
 */
export interface ResolvedObservability {
  readonly highResolutionMetrics: boolean;
  readonly serviceConnectAccessLogs?: ecs.ServiceConnectAccessLogConfiguration;
}

/** The props observability reads (a subset of `ServiceOptions`). */
export interface ObservabilityProps {
  readonly highResolutionMetrics?: boolean;
  readonly serviceConnectAccessLogs?: ecs.ServiceConnectAccessLogConfiguration;
}

/**
 * Validate observability options and fill in their defaults.
 *
 * @internal
 */
export function resolveObservability(scope: IConstruct, props: ObservabilityProps): ResolvedObservability {
  if (props.highResolutionMetrics !== undefined && typeof props.highResolutionMetrics !== 'boolean') {
    invalidProp(scope, 'highResolutionMetrics', props.highResolutionMetrics, 'Use true or false.');
  }
  const logs = props.serviceConnectAccessLogs;
  if (logs !== undefined) {
    // "Format: TEXT | JSON" (https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_ServiceConnectAccessLogConfiguration.html).
    if (!logs || !Object.values(ecs.ServiceConnectAccessLogFormat).includes(logs.format)) {
      invalidProp(scope, 'serviceConnectAccessLogs.format', logs?.format,
        'Use ecs.ServiceConnectAccessLogFormat.JSON (structured, for CloudWatch Logs Insights) or ecs.ServiceConnectAccessLogFormat.TEXT.');
    }
    if (logs.includeQueryParameters !== undefined && typeof logs.includeQueryParameters !== 'boolean') {
      invalidProp(scope, 'serviceConnectAccessLogs.includeQueryParameters', logs.includeQueryParameters, 'Use true or false.');
    }
  }
  return { highResolutionMetrics: props.highResolutionMetrics ?? false, serviceConnectAccessLogs: logs };
}

/**
 * The ECS service's `MonitoringConfiguration` for 20-second CPU and memory utilization: "The valid values are 20 and
 * 60" seconds, for the metric names `CPUUtilization` and `MemoryUtilization`
 * (https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-properties-ecs-service-metricconfiguration.html,
 * https://docs.aws.amazon.com/AmazonECS/latest/developerguide/target-tracking-faster-auto-scaling.html).
 *
 * @internal
 */
export function highResolutionMonitoring(): ecs.CfnService.MonitoringConfigurationProperty {
  return { metricConfigurations: [{ metricNames: ['CPUUtilization', 'MemoryUtilization'], resolutionSeconds: 20 }] };
}

/**
 * Access logs of a service without Service Connect would go nowhere: the error for `node.addValidation`, run after
 * `connectTo()` calls had their chance to enable Service Connect.
 *
 * @internal
 */
export function accessLogsWithoutServiceConnect(scope: IConstruct, logs: ecs.ServiceConnectAccessLogConfiguration): string {
  return invalidPropMessage(scope, 'serviceConnectAccessLogs', logs,
    'Service Connect access logs are written by the Service Connect proxy: use them on a BackendService or on a service that calls connectTo(), or remove them.');
}
