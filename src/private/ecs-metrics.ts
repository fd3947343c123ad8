import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';

/*
 * The one factory for the ECS metrics this library reads: `AWS/ECS` (published for every service,
 * https://docs.aws.amazon.com/AmazonECS/latest/developerguide/available-metrics.html) and `ECS/ContainerInsights`
 * (published while Container Insights is on,
 * https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/Container-Insights-metrics-ECS.html). Namespaces,
 * dimensions, period and statistic are written here once; callers name a metric by its meaning.
 */

/** The namespace of the metrics ECS publishes for every service. */
const ECS_NAMESPACE = 'AWS/ECS';
/** The namespace of Container Insights. */
const INSIGHTS_NAMESPACE = 'ECS/ContainerInsights';
/** Every metric is read per minute: alarms, dashboards and scaling policies all evaluate minutes. */
const PERIOD = Duration.minutes(1);

/**
 * The period of CPU and memory utilization of a service with 20-second metrics (ECS `MonitoringConfiguration`,
 * https://docs.aws.amazon.com/AmazonECS/latest/developerguide/target-tracking-faster-auto-scaling.html).
 *
 * CloudWatch reads them at 20 seconds ("For high-resolution metrics ... the period can be 1, 5, 10, 20, 30, 60, or
 * any multiple of 60", https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-properties-cloudwatch-alarm-metricstat.html;
 * alarms: "Valid values are 10, 20, 30, and any multiple of 60",
 * https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_PutMetricAlarm.html), but aws-cdk-lib 2.271's
 * `Metric` and `MathExpression` still refuse 20 ("must be 1, 5, 10, 30, or a multiple of 60"): the metrics are built
 * per minute and their period is rewritten where they are written (`readEvery20Seconds`).
 */
export const HIGH_RESOLUTION_PERIOD_SECONDS = 20;

/**
 * The metric data queries of an alarm, each metric read every 20 seconds (see `HIGH_RESOLUTION_PERIOD_SECONDS`).
 */
export function readEvery20Seconds(queries: cloudwatch.CfnAlarm.MetricDataQueryProperty[]): cloudwatch.CfnAlarm.MetricDataQueryProperty[] {
  return queries.map(q => (q.metricStat
    ? { ...q, metricStat: { ...(q.metricStat as cloudwatch.CfnAlarm.MetricStatProperty), period: HIGH_RESOLUTION_PERIOD_SECONDS } }
    : q));
}

/** Options of one metric: how it is labelled on a graph, and a statistic other than its usual one. */
export interface EcsMetricOptions {
  readonly label?: string;
  readonly statistic?: string;
}

/** A metric as a scaling policy's customized metric specification writes it (`MetricStat.Metric`). */
export interface EcsMetricStatSpec {
  readonly namespace: string;
  readonly metricName: string;
  readonly dimensions: { name: string; value: string }[];
}

/**
 * The metrics of one ECS service (dimensions `ClusterName` and `ServiceName`).
 */
export class EcsServiceMetrics {
  private readonly dimensionsMap: Record<string, string>;

  constructor(clusterName: string, serviceName: string) {
    this.dimensionsMap = { ClusterName: clusterName, ServiceName: serviceName };
  }

  /** Average CPU utilization of the service's tasks, percent of their reservation (`AWS/ECS`). */
  public metricCpuUtilization(options: EcsMetricOptions = {}): cloudwatch.Metric {
    return this.metric(ECS_NAMESPACE, 'CPUUtilization', options);
  }

  /** Average memory utilization of the service's tasks, percent of their reservation (`AWS/ECS`). */
  public metricMemoryUtilization(options: EcsMetricOptions = {}): cloudwatch.Metric {
    return this.metric(ECS_NAMESPACE, 'MemoryUtilization', options);
  }

  /** Tasks in the RUNNING state (Container Insights). */
  public metricRunningTaskCount(options: EcsMetricOptions = {}): cloudwatch.Metric {
    return this.metric(INSIGHTS_NAMESPACE, 'RunningTaskCount', options);
  }

  /** The service's desired task count (Container Insights). */
  public metricDesiredTaskCount(options: EcsMetricOptions = {}): cloudwatch.Metric {
    return this.metric(INSIGHTS_NAMESPACE, 'DesiredTaskCount', options);
  }

  /** Tasks in the PENDING state (Container Insights). */
  public metricPendingTaskCount(options: EcsMetricOptions = {}): cloudwatch.Metric {
    return this.metric(INSIGHTS_NAMESPACE, 'PendingTaskCount', options);
  }

  /** The running task count as a scaling policy's customized metric names it (statistic Average). */
  public runningTaskCountSpec(): EcsMetricStatSpec {
    return {
      namespace: INSIGHTS_NAMESPACE,
      metricName: 'RunningTaskCount',
      dimensions: Object.entries(this.dimensionsMap).map(([name, value]) => ({ name, value })),
    };
  }

  private metric(namespace: string, metricName: string, options: EcsMetricOptions): cloudwatch.Metric {
    return new cloudwatch.Metric({
      namespace,
      metricName,
      dimensionsMap: this.dimensionsMap,
      period: PERIOD,
      statistic: options.statistic ?? 'Average',
      label: options.label,
    });
  }
}

/** The namespace of Application Load Balancer metrics. */
const ALB_NAMESPACE = 'AWS/ApplicationELB';

