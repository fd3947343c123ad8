import * as fs from 'fs';
import * as path from 'path';
import { App, Duration, Lazy, Stack, Token } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import {
  CircuitBreakerThreshold, DeploymentStrategy, DeploymentStrategyType, FoundryCluster, WebService, WebServiceProps, WorkerService,
  WorkerServiceProps,
} from '../../src';
import { linearBakedSteps, resolveDeployment } from '../../src/services/deployment-strategy-resolve';
import { modelDeploymentTime } from '../../src/services/deployment-time';
import { ServiceFrontEnd } from '../../src/services/service-options';
import { plainStack } from '../support/stacks';

/**
 * Progressive delivery on a web service (Application Load Balancer) and a worker (no traffic): the resolved
 * templates of each strategy (configuration, alternate target group, test rule, lifecycle hooks and their role,
 * rollback alarms, circuit breaker tuning), every bad input rejected at synth with the prop and the AWS rule, and the
 * modeled deployment time the README shows.
 */

const Stage = ecs.DeploymentLifecycleStage;
const image = ecs.ContainerImage.fromRegistry('public.ecr.aws/nginx/nginx:stable');
const LAMBDA_RUNTIME = lambda.Runtime.NODEJS_22_X;

interface Built {
  readonly stack: Stack;
  readonly service: WebService;
  readonly template: Template;
  readonly hook: lambda.Function;
  readonly props: Record<string, any>;
}

function hookIn(stack: Stack, id = 'Hook'): lambda.Function {
  return new lambda.Function(stack, id, {
    runtime: LAMBDA_RUNTIME,
    handler: 'index.handler',
    code: lambda.Code.fromInline('exports.handler = async () => ({ hookStatus: "SUCCEEDED" });'),
  });
}

/** A WebService in a stack of its own; `deployment` may use the hook function of that stack. */
function web(deployment: (hook: lambda.Function) => WebServiceProps['deployment'], extra: Partial<WebServiceProps> = {}): Built {
  const stack = plainStack('Web');
  const cluster = new FoundryCluster(stack, 'Cluster');
  const hook = hookIn(stack);
  const service = new WebService(stack, 'Web', {
    cluster, image, port: 8080, loadBalancerOptions: { allowHttp: true }, deployment: deployment(hook), ...extra,
  });
  const template = Template.fromStack(stack);
  const props = template.toJSON().Resources[stack.getLogicalId(service.ecsService.node.defaultChild as ecs.CfnService)].Properties;
  return { stack, service, template, hook, props };
}

function worker(p: Partial<WorkerServiceProps>): { stack: Stack; service: WorkerService; props: Record<string, any> } {
  const stack = plainStack('Worker');
  const cluster = new FoundryCluster(stack, 'Cluster');
  const service = new WorkerService(stack, 'Worker', { cluster, image, ...p } as WorkerServiceProps);
  const props = Template.fromStack(stack).toJSON().Resources[stack.getLogicalId(service.ecsService.node.defaultChild as ecs.CfnService)].Properties;
  return { stack, service, props };
}

const NO_ALARMS = { AlarmNames: [], Enable: false, Rollback: false };

/** Warnings of a synthesized stack, read from the construct metadata (a second synth would re-run the aspects). */
function warningsOf(stack: Stack, id: RegExp): string[] {
  return stack.node.findAll().flatMap(c => c.node.metadata)
    .filter(m => m.type === 'aws:cdk:warning' && id.test(String(m.data))).map(m => String(m.data));
}

function logicalIdOf(stack: Stack, construct: { node: { defaultChild?: any } }): string {
  return stack.getLogicalId(construct.node.defaultChild);
}

