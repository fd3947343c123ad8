/**
 * Progressive deployments of a NetworkService (Network Load Balancer: alternate target group, test listener, the role ECS
 * shifts traffic with) and a BackendService (Service Connect: the test-traffic header rule): the synthesized resources
 * for each strategy, lifecycle hooks and rollback alarms on both, every bad input, and the update from rolling.
 */
import { fullDiff, ResourceImpact } from '@aws-cdk/cloudformation-diff';
import { Duration, Stack, Token } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as fc from 'fast-check';
import {
  BackendService, BackendServiceProps, DeploymentStrategy, FoundryCluster, NetworkProtocol, NetworkService, NetworkServiceProps, WebService,
} from '../../src';
import { plainStack } from '../support/stacks';

const image = ecs.ContainerImage.fromRegistry('public.ecr.aws/docker/library/postgres:16');
const certArn = 'arn:aws:acm:us-east-1:123456789012:certificate/11111111-2222-3333-4444-555555555555';

function network(p: Partial<NetworkServiceProps> = {}) {
  const stack = plainStack('Nlb');
  const cluster = new FoundryCluster(stack, 'Cluster');
  const service = new NetworkService(stack, 'Db', { cluster, image, port: 5432, ...p } as NetworkServiceProps);
  return { stack, cluster, service, template: () => Template.fromStack(stack) };
}

function backend(p: Partial<BackendServiceProps> = {}) {
  const stack = plainStack('Backend');
  const cluster = new FoundryCluster(stack, 'Cluster');
  const service = new BackendService(stack, 'Orders', { cluster, image, port: 8080, appProtocol: ecs.AppProtocol.http, ...p } as BackendServiceProps);
  return { stack, cluster, service, template: () => Template.fromStack(stack) };
}

function hook(stack: Stack, id = 'Hook'): lambda.IFunction {
  return lambda.Function.fromFunctionArn(stack, id, `arn:aws:lambda:us-east-1:123456789012:function:${id.toLowerCase()}`);
}

/** A hook function for bad-input cases (in a stack of its own). */
function anyHook(): lambda.IFunction {
  return lambda.Function.fromFunctionArn(new Stack(), 'F', 'arn:aws:lambda:us-east-1:123456789012:function:f');
}

const strategies: Array<[string, () => DeploymentStrategy, Record<string, unknown>]> = [
  ['blue/green', () => DeploymentStrategy.blueGreen(), { Strategy: 'BLUE_GREEN', BakeTimeInMinutes: 10 }],
  ['canary', () => DeploymentStrategy.canary({ percent: 10 }), { Strategy: 'CANARY', CanaryConfiguration: { CanaryPercent: 10, CanaryBakeTimeInMinutes: 10 } }],
  ['linear', () => DeploymentStrategy.linear({ stepPercent: 25 }), { Strategy: 'LINEAR', LinearConfiguration: { StepPercent: 25, StepBakeTimeInMinutes: 6 } }],
];

