/**
 * Update safety harness: synthesize a construct before and after a prop change a user would plausibly make after
 * the first deploy, diff the two templates with the CDK's own diff engine (`@aws-cdk/cloudformation-diff`, which
 * knows from the CloudFormation resource specification which property changes replace a resource), and list every
 * stateful or named resource that the update would replace.
 *
 * A replacement is a problem when the resource holds data or an identity clients depend on (file systems,
 * repositories, buckets, log groups, queues, keys, load balancers, ...), or when CloudFormation cannot replace it
 * at all: a resource with a custom name that does not change ("CloudFormation cannot update a stack when a
 * custom-named resource requires replacing"), or an ECS service with Service Connect
 * (https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-ecs-service.html:
 * "stack update fails if you change any properties that require replacement and ServiceConnectConfiguration is
 * configured").
 */
import * as fs from 'fs';
import * as path from 'path';
import { fullDiff, ResourceImpact } from '@aws-cdk/cloudformation-diff';
import { App, Stack } from 'aws-cdk-lib';
import { securityGroupRuleMoves } from './security-group-rule-moves';

/** Resource types whose replacement loses data, an address clients use, or what other resources hang on. */
export const STATEFUL_TYPES: Record<string, string> = {
  'AWS::EFS::FileSystem': 'a new, empty file system',
  'AWS::ECR::Repository': 'a new, empty repository',
  'AWS::S3::Bucket': 'a new, empty bucket',
  'AWS::Logs::LogGroup': 'a new, empty log group',
  'AWS::SQS::Queue': 'a new queue: messages in flight stay in the old one',
  'AWS::SNS::Topic': 'a new topic: subscriptions (confirmed emails) are lost',
  'AWS::KMS::Key': 'a new key: data encrypted with the old one needs it',
  'AWS::ElasticLoadBalancingV2::LoadBalancer': 'a new DNS name: clients and DNS records point to the old one',
  'AWS::EC2::VPC': 'a new network: everything in it is replaced',
  'AWS::EC2::Subnet': 'new subnets: everything in them is replaced',
  'AWS::ECS::Cluster': 'a new cluster: every service is replaced',
  'AWS::ServiceDiscovery::PrivateDnsNamespace': 'a new namespace: every Service Connect service is replaced',
  'AWS::ServiceDiscovery::Service': 'a new Cloud Map service: registered instances are lost',
  'AWS::EC2::VPCEndpointService': 'a new endpoint service name: PrivateLink consumers are cut off',
  'AWS::AutoScaling::AutoScalingGroup': 'new instances, and the capacity provider that owns the group',
  'AWS::ECS::CapacityProvider': 'a capacity provider in use by services cannot be deleted',
};

/** The property that gives each resource type its physical name. */
export const NAME_PROPERTIES: Record<string, string> = {
  'AWS::ECS::Service': 'ServiceName',
  'AWS::ECS::Cluster': 'ClusterName',
  'AWS::ECS::CapacityProvider': 'Name',
  'AWS::ElasticLoadBalancingV2::LoadBalancer': 'Name',
  'AWS::ElasticLoadBalancingV2::TargetGroup': 'Name',
  'AWS::ECR::Repository': 'RepositoryName',
  'AWS::Logs::LogGroup': 'LogGroupName',
  'AWS::SQS::Queue': 'QueueName',
  'AWS::SNS::Topic': 'TopicName',
  'AWS::S3::Bucket': 'BucketName',
  'AWS::Scheduler::Schedule': 'Name',
  'AWS::Scheduler::ScheduleGroup': 'Name',
  'AWS::ServiceDiscovery::Service': 'Name',
  'AWS::ServiceDiscovery::PrivateDnsNamespace': 'Name',
  'AWS::IAM::Role': 'RoleName',
  'AWS::IAM::ManagedPolicy': 'ManagedPolicyName',
  'AWS::KMS::Alias': 'AliasName',
  'AWS::AutoScaling::AutoScalingGroup': 'AutoScalingGroupName',
  'AWS::EC2::LaunchTemplate': 'LaunchTemplateName',
  'AWS::Events::Rule': 'Name',
  'AWS::CloudWatch::Alarm': 'AlarmName',
  'AWS::CloudWatch::CompositeAlarm': 'AlarmName',
  'AWS::CloudWatch::Dashboard': 'DashboardName',
  'AWS::Lambda::Function': 'FunctionName',
  'AWS::SecretsManager::Secret': 'Name',
  'AWS::SSM::Parameter': 'Name',
};

/** One replaced (or moved) resource that the update would break. */
export interface Replacement {
  readonly logicalId: string;
  readonly type: string;
  /** Why this replacement is a problem. */
  readonly why: string;
  /** True when the resource is updated in place, not replaced, and the update itself breaks traffic. */
  readonly hazard?: boolean;
}

