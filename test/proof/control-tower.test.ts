/**
 * The AWS Control Tower proactive controls the library meets in its constructs, proven without acknowledgements:
 *
 * - CT.ECS.PR.7 (a memory hard limit on every container): every container that reserves memory, the main container
 *   included, gets a hard limit equal to the task's memory, and the reservations still fit the task memory as ECS
 *   requires ("The total amount of memory reserved for all containers within a task must be lower than the task memory
 *   value": a container's hard limit counts as its reservation when it has none,
 *   https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task_definition_parameters.html#container_definition_memory).
 * - CT.KMS.PR.3 (CreateGrant only for AWS resources or by AWS services) on the cluster key: the deny statement, and
 *   what it means, simulated with the IAM policy simulator: a principal of the account cannot grant the key to another
 *   principal, while EC2 (for EBS volumes) and Fargate still create the grants they need.
 *
 * The rules are run with the cfn-guard binary of @cdklabs/cdk-validator-cfnguard directly on the templates, outside
 * aws-cdk-lib's validation, so no acknowledgement can hide a finding.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { CfnGuardValidator } from '@cdklabs/cdk-validator-cfnguard';
import { App, Duration, Stack } from 'aws-cdk-lib';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import { Capacity, FoundryCluster, FoundryTaskDefinition, WebService, WorkerService } from '../../src';
import { ACCOUNT, REGION } from './support/iam-cases';
import { Statement, TemplatePolicies } from './support/iam-policies';
import { ResolvedTemplate } from './support/iam-resolve';

const nginx = ecs.ContainerImage.fromRegistry('public.ecr.aws/nginx/nginx:stable');
const RULES = path.join(path.dirname(require.resolve('@cdklabs/cdk-validator-cfnguard/package.json')), 'rules', 'control-tower', 'cfn-guard');
const MEMORY_RULE = path.join(RULES, 'ecs', 'ct-ecs-pr-7.guard');
const GRANT_RULE = path.join(RULES, 'keymanagementservice', 'ct-kms-pr-3.guard');

/** The stacks the proofs read: defaults, and containers of every kind (sidecars with and without reservations, FireLens). */
function synth(): { app: App; templates: Record<string, any>; files: Record<string, string> } {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'foundry-control-tower-'));
  const app = new App({ outdir });
  const env = { account: ACCOUNT, region: REGION };
  const defaults = new Stack(app, 'Defaults', { env });
  const cluster = new FoundryCluster(defaults, 'Cluster');
  new WebService(defaults, 'Web', {
    cluster,
    image: nginx,
    port: 8080,
    certificate: acm.Certificate.fromCertificateArn(defaults, 'Cert', `arn:aws:acm:${REGION}:${ACCOUNT}:certificate/abc`),
  });
  new WorkerService(defaults, 'Worker', { cluster, image: nginx });

  const sidecars = new Stack(app, 'Sidecars', { env });
  const other = new FoundryCluster(sidecars, 'Cluster');
  new FoundryTaskDefinition(sidecars, 'Reserving', {
    cluster: other,
    image: nginx,
    cpu: 1024,
    memoryMiB: 3072,
    logging: { firelens: true },
    sidecars: [
      { name: 'otel', image: nginx, essential: false, memoryReservationMiB: 128 },
      { name: 'proxy', image: nginx, memoryReservationMiB: 256 },
    ],
  }).addSidecar({ name: 'late', image: nginx, essential: false, memoryReservationMiB: 64 });
  new FoundryTaskDefinition(sidecars, 'Sharing', {
    cluster: other,
    image: nginx,
    sidecars: [{ name: 'init', image: nginx, essential: false, mainContainerWaitsFor: ecs.ContainerDependencyCondition.SUCCESS }],
  });
  new FoundryTaskDefinition(sidecars, 'OnEc2', {
    cluster: other,
    image: nginx,
    capacity: Capacity.ec2(other.addEc2Capacity('Ec2', { instanceType: new ec2.InstanceType('m7i.large') })),
    memoryMiB: 2048,
    stopTimeout: Duration.seconds(60),
  });

  const assembly = app.synth();
  const templates: Record<string, any> = {};
  const files: Record<string, string> = {};
  for (const name of ['Defaults', 'Sidecars']) {
    const stack = assembly.getStackByName(name);
    templates[name] = stack.template;
    files[name] = path.join(assembly.directory, stack.templateFile);
  }
  return { app, templates, files };
}

