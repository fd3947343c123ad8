import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import { Construct } from 'constructs';
import { EcsClusterMetrics } from '../private/ecs-metrics';

/**
 * The cluster's CloudWatch dashboard: CPU and memory reserved and used, task and service counts, and the CPU, memory
 * and running tasks of every service in the cluster.
 */
export function createClusterDashboard(scope: Construct, id: string, cluster: ecs.ICluster, title: string): cloudwatch.Dashboard {
  const dashboard = new cloudwatch.Dashboard(scope, id, { defaultInterval: Duration.hours(3) });
  const metrics = new EcsClusterMetrics(cluster.clusterName);
  dashboard.addWidgets(
    new cloudwatch.TextWidget({ markdown: `## ECS cluster ${title}`, width: 24, height: 1 }),
    new cloudwatch.GraphWidget({
      title: 'CPU units: reserved and used',
      width: 8,
      left: [metrics.metricCpuReserved({ label: 'Reserved' }), metrics.metricCpuUtilized({ label: 'Used' })],
    }),
    new cloudwatch.GraphWidget({
      title: 'Memory MiB: reserved and used',
      width: 8,
      left: [metrics.metricMemoryReserved({ label: 'Reserved' }), metrics.metricMemoryUtilized({ label: 'Used' })],
    }),
    new cloudwatch.GraphWidget({
      title: 'Tasks and services',
      width: 8,
      left: [metrics.metricTaskCount({ label: 'Tasks' }), metrics.metricServiceCount({ label: 'Services' })],
    }),
  );
  dashboard.addWidgets(...clusterServicesWidgets(cluster.clusterName));
  return dashboard;
}

/**
 * Widgets that show every service of a cluster without a widget per service: CloudWatch SEARCH expressions keep
 * the dashboard (and the template) the same size however many services there are.
 */
export function clusterServicesWidgets(clusterName: string): cloudwatch.IWidget[] {
  const metrics = new EcsClusterMetrics(clusterName);
  return [
    new cloudwatch.GraphWidget({ title: 'CPU by service (%)', width: 8, left: [metrics.searchCpuUtilizationByService()] }),
    new cloudwatch.GraphWidget({ title: 'Memory by service (%)', width: 8, left: [metrics.searchMemoryUtilizationByService()] }),
    new cloudwatch.GraphWidget({ title: 'Running tasks by service', width: 8, left: [metrics.searchRunningTaskCountByService()] }),
  ];
}