describe('WebService canary with a lifecycle hook', () => {
  let built: Built;
  beforeAll(() => {
    built = web(hook => ({
      strategy: DeploymentStrategy.canary({ percent: 10, canaryBakeTime: Duration.minutes(5), bakeTime: Duration.minutes(15) }),
      lifecycleHooks: [{ handler: hook, stages: [Stage.POST_TEST_TRAFFIC_SHIFT, Stage.PRODUCTION_TRAFFIC_SHIFT] }],
    }));
  });

  test('the service deploys with CANARY, the canary share and both bake times', () => {
    expect(built.props.DeploymentConfiguration).toMatchObject({
      Strategy: 'CANARY',
      BakeTimeInMinutes: 15,
      CanaryConfiguration: { CanaryPercent: 10, CanaryBakeTimeInMinutes: 5 },
    });
    expect(built.props.DeploymentConfiguration.LinearConfiguration).toBeUndefined();
    expect(built.props.DeploymentController).toEqual({ Type: 'ECS' });
  });

  test('an alternate target group and a test rule by header, as for blue/green', () => {
    const { stack, service, props, template } = built;
    expect(service.alternateTargetGroup).toBeDefined();
    expect(props.LoadBalancers[0].AdvancedConfiguration).toMatchObject({
      AlternateTargetGroupArn: { Ref: logicalIdOf(stack, service.alternateTargetGroup!) },
      ProductionListenerRule: { Ref: logicalIdOf(stack, service.listenerRule) },
      TestListenerRule: { Ref: expect.any(String) },
      RoleArn: expect.anything(),
    });
    const rules = Object.values<any>(template.findResources('AWS::ElasticLoadBalancingV2::ListenerRule')).map(r => r.Properties);
    expect(rules).toHaveLength(2);
    const test = rules.find(r => r.Conditions.some((c: any) => c.Field === 'http-header'));
    expect(test.Conditions).toEqual(expect.arrayContaining([{ Field: 'http-header', HttpHeaderConfig: { HttpHeaderName: 'x-foundry-test', Values: ['*'] } }]));
    expect(test.Actions[0].TargetGroupArn).toEqual({ Ref: logicalIdOf(stack, service.alternateTargetGroup!) });
    expect(test.Priority).toBeLessThan(rules.find(r => r !== test).Priority);
  });

  test('the hook is registered at its stages with the service\'s hook role', () => {
    const { stack, service, hook, props } = built;
    expect(props.DeploymentConfiguration.LifecycleHooks).toEqual([{
      HookTargetArn: { 'Fn::GetAtt': [logicalIdOf(stack, hook), 'Arn'] },
      RoleArn: { 'Fn::GetAtt': [logicalIdOf(stack, service.lifecycleHookRole! as any), 'Arn'] },
      LifecycleStages: ['POST_TEST_TRAFFIC_SHIFT', 'PRODUCTION_TRAFFIC_SHIFT'],
    }]);
  });

  test('the hook role: ECS may assume it, and it may invoke exactly the hook function', () => {
    const { stack, service, hook, template } = built;
    const role = template.toJSON().Resources[logicalIdOf(stack, service.lifecycleHookRole! as any)].Properties;
    expect(role.AssumeRolePolicyDocument.Statement).toEqual([
      { Action: 'sts:AssumeRole', Effect: 'Allow', Principal: { Service: 'ecs.amazonaws.com' } },
    ]);
    const policies = Object.values<any>(template.findResources('AWS::IAM::ManagedPolicy'))
      .filter(p => JSON.stringify(p.Properties.Roles) === JSON.stringify([{ Ref: logicalIdOf(stack, service.lifecycleHookRole! as any) }]));
    expect(policies.map(p => p.Properties.PolicyDocument.Statement)).toEqual([[{
      Sid: 'InvokeLifecycleHooks', Action: 'lambda:InvokeFunction', Effect: 'Allow', Resource: { 'Fn::GetAtt': [logicalIdOf(stack, hook), 'Arn'] },
    }]]);
  });

  test('the service\'s own alarms roll the deployment back, by physical name (no Ref: the alarms read the service\'s metrics)', () => {
    const { service, props, template } = built;
    // Every alarm but RunningTasks: fewer running tasks than desired is capacity still starting, not a bad revision.
    expect(service.alarms.map(a => a.node.id)).toEqual(['Unhealthy', 'RunningTasks']);
    const names = service.alarms.filter(a => a.node.id !== 'RunningTasks').map(a => (a.node.defaultChild as any).alarmName);
    expect(names.length).toBeGreaterThan(0);
    names.forEach(n => expect(n).toMatch(/^Web-Alarms-Unhealthy\d?-[0-9A-F]{8}$/));
    expect(props.DeploymentConfiguration.Alarms).toEqual({ AlarmNames: names, Enable: true, Rollback: true });
    const written = Object.values<any>(template.findResources('AWS::CloudWatch::Alarm')).map(a => a.Properties.AlarmName).filter(Boolean);
    expect(written.sort()).toEqual([...names].sort());
  });

  test('it warns, as blue/green does, that route changes re-apply the production rule\'s action', () => {
    expect(warningsOf(built.stack, /blueGreenRouteChanges/)).toEqual([expect.stringMatching(/^Web\/Web uses native canary: ECS moves production traffic/)]);
  });

  test('the modeled deployment time: healthy + canary bake + bake + deregistration', () => {
    // Target group defaults: 10 s × 2 checks, 30 s deregistration delay (see load-balancer-options.ts).
    expect(built.service.modeledDeploymentTime.toSeconds()).toBe(10 * 2 + 5 * 60 + 15 * 60 + 30);
  });
});

