/**
 * The example app: what a platform team writes to give its product teams ECS clusters.
 *
 * `npm run example` synthesizes it with the CDK CLI (no AWS account needed), runs all four cdk-nag packs, the AWS
 * Control Tower proactive controls (cfn-guard) and CloudFormation's own validation at synth, and prints a compliance summary per stack (examples/summary.ts).
 * The library is compliant by default, so the app adds no acknowledgements of its own: the acknowledged findings
 * the summary lists come from the library (src/compliance/acknowledgements.ts) and from aws-cdk-lib itself.
 */
import * as fs from 'fs';
import * as path from 'path';
import { CfnGuardValidator } from '@cdklabs/cdk-validator-cfnguard';
import { App, Duration, Stack, StackProps, TimeZone, Validations } from 'aws-cdk-lib';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as ssm from 'aws-cdk-lib/aws-ssm';
import { AwsSolutionsChecks, HIPAASecurityChecks, NIST80053R5Checks, PCIDSS321Checks } from 'cdk-nag';
import { Construct } from 'constructs';
import {
  BackendService, Capacity, CostEstimate, Ec2MachineImage, FoundryCluster, FoundryTaskDefinition, NatGatewayStrategy, NetworkService, ScheduledTask,
  SharedVolume, Schedule, WebLoadBalancer, WebService, WorkerService, WorkloadRepository,
} from '../src';

/** One account and region for the whole example; a real app would read them from its deployment pipeline. */
const ENV = { account: '123456789012', region: 'us-east-1' };

/**
 * The shared platform: a cluster for long-running services.
 *
 * Services run on Fargate unless they ask for something else; teams that need a host they can log in to (or
 * instance storage, or daemon containers) choose the EC2 capacity with `Capacity.ec2(platform.general)`.
 */
export class PlatformStack extends Stack {
  public readonly cluster: FoundryCluster;

