import { CustomResource, Stack } from 'aws-cdk-lib';
import * as autoscaling from 'aws-cdk-lib/aws-autoscaling';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import type { IFoundryCluster } from './cluster-interfaces';
import { amazonLinuxUserData, bottlerocketUserData, completeBottlerocketUserData, grantAgentPermissions, grantControlContainerPull, rollingRefresh } from './ec2-capacity-host';
import type { Ec2CapacityProps } from './ec2-capacity-options';
import { resolveEc2Capacity } from './ec2-capacity-validation';
import { resolveInstanceImage, Ec2InstanceUpdate, Ec2MachineImage } from './instance-image';
import { Ec2CapacityTeardown } from './teardown';
import { acknowledgeCapacityGroup, acknowledgeEc2InstanceRole, acknowledgeMixedInstancesPolicy } from '../compliance/acknowledgements';
import { securityGroupDescription } from '../private/descriptions';
import { ManagedPolicyRole } from '../private/managed-policy-role';
import { invalidProp } from '../private/validation';

/**
 * EC2 capacity for a `FoundryCluster`: a hardened launch template, an Auto Scaling group and an ASG
 * capacity provider with managed scaling, managed termination protection and managed draining.
 *
 * Normally created with `cluster.addEc2Capacity(id, options)`; use it in capacity strategies with
 * `Capacity.ec2(capacity)`.
 *
 * Hardening: IMDSv2 only with a hop limit of 1 and IMDS blocked for awsvpc tasks (containers cannot reach the
 * instance's credentials), encrypted gp3 volumes, no public IPs, no SSH key, an instance role with only what the ECS agent needs
 * (image pulls and logs use each task's execution role), Auto Scaling error notifications to the alert topic.
 * A deploy that changes the launch template (a newer ECS-optimized AMI) replaces the instances with a rolling
 * instance refresh that drains their tasks first (`instanceUpdate`).
 */
export class Ec2Capacity extends Construct {
  /** The cluster this capacity serves. */
  public readonly cluster: IFoundryCluster;
  /** The launch template. */
  public readonly launchTemplate: ec2.LaunchTemplate;
  /** The Auto Scaling group. */
  public readonly autoScalingGroup: autoscaling.AutoScalingGroup;
  /** The ECS capacity provider. */
  public readonly capacityProvider: ecs.AsgCapacityProvider;
  /** The instances' IAM role. Add to it only what the ECS agent on the host needs; tasks have their own roles. */
  public readonly instanceRole: iam.IRole;
  /** The instances' security group. */
  public readonly securityGroup: ec2.ISecurityGroup;
  /** CPU architecture of the instances. */
  public readonly cpuArchitecture: ecs.CpuArchitecture;
  /** Accelerator and architecture variant of the ECS-optimized AMI. */
  public readonly hardwareType: ecs.AmiHardwareType;
  /** Operating system of the instances. */
  public readonly machineImage: Ec2MachineImage;
  /** Whether the group runs Spot instances. */
  public readonly spot: boolean;
  /**
   * The custom resource that removes scale-in protection from the group's instances when the group is deleted.
   *
   * Undefined when `cleanTeardown` is false. The custom resource makes `cdk destroy` finish instead of waiting for
   * protected instances (see `Ec2CapacityOptions.cleanTeardown`); its Lambda function is shared by the cluster's
   * EC2 capacities.
   */
  public readonly teardown?: CustomResource;

