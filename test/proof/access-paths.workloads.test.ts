/**
 * Access paths of workloads, proven with an IAM policy simulator on the synthesized templates (fullest
 * configuration on Fargate and on EC2): what each task's execution role and task role may do, and what stays
 * closed between services.
 *
 * Evaluation follows AWS's policy evaluation logic (same account: identity OR resource policy allows, any explicit
 * deny wins; KMS: the key policy must allow, directly or through the account root statement):
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html
 */
import { ACCOUNT, REGION } from './support/iam-cases';
import { AccessPath, ANOTHER_ACCOUNT, Fixture, provePaths } from './support/iam-paths';

const ROLE = 'AWS::IAM::Role';
const role = (f: Fixture, prefix: string) => ({ role: f.id(ROLE, prefix) });
const logGroup = (f: Fixture, prefix: string) => f.t.ref(f.id('AWS::Logs::LogGroup', prefix));
const logStream = (f: Fixture, prefix: string) =>
  `arn:aws:logs:${REGION}:${ACCOUNT}:log-group:${logGroup(f, prefix)}:log-stream:ecs/main/0123456789abcdef`;
const repo = (f: Fixture) => f.arn('AWS::ECR::Repository', 'RepoRepository');
const clusterKey = (f: Fixture) => f.arn('AWS::KMS::Key', 'ClusterKey');
const secretKey = (f: Fixture) => f.arn('AWS::KMS::Key', 'SecretKey');
const DB_SECRET = `arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:db-AbCdEf`;
const apiKey = (f: Fixture) => f.arn('AWS::SecretsManager::Secret', 'ApiKey');
const TOKEN = `arn:aws:ssm:${REGION}:${ACCOUNT}:parameter/api/token`;
const fileSystem = (f: Fixture, prefix: string) => f.arn('AWS::EFS::FileSystem', `${prefix}FileSystem`);
const accessPoint = (f: Fixture, prefix: string) => f.arn('AWS::EFS::AccessPoint', `${prefix}AccessPoint`);
const queue = (f: Fixture, prefix: string) => f.arn('AWS::SQS::Queue', `${prefix}Queue`);
const cluster = (f: Fixture) => f.arn('AWS::ECS::Cluster', 'Cluster');
/** The context of a secret read that ECS makes for the execution role, as Secrets Manager sends it to KMS. */
const viaSecretsManager = (secretArn: string) => ({
  'kms:ViaService': `secretsmanager.${REGION}.amazonaws.com`,
  'kms:EncryptionContext:SecretARN': secretArn,
});
/** NFS mount through an access point over TLS, as the EFS mount helper of the ECS agent makes it. */
const mount = (ap: string) => ({ 'elasticfilesystem:AccessPointArn': ap, 'elasticfilesystem:AccessedViaMountTarget': 'true' });
const viaSqs = (queueArn: string) => ({ 'kms:ViaService': `sqs.${REGION}.amazonaws.com`, 'kms:EncryptionContext:aws:sqs:arn': queueArn });

