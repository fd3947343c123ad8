import { Annotations, Aws, CfnCondition, CfnMapping, CfnResource, CustomResource, Duration, Fn, RemovalPolicy, Stack, Token } from 'aws-cdk-lib';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { RegionInfo } from 'aws-cdk-lib/region-info';
import { Construct, IConstruct } from 'constructs';
import { acknowledgeLogBucket } from '../compliance/acknowledgements';

/** How long an access-logs bucket keeps logs and what happens to it when it leaves the stack. */
export interface AccessLogsBucketOptions {
  readonly retention: Duration;
  /**
   * The cluster's removal policy. With DESTROY the buckets are emptied and deleted with the stack (CloudFormation
   * deletes only empty buckets); with RETAIN they stay with their logs.
   */
  readonly removalPolicy: RemovalPolicy;
  /**
   * S3 server access logging writes into the server-access-log bucket through a bucket policy for
   * `logging.s3.amazonaws.com` (limited to this account by aws:SourceAccount and to the log bucket's prefix),
   * and that bucket has ACLs disabled (BucketOwnerEnforced), as the S3 User Guide recommends
   * (https://docs.aws.amazon.com/AmazonS3/latest/userguide/enable-server-access-logging.html). Only for bucket pairs
   * that no deployed stack has yet: a deployed bucket whose ACL grants the log delivery group cannot move to
   * BucketOwnerEnforced (InvalidBucketAclWithObjectOwnership), so the buckets of the 1.0 shape keep the
   * LogDeliveryWrite ACL.
   *
   * @default false
   */
  readonly serverAccessLogsByBucketPolicy?: boolean;
}

/**
 * A bucket for load balancer access logs: SSE-S3 (the only encryption ELB log delivery supports), TLS only,
 * no public access, versioned, expiring after the retention, removed with the cluster's removal policy. Its own
 * server access logs go to a second, terminal bucket.
 */
export function createAccessLogsBucket(scope: Construct, options: AccessLogsBucketOptions): s3.Bucket {
  const lifecycleRules: s3.LifecycleRule[] = [{
    id: 'ExpireLogs',
    expiration: options.retention,
    noncurrentVersionExpiration: Duration.days(7),
    abortIncompleteMultipartUploadAfter: Duration.days(1),
  }];
  const destroy = options.removalPolicy === RemovalPolicy.DESTROY;
  const common: s3.BucketProps = {
    encryption: s3.BucketEncryption.S3_MANAGED,
    enforceSSL: true,
    blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
    objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
    versioned: true,
    lifecycleRules,
    // CloudFormation deletes only empty buckets ("You can only delete empty buckets",
    // https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-s3-bucket.html): a DESTROY
    // bucket is emptied first, by aws-cdk-lib's auto-delete custom resource.
    removalPolicy: destroy ? RemovalPolicy.DESTROY : RemovalPolicy.RETAIN,
    autoDeleteObjects: destroy ? true : undefined,
  };
  const byPolicy = options.serverAccessLogsByBucketPolicy ?? false;
  const serverAccessLogsPrefix = 'access-logs-bucket/';
  // Without the bucket-policy feature flag, aws-cdk-lib grants S3 log delivery through an ACL on this bucket; a new
  // bucket pair uses a bucket policy instead, with ACLs disabled.
  const serverAccessLogs = new s3.Bucket(scope, 'ServerAccessLogsBucket', { ...common, objectOwnership: byPolicy ? common.objectOwnership : undefined });
  acknowledgeLogBucket(serverAccessLogs, true, !byPolicy);
  const bucket = new s3.Bucket(scope, 'AccessLogsBucket', {
    ...common,
    serverAccessLogsBucket: byPolicy ? undefined : serverAccessLogs,
    serverAccessLogsPrefix: byPolicy ? undefined : serverAccessLogsPrefix,
  });
  if (byPolicy) {
    // The logging configuration is written directly: given serverAccessLogsBucket, aws-cdk-lib (without the feature
    // flag) would put the LogDeliveryWrite ACL and ObjectWriter ownership on the server-access-log bucket. The policy is
    // that of the S3 User Guide (https://docs.aws.amazon.com/AmazonS3/latest/userguide/enable-server-access-logging.html).
    (bucket.node.defaultChild as s3.CfnBucket).loggingConfiguration = {
      destinationBucketName: serverAccessLogs.bucketName,
      logFilePrefix: serverAccessLogsPrefix,
    };
    serverAccessLogs.addToResourcePolicy(new iam.PolicyStatement({
      sid: 'S3ServerAccessLogsPolicy',
      principals: [new iam.ServicePrincipal('logging.s3.amazonaws.com')],
      actions: ['s3:PutObject'],
      resources: [serverAccessLogs.arnForObjects(`${serverAccessLogsPrefix}*`)],
      // aws:SourceAccount only: an aws:SourceArn naming the log bucket would close a dependency cycle (this policy ->
      // the log bucket -> this bucket's emptying, which waits for the log bucket's deletion -> this policy).
      conditions: { StringEquals: { 'aws:SourceAccount': Stack.of(bucket).account } },
    }));
    // The log bucket starts logging only once S3 may deliver: the policy exists before the logging configuration.
    if (serverAccessLogs.policy) {
      bucket.node.addDependency(serverAccessLogs.policy);
    }
  }
  acknowledgeLogBucket(bucket, false);
  // CloudFormation deletes a resource before those it depends on. The log bucket depends on the server-log bucket's
  // auto-delete resource, so the server-log bucket is emptied (and closed to new objects) only after the log bucket,
  // whose own emptying is logged into it, is gone: otherwise late server access logs keep it from being deleted.
  const emptyServerAccessLogs = autoDeleteObjectsOf(serverAccessLogs);
  if (emptyServerAccessLogs) {
    bucket.node.addDependency(emptyServerAccessLogs);
  }
  return bucket;
}

