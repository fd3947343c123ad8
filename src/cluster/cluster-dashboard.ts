import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import { Construct } from 'constructs';

/**
 * The cluster's CloudWatch dashboard: CPU and memory reserved and used, task and service counts, and the CPU, memory
 * and running tasks of every service in the cluster.
 */
export function createClusterDashboard(scope: Construct, id: string, cluster: ecs.ICluster, title: string): cloudwatch.Dashboard {
  const dashboard = new cloudwatch.Dashboard(scope, id, { defaultInterval: Duration.hours(3) });
  const dims = { ClusterName: cluster.clusterName };
  const metric = (metricName: string, label: string) => new cloudwatch.Metric({
    namespace: 'ECS/ContainerInsights', metricName, dimensionsMap: dims, period: Duration.minutes(1), statistic: 'Sum', label,
  });
  dashboard.addWidgets(
    new cloudwatch.TextWidget({ markdown: `## ECS cluster ${title}`, width: 24, height: 1 }),
    new cloudwatch.GraphWidget({ title: 'CPU units: reserved and used', width: 8, left: [metric('CpuReserved', 'Reserved'), metric('CpuUtilized', 'Used')] }),
    new cloudwatch.GraphWidget({ title: 'Memory MiB: reserved and used', width: 8, left: [metric('MemoryReserved', 'Reserved'), metric('MemoryUtilized', 'Used')] }),
    new cloudwatch.GraphWidget({ title: 'Tasks and services', width: 8, left: [metric('TaskCount', 'Tasks'), metric('ServiceCount', 'Services')] }),
  );
  dashboard.addWidgets(...clusterServicesWidgets(cluster.clusterName));
  return dashboard;
}

/**
 * Widgets that show every service of a cluster without a widget per service: CloudWatch SEARCH expressions keep
 * the dashboard (and the template) the same size however many services there are.
 */
export function clusterServicesWidgets(clusterName: string): cloudwatch.IWidget[] {
  const period = Duration.minutes(1);
  const search = (namespace: string, metricName: string, statistic: string, label: string) => new cloudwatch.MathExpression({
    expression: `SEARCH('{${namespace},ClusterName,ServiceName} MetricName="${metricName}" ClusterName="${clusterName}"', '${statistic}', 60)`,
    usingMetrics: {},
    label,
    period,
  });
  return [
    new cloudwatch.GraphWidget({ title: 'CPU by service (%)', width: 8, left: [search('AWS/ECS', 'CPUUtilization', 'Average', '')] }),
    new cloudwatch.GraphWidget({ title: 'Memory by service (%)', width: 8, left: [search('AWS/ECS', 'MemoryUtilization', 'Average', '')] }),
    new cloudwatch.GraphWidget({ title: 'Running tasks by service', width: 8, left: [search('ECS/ContainerInsights', 'RunningTaskCount', 'Average', '')] }),
  ];
}
