/**
 * The harness runs the AWS Control Tower proactive controls with only the rule files that name a resource type the
 * templates hold (test/support/cfn-guard-relevant.ts): proven here to report exactly what the plugin's full rule set
 * reports, on templates with findings of several services.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { CfnGuardValidator } from '@cdklabs/cdk-validator-cfnguard';
import { App, PolicyValidationPluginReportBeta1, Stack } from 'aws-cdk-lib';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { FoundryCluster, WebService } from '../src';
import { controlTowerRuleFiles, RelevantCfnGuardValidator } from './support/cfn-guard-relevant';
import { readFindings } from './support/compliance';

let templatePaths: string[];
let full: PolicyValidationPluginReportBeta1;
let relevant: PolicyValidationPluginReportBeta1;
let plugin: RelevantCfnGuardValidator;

/** A report's findings as comparable lines: rule, resource, locations. */
const findings = (report: PolicyValidationPluginReportBeta1) => report.violations
  .flatMap(v => v.violatingResources.map(r => `${v.ruleName} ${path.basename(r.templatePath)} ${r.resourceLogicalId} ${[...r.locations].sort().join(',')}`))
  .sort();

beforeAll(() => {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'foundry-guard-rules-'));
  const app = new App({ outdir });
  // A library stack (no findings of its own but the acknowledged ones) and one with findings of several services.
  const library = new Stack(app, 'Library', { env: { account: '123456789012', region: 'us-east-1' } });
  const cluster = new FoundryCluster(library, 'Cluster');
  new WebService(library, 'Web', {
    cluster,
    port: 8080,
    image: ecs.ContainerImage.fromRegistry('public.ecr.aws/nginx/nginx:stable'),
    certificate: acm.Certificate.fromCertificateArn(library, 'Certificate', 'arn:aws:acm:us-east-1:123456789012:certificate/11111111-2222-3333-4444-555555555555'),
  });
  const raw = new Stack(app, 'Raw', { env: { account: '123456789012', region: 'us-east-1' } });
  new s3.CfnBucket(raw, 'Bucket');
  new kms.CfnKey(raw, 'Key', { keyPolicy: {} });
  new ecs.CfnTaskDefinition(raw, 'Task', { containerDefinitions: [{ name: 'app', image: 'busybox', privileged: true }] });
  const vpc = new ec2.CfnVPC(raw, 'Vpc', { cidrBlock: '10.0.0.0/16' });
  new ec2.CfnSecurityGroup(raw, 'Open', {
    vpcId: vpc.ref,
    groupDescription: 'open',
    securityGroupIngress: [{ ipProtocol: 'tcp', fromPort: 22, toPort: 22, cidrIp: '0.0.0.0/0' }],
  });
  // The raw resources are deliberately incomplete: aws-cdk-lib's own CloudFormation validation is not the subject.
  // (test/support/setup-context.ts turns it off in plain test Apps.)
  const assembly = app.synth();
  templatePaths = assembly.stacks.map(s => path.join(assembly.directory, s.templateFile));
  full = new CfnGuardValidator().validate({ templatePaths, appConstruct: app });
  plugin = new RelevantCfnGuardValidator();
  relevant = plugin.validate({ templatePaths, appConstruct: app });
  fs.rmSync(outdir, { recursive: true, force: true });
});

test('every bundled rule file names the resource types it checks', () => {
  const files = controlTowerRuleFiles();
  expect(files.length).toBeGreaterThan(200);
  expect(files.filter(f => f.types.size === 0).map(f => f.file)).toEqual([]);
});

