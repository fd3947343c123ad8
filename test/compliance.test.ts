/**
 * The compliance harness: every construct, in its default and its fullest configuration, synthesizes with
 * zero unacknowledged findings from cdk-nag's AwsSolutions, NIST 800-53 R5, HIPAA Security and PCI DSS 3.2.1
 * packs and the AWS Control Tower proactive controls (cfn-guard, the fifth pack), and zero findings (errors or
 * warnings) from aws-cdk-lib's CloudFormation validation.
 *
 * All stacks live in one App that is synthesized once (validation costs seconds per synth).
 * Later patterns add their stacks to CASES.
 */
import * as fs from 'fs';
import * as path from 'path';
import { Duration, Fn, Size, Stack, TimeZone } from 'aws-cdk-lib';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as route53 from 'aws-cdk-lib/aws-route53';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import * as ssm from 'aws-cdk-lib/aws-ssm';
import {
  BackendService, Capacity, CircuitBreakerThreshold, DeploymentStrategy, Ec2MachineImage, FoundryCluster, FoundryTaskDefinition,
  ManagedInstancesPurchaseOption,
  ManagedInstancesReservationPreference, NatGatewayStrategy, NetworkProtocol, NetworkService,
  PredictiveScalingMetric, PredictiveScalingMode,
  ScheduledTask, SharedVolume, StoppedTaskAlerts, Schedule, WebLoadBalancer, WebService, WorkerService, WorkloadRepository,
} from '../src';

const nginx = ecs.ContainerImage.fromRegistry('public.ecr.aws/nginx/nginx:stable');
const certificate = (stack: Stack, id = 'Certificate') => acm.Certificate.fromCertificateArn(stack, id,
  'arn:aws:acm:us-east-1:123456789012:certificate/11111111-2222-3333-4444-555555555555');
/** The three kinds of capacity every service pattern is checked on: Fargate, Fargate Spot and EC2. */
const everyCapacity = (cluster: FoundryCluster) => [
  Capacity.fargate(),
  Capacity.spot({ onDemandBase: 1 }),
  Capacity.ec2(cluster.addEc2Capacity('Ec2', { instanceType: new ec2.InstanceType('m7i.large') })),
];
import { ALL_PACKS, CFN_GUARD, CFN_VALIDATE, complianceApp, Finding, findingsOf, synthFindings, testStack } from './support/compliance';
import { denyGrantsExceptForAwsResources } from '../src/compliance/acknowledgements';

const app = complianceApp();

