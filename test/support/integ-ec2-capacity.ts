/**
 * The EC2 integration apps (test/integ.ec2-*.ts): a cluster with one Ec2Capacity that starts at zero instances,
 * and a WorkerService on it. Deployed, the assertions prove what no synth check can:
 *
 * 1. ECS managed scaling launches an instance for the task, and the instance registers with the cluster: the
 *    host read its user data (Bottlerocket: the TOML settings) and the agent connected with the instance role.
 * 2. The host is the operating system and architecture asked for (container instance attributes).
 * 3. The task runs on that host and works: it receives a message from its queue and deletes it, with the task
 *    role's credentials from the ECS credentials endpoint (awsvpc tasks cannot read IMDS on these hosts).
 */
import { ExpectedResult, IntegTest } from '@aws-cdk/integ-tests-alpha';
import { App, Duration, Stack } from 'aws-cdk-lib';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import { Capacity, Ec2Capacity, Ec2CapacityOptions, WorkerService } from '../../src';
import { integApp, integCluster, integStack, integTest } from '../integ-support';

export interface Ec2IntegOptions {
  /** Stack name of the test stack. */
  readonly stackName: string;
  /** Name of the integration test (its assertion stack is `<name>Assertions`). */
  readonly testName: string;
  /** The capacity under test. */
  readonly capacity: Ec2CapacityOptions;
  /** Container instance attributes the registered host must carry (name → regular expression of the value). */
  readonly attributes: Record<string, string>;
}

export interface Ec2Integ {
  readonly app: App;
  readonly stack: Stack;
  readonly capacity: Ec2Capacity;
  readonly worker: WorkerService;
  readonly test: IntegTest;
}

const WAIT = { totalTimeout: Duration.minutes(15), interval: Duration.seconds(30) };

export function ec2IntegApp(options: Ec2IntegOptions): Ec2Integ {
  const app = integApp();
  const stack = integStack(app, options.stackName);
  const cluster = integCluster(stack);
  // Small, cheap hosts; managed scaling starts one when the task needs it (minCapacity 0, the default).
  const capacity = cluster.addEc2Capacity('Hosts', { maxCapacity: 2, ...options.capacity });
  // A worker written in shell (the AWS CLI image is multi-architecture): receive, "process", delete.
  const loop = [
    'while true; do',
    '  m=$(aws sqs receive-message --queue-url "$QUEUE_URL" --wait-time-seconds 20 --query "Messages[0].ReceiptHandle" --output text);',
    '  if [ "$m" != "None" ] && [ -n "$m" ]; then aws sqs delete-message --queue-url "$QUEUE_URL" --receipt-handle "$m"; fi;',
    'done',
  ].join(' ');
  const worker = new WorkerService(stack, 'Worker', {
    cluster,
    capacity: Capacity.ec2(capacity),
    image: ecs.ContainerImage.fromRegistry('public.ecr.aws/aws-cli/aws-cli:latest'),
    entryPoint: ['sh', '-c'],
    command: [loop],
    environment: { HOME: '/tmp' },
    desiredCount: 1,
  });

  const test = integTest(app, options.testName, stack);
  const clusterArn = cluster.ecsCluster.clusterArn;
  // 1. An ACTIVE container instance (waited for), whose agent is connected (read from a second, plain call: its
  //    response attributes feed the describe call).
  const registered = test.assertions.awsApiCall('ECS', 'listContainerInstances', { cluster: clusterArn, status: 'ACTIVE' })
    .assertAtPath('containerInstanceArns.0', ExpectedResult.stringLikeRegexp(':container-instance/'))
    .waitForAssertions(WAIT);
  const instances = test.assertions.awsApiCall('ECS', 'listContainerInstances', { cluster: clusterArn, status: 'ACTIVE', maxResults: 1 });
  const described = test.assertions.awsApiCall('ECS', 'describeContainerInstances', {
    cluster: clusterArn,
    containerInstances: [instances.getAttString('containerInstanceArns.0')],
  }).assertAtPath('containerInstances.0.agentConnected', ExpectedResult.exact(true));
  let chain = registered.next(instances).next(described);
  // 2. The host's operating system and architecture.
  for (const [name, value] of Object.entries(options.attributes)) {
    chain = chain.next(test.assertions.awsApiCall('ECS', 'listAttributes', {
      cluster: clusterArn,
      targetType: 'container-instance',
      attributeName: name,
    }).assertAtPath('attributes.0.value', ExpectedResult.stringLikeRegexp(value)));
  }
  // 3. The task runs and does its work.
  const running = test.assertions.awsApiCall('ECS', 'describeServices', { cluster: clusterArn, services: [worker.ecsService.serviceArn] })
    .assertAtPath('services.0.runningCount', ExpectedResult.exact(1))
    .waitForAssertions(WAIT);
  const send = test.assertions.awsApiCall('SQS', 'sendMessage', { QueueUrl: worker.queue.queueUrl, MessageBody: 'hello from an EC2 host' });
  const drained = test.assertions.awsApiCall('SQS', 'getQueueAttributes', {
    QueueUrl: worker.queue.queueUrl,
    AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
  }).expect(ExpectedResult.objectLike({ Attributes: { ApproximateNumberOfMessages: '0', ApproximateNumberOfMessagesNotVisible: '0' } }))
    .waitForAssertions({ totalTimeout: Duration.minutes(10), interval: Duration.seconds(30) });
  chain.next(running).next(send).next(drained);
  return { app, stack, capacity, worker, test };
}
