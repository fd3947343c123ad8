import { CfnParameter, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { matchesPattern, resolveIntrinsics } from './event-pattern';
import { renderInputTransformer } from './input-transformer';
import { FoundryCluster, StoppedTaskAlerts } from '../../src';
import { plainStack } from '../support/stacks';

// GIVEN one stack per configuration, synthesized once for the whole file.
const stack = plainStack('Alerts');
const cluster = new FoundryCluster(stack, 'Cluster', {
  logRetention: logs.RetentionDays.THREE_MONTHS,
  alertEmails: ['ops@example.com', 'On-Call+ecs@Example.co.uk'],
  alertSubscriptions: [new subscriptions.SqsSubscription(new sqs.Queue(stack, 'Inbox', { enforceSSL: true }))],
});
const template = Template.fromStack(stack);
const resources = template.toJSON().Resources as Record<string, any>;

const quietStack = plainStack('Quiet');
const quietCluster = new FoundryCluster(quietStack, 'Cluster', { stoppedTaskAlerts: false });
const quiet = Template.fromStack(quietStack);

const customStack = plainStack('Custom');
const importedTopic = sns.Topic.fromTopicArn(customStack, 'Pager', 'arn:aws:sns:us-east-1:123456789012:pager');
const customCluster = new FoundryCluster(customStack, 'Cluster', { stoppedTaskAlerts: false });
const custom = new StoppedTaskAlerts(customStack, 'Alerts', { cluster: customCluster, topic: importedTopic, spotInterruptions: false, serviceEvents: false });
const customTemplate = Template.fromStack(customStack);

const logicalId = (c: { node: { defaultChild?: unknown } }, s: Stack = stack) => s.getLogicalId(c.node.defaultChild as any);
const CLUSTER_ARN = 'arn:aws:ecs:us-east-1:123456789012:cluster/platform';
const OTHER_CLUSTER_ARN = 'arn:aws:ecs:us-east-1:123456789012:cluster/other';

/** The rendered event pattern of a rule, with the cluster's name and ARN filled in. */
function patternOf(rule: { node: { defaultChild?: unknown } }, s: Stack = stack, c: FoundryCluster = cluster): any {
  const json = Template.fromStack(s).toJSON().Resources[s.getLogicalId(rule.node.defaultChild as any)];
  const clusterId = s.getLogicalId(c.ecsCluster.node.defaultChild as any);
  return resolveIntrinsics(json.Properties.EventPattern, {
    'AWS::Partition': 'aws',
    [clusterId]: 'platform',
    [`${clusterId}.Arn`]: CLUSTER_ARN,
  });
}

/** An `ECS Task State Change` event of a stopped task. */
function stopped(detail: Record<string, unknown>, clusterArn = CLUSTER_ARN): object {
  return {
    'version': '0',
    'id': '3317b2af-7005-947d-b652-f55e762e571a',
    'detail-type': 'ECS Task State Change',
    'source': 'aws.ecs',
    'account': '123456789012',
    'time': '2026-11-21T10:00:00Z',
    'region': 'us-east-1',
    'resources': ['arn:aws:ecs:us-east-1:123456789012:task/platform/7f6e5d4c3b2a'],
    'detail': {
      clusterArn,
      taskArn: 'arn:aws:ecs:us-east-1:123456789012:task/platform/7f6e5d4c3b2a',
      group: 'service:web',
      lastStatus: 'STOPPED',
      desiredStatus: 'STOPPED',
      launchType: 'FARGATE',
      ...detail,
    },
  };
}

const FAILURES: Record<string, object> = {
  'image pull failed': stopped({
    stopCode: 'TaskFailedToStart',
    stoppedReason: 'CannotPullContainerError: pull image manifest has been retried 7 time(s): not found',
    containers: [{ name: 'app', lastStatus: 'STOPPED', reason: 'CannotPullContainerError: not found' }],
  }),
  'secret could not be read': stopped({
    stopCode: 'TaskFailedToStart',
    stoppedReason: 'ResourceInitializationError: unable to pull secrets or registry auth',
  }),
  'essential container exited 1': stopped({
    stopCode: 'EssentialContainerExited',
    stoppedReason: 'Essential container in task exited',
    containers: [{ name: 'app', exitCode: 1 }, { name: 'log-router', exitCode: 0 }],
  }),
  'essential container crashed (139); its sidecar was killed after the stop timeout (137)': stopped({
    stopCode: 'EssentialContainerExited',
    stoppedReason: 'Essential container in task exited',
    containers: [{ name: 'agent', exitCode: 137 }, { name: 'app', exitCode: 139 }],
  }),
  'out of memory': stopped({
    stopCode: 'EssentialContainerExited',
    stoppedReason: 'Essential container in task exited',
    containers: [{ name: 'app', exitCode: 137, reason: 'OutOfMemoryError: Container killed due to memory usage' }],
  }),
  'sidecar out of memory, task later scaled in': stopped({
    stopCode: 'ServiceSchedulerInitiated',
    stoppedReason: 'Scaling activity initiated by (deployment ecs-svc/1234567890)',
    containers: [{ name: 'app', exitCode: 143 }, { name: 'agent', exitCode: 137, reason: 'OutOfMemoryError: Container killed due to memory usage' }],
  }),
  'failed ELB health checks': stopped({
    stopCode: 'ServiceSchedulerInitiated',
    stoppedReason: 'Task failed ELB health checks in (target-group arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/web/73e2d6bc24d8a067)',
    containers: [{ name: 'app', exitCode: 143 }],
  }),
  'failed container health checks': stopped({
    stopCode: 'ServiceSchedulerInitiated',
    stoppedReason: 'Task failed container health checks',
    containers: [{ name: 'app', exitCode: 137 }],
  }),
  'Fargate Spot interruption': stopped({
    stopCode: 'SpotInterruption',
    stoppedReason: 'Your Spot Task was interrupted.',
    capacityProviderName: 'FARGATE_SPOT',
  }),
};

const ROUTINE: Record<string, object> = {
  'scale-in': stopped({
    stopCode: 'ServiceSchedulerInitiated',
    stoppedReason: 'Scaling activity initiated by (deployment ecs-svc/1234567890)',
    containers: [{ name: 'app', exitCode: 143 }],
  }),
  'deployment replaced a task that ignores SIGTERM': stopped({
    stopCode: 'ServiceSchedulerInitiated',
    stoppedReason: 'Scaling activity initiated by (deployment ecs-svc/9876543210)',
    containers: [{ name: 'app', exitCode: 137 }],
  }),
  'StopTask by an operator': stopped({
    stopCode: 'UserInitiated',
    stoppedReason: 'Task stopped by user',
    containers: [{ name: 'app', exitCode: 137, reason: 'OutOfMemoryError: Container killed due to memory usage' }],
  }),
  'batch job finished; its sidecar ignored SIGTERM and was killed after the stop timeout (137)': stopped({
    group: 'family:nightly-report',
    stopCode: 'EssentialContainerExited',
    stoppedReason: 'Essential container in task exited',
    containers: [{ name: 'log-router', exitCode: 137 }, { name: 'app', exitCode: 0 }, { name: 'agent', exitCode: 143 }],
  }),
  'batch job finished; its sidecar was stopped': stopped({
    group: 'family:nightly-report',
    stopCode: 'EssentialContainerExited',
    stoppedReason: 'Essential container in task exited',
    containers: [{ name: 'app', exitCode: 0 }, { name: 'agent', exitCode: 143 }],
  }),
  'a task still running': stopped({ lastStatus: 'RUNNING', desiredStatus: 'RUNNING' }),
  'a failure in another cluster': stopped({
    stopCode: 'EssentialContainerExited',
    containers: [{ name: 'app', exitCode: 1 }],
  }, OTHER_CLUSTER_ARN),
};

describe('stopped-task rule', () => {
  const pattern = patternOf(cluster.stoppedTaskRule!);

  test.each(Object.keys(FAILURES))('alerts when a task stopped because: %s', name => {
    expect(matchesPattern(pattern, FAILURES[name])).toBe(true);
  });

  test.each(Object.keys(ROUTINE))('stays quiet for: %s', name => {
    expect(matchesPattern(pattern, ROUTINE[name])).toBe(false);
  });

  test('watches only this cluster, only stopped tasks', () => {
    expect(pattern).toMatchObject({
      'source': ['aws.ecs'],
      'detail-type': ['ECS Task State Change'],
      'detail': { clusterArn: [CLUSTER_ARN], lastStatus: ['STOPPED'] },
    });
  });

  test('without spotInterruptions, Fargate Spot interruptions do not alert (other failures still do)', () => {
    const customPattern = patternOf(custom.stoppedTaskRule, customStack, customCluster);
    expect(matchesPattern(customPattern, FAILURES['Fargate Spot interruption'])).toBe(false);
    expect(matchesPattern(customPattern, FAILURES['image pull failed'])).toBe(true);
  });

  test('sends a readable message to the alert topic: group, task, container, stop code, reason, exit code', () => {
    const rule = resources[logicalId(cluster.stoppedTaskRule!)];
    const topicTarget = rule.Properties.Targets.find((t: any) => t.Arn.Ref === logicalId(cluster.alertTopic as sns.Topic));
    const transformer = topicTarget.InputTransformer;
    expect(Object.values(transformer.InputPathsMap)).toEqual(expect.arrayContaining([
      '$.detail.group', '$.detail.taskArn', '$.detail.containers[0].name', '$.detail.stopCode',
      '$.detail.stoppedReason', '$.detail.containers[0].exitCode',
    ]));
    const text = JSON.stringify(transformer.InputTemplate);
    for (const label of ['ECS task stopped:', 'Reason:', 'Container:', 'exit code', 'Task:', 'Task definition:']) {
      expect(text).toContain(label);
    }
    // Not the raw event.
    expect(text).not.toContain('aws.events.event');
  });

  test('a stop reason with quotes, a backslash and a newline arrives intact, as plain text lines without quotes', () => {
    const rule = resources[logicalId(cluster.stoppedTaskRule!)];
    const transformer = rule.Properties.Targets.find((t: any) => t.Arn.Ref === logicalId(cluster.alertTopic as sns.Topic)).InputTransformer;
    const reason = 'CannotStartContainerError: Error response from daemon: failed to create shim: OCI runtime create failed: exec: "/app/run\\x": permission denied\nsee "docker logs"';
    const event = stopped({
      stopCode: 'EssentialContainerExited',
      stoppedReason: reason,
      containers: [{ name: 'app', exitCode: 1, reason: 'exit "status" 1' }],
    });
    const rendered = renderInputTransformer(resolveIntrinsics(transformer, { [logicalId(cluster.alertLogGroup as logs.LogGroup)]: 'alerts-log-group' }), event);
    // EventBridge sends a text template as it is: no JSON string to break, nothing to escape.
    expect(rendered.json).toBe(false);
    const lines = rendered.text.split('\n');
    expect(lines[0]).toBe('ECS task stopped: EssentialContainerExited in service:web');
    expect(rendered.text).toContain(`Reason: ${reason}`);
    expect(rendered.text).toContain('Container: app, exit code 1 exit "status" 1');
    expect(rendered.text).toContain('CloudWatch Logs group alerts-log-group');
    // No line comes wrapped in quotes (RuleTargetInput.fromMultilineText quotes every line).
    for (const line of lines) {
      expect(line).not.toMatch(/^".*"$/);
    }
  });

  test.each([
    ['service event', () => cluster.stoppedTaskAlerts!.serviceEventRule!, {
      'detail-type': 'ECS Service Action',
      'source': 'aws.ecs',
      'time': '2026-11-21T10:00:00Z',
      'resources': ['arn:aws:ecs:us-east-1:123456789012:service/platform/web'],
      'detail': { eventType: 'WARN', eventName: 'SERVICE_TASK_START_IMPAIRED', clusterArn: CLUSTER_ARN, reason: 'image "web:1" not found\nretrying' },
    }],
    ['failed deployment', () => cluster.stoppedTaskAlerts!.deploymentRule!, {
      'detail-type': 'ECS Deployment State Change',
      'source': 'aws.ecs',
      'time': '2026-11-21T10:00:00Z',
      'resources': ['arn:aws:ecs:us-east-1:123456789012:service/platform/web'],
      'detail': { eventName: 'SERVICE_DEPLOYMENT_FAILED', deploymentId: 'ecs-svc/1', reason: 'ECS deployment circuit breaker: "tasks failed to start".' },
    }],
  ])('the %s message keeps quotes and newlines of the reason, as plain text', (_name, rule, event) => {
    const transformer = resources[logicalId(rule())].Properties.Targets[0].InputTransformer;
    const rendered = renderInputTransformer(resolveIntrinsics(transformer, { [logicalId(cluster.alertLogGroup as logs.LogGroup)]: 'alerts-log-group' }), event);
    expect(rendered.json).toBe(false);
    expect(rendered.text).toContain(`Reason: ${(event.detail as any).reason}`);
    expect(rendered.text).toMatch(/(Service|deployment failed): arn:aws:ecs:us-east-1:123456789012:service\/platform\/web\n/);
    for (const line of rendered.text.split('\n')) {
      expect(line).not.toMatch(/^".*"$/);
    }
  });

  test('keeps the raw events in a log group encrypted with the cluster key, with the cluster retention, retained', () => {
    expect(cluster.alertLogGroup).toBe(cluster.stoppedTaskAlerts!.logGroup);
    const logGroupId = logicalId(cluster.alertLogGroup as logs.LogGroup);
    expect(resources[logGroupId]).toMatchObject({
      Type: 'AWS::Logs::LogGroup',
      Properties: { RetentionInDays: 90, KmsKeyId: { 'Fn::GetAtt': [logicalId(cluster.encryptionKey as any), 'Arn'] } },
      DeletionPolicy: 'Retain',
    });
    const logTarget = resources[logicalId(cluster.stoppedTaskRule!)].Properties.Targets.find((t: any) => JSON.stringify(t.Arn).includes(':log-group:'));
    expect(logTarget.InputTransformer).toBeUndefined();
    expect(logTarget.Input).toBeUndefined();
    expect(JSON.stringify(logTarget.Arn)).toContain(logGroupId);
  });

  test('lets EventBridge write to that log group through the log group\'s own resource policy, not an account-level one', () => {
    const logGroupId = logicalId(cluster.alertLogGroup as logs.LogGroup);
    // An account has at most 10 AWS::Logs::ResourcePolicy per Region, shared with every other stack and service.
    template.resourceCountIs('AWS::Logs::ResourcePolicy', 0);
    const document = resolveIntrinsics(resources[logGroupId].Properties.ResourcePolicyDocument, { 'AWS::Partition': 'aws' });
    expect(document.Statement).toEqual([{
      Sid: 'EventBridgeWritesMatchedEvents',
      Effect: 'Allow',
      Principal: { Service: ['events.amazonaws.com', 'delivery.logs.amazonaws.com'] },
      Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
      Resource: 'arn:aws:logs:us-east-1:123456789012:log-group:*',
    }]);
    // The other log groups of the cluster have no resource policy.
    const withPolicy = Object.entries(resources).filter(([, r]) => r.Type === 'AWS::Logs::LogGroup' && r.Properties?.ResourcePolicyDocument);
    expect(withPolicy.map(([id]) => id)).toEqual([logGroupId]);
    template.resourceCountIs('Custom::CloudwatchLogResourcePolicy', 0);
    // The only function is aws-cdk-lib's own (the VPC's default security group restriction), as without alerts.
    const functions = (t: Template) => Object.keys(t.findResources('AWS::Lambda::Function')).length;
    expect(functions(template)).toBe(functions(quiet));
    template.resourceCountIs('Custom::AWS', 0);
  });

  test('lets EventBridge publish to the alert topic', () => {
    template.hasResourceProperties('AWS::SNS::TopicPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([Match.objectLike({
          Effect: 'Allow', Principal: { Service: 'events.amazonaws.com' }, Action: 'sns:Publish',
        })]),
      },
    });
  });
});

