/**
 * The cost of the defaults: the monthly cost of this library's default FoundryCluster with one default WebService (on
 * a WebLoadBalancer with an imported certificate, as the benchmark's 'ours-web-shared-alb' workload with one service)
 * against aws-ecs-patterns' default ApplicationLoadBalancedFargateService (as 'peer-web-own-alb' with one service),
 * line by line, priced by the library's own price table (`priceTemplate`, src/cost/template-cost.ts) applied to both
 * synthesized templates. No timing: a pure function of the code and the price table.
 */
import { App, Stack } from 'aws-cdk-lib';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as ecsPatterns from 'aws-cdk-lib/aws-ecs-patterns';
import { FoundryCluster, WebLoadBalancer, WebService } from '../src';
import { resolveAssumptions, round } from '../src/cost/cost-model';
import { PRICE_TABLE_DATE } from '../src/cost/price-table';
import { CfnTemplate, priceTemplate, TemplateCostLine } from '../src/cost/template-cost';

const ENV = { account: '123456789012', region: 'us-east-1' };
const CERTIFICATE_ARN = 'arn:aws:acm:us-east-1:123456789012:certificate/11111111-2222-3333-4444-555555555555';
const IMAGE = 'public.ecr.aws/nginx/nginx:stable';
const CONTAINER_PORT = 8080;

/** Why each line exists: the default or the compliance rule it serves (cdk-nag rule IDs of the four packs). */
const WHY: Record<string, string> = {
  'nat-gateways': 'both: a NAT gateway per AZ (ours: `NatGatewayStrategy.PER_AZ`, an AZ outage does not cut the other AZ off; `SINGLE` or `NONE` are cheaper)',
  'nat-data': 'both: the same assumed traffic per NAT gateway',
  'alb': 'both: an internet-facing ALB with HTTPS and an HTTP redirect (ours is shareable by up to 100 services)',
  'alb-capacity': 'both: the same assumed load',
  'fargate': 'ours: 2 tasks by default (a task in each AZ survives an AZ outage); the peer: desiredCount 1',
  'fargate-spot': 'Fargate Spot share of the default capacity',
  'interface-endpoints': 'only without NAT (`NatGatewayStrategy.NONE`) or with `vpcEndpoints`',
  'waf-web-acl': 'AWS WAF on the internet-facing ALB: NIST.800.53.R5-ALBWAFEnabled, PCI.DSS.321-ALBWAFEnabled',
  'waf-rules': 'the AWS managed rule groups of that web ACL (common rules, known bad inputs, IP reputation...)',
  'waf-requests': 'per request, as traffic grows',
  'kms-keys': 'a customer-managed key with rotation for logs, ECS Exec sessions and alerts: NIST.800.53.R5/PCI.DSS.321/HIPAA.Security-CloudWatchLogGroupEncrypted, SNSEncryptedKMS, KMSBackingKeyRotationEnabled',
  'alarms': 'ours: service alarms (failures, CPU, memory, 5xx, latency, running tasks) to the alert topic, on by default; NIST.800.53.R5/HIPAA.Security-CloudWatchAlarmAction for their actions',
  'composite-alarms': 'composite alarms',
  'dashboards': 'ours: the cluster dashboard (services, alarms), created with the first service',
  'container-insights': 'ours: Container Insights enhanced (AwsSolutions-ECS4)',
  'flow-logs': 'ours: VPC flow logs to an encrypted log group (AwsSolutions-VPC7, NIST.800.53.R5/PCI.DSS.321/HIPAA.Security-VPCFlowLogsEnabled)',
  'task-logs': 'both: the container log group (the same assumed volume per task definition)',
  'log-storage': 'ours: every log group has a retention (NIST.800.53.R5-CloudWatchLogGroupRetentionPeriod): WAF, ECS Exec audit, alerts, flow logs, containers',
  's3-buckets': 'ours: the ALB access-log bucket (AwsSolutions-ELB2, ELBLoggingEnabled in the other three packs)',
  'efs': 'EFS storage',
  'other-tasks': 'tasks outside Linux Fargate',
  'region': 'the price table',
};

/** The two priced sides and their lines, for the report and its test. */
export interface CostOfDefaults {
  readonly region: string;
  readonly ours: TemplateCostLine[];
  readonly peer: TemplateCostLine[];
  readonly oursTotal: number;
  readonly peerTotal: number;
}

