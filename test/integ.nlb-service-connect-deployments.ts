/**
 * Integration test: progressive deployments behind a Network Load Balancer (blue/green, with its test listener) and
 * through Service Connect (canary, with the test-traffic header rule), each with a lifecycle hook that approves.
 *
 * After the stack is up, the test forces a new deployment of both services. It proves what no simulation can: ECS
 * accepts the NLB's alternate target group, production and test listeners with the library's scoped traffic-shift role
 * (ModifyListener on exactly these two listeners), and the Service Connect client alias with a header-only
 * `TestTrafficRules`; it reaches the test-traffic stage of each (the hooks log it) and completes both deployments
 * (a failed traffic shift, e.g. a ModifyListener the role may not make, rolls the deployment back instead).
 */
import { ExpectedResult, Match } from '@aws-cdk/integ-tests-alpha';
import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import { BackendService, DeploymentStrategy, NetworkService, WorkerService } from '../src';
import { integApp, integCluster, integStack, integTest } from './integ-support';

const app = integApp();
const stack = integStack(app, 'FoundryIntegNlbServiceConnectDeployments');
const cluster = integCluster(stack);
const nginx = ecs.ContainerImage.fromRegistry('public.ecr.aws/nginx/nginx:stable');
// nginx writes its cache and pid file at start-up.
const nginxRuns = { writablePaths: ['/tmp', '/var/cache/nginx', '/var/run'], user: '0' };

// The hook: log the service and the stage ECS calls it at, then approve.
const hookLogs = new logs.LogGroup(stack, 'HookLogs', { retention: logs.RetentionDays.ONE_WEEK, removalPolicy: RemovalPolicy.DESTROY });
const hook = new lambda.Function(stack, 'Approve', {
  runtime: lambda.Runtime.NODEJS_22_X,
  handler: 'index.handler',
  logGroup: hookLogs,
  timeout: Duration.seconds(30),
  code: lambda.Code.fromInline([
    'exports.handler = async (event) => {',
    '  const service = String(event.resourceArn || "").split("/").pop();',
    '  console.log(JSON.stringify({ foundryHook: event.lifecycleStage, service }));',
    '  return { hookStatus: "SUCCEEDED" };',
    '};',
  ].join('\n')),
});
const lifecycleHooks = [{ handler: hook, stages: [ecs.DeploymentLifecycleStage.POST_TEST_TRAFFIC_SHIFT] }];

const nlb = new NetworkService(stack, 'Nlb', {
  cluster,
  image: nginx,
  ...nginxRuns,
  port: 80,
  serviceName: 'foundry-integ-nlb',
  loadBalancerOptions: { deletionProtection: false },
  deployment: { strategy: DeploymentStrategy.blueGreen({ bakeTime: Duration.minutes(1) }), lifecycleHooks },
});

const backend = new BackendService(stack, 'Orders', {
  cluster,
  image: nginx,
  ...nginxRuns,
  port: 80,
  appProtocol: ecs.AppProtocol.http,
  serviceName: 'foundry-integ-orders',
  deployment: {
    strategy: DeploymentStrategy.canary({ percent: 20, canaryBakeTime: Duration.minutes(1), bakeTime: Duration.minutes(1) }),
    lifecycleHooks,
  },
});
// A client of the backend keeps working through the deployment (Service Connect client configuration unchanged).
new WorkerService(stack, 'Client', { cluster, image: nginx, ...nginxRuns }).connectTo(backend);

const test = integTest(app, 'NlbAndServiceConnectDeploymentsRunTheirHooks', stack);
const redeploy = (service: ecs.BaseService) => test.assertions.awsApiCall('ECS', 'updateService', {
  cluster: cluster.ecsCluster.clusterName,
  service: service.serviceName,
  forceNewDeployment: true,
});
const hookRan = (service: string) => test.assertions.awsApiCall('CloudWatchLogs', 'filterLogEvents', {
  logGroupName: hookLogs.logGroupName,
  filterPattern: `"${service}"`,
}).expect(ExpectedResult.objectLike({ events: Match.arrayWith([Match.objectLike({ message: Match.stringLikeRegexp('POST_TEST_TRAFFIC_SHIFT') })]) }))
  .waitForAssertions({ totalTimeout: Duration.minutes(45), interval: Duration.seconds(30) });
const completed = (service: ecs.BaseService) => test.assertions.awsApiCall('ECS', 'describeServices', {
  cluster: cluster.ecsCluster.clusterName,
  services: [service.serviceName],
}).expect(ExpectedResult.objectLike({ services: [Match.objectLike({ deployments: [Match.objectLike({ rolloutState: 'COMPLETED' })] })] }))
  .waitForAssertions({ totalTimeout: Duration.minutes(45), interval: Duration.seconds(30) });
redeploy(nlb.ecsService)
  .next(redeploy(backend.ecsService))
  .next(hookRan('foundry-integ-nlb'))
  .next(hookRan('foundry-integ-orders'))
  .next(completed(nlb.ecsService))
  .next(completed(backend.ecsService));
app.synth();
