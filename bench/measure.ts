/**
 * What the benchmark reads from a synthesized stack: resources, template bytes, findings and the modeled time to
 * replace a task, plus the statistics it reports.
 */
import * as fs from 'fs';
import * as path from 'path';
import { App } from 'aws-cdk-lib';
import { build, CFN_GUARD_PLUGIN, cleanUp, newApp, STACK_NAME, Workload } from './workloads';
import { CFN_VALIDATE, NAG_PACKS, readFindings } from '../test/support/compliance';

/** CloudFormation's resource quota per stack. */
export const MAX_RESOURCES = 500;
/** CloudFormation's template size quota (a template uploaded through S3, as `cdk deploy` does). */
export const MAX_TEMPLATE_BYTES = 1_000_000;
/** The plugins findings are counted for: the four cdk-nag packs, the Control Tower proactive controls (cfn-guard) and CloudFormation validation. */
export const PLUGINS: readonly string[] = [...NAG_PACKS, CFN_GUARD_PLUGIN, CFN_VALIDATE];

/** ELB target group defaults when a template leaves them out. */
const ELB_DEFAULT_INTERVAL_SECONDS = 30;
const ELB_DEFAULT_HEALTHY_THRESHOLD = 5;
const ELB_DEFAULT_DEREGISTRATION_DELAY_SECONDS = 300;

export interface TemplateStats {
  readonly resources: number;
  readonly bytes: number;
  readonly byType: Record<string, number>;
  /** Bytes of each type's resources, as JSON with the template's one-space indentation (nesting aside). */
  readonly bytesByType: Record<string, number>;
  readonly template: CfnTemplate;
}

export interface CfnResource {
  readonly Type: string;
  readonly Properties?: Record<string, any>;
}

export interface CfnTemplate {
  readonly Resources: Record<string, CfnResource>;
}

/** Synthesize `count` services of a workload (no validation, no resource limit) and read the template. */
export function synthTemplate(workload: Workload, count: number): TemplateStats {
  const app = newApp({ validation: false, unlimitedResources: true });
  try {
    build(app, workload, count);
    return readTemplate(app);
  } finally {
    cleanUp(app);
  }
}

/** Synthesize an app and read its bench stack. */
export function readTemplate(app: App): TemplateStats {
  const assembly = app.synth();
  const file = path.join(assembly.directory, `${STACK_NAME}.template.json`);
  const text = fs.readFileSync(file, 'utf-8');
  const template = JSON.parse(text) as CfnTemplate;
  const byType: Record<string, number> = {};
  const bytesByType: Record<string, number> = {};
  for (const [logicalId, resource] of Object.entries(template.Resources)) {
    byType[resource.Type] = (byType[resource.Type] ?? 0) + 1;
    bytesByType[resource.Type] = (bytesByType[resource.Type] ?? 0)
      + Buffer.byteLength(JSON.stringify({ [logicalId]: resource }, undefined, 1));
  }
  return { resources: Object.keys(template.Resources).length, bytes: Buffer.byteLength(text), byType, bytesByType, template };
}

/** Whether `count` services synthesize with aws-cdk-lib's own 500-resource check on; the error when not. */
export function synthWithinLimit(workload: Workload, count: number): { ok: boolean; error?: string } {
  const app = newApp({ validation: false });
  try {
    build(app, workload, count);
    app.synth();
    return { ok: true };
  } catch (e) {
    return { ok: false, error: (e as Error).message.split('\n')[0] };
  } finally {
    cleanUp(app);
  }
}

/** Resource types added (or removed) going from `a` to `b`. */
export function typeDelta(a: Record<string, number>, b: Record<string, number>): Record<string, number> {
  const delta: Record<string, number> = {};
  for (const type of new Set([...Object.keys(a), ...Object.keys(b)])) {
    const d = (b[type] ?? 0) - (a[type] ?? 0);
    if (d !== 0) {
      delta[type] = d;
    }
  }
  return delta;
}

export interface PluginFindings {
  /** Unacknowledged findings (violating constructs), errors and warnings alike. */
  readonly open: number;
  /** Acknowledged findings. */
  readonly acknowledged: number;
  /** Open findings by rule. */
  readonly rules: Record<string, number>;
}

/** Synthesize `count` services of a workload with the four cdk-nag packs, the Control Tower controls and strict CloudFormation validation. */
export function synthFindings(workload: Workload, count: number): Record<string, PluginFindings> {
  const app = newApp({ validation: true, unlimitedResources: true });
  try {
    build(app, workload, count);
    const assembly = app.synth();
    const reportFile = path.join(assembly.directory, 'validation-report.json');
    const report = fs.existsSync(reportFile) ? JSON.parse(fs.readFileSync(reportFile, 'utf-8')) : { pluginReports: [] };
    const result: Record<string, PluginFindings> = {};
    for (const plugin of PLUGINS) {
      const rules: Record<string, number> = {};
      const open = readFindings(report).filter(f => f.plugin === plugin);
      for (const f of open) {
        rules[f.rule] = (rules[f.rule] ?? 0) + 1;
      }
      const pluginReport = (report.pluginReports ?? []).find((p: any) => p.pluginName === plugin);
      const acknowledged = (pluginReport?.suppressedViolations ?? [])
        .reduce((sum: number, v: any) => sum + (v.violatingConstructs?.length ?? 0), 0);
      result[plugin] = { open: open.length, acknowledged, rules };
    }
    return result;
  } finally {
    cleanUp(app);
  }
}