  constructor(scope: Construct, id: string, props: Ec2CapacityProps) {
    super(scope, id);
    if (!props || !props.cluster) {
      invalidProp(this, 'cluster', props?.cluster, 'Create EC2 capacity with cluster.addEc2Capacity(id, options).');
    }
    const cluster = props.cluster;
    this.cluster = cluster;
    const register = registrationOf(cluster);
    if (!register) {
      invalidProp(this, 'cluster', cluster.node.path,
        'Ec2Capacity needs a FoundryCluster: it registers with the cluster, which another IFoundryCluster implementation cannot do. Create EC2 capacity with cluster.addEc2Capacity(id, options).');
    }
    if (Stack.of(this) !== Stack.of(cluster)) {
      invalidProp(this, 'cluster', cluster.node.path, 'A cluster, its Auto Scaling group and its capacity provider must live in one stack (CloudFormation cannot delete them in order otherwise). Create the capacity in the cluster\'s stack.');
    }
    const resolved = resolveEc2Capacity(this, props);
    const info = resolved.image;
    this.cpuArchitecture = info.architecture;
    this.hardwareType = info.hardwareType;
    this.machineImage = info.machineImage;
    this.spot = resolved.spot !== undefined;
    const subnets = this.selectSubnets(resolved.vpcSubnets);

    const role = new ManagedPolicyRole(this, 'InstanceRole', {
      assumedBy: new iam.ServicePrincipal('ec2.amazonaws.com'),
      description: `ECS container instances of ${this.node.path}`,
    });
    this.instanceRole = role;
    this.securityGroup = new ec2.SecurityGroup(this, 'SecurityGroup', {
      vpc: cluster.vpc,
      description: securityGroupDescription(`ECS container instances of ${this.node.path}: no inbound rules; tasks in awsvpc mode have their own groups`),
      allowAllOutbound: true,
    });

    const bottlerocket = info.machineImage === Ec2MachineImage.BOTTLEROCKET;
    const sessionManager = resolved.enableSessionManager;
    const userData = bottlerocket ? bottlerocketUserData(sessionManager) : amazonLinuxUserData(this.spot);

    const volume = ec2.BlockDeviceVolume.ebs(resolved.volumeSize.toGibibytes(), {
      encrypted: true,
      volumeType: ec2.EbsDeviceVolumeType.GP3,
      deleteOnTermination: true,
    });
    const blockDevices: ec2.BlockDevice[] = bottlerocket
      ? [
        { deviceName: '/dev/xvda', volume: ec2.BlockDeviceVolume.ebs(4, { encrypted: true, volumeType: ec2.EbsDeviceVolumeType.GP3, deleteOnTermination: true }) },
        { deviceName: '/dev/xvdb', volume },
      ]
      : [{ deviceName: '/dev/xvda', volume }];

    this.launchTemplate = new ec2.LaunchTemplate(this, 'LaunchTemplate', {
      machineImage: resolveInstanceImage(info),
      instanceType: resolved.instanceType,
      userData,
      // aws-cdk-lib would attach broad defaults (ecs:Submit*, AWS managed policies for Bottlerocket);
      // it gets a read-only view and the exact permissions are granted below.
      role: role.withoutPolicyUpdates(),
      securityGroup: this.securityGroup,
      requireImdsv2: true,
      httpPutResponseHopLimit: 1,
      httpEndpoint: true,
      blockDevices,
      detailedMonitoring: true,
      ebsOptimized: true,
      associatePublicIpAddress: false,
    });

    const spot = resolved.spot;
    this.autoScalingGroup = new autoscaling.AutoScalingGroup(this, 'Group', {
      vpc: cluster.vpc,
      vpcSubnets: subnets,
      minCapacity: resolved.minCapacity,
      maxCapacity: resolved.maxCapacity,
      desiredCapacity: resolved.desiredCapacity,
      ...(spot ? {
        mixedInstancesPolicy: {
          launchTemplate: this.launchTemplate,
          launchTemplateOverrides: [resolved.instanceType, ...spot.additionalInstanceTypes].map(instanceType => ({ instanceType })),
          instancesDistribution: {
            onDemandBaseCapacity: spot.onDemandBaseCapacity,
            onDemandPercentageAboveBaseCapacity: spot.onDemandPercentageAboveBaseCapacity,
            spotAllocationStrategy: spot.allocationStrategy,
            spotMaxPrice: spot.maxPrice,
          },
        },
        capacityRebalance: true,
      } : { launchTemplate: this.launchTemplate }),
      notifications: [{ topic: cluster.alertTopic, scalingEvents: autoscaling.ScalingEvents.ALL }],
      groupMetrics: [autoscaling.GroupMetrics.all()],
      updatePolicy: resolved.instanceUpdate === Ec2InstanceUpdate.ROLLING_REFRESH
        ? rollingRefresh(resolved.instanceWarmup)
        : undefined,
    });

    this.capacityProvider = new ecs.AsgCapacityProvider(this, 'CapacityProvider', {
      autoScalingGroup: this.autoScalingGroup,
      capacityProviderName: resolved.capacityProviderName,
      enableManagedScaling: true,
      enableManagedTerminationProtection: true,
      enableManagedDraining: true,
      targetCapacityPercent: resolved.targetCapacityPercent,
      instanceWarmupPeriod: resolved.instanceWarmup.toSeconds(),
      machineImageType: bottlerocket ? ecs.MachineImageType.BOTTLEROCKET : ecs.MachineImageType.AMAZON_LINUX_2,
    });
    cluster.ecsCluster.addAsgCapacityProvider(this.capacityProvider);
    if (bottlerocket) {
      completeBottlerocketUserData(userData, cluster.ecsCluster.clusterName, this.spot);
    }
    if (spot) {
      acknowledgeMixedInstancesPolicy(this.autoScalingGroup);
    }
    acknowledgeCapacityGroup(this.autoScalingGroup, !spot, new Set(cluster.vpc.selectSubnets(subnets).availabilityZones).size);
    const containerInstances = grantAgentPermissions(role, cluster.ecsCluster, sessionManager);
    if (bottlerocket && sessionManager) {
      // Session Manager on Bottlerocket lands in the control host container, which host-ctr pulls with this role.
      grantControlContainerPull(role);
    }
    acknowledgeEc2InstanceRole(role, containerInstances);
    if (resolved.cleanTeardown) {
      this.teardown = new Ec2CapacityTeardown(this, 'Teardown', { capacity: this, wait: resolved.teardownWait }).customResource;
    }
    register.call(cluster, this, sessionManager);
  }