/** Build both apps' stacks in one App, synthesize them and price each template. */
export function costOfDefaults(): CostOfDefaults {
  const app = new App();
  const ours = new Stack(app, 'Ours', { env: ENV });
  const cluster = new FoundryCluster(ours, 'Cluster');
  const alb = new WebLoadBalancer(ours, 'Alb', { cluster, certificate: acm.Certificate.fromCertificateArn(ours, 'Certificate', CERTIFICATE_ARN) });
  new WebService(ours, 'Web0', {
    cluster, loadBalancer: alb, hostHeaders: ['web0.example.com'], image: ecs.ContainerImage.fromRegistry(IMAGE), port: CONTAINER_PORT,
  });

  const peer = new Stack(app, 'Peer', { env: ENV });
  new ecsPatterns.ApplicationLoadBalancedFargateService(peer, 'Web0', {
    cluster: new ecs.Cluster(peer, 'Cluster', { vpc: new ec2.Vpc(peer, 'Vpc', { maxAzs: 2 }) }),
    certificate: acm.Certificate.fromCertificateArn(peer, 'Certificate', CERTIFICATE_ARN),
    redirectHTTP: true,
    taskImageOptions: { image: ecs.ContainerImage.fromRegistry(IMAGE), containerPort: CONTAINER_PORT },
  });

  const assembly = app.synth();
  const assumptions = resolveAssumptions({});
  const price = (stack: Stack) => priceTemplate(assembly.getStackByName(stack.stackName).template as CfnTemplate, ENV.region, assumptions);
  const oursLines = price(ours);
  const peerLines = price(peer);
  const total = (lines: TemplateCostLine[]) => round(lines.reduce((sum, l) => sum + (l.monthlyUsd ?? 0), 0));
  return { region: ENV.region, ours: oursLines, peer: peerLines, oursTotal: total(oursLines), peerTotal: total(peerLines) };
}

function usd(line: TemplateCostLine | undefined): string {
  if (!line) return '—';
  return line.monthlyUsd === undefined ? `not priced: ${line.note}` : line.monthlyUsd.toFixed(2);
}

/**
 * The cost of the defaults as Markdown: one row per line of either side (each side's monthly USD, and why the line
 * exists), the totals of the priced lines, and the difference.
 */
export function costOfDefaultsMarkdown(): string {
  const c = costOfDefaults();
  const keys = [...new Set([...c.ours.map(l => l.key), ...c.peer.map(l => l.key)])];
  const out: string[] = [];
  out.push(`Monthly cost in ${c.region}, on-demand list prices of the library's price table (${PRICE_TABLE_DATE}), the assumptions of `
    + '`CostEstimate` (730 h, 100 GB per NAT gateway, 1 LCU, 5 GB of container logs per task definition, 10 GB of flow logs): '
    + 'the default `FoundryCluster` with one default `WebService` on a `WebLoadBalancer` (imported certificate) against '
    + "aws-ecs-patterns' default `ApplicationLoadBalancedFargateService` (certificate, HTTP redirect), both over 2 AZs. "
    + 'A line the table has no price for is not priced and left out of the totals.');
  out.push('');
  out.push('| Line | Ours: quantity | Ours USD/month | aws-ecs-patterns: quantity | aws-ecs-patterns USD/month | Why |');
  out.push('|---|---|---:|---|---:|---|');
  for (const key of keys) {
    const o = c.ours.find(l => l.key === key);
    const p = c.peer.find(l => l.key === key);
    out.push(`| ${(o ?? p)!.item} | ${o?.quantity ?? '—'} | ${usd(o)} | ${p?.quantity ?? '—'} | ${usd(p)} | ${WHY[key] ?? ''} |`);
  }
  const unpriced = (lines: TemplateCostLine[]) => lines.filter(l => l.monthlyUsd === undefined).length;
  out.push(`| **Total (priced lines)** | | **${c.oursTotal.toFixed(2)}** | | **${c.peerTotal.toFixed(2)}** | `
    + `${unpriced(c.ours)} line(s) of ours and ${unpriced(c.peer)} of the peer not priced |`);
  const difference = round(c.oursTotal - c.peerTotal);
  out.push('');
  out.push(`Difference: ours costs **${difference.toFixed(2)} USD/month** more than aws-ecs-patterns' default `
    + `(${c.peerTotal > 0 ? (c.oursTotal / c.peerTotal).toFixed(2) : 'n/a'} ×), before the lines that are not priced.`);
  return out.join('\n');
}