describe('service event rules', () => {
  const serviceAction = (eventName: string, eventType: string, clusterArn = CLUSTER_ARN) => ({
    'detail-type': 'ECS Service Action',
    'source': 'aws.ecs',
    'resources': ['arn:aws:ecs:us-east-1:123456789012:service/platform/web'],
    'detail': { eventType, eventName, clusterArn, createdAt: '2026-11-21T10:00:00.000Z' },
  });
  const deployment = (eventName: string, service = 'arn:aws:ecs:us-east-1:123456789012:service/platform/web') => ({
    'detail-type': 'ECS Deployment State Change',
    'source': 'aws.ecs',
    'resources': [service],
    'detail': { eventType: eventName === 'SERVICE_DEPLOYMENT_FAILED' ? 'ERROR' : 'INFO', eventName, deploymentId: 'ecs-svc/123', reason: 'ECS deployment circuit breaker: tasks failed to start.' },
  });

  test('alerts on service warnings and errors of this cluster only', () => {
    const pattern = patternOf(cluster.stoppedTaskAlerts!.serviceEventRule!);
    expect(matchesPattern(pattern, serviceAction('SERVICE_TASK_START_IMPAIRED', 'WARN'))).toBe(true);
    expect(matchesPattern(pattern, serviceAction('SERVICE_DISCOVERY_INSTANCE_UNHEALTHY', 'WARN'))).toBe(true);
    expect(matchesPattern(pattern, serviceAction('SERVICE_TASK_PLACEMENT_FAILURE', 'ERROR'))).toBe(true);
    expect(matchesPattern(pattern, serviceAction('SERVICE_STEADY_STATE', 'INFO'))).toBe(false);
    expect(matchesPattern(pattern, serviceAction('SERVICE_TASK_START_IMPAIRED', 'WARN', OTHER_CLUSTER_ARN))).toBe(false);
  });

  test('alerts on failed deployments of services of this cluster only', () => {
    const pattern = patternOf(cluster.stoppedTaskAlerts!.deploymentRule!);
    expect(matchesPattern(pattern, deployment('SERVICE_DEPLOYMENT_FAILED'))).toBe(true);
    expect(matchesPattern(pattern, deployment('SERVICE_DEPLOYMENT_COMPLETED'))).toBe(false);
    expect(matchesPattern(pattern, deployment('SERVICE_DEPLOYMENT_FAILED', 'arn:aws:ecs:us-east-1:123456789012:service/other/web'))).toBe(false);
    // A cluster whose name starts like this one's is another cluster.
    expect(matchesPattern(pattern, deployment('SERVICE_DEPLOYMENT_FAILED', 'arn:aws:ecs:us-east-1:123456789012:service/platform-2/web'))).toBe(false);
  });

  test('each sends a readable message and the raw event', () => {
    for (const rule of [cluster.stoppedTaskAlerts!.serviceEventRule!, cluster.stoppedTaskAlerts!.deploymentRule!]) {
      const targets = resources[logicalId(rule)].Properties.Targets;
      expect(targets).toHaveLength(2);
      const text = JSON.stringify(targets[0].InputTransformer.InputTemplate);
      expect(text).toMatch(/ECS (service event|deployment failed)/);
      expect(text).toContain('Reason:');
    }
  });

  test('serviceEvents: false creates only the stopped-task rule', () => {
    expect(custom.serviceEventRule).toBeUndefined();
    expect(custom.deploymentRule).toBeUndefined();
    customTemplate.resourceCountIs('AWS::Events::Rule', 1);
  });
});

