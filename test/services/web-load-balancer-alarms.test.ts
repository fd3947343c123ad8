import { App, Duration, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import { FoundryCluster, WebLoadBalancer, WebLoadBalancerOptions, WebService } from '../../src';
import { alarmSeries, alarmStates, AlarmResource, MetricRef, Series } from '../proof/support/metric-math';
import { plainStack } from '../support/stacks';

// The load balancer's own 5xx (HTTPCode_ELB_5XX_Count: 503 for a rule forwarding to an empty target group, 502, 504)
// are not in the targets' HTTPCode_Target_5XX_Count that the services' alarms read: the load balancer alarms on them.
// https://docs.aws.amazon.com/elasticloadbalancing/latest/application/load-balancer-cloudwatch-metrics.html

const image = ecs.ContainerImage.fromRegistry('public.ecr.aws/nginx/nginx:stable');
const certArn = 'arn:aws:acm:us-east-1:123456789012:certificate/11111111-2222-3333-4444-555555555555';

function sharedAlb(options: WebLoadBalancerOptions = {}) {
  const stack = plainStack('Alarms');
  const cluster = new FoundryCluster(stack, 'Cluster');
  const alb = new WebLoadBalancer(stack, 'Alb', { cluster, certificate: acm.Certificate.fromCertificateArn(stack, 'Cert', certArn), ...options });
  return { stack, cluster, alb, template: Template.fromStack(stack) };
}

const elb5xxAlarms = (template: Template) => Object.entries<any>(template.findResources('AWS::CloudWatch::Alarm'))
  .filter(([, r]) => r.Properties.MetricName === 'HTTPCode_ELB_5XX_Count');

describe('WebLoadBalancer alarm on the 5xx responses it generates itself', () => {
  test('on by default: Sum of HTTPCode_ELB_5XX_Count per minute, LoadBalancer dimension, >= 10 for 3 of 3 minutes, to the alert topic', () => {
    const { stack, cluster, alb, template } = sharedAlb();
    const alarms = elb5xxAlarms(template);
    expect(alarms).toHaveLength(1);
    const [logicalId, alarm] = alarms[0];
    const topic = stack.getLogicalId(cluster.alertTopic.node.defaultChild as any);
    expect(alarm.Properties).toEqual(expect.objectContaining({
      Namespace: 'AWS/ApplicationELB',
      MetricName: 'HTTPCode_ELB_5XX_Count',
      Statistic: 'Sum',
      Period: 60,
      Dimensions: [{ Name: 'LoadBalancer', Value: { 'Fn::GetAtt': [stack.getLogicalId(alb.loadBalancer.node.defaultChild as any), 'LoadBalancerFullName'] } }],
      Threshold: 10,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      EvaluationPeriods: 3,
      DatapointsToAlarm: 3,
      TreatMissingData: 'notBreaching',
      AlarmActions: [{ Ref: topic }],
      OKActions: [{ Ref: topic }],
    }));
    expect(alarm.Properties.AlarmDescription).toMatch(/^Alarms\/Alb: the load balancer itself returned 10 or more 5xx responses a minute \(for 3 minutes\)/);
    expect(alb.alarms.map(a => stack.getLogicalId(a.node.defaultChild as any))).toEqual([logicalId]);
  });

  test('it is listed on the cluster dashboard with the service alarms', () => {
    const { template } = sharedAlb();
    const [[logicalId]] = elb5xxAlarms(template);
    const dashboards = Object.values<any>(template.findResources('AWS::CloudWatch::Dashboard'));
    expect(dashboards).toHaveLength(1);
    const body = JSON.stringify(dashboards[0].Properties.DashboardBody);
    expect(body).toContain('Service alarms');
    expect(body).toContain(logicalId);
  });

  test('a load balancer in another stack than the cluster lists its alarm on that stack\'s services dashboard', () => {
    const app = new App();
    const env = { account: '123456789012', region: 'us-east-1' };
    const base = new Stack(app, 'Base', { env });
    const cluster = new FoundryCluster(base, 'Cluster');
    const apps = new Stack(app, 'Apps', { env });
    const alb = new WebLoadBalancer(apps, 'Alb', { cluster, certificate: acm.Certificate.fromCertificateArn(apps, 'Cert', certArn) });
    new WebService(apps, 'Web', { cluster, image, port: 8080, loadBalancer: alb });
    const template = Template.fromStack(apps);
    const [[logicalId]] = elb5xxAlarms(template);
    const dashboards = Object.values<any>(template.findResources('AWS::CloudWatch::Dashboard'));
    expect(dashboards).toHaveLength(1);
    expect(JSON.stringify(dashboards[0].Properties.DashboardBody)).toContain(logicalId);
    Template.fromStack(base).resourceCountIs('AWS::CloudWatch::Alarm', 0);
  });

  test('the threshold and the minutes are configurable', () => {
    const { template } = sharedAlb({ alarms: { elb5xxCount: 1, evaluationPeriod: Duration.minutes(5) } });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'HTTPCode_ELB_5XX_Count', Threshold: 1, EvaluationPeriods: 5, DatapointsToAlarm: 5,
    });
  });

  test('opting out removes the alarm (and leaves nothing on the dashboard for it)', () => {
    const { alb, template } = sharedAlb({ alarms: { enabled: false } });
    expect(elb5xxAlarms(template)).toHaveLength(0);
    expect(alb.alarms).toEqual([]);
    template.resourceCountIs('AWS::CloudWatch::Alarm', 0);
  });

  test('a service\'s own load balancer takes the options from loadBalancerOptions', () => {
    const stack = plainStack('Own');
    const cluster = new FoundryCluster(stack, 'Cluster');
    const cert = acm.Certificate.fromCertificateArn(stack, 'Cert', certArn);
    const on = new WebService(stack, 'On', { cluster, image, port: 8080, certificate: cert });
    const off = new WebService(stack, 'Off', { cluster, image, port: 8080, certificate: cert, loadBalancerOptions: { alarms: { enabled: false } } });
    expect(on.loadBalancer.alarms).toHaveLength(1);
    expect(off.loadBalancer.alarms).toHaveLength(0);
    Template.fromStack(stack).resourcePropertiesCountIs('AWS::CloudWatch::Alarm', { MetricName: 'HTTPCode_ELB_5XX_Count' }, 1);
  });

  test.each<[string, WebLoadBalancerOptions, RegExp]>([
    ['a threshold of 0', { alarms: { elb5xxCount: 0 } }, /WebLoadBalancer 'Alarms\/Alb': invalid alarms\.elb5xxCount = 0\. Use a whole number at least 1/],
    ['a fractional threshold', { alarms: { elb5xxCount: 2.5 } }, /invalid alarms\.elb5xxCount = 2\.5\. Use a whole number at least 1/],
    ['no minutes', { alarms: { evaluationPeriod: Duration.seconds(0) } }, /invalid alarms\.evaluationPeriod \(minutes\) = 0\. Use a whole number between 1 and 60/],
    ['part of a minute', { alarms: { evaluationPeriod: Duration.seconds(90) } }, /invalid alarms\.evaluationPeriod \(minutes\) = 1\.5\. Use a whole number between 1 and 60/],
    ['more than an hour', { alarms: { evaluationPeriod: Duration.minutes(61) } }, /invalid alarms\.evaluationPeriod \(minutes\) = 61\. Use a whole number between 1 and 60/],
  ])('rejects %s', (_name, options, message) => {
    expect(() => sharedAlb(options)).toThrow(message);
  });
});

