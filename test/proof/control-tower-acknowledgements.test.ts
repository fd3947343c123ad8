/**
 * The Control Tower acknowledgements say what is true of the construct they sit on, and are made only where the
 * finding is intended:
 *
 * - the NLB access-log bucket's KMS reason does not claim NLB log delivery is SSE-S3 only (it supports SSE-KMS with a
 *   customer managed key, https://docs.aws.amazon.com/elasticloadbalancing/latest/network/load-balancer-access-logs.html);
 * - a server-access-log bucket created with a bucket policy for S3 server access logging has ACLs disabled
 *   (https://docs.aws.amazon.com/AmazonS3/latest/userguide/enable-server-access-logging.html), meets CT.S3.PR.5 and
 *   carries no acknowledgement of it (the cfn-guard rule runs directly on the template);
 * - an EC2 capacity group is acknowledged for CT.AUTOSCALING.PR.1 only when its subnets span two or more zones;
 * - a task whose memory is a token is acknowledged for CT.ECS.PR.7 with that reason, not as if its main container
 *   were a sidecar.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { CfnGuardValidator } from '@cdklabs/cdk-validator-cfnguard';
import { App, CfnParameter, Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import { Construct, IConstruct } from 'constructs';
import { FoundryCluster, FoundryTaskDefinition, NetworkProtocol, NetworkService } from '../../src';
import { createAccessLogsBucket } from '../../src/private/access-logs';

const ACCOUNT = '123456789012';
const REGION = 'us-east-1';
const nginx = ecs.ContainerImage.fromRegistry('public.ecr.aws/nginx/nginx:stable');
const RULES = path.join(path.dirname(require.resolve('@cdklabs/cdk-validator-cfnguard/package.json')), 'rules', 'control-tower', 'cfn-guard');

/** The reason acknowledged for a Control Tower rule on exactly this construct, if any. */
function acknowledged(scope: IConstruct, rule: string): string | undefined {
  const id = `cdk-validator-cfnguard::${rule}`;
  for (const entry of scope.node.metadata.filter(m => m.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)) {
    const reasons = entry.data as Record<string, string>;
    if (id in reasons) return reasons[id];
  }
  return undefined;
}

function stack(): Stack {
  return new Stack(new App(), 'Test', { env: { account: ACCOUNT, region: REGION } });
}