describe('NetworkService progressive deployments', () => {
  test.each(strategies)('%s: an alternate target group, a test listener on the listener port + 1 and the role ECS shifts the listeners with', (_name, strategy, config) => {
    const { service, template } = network({ deployment: { strategy: strategy() } });
    const t = template();
    t.hasResourceProperties('AWS::ECS::Service', { DeploymentConfiguration: Match.objectLike(config) });
    t.resourceCountIs('AWS::ElasticLoadBalancingV2::TargetGroup', 2);
    t.resourceCountIs('AWS::ElasticLoadBalancingV2::Listener', 2);
    const stack = Stack.of(service);
    const ref = (x: string) => stack.resolve(x);
    t.hasResourceProperties('AWS::ElasticLoadBalancingV2::Listener', {
      Port: 5433,
      Protocol: 'TCP',
      DefaultActions: [{ Type: 'forward', TargetGroupArn: ref(service.alternateTargetGroup!.targetGroupArn) }],
    });
    t.hasResourceProperties('AWS::ElasticLoadBalancingV2::Listener', {
      Port: 5432, DefaultActions: [{ Type: 'forward', TargetGroupArn: ref(service.targetGroup.targetGroupArn) }],
    });
    t.hasResourceProperties('AWS::ECS::Service', {
      LoadBalancers: [{
        ContainerName: Match.anyValue(),
        ContainerPort: 5432,
        TargetGroupArn: ref(service.targetGroup.targetGroupArn),
        AdvancedConfiguration: {
          AlternateTargetGroupArn: ref(service.alternateTargetGroup!.targetGroupArn),
          ProductionListenerRule: ref(service.listener.listenerArn),
          TestListenerRule: ref(service.testListener!.listenerArn),
          RoleArn: ref(service.blueGreenRole!.roleArn),
        },
      }],
    });
    // Both target groups alike: same port, protocol, health check and deregistration delay.
    const groups = Object.values<any>(t.findResources('AWS::ElasticLoadBalancingV2::TargetGroup')).map(r => r.Properties);
    expect(groups[0]).toEqual(groups[1]);
  });

  test('the role ECS assumes may modify only these two listeners and register only in these two target groups', () => {
    const { service, template } = network({ deployment: { strategy: DeploymentStrategy.blueGreen() } });
    const stack = Stack.of(service);
    const t = template();
    t.hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: { Statement: [Match.objectLike({ Principal: { Service: 'ecs.amazonaws.com' }, Action: 'sts:AssumeRole' })] },
    });
    const policies = Object.values<any>(t.findResources('AWS::IAM::ManagedPolicy'))
      .filter(p => JSON.stringify(p).includes('elasticloadbalancing:ModifyListener'));
    expect(policies).toHaveLength(1);
    const statements = policies[0].Properties.PolicyDocument.Statement;
    expect(statements).toEqual([
      {
        Sid: 'ShiftTraffic',
        Effect: 'Allow',
        Action: 'elasticloadbalancing:ModifyListener',
        Resource: [stack.resolve(service.listener.listenerArn), stack.resolve(service.testListener!.listenerArn)],
      },
      {
        Sid: 'RegisterTargets',
        Effect: 'Allow',
        Action: ['elasticloadbalancing:RegisterTargets', 'elasticloadbalancing:DeregisterTargets'],
        Resource: [stack.resolve(service.targetGroup.targetGroupArn), stack.resolve(service.alternateTargetGroup!.targetGroupArn)],
      },
      { Sid: 'DescribeOnly', Effect: 'Allow', Action: expect.arrayContaining(['elasticloadbalancing:DescribeListeners']), Resource: '*' },
    ]);
  });

  test('test clients are admitted on the test port from the same ranges as production clients, nothing more', () => {
    const { service, template } = network({
      deployment: { strategy: DeploymentStrategy.blueGreen({ testListenerPort: 15432 }) },
      loadBalancerOptions: { allowedCidrs: ['10.1.0.0/16', '10.2.0.0/16'] },
    });
    const sg = Object.values<any>(template().findResources('AWS::EC2::SecurityGroup'))
      .find(r => r.Properties.GroupDescription.startsWith(`Network load balancer of ${service.node.path}`));
    const ingress = sg.Properties.SecurityGroupIngress.map((r: any) => `${r.CidrIp}:${r.FromPort}-${r.ToPort}/${r.IpProtocol}`).sort();
    expect(ingress).toEqual(['10.1.0.0/16:15432-15432/tcp', '10.1.0.0/16:5432-5432/tcp', '10.2.0.0/16:15432-15432/tcp', '10.2.0.0/16:5432-5432/tcp']);
  });

  test('TLS: the test listener terminates TLS with the same certificate and policy, and the load balancer logs both', () => {
    const { template } = network({
      port: 8443,
      protocol: NetworkProtocol.TLS,
      certificate: acm.Certificate.fromCertificateArn(new Stack(), 'C', certArn),
      deployment: { strategy: DeploymentStrategy.canary({ percent: 5 }) },
    });
    const listeners = Object.values<any>(template().findResources('AWS::ElasticLoadBalancingV2::Listener')).map(r => r.Properties);
    expect(listeners.map(l => [l.Port, l.Protocol, l.Certificates, l.SslPolicy])).toEqual([
      [443, 'TLS', [{ CertificateArn: certArn }], listeners[0].SslPolicy],
      [444, 'TLS', [{ CertificateArn: certArn }], listeners[0].SslPolicy],
    ]);
    template().hasResourceProperties('AWS::ElasticLoadBalancingV2::LoadBalancer', {
      LoadBalancerAttributes: Match.arrayWith([{ Key: 'access_logs.s3.enabled', Value: 'true' }]),
    });
  });

  test('UDP: the test listener and the alternate target group are UDP too', () => {
    const { template } = network({
      port: 53,
      protocol: NetworkProtocol.UDP,
      targetHealthCheck: { port: 8080 },
      deployment: { strategy: DeploymentStrategy.linear({ stepPercent: 50 }) },
    });
    const listeners = Object.values<any>(template().findResources('AWS::ElasticLoadBalancingV2::Listener')).map(r => [r.Properties.Port, r.Properties.Protocol]);
    expect(listeners).toEqual([[53, 'UDP'], [54, 'UDP']]);
    const groups = Object.values<any>(template().findResources('AWS::ElasticLoadBalancingV2::TargetGroup')).map(r => r.Properties.Protocol);
    expect(groups).toEqual(['UDP', 'UDP']);
  });

  test('PrivateLink: the endpoint service stays on the load balancer with the same settings', () => {
    const { template } = network({
      privateLink: { allowedPrincipals: [new iam.ArnPrincipal('arn:aws:iam::210987654321:root')] },
      deployment: { strategy: DeploymentStrategy.blueGreen() },
    });
    template().hasResourceProperties('AWS::EC2::VPCEndpointService', { AcceptanceRequired: true });
    template().hasResourceProperties('AWS::ElasticLoadBalancingV2::LoadBalancer', { EnforceSecurityGroupInboundRulesOnPrivateLinkTraffic: 'off' });
  });

  test.each<[string, () => DeploymentStrategy]>([
    ['blue/green', () => DeploymentStrategy.blueGreen()],
    ['canary', () => DeploymentStrategy.canary({ percent: 10 })],
  ])('PrivateLink with %s: a warning that consumers reach the test listener, and how to avoid it; none with rolling or without PrivateLink', (_name, strategy) => {
    const privateLink = { allowedPrincipals: [new iam.ArnPrincipal('arn:aws:iam::210987654321:root')] };
    const warnings = (props: Partial<NetworkServiceProps>) => {
      const { service } = network(props);
      return Annotations.fromStack(Stack.of(service)).findWarning(`/${service.node.path}`, Match.stringLikeRegexp('privateLinkTestListener'));
    };
    const found = warnings({ privateLink, deployment: { strategy: strategy() } });
    expect(found).toHaveLength(1);
    const message = String(found[0].entry.data);
    expect(message).toMatch(/every consumer's endpoint reaches the test port too/);
    expect(message).toMatch(/test listener on port 5433/);
    expect(message).toMatch(/To avoid it, use DeploymentStrategy\.rolling\(\)/);
    expect(warnings({ privateLink })).toEqual([]);
    expect(warnings({ deployment: { strategy: strategy() } })).toEqual([]);
  });

  test('rolling (the default) creates none of it: no alternate target group, test listener or role', () => {
    const { service, template } = network();
    expect(service.alternateTargetGroup).toBeUndefined();
    expect(service.testListener).toBeUndefined();
    expect(service.blueGreenRole).toBeUndefined();
    template().resourceCountIs('AWS::ElasticLoadBalancingV2::Listener', 1);
    template().hasResourceProperties('AWS::ECS::Service', {
      DeploymentConfiguration: Match.objectLike({ Strategy: Match.absent() }),
      LoadBalancers: [Match.objectLike({ AdvancedConfiguration: Match.absent() })],
    });
  });

  test('warns that a later change of the production listener re-applies its template action', () => {
    const { service } = network({ deployment: { strategy: DeploymentStrategy.blueGreen() } });
    Annotations.fromStack(Stack.of(service)).hasWarning(`/${service.node.path}`, Match.stringLikeRegexp('rewriting the production listener'));
  });

  test('lifecycle hooks and rollback on the service\'s own alarms apply to the NetworkService', () => {
    const stack = plainStack('Hooks');
    const cluster = new FoundryCluster(stack, 'Cluster');
    const fn = hook(stack);
    const service = new NetworkService(stack, 'Db', {
      cluster,
      image,
      port: 5432,
      deployment: {
        strategy: DeploymentStrategy.blueGreen(),
        lifecycleHooks: [{ handler: fn, stages: [ecs.DeploymentLifecycleStage.POST_TEST_TRAFFIC_SHIFT] }],
      },
    });
    const t = Template.fromStack(stack);
    t.hasResourceProperties('AWS::ECS::Service', {
      DeploymentConfiguration: Match.objectLike({
        LifecycleHooks: [{ HookTargetArn: fn.functionArn, LifecycleStages: ['POST_TEST_TRAFFIC_SHIFT'], RoleArn: Match.anyValue() }],
        Alarms: { Enable: true, Rollback: true, AlarmNames: Match.arrayWith([Match.stringLikeRegexp('Db')]) },
      }),
    });
    expect(service.lifecycleHookRole).toBeDefined();
    expect(service.alarms.length).toBeGreaterThan(0);
  });

  test('the ECS service waits for the policies of its traffic-shift role and lifecycle-hook role (it names only their ARNs)', () => {
    const stack = plainStack('HookPolicies');
    const cluster = new FoundryCluster(stack, 'Cluster');
    const service = new NetworkService(stack, 'Db', {
      cluster,
      image,
      port: 5432,
      deployment: {
        strategy: DeploymentStrategy.blueGreen(),
        lifecycleHooks: [{ handler: hook(stack), stages: [ecs.DeploymentLifecycleStage.POST_TEST_TRAFFIC_SHIFT] }],
      },
    });
    const json = Template.fromStack(stack).toJSON();
    const dependsOn: string[] = json.Resources[stack.getLogicalId(service.ecsService.node.defaultChild as ecs.CfnService)].DependsOn;
    for (const role of [service.blueGreenRole!, service.lifecycleHookRole!]) {
      const policies = (role as iam.Role).node.findAll()
        .filter(c => c instanceof iam.CfnManagedPolicy || c instanceof iam.CfnPolicy)
        .map(c => stack.getLogicalId(c as iam.CfnManagedPolicy));
      expect(policies.length).toBeGreaterThan(0);
      for (const policy of policies) {
        expect(dependsOn).toContain(policy);
      }
    }
  });

  test.each<[string, () => DeploymentStrategy, string]>([
    // Health checks every 10 s × 2, then: rolling one batch + 30 s drain; the others 10 min per traffic shift (NLB),
    // canary bake 10 min or linear 3 steps × 6 min, bake 10 min, 30 s drain.
    ['rolling', () => DeploymentStrategy.rolling(), '50 seconds'],
    ['blue/green', () => DeploymentStrategy.blueGreen(), '30 minutes 50 seconds'],
    ['canary 10 %', () => DeploymentStrategy.canary({ percent: 10 }), '40 minutes 50 seconds'],
    ['linear 25 %', () => DeploymentStrategy.linear({ stepPercent: 25 }), '48 minutes 50 seconds'],
  ])('modeled time to deploy (%s): an NLB adds 10 minutes to each traffic shift', (_name, strategy, expected) => {
    expect(network({ deployment: { strategy: strategy() } }).service.modeledDeploymentTime.toHumanString()).toBe(expected);
  });

  describe('bad inputs', () => {
    const bad = (p: Partial<NetworkServiceProps>) => () => network(p);
    test.each<[string, Partial<NetworkServiceProps>, RegExp]>([
      ['testListenerPort equal to the listener port', { deployment: { strategy: DeploymentStrategy.blueGreen({ testListenerPort: 5432 }) } },
        /invalid deployment\.strategy\.testListenerPort = 5432\. The production listener already listens on 5432/],
      ['testListenerPort equal to an explicit listener port', { listenerPort: 6000, deployment: { strategy: DeploymentStrategy.canary({ percent: 5, testListenerPort: 6000 }) } },
        /testListenerPort = 6000/],
      ['testListenerPort 0', { deployment: { strategy: DeploymentStrategy.blueGreen({ testListenerPort: 0 }) } }, /testListenerPort = 0\. Use a whole number between 1 and 65535/],
      ['testListenerPort 65536', { deployment: { strategy: DeploymentStrategy.blueGreen({ testListenerPort: 65536 }) } }, /testListenerPort = 65536/],
      ['testListenerPort negative', { deployment: { strategy: DeploymentStrategy.blueGreen({ testListenerPort: -1 }) } }, /testListenerPort = -1/],
      ['testListenerPort fractional', { deployment: { strategy: DeploymentStrategy.blueGreen({ testListenerPort: 5433.5 }) } }, /testListenerPort = 5433\.5/],
      ['testListenerPort a token', { deployment: { strategy: DeploymentStrategy.blueGreen({ testListenerPort: Token.asNumber({ Ref: 'Port' }) }) } },
        /testListenerPort = .*Give a concrete port/],
      ['the default test port past 65535', { listenerPort: 65535, deployment: { strategy: DeploymentStrategy.blueGreen() } },
        /testListenerPort = undefined\. The default test listener port is the listener port \+ 1, and the listener port is 65535/],
      ['testHeader on a Network Load Balancer', { deployment: { strategy: DeploymentStrategy.blueGreen({ testHeader: 'x-test' }) } },
        /invalid deployment\.strategy\.testHeader = 'x-test'\. A Network Load Balancer does not read HTTP headers/],
      ['the deprecated blueGreen on a Network Load Balancer', { deployment: { blueGreen: {} } as any }, /invalid deployment\.blueGreen/],
      ['canary percent out of range', { deployment: { strategy: DeploymentStrategy.canary({ percent: 0 }) } }, /deployment\.strategy\.percent = 0/],
      ['linear step below 3 %', { deployment: { strategy: DeploymentStrategy.linear({ stepPercent: 2 }) } }, /deployment\.strategy\.stepPercent = 2/],
      ['hooks with a rolling deployment', {
        deployment: {
          strategy: DeploymentStrategy.rolling(),
          lifecycleHooks: [{ handler: anyHook(), stages: [ecs.DeploymentLifecycleStage.PRE_SCALE_UP] }],
        },
      }, /invalid deployment\.lifecycleHooks/],
    ])('%s', (_name, props, error) => {
      expect(bad(props)).toThrow(error);
    });

    test('property: any whole port from 1 to 65535 other than the listener port is the test listener\'s; anything else is refused', () => {
      const listenerPort = 5432;
      const port = fc.oneof(
        fc.integer({ min: 1, max: 65_535 }),
        fc.integer({ min: -100_000, max: 200_000 }),
        fc.double({ min: 1, max: 65_535, noNaN: true }),
        fc.constantFrom(listenerPort, 0, 65_536),
      );
      fc.assert(fc.property(port, testListenerPort => {
        const valid = Number.isInteger(testListenerPort) && testListenerPort >= 1 && testListenerPort <= 65_535 && testListenerPort !== listenerPort;
        const make = () => network({ deployment: { strategy: DeploymentStrategy.blueGreen({ testListenerPort }) } });
        if (!valid) {
          expect(make).toThrow(/deployment\.strategy\.testListenerPort/);
          return;
        }
        const ports = Object.values<any>(make().template().findResources('AWS::ElasticLoadBalancingV2::Listener')).map(l => l.Properties.Port);
        expect(ports).toEqual([listenerPort, testListenerPort]);
      }), { numRuns: 40 });
    });

    test('property: without testListenerPort the test listener takes the listener port + 1, and the last port is refused', () => {
      fc.assert(fc.property(fc.integer({ min: 1, max: 65_535 }), listenerPort => {
        const make = () => network({ listenerPort, deployment: { strategy: DeploymentStrategy.blueGreen() } });
        if (listenerPort === 65_535) {
          expect(make).toThrow(/give testListenerPort/);
          return;
        }
        expect(make().service.testListener).toBeDefined();
        const ports = Object.values<any>(make().template().findResources('AWS::ElasticLoadBalancingV2::Listener')).map(l => l.Properties.Port);
        expect(ports).toEqual([listenerPort, listenerPort + 1]);
      }), { numRuns: 25, examples: [[65_535], [65_534], [1]] });
    });

    test('a test listener port another listener of the load balancer takes fails synth', () => {
      const { stack, service } = network({ deployment: { strategy: DeploymentStrategy.blueGreen({ testListenerPort: 7000 }) } });
      service.loadBalancer.addListener('Admin', { port: 7000, defaultTargetGroups: [service.targetGroup] });
      expect(() => Template.fromStack(stack)).toThrow(/invalid loadBalancer listeners = .*TestListener.*Admin.* on port 7000'\. A load balancer listens on a port with one listener/s);
    });
  });
});

