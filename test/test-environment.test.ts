/**
 * The test environment (test/support/environment.ts) shares one CloudFormation validation engine per jest worker.
 * Sharing must change nothing that tests see: every synth is still validated, with the same rules, and a test file
 * that frees the engine (as aws-cdk-lib does when its singleton is reconfigured) does not break the next one.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, CfnResource, CloudFormationValidatePlugin, Stack, Validations } from 'aws-cdk-lib';

interface Violation { readonly ruleName: string }

/** Synthesize a stack holding one queue with `properties`, and return the CloudFormation Validate rule ids. */
function cfnValidateRules(properties: Record<string, unknown>): string[] {
  const app = new App({
    outdir: fs.mkdtempSync(path.join(os.tmpdir(), 'foundry-env-')),
    context: {
      '@aws-cdk/core:validateAgainstDefaultRules': true,
      '@aws-cdk/core:failSynthOnValidationErrors': false,
    },
  });
  // Registered by the App, as the compliance harness does (test/support/setup-context.ts turns the automatic one off).
  Validations.of(app).addPlugins(new CloudFormationValidatePlugin());
  const stack = new Stack(app, 'Env', { env: { account: '123456789012', region: 'us-east-1' } });
  new CfnResource(stack, 'Queue', { type: 'AWS::SQS::Queue', properties });
  const assembly = app.synth();
  const reportFile = path.join(assembly.directory, 'validation-report.json');
  const report = fs.existsSync(reportFile) ? JSON.parse(fs.readFileSync(reportFile, 'utf-8')) : { pluginReports: [] };
  return report.pluginReports
    .filter((r: { pluginName: string }) => r.pluginName === 'CloudFormation Validate')
    .flatMap((r: { violations: Violation[] }) => r.violations.map(v => v.ruleName))
    .sort();
}

test('every synth is still validated: a schema error is reported, each time, and a valid template passes', () => {
  const first = cfnValidateRules({ NotAQueueProperty: 1 });
  expect(first.length).toBeGreaterThan(0);
  // The second synth validates with the engine the first one built: same template, same findings.
  expect(cfnValidateRules({ NotAQueueProperty: 1 })).toEqual(first);
  expect(cfnValidateRules({ VisibilityTimeout: 30 })).toEqual([]);
});

test('the engine is built once per worker: new plugins reuse it, also after aws-cdk-lib disposes one', () => {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const validate = require('@aws/cloudformation-validate');
  cfnValidateRules({ VisibilityTimeout: 30 });
  const built: number = validate.__enginesBuilt();
  expect(built).toBeGreaterThanOrEqual(1);
  // aws-cdk-lib frees a plugin's engine when the plugin is disposed, and its singleton's when that is disposed or
  // reconfigured: the shared engine must survive both.
  new CloudFormationValidatePlugin()._dispose();
  CloudFormationValidatePlugin._singletonInstance();
  CloudFormationValidatePlugin._disposeSingleton();
  expect(cfnValidateRules({ NotAQueueProperty: 1 }).length).toBeGreaterThan(0);
  expect(cfnValidateRules({ VisibilityTimeout: 30 })).toEqual([]);
  expect(validate.__enginesBuilt()).toBe(built);
});

describe('setup files (test/support/setup-context.ts, setup-fast-check.ts)', () => {
  test('Apps skip the debugging stack traces, and keep every other context key', () => {
    const app = new App({ context: { 'my:key': 'kept' } });
    expect(app.node.tryGetContext('aws:cdk:disable-creation-stack-traces')).toBe(true);
    expect(app.node.tryGetContext('aws:cdk:disable-stack-trace')).toBe(true);
    expect(app.node.tryGetContext('my:key')).toBe('kept');
    const stack = new Stack(app, 'Traces');
    const queue = new CfnResource(stack, 'Queue', { type: 'AWS::SQS::Queue' });
    expect(queue.node.metadata.filter(m => m.type === 'aws:cdk:creationStack')).toEqual([]);
  });

  test('plain Apps skip the unread CloudFormation validation; Apps that register the plugin still validate', () => {
    expect(process.env.CDK_VALIDATION).toBe('false');
    const plain = new App({ outdir: fs.mkdtempSync(path.join(os.tmpdir(), 'foundry-env-')) });
    new CfnResource(new Stack(plain, 'Plain'), 'Queue', { type: 'AWS::SQS::Queue', properties: { NotAQueueProperty: 1 } });
    const assembly = plain.synth();
    expect(fs.existsSync(path.join(assembly.directory, 'validation-report.json'))).toBe(false);
    expect(cfnValidateRules({ NotAQueueProperty: 1 }).length).toBeGreaterThan(0);
  });

  test('property tests replay the fixed seed under CI (or FAST_CHECK_SEED), and draw new inputs otherwise', () => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const fc = require('fast-check') as typeof import('fast-check');
    const seed = fc.readConfigureGlobal().seed;
    if (process.env.FAST_CHECK_SEED) {
      expect(seed).toBe(Number(process.env.FAST_CHECK_SEED));
    } else if (process.env.CI && process.env.CI !== 'false') {
      expect(seed).toBe(20261128);
    } else {
      expect(seed).toBeUndefined();
    }
  });
});
