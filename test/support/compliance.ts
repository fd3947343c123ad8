import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, CloudFormationValidatePlugin, Stack, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks, HIPAASecurityChecks, NIST80053R5Checks, PCIDSS321Checks } from 'cdk-nag';
import { RelevantCfnGuardValidator } from './cfn-guard-relevant';

/** The four cdk-nag packs every pattern must pass, by the plugin name they report under. */
export const NAG_PACKS = ['AwsSolutions', 'NIST.800.53.R5', 'HIPAA.Security', 'PCI.DSS.321'] as const;
/** aws-cdk-lib's built-in CloudFormation validation. */
export const CFN_VALIDATE = 'CloudFormation Validate';
/**
 * The fifth pack: AWS Control Tower proactive controls, the cfn-guard rules that `@cdklabs/cdk-validator-cfnguard`
 * bundles and runs with its own cfn-guard binary, by the plugin name they report under. Its rule names are the guard
 * rules' names (`ecs_task_definition_nonroot_user_check`); the finding's description starts with the control ID
 * (`[CT.ECS.PR.10]`).
 */
export const CFN_GUARD = 'cdk-validator-cfnguard';
/** Every pack the harness runs, by plugin name: the four cdk-nag packs and the Control Tower proactive controls. */
export const ALL_PACKS = [...NAG_PACKS, CFN_GUARD] as const;

export interface Finding {
  readonly plugin: string;
  readonly rule: string;
  readonly severity: string;
  readonly path: string;
  readonly description: string;
}

/**
 * An App that runs the four cdk-nag packs, the AWS Control Tower proactive controls (cfn-guard) and strict
 * CloudFormation validation at synth, and writes findings to validation-report.json instead of throwing, so that
 * tests can list every finding.
 */
export function complianceApp(): App {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'foundry-compliance-'));
  const app = new App({
    outdir,
    context: {
      '@aws-cdk/core:validateAgainstDefaultRules': true,
      '@aws-cdk/core:failSynthOnValidationErrors': false,
    },
  });
  Validations.of(app).addPlugins(
    // aws-cdk-lib's CloudFormation validation, registered here: test/support/setup-context.ts turns the automatic one
    // off for plain test Apps (CDK_VALIDATION=false), and a plugin registered by the App runs whatever that says.
    new CloudFormationValidatePlugin(),
    new AwsSolutionsChecks(app),
    new NIST80053R5Checks(app),
    new HIPAASecurityChecks(app),
    new PCIDSS321Checks(app),
    // The plugin's Control Tower rules, only those that can apply to the templates: the same findings, in less than
    // half the time (test/support/cfn-guard-relevant.ts, proven in test/compliance-guard-rules.test.ts).
    new RelevantCfnGuardValidator(),
  );
  return app;
}

/** A stack in a fixed account and region (AZ-dependent constructs need a concrete environment). */
export function testStack(app: App, id: string): Stack {
  return new Stack(app, id, { env: { account: '123456789012', region: 'us-east-1' } });
}

/** Synthesize the app once and return every unacknowledged finding, errors and warnings alike. */
export function synthFindings(app: App): Finding[] {
  const assembly = app.synth();
  const reportFile = path.join(assembly.directory, 'validation-report.json');
  if (!fs.existsSync(reportFile)) {
    return [];
  }
  return readFindings(JSON.parse(fs.readFileSync(reportFile, 'utf-8')));
}

/** Flatten a validation-report.json document into findings. */
export function readFindings(report: any): Finding[] {
  const findings: Finding[] = [];
  for (const plugin of report.pluginReports ?? []) {
    // A plugin that failed (threw, or its tool did) reports no violations and an error: that is a finding, not a pass.
    if (plugin.metadata?.error) {
      findings.push({ plugin: plugin.pluginName, rule: 'plugin-failed', severity: 'error', path: '', description: plugin.metadata.error });
    }
    for (const violation of plugin.violations ?? []) {
      for (const construct of violation.violatingConstructs ?? []) {
        findings.push({
          plugin: plugin.pluginName,
          rule: violation.ruleName,
          severity: violation.severity ?? 'error',
          path: construct.constructPath,
          description: violation.description,
        });
      }
    }
  }
  return findings;
}

/** Findings of one stack, rendered one per line with their construct path (for failure messages). */
export function findingsOf(findings: Finding[], stackName: string): string[] {
  return findings
    .filter(f => f.path === stackName || f.path.startsWith(`${stackName}/`))
    .map(f => `[${f.plugin}] ${f.rule} (${f.severity}) at ${f.path}: ${f.description.slice(0, 160)}`);
}
