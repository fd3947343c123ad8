import { Annotations, Aws, CfnCondition, CfnMapping, CfnWaitConditionHandle, Fn, Stack, Token } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { acknowledgeGuardDutyAgentPull } from '../compliance/acknowledgements';
import { iamDescription } from '../private/descriptions';

/*
 * GuardDuty Runtime Monitoring adds a sidecar running its security agent to every new Fargate task where the account
 * (or the cluster, by tag) enables it. ECS pulls that sidecar's image with the task's execution role, from GuardDuty's
 * repository `aws-guardduty-agent-fargate` in a GuardDuty account of the task's Region; with an execution role that
 * may pull only the workload's own image the sidecar fails with CannotPullContainerError and the task runs unmonitored
 * (https://docs.aws.amazon.com/guardduty/latest/ug/prereq-runtime-monitoring-ecs-support.html#before-enable-runtime-monitoring-ecs).
 */

/** GuardDuty's repository of the Fargate agent, the same name in every Region. */
export const GUARDDUTY_AGENT_REPOSITORY = 'aws-guardduty-agent-fargate';

/**
 * The account that hosts the agent repository, per Region: the table "ECR Repository for GuardDuty agent on AWS
 * Fargate (Amazon ECS only)", https://docs.aws.amazon.com/guardduty/latest/ug/ecs-runtime-agent-ecr-image-uri.html.
 * A Region that is not listed has no Fargate agent: the execution role gets no grant there.
 */
export const GUARDDUTY_AGENT_ACCOUNTS: Readonly<Record<string, string>> = {
  'us-west-2': '733349766148',
  'eu-west-3': '665651866788',
  'ap-south-1': '251508486986',
  'ap-south-2': '950823858135',
  'ca-central-1': '354763396469',
  'me-central-1': '000014521398',
  'eu-west-2': '892757235363',
  'us-west-1': '684579721401',
  'us-east-1': '593207742271',
  'us-east-2': '307168627858',
  'eu-west-1': '694911143906',
  'sa-east-1': '758426053663',
  'eu-north-1': '591436053604',
  'eu-central-1': '323658145986',
  'eu-central-2': '529164026651',
  'ap-southeast-1': '174946120834',
  'ap-southeast-2': '005257825471',
  'ap-southeast-3': '510637619217',
  'ap-northeast-1': '533107202818',
  'ap-northeast-2': '914738172881',
  'ap-northeast-3': '273192626886',
  'ap-east-1': '258348409381',
  'me-south-1': '536382113932',
  'eu-south-1': '266869475730',
  'eu-south-2': '919611009337',
  'af-south-1': '197869348890',
  'ap-southeast-4': '251357961535',
  'il-central-1': '870907303882',
  'ap-southeast-5': '156041399949',
  'ap-southeast-7': '054037130133',
  'ca-west-1': '339712888787',
  'mx-central-1': '311141559934',
  'ap-east-2': '259886477082',
};

/** The ECR actions a pull of the agent needs, scoped to its repository (GuardDuty's prerequisites page). */
export const GUARDDUTY_AGENT_PULL_ACTIONS = ['ecr:BatchCheckLayerAvailability', 'ecr:GetDownloadUrlForLayer', 'ecr:BatchGetImage'];

const MAPPING_ID = 'FoundryGuardDutyAgentAccounts';
const POLICY_ID = 'GuardDutyAgentPull';
const READY_ID = 'GuardDutyAgentPullReady';
const CONDITION_ID = 'FoundryGuardDutyAgentRegion';

/**
 * Let the execution role pull GuardDuty's Fargate agent in the stack's Region. In a stack with a Region, the two
 * statements go into the role's own policy (no resource more per workload: a stack holds at most 500); in a Region
 * GuardDuty does not list, there is nothing to pull and no grant. In an environment-agnostic stack, the Region is
 * known only at deployment: a mapping of the Regions GuardDuty lists gives the account, and a customer-managed policy
 * of the role (one per role), created only in those Regions by a condition, holds the statements; any other Region
 * deploys without it. Returns what the role's users must depend on to wait for that policy, if one was created.
 *
 * CloudFormation rejects a DependsOn on a resource whose condition is false (cfn-lint E3005), so nothing may depend on
 * the conditional policy directly: the policy sits at the stack's root (outside the role, whose dependents depend on
 * every resource under it), and an unconditional `AWS::CloudFormation::WaitConditionHandle` under the role (or the
 * workload, for a role of another stack) references it in its Metadata with `Fn::If` (allowed in the metadata
 * attribute: https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/intrinsic-function-reference-conditions.html#intrinsic-function-reference-conditions-if).
 * The reference orders the handle after the policy where it exists (and before it on delete), and the role's users
 * depend on the handle.
 */
