/**
 * Proof: every description and name the library writes fits what AWS accepts, whatever the construct ids are.
 *
 * Descriptions are built from construct paths, and a construct id may hold an umlaut, a euro sign, quotes or CJK
 * characters, and a path any length. Each pattern is synthesized under such ids, and every value of the checked
 * properties in the template — over all resources of each type, not a list of known ones — is matched against the
 * constraint AWS documents (cited next to each). A value that breaks one synthesizes but fails at deploy time.
 */
import { App, Duration, Stack } from 'aws-cdk-lib';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import { Construct } from 'constructs';
import * as fc from 'fast-check';
import {
  BackendService, Capacity, FoundryCluster, FoundryTaskDefinition, NetworkService, ScheduledTask, SharedVolume, Schedule, WebService, WorkerService,
} from '../../src';
import { IAM_DESCRIPTION, SECURITY_GROUP_DESCRIPTION } from '../../src/private/descriptions';

interface Constraint {
  /** Where AWS documents it. */
  readonly source: string;
  readonly maxLength: number;
  readonly minLength?: number;
  readonly pattern?: RegExp;
}

const SG_TEXT: Constraint = { ...SECURITY_GROUP_DESCRIPTION, source: 'https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_CreateSecurityGroup.html' };
const SG_RULE_TEXT: Constraint = { ...SECURITY_GROUP_DESCRIPTION, source: 'https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_IpRange.html' };
const IAM_TEXT: Constraint = { ...IAM_DESCRIPTION, source: 'https://docs.aws.amazon.com/IAM/latest/APIReference/API_CreateRole.html' };
const IAM_POLICY_TEXT: Constraint = { ...IAM_DESCRIPTION, source: 'https://docs.aws.amazon.com/IAM/latest/APIReference/API_CreatePolicy.html' };
const ECS_NAME: Constraint = {
  maxLength: 255, minLength: 1, pattern: /^[A-Za-z0-9_-]+$/, source: 'https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_CreateService.html',
};

