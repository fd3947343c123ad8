import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';

/**
 * The public API as jsii publishes it to TypeScript, Python, Java, .NET and Go: read from the compiled assembly
 * (`.jsii`), which is what Construct Hub, API.md and every binding are generated from.
 *
 * - The exported types are exactly the reviewed list below: a new public type (or one that leaks out) is a
 *   conscious change made here, in the same commit.
 * - `src/index.ts` exports names explicitly (no `export *`), and only types the assembly has: no helper functions,
 *   constants or plumbing structs reach TypeScript users either.
 * - Every public type and member has a summary (the first sentence, which API.md's summary column shows and cuts
 *   at the first ';') that stands alone, and every optional struct property states its `@default`.
 */

const ROOT = path.join(__dirname, '..');
const ASSEMBLY = path.join(ROOT, '.jsii');
const INDEX = path.join(ROOT, 'src', 'index.ts');

/** The reviewed public surface. Adding or removing a name here is an API change: say so in the README's upgrade notes. */
const PUBLIC_TYPES: string[] = [
  'AccessPointOptions',
  'BackendService',
  'BackendServiceProps',
  'BlueGreenOptions',
  'CanaryOptions',
  'Capacity',
  'CapacityType',
  'CircuitBreakerThreshold',
  'ContainerOptions',
  'ContainerPortOptions',
  'ContainerRestartPolicy',
  'CostAssumptionValue',
  'CostAssumptions',
  'CostComparison',
  'CostEstimate',
  'CostLine',
  'DeploymentLifecycleHook',
  'DeploymentOptions',
  'DeploymentStrategy',
  'DeploymentStrategyType',
  'EbsVolumeOptions',
  'Ec2Capacity',
  'Ec2CapacityOptions',
  'Ec2CapacityProps',
  'Ec2InstanceUpdate',
  'Ec2MachineImage',
  'Ec2SpotOptions',
  'FoundryCluster',
  'FoundryClusterProps',
  'FoundryNetworkOptions',
  'FoundryTaskDefinition',
  'FoundryTaskDefinitionProps',
  'IBackendService',
  'IFoundryCluster',
  'IFoundryService',
  'LinearOptions',
  'LoadBalancerOptions',
  'ManagedInstancesCapacity',
  'ManagedInstancesCapacityOptions',
  'ManagedInstancesCapacityProps',
  'ManagedInstancesCapacityReservationOptions',
  'ManagedInstancesPurchaseOption',
  'ManagedInstancesReservationPreference',
  'MetricScalingOptions',
  'NatGatewayStrategy',
  'NetworkLoadBalancerOptions',
  'NetworkProtocol',
  'NetworkService',
  'NetworkServiceProps',
  'PredictiveScalingMetric',
  'PredictiveScalingMode',
  'PredictiveScalingOptions',
  'PrivateLinkOptions',
  'QueueScalingOptions',
  'RequestServiceOptions',
  'ScalingOptions',
  'ScalingStep',
  'Schedule',
  'ScheduledScalingOptions',
  'ScheduledTask',
  'ScheduledTaskProps',
  'ServiceAlarm',
  'ServiceAlarmOptions',
  'ServiceAlarms',
  'ServiceAlarmsProps',
  'ServiceConnectTlsOptions',
  'ServiceDashboard',
  'ServiceDashboardProps',
  'ServiceOptions',
  'ServiceScaling',
  'SharedVolume',
  'SharedVolumeMountOptions',
  'SharedVolumeOptions',
  'SharedVolumeProps',
  'SidecarOptions',
  'SpotCapacityOptions',
  'StoppedTaskAlerts',
  'StoppedTaskAlertsOptions',
  'StoppedTaskAlertsProps',
  'TargetHealthCheckOptions',
  'TaskCountAssumption',
  'TrafficShiftOptions',
  'VolumeMountOptions',
  'WebHealthCheckOptions',
  'WebLoadBalancer',
  'WebLoadBalancerAlarmOptions',
  'WebLoadBalancerOptions',
  'WebLoadBalancerProps',
  'WebDeploymentOptions',
  'WebScalingOptions',
  'WebService',
  'WebServiceProps',
  'WorkerQueueOptions',
  'WorkerService',
  'WorkerServiceProps',
  'WorkloadLinuxOptions',
  'WorkloadLoggingOptions',
  'WorkloadOptions',
  'WorkloadRepository',
  'WorkloadRepositoryOptions',
  'WorkloadRepositoryProps',
];

/**
 * Helpers and plumbing that must never be public (issue 11): they carry no contract a user can rely on, and jsii
 * would publish each of them in five languages.
 */
