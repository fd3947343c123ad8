import { Annotations, AspectPriority, Aspects, IAspect, Stack, Token } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct, DependencyGroup, IConstruct } from 'constructs';
import { iamDescription } from './descriptions';

/**
 * The IAM quotas a role's customer-managed policies must fit, from
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html :
 * "Managed policy size: 6,144 characters" (IAM does not count white space), and "Managed policies attached to an
 * IAM role: 10" by default, adjustable to 20.
 */
export const MANAGED_POLICY_MAX_CHARS = 6144;
export const MANAGED_POLICIES_PER_ROLE_DEFAULT = 10;
export const MANAGED_POLICIES_PER_ROLE_MAX = 20;

/**
 * The deployed length of a value that is a token at synth time: an ARN or name CloudFormation fills in. ARNs of
 * the resources the library grants on (queues, secrets, log groups, file systems, keys, ...) are well under this,
 * so the estimate errs on the large side and a split policy never exceeds the quota once deployed.
 */
const TOKEN_ESTIMATE = 200;
/** Lengths of the pseudo parameters once deployed (longest partition, region and URL suffix). */
const PSEUDO_ESTIMATE: Record<string, number> = {
  'AWS::Partition': 'aws-iso-b'.length,
  'AWS::Region': 'ap-southeast-10'.length,
  'AWS::AccountId': 12,
  'AWS::URLSuffix': 'amazonaws.com.cn'.length,
};
/** What a policy document adds around its statements: {"Version":"2012-10-17","Statement":[...]}. */
const DOCUMENT_OVERHEAD = '{"Version":"2012-10-17","Statement":[]}'.length;

/**
 * An IAM role whose permissions live in customer-managed policies instead of an inline policy.
 *
 * NIST 800-53 R5, HIPAA Security and PCI DSS (rule `IAMNoInlinePolicy`) reject every inline policy,
 * and aws-cdk-lib's grants (`grantRead`, `addToPolicy`, ...) write to an inline `DefaultPolicy`.
 * This role routes every statement added through the L2 API into `AWS::IAM::ManagedPolicy` resources
 * attached to this role only, so grants keep working and the packs stay quiet. A managed policy holds at most
 * 6,144 characters: when the statements need more, they are split at synth time (once every grant is known)
 * across `Policy`, `Policy2`, `Policy3`, ... the way aws-cdk-lib splits its own roles' large policies.
 */
export class ManagedPolicyRole extends iam.Role {
  private managedPolicy?: iam.ManagedPolicy;
  private readonly statements: iam.PolicyStatement[] = [];
  /** Every managed policy of this role, so that a grant's dependents wait for all of them. */
  private readonly policies = new DependencyGroup();
  private split = false;

  constructor(scope: Construct, id: string, props: iam.RoleProps) {
    super(scope, id, { ...props, description: props.description === undefined ? undefined : iamDescription(props.description) });
    // A mutating aspect runs after all user code and before dependencies are resolved and the template is written.
    Aspects.of(this).add(new SplitPolicies(this), { priority: AspectPriority.MUTATING });
  }

  public addToPrincipalPolicy(statement: iam.PolicyStatement): iam.AddToPrincipalPolicyResult {
    if (!this.managedPolicy) {
      this.managedPolicy = new iam.ManagedPolicy(this, 'Policy', {
        description: iamDescription(`Permissions of ${this.node.path}`),
        roles: [this],
      });
      this.policies.add(this.managedPolicy);
    }
    if (this.split) {
      // Added after the split (by another aspect): the first policy takes it, and the size check still applies.
      this.managedPolicy.addStatements(statement);
    } else {
      this.statements.push(statement);
    }
    return { statementAdded: true, policyDependable: this.policies };
  }

