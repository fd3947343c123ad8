import { Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import { FoundryCluster, ServiceAlarms, WebLoadBalancer, WebService } from '../../src';
import { plainStack } from '../support/stacks';

/**
 * The shape of the service alarm in the template: the same conditions (proven in test/proof/alarm-behaviour.test.ts)
 * in fewer bytes. Every byte of it is synth time too: aws-cdk-lib's CloudFormation validation, token resolution and
 * the tree metadata all walk it (bench/profile-notes.md).
 */

const image = ecs.ContainerImage.fromRegistry('public.ecr.aws/nginx/nginx:stable');
const certificateArn = 'arn:aws:acm:us-east-1:123456789012:certificate/abc';

/** Bytes of a resource as `cdk synth` writes it (JSON indented by one space), at the top level. */
const bytes = (resource: unknown) => JSON.stringify(resource, undefined, 1).length;

function sharedAlbStack(services: number): { stack: Stack; alb: WebLoadBalancer; webs: WebService[] } {
  const stack = plainStack();
  const cluster = new FoundryCluster(stack, 'Cluster');
  const alb = new WebLoadBalancer(stack, 'Alb', { cluster, certificate: acm.Certificate.fromCertificateArn(stack, 'Cert', certificateArn) });
  const webs = Array.from({ length: services }, (_, i) =>
    new WebService(stack, `Web${i}`, { cluster, loadBalancer: alb, hostHeaders: [`web${i}.example.com`], image, port: 8080 }));
  return { stack, alb, webs };
}

/** The LoadBalancer dimension values of every metric of an alarm. */
const loadBalancerDimensions = (alarm: any): unknown[] => (alarm.Properties.Metrics as any[])
  .flatMap(q => q.MetricStat?.Metric.Dimensions ?? [])
  .filter((d: any) => d.Name === 'LoadBalancer')
  .map((d: any) => d.Value);

/**
 * Evaluates the aws-cdk-lib form of a load balancer's full name cut out of a listener ARN (`Fn::Join` of
 * `Fn::Select` of `Fn::Split` of the listener's `Ref`), for a listener ARN given as a string.
 */
function evaluateIntrinsic(value: any, refs: Record<string, string>): any {
  if (typeof value === 'string' || typeof value === 'number') return value;
  if (Array.isArray(value)) return value.map(v => evaluateIntrinsic(v, refs));
  if (value.Ref) return refs[value.Ref];
  if (value['Fn::Split']) return (evaluateIntrinsic(value['Fn::Split'][1], refs) as string).split(value['Fn::Split'][0]);
  if (value['Fn::Select']) return evaluateIntrinsic(value['Fn::Select'][1], refs)[value['Fn::Select'][0]];
  if (value['Fn::Join']) return (evaluateIntrinsic(value['Fn::Join'][1], refs) as string[]).join(value['Fn::Join'][0]);
  throw new Error(`cannot evaluate ${JSON.stringify(value)}`);
}

describe('the service alarm in the template', () => {
  let template: any;
  let albId: string;
  let listenerId: string;
  let stack: Stack;
  let webs: WebService[];
  beforeAll(() => {
    const built = sharedAlbStack(2);
    stack = built.stack;
    webs = built.webs;
    // Built before the template is read: a second ServiceAlarms on the first service's target group, without the
    // load balancer's full name (the fallback users of ServiceAlarms get).
    new ServiceAlarms(stack, 'Fallback', { service: webs[0].ecsService, alertTopic: webs[0].cluster.alertTopic, targetGroup: webs[0].targetGroup });
    template = Template.fromStack(stack).toJSON();
    albId = stack.getLogicalId(built.alb.loadBalancer.node.defaultChild as any);
    listenerId = stack.getLogicalId(built.alb.listener.node.defaultChild as any);
  });

  const serviceAlarm = (web: WebService) => template.Resources[stack.getLogicalId(web.alarms[0].node.defaultChild as any)];

  test('a web service names its load balancer by the LoadBalancerFullName attribute, not by cutting up its listener ARN', () => {
    const alarm = serviceAlarm(webs[0]);
    const dimensions = loadBalancerDimensions(alarm);
    // 5xx, requests, latency and unhealthy targets of the one target group.
    expect(dimensions).toHaveLength(4);
    for (const value of dimensions) {
      expect(value).toEqual({ 'Fn::GetAtt': [albId, 'LoadBalancerFullName'] });
    }
    expect(JSON.stringify(alarm)).not.toContain('Fn::Split');
  });

  test('the attribute is the same value as the name cut out of the listener ARN, which ServiceAlarms still uses without it', () => {
    const fallback = Object.entries<any>(template.Resources).find(([id, r]) => id.startsWith('Fallback') && r.Type === 'AWS::CloudWatch::Alarm')![1];
    const cut = loadBalancerDimensions(fallback);
    expect(cut).toHaveLength(4);
    // A listener ARN as Elastic Load Balancing writes it, and the load balancer's full name ("app/<name>/<id>", the
    // LoadBalancerFullName return value of AWS::ElasticLoadBalancingV2::LoadBalancer,
    // https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-elasticloadbalancingv2-loadbalancer.html#aws-resource-elasticloadbalancingv2-loadbalancer-return-values;
    // the LoadBalancer dimension, https://docs.aws.amazon.com/elasticloadbalancing/latest/application/load-balancer-cloudwatch-metrics.html).
    const listenerArn = 'arn:aws:elasticloadbalancing:us-east-1:123456789012:listener/app/my-load-balancer/50dc6c495c0c9188/f2f7dc8efc522ab2';
    for (const value of cut) {
      expect(evaluateIntrinsic(value, { [listenerId]: listenerArn })).toBe('app/my-load-balancer/50dc6c495c0c9188');
    }
    // Apart from that dimension, the two alarms read the same queries.
    const strip = (alarm: any) => (alarm.Properties.Metrics as any[]).map(q => q.MetricStat
      ? { ...q, MetricStat: { ...q.MetricStat, Metric: { ...q.MetricStat.Metric, Dimensions: q.MetricStat.Metric.Dimensions.filter((d: any) => d.Name !== 'LoadBalancer') } } }
      : q);
    expect(strip(fallback)).toEqual(strip(serviceAlarm(webs[0])));
  });

  test('the combined alarm of a web service on a shared load balancer stays under 6,000 bytes (it was 8,807)', () => {
    // 8 metrics (CPU, memory, running and desired tasks, 5xx, requests, p99 latency, unhealthy targets), each a
    // MetricStat with two dimensions, and the expression: about 5.6 kB.
    expect(bytes(serviceAlarm(webs[1]))).toBeLessThan(6_000);
  });
});
