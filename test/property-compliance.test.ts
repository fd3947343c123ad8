/**
 * Property-based compliance: random valid combinations of the main props synthesize with zero findings from the
 * four cdk-nag packs, the AWS Control Tower proactive controls (cfn-guard) and CloudFormation validation. The number of combinations is bounded (one App, one synth)
 * so the test stays within CI time; the seed is fixed so a failure reproduces.
 */
import { Duration, Stack } from 'aws-cdk-lib';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as fc from 'fast-check';
import {
  BackendService, Capacity, Ec2MachineImage, FoundryCluster, NatGatewayStrategy, NetworkProtocol, NetworkService, ScheduledTask,
  ServiceOptions, Schedule, WebService, WorkerService,
} from '../src';
import { complianceApp, findingsOf, synthFindings, testStack } from './support/compliance';
import { FARGATE_LINUX, memoryOptions } from '../src/workload/sizes';

const COMBINATIONS = 8;

const config = fc.record({
  nat: fc.constantFrom(NatGatewayStrategy.PER_AZ, NatGatewayStrategy.SINGLE, NatGatewayStrategy.NONE),
  capacity: fc.constantFrom('fargate', 'spot', 'ec2-x86', 'ec2-arm-bottlerocket'),
  kind: fc.constantFrom('web', 'network-tcp', 'network-tls', 'worker', 'backend', 'scheduled'),
  cpu: fc.constantFrom(256, 512, 1024, 2048),
  memoryIndex: fc.nat(),
  scaling: fc.boolean(),
  exec: fc.boolean(),
  nonBlockingLogs: fc.boolean(),
  firelens: fc.boolean(),
  environment: fc.boolean(),
  readonlyRoot: fc.boolean(),
});
type Config = typeof config extends fc.Arbitrary<infer T> ? T : never;

function build(stack: Stack, c: Config): void {
  const cluster = new FoundryCluster(stack, 'Cluster', { natGateways: c.nat });
  let capacity: Capacity;
  let arch = ecs.CpuArchitecture.X86_64;
  if (c.capacity === 'fargate') {capacity = Capacity.fargate();} else if (c.capacity === 'spot') {capacity = Capacity.spot({ onDemandBase: 1 });} else if (c.capacity === 'ec2-x86') {capacity = Capacity.ec2(cluster.addEc2Capacity('Ec2', { instanceType: new ec2.InstanceType('m7i.xlarge') }));} else {
    capacity = Capacity.ec2(cluster.addEc2Capacity('Ec2', {
      instanceType: new ec2.InstanceType('m7g.xlarge'),
      machineImage: Ec2MachineImage.BOTTLEROCKET,
      spot: { additionalInstanceTypes: [new ec2.InstanceType('c7g.xlarge')] },
    }));
    arch = ecs.CpuArchitecture.ARM64;
  }
  const memories = memoryOptions(FARGATE_LINUX, c.cpu)!;
  // Tasks in isolated subnets (NatGatewayStrategy.NONE) reach only ECR of their region: images (and the FireLens
  // router's) come from a private repository there.
  const isolated = c.nat === NatGatewayStrategy.NONE;
  const repository = ecr.Repository.fromRepositoryName(stack, 'Repository', 'app');
  const common: ServiceOptions = {
    image: isolated ? ecs.ContainerImage.fromEcrRepository(repository, '1.0.0') : ecs.ContainerImage.fromRegistry('public.ecr.aws/nginx/nginx:stable'),
    capacity,
    cpu: c.cpu,
    memoryMiB: memories[c.memoryIndex % memories.length],
    cpuArchitecture: arch,
    enableExecuteCommand: c.exec,
    readonlyRootFilesystem: c.readonlyRoot,
    environment: c.environment ? { MODE: 'test' } : undefined,
    logging: {
      nonBlocking: c.nonBlockingLogs,
      firelens: c.firelens,
      firelensImage: c.firelens && isolated ? ecs.ContainerImage.fromEcrRepository(repository, 'aws-for-fluent-bit-stable') : undefined,
    },
  };
  const cert = acm.Certificate.fromCertificateArn(stack, 'Cert', 'arn:aws:acm:us-east-1:123456789012:certificate/abc');
  const scaling = c.scaling ? { minTasks: 1, maxTasks: 4, cpuPercent: 60 } : undefined;
  switch (c.kind) {
    case 'web':
      new WebService(stack, 'Svc', { ...common, cluster, port: 8080, certificate: cert, scaling, loadBalancerOptions: { internetFacing: c.nat !== NatGatewayStrategy.NONE } });
      break;
    case 'network-tcp':
      new NetworkService(stack, 'Svc', { ...common, cluster, port: 5432, scaling });
      break;
    case 'network-tls':
      new NetworkService(stack, 'Svc', { ...common, cluster, port: 8443, protocol: NetworkProtocol.TLS, certificate: cert, scaling });
      break;
    case 'worker':
      new WorkerService(stack, 'Svc', {
        ...common, cluster, queueScaling: c.scaling ? { minTasks: 0, maxTasks: 5, messagesPerTask: 10 } : undefined,
      });
      break;
    case 'backend':
      new BackendService(stack, 'Svc', { ...common, cluster, port: 8080, scaling });
      break;
    case 'scheduled': {
      const { enableExecuteCommand: _exec, ...task } = common;
      new ScheduledTask(stack, 'Svc', { ...task, cluster, schedule: Schedule.rate(Duration.hours(6)) });
      break;
    }
  }
}

const samples = fc.sample(config, { numRuns: COMBINATIONS, seed: 20261121 });
const app = complianceApp();
samples.forEach((sample, i) => build(testStack(app, `Random${i}`), sample));
const findings = synthFindings(app);

test.each(samples.map((sample, i) => [i, JSON.stringify(sample)]))('random combination %i has zero findings: %s', i => {
  expect(findingsOf(findings, `Random${i}`)).toEqual([]);
});

test('the sample covers several kinds and capacities', () => {
  expect(new Set(samples.map(s => s.kind)).size).toBeGreaterThanOrEqual(3);
  expect(new Set(samples.map(s => s.capacity)).size).toBeGreaterThanOrEqual(3);
});