/** aws-cdk-lib's child id of a bucket's auto-delete custom resource (aws-s3/lib/mixins/bucket.js, BucketAutoDeleteObjects). */
const AUTO_DELETE_OBJECTS_ID = 'AutoDeleteObjectsCustomResource';

/** The custom resource that empties the bucket when it is deleted (`autoDeleteObjects`), if it has one. */
export function autoDeleteObjectsOf(bucket: IConstruct): CustomResource | undefined {
  const child = bucket.node.tryFindChild(AUTO_DELETE_OBJECTS_ID);
  return child instanceof CustomResource ? child : undefined;
}

/**
 * Turn on an Application Load Balancer's access logs to the bucket, with the bucket policy that lets Elastic Load
 * Balancing write them, in a stack with a concrete Region or in an environment-agnostic one.
 *
 * The statements are those of aws-cdk-lib's `logAccessLogs()`, whose writer depends on the Region: "Regions available
 * before August 2022" grant the Elastic Load Balancing account of the Region, later Regions the
 * `logdelivery.elasticloadbalancing.amazonaws.com` service principal
 * (https://docs.aws.amazon.com/elasticloadbalancing/latest/application/enable-access-logging.html#attach-bucket-policy;
 * the accounts are aws-cdk-lib's `RegionInfo.elbv2Account` facts). aws-cdk-lib refuses a stack without a Region
 * ("Region is required to enable ELBv2 access logging"). Without one, the facts go into the template instead: a
 * mapping from every Region aws-cdk-lib knows to its account (or 'none'), and a condition that picks the account
 * principal or the service principal where the stack is deployed. One template then works in every Region; a Region
 * newer than the aws-cdk-lib in use stops the deployment at `Fn::FindInMap` (update aws-cdk-lib, or give the stack
 * a Region), which a synth warning (`cdk-ecs-foundry:accessLogsRegions`) says.
 */
