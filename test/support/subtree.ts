import { CfnElement, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { IConstruct } from 'constructs';

/**
 * The part of a synthesized template that one construct wrote: the resources (and outputs, conditions, mappings)
 * whose CloudFormation elements sit in the construct's subtree, keyed by logical ID.
 * Use it as `expect(subtreeTemplate(service, template)).toMatchSnapshot()`.
 *
 * Snapshots of a construct's own subtree point at the construct that changed: a whole-stack snapshot repeats the
 * VPC, the cluster and every neighbour in every file.
 */
export function subtreeTemplate(construct: IConstruct, template: Template): Record<string, any> {
  const stack = Stack.of(construct);
  const json = template.toJSON();
  const ids = new Set(construct.node.findAll()
    .filter((c): c is CfnElement => CfnElement.isCfnElement(c) && Stack.of(c) === stack)
    .map(e => stack.resolve(e.logicalId) as string));
  const own: Record<string, any> = {};
  for (const section of ['Conditions', 'Mappings', 'Resources', 'Outputs']) {
    const entries = Object.entries((json[section] ?? {}) as Record<string, unknown>).filter(([id]) => ids.has(id));
    if (entries.length > 0) {
      own[section] = Object.fromEntries(entries);
    }
  }
  return own;
}
