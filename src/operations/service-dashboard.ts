import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import { Construct } from 'constructs';
import type { AlarmSubject } from './service-alarms';
import { EcsServiceMetrics } from '../private/ecs-metrics';

/**
 * The widgets of one service: utilization, task counts and, when they apply, load balancer and queue metrics,
 * with the service's alarms.
 */
export function serviceWidgets(title: string, subject: AlarmSubject, alarms: cloudwatch.IAlarm[]): cloudwatch.IWidget[] {
  const period = Duration.minutes(1);
  const ecsMetrics = new EcsServiceMetrics(subject.clusterName, subject.service.serviceName);
  const widgets: cloudwatch.IWidget[] = [
    new cloudwatch.TextWidget({ markdown: `### ${title}`, width: 24, height: 1 }),
    new cloudwatch.GraphWidget({
      title: 'CPU and memory (%)',
      width: 6,
      left: [ecsMetrics.metricCpuUtilization({ label: 'CPU' }), ecsMetrics.metricMemoryUtilization({ label: 'Memory' })],
      leftYAxis: { min: 0, max: 100 },
    }),
    new cloudwatch.GraphWidget({
      title: 'Tasks',
      width: 6,
      left: [
        ecsMetrics.metricRunningTaskCount({ label: 'Running' }),
        ecsMetrics.metricDesiredTaskCount({ label: 'Desired' }),
        ecsMetrics.metricPendingTaskCount({ label: 'Pending' }),
      ],
    }),
  ];
  const tg = subject.targetGroup;
  if (tg) {
    widgets.push(
      new cloudwatch.GraphWidget({
        title: 'Requests and 5xx',
        width: 6,
        left: [tg.metrics.requestCount({ period, statistic: 'Sum', label: 'Requests' })],
        right: [tg.metrics.httpCodeTarget(elbv2.HttpCodeTarget.TARGET_5XX_COUNT, { period, statistic: 'Sum', label: 'Target 5xx' })],
      }),
      new cloudwatch.GraphWidget({
        title: 'Response time and health',
        width: 6,
        left: [tg.metrics.targetResponseTime({ period, statistic: 'p99', label: 'p99 response time (s)' })],
        right: [tg.metrics.unhealthyHostCount({ period, statistic: 'Maximum', label: 'Unhealthy targets' })],
      }),
    );
  }
  if (subject.queue) {
    const right = subject.deadLetterQueue
      ? [subject.deadLetterQueue.metricApproximateNumberOfMessagesVisible({ period, statistic: 'Maximum', label: 'Dead-letter messages' })]
      : [];
    widgets.push(new cloudwatch.GraphWidget({
      title: 'Queue',
      width: 12,
      left: [
        subject.queue.metricApproximateNumberOfMessagesVisible({ period, statistic: 'Maximum', label: 'Visible messages' }),
        subject.queue.metricApproximateAgeOfOldestMessage({ period, statistic: 'Maximum', label: 'Oldest message age (s)' }),
      ],
      right,
    }));
  }
  for (let i = 0; i < alarms.length; i += MAX_ALARMS_PER_STATUS_WIDGET) {
    widgets.push(new cloudwatch.AlarmStatusWidget({ title: 'Alarms', alarms: alarms.slice(i, i + MAX_ALARMS_PER_STATUS_WIDGET), width: 24, height: 2 }));
  }
  return widgets;
}

/**
 * A CloudWatch dashboard for one service: every metric its alarm reads (the cluster dashboard shows only CPU, memory
 * and running tasks of each service, and the alarm status).
 */
export class ServiceDashboard extends Construct {
  /** The dashboard. */
  public readonly dashboard: cloudwatch.Dashboard;

  constructor(scope: Construct, id: string, title: string, subject: AlarmSubject, alarms: cloudwatch.IAlarm[]) {
    super(scope, id);
    this.dashboard = new cloudwatch.Dashboard(this, 'Dashboard', { defaultInterval: Duration.hours(3) });
    this.dashboard.addWidgets(...serviceWidgets(title, subject, alarms));
  }
}

/**
 * The most alarms one alarm status widget shows: "You can include up to 100 alarms in one alarm status widget"
 * (https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/add_remove_alarm_dashboard.html).
 *
 * @internal
 */
export const MAX_ALARMS_PER_STATUS_WIDGET = 100;

const alarmLists = new WeakMap<cloudwatch.Dashboard, cloudwatch.IAlarm[][]>();

/**
 * Add alarms to the dashboard's alarm status widgets: one widget per 100 alarms, created as alarms arrive (17 web
 * services with separate alarms already need two).
 */
export function addDashboardAlarms(dashboard: cloudwatch.Dashboard, alarms: cloudwatch.IAlarm[]): void {
  let lists = alarmLists.get(dashboard);
  if (!lists) {
    lists = [];
    alarmLists.set(dashboard, lists);
  }
  for (const alarm of alarms) {
    let list = lists[lists.length - 1];
    if (!list || list.length >= MAX_ALARMS_PER_STATUS_WIDGET) {
      list = [];
      lists.push(list);
      // The widget renders its list when the template is written, so alarms added later appear too.
      const title = lists.length === 1 ? 'Service alarms' : `Service alarms (${lists.length})`;
      dashboard.addWidgets(new cloudwatch.AlarmStatusWidget({ title, alarms: list, width: 24, height: 4 }));
    }
    list.push(alarm);
  }
}
