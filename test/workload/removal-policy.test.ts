/**
 * Resources encrypted with the cluster's KMS key follow the cluster's `removalPolicy` (the key's): with DESTROY the
 * key is deleted with the stack, and a log group or queue kept after it would stay behind unreadable.
 */
import { fullDiff, ResourceImpact } from '@aws-cdk/cloudformation-diff';
import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import { BackendService, FoundryCluster, FoundryClusterProps, ScheduledTask, SharedVolume, Schedule, WorkerService } from '../../src';
import { plainStack } from '../support/stacks';

const image = ecs.ContainerImage.fromRegistry('public.ecr.aws/docker/library/busybox:stable');

interface Synthesized {
  readonly stack: Stack;
  readonly template: Template;
  readonly cluster: FoundryCluster;
  readonly worker: WorkerService;
  readonly job: ScheduledTask;
  readonly backend: BackendService;
}

function synth(id: string, clusterProps: FoundryClusterProps): Synthesized {
  const stack = plainStack(id);
  const cluster = new FoundryCluster(stack, 'Cluster', clusterProps);
  const worker = new WorkerService(stack, 'Worker', { cluster, image, expectedProcessingTime: Duration.seconds(20) });
  const job = new ScheduledTask(stack, 'Job', { cluster, image, schedule: Schedule.rate(Duration.hours(1)) });
  const backend = new BackendService(stack, 'Api', { cluster, image, port: 8080 });
  return { stack, template: Template.fromStack(stack), cluster, worker, job, backend };
}

/** DeletionPolicy and UpdateReplacePolicy of the resource behind a construct. */
function policiesOf(s: Synthesized, construct: { node: { defaultChild?: unknown } }): [string, string] {
  const resource = s.template.toJSON().Resources[s.stack.getLogicalId(construct.node.defaultChild as any)];
  return [resource.DeletionPolicy, resource.UpdateReplacePolicy];
}

/** Every log group and queue (stores of data) whose properties name the cluster's key, with its DeletionPolicy. */
function encryptedWithClusterKey(s: Synthesized): Record<string, string | undefined> {
  const keyId = s.stack.getLogicalId(s.cluster.encryptionKey.node.defaultChild as any);
  const names = (value: unknown): boolean => (JSON.stringify(value) ?? '').includes(`"${keyId}"`);
  const out: Record<string, string | undefined> = {};
  for (const [id, r] of Object.entries<any>(s.template.toJSON().Resources)) {
    const p = r.Properties ?? {};
    const store = r.Type === 'AWS::Logs::LogGroup' || r.Type === 'AWS::SQS::Queue';
    if (store && (names(p.KmsKeyId) || names(p.KmsMasterKeyId))) {
      out[`${r.Type} ${id}`] = r.DeletionPolicy;
    }
  }
  return out;
}

// The same stack name in both (separate apps), so that the templates differ only by the policy.
let destroyed: Synthesized;
let defaults: Synthesized;
beforeAll(() => {
  destroyed = synth('Foundry', { removalPolicy: RemovalPolicy.DESTROY });
  defaults = synth('Foundry', {});
});

describe('with removalPolicy DESTROY, what the cluster key encrypts goes away with the key', () => {
  test('the KMS key itself is deleted', () => {
    expect(policiesOf(destroyed, destroyed.cluster.encryptionKey)).toEqual(['Delete', 'Delete']);
  });

  test.each<[string, (s: Synthesized) => { node: { defaultChild?: unknown } }]>([
    ['worker queue', s => s.worker.queue],
    ['worker dead-letter queue', s => s.worker.deadLetterQueue!],
    ['scheduled-task dead-letter queue', s => s.job.deadLetterQueue],
    ['worker log group', s => s.worker.workload.logGroup],
    ['scheduled-task log group', s => s.job.workload.logGroup],
    ['service log group', s => s.backend.workload.logGroup],
  ])('%s: DeletionPolicy Delete', (_name, pick) => {
    expect(policiesOf(destroyed, pick(destroyed))).toEqual(['Delete', 'Delete']);
  });

  test('no resource encrypted with the key outlives it', () => {
    const found = encryptedWithClusterKey(destroyed);
    // The log groups (cluster, worker, job, service) and the three queues at least.
    expect(Object.keys(found).filter(k => k.startsWith('AWS::Logs::LogGroup ')).length).toBeGreaterThanOrEqual(4);
    expect(Object.keys(found).filter(k => k.startsWith('AWS::SQS::Queue ')).length).toBe(3);
    for (const [resource, policy] of Object.entries(found)) {
      expect([resource, policy]).toEqual([resource, 'Delete']);
    }
  });
});