describe('WebService linear', () => {
  test('LINEAR with step percent and step bake time, and an alternate target group', () => {
    const { props, service } = web(() => ({ strategy: DeploymentStrategy.linear({ stepPercent: 25, stepBakeTime: Duration.minutes(2) }) }));
    expect(props.DeploymentConfiguration).toMatchObject({
      Strategy: 'LINEAR', BakeTimeInMinutes: 10, LinearConfiguration: { StepPercent: 25, StepBakeTimeInMinutes: 2 },
    });
    expect(props.DeploymentConfiguration.CanaryConfiguration).toBeUndefined();
    expect(service.alternateTargetGroup).toBeDefined();
  });

  test('defaults: the ECS step bake time of 6 minutes', () => {
    const { props } = web(() => ({ strategy: DeploymentStrategy.linear({ stepPercent: 10 }) }));
    expect(props.DeploymentConfiguration.LinearConfiguration).toEqual({ StepPercent: 10, StepBakeTimeInMinutes: 6 });
  });

  test('canary defaults: the ECS canary bake time of 10 minutes, 10 minutes of bake time', () => {
    const { props } = web(() => ({ strategy: DeploymentStrategy.canary({ percent: 5 }) }));
    expect(props.DeploymentConfiguration).toMatchObject({
      BakeTimeInMinutes: 10, CanaryConfiguration: { CanaryPercent: 5, CanaryBakeTimeInMinutes: 10 },
    });
  });
});

describe('blue/green: the deprecated prop and the strategy give the same template', () => {
  test('deployment.blueGreen equals strategy: DeploymentStrategy.blueGreen()', () => {
    const old = web(() => ({ blueGreen: { bakeTime: Duration.minutes(3), testHeader: 'x-canary' } }));
    const now = web(() => ({ strategy: DeploymentStrategy.blueGreen({ bakeTime: Duration.minutes(3), testHeader: 'x-canary' }) }));
    expect(now.template.toJSON()).toEqual(old.template.toJSON());
    expect(now.props.DeploymentConfiguration).toMatchObject({ Strategy: 'BLUE_GREEN', BakeTimeInMinutes: 3 });
  });
});

