/**
 * The monthly cost of a synthesized CloudFormation template (internal): the price table applied to the resources a
 * template declares, whoever wrote them (this library, aws-ecs-patterns, hand-written CloudFormation). The benchmark
 * prices the library's defaults and aws-ecs-patterns' with it, line by line.
 *
 * Like `CostEstimate`, it never guesses: a resource the table has no price for is listed as not priced, with the
 * reason. Its assumptions (hours, NAT data, LCUs, log volume) are `CostEstimate`'s, resolved by `resolveAssumptions`.
 */
import type { ResolvedAssumptions } from './cost-model';
import { fargateHourly, fmt, round, splitTasks } from './cost-model';
import { REGION_PRICES, RegionPrices } from './price-table';

/** One line of a template's cost: what, how much, and its monthly price (undefined: not priced, see `note`). */
export interface TemplateCostLine {
  /** A stable key ('nat-gateways', 'fargate', ...) to put two templates side by side. */
  readonly key: string;
  /** What is priced. */
  readonly item: string;
  /** How many, and the rate. */
  readonly quantity: string;
  /** USD per month, undefined when the price table has no price for it. */
  readonly monthlyUsd?: number;
  /** Why a line is not priced, or a remark on a priced one. */
  readonly note?: string;
}

/** A CloudFormation template as JSON. */
export type CfnTemplate = { readonly Resources?: Record<string, { readonly Type: string; readonly Properties?: any }> };

interface Resource {
  readonly id: string;
  readonly type: string;
  readonly props: any;
}

/**
 * Price the resources of a template in a region of the price table, with `CostEstimate`'s assumptions: every resource
 * runs all month, a service runs its desired count (or its auto scaling minimum), each task definition ingests
 * `logGbPerWorkload` of logs and each flow log `flowLogGbPerVpc`.
 */