test('every reporting rule runs only on resources of a type its file names (so a file naming none reports nothing)', () => {
  const problems: string[] = [];
  let gated = 0;
  for (const { file } of controlTowerRuleFiles()) {
    const text = fs.readFileSync(file, 'utf-8').replace(/#.*$/gm, '');
    // `let NAME = value`, the value on one line or a `Resources[ ... ]` query over several.
    const lets = new Map([...text.matchAll(/^let\s+(\w+)\s*=\s*(Resources(?:\.\*)?\[[^\]]*\]|.+)$/gm)]
      .map(m => [m[1], m[2].replace(/\s+/g, ' ').trim()] as const));
    const isTypeLiteral = (name: string) => /^["']AWS::\w+::\w+["']$/.test(lets.get(name) ?? '');
    /** The type variables of a `Resources[ Type == %A or Type == %B ]` query, or undefined for any other value. */
    const queryTypes = (name: string) => {
      const query = /^Resources(?:\.\*)?\[ ?(Type == %\w+(?: or Type == %\w+)*) ?\]$/.exec(lets.get(name) ?? '');
      return query ? [...query[1].matchAll(/%(\w+)/g)].map(m => m[1]) : undefined;
    };
    // Top-level rules without parameters are the ones guard reports; rules with parameters run only when called.
    for (const h of text.matchAll(/^rule\s+(\w+)(\([^)]*\))?\s*(?:when\s+([^{]*))?\{/gm)) {
      if (h[2]) {
        continue;
      }
      const condition = (h[3] ?? '').replace(/\s+/g, ' ').trim();
      // A CloudFormation hook's input (never a template): the resource properties under the type's key.
      const hook = /^is_cfn_hook\((?:%INPUT_DOCUMENT|this), %(\w+)\)$/.exec(condition);
      // A template: the resources of the types of a `Resources[ Type == %X ]` query, each X a type literal.
      const template = /^is_cfn_template\((?:%INPUT_DOCUMENT|this)\) %(\w+) not empty$/.exec(condition);
      const types = template ? queryTypes(template[1]) : undefined;
      if ((hook && isTypeLiteral(hook[1])) || (types && types.length > 0 && types.every(isTypeLiteral))) {
        gated++;
      } else {
        problems.push(`${path.basename(file)}: rule ${h[1]} when '${condition}'`);
      }
    }
  }
  expect(problems).toEqual([]);
  expect(gated).toBeGreaterThan(400);
});

test('the rule files that name a type of the templates report exactly what the full rule set reports', () => {
  // Not a trivial equality: the templates break rules of S3, KMS, ECS, VPC security groups and Lambda.
  const rules = new Set(full.violations.map(v => v.ruleName));
  expect(rules.size).toBeGreaterThanOrEqual(5);
  for (const prefix of ['s3_', 'kms_', 'ecs_', 'vpc_', 'lambda_']) {
    expect([...rules].filter(r => r.startsWith(prefix)).length).toBeGreaterThan(0);
  }
  expect(findings(relevant)).toEqual(findings(full));
  expect(relevant.success).toBe(full.success);
  expect(relevant.violations.map(v => [v.ruleName, v.description, v.fix, v.severity]).sort())
    .toEqual(full.violations.map(v => [v.ruleName, v.description, v.fix, v.severity]).sort());
  // ... while running a fraction of the files.
  expect(plugin.lastRules.length).toBeGreaterThan(0);
  expect(plugin.lastRules.length).toBeLessThan(controlTowerRuleFiles().length / 2);
});

test('it reports under the plugin\'s own name and rule IDs (acknowledgements read them)', () => {
  const stock = new CfnGuardValidator();
  expect(plugin.name).toBe(stock.name);
  expect(plugin.ruleIds).toEqual(stock.ruleIds);
  expect(plugin.version).toBe(stock.version);
});

test('a pack that fails to run (its tool crashed, say) is a finding of the harness, not a silent pass', () => {
  const report = {
    pluginReports: [{ pluginName: 'cdk-validator-cfnguard', conclusion: 'failure', metadata: { error: "Validation plugin 'cdk-validator-cfnguard' failed: spawnSync ENOENT" }, violations: [] }],
  };
  expect(readFindings(report)).toEqual([expect.objectContaining({ plugin: 'cdk-validator-cfnguard', rule: 'plugin-failed', severity: 'error' })]);
  expect(readFindings({ pluginReports: [{ pluginName: 'AwsSolutions', conclusion: 'success', violations: [] }] })).toEqual([]);
});