describe('BackendService progressive deployments (Service Connect)', () => {
  test.each(strategies)('%s: the strategy, and the test header rule on the client alias', (_name, strategy, config) => {
    const { template } = backend({ deployment: { strategy: strategy() } });
    template().hasResourceProperties('AWS::ECS::Service', {
      DeploymentConfiguration: Match.objectLike(config),
      ServiceConnectConfiguration: Match.objectLike({
        Services: [Match.objectLike({
          DiscoveryName: 'orders',
          ClientAliases: [{ Port: 8080, DnsName: 'orders', TestTrafficRules: { Header: { Name: 'x-foundry-test' } } }],
        })],
      }),
    });
    // Service Connect needs no load balancer role and no target groups.
    template().resourceCountIs('AWS::ElasticLoadBalancingV2::TargetGroup', 0);
  });

  test('a custom testHeader', () => {
    const { template } = backend({ deployment: { strategy: DeploymentStrategy.canary({ percent: 5, testHeader: 'x-canary' }) } });
    template().hasResourceProperties('AWS::ECS::Service', {
      ServiceConnectConfiguration: Match.objectLike({
        Services: [Match.objectLike({ ClientAliases: [Match.objectLike({ TestTrafficRules: { Header: { Name: 'x-canary' } } })] })],
      }),
    });
  });

  test.each([ecs.AppProtocol.http2, ecs.AppProtocol.grpc])('%s ports carry the header rule too', (appProtocol) => {
    const { template } = backend({ appProtocol, deployment: { strategy: DeploymentStrategy.blueGreen() } });
    template().hasResourceProperties('AWS::ECS::Service', {
      ServiceConnectConfiguration: Match.objectLike({
        Services: [Match.objectLike({ ClientAliases: [Match.objectLike({ TestTrafficRules: Match.anyValue() })] })],
      }),
    });
  });

  test('a plain TCP port gets no header rule, and a warning that nothing tests the new revision first', () => {
    const { stack, service, template } = backend({ appProtocol: undefined, deployment: { strategy: DeploymentStrategy.blueGreen() } });
    const annotations = Annotations.fromStack(stack);
    annotations.hasWarning(`/${service.node.path}`, Match.stringLikeRegexp('without an HTTP appProtocol'));
    annotations.hasWarning(`/${service.node.path}`, Match.stringLikeRegexp('a POST_TEST_TRAFFIC_SHIFT hook sees no test traffic'));
    template().hasResourceProperties('AWS::ECS::Service', {
      DeploymentConfiguration: Match.objectLike({ Strategy: 'BLUE_GREEN' }),
      ServiceConnectConfiguration: Match.objectLike({ Services: [Match.objectLike({ ClientAliases: [{ Port: 8080, DnsName: 'orders' }] })] }),
    });
  });

  test('rolling (the default) keeps the template of before: no strategy, no header rule, no grace period', () => {
    const { template } = backend();
    template().hasResourceProperties('AWS::ECS::Service', {
      DeploymentConfiguration: Match.objectLike({ Strategy: Match.absent() }),
      HealthCheckGracePeriodSeconds: Match.absent(),
      ServiceConnectConfiguration: Match.objectLike({ Services: [Match.objectLike({ ClientAliases: [{ Port: 8080, DnsName: 'orders' }] })] }),
    });
  });

  test('appProtocol names the port\'s protocol in its port mapping; the mapping keeps its name, which Service Connect refers to', () => {
    const { template } = backend();
    template().hasResourceProperties('AWS::ECS::TaskDefinition', {
      ContainerDefinitions: Match.arrayWith([Match.objectLike({
        PortMappings: [{ ContainerPort: 8080, Protocol: 'tcp', Name: 'tcp-8080', AppProtocol: 'http' }],
      })]),
    });
    template().hasResourceProperties('AWS::ECS::Service', {
      ServiceConnectConfiguration: Match.objectLike({ Services: [Match.objectLike({ PortName: 'tcp-8080' })] }),
    });
    const { template: plain } = backend({ appProtocol: undefined });
    plain().hasResourceProperties('AWS::ECS::TaskDefinition', {
      ContainerDefinitions: Match.arrayWith([Match.objectLike({ PortMappings: [{ ContainerPort: 8080, Protocol: 'tcp', Name: 'tcp-8080' }] })]),
    });
  });

  test('appProtocol and further ports: the service port first, the others after it', () => {
    const { template } = backend({ ports: [{ port: 9090 }] });
    template().hasResourceProperties('AWS::ECS::TaskDefinition', {
      ContainerDefinitions: Match.arrayWith([Match.objectLike({
        PortMappings: [Match.objectLike({ ContainerPort: 8080, AppProtocol: 'http' }), Match.objectLike({ ContainerPort: 9090 })],
      })]),
    });
  });

  test('an explicit healthCheckGracePeriod is kept', () => {
    const { template } = backend({ healthCheckGracePeriod: Duration.seconds(45) });
    template().hasResourceProperties('AWS::ECS::Service', { HealthCheckGracePeriodSeconds: 45 });
  });

  test('clients that connectTo() the backend keep their Service Connect client config and their path to the port', () => {
    const stack = plainStack('Clients');
    const cluster = new FoundryCluster(stack, 'Cluster');
    const orders = new BackendService(stack, 'Orders', {
      cluster, image, port: 8080, appProtocol: ecs.AppProtocol.http, deployment: { strategy: DeploymentStrategy.linear({ stepPercent: 20 }) },
    });
    const web = new WebService(stack, 'Web', { cluster, image, port: 80, certificate: acm.Certificate.fromCertificateArn(stack, 'C', certArn) });
    web.connectTo(orders);
    const t = Template.fromStack(stack);
    t.hasResourceProperties('AWS::ECS::Service', {
      ServiceConnectConfiguration: { Enabled: true, Namespace: Match.anyValue(), LogConfiguration: Match.anyValue() },
    });
    t.hasResourceProperties('AWS::EC2::SecurityGroupIngress', {
      FromPort: 8080,
      ToPort: 8080,
      SourceSecurityGroupId: stack.resolve(web.workload.securityGroup.securityGroupId),
      GroupId: stack.resolve(orders.workload.securityGroup.securityGroupId),
    });
  });

  test('lifecycle hooks at the test traffic stages and rollback on the service\'s own alarms apply to the BackendService', () => {
    const stack = plainStack('Hooks');
    const cluster = new FoundryCluster(stack, 'Cluster');
    const fn = hook(stack);
    const service = new BackendService(stack, 'Orders', {
      cluster,
      image,
      port: 8080,
      appProtocol: ecs.AppProtocol.http,
      deployment: {
        strategy: DeploymentStrategy.canary({ percent: 10 }),
        lifecycleHooks: [{
          handler: fn,
          stages: [ecs.DeploymentLifecycleStage.POST_TEST_TRAFFIC_SHIFT, ecs.DeploymentLifecycleStage.PRODUCTION_TRAFFIC_SHIFT],
        }],
      },
    });
    Template.fromStack(stack).hasResourceProperties('AWS::ECS::Service', {
      DeploymentConfiguration: Match.objectLike({
        LifecycleHooks: [{ HookTargetArn: fn.functionArn, LifecycleStages: ['POST_TEST_TRAFFIC_SHIFT', 'PRODUCTION_TRAFFIC_SHIFT'], RoleArn: Match.anyValue() }],
        Alarms: Match.objectLike({ Enable: true, Rollback: true }),
      }),
    });
    expect(service.lifecycleHookRole).toBeDefined();
  });

  test('rollbackOnAlarm: false leaves the deployment alarms out', () => {
    const { template } = backend({ deployment: { strategy: DeploymentStrategy.blueGreen(), rollbackOnAlarm: false } });
    const service = Object.values<any>(template().findResources('AWS::ECS::Service'))[0];
    expect(service.Properties.DeploymentConfiguration.Alarms?.Enable ?? false).toBe(false);
    expect(service.Properties.DeploymentConfiguration.Alarms?.AlarmNames ?? []).toEqual([]);
  });

  describe('bad inputs', () => {
    test.each<[string, Partial<BackendServiceProps>, RegExp]>([
      ['testListenerPort on Service Connect', { deployment: { strategy: DeploymentStrategy.blueGreen({ testListenerPort: 9000 }) } },
        /invalid deployment\.strategy\.testListenerPort = 9000\. Test traffic reaches the new revision through testHeader/],
      ['a testHeader that is no header name', { deployment: { strategy: DeploymentStrategy.blueGreen({ testHeader: 'x test' }) } }, /deployment\.strategy\.testHeader = 'x test'/],
      ['an empty testHeader', { deployment: { strategy: DeploymentStrategy.blueGreen({ testHeader: '' }) } }, /deployment\.strategy\.testHeader = /],
      ['a testHeader on a plain TCP port', { appProtocol: undefined, deployment: { strategy: DeploymentStrategy.blueGreen({ testHeader: 'x-test' }) } },
        /invalid deployment\.strategy\.testHeader = 'x-test'\. Service Connect routes test traffic by header for HTTP-based protocols only/],
      ['the deprecated blueGreen on Service Connect', { deployment: { blueGreen: {} } as any }, /invalid deployment\.blueGreen/],
      ['hooks with a rolling deployment', {
        deployment: { lifecycleHooks: [{ handler: anyHook(), stages: [ecs.DeploymentLifecycleStage.PRE_SCALE_UP] }] },
      }, /invalid deployment\.lifecycleHooks/],
    ])('%s', (_name, props, error) => {
      expect(() => backend(props)).toThrow(error);
    });
  });
});