/** A template: CloudFormation JSON. */
export type Template = Record<string, any>;

/**
 * Synthesize one stack built by `build` in a plain App: no validation plugins, and (as in every plain test App,
 * test/support/setup-context.ts) without aws-cdk-lib's CloudFormation validation, whose warnings nothing here reads;
 * the compliance harness validates every pattern's default and fullest configuration strictly.
 */
export function synthTemplate(build: (stack: Stack) => void): Template {
  const app = new App();
  const stack = new Stack(app, 'Update', { env: { account: '123456789012', region: 'us-east-1' } });
  build(stack);
  return app.synth().getStackByName(stack.stackName).template;
}

/**
 * The resources an update from `before` to `after` replaces that must not be replaced: stateful types, resources
 * with an unchanged custom name, ECS services with Service Connect. A stateful resource whose logical ID
 * disappears while another of its type appears counts as replaced (the construct ID moved).
 */
export function harmfulReplacements(before: Template, after: Template): Replacement[] {
  const diff = fullDiff(before, after);
  const found: Replacement[] = [];
  const added = new Set<string>();
  const removed: Array<{ id: string; type: string }> = [];
  diff.resources.forEachDifference((logicalId, change) => {
    if (change.isAddition) {
      added.add(change.newResourceType!);
      return;
    }
    if (change.isRemoval) {
      removed.push({ id: logicalId, type: change.oldResourceType! });
      return;
    }
    const impact = change.changeImpact;
    if (impact !== ResourceImpact.WILL_REPLACE && impact !== ResourceImpact.MAY_REPLACE) {
      return;
    }
    const type = change.newResourceType!;
    const reasons: string[] = [];
    if (STATEFUL_TYPES[type]) {
      reasons.push(STATEFUL_TYPES[type]);
    }
    const nameProp = NAME_PROPERTIES[type];
    const oldName = nameProp ? change.oldProperties?.[nameProp] : undefined;
    const newName = nameProp ? change.newProperties?.[nameProp] : undefined;
    if (oldName !== undefined && JSON.stringify(oldName) === JSON.stringify(newName)) {
      reasons.push(`custom name ${nameProp} unchanged: CloudFormation cannot replace a custom-named resource`);
    }
    if (type === 'AWS::ECS::Service' && (change.oldProperties?.ServiceConnectConfiguration || change.newProperties?.ServiceConnectConfiguration)) {
      reasons.push('Service Connect: CloudFormation fails any update that replaces the service');
    }
    if (reasons.length > 0) {
      const props = Object.entries(change.propertyUpdates)
        .filter(([, p]) => p.changeImpact === ResourceImpact.WILL_REPLACE || p.changeImpact === ResourceImpact.MAY_REPLACE)
        .map(([name]) => name);
      found.push({ logicalId, type, why: `${reasons.join('; ')} (replaced by a change of ${props.join(', ') || 'its properties'})` });
    }
  });
  for (const r of removed) {
    if (STATEFUL_TYPES[r.type] && added.has(r.type)) {
      found.push({ logicalId: r.id, type: r.type, why: `${STATEFUL_TYPES[r.type]} (its logical ID changed)` });
    }
  }
  return found;
}

/** The logical ID a `Ref` or `Fn::GetAtt` points at. */
function referenced(value: unknown): string | undefined {
  const v = value as { 'Ref'?: string; 'Fn::GetAtt'?: [string, string] } | undefined;
  return v?.Ref ?? v?.['Fn::GetAtt']?.[0];
}

/**
 * Updates that break traffic without replacing a stateful resource: a change of the production listener rule of an
 * ECS native blue/green service. ECS shifts traffic by rewriting that rule's actions (every deployment moves it to
 * the other target group), while CloudFormation still owns `Actions`: updating or replacing the rule for any reason
 * (conditions, priority, target group, listener) sends the template's action again — forward to the primary target
 * group, which has no targets after a deployment that left traffic on the alternate one.
 * https://github.com/aws/aws-cdk/issues/36649, https://github.com/go-to-k/cdk-real-drift/issues/1730,
 * https://docs.aws.amazon.com/AmazonECS/latest/developerguide/alb-resources-for-blue-green.html
 */
