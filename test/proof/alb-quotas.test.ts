/**
 * Every Application Load Balancer quota a prop can break is refused at synth, with the standard message, and the
 * last value that fits still synthesizes. Quotas from
 * https://docs.aws.amazon.com/elasticloadbalancing/latest/application/load-balancer-limits.html and
 * https://docs.aws.amazon.com/elasticloadbalancing/latest/application/rule-condition-types.html
 */
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import { Construct } from 'constructs';
import { FoundryCluster, WebLoadBalancer, WebLoadBalancerProps, WebService } from '../../src';
import {
  MAX_CERTIFICATES_PER_ALB, MAX_MATCH_EVALUATIONS_PER_RULE, MAX_TARGET_GROUPS_PER_ALB, MAX_VALUES_PER_CONDITION, MAX_WILDCARDS_PER_RULE,
} from '../../src/services/web-routing';

const env = { account: '123456789012', region: 'us-east-1' };
const certArn = (i: number) => `arn:aws:acm:us-east-1:123456789012:certificate/00000000-0000-0000-0000-${String(i).padStart(12, '0')}`;

function setUp(props: Partial<WebLoadBalancerProps> = {}) {
  const stack = new Stack(new App(), 'Quotas', { env });
  const cluster = new FoundryCluster(stack, 'Cluster');
  const alb = new WebLoadBalancer(stack, 'Alb', { cluster, certificate: acm.Certificate.fromCertificateArn(stack, 'Cert', certArn(0)), ...props });
  let n = 0;
  const route = (hosts: string[], paths: string[], blueGreen = false) => {
    const owner = new Construct(stack, `Svc${n++}`);
    const tg = (name: string) => elbv2.ApplicationTargetGroup.fromTargetGroupAttributes(owner, name, {
      targetGroupArn: `arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/${owner.node.id}${name}/0123456789abcdef`,
    });
    return () => alb._addRoute({
      owner,
      hostHeaders: hosts,
      pathPatterns: paths,
      targetGroup: tg('Tg'),
      testHeader: blueGreen ? 'x-foundry-test' : undefined,
      alternateTargetGroup: blueGreen ? tg('AltTg') : undefined,
    });
  };
  return { stack, cluster, alb, route };
}

describe('ALB quotas are checked at synth', () => {
  const { stack, alb, route } = setUp();

  test('the quotas are the documented ones', () => {
    expect([MAX_VALUES_PER_CONDITION, MAX_MATCH_EVALUATIONS_PER_RULE, MAX_WILDCARDS_PER_RULE, MAX_TARGET_GROUPS_PER_ALB, MAX_CERTIFICATES_PER_ALB])
      .toEqual([3, 5, 5, 100, 25]);
  });

  test('values per condition: 3 hosts and 3 paths fit, a 4th is refused', () => {
    expect(route(['a.example.com', 'b.example.com', 'c.example.com'], [])).not.toThrow();
    expect(route([], ['/p1', '/p2', '/p3'])).not.toThrow();
    expect(route(['a.x.com', 'b.x.com', 'c.x.com', 'd.x.com'], []))
      .toThrow(/^Construct 'Quotas\/Svc\d+': invalid hostHeaders = .*A listener rule condition takes at most 3 values \(https:\/\/docs\.aws\.amazon\.com\/elasticloadbalancing\/latest\/application\/load-balancer-limits\.html\)/);
    expect(route([], ['/q1', '/q2', '/q3', '/q4'])).toThrow(/invalid pathPatterns = .*at most 3 values/);
  });

  test('match evaluations per rule: 5 fit, counting the implicit path and the blue/green test header; 6 are refused', () => {
    expect(route(['d.example.com', 'e.example.com', 'f.example.com'], ['/r1', '/r2'])).not.toThrow();
    expect(route(['g.example.com', 'h.example.com', 'i.example.com'], [], true)).not.toThrow(); // 3 + '/*' + header
    expect(route(['j.example.com', 'k.example.com', 'l.example.com'], ['/s1', '/s2', '/s3'])).toThrow(/needs 6: 3 host\(s\) \+ 3 path\(s\)/);
    expect(route(['m.example.com', 'n.example.com', 'o.example.com'], ['/t1', '/t2'], true)).toThrow(/needs 6: .* \+ the blue\/green test header/);
  });

  test('wildcards per rule: 5 fit, 6 are refused (the implicit /* and the test header count)', () => {
    expect(route(['*.w1.com', '*.w2.com', '*.w3.com'], [], true)).not.toThrow(); // 3 + '/*' + '*'
    expect(route(['*.w4.com', '*.w5.com', '*.w6.com'], ['/w/*/x?'])).not.toThrow();
    expect(route(['*.w7.com', '*.w8.com', '*.w9.com'], ['/w/*/x??'])).toThrow(/at most 5 wildcard characters .* this one has 6/);
    expect(route(['*.v1.com', '?.v2.com'], ['/v/*/??'], true)).toThrow(/this one has 6/);
  });

  test('every rule forwards to one target group (at most 5 per action) and the load balancer has at most 2 listeners (of 50)', () => {
    const template = Template.fromStack(stack);
    for (const rule of Object.values<any>(template.findResources('AWS::ElasticLoadBalancingV2::ListenerRule'))) {
      expect(rule.Properties.Actions).toHaveLength(1);
      expect(rule.Properties.Actions[0].TargetGroupArn).toBeDefined();
    }
    expect(Object.keys(template.findResources('AWS::ElasticLoadBalancingV2::Listener')).length).toBeLessThanOrEqual(2);
    expect(alb.targetGroupCount).toBe(alb.ruleCount);
  });
});

