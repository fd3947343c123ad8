/**
 * Integration test: what only AWS can show about scaling and observability. CloudFormation and Application Auto
 * Scaling accept the predictive scaling policy (forecast only: a forecast needs 24 hours of data, so the test checks
 * the policy, not a forecast); ECS takes the 20-second MonitoringConfiguration and CloudWatch stores the 20-second
 * alarm (9 periods of 20 s); the Service Connect proxies of a backend and of its client write access logs to their
 * services' log groups while the client calls the backend.
 */
import { ExpectedResult, Match } from '@aws-cdk/integ-tests-alpha';
import { Duration } from 'aws-cdk-lib';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import { BackendService, WorkerService } from '../src';
import { integApp, integCluster, integStack, integTest } from './integ-support';

const app = integApp();
const stack = integStack(app, 'FoundryIntegObservability');
const cluster = integCluster(stack, { serviceConnectNamespace: 'integ' });
const accessLogs = { format: ecs.ServiceConnectAccessLogFormat.JSON };
const orders = new BackendService(stack, 'Orders', {
  cluster,
  image: ecs.ContainerImage.fromRegistry('public.ecr.aws/docker/library/httpd:2.4'),
  port: 80,
  readonlyRootFilesystem: false,
  highResolutionMetrics: true,
  serviceConnectAccessLogs: accessLogs,
  scaling: { minTasks: 1, maxTasks: 2, predictive: {} },
});
// A client that calls the backend every 5 seconds through Service Connect.
const client = new WorkerService(stack, 'Client', {
  cluster,
  image: ecs.ContainerImage.fromRegistry('public.ecr.aws/docker/library/busybox:stable'),
  entryPoint: ['sh', '-c'],
  command: ['while true; do wget -q -O /dev/null "$ORDERS_URL/" || true; sleep 5; done'],
  environment: { ORDERS_URL: orders.endpoint },
  readonlyRootFilesystem: false,
  desiredCount: 1,
  serviceConnectAccessLogs: accessLogs,
});
client.connectTo(orders);

const test = integTest(app, 'ScalingAndObservability', stack);
test.assertions.awsApiCall('ApplicationAutoScaling', 'describeScalingPolicies', {
  ServiceNamespace: 'ecs',
  ResourceId: `service/${cluster.ecsCluster.clusterName}/${orders.ecsService.serviceName}`,
}).expect(ExpectedResult.objectLike({
  ScalingPolicies: Match.arrayWith([Match.objectLike({
    PolicyType: 'PredictiveScaling',
    PredictiveScalingPolicyConfiguration: Match.objectLike({ Mode: 'ForecastOnly', SchedulingBufferTime: 300 }),
  })]),
}));
const fastAlarm = orders.alarms.find(a => a.node.id === 'UnhealthyHighResolution')!;
test.assertions.awsApiCall('CloudWatch', 'describeAlarms', { AlarmNames: [fastAlarm.alarmName] })
  .expect(ExpectedResult.objectLike({ MetricAlarms: [Match.objectLike({ EvaluationPeriods: 9, DatapointsToAlarm: 9 })] }));
for (const service of [orders, client]) {
  test.assertions.awsApiCall('CloudWatchLogs', 'filterLogEvents', {
    logGroupName: service.workload.logGroup.logGroupName,
    logStreamNamePrefix: 'service-connect',
    filterPattern: '"GET"',
    limit: 1,
  }).assertAtPath('events.0.logStreamName', ExpectedResult.stringLikeRegexp('^service-connect'))
    .waitForAssertions({ totalTimeout: Duration.minutes(15), interval: Duration.seconds(30) });
}
app.synth();
