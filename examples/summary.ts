/**
 * Compliance summary of a synthesized cloud assembly.
 *
 *   ts-node --prefer-ts-exts examples/summary.ts examples/cdk.out
 *
 * For every stack: resource count and template size against CloudFormation's quotas, the findings of each
 * of the five packs (four cdk-nag packs and the AWS Control Tower proactive controls) and of aws-cdk-lib's
 * CloudFormation validation (all must be 0, warnings included), and the
 * acknowledged findings with their reasons. Exit code 1 when any finding is unacknowledged, a construct
 * reported an error annotation or a template exceeds a quota; 2 when the assembly cannot be read; 0 otherwise.
 * Warning annotations (`Annotations.addWarningV2`) are listed but do not fail the run. When the assembly holds
 * a `cost-estimate.json` (examples/app.ts writes one with `CostEstimate`), its report is printed too.
 */
import * as fs from 'fs';
import * as path from 'path';
import { ALL_PACKS, CFN_GUARD, CFN_VALIDATE, Finding, readFindings } from '../test/support/compliance';

/** CloudFormation quotas per stack. */
const MAX_RESOURCES = 500;
const MAX_TEMPLATE_BYTES = 1_000_000; // "1 MB" for a template uploaded through S3, as cdk deploy does
/** Share of a quota from which a stack is reported as close to it. */
const NEAR_LIMIT = 0.8;

const ACKNOWLEDGED_RULES = 'aws:cdk:acknowledged-rules';
/** The prefix aws-cdk-lib puts before rule IDs acknowledged without one (`Validations.acknowledge`). */
const DEFAULT_RULE_PREFIX = 'Annotation';
const PLUGINS: readonly string[] = [...ALL_PACKS, CFN_VALIDATE];
/** Column titles of plugins whose report name is long. */
const TITLES: Record<string, string> = { [CFN_VALIDATE]: 'CFN Validate', [CFN_GUARD]: 'Control Tower' };
const WIDTH = 110;

interface StackInfo {
  /** Construct path of the stack (`displayName`), which prefixes the paths of its constructs. */
  readonly name: string;
  readonly resources: number;
  readonly templateBytes: number;
  readonly acknowledgements: Acknowledgement[];
  readonly annotations: Annotation[];
}

/** A CDK annotation (`Annotations.of(construct).addWarningV2()` / `addError()`) recorded in the metadata. */
interface Annotation {
  readonly level: 'error' | 'warning';
  readonly path: string;
  readonly message: string;
}

interface Acknowledgement {
  readonly rule: string;
  readonly path: string;
  readonly reason: string;
}

interface MetadataEntry {
  readonly type: string;
  readonly data?: unknown;
}

class AssemblyError extends Error {}

function main(argv: string[]): number {
  if (argv.length !== 1 || argv[0].startsWith('-')) {
    console.error('usage: ts-node --prefer-ts-exts examples/summary.ts <cloud assembly directory>');
    return 2;
  }
  const dir = argv[0];
  let stacks: StackInfo[];
  let findings: Finding[];
  try {
    stacks = readStacks(dir);
    findings = readReport(dir);
  } catch (e) {
    if (!(e instanceof AssemblyError)) throw e;
    console.error(`summary: ${e.message}`);
    return 2;
  }
  if (stacks.length === 0) {
    console.error(`summary: ${dir} holds no CloudFormation stack; did 'cdk synth' run?`);
    return 2;
  }

  const byStack = attribute(findings, stacks);
  const unattributed = byStack.get(undefined) ?? [];
  const overQuota = stacks.filter(s => s.resources > MAX_RESOURCES || s.templateBytes > MAX_TEMPLATE_BYTES);
  const errors = stacks.flatMap(s => s.annotations.filter(a => a.level === 'error'));

  console.log(`Compliance summary of ${dir}: unacknowledged findings per validation plugin (errors and warnings alike)`);
  console.log();
  printStackTable(stacks, byStack);
  printAcknowledgements(stacks);
  printAnnotations(stacks);
  printCostEstimate(dir);

  const failed = findings.length > 0 || overQuota.length > 0 || errors.length > 0;
  if (findings.length > 0) {
    console.log();
    console.log(`${plural(findings.length, 'unacknowledged finding')}: fix them in the construct, or acknowledge intended ones in src/compliance/acknowledgements.ts`);
    for (const stack of stacks) printFindings(stack.name, byStack.get(stack) ?? []);
    printFindings('(no stack)', unattributed);
  }
  for (const stack of overQuota) {
    console.log();
    console.log(`${stack.name}: over a CloudFormation quota (${stack.resources} of ${MAX_RESOURCES} resources, ${kib(stack.templateBytes)} of 1 MB); split the stack.`);
  }
  console.log();
  if (failed) {
    const problems = [
      plural(findings.length, 'unacknowledged finding'),
      ...(errors.length > 0 ? [plural(errors.length, 'CDK error')] : []),
      ...(overQuota.length > 0 ? [plural(overQuota.length, 'stack') + ' over a quota'] : []),
    ];
    console.log(`FAILED: ${problems.join(', ')}`);
  } else {
    console.log(`OK: 0 findings in ${plural(stacks.length, 'stack')}`);
  }
  return failed ? 1 : 0;
}

