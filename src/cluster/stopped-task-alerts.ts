import { ArnFormat, Stack, Token } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import type { IFoundryCluster } from './cluster-interfaces';
import { invalidProp } from '../private/validation';

/**
 * What `StoppedTaskAlerts` reports.
 */
export interface StoppedTaskAlertsOptions {
  /**
   * Alert when Fargate Spot reclaims a task (stop code `SpotInterruption`). Spot workloads are built to survive
   * interruptions; turn this off when they are routine for you.
   *
   * @default true
   */
  readonly spotInterruptions?: boolean;

  /**
   * Alert on ECS service events of the cluster besides stopped tasks: service actions of type WARN or ERROR
   * (`SERVICE_TASK_START_IMPAIRED`, `SERVICE_DISCOVERY_INSTANCE_UNHEALTHY`, `SERVICE_TASK_PLACEMENT_FAILURE`,
   * ...) and failed deployments (`SERVICE_DEPLOYMENT_FAILED`).
   *
   * @default true
   */
  readonly serviceEvents?: boolean;
}

/**
 * Properties of `StoppedTaskAlerts`.
 */
export interface StoppedTaskAlertsProps extends StoppedTaskAlertsOptions {
  /** The cluster whose tasks and services are watched. */
  readonly cluster: IFoundryCluster;

  /**
   * Topic the human-readable alerts go to. An imported topic must already allow `events.amazonaws.com` to
   * publish (and to use its KMS key): the construct cannot edit an imported topic's policy.
   *
   * @default - the cluster's alert topic
   */
  readonly topic?: sns.ITopic;
}

/**
 * Alerts when tasks of a cluster stop for a failure, and when its services report problems.
 *
 * An EventBridge rule matches `ECS Task State Change` events of this cluster whose task stopped because
 * - it failed to start (`TaskFailedToStart`: image pull, secrets, network or volume errors),
 * - an essential container exited with a failure code (`EssentialContainerExited` and a container exit code other
 *   than 0, 143 (SIGTERM) or 137 (SIGKILL), which sidecars return when ECS stops a task whose essential
 *   container finished; the event does not say which container is essential),
 * - it failed its load balancer or container health checks (`ServiceSchedulerInitiated`, reason `Task failed ...`),
 * - Fargate Spot reclaimed it (`SpotInterruption`, optional), or
 * - a container ran out of memory (reason `OutOfMemoryError`).
 * Scale-in, deployments and `StopTask` calls (`ServiceSchedulerInitiated` with other reasons, `UserInitiated`)
 * never match. Two more rules match the cluster's service actions of type WARN or ERROR and its failed deployments.
 *
 * Each match sends a short plain-text message (service or task family, task, container, stop code, reason,
 * exit code) to the topic, and the raw event to a KMS-encrypted log group (with a resource policy of its own,
 * not one of the account's 10 CloudWatch Logs resource policies) for later analysis.
 */
export class StoppedTaskAlerts extends Construct {
  /** The rule matching stopped tasks. */
  public readonly stoppedTaskRule: events.Rule;
  /** The rule matching service actions of type WARN or ERROR (undefined when `serviceEvents` is false). */
  public readonly serviceEventRule?: events.Rule;
  /** The rule matching failed deployments (undefined when `serviceEvents` is false). */
  public readonly deploymentRule?: events.Rule;
  /** Log group that keeps every matched event, raw. */
  public readonly logGroup: logs.LogGroup;
  /** The topic alerts go to. */
  public readonly topic: sns.ITopic;

