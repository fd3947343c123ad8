/**
 * Secrets the library does not see (added with `container.addSecret()`, on a container added through the escape hatch,
 * or as a log driver's secret option) still need their endpoint in an isolated cluster: ECS reads them through the
 * task's network interface when the task starts
 * (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/specifying-sensitive-data.html). Synth fails, naming the
 * endpoint to add, when the cluster manages the VPC's endpoints and has none for the secret's service.
 */
import { App, Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as sm from 'aws-cdk-lib/aws-secretsmanager';
import * as ssm from 'aws-cdk-lib/aws-ssm';
import { FoundryCluster, FoundryTaskDefinition, NatGatewayStrategy } from '../../src';


/** An image of a private ECR repository, which isolated subnets reach through the ECR endpoints. */
function image(stack: Stack): ecs.ContainerImage {
  return ecs.ContainerImage.fromEcrRepository(ecr.Repository.fromRepositoryName(stack, 'Repo', 'app'), 'v1');
}

function setup(natGateways: NatGatewayStrategy = NatGatewayStrategy.NONE) {
  const app = new App();
  const stack = new Stack(app, 'Test', { env: { account: '123456789012', region: 'us-east-1' } });
  const cluster = new FoundryCluster(stack, 'Cluster', { natGateways });
  const nginx = image(stack);
  const workload = new FoundryTaskDefinition(stack, 'Work', { cluster, image: nginx });
  const secret = ecs.Secret.fromSecretsManager(sm.Secret.fromSecretNameV2(stack, 'Secret', 'db'));
  const parameter = ecs.Secret.fromSsmParameter(ssm.StringParameter.fromSecureStringParameterAttributes(stack, 'Param', { parameterName: '/app/key' }));
  return { app, stack, cluster, workload, secret, parameter, nginx };
}

describe('secrets the library does not see, in an isolated cluster', () => {
  test('container.addSecret() with a Secrets Manager secret fails synth, naming the endpoint to add', () => {
    const { app, workload, secret } = setup();
    workload.mainContainer.addSecret('DB', secret);
    expect(() => app.synth()).toThrow(
      /FoundryTaskDefinition 'Test\/Work': invalid secrets = app: DB \(Secrets Manager\)\..*cluster\.addInterfaceEndpoint\(ec2\.InterfaceVpcEndpointAwsService\.SECRETS_MANAGER\)/);
  });

  test('an escape-hatch container with an SSM parameter fails synth, naming the SSM endpoint', () => {
    const { app, workload, parameter, nginx } = setup();
    workload.taskDefinition.addContainer('xray', { image: nginx, secrets: { KEY: parameter } });
    expect(() => app.synth()).toThrow(/invalid secrets = xray: KEY \(SSM Parameter Store\)\..*cluster\.addInterfaceEndpoint\(ec2\.InterfaceVpcEndpointAwsService\.SSM\)/);
  });

  test('a log driver secret option is checked too', () => {
    const { app, workload, secret, nginx } = setup();
    workload.taskDefinition.addContainer('shipper', {
      image: nginx,
      logging: ecs.LogDrivers.splunk({ url: 'https://splunk.example.com:8088', secretToken: secret }),
    });
    expect(() => app.synth()).toThrow(/invalid secrets = shipper: splunk-token \(Secrets Manager\)/);
  });

  test('with the endpoint added through the cluster, synth passes', () => {
    const { app, cluster, workload, secret, parameter, nginx } = setup();
    workload.mainContainer.addSecret('DB', secret);
    workload.taskDefinition.addContainer('xray', { image: nginx, secrets: { KEY: parameter } });
    cluster.addInterfaceEndpoint(ec2.InterfaceVpcEndpointAwsService.SECRETS_MANAGER);
    cluster.addInterfaceEndpoint(ec2.InterfaceVpcEndpointAwsService.SSM);
    expect(() => app.synth()).not.toThrow();
  });

  test('secrets in the secrets prop get their endpoint on their own (no error)', () => {
    const app = new App();
    const stack = new Stack(app, 'Test', { env: { account: '123456789012', region: 'us-east-1' } });
    const cluster = new FoundryCluster(stack, 'Cluster', { natGateways: NatGatewayStrategy.NONE });
    new FoundryTaskDefinition(stack, 'Work', {
      cluster,
      image: image(stack),
      secrets: { DB: ecs.Secret.fromSecretsManager(sm.Secret.fromSecretNameV2(stack, 'Secret', 'db')) },
    });
    expect(() => app.synth()).not.toThrow();
  });

  test('with NAT gateways the secret is reached through them (no error)', () => {
    const { app, workload, secret } = setup(NatGatewayStrategy.SINGLE);
    workload.mainContainer.addSecret('DB', secret);
    expect(() => app.synth()).not.toThrow();
  });
});