describe('alert subscriptions and options', () => {
  test('subscribes each alertEmails address and each alertSubscriptions subscription', () => {
    template.resourceCountIs('AWS::SNS::Subscription', 3);
    for (const email of ['ops@example.com', 'On-Call+ecs@Example.co.uk']) {
      template.hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'email', Endpoint: email });
    }
    template.hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'sqs' });
  });

  test('stoppedTaskAlerts: false creates no rule and no alert log group', () => {
    quiet.resourceCountIs('AWS::Events::Rule', 0);
    quiet.resourceCountIs('AWS::Logs::ResourcePolicy', 0);
    expect(quietCluster.stoppedTaskRule).toBeUndefined();
    expect(quietCluster.alertLogGroup).toBeUndefined();
  });

  test('an imported topic receives the alerts; its policy is its owner\'s business', () => {
    const rule = customTemplate.toJSON().Resources[logicalId(custom.stoppedTaskRule, customStack)];
    expect(rule.Properties.Targets[0].Arn).toBe('arn:aws:sns:us-east-1:123456789012:pager');
    customTemplate.resourceCountIs('AWS::SNS::TopicPolicy', 1); // the cluster's own topic only
  });

  test.each([
    ['not an address', 'ops'],
    ['no domain', 'ops@'],
    ['no top-level domain', 'ops@example'],
    ['spaces', 'o ps@example.com'],
    ['two at signs', 'ops@@example.com'],
  ])('rejects an invalid alert e-mail (%s)', (_name, email) => {
    expect(() => new FoundryCluster(plainStack(), 'Cluster', { alertEmails: [email] }))
      .toThrow(new RegExp(`FoundryCluster 'Test/Cluster': invalid alertEmails = '${email.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}'. Use an e-mail address`));
  });

  test('rejects an address listed twice (case-insensitively)', () => {
    expect(() => new FoundryCluster(plainStack(), 'Cluster', { alertEmails: ['ops@example.com', 'OPS@example.com'] }))
      .toThrow(/invalid alertEmails = \['ops@example.com', 'OPS@example.com'\]. OPS@example.com is listed twice/);
  });

  test('rejects a non-list', () => {
    expect(() => new FoundryCluster(plainStack(), 'Cluster', { alertEmails: 'ops@example.com' as any }))
      .toThrow(/invalid alertEmails = 'ops@example.com'. Pass a list/);
  });

  test('accepts addresses that are tokens', () => {
    const s = plainStack();
    const email = new CfnParameter(s, 'OpsEmail', { type: 'String' }).valueAsString;
    new FoundryCluster(s, 'Cluster', { alertEmails: [email] });
    Template.fromStack(s).hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'email', Endpoint: { Ref: 'OpsEmail' } });
  });

  test('StoppedTaskAlerts needs a cluster', () => {
    expect(() => new StoppedTaskAlerts(plainStack(), 'Alerts', {} as any)).toThrow(/StoppedTaskAlerts 'Test\/Alerts': invalid cluster = undefined/);
  });
});

