import { Stack } from 'aws-cdk-lib';
import { EcsClusterMetrics, EcsServiceMetrics } from '../../src/private/ecs-metrics';

/**
 * The one factory for AWS/ECS and ECS/ContainerInsights metrics: namespaces, dimensions, period and statistic are
 * written once, and every metric is named by its meaning.
 */
describe('EcsServiceMetrics', () => {
  const stack = new Stack();
  const metrics = new EcsServiceMetrics('prod', 'orders');
  const config = (m: { toMetricConfig(): any }) => stack.resolve(m.toMetricConfig().metricStat);

  test.each<[string, () => { toMetricConfig(): any }, string, string]>([
    ['CPU', () => metrics.metricCpuUtilization(), 'AWS/ECS', 'CPUUtilization'],
    ['memory', () => metrics.metricMemoryUtilization(), 'AWS/ECS', 'MemoryUtilization'],
    ['running tasks', () => metrics.metricRunningTaskCount(), 'ECS/ContainerInsights', 'RunningTaskCount'],
    ['desired tasks', () => metrics.metricDesiredTaskCount(), 'ECS/ContainerInsights', 'DesiredTaskCount'],
    ['pending tasks', () => metrics.metricPendingTaskCount(), 'ECS/ContainerInsights', 'PendingTaskCount'],
  ])('%s: per minute, averaged, by cluster and service', (_, metric, namespace, metricName) => {
    expect(config(metric())).toMatchObject({
      namespace,
      metricName,
      dimensions: [{ name: 'ClusterName', value: 'prod' }, { name: 'ServiceName', value: 'orders' }],
      period: { amount: 1, unit: { label: 'minutes' } },
      statistic: 'Average',
    });
  });

  test('a label and another statistic are options, and a scaling policy gets the same metric', () => {
    const m = metrics.metricRunningTaskCount({ label: 'Running', statistic: 'Maximum' });
    expect(m.label).toBe('Running');
    expect(m.statistic).toBe('Maximum');
    expect(metrics.runningTaskCountSpec()).toEqual({
      namespace: 'ECS/ContainerInsights',
      metricName: 'RunningTaskCount',
      dimensions: [{ name: 'ClusterName', value: 'prod' }, { name: 'ServiceName', value: 'orders' }],
    });
  });
});

describe('EcsClusterMetrics', () => {
  const metrics = new EcsClusterMetrics('prod');

  test.each<[string, () => { metricName: string; namespace: string; statistic: string; dimensions?: any }, string]>([
    ['CPU reserved', () => metrics.metricCpuReserved(), 'CpuReserved'],
    ['CPU used', () => metrics.metricCpuUtilized(), 'CpuUtilized'],
    ['memory reserved', () => metrics.metricMemoryReserved(), 'MemoryReserved'],
    ['memory used', () => metrics.metricMemoryUtilized(), 'MemoryUtilized'],
    ['tasks', () => metrics.metricTaskCount(), 'TaskCount'],
    ['services', () => metrics.metricServiceCount(), 'ServiceCount'],
  ])('%s: Container Insights, summed over the cluster', (_, metric, metricName) => {
    expect(metric()).toMatchObject({ namespace: 'ECS/ContainerInsights', metricName, statistic: 'Sum', dimensions: { ClusterName: 'prod' } });
  });

  test('one SEARCH per metric covers every service of the cluster', () => {
    expect([
      metrics.searchCpuUtilizationByService(), metrics.searchMemoryUtilizationByService(), metrics.searchRunningTaskCountByService(),
    ].map(e => e.expression)).toEqual([
      'SEARCH(\'{AWS/ECS,ClusterName,ServiceName} MetricName="CPUUtilization" ClusterName="prod"\', \'Average\', 60)',
      'SEARCH(\'{AWS/ECS,ClusterName,ServiceName} MetricName="MemoryUtilization" ClusterName="prod"\', \'Average\', 60)',
      'SEARCH(\'{ECS/ContainerInsights,ClusterName,ServiceName} MetricName="RunningTaskCount" ClusterName="prod"\', \'Average\', 60)',
    ]);
  });
});