  constructor(scope: Construct, id: string, props: StoppedTaskAlertsProps) {
    super(scope, id);
    if (!props || !props.cluster) {
      invalidProp(this, 'cluster', props?.cluster, 'Pass the FoundryCluster whose tasks to watch.');
    }
    const cluster = props.cluster;
    this.topic = props.topic ?? cluster.alertTopic;
    const clusterArn = cluster.ecsCluster.clusterArn;
    const stack = Stack.of(this);

    this.logGroup = new logs.LogGroup(this, 'LogGroup', {
      encryptionKey: cluster.encryptionKey,
      retention: cluster.logRetention,
      removalPolicy: cluster.removalPolicy,
    });

    this.stoppedTaskRule = new events.Rule(this, 'StoppedTaskRule', {
      description: `Tasks of ${cluster.node.path} that stopped for a failure`,
      eventPattern: {
        source: ['aws.ecs'],
        detailType: ['ECS Task State Change'],
        detail: stoppedTaskPattern(clusterArn, props.spotInterruptions ?? true),
      },
    });
    this.stoppedTaskRule.addTarget(new targets.SnsTopic(this.topic, { message: stoppedTaskMessage(this.logGroup) }));
    this.stoppedTaskRule.addTarget(new LogGroupTarget(this.logGroup));

    if (props.serviceEvents ?? true) {
      this.serviceEventRule = new events.Rule(this, 'ServiceEventRule', {
        description: `Service warnings and errors of ${cluster.node.path}`,
        eventPattern: {
          source: ['aws.ecs'],
          detailType: ['ECS Service Action'],
          detail: { clusterArn: [clusterArn], eventType: ['WARN', 'ERROR'] },
        },
      });
      this.serviceEventRule.addTarget(new targets.SnsTopic(this.topic, { message: serviceEventMessage(this.logGroup) }));
      this.serviceEventRule.addTarget(new LogGroupTarget(this.logGroup));

      // Deployment events carry no cluster ARN; the service ARN (arn:...:service/<cluster>/<service>) names it.
      this.deploymentRule = new events.Rule(this, 'DeploymentFailedRule', {
        description: `Failed deployments of services of ${cluster.node.path}`,
        eventPattern: {
          source: ['aws.ecs'],
          detailType: ['ECS Deployment State Change'],
          detail: { eventName: ['SERVICE_DEPLOYMENT_FAILED'] },
          resources: events.Match.prefix(`arn:${stack.partition}:ecs:${stack.region}:${stack.account}:service/${cluster.ecsCluster.clusterName}/`),
        },
      });
      this.deploymentRule.addTarget(new targets.SnsTopic(this.topic, { message: deploymentMessage(this.logGroup) }));
      this.deploymentRule.addTarget(new LogGroupTarget(this.logGroup));
    }

    // EventBridge writes to CloudWatch Logs under a resource policy (it cannot use a role):
    // https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-use-resource-based.html#eb-cloudwatchlogs-permissions
    // The policy is the log group's own (AWS::Logs::LogGroup ResourcePolicyDocument, "A LogGroup can have 1
    // resource policy"), not an account-level AWS::Logs::ResourcePolicy: an account has at most 10 of those per
    // Region, shared with every other service and stack ("An account can have a maximum of 10 policies without
    // resourceARN and one per LogGroup resourceARN",
    // https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_PutResourcePolicy.html,
    // https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-logs-loggroup.html#cfn-logs-loggroup-resourcepolicydocument).
    // The policy is attached to this log group, so it grants access to this log group only; its Resource cannot
    // name the group's own ARN (a resource referencing itself is a circular dependency), hence the pattern.
    const cfnLogGroup = this.logGroup.node.defaultChild as logs.CfnLogGroup;
    cfnLogGroup.resourcePolicyDocument = new iam.PolicyDocument({
      statements: [new iam.PolicyStatement({
        sid: 'EventBridgeWritesMatchedEvents',
        principals: [new iam.ServicePrincipal('events.amazonaws.com'), new iam.ServicePrincipal('delivery.logs.amazonaws.com')],
        actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        resources: [`arn:${stack.partition}:logs:${stack.region}:${stack.account}:log-group:*`],
      })],
    });
  }
}

/**
 * Exit codes of containers that ECS stopped because the essential container exited: 0 (stopped cleanly),
 * 143 (128 + SIGTERM) and 137 (128 + SIGKILL, after the stop timeout).
 *
 * @internal
 */
export const SHUTDOWN_EXIT_CODES: readonly number[] = [0, 137, 143];

/**
 * The `detail` filter for stopped tasks of one cluster that stopped for a failure.
 * Exported for the unit tests, which run it against sample events.
 *
 * @internal
 */
export function stoppedTaskPattern(clusterArn: string, spotInterruptions: boolean): Record<string, unknown> {
  const failedToStart = ['TaskFailedToStart', ...(spotInterruptions ? ['SpotInterruption'] : [])];
  return {
    clusterArn: [clusterArn],
    lastStatus: ['STOPPED'],
    $or: [
      // Image pull, secrets, ENI or volume errors (CannotPullContainerError, ResourceInitializationError, ...),
      // and Spot interruptions.
      { stopCode: failedToStart },
      // An essential container exited on its own. The event lists every container and does not say which one is
      // essential, and a pattern over an array matches when ANY element matches, so exit codes cannot be tied to
      // container names. When the essential container stops, ECS stops the others: SIGTERM (exit code 143), then
      // SIGKILL after their stop timeout (137). So 0, 137 and 143 are what a finished job's sidecars return;
      // any other code is a failure. (An essential container killed for memory exits 137 with an
      // OutOfMemoryError reason: the last branch.)
      { stopCode: ['EssentialContainerExited'], containers: { exitCode: [{ 'anything-but': [...SHUTDOWN_EXIT_CODES] }] } },
      // The scheduler replaced a task that failed its ELB or container health checks. Its other reasons
      // (scale-in, deployments: "Scaling activity initiated by ...") are routine.
      { stopCode: ['ServiceSchedulerInitiated'], stoppedReason: [{ prefix: 'Task failed' }] },
      // A container was killed for running out of memory, whatever stopped the task afterwards; except an
      // operator's StopTask.
      { stopCode: [{ 'anything-but': ['UserInitiated'] }], containers: { reason: [{ prefix: 'OutOfMemoryError' }] } },
    ],
  };
}

/**
 * A plain-text SNS message built by an EventBridge input transformer.
 *
 * EventBridge "does not escape values extracted by Input Path, when populating the Input Template"
 * (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-transform-target-input.html#eb-transform-input-issues):
 * a stop reason with a double quote inserted into a JSON string template (`RuleTargetInput.fromText`) breaks it,
 * and `fromMultilineText` sends every line as a quoted JSON string. A template that is not JSON at all is sent
 * as it is ("InputTemplate": "<instance> is in state <status>",
 * https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_InputTransformer.html), so inserted values
 * can hold quotes, backslashes and newlines without breaking anything. The first line is never `{`, `[` or `"`.
 */
