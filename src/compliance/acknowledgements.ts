import { Validations } from 'aws-cdk-lib';
import * as autoscaling from 'aws-cdk-lib/aws-autoscaling';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as efs from 'aws-cdk-lib/aws-efs';
import * as iam from 'aws-cdk-lib/aws-iam';

/**
 * Every cdk-nag finding this library acknowledges, in one reviewable file.
 *
 * Each acknowledgement is the narrowest that works: on the one construct that causes it, for one rule
 * (or one finding of a rule), with the reason a security reviewer needs. Findings we can fix are fixed in the
 * construct instead. Acknowledgements use aws-cdk-lib's `Validations` API only, so cdk-nag stays a
 * development dependency.
 */

const PACKS = ['NIST.800.53.R5', 'HIPAA.Security', 'PCI.DSS.321'] as const;

/** Public subnets route 0.0.0.0/0 to the internet gateway: that is what makes them public. */
export function acknowledgePublicSubnetRoutes(vpc: ec2.Vpc): void {
  for (const subnet of vpc.publicSubnets) {
    const route = subnet.node.tryFindChild('DefaultRoute');
    if (!route) continue;
    for (const pack of PACKS) {
      Validations.of(route).acknowledge({
        id: `${pack}-VPCNoUnrestrictedRouteToIGW`,
        reason: 'Public subnets hold only NAT gateways and internet-facing load balancers, which need a default route to the internet gateway. Tasks and instances always run in private or isolated subnets, which have no such route. (publicSubnets: false creates a VPC without them.)',
      });
    }
  }
}

/** The ECS agent's permissions that IAM cannot scope to a resource. */
export function acknowledgeEc2InstanceRole(role: iam.IRole): void {
  Validations.of(role).acknowledge({
    id: 'AwsSolutions-IAM5[Resource::*]',
    reason: 'ecs:DiscoverPollEndpoint supports no resource-level permissions; ecs:Poll, ecs:StartTelemetrySession and ecs:PutSystemLogEvents are limited to this cluster by the ecs:cluster condition; the optional Session Manager actions are limited to this account. Everything else is scoped to the cluster ARN.',
  });
}

/**
 * cdk-nag's IMDSv2 and EBS-encryption rules read only an Auto Scaling group's top-level LaunchTemplate and
 * cannot follow the launch template of a MixedInstancesPolicy (used for Spot). The template they miss requires
 * IMDSv2 and encrypts every volume; test/cluster/ec2-capacity.test.ts asserts both on the Spot group.
 */
export function acknowledgeMixedInstancesPolicy(group: autoscaling.AutoScalingGroup): void {
  const reason = 'Spot groups use a MixedInstancesPolicy, whose launch template cdk-nag cannot follow. That launch template sets HttpTokens=required and encrypts every EBS volume (asserted by the unit tests).';
  for (const id of ['AwsSolutions-EC26', 'NIST.800.53.R5-EC2IMDSv2Enabled', 'HIPAA.Security-EC2IMDSv2Enabled', 'PCI.DSS.321-EC2IMDSv2Enabled']) {
    Validations.of(group).acknowledge({ id, reason });
  }
}

/**
 * cdk-nag's EFSInBackupPlan rule looks for an AWS::Backup::BackupSelection in the stack and cannot see EFS
 * automatic backups (BackupPolicy ENABLED), which AWS Backup runs from the AWS-managed plan
 * `aws/efs/automatic-backup-plan`. Only applied when SharedVolume enables them; test/storage asserts the policy.
 */
export function acknowledgeEfsAutomaticBackups(fileSystem: efs.FileSystem): void {
  const reason = 'The file system has EFS automatic backups enabled (BackupPolicy ENABLED): AWS Backup includes it in the AWS-managed plan aws/efs/automatic-backup-plan (daily, 35-day retention), which cdk-nag cannot see because the plan is not a resource of this stack.';
  for (const id of ['NIST.800.53.R5-EFSInBackupPlan', 'HIPAA.Security-EFSInBackupPlan']) {
    Validations.of(fileSystem).acknowledge({ id, reason });
  }
}

/**
 * AwsSolutions-ECS2 flags every plain environment variable. Workloads pass configuration (queue URLs, feature
 * flags, ports) that way on purpose; secrets go through `secrets`, which ECS injects from Secrets Manager or SSM.
 * Acknowledged only on task definitions whose spec sets `environment`.
 */
export function acknowledgeEnvironmentVariables(taskDefinition: ecs.TaskDefinition): void {
  Validations.of(taskDefinition).acknowledge({
    id: 'AwsSolutions-ECS2',
    reason: 'These environment variables carry non-secret configuration chosen by the workload author. Secret values are injected by ECS from Secrets Manager or SSM Parameter Store through the `secrets` option and never appear in the template.',
  });
}

/**
 * Pulling from ECR needs `ecr:GetAuthorizationToken`, which IAM only grants on `*`; the layer and image actions
 * are scoped to the one repository of the workload's image.
 */
export function acknowledgeExecutionRole(role: iam.IRole): void {
  Validations.of(role).acknowledge({
    id: 'AwsSolutions-IAM5[Resource::*]',
    reason: 'ecr:GetAuthorizationToken supports no resource-level permissions (it returns a registry token, not image access). Image pulls are limited to the workload\'s own repository; logs to its own log group; secrets to the ones named in its spec.',
  });
}