const NEVER_PUBLIC = [
  // plumbing structs and the shared base
  'WebRoute', 'WebRouteRules', 'AlarmSubject', 'ServiceBaseProps', 'ServiceFrontEnd',
  // helpers
  'validateAlarms', 'validateAlertEmails', 'validateScaling', 'taskSubnets', 'stoppedTaskPattern',
  'orderServiceDeletion', 'MAX_RULES_PER_LISTENER', 'SHUTDOWN_EXIT_CODES',
  // plumbing only Ec2Capacity creates (issue 11 API review)
  'Ec2CapacityTeardown', 'Ec2CapacityTeardownProps', 'IEc2Capacity',
];

/** First sentences that lean on text the summary column does not show. */
const NOT_STANDALONE = /^(see|same|as above|as below|as for|as with|ditto|likewise|idem|also|ditto|like the)\b/i;
const REFERS_ELSEWHERE = /\b(see|as|like) (above|below)\b/i;
/** Promises and leftovers that go stale. */
const STALE = /\b(later releases?|future releases?|not yet implemented|TODO|FIXME|XXX|coming soon)\b/i;

interface Docs { readonly summary?: string; readonly remarks?: string; readonly default?: string }
interface Located { readonly locationInModule?: { readonly filename: string } }
interface TypeRef { readonly primitive?: string; readonly fqn?: string }
interface Parameter { readonly name: string; readonly type?: TypeRef }
interface Property extends Located { readonly name: string; readonly optional?: boolean; readonly docs?: Docs; readonly type?: TypeRef }
interface Method extends Located { readonly name: string; readonly docs?: Docs; readonly parameters?: Parameter[] }
interface EnumMember { readonly name: string; readonly docs?: Docs }
interface JsiiType extends Located {
  readonly fqn: string;
  readonly name: string;
  readonly kind: 'class' | 'interface' | 'enum';
  readonly base?: string;
  readonly datatype?: boolean;
  readonly docs?: Docs;
  readonly properties?: Property[];
  readonly methods?: Method[];
  readonly members?: EnumMember[];
  readonly initializer?: { readonly parameters?: Parameter[] };
}
interface Assembly { readonly name: string; readonly types: Record<string, JsiiType> }

/** A finding, as `file: Type.member: problem`, so a failure names who fixes what. */
interface Finding { readonly file: string; readonly member: string; readonly problem: string }

function newestSource(dir: string): number {
  let newest = 0;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      newest = Math.max(newest, newestSource(full));
    } else if (entry.name.endsWith('.ts')) {
      newest = Math.max(newest, fs.statSync(full).mtimeMs);
    }
  }
  return newest;
}

/** The assembly, compiled first when it is missing or older than the sources (what `npx projen compile` does). */
function loadAssembly(): Assembly {
  const stale = !fs.existsSync(ASSEMBLY) || fs.statSync(ASSEMBLY).mtimeMs < newestSource(path.join(ROOT, 'src'));
  if (stale) {
    execFileSync(path.join(ROOT, 'node_modules', '.bin', 'jsii'), ['--silence-warnings=reserved-word'], {
      cwd: ROOT, stdio: 'pipe', timeout: 10 * 60_000,
    });
  }
  return JSON.parse(fs.readFileSync(ASSEMBLY, 'utf-8')) as Assembly;
}

/** The names `src/index.ts` exports, from its `export { ... } from` and `export type { ... } from` statements. */
function indexExports(source: string): string[] {
  const names: string[] = [];
  for (const match of source.matchAll(/export\s+(?:type\s+)?\{([^}]*)\}\s*from\s*'[^']+'/g)) {
    for (const part of match[1].split(',')) {
      const name = part.trim().split(/\s+as\s+/).pop()!.trim();
      if (name) {
        names.push(name);
      }
    }
  }
  return names;
}

function summaryFindings(file: string, member: string, docs: Docs | undefined): Finding[] {
  const summary = docs?.summary?.trim();
  if (!summary) {
    return [{ file, member, problem: 'no summary' }];
  }
  const findings: Finding[] = [];
  if (summary.includes(';')) {
    findings.push({ file, member, problem: `';' in the first sentence (API.md cuts it there): "${summary}"` });
  }
  if (NOT_STANDALONE.test(summary) || REFERS_ELSEWHERE.test(summary)) {
    findings.push({ file, member, problem: `first sentence does not stand alone: "${summary}"` });
  }
  const text = [summary, docs?.remarks, docs?.default].filter(Boolean).join(' ');
  const stale = STALE.exec(text);
  if (stale) {
    findings.push({ file, member, problem: `stale wording "${stale[0]}"` });
  }
  return findings;
}

function format(findings: Finding[]): string {
  return findings.map(f => `${f.file}: ${f.member}: ${f.problem}`).sort().join('\n');
}

let assembly: Assembly;
let types: JsiiType[];

beforeAll(() => {
  assembly = loadAssembly();
  types = Object.values(assembly.types);
}, 10 * 60_000);