  private selectSubnets(selection: ec2.SubnetSelection | undefined): ec2.SubnetSelection {
    const vpc = this.cluster.vpc;
    let selected: ec2.SelectedSubnets;
    try {
      selected = vpc.selectSubnets(selection);
    } catch (e) {
      return invalidProp(this, 'vpcSubnets', selection, `The cluster's VPC has no such subnets (${(e as Error).message}). Select private or isolated subnets of ${vpc.node.path}.`);
    }
    if (selected.subnets.length === 0) {
      invalidProp(this, 'vpcSubnets', selection, `The selection matches no subnet of the cluster's VPC. Select private or isolated subnets of ${vpc.node.path}.`);
    }
    const publicIds = new Set(vpc.publicSubnets.map(s => s.subnetId));
    const exposed = selected.subnets.filter(s => publicIds.has(s.subnetId));
    if (exposed.length > 0) {
      invalidProp(this, 'vpcSubnets', selection ?? 'default',
        'Container instances never run in public subnets (they get no public IP and would be one step from the internet). Select private or isolated subnets.');
    }
    return selection ?? {};
  }
}

/** How a `FoundryCluster` records the EC2 capacity added to it (not part of `IFoundryCluster`, which is public). */
type RegisterEc2Capacity = (capacity: Ec2Capacity, sessionManager: boolean) => void;

/** The cluster's registration function, when the cluster is a `FoundryCluster` (found at run time, without importing it). */
function registrationOf(cluster: IFoundryCluster): RegisterEc2Capacity | undefined {
  const register = (cluster as { _registerEc2Capacity?: unknown })._registerEc2Capacity;
  return typeof register === 'function' ? register as RegisterEc2Capacity : undefined;
}