describe('access-log buckets', () => {
  test('the NLB access-log bucket\'s KMS reason says SSE-S3 is the library\'s choice for NLB logs, which support SSE-KMS', () => {
    const s = stack();
    const cluster = new FoundryCluster(s, 'Cluster');
    new NetworkService(s, 'Nlb', {
      cluster,
      image: nginx,
      port: 8443,
      protocol: NetworkProtocol.TLS,
      certificate: acm.Certificate.fromCertificateArn(s, 'Cert', `arn:aws:acm:${REGION}:${ACCOUNT}:certificate/abc`),
    });
    const buckets = s.node.findAll().filter(c => c.node.id === 'AccessLogsBucket');
    expect(buckets.length).toBeGreaterThan(0);
    for (const bucket of buckets) {
      const reason = acknowledged(bucket, 's3_bucket_default_encryption_kms_check');
      expect(reason).toMatch(/Network Load Balancer access logs may be encrypted with SSE-KMS and a customer managed key/);
      expect(reason).toMatch(/the library's choice, not a limit/);
      // The shared NLB pair is new (no 1.0 stack has it): its server-access-log bucket takes logs by bucket policy.
      const serverLogs = bucket.node.scope!.node.findChild('ServerAccessLogsBucket');
      expect(acknowledged(serverLogs, 's3_bucket_acl_prohibited_check')).toBeUndefined();
      expect(s.resolve((serverLogs.node.defaultChild as any).accessControl)).toBeUndefined();
    }
  });

  test('a bucket pair with server access logs by bucket policy: ACLs disabled, logging.s3 admitted for this account under the log bucket prefix, CT.S3.PR.5 met without acknowledgement', () => {
    const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'foundry-ct-ack-'));
    const app = new App({ outdir });
    const s = new Stack(app, 'Pair', { env: { account: ACCOUNT, region: REGION } });
    const scope = new Construct(s, 'Logs');
    const bucket = createAccessLogsBucket(scope, {
      retention: Duration.days(30), removalPolicy: RemovalPolicy.DESTROY, serverAccessLogsByBucketPolicy: true,
    });
    const serverLogs = scope.node.findChild('ServerAccessLogsBucket');
    expect(acknowledged(serverLogs, 's3_bucket_acl_prohibited_check')).toBeUndefined();

    const template = Template.fromStack(s);
    const serverLogsId = s.getLogicalId(serverLogs.node.defaultChild as any);
    const bucketId = s.getLogicalId(bucket.node.defaultChild as any);
    const resources = template.toJSON().Resources;
    expect(resources[serverLogsId].Properties.AccessControl).toBeUndefined();
    expect(resources[serverLogsId].Properties.OwnershipControls).toEqual({ Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] });
    expect(resources[bucketId].Properties.LoggingConfiguration).toEqual({
      DestinationBucketName: { Ref: serverLogsId },
      LogFilePrefix: 'access-logs-bucket/',
    });
    const [policy] = Object.values<any>(template.findResources('AWS::S3::BucketPolicy', { Properties: { Bucket: { Ref: serverLogsId } } }));
    const statement = policy.Properties.PolicyDocument.Statement.find((st: any) => st.Principal?.Service === 'logging.s3.amazonaws.com');
    expect(statement).toEqual(expect.objectContaining({
      Effect: 'Allow',
      Action: 's3:PutObject',
      Resource: { 'Fn::Join': ['', [{ 'Fn::GetAtt': [serverLogsId, 'Arn'] }, '/access-logs-bucket/*']] },
      Condition: { StringEquals: { 'aws:SourceAccount': ACCOUNT } },
    }));
    // The log bucket's logging starts only after S3 may deliver into the server-access-log bucket.
    const policyId = Object.keys(template.findResources('AWS::S3::BucketPolicy', { Properties: { Bucket: { Ref: serverLogsId } } }))[0];
    expect(resources[bucketId].DependsOn).toEqual(expect.arrayContaining([policyId]));

    // CT.S3.PR.5 (ACLs prohibited), run directly on the template: the server-access-log bucket passes.
    const file = path.join(app.synth().directory, 'Pair.template.json');
    const report = new CfnGuardValidator({ controlTowerRulesEnabled: false, rules: [path.join(RULES, 's3', 'ct-s3-pr-5.guard')] })
      .validate({ templatePaths: [file], appConstruct: app });
    expect(report.violations.flatMap(v => v.violatingResources.map(r => r.resourceLogicalId))).not.toContain(serverLogsId);
  });

  test('the 1.0 bucket pair (the default) keeps the LogDeliveryWrite ACL, which the rule flags, and its acknowledgement', () => {
    const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'foundry-ct-ack-'));
    const app = new App({ outdir });
    const s = new Stack(app, 'Pair', { env: { account: ACCOUNT, region: REGION } });
    const scope = new Construct(s, 'Logs');
    createAccessLogsBucket(scope, { retention: Duration.days(30), removalPolicy: RemovalPolicy.RETAIN });
    const serverLogs = scope.node.findChild('ServerAccessLogsBucket');
    expect(acknowledged(serverLogs, 's3_bucket_acl_prohibited_check')).toMatch(/LogDeliveryWrite/);
    const file = path.join(app.synth().directory, 'Pair.template.json');
    const report = new CfnGuardValidator({ controlTowerRulesEnabled: false, rules: [path.join(RULES, 's3', 'ct-s3-pr-5.guard')] })
      .validate({ templatePaths: [file], appConstruct: app });
    expect(report.violations.flatMap(v => v.violatingResources.map(r => r.resourceLogicalId)))
      .toContain(s.getLogicalId(serverLogs.node.defaultChild as any));
  });
});

describe('EC2 capacity groups and CT.AUTOSCALING.PR.1', () => {
  test('a group in one Availability Zone keeps the finding (no acknowledgement)', () => {
    const s = stack();
    const cluster = new FoundryCluster(s, 'Cluster', { maxAzs: 1 });
    const capacity = cluster.addEc2Capacity('Ec2', { instanceType: new ec2.InstanceType('m7g.large') });
    expect(acknowledged(capacity.autoScalingGroup, 'autoscaling_multiple_az_check')).toBeUndefined();
  });

  test('a group whose subnets span several zones is acknowledged, naming how many', () => {
    const s = stack();
    const cluster = new FoundryCluster(s, 'Cluster', { maxAzs: 3 });
    const capacity = cluster.addEc2Capacity('Ec2', { instanceType: new ec2.InstanceType('m7g.large') });
    expect(acknowledged(capacity.autoScalingGroup, 'autoscaling_multiple_az_check')).toMatch(/in 3 Availability Zones/);
  });
});

describe('CT.ECS.PR.7 with a task memory known only at deployment', () => {
  test('the reason says the memory is a token and does not call the main container a sidecar', () => {
    const s = stack();
    const memory = new CfnParameter(s, 'Memory', { type: 'Number', default: 1024 });
    const workload = new FoundryTaskDefinition(s, 'Work', {
      cluster: new FoundryCluster(s, 'Cluster'),
      image: nginx,
      cpu: 512,
      memoryMiB: memory.valueAsNumber,
    });
    const reason = acknowledged(workload.taskDefinition, 'ecs_task_definition_memory_hard_limit_check');
    expect(reason).toMatch(/memoryMiB\) is a token/);
    expect(reason).toMatch(/'app' \(the main container among them\)/);
    expect(reason).not.toMatch(/The sidecar\(s\)/);
  });
});