/** What each ECS service has of its own: the evidence for per-service least privilege. */
export interface Isolation {
  readonly services: number;
  /** Distinct execution roles among the task definitions. */
  readonly executionRoles: number;
  /** Distinct task roles, and task definitions without one (an application with no AWS permission at all). */
  readonly taskRoles: number;
  readonly withoutTaskRole: number;
  /** Distinct security groups among the services, and services sharing a group with another service. */
  readonly securityGroups: number;
  readonly servicesSharingAGroup: number;
  /** Distinct log groups among the containers. */
  readonly logGroups: number;
  /** IAM policies attached to more than one role. */
  readonly sharedPolicies: number;
}

/** Which roles, security groups, log groups and policies the services of a template share. */
export function isolation(template: CfnTemplate): Isolation {
  const resources = Object.entries(template.Resources);
  const ref = (value: any): string | undefined => value?.Ref ?? value?.['Fn::GetAtt']?.[0];
  const taskDefinitions = resources.filter(([, r]) => r.Type === 'AWS::ECS::TaskDefinition').map(([, r]) => r.Properties ?? {});
  const services = resources.filter(([, r]) => r.Type === 'AWS::ECS::Service').map(([, r]) => r.Properties ?? {});
  const executionRoles = new Set(taskDefinitions.map(t => ref(t.ExecutionRoleArn)).filter(x => x));
  const taskRoleRefs = taskDefinitions.map(t => ref(t.TaskRoleArn));
  const groupsPerService = services.map(s => (s.NetworkConfiguration?.AwsvpcConfiguration?.SecurityGroups ?? []).map(ref) as string[]);
  const groupUse: Record<string, number> = {};
  for (const group of groupsPerService.flat()) {
    groupUse[group] = (groupUse[group] ?? 0) + 1;
  }
  const logGroups = new Set(taskDefinitions.flatMap(t => (t.ContainerDefinitions ?? [])
    .map((c: any) => ref(c.LogConfiguration?.Options?.['awslogs-group'])).filter((x: string | undefined) => x)));
  const policyRoles = resources
    .filter(([, r]) => r.Type === 'AWS::IAM::ManagedPolicy' || r.Type === 'AWS::IAM::Policy')
    .map(([, r]) => (r.Properties?.Roles ?? []).length);
  const managedAttachments: Record<string, number> = {};
  for (const [, r] of resources.filter(([, x]) => x.Type === 'AWS::IAM::Role')) {
    for (const arn of r.Properties?.ManagedPolicyArns ?? []) {
      const id = ref(arn);
      if (id) {
        managedAttachments[id] = (managedAttachments[id] ?? 0) + 1;
      }
    }
  }
  return {
    services: services.length,
    executionRoles: executionRoles.size,
    taskRoles: new Set(taskRoleRefs.filter(x => x)).size,
    withoutTaskRole: taskRoleRefs.filter(x => !x).length,
    securityGroups: new Set(groupsPerService.flat()).size,
    servicesSharingAGroup: groupsPerService.filter(groups => groups.some(g => groupUse[g] > 1)).length,
    logGroups: logGroups.size,
    sharedPolicies: policyRoles.filter(n => n > 1).length + Object.values(managedAttachments).filter(n => n > 1).length,
  };
}

export interface ReplacementModel {
  readonly targetGroup: string;
  readonly intervalSeconds: number;
  readonly healthyThreshold: number;
  readonly deregistrationDelaySeconds: number;
  /** interval × healthy threshold + deregistration delay. */
  readonly seconds: number;
  /** Which values were ELB defaults because the template leaves them out. */
  readonly defaulted: string[];
}

/**
 * The modeled time to replace a task, from the first service's target group (ELB defaults when absent); undefined for
 * services behind no load balancer (workers, Service Connect backends).
 */
export function replacementModel(template: CfnTemplate): ReplacementModel | undefined {
  const entry = Object.entries(template.Resources).find(([, r]) => r.Type === 'AWS::ElasticLoadBalancingV2::TargetGroup');
  if (!entry) {
    return undefined;
  }
  const [logicalId, resource] = entry;
  const props = resource.Properties ?? {};
  const defaulted: string[] = [];
  const interval = numberOr(props.HealthCheckIntervalSeconds, ELB_DEFAULT_INTERVAL_SECONDS, 'interval', defaulted);
  const healthy = numberOr(props.HealthyThresholdCount, ELB_DEFAULT_HEALTHY_THRESHOLD, 'healthy threshold', defaulted);
  const attribute = (props.TargetGroupAttributes ?? []).find((a: any) => a.Key === 'deregistration_delay.timeout_seconds');
  const delay = numberOr(attribute?.Value, ELB_DEFAULT_DEREGISTRATION_DELAY_SECONDS, 'deregistration delay', defaulted);
  return {
    targetGroup: logicalId,
    intervalSeconds: interval,
    healthyThreshold: healthy,
    deregistrationDelaySeconds: delay,
    seconds: interval * healthy + delay,
    defaulted,
  };
}

function numberOr(value: unknown, fallback: number, name: string, defaulted: string[]): number {
  if (value === undefined) {
    defaulted.push(name);
    return fallback;
  }
  const n = Number(value);
  if (!Number.isFinite(n)) {
    throw new Error(`The target group's ${name} is not a number: ${JSON.stringify(value)}.`);
  }
  return n;
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** Elapsed milliseconds since `start` (from `process.hrtime.bigint()`). */
export function msSince(start: bigint): number {
  return Number(process.hrtime.bigint() - start) / 1e6;
}
