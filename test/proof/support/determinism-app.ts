/**
 * The app of the determinism proof (test/proof/determinism.test.ts), run in a child process with the time zone and
 * locale under test: it builds every construct (with time-zone-sensitive schedules), synthesizes, and prints one
 * JSON line: the environment the process saw, a SHA-256 per template and the cost estimate.
 */
import { createHash } from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Duration, Stack, TimeZone } from 'aws-cdk-lib';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as efs from 'aws-cdk-lib/aws-efs';
import {
  BackendService, Capacity, CostEstimate, Ec2MachineImage, FoundryCluster, FoundryTaskDefinition, NetworkProtocol, NetworkService,
  ScheduledTask, SharedVolume, Schedule, WebLoadBalancer, WebService, WorkerService, WorkloadRepository,
} from '../../../src';

const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'foundry-determinism-'));
const app = new App({ outdir });
const env = { account: '123456789012', region: 'us-east-1' };
const image = ecs.ContainerImage.fromRegistry('public.ecr.aws/nginx/nginx:stable');

const stack = new Stack(app, 'Everything', { env });
const cluster = new FoundryCluster(stack, 'Cluster', { serviceConnectNamespace: 'internal', alertEmails: ['ops@example.com'] });
const al2023 = cluster.addEc2Capacity('Standard', { instanceType: new ec2.InstanceType('m7i.large'), enableSessionManager: true });
cluster.addEc2Capacity('Bottlerocket', {
  instanceType: new ec2.InstanceType('m7g.large'),
  machineImage: Ec2MachineImage.BOTTLEROCKET,
  spot: { additionalInstanceTypes: [new ec2.InstanceType('c7g.large')] },
});
const repo = new WorkloadRepository(stack, 'Repo', { keepImages: 20 });
const volume = new SharedVolume(stack, 'Data', { cluster, throughputMode: efs.ThroughputMode.BURSTING });
const certificate = acm.Certificate.fromCertificateArn(stack, 'Certificate',
  'arn:aws:acm:us-east-1:123456789012:certificate/11111111-2222-3333-4444-555555555555');
const alb = new WebLoadBalancer(stack, 'Alb', { cluster, certificate });
const api = new WebService(stack, 'Api', {
  cluster,
  image: repo.image('1.0.0'),
  port: 8080,
  loadBalancer: alb,
  pathPatterns: ['/api/*'],
  capacity: Capacity.spot({ onDemandBase: 1 }),
  scaling: { minTasks: 2, maxTasks: 10, cpuPercent: 60, requestsPerTask: 500 },
  deployment: { blueGreen: {} },
  logging: { firelens: true },
});
api.addVolume(volume, '/data');
new WebService(stack, 'Site', { cluster, image, port: 3000, loadBalancer: alb, hostHeaders: ['www.example.com'], capacity: Capacity.ec2(al2023) });
new NetworkService(stack, 'Db', { cluster, image, port: 5432, protocol: NetworkProtocol.TCP });
const orders = new BackendService(stack, 'Orders', { cluster, image, port: 8080 });
const worker = new WorkerService(stack, 'Worker', {
  cluster, image, queueScaling: { minTasks: 0, maxTasks: 10, acceptableLatency: Duration.minutes(5) }, expectedProcessingTime: Duration.seconds(30),
});
worker.connectTo(orders);
new FoundryTaskDefinition(stack, 'Migrate', { cluster, image, command: ['migrate'] });
// Schedules whose rendering involves dates and time zones.
new ScheduledTask(stack, 'Once', {
  cluster, image, schedule: Schedule.at(new Date(Date.UTC(2031, 2, 30, 1, 30))), timeZone: TimeZone.EUROPE_BERLIN,
});
new ScheduledTask(stack, 'OnceLocal', {
  cluster, image, schedule: Schedule.atLocalTime('2031-10-26T02:30:00'), timeZone: TimeZone.PACIFIC_CHATHAM,
});
new ScheduledTask(stack, 'Nightly', { cluster, image, schedule: Schedule.cron('30 2 ? * MON-FRI *'), timeZone: TimeZone.AMERICA_LOS_ANGELES });
new ScheduledTask(stack, 'Hourly', { cluster, image, schedule: Schedule.rate(Duration.hours(1)) });

const assembly = app.synth();
const templates: Record<string, string> = {};
for (const s of assembly.stacks) {
  templates[s.stackName] = createHash('sha256').update(JSON.stringify(s.template)).digest('hex');
}
const intl = Intl.DateTimeFormat().resolvedOptions();
process.stdout.write(JSON.stringify({
  seen: { timeZone: intl.timeZone, locale: intl.locale, offsetMinutes: new Date(Date.UTC(2031, 0, 1)).getTimezoneOffset() },
  templates,
  cost: CostEstimate.of(app).toJson(),
}) + '\n');
fs.rmSync(outdir, { recursive: true, force: true });
