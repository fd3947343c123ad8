/**
 * Integration test: a task that stops with a failure raises an alert on the cluster's topic (read through an SQS
 * subscription of the topic).
 */
import { ExpectedResult } from '@aws-cdk/integ-tests-alpha';
import { Duration } from 'aws-cdk-lib';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as sns from 'aws-cdk-lib/aws-sns-subscriptions';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { FoundryTaskDefinition } from '../src';
import { integApp, integCluster, integStack, integTest } from './integ-support';

const app = integApp();
const stack = integStack(app, 'FoundryIntegStoppedTaskAlert');
const inbox = new sqs.Queue(stack, 'AlertInbox', { enforceSSL: true });
const cluster = integCluster(stack, { alertSubscriptions: [new sns.SqsSubscription(inbox, { rawMessageDelivery: true })] });
const crash = new FoundryTaskDefinition(stack, 'Crash', {
  cluster,
  image: ecs.ContainerImage.fromRegistry('public.ecr.aws/docker/library/busybox:stable'),
  command: ['sh', '-c', 'echo failing on purpose; exit 3'],
});

const test = integTest(app, 'StoppedTaskRaisesAlert', stack);
const run = test.assertions.awsApiCall('ECS', 'runTask', {
  cluster: cluster.ecsCluster.clusterArn,
  taskDefinition: crash.taskDefinition.taskDefinitionArn,
  capacityProviderStrategy: [{ capacityProvider: 'FARGATE', weight: 1 }],
  networkConfiguration: {
    awsvpcConfiguration: {
      subnets: cluster.vpc.privateSubnets.map(s => s.subnetId),
      securityGroups: [crash.securityGroup.securityGroupId],
      assignPublicIp: 'DISABLED',
    },
  },
});
run.provider.addToRolePolicy({ Effect: 'Allow', Action: ['iam:PassRole'], Resource: [crash.executionRole.roleArn] });
const alert = test.assertions.awsApiCall('SQS', 'receiveMessage', { QueueUrl: inbox.queueUrl, WaitTimeSeconds: 20 })
  .assertAtPath('Messages.0.Body', ExpectedResult.stringLikeRegexp('ECS task stopped: EssentialContainerExited'))
  .waitForAssertions({ totalTimeout: Duration.minutes(10), interval: Duration.seconds(30) });
run.next(alert);
app.synth();
