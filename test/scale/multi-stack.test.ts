/**
 * Beyond one stack: 200 web services over 5 stacks share one FoundryCluster and two WebLoadBalancers (an ALB holds at
 * most 100 target groups, not adjustable, so at most 100 services).
 */
import { App, Stack } from 'aws-cdk-lib';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import { FoundryCluster, WebLoadBalancer, WebService } from '../../src';

const SERVICES = 200;
const PER_STACK = 40;
const env = { account: '123456789012', region: 'us-east-1' };

interface Built {
  readonly app: App;
  readonly services: WebService[];
  readonly platform: Stack;
  readonly serviceStacks: Stack[];
}

function build(count: number): Built {
  const app = new App();
  const platform = new Stack(app, 'Platform', { env });
  const cluster = new FoundryCluster(platform, 'Cluster');
  const certificate = acm.Certificate.fromCertificateArn(platform, 'Cert', 'arn:aws:acm:us-east-1:123456789012:certificate/abc');
  const albs: WebLoadBalancer[] = [];
  const albFor = (i: number) => {
    const n = Math.floor(i / 100);
    albs[n] ??= new WebLoadBalancer(platform, n === 0 ? 'Alb' : `Alb${n + 1}`, { cluster, certificate });
    return albs[n];
  };
  const image = ecs.ContainerImage.fromRegistry('public.ecr.aws/nginx/nginx:stable');
  const serviceStacks: Stack[] = [];
  const services: WebService[] = [];
  for (let i = 0; i < count; i++) {
    if (i % PER_STACK === 0) {
      serviceStacks.push(new Stack(app, `Services${serviceStacks.length + 1}`, { env }));
    }
    const stack = serviceStacks[serviceStacks.length - 1];
    services.push(new WebService(stack, `Svc${i}`, {
      cluster,
      loadBalancer: albFor(i),
      image,
      port: 8080,
      hostHeaders: [`svc${i}.example.com`],
      // Every fifth service also routes by path, in another specificity band.
      pathPatterns: i % 5 === 0 ? [`/v${i}/*`] : undefined,
    }));
  }
  return { app, services, platform, serviceStacks };
}

let base: ReturnType<typeof build>;
let assembly: ReturnType<App['synth']>;
beforeAll(() => {
  base = build(SERVICES);
  assembly = base.app.synth();
});

describe('200 web services over several stacks', () => {
  test('synthesizes into at least 4 service stacks plus the platform stack', () => {
    expect(base.serviceStacks.length).toBeGreaterThanOrEqual(4);
    expect(assembly.stacks.length).toBe(base.serviceStacks.length + 1);
  });

  test('every stack stays under 500 resources and 1 MB', () => {
    for (const artifact of assembly.stacks) {
      const resources = Object.keys(artifact.template.Resources).length;
      const bytes = Buffer.byteLength(JSON.stringify(artifact.template));
      expect({ stack: artifact.stackName, under500: resources < 500, under1MB: bytes < 1_000_000 })
        .toEqual({ stack: artifact.stackName, under500: true, under1MB: true });
    }
  });

  test('service stacks depend on the platform stack, never the other way round', () => {
    for (const stack of base.serviceStacks) {
      expect(stack.dependencies).toContain(base.platform);
    }
    expect(base.platform.dependencies).toEqual([]);
  });

  test('no two rules on a listener share a priority', () => {
    const rules = assembly.stacks.flatMap(a => Object.values<any>(a.template.Resources)
      .filter(r => r.Type === 'AWS::ElasticLoadBalancingV2::ListenerRule'));
    expect(rules).toHaveLength(SERVICES);
    const byListener = new Map<string, number[]>();
    for (const r of rules) {
      const listener = JSON.stringify(r.Properties.ListenerArn);
      byListener.set(listener, [...(byListener.get(listener) ?? []), r.Properties.Priority]);
    }
    expect(byListener.size).toBe(2);
    for (const priorities of byListener.values()) expect(new Set(priorities).size).toBe(priorities.length);
  });

  test('adding a service changes no other service priority', () => {
    const grown = build(SERVICES + 1);
    expect(grown.services.slice(0, SERVICES).map(s => s.priority)).toEqual(base.services.map(s => s.priority));
  });

  test('the listener refuses rules beyond its limit with a message that says what to do', () => {
    const app = new App();
    const stack = new Stack(app, 'Full', { env });
    const cluster = new FoundryCluster(stack, 'Cluster');
    const alb = new WebLoadBalancer(stack, 'Alb', {
      cluster, certificate: acm.Certificate.fromCertificateArn(stack, 'Cert', 'arn:aws:acm:us-east-1:123456789012:certificate/abc'), maxRules: 2,
    });
    const image = ecs.ContainerImage.fromRegistry('public.ecr.aws/nginx/nginx:stable');
    new WebService(stack, 'A', { cluster, loadBalancer: alb, image, port: 80, hostHeaders: ['a.example.com'] });
    new WebService(stack, 'B', { cluster, loadBalancer: alb, image, port: 80, hostHeaders: ['b.example.com'] });
    expect(() => new WebService(stack, 'C', { cluster, loadBalancer: alb, image, port: 80, hostHeaders: ['c.example.com'] }))
      .toThrow(/WebService 'Full\/C': invalid loadBalancer = 'Full\/Alb'\. The listener already has 2 of its 2 rules .* Put this service behind a second WebLoadBalancer/);
  });
});
