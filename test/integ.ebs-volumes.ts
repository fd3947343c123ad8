/**
 * Integration test: EBS task volumes and managed storage encryption. Deployed, it proves what no synth check or
 * simulation can:
 *
 * 1. ECS, with the cluster's volumes infrastructure role, creates a volume for the task, encrypts it with the cluster
 *    key (the role's key permissions through EC2 are enough) and attaches it: the service's task reaches RUNNING.
 * 2. The task writes to the volume at /data (the container logs what it wrote and read back).
 * 3. The volume is encrypted with the cluster key, in use, gp3 with the size asked for, and carries the service's tags.
 * 4. Fargate encrypted the task's ephemeral storage with the cluster key (the key policy lets it, in this account's
 *    encryption context).
 */
import { ExpectedResult } from '@aws-cdk/integ-tests-alpha';
import { Duration, Size, Tags } from 'aws-cdk-lib';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import { WorkerService } from '../src';
import { integApp, integCluster, integStack, integTest } from './integ-support';

const WAIT = { totalTimeout: Duration.minutes(15), interval: Duration.seconds(30) };
const TAG = { key: 'foundry-integ', value: 'ebs-volumes' };

const app = integApp();
const stack = integStack(app, 'FoundryIntegEbsVolumes');
const cluster = integCluster(stack);
// Write a line to the volume, read it back into the log, then stay up.
const probe = 'echo "wrote-to-ebs $(date -u +%s)" > /data/probe && echo "read-back: $(cat /data/probe)" && while true; do sleep 3600; done';
const worker = new WorkerService(stack, 'Worker', {
  cluster,
  image: ecs.ContainerImage.fromRegistry('public.ecr.aws/docker/library/busybox:stable'),
  entryPoint: ['sh', '-c'],
  command: [probe],
  desiredCount: 1,
  ebsVolumes: [{ name: 'data', containerPath: '/data', size: Size.gibibytes(10) }],
});
// The service's tags reach its volumes (the volume configuration propagates SERVICE tags).
Tags.of(worker).add(TAG.key, TAG.value);

const test = integTest(app, 'EbsVolumesAreEncryptedWithTheClusterKey', stack);
const clusterArn = cluster.ecsCluster.clusterArn;
// 1. The task runs, with its volume attached.
const running = test.assertions.awsApiCall('ECS', 'describeServices', { cluster: clusterArn, services: [worker.ecsService.serviceArn] })
  .assertAtPath('services.0.runningCount', ExpectedResult.exact(1))
  .waitForAssertions(WAIT);
// 2. The container wrote to the volume and read it back.
const wrote = test.assertions.awsApiCall('CloudWatchLogs', 'filterLogEvents', { logGroupName: worker.logGroup.logGroupName, filterPattern: '"read-back: wrote-to-ebs"' })
  .assertAtPath('events.0.message', ExpectedResult.stringLikeRegexp('read-back: wrote-to-ebs'))
  .waitForAssertions(WAIT);
// 3. The volume: encrypted with the cluster key, in use, gp3, 10 GiB, tagged like the service.
const volumes = { Filters: [{ Name: `tag:${TAG.key}`, Values: [TAG.value] }, { Name: 'status', Values: ['in-use'] }] };
const encrypted = test.assertions.awsApiCall('EC2', 'describeVolumes', volumes)
  .assertAtPath('Volumes.0.Encrypted', ExpectedResult.exact(true));
const withClusterKey = test.assertions.awsApiCall('EC2', 'describeVolumes', volumes)
  .assertAtPath('Volumes.0.KmsKeyId', ExpectedResult.exact(cluster.encryptionKey.keyArn));
const gp3 = test.assertions.awsApiCall('EC2', 'describeVolumes', volumes)
  .assertAtPath('Volumes.0.VolumeType', ExpectedResult.exact('gp3'));
const size = test.assertions.awsApiCall('EC2', 'describeVolumes', volumes)
  .assertAtPath('Volumes.0.Size', ExpectedResult.exact(10));
// 4. The task's ephemeral storage is encrypted with the cluster key.
const tasks = test.assertions.awsApiCall('ECS', 'listTasks', { cluster: clusterArn, serviceName: worker.ecsService.serviceName, desiredStatus: 'RUNNING' });
const ephemeral = test.assertions.awsApiCall('ECS', 'describeTasks', { cluster: clusterArn, tasks: [tasks.getAttString('taskArns.0')] })
  .assertAtPath('tasks.0.fargateEphemeralStorage.kmsKeyId', ExpectedResult.stringLikeRegexp(cluster.encryptionKey.keyId));
running.next(wrote).next(encrypted).next(withClusterKey).next(gp3).next(size).next(tasks).next(ephemeral);
app.synth();
