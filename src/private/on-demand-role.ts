import { Lazy, Resource, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { ManagedPolicyRole } from './managed-policy-role';

/**
 * A task role that exists only once something needs it.
 *
 * An application that calls no AWS API needs no role, and an empty role is one more resource per service in a
 * stack capped at 500. This role is created (as a `ManagedPolicyRole`, child 'Default' so its logical ID is the
 * one a plain role would have) on the first grant, policy or ARN reference after `arm()`. Before `arm()` — while the
 * task definition is built — its ARN is a lazy value that renders the role's ARN if the role exists at synth time
 * and nothing otherwise, so `TaskRoleArn` appears exactly when there is a role.
 */
export class OnDemandRole extends Resource implements iam.IRole {
  public readonly assumeRoleAction = 'sts:AssumeRole';
  public readonly grantPrincipal: iam.IPrincipal = this;
  public readonly principalAccount: string | undefined;
  private real?: iam.Role;
  private armed = false;

  constructor(scope: Construct, id: string, private readonly props: iam.RoleProps) {
    super(scope, id);
    this.principalAccount = Stack.of(this).account;
  }

  /** After this, any use of the role creates it. */
  public arm(): void {
    this.armed = true;
  }

  /** Whether the role was created. */
  public get created(): boolean {
    return this.real !== undefined;
  }

  public get roleArn(): string {
    if (this.armed) return this.role().roleArn;
    return Lazy.string({ produce: () => this.real?.roleArn });
  }

  public get roleName(): string {
    if (this.armed) return this.role().roleName;
    return Lazy.string({ produce: () => this.real?.roleName });
  }

  public get roleRef(): iam.RoleReference {
    return { roleArn: this.roleArn, roleName: this.roleName };
  }

  public get policyFragment(): iam.PrincipalPolicyFragment {
    return this.role().policyFragment;
  }

  public addToPrincipalPolicy(statement: iam.PolicyStatement): iam.AddToPrincipalPolicyResult {
    return this.role().addToPrincipalPolicy(statement);
  }

  public addToPolicy(statement: iam.PolicyStatement): boolean {
    return this.role().addToPolicy(statement);
  }

  public attachInlinePolicy(policy: iam.Policy): void {
    this.role().attachInlinePolicy(policy);
  }

  public addManagedPolicy(policy: iam.IManagedPolicy): void {
    this.role().addManagedPolicy(policy);
  }

  public grant(grantee: iam.IPrincipal, ...actions: string[]): iam.Grant {
    return this.role().grant(grantee, ...actions);
  }

  public grantPassRole(grantee: iam.IPrincipal): iam.Grant {
    return this.role().grantPassRole(grantee);
  }

  public grantAssumeRole(grantee: iam.IPrincipal): iam.Grant {
    return this.role().grantAssumeRole(grantee);
  }

  /** The real role, created on first use. */
  public role(): iam.Role {
    if (!this.real) {
      this.real = new ManagedPolicyRole(this, 'Default', this.props);
    }
    return this.real;
  }
}