/**
 * The metrics of one target group of an Application Load Balancer (dimensions `LoadBalancer` and `TargetGroup`,
 * https://docs.aws.amazon.com/elasticloadbalancing/latest/application/load-balancer-cloudwatch-metrics.html).
 *
 * The same metrics as the target group's own `metrics`, whose `LoadBalancer` dimension aws-cdk-lib cuts out of the ARN of
 * the group's first listener (`Fn::Join` of three `Fn::Select` of `Fn::Split`, about 1 kB of template per metric):
 * given the load balancer's full name (its `LoadBalancerFullName` attribute, the same value), each metric names it
 * in one `Fn::GetAtt`.
 */
export class TargetGroupMetrics {
  private readonly dimensionsMap: Record<string, string>;

  constructor(targetGroup: elbv2.ApplicationTargetGroup, loadBalancerFullName?: string) {
    this.dimensionsMap = {
      LoadBalancer: loadBalancerFullName ?? targetGroup.firstLoadBalancerFullName,
      TargetGroup: targetGroup.targetGroupFullName,
    };
  }

  /** Responses with a 5xx status code from the targets (Sum). */
  public metricTarget5xxCount(): cloudwatch.Metric {
    return this.metric(elbv2.HttpCodeTarget.TARGET_5XX_COUNT, 'Sum');
  }

  /** Requests the load balancer routed to the target group (Sum). */
  public metricRequestCount(): cloudwatch.Metric {
    return this.metric('RequestCount', 'Sum');
  }

  /** Seconds from a request leaving the load balancer to the target's response headers (p99). */
  public metricTargetResponseTimeP99(): cloudwatch.Metric {
    return this.metric('TargetResponseTime', 'p99');
  }

  /** Targets the load balancer considers unhealthy (Maximum). */
  public metricUnhealthyHostCount(): cloudwatch.Metric {
    return this.metric('UnHealthyHostCount', 'Maximum');
  }

  private metric(metricName: string, statistic: string): cloudwatch.Metric {
    return new cloudwatch.Metric({ namespace: ALB_NAMESPACE, metricName, dimensionsMap: this.dimensionsMap, period: PERIOD, statistic });
  }
}

/**
 * The metrics of one ECS cluster (dimension `ClusterName`), and searches over all of its services.
 */
export class EcsClusterMetrics {
  constructor(private readonly clusterName: string) {}

  /** CPU units reserved by the cluster's tasks (Container Insights, Sum). */
  public metricCpuReserved(options: EcsMetricOptions = {}): cloudwatch.Metric {
    return this.insights('CpuReserved', options);
  }

  /** CPU units used by the cluster's tasks (Container Insights, Sum). */
  public metricCpuUtilized(options: EcsMetricOptions = {}): cloudwatch.Metric {
    return this.insights('CpuUtilized', options);
  }

  /** Memory MiB reserved by the cluster's tasks (Container Insights, Sum). */
  public metricMemoryReserved(options: EcsMetricOptions = {}): cloudwatch.Metric {
    return this.insights('MemoryReserved', options);
  }

  /** Memory MiB used by the cluster's tasks (Container Insights, Sum). */
  public metricMemoryUtilized(options: EcsMetricOptions = {}): cloudwatch.Metric {
    return this.insights('MemoryUtilized', options);
  }

  /** Tasks running in the cluster (Container Insights, Sum). */
  public metricTaskCount(options: EcsMetricOptions = {}): cloudwatch.Metric {
    return this.insights('TaskCount', options);
  }

  /** Services in the cluster (Container Insights, Sum). */
  public metricServiceCount(options: EcsMetricOptions = {}): cloudwatch.Metric {
    return this.insights('ServiceCount', options);
  }

  /**
   * CPU utilization of every service of the cluster, one line per service: a SEARCH expression keeps a dashboard
   * (and the template) the same size however many services there are.
   */
  public searchCpuUtilizationByService(): cloudwatch.MathExpression {
    return this.searchByService(ECS_NAMESPACE, 'CPUUtilization');
  }

  /** Memory utilization of every service of the cluster, one line per service. */
  public searchMemoryUtilizationByService(): cloudwatch.MathExpression {
    return this.searchByService(ECS_NAMESPACE, 'MemoryUtilization');
  }

  /** Running tasks of every service of the cluster, one line per service (Container Insights). */
  public searchRunningTaskCountByService(): cloudwatch.MathExpression {
    return this.searchByService(INSIGHTS_NAMESPACE, 'RunningTaskCount');
  }

  private insights(metricName: string, options: EcsMetricOptions): cloudwatch.Metric {
    return new cloudwatch.Metric({
      namespace: INSIGHTS_NAMESPACE,
      metricName,
      dimensionsMap: { ClusterName: this.clusterName },
      period: PERIOD,
      statistic: options.statistic ?? 'Sum',
      label: options.label,
    });
  }

  private searchByService(namespace: string, metricName: string): cloudwatch.MathExpression {
    return new cloudwatch.MathExpression({
      expression: `SEARCH('{${namespace},ClusterName,ServiceName} MetricName="${metricName}" ClusterName="${this.clusterName}"', 'Average', ${PERIOD.toSeconds()})`,
      usingMetrics: {},
      label: '',
      period: PERIOD,
    });
  }
}