export function priceTemplate(template: CfnTemplate, region: string, a: ResolvedAssumptions): TemplateCostLine[] {
  const prices = REGION_PRICES[region];
  if (!prices) {
    return [{ key: 'region', item: 'everything', quantity: '-', note: `the price table has no prices for ${region}` }];
  }
  const resources: Resource[] = Object.entries(template.Resources ?? {}).map(([id, r]) => ({ id, type: r.Type, props: r.Properties ?? {} }));
  const ofType = (type: string) => resources.filter(r => r.type === type);
  const h = a.hoursPerMonth;
  const lines: TemplateCostLine[] = [];
  const line = (key: string, item: string, quantity: string, monthly: number | undefined, note?: string) => {
    lines.push({ key, item, quantity, monthlyUsd: monthly === undefined ? undefined : round(monthly), note });
  };
  const missing = (what: string) => `the price table has no ${what} price for ${region}`;

  const nat = ofType('AWS::EC2::NatGateway').length;
  if (nat > 0) {
    line('nat-gateways', `${nat} NAT gateway(s)`, `${nat} × ${h} h at $${prices.natGatewayHour}/h`, nat * h * prices.natGatewayHour);
    line('nat-data', 'NAT gateway data processing', `${nat} × ${a.natDataGbPerGateway} GB at $${prices.natGatewayGb}/GB`, nat * a.natDataGbPerGateway * prices.natGatewayGb);
  }

  const balancers = ofType('AWS::ElasticLoadBalancingV2::LoadBalancer').map(r => r.props.Type ?? 'application');
  for (const [type, key, label, hourly, lcu, unit] of [
    ['application', 'alb', 'Application Load Balancer', prices.albHour, prices.albLcuHour, 'LCU'],
    ['network', 'nlb', 'Network Load Balancer', prices.nlbHour, prices.nlbLcuHour, 'NLCU'],
  ] as const) {
    const n = balancers.filter(t => t === type).length;
    if (n === 0) continue;
    line(key, `${n} ${label}(s)`, `${n} × ${h} h at $${hourly}/h`, n * h * hourly);
    line(`${key}-capacity`, `${label} capacity units`, `${n} × ${a.loadBalancerCapacityUnits} ${unit} × ${h} h${lcu === undefined ? '' : ` at $${lcu}/${unit}-h`}`,
      lcu === undefined ? undefined : n * a.loadBalancerCapacityUnits * h * lcu, lcu === undefined ? missing(unit) : undefined);
  }

  priceTasks(resources, prices, a, line);

  const endpointAzs = ofType('AWS::EC2::VPCEndpoint').filter(r => (r.props.VpcEndpointType ?? 'Gateway') === 'Interface')
    .map(r => (Array.isArray(r.props.SubnetIds) ? r.props.SubnetIds.length : 1));
  if (endpointAzs.length > 0) {
    const azs = endpointAzs.reduce((sum, n) => sum + n, 0);
    const rate = prices.interfaceEndpointAzHour;
    line('interface-endpoints', `${endpointAzs.length} interface endpoint(s)`, `${azs} endpoint-AZs × ${h} h${rate === undefined ? '' : ` at $${rate}/h`}`,
      rate === undefined ? undefined : azs * h * rate, rate === undefined ? missing('interface endpoint') : 'data processed through them not included');
  }

  const acls = ofType('AWS::WAFv2::WebACL');
  if (acls.length > 0) {
    const rules = acls.reduce((sum, acl) => sum + (Array.isArray(acl.props.Rules) ? acl.props.Rules.length : 0), 0);
    line('waf-web-acl', `${acls.length} WAF web ACL(s)`, `${acls.length}${prices.wafWebAclMonth === undefined ? '' : ` × $${prices.wafWebAclMonth}/month`}`,
      prices.wafWebAclMonth === undefined ? undefined : acls.length * prices.wafWebAclMonth, prices.wafWebAclMonth === undefined ? missing('WAF') : undefined);
    line('waf-rules', `${rules} WAF rule(s) and rule group(s)`, `${rules}${prices.wafRuleMonth === undefined ? '' : ` × $${prices.wafRuleMonth}/month`}`,
      prices.wafRuleMonth === undefined ? undefined : rules * prices.wafRuleMonth, prices.wafRuleMonth === undefined ? missing('WAF rule') : undefined);
    line('waf-requests', 'WAF requests', 'per million requests', undefined, 'depends on traffic (https://aws.amazon.com/waf/pricing/)');
  }

  const keys = ofType('AWS::KMS::Key').length;
  if (keys > 0) {
    line('kms-keys', `${keys} customer-managed KMS key(s)`, `${keys} × $${prices.kmsKeyMonth}/month`, keys * prices.kmsKeyMonth, 'API requests not included');
  }

  const alarms = ofType('AWS::CloudWatch::Alarm');
  if (alarms.length > 0) {
    let standard = 0;
    let high = 0;
    for (const alarm of alarms) {
      const metrics: any[] = Array.isArray(alarm.props.Metrics) ? alarm.props.Metrics.filter((m: any) => m.MetricStat) : [];
      const periods = metrics.length > 0 ? metrics.map(m => Number(m.MetricStat.Period)) : [Number(alarm.props.Period)];
      const count = Math.max(1, metrics.length);
      // An alarm is high resolution when it evaluates a period under 60 seconds.
      if (periods.some(p => p < 60)) high += count; else standard += count;
    }
    const rate = prices.alarmMetricMonth;
    const highRate = prices.highResolutionAlarmMetricMonth;
    line('alarms', `${alarms.length} CloudWatch alarm(s)`,
      `${standard} standard-resolution alarm metric(s)${rate === undefined ? '' : ` at $${rate}`} + ${high} high-resolution${highRate === undefined ? '' : ` at $${highRate}`} per month`,
      rate === undefined || highRate === undefined ? undefined : standard * rate + high * highRate,
      rate === undefined || highRate === undefined ? missing('CloudWatch alarm') : 'a metric math alarm is billed per metric it reads');
  }
  const composites = ofType('AWS::CloudWatch::CompositeAlarm').length;
  if (composites > 0) {
    line('composite-alarms', `${composites} composite alarm(s)`, String(composites), undefined, missing('composite alarm'));
  }
  const dashboards = ofType('AWS::CloudWatch::Dashboard').length;
  if (dashboards > 0) {
    const rate = prices.dashboardMonth;
    line('dashboards', `${dashboards} CloudWatch dashboard(s)`, `${dashboards}${rate === undefined ? '' : ` × $${rate}/month`}`,
      rate === undefined ? undefined : dashboards * rate, rate === undefined ? missing('dashboard') : 'the first 3 dashboards of an account are free');
  }

  const insights = ofType('AWS::ECS::Cluster').map(c => (c.props.ClusterSettings ?? []).find((s: any) => s.Name === 'containerInsights')?.Value)
    .filter((v: unknown) => v === 'enabled' || v === 'enhanced');
  if (insights.length > 0) {
    line('container-insights', `Container Insights (${[...new Set(insights)].join(', ')})`, `${insights.length} cluster(s)`, undefined,
      'billed per metric or observation, which grows with the tasks and containers running (https://aws.amazon.com/cloudwatch/pricing/)');
  }

  const flowLogs = ofType('AWS::EC2::FlowLog').length;
  const ingestion = prices.logsIngestionGb;
  if (flowLogs > 0) {
    const gb = flowLogs * a.flowLogGbPerVpc;
    line('flow-logs', `${flowLogs} VPC flow log(s) to CloudWatch Logs`, `${fmt(gb)} GB ingested${ingestion === undefined ? '' : ` at $${ingestion}/GB`}`,
      ingestion === undefined ? undefined : gb * ingestion, ingestion === undefined ? missing('CloudWatch Logs') : undefined);
  }
  const taskDefinitions = ofType('AWS::ECS::TaskDefinition').length;
  if (taskDefinitions > 0) {
    const gb = taskDefinitions * a.logGbPerWorkload;
    line('task-logs', 'container logs', `${taskDefinitions} task definition(s) × ${a.logGbPerWorkload} GB ingested${ingestion === undefined ? '' : ` at $${ingestion}/GB`}`,
      ingestion === undefined ? undefined : gb * ingestion, ingestion === undefined ? missing('CloudWatch Logs') : undefined);
  }
  const logGroups = ofType('AWS::Logs::LogGroup').length;
  if (logGroups > 0) {
    line('log-storage', `${logGroups} log group(s): storage`, `${logGroups} log group(s)`, undefined,
      'grows with volume and retention: the table has no storage price (https://aws.amazon.com/cloudwatch/pricing/)');
  }
  const buckets = ofType('AWS::S3::Bucket').length;
  if (buckets > 0) {
    line('s3-buckets', `${buckets} S3 bucket(s) (access logs)`, `${buckets} bucket(s)`, undefined, 'storage and requests depend on traffic: the table has no S3 price');
  }
  const fileSystems = ofType('AWS::EFS::FileSystem').length;
  if (fileSystems > 0) {
    line('efs', `${fileSystems} EFS file system(s)`, `${fileSystems} × ${a.efsStorageGb} GB Standard at $${prices.efsStandardGbMonth}/GB-month`,
      fileSystems * a.efsStorageGb * prices.efsStandardGbMonth);
  }
  return lines;
}

