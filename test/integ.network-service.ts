/**
 * Integration test: a NetworkService's targets pass the load balancer's health checks — the security-group path
 * from the NLB to the tasks works.
 */
import { ExpectedResult } from '@aws-cdk/integ-tests-alpha';
import { Duration } from 'aws-cdk-lib';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import { NetworkService } from '../src';
import { integApp, integCluster, integStack, integTest } from './integ-support';

const app = integApp();
const stack = integStack(app, 'FoundryIntegNetworkService');
const cluster = integCluster(stack);
const redis = new NetworkService(stack, 'Cache', {
  cluster,
  image: ecs.ContainerImage.fromRegistry('public.ecr.aws/docker/library/redis:7'),
  port: 6379,
  readonlyRootFilesystem: false,
  desiredCount: 1,
  loadBalancerOptions: { deletionProtection: false },
});

const test = integTest(app, 'NetworkServiceTargetsAreHealthy', stack);
test.assertions.awsApiCall('ElasticLoadBalancingV2', 'describeTargetHealth', { TargetGroupArn: redis.targetGroup.targetGroupArn })
  .assertAtPath('TargetHealthDescriptions.0.TargetHealth.State', ExpectedResult.stringLikeRegexp('healthy'))
  .waitForAssertions({ totalTimeout: Duration.minutes(10), interval: Duration.seconds(30) });
app.synth();
