import { Stack, Token, Validations } from 'aws-cdk-lib';
import * as autoscaling from 'aws-cdk-lib/aws-autoscaling';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as efs from 'aws-cdk-lib/aws-efs';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { IConstruct } from 'constructs';

/**
 * Every cdk-nag finding this library acknowledges, in one reviewable file.
 *
 * Each acknowledgement is the narrowest that works: on the one construct that causes it, for one rule
 * (or one finding of a rule), with the reason a security reviewer needs. Findings we can fix are fixed in the
 * construct instead. Acknowledgements use aws-cdk-lib's `Validations` API only, so cdk-nag stays a
 * development dependency.
 */

const PACKS = ['NIST.800.53.R5', 'HIPAA.Security', 'PCI.DSS.321'] as const;

/**
 * The fifth pack: AWS Control Tower proactive controls, the cfn-guard rules that `@cdklabs/cdk-validator-cfnguard`
 * runs (https://docs.aws.amazon.com/controltower/latest/controlreference/proactive-controls.html). The Control Tower
 * rules read no per-resource suppression metadata, so they are acknowledged like the cdk-nag packs, through aws-cdk-lib's
 * `Validations` API, with the rule's guard name in the plugin's namespace (`cdk-validator-cfnguard::<rule>`).
 */
function acknowledgeControl(scope: IConstruct, rule: string, reason: string): void {
  Validations.of(scope).acknowledge({ id: `cdk-validator-cfnguard::${rule}`, reason });
}