class PlainTextMessage extends events.RuleTargetInput {
  constructor(private readonly lines: string[], private readonly paths: Record<string, string>) {
    super();
  }

  public bind(_rule: events.IRuleRef): events.RuleTargetInputProperties {
    return { inputPathsMap: this.paths, inputTemplate: this.lines.join('\n') };
  }
}

function stoppedTaskMessage(logGroup: logs.ILogGroup): events.RuleTargetInput {
  return new PlainTextMessage([
    'ECS task stopped: <stopCode> in <group>',
    'Reason: <stoppedReason>',
    'Container: <container>, exit code <exitCode> <containerReason>',
    'Task: <taskArn>',
    'Task definition: <taskDefinitionArn>',
    'Capacity: <launchType> <capacityProvider> in <availabilityZone>',
    'Cluster: <clusterArn>',
    'Stopped at: <stoppedAt>',
    `Every container and the whole event: CloudWatch Logs group ${logGroup.logGroupName}`,
  ], {
    stopCode: '$.detail.stopCode',
    group: '$.detail.group',
    stoppedReason: '$.detail.stoppedReason',
    container: '$.detail.containers[0].name',
    exitCode: '$.detail.containers[0].exitCode',
    containerReason: '$.detail.containers[0].reason',
    taskArn: '$.detail.taskArn',
    taskDefinitionArn: '$.detail.taskDefinitionArn',
    launchType: '$.detail.launchType',
    capacityProvider: '$.detail.capacityProviderName',
    availabilityZone: '$.detail.availabilityZone',
    clusterArn: '$.detail.clusterArn',
    stoppedAt: '$.detail.stoppedAt',
  });
}

function serviceEventMessage(logGroup: logs.ILogGroup): events.RuleTargetInput {
  return new PlainTextMessage([
    'ECS service event: <eventName> (<eventType>)',
    'Service: <service>',
    'Reason: <reason>',
    'Cluster: <clusterArn>',
    'Time: <time>',
    `The whole event: CloudWatch Logs group ${logGroup.logGroupName}`,
  ], {
    eventName: '$.detail.eventName',
    eventType: '$.detail.eventType',
    service: '$.resources[0]',
    reason: '$.detail.reason',
    clusterArn: '$.detail.clusterArn',
    time: '$.time',
  });
}

function deploymentMessage(logGroup: logs.ILogGroup): events.RuleTargetInput {
  return new PlainTextMessage([
    'ECS deployment failed: <service>',
    'Reason: <reason>',
    'Deployment: <deploymentId>',
    'Time: <time>',
    `The whole event: CloudWatch Logs group ${logGroup.logGroupName}`,
  ], {
    service: '$.resources[0]',
    reason: '$.detail.reason',
    deploymentId: '$.detail.deploymentId',
    time: '$.time',
  });
}

/**
 * A CloudWatch Logs rule target without aws-cdk-lib's custom resource.
 *
 * `targets.CloudWatchLogGroup` installs the log group's resource policy through an AwsCustomResource: a Lambda
 * function (latest AWS SDK downloaded at deploy time) with an inline policy on `logs:PutResourcePolicy` for
 * every resource, which the compliance packs flag. CloudFormation has a native AWS::Logs::ResourcePolicy, which
 * `StoppedTaskAlerts` creates instead; this target only points the rule at the log group.
 */
class LogGroupTarget implements events.IRuleTarget {
  constructor(private readonly logGroup: logs.LogGroup) {}

  public bind(_rule: events.IRuleRef, _id?: string): events.RuleTargetConfig {
    return {
      arn: Stack.of(this.logGroup).formatArn({
        service: 'logs',
        resource: 'log-group',
        arnFormat: ArnFormat.COLON_RESOURCE_NAME,
        resourceName: this.logGroup.logGroupName,
      }),
      targetResource: this.logGroup,
    };
  }
}

const EMAIL = /^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+$/;

/**
 * Validate alert e-mail addresses (format, duplicates); tokens are accepted.
 *
 * @internal
 */
export function validateAlertEmails(scope: Construct, emails: string[] | undefined): void {
  if (emails === undefined) return;
  if (!Array.isArray(emails)) {
    invalidProp(scope, 'alertEmails', emails, "Pass a list of e-mail addresses, such as ['ops@example.com'].");
  }
  const seen = new Set<string>();
  for (const email of emails) {
    if (Token.isUnresolved(email)) continue;
    if (typeof email !== 'string' || email.length > 254 || !EMAIL.test(email)) {
      invalidProp(scope, 'alertEmails', email, "Use an e-mail address such as 'ops@example.com'.");
    }
    if (seen.has(email.toLowerCase())) {
      invalidProp(scope, 'alertEmails', emails, `${email} is listed twice; list each address once.`);
    }
    seen.add(email.toLowerCase());
  }
}
