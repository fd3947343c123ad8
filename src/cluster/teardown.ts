import * as fs from 'fs';
import * as path from 'path';
import { Aspects, Aws, CustomResource, Duration, IAspect, Stack } from 'aws-cdk-lib';
import * as autoscaling from 'aws-cdk-lib/aws-autoscaling';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct, IConstruct } from 'constructs';
import type { IEc2Capacity, IFoundryCluster } from './cluster-interfaces';
import { acknowledgeTeardownFunction, acknowledgeTeardownGroup } from '../compliance/acknowledgements';
import { boundedDescription, LAMBDA_DESCRIPTION } from '../private/descriptions';
import { ManagedPolicyRole } from '../private/managed-policy-role';
import { checkNumber, invalidProp } from '../private/validation';

/**
 * Properties of `Ec2CapacityTeardown`.
 */
export interface Ec2CapacityTeardownProps {
  /** The capacity to tear down cleanly. */
  readonly capacity: IEc2Capacity;

  /**
   * How long the teardown function waits, during stack deletion, for the group's instances to terminate after
   * it removed their scale-in protection (0-600 s). CloudFormation then deletes the group and waits for the
   * rest on its own, so this is only a courtesy for faster, more predictable deletes.
   *
   * @default Duration.minutes(2)
   */
  readonly wait?: Duration;
}

/**
 * Makes `cdk destroy` of a stack with EC2 capacity finish instead of hanging (aws-cdk issues #18179, #14732,
 * #19275).
 *
 * ECS managed termination protection marks instances that run tasks as protected from scale-in, and the marks
 * outlive the capacity provider: CloudFormation then waits forever for the Auto Scaling group to empty. This
 * construct
 * - orders the deletions: services, then the cluster's capacity provider associations, then the capacity
 *   provider, then this custom resource, then the Auto Scaling group (`FoundryCluster` makes every service of the
 *   cluster depend on the associations);
 * - adds a custom resource that, when the group is deleted (stack deletion or rollback, or the group is
 *   replaced), removes scale-in protection from the group and its instances, sets its minimum and desired
 *   capacity to 0 and waits briefly for the instances to go. Removing only the custom resource (turning teardown
 *   off) leaves a running group alone.
 *
 * The custom resource's Lambda function is shared by every `Ec2Capacity` of a cluster. It can only describe Auto
 * Scaling groups, change the protection and size of these groups, read this stack's status, and write its own
 * KMS-encrypted log group.
 */
export class Ec2CapacityTeardown extends Construct {
  /** The custom resource that prepares the group for deletion. */
  public readonly customResource: CustomResource;
  /** The Lambda function behind it (shared by the cluster's capacities). */
  public readonly handler: lambda.IFunction;

  constructor(scope: Construct, id: string, props: Ec2CapacityTeardownProps) {
    super(scope, id);
    if (!props || !props.capacity) {
      invalidProp(this, 'capacity', props?.capacity, 'Pass the Ec2Capacity to tear down cleanly.');
    }
    const capacity = props.capacity;
    const waitSeconds = props.wait?.toSeconds({ integral: false }) ?? 120;
    checkNumber(this, 'wait (seconds)', waitSeconds, { min: 0, max: 600, integer: true });

    const provider = TeardownProvider.of(capacity.cluster);
    provider.allowGroup(capacity);
    this.handler = provider.function;

    const group = capacity.autoScalingGroup;
    this.customResource = new CustomResource(this, 'Resource', {
      resourceType: 'Custom::EcsFoundryCapacityTeardown',
      serviceToken: provider.function.functionArn,
      // CloudFormation waits this long for an answer if the function cannot send one (the default is an hour).
      serviceTimeout: Duration.minutes(15),
      properties: {
        AutoScalingGroupName: group.autoScalingGroupName,
        AutoScalingGroupLogicalId: Stack.of(group).getLogicalId(group.node.defaultChild as autoscaling.CfnAutoScalingGroup),
        WaitSeconds: String(waitSeconds),
      },
    });
    // Deletion runs in reverse: the function and its permissions outlive the custom resource (the function
    // depends on its role, whose managed policy is in the role's subtree) ...
    this.customResource.node.addDependency(provider);
    // ... and the capacity provider (and with it the cluster association) is gone before the custom resource
    // removes the protection, so ECS cannot protect the instances again.
    capacity.capacityProvider.node.addDependency(this.customResource);
  }
}

/** Lambda runtime of the handler: the newest Node.js; its AWS SDK v3 is what the handler uses. */
const RUNTIME = lambda.Runtime.NODEJS_LATEST;

/**
 * The teardown function of one cluster, created with its first `Ec2Capacity`.
 */
