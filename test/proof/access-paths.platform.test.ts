/**
 * Access paths of the platform around the workloads, proven with an IAM policy simulator on the synthesized
 * templates (fullest configuration on Fargate and on EC2): the ECS agent on EC2 hosts, the alert topic and its
 * key, log delivery, load balancer access logs, the blue/green infrastructure role and the teardown function.
 *
 * Service principals (events, cloudwatch, logs, delivery.logs, ...) are not in the account: only the resource
 * policy (topic, bucket, log group, KMS key) can admit them, as in AWS:
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic-cross-account.html
 */
import { ACCOUNT, REGION } from './support/iam-cases';
import { AccessPath, ANOTHER_ACCOUNT, Fixture, provePaths } from './support/iam-paths';

const ROLE = 'AWS::IAM::Role';
const role = (f: Fixture, prefix: string) => ({ role: f.id(ROLE, prefix) });
const cluster = (f: Fixture) => f.arn('AWS::ECS::Cluster', 'Cluster');
const clusterName = (f: Fixture) => f.t.ref(f.id('AWS::ECS::Cluster', 'Cluster'));
const containerInstance = (f: Fixture, clusterNameValue = clusterName(f)) =>
  `arn:aws:ecs:${REGION}:${ACCOUNT}:container-instance/${clusterNameValue}/0123456789abcdef0123456789abcdef`;
const clusterKey = (f: Fixture) => f.arn('AWS::KMS::Key', 'ClusterKey');
const topic = (f: Fixture) => f.arn('AWS::SNS::Topic', 'ClusterAlertTopic');
const logGroupName = (f: Fixture, prefix: string) => f.t.ref(f.id('AWS::Logs::LogGroup', prefix));
const logStream = (f: Fixture, prefix: string) =>
  `arn:aws:logs:${REGION}:${ACCOUNT}:log-group:${logGroupName(f, prefix)}:log-stream:stream-1`;
const logGroupArn = (f: Fixture, prefix: string) => `arn:aws:logs:${REGION}:${ACCOUNT}:log-group:${logGroupName(f, prefix)}`;
const bucket = (f: Fixture, prefix: string) => f.arn('AWS::S3::Bucket', prefix);
const anotherAccountRole = { arn: `arn:aws:iam::${ANOTHER_ACCOUNT}:role/intruder` };
const ec2Only = 'ec2' as const;

/** A rule of the stopped-task alerts publishing to the topic: EventBridge sends its ARN and account. */
const fromRule = (f: Fixture) => ({ 'aws:SourceAccount': ACCOUNT, 'aws:SourceArn': f.arn('AWS::Events::Rule', 'ClusterStoppedTaskAlertsStoppedTaskRule') });
/** A CloudWatch alarm of this account (any: service alarms are created by the services). */
const fromAlarm = (account = ACCOUNT) => ({ 'aws:SourceAccount': account, 'aws:SourceArn': `arn:aws:cloudwatch:${REGION}:${account}:alarm:Api-Unhealthy` });
/**
 * EC2 Auto Scaling sends group notifications as its service-linked role, whose AWS managed policy
 * AutoScalingServiceRolePolicy allows sns:Publish on every topic but grants no KMS permission:
 * https://docs.aws.amazon.com/aws-managed-policy/latest/reference/AutoScalingServiceRolePolicy.html
 */
const autoScalingRole = {
  arn: `arn:aws:sts::${ACCOUNT}:assumed-role/AWSServiceRoleForAutoScaling/AutoScaling`,
  principalArn: `arn:aws:iam::${ACCOUNT}:role/aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling`,
  identity: { Version: '2012-10-17', Statement: [{ Effect: 'Allow' as const, Action: 'sns:Publish', Resource: '*' }] },
};
/**
 * Elastic Load Balancing account of us-east-1 that writes ALB access logs (regions available before August 2022):
 * https://docs.aws.amazon.com/elasticloadbalancing/latest/application/enable-access-logging.html
 */
const ELB_ACCOUNT = '127311923021';
const albLogObject = (f: Fixture, account = ACCOUNT) =>
  `${bucket(f, 'AlbAccessLogsBucket')}/alb/AWSLogs/${account}/elasticloadbalancing/${REGION}/2025/01/01/log.gz`;
