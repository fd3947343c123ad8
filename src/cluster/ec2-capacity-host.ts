import { Duration, Stack } from 'aws-cdk-lib';
import * as autoscaling from 'aws-cdk-lib/aws-autoscaling';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as iam from 'aws-cdk-lib/aws-iam';

/**
 * What the host needs from its user data and its instance role: the ECS agent's configuration and permissions.
 * Shared by `Ec2Capacity` only; never exported.
 */

/**
 * The Amazon Linux 2023 user data: a shell script that appends agent variables to `/etc/ecs/ecs.config`.
 * aws-cdk-lib adds `ECS_CLUSTER` itself when the capacity provider joins the cluster.
 * Variables: https://github.com/aws/amazon-ecs-agent/blob/master/README.md#environment-variables
 */
export function amazonLinuxUserData(spot: boolean): ec2.UserData {
  const userData = ec2.UserData.forLinux();
  userData.addCommands(
    // Tasks send logs with their execution role, so the instance role needs no CloudWatch Logs rights.
    'echo ECS_ENABLE_AWSLOGS_EXECUTIONROLE_OVERRIDE=true >> /etc/ecs/ecs.config',
    // awsvpc tasks cannot read the instance role's credentials from IMDS (bridge tasks are stopped by the hop limit).
    'echo ECS_AWSVPC_BLOCK_IMDS=true >> /etc/ecs/ecs.config',
  );
  if (spot) {
    // The agent polls the Spot interruption notice and sets its instance to DRAINING (ecs:UpdateContainerInstancesState).
    userData.addCommands('echo ECS_ENABLE_SPOT_INSTANCE_DRAINING=true >> /etc/ecs/ecs.config');
  }
  return userData;
}

/**
 * The Bottlerocket user data starts empty: it is one TOML document, and it is written once the capacity provider
 * has joined the cluster (see `completeBottlerocketUserData`).
 */
export function bottlerocketUserData(): ec2.UserData {
  return ec2.UserData.custom('');
}

/**
 * Completes the Bottlerocket user data after `cluster.addAsgCapacityProvider()`, which appends the table header
 * `[settings.ecs]` and `cluster = "<name>"` (aws-cdk-lib aws-ecs/lib/cluster.js, `configureAutoScalingGroup`).
 * The remaining keys go into that same table: TOML allows a table to be declared once, and an invalid document
 * stops early-boot-config, so the host never joins the cluster.
 *
 * Only keys from Bottlerocket's ECS settings reference (https://bottlerocket.dev/en/os/1.20.x/api/settings/ecs/,
 * model `ECSSettingsV1` in bottlerocket-settings-models). The awslogs execution-role override is not a setting:
 * Bottlerocket always sets `ECS_ENABLE_AWSLOGS_EXECUTIONROLE_OVERRIDE=true` (bottlerocket-core-kit
 * packages/ecs-agent/ecs-defaults.conf).
 */
export function completeBottlerocketUserData(userData: ec2.UserData, clusterName: string, spot: boolean): void {
  const lines = userData.render().split('\n').map(line => line.trim());
  if (!lines.includes('[settings.ecs]')) {
    // aws-cdk-lib no longer wrote the table: write it, with the cluster, ourselves.
    userData.addCommands('[settings.ecs]', `cluster = "${clusterName}"`);
  }
  // awsvpc tasks cannot read the instance role's credentials from IMDS, as ECS_AWSVPC_BLOCK_IMDS on Amazon Linux.
  userData.addCommands('awsvpc-block-imds = true');
  if (spot) {
    userData.addCommands('enable-spot-instance-draining = true');
  }
}

/**
 * The ECS agent's permissions on its cluster, and nothing more. Image pulls and logs use each task's execution
 * role. Resource types and condition keys from the Service Authorization Reference:
 * https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonelasticcontainerservice.html
 * Returns the ARN pattern of the cluster's container instances.
 */
