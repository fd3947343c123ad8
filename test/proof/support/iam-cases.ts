/**
 * The apps whose policies the IAM proofs evaluate: every pattern in its default configuration, and in its
 * fullest configuration once on Fargate and once on EC2 (AL2023 and Bottlerocket hosts, On-Demand and Spot).
 * Each app is a plain App (no validation plugins): the proofs read the synthesized templates only.
 */
import { App, Duration, Stack, TimeZone } from 'aws-cdk-lib';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as ssm from 'aws-cdk-lib/aws-ssm';
import {
  BackendService, Capacity, Ec2MachineImage, FoundryCluster, FoundryTaskDefinition, NetworkProtocol, NetworkService,
  ScheduledTask, SharedVolume, Schedule, WebLoadBalancer, WebService, WorkerService, WorkloadRepository,
} from '../../../src';

export const ACCOUNT = '123456789012';
export const REGION = 'us-east-1';
export const PARTITION = 'aws';

const nginx = ecs.ContainerImage.fromRegistry('public.ecr.aws/nginx/nginx:stable');

/** What a fullest case exposes to the proofs, by construct, so tests can name "the worker's queue". */
export interface FullestCase {
  readonly stack: Stack;
  readonly cluster: FoundryCluster;
  readonly api: WebService;
  readonly docs: WebService;
  readonly tcp: NetworkService;
  readonly backend: BackendService;
  readonly orders: WorkerService;
  readonly billing: WorkerService;
  readonly job: ScheduledTask;
  readonly reports: FoundryTaskDefinition;
  readonly uploads: SharedVolume;
  readonly archive: SharedVolume;
}

/** Everything on its defaults, on Fargate. */
export function defaultsStack(app: App): Stack {
  const stack = new Stack(app, 'Defaults', { env: { account: ACCOUNT, region: REGION } });
  const cluster = new FoundryCluster(stack, 'Cluster');
  new WebService(stack, 'Web', { cluster, image: nginx, port: 8080, certificate: certificate(stack) });
  new NetworkService(stack, 'Tcp', { cluster, image: nginx, port: 5432 });
  new BackendService(stack, 'Backend', { cluster, image: nginx, port: 8080 });
  new WorkerService(stack, 'Worker', { cluster, image: nginx });
  new ScheduledTask(stack, 'Job', { cluster, image: nginx, schedule: Schedule.rate(Duration.hours(1)) });
  new FoundryTaskDefinition(stack, 'Task', { cluster, image: nginx, port: 8080 });
  return stack;
}

/**
 * Every pattern in its fullest configuration: image from a WorkloadRepository, secrets encrypted with their own
 * key, two services with their own EFS access points, two workers with their own queues, blue/green, ECS Exec,
 * FireLens, a shared ALB with WAF, an NLB, a scheduled task, alert e-mails; on `ec2` the services run on EC2
 * capacity (AL2023 On-Demand and Bottlerocket Spot with Session Manager).
 */
export function fullestStack(app: App, id: string, onEc2: boolean): FullestCase {
  const stack = new Stack(app, id, { env: { account: ACCOUNT, region: REGION } });
  const cluster = new FoundryCluster(stack, 'Cluster', { alertEmails: ['ops@example.com'], serviceConnectNamespace: 'internal' });
  let capacity = Capacity.fargate();
  if (onEc2) {
    const standard = cluster.addEc2Capacity('Standard', { instanceType: new ec2.InstanceType('m7i.large'), enableSessionManager: true });
    cluster.addEc2Capacity('Spot', {
      instanceType: new ec2.InstanceType('m7g.large'),
      machineImage: Ec2MachineImage.BOTTLEROCKET,
      enableSessionManager: true,
      spot: { additionalInstanceTypes: [new ec2.InstanceType('c7g.large')] },
      teardownWait: Duration.minutes(5),
    });
    capacity = Capacity.ec2(standard);
  }
  const repo = new WorkloadRepository(stack, 'Repo', { encryptionKey: cluster.encryptionKey });
  const secretKey = new kms.Key(stack, 'SecretKey', { enableKeyRotation: true });
  const dbSecret = secretsmanager.Secret.fromSecretAttributes(stack, 'Db', {
    secretCompleteArn: `arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:db-AbCdEf`, encryptionKey: secretKey,
  });
  const ownSecret = new secretsmanager.Secret(stack, 'ApiKey', { encryptionKey: secretKey });
  const token = ssm.StringParameter.fromSecureStringParameterAttributes(stack, 'Token', { parameterName: '/api/token' });
  const uploads = new SharedVolume(stack, 'Uploads', { cluster });
  const archive = new SharedVolume(stack, 'Archive', { cluster });
  const alb = new WebLoadBalancer(stack, 'Alb', { cluster, certificate: certificate(stack) });

  const api = new WebService(stack, 'Api', {
    cluster,
    capacity,
    image: repo.image('1.0.0'),
    port: 8080,
    loadBalancer: alb,
    pathPatterns: ['/api/*'],
    secrets: { DB_PASSWORD: ecs.Secret.fromSecretsManager(dbSecret, 'password'), API_KEY: ecs.Secret.fromSecretsManager(ownSecret) },
    scaling: { minTasks: 2, maxTasks: 10, cpuPercent: 60, requestsPerTask: 500 },
    enableExecuteCommand: true,
    deployment: { blueGreen: {} },
    logging: { firelens: true },
  });
  api.addVolume(uploads, '/uploads');
  const docs = new WebService(stack, 'Docs', {
    cluster,
    capacity,
    image: nginx,
    port: 8080,
    loadBalancer: alb,
    pathPatterns: ['/docs/*'],
    secrets: { TOKEN: ecs.Secret.fromSsmParameter(token) },
  });
  docs.addVolume(archive, '/archive', { readOnly: true });
  const tcp = new NetworkService(stack, 'Tcp', {
    cluster,
    capacity,
    image: nginx,
    port: 8443,
    protocol: NetworkProtocol.TLS,
    certificate: certificate(stack, 'NlbCert'),
    privateLink: { allowedPrincipals: [new iam.ArnPrincipal('arn:aws:iam::210987654321:root')] },
  });
  const backend = new BackendService(stack, 'Backend', { cluster, capacity, image: nginx, port: 8080, enableExecuteCommand: true });
  const orders = new WorkerService(stack, 'Orders', {
    cluster, capacity, image: nginx, queueScaling: { minTasks: 0, maxTasks: 10, messagesPerTask: 50 },
  });
  const billing = new WorkerService(stack, 'Billing', {
    cluster, capacity, image: nginx, queueOptions: { fifo: true, contentBasedDeduplication: true },
  });
  orders.connectTo(backend);
  const job = new ScheduledTask(stack, 'Job', {
    cluster,
    capacity,
    image: repo.image('1.0.0'),
    schedule: Schedule.cron('30 2 ? * MON-FRI *'),
    timeZone: TimeZone.EUROPE_BERLIN,
    maxRetries: 2,
    secrets: { DB_PASSWORD: ecs.Secret.fromSecretsManager(dbSecret, 'password') },
  });
  const reports = new FoundryTaskDefinition(stack, 'Reports', { cluster, capacity, image: nginx });
  reports.addVolume(archive, '/archive');
  return { stack, cluster, api, docs, tcp, backend, orders, billing, job, reports, uploads, archive };
}

function certificate(stack: Stack, id = 'Certificate'): acm.ICertificate {
  return acm.Certificate.fromCertificateArn(stack, id,
    `arn:aws:acm:${REGION}:${ACCOUNT}:certificate/11111111-2222-3333-4444-555555555555`);
}