export function trafficHazards(before: Template, after: Template): Replacement[] {
  const managed = new Map<string, string>();
  for (const [id, resource] of Object.entries<any>(before.Resources ?? {})) {
    if (resource.Type !== 'AWS::ECS::Service') continue;
    for (const lb of resource.Properties?.LoadBalancers ?? []) {
      const rule = referenced(lb.AdvancedConfiguration?.ProductionListenerRule);
      if (rule) managed.set(rule, id);
    }
  }
  const found: Replacement[] = [];
  fullDiff(before, after).resources.forEachDifference((logicalId, change) => {
    const service = managed.get(logicalId);
    if (!service) return;
    const what = change.isRemoval ? 'removed (a new rule starts with the template\'s action)'
      : change.changeImpact === ResourceImpact.WILL_REPLACE || change.changeImpact === ResourceImpact.MAY_REPLACE
        ? 'replaced (the new rule starts with the template\'s action)'
        : `updated (${Object.keys(change.propertyUpdates).join(', ')}): CloudFormation sends its Actions again`;
    found.push({
      logicalId,
      type: 'AWS::ElasticLoadBalancingV2::ListenerRule',
      hazard: true,
      why: `the production listener rule of blue/green service ${service} is ${what}, pointing production traffic at the `
        + 'primary target group, which is empty while the last deployment left traffic on the alternate one',
    });
  });
  return found;
}

/** A replacement the library accepts, because the README documents the migration (or the change is refused). */
export interface AcceptedReplacement {
  /** Case name (construct/configuration) as a regular expression. */
  readonly scenario: RegExp;
  /** The change's name, as a regular expression. */
  readonly change: RegExp;
  /** The replaced resource's type. */
  readonly type: string;
  /** Why it is acceptable. */
  readonly reason: string;
  /** The README heading anchor that documents the migration (checked to exist). */
  readonly readme: string;
}

/** A construct under test: how to build it from plain knobs, its configurations and the changes to try. */
export interface UpdateCase<K> {
  /** Construct name, e.g. 'SharedVolume'. */
  readonly construct: string;
  /** Named configurations: at least 'default' and 'fullest'. */
  readonly configurations: Record<string, K>;
  /** Prop changes a user would plausibly make later; `apply` returns undefined when it does not apply. */
  readonly changes: Array<{ readonly name: string; apply(knobs: K): K | undefined }>;
  /** Build the construct (and what it needs) from knobs. */
  build(stack: Stack, knobs: K): void;
}

/** The outcome of one prop change on one configuration. */
export interface ChangeOutcome {
  readonly scenario: string;
  readonly change: string;
  readonly replacements: Replacement[];
  /** Whether the change altered the template at all (a change that alters nothing proves nothing). */
  readonly changedTemplate: boolean;
}

/** Run every change of a case on every configuration. */
export function runCase<K>(c: UpdateCase<K>): ChangeOutcome[] {
  const outcomes: ChangeOutcome[] = [];
  for (const [configName, knobs] of Object.entries(c.configurations)) {
    const before = synthTemplate(stack => c.build(stack, knobs));
    for (const change of c.changes) {
      const changed = change.apply(knobs);
      if (changed === undefined) {
        continue;
      }
      const after = synthTemplate(stack => c.build(stack, changed));
      outcomes.push({
        scenario: `${c.construct}/${configName}`,
        change: change.name,
        replacements: [...harmfulReplacements(before, after), ...trafficHazards(before, after), ...securityGroupRuleMoves(before, after)],
        changedTemplate: JSON.stringify(before) !== JSON.stringify(after),
      });
    }
  }
  return outcomes;
}

/** The README's heading anchors (GitHub's slugs). */
export function readmeAnchors(): Set<string> {
  const readme = fs.readFileSync(path.join(__dirname, '..', '..', '..', 'README.md'), 'utf-8');
  const anchors = new Set<string>();
  for (const line of readme.split('\n')) {
    const m = /^#{1,6}\s+(.*)$/.exec(line);
    if (m) {
      anchors.add('#' + m[1].trim().toLowerCase().replace(/[^\p{L}\p{N}\s_-]/gu, '').replace(/\s/g, '-'));
    }
  }
  return anchors;
}

/** Split outcomes into accepted replacements (with their allowlist entry) and problems. */
export function judge(outcomes: ChangeOutcome[], accepted: AcceptedReplacement[]): {
  problems: string[];
  acceptedHits: Array<{ outcome: ChangeOutcome; replacement: Replacement; entry: AcceptedReplacement }>;
  unusedEntries: AcceptedReplacement[];
} {
  const problems: string[] = [];
  const acceptedHits: Array<{ outcome: ChangeOutcome; replacement: Replacement; entry: AcceptedReplacement }> = [];
  const used = new Set<AcceptedReplacement>();
  for (const outcome of outcomes) {
    for (const replacement of outcome.replacements) {
      const entry = accepted.find(a => a.scenario.test(outcome.scenario) && a.change.test(outcome.change) && a.type === replacement.type);
      if (entry) {
        used.add(entry);
        acceptedHits.push({ outcome, replacement, entry });
      } else {
        problems.push(`${outcome.scenario}: '${outcome.change}' ${replacement.hazard ? 'breaks traffic through' : 'replaces'} ${replacement.type} ${replacement.logicalId}: ${replacement.why}`);
      }
    }
  }
  return { problems, acceptedHits, unusedEntries: accepted.filter(a => !used.has(a)) };
}

