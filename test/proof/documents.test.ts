/**
 * Quotas on every generated document: a large application (a cluster with EC2 capacity and 30 services of every
 * kind (as many as one stack's 500 resources hold), every service with separate alarms, a cluster name of the maximum length) is synthesized once, and every
 * document the library generates is checked against the limit AWS documents for it. A document that passes
 * synth but breaks its limit fails at deploy (or, for dashboards, silently drops widgets).
 */
import { App, Duration, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import {
  BackendService, FoundryCluster, NetworkService, ScheduledTask, Schedule, WebLoadBalancer, WebService, WorkerService,
} from '../../src';
import { addDashboardAlarms, MAX_ALARMS_PER_STATUS_WIDGET } from '../../src/operations/service-dashboard';

// Documented limits, each with its source.
const LIMITS = {
  // "You can include up to 100 alarms in one alarm status widget."
  // https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/add_remove_alarm_dashboard.html
  alarmsPerAlarmWidget: 100,
  // "Up to 500 metrics per dashboard widget. Up to 2500 metrics per dashboard, across all widgets."
  // https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/cloudwatch_limits.html
  metricsPerWidget: 500,
  metricsPerDashboard: 2500,
  // Event pattern size: 2048 characters (adjustable to 4096).
  // https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-quota.html
  eventPatternChars: 2048,
  // SNS policy quotas: 30 KB, 100 statements, a unique sid per statement, one resource (the topic).
  // https://docs.aws.amazon.com/sns/latest/dg/sns-access-policy-language-api-permissions-reference.html#sns-policy-quotas
  topicPolicyBytes: 30 * 1024,
  topicPolicyStatements: 100,
  // Key policy document size: 32 KB (32,768 bytes), not adjustable.
  // https://docs.aws.amazon.com/kms/latest/developerguide/resource-limits.html#key-policy-limit
  keyPolicyBytes: 32_768,
  // CloudWatch Logs resource policy document: maximum length 5120; at most 10 account-level policies per Region.
  // https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_PutResourcePolicy.html
  logResourcePolicyChars: 5120,
  // "Bucket policies are limited to 20 KB in size."
  // https://docs.aws.amazon.com/AmazonS3/latest/userguide/add-bucket-policy.html
  bucketPolicyBytes: 20 * 1024,
};

/**
 * Resolve CloudFormation intrinsics to strings as long as their deployed values can reasonably be, so sizes are
 * measured on the worst realistic document: names 64 characters, ARNs 160, the longest partition and Region.
 */
function worstCase(value: unknown): any {
  if (Array.isArray(value)) return value.map(worstCase);
  if (value === null || typeof value !== 'object') return value;
  const node = value as Record<string, any>;
  if ('Ref' in node) {
    const pseudo: Record<string, string> = {
      'AWS::Partition': 'aws-iso-b',
      'AWS::Region': 'ap-southeast-5',
      'AWS::AccountId': '123456789012',
      'AWS::URLSuffix': 'amazonaws.com.cn',
      'AWS::StackName': 'S'.repeat(128),
    };
    return pseudo[node.Ref] ?? 'r'.repeat(64);
  }
  if ('Fn::GetAtt' in node) return 'a'.repeat(160);
  if ('Fn::ImportValue' in node) return 'i'.repeat(64);
  if ('Fn::Join' in node) return (worstCase(node['Fn::Join'][1]) as unknown[]).map(String).join(node['Fn::Join'][0]);
  if ('Fn::Select' in node) {
    const list = worstCase(node['Fn::Select'][1]);
    return Array.isArray(list) ? list[Number(node['Fn::Select'][0])] ?? 's'.repeat(64) : 's'.repeat(64);
  }
  if ('Fn::Split' in node) return String(worstCase(node['Fn::Split'][1])).split(node['Fn::Split'][0]);
  if ('Fn::Sub' in node) return 'u'.repeat(160);
  if ('Fn::GetAZs' in node) return ['ap-southeast-5a', 'ap-southeast-5b', 'ap-southeast-5c'];
  if ('Fn::If' in node) return worstCase(node['Fn::If'][1]);
  return Object.fromEntries(Object.entries(node).map(([k, v]) => [k, worstCase(v)]));
}

const bytes = (s: string) => Buffer.byteLength(s, 'utf8');

/** Metrics a dashboard widget retrieves: each `metrics` row (expressions and their inputs included). */
function widgetMetrics(widget: any): number {
  return (widget.properties?.metrics ?? []).length;
}

interface LargeApp {
  readonly stack: Stack;
  readonly template: Template;
  readonly resources: Record<string, any>;
  readonly alarmCount: number;
}

function largeApp(): LargeApp {
  const app = new App();
  const stack = new Stack(app, 'Large', { env: { account: '123456789012', region: 'us-east-1' } });
  const cluster = new FoundryCluster(stack, 'Cluster', {
    clusterName: 'c'.repeat(255), // the longest ECS allows: it appears in every event pattern
    serviceConnectNamespace: 'internal',
    alertEmails: ['ops@example.com'],
  });
  const general = cluster.addEc2Capacity('General', { instanceType: new ec2.InstanceType('m7i.large') });
  const image = ecs.ContainerImage.fromRegistry('public.ecr.aws/nginx/nginx:stable');
  const alb = new WebLoadBalancer(stack, 'Alb', { cluster, allowHttp: true });
  const alarms = { separateAlarms: true };
  const services: Array<{ alarms: cloudwatch.IAlarm[] }> = [];
  for (let i = 0; i < 20; i++) {
    services.push(new WebService(stack, `Web${i}`, {
      cluster, image, port: 8080, loadBalancer: alb, hostHeaders: [`web${i}.example.com`], alarms, dashboard: i === 0,
    }));
  }
  for (let i = 0; i < 3; i++) {
    services.push(new WorkerService(stack, `Worker${i}`, { cluster, image, alarms }));
  }
  for (let i = 0; i < 3; i++) {
    services.push(new BackendService(stack, `Backend${i}`, { cluster, image, port: 8080, alarms }));
  }
  for (let i = 0; i < 2; i++) {
    services.push(new NetworkService(stack, `Tcp${i}`, { cluster, image, port: 6379 + i, alarms, loadBalancerOptions: { deletionProtection: false } }));
  }
  new ScheduledTask(stack, 'Nightly', { cluster, image, schedule: Schedule.cron('0 3 * * ? *') });
  new ScheduledTask(stack, 'Hourly', { cluster, image, schedule: Schedule.rate(Duration.hours(1)) });
  void general;
  const template = Template.fromStack(stack);
  return {
    stack,
    template,
    resources: template.toJSON().Resources,
    // Every service alarm and the shared load balancer's own (5xx it generates itself) go to the cluster dashboard.
    alarmCount: services.reduce((n, s) => n + s.alarms.length, alb.alarms.length),
  };
}

let large: LargeApp;
beforeAll(() => {
  large = largeApp();
});

const ofType = (type: string) => Object.entries(large.resources).filter(([, r]) => r.Type === type);

describe('the large application', () => {
  test('has services with separate alarms: more than one alarm status widget\'s worth', () => {
    expect(large.alarmCount).toBeGreaterThan(LIMITS.alarmsPerAlarmWidget);
  });
});

describe('CloudWatch dashboards', () => {
  const bodies = () => ofType('AWS::CloudWatch::Dashboard').map(([id, r]) => [id, JSON.parse(worstCase(r.Properties.DashboardBody))] as const);

  test('every alarm status widget shows at most 100 alarms', () => {
    const dashboards = bodies();
    expect(dashboards.length).toBe(2); // the cluster's and a service's own
    for (const [id, body] of dashboards) {
      const sizes = body.widgets.filter((w: any) => w.type === 'alarm').map((w: any) => w.properties.alarms.length);
      expect(sizes.length).toBeGreaterThanOrEqual(1);
      expect({ id, sizes, fit: sizes.every((n: number) => n <= LIMITS.alarmsPerAlarmWidget) }).toEqual({ id, sizes, fit: true });
    }
  });

  test('the cluster dashboard still shows every service alarm of the stack', () => {
    const [, cluster] = bodies().find(([id]) => id.startsWith('ClusterDashboard'))!;
    const shown = cluster.widgets.filter((w: any) => w.type === 'alarm').flatMap((w: any) => w.properties.alarms);
    expect(shown).toHaveLength(large.alarmCount);
    expect(cluster.widgets.filter((w: any) => w.type === 'alarm').length).toBe(Math.ceil(large.alarmCount / LIMITS.alarmsPerAlarmWidget));
  });

  test('metrics per widget and per dashboard stay within the quotas', () => {
    for (const [id, body] of bodies()) {
      const perWidget = body.widgets.map(widgetMetrics);
      expect({ id, max: Math.max(...perWidget) <= LIMITS.metricsPerWidget }).toEqual({ id, max: true });
      expect({ id, total: perWidget.reduce((a: number, b: number) => a + b, 0) <= LIMITS.metricsPerDashboard }).toEqual({ id, total: true });
    }
  });

  test('addDashboardAlarms splits any number of alarms into widgets of at most 100', () => {
    const stack = new Stack(new App(), 'Alarms');
    const dashboard = new cloudwatch.Dashboard(stack, 'Dashboard');
    const metric = new cloudwatch.Metric({ namespace: 'App', metricName: 'Errors' });
    const alarms = Array.from({ length: 250 }, (_, i) => new cloudwatch.Alarm(stack, `A${i}`, { metric, threshold: 1, evaluationPeriods: 1 }));
    addDashboardAlarms(dashboard, alarms.slice(0, 60));
    addDashboardAlarms(dashboard, alarms.slice(60));
    const resource = Template.fromStack(stack).toJSON().Resources[stack.getLogicalId(dashboard.node.defaultChild as any)];
    const body = JSON.parse(worstCase(resource.Properties.DashboardBody));
    const sizes = body.widgets.filter((w: any) => w.type === 'alarm').map((w: any) => w.properties.alarms.length);
    expect(sizes).toEqual([100, 100, 50]);
    expect(MAX_ALARMS_PER_STATUS_WIDGET).toBe(LIMITS.alarmsPerAlarmWidget);
  });
});

describe('EventBridge event patterns', () => {
  test('every rule\'s event pattern fits 2048 characters, with a 255-character cluster name', () => {
    const rules = ofType('AWS::Events::Rule').filter(([, r]) => r.Properties.EventPattern);
    expect(rules.length).toBeGreaterThanOrEqual(3);
    for (const [id, rule] of rules) {
      const size = JSON.stringify(worstCase(rule.Properties.EventPattern)).length;
      expect({ id, size, fits: size <= LIMITS.eventPatternChars }).toEqual({ id, size, fits: true });
    }
  });
});

describe('resource policies', () => {
  test('SNS topic policies: at most 30 KB and 100 statements, unique sids, one resource (the topic)', () => {
    const policies = ofType('AWS::SNS::TopicPolicy');
    expect(policies.length).toBeGreaterThanOrEqual(1);
    for (const [id, policy] of policies) {
      const document = worstCase(policy.Properties.PolicyDocument);
      expect({ id, fits: bytes(JSON.stringify(document)) <= LIMITS.topicPolicyBytes }).toEqual({ id, fits: true });
      expect(document.Statement.length).toBeLessThanOrEqual(LIMITS.topicPolicyStatements);
      const sids = document.Statement.map((s: any) => s.Sid);
      expect(new Set(sids).size).toBe(sids.length);
      const resources = new Set(document.Statement.flatMap((s: any) => [s.Resource].flat()));
      expect(resources.size).toBe(1);
    }
  });

  test('KMS key policies: at most 32,768 bytes', () => {
    const keys = ofType('AWS::KMS::Key');
    expect(keys.length).toBeGreaterThanOrEqual(1);
    for (const [id, key] of keys) {
      const size = bytes(JSON.stringify(worstCase(key.Properties.KeyPolicy)));
      expect({ id, size, fits: size <= LIMITS.keyPolicyBytes }).toEqual({ id, size, fits: true });
    }
  });

  test('CloudWatch Logs resource policies: none of the account\'s 10 account-level ones, each log group\'s own at most 5120 characters', () => {
    expect(ofType('AWS::Logs::ResourcePolicy')).toHaveLength(0);
    const scoped = ofType('AWS::Logs::LogGroup').filter(([, g]) => g.Properties?.ResourcePolicyDocument);
    expect(scoped.length).toBeGreaterThanOrEqual(1);
    for (const [id, group] of scoped) {
      const size = JSON.stringify(worstCase(group.Properties.ResourcePolicyDocument)).length;
      expect({ id, size, fits: size <= LIMITS.logResourcePolicyChars }).toEqual({ id, size, fits: true });
    }
  });

  test('S3 bucket policies: at most 20 KB', () => {
    const policies = ofType('AWS::S3::BucketPolicy');
    expect(policies.length).toBeGreaterThanOrEqual(1); // the load balancer's access-log bucket
    for (const [id, policy] of policies) {
      const size = bytes(JSON.stringify(worstCase(policy.Properties.PolicyDocument)));
      expect({ id, size, fits: size <= LIMITS.bucketPolicyBytes }).toEqual({ id, size, fits: true });
    }
  });
});
