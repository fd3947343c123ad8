export * from './cluster/capacity';
export * from './cluster/foundry-cluster';
export * from './cluster/ec2-capacity';
export { NatGatewayStrategy } from './cluster/network';
export type { FoundryNetworkOptions } from './cluster/network';
export { Ec2MachineImage } from './cluster/instance-image';