describe('target groups per ALB (100, not adjustable)', () => {
  test('50 blue/green services fill a load balancer; the next is "too many services" with the fix', () => {
    const { route } = setUp();
    for (let i = 0; i < 50; i++) route([`bg${i}.example.com`], [], true)();
    expect(route(['one-more.example.com'], []))
      .toThrow(/invalid loadBalancer = 'Quotas\/Alb'\. Too many services for one load balancer: it already forwards to 100 target groups and an Application Load Balancer holds at most 100 \(not adjustable; a blue\/green service uses 2\)\. Put this service behind a second WebLoadBalancer\./);
  });

  test('99 services leave no room for a blue/green one', () => {
    const { alb, route } = setUp();
    for (let i = 0; i < 99; i++) route([`s${i}.example.com`], [])();
    expect(alb.targetGroupCount).toBe(99);
    expect(route(['bg.example.com'], [], true)).toThrow(/already forwards to 99 target groups/);
    expect(route(['plain.example.com'], [])).not.toThrow();
  });

  test('maxRules cannot promise more than 100 rules, and a lower value is enforced', () => {
    expect(() => setUp({ maxRules: 250 })).toThrow(/invalid maxRules = 250\. Use a whole number between 1 and 100/);
    const { route } = setUp({ maxRules: 2 });
    route(['a.example.com'], [])();
    expect(route(['b.example.com'], [], true)).toThrow(/already has 1 of its 2 rules .* Put this service behind a second WebLoadBalancer/);
  });
});

describe('certificates per ALB (25 besides the default, adjustable)', () => {
  test('25 certificates fit; the 26th is refused; the default one and repeats do not count', () => {
    const { stack, alb } = setUp();
    const owner = new Construct(stack, 'Owner');
    expect(alb._addCertificate(owner, acm.Certificate.fromCertificateArn(owner, 'Default', certArn(0)))).toBe(false);
    for (let i = 1; i <= 25; i++) expect(alb._addCertificate(owner, acm.Certificate.fromCertificateArn(owner, `C${i}`, certArn(i)))).toBe(true);
    expect(alb._addCertificate(owner, acm.Certificate.fromCertificateArn(owner, 'Again', certArn(7)))).toBe(false);
    expect(() => alb._addCertificate(owner, acm.Certificate.fromCertificateArn(owner, 'C26', certArn(26))))
      .toThrow(/invalid certificate = '.*'\. The listener of Quotas\/Alb already holds 25 of its 25 certificates \(maxCertificates, the "Certificates per Application Load Balancer" quota\)\. Put this service behind a second WebLoadBalancer/);
  });

  test('services with their own domain count against maxCertificates', () => {
    const { stack, cluster, alb } = setUp({ maxCertificates: 1 });
    const image = ecs.ContainerImage.fromRegistry('public.ecr.aws/nginx/nginx:stable');
    const svc = (id: string, i: number) => new WebService(stack, id, {
      cluster,
      image,
      port: 80,
      loadBalancer: alb,
      hostHeaders: [`${id.toLowerCase()}.example.com`],
      certificate: acm.Certificate.fromCertificateArn(stack, `${id}Cert`, certArn(i)),
    });
    svc('One', 1);
    expect(() => svc('Two', 2)).toThrow(/WebService 'Quotas\/Two': invalid certificate = .*already holds 1 of its 1 certificates/);
    Template.fromStack(stack).resourceCountIs('AWS::ElasticLoadBalancingV2::ListenerCertificate', 1);
  });
});