/** [resource type, property path ('*' walks a list), constraint] */
const CHECKS: Array<[string, string, Constraint]> = [
  ['AWS::EC2::SecurityGroup', 'GroupDescription', SG_TEXT],
  ['AWS::EC2::SecurityGroup', 'SecurityGroupIngress.*.Description', SG_RULE_TEXT],
  ['AWS::EC2::SecurityGroup', 'SecurityGroupEgress.*.Description', SG_RULE_TEXT],
  ['AWS::EC2::SecurityGroupIngress', 'Description', SG_RULE_TEXT],
  ['AWS::EC2::SecurityGroupEgress', 'Description', SG_RULE_TEXT],
  ['AWS::IAM::Role', 'Description', IAM_TEXT],
  ['AWS::IAM::ManagedPolicy', 'Description', IAM_POLICY_TEXT],
  // Lambda: Description up to 256 characters (https://docs.aws.amazon.com/lambda/latest/api/API_CreateFunction.html).
  ['AWS::Lambda::Function', 'Description', { maxLength: 256, source: 'https://docs.aws.amazon.com/lambda/latest/api/API_CreateFunction.html' }],
  ['AWS::ECS::Service', 'ServiceName', ECS_NAME],
  ['AWS::ECS::TaskDefinition', 'Family', { ...ECS_NAME, source: 'https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_RegisterTaskDefinition.html' }],
  // Log group names: 1-512 characters of [\.\-_/#A-Za-z0-9] (https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_CreateLogGroup.html).
  ['AWS::Logs::LogGroup', 'LogGroupName', {
    maxLength: 512, minLength: 1, pattern: /^[.\-_/#A-Za-z0-9]+$/, source: 'https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_CreateLogGroup.html',
  }],
  // Alarm names: 1-255 characters (https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_PutMetricAlarm.html).
  ['AWS::CloudWatch::Alarm', 'AlarmName', { maxLength: 255, minLength: 1, source: 'https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_PutMetricAlarm.html' }],
  // Dashboard names: up to 255 characters, alphanumerics, '-' and '_' (https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_PutDashboard.html).
  ['AWS::CloudWatch::Dashboard', 'DashboardName', {
    maxLength: 255, minLength: 1, pattern: /^[A-Za-z0-9_-]+$/, source: 'https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_PutDashboard.html',
  }],
  // Target group names: up to 32 characters (https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/API_CreateTargetGroup.html).
  ['AWS::ElasticLoadBalancingV2::TargetGroup', 'Name', {
    maxLength: 32, minLength: 1, pattern: /^[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?$/, source: 'https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/API_CreateTargetGroup.html',
  }],
  // Queue names: up to 80 characters of alphanumerics, '-' and '_', '.fifo' for FIFO queues
  // (https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_CreateQueue.html).
  ['AWS::SQS::Queue', 'QueueName', {
    maxLength: 80, minLength: 1, pattern: /^[A-Za-z0-9_-]+(\.fifo)?$/, source: 'https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_CreateQueue.html',
  }],
  // Schedule names: 1-64 characters of [0-9a-zA-Z-_.] (https://docs.aws.amazon.com/scheduler/latest/APIReference/API_CreateSchedule.html).
  ['AWS::Scheduler::Schedule', 'Name', {
    maxLength: 64, minLength: 1, pattern: /^[0-9a-zA-Z\-_.]+$/, source: 'https://docs.aws.amazon.com/scheduler/latest/APIReference/API_CreateSchedule.html',
  }],
];

/** Construct ids no ASCII-only rule anticipates. */
const NASTY_IDS = ['Bestellung-ü', 'Daten€', 'Bob\'s "svc"', '注文', 'tab\there', 'emoji-🚀'];

const image = ecs.ContainerImage.fromRegistry('public.ecr.aws/nginx/nginx:stable');

/** Every pattern of the library under `scope`, each with the nasty id `id` in its path. */
function allPatterns(stack: Stack, scope: Construct, id: string): void {
  const cluster = new FoundryCluster(scope, `Cluster ${id}`);
  const certificate = acm.Certificate.fromCertificateArn(scope, `Cert ${id}`, 'arn:aws:acm:us-east-1:123456789012:certificate/abc');
  const ec2Capacity = cluster.addEc2Capacity(`Hosts ${id}`, { instanceType: new ec2.InstanceType('m7i.large') });
  const volume = new SharedVolume(scope, `Volume ${id}`, { cluster });
  const web = new WebService(scope, `Web ${id}`, {
    cluster, image, port: 8080, certificate, deployment: { blueGreen: { bakeTime: Duration.minutes(5) } }, dashboard: true,
  });
  web.addVolume(volume, '/data');
  const backend = new BackendService(scope, `Backend ${id}`, { cluster, image, port: 8080, capacity: Capacity.ec2(ec2Capacity) });
  web.connectTo(backend);
  new NetworkService(scope, `Nlb ${id}`, { cluster, image, port: 8080 });
  new WorkerService(scope, `Worker ${id}`, { cluster, image, queueScaling: { maxTasks: 4, messagesPerTask: 10 } });
  new ScheduledTask(scope, `Job ${id}`, { cluster, image, schedule: Schedule.rate(Duration.hours(1)) });
  void stack;
}

/** The values at a property path ('*' walks every element of a list). */
function valuesAt(value: unknown, path: string[]): unknown[] {
  if (path.length === 0) return value === undefined ? [] : [value];
  if (value === null || typeof value !== 'object') return [];
  const [head, ...rest] = path;
  if (head === '*') return Array.isArray(value) ? value.flatMap(v => valuesAt(v, rest)) : [];
  return valuesAt((value as Record<string, unknown>)[head], rest);
}

interface Violation { readonly resource: string; readonly property: string; readonly value: string; readonly why: string }

type TemplateJson = { Resources?: Record<string, { Type: string; Properties?: unknown }> };

function violationsOf(template: TemplateJson): { checked: number; violations: Violation[] } {
  let checked = 0;
  const violations: Violation[] = [];
  for (const [logicalId, resource] of Object.entries(template.Resources ?? {})) {
    for (const [type, property, constraint] of CHECKS.filter(([t]) => t === resource.Type)) {
      for (const value of valuesAt(resource.Properties, property.split('.'))) {
        if (typeof value !== 'string') continue; // an intrinsic: CloudFormation resolves it
        checked++;
        const length = [...value].length;
        const why = length > constraint.maxLength ? `${length} characters, more than ${constraint.maxLength}`
          : length < (constraint.minLength ?? 0) ? `${length} characters, fewer than ${constraint.minLength}`
            : constraint.pattern && !constraint.pattern.test(value) ? `does not match ${constraint.pattern}` : undefined;
        if (why) violations.push({ resource: `${logicalId} (${type})`, property, value, why: `${why} (${constraint.source})` });
      }
    }
  }
  return { checked, violations };
}

function synthTemplates(app: App): TemplateJson[] {
  return app.synth().stacks.map(s => s.template);
}

describe('descriptions and names fit AWS constraints under any construct id', () => {
  test.each(NASTY_IDS)('every pattern with %j in its construct ids', (nasty) => {
    const app = new App();
    const stack = new Stack(app, 'Shop', { env: { account: '123456789012', region: 'us-east-1' } });
    allPatterns(stack, stack, nasty);
    const results = synthTemplates(app).map(violationsOf);
    const violations = results.flatMap(r => r.violations);
    expect(violations).toEqual([]);
    // The checks saw the library's descriptions, not an empty template: every security group, role and policy.
    expect(results.reduce((n, r) => n + r.checked, 0)).toBeGreaterThan(40);
  });

  test('every pattern under a construct path of more than 600 characters', () => {
    const app = new App();
    const stack = new Stack(app, 'Shop', { env: { account: '123456789012', region: 'us-east-1' } });
    let scope: Construct = stack;
    for (const level of ['Region', 'Division', 'Team', 'Product']) {
      scope = new Construct(scope, `${level}-${'x'.repeat(140)}`);
    }
    allPatterns(stack, scope, 'ü');
    const longest = Math.max(...scope.node.findAll().map(c => c.node.path.length));
    expect(longest).toBeGreaterThan(600);
    const results = synthTemplates(app).map(violationsOf);
    expect(results.flatMap(r => r.violations)).toEqual([]);
    expect(results.reduce((n, r) => n + r.checked, 0)).toBeGreaterThan(40);
  });

  test('the checker catches what it guards against (a description EC2 would reject)', () => {
    const { violations } = violationsOf({
      Resources: {
        Sg: { Type: 'AWS::EC2::SecurityGroup', Properties: { GroupDescription: 'Tasks of Shop/Bestellung-ü', SecurityGroupIngress: [{ Description: 'x'.repeat(256) }] } },
        Role: { Type: 'AWS::IAM::Role', Properties: { Description: 'Runs 注文' } },
      },
    });
    expect(violations.map(v => `${v.resource} ${v.property}`)).toEqual([
      'Sg (AWS::EC2::SecurityGroup) GroupDescription',
      'Sg (AWS::EC2::SecurityGroup) SecurityGroupIngress.*.Description',
      'Role (AWS::IAM::Role) Description',
    ]);
  });
});

/**
 * Container restart policies: ECS accepts a restartAttemptPeriod of 60-1800 seconds and at most 50 ignored exit codes
 * (https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_ContainerRestartPolicy.html). Over random policies,
 * every one the library synthesizes is within those bounds, and every one outside them is refused at synth.
 */
describe('container restart policies fit what ECS accepts', () => {
  const within = (period: number | undefined, codes: number[] | undefined) =>
    (period === undefined || (Number.isInteger(period) && period >= 60 && period <= 1800))
    && (codes === undefined || (codes.length >= 1 && codes.length <= 50 && new Set(codes).size === codes.length
      && codes.every(c => Number.isInteger(c) && c >= 0 && c <= 255)));

  test('a policy is synthesized if and only if ECS accepts it, and then as given', () => {
    fc.assert(fc.property(
      fc.option(fc.oneof(fc.integer({ min: 0, max: 4000 }), fc.double({ min: 0, max: 4000, noNaN: true })), { nil: undefined }),
      fc.option(fc.array(fc.integer({ min: -5, max: 300 }), { maxLength: 60 }), { nil: undefined }),
      (period, codes) => {
        const stack = new Stack(new App(), 'Restart', { env: { account: '123456789012', region: 'us-east-1' } });
        const cluster = new FoundryCluster(stack, 'Cluster');
        const build = () => new FoundryTaskDefinition(stack, 'Web', {
          cluster,
          image,
          sidecars: [{
            name: 'agent',
            image,
            essential: false,
            restartPolicy: {
              restartAttemptPeriod: period === undefined ? undefined : Duration.millis(Math.round(period * 1000)),
              ignoredExitCodes: codes,
            },
          }],
        });
        const seconds = period === undefined ? undefined : Math.round(period * 1000) / 1000;
        if (!within(seconds, codes)) {
          expect(build).toThrow(/restartPolicy/);
          return;
        }
        const workload = build();
        const cfn = workload.taskDefinition.node.defaultChild as ecs.CfnTaskDefinition;
        const containers = stack.resolve(cfn.containerDefinitions) as Array<{ name: string; restartPolicy?: Record<string, unknown> }>;
        const policy = containers.find(c => c.name === 'agent')!.restartPolicy!;
        expect(policy.enabled).toBe(true);
        expect(policy.restartAttemptPeriod).toEqual(seconds);
        expect(policy.ignoredExitCodes).toEqual(codes);
      },
    ), { numRuns: 150 });
  });
});
