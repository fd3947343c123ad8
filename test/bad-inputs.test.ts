/**
 * The bad-input suite: invalid configurations across every construct, each rejected at synth with one message
 * shape — `<Construct> '<path>': invalid <prop> = <value>. <fix>` — never a raw TypeError and never a template
 * that CloudFormation would reject later.
 */
import { Duration, Size } from 'aws-cdk-lib';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import {
  BackendService, Capacity, Ec2MachineImage, FoundryCluster, FoundryTaskDefinition, NatGatewayStrategy, NetworkProtocol, NetworkService,
  ScheduledTask, SharedVolume, Schedule, WebLoadBalancer, WebService, WorkerService, WorkloadRepository,
} from '../src';
import { plainStack } from './support/stacks';

const stack = plainStack('Bad');
const cluster = new FoundryCluster(stack, 'Cluster');
const image = ecs.ContainerImage.fromRegistry('public.ecr.aws/nginx/nginx:stable');
const cert = acm.Certificate.fromCertificateArn(stack, 'Cert', 'arn:aws:acm:us-east-1:123456789012:certificate/abc');
const x86 = cluster.addEc2Capacity('X86', { instanceType: new ec2.InstanceType('m7i.large') });
let n = 0;
const id = () => `C${n++}`;

/** [construct, prop, value as printed, case] */
const CASES: Array<[string, string, string, () => unknown]> = [
  // FoundryCluster
  ['FoundryCluster', 'maxAzs', '0', () => new FoundryCluster(plainStack(), 'C', { maxAzs: 0 })],
  ['FoundryCluster', 'maxAzs', '7', () => new FoundryCluster(plainStack(), 'C', { maxAzs: 7 })],
  ['FoundryCluster', 'vpcCidr', "'10.0.0.0/8'", () => new FoundryCluster(plainStack(), 'C', { vpcCidr: '10.0.0.0/8' })],
  ['FoundryCluster', 'vpcCidr', "'ten'", () => new FoundryCluster(plainStack(), 'C', { vpcCidr: 'ten' })],
  ['FoundryCluster', 'clusterName', "'a b'", () => new FoundryCluster(plainStack(), 'C', { clusterName: 'a b' })],
  ['FoundryCluster', 'natGateways', "'PER_AZ'", () => new FoundryCluster(plainStack(), 'C', { publicSubnets: false, natGateways: NatGatewayStrategy.PER_AZ })],
  ['FoundryCluster', 'serviceConnectNamespace', "'Not_DNS'", () => new FoundryCluster(plainStack(), 'C', { serviceConnectNamespace: 'Not_DNS' })],
  // Ec2Capacity
  ['Ec2Capacity', 'minCapacity', '3', () => cluster.addEc2Capacity(id(), { instanceType: new ec2.InstanceType('m7i.large'), minCapacity: 3, maxCapacity: 2 })],
  ['Ec2Capacity', 'targetCapacityPercent', '0', () => cluster.addEc2Capacity(id(), { instanceType: new ec2.InstanceType('m7i.large'), targetCapacityPercent: 0 })],
  ['Ec2Capacity', 'cpuArchitecture', "'ARM64'", () => cluster.addEc2Capacity(id(), { instanceType: new ec2.InstanceType('m7i.large'), cpuArchitecture: ecs.CpuArchitecture.ARM64 })],
  ['Ec2Capacity', 'instanceType', "'g5g.xlarge'", () => cluster.addEc2Capacity(id(), { instanceType: new ec2.InstanceType('g5g.xlarge') })],
  ['Ec2Capacity', 'machineImage', "'BOTTLEROCKET'", () => cluster.addEc2Capacity(id(), { instanceType: new ec2.InstanceType('trn1.2xlarge'), machineImage: Ec2MachineImage.BOTTLEROCKET })],
  ['Ec2Capacity', 'spot.onDemandPercentageAboveBaseCapacity', '100', () => cluster.addEc2Capacity(id(), { instanceType: new ec2.InstanceType('m7i.large'), spot: { onDemandPercentageAboveBaseCapacity: 100 } })],
  ['Ec2Capacity', 'spot.maxPrice', "'free'", () => cluster.addEc2Capacity(id(), { instanceType: new ec2.InstanceType('m7i.large'), spot: { maxPrice: 'free' } })],
  ['Ec2Capacity', 'vpcSubnets', '{"subnetType":"Public"}', () => cluster.addEc2Capacity(id(), { instanceType: new ec2.InstanceType('m7i.large'), vpcSubnets: { subnetType: ec2.SubnetType.PUBLIC } })],
  ['Ec2Capacity', 'volumeSize (GiB)', '8', () => cluster.addEc2Capacity(id(), { instanceType: new ec2.InstanceType('m7i.large'), volumeSize: Size.gibibytes(8) })],
  // FoundryTaskDefinition
  ['FoundryTaskDefinition', 'memoryMiB', '3000', () => new FoundryTaskDefinition(stack, id(), { cluster, image, cpu: 1024, memoryMiB: 3000 })],
  ['FoundryTaskDefinition', 'cpu', '768', () => new FoundryTaskDefinition(stack, id(), { cluster, image, cpu: 768 })],
  ['FoundryTaskDefinition', 'ephemeralStorageGiB', '300', () => new FoundryTaskDefinition(stack, id(), { cluster, image, ephemeralStorageGiB: 300 })],
  ['FoundryTaskDefinition', 'capacity', "'Capacity.spot()'", () => new FoundryTaskDefinition(stack, id(), {
    cluster, image, capacity: Capacity.spot(), operatingSystemFamily: ecs.OperatingSystemFamily.WINDOWS_SERVER_2022_CORE, cpu: 1024, memoryMiB: 2048,
  })],
  ['FoundryTaskDefinition', 'cpuArchitecture', "'ARM64'", () => new FoundryTaskDefinition(stack, id(), { cluster, image, capacity: Capacity.ec2(x86), cpuArchitecture: ecs.CpuArchitecture.ARM64 })],
  ['FoundryTaskDefinition', 'containerName', "'app'", () => new FoundryTaskDefinition(stack, id(), { cluster, image, sidecars: [{ name: 'app', image }] })],
  ['FoundryTaskDefinition', 'port', '8080', () => new FoundryTaskDefinition(stack, id(), { cluster, image, port: 8080, sidecars: [{ name: 'proxy', image, ports: [{ port: 8080 }] }] })],
  ['FoundryTaskDefinition', 'gpuCount', '1', () => new FoundryTaskDefinition(stack, id(), { cluster, image, gpuCount: 1 })],
  ['FoundryTaskDefinition', "sidecar 'init': essential", 'true', () => new FoundryTaskDefinition(stack, id(), {
    cluster, image, sidecars: [{ name: 'init', image, mainContainerWaitsFor: ecs.ContainerDependencyCondition.SUCCESS }],
  })],
  ['FoundryTaskDefinition', 'app: writablePaths', "'relative'", () => new FoundryTaskDefinition(stack, id(), { cluster, image, writablePaths: ['relative'] })],
  ['FoundryTaskDefinition', 'logging.maxBufferSize', "'4 MiB'", () => new FoundryTaskDefinition(stack, id(), { cluster, image, logging: { maxBufferSize: Size.mebibytes(4) } })],
  // WorkloadRepository
  ['WorkloadRepository', 'keepImages', '0', () => new WorkloadRepository(stack, id(), { keepImages: 0 })],
  ['WorkloadRepository', 'repositoryName', "'UPPER'", () => new WorkloadRepository(stack, id(), { repositoryName: 'UPPER' })],
  // SharedVolume
  ['SharedVolume', 'accessPoint.uid', '-1', () => new SharedVolume(stack, id(), { cluster, accessPoint: { uid: -1 } })],
  ['SharedVolume', 'accessPoint.path', "'data'", () => new SharedVolume(stack, id(), { cluster, accessPoint: { path: 'data' } })],
  // WebLoadBalancer and WebService
  ['WebLoadBalancer', 'certificate', 'undefined', () => new WebLoadBalancer(stack, id(), { cluster })],
  ['WebLoadBalancer', 'allowedCidrs', "'everyone'", () => new WebLoadBalancer(stack, id(), { cluster, certificate: cert, allowedCidrs: ['everyone'] })],
  ['WebService', 'port', 'undefined', () => new WebService(stack, id(), { cluster, image, certificate: cert, port: undefined as unknown as number })],
  ['WebService', 'certificate', 'undefined', () => new WebService(stack, id(), { cluster, image, port: 80 })],
  ['WebService', 'targetHealthCheck.healthyThreshold', '11', () => new WebService(stack, id(), { cluster, image, port: 80, certificate: cert, targetHealthCheck: { healthyThreshold: 11 } })],
  ['WebService', 'scaling.cpuPercent', '0', () => new WebService(stack, id(), { cluster, image, port: 80, certificate: cert, scaling: { maxTasks: 2, cpuPercent: 0 } })],
  ['WebService', 'deployment.maxHealthyPercent', '250', () => new WebService(stack, id(), { cluster, image, port: 80, certificate: cert, deployment: { maxHealthyPercent: 250 } })],
  ['WebService', 'alarms.cpuPercent', '120', () => new WebService(stack, id(), { cluster, image, port: 80, certificate: cert, alarms: { cpuPercent: 120 } })],
  // NetworkService
  ['NetworkService', 'certificate', 'undefined', () => new NetworkService(stack, id(), { cluster, image, port: 443, protocol: NetworkProtocol.TLS })],
  ['NetworkService', 'targetHealthCheck.port', 'undefined', () => new NetworkService(stack, id(), { cluster, image, port: 53, protocol: NetworkProtocol.UDP })],
  ['NetworkService', 'privateLink.allowedPrincipals', '[]', () => new NetworkService(stack, id(), { cluster, image, port: 80, privateLink: { allowedPrincipals: [] } })],
  // BackendService, WorkerService, ScheduledTask
  ['BackendService', 'discoveryName', "'Bad Name'", () => new BackendService(stack, id(), { cluster, image, port: 80, discoveryName: 'Bad Name' })],
  ['WorkerService', 'queueOptions.visibilityTimeout', "'30 s'", () => new WorkerService(stack, id(), {
    cluster, image, expectedProcessingTime: Duration.minutes(1), queueOptions: { visibilityTimeout: Duration.seconds(30) },
  })],
  ['WorkerService', 'queueOptions.deadLetterRetentionPeriod', "'1 days'", () => new WorkerService(stack, id(), {
    cluster, image, queueOptions: { deadLetterRetentionPeriod: Duration.days(1) },
  })],
  ['WorkerService', 'queueOptions', '{"fifo":true}', () => new WorkerService(stack, id(), {
    cluster, image, queue: sqs.Queue.fromQueueArn(stack, id(), 'arn:aws:sqs:us-east-1:123456789012:q'), queueOptions: { fifo: true },
  })],
  ['ScheduledTask', 'taskCount', '0', () => new ScheduledTask(stack, id(), { cluster, image, schedule: Schedule.rate(Duration.hours(1)), taskCount: 0 })],
  ['Schedule.cron()', 'expression', "'* * * * *'", () => Schedule.cron('* * * * *')],
  ['Capacity.spot()', 'spotWeight', '0', () => Capacity.spot({ spotWeight: 0 })],
  ['Capacity.spot()', 'onDemandBase', '-2', () => Capacity.spot({ onDemandBase: -2 })],
];

