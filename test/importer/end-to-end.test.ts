import * as path from 'path';
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { importCopilot, ImportResult } from '../../src/importer/import-copilot';
import { stackClassName } from '../../src/importer/render-stack';
import { complianceApp, Finding, synthFindings } from '../support/compliance';
import { compileGeneratedApps, loadGeneratedStacks } from './support/generated-app';

/*
 * The importer on the fixture workspaces (test/fixtures/copilot/, every service type and the environment manifest):
 * the generated app is snapshotted, compiled against the library's source (strict TypeScript), and every stack is
 * synthesized once, in one app, with the four cdk-nag packs and CloudFormation validation: zero findings.
 */

const FIXTURES = path.join(__dirname, '..', 'fixtures', 'copilot');
// Stacks without a certificate (the minimal fixture) go here; the others where their certificate is, as bin/app.ts says.
const ENV = { account: '111111111111', region: 'eu-west-1' };

interface Imported {
  readonly name: string;
  readonly outDir: string;
  readonly result: ImportResult;
}

let imported: Imported[];
let diagnostics: string[];
let app: App;
let stacks: Stack[];
let findings: Finding[];

beforeAll(() => {
  imported = ['full', 'minimal'].map(name => {
    const root = path.join(FIXTURES, name);
    // The app would be written next to the workspace; it is only generated here (image build paths are relative to it).
    const outDir = path.join(root, 'cdk-app');
    return { name, outDir, result: importCopilot({ copilotDir: root, outDir, env: { IMAGE_TAG: 'v1.4.2' } }) };
  });
  // A copy of the minimal stack with a misspelled prop is compiled in the same program: the check does catch mistakes.
  const minimal = imported[1].result.files['lib/dev-stack.ts'];
  const broken = { outDir: path.join(FIXTURES, 'broken-app'), files: { 'lib/dev-stack.ts': minimal.replace('port: 80', 'portNumber: 80') } };
  diagnostics = compileGeneratedApps([...imported.map(i => ({ outDir: i.outDir, files: i.result.files })), broken]);
  app = complianceApp();
  // Each stack where bin/app.ts puts it (its certificate's account and Region), else in ENV.
  stacks = imported.flatMap(i => {
    const classes = loadGeneratedStacks(i.outDir, i.result.files);
    return i.result.environments.map(e => new classes[stackClassName(e)](app, `${i.result.application}-${stackClassName(e)}`, { env: i.result.targets[e] ?? ENV }));
  });
  findings = synthFindings(app);
});

test('the full workspace: every service type, two environments', () => {
  const full = imported[0].result;
  expect(full.workloads.map(w => `${w.name}: ${w.type} → ${w.construct}`)).toEqual([
    'api: Backend Service → BackendService',
    'cache-warmer: Scheduled Job → ScheduledTask',
    'frontend: Load Balanced Web Service → WebService',
    'fulfillment: Worker Service → WorkerService',
    'nightly-report: Scheduled Job → ScheduledTask',
  ]);
  expect(full.environments).toEqual(['prod', 'test']);
  expect(Object.keys(full.files).sort()).toEqual(['IMPORT-REPORT.md', 'bin/app.ts', 'cdk.json', 'lib/prod-stack.ts', 'lib/test-stack.ts', 'package.json', 'tsconfig.json']);
});

test.each(['full', 'minimal'])('the generated app of %s (snapshot)', (name) => {
  const { result } = imported.find(i => i.name === name)!;
  for (const [file, text] of Object.entries(result.files)) {
    expect(text).toMatchSnapshot(file);
  }
});

test('the generated apps compile (strict) against the library', () => {
  expect(diagnostics.filter(d => !d.includes('broken-app'))).toEqual([]);
  expect(diagnostics.filter(d => d.includes('broken-app'))).toEqual([
    expect.stringMatching(/broken-app\/lib\/dev-stack\.ts:\d+ Object literal may only specify known properties, and 'portNumber' does not exist in type 'WebServiceProps'/),
  ]);
});

test('every stack synthesizes with zero compliance findings', () => {
  expect(stacks.map(s => s.stackName).sort()).toEqual(['hello-DevStack', 'shop-ProdStack', 'shop-TestStack']);
  expect(findings.map(f => `${f.plugin} ${f.rule} ${f.path}`)).toEqual([]);
});

test.each(['shop-ProdStack', 'shop-TestStack', 'hello-DevStack'])('the synthesized template of %s (snapshot of its resources)', (stackName) => {
  const template = Template.fromStack(stacks.find(s => s.stackName === stackName)!).toJSON();
  const resources = template.Resources as Record<string, { Type: string; Properties?: Record<string, unknown> }>;
  // Logical IDs and types, and the properties of what the importer sets: services, task definitions, schedules, queues.
  const shown: Record<string, unknown> = {};
  for (const [id, r] of Object.entries(resources)) {
    const carried = ['AWS::ECS::Service', 'AWS::ECS::TaskDefinition', 'AWS::Scheduler::Schedule', 'AWS::SQS::Queue', 'AWS::SNS::Subscription',
      'AWS::ApplicationAutoScaling::ScalableTarget', 'AWS::ElasticLoadBalancingV2::ListenerRule', 'AWS::ElasticLoadBalancingV2::TargetGroup', 'AWS::EFS::AccessPoint'];
    shown[id] = carried.includes(r.Type) ? r : r.Type;
  }
  expect(shown).toMatchSnapshot();
});

test('the report: reported fields name the file, field, value, environments and what to do instead', () => {
  const full = imported[0].result;
  expect(full.reported.length).toBeGreaterThan(0);
  for (const r of full.reported) {
    expect(r.file).toMatch(/^copilot\/[^/]+(\/[^/]+)?\/manifest\.yml$/);
    expect(r.field).not.toBe('');
    expect(r.instead.length).toBeGreaterThan(20);
    expect(r.environments.length).toBeGreaterThan(0);
  }
  expect(imported[1].result.reported).toEqual([]);
});

test('deployed next to Copilot: the prod execution role may pull the private ECR image, roots are writable as in Copilot', () => {
  type Resources = Record<string, { Type: string; Properties: any }>;
  const json = (name: string) => Template.fromStack(stacks.find(s => s.stackName === name)!).toJSON() as { Resources: Resources };
  const prod = JSON.stringify(Object.values(json('shop-ProdStack').Resources)
    .filter(r => ['AWS::IAM::Policy', 'AWS::IAM::ManagedPolicy', 'AWS::IAM::Role'].includes(r.Type)));
  expect(prod).toContain('ecr:BatchGetImage');
  expect(prod).toContain(':repository/shop/frontend');
  const containers = (name: string) => Object.values(json(name).Resources).filter(r => r.Type === 'AWS::ECS::TaskDefinition')
    .flatMap(r => r.Properties.ContainerDefinitions as Array<{ Name: string; ReadonlyRootFilesystem?: boolean }>);
  // The minimal web service sets no storage.readonly_fs: its root is writable, as Copilot's was (nginx writes its cache).
  expect(containers('hello-DevStack').map(c => c.ReadonlyRootFilesystem)).toEqual([false]);
  // readonly_fs: true keeps the read-only root; Copilot's sidecars (frontend's nginx) stay writable.
  const full = containers('shop-ProdStack');
  expect(full.find(c => c.Name === 'nginx')?.ReadonlyRootFilesystem).toBe(false);
  expect(full.filter(c => c.ReadonlyRootFilesystem === true).length).toBeGreaterThan(0);
});