  /** @internal */
  public _splitPolicies(): void {
    if (this.split || !this.managedPolicy) return;
    this.split = true;
    const stack = Stack.of(this);
    const budget = MANAGED_POLICY_MAX_CHARS - DOCUMENT_OVERHEAD;
    const groups: iam.PolicyStatement[][] = [[]];
    let used = 0;
    for (const statement of this.statements) {
      const size = estimateStatementSize(stack, statement) + 1; // ',' between statements
      if (used + size > budget && groups[groups.length - 1].length > 0) {
        groups.push([]);
        used = 0;
      }
      groups[groups.length - 1].push(statement);
      used += size;
    }
    this.managedPolicy.addStatements(...groups[0]);
    groups.slice(1).forEach((group, i) => {
      this.policies.add(new iam.ManagedPolicy(this, `Policy${i + 2}`, {
        description: iamDescription(`Permissions of ${this.node.path} (part ${i + 2})`),
        roles: [this],
        statements: group,
      }));
    });
    const attached = groups.length + this.managedPoliciesCount();
    if (attached > MANAGED_POLICIES_PER_ROLE_MAX) {
      Annotations.of(this).addError(`${this.node.path} needs ${attached} managed policies, more than IAM allows a role `
        + `(${MANAGED_POLICIES_PER_ROLE_MAX}, https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html). `
        + 'Grant on fewer resources (for example a shared prefix) or split the workload.');
    } else if (attached > MANAGED_POLICIES_PER_ROLE_DEFAULT) {
      Annotations.of(this).addWarningV2('cdk-ecs-foundry:rolePolicyQuota', `${this.node.path} needs ${attached} managed policies: `
        + `IAM allows ${MANAGED_POLICIES_PER_ROLE_DEFAULT} per role unless you raise the quota (up to ${MANAGED_POLICIES_PER_ROLE_MAX}), `
        + 'https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html');
    }
  }

  private managedPoliciesCount(): number {
    // Managed policies attached with addManagedPolicy() (AWS managed ones, for example) count against the quota too.
    return (this as unknown as { managedPolicies: iam.IManagedPolicy[] }).managedPolicies?.length ?? 0;
  }
}

class SplitPolicies implements IAspect {
  constructor(private readonly role: ManagedPolicyRole) {}

  public visit(node: IConstruct): void {
    if (node === this.role) this.role._splitPolicies();
  }
}

/**
 * A conservative estimate of a statement's deployed size in characters, white space excluded (as IAM counts):
 * its JSON with every token replaced by the longest value it plausibly resolves to.
 */
export function estimateStatementSize(stack: Stack, statement: iam.PolicyStatement): number {
  return estimateSize(stack.resolve(statement.toStatementJson()));
}

function estimateSize(value: unknown): number {
  if (typeof value === 'string') {
    return Token.isUnresolved(value) ? TOKEN_ESTIMATE + 2 : JSON.stringify(value).replace(/\s/g, '').length;
  }
  if (typeof value === 'number' || typeof value === 'boolean' || value === null || value === undefined) {
    return String(value).length;
  }
  if (Array.isArray(value)) {
    return 2 + value.reduce((sum: number, v) => sum + estimateSize(v) + 1, 0);
  }
  const obj = value as Record<string, unknown>;
  const keys = Object.keys(obj);
  if (keys.length === 1 && (keys[0] === 'Ref' || keys[0].startsWith('Fn::'))) {
    return 2 + intrinsicLength(keys[0], obj[keys[0]]);
  }
  return 2 + keys.reduce((sum, k) => sum + k.length + 3 + estimateSize(obj[k]) + 1, 0);
}

/** The deployed length of an intrinsic's value (without quotes). */
function intrinsicLength(fn: string, arg: unknown): number {
  if (fn === 'Ref' && typeof arg === 'string' && arg in PSEUDO_ESTIMATE) return PSEUDO_ESTIMATE[arg];
  if (fn === 'Fn::Join' && Array.isArray(arg) && Array.isArray(arg[1])) {
    const [separator, parts] = arg as [string, unknown[]];
    return parts.reduce((sum: number, part) => sum + (typeof part === 'string' ? part.length : partLength(part)), 0)
      + separator.length * Math.max(0, parts.length - 1);
  }
  return TOKEN_ESTIMATE;
}

function partLength(part: unknown): number {
  if (part && typeof part === 'object' && !Array.isArray(part)) {
    const [fn] = Object.keys(part);
    if (fn === 'Ref' || fn?.startsWith('Fn::')) return intrinsicLength(fn, (part as Record<string, unknown>)[fn]);
  }
  return TOKEN_ESTIMATE;
}
