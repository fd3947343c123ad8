import * as fs from 'fs';
import * as path from 'path';
import { importInline, manifest, reportsOf, writeWorkspace } from './support/inline-workspace';
import { importCopilot } from '../../src/importer/import-copilot';
import { privateEcrImage } from '../../src/importer/map-container';
import { crc32 } from '../../src/importer/map-workload';

/*
 * What a deploy of a generated app next to a live Copilot application needs: stack names of its own, root file systems
 * as writable as Copilot's, pulls from private ECR, images built for the task's platform, SSM parameters by ARN, job
 * retries not mistaken for Scheduler retries, the traffic move advice, and the five compliance packs in the app.
 */

const WEB = 'Load Balanced Web Service';
const web = (body: string) => manifest('web', WEB, `image:\n  location: repo/web:1\n  port: 8080\n${body}`);

/** The stack ids bin/app.ts gives its stacks. */
function stackIds(appTs: string): string[] {
  return [...appTs.matchAll(/new \w+Stack\(app, '([^']+)'/g)].map(m => m[1]);
}

describe('stack names never equal a Copilot stack of the workspace', () => {
  test('environments, workloads (one named foundry) and the application: no generated name is a Copilot name', () => {
    const result = importInline({
      'environments/prod/manifest.yml': 'name: prod\ntype: Environment\n',
      ...web(''),
      ...manifest('foundry', 'Backend Service', 'image:\n  location: repo/api:1\n  port: 80\n'),
    });
    const envs = ['prod', 'test'];
    const workloads = ['web', 'foundry'];
    // Copilot's stack names (internal/pkg/deploy/cloudformation/stack/name.go): <app>-<env>, <app>-<env>-<workload>.
    const copilot = new Set(['shop-infrastructure-roles', ...envs.flatMap(e => [`shop-${e}`, ...workloads.map(w => `shop-${e}-${w}`)])]);
    const ids = stackIds(result.files['bin/app.ts']);
    expect(ids).toHaveLength(2);
    for (const id of ids) expect(copilot.has(id)).toBe(false);
    // The workload 'foundry' moves the suffix on.
    expect(ids).toEqual(['shop-prod-cdk-foundry', 'shop-test-cdk-foundry']);
    expect(result.files['IMPORT-REPORT.md']).toContain('These stacks (`shop-prod-cdk-foundry`, `shop-test-cdk-foundry`) create NEW resources');
  });

  test('the fixture workspace: <app>-<env>-foundry', () => {
    const root = path.join(__dirname, '..', 'fixtures', 'copilot', 'full');
    const result = importCopilot({ copilotDir: root, outDir: path.join(root, 'cdk-app'), env: { IMAGE_TAG: 'v1' } });
    const ids = stackIds(result.files['bin/app.ts']);
    expect(ids).toEqual(['shop-prod-foundry', 'shop-test-foundry']);
    for (const id of ids) {
      expect(result.environments.some(e => id === `shop-${e}`)).toBe(false);
      expect(result.environments.some(e => result.workloads.some(w => id === `shop-${e}-${w.name}`))).toBe(false);
    }
  });
});

describe('root file systems as Copilot had them', () => {
  const hardening = '/* writable, as in Copilot (storage.readonly_fs): to harden, remove this line and list the paths it writes in writablePaths */ false';

  test('readonly_fs absent or false: a writable root, with how to harden it; the scratch volumes need no writablePaths', () => {
    for (const body of ['', 'storage:\n  readonly_fs: false\n  volumes:\n    scratch:\n      path: /scratch\n']) {
      const { stack, reported } = importInline(web(body));
      expect(stack).toContain(`readonlyRootFilesystem: ${hardening},`);
      expect(stack).not.toContain('writablePaths: [');
      expect(reported).toEqual([]);
    }
  });

  test('readonly_fs: true keeps the read-only root', () => {
    const { stack } = importInline(web('storage:\n  readonly_fs: true\n'));
    expect(stack).not.toContain('readonlyRootFilesystem');
  });

  test('sidecars are always writable, as in Copilot', () => {
    const { stack } = importInline(web('storage:\n  readonly_fs: true\nsidecars:\n  proxy:\n    image: repo/proxy:1\n'));
    expect(stack).toContain('readonlyRootFilesystem: /* writable, as in Copilot: to harden, remove this line and list the paths it writes in writablePaths */ false,');
    expect(stack.match(/readonlyRootFilesystem/g)).toHaveLength(1);
  });
});

describe('images', () => {
  test('a private ECR location: fromEcrRepository, so that the execution role may pull it', () => {
    const { stack } = importInline(manifest('web', WEB, 'image:\n  location: 123456789012.dkr.ecr.eu-west-1.amazonaws.com/shop/web:v1.2\n  port: 80\n'));
    expect(stack).toContain("image: ecs.ContainerImage.fromEcrRepository(ecr.Repository.fromRepositoryAttributes(this, 'WebRepository', { repositoryName: 'shop/web', "
      + "repositoryArn: 'arn:aws:ecr:eu-west-1:123456789012:repository/shop/web' }), 'v1.2'),");
    expect(stack).toContain("import * as ecr from 'aws-cdk-lib/aws-ecr';");
  });

  test('ECR URIs: digest, no tag, China and GovCloud partitions; other registries are not ECR', () => {
    const digest = `sha256:${'a'.repeat(64)}`;
    expect(privateEcrImage(`123456789012.dkr.ecr.us-east-1.amazonaws.com/app@${digest}`)).toEqual({
      repositoryName: 'app', repositoryArn: 'arn:aws:ecr:us-east-1:123456789012:repository/app', tagOrDigest: digest,
    });
    expect(privateEcrImage('123456789012.dkr.ecr.cn-north-1.amazonaws.com.cn/app')).toEqual({
      repositoryName: 'app', repositoryArn: 'arn:aws-cn:ecr:cn-north-1:123456789012:repository/app', tagOrDigest: 'latest',
    });
    expect(privateEcrImage('123456789012.dkr.ecr.us-gov-west-1.amazonaws.com/app:1')?.repositoryArn).toBe('arn:aws-us-gov:ecr:us-gov-west-1:123456789012:repository/app');
    for (const other of ['public.ecr.aws/nginx/nginx:stable', 'ghcr.io/o/web:1', 'nginx', '12345.dkr.ecr.us-east-1.amazonaws.com/app']) {
      expect(privateEcrImage(other)).toBeUndefined();
    }
    const untagged = importInline(manifest('web', WEB, 'image:\n  location: 123456789012.dkr.ecr.eu-west-1.amazonaws.com/web\n  port: 80\n')).stack;
    expect(untagged).toContain("repositoryArn: 'arn:aws:ecr:eu-west-1:123456789012:repository/web' })),");
  });

  test('a private ECR sidecar image: its own repository construct', () => {
    const { stack } = importInline(web('sidecars:\n  proxy:\n    image: 123456789012.dkr.ecr.eu-west-1.amazonaws.com/proxy:3\n'));
    expect(stack).toContain("ecs.ContainerImage.fromEcrRepository(ecr.Repository.fromRepositoryAttributes(this, 'WebProxyRepository', { repositoryName: 'proxy', "
      + "repositoryArn: 'arn:aws:ecr:eu-west-1:123456789012:repository/proxy' }), '3')");
  });

  test('an image build is built for the platform of the manifest (arm64, or amd64 by default)', () => {
    const arm = importInline(manifest('web', WEB, 'image:\n  build: web/Dockerfile\n  port: 80\nplatform: linux/arm64\n')).stack;
    expect(arm).toContain("ecs.ContainerImage.fromAsset(path.join(__dirname, '../../web'), { platform: ecr_assets.Platform.LINUX_ARM64 })");
    expect(arm).toContain('cpuArchitecture: ecs.CpuArchitecture.ARM64,');
    const armMap = importInline(manifest('web', WEB, 'image:\n  build: web/Dockerfile\n  port: 80\nplatform:\n  osfamily: linux\n  architecture: arm64\n')).stack;
    expect(armMap).toContain('ecr_assets.Platform.LINUX_ARM64');
    const x86 = importInline(manifest('web', WEB, 'image:\n  build: web/Dockerfile\n  port: 80\n')).stack;
    expect(x86).toContain('{ platform: ecr_assets.Platform.LINUX_AMD64 }');
  });
});

describe('secrets', () => {
  test('an SSM parameter given as an ARN keeps its ARN (another account or Region); a name stays a name', () => {
    const { stack } = importInline(web('secrets:\n  A: arn:aws:ssm:us-west-2:444455556666:parameter/shared/key\n  B: /shop/key\n'));
    expect(stack).toContain("A: ecs.Secret.fromSsmParameter(ssm.StringParameter.fromStringParameterArn(this, 'WebASecret', 'arn:aws:ssm:us-west-2:444455556666:parameter/shared/key')),");
    expect(stack).toContain("B: ecs.Secret.fromSsmParameter(ssm.StringParameter.fromSecureStringParameterAttributes(this, 'WebBSecret', { parameterName: '/shop/key' })),");
  });
});

describe('Secrets Manager versions', () => {
  test('a version stage or id (ARN or secretsmanager: name) is kept: fromSecretsManagerVersion', () => {
    const { stack } = importInline(web([
      'secrets:', "  A: 'arn:aws:secretsmanager:us-east-1:111111111111:secret:db-AbCdEf:password:AWSPREVIOUS:'",
      '  B:', "    secretsmanager: 'shop/db::AWSCURRENT:v-123'", "  C: 'arn:aws:secretsmanager:us-east-1:111111111111:secret:db-AbCdEf:password::'", '',
    ].join('\n')));
    expect(stack).toContain("A: ecs.Secret.fromSecretsManagerVersion(secretsmanager.Secret.fromSecretCompleteArn(this, 'WebASecret', "
      + "'arn:aws:secretsmanager:us-east-1:111111111111:secret:db-AbCdEf'), { versionStage: 'AWSPREVIOUS' }, 'password'),");
    expect(stack).toContain("B: ecs.Secret.fromSecretsManagerVersion(secretsmanager.Secret.fromSecretNameV2(this, 'WebBSecret', 'shop/db'), "
      + "{ versionStage: 'AWSCURRENT', versionId: 'v-123' }),");
    expect(stack).toContain("C: ecs.Secret.fromSecretsManager(secretsmanager.Secret.fromSecretCompleteArn(this, 'WebCSecret', 'arn:aws:secretsmanager:us-east-1:111111111111:secret:db-AbCdEf'), 'password'),");
  });
});

describe('moving traffic and what Copilot deletes', () => {
  test('addons and overrides directories are reported, each with what deleting the Copilot stack does', () => {
    const root = writeWorkspace({
      ...web(''),
      'web/addons/table.yml': 'Resources: {}\n',
      'web/overrides/cfn.patches.yml': '[]\n',
      'environments/addons/bucket.yml': 'Resources: {}\n',
    });
    const result = importCopilot({ copilotDir: root, outDir: path.join(root, 'cdk-app'), env: {} });
    expect(result.reported.map(r => `${r.file} ${r.field} ${r.value}`).sort()).toEqual([
      'copilot/environments/addons/ addons bucket.yml',
      'copilot/web/addons/ addons table.yml',
      'copilot/web/overrides/ overrides cfn.patches.yml',
    ]);
    expect(reportsOf(result.reported, 'addons')[0].instead).toMatch(/no DeletionPolicy.*copilot svc delete.*DeletionPolicy: Retain/);
    expect(reportsOf(result.reported, 'addons')[0].environments).toEqual(['test']);
    fs.rmSync(root, { recursive: true, force: true });
  });

  test('the report protects the alias records first, moves workers with their publishers, empties queues before deleting', () => {
    const report = importInline(web('')).files['IMPORT-REPORT.md'];
    const order = ['DeletionPolicy: Retain', 'remove `hosted_zone`', 'Deploy these stacks', 'Shift traffic', 'move the publishers and their workers together',
      'queue and\n   dead-letter queue are empty', '`copilot svc delete` / `copilot job delete`'];
    const at = order.map(text => report.indexOf(text));
    expect(at.every(i => i >= 0)).toBe(true);
    expect([...at].sort((a, b) => a - b)).toEqual(at);
  });
});

describe('the generated app runs the five compliance packs', () => {
  test('bin/app.ts adds the cfn-guard validator, package.json has it at the version this package tests with', () => {
    const { files } = importInline(web(''));
    expect(files['bin/app.ts']).toContain("import { CfnGuardValidator } from '@cdklabs/cdk-validator-cfnguard';");
    expect(files['bin/app.ts']).toMatch(/addPlugins\(\n {2}new AwsSolutionsChecks\(app\),\n {2}new NIST80053R5Checks\(app\),\n {2}new HIPAASecurityChecks\(app\),\n {2}new PCIDSS321Checks\(app\),\n {2}new CfnGuardValidator\(\),\n\);/);
    const ours = JSON.parse(fs.readFileSync(path.join(__dirname, '..', '..', 'package.json'), 'utf-8'));
    const generated = JSON.parse(files['package.json']);
    expect(generated.devDependencies['@cdklabs/cdk-validator-cfnguard']).toBe(ours.devDependencies['@cdklabs/cdk-validator-cfnguard']);
  });
});

describe('malformed values are refused, naming the file and field (nothing is written)', () => {
  test.each([
    ['cpu: lots\n', /copilot\/web\/manifest\.yml: cpu = lots is not a number/],
    ['memory: true\n', /copilot\/web\/manifest\.yml: memory = true is not a number/],
    ['count:\n  range: 5-2\n', /copilot\/web\/manifest\.yml: count\.range: the minimum 5 is larger than the maximum 2/],
    ['count:\n  range:\n    min: 4\n    max: 1\n', /copilot\/web\/manifest\.yml: count\.range: the minimum 4 is larger than the maximum 1/],
    ['count:\n  range: few\n', /copilot\/web\/manifest\.yml: count\.range = few is not a range/],
    ['http:\n  deregistration_delay: soon\n', /copilot\/web\/manifest\.yml: http\.deregistration_delay = soon is not a duration/],
  ])('%s', (body, message) => {
    expect(() => importInline(web(body))).toThrow(message);
  });

  test('through the command: exit code 1 and no directory', () => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { main } = require('../../src/importer/cli') as typeof import('../../src/importer/cli');
    const root = writeWorkspace(web('cpu: lots\n'));
    const out = path.join(root, 'cdk-app');
    let stderr = '';
    const code = main(['import-copilot', root, '--out', out], { write: () => true }, { write: (t: string) => (stderr += t) });
    expect(code).toBe(1);
    expect(stderr).toMatch(/cpu = lots is not a number/);
    expect(fs.existsSync(out)).toBe(false);
    fs.rmSync(root, { recursive: true, force: true });
  });
});

