/**
 * Integration test: a WebService answers over HTTPS.
 *
 * Needs a Route 53 hosted zone you own: FOUNDRY_INTEG_ZONE_ID and FOUNDRY_INTEG_ZONE_NAME (the test creates
 * `foundry-integ.<zone>` with a DNS-validated certificate). The committed snapshot uses placeholders.
 */
import { ExpectedResult } from '@aws-cdk/integ-tests-alpha';
import { Duration } from 'aws-cdk-lib';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as route53 from 'aws-cdk-lib/aws-route53';
import { Capacity, WebService } from '../src';
import { integApp, integCluster, integStack, integTest } from './integ-support';

const app = integApp();
const stack = integStack(app, 'FoundryIntegWebService');
const zoneName = process.env.FOUNDRY_INTEG_ZONE_NAME ?? 'integ.example.com';
const zone = route53.HostedZone.fromHostedZoneAttributes(stack, 'Zone', {
  hostedZoneId: process.env.FOUNDRY_INTEG_ZONE_ID ?? 'Z0000000000000000000',
  zoneName,
});
const domainName = `foundry-integ.${zoneName}`;
const cluster = integCluster(stack);
new WebService(stack, 'Web', {
  cluster,
  image: ecs.ContainerImage.fromRegistry('public.ecr.aws/nginx/nginx:stable'),
  port: 80,
  // nginx writes its cache and pid file at start-up.
  writablePaths: ['/tmp', '/var/cache/nginx', '/var/run'],
  user: '0',
  domainName,
  hostedZone: zone,
  capacity: Capacity.spot({ onDemandBase: 1 }),
  desiredCount: 2,
  loadBalancerOptions: { deletionProtection: false },
});

const test = integTest(app, 'WebServiceAnswersOverHttps', stack);
test.assertions.httpApiCall(`https://${domainName}/`)
  .expect(ExpectedResult.objectLike({ status: 200 }))
  .waitForAssertions({ totalTimeout: Duration.minutes(10), interval: Duration.seconds(30) });
app.synth();