/**
 * Replacements the library accepts. Each one is documented in the README (the anchor is checked) or refused with
 * a clear message; anything else that replaces a stateful or named resource fails the proof.
 */
export const ACCEPTED_REPLACEMENTS: AcceptedReplacement[] = [
  {
    scenario: /^SharedVolume\//,
    change: /^(encryption → own key|performance mode → MAX_IO)$/,
    type: 'AWS::EFS::FileSystem',
    reason: 'EFS fixes the key and performance mode at creation. The old file system is retained (removal policy) and the README says how to copy the data to the new one.',
    readme: '#updates-that-replace-resources',
  },
  {
    scenario: /^WorkloadRepository\//,
    change: /^(encryption → own key|encryption → AWS managed key|set repositoryName)$/,
    type: 'AWS::ECR::Repository',
    reason: 'ECR fixes encryption and name at creation. A named repository makes CloudFormation refuse the update (custom name); an unnamed one is retained and a new one created: the README describes pushing the images to the new repository first.',
    readme: '#updates-that-replace-resources',
  },
  {
    scenario: /^FoundryCluster\//,
    change: /^own encryption key$/,
    type: 'AWS::KMS::Key',
    reason: 'Bringing your own key removes the generated key from the stack; it is retained, so data encrypted with it (logs, topics) stays readable. File systems on the cluster key are replaced: see SharedVolume.',
    readme: '#updates-that-replace-resources',
  },
  {
    scenario: /^(WebService|NetworkService)\//,
    change: /^(load balancer: internal|internet-facing)$/,
    type: 'AWS::ElasticLoadBalancingV2::LoadBalancer',
    reason: 'A load balancer\'s scheme is fixed at creation (a new DNS name); the README describes moving clients with a second load balancer.',
    readme: '#updates-that-replace-resources',
  },
  {
    scenario: /^WebService\//,
    change: /^(route: path patterns → \/v2\/\*|route: add a host header|explicit priority|load balancer: internal)$/,
    type: 'AWS::ElasticLoadBalancingV2::ListenerRule',
    reason: 'Not a replacement but a traffic hazard of ECS native blue/green (aws-cdk#36649): the production rule\'s update re-applies its template action (the primary target group). The service warns at synth and the README gives the safe order: change routes while traffic is on the primary target group.',
    readme: '#bluegreen-and-route-changes',
  },
  {
    scenario: /^BackendService\//,
    change: /^(set serviceName|rename serviceName)$/,
    type: 'AWS::ECS::Service',
    reason: 'ECS fixes a service\'s name at creation and CloudFormation refuses to replace a Service Connect service: the update fails before changing anything; the README describes the migration to a second service.',
    readme: '#updates-that-replace-resources',
  },
];

/**
 * Register the update-safety tests of some cases: every change alters the template (or it proves nothing), no
 * change replaces a stateful or named resource unless accepted, and every accepted replacement is documented.
 */
export function proveUpdateSafety(cases: Array<UpdateCase<any>>): void {
  const anchors = readmeAnchors();
  describe.each(cases.map(c => [c.construct, c] as const))('%s', (_name, c) => {
    let outcomes: ChangeOutcome[];
    beforeAll(() => {
      outcomes = runCase(c);
    });

    test('has a default and a fullest configuration, and each change applies to at least one', () => {
      expect(Object.keys(c.configurations)).toEqual(expect.arrayContaining(['default', 'fullest']));
      const applied = new Set(outcomes.map(o => o.change));
      expect(c.changes.map(ch => ch.name).filter(n => !applied.has(n))).toEqual([]);
    });

    test('every change alters the template (a change that alters nothing proves nothing)', () => {
      expect(outcomes.filter(o => !o.changedTemplate).map(o => `${o.scenario}: ${o.change}`)).toEqual([]);
    });

    test('no change replaces a stateful or named resource unless the README documents the migration', () => {
      const relevant = ACCEPTED_REPLACEMENTS.filter(a => a.scenario.test(`${c.construct}/`));
      const { problems, acceptedHits, unusedEntries } = judge(outcomes, relevant);
      // The report: how many changes were tried and which replacements are accepted (and why).
      console.log(`${c.construct}: ${outcomes.length} prop changes over ${Object.keys(c.configurations).length} configurations; `
        + `${acceptedHits.length} accepted replacement(s)${acceptedHits.map(h => `\n  ${h.outcome.scenario} '${h.outcome.change}' → ${h.replacement.type} (${h.entry.readme})`).join('')}`);
      expect(problems).toEqual([]);
      // An entry nothing needs any more is stale: remove it.
      expect(unusedEntries.map(e => `${e.scenario} ${e.change} ${e.type}`)).toEqual([]);
      for (const hit of acceptedHits) {
        expect(anchors).toContain(hit.entry.readme);
      }
    });
  });
}
