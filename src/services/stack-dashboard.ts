import { Duration, Stack } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { IConstruct } from 'constructs';
import { clusterServicesWidgets } from '../cluster/cluster-dashboard';
import type { FoundryCluster } from '../cluster/foundry-cluster';

/**
 * The dashboard that lists the alarms of a construct in the cluster: the cluster dashboard for constructs in the
 * cluster's stack, a services dashboard of its own for every other stack (a widget in the cluster's stack
 * referencing a resource in another stack would make the stacks depend on each other both ways).
 */
export function stackDashboard(scope: IConstruct, cluster: FoundryCluster): cloudwatch.Dashboard {
  const stack = Stack.of(scope);
  if (stack === Stack.of(cluster)) {
    return cluster.dashboard;
  }
  const id = 'FoundryServicesDashboard';
  const existing = stack.node.tryFindChild(id) as cloudwatch.Dashboard | undefined;
  if (existing) return existing;
  const dashboard = new cloudwatch.Dashboard(stack, id, { defaultInterval: Duration.hours(3) });
  dashboard.addWidgets(new cloudwatch.TextWidget({ markdown: `## Services of ${stack.stackName} in cluster ${cluster.node.path}`, width: 24, height: 1 }));
  dashboard.addWidgets(...clusterServicesWidgets(cluster.ecsCluster.clusterName));
  return dashboard;
}