describe('rollback alarms and the circuit breaker', () => {
  test('rolling (the default) keeps today\'s template: no strategy, no alarms, generated alarm names', () => {
    const { props, template } = web(() => undefined);
    expect(props.DeploymentConfiguration.Strategy).toBeUndefined();
    // aws-cdk-lib's default without deployment alarms (feature flag @aws-cdk/aws-ecs:removeDefaultDeploymentAlarm off).
    expect(props.DeploymentConfiguration.Alarms).toEqual(NO_ALARMS);
    expect(props.DeploymentConfiguration.DeploymentCircuitBreaker).toEqual({ Enable: true, Rollback: true });
    expect(Object.values<any>(template.findResources('AWS::CloudWatch::Alarm')).every(a => a.Properties.AlarmName === undefined)).toBe(true);
  });

  test('rollbackOnAlarm: false leaves a canary deployment to the circuit breaker and the given alarms', () => {
    const { props, template } = web(() => ({ strategy: DeploymentStrategy.canary({ percent: 10 }), rollbackOnAlarm: false }));
    expect(props.DeploymentConfiguration.Alarms).toEqual(NO_ALARMS);
    expect(Object.values<any>(template.findResources('AWS::CloudWatch::Alarm')).every(a => a.Properties.AlarmName === undefined)).toBe(true);
  });

  test('alarm names start with the stack name: one app deployed under two stack names in one account and Region', () => {
    const app = new App();
    const stack = new Stack(app, 'Web', { stackName: 'prod-web', env: { account: '123456789012', region: 'us-east-1' } });
    const service = new WebService(stack, 'Api', {
      cluster: new FoundryCluster(stack, 'Cluster'),
      image,
      port: 8080,
      loadBalancerOptions: { allowHttp: true },
      deployment: { strategy: DeploymentStrategy.blueGreen() },
    });
    Template.fromStack(stack);
    // Without the running-task condition (an alarm of its own, not named: no rollback reads it), the conditions of
    // both target groups fit one alarm of 10 metrics.
    expect(service.alarms.map(a => a.node.id)).toEqual(['Unhealthy', 'RunningTasks']);
    expect((service.alarms[0].node.defaultChild as any).alarmName).toMatch(/^prodweb-Api-Alarms-Unhealthy-[0-9A-F]{8}$/);
    expect(Token.isUnresolved((service.alarms[1].node.defaultChild as any).alarmName)).toBe(true);
  });

  test('upgrading: an existing deployment.blueGreen service keeps its template with rollbackOnAlarm: false', () => {
    const { props, template } = web(() => ({ blueGreen: {}, rollbackOnAlarm: false }));
    expect(props.DeploymentConfiguration.Alarms).toEqual(NO_ALARMS);
    expect(Object.values<any>(template.findResources('AWS::CloudWatch::Alarm')).every(a => a.Properties.AlarmName === undefined)).toBe(true);
    // ...and without it, rolls back on its own alarms.
    expect(web(() => ({ blueGreen: {} })).props.DeploymentConfiguration.Alarms).toMatchObject({ Enable: true, Rollback: true });
  });

  test('an empty list of lifecycle hooks is no hook: no role, no LifecycleHooks', () => {
    const { props, service } = web(() => ({ strategy: DeploymentStrategy.blueGreen(), lifecycleHooks: [] }));
    expect(props.DeploymentConfiguration.LifecycleHooks).toBeUndefined();
    expect(service.lifecycleHookRole).toBeUndefined();
  });

  test('one function at two hooks is granted once', () => {
    const { template, stack, hook } = web(h => ({
      strategy: DeploymentStrategy.blueGreen(),
      lifecycleHooks: [{ handler: h, stages: [Stage.PRE_SCALE_UP] }, { handler: h, stages: [Stage.POST_PRODUCTION_TRAFFIC_SHIFT] }],
    }));
    const statements = Object.values<any>(template.findResources('AWS::IAM::ManagedPolicy'))
      .flatMap(p => p.Properties.PolicyDocument.Statement).filter(st => st.Sid === 'InvokeLifecycleHooks');
    expect(statements).toEqual([expect.objectContaining({ Resource: { 'Fn::GetAtt': [stack.getLogicalId(hook.node.defaultChild as any), 'Arn'] } })]);
  });

  test('rollbackOnAlarm: true on a rolling deployment adds the service\'s alarms', () => {
    const { props, service } = web(() => ({ rollbackOnAlarm: true }));
    expect(service.alarms.map(a => a.node.id)).toEqual(['Unhealthy', 'RunningTasks']);
    expect(props.DeploymentConfiguration.Alarms.AlarmNames).toEqual([(service.alarms[0].node.defaultChild as any).alarmName]);
  });

  test('alarms turned off: a progressive deployment warns that no alarm can roll it back', () => {
    const { stack } = web(() => ({ strategy: DeploymentStrategy.canary({ percent: 10 }) }), { alarms: { enabled: false } });
    expect(warningsOf(stack, /deploymentWithoutAlarms/)).toEqual([
      expect.stringMatching(/^Web\/Web uses a CANARY deployment with the service's alarms turned off and no deployment.alarms.*\[ack: cdk-ecs-foundry:deploymentWithoutAlarms\]$/),
    ]);
    // Acknowledged with rollbackOnAlarm: false: no warning.
    const ack = web(() => ({ strategy: DeploymentStrategy.canary({ percent: 10 }), rollbackOnAlarm: false }), { alarms: { enabled: false } });
    expect(warningsOf(ack.stack, /deploymentWithoutAlarms/)).toEqual([]);
  });

  test('circuit breaker tuning: threshold and reset on healthy task, as CloudFormation allows', () => {
    const { props } = web(() => ({ circuitBreakerThreshold: CircuitBreakerThreshold.count(4), circuitBreakerResetOnHealthyTask: false }));
    expect(props.DeploymentConfiguration.DeploymentCircuitBreaker).toEqual({
      Enable: true, Rollback: true, ResetOnHealthyTask: false, ThresholdConfiguration: { Type: 'COUNT', Value: 4 },
    });
    expect(web(() => ({ circuitBreakerThreshold: CircuitBreakerThreshold.percent(30) })).props.DeploymentConfiguration.DeploymentCircuitBreaker
      .ThresholdConfiguration).toEqual({ Type: 'BOUNDED_PERCENT', Value: 30 });
    expect(web(() => ({ circuitBreakerThreshold: CircuitBreakerThreshold.unboundedPercent(10) }))
      .props.DeploymentConfiguration.DeploymentCircuitBreaker
      .ThresholdConfiguration).toEqual({ Type: 'UNBOUNDED_PERCENT', Value: 10 });
  });
});

describe('a worker (no load balancer, no Service Connect)', () => {
  test('blue/green runs without managed traffic shifting, with hooks at the stages that do not move traffic', () => {
    const stack = plainStack('W');
    const cluster = new FoundryCluster(stack, 'Cluster');
    const hook = hookIn(stack);
    const service = new WorkerService(stack, 'Worker', {
      cluster,
      image,
      deployment: { strategy: DeploymentStrategy.blueGreen(), lifecycleHooks: [{ handler: hook, stages: [Stage.POST_SCALE_UP] }] },
    });
    const props = Template.fromStack(stack).toJSON().Resources[stack.getLogicalId(service.ecsService.node.defaultChild as ecs.CfnService)].Properties;
    expect(props.DeploymentConfiguration).toMatchObject({ Strategy: 'BLUE_GREEN', BakeTimeInMinutes: 10, LifecycleHooks: [expect.objectContaining({ LifecycleStages: ['POST_SCALE_UP'] })] });
    expect(props.LoadBalancers ?? []).toEqual([]);
  });

  test.each<[string, Partial<WorkerServiceProps>, RegExp]>([
    ['canary', { deployment: { strategy: DeploymentStrategy.canary({ percent: 10 }) } },
      /^WorkerService 'Worker\/Worker': invalid deployment\.strategy = 'CANARY'\. A canary deployment shifts traffic through a load balancer or Service Connect.*canary-deployment-implementation\.html.*blueGreen\(\)/],
    ['linear', { deployment: { strategy: DeploymentStrategy.linear({ stepPercent: 10 }) } }, /invalid deployment\.strategy = 'LINEAR'\..*linear-deployment-implementation\.html/],
    ['a test header', { deployment: { strategy: DeploymentStrategy.blueGreen({ testHeader: 'x-test' }) } }, /invalid deployment\.strategy\.testHeader = 'x-test'\. This service has no traffic to route/],
    ['a test listener port', { deployment: { strategy: DeploymentStrategy.blueGreen({ testListenerPort: 8081 }) } }, /invalid deployment\.strategy\.testListenerPort = 8081\. This service has no traffic/],
  ])('rejects %s', (_name, p, message) => {
    expect(() => worker(p)).toThrow(message);
  });

  test('rejects a hook at a traffic stage: the worker has no traffic to shift', () => {
    const stack = plainStack('W');
    const cluster = new FoundryCluster(stack, 'Cluster');
    const hook = hookIn(stack);
    expect(() => new WorkerService(stack, 'Worker', {
      cluster,
      image,
      deployment: { strategy: DeploymentStrategy.blueGreen(), lifecycleHooks: [{ handler: hook, stages: [Stage.POST_TEST_TRAFFIC_SHIFT] }] },
    })).toThrow(/invalid deployment\.lifecycleHooks\[0\]\.stages = 'POST_TEST_TRAFFIC_SHIFT'\. This service has no load balancer or Service Connect.*blue-green-deployment-implementation\.html/);
  });
});

describe('bad inputs fail at synth with the prop, the value and the rule', () => {
  const token = Token.asNumber(Lazy.number({ produce: () => 10 }));
  test.each<[string, (hook: lambda.Function) => WebServiceProps['deployment'], RegExp]>([
    ['canary percent 0', () => ({ strategy: DeploymentStrategy.canary({ percent: 0 }) }), /invalid deployment\.strategy\.percent = 0\. ECS takes a multiple of 0\.1 from 0\.1 to 100/],
    ['canary percent above 100', () => ({ strategy: DeploymentStrategy.canary({ percent: 100.1 }) }), /invalid deployment\.strategy\.percent = 100\.1/],
    ['canary percent negative', () => ({ strategy: DeploymentStrategy.canary({ percent: -5 }) }), /invalid deployment\.strategy\.percent = -5/],
    ['canary percent of 0.05 (not a tenth)', () => ({ strategy: DeploymentStrategy.canary({ percent: 0.05 }) }), /invalid deployment\.strategy\.percent = 0\.05/],
    ['canary percent 12.34', () => ({ strategy: DeploymentStrategy.canary({ percent: 12.34 }) }), /invalid deployment\.strategy\.percent = 12\.34/],
    ['canary percent NaN', () => ({ strategy: DeploymentStrategy.canary({ percent: NaN }) }), /invalid deployment\.strategy\.percent = NaN/],
    ['canary percent a token', () => ({ strategy: DeploymentStrategy.canary({ percent: token }) }), /invalid deployment\.strategy\.percent = .*Give a number from 0\.1 to 100/],
    ['canary percent missing (JavaScript)', () => ({ strategy: DeploymentStrategy.canary({} as any) }), /invalid deployment\.strategy\.percent = undefined/],
    ['linear stepPercent below 3', () => ({ strategy: DeploymentStrategy.linear({ stepPercent: 2.9 }) }), /invalid deployment\.strategy\.stepPercent = 2\.9\. ECS takes a multiple of 0\.1 from 3 to 100/],
    ['linear stepPercent fractional', () => ({ strategy: DeploymentStrategy.linear({ stepPercent: 10.25 }) }), /invalid deployment\.strategy\.stepPercent = 10\.25/],
    ['bake time above 24 hours', () => ({ strategy: DeploymentStrategy.blueGreen({ bakeTime: Duration.minutes(1441) }) }), /invalid deployment\.strategy\.bakeTime \(minutes\) = 1441\. Use a whole number between 0 and 1440/],
    ['bake time not in whole minutes', () => ({ strategy: DeploymentStrategy.canary({ percent: 5, bakeTime: Duration.seconds(90) }) }), /invalid deployment\.strategy\.bakeTime \(minutes\) = 1\.5/],
    ['bake time a token', () => ({ strategy: DeploymentStrategy.blueGreen({ bakeTime: Duration.minutes(token) }) }), /invalid deployment\.strategy\.bakeTime = .*Give a concrete Duration in whole minutes/],
    ['canary bake time above 24 hours', () => ({ strategy: DeploymentStrategy.canary({ percent: 5, canaryBakeTime: Duration.hours(25) }) }), /invalid deployment\.strategy\.canaryBakeTime \(minutes\) = 1500/],
    ['step bake time not in whole minutes', () => ({ strategy: DeploymentStrategy.linear({ stepPercent: 10, stepBakeTime: Duration.seconds(30) }) }), /invalid deployment\.strategy\.stepBakeTime \(minutes\) = 0\.5/],
    ['canary beyond the 33 hours CloudFormation allows', () => ({ strategy: DeploymentStrategy.canary({ percent: 5, bakeTime: Duration.hours(24), canaryBakeTime: Duration.hours(10) }) }),
      /invalid deployment\.strategy\.canaryBakeTime = '10 hours'\. bakeTime \(1440 min\) \+ canaryBakeTime \(600 min\) passes the 33 hours.*aws-properties-ecs-service-canaryconfiguration\.html/],
    ['linear beyond the 33 hours CloudFormation allows', () => ({ strategy: DeploymentStrategy.linear({ stepPercent: 3, stepBakeTime: Duration.hours(1) }) }),
      /invalid deployment\.strategy\.stepBakeTime = '1 hour'\. bakeTime \(10 min\) \+ stepBakeTime \(60 min\) × 33 steps passes the 33 hours.*linearconfiguration\.html/],
    ['hooks on a rolling deployment', hook => ({ lifecycleHooks: [{ handler: hook, stages: [Stage.PRE_SCALE_UP] }] }),
      /invalid deployment\.lifecycleHooks = \['PRE_SCALE_UP'\]\. Lifecycle hooks run at the stages of a blue\/green, canary or linear deployment.*deployment-lifecycle-hooks\.html/],
    ['a hook without stages', hook => ({ strategy: DeploymentStrategy.blueGreen(), lifecycleHooks: [{ handler: hook, stages: [] }] }), /invalid deployment\.lifecycleHooks\[0\]\.stages = \[\]\. Give at least one/],
    ['a hook with a stage twice', hook => ({ strategy: DeploymentStrategy.blueGreen(), lifecycleHooks: [{ handler: hook, stages: [Stage.POST_SCALE_UP, Stage.POST_SCALE_UP] }] }),
      /invalid deployment\.lifecycleHooks\[0\]\.stages = 'POST_SCALE_UP'\. Each stage once per hook/],
    ['a hook with an unknown stage', hook => ({ strategy: DeploymentStrategy.blueGreen(), lifecycleHooks: [{ handler: hook, stages: ['BEFORE_INSTALL' as ecs.DeploymentLifecycleStage] }] }),
      /invalid deployment\.lifecycleHooks\[0\]\.stages = 'BEFORE_INSTALL'\. Use an ecs\.DeploymentLifecycleStage/],
    ['a hook without a function (JavaScript)', () => ({ strategy: DeploymentStrategy.blueGreen(), lifecycleHooks: [{ stages: [Stage.POST_SCALE_UP] } as any] }),
      /invalid deployment\.lifecycleHooks\[0\]\.handler = undefined/],
    ['blueGreen and strategy together', () => ({ blueGreen: {}, strategy: DeploymentStrategy.canary({ percent: 5 }) }),
      /invalid deployment\.blueGreen = \{\}\. blueGreen is deprecated and strategy replaces it/],
    ['a strategy that is not a DeploymentStrategy (JavaScript)', () => ({ strategy: { type: 'CANARY' } as any }), /invalid deployment\.strategy = .*Use DeploymentStrategy\.rolling\(\)/],
    ['a test header with a space', () => ({ strategy: DeploymentStrategy.canary({ percent: 5, testHeader: 'x test' }) }), /invalid deployment\.strategy\.testHeader = 'x test'\. Use an HTTP header name/],
    ['an empty test header', () => ({ strategy: DeploymentStrategy.blueGreen({ testHeader: '' }) }), /invalid deployment\.strategy\.testHeader = ''/],
    ['a test header of 41 characters', () => ({ strategy: DeploymentStrategy.linear({ stepPercent: 10, testHeader: 'x'.repeat(41) }) }), /invalid deployment\.strategy\.testHeader = 'x{41}'/],
    ['the deprecated blueGreen with an invalid test header', () => ({ blueGreen: { testHeader: 'x_y' } }), /invalid deployment\.blueGreen\.testHeader = 'x_y'/],
    ['a test listener port on a web service', () => ({ strategy: DeploymentStrategy.blueGreen({ testListenerPort: 8081 }) }),
      /invalid deployment\.strategy\.testListenerPort = 8081\. Test traffic reaches the new revision through testHeader on the production listener/],
    ['rollbackOnAlarm with alarms off', () => ({ strategy: DeploymentStrategy.canary({ percent: 5 }), rollbackOnAlarm: true }),
      /invalid deployment\.rollbackOnAlarm = true\. The service's alarms are turned off/],
    ['a circuit breaker threshold of 0', () => ({ circuitBreakerThreshold: CircuitBreakerThreshold.count(0) }), /invalid deployment\.circuitBreakerThreshold = 0\. Use a whole number at least 1/],
    ['a circuit breaker threshold that is no CircuitBreakerThreshold (JavaScript)', () => ({ circuitBreakerThreshold: { value: 3 } as any }),
      /invalid deployment\.circuitBreakerThreshold = .*Use CircuitBreakerThreshold\.percent\(\), \.unboundedPercent\(\) or \.count\(\)/],
    ['a fractional circuit breaker threshold', () => ({ circuitBreakerThreshold: CircuitBreakerThreshold.percent(12.5) }), /invalid deployment\.circuitBreakerThreshold = 12\.5/],
    ['circuit breaker tuning with the circuit breaker off', () => ({ circuitBreaker: false, circuitBreakerResetOnHealthyTask: true }),
      /invalid deployment\.circuitBreakerResetOnHealthyTask = true\. They tune the circuit breaker, which circuitBreaker: false turns off/],
  ])('%s', (name, deployment, message) => {
    const extra = name === 'rollbackOnAlarm with alarms off' ? { alarms: { enabled: false } } : {};
    expect(() => web(deployment, extra)).toThrow(message);
    expect(() => web(deployment, extra)).toThrow(/^WebService 'Web\/Web': invalid /);
  });
});

describe('the modeled deployment time', () => {
  const inputs = {
    healthCheckInterval: Duration.seconds(10),
    healthyThreshold: 3,
    deregistrationDelay: Duration.seconds(30),
    minHealthyPercent: 100,
    maxHealthyPercent: 200,
  };
  const resolve = (strategy: DeploymentStrategy) =>
    resolveDeployment(plainStack(), { deployment: { strategy }, frontEnd: ServiceFrontEnd.APPLICATION_LOAD_BALANCER } as any, true).strategy;
  const total = (strategy: DeploymentStrategy, over: Partial<typeof inputs> & { trafficShiftDelay?: Duration } = {}) =>
    modelDeploymentTime(resolve(strategy), { ...inputs, ...over }).total.toSeconds();

  test('rolling: one batch at 100-200 %, two at 50-100 %, one when the percents are tokens', () => {
    expect(total(DeploymentStrategy.rolling())).toBe(30 + 30);
    expect(total(DeploymentStrategy.rolling(), { minHealthyPercent: Token.asNumber(Lazy.number({ produce: () => 50 })) })).toBe(30 + 30);
    expect(total(DeploymentStrategy.rolling(), { minHealthyPercent: 50, maxHealthyPercent: 100 })).toBe(2 * (30 + 30));
  });

  test('blue/green, canary and linear: each knob adds its time', () => {
    expect(modelDeploymentTime(resolve(DeploymentStrategy.blueGreen()), inputs).total.toSeconds()).toBe(30 + 600 + 30);
    expect(modelDeploymentTime(resolve(DeploymentStrategy.canary({ percent: 10 })), inputs).total.toSeconds()).toBe(30 + 600 + 600 + 30);
    // 10 % steps: 10 shifts, a step bake time after the first 9 (CloudFormation's count).
    expect(modelDeploymentTime(resolve(DeploymentStrategy.linear({ stepPercent: 10 })), inputs).total.toSeconds()).toBe(30 + 9 * 360 + 600 + 30);
    // A Network Load Balancer adds 10 minutes to each traffic shift stage.
    expect(total(DeploymentStrategy.blueGreen(), { trafficShiftDelay: Duration.minutes(10) })).toBe(30 + 1200 + 600 + 30);
  });

  test('linear steps as CloudFormation counts them: (100 ÷ step) − 1 when it divides 100, else its floor', () => {
    expect([3, 10, 11, 25, 33.3, 50, 100].map(linearBakedSteps)).toEqual([33, 9, 9, 3, 3, 1, 0]);
  });

  test('the README table is the model\'s output for a WebService with the default target group', () => {
    const readme = fs.readFileSync(path.join(__dirname, '..', '..', 'README.md'), 'utf-8');
    const rows: Array<[string, DeploymentStrategy]> = [
      ['rolling (default)', DeploymentStrategy.rolling()],
      ['blue/green', DeploymentStrategy.blueGreen()],
      ['canary 10 %', DeploymentStrategy.canary({ percent: 10 })],
      ['linear 10 % steps', DeploymentStrategy.linear({ stepPercent: 10 })],
      ['linear 25 % steps, 2 min', DeploymentStrategy.linear({ stepPercent: 25, stepBakeTime: Duration.minutes(2) })],
    ];
    // The defaults of a WebService's target group: 10 s × 2 healthy checks, 30 s deregistration delay.
    const defaults = { ...inputs, healthyThreshold: 2 };
    const models = rows.map(([label, s]): [string, ReturnType<typeof modelDeploymentTime>] => [label, modelDeploymentTime(resolve(s), defaults)]);
    // Each row is what a WebService with that strategy and its defaults reports.
    rows.forEach(([, strategy], i) => {
      expect(web(() => ({ strategy })).service.modeledDeploymentTime.toSeconds()).toBe(models[i][1].total.toSeconds());
    });
    expect(readme).toContain(deploymentTimeTable(models));
    expect(DeploymentStrategyType.CANARY).toBe('CANARY');
  });
});

/** The README's modeled deployment time table, rendered from the model. */
function deploymentTimeTable(rows: Array<[string, ReturnType<typeof modelDeploymentTime>]>): string {
  const fmt = (s: number) => (s === 0 ? '0' : s % 60 === 0 ? `${s / 60} min` : s < 60 ? `${s} s` : `${Math.floor(s / 60)} min ${s % 60} s`);
  const phase = (m: ReturnType<typeof modelDeploymentTime>, name: RegExp) =>
    m.phases.filter(p => name.test(p.name)).reduce((sum, p) => sum + p.time.toSeconds(), 0);
  const lines = [
    '| strategy | new tasks healthy | traffic shifts + canary/linear waits | bake time | old tasks drain | total |',
    '|---|---|---|---|---|---|',
    ...rows.map(([label, m]) => `| ${label} | ${fmt(phase(m, /healthy/))} | ${fmt(phase(m, /traffic shift|canary|linear/))} | ${fmt(phase(m, /^bake time$/))} | ${fmt(phase(m, /drain/))} | ${fmt(m.total.toSeconds())} |`),
  ];
  return lines.join('\n');
}
