import * as fs from 'fs';
import * as path from 'path';
import type { ManifestKind } from './field-registry';
import { ReportedField } from './manifest-fields';
import { stackClassName, stackFileName } from './render-stack';

/** A workload the import carried over. */
export interface ImportedWorkload {
  readonly name: string;
  readonly type: ManifestKind;
  readonly construct: string;
  readonly file: string;
}

/** What the files around the stacks are rendered from. */
export interface AppModel {
  readonly application: string;
  readonly environments: string[];
  /** The account and Region of an environment, when its manifest tells them (its certificate's). */
  readonly targets?: Record<string, { account: string; region: string }>;
  readonly workloads: ImportedWorkload[];
  readonly reported: ReportedField[];
  readonly carriedFields: number;
}

/** The version of this package, for the generated app's dependency. */
function libraryVersion(): string {
  try {
    const pkg = JSON.parse(fs.readFileSync(path.join(__dirname, '..', '..', 'package.json'), 'utf-8'));
    return pkg.version && pkg.version !== '0.0.0' ? `^${pkg.version}` : '*';
  } catch {
    return '*';
  }
}

/**
 * The names of the stacks Copilot deploys for an application: its environments' (`<app>-<env>`), its workloads'
 * (`<app>-<env>-<workload>`, internal/pkg/deploy/cloudformation/stack/name.go) and the application's own
 * (`<app>-infrastructure-roles`, and the `<app>-infrastructure` StackSet).
 */
export function copilotStackNames(application: string, environments: string[], workloads: string[]): Set<string> {
  const names = new Set([`${application}-infrastructure-roles`, `${application}-infrastructure`]);
  for (const env of environments) {
    names.add(`${application}-${env}`);
    for (const w of workloads) names.add(`${application}-${env}-${w}`);
  }
  return names;
}

/**
 * The stack name of each environment of the generated app: `<app>-<env>-foundry`, a name none of Copilot's live
 * stacks has (a workload named 'foundry' moves the suffix on), so `cdk deploy` never updates a Copilot stack.
 */
export function foundryStackNames(application: string, environments: string[], workloads: string[]): Record<string, string> {
  const taken = copilotStackNames(application, environments, workloads);
  let suffix = 'foundry';
  while (environments.some(env => taken.has(`${application}-${env}-${suffix}`))) suffix = `cdk-${suffix}`;
  return Object.fromEntries(environments.map(env => [env, `${application}-${env}-${suffix}`]));
}

/** The cfn-guard validator of the generated app: the version this package tests with (its devDependencies). */
export const CFN_GUARD_VALIDATOR_VERSION = '^0.0.62';

/** The summary line the CLI prints and the report ends with. */
export function summaryLine(model: Pick<AppModel, 'environments' | 'workloads' | 'reported' | 'carriedFields'>): string {
  return `Imported ${model.workloads.length === 1 ? '1 service or job' : `${model.workloads.length} services and jobs`} into ${model.environments.length} environment stack${model.environments.length === 1 ? '' : 's'}: ${model.carriedFields} field${model.carriedFields === 1 ? '' : 's'} carried, ${model.reported.length} field${model.reported.length === 1 ? '' : 's'} reported.`;
}

/** One reported field as text: 'file: field = value (env, env): what to do instead'. */
export function reportLine(r: ReportedField): string {
  return `${r.file}: ${r.field}${r.value ? ` = ${r.value}` : ''} [${r.environments.join(', ')}]\n    ${r.instead}`;
}

function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