describe('the test matcher itself', () => {
  test('implements the filters the rules use', () => {
    const event = { detail: { code: 'TaskFailedToStart', n: 5, list: [{ x: 1 }, { x: 2 }] } };
    expect(matchesPattern({ detail: { code: [{ prefix: 'Task' }] } }, event)).toBe(true);
    expect(matchesPattern({ detail: { code: [{ suffix: 'Start' }] } }, event)).toBe(true);
    expect(matchesPattern({ detail: { code: [{ wildcard: '*Failed*' }] } }, event)).toBe(true);
    expect(matchesPattern({ detail: { code: [{ 'anything-but': ['TaskFailedToStart'] }] } }, event)).toBe(false);
    expect(matchesPattern({ detail: { n: [{ numeric: ['>', 4, '<=', 5] }] } }, event)).toBe(true);
    expect(matchesPattern({ detail: { n: [{ numeric: ['>', 5] }] } }, event)).toBe(false);
    expect(matchesPattern({ detail: { missing: [{ exists: false }] } }, event)).toBe(true);
    expect(matchesPattern({ detail: { missing: [{ 'anything-but': [1] }] } }, event)).toBe(false);
    expect(matchesPattern({ detail: { list: { x: [2] } } }, event)).toBe(true);
    expect(matchesPattern({ detail: { $or: [{ n: [1] }, { code: ['TaskFailedToStart'] }] } }, event)).toBe(true);
  });

  test('over arrays, a filter matches when ANY element matches (so exit codes cannot be tied to container names)', () => {
    const event = { detail: { containers: [{ name: 'app', exitCode: 0 }, { name: 'agent', exitCode: 137 }] } };
    expect(matchesPattern({ detail: { containers: { exitCode: [{ 'anything-but': [0] }] } } }, event)).toBe(true);
    expect(matchesPattern({ detail: { containers: { exitCode: [{ 'anything-but': [0, 137] }] } } }, event)).toBe(false);
    // name and exit code from different elements still match together
    expect(matchesPattern({ detail: { containers: { name: ['app'], exitCode: [137] } } }, event)).toBe(true);
    // anything-but and numeric need the field: a missing field never matches
    expect(matchesPattern({ detail: { containers: { missing: [{ 'anything-but': [0] }] } } }, event)).toBe(false);
    expect(matchesPattern({ detail: { containers: { exitCode: [{ numeric: ['>', 100] }] } } }, event)).toBe(true);
    // a number filter does not match a string value
    expect(matchesPattern({ detail: { containers: { exitCode: ['137'] } } }, event)).toBe(false);
  });

  test('the input transformer renderer follows the documented rules', () => {
    const event = { detail: { state: 'RUNNING', id: 'i-1', quoted: 'say "hi"' } };
    const paths = { state: '$.detail.state', id: '$.detail.id', quoted: '$.detail.quoted', missing: '$.detail.nope' };
    // a JSON string template: values go in raw, so a quote breaks the JSON
    expect(renderInputTransformer({ InputPathsMap: paths, InputTemplate: '"<id> is in state <state>"' }, event))
      .toEqual({ text: '"i-1 is in state RUNNING"', json: true, valid: true });
    expect(renderInputTransformer({ InputPathsMap: paths, InputTemplate: '"<quoted>"' }, event).valid).toBe(false);
    // a placeholder outside quotes in a JSON template becomes a JSON value
    expect(renderInputTransformer({ InputPathsMap: paths, InputTemplate: '{"q": <quoted>}' }, event))
      .toEqual({ text: '{"q": "say \\"hi\\""}', json: true, valid: true });
    // text templates take values as they are; a missing path leaves nothing
    expect(renderInputTransformer({ InputPathsMap: paths, InputTemplate: '<id>: <quoted><missing>' }, event))
      .toEqual({ text: 'i-1: say "hi"', json: false, valid: true });
  });
});