describe('public surface', () => {
  test('src/index.ts names every export (no export *, no exported values of its own)', () => {
    const source = fs.readFileSync(INDEX, 'utf-8');
    expect(source).not.toMatch(/export\s*\*/);
    expect(source).not.toMatch(/export\s+(const|let|var|function|class|enum|interface|type\s+\w+\s*=|default)\b/);
  });

  test('the assembly exports exactly the reviewed list of types', () => {
    expect(types.map(t => t.name).sort()).toEqual([...PUBLIC_TYPES].sort());
  });

  test('src/index.ts exports only types the assembly publishes (no helpers or plumbing for TypeScript users)', () => {
    const published = new Set(types.map(t => t.name));
    const exported = indexExports(fs.readFileSync(INDEX, 'utf-8'));
    expect(exported.length).toBeGreaterThan(0);
    expect(exported.filter(name => !published.has(name))).toEqual([]);
    expect([...published].filter(name => !exported.includes(name)).sort()).toEqual([]);
  });

  test('the runtime module exports only published classes and enums', () => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const runtime = Object.keys(require('../src') as object);
    const published = new Set(types.filter(t => t.kind !== 'interface').map(t => t.name));
    expect(runtime.filter(name => !published.has(name))).toEqual([]);
  });

  test('no helper or plumbing name is public', () => {
    const exported = indexExports(fs.readFileSync(INDEX, 'utf-8'));
    const leaked = [...types.map(t => t.name), ...exported].filter(name => NEVER_PUBLIC.includes(name));
    expect(leaked).toEqual([]);
  });
});

describe('documentation of the public surface', () => {
  test('every public type and member has a first sentence that stands alone', () => {
    const findings: Finding[] = [];
    for (const type of types) {
      const file = type.locationInModule?.filename ?? '?';
      findings.push(...summaryFindings(file, type.name, type.docs));
      for (const p of type.properties ?? []) {
        findings.push(...summaryFindings(p.locationInModule?.filename ?? file, `${type.name}.${p.name}`, p.docs));
      }
      for (const m of type.methods ?? []) {
        findings.push(...summaryFindings(m.locationInModule?.filename ?? file, `${type.name}.${m.name}()`, m.docs));
      }
      for (const m of type.members ?? []) {
        findings.push(...summaryFindings(file, `${type.name}.${m.name}`, m.docs));
      }
    }
    expect(format(findings)).toBe('');
  });

  test('every optional property of a props or options struct states its @default', () => {
    const findings: Finding[] = [];
    for (const type of types.filter(t => t.datatype)) {
      for (const p of (type.properties ?? []).filter(prop => prop.optional)) {
        if (!p.docs?.default?.trim()) {
          findings.push({ file: p.locationInModule?.filename ?? type.locationInModule?.filename ?? '?', member: `${type.name}.${p.name}`, problem: 'optional without @default' });
        }
      }
    }
    expect(format(findings)).toBe('');
  });

  test('time is a Duration: no number property or parameter named in seconds, minutes, hours or days', () => {
    const findings: Finding[] = [];
    const inTimeUnits = /(Millis|Ms|Seconds|Secs|Minutes|Mins|Hours|Days)$/;
    for (const type of types) {
      const file = type.locationInModule?.filename ?? '?';
      for (const p of type.properties ?? []) {
        if (p.type?.primitive === 'number' && inTimeUnits.test(p.name)) {
          findings.push({ file: p.locationInModule?.filename ?? file, member: `${type.name}.${p.name}`, problem: 'a time as a number: make it a Duration' });
        }
      }
      for (const m of [...(type.methods ?? []), ...(type.initializer ? [{ name: 'constructor', ...type.initializer }] : [])]) {
        for (const param of m.parameters ?? []) {
          if (param.type?.primitive === 'number' && inTimeUnits.test(param.name)) {
            findings.push({ file, member: `${type.name}.${m.name}(${param.name})`, problem: 'a time as a number: make it a Duration' });
          }
        }
      }
    }
    expect(format(findings)).toBe('');
  });

  test('every construct takes (scope, id, props), and no other class is built from a scope', () => {
    const findings: Finding[] = [];
    let constructs = 0;
    const isConstruct = (fqn: string | undefined): boolean =>
      fqn === 'constructs.Construct' || (fqn !== undefined && isConstruct(assembly.types[fqn]?.base));
    for (const type of types.filter(t => t.kind === 'class' && t.initializer)) {
      const params = (type.initializer!.parameters ?? []).map(p => p.name);
      const file = type.locationInModule?.filename ?? '?';
      if (isConstruct(type.base)) {
        constructs++;
        if (params.join(',') !== 'scope,id,props') {
          findings.push({ file, member: `${type.name}(${params.join(', ')})`, problem: 'a construct takes (scope, id, props)' });
        }
      } else if (params[0] === 'scope') {
        findings.push({ file, member: `${type.name}(${params.join(', ')})`, problem: 'built from a scope but not a construct: make it one, or its constructor internal' });
      }
    }
    expect(constructs).toBeGreaterThan(10);
    expect(format(findings)).toBe('');
  });

  test('the checks see the whole surface (guards against an empty or foreign assembly)', () => {
    expect(assembly.name).toBe('cdk-ecs-foundry');
    const members = types.reduce((n, t) => n + (t.properties ?? []).length + (t.methods ?? []).length + (t.members ?? []).length, 0);
    expect(types.length).toBe(PUBLIC_TYPES.length);
    expect(members).toBeGreaterThan(300);
  });
});

