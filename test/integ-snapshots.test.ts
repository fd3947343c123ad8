/**
 * Snapshot checks of the integration tests (test/integ.*.ts): every build synthesizes each integration app and
 * compares its templates — test stack and assertion stack — with the committed snapshots, so the deployable tests
 * never rot. Deploying them (and running their assertions) needs an AWS account: `npm run integ`.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

const files = fs.readdirSync(__dirname).filter(f => /^integ\.[a-z0-9-]+\.ts$/.test(f)).sort();

test('there is an integration test for each pattern', () => {
  expect(files).toEqual([
    'integ.backend-service.ts',
    'integ.ci-image.ts',
    'integ.ebs-volumes.ts',
    'integ.ec2-al2023.ts',
    'integ.ec2-bottlerocket.ts',
    'integ.managed-instances.ts',
    'integ.network-service.ts',
    'integ.nlb-service-connect-deployments.ts',
    'integ.observability.ts',
    'integ.progressive-deployments.ts',
    'integ.scheduled-task.ts',
    'integ.stopped-task-alert.ts',
    'integ.web-service.ts',
    'integ.worker-service.ts',
  ]);
});

describe.each(files)('%s', file => {
  let templates: Record<string, any>;

  beforeAll(() => {
    const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'foundry-integ-'));
    const previous = process.env.CDK_OUTDIR;
    process.env.CDK_OUTDIR = outdir;
    try {
      // The integration app synthesizes itself when loaded (as integ-runner runs it); load it in this process. Each
      // app is a module of its own and loads once; the library and aws-cdk-lib load once for all of them (a fresh
      // module registry per app, jest.isolateModules, doubled this file's CPU time and changed no template).
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      require(path.join(__dirname, file));
    } finally {
      if (previous === undefined) delete process.env.CDK_OUTDIR; else process.env.CDK_OUTDIR = previous;
    }
    const manifest = JSON.parse(fs.readFileSync(path.join(outdir, 'manifest.json'), 'utf-8'));
    templates = {};
    for (const [name, artifact] of Object.entries<any>(manifest.artifacts)) {
      if (artifact.type === 'aws:cloudformation:stack') {
        templates[name] = JSON.parse(fs.readFileSync(path.join(outdir, artifact.properties.templateFile), 'utf-8'));
      }
    }
  });

  test('synthesizes a test stack and an assertion stack with assertions', () => {
    const names = Object.keys(templates);
    expect(names.length).toBeGreaterThanOrEqual(2);
    const assertions = names.find(n => n.endsWith('Assertions'))!;
    const custom = Object.values<any>(templates[assertions].Resources).filter(r => String(r.Type).startsWith('Custom::DeployAssert'));
    expect(custom.length).toBeGreaterThan(0);
  });

  test('matches the snapshot', () => {
    // integ-tests-alpha salts each assertion with the time of synthesis, so that it runs on every deployment.
    const unsalted = JSON.parse(JSON.stringify(templates, (key, value) => (key === 'salt' ? '[SALT]' : value)));
    expect(unsalted).toMatchSnapshot();
  });
});
