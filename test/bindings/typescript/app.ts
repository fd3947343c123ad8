/**
 * The bindings smoke app, in TypeScript: the reference that the Python, Java and Go apps beside it must match.
 *
 * test/bindings/run.sh synthesizes this app and the same app in each language with the CDK CLI and compares
 * the templates. Keep the four apps identical (same construct ids, same props) and minimal, so that they prove
 * the bindings (a class with props, a struct, an enum-like class from aws-cdk-lib, an object passed between
 * constructs) rather than the constructs' behaviour, which the unit tests cover.
 */
import { App, Stack } from 'aws-cdk-lib';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import { FoundryCluster, WebService, WorkerService } from '../../../src';

const app = new App();
const stack = new Stack(app, 'FoundryBindings', { env: { account: '123456789012', region: 'us-east-1' } });

const cluster = new FoundryCluster(stack, 'Cluster');
const image = ecs.ContainerImage.fromRegistry('public.ecr.aws/nginx/nginx:stable');
const certificate = acm.Certificate.fromCertificateArn(stack, 'Certificate',
  'arn:aws:acm:us-east-1:123456789012:certificate/11111111-2222-3333-4444-555555555555');
new WebService(stack, 'Web', { cluster, image, port: 80, certificate });
new WorkerService(stack, 'Worker', { cluster, image });

app.synth();