  constructor(scope: Construct, id: string, props: StackProps) {
    super(scope, id, props);

    // Everything defaulted: a new VPC over 2 AZs with a NAT gateway per AZ (an AZ outage never cuts the
    // other AZ off), flow logs, Container Insights, ECS Exec with an audit log, Fargate as the default capacity.
    // The Cloud Map namespace lets services call each other as http://<name>.internal through Service Connect.
    this.cluster = new FoundryCluster(this, 'Cluster', {
      serviceConnectNamespace: 'internal',
    });

    // General-purpose x86 hosts on Amazon Linux 2023. Managed scaling starts them only when tasks need them
    // (minCapacity 0). Session Manager replaces SSH: no key pair and no inbound port to open.
    const general = this.cluster.addEc2Capacity('General', {
      instanceType: new ec2.InstanceType('m7i.large'),
      machineImage: Ec2MachineImage.AMAZON_LINUX_2023,
      enableSessionManager: true,
    });

    // One internet-facing ALB for every web service: HTTPS with the team's certificate (HTTP redirects to it),
    // AWS WAF with the AWS managed rule groups, access logs, deletion protection. Each service gets a listener
    // rule whose priority is derived from its route, so adding a service never reshuffles the others.
    const certificate = acm.Certificate.fromCertificateArn(this, 'Certificate',
      `arn:aws:acm:${this.region}:${this.account}:certificate/11111111-2222-3333-4444-555555555555`);
    const alb = new WebLoadBalancer(this, 'PublicAlb', { cluster: this.cluster, certificate });

    // The storefront: Fargate Spot with one on-demand task always running, scaled on CPU and on requests per
    // task, native blue/green deployments with a test route (requests with the x-foundry-test header).
    const storefront = new WebService(this, 'Storefront', {
      cluster: this.cluster,
      loadBalancer: alb,
      hostHeaders: ['shop.example.com'],
      image: ecs.ContainerImage.fromRegistry('public.ecr.aws/nginx/nginx:stable'),
      port: 8080,
      cpu: 512,
      memoryMiB: 1024,
      writablePaths: ['/tmp', '/var/cache/nginx', '/var/run'],
      capacity: Capacity.spot({ onDemandBase: 1 }),
      scaling: { minTasks: 2, maxTasks: 20, cpuPercent: 60, requestsPerTask: 500 },
      deployment: { blueGreen: { bakeTime: Duration.minutes(10) } },
      targetHealthCheck: { path: '/' },
    });

    // The admin API on the EC2 hosts, reachable under /admin/* on the same load balancer, with ECS Exec for
    // on-call debugging (sessions encrypted and logged to the cluster's audit log group).
    new WebService(this, 'AdminApi', {
      cluster: this.cluster,
      loadBalancer: alb,
      pathPatterns: ['/admin/*'],
      image: ecs.ContainerImage.fromRegistry('public.ecr.aws/docker/library/httpd:2.4'),
      port: 80,
      capacity: Capacity.ec2(general),
      enableExecuteCommand: true,
      desiredCount: 2,
    });

    // The storefront calls the orders API by name (http://orders:8080) through Service Connect; the API has no
    // load balancer and admits only its consumers' security groups. Its team ships from CI: the pipeline pushes
    // the image, writes its tag into the SSM parameter and runs `cdk deploy`; any later `cdk deploy` reads the same
    // parameter, so it never reverts the image (README, "Shipping images from CI").
    const ordersRepository = new WorkloadRepository(this, 'OrdersRepository');
    const orders = new BackendService(this, 'Orders', {
      cluster: this.cluster,
      image: ordersRepository.imageFromTagParameter('/shop/orders/image-tag'),
      port: 8080,
      scaling: { minTasks: 2, maxTasks: 10, cpuPercent: 70 },
    });
    storefront.connectTo(orders);

    // Order confirmations are sent by a worker on Spot that scales on its queue's backlog per task (down to zero
    // when the queue is empty); it also calls the orders API.
    const mailer = new WorkerService(this, 'Mailer', {
      cluster: this.cluster,
      image: ecs.ContainerImage.fromRegistry('public.ecr.aws/docker/library/python:3.13-slim'),
      capacity: Capacity.spot(),
      expectedProcessingTime: Duration.seconds(10),
      queueScaling: { minTasks: 0, maxTasks: 20, acceptableLatency: Duration.minutes(2) },
    });
    mailer.connectTo(orders);

    // The nightly reconciliation job at 02:30 Berlin time, on the EC2 hosts, within a 15-minute window.
    new ScheduledTask(this, 'NightlyReconciliation', {
      cluster: this.cluster,
      image: ecs.ContainerImage.fromRegistry('public.ecr.aws/docker/library/python:3.13-slim'),
      command: ['python', '-c', 'print("reconciling")'],
      schedule: Schedule.cron('30 2 * * ? *'),
      timeZone: TimeZone.EUROPE_BERLIN,
      flexibleWindow: Duration.minutes(15),
      capacity: Capacity.ec2(general),
    });

    // An internal TCP service (a cache) behind a network load balancer, offered to a partner account through
    // PrivateLink; its security group path admits the load balancer (traffic and health checks) and nothing else.
    new NetworkService(this, 'Cache', {
      cluster: this.cluster,
      image: ecs.ContainerImage.fromRegistry('public.ecr.aws/docker/library/redis:7'),
      port: 6379,
      privateLink: { allowedPrincipals: [new iam.ArnPrincipal('arn:aws:iam::210987654321:root')] },
    });
  }
}

/**
 * Batch jobs with no internet access, on cheap Graviton Spot instances.
 *
 * The private subnets have no NAT gateway; the cluster adds VPC endpoints for ECR, CloudWatch Logs, Secrets
 * Manager, SSM, KMS, ECS and S3, so images still pull and logs still flow, and nothing else is reachable.
 */
export class IsolatedBatchStack extends Stack {
  public readonly cluster: FoundryCluster;

