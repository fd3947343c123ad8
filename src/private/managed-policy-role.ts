import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';

/**
 * An IAM role whose permissions live in one customer-managed policy instead of an inline policy.
 *
 * NIST 800-53 R5, HIPAA Security and PCI DSS (rule `IAMNoInlinePolicy`) reject every inline policy,
 * and aws-cdk-lib's grants (`grantRead`, `addToPolicy`, ...) write to an inline `DefaultPolicy`.
 * This role routes every statement added through the L2 API into an `AWS::IAM::ManagedPolicy`
 * attached to this role only, so grants keep working and the packs stay quiet.
 */
export class ManagedPolicyRole extends iam.Role {
  private managedPolicy?: iam.ManagedPolicy;

  constructor(scope: Construct, id: string, props: iam.RoleProps) {
    super(scope, id, props);
  }

  public addToPrincipalPolicy(statement: iam.PolicyStatement): iam.AddToPrincipalPolicyResult {
    if (!this.managedPolicy) {
      this.managedPolicy = new iam.ManagedPolicy(this, 'Policy', {
        description: `Permissions of ${this.node.path}`,
        roles: [this],
      });
    }
    this.managedPolicy.addStatements(statement);
    return { statementAdded: true, policyDependable: this.managedPolicy };
  }
}