const paths: AccessPath[] = [
  // The execution role pulls its image from its repository.
  ...['Api', 'Job'].flatMap((w): AccessPath[] => [
    {
      name: `${w} execution role gets an ECR authorization token`,
      expect: 'Allowed',
      request: f => ({ caller: role(f, `${w}TaskExecutionRole`), action: 'ecr:GetAuthorizationToken', resource: '*' }),
    },
    ...['ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer', 'ecr:BatchCheckLayerAvailability'].map((action): AccessPath => ({
      name: `${w} execution role ${action} on its repository`,
      expect: 'Allowed',
      request: f => ({ caller: role(f, `${w}TaskExecutionRole`), action, resource: repo(f) }),
    })),
  ]),
  {
    name: 'an execution role without a repository image cannot pull from the repository',
    expect: 'Denied',
    request: f => ({ caller: role(f, 'DocsTaskExecutionRole'), action: 'ecr:BatchGetImage', resource: repo(f) }),
  },

  // Each execution role writes its own log group only.
  ...['Api', 'Docs', 'Tcp', 'Backend', 'Orders', 'Billing', 'Job'].flatMap((w): AccessPath[] => [
    {
      name: `${w} execution role creates a log stream in its log group`,
      expect: 'Allowed',
      request: f => ({ caller: role(f, `${w}TaskExecutionRole`), action: 'logs:CreateLogStream', resource: logStream(f, `${w}TaskLogGroup`) }),
    },
    {
      name: `${w} execution role puts log events into its log group`,
      expect: 'Allowed',
      request: f => ({ caller: role(f, `${w}TaskExecutionRole`), action: 'logs:PutLogEvents', resource: logStream(f, `${w}TaskLogGroup`) }),
    },
  ]),
  {
    name: 'Reports execution role puts log events into its log group',
    expect: 'Allowed',
    request: f => ({ caller: role(f, 'ReportsExecutionRole'), action: 'logs:PutLogEvents', resource: logStream(f, 'ReportsLogGroup') }),
  },
  {
    name: "one service's execution role cannot write another service's log group",
    expect: 'Denied',
    request: f => ({ caller: role(f, 'DocsTaskExecutionRole'), action: 'logs:PutLogEvents', resource: logStream(f, 'ApiTaskLogGroup') }),
  },

  // Secrets: each execution role reads its own secrets, through their KMS key.
  {
    name: 'Api execution role reads the imported database secret',
    expect: 'Allowed',
    request: f => ({ caller: role(f, 'ApiTaskExecutionRole'), action: 'secretsmanager:GetSecretValue', resource: DB_SECRET }),
  },
  {
    name: 'Api execution role reads its own secret',
    expect: 'Allowed',
    request: f => ({ caller: role(f, 'ApiTaskExecutionRole'), action: 'secretsmanager:GetSecretValue', resource: apiKey(f) }),
  },
  {
    name: "Api execution role decrypts its own secret's key through Secrets Manager",
    expect: 'Allowed',
    request: f => ({ caller: role(f, 'ApiTaskExecutionRole'), action: 'kms:Decrypt', resource: secretKey(f), context: viaSecretsManager(apiKey(f)) }),
  },
  {
    name: "Api execution role decrypts the database secret's key through Secrets Manager",
    expect: 'Allowed',
    request: f => ({ caller: role(f, 'ApiTaskExecutionRole'), action: 'kms:Decrypt', resource: secretKey(f), context: viaSecretsManager(DB_SECRET) }),
  },
  {
    name: 'Job execution role reads the database secret and decrypts it through Secrets Manager',
    expect: 'Allowed',
    request: f => ({ caller: role(f, 'JobTaskExecutionRole'), action: 'kms:Decrypt', resource: secretKey(f), context: viaSecretsManager(DB_SECRET) }),
  },
  {
    name: 'Job execution role reads the database secret',
    expect: 'Allowed',
    request: f => ({ caller: role(f, 'JobTaskExecutionRole'), action: 'secretsmanager:GetSecretValue', resource: DB_SECRET }),
  },
  {
    name: 'the secret key is not usable outside Secrets Manager by the execution role',
    expect: 'Denied',
    request: f => ({ caller: role(f, 'ApiTaskExecutionRole'), action: 'kms:Decrypt', resource: secretKey(f) }),
  },
  {
    name: 'Docs execution role reads its SecureString parameter',
    expect: 'Allowed',
    request: f => ({ caller: role(f, 'DocsTaskExecutionRole'), action: 'ssm:GetParameters', resource: TOKEN }),
  },
  {
    name: "Docs execution role cannot read Api's secret",
    expect: 'Denied',
    request: f => ({ caller: role(f, 'DocsTaskExecutionRole'), action: 'secretsmanager:GetSecretValue', resource: apiKey(f) }),
  },
  {
    name: "Docs execution role cannot decrypt Api's secret key",
    expect: 'Denied',
    request: f => ({ caller: role(f, 'DocsTaskExecutionRole'), action: 'kms:Decrypt', resource: secretKey(f), context: viaSecretsManager(apiKey(f)) }),
  },
  {
    name: "Api execution role cannot read Docs's parameter",
    expect: 'Denied',
    request: f => ({ caller: role(f, 'ApiTaskExecutionRole'), action: 'ssm:GetParameters', resource: TOKEN }),
  },
  {
    name: "Backend's task role cannot read Api's secret",
    expect: 'Denied',
    request: f => ({ caller: role(f, 'BackendTaskTaskRole'), action: 'secretsmanager:GetSecretValue', resource: DB_SECRET }),
  },

  // EFS: each task role mounts its own access point over TLS; the file system policy closes everything else.
  ...['elasticfilesystem:ClientMount', 'elasticfilesystem:ClientWrite'].map((action): AccessPath => ({
    name: `Api task role ${action} on Uploads through its access point`,
    expect: 'Allowed',
    request: f => ({ caller: role(f, 'ApiTaskTaskRole'), action, resource: fileSystem(f, 'Uploads'), context: mount(accessPoint(f, 'Uploads')) }),
  })),
  {
    name: 'Docs task role mounts Archive read-only through its access point',
    expect: 'Allowed',
    request: f => ({ caller: role(f, 'DocsTaskTaskRole'), action: 'elasticfilesystem:ClientMount', resource: fileSystem(f, 'Archive'), context: mount(accessPoint(f, 'Archive')) }),
  },
  {
    name: 'Docs task role cannot write the read-only Archive volume',
    expect: 'Denied',
    request: f => ({ caller: role(f, 'DocsTaskTaskRole'), action: 'elasticfilesystem:ClientWrite', resource: fileSystem(f, 'Archive'), context: mount(accessPoint(f, 'Archive')) }),
  },
  {
    name: 'Reports task role writes Archive through its access point',
    expect: 'Allowed',
    request: f => ({ caller: role(f, 'ReportsTaskRole'), action: 'elasticfilesystem:ClientWrite', resource: fileSystem(f, 'Archive'), context: mount(accessPoint(f, 'Archive')) }),
  },
  {
    name: "Api task role cannot mount another service's volume (Archive)",
    expect: 'Denied',
    request: f => ({ caller: role(f, 'ApiTaskTaskRole'), action: 'elasticfilesystem:ClientMount', resource: fileSystem(f, 'Archive'), context: mount(accessPoint(f, 'Archive')) }),
  },
  {
    name: "Docs task role cannot mount another service's volume (Uploads)",
    expect: 'Denied',
    request: f => ({ caller: role(f, 'DocsTaskTaskRole'), action: 'elasticfilesystem:ClientMount', resource: fileSystem(f, 'Uploads'), context: mount(accessPoint(f, 'Uploads')) }),
  },
  {
    name: "Api task role cannot mount Uploads through another volume's access point",
    expect: 'Denied',
    request: f => ({ caller: role(f, 'ApiTaskTaskRole'), action: 'elasticfilesystem:ClientMount', resource: fileSystem(f, 'Uploads'), context: mount(accessPoint(f, 'Archive')) }),
  },
  {
    name: 'Api task role cannot mount Uploads without an access point',
    expect: 'Denied',
    request: f => ({ caller: role(f, 'ApiTaskTaskRole'), action: 'elasticfilesystem:ClientMount', resource: fileSystem(f, 'Uploads'), context: { 'elasticfilesystem:AccessedViaMountTarget': 'true' } }),
  },
  {
    name: 'Api task role cannot mount Uploads without TLS',
    expect: 'Denied',
    request: f => ({ caller: role(f, 'ApiTaskTaskRole'), action: 'elasticfilesystem:ClientMount', resource: fileSystem(f, 'Uploads'), context: { ...mount(accessPoint(f, 'Uploads')), 'aws:SecureTransport': 'false' } }),
  },
  {
    name: 'Api task role has no root access on Uploads',
    expect: 'Denied',
    request: f => ({ caller: role(f, 'ApiTaskTaskRole'), action: 'elasticfilesystem:ClientRootAccess', resource: fileSystem(f, 'Uploads'), context: mount(accessPoint(f, 'Uploads')) }),
  },
  {
    name: 'another account cannot mount Uploads',
    expect: 'Denied',
    request: f => ({ caller: { arn: `arn:aws:iam::${ANOTHER_ACCOUNT}:role/intruder` }, action: 'elasticfilesystem:ClientMount', resource: fileSystem(f, 'Uploads'), context: mount(accessPoint(f, 'Uploads')) }),
  },

  // Queues: each worker consumes its own queue and decrypts it through SQS.
  ...['Orders', 'Billing'].flatMap((w): AccessPath[] => [
    ...['sqs:ReceiveMessage', 'sqs:DeleteMessage', 'sqs:ChangeMessageVisibility', 'sqs:GetQueueAttributes'].map((action): AccessPath => ({
      name: `${w} task role ${action} on its queue`,
      expect: 'Allowed',
      request: f => ({ caller: role(f, `${w}TaskTaskRole`), action, resource: queue(f, w) }),
    })),
    {
      name: `${w} task role decrypts its messages through SQS`,
      expect: 'Allowed',
      request: f => ({ caller: role(f, `${w}TaskTaskRole`), action: 'kms:Decrypt', resource: clusterKey(f), context: viaSqs(queue(f, w)) }),
    },
    {
      name: `${w} task role cannot receive without TLS`,
      expect: 'Denied',
      request: f => ({ caller: role(f, `${w}TaskTaskRole`), action: 'sqs:ReceiveMessage', resource: queue(f, w), context: { 'aws:SecureTransport': 'false' } }),
    },
  ]),
  {
    name: "Billing task role cannot receive from Orders's queue",
    expect: 'Denied',
    request: f => ({ caller: role(f, 'BillingTaskTaskRole'), action: 'sqs:ReceiveMessage', resource: queue(f, 'Orders') }),
  },
  {
    name: "Orders task role cannot delete from Billing's queue",
    expect: 'Denied',
    request: f => ({ caller: role(f, 'OrdersTaskTaskRole'), action: 'sqs:DeleteMessage', resource: queue(f, 'Billing') }),
  },
  {
    name: "a worker cannot read its dead-letter queue's messages (operators redrive them)",
    expect: 'Denied',
    request: f => ({ caller: role(f, 'OrdersTaskTaskRole'), action: 'sqs:ReceiveMessage', resource: f.arn('AWS::SQS::Queue', 'OrdersDeadLetterQueue') }),
  },
  {
    name: 'Api task role cannot receive from a worker queue',
    expect: 'Denied',
    request: f => ({ caller: role(f, 'ApiTaskTaskRole'), action: 'sqs:ReceiveMessage', resource: queue(f, 'Orders') }),
  },
  {
    name: 'another account cannot send to a worker queue',
    expect: 'Denied',
    request: f => ({ caller: { arn: `arn:aws:iam::${ANOTHER_ACCOUNT}:role/intruder` }, action: 'sqs:SendMessage', resource: queue(f, 'Orders') }),
  },
  {
    name: 'another account cannot use the cluster key',
    expect: 'Denied',
    request: f => ({ caller: { arn: `arn:aws:iam::${ANOTHER_ACCOUNT}:role/intruder` }, action: 'kms:Decrypt', resource: clusterKey(f), context: viaSqs(queue(f, 'Orders')) }),
  },

  // ECS Exec: the channels, the session key and the audit log, for services with exec enabled only.
  ...['Api', 'Backend'].flatMap((w): AccessPath[] => [
    ...['ssmmessages:CreateControlChannel', 'ssmmessages:CreateDataChannel', 'ssmmessages:OpenControlChannel', 'ssmmessages:OpenDataChannel']
      .map((action): AccessPath => ({
        name: `${w} task role ${action} (ECS Exec)`,
        expect: 'Allowed',
        request: f => ({ caller: role(f, `${w}TaskTaskRole`), action, resource: '*' }),
      })),
    {
      name: `${w} task role decrypts exec sessions with the cluster key`,
      expect: 'Allowed',
      request: f => ({ caller: role(f, `${w}TaskTaskRole`), action: 'kms:Decrypt', resource: clusterKey(f) }),
    },
    {
      name: `${w} task role writes the exec audit log`,
      expect: 'Allowed',
      request: f => ({ caller: role(f, `${w}TaskTaskRole`), action: 'logs:PutLogEvents', resource: logStream(f, 'ClusterExecLogGroup') }),
    },
  ]),
  {
    name: 'a service without ECS Exec opens no exec channel',
    expect: 'Denied',
    request: f => ({ caller: role(f, 'DocsTaskTaskRole'), action: 'ssmmessages:OpenDataChannel', resource: '*' }),
  },

  // Trust: ECS tasks of this account assume the task and execution roles; nobody else.
  ...['ApiTaskTaskRole', 'ApiTaskExecutionRole', 'OrdersTaskTaskRole'].flatMap((r): AccessPath[] => [
    {
      name: `ECS tasks of this account assume ${r}`,
      expect: 'Allowed',
      request: f => ({
        caller: { service: 'ecs-tasks.amazonaws.com' },
        action: 'sts:AssumeRole',
        resource: f.p.roleArn(f.id(ROLE, r)),
        context: { 'aws:SourceAccount': ACCOUNT, 'aws:SourceArn': `arn:aws:ecs:${REGION}:${ACCOUNT}:task/${f.t.ref(f.id('AWS::ECS::Cluster', 'Cluster'))}/0123` },
      }),
    },
    {
      name: `ECS tasks of another account cannot assume ${r} (confused deputy)`,
      expect: 'Denied',
      request: f => ({
        caller: { service: 'ecs-tasks.amazonaws.com' },
        action: 'sts:AssumeRole',
        resource: f.p.roleArn(f.id(ROLE, r)),
        context: { 'aws:SourceAccount': ANOTHER_ACCOUNT, 'aws:SourceArn': `arn:aws:ecs:${REGION}:${ANOTHER_ACCOUNT}:task/other/0123` },
      }),
    },
  ]),

  // The scheduler runs its task on its cluster, passes only that task's roles, and reports failures to its queue.
  // Scheduler sends the ARN of the schedule's group as aws:SourceArn, never the schedule's own ARN
  // (https://docs.aws.amazon.com/scheduler/latest/UserGuide/cross-service-confused-deputy-prevention.html).
  {
    name: 'EventBridge Scheduler assumes the schedule role for a schedule of its group (the ARN Scheduler sends)',
    expect: 'Allowed',
    request: f => ({
      caller: { service: 'scheduler.amazonaws.com' },
      action: 'sts:AssumeRole',
      resource: f.p.roleArn(f.id(ROLE, 'JobSchedulerRole')),
      context: { 'aws:SourceAccount': ACCOUNT, 'aws:SourceArn': `arn:aws:scheduler:${REGION}:${ACCOUNT}:schedule-group/default` },
    }),
  },
  {
    name: 'EventBridge Scheduler cannot assume the schedule role for a schedule of another group',
    expect: 'Denied',
    request: f => ({
      caller: { service: 'scheduler.amazonaws.com' },
      action: 'sts:AssumeRole',
      resource: f.p.roleArn(f.id(ROLE, 'JobSchedulerRole')),
      context: { 'aws:SourceAccount': ACCOUNT, 'aws:SourceArn': `arn:aws:scheduler:${REGION}:${ACCOUNT}:schedule-group/other` },
    }),
  },
  {
    name: 'EventBridge Scheduler cannot assume the schedule role for a schedule of another account',
    expect: 'Denied',
    request: f => ({
      caller: { service: 'scheduler.amazonaws.com' },
      action: 'sts:AssumeRole',
      resource: f.p.roleArn(f.id(ROLE, 'JobSchedulerRole')),
      context: { 'aws:SourceAccount': '210987654321', 'aws:SourceArn': `arn:aws:scheduler:${REGION}:210987654321:schedule-group/default` },
    }),
  },
  {
    name: 'the schedule role runs its task definition on its cluster',
    expect: 'Allowed',
    request: f => ({
      caller: role(f, 'JobSchedulerRole'),
      action: 'ecs:RunTask',
      resource: f.arn('AWS::ECS::TaskDefinition', 'JobTask'),
      context: { 'ecs:cluster': cluster(f) },
    }),
  },
  {
    name: 'the schedule role cannot run its task on another cluster',
    expect: 'Denied',
    request: f => ({
      caller: role(f, 'JobSchedulerRole'),
      action: 'ecs:RunTask',
      resource: f.arn('AWS::ECS::TaskDefinition', 'JobTask'),
      context: { 'ecs:cluster': `arn:aws:ecs:${REGION}:${ACCOUNT}:cluster/other` },
    }),
  },
  {
    name: 'the schedule role cannot run another task definition',
    expect: 'Denied',
    request: f => ({
      caller: role(f, 'JobSchedulerRole'),
      action: 'ecs:RunTask',
      resource: f.arn('AWS::ECS::TaskDefinition', 'ApiTask'),
      context: { 'ecs:cluster': cluster(f) },
    }),
  },
  {
    name: "the schedule role passes its task's execution role to ECS tasks",
    expect: 'Allowed',
    request: f => ({
      caller: role(f, 'JobSchedulerRole'),
      action: 'iam:PassRole',
      resource: f.p.roleArn(f.id(ROLE, 'JobTaskExecutionRole')),
      context: { 'iam:PassedToService': 'ecs-tasks.amazonaws.com' },
    }),
  },
  {
    name: "the schedule role cannot pass another service's role",
    expect: 'Denied',
    request: f => ({
      caller: role(f, 'JobSchedulerRole'),
      action: 'iam:PassRole',
      resource: f.p.roleArn(f.id(ROLE, 'ApiTaskTaskRole')),
      context: { 'iam:PassedToService': 'ecs-tasks.amazonaws.com' },
    }),
  },
  {
    name: 'the schedule role cannot pass its role to another service',
    expect: 'Denied',
    request: f => ({
      caller: role(f, 'JobSchedulerRole'),
      action: 'iam:PassRole',
      resource: f.p.roleArn(f.id(ROLE, 'JobTaskExecutionRole')),
      context: { 'iam:PassedToService': 'lambda.amazonaws.com' },
    }),
  },
  {
    name: 'the schedule role sends failed invocations to its dead-letter queue',
    expect: 'Allowed',
    request: f => ({ caller: role(f, 'JobSchedulerRole'), action: 'sqs:SendMessage', resource: f.arn('AWS::SQS::Queue', 'JobDeadLetterQueue') }),
  },
  {
    name: 'the schedule role encrypts failed invocations through SQS',
    expect: 'Allowed',
    request: f => ({
      caller: role(f, 'JobSchedulerRole'),
      action: 'kms:GenerateDataKey',
      resource: clusterKey(f),
      context: viaSqs(f.arn('AWS::SQS::Queue', 'JobDeadLetterQueue')),
    }),
  },
];

provePaths('access paths of workloads', paths);

