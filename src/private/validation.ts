import { Token } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';

/**
 * Render a user-supplied value for an error message.
 */
export function describeValue(value: unknown): string {
  if (value === undefined) {
    return 'undefined';
  }
  if (typeof value === 'string') {
    return `'${value}'`;
  }
  if (Array.isArray(value)) {
    return `[${value.map(describeValue).join(', ')}]`;
  }
  if (typeof value === 'object' && value !== null) {
    const ctor = (value as object).constructor?.name;
    if (ctor && ctor !== 'Object') {
      const str = String(value);
      return str.startsWith('[object') ? ctor : `${ctor}(${str})`;
    }
    try {
      return JSON.stringify(value);
    } catch {
      return String(value);
    }
  }
  return String(value);
}

/**
 * Throw an Error that names the construct (by its path), the prop, the bad value and the fix.
 *
 * Every validation in the library goes through here so that messages share one shape:
 * `FoundryCluster 'Stack/Cluster': invalid maxAzs = 7. Use 1 to 6 Availability Zones.`
 */
export function invalidProp(scope: IConstruct | string, prop: string, value: unknown, fix: string): never {
  const where = typeof scope === 'string' ? scope : `${scope.constructor.name} '${scope.node.path}'`;
  throw new Error(`${where}: invalid ${prop} = ${describeValue(value)}. ${fix}`);
}

export interface NumberRange {
  readonly min?: number;
  readonly max?: number;
  readonly integer?: boolean;
}

/**
 * Validate a number prop against a range. Unresolved tokens are accepted (CloudFormation checks them).
 */
export function checkNumber(scope: IConstruct | string, prop: string, value: number | undefined, range: NumberRange): void {
  if (value === undefined || Token.isUnresolved(value)) {
    return;
  }
  const { min, max, integer } = range;
  const bounds = min !== undefined && max !== undefined ? `between ${min} and ${max}`
    : min !== undefined ? `at least ${min}` : max !== undefined ? `at most ${max}` : 'a number';
  if (typeof value !== 'number' || Number.isNaN(value) || !Number.isFinite(value)) {
    invalidProp(scope, prop, value, `Use ${integer ? 'a whole number' : 'a number'} ${bounds}.`);
  }
  if (integer && !Number.isInteger(value)) {
    invalidProp(scope, prop, value, `Use a whole number ${bounds}.`);
  }
  if ((min !== undefined && value < min) || (max !== undefined && value > max)) {
    invalidProp(scope, prop, value, `Use ${integer ? 'a whole number' : 'a number'} ${bounds}.`);
  }
}

/** True when the value is a concrete number (not undefined, not a token). */
export function isConcrete(value: number | undefined): value is number {
  return value !== undefined && !Token.isUnresolved(value);
}

/**
 * The message `invalidProp` throws, for validations that return their errors (`node.addValidation`).
 */
export function invalidPropMessage(scope: IConstruct | string, prop: string, value: unknown, fix: string): string {
  try {
    invalidProp(scope, prop, value, fix);
  } catch (e) {
    return (e as Error).message;
  }
}