export function allowGuardDutyAgentPull(scope: Construct, role: iam.IRole): Construct | undefined {
  const stack = Stack.of(scope);
  const region = stack.region;
  const statements = (account: string) => [
    new iam.PolicyStatement({
      actions: GUARDDUTY_AGENT_PULL_ACTIONS,
      resources: [`arn:${Aws.PARTITION}:ecr:${Aws.REGION}:${account}:repository/${GUARDDUTY_AGENT_REPOSITORY}`],
    }),
    // ecr:GetAuthorizationToken takes no resource (https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonelasticcontainerregistry.html):
    // needed when the workload's own image is not in ECR.
    new iam.PolicyStatement({ actions: ['ecr:GetAuthorizationToken'], resources: ['*'] }),
  ];
  if (!Token.isUnresolved(region)) {
    const account = GUARDDUTY_AGENT_ACCOUNTS[region];
    if (account === undefined) {
      Annotations.of(scope).addInfo(`GuardDuty lists no Fargate agent repository in ${region}: the execution role gets no GuardDuty agent pull.`);
      return undefined;
    }
    for (const statement of statements(account)) {
      role.addToPrincipalPolicy(statement);
    }
    return undefined;
  }
  // The handle lives under the role when the role is in this stack: whatever depends on the role (the ECS service
  // does, so that no task starts before its role may pull) waits for the policy too, and workloads sharing one
  // execution role share one policy and one handle.
  const owner: Construct = role instanceof Construct && Stack.of(role) === stack ? role : scope;
  const existing = owner.node.tryFindChild(READY_ID);
  if (existing) {
    return existing;
  }
  const condition = regionCondition(stack);
  const account = regionMapping(stack).findInMap(Aws.REGION, 'account');
  // At the stack's root, named after the owner's path in the stack (so the logical ID still reads like the owner's).
  const policyId = owner.node.scopes.slice(owner.node.scopes.indexOf(stack) + 1).map(c => c.node.id).join('') + POLICY_ID;
  const policy = new iam.ManagedPolicy(stack, policyId, {
    description: iamDescription(`Lets ECS pull the GuardDuty Runtime Monitoring agent sidecar with the execution role ${role.node.path}`),
    roles: [role],
    statements: statements(account),
  });
  (policy.node.defaultChild as iam.CfnManagedPolicy).cfnOptions.condition = condition;
  acknowledgeGuardDutyAgentPull(policy);
  const ready = new CfnWaitConditionHandle(owner, READY_ID);
  ready.cfnOptions.metadata = {
    GuardDutyAgentPull: Fn.conditionIf(condition.logicalId, policy.managedPolicyArn, Aws.NO_VALUE),
  };
  return ready;
}

function regionMapping(stack: Stack): CfnMapping {
  const existing = stack.node.tryFindChild(MAPPING_ID);
  if (existing instanceof CfnMapping) {
    return existing;
  }
  const mapping: Record<string, Record<string, string>> = {};
  for (const [region, account] of Object.entries(GUARDDUTY_AGENT_ACCOUNTS).sort(([a], [b]) => a.localeCompare(b))) {
    mapping[region] = { account };
  }
  return new CfnMapping(stack, MAPPING_ID, { mapping });
}

/** True in the Regions of the mapping: `Fn::Or` takes 2-10 conditions, so the Regions are grouped by ten. */
function regionCondition(stack: Stack): CfnCondition {
  const existing = stack.node.tryFindChild(CONDITION_ID);
  if (existing instanceof CfnCondition) {
    return existing;
  }
  const equals = Object.keys(GUARDDUTY_AGENT_ACCOUNTS).sort().map(r => Fn.conditionEquals(Aws.REGION, r));
  const groups: ReturnType<typeof Fn.conditionOr>[] = [];
  for (let i = 0; i < equals.length; i += 10) {
    const group = equals.slice(i, i + 10);
    groups.push(group.length === 1 ? Fn.conditionOr(group[0], group[0]) : Fn.conditionOr(...group));
  }
  return new CfnCondition(stack, CONDITION_ID, { expression: Fn.conditionOr(...groups) });
}
