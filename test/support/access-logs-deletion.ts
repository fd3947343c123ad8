import { CfnResource, Stack } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';

type Resources = Record<string, { DependsOn?: string | string[]; Properties?: unknown }>;

/** Logical ids a resource depends on directly: `DependsOn`, `Ref`, `Fn::GetAtt` and `${...}` in `Fn::Sub`. */
function directDependencies(resources: Resources, id: string): Set<string> {
  const found = new Set<string>([resources[id].DependsOn ?? []].flat());
  const visit = (value: unknown): void => {
    if (Array.isArray(value)) {
      value.forEach(visit);
    } else if (value && typeof value === 'object') {
      for (const [key, v] of Object.entries(value)) {
        if (key === 'Ref' && typeof v === 'string') {found.add(v);} else if (key === 'Fn::GetAtt' && Array.isArray(v)) {found.add(String(v[0]));} else if (key === 'Fn::Sub') {
          const text = Array.isArray(v) ? v[0] : v;
          for (const m of String(text).matchAll(/\$\{([A-Za-z0-9]+)(\.[A-Za-z0-9.]+)?\}/g)) found.add(m[1]);
          visit(Array.isArray(v) ? v[1] : undefined);
        } else {visit(v);}
      }
    }
  };
  visit(resources[id].Properties);
  return new Set([...found].filter(d => d in resources));
}

/**
 * Whether CloudFormation deletes `first` before `then` when the stack is deleted: it deletes a resource only after
 * every resource that depends on it, so `first` goes first exactly when it depends on `then`, directly or through
 * others (https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-attribute-dependson.html).
 */
export function deletedBefore(template: { Resources: Resources }, first: string, then: string): boolean {
  const seen = new Set<string>();
  const queue = [first];
  while (queue.length) {
    const id = queue.pop()!;
    for (const d of directDependencies(template.Resources, id)) {
      if (d === then) return true;
      if (!seen.has(d)) {
        seen.add(d);
        queue.push(d);
      }
    }
  }
  return false;
}

/** The logical id of a construct's CloudFormation resource (itself, or its default child). */
export function logicalIdOf(construct: IConstruct): string {
  const cfn = construct instanceof CfnResource ? construct : construct.node.defaultChild as CfnResource;
  return Stack.of(construct).getLogicalId(cfn);
}
