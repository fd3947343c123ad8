/**
 * The deploy kit's runner (test/integ-run.ts): it finds every integration app and reports each one's outcome.
 * Deploying needs an AWS account; this checks what can be checked without one.
 */
import * as fs from 'fs';
import * as path from 'path';
import { integApps, missingEnv, requiredEnv, succeeded, summary } from './integ-run';

test('runs every test/integ.*.ts app, including the EC2 host apps', () => {
  const files = fs.readdirSync(__dirname).filter(f => f.startsWith('integ.') && f.endsWith('.ts'));
  expect(integApps()).toEqual(files.map(f => f.slice('integ.'.length, -'.ts'.length)).sort());
  expect(integApps()).toEqual(expect.arrayContaining(['ec2-al2023', 'ec2-bottlerocket', 'web-service', 'worker-service', 'scheduled-task']));
});

test('reports a failed deployment and an app left behind, and counts only clean passes', () => {
  const text = summary([
    { app: 'web-service', deployed: true, destroyed: true, minutes: 21.4, log: 'test/cdk-integ.out.web-service/cli.log' },
    { app: 'worker-service', deployed: false, destroyed: true, minutes: 12, log: 'test/cdk-integ.out.worker-service/cli.log' },
    { app: 'network-service', deployed: true, destroyed: false, minutes: 30, log: 'test/cdk-integ.out.network-service/cli.log' },
  ]);
  expect(text).toMatch(/PASS\s+web-service\s+21\.4 min\s+deployed, assertions passed; destroyed/);
  expect(text).toMatch(/FAIL\s+worker-service .*deploy or an assertion failed \(see test\/cdk-integ\.out\.worker-service\/cli\.log\)/);
  expect(text).toMatch(/network-service .*destroy failed: check the account for its stacks/);
  expect(text).toContain('1 of 3 app(s) passed and were cleaned up.');
});

test('its output folders are git-ignored', () => {
  const gitignore = fs.readFileSync(path.join(__dirname, '..', '.gitignore'), 'utf-8').split('\n');
  expect(gitignore).toContain('test/cdk-integ.out.*');
});

describe('an app whose environment variables are not set is skipped, not deployed against placeholders', () => {
  test('web-service needs the hosted zone variables, and the other apps need none', () => {
    expect(requiredEnv('web-service')).toEqual(['FOUNDRY_INTEG_ZONE_ID', 'FOUNDRY_INTEG_ZONE_NAME']);
    for (const app of integApps().filter(a => a !== 'web-service')) {
      expect([app, requiredEnv(app)]).toEqual([app, []]);
    }
  });

  test('missing when unset or empty, present when both are set', () => {
    expect(missingEnv('web-service', {})).toEqual(['FOUNDRY_INTEG_ZONE_ID', 'FOUNDRY_INTEG_ZONE_NAME']);
    expect(missingEnv('web-service', { FOUNDRY_INTEG_ZONE_ID: 'Z123', FOUNDRY_INTEG_ZONE_NAME: ' ' })).toEqual(['FOUNDRY_INTEG_ZONE_NAME']);
    expect(missingEnv('web-service', { FOUNDRY_INTEG_ZONE_ID: 'Z123', FOUNDRY_INTEG_ZONE_NAME: 'example.org' })).toEqual([]);
    expect(missingEnv('worker-service', {})).toEqual([]);
  });

  test('the summary says SKIPPED with the variables that enable it, and a skip does not fail the run', () => {
    const results = [
      { app: 'web-service', deployed: false, destroyed: false, minutes: 0, log: '', skippedFor: ['FOUNDRY_INTEG_ZONE_ID', 'FOUNDRY_INTEG_ZONE_NAME'] },
      { app: 'worker-service', deployed: true, destroyed: true, minutes: 18, log: 'test/cdk-integ.out.worker-service/cli.log' },
    ];
    const text = summary(results);
    expect(text).toMatch(/SKIPPED\s+web-service\s+not deployed: set FOUNDRY_INTEG_ZONE_ID and FOUNDRY_INTEG_ZONE_NAME to run it/);
    expect(text).not.toMatch(/FAIL/);
    expect(text).toContain('1 of 1 app(s) passed and were cleaned up. 1 skipped.');
    expect(succeeded(results)).toBe(true);
    expect(succeeded([...results, { app: 'scheduled-task', deployed: false, destroyed: true, minutes: 9, log: 'x' }])).toBe(false);
  });
});
