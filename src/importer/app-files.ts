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
    devDependencies: { '@types/node': '^20', 'aws-cdk': '^2.1148.1', 'ts-node': '^10.9.2', 'typescript': '~5.9.3' },
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
  const stacks = model.environments.map(env => ({ env, cls: stackClassName(env), file: stackFileName(env).replace(/\.ts$/, '') }));
  const app = [
    "import { App, Validations } from 'aws-cdk-lib';",
    "import { AwsSolutionsChecks, HIPAASecurityChecks, NIST80053R5Checks, PCIDSS321Checks } from 'cdk-nag';",
    ...stacks.map(s => `import { ${s.cls} } from '../lib/${s.file}';`),
    '',
    `// The Copilot application '${model.application}', one stack per environment (imported by cdk-ecs-foundry import-copilot).`,
    'const app = new App();',
    '',
    '// The compliance packs run at synth; cdk-ecs-foundry passes them without findings.',
    'Validations.of(app).addPlugins(new AwsSolutionsChecks(app), new NIST80053R5Checks(app), new HIPAASecurityChecks(app), new PCIDSS321Checks(app));',
    '',
    ...(stacks.some(s => model.targets?.[s.env]) ? ['// An environment with a certificate goes to its account and Region: a load balancer uses only certificates of its own.'] : []),
    ...(stacks.some(s => !model.targets?.[s.env])
      ? ["// Environments without a certificate go where the CDK CLI's credentials point.", 'const env = { account: process.env.CDK_DEFAULT_ACCOUNT, region: process.env.CDK_DEFAULT_REGION };']
      : []),
    ...stacks.map(s => {
      const target = model.targets?.[s.env];
      return target
        ? `new ${s.cls}(app, '${model.application}-${s.env}', { env: { account: '${target.account}', region: '${target.region}' } });`
        : `new ${s.cls}(app, '${model.application}-${s.env}', { env });`;
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
    '- These stacks create NEW resources (new names and logical IDs): nothing of the Copilot stacks is adopted or changed.',
    '  Deploy next to Copilot, test, move traffic (weighted DNS records or your alias), then `copilot svc delete` and',
    '  `copilot env delete`. Data in EFS file systems and S3 buckets stays where it is.',
    '- Root file systems are read-only (a compliance rule): list the paths your containers write in `writablePaths`.',
    '- Services without `count` run 2 tasks (one per Availability Zone), Copilot ran 1.',
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