describe('bad inputs are rejected at synth with the construct, the prop, the value and a fix', () => {
  test('the suite covers at least 40 distinct configurations across every construct', () => {
    expect(new Set(CASES.map(([construct, prop, value]) => `${construct}|${prop}|${value}`)).size).toBeGreaterThanOrEqual(40);
    expect(new Set(CASES.map(([construct]) => construct.replace(/\.\w+\(\)$/, '')))).toEqual(new Set([
      'FoundryCluster', 'Ec2Capacity', 'FoundryTaskDefinition', 'WorkloadRepository', 'SharedVolume', 'WebLoadBalancer', 'WebService',
      'NetworkService', 'BackendService', 'WorkerService', 'ScheduledTask', 'Schedule', 'Capacity',
    ]));
  });

  test.each(CASES)('%s %s = %s', (construct, prop, value, make) => {
    let error: unknown;
    try {
      make();
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(Error);
    expect(error).not.toBeInstanceOf(TypeError);
    const message = (error as Error).message;
    const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    // "<Construct> '<path>': invalid <prop> = <value>. <fix>" (static factories name themselves instead of a path)
    const where = construct.endsWith('()') ? escape(construct) : `${escape(construct)} '[^']+'`;
    expect(message).toMatch(new RegExp(`^${where}: invalid ${escape(prop)} = ${escape(value)}\\. \\S.{10,}`));
  });
});