/** The findings of one Control Tower rule on one template, by logical ID, from the bundled cfn-guard. */
function guard(rule: string, templateFile: string): string[] {
  const validator = new CfnGuardValidator({ controlTowerRulesEnabled: false, rules: [rule] });
  const report = validator.validate({ templatePaths: [templateFile], appConstruct: fixture.app });
  return report.violations.flatMap(v => v.violatingResources.map(r => r.resourceLogicalId)).sort();
}

function taskDefinitions(template: any): Array<[string, any]> {
  return Object.entries<any>(template.Resources).filter(([, r]) => r.Type === 'AWS::ECS::TaskDefinition');
}

/** The logical ID of the task definition of a construct, whose logical ID starts with the construct's ID. */
function logicalIdOf(template: any, constructId: string): string {
  const found = taskDefinitions(template).filter(([id]) => id.startsWith(constructId));
  if (found.length !== 1) throw new Error(`${found.length} task definitions of ${constructId}`);
  return found[0][0];
}

let fixture: ReturnType<typeof synth>;
beforeAll(() => {
  fixture = synth();
});

describe('CT.ECS.PR.7: a memory hard limit on every container', () => {
  test('every container that reserves memory has a hard limit equal to the task memory; the reservations fit the task', () => {
    let containers = 0;
    for (const template of Object.values(fixture.templates)) {
      for (const [id, taskDefinition] of taskDefinitions(template)) {
        const taskMemory = Number(taskDefinition.Properties.Memory);
        expect(`${id}: ${Number.isFinite(taskMemory)}`).toBe(`${id}: true`);
        let reserved = 0;
        for (const container of taskDefinition.Properties.ContainerDefinitions) {
          containers++;
          if (container.Memory !== undefined) {
            expect(`${id}/${container.Name}: ${container.Memory}`).toBe(`${id}/${container.Name}: ${taskMemory}`);
          }
          if (container.Memory !== undefined && container.MemoryReservation !== undefined) {
            // "If you specify both, memory must be greater than memoryReservation."
            expect(container.Memory).toBeGreaterThan(container.MemoryReservation);
          }
          reserved += container.MemoryReservation ?? container.Memory ?? 0;
        }
        expect(`${id}: ${reserved} <= ${taskMemory}: ${reserved <= taskMemory}`).toBe(`${id}: ${reserved} <= ${taskMemory}: true`);
      }
    }
    expect(containers).toBeGreaterThanOrEqual(9);
  });

  test('the main container reserves what the sidecars and the log router leave, and has no reservation alone', () => {
    const sidecars = fixture.templates.Sidecars;
    const reserving = sidecars.Resources[logicalIdOf(sidecars, 'Reserving')].Properties.ContainerDefinitions;
    const byName = Object.fromEntries(reserving.map((c: any) => [c.Name, c]));
    expect(Object.keys(byName).sort()).toEqual(['app', 'late', 'log-router', 'otel', 'proxy']);
    // 3072 - (128 + 256 + 64, the sidecars, added after construction included) - 50 (the FireLens router).
    expect(byName.app).toMatchObject({ Memory: 3072, MemoryReservation: 3072 - 128 - 256 - 64 - 50 });
    for (const name of ['late', 'log-router', 'otel', 'proxy']) {
      expect(byName[name].Memory).toBe(3072);
    }
    const web = fixture.templates.Defaults.Resources[logicalIdOf(fixture.templates.Defaults, 'Web')].Properties.ContainerDefinitions;
    expect(web).toHaveLength(1);
    expect(web[0].Memory).toBe(Number(fixture.templates.Defaults.Resources[logicalIdOf(fixture.templates.Defaults, 'Web')].Properties.Memory));
    expect(web[0].MemoryReservation).toBeUndefined();
  });

  test('sidecars and the log router that leave the main container less than 6 MiB fail synth, naming the reservations', () => {
    const app = new App();
    const stack = new Stack(app, 'Tight', { env: { account: ACCOUNT, region: REGION } });
    new FoundryTaskDefinition(stack, 'Tight', {
      cluster: new FoundryCluster(stack, 'Cluster'),
      image: nginx,
      memoryMiB: 512,
      logging: { firelens: true },
      // 460 MiB passes the sidecar check (less than the task's 512), but with the router's 50 MiB leaves 2 MiB.
      sidecars: [{ name: 'big', image: nginx, essential: false, memoryReservationMiB: 460 }],
    });
    expect(() => app.synth()).toThrow(/FoundryTaskDefinition 'Tight\/Tight': invalid sidecars = 510 MiB reserved \(with the FireLens log router's 50 MiB\)\. The main container needs at least 6 MiB/);
  });

  test('the Control Tower rule passes on every task definition except one whose sidecar reserves no memory (acknowledged there)', () => {
    expect(guard(MEMORY_RULE, fixture.files.Defaults)).toEqual([]);
    const sidecars = fixture.templates.Sidecars;
    expect(guard(MEMORY_RULE, fixture.files.Sidecars)).toEqual([logicalIdOf(sidecars, 'Sharing')]);
  });
});

describe('CT.KMS.PR.3: grants of the cluster key only for AWS resources or by AWS services', () => {
  test('the Control Tower rule passes on the cluster key', () => {
    expect(guard(GRANT_RULE, fixture.files.Defaults)).toEqual([]);
  });

  const keyOf = (t: ResolvedTemplate) => t.getAtt(t.find('AWS::KMS::Key', 'ClusterKey'), 'Arn');
  const admin = { arn: `arn:aws:iam::${ACCOUNT}:role/admin` };
  const cases: Array<{ name: string; caller: any; context: Record<string, string | string[]>; expect: string }> = [
    { name: 'a role of the account cannot grant the key to a principal', caller: admin, context: { 'kms:GrantIsForAWSResource': 'false' }, expect: 'ExplicitlyDenied' },
    { name: 'a role of the account cannot grant without the service (no kms:GrantIsForAWSResource)', caller: admin, context: {}, expect: 'ExplicitlyDenied' },
    { name: 'a role of the account grants the key to an AWS resource through an integrated service (EBS, EFS)', caller: admin, context: { 'kms:GrantIsForAWSResource': 'true', 'kms:ViaService': `ec2.${REGION}.amazonaws.com` }, expect: 'Allowed' },
    {
      name: 'Fargate (a service principal) still grants itself Decrypt for a task of this account',
      caller: { service: 'fargate.amazonaws.com' },
      context: { 'kms:GrantOperations': ['Decrypt'], 'kms:EncryptionContext:aws:ecs:clusterAccount': ACCOUNT, 'kms:EncryptionContext:aws:ecs:clusterName': 'any' },
      expect: 'Allowed',
    },
  ];

  test('the key policy denies kms:CreateGrant to every principal unless the grant is for an AWS resource or the caller an AWS service', () => {
    const t = new ResolvedTemplate('Defaults', fixture.templates.Defaults);
    const statements = t.properties(t.find('AWS::KMS::Key', 'ClusterKey')).KeyPolicy.Statement as Statement[];
    expect(statements.filter(s => s.Effect === 'Deny')).toEqual([{
      Sid: 'DenyGrantsExceptForAwsResources',
      Effect: 'Deny',
      Principal: { AWS: '*' },
      Action: 'kms:CreateGrant',
      Resource: '*',
      Condition: { BoolIfExists: { 'kms:GrantIsForAWSResource': 'false', 'aws:PrincipalIsAWSService': 'false' } },
    }]);
  });

  test.each(cases.map(c => [c.expect, c.name, c] as const))('%s: %s', async (_expected, _name, c) => {
    const t = new ResolvedTemplate('Defaults', fixture.templates.Defaults);
    const decision = await new TemplatePolicies(t).decide({ caller: c.caller, action: 'kms:CreateGrant', resource: keyOf(t), context: c.context });
    expect(decision).toBe(c.expect);
  });
});