describe('behaviour of the load balancer 5xx alarm (CloudWatch evaluation model, test/proof/support/metric-math.ts)', () => {
  const { template } = sharedAlb();
  const [[logicalId, resource]] = elb5xxAlarms(template);
  const alarm: AlarmResource = { logicalId, props: resource.Properties };
  const MINUTES = 15;
  /** The alarm's state after each minute of these per-minute ELB 5xx counts (undefined: ALB publishes no point). */
  const run = (counts: Series) => alarmStates(alarm, alarmSeries(alarm, (m: MetricRef) => {
    expect(m).toEqual(expect.objectContaining({ namespace: 'AWS/ApplicationELB', metricName: 'HTTPCode_ELB_5XX_Count', stat: 'Sum' }));
    return counts;
  }, MINUTES, 'documented'));

  test('a sustained burst of 503s (a rule forwarding to an empty target group) fires in its third minute', () => {
    const counts: Series = Array.from({ length: MINUTES }, (_, t) => (t >= 5 ? 120 : undefined));
    const states = run(counts);
    expect(states.slice(0, 7)).not.toContain('ALARM');
    expect(states[7]).toBe('ALARM');
    expect(states[MINUTES - 1]).toBe('ALARM');
  });

  test('a quiet load balancer (no datapoints at all) stays OK, not INSUFFICIENT_DATA', () => {
    const states = run(Array.from({ length: MINUTES }, () => undefined));
    expect(new Set(states)).toEqual(new Set(['OK']));
  });

  test('a few scattered 5xx, or a two-minute blip, do not fire', () => {
    expect(run(Array.from({ length: MINUTES }, (_, t) => (t % 4 === 0 ? 3 : undefined)))).not.toContain('ALARM');
    expect(run(Array.from({ length: MINUTES }, (_, t) => (t === 6 || t === 7 ? 500 : undefined)))).not.toContain('ALARM');
  });

  test('it returns to OK once the load balancer stops returning 5xx', () => {
    const states = run(Array.from({ length: MINUTES }, (_, t) => (t >= 2 && t < 8 ? 50 : undefined)));
    expect(states[6]).toBe('ALARM');
    expect(states[MINUTES - 1]).toBe('OK');
  });
});