export function grantAgentPermissions(role: iam.Role, cluster: ecs.ICluster, sessionManager: boolean): string {
  const clusterArn = cluster.clusterArn;
  const containerInstances = Stack.of(cluster).formatArn({ service: 'ecs', resource: 'container-instance', resourceName: `${cluster.clusterName}/*` });
  role.addToPrincipalPolicy(new iam.PolicyStatement({
    sid: 'RegisterWithThisCluster',
    actions: [
      'ecs:RegisterContainerInstance', 'ecs:DeregisterContainerInstance',
      'ecs:SubmitAttachmentStateChanges', 'ecs:SubmitContainerStateChange', 'ecs:SubmitTaskStateChange',
    ],
    resources: [clusterArn],
  }));
  role.addToPrincipalPolicy(new iam.PolicyStatement({
    sid: 'AgentSessionsForThisCluster',
    actions: ['ecs:Poll', 'ecs:StartTelemetrySession', 'ecs:PutSystemLogEvents'],
    resources: ['*'],
    conditions: { ArnEquals: { 'ecs:cluster': clusterArn } },
  }));
  // Spot interruption and managed draining: the agent sets its own container instance to DRAINING
  // (amazon-ecs-agent agent/app/agent.go spotInstanceDrainingPoller). The action acts on container-instance
  // resources (arn:...:container-instance/<cluster>/<id>, the long ARN format every account now uses) and
  // supports the ecs:cluster condition key.
  role.addToPrincipalPolicy(new iam.PolicyStatement({
    sid: 'DrainOwnContainerInstance',
    actions: ['ecs:UpdateContainerInstancesState'],
    resources: [containerInstances],
    conditions: { ArnEquals: { 'ecs:cluster': clusterArn } },
  }));
  role.addToPrincipalPolicy(new iam.PolicyStatement({
    sid: 'NoResourceLevelPermissions',
    actions: ['ecs:DiscoverPollEndpoint'],
    resources: ['*'],
  }));
  if (sessionManager) {
    // The ssmmessages actions have no resource type, so a resource condition such as aws:ResourceAccount has
    // nothing to match and would deny the channel. The role can only be assumed by EC2 (this group's instances),
    // and Session Manager binds each channel to the calling instance.
    // https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonsessionmanagermessagegatewayservice.html
    role.addToPrincipalPolicy(new iam.PolicyStatement({
      sid: 'SessionManager',
      actions: [
        'ssm:UpdateInstanceInformation',
        'ssmmessages:CreateControlChannel', 'ssmmessages:CreateDataChannel',
        'ssmmessages:OpenControlChannel', 'ssmmessages:OpenDataChannel',
      ],
      resources: ['*'],
    }));
  }
  return containerInstances;
}

/**
 * The instance refresh that CloudFormation starts when the launch template (or mixed instances policy) changes.
 *
 * - Launch before terminate: 100 % of the desired capacity stays in service, up to 110 % runs during the refresh
 *   (the Auto Scaling "launch before terminating" maintenance policy).
 *   https://docs.aws.amazon.com/autoscaling/ec2/userguide/instance-maintenance-policy-overview-and-considerations.html
 * - Scale-in protected instances are refreshed: ECS managed termination protection protects every instance that
 *   runs tasks, and ECS asks for `Refresh` ("Replace") so that managed instance draining stops their tasks
 *   gracefully before termination.
 *   https://docs.aws.amazon.com/AmazonECS/latest/developerguide/managed-instance-draining.html
 */
export function rollingRefresh(warmup: Duration): autoscaling.UpdatePolicy {
  return autoscaling.UpdatePolicy.instanceRefresh({
    strategy: autoscaling.InstanceRefreshStrategy.ROLLING,
    minHealthyPercentage: 100,
    maxHealthyPercentage: 110,
    instanceWarmup: warmup,
    scaleInProtectedInstances: autoscaling.ScaleInProtectedInstances.REFRESH,
  });
}
