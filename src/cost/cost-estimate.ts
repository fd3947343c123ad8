import { Stack, Token } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as efs from 'aws-cdk-lib/aws-efs';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as kms from 'aws-cdk-lib/aws-kms';
import { IConstruct } from 'constructs';
import { CostContext, estimateStack, resolveAssumptions, ResolvedAssumptions, round } from './cost-model';
import type { CostAssumptions, CostAssumptionValue, CostComparison, CostLine } from './cost-types';
import { PRICE_TABLE_DATE, PRICE_TABLE_SOURCE } from './price-table';
import { Ec2Capacity } from '../cluster/ec2-capacity';
import { ManagedInstancesCapacity } from '../cluster/managed-instances';
import { FoundryTaskDefinition } from '../workload/task-definition';

/**
 * A monthly cost estimate of the resources an app (or any scope) creates with this library.
 *
 * It covers Fargate tasks (on demand and Spot), EC2 capacity and its volumes, NAT gateways, load balancers, EFS,
 * CloudWatch Logs ingestion, VPC interface endpoints and KMS keys, and prices each task definition on Fargate and
 * on EC2.
 *
 * It is an estimate: list prices from a dated table in the library (see `priceTableSource`), and assumptions
 * for everything a template does not say (task counts, data volumes), each printed with the result. Items
 * whose price the table does not have (an unknown region or instance type) are listed as not priced, never
 * guessed. Not included: data transfer, request charges, Container Insights metrics, alarms, taxes, free tiers,
 * Savings Plans and Reserved Instances.
 *
 * @example
 * // After building the app: everything in the stack, two tasks per task definition.
 * const estimate = CostEstimate.of(stack, { tasksPerTaskDefinition: 2 });
 * const report: string = estimate.toMarkdown();
 */
export class CostEstimate {
  /**
   * Estimate the monthly cost of everything in `scope` (an App, a Stage, a Stack or any construct).
   *
   * Call it after the app is built (for example just before or after `app.synth()`).
   */
  public static of(scope: IConstruct, assumptions: CostAssumptions = {}): CostEstimate {
    const resolved = resolveAssumptions(assumptions);
    const byStack = new Map<Stack, IConstruct[]>();
    for (const node of scope.node.findAll()) {
      // The innermost stack above the node (nodes outside any stack, such as the App, hold no resources).
      const stack = [...node.node.scopes].reverse().find(Stack.isStack);
      if (!stack || stack === node) continue;
      const list = byStack.get(stack) ?? [];
      list.push(node);
      byStack.set(stack, list);
    }
    const lines: CostLine[] = [];
    const comparisons: CostComparison[] = [];
    for (const [stack, nodes] of byStack) {
      const result = estimateStack(collect(stack, nodes), resolved);
      lines.push(...result.lines);
      comparisons.push(...result.comparisons);
    }
    return new CostEstimate(lines, comparisons, resolved);
  }

  /** The priced and not priced lines. */
  public readonly lines: CostLine[];
  /** Each task definition on Fargate and on EC2. */
  public readonly comparisons: CostComparison[];
  /** The assumptions, as used. */
  public readonly assumptions: CostAssumptionValue[];
  /** Sum of the priced lines, USD per month. */
  public readonly totalMonthlyUsd: number;
  /** Number of lines that could not be priced (the total leaves them out). */
  public readonly unpricedLines: number;
  /** When the price table was compiled. */
  public readonly priceTableDate: string = PRICE_TABLE_DATE;
  /** Where the prices come from. */
  public readonly priceTableSource: string = PRICE_TABLE_SOURCE;

  private constructor(lines: CostLine[], comparisons: CostComparison[], resolved: ResolvedAssumptions) {
    this.lines = lines;
    this.comparisons = comparisons;
    this.assumptions = resolved.describe();
    this.totalMonthlyUsd = round(lines.reduce((sum, l) => sum + (l.monthlyUsd ?? 0), 0));
    this.unpricedLines = lines.filter(l => l.monthlyUsd === undefined).length;
  }