// ---------------------------------------------------------------------------------------------------------
// Reading the cloud assembly

/** Every CloudFormation stack of the assembly, including those of nested assemblies (stages). */
function readStacks(dir: string): StackInfo[] {
  const manifest = readJson(path.join(dir, 'manifest.json'));
  const stacks: StackInfo[] = [];
  for (const [id, artifact] of Object.entries<any>(manifest.artifacts ?? {})) {
    if (artifact.type === 'cdk:cloud-assembly' && artifact.properties?.directoryName) {
      stacks.push(...readStacks(path.join(dir, artifact.properties.directoryName)));
    }
    if (artifact.type !== 'aws:cloudformation:stack') continue;
    const templateFile = path.join(dir, artifact.properties?.templateFile ?? `${id}.template.json`);
    const template = readJson(templateFile);
    const name: string = artifact.displayName ?? id;
    const metadata = readMetadata(dir, id, artifact);
    stacks.push({
      name,
      resources: Object.keys(template.Resources ?? {}).length,
      templateBytes: fs.statSync(templateFile).size,
      acknowledgements: acknowledgementsOf(metadata),
      annotations: Object.entries(metadata).flatMap(([p, entries]) => entries
        .filter(e => e.type === 'aws:cdk:warning' || e.type === 'aws:cdk:error')
        .map((e): Annotation => ({ level: e.type === 'aws:cdk:error' ? 'error' : 'warning', path: trimPath(p), message: String(e.data) }))),
    });
  }
  return stacks;
}

/** Metadata per construct path: the stack's `<id>.metadata.json`, or inline in older manifests. */
function readMetadata(dir: string, id: string, artifact: any): Record<string, MetadataEntry[]> {
  const file = path.join(dir, artifact.additionalMetadataFile ?? `${id}.metadata.json`);
  const metadata: Record<string, MetadataEntry[]> = fs.existsSync(file) ? readJson(file) : {};
  for (const [p, entries] of Object.entries<MetadataEntry[]>(artifact.metadata ?? {})) {
    metadata[p] = [...(metadata[p] ?? []), ...entries];
  }
  return metadata;
}

function acknowledgementsOf(metadata: Record<string, MetadataEntry[]>): Acknowledgement[] {
  const result: Acknowledgement[] = [];
  for (const [p, entries] of Object.entries(metadata)) {
    for (const entry of entries) {
      if (entry.type !== ACKNOWLEDGED_RULES || typeof entry.data !== 'object' || entry.data === null) continue;
      for (const [key, reason] of Object.entries(entry.data)) {
        result.push({ rule: ruleId(key), path: trimPath(p), reason: String(reason) });
      }
    }
  }
  return result;
}

/**
 * The rule ID of an acknowledgement key. aws-cdk-lib stores `Annotation::AwsSolutions-EC26` for a plain ID and
 * keeps other prefixes (`CloudFormation-Validate::F3002`). A `::` inside brackets belongs to a finding ID
 * (`AwsSolutions-IAM5[Resource::*]`), not to a prefix.
 */
function ruleId(key: string): string {
  const at = key.indexOf('::');
  if (at <= 0 || key.slice(0, at).includes('[')) return key;
  return key.slice(0, at) === DEFAULT_RULE_PREFIX ? key.slice(at + 2) : key;
}

