import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import { costOfDefaults, CostOfDefaults, costOfDefaultsMarkdown } from '../../bench/cost-of-defaults';
import { CostEstimate, FoundryCluster, NatGatewayStrategy, WebLoadBalancer, WebService } from '../../src';
import { resolveAssumptions, round } from '../../src/cost/cost-model';
import { REGION_PRICES } from '../../src/cost/price-table';
import { CfnTemplate, priceTemplate, TemplateCostLine } from '../../src/cost/template-cost';

const P = REGION_PRICES['us-east-1'];
const A = resolveAssumptions({});
const CERTIFICATE_ARN = 'arn:aws:acm:us-east-1:123456789012:certificate/11111111-2222-3333-4444-555555555555';

const byKey = (lines: TemplateCostLine[], key: string) => lines.find(l => l.key === key);
const sum = (lines: TemplateCostLine[]) => round(lines.reduce((s, l) => s + (l.monthlyUsd ?? 0), 0));

describe('cost of the defaults (bench)', () => {
  let c: CostOfDefaults;
  let markdown: string;
  beforeAll(() => {
    c = costOfDefaults();
    markdown = costOfDefaultsMarkdown();
  });

  test('every figure comes from the price table', () => {
    for (const side of [c.ours, c.peer]) {
      expect(byKey(side, 'nat-gateways')?.monthlyUsd).toBe(round(2 * 730 * P.natGatewayHour));
      expect(byKey(side, 'nat-data')?.monthlyUsd).toBe(round(2 * 100 * P.natGatewayGb));
      expect(byKey(side, 'alb')?.monthlyUsd).toBe(round(730 * P.albHour));
      expect(byKey(side, 'task-logs')?.monthlyUsd).toBe(round(5 * P.logsIngestionGb!));
    }
    // 0.25 vCPU and 0.5 GB per task: ours runs 2 tasks by default, the peer 1.
    const task = 730 * (0.25 * P.fargateX86.vcpuHour + 0.5 * P.fargateX86.gbHour);
    expect(byKey(c.ours, 'fargate')?.monthlyUsd).toBe(round(2 * task));
    expect(byKey(c.peer, 'fargate')?.monthlyUsd).toBe(round(task));
    expect(byKey(c.ours, 'waf-web-acl')?.monthlyUsd).toBe(P.wafWebAclMonth);
    expect(byKey(c.ours, 'waf-rules')?.monthlyUsd).toBe(3 * P.wafRuleMonth!);
    expect(byKey(c.ours, 'kms-keys')?.monthlyUsd).toBe(P.kmsKeyMonth);
    expect(byKey(c.ours, 'dashboards')?.monthlyUsd).toBe(P.dashboardMonth);
    expect(byKey(c.ours, 'flow-logs')?.monthlyUsd).toBe(round(10 * P.logsIngestionGb!));
    // The peer creates none of the compliance lines.
    for (const key of ['waf-web-acl', 'kms-keys', 'alarms', 'dashboards', 'flow-logs', 'container-insights', 'interface-endpoints']) {
      expect(byKey(c.peer, key)).toBeUndefined();
    }
    // The default cluster has NAT gateways: no interface endpoint.
    expect(byKey(c.ours, 'interface-endpoints')).toBeUndefined();
  });

  test('lines without a price are listed as not priced with the reason, and left out of the totals', () => {
    const unpriced = c.ours.filter(l => l.monthlyUsd === undefined);
    expect(unpriced.map(l => l.key).sort()).toEqual(['container-insights', 'log-storage', 's3-buckets', 'waf-requests']);
    for (const line of unpriced) {
      expect(line.note).toMatch(/\w/);
      expect(markdown).toContain(`not priced: ${line.note}`);
    }
  });

  test('the totals add up and the difference is theirs', () => {
    expect(c.oursTotal).toBe(sum(c.ours));
    expect(c.peerTotal).toBe(sum(c.peer));
    expect(c.oursTotal).toBeGreaterThan(c.peerTotal);
    expect(markdown).toContain(`| **Total (priced lines)** | | **${c.oursTotal.toFixed(2)}** | | **${c.peerTotal.toFixed(2)}** |`);
    expect(markdown).toContain(`ours costs **${round(c.oursTotal - c.peerTotal).toFixed(2)} USD/month** more`);
    // One row per line of either side, each with its reason.
    const rows = markdown.split('\n').filter(l => l.startsWith('| ') && !l.startsWith('| Line') && !l.startsWith('| **Total'));
    expect(rows).toHaveLength(new Set([...c.ours, ...c.peer].map(l => l.key)).size);
    for (const row of rows) {
      expect(row.split(' | ').at(-1)).toMatch(/\w/);
    }
  });
});

