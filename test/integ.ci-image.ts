/**
 * Integration test: an image whose tag a pipeline writes into SSM (`WorkloadRepository.imageFromTagParameter`).
 * CloudFormation reads the parameter when it deploys the stack, so the registered task definition names the tag the
 * parameter holds, while the template holds only the parameter's name (README, "Shipping images from CI").
 *
 * The parameter exists before the workload's stack is deployed, as the pipeline's `aws ssm put-parameter` does: it is
 * created by a stack the workload's stack depends on.
 */
import { ExpectedResult } from '@aws-cdk/integ-tests-alpha';
import { RemovalPolicy } from 'aws-cdk-lib';
import * as ssm from 'aws-cdk-lib/aws-ssm';
import { FoundryTaskDefinition, WorkloadRepository } from '../src';
import { integApp, integCluster, integStack, integTest } from './integ-support';

const PARAMETER = '/foundry-integ/ci-image/tag';
const TAG = 'build-42';

const app = integApp();
// What the pipeline writes before `cdk deploy`.
const pipeline = integStack(app, 'FoundryIntegCiImageTag');
new ssm.StringParameter(pipeline, 'ImageTag', { parameterName: PARAMETER, stringValue: TAG });

const stack = integStack(app, 'FoundryIntegCiImage');
stack.addDependency(pipeline);
const cluster = integCluster(stack);
const repository = new WorkloadRepository(stack, 'Repo', { removalPolicy: RemovalPolicy.DESTROY });
const workload = new FoundryTaskDefinition(stack, 'Api', { cluster, image: repository.imageFromTagParameter(PARAMETER) });

const test = integTest(app, 'CiImageTagFromSsm', stack);
test.assertions.awsApiCall('ECS', 'describeTaskDefinition', { taskDefinition: workload.taskDefinition.taskDefinitionArn })
  .assertAtPath('taskDefinition.containerDefinitions.0.image', ExpectedResult.stringLikeRegexp(`/${repository.repository.repositoryName}:${TAG}$`));
app.synth();
