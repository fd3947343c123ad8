/**
 * Integration test: a ScheduledTask runs (a stopped task of its family appears within minutes).
 */
import { ExpectedResult } from '@aws-cdk/integ-tests-alpha';
import { Duration } from 'aws-cdk-lib';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import { Capacity, ScheduledTask, Schedule } from '../src';
import { integApp, integCluster, integStack, integTest } from './integ-support';

const app = integApp();
const stack = integStack(app, 'FoundryIntegScheduledTask');
const cluster = integCluster(stack);
const job = new ScheduledTask(stack, 'EveryMinute', {
  cluster,
  image: ecs.ContainerImage.fromRegistry('public.ecr.aws/docker/library/busybox:stable'),
  command: ['sh', '-c', 'echo scheduled run'],
  schedule: Schedule.rate(Duration.minutes(1)),
  capacity: Capacity.spot(),
});

const test = integTest(app, 'ScheduledTaskRuns', stack);
test.assertions.awsApiCall('ECS', 'listTasks', {
  cluster: cluster.ecsCluster.clusterArn, family: job.workload.taskDefinition.family, desiredStatus: 'STOPPED',
}).assertAtPath('taskArns.0', ExpectedResult.stringLikeRegexp('arn:aws'))
  .waitForAssertions({ totalTimeout: Duration.minutes(10), interval: Duration.seconds(30) });
app.synth();