/** Each case builds one stack; its name says which construct and configuration it covers. */
const CASES: Record<string, (stack: Stack) => void> = {
  ClusterDefault: stack => {
    new FoundryCluster(stack, 'Cluster');
  },
  // ECS Managed Instances (helper M): the capacity with a web service, a worker and a scheduled task on it.
  ManagedInstancesDefault: stack => {
    const cluster = new FoundryCluster(stack, 'Cluster');
    const capacity = Capacity.managedInstances(cluster.addManagedInstances('Instances'));
    new WebService(stack, 'Web', { cluster, image: nginx, port: 8080, certificate: certificate(stack), capacity });
    new WorkerService(stack, 'Worker', { cluster, image: nginx, capacity });
    new ScheduledTask(stack, 'Nightly', { cluster, image: nginx, schedule: Schedule.cron('0 3 * * ? *'), capacity });
  },
  ManagedInstancesFullest: stack => {
    const cluster = new FoundryCluster(stack, 'Cluster');
    const graviton = cluster.addManagedInstances('Graviton', {
      cpuArchitecture: ecs.CpuArchitecture.ARM64,
      minVcpus: 2,
      maxVcpus: 16,
      minMemory: Size.gibibytes(4),
      maxMemory: Size.gibibytes(64),
      allowedInstanceTypes: ['m7g.*', 'c7g.*'],
      burstable: true,
      purchaseOption: ManagedInstancesPurchaseOption.SPOT,
      storageSize: Size.gibibytes(100),
      detailedMonitoring: true,
      autoRepair: false,
      scaleInAfter: Duration.minutes(5),
      fipsEnabled: true,
      propagateTags: false,
      capacityProviderName: 'graviton-mi',
    });
    const gpu = cluster.addManagedInstances('Gpu', {
      minGpus: 1,
      useLocalStorage: true,
      infrastructureOptimization: false,
      purchaseOption: ManagedInstancesPurchaseOption.RESERVED,
      capacityReservations: { preference: ManagedInstancesReservationPreference.RESERVATIONS_FIRST },
    });
    cluster.useDefaultCapacity(Capacity.managedInstances(graviton));
    new WebService(stack, 'Web', { cluster, image: nginx, port: 8080, certificate: certificate(stack), cpu: 1536, memoryMiB: 3072 });
    new WorkerService(stack, 'Worker', { cluster, image: nginx, capacity: Capacity.managedInstances(gpu), gpuCount: 1, memoryMiB: 8192 });
    new ScheduledTask(stack, 'Nightly', { cluster, image: nginx, schedule: Schedule.rate(Duration.hours(6)) });
  },
  ClusterFullest: stack => {
    const cluster = new FoundryCluster(stack, 'Cluster', {
      natGateways: NatGatewayStrategy.NONE,
      maxAzs: 3,
      serviceConnectNamespace: 'internal',
      defaultCapacity: Capacity.spot({ onDemandBase: 1 }),
    });
    cluster.addEc2Capacity('Standard', { instanceType: new ec2.InstanceType('m7i.large'), enableSessionManager: true });
    cluster.addEc2Capacity('Gpu', { instanceType: new ec2.InstanceType('g5.xlarge') });
    cluster.addEc2Capacity('Neuron', { instanceType: new ec2.InstanceType('inf2.xlarge') });
    cluster.addEc2Capacity('GravitonSpot', {
      instanceType: new ec2.InstanceType('m7g.large'),
      machineImage: Ec2MachineImage.BOTTLEROCKET,
      enableSessionManager: true,
      spot: { additionalInstanceTypes: [new ec2.InstanceType('c7g.large')], onDemandBaseCapacity: 1 },
    });
  },
  ClusterSingleNatEc2Default: stack => {
    const cluster = new FoundryCluster(stack, 'Cluster', { natGateways: NatGatewayStrategy.SINGLE, vpcEndpoints: true });
    const capacity = cluster.addEc2Capacity('Bottlerocket', { instanceType: new ec2.InstanceType('c7i.large'), machineImage: Ec2MachineImage.BOTTLEROCKET });
    cluster.useDefaultCapacity(Capacity.ec2(capacity));
  },
  ClusterPrivateOnly: stack => {
    const cluster = new FoundryCluster(stack, 'Cluster', { publicSubnets: false });
    cluster.addEc2Capacity('Ec2', { instanceType: new ec2.InstanceType('m7i.large') });
  },
  WorkloadDefault: stack => {
    const cluster = new FoundryCluster(stack, 'Cluster');
    new FoundryTaskDefinition(stack, 'Web', { cluster, image: ecs.ContainerImage.fromRegistry('public.ecr.aws/nginx/nginx:stable'), port: 8080 });
  },
  WorkloadFullestSpot: stack => {
    const cluster = new FoundryCluster(stack, 'Cluster');
    const repo = new WorkloadRepository(stack, 'Repo', { encryptionKey: cluster.encryptionKey });
    const key = new kms.Key(stack, 'SecretKey', { enableKeyRotation: true });
    denyGrantsExceptForAwsResources(key); // the user's key, made Control Tower compliant (CT.KMS.PR.3) as the cluster key is
    // The workload's secret lives outside the stack (a secret created here would bring its own rotation findings).
    const secret = secretsmanager.Secret.fromSecretAttributes(stack, 'Db', {
      secretCompleteArn: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:db-AbCdEf', encryptionKey: key,
    });
    const token = ssm.StringParameter.fromSecureStringParameterAttributes(stack, 'Token', { parameterName: '/api/token' });
    const volume = new SharedVolume(stack, 'Data', { cluster });
    const busybox = ecs.ContainerImage.fromRegistry('public.ecr.aws/docker/library/busybox:stable');
    const api = new FoundryTaskDefinition(stack, 'Api', {
      cluster,
      capacity: Capacity.spot({ onDemandBase: 1 }),
      image: repo.image('1.0.0'),
      port: 8080,
      cpu: 1024,
      memoryMiB: 2048,
      cpuArchitecture: ecs.CpuArchitecture.ARM64,
      ephemeralStorageGiB: 40,
      environment: { LOG_LEVEL: 'info' },
      secrets: { DB_PASSWORD: ecs.Secret.fromSecretsManager(secret, 'password'), TOKEN: ecs.Secret.fromSsmParameter(token) },
      stopTimeout: Duration.seconds(90),
      logging: { firelens: true, nonBlocking: true, maxBufferSize: Size.mebibytes(8) },
      sidecars: [{ name: 'migrate', image: busybox, essential: false, mainContainerWaitsFor: ecs.ContainerDependencyCondition.SUCCESS }],
    });
    api.addVolume(volume, '/data');
    api.addVolume(volume, '/reports', { readOnly: true, accessPoint: volume.addAccessPoint('Reports') });
  },
  WorkloadEc2Gpu: stack => {
    const cluster = new FoundryCluster(stack, 'Cluster');
    const gpu = cluster.addEc2Capacity('Gpu', { instanceType: new ec2.InstanceType('g5.xlarge') });
    const volume = new SharedVolume(stack, 'Models', { cluster });
    const inference = new FoundryTaskDefinition(stack, 'Inference', {
      cluster,
      capacity: Capacity.ec2(gpu),
      image: ecs.ContainerImage.fromAsset(path.join(__dirname, 'fixtures', 'image')),
      cpu: 2048,
      memoryMiB: 8192,
      gpuCount: 1,
    });
    inference.addVolume(volume, '/models', { readOnly: true });
  },
  WebHttpsOwnAlbOnEachCapacity: stack => {
    const cluster = new FoundryCluster(stack, 'Cluster');
    everyCapacity(cluster).forEach((capacity, i) =>
      new WebService(stack, `Web${i}`, { cluster, image: nginx, port: 8080, certificate: certificate(stack, `Cert${i}`), capacity }));
  },
  WebSharedAlbOnEachCapacityFullest: stack => {
    const cluster = new FoundryCluster(stack, 'Cluster');
    const zone = route53.HostedZone.fromHostedZoneAttributes(stack, 'Zone', { hostedZoneId: 'Z0123456789', zoneName: 'example.com' });
    const alb = new WebLoadBalancer(stack, 'Alb', { cluster, certificate: certificate(stack), allowedCidrs: ['203.0.113.0/24', '0.0.0.0/0'] });
    const [fargate, spot, onEc2] = everyCapacity(cluster);
    const api = new WebService(stack, 'Api', {
      cluster,
      image: nginx,
      port: 8080,
      loadBalancer: alb,
      pathPatterns: ['/api/*'],
      capacity: spot,
      scaling: { minTasks: 2, maxTasks: 10, cpuPercent: 60, memoryPercent: 70, requestsPerTask: 500 },
      enableExecuteCommand: true,
      deployment: { blueGreen: {} },
      environment: { MODE: 'api' },
      logging: { firelens: true },
    });
    api.addVolume(new SharedVolume(stack, 'Uploads', { cluster }), '/uploads');
    new WebService(stack, 'Site', { cluster, image: nginx, port: 3000, loadBalancer: alb, domainName: 'www.example.com', hostedZone: zone, capacity: onEc2 });
    new WebService(stack, 'Docs', { cluster, image: nginx, port: 8080, loadBalancer: alb, pathPatterns: ['/docs/*'], capacity: fargate, enableExecuteCommand: true });
  },
  WebPlainHttpOnEachCapacity: stack => {
    const cluster = new FoundryCluster(stack, 'Cluster');
    const alb = new WebLoadBalancer(stack, 'Alb', { cluster, allowHttp: true, internetFacing: false });
    everyCapacity(cluster).forEach((capacity, i) =>
      new WebService(stack, `Web${i}`, { cluster, image: nginx, port: 8080, loadBalancer: alb, pathPatterns: [`/s${i}/*`], capacity }));
  },
  // Progressive deployments (helper P1): a canary WebService with defaults; canary with hooks, linear, and a worker's
  // blue/green with a hook and circuit breaker tuning. Hooks are the user's functions (imported here: their own
  // compliance is theirs); the library adds the role ECS invokes them with.
  ProgressiveDeploymentsDefault: stack => {
    const cluster = new FoundryCluster(stack, 'Cluster');
    new WebService(stack, 'Web', {
      cluster,
      image: nginx,
      port: 8080,
      certificate: certificate(stack),
      deployment: { strategy: DeploymentStrategy.canary({ percent: 10 }) },
    });
  },
  ProgressiveDeploymentsFullest: stack => {
    const cluster = new FoundryCluster(stack, 'Cluster');
    const hook = (id: string) => lambda.Function.fromFunctionArn(stack, id, `arn:aws:lambda:us-east-1:123456789012:function:${id.toLowerCase()}`);
    const alb = new WebLoadBalancer(stack, 'Alb', { cluster, certificate: certificate(stack) });
    new WebService(stack, 'Canary', {
      cluster,
      image: nginx,
      port: 8080,
      loadBalancer: alb,
      pathPatterns: ['/canary/*'],
      deployment: {
        strategy: DeploymentStrategy.canary({ percent: 5, canaryBakeTime: Duration.minutes(5), bakeTime: Duration.minutes(15), testHeader: 'x-canary' }),
        lifecycleHooks: [
          { handler: hook('SmokeTest'), stages: [ecs.DeploymentLifecycleStage.POST_TEST_TRAFFIC_SHIFT] },
          { handler: hook('Approve'), stages: [ecs.DeploymentLifecycleStage.PRODUCTION_TRAFFIC_SHIFT] },
        ],
        circuitBreakerThreshold: CircuitBreakerThreshold.percent(25),
        circuitBreakerResetOnHealthyTask: false,
      },
      scaling: { minTasks: 2, maxTasks: 10, cpuPercent: 60, requestsPerTask: 500 },
    });
    new WebService(stack, 'Linear', {
      cluster,
      image: nginx,
      port: 8080,
      loadBalancer: alb,
      pathPatterns: ['/linear/*'],
      deployment: { strategy: DeploymentStrategy.linear({ stepPercent: 20, stepBakeTime: Duration.minutes(2) }) },
    });
    new WorkerService(stack, 'Worker', {
      cluster,
      image: nginx,
      deployment: {
        strategy: DeploymentStrategy.blueGreen({ bakeTime: Duration.minutes(5) }),
        lifecycleHooks: [{ handler: hook('DrainCheck'), stages: [ecs.DeploymentLifecycleStage.POST_SCALE_UP] }],
        circuitBreakerThreshold: CircuitBreakerThreshold.count(3),
      },
    });
  },
  // Progressive deployments behind an NLB and through Service Connect (helper P2): a blue/green NetworkService and a
  // canary BackendService with defaults; TLS linear with PrivateLink and a hook, UDP canary, and a backend linear with a
  // hook and a custom test header, called by a client.
  NlbServiceConnectDeploymentsDefault: stack => {
    const cluster = new FoundryCluster(stack, 'Cluster');
    new NetworkService(stack, 'Db', { cluster, image: nginx, port: 5432, deployment: { strategy: DeploymentStrategy.blueGreen() } });
    new BackendService(stack, 'Orders', {
      cluster, image: nginx, port: 8080, appProtocol: ecs.AppProtocol.http, deployment: { strategy: DeploymentStrategy.canary({ percent: 10 }) },
    });
  },
  NlbServiceConnectDeploymentsFullest: stack => {
    const cluster = new FoundryCluster(stack, 'Cluster');
    const hook = (id: string) => lambda.Function.fromFunctionArn(stack, id, `arn:aws:lambda:us-east-1:123456789012:function:${id.toLowerCase()}`);
    new NetworkService(stack, 'Api', {
      cluster,
      image: nginx,
      port: 8443,
      protocol: NetworkProtocol.TLS,
      certificate: certificate(stack),
      privateLink: { allowedPrincipals: [new iam.ArnPrincipal('arn:aws:iam::210987654321:root')] },
      deployment: {
        strategy: DeploymentStrategy.linear({ stepPercent: 25, stepBakeTime: Duration.minutes(2), testListenerPort: 8444 }),
        lifecycleHooks: [{ handler: hook('NlbSmokeTest'), stages: [ecs.DeploymentLifecycleStage.POST_TEST_TRAFFIC_SHIFT] }],
      },
      scaling: { minTasks: 2, maxTasks: 6, cpuPercent: 60 },
    });
    new NetworkService(stack, 'Dns', {
      cluster,
      image: nginx,
      port: 53,
      protocol: NetworkProtocol.UDP,
      targetHealthCheck: { port: 8080 },
      deployment: { strategy: DeploymentStrategy.canary({ percent: 20 }) },
    });
    const orders = new BackendService(stack, 'Orders', {
      cluster,
      image: nginx,
      port: 8080,
      appProtocol: ecs.AppProtocol.http,
      deployment: {
        strategy: DeploymentStrategy.linear({ stepPercent: 10, testHeader: 'x-orders-test' }),
        lifecycleHooks: [{ handler: hook('OrdersSmokeTest'), stages: [ecs.DeploymentLifecycleStage.POST_TEST_TRAFFIC_SHIFT] }],
      },
      scaling: { minTasks: 2, maxTasks: 6, cpuPercent: 60 },
    });
    new WorkerService(stack, 'Client', { cluster, image: nginx }).connectTo(orders);
  },
  NetworkTcpTlsPrivateLinkOnEachCapacity: stack => {
    const cluster = new FoundryCluster(stack, 'Cluster');
    everyCapacity(cluster).forEach((capacity, i) => {
      new NetworkService(stack, `Tcp${i}`, { cluster, image: nginx, port: 5432, capacity });
      new NetworkService(stack, `Tls${i}`, {
        cluster,
        image: nginx,
        port: 8443,
        protocol: NetworkProtocol.TLS,
        certificate: certificate(stack, `Cert${i}`),
        loadBalancerOptions: { internetFacing: true },
        capacity,
        scaling: { maxTasks: 4 },
      });
      new NetworkService(stack, `Link${i}`, {
        cluster,
        image: nginx,
        port: 53,
        protocol: NetworkProtocol.UDP,
        targetHealthCheck: { port: 8080 },
        capacity,
        privateLink: { allowedPrincipals: [new iam.ArnPrincipal('arn:aws:iam::210987654321:root')] },
      });
    });
  },
  BackgroundDefaults: stack => {
    const cluster = new FoundryCluster(stack, 'Cluster');
    new BackendService(stack, 'Backend', { cluster, image: nginx, port: 8080 });
    new WorkerService(stack, 'Worker', { cluster, image: nginx });
    new ScheduledTask(stack, 'Job', { cluster, image: nginx, schedule: Schedule.rate(Duration.hours(1)) });
  },
  BackgroundFullestOnEachCapacity: stack => {
    const cluster = new FoundryCluster(stack, 'Cluster', { serviceConnectNamespace: 'prod.internal' });
    everyCapacity(cluster).forEach((capacity, i) => {
      const backend = new BackendService(stack, `Backend${i}`, { cluster, image: nginx, port: 8080, capacity, cloudMapDns: true, scaling: { maxTasks: 4 } });
      const worker = new WorkerService(stack, `Worker${i}`, {
        cluster,
        image: nginx,
        capacity,
        expectedProcessingTime: Duration.seconds(40),
        queueOptions: { fifo: true, contentBasedDeduplication: true, maxReceiveCount: 3 },
        queueScaling: { minTasks: 0, maxTasks: 20, acceptableLatency: Duration.minutes(10), cpuPercent: 85 },
      });
      worker.connectTo(backend);
      new ScheduledTask(stack, `Job${i}`, {
        cluster,
        image: nginx,
        capacity,
        schedule: Schedule.cron('30 2 ? * MON-FRI *'),
        timeZone: TimeZone.EUROPE_BERLIN,
        flexibleWindow: Duration.minutes(10),
        maxRetries: 2,
        taskCount: 2,
        environment: { JOB: 'report' },
      });
    });
  },
  OperationsAlertsAndTeardown: stack => {
    const cluster = new FoundryCluster(stack, 'Cluster', {
      alertEmails: ['ops@example.com'],
      alertSubscriptions: [new subscriptions.UrlSubscription('https://alerts.example.com/ecs')],
    });
    cluster.addEc2Capacity('OnDemand', { instanceType: new ec2.InstanceType('m7i.large'), teardownWait: Duration.minutes(5) });
    cluster.addEc2Capacity('Spot', { instanceType: new ec2.InstanceType('m7g.large'), spot: { additionalInstanceTypes: [new ec2.InstanceType('c7g.large')] } });
  },
  OperationsStandaloneAlerts: stack => {
    const cluster = new FoundryCluster(stack, 'Cluster', { stoppedTaskAlerts: false, natGateways: NatGatewayStrategy.NONE });
    const pager = sns.Topic.fromTopicArn(stack, 'Pager', 'arn:aws:sns:us-east-1:123456789012:pager');
    new StoppedTaskAlerts(stack, 'Alerts', { cluster, topic: pager, spotInterruptions: false });
  },
  ClusterImportedVpc: stack => {
    const vpc = ec2.Vpc.fromVpcAttributes(stack, 'Vpc', {
      vpcId: Fn.importValue('NetworkVpcId'),
      availabilityZones: ['us-east-1a', 'us-east-1b'],
      privateSubnetIds: ['subnet-0a1b2c3d', 'subnet-4e5f6a7b'],
    });
    const cluster = new FoundryCluster(stack, 'Cluster', { vpc });
    cluster.addEc2Capacity('Ec2', { instanceType: new ec2.InstanceType('m7i.large') });
  },
  // Scaling & observability (issue 12): predictive scaling, 20-second metrics, Service Connect access logs.
  ScalingObservabilityDefaults: stack => {
    const cluster = new FoundryCluster(stack, 'Cluster');
    new WebService(stack, 'Web', { cluster, image: nginx, port: 8080, certificate: certificate(stack), scaling: { maxTasks: 4, predictive: {} } });
    new BackendService(stack, 'Backend', { cluster, image: nginx, port: 8080, serviceConnectAccessLogs: { format: ecs.ServiceConnectAccessLogFormat.JSON } });
  },
  ScalingObservabilityFullest: stack => {
    const cluster = new FoundryCluster(stack, 'Cluster');
    new WebService(stack, 'Web', {
      cluster,
      image: nginx,
      port: 8080,
      certificate: certificate(stack),
      deployment: { blueGreen: {} },
      highResolutionMetrics: true,
      dashboard: true,
      scaling: {
        minTasks: 2,
        maxTasks: 20,
        cpuPercent: 60,
        memoryPercent: 70,
        requestsPerTask: 500,
        predictive: {
          mode: PredictiveScalingMode.FORECAST_AND_SCALE,
          metric: PredictiveScalingMetric.REQUESTS,
          schedulingBuffer: Duration.minutes(10),
          maxTasksBufferPercent: 10,
        },
      },
    });
    const backend = new BackendService(stack, 'Backend', {
      cluster,
      image: nginx,
      port: 8080,
      highResolutionMetrics: true,
      alarms: { separateAlarms: true },
      scaling: { maxTasks: 4, predictive: { mode: PredictiveScalingMode.FORECAST_AND_SCALE, metric: PredictiveScalingMetric.MEMORY } },
      serviceConnectAccessLogs: { format: ecs.ServiceConnectAccessLogFormat.TEXT, includeQueryParameters: true },
    });
    const worker = new WorkerService(stack, 'Worker', {
      cluster, image: nginx, highResolutionMetrics: true, serviceConnectAccessLogs: { format: ecs.ServiceConnectAccessLogFormat.JSON },
    });
    worker.connectTo(backend);
  },
  // Workload (helper W): restart policies, fault injection, the GuardDuty agent pull (on by default on Fargate) and an
  // image whose tag CI writes into SSM. Default: a WebService whose image tag comes from SSM. Fullest: a restarting
  // sidecar and main container, fault injection on, on Fargate Spot, with the GuardDuty pull, beside an opted-out one.
  WorkloadCiImageDefault: stack => {
    const cluster = new FoundryCluster(stack, 'Cluster');
    const repo = new WorkloadRepository(stack, 'Repo');
    new WebService(stack, 'Web', { cluster, image: repo.imageFromTagParameter('/web/image-tag'), port: 8080, certificate: certificate(stack) });
  },
  WorkloadRestartFaultInjectionFullest: stack => {
    const cluster = new FoundryCluster(stack, 'Cluster');
    const repo = new WorkloadRepository(stack, 'Repo', { encryptionKey: cluster.encryptionKey });
    new FoundryTaskDefinition(stack, 'Api', {
      cluster,
      capacity: Capacity.spot({ onDemandBase: 1 }),
      image: repo.imageFromTagParameter('/api/image-tag'),
      port: 8080,
      cpu: 512,
      memoryMiB: 1024,
      enableFaultInjection: true,
      restartPolicy: { ignoredExitCodes: [0], restartAttemptPeriod: Duration.minutes(2) },
      sidecars: [{
        name: 'otel',
        image: nginx,
        essential: false,
        memoryReservationMiB: 64,
        restartPolicy: { ignoredExitCodes: [0, 143], restartAttemptPeriod: Duration.seconds(60) },
      }],
    });
    new FoundryTaskDefinition(stack, 'Batch', { cluster, image: nginx, allowGuardDutyAgentPull: false, enableFaultInjection: true });
  },
  // Storage (helper S): EBS task volumes. Default: a WebService with a gp3 volume restored from a snapshot. Fullest: every
  // volume setting, on Fargate, EC2 and Managed Instances, io2 and a read-only mount in a sidecar. Cluster defaults
  // (ClusterDefault) already cover managed storage encryption; an imported key that opts in is here.
  EbsVolumesDefault: stack => {
    const cluster = new FoundryCluster(stack, 'Cluster');
    new WebService(stack, 'Web', {
      cluster,
      image: nginx,
      port: 8080,
      certificate: certificate(stack),
      ebsVolumes: [{ name: 'data', containerPath: '/data', snapshotId: 'snap-0123456789abcdef0' }],
    });
  },
  EbsVolumesFullest: stack => {
    const key = new kms.Key(stack, 'Key', { enableKeyRotation: true });
    denyGrantsExceptForAwsResources(key); // the user's key, made Control Tower compliant (CT.KMS.PR.3) as the cluster key is
    const cluster = new FoundryCluster(stack, 'Cluster', { encryptionKey: key, encryptManagedStorage: true, clusterName: 'storage' });
    new WebService(stack, 'Web', {
      cluster,
      image: nginx,
      port: 8080,
      certificate: certificate(stack),
      ebsVolumes: [{
        name: 'data',
        containerPath: '/data',
        volumeType: ec2.EbsDeviceVolumeType.GP3,
        size: Size.gibibytes(200),
        iops: 12000,
        throughputMiBps: 1000,
        snapshotId: 'snap-0123456789abcdef0',
        volumeInitializationRateMiBps: 300,
        fileSystemType: ecs.FileSystemType.EXT4,
      }],
    });
    new WorkerService(stack, 'Worker', {
      cluster,
      image: nginx,
      capacity: Capacity.ec2(cluster.addEc2Capacity('Ec2', { instanceType: new ec2.InstanceType('m7i.large') })),
      sidecars: [{ name: 'loader', image: nginx, essential: false }],
      ebsVolumes: [{ name: 'models', containerPath: '/models', containerName: 'loader', readOnly: true, snapshotId: 'snap-0123456789abcdef0' }],
    });
    new BackendService(stack, 'Db', {
      cluster,
      image: nginx,
      port: 5432,
      capacity: Capacity.managedInstances(cluster.addManagedInstances('Instances')),
      ebsVolumes: [{ name: 'pgdata', containerPath: '/var/lib/postgresql/data', volumeType: ec2.EbsDeviceVolumeType.IO2, size: Size.gibibytes(100), iops: 20000 }],
    });
  },
};