/** Fargate tasks of the template's ECS services: each service's baseline tasks, on demand and Spot. */
function priceTasks(resources: Resource[], prices: RegionPrices, a: ResolvedAssumptions,
  line: (key: string, item: string, quantity: string, monthly: number | undefined, note?: string) => void): void {
  const byId = new Map(resources.map(r => [r.id, r]));
  const associations = resources.filter(r => r.type === 'AWS::ECS::ClusterCapacityProviderAssociations');
  const h = a.hoursPerMonth;
  const totals = { FARGATE: { tasks: 0, vcpuH: 0, gbH: 0, usd: 0 }, FARGATE_SPOT: { tasks: 0, vcpuH: 0, gbH: 0, usd: 0 } };
  const unpriced: string[] = [];
  for (const service of resources.filter(r => r.type === 'AWS::ECS::Service')) {
    const td = byId.get(service.props.TaskDefinition?.Ref);
    const tasks = baselineTasks(resources, service);
    if (!td || tasks === 0) continue;
    const vcpu = Number(td.props.Cpu) / 1024;
    const gb = Number(td.props.Memory) / 1024;
    const arm = td.props.RuntimePlatform?.CpuArchitecture === 'ARM64';
    const windows = String(td.props.RuntimePlatform?.OperatingSystemFamily ?? 'LINUX').startsWith('WINDOWS');
    const strategies: any[] = service.props.CapacityProviderStrategy
      ?? (service.props.LaunchType ? [{ CapacityProvider: service.props.LaunchType }] : undefined)
      ?? associations.flatMap(r => r.props.DefaultCapacityProviderStrategy ?? []);
    const fargate = strategies.length > 0 && strategies.every(s => s.CapacityProvider === 'FARGATE' || s.CapacityProvider === 'FARGATE_SPOT');
    if (!fargate || windows || !Number.isFinite(vcpu) || !Number.isFinite(gb)) {
      unpriced.push(service.id);
      continue;
    }
    // A single provider without a weight takes every task (ECS ignores the weight of a lone provider).
    const split = splitTasks(tasks, strategies.map(s => ({
      capacityProvider: s.CapacityProvider, base: s.Base, weight: s.Weight ?? (strategies.length === 1 ? 1 : 0),
    })));
    const rate = arm ? prices.fargateArm64 : prices.fargateX86;
    for (const [provider, count, factor] of [['FARGATE', split.onDemand, 1], ['FARGATE_SPOT', split.spot, 1 - a.fargateSpotDiscountPercent / 100]] as const) {
      const t = totals[provider];
      t.tasks += count;
      t.vcpuH += count * vcpu * h;
      t.gbH += count * gb * h;
      t.usd += count * h * fargateHourly({ vcpu, gb }, rate) * factor;
    }
  }
  for (const [provider, key, label] of [['FARGATE', 'fargate', 'Fargate tasks'], ['FARGATE_SPOT', 'fargate-spot', 'Fargate Spot tasks']] as const) {
    const t = totals[provider];
    if (t.tasks === 0) continue;
    line(key, label, `${fmt(t.tasks)} task(s): ${fmt(t.vcpuH)} vCPU-h, ${fmt(t.gbH)} GB-h`
      + (provider === 'FARGATE_SPOT' ? ` − ${a.fargateSpotDiscountPercent} % Spot discount` : ''), t.usd);
  }
  if (unpriced.length > 0) {
    line('other-tasks', `tasks of ${unpriced.join(', ')}`, '-', undefined, 'not on Linux Fargate: the instances they run on are priced with their capacity');
  }
}

/** Tasks a service runs when idle: its desired count, else the minimum of the scalable target that scales it, else 1. */
function baselineTasks(resources: Resource[], service: Resource): number {
  if (service.props.DesiredCount !== undefined) {
    return Number(service.props.DesiredCount);
  }
  const target = resources.find(r => r.type === 'AWS::ApplicationAutoScaling::ScalableTarget'
    && JSON.stringify(r.props.ResourceId ?? '').includes(`"${service.id}"`));
  return target ? Number(target.props.MinCapacity) : 1;
}