class TeardownProvider extends Construct {
  public static of(cluster: IFoundryCluster): TeardownProvider {
    const id = 'CapacityTeardown';
    return (cluster.node.tryFindChild(id) as TeardownProvider | undefined) ?? new TeardownProvider(cluster, id, cluster);
  }

  public readonly function: lambda.Function;
  private readonly role: ManagedPolicyRole;
  private readonly groupStatement: iam.PolicyStatement;

  private constructor(scope: Construct, id: string, cluster: IFoundryCluster) {
    super(scope, id);
    const logGroup = new logs.LogGroup(this, 'LogGroup', {
      encryptionKey: cluster.encryptionKey,
      retention: cluster.logRetention,
      removalPolicy: cluster.removalPolicy,
    });
    this.role = new ManagedPolicyRole(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: `Prepares the Auto Scaling groups of ${cluster.node.path} for stack deletion`,
    });
    this.role.addToPrincipalPolicy(new iam.PolicyStatement({
      sid: 'DescribeGroups',
      actions: ['autoscaling:DescribeAutoScalingGroups'],
      // DescribeAutoScalingGroups supports no resource-level permissions.
      resources: ['*'],
    }));
    this.groupStatement = new iam.PolicyStatement({
      sid: 'UnprotectAndEmptyTheseGroups',
      actions: ['autoscaling:SetInstanceProtection', 'autoscaling:UpdateAutoScalingGroup'],
    });
    this.role.addToPrincipalPolicy(this.groupStatement);
    this.role.addToPrincipalPolicy(new iam.PolicyStatement({
      sid: 'ReadThisStackStatus',
      actions: ['cloudformation:DescribeStacks', 'cloudformation:DescribeStackResource'],
      resources: [Aws.STACK_ID],
    }));
    logGroup.grantWrite(this.role);

    this.function = new lambda.Function(this, 'Function', {
      description: boundedDescription(`Removes scale-in protection from the Auto Scaling groups of ${cluster.node.path} when they are deleted`, LAMBDA_DESCRIPTION.maxLength),
      runtime: RUNTIME,
      code: handlerCode(),
      handler: 'index.handler',
      role: this.role,
      timeout: Duration.minutes(12),
      memorySize: 256,
      logGroup,
      loggingFormat: lambda.LoggingFormat.JSON,
    });
    acknowledgeTeardownFunction(this.function, this.role);
  }

  /** Let the function change this capacity's group (and only its group: by ARN, the group ID being a wildcard). */
  public allowGroup(capacity: IEc2Capacity): void {
    const arn = capacity.autoScalingGroup.autoScalingGroupArn;
    this.groupStatement.addResources(arn);
    acknowledgeTeardownGroup(this.role, arn);
  }
}

/**
 * The handler's code: the asset the build compiles from `teardown-handler/index.ts` (the projen task
 * `bundle:teardown-handler`, committed). It sits at the package root, so the same path finds it from lib/ (the
 * published package) and from src/ (ts-jest, ts-node).
 */
function handlerCode(): lambda.Code {
  const dir = path.join(__dirname, '..', '..', 'assets', 'cluster', 'teardown-handler');
  if (!fs.existsSync(path.join(dir, 'index.js'))) {
    throw new Error(`The teardown handler asset is missing (${dir}): run \`npx projen bundle:teardown-handler\`.`);
  }
  return lambda.Code.fromAsset(dir);
}

/**
 * Make every ECS service of the cluster (in the cluster's stack) depend on the cluster's capacity provider
 * associations, so that CloudFormation deletes services first: the associations cannot be removed while a
 * service still uses one of their capacity providers. On creation it has a welcome side effect: a service is
 * never created before the capacity providers it names are associated with the cluster.
 *
 * @internal
 */
export function orderServiceDeletion(cluster: IFoundryCluster): void {
  const stack = Stack.of(cluster);
  const ecsCluster = cluster.ecsCluster;
  const aspect: IAspect = {
    visit(node: IConstruct) {
      if (!(node instanceof ecs.CfnService) || node.cluster === undefined) return;
      const target = JSON.stringify(Stack.of(node).resolve(node.cluster));
      const ours = [ecsCluster.clusterName, ecsCluster.clusterArn].some(ref => JSON.stringify(stack.resolve(ref)) === target);
      if (!ours) return;
      // The associations are a child of the ecs.Cluster, created by aws-cdk-lib's own aspect; a dependency on the
      // ecs.Cluster construct covers them (and the cluster itself, which the service references anyway).
      node.node.addDependency(ecsCluster);
    },
  };
  Aspects.of(stack).add(aspect);
}
