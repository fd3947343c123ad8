/**
 * Load balancer access logs in an environment-agnostic stack (as `cdk init app` creates it): one template for every
 * Region. Who writes the logs depends on the Region: "Regions available before August 2022" need the Elastic Load
 * Balancing account of the Region in the bucket policy, later Regions the
 * `logdelivery.elasticloadbalancing.amazonaws.com` service principal
 * (https://docs.aws.amazon.com/elasticloadbalancing/latest/application/enable-access-logging.html#attach-bucket-policy).
 *
 * Network Load Balancer logs are written by `delivery.logs.amazonaws.com` in every Region
 * (https://docs.aws.amazon.com/elasticloadbalancing/latest/network/enable-access-logs.html).
 *
 * The proof evaluates the agnostic template as CloudFormation would in sample Regions (the mapping, the condition,
 * `Fn::If` and `AWS::NoValue`), compares each access-log bucket policy with the one of a stack pinned to that Region
 * (aws-cdk-lib's own for the ALB), and runs the writers' requests through the IAM simulator.
 */
import { App, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { Annotations, Match } from 'aws-cdk-lib/assertions';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import { RegionInfo } from 'aws-cdk-lib/region-info';
import { FoundryCluster, NetworkProtocol, NetworkService, WebService } from '../../src';
import { complianceApp, synthFindings } from '../support/compliance';
import { templateInRegion } from './support/access-logs-regions';
import { ACCOUNT } from './support/iam-cases';
import { TemplatePolicies } from './support/iam-policies';
import { CfnTemplate, ResolvedTemplate } from './support/iam-resolve';

const image = ecs.ContainerImage.fromRegistry('public.ecr.aws/nginx/nginx:stable');
const SERVICE_PRINCIPAL = 'logdelivery.elasticloadbalancing.amazonaws.com';

/** The same app, environment-agnostic (no env) or pinned to a Region. */
function synth(region?: string): CfnTemplate & { Mappings?: any; Conditions?: any } {
  const app = new App();
  build(app, region);
  return app.synth().getStackByName('Logs').template;
}

function build(app: App, region?: string, removalPolicy?: RemovalPolicy): Stack {
  const stack = new Stack(app, 'Logs', region ? { env: { account: ACCOUNT, region } } : {});
  const cluster = new FoundryCluster(stack, 'Cluster', { removalPolicy });
  new WebService(stack, 'Web', { cluster, image, port: 8080, loadBalancerOptions: { allowHttp: true } });
  // A certificate ARN of the Region (a pinned stack checks it); the agnostic stack cannot tell and leaves it alone.
  const certificateArn = `arn:aws:acm:${region ?? 'us-east-1'}:${ACCOUNT}:certificate/11111111-2222-3333-4444-555555555555`;
  new NetworkService(stack, 'Tls', {
    cluster,
    image,
    port: 8443,
    protocol: NetworkProtocol.TLS,
    certificate: acm.Certificate.fromCertificateArn(stack, 'Cert', certificateArn),
  });
  return stack;
}

/** Regions of both kinds: two with an Elastic Load Balancing account, two that use the service principal. */
const SAMPLE = [
  { region: 'us-east-1', account: '127311923021' },
  { region: 'eu-west-1', account: '156460612806' },
  { region: 'eu-central-2', account: undefined },
  { region: 'il-central-1', account: undefined },
];

const BUCKETS = [
  { name: 'ALB', prefix: 'WebLoadBalancerAccessLogsBucket' },
  { name: 'NLB', prefix: 'FoundryNetworkAccessLogs90DaysAccessLogsBucket' },
];

let agnostic: ReturnType<typeof synth>;
beforeAll(() => {
  agnostic = synth();
});

describe('an environment-agnostic stack synthesizes with load balancer access logs', () => {
  test('the Region facts are a mapping of every Region aws-cdk-lib knows, and one condition picks the writer', () => {
    // The ELB-account mapping (the stack also holds the GuardDuty agent's, src/workload/guardduty-agent.ts).
    const elb = Object.entries<any>(agnostic.Mappings ?? {}).filter(([id]) => id !== 'FoundryGuardDutyAgentAccounts');
    expect(elb).toHaveLength(1);
    const accounts = elb[0][1];
    expect(Object.keys(accounts).sort()).toEqual(RegionInfo.regions.map(r => r.name).sort());
    for (const info of RegionInfo.regions) {
      expect(accounts[info.name].account).toBe(info.elbv2Account ?? 'none');
    }
    expect(Object.keys(agnostic.Conditions ?? {}).filter(id => id !== 'FoundryGuardDutyAgentRegion')).toHaveLength(1);
  });

  test.each([RemovalPolicy.RETAIN, RemovalPolicy.DESTROY])('no cdk-nag finding and no CloudFormation validation error (cluster removalPolicy %s)', (removalPolicy) => {
    const app = complianceApp();
    build(app, undefined, removalPolicy);
    expect(synthFindings(app)).toEqual([]);
  });

  // A Region newer than aws-cdk-lib is missing from the mapping and fails the deployment (the last test below): synth
  // says so, with the number of Regions covered and the two ways out.
  test('a warning on the ALB names the Regions the mapping covers and what to do; a stack with a Region gets none', () => {
    const warnings = (region?: string) => Annotations.fromStack(build(new App(), region))
      .findWarning('*', Match.stringLikeRegexp('accessLogsRegions'));
    const found = warnings();
    expect(found.map(w => w.id)).toEqual(['/Logs/Web/LoadBalancer/LoadBalancer']);
    const message = String(found[0].entry.data);
    expect(message).toContain(`the ${RegionInfo.regions.length} Regions this aws-cdk-lib knows`);
    expect(message).toMatch(/Fn::FindInMap/);
    expect(message).toMatch(/Give the stack a Region .*or upgrade aws-cdk-lib/);
    expect(warnings('eu-west-1')).toEqual([]);
  });

  test('the sample has both kinds of Region, as aws-cdk-lib records them', () => {
    for (const { region, account } of SAMPLE) {
      expect(RegionInfo.get(region).elbv2Account).toBe(account);
    }
  });
});

describe.each(SAMPLE)('deployed in $region', ({ region, account }) => {
  let t: ResolvedTemplate;
  let pinned: ResolvedTemplate;
  beforeAll(() => {
    t = new ResolvedTemplate('Logs', templateInRegion(agnostic, region));
    pinned = new ResolvedTemplate('Logs', synth(region));
  });

  const policyOf = (template: ResolvedTemplate, bucketPrefix: string) => {
    const bucket = template.find('AWS::S3::Bucket', bucketPrefix);
    const policy = template.ofType('AWS::S3::BucketPolicy').find(id => JSON.stringify(template.resource(id).Properties.Bucket) === JSON.stringify({ Ref: bucket }));
    return template.properties(policy!).PolicyDocument;
  };

  test.each(BUCKETS)('$name: the bucket policy is the one of a stack pinned to the Region (for the ALB: aws-cdk-lib\'s logAccessLogs)', ({ prefix }) => {
    expect(policyOf(t, prefix)).toEqual(policyOf(pinned, prefix));
  });

  const logObject = (prefix: string, logPrefix: string, owner = ACCOUNT) =>
    `${t.getAtt(t.find('AWS::S3::Bucket', prefix), 'Arn')}/${logPrefix}/AWSLogs/${owner}/elasticloadbalancing/${region}/2025/01/01/log.gz`;
  const elbAccount = { arn: `arn:aws:iam::${account ?? '127311923021'}:root` };
  const elbService = { service: SERVICE_PRINCIPAL };
  const logsDelivery = { service: 'delivery.logs.amazonaws.com' };
  // The log delivery service calls from CloudWatch Logs of the load balancer's Region and account ("aws:SourceArn",
  // arn:aws:logs:<region>:<account>:*, https://docs.aws.amazon.com/elasticloadbalancing/latest/network/enable-access-logs.html).
  const fromLogs = (inRegion = region, owner = ACCOUNT) => ({ 'aws:SourceAccount': owner, 'aws:SourceArn': `arn:aws:logs:${inRegion}:${owner}:delivery-source:nlb` });
  const delivery = { 's3:x-amz-acl': 'bucket-owner-full-control', ...fromLogs() };
  const writerName = account ? 'its Elastic Load Balancing account' : 'the log delivery service principal';

  test(`ALB: the writer of the Region (${writerName}) puts logs under this account's prefix, and no other writer`, async () => {
    const p = new TemplatePolicies(t);
    const object = logObject('WebLoadBalancerAccessLogsBucket', 'alb');
    const [writer, other] = account ? [elbAccount, elbService] : [elbService, elbAccount];
    expect(await p.decide({ caller: writer, action: 's3:PutObject', resource: object })).toBe('Allowed');
    expect(await p.decide({ caller: other, action: 's3:PutObject', resource: object })).not.toBe('Allowed');
    const otherAccount = logObject('WebLoadBalancerAccessLogsBucket', 'alb', '210987654321');
    expect(await p.decide({ caller: writer, action: 's3:PutObject', resource: otherAccount })).not.toBe('Allowed');
  });

  // NLB access logs are written by the log delivery service, in every Region
  // (https://docs.aws.amazon.com/elasticloadbalancing/latest/network/enable-access-logs.html, "Example bucket policy").
  test('NLB: log delivery puts logs for this account only, and the ALB writers are not admitted', async () => {
    const p = new TemplatePolicies(t);
    const object = logObject('FoundryNetworkAccessLogs90DaysAccessLogsBucket', 'nlb');
    const bucketArn = t.getAtt(t.find('AWS::S3::Bucket', 'FoundryNetworkAccessLogs90DaysAccessLogsBucket'), 'Arn');
    expect(await p.decide({ caller: logsDelivery, action: 's3:PutObject', resource: object, context: delivery })).toBe('Allowed');
    expect(await p.decide({ caller: logsDelivery, action: 's3:GetBucketAcl', resource: bucketArn, context: fromLogs() })).toBe('Allowed');
    const forAnother = { ...delivery, 'aws:SourceAccount': '210987654321' };
    expect(await p.decide({ caller: logsDelivery, action: 's3:PutObject', resource: object, context: forAnother })).not.toBe('Allowed');
    // Delivery on behalf of another Region or account (with this account as SourceAccount) is refused by aws:SourceArn.
    for (const elsewhere of [fromLogs('ap-southeast-7'), { ...fromLogs(region, '210987654321'), 'aws:SourceAccount': ACCOUNT }]) {
      expect(await p.decide({ caller: logsDelivery, action: 's3:PutObject', resource: object, context: { ...delivery, ...elsewhere } })).not.toBe('Allowed');
      expect(await p.decide({ caller: logsDelivery, action: 's3:GetBucketAcl', resource: bucketArn, context: elsewhere })).not.toBe('Allowed');
    }
    const otherPrefix = logObject('FoundryNetworkAccessLogs90DaysAccessLogsBucket', 'nlb', '210987654321');
    expect(await p.decide({ caller: logsDelivery, action: 's3:PutObject', resource: otherPrefix, context: delivery })).not.toBe('Allowed');
    for (const caller of [elbAccount, elbService]) {
      expect(await p.decide({ caller, action: 's3:PutObject', resource: object })).not.toBe('Allowed');
    }
  });
});

test('a Region newer than the aws-cdk-lib in use stops the deployment instead of granting a wrong writer', () => {
  expect(() => templateInRegion(agnostic, 'xx-future-1')).toThrow(/Fn::FindInMap: .* not found/);
});