describe('scaling as Copilot computes it', () => {
  test('spot_from below the range minimum runs every task on Fargate Spot; from the minimum up, spot_from - 1 on demand', () => {
    const below = importInline(web('count:\n  range:\n    min: 5\n    max: 10\n    spot_from: 2\n')).stack;
    expect(below).toContain('capacity: Capacity.spot(),');
    const at = importInline(web('count:\n  range:\n    min: 5\n    max: 10\n    spot_from: 5\n')).stack;
    expect(at).toContain('capacity: Capacity.spot({ onDemandBase: 4 }),');
  });

  test('the queue backlog per task rounds up: ceil(latency / processing time)', () => {
    const { stack } = importInline(manifest('jobs', 'Worker Service', 'image:\n  location: repo/w:1\ncount:\n  range: 1-5\n  queue_delay:\n    acceptable_latency: 10s\n    msg_processing_time: 3s\n'));
    // 10 / 3 = 3.33: Copilot's target is 4 messages per task (floor would give 3).
    expect(stack).toContain('messagesPerTask: /* ceil(acceptable_latency 10 s / msg_processing_time 3 s), as Copilot computes it */ 4,');
    expect(stack).not.toContain('acceptableLatency');
  });

  test('a web service gets Copilot\'s 60-second health check grace period unless the manifest sets one', () => {
    expect(importInline(web('')).stack).toContain('healthCheckGracePeriod: Duration.seconds(60),');
    expect(importInline(web('http:\n  healthcheck:\n    grace_period: 2m\n')).stack).toContain('healthCheckGracePeriod: Duration.minutes(2),');
  });
});

