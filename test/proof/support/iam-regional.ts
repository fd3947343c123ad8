/**
 * A synthesized template resolved as CloudFormation deploys it in one Region: `AWS::Region` takes that Region's
 * value, and only the resources whose condition holds there exist. For templates of environment-agnostic stacks
 * (Region mappings and conditions), on top of ResolvedTemplate (account 123456789012, partition aws).
 */
import { CfnTemplate, ResolvedTemplate } from './iam-resolve';

type Conditions = Record<string, unknown>;

/** Evaluate a condition of the template in a Region (the conditions here compare AWS::Region with literals). */
function holds(conditions: Conditions, expression: any, region: string): boolean {
  const value = (v: any) => (v && typeof v === 'object' && v.Ref === 'AWS::Region' ? region : v);
  const [fn] = Object.keys(expression);
  const args = expression[fn];
  switch (fn) {
    case 'Fn::Or': return (args as unknown[]).some(a => holds(conditions, a, region));
    case 'Fn::And': return (args as unknown[]).every(a => holds(conditions, a, region));
    case 'Fn::Not': return !holds(conditions, args[0], region);
    case 'Fn::Equals': return value(args[0]) === value(args[1]);
    case 'Condition': return holds(conditions, conditions[args], region);
    default: throw new Error(`unsupported condition function ${fn}`);
  }
}

/** A template as CloudFormation deploys it in one Region: the Region's value, and only the resources whose condition holds there. */
export class RegionalTemplate extends ResolvedTemplate {
  constructor(stackName: string, template: CfnTemplate & { Conditions?: Conditions }, private readonly region: string) {
    const conditions = template.Conditions ?? {};
    const resources = Object.fromEntries(Object.entries(template.Resources).filter(([, r]) => {
      const condition = (r as { Condition?: string }).Condition;
      return condition === undefined || holds(conditions, conditions[condition], region);
    }));
    super(stackName, { ...template, Resources: resources });
  }

  public ref(id: string): any {
    return id === 'AWS::Region' ? this.region : super.ref(id);
  }
}
