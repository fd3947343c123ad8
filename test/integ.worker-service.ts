/**
 * Integration test: a message sent to a WorkerService's queue is consumed (the queue drains).
 */
import { ExpectedResult } from '@aws-cdk/integ-tests-alpha';
import { Duration } from 'aws-cdk-lib';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import { WorkerService } from '../src';
import { integApp, integCluster, integStack, integTest } from './integ-support';

const app = integApp();
const stack = integStack(app, 'FoundryIntegWorkerService');
const cluster = integCluster(stack);
// A worker written in shell: receive, "process", delete.
const loop = [
  'while true; do',
  '  m=$(aws sqs receive-message --queue-url "$QUEUE_URL" --wait-time-seconds 20 --query "Messages[0].ReceiptHandle" --output text);',
  '  if [ "$m" != "None" ] && [ -n "$m" ]; then aws sqs delete-message --queue-url "$QUEUE_URL" --receipt-handle "$m"; fi;',
  'done',
].join(' ');
const worker = new WorkerService(stack, 'Worker', {
  cluster,
  image: ecs.ContainerImage.fromRegistry('public.ecr.aws/aws-cli/aws-cli:latest'),
  entryPoint: ['sh', '-c'],
  command: [loop],
  environment: { HOME: '/tmp' },
  desiredCount: 1,
});

const test = integTest(app, 'QueuedMessageIsConsumed', stack);
const send = test.assertions.awsApiCall('SQS', 'sendMessage', { QueueUrl: worker.queue.queueUrl, MessageBody: 'hello from integ-runner' });
const drained = test.assertions.awsApiCall('SQS', 'getQueueAttributes', {
  QueueUrl: worker.queue.queueUrl,
  AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
}).expect(ExpectedResult.objectLike({ Attributes: { ApproximateNumberOfMessages: '0', ApproximateNumberOfMessagesNotVisible: '0' } }))
  .waitForAssertions({ totalTimeout: Duration.minutes(10), interval: Duration.seconds(30) });
send.next(drained);
app.synth();