describe('priceTemplate', () => {
  test('prices the library\'s own resources as CostEstimate does', () => {
    const stack = new Stack(new App(), 'Ours', { env: { account: '123456789012', region: 'us-east-1' } });
    const cluster = new FoundryCluster(stack, 'Cluster', { natGateways: NatGatewayStrategy.NONE });
    const alb = new WebLoadBalancer(stack, 'Alb', { cluster, certificate: acm.Certificate.fromCertificateArn(stack, 'Certificate', CERTIFICATE_ARN) });
    new WebService(stack, 'Web', { cluster, loadBalancer: alb, hostHeaders: ['web.example.com'], image: ecs.ContainerImage.fromEcrRepository(ecr.Repository.fromRepositoryName(stack, 'Repo', 'app'), '1.0.0'), port: 8080 });
    const lines = priceTemplate(Template.fromStack(stack).toJSON() as CfnTemplate, 'us-east-1', A);
    const estimate = CostEstimate.of(stack).lines;
    const of = (category: string) => round(estimate.filter(l => l.category === category).reduce((s, l) => s + (l.monthlyUsd ?? 0), 0));
    expect(byKey(lines, 'fargate')?.monthlyUsd).toBe(of('Fargate'));
    expect(byKey(lines, 'interface-endpoints')?.monthlyUsd).toBe(of('VPC endpoints'));
    expect(byKey(lines, 'kms-keys')?.monthlyUsd).toBe(of('KMS'));
    expect(round(byKey(lines, 'alb')!.monthlyUsd! + byKey(lines, 'alb-capacity')!.monthlyUsd!)).toBe(of('Load balancer'));
    expect(round(byKey(lines, 'flow-logs')!.monthlyUsd! + byKey(lines, 'task-logs')!.monthlyUsd!)).toBe(of('CloudWatch Logs'));
    // Endpoints on demand: 3 interface endpoints over 2 AZs.
    expect(byKey(lines, 'interface-endpoints')).toMatchObject({ item: '3 interface endpoint(s)', monthlyUsd: round(6 * 730 * P.interfaceEndpointAzHour!) });
  });

  test('tasks: the scaling minimum when there is no desired count, Spot with its discount, Windows and EC2 not priced', () => {
    const template: CfnTemplate = {
      Resources: {
        Td: { Type: 'AWS::ECS::TaskDefinition', Properties: { Cpu: '1024', Memory: '2048', RuntimePlatform: { CpuArchitecture: 'ARM64' } } },
        Svc: {
          Type: 'AWS::ECS::Service',
          Properties: { TaskDefinition: { Ref: 'Td' }, CapacityProviderStrategy: [{ CapacityProvider: 'FARGATE', Base: 1, Weight: 1 }, { CapacityProvider: 'FARGATE_SPOT', Weight: 1 }] },
        },
        Target: { Type: 'AWS::ApplicationAutoScaling::ScalableTarget', Properties: { MinCapacity: 3, ResourceId: { 'Fn::Join': ['', ['service/', { 'Fn::GetAtt': ['Svc', 'Name'] }]] } } },
        Win: { Type: 'AWS::ECS::TaskDefinition', Properties: { Cpu: '1024', Memory: '2048', RuntimePlatform: { OperatingSystemFamily: 'WINDOWS_SERVER_2022_CORE' } } },
        WinSvc: { Type: 'AWS::ECS::Service', Properties: { TaskDefinition: { Ref: 'Win' }, DesiredCount: 1, LaunchType: 'FARGATE' } },
        Ec2Svc: { Type: 'AWS::ECS::Service', Properties: { TaskDefinition: { Ref: 'Td' }, DesiredCount: 1, LaunchType: 'EC2' } },
        Alarm: { Type: 'AWS::CloudWatch::Alarm', Properties: { Period: 20 } },
        Math: { Type: 'AWS::CloudWatch::Alarm', Properties: { Metrics: [{ MetricStat: { Period: 60 } }, { MetricStat: { Period: 60 } }, { Expression: 'm1/m2' }] } },
      },
    };
    const lines = priceTemplate(template, 'us-east-1', A);
    const hourly = 1 * P.fargateArm64.vcpuHour + 2 * P.fargateArm64.gbHour;
    // 3 tasks: the base of 1 on demand, the other 2 split 1:1.
    expect(byKey(lines, 'fargate')?.monthlyUsd).toBe(round(2 * 730 * hourly));
    expect(byKey(lines, 'fargate-spot')?.monthlyUsd).toBe(round(730 * hourly * 0.3));
    expect(byKey(lines, 'other-tasks')).toMatchObject({ item: 'tasks of WinSvc, Ec2Svc', monthlyUsd: undefined });
    // A 20-second alarm is high resolution; a metric math alarm is billed per metric it reads.
    expect(byKey(lines, 'alarms')?.monthlyUsd).toBe(round(P.highResolutionAlarmMetricMonth! + 2 * P.alarmMetricMonth!));
  });

  test('a region the table does not have is not priced, never guessed', () => {
    expect(priceTemplate({ Resources: { Nat: { Type: 'AWS::EC2::NatGateway' } } }, 'ap-south-2', A))
      .toEqual([{ key: 'region', item: 'everything', quantity: '-', note: 'the price table has no prices for ap-south-2' }]);
    const ireland = priceTemplate({ Resources: { Acl: { Type: 'AWS::WAFv2::WebACL', Properties: { Rules: [{}] } } } }, 'eu-west-1', A);
    expect(byKey(ireland, 'waf-web-acl')).toMatchObject({ monthlyUsd: undefined, note: 'the price table has no WAF price for eu-west-1' });
  });
});
