/**
 * The teardown custom resource's handler, against a mocked AWS SDK v3 (aws-sdk-client-mock) and a mocked
 * CloudFormation response URL.
 */
import { EventEmitter } from 'events';
import {
  AutoScalingClient, DescribeAutoScalingGroupsCommand, Instance, SetInstanceProtectionCommand, UpdateAutoScalingGroupCommand,
} from '@aws-sdk/client-auto-scaling';
import { CloudFormationClient, DescribeStackResourceCommand, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { mockClient } from 'aws-sdk-client-mock';
import { Clients, CustomResourceEvent, handler, onEvent } from '../../src/cluster/teardown-handler';

// The response to CloudFormation goes out with https.request: capture it instead.
const sent: Array<{ options: any; body: string }> = [];
jest.mock('https', () => ({
  ...jest.requireActual('https'),
  request: (options: any, callback: (response: EventEmitter & { resume(): void }) => void) => {
    const request = new EventEmitter() as EventEmitter & { end(body: string): void };
    request.end = (body: string) => {
      sent.push({ options, body });
      const response = Object.assign(new EventEmitter(), { statusCode: 200, resume: () => undefined });
      callback(response);
      response.emit('end');
    };
    return request;
  },
}));

const autoScaling = mockClient(AutoScalingClient);
const cloudFormation = mockClient(CloudFormationClient);
const sleeps: number[] = [];
const clients: Clients = {
  autoScaling: new AutoScalingClient({ region: 'us-east-1' }),
  cloudFormation: new CloudFormationClient({ region: 'us-east-1' }),
  sleep: async ms => { sleeps.push(ms); },
};
const context = { logStreamName: '2026/11/21/[$LATEST]abc', getRemainingTimeInMillis: () => 600_000 };

const STACK_ID = 'arn:aws:cloudformation:us-east-1:123456789012:stack/Platform/1f2e3d4c';
const GROUP = 'Platform-ClusterGeneralGroupASG-AbC123';

function event(requestType: 'Create' | 'Update' | 'Delete', overrides: Partial<CustomResourceEvent> = {}): CustomResourceEvent {
  return {
    RequestType: requestType,
    ResponseURL: 'https://cloudformation-custom-resource-response-useast1.s3.amazonaws.com/abc?X-Amz-Signature=xyz',
    StackId: STACK_ID,
    RequestId: 'req-1',
    LogicalResourceId: 'ClusterGeneralTeardown1234',
    PhysicalResourceId: requestType === 'Create' ? undefined : GROUP,
    ResourceProperties: { AutoScalingGroupName: GROUP, AutoScalingGroupLogicalId: 'ClusterGeneralGroupASG5678', WaitSeconds: '0' },
    ...overrides,
  };
}

function instances(n: number, protectedFromScaleIn = true, prefix = 'i-0'): Instance[] {
  return Array.from({ length: n }, (_, i) => ({ InstanceId: `${prefix}${String(i).padStart(4, '0')}`, ProtectedFromScaleIn: protectedFromScaleIn }) as Instance);
}

function groupWith(list: Instance[]) {
  return { AutoScalingGroups: [{ AutoScalingGroupName: GROUP, Instances: list } as any] };
}

function stackStatus(status: string) {
  cloudFormation.on(DescribeStacksCommand).resolves({ Stacks: [{ StackName: 'Platform', StackStatus: status, CreationTime: new Date() } as any] });
}

beforeEach(() => {
  autoScaling.reset();
  cloudFormation.reset();
  sent.length = 0;
  sleeps.length = 0;
  jest.spyOn(console, 'log').mockImplementation(() => undefined);
});

afterEach(() => jest.restoreAllMocks());

describe('Create and Update', () => {
  test.each(['Create', 'Update'] as const)('%s calls no AWS API and uses the group name as physical ID', async type => {
    const result = await onEvent(event(type), context, clients);
    expect(result.physicalResourceId).toBe(GROUP);
    expect(autoScaling.calls()).toHaveLength(0);
    expect(cloudFormation.calls()).toHaveLength(0);
  });

  test('a missing group name is an error', async () => {
    await expect(onEvent(event('Create', { ResourceProperties: { AutoScalingGroupName: '', AutoScalingGroupLogicalId: 'X' } }), context, clients))
      .rejects.toThrow(/AutoScalingGroupName/);
  });
});

describe('Delete while the stack is being deleted', () => {
  test('unprotects every protected instance, in batches of 50, and sets min and desired to 0', async () => {
    stackStatus('DELETE_IN_PROGRESS');
    const list = [...instances(120), ...instances(3, false, 'i-9')];
    autoScaling.on(DescribeAutoScalingGroupsCommand).resolves(groupWith(list));

    const result = await onEvent(event('Delete'), context, clients);

    expect(autoScaling.commandCalls(UpdateAutoScalingGroupCommand).map(c => c.args[0].input)).toEqual([
      { AutoScalingGroupName: GROUP, MinSize: 0, DesiredCapacity: 0, NewInstancesProtectedFromScaleIn: false },
    ]);
    const batches = autoScaling.commandCalls(SetInstanceProtectionCommand).map(c => c.args[0].input);
    expect(batches.map(b => b.InstanceIds!.length)).toEqual([50, 50, 20]);
    expect(batches.every(b => b.ProtectedFromScaleIn === false && b.AutoScalingGroupName === GROUP)).toBe(true);
    // Unprotected instances are left as they are.
    expect(batches.flatMap(b => b.InstanceIds)).not.toContain('i-90000');
    expect(result.data).toEqual({ Action: 'scaled-to-zero', Unprotected: '120', Remaining: '123' });
    expect(result.physicalResourceId).toBe(GROUP);
  });

  test('also when a failed stack creation rolls back', async () => {
    stackStatus('ROLLBACK_IN_PROGRESS');
    autoScaling.on(DescribeAutoScalingGroupsCommand).resolves(groupWith(instances(1)));
    await onEvent(event('Delete'), context, clients);
    expect(autoScaling.commandCalls(SetInstanceProtectionCommand)).toHaveLength(1);
  });

  test('waits for the instances to go, unprotecting any that were protected meanwhile', async () => {
    stackStatus('DELETE_IN_PROGRESS');
    autoScaling.on(DescribeAutoScalingGroupsCommand)
      .resolvesOnce(groupWith(instances(2)))
      .resolvesOnce(groupWith(instances(1, true, 'i-7')))
      .resolvesOnce(groupWith([]));
    const realNow = Date.now;
    let now = 1_000_000;
    jest.spyOn(Date, 'now').mockImplementation(() => now);
    const advancing: Clients = { ...clients, sleep: async ms => { sleeps.push(ms); now += ms; } };

    const result = await onEvent(event('Delete', { ResourceProperties: { ...event('Delete').ResourceProperties, WaitSeconds: '120' } }), context, advancing);

    Date.now = realNow;
    expect(sleeps).toEqual([10_000, 10_000]);
    expect(autoScaling.commandCalls(SetInstanceProtectionCommand).map(c => c.args[0].input.InstanceIds)).toEqual([
      ['i-00000', 'i-00001'], ['i-70000'],
    ]);
    expect(result.data).toEqual({ Action: 'scaled-to-zero', Unprotected: '3', Remaining: '0' });
  });

  test('never waits past the function timeout', async () => {
    stackStatus('DELETE_IN_PROGRESS');
    autoScaling.on(DescribeAutoScalingGroupsCommand).resolves(groupWith(instances(1)));
    const nearlyOut = { getRemainingTimeInMillis: () => 25_000 };
    await onEvent(event('Delete', { ResourceProperties: { ...event('Delete').ResourceProperties, WaitSeconds: '600' } }), nearlyOut, clients);
    expect(sleeps).toEqual([]);
  });

  test('a group that no longer exists (or is already being deleted) is fine', async () => {
    stackStatus('DELETE_IN_PROGRESS');
    autoScaling.on(DescribeAutoScalingGroupsCommand).resolves({ AutoScalingGroups: [] });
    const gone = await onEvent(event('Delete'), context, clients);
    expect(gone.reason).toMatch(/no longer exists/);

    autoScaling.on(DescribeAutoScalingGroupsCommand).resolves({ AutoScalingGroups: [{ AutoScalingGroupName: GROUP, Status: 'Delete in progress' } as any] });
    await onEvent(event('Delete'), context, clients);
    expect(autoScaling.commandCalls(UpdateAutoScalingGroupCommand)).toHaveLength(0);
  });
});

describe('Delete during an update', () => {
  test('leaves a group that stays in the stack alone (only the custom resource was removed)', async () => {
    stackStatus('UPDATE_COMPLETE_CLEANUP_IN_PROGRESS');
    cloudFormation.on(DescribeStackResourceCommand).resolves({
      StackResourceDetail: { PhysicalResourceId: GROUP, ResourceStatus: 'UPDATE_COMPLETE', LogicalResourceId: 'ClusterGeneralGroupASG5678' } as any,
    });
    const result = await onEvent(event('Delete'), context, clients);
    expect(result.data).toEqual({ Action: 'none' });
    expect(autoScaling.calls()).toHaveLength(0);
    expect(cloudFormation.commandCalls(DescribeStackResourceCommand)[0].args[0].input).toEqual({
      StackName: STACK_ID, LogicalResourceId: 'ClusterGeneralGroupASG5678',
    });
  });

  test('leaves the group alone when an update that added the custom resource rolls back', async () => {
    stackStatus('UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS');
    cloudFormation.on(DescribeStackResourceCommand).resolves({ StackResourceDetail: { PhysicalResourceId: GROUP, ResourceStatus: 'UPDATE_COMPLETE' } as any });
    await onEvent(event('Delete'), context, clients);
    expect(autoScaling.calls()).toHaveLength(0);
  });

  test('empties a group that was replaced', async () => {
    stackStatus('UPDATE_COMPLETE_CLEANUP_IN_PROGRESS');
    cloudFormation.on(DescribeStackResourceCommand).resolves({ StackResourceDetail: { PhysicalResourceId: 'Platform-NewGroup-XyZ', ResourceStatus: 'UPDATE_COMPLETE' } as any });
    autoScaling.on(DescribeAutoScalingGroupsCommand).resolves(groupWith(instances(2)));
    const result = await onEvent(event('Delete'), context, clients);
    expect(result.data.Action).toBe('scaled-to-zero');
    expect(autoScaling.commandCalls(UpdateAutoScalingGroupCommand)[0].args[0].input.AutoScalingGroupName).toBe(GROUP);
  });

  test('an update that replaced the group deletes the old resource: the old group (its physical ID) is emptied', async () => {
    stackStatus('UPDATE_COMPLETE_CLEANUP_IN_PROGRESS');
    cloudFormation.on(DescribeStackResourceCommand).resolves({ StackResourceDetail: { PhysicalResourceId: GROUP, ResourceStatus: 'UPDATE_COMPLETE' } as any });
    autoScaling.on(DescribeAutoScalingGroupsCommand).resolves({ AutoScalingGroups: [{ AutoScalingGroupName: 'Platform-OldGroup-1', Instances: instances(1) } as any] });
    const result = await onEvent(event('Delete', { PhysicalResourceId: 'Platform-OldGroup-1' }), context, clients);
    expect(result.physicalResourceId).toBe('Platform-OldGroup-1');
    expect(autoScaling.commandCalls(UpdateAutoScalingGroupCommand)[0].args[0].input.AutoScalingGroupName).toBe('Platform-OldGroup-1');
    expect(autoScaling.commandCalls(DescribeAutoScalingGroupsCommand)[0].args[0].input).toEqual({ AutoScalingGroupNames: ['Platform-OldGroup-1'] });
  });

  test('empties a group that was removed from the stack', async () => {
    stackStatus('UPDATE_COMPLETE_CLEANUP_IN_PROGRESS');
    cloudFormation.on(DescribeStackResourceCommand).rejects(Object.assign(new Error('Resource ClusterGeneralGroupASG5678 does not exist for stack Platform'), { name: 'ValidationError' }));
    autoScaling.on(DescribeAutoScalingGroupsCommand).resolves(groupWith(instances(1)));
    const result = await onEvent(event('Delete'), context, clients);
    expect(result.data.Action).toBe('scaled-to-zero');
  });

  test('other CloudFormation errors fail the request', async () => {
    stackStatus('UPDATE_COMPLETE_CLEANUP_IN_PROGRESS');
    cloudFormation.on(DescribeStackResourceCommand).rejects(Object.assign(new Error('Rate exceeded'), { name: 'Throttling' }));
    await expect(onEvent(event('Delete'), context, clients)).rejects.toThrow(/Rate exceeded/);
    expect(autoScaling.calls()).toHaveLength(0);
  });
});

describe('handler: answers CloudFormation', () => {
  test('SUCCESS with the physical ID and data, PUT to the response URL', async () => {
    await handler(event('Create'), context);
    expect(sent).toHaveLength(1);
    expect(sent[0].options).toMatchObject({
      method: 'PUT',
      hostname: 'cloudformation-custom-resource-response-useast1.s3.amazonaws.com',
      path: '/abc?X-Amz-Signature=xyz',
    });
    expect(JSON.parse(sent[0].body)).toEqual({
      Status: 'SUCCESS',
      Reason: 'Nothing to do until the group is deleted',
      PhysicalResourceId: GROUP,
      StackId: STACK_ID,
      RequestId: 'req-1',
      LogicalResourceId: 'ClusterGeneralTeardown1234',
      Data: { AutoScalingGroupName: GROUP },
    });
  });

  test('Delete answers SUCCESS even when an AWS call fails (no stack stuck in DELETE_FAILED), with the error and the log stream', async () => {
    stackStatus('DELETE_IN_PROGRESS');
    autoScaling.on(DescribeAutoScalingGroupsCommand).resolves(groupWith(instances(1)));
    autoScaling.on(SetInstanceProtectionCommand).rejects(Object.assign(new Error('not authorized to perform: autoscaling:SetInstanceProtection'), { name: 'AccessDenied' }));
    await handler(event('Delete'), context);
    expect(sent).toHaveLength(1);
    const body = JSON.parse(sent[0].body);
    expect(body.Status).toBe('SUCCESS');
    expect(body.PhysicalResourceId).toBe(GROUP);
    expect(body.Reason).toMatch(/AccessDenied: not authorized to perform: autoscaling:SetInstanceProtection/);
    expect(body.Reason).toContain('2026/11/21/[$LATEST]abc');
    expect(body.Data).toEqual({ Action: 'failed', Error: 'AccessDenied: not authorized to perform: autoscaling:SetInstanceProtection' });
    // ... and logged.
    const logged = (console.log as jest.Mock).mock.calls.map(c => JSON.parse(c[0]));
    expect(logged).toContainEqual({ message: 'failed', error: 'AccessDenied: not authorized to perform: autoscaling:SetInstanceProtection' });
  });

  test('Delete answers SUCCESS when CloudFormation cannot be read either', async () => {
    cloudFormation.on(DescribeStacksCommand).rejects(Object.assign(new Error('Rate exceeded'), { name: 'Throttling' }));
    await handler(event('Delete'), context);
    expect(JSON.parse(sent[0].body).Status).toBe('SUCCESS');
  });

  test('Create and Update still answer FAILED with the error, keeping the physical ID', async () => {
    for (const type of ['Create', 'Update'] as const) {
      sent.length = 0;
      await handler(event(type, { ResourceProperties: { AutoScalingGroupName: '', AutoScalingGroupLogicalId: 'X' } }), context);
      const body = JSON.parse(sent[0].body);
      expect(body.Status).toBe('FAILED');
      expect(body.Reason).toMatch(new RegExp(`Could not handle ${type} .*AutoScalingGroupName property is missing`));
    }
  });
});
