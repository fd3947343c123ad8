/**
 * A small EventBridge event-pattern matcher for the unit tests: enough of the content-filtering syntax the
 * library uses (exact values, prefix, suffix, anything-but, numeric, exists, wildcard, $or) to run rule
 * patterns against sample events offline. Semantics follow the EventBridge user guide: a field's array values
 * are flattened, a leaf matches when any value matches any of its filters, and every field must match.
 */

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** Values at a path, flattened through arrays (EventBridge matches arrays of objects field by field). */
function valuesAt(event: Json, path: string[]): Json[] {
  let current: Json[] = [event];
  for (const key of path) {
    const next: Json[] = [];
    for (const value of current) {
      const items = Array.isArray(value) ? value : [value];
      for (const item of items) {
        if (item !== null && typeof item === 'object' && !Array.isArray(item) && key in item) {
          next.push(item[key]);
        }
      }
    }
    current = next;
  }
  return current.flatMap(v => (Array.isArray(v) ? v : [v]));
}

function matchesFilter(filter: Json, value: Json): boolean {
  if (filter === null || typeof filter !== 'object') {
    return filter === value;
  }
  if (Array.isArray(filter)) {
    throw new Error(`unexpected nested array filter ${JSON.stringify(filter)}`);
  }
  const [[operator, operand]] = Object.entries(filter);
  switch (operator) {
    case 'prefix':
      return typeof value === 'string' && value.startsWith(operand as string);
    case 'suffix':
      return typeof value === 'string' && value.endsWith(operand as string);
    case 'wildcard': {
      const regex = new RegExp(`^${(operand as string).split('*').map(s => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`);
      return typeof value === 'string' && regex.test(value);
    }
    case 'anything-but': {
      if (operand !== null && typeof operand === 'object' && !Array.isArray(operand)) {
        return !matchesFilter(operand, value);
      }
      const excluded = Array.isArray(operand) ? operand : [operand];
      return !excluded.includes(value);
    }
    case 'numeric': {
      if (typeof value !== 'number') return false;
      const terms = operand as Json[];
      for (let i = 0; i < terms.length; i += 2) {
        const bound = terms[i + 1] as number;
        const ok = { '<': value < bound, '<=': value <= bound, '=': value === bound, '>': value > bound, '>=': value >= bound }[terms[i] as string];
        if (!ok) return false;
      }
      return true;
    }
    default:
      throw new Error(`filter ${operator} is not supported by this test matcher`);
  }
}

function matchesAt(pattern: { [key: string]: Json }, event: Json, path: string[]): boolean {
  return Object.entries(pattern).every(([key, filters]) => {
    if (key === '$or') {
      return (filters as Json[]).some(branch => matchesAt(branch as { [key: string]: Json }, event, path));
    }
    const fieldPath = [...path, key];
    if (filters !== null && typeof filters === 'object' && !Array.isArray(filters)) {
      return matchesAt(filters, event, fieldPath);
    }
    const values = valuesAt(event, fieldPath);
    const list = filters as Json[];
    const exists = list.find(f => f !== null && typeof f === 'object' && 'exists' in (f as object)) as { exists: boolean } | undefined;
    if (exists) {
      return exists.exists ? values.length > 0 : values.length === 0;
    }
    return values.some(value => list.some(filter => matchesFilter(filter, value)));
  });
}

/** Whether an event (the full EventBridge envelope) matches a rule's event pattern. */
export function matchesPattern(pattern: object, event: object): boolean {
  return matchesAt(pattern as { [key: string]: Json }, event as Json, []);
}

/**
 * Resolve the CloudFormation intrinsics of a synthesized event pattern with fixed values, so it can run
 * against sample events: `Ref`s and `Fn::GetAtt`s from `values` (keyed by logical ID or `LogicalId.Attr`),
 * `Fn::Join` joined.
 */
export function resolveIntrinsics(value: unknown, values: Record<string, string>): any {
  if (Array.isArray(value)) return value.map(v => resolveIntrinsics(v, values));
  if (value === null || typeof value !== 'object') return value;
  const node = value as Record<string, any>;
  if ('Ref' in node) return lookup(node.Ref, values);
  if ('Fn::GetAtt' in node) return lookup(`${node['Fn::GetAtt'][0]}.${node['Fn::GetAtt'][1]}`, values);
  if ('Fn::Join' in node) return (resolveIntrinsics(node['Fn::Join'][1], values) as string[]).join(node['Fn::Join'][0]);
  return Object.fromEntries(Object.entries(node).map(([k, v]) => [k, resolveIntrinsics(v, values)]));
}

function lookup(key: string, values: Record<string, string>): string {
  if (!(key in values)) throw new Error(`no value for ${key}; known: ${Object.keys(values).join(', ')}`);
  return values[key];
}