/** Public subnets route 0.0.0.0/0 to the internet gateway: that is what makes them public. */
export function acknowledgePublicSubnetRoutes(vpc: ec2.Vpc): void {
  acknowledgeRestrictDefaultSecurityGroup(vpc);
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

/**
 * The ECS agent's permissions that IAM cannot scope to a resource, and the one scoped to this cluster's container
 * instances (`container-instance/<cluster name>/*`: their IDs are assigned at registration).
 */
export function acknowledgeEc2InstanceRole(role: iam.IRole, containerInstanceArn: string): void {
  Validations.of(role).acknowledge({
    id: 'AwsSolutions-IAM5[Resource::*]',
    reason: 'ecs:DiscoverPollEndpoint supports no resource-level permissions; ecs:Poll, ecs:StartTelemetrySession and ecs:PutSystemLogEvents are limited to this cluster by the ecs:cluster condition; the optional Session Manager actions have no resource type to scope to (ssmmessages:*) and the role can only be assumed by EC2 instances. Everything else is scoped to the cluster ARN.',
  });
  Validations.of(role).acknowledge({
    id: `AwsSolutions-IAM5[Resource::${renderForFinding(Stack.of(role).resolve(containerInstanceArn))}]`,
    reason: 'ecs:UpdateContainerInstancesState (the agent sets its own instance to DRAINING on a Spot interruption notice) acts on container instances, whose IDs ECS assigns at registration: the wildcard covers only the container instances of this cluster, and the ecs:cluster condition limits it to this cluster as well.',
  });
}

/**
 * In an environment-agnostic stack the Region, and so the account of Bottlerocket's registry, is known only at deploy
 * time: the control container pull names the repository `bottlerocket-control` in any account of the Region, and the
 * aws:ResourceAccount condition limits it to Bottlerocket's registry accounts.
 */
export function acknowledgeControlContainerPull(role: iam.IRole, repositoryArn: string): void {
  Validations.of(role).acknowledge({
    id: `AwsSolutions-IAM5[Resource::${renderForFinding(Stack.of(role).resolve(repositoryArn))}]`,
    reason: "host-ctr pulls Bottlerocket's control container (SSM agent) from Bottlerocket's registry in the stack's Region, whose account is known only at deploy time in an environment-agnostic stack; the aws:ResourceAccount condition limits the account wildcard to Bottlerocket's registry accounts and the repository name to bottlerocket-control.",
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

/**
 * ECS Exec needs `ssmmessages:CreateControlChannel`/`CreateDataChannel`/`OpenControlChannel`/`OpenDataChannel`,
 * which IAM only grants on `*`. Added (by aws-cdk-lib) to the task role of services with `enableExecuteCommand`.
 */
export function acknowledgeExecuteCommand(taskRole: iam.IRole): void {
  Validations.of(taskRole).acknowledge({
    id: 'AwsSolutions-IAM5[Resource::*]',
    reason: 'ECS Exec (enableExecuteCommand, an explicit opt-in) needs the ssmmessages channel actions, which support no resource-level permissions. Sessions are encrypted with the cluster key and every command is logged to the cluster\'s encrypted audit log group.',
  });
}

/**
 * Load balancer access logs: ALB log delivery and S3 server access logging write only to SSE-S3 buckets, NLB log
 * delivery could use a customer managed key and SSE-S3 is the library's choice there; replication to another region is
 * the operator's choice, not a default. The terminal server-access-log bucket cannot log to yet another bucket without
 * an endless chain. `aclDelivery`: S3 server access logs reach the terminal bucket through the LogDeliveryWrite ACL
 * (the 1.0 bucket pairs) rather than a bucket policy.
 */
export function acknowledgeLogBucket(bucket: s3.IBucket, terminal: boolean, aclDelivery = true): void {
  const encryptionReason = terminal
    ? 'This bucket receives S3 server access logs, which cannot be delivered to a bucket with SSE-KMS default encryption (https://docs.aws.amazon.com/AmazonS3/latest/userguide/enable-server-access-logging.html): it is encrypted with SSE-S3, TLS-only and blocks all public access.'
    : 'Application Load Balancer access logs support only SSE-S3 buckets (https://docs.aws.amazon.com/elasticloadbalancing/latest/application/enable-access-logging.html). Network Load Balancer access logs may be encrypted with SSE-KMS and a customer managed key (https://docs.aws.amazon.com/elasticloadbalancing/latest/network/load-balancer-access-logs.html): for them SSE-S3 is the library\'s choice, not a limit, so that the log buckets of both load balancer kinds are built and read alike (a customer managed key would have to admit the log delivery service in its key policy, and every reader of the logs would need kms:Decrypt on it). The bucket is encrypted with SSE-S3, TLS-only and blocks all public access.';
  for (const pack of PACKS) {
    Validations.of(bucket).acknowledge({
      id: `${pack}-S3DefaultEncryptionKMS`,
      reason: encryptionReason,
    });
    Validations.of(bucket).acknowledge({
      id: `${pack}-S3BucketReplicationEnabled`,
      reason: 'Access logs are kept in one region for the retention period; cross-region replication is left to the operator (it doubles storage cost and needs a bucket in another region).',
    });
    if (terminal) {
      Validations.of(bucket).acknowledge({
        id: `${pack}-S3BucketLoggingEnabled`,
        reason: 'This bucket receives the server access logs of the load balancer log bucket; logging it in turn would need another bucket, endlessly.',
      });
    }
  }
  if (terminal) {
    Validations.of(bucket).acknowledge({
      id: 'AwsSolutions-S1',
      reason: 'This bucket receives the server access logs of the load balancer log bucket; logging it in turn would need another bucket, endlessly.',
    });
  }
  // AWS Control Tower proactive controls (CT.S3.PR.*).
  acknowledgeControl(bucket, 's3_bucket_default_encryption_kms_check', encryptionReason);
  acknowledgeControl(bucket, 's3_bucket_object_lock_enabled_check', 'S3 server access logs cannot be delivered to a bucket with an Object Lock default retention period (https://docs.aws.amazon.com/AmazonS3/latest/userguide/enable-server-access-logging.html), Object Lock without a retention protects nothing, and retention on load balancer logs would keep them past the retention the lifecycle rule expires them at, and keep a DESTROY cluster\'s bucket from being emptied. The bucket is versioned (noncurrent versions kept 7 days) and its policy admits only the log delivery services to write.');
  acknowledgeControl(bucket, 's3_event_notifications_enabled_check', 'Log delivery writes an object every few minutes per load balancer node; nothing in the library consumes events about them, and a notification destination nobody reads adds cost and resources. Access to the logs is recorded by the server access logs (and CloudTrail data events, where the account enables them).');
  if (terminal) {
    acknowledgeControl(bucket, 's3_bucket_logging_enabled_check', 'This bucket receives the server access logs of the load balancer log bucket; logging it in turn would need another bucket, endlessly.');
  }
  if (terminal && aclDelivery) {
    acknowledgeControl(bucket, 's3_bucket_acl_prohibited_check', 'S3 server access logging writes here through the LogDeliveryWrite canned ACL that aws-cdk-lib sets without the @aws-cdk/aws-s3:serverAccessLogsUseBucketPolicy flag. Moving a deployed bucket to a bucket policy with ACLs disabled (BucketOwnerEnforced) fails while the ACL still grants the log delivery group (InvalidBucketAclWithObjectOwnership, https://docs.aws.amazon.com/AmazonS3/latest/userguide/object-ownership-error-responses.html), so existing stacks would stop updating. The ACL grants only the S3 log delivery group write access; public access is blocked.');
  }
  const autoDelete = Stack.of(bucket).node.tryFindChild('Custom::S3AutoDeleteObjectsCustomResourceProvider');
  if (autoDelete) {
    acknowledgeControl(autoDelete, 'lambda_inside_vpc_check', 'aws-cdk-lib\'s autoDeleteObjects function (DESTROY clusters only) runs only while CloudFormation deletes a bucket, to empty it through the S3 API: it must work while the VPC and its endpoints are being deleted too, so it is not attached to the VPC. It may only list and delete objects of the buckets tagged for it.');
  }
}

/**
 * A load balancer of a cluster whose `removalPolicy` is `DESTROY` has no deletion protection unless it is asked for:
 * such a cluster declares its stack disposable, and the protection would stop `cdk destroy` half way (after the
 * services, before the load balancer). Acknowledged on that load balancer only; a `RETAIN` cluster keeps the rule.
 */
export function acknowledgeDisposableLoadBalancer(loadBalancer: elbv2.ILoadBalancerV2): void {
  for (const pack of ['NIST.800.53.R5', 'HIPAA.Security']) {
    Validations.of(loadBalancer).acknowledge({
      id: `${pack}-ELBDeletionProtectionEnabled`,
      reason: DISPOSABLE_LOAD_BALANCER,
    });
  }
  // CT.ELASTICLOADBALANCING.PR.5, the same intent.
  acknowledgeControl(loadBalancer, 'elbv2_deletion_protection_enabled_check', DISPOSABLE_LOAD_BALANCER);
}

const DISPOSABLE_LOAD_BALANCER = "The cluster's removalPolicy is DESTROY: the stack is disposable and is deleted with `cdk destroy`, which deletion protection would stop. Set deletionProtection: true to protect it anyway, or use a RETAIN cluster.";

/** An internet-facing load balancer must accept clients from anywhere, on its listener ports only. */
export function acknowledgeInternetFacingListener(securityGroup: ec2.ISecurityGroup): void {
  Validations.of(securityGroup).acknowledge({
    id: 'AwsSolutions-EC23',
    reason: 'The security group of an internet-facing load balancer admits any client, on the listener ports only (443, and 80 for the redirect to HTTPS); AWS WAF filters requests and targets accept traffic from this group only. Restrict clients with allowedCidrs.',
  });
}

/**
 * Plain HTTP is an explicit opt-in (`allowHttp: true`): no certificate, no TLS, no redirect. The rules that
 * require TLS on the listener are acknowledged on that listener and load balancer only.
 */
export function acknowledgePlainHttp(listener: elbv2.IApplicationListener, loadBalancer: elbv2.IApplicationLoadBalancer): void {
  const reason = 'Plain HTTP was chosen explicitly with allowHttp: true (development, or traffic encrypted end to end elsewhere); the default is HTTPS with an ACM certificate and an HTTP-to-HTTPS redirect.';
  for (const pack of PACKS) {
    for (const rule of ['ALBHttpToHttpsRedirection', 'ELBTlsHttpsListenersOnly', 'ELBv2ACMCertificateRequired']) {
      Validations.of(listener).acknowledge({ id: `${pack}-${rule}`, reason });
      Validations.of(loadBalancer).acknowledge({ id: `${pack}-${rule}`, reason });
    }
  }
  acknowledgeControl(listener, 'alb_http_to_https_redirection_check', reason);
  acknowledgeControl(loadBalancer, 'alb_http_to_https_redirection_check', reason);
}

/** Native blue/green: ECS reads listener, rule and target group state, which IAM grants only on `*`. */
export function acknowledgeBlueGreenRole(role: iam.IRole): void {
  Validations.of(role).acknowledge({
    id: 'AwsSolutions-IAM5[Resource::*]',
    reason: 'The elasticloadbalancing:Describe* actions ECS blue/green deployments need support no resource-level permissions; the actions that change anything (ModifyRule, ModifyListener, Register/DeregisterTargets) are limited to this service\'s rules, listener and two target groups.',
  });
}

/** The port-80 listener only redirects to HTTPS; it carries no content and needs no certificate. */
export function acknowledgeRedirectListener(listener: elbv2.IApplicationListener): void {
  for (const pack of PACKS) {
    Validations.of(listener).acknowledge({
      id: `${pack}-ELBv2ACMCertificateRequired`,
      reason: 'This HTTP listener only answers with a permanent redirect to the HTTPS listener (which uses the ACM certificate); it forwards no request to a target.',
    });
  }
}

/**
 * aws-cdk-lib grants the task role of an ECS Exec service log-stream access under the cluster's audit log group
 * (`<group ARN>:*`): streams are created per session, so their names are unknown in advance.
 */
export function acknowledgeExecLogStreams(taskRole: iam.IRole, execLogGroup: logs.ILogGroup): void {
  const stack = Stack.of(taskRole);
  const render = (value: string, pseudo: string) => (Token.isUnresolved(value) ? `<${pseudo}>` : value);
  const cfn = execLogGroup.node.defaultChild as logs.CfnLogGroup | undefined;
  const group = cfn ? `<${stack.getLogicalId(cfn)}>` : execLogGroup.logGroupName;
  Validations.of(taskRole).acknowledge({
    id: `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:logs:${render(stack.region, 'AWS::Region')}:${render(stack.account, 'AWS::AccountId')}:log-group:${group}:*]`,
    reason: 'ECS Exec writes each session to a new log stream of the cluster\'s encrypted audit log group; the wildcard covers the streams of that one group only.',
  });
}

/**
 * TCP and UDP listeners of a network load balancer pass traffic through to the tasks, which terminate TLS
 * themselves (or speak a protocol without TLS, e.g. DNS or game traffic over UDP). TLS termination at the load
 * balancer is the `NetworkProtocol.TLS` option.
 */
export function acknowledgeNetworkListener(listener: elbv2.INetworkListener, protocol: string): void {
  const reason = `This ${protocol} listener passes connections through to the tasks unchanged (end-to-end encryption, if any, is the application's); NetworkProtocol.TLS terminates TLS at the load balancer with an ACM certificate instead.`;
  for (const pack of PACKS) {
    for (const rule of ['ELBTlsHttpsListenersOnly', 'ELBv2ACMCertificateRequired']) {
      Validations.of(listener).acknowledge({ id: `${pack}-${rule}`, reason });
    }
  }
}

/**
 * The teardown function of `Ec2Capacity` (src/cluster/teardown.ts): a CloudFormation custom resource that runs
 * only while a stack (or one of its Auto Scaling groups) is deleted.
 */
export function acknowledgeTeardownFunction(fn: lambda.IFunction, role: iam.IRole): void {
  const vpc = 'The function runs only while CloudFormation deletes the stack, and must reach the Auto Scaling and CloudFormation APIs and CloudFormation\'s response URL while the VPC\'s NAT gateways and endpoints are being deleted themselves: attached to the VPC, the teardown would depend on the network it tears down (and isolated VPCs have no Auto Scaling endpoint). It handles no data; it only changes the scale-in protection and size of this cluster\'s Auto Scaling groups.';
  const dlq = 'CloudFormation invokes the function as a custom resource and waits for its answer; the handler reports every failure to CloudFormation (FAILED, with the reason, shown in the stack events), and serviceTimeout bounds the wait if it cannot answer. A dead-letter queue would only keep copies of CloudFormation\'s requests, which carry no data.';
  const concurrency = 'The function runs once per Auto Scaling group during a stack deletion, invoked only by CloudFormation, so it cannot crowd out other functions. Reserving concurrency would make every deployment fail in accounts whose Lambda concurrency quota leaves no room for reservations (new accounts start with 10).';
  for (const pack of PACKS) {
    Validations.of(fn).acknowledge({ id: `${pack}-LambdaInsideVPC`, reason: vpc });
  }
  acknowledgeControl(fn, 'lambda_inside_vpc_check', vpc);
  for (const pack of ['NIST.800.53.R5', 'HIPAA.Security']) {
    Validations.of(fn).acknowledge({ id: `${pack}-LambdaDLQ`, reason: dlq });
    Validations.of(fn).acknowledge({ id: `${pack}-LambdaConcurrency`, reason: concurrency });
  }
  Validations.of(role).acknowledge({
    id: 'AwsSolutions-IAM5[Resource::*]',
    reason: 'autoscaling:DescribeAutoScalingGroups supports no resource-level permissions (it only reads group state). The actions that change anything (SetInstanceProtection, UpdateAutoScalingGroup) are limited to this cluster\'s groups by ARN, and the CloudFormation reads to this stack.',
  });
}

/**
 * Network Load Balancer access logs record TLS listeners only
 * (https://docs.aws.amazon.com/elasticloadbalancing/latest/network/enable-access-logs.html): a TCP or UDP
 * NetworkService has no log buckets, which would stay empty. Acknowledged on that load balancer only; a TLS listener
 * added to it later fails synth until its access logs are turned on (`NetworkService.enableAccessLogs()`).
 */
export function acknowledgeNetworkLoadBalancerLogging(loadBalancer: elbv2.INetworkLoadBalancer, protocol: string): void {
  const reason = `This network load balancer has a ${protocol} listener, and NLB access logs are created only for TLS listeners: an access-log bucket would stay empty. Its connections are recorded by the VPC flow logs (FoundryCluster creates them for its VPC, all traffic; an imported VPC's flow logs are its owner's). A TLS listener added later fails synth until NetworkService.enableAccessLogs() turns the access logs on.`;
  for (const id of ['AwsSolutions-ELB2', ...PACKS.map(pack => `${pack}-ELBLoggingEnabled`)]) {
    Validations.of(loadBalancer).acknowledge({ id, reason });
  }
  acknowledgeControl(loadBalancer, 'elbv2_logging_enabled_check', reason);
}

/**
 * An Auto Scaling group ARN contains the group's ID, which CloudFormation does not expose: the teardown function
 * may change the group with this name, whatever its ID. The finding's ID names the ARN as cdk-nag renders it, so
 * the acknowledgement covers exactly that one resource (a renamed group is reported again).
 */
export function acknowledgeTeardownGroup(role: iam.IRole, groupArn: string): void {
  Validations.of(role).acknowledge({
    id: `AwsSolutions-IAM5[Resource::${renderForFinding(Stack.of(role).resolve(groupArn))}]`,
    reason: 'Auto Scaling group ARNs embed a group ID that CloudFormation does not expose, so the ARN has a wildcard for it; the group name after it is this capacity\'s group, and Auto Scaling group names are unique in an account and region.',
  });
}

/** A resolved CloudFormation value as cdk-nag writes it into finding IDs (`<LogicalId>`, `<Res.Attr>`, joins flattened). */
function renderForFinding(value: unknown): string {
  if (typeof value === 'string') return value.replace(/\$\{/g, '<').replace(/}/g, '>');
  if (value === undefined) return '';
  const node = value as Record<string, any>;
  if (node['Fn::Join']) {
    const [delimiter, items] = node['Fn::Join'];
    return (items as unknown[]).map(renderForFinding).join(delimiter);
  }
  if (node['Fn::Sub']) return renderForFinding(node['Fn::Sub']);
  if (node['Fn::GetAtt']) return `<${renderForFinding(node['Fn::GetAtt'][0])}.${renderForFinding(node['Fn::GetAtt'][1])}>`;
  if (node['Fn::ImportValue']) return renderForFinding(node['Fn::ImportValue']);
  if (node.Ref) return `<${renderForFinding(node.Ref)}>`;
  return JSON.stringify(value);
}

/**
 * The dead-letter queue of a ScheduledTask receives the scheduler's failed invocations (EventBridge Scheduler's
 * own DLQ setting); cdk-nag recognizes only SQS redrive policies as dead-letter use.
 */
export function acknowledgeSchedulerDeadLetterQueue(queue: sqs.IQueue): void {
  Validations.of(queue).acknowledge({
    id: 'AwsSolutions-SQS3',
    reason: 'This queue is itself the dead-letter queue of an EventBridge Scheduler schedule (Target.DeadLetterConfig); a dead-letter queue needs no dead-letter queue of its own.',
  });
  acknowledgeDeadLetterQueue(queue);
}

/**
 * ECS Managed Instances: the infrastructure role uses the AWS managed policy ECS documents for it
 * (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/infrastructure_IAM_role.html), kept current by AWS.
 */
export function acknowledgeManagedInstancesInfrastructureRole(role: iam.IRole): void {
  Validations.of(role).acknowledge({
    id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/AmazonECSInfrastructureRolePolicyForManagedInstances]',
    reason: 'AmazonECSInfrastructureRolePolicyForManagedInstances is the policy AWS documents and maintains for ECS Managed Instances: ECS launches, tags and terminates the instances through EC2 fleet APIs whose required actions AWS extends as the feature grows, and only ecs.amazonaws.com can assume the role. Its iam:PassRole is narrowed by an explicit deny to the one instance role of this capacity.',
  });
}

/**
 * The execution role's pull of the GuardDuty Runtime Monitoring agent: `ecr:GetAuthorizationToken` is granted on `*`
 * (IAM supports no resource for it); the image actions are scoped to GuardDuty's one agent repository of the Region.
 */
export function acknowledgeGuardDutyAgentPull(policy: iam.ManagedPolicy): void {
  Validations.of(policy).acknowledge({
    id: 'AwsSolutions-IAM5[Resource::*]',
    reason: 'ecr:GetAuthorizationToken supports no resource-level permissions (it returns a registry token, not image access). The image actions are limited to GuardDuty\'s aws-guardduty-agent-fargate repository in the stack\'s Region, which ECS pulls for the Runtime Monitoring sidecar GuardDuty adds to Fargate tasks.',
  });
}

/**
 * EBS task volumes: the ECS infrastructure role for volumes uses the AWS managed policy ECS documents for it
 * (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/infrastructure_IAM_role.html), kept current by AWS.
 */
export function acknowledgeEbsVolumesInfrastructureRole(role: iam.IRole): void {
  Validations.of(role).acknowledge({
    id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AmazonECSInfrastructureRolePolicyForVolumes]',
    reason: 'AmazonECSInfrastructureRolePolicyForVolumes is the policy AWS documents and maintains for ECS-managed EBS volumes: ECS creates, attaches, detaches and deletes each task\'s volume with EC2 actions that AWS scopes to volumes ECS tagged as its own, and only ecs.amazonaws.com can assume the role. Its use of the cluster key is granted separately, through EC2 only.',
  });
}

/**
 * `restrictDefaultSecurityGroup` (on for every VPC FoundryCluster creates) is aws-cdk-lib's custom resource: a Lambda
 * function, one per stack, that removes the default security group's rules when the VPC is created (and puts them back
 * when it is deleted). CT.LAMBDA.PR.3 wants functions inside a VPC; this one must not be.
 */
function acknowledgeRestrictDefaultSecurityGroup(vpc: ec2.Vpc): void {
  const provider = Stack.of(vpc).node.tryFindChild('Custom::VpcRestrictDefaultSGCustomResourceProvider');
  if (!provider) return;
  acknowledgeControl(provider, 'lambda_inside_vpc_check', 'aws-cdk-lib\'s restrictDefaultSecurityGroup function runs only while CloudFormation creates, updates or deletes the VPC, and calls the EC2 API on the VPC\'s own default security group: attached to that VPC, it would depend on the network it configures (an isolated VPC has no EC2 endpoint until one is created). It handles no data and its role may only revoke and authorize the rules of that one security group.');
}

/**
 * CT.ECS.PR.2 accepts only `containerInsights` = `enabled`. FoundryCluster turns on `enhanced` by default, which
 * collects every metric of `enabled` and adds task- and container-level ones
 * (https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/container-insights-detailed-ecs-metrics.html).
 * Acknowledged only on a cluster with ENHANCED: DISABLED is still reported.
 */
export function acknowledgeEnhancedContainerInsights(cluster: ecs.ICluster): void {
  acknowledgeControl(cluster, 'ecs_container_insights_enabled_check', 'Container Insights is on with observability: enhanced, a superset of enabled (every metric of enabled, and task- and container-level metrics besides). The control\'s rule predates enhanced and accepts only the value enabled.');
}

/**
 * CT.ECS.PR.3 wants every container to name a non-root `user`. The library does not know which user an image can
 * run as: an image built for a non-root user names it in its USER, which ECS applies when the task definition sets none,
 * and a `user` set over an image that needs root breaks it at start-up. `user` (per container) sets it explicitly.
 * Acknowledged only on task definitions with a container that sets no user or a root one.
 */
export function acknowledgeContainerUser(taskDefinition: ecs.TaskDefinition, containers: string[]): void {
  acknowledgeControl(taskDefinition, 'ecs_task_definition_nonroot_user_check', `The container(s) ${containers.map(c => `'${c}'`).join(', ')} run as the user their image names (its USER), which the template cannot see. Setting a user here would break images that need root, so the workload author decides: set user (a uid, uid:gid or name) on the workload or sidecar to run as a non-root user explicitly. The FireLens log router, when there is one, runs as user 0, which the library sets for it (src/workload/logging.ts).`);
}

/**
 * CT.ECS.PR.7 wants a memory hard limit on every container. A sidecar that sets no `memoryReservationMiB` shares
 * the task's memory; giving it a hard limit would count that limit as its reservation and leave nothing to the
 * main container, whose reservation is what remains
 * (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task_definition_parameters.html#container_definition_memory).
 */
export function acknowledgeSharedMemorySidecars(taskDefinition: ecs.TaskDefinition, containers: string[], taskMemoryUnresolved = false): void {
  if (taskMemoryUnresolved) {
    acknowledgeControl(taskDefinition, 'ecs_task_definition_memory_hard_limit_check', `The task memory (memoryMiB) is a token resolved only at deployment, so the containers ${containers.map(c => `'${c}'`).join(', ')} (the main container among them) get no hard limit: the library sets a hard limit equal to the task memory, and checks that the containers' reservations leave the main container at least 6 MiB, only when that memory is a number at synth. They share the task's memory, which is the hard limit of every container in it (the task-level memory). Give memoryMiB a number to get the hard limits.`);
    return;
  }
  acknowledgeControl(taskDefinition, 'ecs_task_definition_memory_hard_limit_check', `The sidecar(s) ${containers.map(c => `'${c}'`).join(', ')} set no memoryReservationMiB and share the task's memory, which is the hard limit of every container in it (the task-level memory). Set memoryReservationMiB on the sidecar: it then gets a hard limit equal to the task memory like the other containers.`);
}

/**
 * CT.ECS.PR.12 (read-only root file system) where a container's is writable: the FireLens log router (Fluent Bit
 * writes its generated configuration and buffers into its root file system), and containers whose author turned
 * `readonlyRootFilesystem` off (or Windows containers, which do not support it).
 */
export function acknowledgeWritableRootFilesystem(taskDefinition: ecs.TaskDefinition, containers: string[], logRouter: boolean): void {
  const parts = [
    ...(containers.length > 0 ? [`The container(s) ${containers.map(c => `'${c}'`).join(', ')} have a writable root file system because their author set readonlyRootFilesystem: false (the default is true on Linux; Windows containers do not support it).`] : []),
    ...(logRouter ? ['The FireLens log router (aws-for-fluent-bit) writes the Fluent Bit configuration ECS generates and its buffers into its root file system.'] : []),
  ];
  acknowledgeControl(taskDefinition, 'ecs_containers_readonly_access_check', `${parts.join(' ')} Every other container mounts its root file system read-only, with task-scoped writable paths (writablePaths).`);
}

/**
 * CT.AUTOSCALING.PR.1 reads only an Auto Scaling group's `AvailabilityZones`; the capacity's group names its subnets
 * (`VPCZoneIdentifier`), from which Auto Scaling takes the zones: acknowledged only when they span two or more
 * Availability Zones (a group in one zone keeps the finding). CT.AUTOSCALING.PR.6 wants several instance types in a mixed instances policy; an on-demand capacity has the
 * one instance type its author chose (GPU and Neuron instances are specific).
 */
export function acknowledgeCapacityGroup(group: autoscaling.AutoScalingGroup, singleInstanceType: boolean, availabilityZones: number): void {
  // Only a group whose subnets span two or more zones meets the control's intent; one in a single zone keeps the finding.
  if (availabilityZones >= 2) {
    acknowledgeControl(group, 'autoscaling_multiple_az_check', `The group launches into subnets (VPCZoneIdentifier) in ${availabilityZones} Availability Zones: Auto Scaling takes the zones from the subnets, and CloudFormation requires the two to agree when both are given. The control reads only the AvailabilityZones property.`);
  }
  if (singleInstanceType) {
    acknowledgeControl(group, 'autoscaling_mixed_instances_policy_multiple_instance_types_check', 'This capacity runs the one instance type its author chose (instanceType): GPU, Neuron and memory-sized workloads need that type. Spot capacity lists several (spot.additionalInstanceTypes).');
  }
}

/** CT.SQS.PR.1 for a queue that is itself a dead-letter queue. */
export function acknowledgeDeadLetterQueue(queue: sqs.IQueue): void {
  acknowledgeControl(queue, 'sqs_dlq_check', 'This queue is itself a dead-letter queue (of the workload\'s queue or of an EventBridge Scheduler schedule); a dead-letter queue needs no dead-letter queue of its own. Its messages stay until they are read or reach the queue\'s retention period.');
}

/**
 * CT.KMS.PR.3: a key policy statement that denies kms:CreateGrant unless the grant is for an AWS resource or the caller
 * is an AWS service (https://docs.aws.amazon.com/kms/latest/developerguide/conditions-kms.html#conditions-kms-grant-is-for-aws-resource).
 * Every grant the library's keys need is made by an integrated service: EBS and EFS (kms:GrantIsForAWSResource) and
 * Fargate for managed storage (a service principal).
 */
export function denyGrantsExceptForAwsResources(key: { addToResourcePolicy(statement: iam.PolicyStatement): unknown }): void {
  key.addToResourcePolicy(new iam.PolicyStatement({
    sid: 'DenyGrantsExceptForAwsResources',
    effect: iam.Effect.DENY,
    principals: [new iam.AnyPrincipal()],
    actions: ['kms:CreateGrant'],
    resources: ['*'],
    conditions: { BoolIfExists: { 'kms:GrantIsForAWSResource': 'false', 'aws:PrincipalIsAWSService': 'false' } },
  }));
}
