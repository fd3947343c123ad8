import { Duration, IResolvable, IResolveContext } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { EcsServiceMetrics, HIGH_RESOLUTION_PERIOD_SECONDS } from '../private/ecs-metrics';
import { invalidProp } from '../private/validation';

/**
 * Properties of a `ServiceDashboard`: the service and what else it reads from.
 */
export interface ServiceDashboardProps {
  /** The ECS service shown (its cluster's name is read from it). */
  readonly service: ecs.BaseService;

  /**
   * The heading of the dashboard.
   *
   * @default - the service's construct path
   */
  readonly title?: string;

  /**
   * The service's Application Load Balancer target group, for request, 5xx, response time and health graphs.
   *
   * @default - no load balancer graphs
   */
  readonly targetGroup?: elbv2.ApplicationTargetGroup;

  /**
   * The queue a worker consumes, for the queue graph.
   *
   * @default - no queue graph
   */
  readonly queue?: sqs.IQueue;

  /**
   * The worker's dead-letter queue, shown beside its queue.
   *
   * @default - no dead-letter graph
   */
  readonly deadLetterQueue?: sqs.IQueue;

  /**
   * Alarms whose status the dashboard shows.
   *
   * @default - none
   */
  readonly alarms?: cloudwatch.IAlarm[];

  /**
   * Graph CPU and memory utilization every 20 seconds, for a service that publishes them at high resolution.
   *
   * @default false
   */
  readonly highResolutionMetrics?: boolean;
}

/**
 * The widgets of one service: utilization, task counts and, when they apply, load balancer and queue metrics,
 * with the service's alarms.
 */
function serviceWidgets(title: string, subject: ServiceDashboardProps, alarms: cloudwatch.IAlarm[]): cloudwatch.IWidget[] {
  const period = Duration.minutes(1);
  const ecsMetrics = new EcsServiceMetrics(subject.service.cluster.clusterName, subject.service.serviceName);
  const widgets: cloudwatch.IWidget[] = [
    new cloudwatch.TextWidget({ markdown: `### ${title}`, width: 24, height: 1 }),
    readEvery20SecondsIf(subject.highResolutionMetrics ?? false, new cloudwatch.GraphWidget({
      title: subject.highResolutionMetrics ? 'CPU and memory (%, every 20 s)' : 'CPU and memory (%)',
      width: 6,
      left: [ecsMetrics.metricCpuUtilization({ label: 'CPU' }), ecsMetrics.metricMemoryUtilization({ label: 'Memory' })],
      leftYAxis: { min: 0, max: 100 },
    })),
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
 * A graph whose metrics are read every 20 seconds. aws-cdk-lib 2.271's `Metric` refuses a 20-second period (see
 * HIGH_RESOLUTION_PERIOD_SECONDS in ../private/ecs-metrics): the graph is built per minute and its JSON rewritten.
 */
class HighResolutionGraph implements cloudwatch.IWidget {
  constructor(private readonly graph: cloudwatch.GraphWidget) {}

  public get width(): number {
    return this.graph.width;
  }

  public get height(): number {
    return this.graph.height;
  }

  public get warnings(): string[] | undefined {
    return this.graph.warnings;
  }

  public get warningsV2(): { [id: string]: string } | undefined {
    return this.graph.warningsV2;
  }

  public position(x: number, y: number): void {
    this.graph.position(x, y);
  }

  public toJson(): any[] {
    const every20 = (x: unknown) => (x && typeof x === 'object' && !Array.isArray(x) && 'period' in x ? { ...x, period: HIGH_RESOLUTION_PERIOD_SECONDS } : x);
    return this.graph.toJson().map(widget => ({
      ...widget,
      properties: {
        ...widget.properties,
        period: HIGH_RESOLUTION_PERIOD_SECONDS,
        // The graph's metrics resolve when the dashboard body does: rewrite them then.
        metrics: rewriteWhenResolved(widget.properties.metrics, (lines: unknown[][] | undefined) => (lines ?? []).map(line => line.map(every20))),
      },
    }));
  }
}

/** A value that resolves to `rewrite` of what `value` resolves to. */
function rewriteWhenResolved<T>(value: unknown, rewrite: (resolved: T) => unknown): IResolvable {
  return {
    creationStack: [],
    resolve: (context: IResolveContext) => rewrite(context.resolve(value) as T),
    toString: () => 'HighResolutionGraphMetrics',
  };
}

function readEvery20SecondsIf(highResolution: boolean, graph: cloudwatch.GraphWidget): cloudwatch.IWidget {
  return highResolution ? new HighResolutionGraph(graph) : graph;
}

/**
 * A CloudWatch dashboard for one service: every metric its alarm reads (the cluster dashboard shows only CPU, memory
 * and running tasks of each service, and the alarm status).
 */
export class ServiceDashboard extends Construct {
  /** The dashboard. */
  public readonly dashboard: cloudwatch.Dashboard;

  constructor(scope: Construct, id: string, props: ServiceDashboardProps) {
    super(scope, id);
    if (!props || !props.service) {
      invalidProp(this, 'service', props?.service, 'Pass the ECS service the dashboard shows.');
    }
    this.dashboard = new cloudwatch.Dashboard(this, 'Dashboard', { defaultInterval: Duration.hours(3) });
    this.dashboard.addWidgets(...serviceWidgets(props.title ?? props.service.node.path, props, props.alarms ?? []));
  }
}

/**
 * The most alarms one alarm status widget shows: "You can include up to 100 alarms in one alarm status widget"
 * (https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/add_remove_alarm_dashboard.html).
 *
 * @internal
 */
export const MAX_ALARMS_PER_STATUS_WIDGET = 100;

/**
 * The alarm lists of a dashboard's alarm status widgets, kept on a construct under the dashboard (no module-level
 * state): it synthesizes nothing itself.
 */
class DashboardAlarmLists extends Construct {
  /** The lists of the dashboard, created on first use. */
  public static of(dashboard: cloudwatch.Dashboard): DashboardAlarmLists {
    const id = 'FoundryAlarmLists';
    return (dashboard.node.tryFindChild(id) as DashboardAlarmLists | undefined) ?? new DashboardAlarmLists(dashboard, id);
  }

  private readonly lists: cloudwatch.IAlarm[][] = [];

  private constructor(private readonly dashboard: cloudwatch.Dashboard, id: string) {
    super(dashboard, id);
  }

  /** Add alarms to the last list, with a new widget for every 100 alarms. */
  public add(alarms: cloudwatch.IAlarm[]): void {
    for (const alarm of alarms) {
      let list = this.lists[this.lists.length - 1];
      if (!list || list.length >= MAX_ALARMS_PER_STATUS_WIDGET) {
        list = [];
        this.lists.push(list);
        // The widget renders its list when the template is written, so alarms added later appear too.
        const title = this.lists.length === 1 ? 'Service alarms' : `Service alarms (${this.lists.length})`;
        this.dashboard.addWidgets(new cloudwatch.AlarmStatusWidget({ title, alarms: list, width: 24, height: 4 }));
      }
      list.push(alarm);
    }
  }
}

/**
 * Add alarms to the dashboard's alarm status widgets: one widget per 100 alarms, created as alarms arrive (17 web
 * services with separate alarms already need two).
 */
export function addDashboardAlarms(dashboard: cloudwatch.Dashboard, alarms: cloudwatch.IAlarm[]): void {
  DashboardAlarmLists.of(dashboard).add(alarms);
}
