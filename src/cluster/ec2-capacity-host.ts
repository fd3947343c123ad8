import { Duration, Stack, Token } from 'aws-cdk-lib';
import * as autoscaling from 'aws-cdk-lib/aws-autoscaling';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as iam from 'aws-cdk-lib/aws-iam';
import { acknowledgeControlContainerPull } from '../compliance/acknowledgements';

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
 * The Bottlerocket user data: one TOML document. It starts with the two built-in host containers, with the `enabled`
 * key of the host-containers settings reference (https://bottlerocket.dev/en/os/1.27.x/api/settings/host-containers/;
 * keys `enabled`, `source`, `superpowered`, `user-data`, model `HostContainer` in bottlerocket-core-kit
 * sources/api/host-containers/src/config.rs); their `source` and `superpowered` keep Bottlerocket's defaults. The
 * admin container (root on the host, SSH) stays off. The control container runs the SSM agent, so it runs exactly
 * when Session Manager is enabled: otherwise host-ctr would pull it at every boot with permissions the instance role
 * does not have (see `grantControlContainerPull`). The `[settings.ecs]` table comes last, once the capacity provider
 * has joined the cluster (see `completeBottlerocketUserData`), so keys a user appends still land in it.
 */
export function bottlerocketUserData(sessionManager: boolean): ec2.UserData {
  const userData = ec2.UserData.custom('');
  userData.addCommands(
    '[settings.host-containers.admin]',
    'enabled = false',
    '[settings.host-containers.control]',
    `enabled = ${sessionManager}`,
  );
  return userData;
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
 * The registry (account) that holds Bottlerocket's host-container images in each Region: the `ecr-prefix` helper
 * that renders the control container's default `source` (bottlerocket-core-kit sources/api/schnauzer/src/helpers/mod.rs,
 * `ECR_MAP`; a Region missing from it falls back to us-east-1 and 328549459982). Also listed in
 * https://github.com/bottlerocket-os/bottlerocket/issues/857.
 */
const BOTTLEROCKET_REGISTRIES: Record<string, string> = {
  'af-south-1': '917644944286',
  'ap-east-1': '375569722642',
  'ap-northeast-1': '328549459982',
  'ap-northeast-2': '328549459982',
  'ap-northeast-3': '328549459982',
  'ap-south-1': '328549459982',
  'ap-south-2': '764716012617',
  'ap-southeast-1': '328549459982',
  'ap-southeast-2': '328549459982',
  'ap-southeast-3': '386774335080',
  'ap-southeast-4': '731751899352',
  'ap-southeast-5': '851725293737',
  'ca-central-1': '328549459982',
  'ca-west-1': '253897149516',
  'cn-north-1': '183470599484',
  'cn-northwest-1': '183901325759',
  'eu-central-1': '328549459982',
  'eu-central-2': '861738308508',
  'eu-isoe-west-1': '589460436674',
  'eu-north-1': '328549459982',
  'eu-south-1': '586180183710',
  'eu-south-2': '620625777247',
  'eu-west-1': '328549459982',
  'eu-west-2': '328549459982',
  'eu-west-3': '328549459982',
  'il-central-1': '288123944683',
  'me-central-1': '553577323255',
  'me-south-1': '509306038620',
  'sa-east-1': '328549459982',
  'us-east-1': '328549459982',
  'us-east-2': '328549459982',
  'us-gov-east-1': '388230364387',
  'us-gov-west-1': '347163068887',
  'us-west-1': '328549459982',
  'us-west-2': '328549459982',
};
const BOTTLEROCKET_FALLBACK = { region: 'us-east-1', account: '328549459982' };

/**
 * Lets host-ctr pull Bottlerocket's control container, and no other image.
 *
 * host-ctr pulls ECR images with the Amazon ECR containerd resolver (bottlerocket-core-kit
 * sources/host-ctr/cmd/host-ctr/main.go, `ecr.NewResolver()`), which uses the default AWS SDK credentials, the
 * instance role from IMDS, and calls only `ecr:BatchGetImage` (the manifest) and `ecr:GetDownloadUrlForLayer`
 * (each layer, then a pre-signed S3 download) on the ECR API (awslabs/amazon-ecr-containerd-resolver ecr/resolver.go,
 * ecr/fetcher.go): no `ecr:GetAuthorizationToken`, no registry (dkr) endpoint. The repository is in Bottlerocket's
 * account, and a cross-account request needs an allow on the identity side as well
 * (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic-cross-account.html): without
 * it the control container never starts and Session Manager cannot connect
 * (https://github.com/bottlerocket-os/bottlerocket/issues/1139, #851). Resource types from
 * https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonelasticcontainerregistry.html
 */
export function grantControlContainerPull(role: iam.Role): void {
  const stack = Stack.of(role);
  const actions = ['ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer'];
  const arn = (region: string, account: string) => `arn:${stack.partition}:ecr:${region}:${account}:repository/bottlerocket-control`;
  if (Token.isUnresolved(stack.region)) {
    // An environment-agnostic stack: the Region's registry is one of Bottlerocket's accounts.
    const anyAccount = arn(stack.region, '*');
    role.addToPrincipalPolicy(new iam.PolicyStatement({
      sid: 'PullBottlerocketControlContainer',
      actions,
      resources: [anyAccount],
      conditions: { StringEquals: { 'aws:ResourceAccount': [...new Set(Object.values(BOTTLEROCKET_REGISTRIES))].sort() } },
    }));
    acknowledgeControlContainerPull(role, anyAccount);
    return;
  }
  const account = BOTTLEROCKET_REGISTRIES[stack.region];
  role.addToPrincipalPolicy(new iam.PolicyStatement({
    sid: 'PullBottlerocketControlContainer',
    actions,
    resources: [account ? arn(stack.region, account) : arn(BOTTLEROCKET_FALLBACK.region, BOTTLEROCKET_FALLBACK.account)],
  }));
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