/** NLB access logs are delivered by delivery.logs.amazonaws.com: https://docs.aws.amazon.com/elasticloadbalancing/latest/network/enable-access-logging.html */
const nlbLogObject = (f: Fixture, account = ACCOUNT) =>
  `${bucket(f, 'FoundryNetworkAccessLogs90DaysAccessLogsBucket')}/nlb/AWSLogs/${account}/elasticloadbalancing/${REGION}/2025/01/01/log.gz`;
/** Log delivery calls from CloudWatch Logs of the load balancer's Region and account (the page's `ArnLike aws:SourceArn`). */
const fromLogsDelivery = { 'aws:SourceAccount': ACCOUNT, 'aws:SourceArn': `arn:aws:logs:${REGION}:${ACCOUNT}:delivery-source:nlb` };
const nlbDelivery = (_f: Fixture) => ({
  's3:x-amz-acl': 'bucket-owner-full-control',
  ...fromLogsDelivery,
});

const INSTANCE_ROLES = ['ClusterStandardInstanceRole', 'ClusterSpotInstanceRole'];

/**
 * Bottlerocket's host-container repositories in us-east-1 (account from the `ecr-prefix` helper,
 * bottlerocket-core-kit sources/api/schnauzer/src/helpers/mod.rs). Their repository policy is Bottlerocket's and not
 * published; it admits any account's pull, since an identity policy (AmazonEC2ContainerRegistryReadOnly) is all a
 * host needs (https://github.com/bottlerocket-os/bottlerocket/issues/1139). Modelled so, the decision rests on the
 * instance role's own policy, which a cross-account request needs as well.
 */
const bottlerocketRepo = (name: string) => `arn:aws:ecr:${REGION}:328549459982:repository/${name}`;
const BOTTLEROCKET_REPO_POLICY = {
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow' as const, Principal: '*', Action: ['ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer'], Resource: '*' }],
};