describe('API review before 1.0 (issue 11)', () => {
  /** A property's type as the assembly records it: the struct or class name, or the primitive. */
  const typeOf = (typeName: string, prop: string): string | undefined => {
    const p = types.find(t => t.name === typeName)?.properties?.find(q => q.name === prop);
    return p?.type?.fqn?.replace(/^cdk-ecs-foundry\./, '') ?? p?.type?.primitive;
  };

  test('options that only a web service supports are on its types only (blue/green, requests per task)', () => {
    const holders = (prop: string) => types.filter(t => (t.properties ?? []).some(p => p.name === prop)).map(t => t.name).sort();
    expect(holders('blueGreen')).toEqual(['WebDeploymentOptions']);
    expect(holders('requestsPerTask')).toEqual(['WebScalingOptions']);
    expect(['WebServiceProps', 'NetworkServiceProps', 'BackendServiceProps', 'WorkerServiceProps'].map(t => [t, typeOf(t, 'deployment'), typeOf(t, 'scaling')]))
      .toEqual([
        ['WebServiceProps', 'WebDeploymentOptions', 'WebScalingOptions'],
        ['NetworkServiceProps', 'DeploymentOptions', 'ScalingOptions'],
        ['BackendServiceProps', 'DeploymentOptions', 'ScalingOptions'],
        ['WorkerServiceProps', 'DeploymentOptions', undefined],
      ]);
  });

  test('defaults read whole in API.md (no \';\' in any @default) and say what really happens', () => {
    const findings: Finding[] = [];
    for (const type of types) {
      for (const p of type.properties ?? []) {
        if (p.docs?.default?.includes(';')) {
          findings.push({ file: p.locationInModule?.filename ?? '?', member: `${type.name}.${p.name}`, problem: `';' in @default: "${p.docs.default}"` });
        }
      }
    }
    expect(format(findings)).toBe('');
    const docsOf = (typeName: string, prop: string): Docs => types.find(t => t.name === typeName)!.properties!.find(q => q.name === prop)!.docs!;
    // The cluster's removalPolicy reaches the load balancers' access-log buckets too.
    expect(docsOf('FoundryClusterProps', 'removalPolicy').summary).toMatch(/access-log buckets/);
    // The whole requirement on an imported VPC is in the summary.
    expect(docsOf('FoundryClusterProps', 'vpc').summary).toMatch(/^An existing VPC with private \(or isolated\) subnets/);
    // A backend service has no load balancer: its grace period covers container health checks.
    expect(docsOf('RequestServiceOptions', 'healthCheckGracePeriod').summary).toMatch(/load balancer or container health checks/);
    // Unset counts as on: only DISABLED drops the running-task condition.
    expect(docsOf('ServiceAlarmsProps', 'containerInsights').default).toMatch(/unless this is `ecs\.ContainerInsights\.DISABLED`/);
  });

  test('no public interface declares an internal member (another implementation, in any language, could not provide it)', () => {
    // The assembly leaves internal members out, so read the interfaces as TypeScript declares them.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const ts = require('typescript') as typeof import('typescript');
    const program = ts.createProgram([INDEX], { target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.CommonJS, skipLibCheck: true });
    const checker = program.getTypeChecker();
    const moduleSymbol = checker.getSymbolAtLocation(program.getSourceFile(INDEX)!)!;
    const interfaces = types.filter(t => t.kind === 'interface' && !t.datatype).map(t => t.name);
    const findings: string[] = [];
    let seen = 0;
    for (const exported of checker.getExportsOfModule(moduleSymbol)) {
      if (!interfaces.includes(exported.name)) continue;
      seen++;
      const target = exported.declarations?.some(d => ts.isExportSpecifier(d)) ? checker.getAliasedSymbol(exported) : exported;
      for (const member of checker.getPropertiesOfType(checker.getDeclaredTypeOfSymbol(target))) {
        if (member.name.startsWith('_')) findings.push(`${exported.name}.${member.name}`);
      }
    }
    expect(seen).toBe(interfaces.length);
    expect(findings).toEqual([]);
  });
});