/** Unacknowledged findings of validation-report.json; the file is absent when validation found nothing. */
/** The monthly cost estimate examples/app.ts writes into the assembly (other apps have none). */
function printCostEstimate(dir: string): void {
  const file = path.join(dir, 'cost-estimate.json');
  if (!fs.existsSync(file)) return;
  const estimate = readJson(file);
  console.log();
  console.log(typeof estimate.report === 'string' ? estimate.report : JSON.stringify(estimate, undefined, 2));
}

function readReport(dir: string): Finding[] {
  const file = path.join(dir, 'validation-report.json');
  return fs.existsSync(file) ? readFindings(readJson(file)) : [];
}

/** Findings per stack: the stack whose construct path prefixes the finding's (first segment for top-level stacks). */
function attribute(findings: Finding[], stacks: StackInfo[]): Map<StackInfo | undefined, Finding[]> {
  const longestFirst = [...stacks].sort((a, b) => b.name.length - a.name.length);
  const result = new Map<StackInfo | undefined, Finding[]>();
  for (const finding of findings) {
    const p = trimPath(finding.path);
    const stack = longestFirst.find(s => p === s.name || p.startsWith(`${s.name}/`))
      ?? stacks.find(s => s.name === p.split('/')[0]);
    result.set(stack, [...(result.get(stack) ?? []), finding]);
  }
  return result;
}

function readJson(file: string): any {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf-8');
  } catch (e) {
    throw new AssemblyError(`cannot read ${file}: ${(e as Error).message}`);
  }
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new AssemblyError(`${file} is not valid JSON: ${(e as Error).message}`);
  }
}

function trimPath(p: string): string {
  return p.replace(/^\//, '');
}

// ---------------------------------------------------------------------------------------------------------
// Printing

function printStackTable(stacks: StackInfo[], byStack: Map<StackInfo | undefined, Finding[]>): void {
  const header = ['Stack', 'Resources', 'Template', ...PLUGINS.map(p => TITLES[p] ?? p), 'Acknowledged'];
  const rows = stacks.map(stack => {
    const found = byStack.get(stack) ?? [];
    return [
      stack.name,
      `${stack.resources}${quotaMark(stack.resources / MAX_RESOURCES)}`,
      `${kib(stack.templateBytes)}${quotaMark(stack.templateBytes / MAX_TEMPLATE_BYTES)}`,
      ...PLUGINS.map(plugin => String(found.filter(f => f.plugin === plugin).length)),
      String(stack.acknowledgements.length),
    ];
  });
  // Findings of a plugin the table does not know (another registered plugin) still count.
  const other = [...byStack.entries()].flatMap(([, list]) => list).filter(f => !PLUGINS.includes(f.plugin));
  printTable(header, rows, [1, 2, ...PLUGINS.map((_, i) => i + 3), PLUGINS.length + 3]);
  if (other.length > 0) {
    console.log(`  + ${plural(other.length, 'finding')} of other plugins: ${[...new Set(other.map(f => f.plugin))].join(', ')}`);
  }
  if (stacks.some(s => quotaMark(s.resources / MAX_RESOURCES) || quotaMark(s.templateBytes / MAX_TEMPLATE_BYTES))) {
    console.log(`  CloudFormation quotas: ${MAX_RESOURCES} resources and 1 MB per template; ~ marks 80 % or more, ! over the quota.`);
  }
}

/**
 * Acknowledged findings per stack: one line per rule and reason, with the number of constructs and their
 * paths (relative to the stack), and each distinct reason printed once, as a numbered note.
 */
function printAcknowledgements(stacks: StackInfo[]): void {
  const reasons: string[] = [];
  const noteOf = (reason: string): number => {
    const i = reasons.indexOf(reason);
    return i >= 0 ? i + 1 : reasons.push(reason);
  };
  for (const stack of stacks) {
    if (stack.acknowledgements.length === 0) continue;
    const groups = new Map<string, { rule: string; reason: string; paths: string[] }>();
    for (const ack of stack.acknowledgements) {
      const key = `${ack.rule}\u0000${ack.reason}`;
      const group = groups.get(key) ?? { rule: ack.rule, reason: ack.reason, paths: [] };
      if (!group.paths.includes(ack.path)) group.paths.push(ack.path);
      groups.set(key, group);
    }
    const sorted = [...groups.values()].sort((a, b) => noteOf(a.reason) - noteOf(b.reason) || a.rule.localeCompare(b.rule));
    console.log();
    console.log(`${stack.name}: acknowledged findings`);
    printTable(['  Rule', 'Constructs', 'Path', 'Reason'], sorted.map(g => [
      `  ${g.rule}`,
      String(g.paths.length),
      summarizePaths(g.paths.map(p => (p.startsWith(`${stack.name}/`) ? p.slice(stack.name.length + 1) : p))),
      `[${noteOf(g.reason)}]`,
    ]), [1]);
  }
  if (reasons.length === 0) return;
  console.log();
  console.log('Reasons');
  reasons.forEach((reason, i) => console.log(wrap(reason, `  [${i + 1}] `)));
}

function printAnnotations(stacks: StackInfo[]): void {
  const annotations = stacks.flatMap(s => s.annotations);
  for (const level of ['warning', 'error'] as const) {
    const some = annotations.filter(a => a.level === level);
    if (some.length === 0) continue;
    console.log();
    console.log(level === 'error'
      ? `CDK errors (${some.length}; they fail the run)`
      : `CDK warnings (${some.length}; they do not fail the run, but are worth a look)`);
    for (const a of some) console.log(wrap(`${a.path}: ${a.message}`, '  - '));
  }
}

function printFindings(stackName: string, findings: Finding[]): void {
  if (findings.length === 0) return;
  console.log(`  ${stackName}`);
  const sorted = [...findings].sort((a, b) => a.plugin.localeCompare(b.plugin) || a.rule.localeCompare(b.rule) || a.path.localeCompare(b.path));
  for (const f of sorted) {
    console.log(`    [${f.plugin}] ${f.rule} (${f.severity}) at ${f.path || '(no construct path)'}`);
    const description = f.description.replace(/\s+/g, ' ').trim();
    console.log(wrap(description.length > 300 ? `${description.slice(0, 297)}...` : description, '      '));
  }
}

/** Columns padded to their widest cell; `right` lists the indexes of right-aligned (numeric) columns. */
function printTable(header: string[], rows: string[][], right: number[]): void {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map(r => r[i].length)));
  const line = (cells: string[]): string => cells
    .map((c, i) => (right.includes(i) ? c.padStart(widths[i]) : c.padEnd(widths[i])))
    .join('  ')
    .trimEnd();
  console.log(line(header));
  for (const row of rows) console.log(line(row));
}