describe('update safety: switching an existing service from rolling to a progressive strategy', () => {
  /**
   * Resources the change replaces (or may), by logical ID and type. The service's own alarms are left out: with
   * rollbackOnAlarm (the default of progressive strategies) they get physical names the service refers to, which
   * replaces each alarm once (stateless; README "Upgrading").
   */
  function replaced(before: Stack, after: Stack): string[] {
    const out: string[] = [];
    fullDiff(Template.fromStack(before).toJSON(), Template.fromStack(after).toJSON()).resources.forEachDifference((id, change) => {
      if (change.resourceType !== 'AWS::CloudWatch::Alarm' && [ResourceImpact.WILL_REPLACE, ResourceImpact.MAY_REPLACE, ResourceImpact.WILL_DESTROY, ResourceImpact.WILL_ORPHAN].includes(change.changeImpact)) {
        out.push(`${id} ${change.resourceType} ${change.changeImpact}`);
      }
    });
    return out;
  }

  test.each(strategies)('NetworkService rolling → %s updates the service, listener and target group in place and only adds', (_name, strategy) => {
    const before = network({ serviceName: 'db' }).stack;
    const after = network({ serviceName: 'db', deployment: { strategy: strategy() } }).stack;
    expect(replaced(before, after)).toEqual([]);
    const diff = fullDiff(Template.fromStack(before).toJSON(), Template.fromStack(after).toJSON());
    const added: string[] = [];
    diff.resources.forEachDifference((_id, change) => {
      if (change.isAddition) added.push(change.newResourceType!);
    });
    expect(added.sort()).toEqual(expect.arrayContaining([
      'AWS::ElasticLoadBalancingV2::Listener', 'AWS::ElasticLoadBalancingV2::TargetGroup', 'AWS::IAM::Role',
    ]));
  });

  test('NetworkService blue/green → rolling removes the test listener, the alternate target group and the role, and replaces nothing', () => {
    const before = network({ serviceName: 'db', deployment: { strategy: DeploymentStrategy.blueGreen() } }).stack;
    const after = network({ serviceName: 'db' }).stack;
    const destroyed: string[] = [];
    fullDiff(Template.fromStack(before).toJSON(), Template.fromStack(after).toJSON()).resources.forEachDifference((_id, change) => {
      if (change.resourceType !== 'AWS::CloudWatch::Alarm' && [ResourceImpact.WILL_REPLACE, ResourceImpact.MAY_REPLACE].includes(change.changeImpact)) {
        destroyed.push(`replace ${change.resourceType}`);
      }
      if (change.isRemoval) destroyed.push(change.oldResourceType!);
    });
    expect(destroyed.every(t => !t.startsWith('replace'))).toBe(true);
    expect(destroyed).toEqual(expect.arrayContaining(['AWS::ElasticLoadBalancingV2::Listener', 'AWS::ElasticLoadBalancingV2::TargetGroup']));
  });

  test.each(strategies)('BackendService rolling → %s updates the service in place (Service Connect and a fixed name forbid a replacement)', (_name, strategy) => {
    const before = backend({ serviceName: 'orders' }).stack;
    const after = backend({ serviceName: 'orders', deployment: { strategy: strategy() } }).stack;
    expect(replaced(before, after)).toEqual([]);
  });

  test('the production target group and listener keep their logical IDs (clients and DNS keep the load balancer)', () => {
    const rolling = network();
    const blueGreen = network({ deployment: { strategy: DeploymentStrategy.blueGreen() } });
    const ids = (s: Stack, c: elbv2.CfnTargetGroup | elbv2.CfnListener) => s.resolve((c as any).logicalId);
    expect(ids(blueGreen.stack, blueGreen.service.targetGroup.node.defaultChild as elbv2.CfnTargetGroup))
      .toEqual(ids(rolling.stack, rolling.service.targetGroup.node.defaultChild as elbv2.CfnTargetGroup));
    expect(ids(blueGreen.stack, blueGreen.service.listener.node.defaultChild as elbv2.CfnListener))
      .toEqual(ids(rolling.stack, rolling.service.listener.node.defaultChild as elbv2.CfnListener));
  });
});
