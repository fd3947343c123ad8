/**
 * Integration test: a BackendService reaches its desired count of running tasks, and a consumer connected to it
 * through Service Connect runs too.
 */
import { ExpectedResult } from '@aws-cdk/integ-tests-alpha';
import { Duration } from 'aws-cdk-lib';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import { BackendService } from '../src';
import { integApp, integCluster, integStack, integTest } from './integ-support';

const app = integApp();
const stack = integStack(app, 'FoundryIntegBackendService');
const cluster = integCluster(stack, { serviceConnectNamespace: 'integ' });
const image = ecs.ContainerImage.fromRegistry('public.ecr.aws/docker/library/httpd:2.4');
const orders = new BackendService(stack, 'Orders', { cluster, image, port: 80, readonlyRootFilesystem: false, desiredCount: 2 });
const client = new BackendService(stack, 'Client', { cluster, image, port: 80, readonlyRootFilesystem: false, desiredCount: 1 });
client.connectTo(orders);

const test = integTest(app, 'BackendServiceRuns', stack);
test.assertions.awsApiCall('ECS', 'describeServices', { cluster: cluster.ecsCluster.clusterArn, services: [orders.ecsService.serviceArn] })
  .assertAtPath('services.0.runningCount', ExpectedResult.exact(2))
  .waitForAssertions({ totalTimeout: Duration.minutes(10), interval: Duration.seconds(30) });
app.synth();