/** Paths that differ in one segment print as `a/{b,c}/d`; others as the first path and a count. */
function summarizePaths(paths: string[]): string {
  if (paths.length === 1) return paths[0];
  const split = paths.map(p => p.split('/'));
  const length = split[0].length;
  if (split.every(s => s.length === length)) {
    const differing = [...Array(length).keys()].filter(i => new Set(split.map(s => s[i])).size > 1);
    if (differing.length === 1) {
      const at = differing[0];
      const values = [...new Set(split.map(s => s[at]))];
      const middle = values.length <= 4 ? `{${values.join(',')}}` : `{${values.slice(0, 3).join(',')},...}`;
      return [...split[0].slice(0, at), middle, ...split[0].slice(at + 1)].join('/');
    }
  }
  return `${paths[0]} (+${paths.length - 1} more)`;
}

function quotaMark(share: number): string {
  if (share > 1) return ' !';
  return share >= NEAR_LIMIT ? ' ~' : '';
}

function plural(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}

function kib(bytes: number): string {
  return `${(bytes / 1024).toFixed(1)} KiB`;
}

/** Word-wrap text to WIDTH columns, the first line after `prefix`, the rest indented to match. */
function wrap(text: string, prefix: string): string {
  const indent = ' '.repeat(prefix.length);
  const lines: string[] = [];
  let current = prefix;
  for (const word of text.split(/\s+/).filter(w => w.length > 0)) {
    const blank = current === prefix || current === indent;
    if (!blank && current.length + 1 + word.length > WIDTH) {
      lines.push(current);
      current = indent + word;
    } else {
      current += (blank ? '' : ' ') + word;
    }
  }
  lines.push(current);
  return lines.join('\n');
}

process.exitCode = main(process.argv.slice(2));
