/**
 * Integration test: a WebService with a canary deployment and a lifecycle hook that approves.
 *
 * After the stack is up, the test forces a new deployment: ECS shifts test traffic to the new revision (requests with
 * the `x-foundry-test` header), invokes the hook through the role the service created (it logs the stage and answers
 * SUCCEEDED), shifts 10 % of production traffic, waits the canary bake time, shifts the rest and bakes. The
 * assertions prove what no simulation can: ECS assumed the hook role and invoked the function at the test-traffic and
 * production-traffic stages, the deployment completed, and the service answers through the load balancer.
 */
import { ExpectedResult, Match } from '@aws-cdk/integ-tests-alpha';
import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import { DeploymentStrategy, WebService } from '../src';
import { integApp, integCluster, integStack, integTest } from './integ-support';

const app = integApp();
const stack = integStack(app, 'FoundryIntegProgressiveDeployments');
const cluster = integCluster(stack);

// The hook: log the stage ECS calls it at, then approve. A real hook would send requests with the test header
// (executionDetails.testTrafficWeights) and answer FAILED on errors.
const hookLogs = new logs.LogGroup(stack, 'HookLogs', { retention: logs.RetentionDays.ONE_WEEK, removalPolicy: RemovalPolicy.DESTROY });
const hook = new lambda.Function(stack, 'Approve', {
  runtime: lambda.Runtime.NODEJS_22_X,
  handler: 'index.handler',
  logGroup: hookLogs,
  timeout: Duration.seconds(30),
  code: lambda.Code.fromInline([
    'exports.handler = async (event) => {',
    '  console.log(JSON.stringify({ foundryHook: event.lifecycleStage, executionId: event.executionId }));',
    '  return { hookStatus: "SUCCEEDED" };',
    '};',
  ].join('\n')),
});

const web = new WebService(stack, 'Web', {
  cluster,
  image: ecs.ContainerImage.fromRegistry('public.ecr.aws/nginx/nginx:stable'),
  port: 80,
  // nginx writes its cache and pid file at start-up.
  writablePaths: ['/tmp', '/var/cache/nginx', '/var/run'],
  user: '0',
  desiredCount: 2,
  loadBalancerOptions: { allowHttp: true, deletionProtection: false },
  deployment: {
    strategy: DeploymentStrategy.canary({ percent: 10, canaryBakeTime: Duration.minutes(1), bakeTime: Duration.minutes(1) }),
    lifecycleHooks: [{
      handler: hook,
      stages: [ecs.DeploymentLifecycleStage.POST_TEST_TRAFFIC_SHIFT, ecs.DeploymentLifecycleStage.PRODUCTION_TRAFFIC_SHIFT],
    }],
  },
});

const test = integTest(app, 'CanaryDeploymentRunsItsHook', stack);
const redeploy = test.assertions.awsApiCall('ECS', 'updateService', {
  cluster: cluster.ecsCluster.clusterName,
  service: web.ecsService.serviceName,
  forceNewDeployment: true,
});
const hookRan = (stage: string) => test.assertions.awsApiCall('CloudWatchLogs', 'filterLogEvents', {
  logGroupName: hookLogs.logGroupName,
  filterPattern: `"${stage}"`,
}).expect(ExpectedResult.objectLike({ events: Match.arrayWith([Match.objectLike({ message: Match.stringLikeRegexp(stage) })]) }))
  .waitForAssertions({ totalTimeout: Duration.minutes(30), interval: Duration.seconds(30) });
const completed = test.assertions.awsApiCall('ECS', 'describeServices', {
  cluster: cluster.ecsCluster.clusterName,
  services: [web.ecsService.serviceName],
}).expect(ExpectedResult.objectLike({ services: [Match.objectLike({ deployments: [Match.objectLike({ rolloutState: 'COMPLETED' })] })] }))
  .waitForAssertions({ totalTimeout: Duration.minutes(30), interval: Duration.seconds(30) });
const answers = test.assertions.httpApiCall(`http://${web.loadBalancer.loadBalancer.loadBalancerDnsName}/`)
  .expect(ExpectedResult.objectLike({ status: 200 }))
  .waitForAssertions({ totalTimeout: Duration.minutes(10), interval: Duration.seconds(30) });
redeploy.next(hookRan('POST_TEST_TRAFFIC_SHIFT')).next(hookRan('PRODUCTION_TRAFFIC_SHIFT')).next(completed).next(answers);
app.synth();