/** package.json, cdk.json, tsconfig.json, bin/app.ts and IMPORT-REPORT.md of the generated app. */
export function renderAppFiles(model: AppModel): Record<string, string> {
  const name = `${model.application.toLowerCase().replace(/[^a-z0-9-]+/g, '-')}-cdk`;
  const packageJson = {
    name,
    version: '0.1.0',
    private: true,
    bin: { app: 'bin/app.js' },
    scripts: { build: 'tsc', synth: 'cdk synth', diff: 'cdk diff', deploy: 'cdk deploy --all' },
    dependencies: { 'aws-cdk-lib': '^2.271.0', 'cdk-ecs-foundry': libraryVersion(), 'cdk-nag': '^3.0.2', 'constructs': '^10.5.1' },
    devDependencies: { '@cdklabs/cdk-validator-cfnguard': CFN_GUARD_VALIDATOR_VERSION, '@types/node': '^20', 'aws-cdk': '^2.1148.1', 'ts-node': '^10.9.2', 'typescript': '~5.9.3' },
  };
  const cdkJson = {
    app: 'npx ts-node --prefer-ts-exts bin/app.ts',
    context: {
      // aws-cdk-lib validates every template against CloudFormation's schemas and rules at synth.
      '@aws-cdk/core:validateAgainstDefaultRules': true,
    },
  };
  const tsconfig = {
    compilerOptions: {
      target: 'ES2022',
      module: 'commonjs',
      lib: ['es2022'],
      strict: true,
      esModuleInterop: true,
      skipLibCheck: true,
      noEmit: true,
      types: ['node'],
    },
    include: ['bin/**/*.ts', 'lib/**/*.ts'],
  };
  const stackNames = foundryStackNames(model.application, model.environments, model.workloads.map(w => w.name));
  const stacks = model.environments.map(env => ({ env, cls: stackClassName(env), file: stackFileName(env).replace(/\.ts$/, ''), id: stackNames[env] }));
  const app = [
    "import { App, Validations } from 'aws-cdk-lib';",
    "import { CfnGuardValidator } from '@cdklabs/cdk-validator-cfnguard';",
    "import { AwsSolutionsChecks, HIPAASecurityChecks, NIST80053R5Checks, PCIDSS321Checks } from 'cdk-nag';",
    ...stacks.map(s => `import { ${s.cls} } from '../lib/${s.file}';`),
    '',
    `// The Copilot application '${model.application}', one stack per environment (imported by cdk-ecs-foundry import-copilot).`,
    'const app = new App();',
    '',
    '// Five compliance packs run at synth, and cdk-ecs-foundry passes them without findings: the four cdk-nag packs and the',
    '// AWS Control Tower proactive controls (the cfn-guard rules of @cdklabs/cdk-validator-cfnguard).',
    'Validations.of(app).addPlugins(',
    '  new AwsSolutionsChecks(app),',
    '  new NIST80053R5Checks(app),',
    '  new HIPAASecurityChecks(app),',
    '  new PCIDSS321Checks(app),',
    '  new CfnGuardValidator(),',
    ');',
    '',
    ...(stacks.some(s => model.targets?.[s.env]) ? ['// An environment with a certificate goes to its account and Region: a load balancer uses only certificates of its own.'] : []),
    ...(stacks.some(s => !model.targets?.[s.env])
      ? ["// Environments without a certificate go where the CDK CLI's credentials point.", 'const env = { account: process.env.CDK_DEFAULT_ACCOUNT, region: process.env.CDK_DEFAULT_REGION };']
      : []),
    ...stacks.map(s => {
      const target = model.targets?.[s.env];
      return target
        ? `new ${s.cls}(app, '${s.id}', { env: { account: '${target.account}', region: '${target.region}' } });`
        : `new ${s.cls}(app, '${s.id}', { env });`;
    }),
    '',
  ].join('\n');
  const report = [
    `# Import of the Copilot application '${model.application}'`,
    '',
    summaryLine(model),
    '',
    '## Services and jobs',
    '',
    '| name | Copilot type | construct | manifest |',
    '|---|---|---|---|',
    ...model.workloads.map(w => `| ${w.name} | ${w.type} | \`${w.construct}\` | ${w.file} |`),
    '',
    '## Fields not carried over',
    '',
    model.reported.length === 0 ? 'None: every field was carried over.' : '| manifest | field | value | environments | what to do instead |',
    ...(model.reported.length === 0 ? [] : ['|---|---|---|---|---|',
      ...model.reported.map(r => `| ${r.file} | \`${r.field}\` | ${cell(r.value)} | ${r.environments.join(', ')} | ${cell(r.instead)} |`)]),
    '',
    '## Before you deploy',
    '',
    `- These stacks (${stacks.map(s => `\`${s.id}\``).join(', ')}) create NEW resources with new names and logical IDs: no`,
    '  stack name equals one of Copilot\'s (`<app>-<env>`, `<app>-<env>-<service>`), so nothing of the Copilot stacks is',
    '  adopted, changed or deleted by `cdk deploy`. Data in Copilot\'s EFS file systems and S3 buckets stays where it is.',
    '- Each environment stack creates a NEW VPC (with a NAT gateway and an Elastic IP per Availability Zone: mind the',
    '  default quota of 5 Elastic IPs per Region). Its tasks reach nothing inside Copilot\'s VPC (a database, Copilot\'s',
    '  EFS file systems, its security groups) until you peer the two VPCs (their CIDR ranges must not overlap: an',
    '  environment whose `network.vpc.cidr` was carried has Copilot\'s range, change `vpcCidr`) or build the cluster in',
    '  Copilot\'s VPC (`vpc: ec2.Vpc.fromLookup(...)`); there, name the Service Connect namespace differently from',
    '  Copilot\'s `<env>.<app>.local`, which Route 53 already has for that VPC.',
    ...(model.workloads.some(w => w.construct === 'WebService') ? [
      '- Web services sit behind an AWS WAF web ACL that Copilot\'s load balancer did not have: the AWS managed rule',
      '  groups (core rule set, known bad inputs, IP reputation) in blocking mode. The core rule set blocks request bodies',
      '  over 8 KB (`SizeRestrictions_BODY`): try uploads and large POSTs through the new DNS name before moving traffic,',
      '  and if they get 403, pass your own web ACL (`loadBalancerOptions: { webAclArn }`) with that rule set to Count.',
    ] : []),
    '- A managed EFS volume (`storage.volumes.<name>.efs: true` or `{ uid, gid }`) becomes a NEW, empty file system',
    '  (`SharedVolume`): copy the data over from Copilot\'s (AWS DataSync, EFS to EFS) before moving traffic.',
    '- Scheduled jobs are generated disabled (`enabled: false`), so that no run happens twice; see step 4 below.',
    '- Root file systems stay writable where Copilot\'s were (`storage.readonly_fs` not true, and every sidecar):',
    '  `readonlyRootFilesystem: false`. To harden a container, remove that line and list the paths it writes in',
    '  `writablePaths`.',
    '- Services without `count` run 2 tasks (one per Availability Zone), Copilot ran 1.',
    '',
    '## Moving traffic, then deleting Copilot',
    '',
    '1. Protect the DNS records Copilot manages before anything else: a web service\'s alias records (`http.alias` with a',
    '   hosted zone) live in its Copilot service stack, and `copilot svc delete` deletes them. Add a Copilot override',
    '   (`copilot svc override`) that sets `DeletionPolicy: Retain` on those record sets, remove `hosted_zone` from the',
    '   manifest, and `copilot svc deploy`: the records stay, now yours.',
    '2. Deploy these stacks next to Copilot and test them through the new load balancer\'s DNS name.',
    '3. Shift traffic with weighted DNS records (or move your alias) in steps, watching both.',
    '4. Workers: move the publishers and their workers together. Delete a Copilot worker only after its queue and',
    '   dead-letter queue are empty. Jobs are generated disabled (`enabled: false`), so that no run happens twice: pause',
    '   the Copilot job (`on.schedule: none`, `copilot job deploy`), then remove `enabled: false` and `cdk deploy`.',
    '5. Addons (`copilot/<service>/addons/`, `copilot/environments/addons/`) are not imported. Their resources, such',
    '   as a DynamoDB table, have no DeletionPolicy: `copilot svc delete` deletes them with their data. Set',
    '   `DeletionPolicy: Retain` in the addon template and deploy before deleting, or move the data first.',
    '6. When nothing reaches the Copilot services any more, `copilot svc delete` / `copilot job delete` each workload,',
    '   then `copilot env delete` each environment.',
    '',
  ].join('\n');
  return {
    'package.json': `${JSON.stringify(packageJson, undefined, 2)}\n`,
    'cdk.json': `${JSON.stringify(cdkJson, undefined, 2)}\n`,
    'tsconfig.json': `${JSON.stringify(tsconfig, undefined, 2)}\n`,
    'bin/app.ts': app,
    'IMPORT-REPORT.md': report,
  };
}