const paths: AccessPath[] = [
  // The ECS agent on each EC2 host: registers with its cluster, reports state, polls, drains Spot hosts.
  ...INSTANCE_ROLES.flatMap((r): AccessPath[] => [
    {
      name: `${r}: the agent registers with its cluster`,
      expect: 'Allowed',
      only: ec2Only,
      request: f => ({ caller: role(f, r), action: 'ecs:RegisterContainerInstance', resource: cluster(f) }),
    },
    {
      name: `${r}: the agent cannot register with another cluster`,
      expect: 'Denied',
      only: ec2Only,
      request: f => ({ caller: role(f, r), action: 'ecs:RegisterContainerInstance', resource: `arn:aws:ecs:${REGION}:${ACCOUNT}:cluster/other` }),
    },
    {
      name: `${r}: the agent reports task state changes`,
      expect: 'Allowed',
      only: ec2Only,
      request: f => ({ caller: role(f, r), action: 'ecs:SubmitTaskStateChange', resource: cluster(f) }),
    },
    {
      name: `${r}: the agent discovers its poll endpoint`,
      expect: 'Allowed',
      only: ec2Only,
      request: f => ({ caller: role(f, r), action: 'ecs:DiscoverPollEndpoint', resource: '*' }),
    },
    {
      name: `${r}: the agent polls for work on its cluster`,
      expect: 'Allowed',
      only: ec2Only,
      request: f => ({ caller: role(f, r), action: 'ecs:Poll', resource: containerInstance(f), context: { 'ecs:cluster': cluster(f) } }),
    },
    {
      name: `${r}: the agent cannot poll another cluster`,
      expect: 'Denied',
      only: ec2Only,
      request: f => ({
        caller: role(f, r),
        action: 'ecs:Poll',
        resource: containerInstance(f, 'other'),
        context: { 'ecs:cluster': `arn:aws:ecs:${REGION}:${ACCOUNT}:cluster/other` },
      }),
    },
    // The agent's Spot poller sets its own instance to DRAINING on an interruption notice:
    // https://docs.aws.amazon.com/AmazonECS/latest/developerguide/spot-instance-draining.html
    {
      name: `${r}: the agent drains its Spot host (ecs:UpdateContainerInstancesState)`,
      expect: 'Allowed',
      only: ec2Only,
      request: f => ({ caller: role(f, r), action: 'ecs:UpdateContainerInstancesState', resource: containerInstance(f), context: { 'ecs:cluster': cluster(f) } }),
    },
    {
      name: `${r}: the agent cannot drain hosts of another cluster`,
      expect: 'Denied',
      only: ec2Only,
      request: f => ({
        caller: role(f, r),
        action: 'ecs:UpdateContainerInstancesState',
        resource: containerInstance(f, 'other'),
        context: { 'ecs:cluster': `arn:aws:ecs:${REGION}:${ACCOUNT}:cluster/other` },
      }),
    },
    {
      name: `${r}: the host cannot pull images (the execution role does)`,
      expect: 'Denied',
      only: ec2Only,
      request: f => ({ caller: role(f, r), action: 'ecr:BatchGetImage', resource: f.arn('AWS::ECR::Repository', 'RepoRepository') }),
    },
    {
      name: `${r}: the host cannot read the workloads' secrets`,
      expect: 'Denied',
      only: ec2Only,
      request: f => ({ caller: role(f, r), action: 'secretsmanager:GetSecretValue', resource: f.arn('AWS::SecretsManager::Secret', 'ApiKey') }),
    },
    {
      name: `${r}: the host cannot receive from a worker queue`,
      expect: 'Denied',
      only: ec2Only,
      request: f => ({ caller: role(f, r), action: 'sqs:ReceiveMessage', resource: f.arn('AWS::SQS::Queue', 'OrdersQueue') }),
    },
    // Session Manager channels have no resource type: the request carries no resource account to match.
    ...['ssmmessages:CreateControlChannel', 'ssmmessages:OpenDataChannel'].map((action): AccessPath => ({
      name: `${r}: Session Manager ${action}`,
      expect: 'Allowed',
      only: ec2Only,
      request: f => ({ caller: role(f, r), action, resource: '*' }),
    })),
    {
      name: `EC2 assumes ${r}`,
      expect: 'Allowed',
      only: ec2Only,
      request: f => ({ caller: { service: 'ec2.amazonaws.com' }, action: 'sts:AssumeRole', resource: f.p.roleArn(f.id(ROLE, r)) }),
    },
  ]),

  // Bottlerocket with Session Manager (the Spot capacity): host-ctr pulls the control host container, which runs the
  // SSM agent, from Bottlerocket's repository with the instance role; it calls only ecr:BatchGetImage and
  // ecr:GetDownloadUrlForLayer (amazon-ecr-containerd-resolver). Everything else stays closed.
  ...['ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer'].map((action): AccessPath => ({
    name: `ClusterSpotInstanceRole (Bottlerocket): host-ctr pulls the control container (${action})`,
    expect: 'Allowed',
    only: ec2Only,
    request: f => ({ caller: role(f, 'ClusterSpotInstanceRole'), action, resource: bottlerocketRepo('bottlerocket-control'), resourcePolicy: BOTTLEROCKET_REPO_POLICY }),
  })),
  {
    name: 'ClusterSpotInstanceRole (Bottlerocket): the host cannot pull the admin container (it stays disabled)',
    expect: 'Denied',
    only: ec2Only,
    request: f => ({ caller: role(f, 'ClusterSpotInstanceRole'), action: 'ecr:BatchGetImage', resource: bottlerocketRepo('bottlerocket-admin'), resourcePolicy: BOTTLEROCKET_REPO_POLICY }),
  },
  {
    name: 'ClusterSpotInstanceRole (Bottlerocket): the host cannot pull a workload image',
    expect: 'Denied',
    only: ec2Only,
    request: f => ({ caller: role(f, 'ClusterSpotInstanceRole'), action: 'ecr:GetDownloadUrlForLayer', resource: f.arn('AWS::ECR::Repository', 'RepoRepository') }),
  },
  {
    name: "ClusterSpotInstanceRole (Bottlerocket): the host cannot pull another account's bottlerocket-control",
    expect: 'Denied',
    only: ec2Only,
    request: f => ({
      caller: role(f, 'ClusterSpotInstanceRole'),
      action: 'ecr:BatchGetImage',
      resource: `arn:aws:ecr:${REGION}:${ANOTHER_ACCOUNT}:repository/bottlerocket-control`,
      resourcePolicy: BOTTLEROCKET_REPO_POLICY,
    }),
  },
  {
    name: 'ClusterStandardInstanceRole (Amazon Linux): the host cannot pull the Bottlerocket control container',
    expect: 'Denied',
    only: ec2Only,
    request: f => ({ caller: role(f, 'ClusterStandardInstanceRole'), action: 'ecr:BatchGetImage', resource: bottlerocketRepo('bottlerocket-control'), resourcePolicy: BOTTLEROCKET_REPO_POLICY }),
  },

  // The alert topic: EventBridge rules, CloudWatch alarms and Auto Scaling of this account publish through the key.
  {
    name: 'EventBridge rules publish to the alert topic',
    expect: 'Allowed',
    request: f => ({ caller: { service: 'events.amazonaws.com' }, action: 'sns:Publish', resource: topic(f), context: fromRule(f) }),
  },
  ...['kms:GenerateDataKey', 'kms:Decrypt'].map((action): AccessPath => ({
    name: `EventBridge rules use the topic key (${action})`,
    expect: 'Allowed',
    request: f => ({ caller: { service: 'events.amazonaws.com' }, action, resource: clusterKey(f), context: fromRule(f) }),
  })),
  {
    name: 'CloudWatch alarms of this account publish to the alert topic',
    expect: 'Allowed',
    request: f => ({ caller: { service: 'cloudwatch.amazonaws.com' }, action: 'sns:Publish', resource: topic(f), context: fromAlarm() }),
  },
  ...['kms:GenerateDataKey', 'kms:Decrypt'].map((action): AccessPath => ({
    name: `CloudWatch alarms of this account use the topic key (${action})`,
    expect: 'Allowed',
    request: f => ({ caller: { service: 'cloudwatch.amazonaws.com' }, action, resource: clusterKey(f), context: fromAlarm() }),
  })),
  {
    name: "another account's CloudWatch alarm cannot publish to the alert topic",
    expect: 'Denied',
    request: f => ({ caller: { service: 'cloudwatch.amazonaws.com' }, action: 'sns:Publish', resource: topic(f), context: fromAlarm(ANOTHER_ACCOUNT) }),
  },
  {
    name: "another account's CloudWatch alarm cannot use the topic key",
    expect: 'Denied',
    request: f => ({ caller: { service: 'cloudwatch.amazonaws.com' }, action: 'kms:GenerateDataKey', resource: clusterKey(f), context: fromAlarm(ANOTHER_ACCOUNT) }),
  },
  {
    // An accepted exposure, proven so that it stays visible: AWS documents "You can't use Condition blocks in Amazon
    // SNS topic policies for EventBridge" (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-use-resource-based.html#eb-sns-permissions)
    // and that aws:SourceAccount/aws:SourceArn are not supported in a key policy for EventBridge-to-encrypted-topic
    // delivery (https://docs.aws.amazon.com/sns/latest/dg/sns-key-management.html#compatibility-with-aws-services).
    // A guard would silently drop every stopped-task alert; the residual risk is unwanted messages from a rule in
    // another account that knows the topic ARN. The README's FoundryCluster section says so.
    name: "another account's EventBridge rule can publish to the alert topic (documented: SNS topic policies for EventBridge take no conditions)",
    expect: 'Allowed',
    request: f => ({
      caller: { service: 'events.amazonaws.com' },
      action: 'sns:Publish',
      resource: topic(f),
      context: { 'aws:SourceAccount': ANOTHER_ACCOUNT, 'aws:SourceArn': `arn:aws:events:${REGION}:${ANOTHER_ACCOUNT}:rule/other` },
    }),
  },
  {
    name: 'EC2 Auto Scaling publishes group notifications to the alert topic',
    expect: 'Allowed',
    only: ec2Only,
    request: f => ({ caller: autoScalingRole, action: 'sns:Publish', resource: topic(f) }),
  },
  ...['kms:GenerateDataKey', 'kms:Decrypt'].map((action): AccessPath => ({
    name: `EC2 Auto Scaling uses the topic key (${action})`,
    expect: 'Allowed',
    only: ec2Only,
    request: f => ({ caller: autoScalingRole, action, resource: clusterKey(f) }),
  })),
  {
    name: 'nobody publishes to the alert topic without TLS',
    expect: 'Denied',
    request: f => ({ caller: { service: 'events.amazonaws.com' }, action: 'sns:Publish', resource: topic(f), context: { ...fromRule(f), 'aws:SecureTransport': 'false' } }),
  },
  {
    name: "another account's role cannot publish to the alert topic",
    expect: 'Denied',
    request: f => ({ caller: anotherAccountRole, action: 'sns:Publish', resource: topic(f) }),
  },
  {
    name: 'a task role cannot publish to the alert topic',
    expect: 'Denied',
    request: f => ({ caller: role(f, 'ApiTaskTaskRole'), action: 'sns:Publish', resource: topic(f) }),
  },

  // EventBridge writes the raw stopped-task events to their log group, and nowhere else.
  ...['logs:CreateLogStream', 'logs:PutLogEvents'].map((action): AccessPath => ({
    name: `EventBridge ${action} in the raw-event log group`,
    expect: 'Allowed',
    request: f => ({ caller: { service: 'events.amazonaws.com' }, action, resource: logStream(f, 'ClusterStoppedTaskAlertsLogGroup') }),
  })),
  {
    name: "EventBridge cannot write a service's log group",
    expect: 'Denied',
    request: f => ({ caller: { service: 'events.amazonaws.com' }, action: 'logs:PutLogEvents', resource: logStream(f, 'ApiTaskLogGroup') }),
  },

  // CloudWatch Logs encrypts each log group with the cluster key (encryption context: the log group ARN).
  // https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/encrypt-log-data-kms.html
  ...['ClusterFlowLogGroup', 'ClusterExecLogGroup', 'ClusterStoppedTaskAlertsLogGroup', 'AlbWebAclLogGroup', 'ApiTaskLogGroup', 'JobTaskLogGroup']
    .flatMap(lg => ['kms:GenerateDataKey', 'kms:Decrypt'].map((action): AccessPath => ({
      name: `CloudWatch Logs ${action} for ${lg}`,
      expect: 'Allowed',
      request: f => ({
        caller: { service: `logs.${REGION}.amazonaws.com` },
        action,
        resource: clusterKey(f),
        context: { 'kms:EncryptionContext:aws:logs:arn': logGroupArn(f, lg) },
      }),
    }))),
  {
    name: 'CloudWatch Logs encrypts the teardown log group',
    expect: 'Allowed',
    only: ec2Only,
    request: f => ({
      caller: { service: `logs.${REGION}.amazonaws.com` },
      action: 'kms:GenerateDataKey',
      resource: clusterKey(f),
      context: { 'kms:EncryptionContext:aws:logs:arn': logGroupArn(f, 'ClusterCapacityTeardownLogGroup') },
    }),
  },
  {
    name: "CloudWatch Logs cannot use the key for another account's log group",
    expect: 'Denied',
    request: f => ({
      caller: { service: `logs.${REGION}.amazonaws.com` },
      action: 'kms:Decrypt',
      resource: clusterKey(f),
      context: { 'kms:EncryptionContext:aws:logs:arn': `arn:aws:logs:${REGION}:${ANOTHER_ACCOUNT}:log-group:stolen` },
    }),
  },
  {
    // Services with ECS Exec made aws-cdk-lib add CloudWatch Logs on `arn:...:logs:<region>:<account>:*` to the key;
    // the key admits log groups only (Logs Insights query results carry `query-result:*` as their context:
    // https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/encrypt-log-data-kms.html).
    name: 'CloudWatch Logs cannot use the key for anything but log groups (a Logs Insights query result)',
    expect: 'Denied',
    request: f => ({
      caller: { service: `logs.${REGION}.amazonaws.com` },
      action: 'kms:GenerateDataKey',
      resource: clusterKey(f),
      context: { 'kms:EncryptionContext:aws:logs:arn': `arn:aws:logs:${REGION}:${ACCOUNT}:query-result:*` },
    }),
  },

  // VPC flow logs.
  {
    name: 'VPC Flow Logs of this account assume the flow log role',
    expect: 'Allowed',
    request: f => ({
      caller: { service: 'vpc-flow-logs.amazonaws.com' },
      action: 'sts:AssumeRole',
      resource: f.p.roleArn(f.id(ROLE, 'ClusterFlowLogRole')),
      context: { 'aws:SourceAccount': ACCOUNT, 'aws:SourceArn': `arn:aws:ec2:${REGION}:${ACCOUNT}:vpc-flow-log/fl-0123456789abcdef0` },
    }),
  },
  {
    name: 'the flow log role writes the flow log group',
    expect: 'Allowed',
    request: f => ({ caller: role(f, 'ClusterFlowLogRole'), action: 'logs:PutLogEvents', resource: logStream(f, 'ClusterFlowLogGroup') }),
  },

  // Load balancer access logs.
  {
    name: 'the ELB account writes ALB access logs under this account prefix',
    expect: 'Allowed',
    request: f => ({ caller: { arn: `arn:aws:iam::${ELB_ACCOUNT}:root` }, action: 's3:PutObject', resource: albLogObject(f) }),
  },
  {
    name: "the ELB account cannot write under another account's prefix",
    expect: 'Denied',
    request: f => ({ caller: { arn: `arn:aws:iam::${ELB_ACCOUNT}:root` }, action: 's3:PutObject', resource: albLogObject(f, ANOTHER_ACCOUNT) }),
  },
  {
    name: 'ALB access logs are not written without TLS',
    expect: 'Denied',
    request: f => ({ caller: { arn: `arn:aws:iam::${ELB_ACCOUNT}:root` }, action: 's3:PutObject', resource: albLogObject(f), context: { 'aws:SecureTransport': 'false' } }),
  },
  {
    name: 'log delivery writes NLB access logs with bucket-owner-full-control',
    expect: 'Allowed',
    request: f => ({ caller: { service: 'delivery.logs.amazonaws.com' }, action: 's3:PutObject', resource: nlbLogObject(f), context: nlbDelivery(f) }),
  },
  {
    name: 'log delivery reads the NLB log bucket ACL',
    expect: 'Allowed',
    request: f => ({
      caller: { service: 'delivery.logs.amazonaws.com' },
      action: 's3:GetBucketAcl',
      resource: bucket(f, 'FoundryNetworkAccessLogs90DaysAccessLogsBucket'),
      context: fromLogsDelivery,
    }),
  },
  {
    name: "log delivery cannot write NLB logs under another account's prefix",
    expect: 'Denied',
    request: f => ({ caller: { service: 'delivery.logs.amazonaws.com' }, action: 's3:PutObject', resource: nlbLogObject(f, ANOTHER_ACCOUNT), context: nlbDelivery(f) }),
  },
  {
    name: 'another account cannot read the access logs',
    expect: 'Denied',
    request: f => ({ caller: anotherAccountRole, action: 's3:GetObject', resource: albLogObject(f) }),
  },

  // Blue/green: ECS shifts traffic between the service's own rules and target groups only.
  {
    name: 'ECS assumes the blue/green infrastructure role',
    expect: 'Allowed',
    request: f => ({ caller: { service: 'ecs.amazonaws.com' }, action: 'sts:AssumeRole', resource: f.p.roleArn(f.id(ROLE, 'ApiBlueGreenRole')) }),
  },
  ...['ApiRule', 'ApiTestRule'].map((rule): AccessPath => ({
    name: `the blue/green role modifies ${rule}`,
    expect: 'Allowed',
    request: f => ({ caller: role(f, 'ApiBlueGreenRole'), action: 'elasticloadbalancing:ModifyRule', resource: f.arn('AWS::ElasticLoadBalancingV2::ListenerRule', rule) }),
  })),
  ...['ApiTargetGroup', 'ApiAlternateTargetGroup'].map((tg): AccessPath => ({
    name: `the blue/green role registers targets in ${tg}`,
    expect: 'Allowed',
    request: f => ({ caller: role(f, 'ApiBlueGreenRole'), action: 'elasticloadbalancing:RegisterTargets', resource: f.arn('AWS::ElasticLoadBalancingV2::TargetGroup', tg) }),
  })),
  {
    name: 'the blue/green role describes rules',
    expect: 'Allowed',
    request: f => ({ caller: role(f, 'ApiBlueGreenRole'), action: 'elasticloadbalancing:DescribeRules', resource: '*' }),
  },
  {
    name: "the blue/green role cannot modify another service's rule",
    expect: 'Denied',
    request: f => ({ caller: role(f, 'ApiBlueGreenRole'), action: 'elasticloadbalancing:ModifyRule', resource: f.arn('AWS::ElasticLoadBalancingV2::ListenerRule', 'DocsRule') }),
  },
  {
    name: "the blue/green role cannot register targets in another service's target group",
    expect: 'Denied',
    request: f => ({ caller: role(f, 'ApiBlueGreenRole'), action: 'elasticloadbalancing:RegisterTargets', resource: f.arn('AWS::ElasticLoadBalancingV2::TargetGroup', 'DocsTargetGroup') }),
  },

  // The teardown function of EC2 capacity: unprotects and empties its own groups, reads its stack.
  {
    name: 'Lambda assumes the teardown role',
    expect: 'Allowed',
    only: ec2Only,
    request: f => ({ caller: { service: 'lambda.amazonaws.com' }, action: 'sts:AssumeRole', resource: f.p.roleArn(f.id(ROLE, 'ClusterCapacityTeardownRole')) }),
  },
  ...['ClusterStandardGroupASG', 'ClusterSpotGroupASG'].flatMap(g => ['autoscaling:SetInstanceProtection', 'autoscaling:UpdateAutoScalingGroup']
    .map((action): AccessPath => ({
      name: `the teardown function ${action} on ${g}`,
      expect: 'Allowed',
      only: ec2Only,
      request: f => ({
        caller: role(f, 'ClusterCapacityTeardownRole'),
        action,
        resource: `arn:aws:autoscaling:${REGION}:${ACCOUNT}:autoScalingGroup:11111111-2222-3333-4444-555555555555:autoScalingGroupName/${f.t.ref(f.id('AWS::AutoScaling::AutoScalingGroup', g))}`,
      }),
    }))),
  {
    name: 'the teardown function describes groups',
    expect: 'Allowed',
    only: ec2Only,
    request: f => ({ caller: role(f, 'ClusterCapacityTeardownRole'), action: 'autoscaling:DescribeAutoScalingGroups', resource: '*' }),
  },
  ...['cloudformation:DescribeStacks', 'cloudformation:DescribeStackResource'].map((action): AccessPath => ({
    name: `the teardown function ${action} on its stack`,
    expect: 'Allowed',
    only: ec2Only,
    request: f => ({ caller: role(f, 'ClusterCapacityTeardownRole'), action, resource: f.t.ref('AWS::StackId') }),
  })),
  {
    name: 'the teardown function writes its log group',
    expect: 'Allowed',
    only: ec2Only,
    request: f => ({ caller: role(f, 'ClusterCapacityTeardownRole'), action: 'logs:PutLogEvents', resource: logStream(f, 'ClusterCapacityTeardownLogGroup') }),
  },
  {
    name: "the teardown function cannot change another stack's Auto Scaling group",
    expect: 'Denied',
    only: ec2Only,
    request: f => ({
      caller: role(f, 'ClusterCapacityTeardownRole'),
      action: 'autoscaling:UpdateAutoScalingGroup',
      resource: `arn:aws:autoscaling:${REGION}:${ACCOUNT}:autoScalingGroup:11111111-2222-3333-4444-555555555555:autoScalingGroupName/other`,
    }),
  },
];

provePaths('access paths of the platform', paths);