describe('the variables Copilot sets in every container', () => {
  test('application, environment and service names in every workload, the load balancer DNS name in a web service', () => {
    const { stack } = importInline({ ...web('variables:\n  COPILOT_SERVICE_NAME: mine\n'), ...manifest('jobs', 'Worker Service', 'image:\n  location: repo/w:1\n') });
    expect(stack).toContain("environment: {\n        COPILOT_APPLICATION_NAME: 'shop',\n        COPILOT_ENVIRONMENT_NAME: 'test',\n        COPILOT_SERVICE_NAME: 'mine',"
      + '\n        COPILOT_LB_DNS: loadBalancer.loadBalancer.loadBalancerDnsName,\n      },');
    expect(stack).toContain("environment: { COPILOT_APPLICATION_NAME: 'shop', COPILOT_ENVIRONMENT_NAME: 'test', COPILOT_SERVICE_NAME: 'jobs' },");
  });

  test('a backend\'s Cloud Map name (<svc>.<env>.<app>.local) is reported with how callers reach it now', () => {
    const { reported } = importInline(manifest('api', 'Backend Service', 'image:\n  location: repo/api:1\n  port: 80\n'));
    expect(reportsOf(reported, 'COPILOT_SERVICE_DISCOVERY_ENDPOINT')).toEqual([expect.objectContaining({ value: 'api.test.shop.local', environments: ['test'] })]);
    expect(reportsOf(reported, 'COPILOT_SERVICE_DISCOVERY_ENDPOINT')[0].instead).toMatch(/Service Connect as http:\/\/<discoveryName>:<port>/);
  });
});