  constructor(scope: Construct, id: string, props: StackProps) {
    super(scope, id, props);

    this.cluster = new FoundryCluster(this, 'Cluster', {
      natGateways: NatGatewayStrategy.NONE,
    });

    // ARM64 Bottlerocket (a minimal, immutable, container-only OS) on Spot. Spot is far more available
    // across several instance types, so the group diversifies over general, compute and memory families of the
    // same generation; price-capacity-optimized allocation (the default) picks the least interrupted pools.
    // Batch jobs tolerate interruptions: the library turns on Spot draining so tasks get their two minutes.
    const graviton = this.cluster.addEc2Capacity('GravitonSpot', {
      instanceType: new ec2.InstanceType('m7g.large'),
      machineImage: Ec2MachineImage.BOTTLEROCKET,
      maxCapacity: 20,
      spot: {
        additionalInstanceTypes: [new ec2.InstanceType('c7g.large'), new ec2.InstanceType('r7g.large')],
      },
    });

    // Jobs land on the Spot instances unless they choose otherwise. (EC2 capacity exists only after the
    // cluster, hence the method rather than the `defaultCapacity` prop.)
    this.cluster.useDefaultCapacity(Capacity.ec2(graviton));

    // A nightly report job: its image lives in its own hardened ECR repository (scan on push, immutable tags,
    // the last 30 images kept), and its results in a shared EFS volume that outlives every task.
    const repository = new WorkloadRepository(this, 'ReportsRepository');
    const results = new SharedVolume(this, 'Results', {
      cluster: this.cluster,
      accessPoint: { path: '/reports', uid: 1000, gid: 1000 },
    });
    const reports = new FoundryTaskDefinition(this, 'Reports', {
      cluster: this.cluster,
      image: repository.image('2026.11.1'),
      cpu: 1024,
      memoryMiB: 4096,
      user: '1000:1000',
      environment: { REPORT_DIR: '/reports' },
      // The job reads its database password at start-up; ECS injects it, the template never holds it.
      secrets: {
        DB_PASSWORD: ecs.Secret.fromSsmParameter(
          ssm.StringParameter.fromSecureStringParameterAttributes(this, 'DbPassword', { parameterName: '/reports/db-password' })),
      },
      writablePaths: ['/tmp', '/var/cache/reports'],
    });
    // EFS over TLS with IAM through the access point; NFS is open only to the job's own security group.
    reports.addVolume(results, '/reports');
  }
}

const app = new App({
  context: {
    // aws-cdk-lib's built-in CloudFormation validation (resource schemas and cfn-lint-style rules).
    '@aws-cdk/core:validateAgainstDefaultRules': true,
    // Write every finding to validation-report.json in the cloud assembly instead of stopping at the first
    // failing stack; examples/summary.ts reads the report and fails the run when anything is unacknowledged.
    '@aws-cdk/core:failSynthOnValidationErrors': false,
    // The AZs of the example account, so that synth needs no AWS credentials for a lookup. A real app commits
    // the values `cdk synth` caches in cdk.context.json instead.
    [`availability-zones:account=${ENV.account}:region=${ENV.region}`]: ['us-east-1a', 'us-east-1b', 'us-east-1c'],
  },
});

// Five packs run as validation plugins on every stack of the app: the four cdk-nag rule packs and the AWS Control
// Tower proactive controls (the cfn-guard rules of @cdklabs/cdk-validator-cfnguard, run by its bundled cfn-guard).
Validations.of(app).addPlugins(
  new AwsSolutionsChecks(app),
  new NIST80053R5Checks(app),
  new HIPAASecurityChecks(app),
  new PCIDSS321Checks(app),
  new CfnGuardValidator(),
);

new PlatformStack(app, 'Platform', { env: ENV, description: 'cdk-ecs-foundry example: shared ECS platform (Fargate + EC2)' });
new IsolatedBatchStack(app, 'IsolatedBatch', { env: ENV, description: 'cdk-ecs-foundry example: isolated batch cluster on Graviton Spot' });

const assembly = app.synth();

// What the example costs per month: an estimate from the library's dated price table and printed assumptions,
// written into the cloud assembly for examples/summary.ts to print.
const estimate = CostEstimate.of(app);
fs.writeFileSync(path.join(assembly.directory, 'cost-estimate.json'),
  JSON.stringify({ ...JSON.parse(estimate.toJson()), report: estimate.toMarkdown() }, undefined, 2));
