import { Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import type { IFoundryCluster } from './cluster-interfaces';
import { grantAgentPermissions } from './ec2-capacity-host';
import { ManagedInstancesCapacityProps, ManagedInstancesPurchaseOption } from './managed-instances-options';
import { resolveManagedInstances, ResolvedManagedInstances } from './managed-instances-validation';
import { acknowledgeEc2InstanceRole, acknowledgeManagedInstancesInfrastructureRole } from '../compliance/acknowledgements';
import { securityGroupDescription } from '../private/descriptions';
import { ManagedPolicyRole } from '../private/managed-policy-role';
import { invalidProp } from '../private/validation';

/**
 * The AWS managed policy ECS documents for the infrastructure role of Managed Instances
 * (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/infrastructure_IAM_role.html,
 * https://docs.aws.amazon.com/aws-managed-policy/latest/reference/AmazonECSInfrastructureRolePolicyForManagedInstances.html).
 */
export const MANAGED_INSTANCES_INFRASTRUCTURE_POLICY = 'AmazonECSInfrastructureRolePolicyForManagedInstances';

/**
 * ECS Managed Instances capacity for a `FoundryCluster`: ECS launches, patches, replaces and right-sizes EC2
 * instances for the tasks placed on it, and charges a management fee per instance-hour on top of the EC2 price.
 *
 * Normally created with `cluster.addManagedInstances(id, options)`; use it with `Capacity.managedInstances(capacity)`.
 *
 * Security: the instances run in private subnets with a security group without inbound rules (tasks in awsvpc mode
 * have their own groups), with an instance role that allows only what the ECS agent needs in this cluster; the
 * infrastructure role ECS uses to manage them may pass exactly that role and no other.
 */
export class ManagedInstancesCapacity extends Construct {
  /** The cluster this capacity serves. */
  public readonly cluster: IFoundryCluster;
  /** The ECS Managed Instances capacity provider. */
  public readonly capacityProvider: ecs.ManagedInstancesCapacityProvider;
  /** The role ECS assumes to launch and manage the instances. */
  public readonly infrastructureRole: iam.IRole;
  /** The instances' IAM role. Add to it only what the ECS agent needs; tasks have their own roles. */
  public readonly instanceRole: iam.IRole;
  /** The instance profile that carries `instanceRole`. */
  public readonly instanceProfile: iam.IInstanceProfile;
  /** The instances' security group. */
  public readonly securityGroup: ec2.ISecurityGroup;
  /** CPU architecture of the instances. */
  public readonly cpuArchitecture: ecs.CpuArchitecture;
  /** How the instances are bought. */
  public readonly purchaseOption: ManagedInstancesPurchaseOption;
  /** GPUs each instance has at least (0 without a GPU requirement). */
  public readonly minGpus: number;
  /** The instance types ECS may launch, when limited with `allowedInstanceTypes`. */
  public readonly allowedInstanceTypes?: string[];
  /** Most vCPUs an instance may have, when limited with `maxVcpus`. */
  public readonly maxVcpus?: number;
  /** Most memory (MiB) an instance may have, when limited with `maxMemory`. */
  public readonly maxMemoryMiB?: number;

  constructor(scope: Construct, id: string, props: ManagedInstancesCapacityProps) {
    super(scope, id);
    if (!props || !props.cluster) {
      invalidProp(this, 'cluster', props?.cluster, 'Create Managed Instances capacity with cluster.addManagedInstances(id, options).');
    }
    const cluster = props.cluster;
    this.cluster = cluster;
    const register = registrationOf(cluster);
    if (!register) {
      invalidProp(this, 'cluster', cluster.node.path,
        'ManagedInstancesCapacity needs a FoundryCluster: it registers with the cluster. Create it with cluster.addManagedInstances(id, options).');
    }
    // A Managed Instances capacity provider is cluster-scoped: it names its cluster (ClusterName), so they share a stack
    // (https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-ecs-capacityprovider.html).
    if (Stack.of(this) !== Stack.of(cluster)) {
      invalidProp(this, 'cluster', cluster.node.path,
        'A Managed Instances capacity provider belongs to one cluster and is deleted with it: create the capacity in the cluster\'s stack.');
    }
    const resolved = resolveManagedInstances(this, props);
    this.cpuArchitecture = resolved.cpuArchitecture;
    this.purchaseOption = resolved.purchaseOption;
    this.minGpus = resolved.minGpus ?? 0;
    this.allowedInstanceTypes = resolved.allowedInstanceTypes;
    this.maxVcpus = resolved.maxVcpus;
    this.maxMemoryMiB = resolved.maxMemoryMiB;
    const subnets = this.selectSubnets(resolved.vpcSubnets);

    // The instance role: what the ECS agent on a Managed Instance needs, in this cluster only
    // (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/managed-instances-instance-profile.html).
    const instanceRole = new ManagedPolicyRole(this, 'InstanceRole', {
      assumedBy: new iam.ServicePrincipal('ec2.amazonaws.com'),
      description: `ECS Managed Instances of ${this.node.path}`,
    });
    const containerInstances = grantAgentPermissions(instanceRole, cluster.ecsCluster, false);
    acknowledgeEc2InstanceRole(instanceRole, containerInstances);
    this.instanceRole = instanceRole;
    this.instanceProfile = new iam.InstanceProfile(this, 'InstanceProfile', { role: instanceRole });

    // The infrastructure role: ECS launches and manages the instances with the AWS managed policy (kept current by
    // AWS as Managed Instances gains features). That policy passes roles named ecsInstanceRole*; this role may pass
    // exactly the instance role above, to EC2, and an explicit deny closes every other role.
    const infrastructureRole = new ManagedPolicyRole(this, 'InfrastructureRole', {
      assumedBy: new iam.ServicePrincipal('ecs.amazonaws.com'),
      description: `ECS manages the Managed Instances of ${this.node.path}`,
      managedPolicies: [iam.ManagedPolicy.fromAwsManagedPolicyName(MANAGED_INSTANCES_INFRASTRUCTURE_POLICY)],
    });
    infrastructureRole.addToPrincipalPolicy(new iam.PolicyStatement({
      sid: 'PassTheInstanceRole',
      actions: ['iam:PassRole'],
      resources: [instanceRole.roleArn],
      conditions: { StringEquals: { 'iam:PassedToService': 'ec2.amazonaws.com' } },
    }));
    infrastructureRole.addToPrincipalPolicy(new iam.PolicyStatement({
      sid: 'PassNoOtherRole',
      effect: iam.Effect.DENY,
      actions: ['iam:PassRole'],
      notResources: [instanceRole.roleArn],
    }));
    acknowledgeManagedInstancesInfrastructureRole(infrastructureRole);
    this.infrastructureRole = infrastructureRole;

    this.securityGroup = new ec2.SecurityGroup(this, 'SecurityGroup', {
      vpc: cluster.vpc,
      description: securityGroupDescription(`ECS Managed Instances of ${this.node.path}: no inbound rules; tasks in awsvpc mode have their own groups`),
      allowAllOutbound: true,
    });

    this.capacityProvider = new ecs.ManagedInstancesCapacityProvider(this, 'CapacityProvider', {
      capacityProviderName: resolved.capacityProviderName,
      infrastructureRole,
      ec2InstanceProfile: this.instanceProfile,
      subnets: cluster.vpc.selectSubnets(subnets).subnets,
      securityGroups: [this.securityGroup],
      monitoring: resolved.detailedMonitoring ? ecs.InstanceMonitoring.DETAILED : ecs.InstanceMonitoring.BASIC,
      propagateTags: resolved.propagateTags ? ecs.PropagateManagedInstancesTags.CAPACITY_PROVIDER : ecs.PropagateManagedInstancesTags.NONE,
    });
    this.completeProvider(resolved);
    // ECS must be able to assume the role and pass the instance role before it creates the capacity provider.
    this.capacityProvider.node.addDependency(infrastructureRole, this.instanceProfile);
    cluster.ecsCluster.addManagedInstancesCapacityProvider(this.capacityProvider);
    register.call(cluster, this);
  }

  /** What the L2 does not write (instance requirements as typed here, repair, optimization, reservations, FIPS, local storage). */
  private completeProvider(resolved: ResolvedManagedInstances): void {
    const cfn = this.capacityProvider.node.defaultChild as ecs.CfnCapacityProvider;
    const provider = cfn.managedInstancesProvider as ecs.CfnCapacityProvider.ManagedInstancesProviderProperty;
    const template = provider.instanceLaunchTemplate as ecs.CfnCapacityProvider.InstanceLaunchTemplateProperty;
    const arm = resolved.cpuArchitecture._cpuArchitecture === 'ARM64';
    const requirements: ecs.CfnCapacityProvider.InstanceRequirementsRequestProperty = {
      vCpuCount: { min: resolved.minVcpus, max: resolved.maxVcpus },
      memoryMiB: { min: resolved.minMemoryMiB, max: resolved.maxMemoryMiB },
      // https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_InstanceRequirementsRequest.html
      cpuManufacturers: arm ? ['amazon-web-services'] : ['intel', 'amd'],
      burstablePerformance: resolved.burstable ? 'included' : 'excluded',
      bareMetal: 'excluded',
      instanceGenerations: ['current'],
      allowedInstanceTypes: resolved.allowedInstanceTypes,
      excludedInstanceTypes: resolved.excludedInstanceTypes,
      acceleratorTypes: resolved.minGpus ? ['gpu'] : undefined,
      acceleratorCount: resolved.minGpus ? { min: resolved.minGpus } : undefined,
      localStorage: resolved.useLocalStorage ? 'required' : undefined,
    };
    const reservations = resolved.capacityReservations;
    cfn.managedInstancesProvider = {
      ...provider,
      instanceLaunchTemplate: {
        ...template,
        capacityOptionType: resolved.purchaseOption,
        capacityReservations: reservations ? {
          reservationPreference: reservations.preference,
          reservationGroupArn: reservations.reservationGroupArn,
        } : undefined,
        instanceRequirements: requirements,
        storageConfiguration: { storageSizeGiB: resolved.storageSizeGiB },
        localStorageConfiguration: resolved.useLocalStorage ? { useLocalStorage: true } : undefined,
        fipsEnabled: resolved.fipsEnabled ? true : undefined,
      },
      // https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_AutoRepairConfiguration.html
      autoRepairConfiguration: { actionsStatus: resolved.autoRepair ? 'ENABLED' : 'DISABLED' },
      // https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_InfrastructureOptimization.html
      infrastructureOptimization: !resolved.infrastructureOptimization ? { scaleInAfter: -1 }
        : resolved.scaleInAfterSeconds !== undefined ? { scaleInAfter: resolved.scaleInAfterSeconds } : undefined,
    };
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
    if (selected.subnets.some(s => publicIds.has(s.subnetId))) {
      invalidProp(this, 'vpcSubnets', selection ?? 'default',
        'Managed Instances never run in public subnets (they would be one step from the internet). Select private or isolated subnets.');
    }
    return selection ?? {};
  }
}

/** How a `FoundryCluster` records the Managed Instances capacity added to it. */
type RegisterManagedInstances = (capacity: ManagedInstancesCapacity) => void;

/** The cluster's registration function, when the cluster is a `FoundryCluster` (found at run time, without importing it). */
function registrationOf(cluster: IFoundryCluster): RegisterManagedInstances | undefined {
  const register = (cluster as { _registerManagedInstances?: unknown })._registerManagedInstances;
  return typeof register === 'function' ? register as RegisterManagedInstances : undefined;
}
