/**
 * Integration test: Bottlerocket EC2 capacity on Graviton Spot. An ARM64 Bottlerocket host launched by ECS managed
 * scaling reads its TOML user data, registers with the cluster (agent connected), and a worker task runs on it
 * and consumes a message from its queue. See test/support/integ-ec2-capacity.ts for the assertions.
 */
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { Ec2MachineImage } from '../src';
import { ec2IntegApp } from './support/integ-ec2-capacity';

const { app } = ec2IntegApp({
  stackName: 'FoundryIntegEc2Bottlerocket',
  testName: 'BottlerocketHostsRunTasks',
  capacity: {
    instanceType: new ec2.InstanceType('t4g.small'),
    machineImage: Ec2MachineImage.BOTTLEROCKET,
    // Spot with on-demand fallback types: the user data then also enables Spot instance draining.
    spot: { additionalInstanceTypes: [new ec2.InstanceType('t4g.medium'), new ec2.InstanceType('m7g.medium')] },
  },
  // Bottlerocket registers its variant as an attribute (ECS_INSTANCE_ATTRIBUTES in bottlerocket-core-kit ecs-base-conf).
  attributes: { 'bottlerocket.variant': '^aws-ecs-2$', 'ecs.cpu-architecture': '^arm64$' },
});
app.synth();