export function logApplicationAccessLogs(loadBalancer: elbv2.ApplicationLoadBalancer, bucket: s3.IBucket, prefix: string): void {
  const stack = Stack.of(loadBalancer);
  if (!Token.isUnresolved(stack.region)) {
    loadBalancer.logAccessLogs(bucket, prefix);
    dependOnBucket(loadBalancer, bucket);
    return;
  }
  const regions = RegionInfo.regions.length;
  Annotations.of(loadBalancer).addWarningV2('cdk-ecs-foundry:accessLogsRegions',
    `The stack has no Region, so the writer of the access logs is looked up in a mapping of the ${regions} Regions this aws-cdk-lib knows: `
    + 'in any other Region the deployment fails at Fn::FindInMap. Give the stack a Region (env: { region }), or upgrade aws-cdk-lib before deploying to a newer Region.');
  const objects = enableLogging(loadBalancer, bucket, prefix);
  bucket.addToResourcePolicy(new iam.PolicyStatement({
    actions: ['s3:PutObject'],
    principals: [elbLogWriter(stack)],
    resources: [objects],
  }));
  bucket.addToResourcePolicy(new iam.PolicyStatement({
    actions: ['s3:PutObject'],
    principals: [LOGS_DELIVERY],
    resources: [objects],
    conditions: { StringEquals: { 's3:x-amz-acl': 'bucket-owner-full-control' } },
  }));
  bucket.addToResourcePolicy(new iam.PolicyStatement({
    actions: ['s3:GetBucketAcl'],
    principals: [LOGS_DELIVERY],
    resources: [bucket.bucketArn],
  }));
  dependOnBucket(loadBalancer, bucket);
}

/**
 * Turn on a Network Load Balancer's access logs to the bucket, with the bucket policy of the NLB documentation: the
 * log delivery service writes them, for this account only, and reads the bucket's ACL
 * (https://docs.aws.amazon.com/elasticloadbalancing/latest/network/enable-access-logs.html, "Example bucket policy":
 * `delivery.logs.amazonaws.com`, `s3:x-amz-acl` `bucket-owner-full-control`, `aws:SourceAccount`, and `ArnLike`
 * `aws:SourceArn` `arn:aws:logs:<region>:<account>:*`). Unlike aws-cdk-lib's `logAccessLogs()`, the Application Load
 * Balancer's writer (the Region's Elastic Load Balancing account) is not admitted: it writes no NLB logs. The same
 * statements serve every Region (`AWS::Region` where the stack has none).
 */
export function logNetworkAccessLogs(loadBalancer: elbv2.NetworkLoadBalancer, bucket: s3.IBucket, prefix: string): void {
  const objects = enableLogging(loadBalancer, bucket, prefix);
  const stack = Stack.of(loadBalancer);
  const thisAccount = { 'aws:SourceAccount': stack.account };
  const fromLogsHere = { ArnLike: { 'aws:SourceArn': `arn:${stack.partition}:logs:${stack.region}:${stack.account}:*` } };
  bucket.addToResourcePolicy(new iam.PolicyStatement({
    sid: 'AWSLogDeliveryWrite',
    actions: ['s3:PutObject'],
    principals: [LOGS_DELIVERY],
    resources: [objects],
    conditions: { StringEquals: { 's3:x-amz-acl': 'bucket-owner-full-control', ...thisAccount }, ...fromLogsHere },
  }));
  bucket.addToResourcePolicy(new iam.PolicyStatement({
    sid: 'AWSLogDeliveryAclCheck',
    actions: ['s3:GetBucketAcl'],
    principals: [LOGS_DELIVERY],
    resources: [bucket.bucketArn],
    conditions: { StringEquals: thisAccount, ...fromLogsHere },
  }));
  dependOnBucket(loadBalancer, bucket);
}

const LOGS_DELIVERY = new iam.ServicePrincipal('delivery.logs.amazonaws.com');

/** Set the logging attributes; the ARN pattern of the log objects of this account. */
function enableLogging(loadBalancer: elbv2.BaseLoadBalancer, bucket: s3.IBucket, prefix: string): string {
  loadBalancer.setAttribute('access_logs.s3.enabled', 'true');
  loadBalancer.setAttribute('access_logs.s3.bucket', bucket.bucketName);
  loadBalancer.setAttribute('access_logs.s3.prefix', prefix);
  return bucket.arnForObjects(`${prefix}/AWSLogs/${Stack.of(loadBalancer).account}/*`);
}

