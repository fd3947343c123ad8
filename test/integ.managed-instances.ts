/**
 * Integration test: ECS Managed Instances. Deployed, it proves what no synth check or simulation can:
 *
 * 1. ECS, with the infrastructure role and its one passable instance role, launches a Managed Instance for the
 *    task (the capacity starts with none), and the instance registers with the cluster with its agent connected.
 * 2. The worker's task reaches RUNNING on it (a MANAGED_INSTANCES task definition, placed by the capacity provider
 *    strategy) and does its work: it receives a message from its queue and deletes it with its task role.
 * 3. The task runs on the capacity provider it was given, not on Fargate.
 */
import { ExpectedResult } from '@aws-cdk/integ-tests-alpha';
import { Duration } from 'aws-cdk-lib';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import { Capacity, WorkerService } from '../src';
import { integApp, integCluster, integStack, integTest } from './integ-support';

const WAIT = { totalTimeout: Duration.minutes(15), interval: Duration.seconds(30) };

const app = integApp();
const stack = integStack(app, 'FoundryIntegManagedInstances');
const cluster = integCluster(stack);
// Small, cheap instances: Graviton, at most 2 vCPUs (ECS picks the cheapest type that fits the task).
const instances = cluster.addManagedInstances('Instances', { cpuArchitecture: ecs.CpuArchitecture.ARM64, maxVcpus: 2 });
// A worker written in shell (the AWS CLI image is multi-architecture): receive, "process", delete.
const loop = [
  'while true; do',
  '  m=$(aws sqs receive-message --queue-url "$QUEUE_URL" --wait-time-seconds 20 --query "Messages[0].ReceiptHandle" --output text);',
  '  if [ "$m" != "None" ] && [ -n "$m" ]; then aws sqs delete-message --queue-url "$QUEUE_URL" --receipt-handle "$m"; fi;',
  'done',
].join(' ');
const worker = new WorkerService(stack, 'Worker', {
  cluster,
  capacity: Capacity.managedInstances(instances),
  image: ecs.ContainerImage.fromRegistry('public.ecr.aws/aws-cli/aws-cli:latest'),
  entryPoint: ['sh', '-c'],
  command: [loop],
  environment: { HOME: '/tmp' },
  desiredCount: 1,
});

const test = integTest(app, 'ManagedInstancesRunTasks', stack);
const clusterArn = cluster.ecsCluster.clusterArn;
// 1. A Managed Instance registered with the cluster, its agent connected.
const registered = test.assertions.awsApiCall('ECS', 'listContainerInstances', { cluster: clusterArn, status: 'ACTIVE' })
  .assertAtPath('containerInstanceArns.0', ExpectedResult.stringLikeRegexp(':container-instance/'))
  .waitForAssertions(WAIT);
const listed = test.assertions.awsApiCall('ECS', 'listContainerInstances', { cluster: clusterArn, status: 'ACTIVE', maxResults: 1 });
const described = test.assertions.awsApiCall('ECS', 'describeContainerInstances', {
  cluster: clusterArn,
  containerInstances: [listed.getAttString('containerInstanceArns.0')],
}).assertAtPath('containerInstances.0.agentConnected', ExpectedResult.exact(true));
// 2. The service's task is RUNNING.
const running = test.assertions.awsApiCall('ECS', 'describeServices', { cluster: clusterArn, services: [worker.ecsService.serviceArn] })
  .assertAtPath('services.0.runningCount', ExpectedResult.exact(1))
  .waitForAssertions(WAIT);
const tasks = test.assertions.awsApiCall('ECS', 'listTasks', { cluster: clusterArn, serviceName: worker.ecsService.serviceName, desiredStatus: 'RUNNING' });
// 3. On the Managed Instances capacity provider.
const onCapacity = test.assertions.awsApiCall('ECS', 'describeTasks', { cluster: clusterArn, tasks: [tasks.getAttString('taskArns.0')] })
  .assertAtPath('tasks.0.lastStatus', ExpectedResult.exact('RUNNING'));
const provider = test.assertions.awsApiCall('ECS', 'describeTasks', { cluster: clusterArn, tasks: [tasks.getAttString('taskArns.0')] })
  .assertAtPath('tasks.0.capacityProviderName', ExpectedResult.exact(instances.capacityProvider.capacityProviderName));
const send = test.assertions.awsApiCall('SQS', 'sendMessage', { QueueUrl: worker.queue.queueUrl, MessageBody: 'hello from a Managed Instance' });
const drained = test.assertions.awsApiCall('SQS', 'getQueueAttributes', {
  QueueUrl: worker.queue.queueUrl,
  AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
}).expect(ExpectedResult.objectLike({ Attributes: { ApproximateNumberOfMessages: '0', ApproximateNumberOfMessagesNotVisible: '0' } }))
  .waitForAssertions({ totalTimeout: Duration.minutes(10), interval: Duration.seconds(30) });
registered.next(listed).next(described).next(running).next(tasks).next(onCapacity).next(provider).next(send).next(drained);
app.synth();
