import * as fs from 'fs';
import * as path from 'path';
import { CfnGuardValidator } from '@cdklabs/cdk-validator-cfnguard';
import { IPolicyValidationContextBeta1, IPolicyValidationPluginBeta1, PolicyValidationPluginReportBeta1 } from 'aws-cdk-lib';

/** The Control Tower rule files the plugin bundles (its default rule set). */
export const CONTROL_TOWER_RULES = path.join(path.dirname(require.resolve('@cdklabs/cdk-validator-cfnguard/package.json')),
  'rules', 'control-tower', 'cfn-guard');

/** A bundled rule file and the CloudFormation resource types it names. */
interface RuleFile {
  readonly file: string;
  readonly types: ReadonlySet<string>;
}

const TYPE_NAME = /AWS::[A-Za-z0-9]+::[A-Za-z0-9]+/g;

let ruleFiles: RuleFile[] | undefined;

/** Every bundled rule file with the resource types written in it (declarations and comments alike). */
export function controlTowerRuleFiles(): RuleFile[] {
  if (!ruleFiles) {
    const walk = (dir: string): string[] => fs.readdirSync(dir, { withFileTypes: true })
      .flatMap(e => e.isDirectory() ? walk(path.join(dir, e.name)) : e.name.endsWith('.guard') ? [path.join(dir, e.name)] : []);
    ruleFiles = walk(CONTROL_TOWER_RULES).sort().map(file => ({
      file,
      types: new Set(fs.readFileSync(file, 'utf-8').match(TYPE_NAME) ?? []),
    }));
  }
  return ruleFiles;
}

/** The resource types of some synthesized templates. */
export function resourceTypesOf(templatePaths: readonly string[]): Set<string> {
  const types = new Set<string>();
  for (const file of templatePaths) {
    const template = JSON.parse(fs.readFileSync(file, 'utf-8'));
    for (const resource of Object.values<any>(template.Resources ?? {})) {
      types.add(resource.Type);
    }
  }
  return types;
}

/**
 * The AWS Control Tower proactive controls as `CfnGuardValidator` runs them, with only the rule files that can apply.
 *
 * Every bundled rule selects the resources it checks by type (`Resources.*[ Type == %S3_BUCKET_TYPE ]`, the type a
 * literal in the file): a rule file that names none of the templates' resource types skips every check, and reports
 * nothing. cfn-guard spends about 25–35 ms per rule file and template whether or not the file applies (237 files:
 * 6.6 s for one 170 kB template), so running only the files that name a type the templates hold gives the same
 * findings in less than half the time: 21 s against 48 s, 322 findings each, identical, on the 29 templates of
 * test/compliance.test.ts (measured 2026-11-28); test/compliance-guard-rules.test.ts runs both on templates with
 * findings of five services and compares the reports. A rule file
 * naming no type at all would always run (none does today).
 *
 * It reports under the plugin's own name and rule IDs, so acknowledgements and the harness read it as the plugin.
 */
export class RelevantCfnGuardValidator implements IPolicyValidationPluginBeta1 {
  private readonly full = new CfnGuardValidator();
  public readonly name = this.full.name;
  public readonly version = this.full.version;
  public readonly ruleIds = this.full.ruleIds;
  /** The rule files the last validation ran (for the test that compares it with the full set). */
  public lastRules: string[] = [];

  public validate(context: IPolicyValidationContextBeta1): PolicyValidationPluginReportBeta1 {
    // One cfn-guard run over every template (as the plugin does), with the rule files that name one of their types.
    // (One run per template with its own rule files was measured slower: 26 s against 21 s on the 29 templates of
    // test/compliance.test.ts; the full rule set took 48 s.)
    const present = resourceTypesOf(context.templatePaths);
    this.lastRules = controlTowerRuleFiles()
      .filter(r => r.types.size === 0 || [...r.types].some(t => present.has(t)))
      .map(r => r.file);
    if (this.lastRules.length === 0) {
      return { success: true, violations: [] };
    }
    return new CfnGuardValidator({ controlTowerRulesEnabled: false, rules: this.lastRules }).validate(context);
  }
}