describe('by default, the key and what it encrypts are kept', () => {
  test.each<[string, (s: Synthesized) => { node: { defaultChild?: unknown } }]>([
    ['KMS key', s => s.cluster.encryptionKey],
    ['worker queue', s => s.worker.queue],
    ['worker dead-letter queue', s => s.worker.deadLetterQueue!],
    ['scheduled-task dead-letter queue', s => s.job.deadLetterQueue],
    ['worker log group', s => s.worker.workload.logGroup],
    ['scheduled-task log group', s => s.job.workload.logGroup],
    ['service log group', s => s.backend.workload.logGroup],
  ])('%s: DeletionPolicy Retain', (_name, pick) => {
    expect(policiesOf(defaults, pick(defaults))).toEqual(['Retain', 'Retain']);
  });

  test('every resource encrypted with the key is retained', () => {
    const found = encryptedWithClusterKey(defaults);
    expect(Object.keys(found).length).toBeGreaterThanOrEqual(7);
    for (const [resource, policy] of Object.entries(found)) {
      expect([resource, policy]).toEqual([resource, 'Retain']);
    }
  });
});

test("a workload's own logging.removalPolicy still wins over the cluster's", () => {
  const stack = plainStack('Override');
  const cluster = new FoundryCluster(stack, 'Cluster', { removalPolicy: RemovalPolicy.DESTROY });
  const job = new ScheduledTask(stack, 'Job', {
    cluster, image, schedule: Schedule.rate(Duration.hours(1)), logging: { removalPolicy: RemovalPolicy.RETAIN },
  });
  const resource = Template.fromStack(stack).toJSON().Resources[stack.getLogicalId(job.workload.logGroup.node.defaultChild as any)];
  expect(resource.DeletionPolicy).toBe('Retain');
});

test('switching the cluster between RETAIN and DESTROY changes only DeletionPolicy and UpdateReplacePolicy, replacing nothing', () => {
  const before = defaults.template.toJSON();
  const after = destroyed.template.toJSON();
  const changed: string[] = [];
  fullDiff(before, after).resources.forEachDifference((logicalId, change) => {
    changed.push(logicalId);
    expect([logicalId, change.changeImpact]).toEqual([logicalId, ResourceImpact.WILL_UPDATE]);
    expect([logicalId, Object.keys(change.propertyUpdates)]).toEqual([logicalId, []]);
    expect([logicalId, Object.keys(change.otherChanges).sort()]).toEqual([logicalId, ['DeletionPolicy', 'UpdateReplacePolicy']]);
  });
  // The key, the cluster's log groups (exec, flow logs, alerts), the three workload log groups and the three queues.
  expect(changed.length).toBeGreaterThanOrEqual(10);
});

describe('what the cluster removal policy cannot cover', () => {
  test('RemovalPolicy.SNAPSHOT is rejected: the key, log groups and queues it reaches do not take it', () => {
    const stack = plainStack('Snapshot');
    expect(() => new FoundryCluster(stack, 'Cluster', { removalPolicy: RemovalPolicy.SNAPSHOT }))
      .toThrow(/FoundryCluster 'Snapshot\/Cluster': invalid removalPolicy = 'snapshot'.*RETAIN, DESTROY or RETAIN_ON_UPDATE_OR_DELETE/);
  });

  test('a retained SharedVolume on a DESTROY cluster key is warned about; a DESTROY volume or RETAIN cluster is not', () => {
    const stack = plainStack('VolumeKey');
    const throwAway = new FoundryCluster(stack, 'ThrowAway', { removalPolicy: RemovalPolicy.DESTROY });
    new SharedVolume(stack, 'Kept', { cluster: throwAway });
    new SharedVolume(stack, 'Gone', { cluster: throwAway, removalPolicy: RemovalPolicy.DESTROY });
    const kept = new FoundryCluster(stack, 'Kept2', {});
    new SharedVolume(stack, 'OnRetained', { cluster: kept });
    const warnings = Annotations.fromStack(stack).findWarning('*', Match.stringLikeRegexp('volumeOutlivesKey'));
    expect(warnings.map(w => w.id)).toEqual(['/VolumeKey/Kept']);
  });
});