  /** The estimate as a Markdown report: lines and totals per stack, the comparison, the assumptions. */
  public toMarkdown(): string {
    const out: string[] = [];
    out.push('## Monthly cost estimate');
    out.push('');
    out.push(`This is an estimate, not a quote: list prices from a table dated ${this.priceTableDate} (${this.priceTableSource}), `
      + 'and the assumptions below. Not included: data transfer, request charges, Container Insights metrics, alarms, taxes, '
      + 'free tiers, Savings Plans and Reserved Instances.');
    const stacks = [...new Set(this.lines.map(l => l.stack))];
    for (const stack of stacks) {
      const lines = this.lines.filter(l => l.stack === stack);
      const total = round(lines.reduce((sum, l) => sum + (l.monthlyUsd ?? 0), 0));
      const unpriced = lines.filter(l => l.monthlyUsd === undefined).length;
      out.push('');
      out.push(`### ${stack} (${lines[0].region})`);
      out.push('');
      out.push('| Category | Item | Quantity | USD/month |');
      out.push('|---|---|---|---:|');
      for (const l of lines) {
        const figure = l.monthlyUsd === undefined ? `not priced: ${l.note ?? ''}` : money(l.monthlyUsd) + (l.note ? ` (${l.note})` : '');
        out.push(`| ${l.category} | ${l.item} | ${l.quantity} | ${figure} |`);
      }
      out.push(`| **Total** | | | **${money(total)}**${unpriced > 0 ? ` + ${unpriced} item(s) not priced` : ''} |`);
    }
    if (stacks.length > 1) {
      out.push('');
      out.push(`**All stacks: ${money(this.totalMonthlyUsd)} USD/month**${this.unpricedLines > 0 ? ` + ${this.unpricedLines} item(s) not priced` : ''}`);
    }
    if (this.comparisons.length > 0) {
      out.push('');
      out.push('### Fargate or EC2? The same tasks, on demand');
      out.push('');
      out.push('| Task definition | Tasks | Fargate USD/month | EC2 | EC2 USD/month | Note |');
      out.push('|---|---:|---:|---|---:|---|');
      for (const c of this.comparisons) {
        const instances = c.ec2Instances === undefined ? c.ec2InstanceType : `${c.ec2Instances} × ${c.ec2InstanceType}`;
        out.push(`| ${c.stack}/${c.taskDefinition} | ${c.tasks} | ${c.fargateMonthlyUsd === undefined ? 'n/a' : money(c.fargateMonthlyUsd)} `
          + `| ${instances} | ${c.ec2MonthlyUsd === undefined ? 'n/a' : money(c.ec2MonthlyUsd)} | ${c.note} |`);
      }
    }
    out.push('');
    out.push('### Assumptions');
    out.push('');
    for (const a of this.assumptions) {
      out.push(`- \`${a.name}\` = ${a.value}: ${a.description}`);
    }
    return out.join('\n');
  }

  /** The estimate as JSON (lines, comparisons, assumptions, totals, price table date and source). */
  public toJson(): string {
    return JSON.stringify({
      estimate: 'monthly, USD, on-demand list prices; an estimate, not a quote',
      priceTableDate: this.priceTableDate,
      priceTableSource: this.priceTableSource,
      totalMonthlyUsd: this.totalMonthlyUsd,
      unpricedLines: this.unpricedLines,
      lines: this.lines,
      comparisons: this.comparisons,
      assumptions: this.assumptions,
    }, undefined, 2);
  }
}

/** Everything in one stack that the estimate prices. */
function collect(stack: Stack, nodes: IConstruct[]): CostContext {
  const region = Token.isUnresolved(stack.region) ? undefined : stack.region;
  return {
    stack,
    region,
    taskDefinitions: nodes.filter((n): n is FoundryTaskDefinition => n instanceof FoundryTaskDefinition),
    ec2Capacities: nodes.filter((n): n is Ec2Capacity => n instanceof Ec2Capacity),
    managedInstancesCapacities: nodes.filter((n): n is ManagedInstancesCapacity => n instanceof ManagedInstancesCapacity),
    natGateways: nodes.filter(n => n instanceof ec2.CfnNatGateway).length,
    loadBalancers: nodes.filter((n): n is elbv2.CfnLoadBalancer => n instanceof elbv2.CfnLoadBalancer)
      .map(lb => stack.resolve(lb.type) ?? 'application'),
    fileSystems: nodes.filter(n => n instanceof efs.CfnFileSystem).length,
    flowLogs: nodes.filter(n => n instanceof ec2.CfnFlowLog).length,
    interfaceEndpointAzs: nodes.filter((n): n is ec2.CfnVPCEndpoint => n instanceof ec2.CfnVPCEndpoint)
      .filter(e => stack.resolve(e.vpcEndpointType) === 'Interface')
      .map(e => {
        const subnets = stack.resolve(e.subnetIds);
        return Array.isArray(subnets) ? subnets.length : 1;
      }),
    kmsKeys: nodes.filter(n => n instanceof kms.CfnKey).length,
  };
}

function money(value: number): string {
  return value.toFixed(2);
}
