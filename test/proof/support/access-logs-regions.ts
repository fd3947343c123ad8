/**
 * Evaluates an environment-agnostic template as CloudFormation would in one Region: `Ref AWS::Region`, the
 * template's mappings (`Fn::FindInMap`), its conditions (`Fn::Equals`, `Fn::Not`, `Fn::And`, `Fn::Or`, `Condition`),
 * `Fn::If` and `AWS::NoValue` (the key or element is removed), following
 * https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/intrinsic-function-reference-conditions.html
 * and .../intrinsic-function-reference-findinmap.html. Every other intrinsic is left for `ResolvedTemplate`.
 */
import { CfnTemplate } from './iam-resolve';

const NO_VALUE = Symbol('AWS::NoValue');

/** The template with every Region-dependent intrinsic decided for `region`. */
export function templateInRegion(template: CfnTemplate & { Conditions?: Record<string, unknown> }, region: string): CfnTemplate {
  const conditions = new Map<string, boolean>();
  const mappings = template.Mappings ?? {};

  const condition = (name: string): boolean => {
    if (!conditions.has(name)) {
      const expression = template.Conditions?.[name];
      if (expression === undefined) throw new Error(`no condition ${name}`);
      conditions.set(name, truth(expression));
    }
    return conditions.get(name)!;
  };

  const truth = (expression: any): boolean => {
    const [fn, arg] = Object.entries(expression)[0] as [string, any];
    switch (fn) {
      case 'Fn::Equals': return JSON.stringify(walk(arg[0])) === JSON.stringify(walk(arg[1]));
      case 'Fn::Not': return !truth(arg[0]);
      case 'Fn::And': return (arg as any[]).every(truth);
      case 'Fn::Or': return (arg as any[]).some(truth);
      case 'Condition': return condition(arg);
      default: throw new Error(`not a condition function: ${fn}`);
    }
  };

  const walk = (value: any): any => {
    if (Array.isArray(value)) return value.map(walk).filter(v => v !== NO_VALUE);
    if (value === null || typeof value !== 'object') return value;
    const keys = Object.keys(value);
    if (keys.length === 1) {
      const [key] = keys;
      const arg = value[key];
      if (key === 'Ref' && arg === 'AWS::Region') return region;
      if (key === 'Ref' && arg === 'AWS::NoValue') return NO_VALUE;
      if (key === 'Fn::If') return condition(arg[0]) ? walk(arg[1]) : walk(arg[2]);
      if (key === 'Fn::FindInMap') {
        const [map, top, second] = walk(arg);
        if (typeof top !== 'string' || typeof second !== 'string') return { 'Fn::FindInMap': [map, top, second] };
        const found = mappings[map]?.[top]?.[second];
        // CloudFormation fails the deployment on a missing key ("Fn::FindInMap - Key '...' not found in Mapping").
        if (found === undefined) throw new Error(`Fn::FindInMap: ${map}.${top}.${second} not found`);
        return found;
      }
    }
    const out: Record<string, unknown> = {};
    for (const key of keys) {
      const v = walk(value[key]);
      if (v !== NO_VALUE) out[key] = v;
    }
    return out;
  };

  return { ...template, Resources: walk(template.Resources) };
}