/** A deliberately non-compliant stack proves that the harness sees findings at all. */
function canary(stack: Stack): void {
  new sns.Topic(stack, 'UnencryptedTopic');
  // Other stacks acknowledge AwsSolutions-IAM5[Resource::*] on their own roles; this one must still be reported.
  new iam.ManagedPolicy(stack, 'WildcardPolicy', {
    statements: [new iam.PolicyStatement({ actions: ['sqs:SendMessage'], resources: ['*'] })],
  });
  // A bare bucket: no server access logging (AWS Control Tower CT.S3.PR.2), among others.
  new s3.CfnBucket(stack, 'PlainBucket');
  new ec2.CfnSecurityGroup(stack, 'BackwardsPorts', {
    groupDescription: 'FromPort above ToPort',
    securityGroupIngress: [{ ipProtocol: 'tcp', fromPort: 9000, toPort: 80, cidrIp: '10.0.0.0/8' }],
  });
}

/**
 * The Control Tower rules acknowledged somewhere, by guard rule name (the `cdk-validator-cfnguard::` namespace removed).
 * Everything else the fifth pack reports is fixed in the constructs: a memory hard limit on every container that reserves
 * memory, and the cluster key's CreateGrant limited to AWS resources and services.
 */
const CONTROL_TOWER_ACKNOWLEDGED = [
  'ecs_container_insights_enabled_check', // CT.ECS.PR.2: ENHANCED is a superset of the `enabled` the rule accepts
  'ecs_task_definition_nonroot_user_check', // CT.ECS.PR.3: the image's USER, unknown to the template; `user` sets it
  'ecs_task_definition_memory_hard_limit_check', // CT.ECS.PR.7: only sidecars that reserve no memory (they share the task's)
  'ecs_containers_readonly_access_check', // CT.ECS.PR.12: the FireLens log router, and readonlyRootFilesystem: false chosen by the author
  'lambda_inside_vpc_check', // CT.LAMBDA.PR.3: aws-cdk-lib's default-security-group and auto-delete functions, the teardown function
  's3_bucket_default_encryption_kms_check', // CT.S3.PR.10: ALB and S3 server access logs need SSE-S3
  's3_bucket_object_lock_enabled_check', // CT.S3.PR.9: log buckets
  's3_event_notifications_enabled_check', // CT.S3.PR.4: log buckets
  's3_bucket_logging_enabled_check', // CT.S3.PR.2: the terminal server-access-log bucket
  's3_bucket_acl_prohibited_check', // CT.S3.PR.5: the terminal server-access-log bucket's LogDeliveryWrite ACL
  'elbv2_logging_enabled_check', // CT.ELB.PR.*: TCP/UDP NLBs (access logs record TLS listeners only)
  'alb_http_to_https_redirection_check', // plain HTTP, an explicit opt-in
  'sqs_dlq_check', // CT.SQS.PR.1: dead-letter queues themselves
  'autoscaling_multiple_az_check', // CT.AUTOSCALING.PR.1: zones come from VPCZoneIdentifier
  'autoscaling_mixed_instances_policy_multiple_instance_types_check', // CT.AUTOSCALING.PR.6: on-demand, one chosen type
];