/**
 * The load balancer depends on the bucket's policy, as aws-cdk-lib does (the load balancer checks the bucket's
 * permissions when logging is turned on), and on the bucket's auto-delete resource if it has one.
 *
 * CloudFormation deletes a resource before those it depends on, so the load balancer is gone before the bucket is
 * emptied. Without the dependency, `cdk destroy` may empty the bucket and deny new objects in it while the load balancer
 * still runs (and, with deletion protection, stays).
 */
function dependOnBucket(loadBalancer: elbv2.BaseLoadBalancer, bucket: s3.IBucket): void {
  const cfnLoadBalancer = loadBalancer.node.defaultChild as CfnResource;
  const policy = bucket.policy?.node.defaultChild;
  if (policy instanceof CfnResource) {
    cfnLoadBalancer.addResourceDependency(policy);
  }
  const emptyBucket = autoDeleteObjectsOf(bucket)?.node.defaultChild;
  if (emptyBucket instanceof CfnResource) {
    cfnLoadBalancer.addResourceDependency(emptyBucket);
  }
}

/** Mapping of the Regions' Elastic Load Balancing accounts, one per stack. */
export const ELB_ACCOUNTS_MAPPING_ID = 'FoundryElbLogDeliveryAccounts';
/** Condition: the stack's Region has an Elastic Load Balancing account, one per stack. */
export const ELB_ACCOUNT_CONDITION_ID = 'FoundryElbLogDeliveryByAccount';
/** The mapping's value for a Region without an Elastic Load Balancing account. */
export const NO_ELB_ACCOUNT = 'none';
/** The service principal that writes access logs in Regions without an Elastic Load Balancing account. */
export const ELB_LOG_DELIVERY_SERVICE = 'logdelivery.elasticloadbalancing.amazonaws.com';

/** The writer of access logs where the stack is deployed, decided by CloudFormation from the region facts. */
function elbLogWriter(stack: Stack): iam.IPrincipal {
  let mapping = stack.node.tryFindChild(ELB_ACCOUNTS_MAPPING_ID) as CfnMapping | undefined;
  if (!mapping) {
    const accounts: Record<string, Record<string, string>> = {};
    for (const region of RegionInfo.regions) {
      accounts[region.name] = { account: region.elbv2Account ?? NO_ELB_ACCOUNT };
    }
    mapping = new CfnMapping(stack, ELB_ACCOUNTS_MAPPING_ID, { mapping: accounts });
  }
  const account = mapping.findInMap(Aws.REGION, 'account');
  let condition = stack.node.tryFindChild(ELB_ACCOUNT_CONDITION_ID) as CfnCondition | undefined;
  if (!condition) {
    condition = new CfnCondition(stack, ELB_ACCOUNT_CONDITION_ID, {
      expression: Fn.conditionNot(Fn.conditionEquals(account, NO_ELB_ACCOUNT)),
    });
  }
  return new ConditionalPrincipal(condition, `arn:${Aws.PARTITION}:iam::${account}:root`, ELB_LOG_DELIVERY_SERVICE);
}

/**
 * `{ AWS: arn }` where the condition holds, `{ Service: service }` elsewhere: each key is written with `Fn::If` and
 * `AWS::NoValue`, which CloudFormation removes, so the deployed policy holds exactly one of the two.
 */
class ConditionalPrincipal extends iam.PrincipalBase {
  constructor(private readonly condition: CfnCondition, private readonly arn: string, private readonly service: string) {
    super();
  }

  public get policyFragment(): iam.PrincipalPolicyFragment {
    return new iam.PrincipalPolicyFragment({
      AWS: [Fn.conditionIf(this.condition.logicalId, this.arn, Aws.NO_VALUE).toString()],
      Service: [Fn.conditionIf(this.condition.logicalId, Aws.NO_VALUE, this.service).toString()],
    });
  }

  public dedupeString(): string | undefined {
    return undefined;
  }

  public toString(): string {
    return 'ElbLogDeliveryPrincipal';
  }
}
