/**
 * Integration test: Amazon Linux 2023 EC2 capacity. An x86_64 host launched by ECS managed scaling registers with
 * the cluster (agent connected), and a worker task runs on it and consumes a message from its queue.
 * See test/support/integ-ec2-capacity.ts for the assertions.
 */
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { Ec2MachineImage } from '../src';
import { ec2IntegApp } from './support/integ-ec2-capacity';

const { app } = ec2IntegApp({
  stackName: 'FoundryIntegEc2Al2023',
  testName: 'Al2023HostsRunTasks',
  capacity: { instanceType: new ec2.InstanceType('t3.small'), machineImage: Ec2MachineImage.AMAZON_LINUX_2023 },
  attributes: { 'ecs.os-type': '^linux$', 'ecs.cpu-architecture': '^x86_64$' },
});
app.synth();