let findings: Finding[];
let assemblyDir: string;

beforeAll(() => {
  for (const [name, build] of Object.entries(CASES)) {
    build(testStack(app, name));
  }
  canary(testStack(app, 'Canary'));
  findings = synthFindings(app);
  assemblyDir = app.outdir;
});

describe('compliance: zero unacknowledged findings', () => {
  test.each(Object.keys(CASES))('%s', name => {
    const problems = findingsOf(findings, name);
    if (problems.length > 0) {
      // Print every finding with its construct path, so the failure says what to fix.
      console.error(`${name} has ${problems.length} finding(s):\n${problems.join('\n')}`);
    }
    expect(problems).toEqual([]);
  });
});

describe('compliance harness', () => {
  test('every finding names a construct of a checked stack (none escapes the per-stack checks)', () => {
    const stacks = [...Object.keys(CASES), 'Canary'];
    const outside = findings.filter(f => !stacks.some(name => f.path === name || f.path.startsWith(`${name}/`)));
    expect(outside.map(f => `[${f.plugin}] ${f.rule} at '${f.path}'`)).toEqual([]);
  });

  test('lists every AWS Control Tower acknowledgement with its reason (the reviewable list of the fifth pack)', () => {
    const byRule = new Map<string, Set<string>>();
    for (const file of fs.readdirSync(assemblyDir).filter(f => f.endsWith('.metadata.json'))) {
      const metadata = JSON.parse(fs.readFileSync(path.join(assemblyDir, file), 'utf-8'));
      for (const entries of Object.values<any[]>(metadata)) {
        for (const entry of entries.filter(e => e.type === 'aws:cdk:acknowledged-rules')) {
          for (const [rule, reason] of Object.entries<string>(entry.data)) {
            if (!rule.startsWith(`${CFN_GUARD}::`)) continue;
            const name = rule.slice(CFN_GUARD.length + 2);
            byRule.set(name, new Set([...(byRule.get(name) ?? []), reason]));
          }
        }
      }
    }
    expect([...byRule.keys()].sort()).toEqual([...CONTROL_TOWER_ACKNOWLEDGED].sort());
    for (const [rule, reasons] of byRule) {
      for (const reason of reasons) {
        expect(`${rule}: ${reason.length > 80}`).toBe(`${rule}: true`);
      }
    }
    // Every distinct reason, by rule: a changed or new acknowledgement shows up here for review.
    expect(Object.fromEntries([...byRule.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([rule, reasons]) => [rule, [...reasons].sort()])))
      .toMatchSnapshot();
  });

  test('sees findings of every pack and of CloudFormation validation in a non-compliant stack', () => {
    const canaryFindings = findings.filter(f => f.path.startsWith('Canary/'));
    const plugins = new Set(canaryFindings.map(f => f.plugin));
    for (const pack of [...ALL_PACKS, CFN_VALIDATE]) {
      expect(plugins).toContain(pack);
    }
    expect(canaryFindings).toContainEqual(expect.objectContaining({ plugin: CFN_GUARD, rule: 's3_bucket_logging_enabled_check', path: 'Canary/PlainBucket' }));
    expect(canaryFindings).toContainEqual(expect.objectContaining({ plugin: CFN_VALIDATE, rule: 'E9002', path: 'Canary/BackwardsPorts' }));
    expect(canaryFindings).toContainEqual(expect.objectContaining({ plugin: 'AwsSolutions', rule: 'AwsSolutions-SNS3' }));
    // Acknowledgements stay on the construct they were made on: they never silence another stack's finding.
    expect(canaryFindings).toContainEqual(expect.objectContaining({ rule: 'AwsSolutions-IAM5[Resource::*]', path: 'Canary/WildcardPolicy/Resource' }));
  });

  test('every acknowledgement carries a reason a reviewer can read', () => {
    const acknowledged: Array<{ path: string; rule: string; reason: string }> = [];
    for (const file of fs.readdirSync(assemblyDir).filter(f => f.endsWith('.metadata.json'))) {
      const metadata = JSON.parse(fs.readFileSync(path.join(assemblyDir, file), 'utf-8'));
      for (const [constructPath, entries] of Object.entries<any[]>(metadata)) {
        for (const entry of entries.filter(e => e.type === 'aws:cdk:acknowledged-rules')) {
          for (const [rule, reason] of Object.entries<string>(entry.data)) {
            acknowledged.push({ path: constructPath, rule, reason });
          }
        }
      }
    }
    expect(acknowledged.length).toBeGreaterThan(0);
    // aws-cdk-lib acknowledges a few CloudFormation Validate rules on its own constructs; ours are the rest.
    const ours = acknowledged.filter(a => !a.rule.startsWith('CloudFormation-Validate::'));
    for (const ack of ours) {
      expect(ack.reason.length).toBeGreaterThan(60);
    }
    // Only the intended rules are acknowledged; anything new must be added here on purpose.
    // Keys carry a source prefix ('Annotation::') unless the id itself contains '::'.
    // The teardown function's Auto Scaling group ARNs: one finding (and acknowledgement) per group.
    const groupArn = /^AwsSolutions-IAM5\[Resource::arn:<AWS::Partition>:autoscaling:[^\]]*:autoScalingGroup:\*:autoScalingGroupName\/<[A-Za-z0-9]+>\]$/;
    const rules = new Set(ours.map(a => a.rule.replace(/^[A-Za-z-]+::(?=[A-Za-z])/, '')
      .replace(groupArn, 'AwsSolutions-IAM5[Resource::<Auto Scaling group of the cluster>]')));
    const normalized = new Set([...rules].map(r => r.replace(/\[Resource::arn:.*\]$/, '[Resource::<log streams of the exec log group>]')));
    expect([...normalized].sort()).toEqual([...new Set([
      'AwsSolutions-EC23',
      'AwsSolutions-EC26',
      'AwsSolutions-ECS2',
      // ECS Managed Instances: the infrastructure role's AWS managed policy (its iam:PassRole narrowed by a deny).
      'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/AmazonECSInfrastructureRolePolicyForManagedInstances]',
      'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AmazonECSInfrastructureRolePolicyForVolumes]',
      'AwsSolutions-IAM5[Resource::*]',
      'AwsSolutions-IAM5[Resource::<log streams of the exec log group>]',
      'AwsSolutions-S1',
      'AwsSolutions-SQS3',
      ...['NIST.800.53.R5', 'HIPAA.Security', 'PCI.DSS.321'].flatMap(pack => [
        `${pack}-EC2IMDSv2Enabled`,
        `${pack}-VPCNoUnrestrictedRouteToIGW`,
        `${pack}-S3DefaultEncryptionKMS`,
        `${pack}-S3BucketReplicationEnabled`,
        `${pack}-S3BucketLoggingEnabled`,
        `${pack}-ELBv2ACMCertificateRequired`,
        `${pack}-ALBHttpToHttpsRedirection`,
        `${pack}-ELBTlsHttpsListenersOnly`,
      ]),
      'HIPAA.Security-EFSInBackupPlan',
      'NIST.800.53.R5-EFSInBackupPlan',
      // TCP/UDP network load balancers: NLB access logs record TLS listeners only.
      'AwsSolutions-ELB2',
      ...['NIST.800.53.R5', 'HIPAA.Security', 'PCI.DSS.321'].map(pack => `${pack}-ELBLoggingEnabled`),
      // The clean-teardown function of Ec2Capacity (src/cluster/teardown.ts).
      'AwsSolutions-IAM5[Resource::<Auto Scaling group of the cluster>]',
      ...['NIST.800.53.R5', 'HIPAA.Security', 'PCI.DSS.321'].map(pack => `${pack}-LambdaInsideVPC`),
      ...['NIST.800.53.R5', 'HIPAA.Security'].flatMap(pack => [`${pack}-LambdaDLQ`, `${pack}-LambdaConcurrency`]),
      // AWS Control Tower proactive controls (cfn-guard), each with its reason in src/compliance/acknowledgements.ts.
      ...CONTROL_TOWER_ACKNOWLEDGED,
    ])].sort());
  });
});