describe('managed EFS as Copilot set it up', () => {
  test('CRC-32 (IEEE) as Go computes it: the standard check value', () => {
    // The CRC-32 check value of '123456789' is 0xCBF43926.
    expect(crc32('123456789')).toBe(0xcbf43926);
    expect(crc32('')).toBe(0);
  });

  test('the access point: /<workload>, owner CRC-32 of the workload name unless uid/gid are given, permissions 755', () => {
    const { stack } = importInline(manifest('api', 'Backend Service', 'image:\n  location: repo/api:1\n  port: 80\nstorage:\n  volumes:\n    data:\n      path: /data\n      efs: true\n'));
    expect(stack).toContain(`accessPoint: { path: '/api', uid: ${crc32('api')}, gid: ${crc32('api')}, permissions: '755' }`);
  });
});

describe('report messages that say what applies', () => {
  test('logging.retention: 365 days or more is carried; less is reported with the compliance reason (not as FireLens)', () => {
    const long = importInline(web('logging:\n  retention: 731\n'));
    expect(long.stack).toContain('logging: { retention: logs.RetentionDays.TWO_YEARS },');
    expect(long.stack).toContain("import * as logs from 'aws-cdk-lib/aws-logs';");
    expect(long.reported).toEqual([]);
    const short = importInline(web('logging:\n  retention: 7\n'));
    expect(short.stack).not.toContain('retention');
    expect(short.reported).toEqual([expect.objectContaining({ field: 'logging.retention', value: '7' })]);
    expect(short.reported[0].instead).toMatch(/CT\.CLOUDWATCH\.PR\.2 wants at least 365 days\. To keep 7 days/);
    expect(short.reported[0].instead).not.toMatch(/FireLens/);
  });

  test('environment subnets: each item is reported with how the cluster derives subnets, not as an unknown field', () => {
    const { reported } = importInline({
      'environments/test/manifest.yml': 'name: test\ntype: Environment\nnetwork:\n  vpc:\n    subnets:\n      public:\n        - cidr: 10.0.0.0/24\n          az: eu-west-1a\n',
      ...web(''),
    });
    expect(reported).toEqual([expect.objectContaining({ field: 'network.vpc.subnets.public[]' })]);
    expect(reported[0].instead).toMatch(/one public and one private subnet per Availability Zone .* pass your own `vpc`/);
    expect(reported[0].instead).not.toMatch(/Not a field/);
  });
});
