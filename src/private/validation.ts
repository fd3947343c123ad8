import { Annotations, IResolvable, IResolveContext, Token } from 'aws-cdk-lib';
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

/** Inbound rules per security group (adjustable). */
const SG_INBOUND_RULES = 60;

/**
 * Validate a load balancer's client IPv4 ranges: well-formed, no host bits set, not empty, and within the security
 * group's inbound rule quota (`rulesPerCidr` rules per range: one per listener port).
 */
export function validateAllowedCidrs(scope: IConstruct, cidrs: string[] | undefined, rulesPerCidr: number): void {
  if (cidrs === undefined) {
    return;
  }
  if (cidrs.length === 0) {
    invalidProp(scope, 'allowedCidrs', cidrs, 'An empty list admits no client; remove allowedCidrs for the default, or list the client ranges.');
  }
  for (const cidr of cidrs) {
    if (Token.isUnresolved(cidr)) {
      continue;
    }
    if (cidr.includes(':')) {
      invalidProp(scope, 'allowedCidrs', cidr, 'The load balancer has IPv4 addresses only, so IPv6 clients cannot reach it; use IPv4 CIDR blocks.');
    }
    const problem = cidrProblem(cidr);
    if (problem?.kind === 'malformed') {
      invalidProp(scope, 'allowedCidrs', cidr, "Use IPv4 CIDR blocks such as '203.0.113.0/24' (four numbers 0-255, a prefix 0-32).");
    }
    // EC2 masks host bits silently ('203.0.113.7/24' admits all of 203.0.113.0/24): most often a typo for /32.
    if (problem?.kind === 'hostBits') {
      invalidProp(scope, 'allowedCidrs', cidr, `Host bits are set: EC2 would admit the whole network ${problem.canonical}; write '${problem.canonical}', or '${problem.address}/32' for that one address.`);
    }
  }
  // Inbound rules per security group: 60 by default, adjustable
  // (https://docs.aws.amazon.com/vpc/latest/userguide/amazon-vpc-limits.html#vpc-limits-security-groups).
  const unique = new Set(cidrs).size;
  if (unique * rulesPerCidr > SG_INBOUND_RULES) {
    Annotations.of(scope).addWarningV2('cdk-ecs-foundry:securityGroupRulesQuota',
      `allowedCidrs has ${unique} ranges, ${rulesPerCidr === 1 ? 'one inbound rule' : `${rulesPerCidr} inbound rules`} each, above the default quota of ${SG_INBOUND_RULES} inbound rules per security group; request a quota increase before deploying, or use fewer, wider ranges.`);
  }
}

/** What is wrong with an IPv4 CIDR block, as `cidrProblem` reports it. */
export type CidrProblem =
  | { readonly kind: 'malformed' }
  | { readonly kind: 'hostBits'; readonly canonical: string; readonly address: string; readonly prefix: number };

/**
 * Check a literal IPv4 CIDR block: undefined when it is well formed (four numbers 0-255, a prefix 0-32) with no host
 * bits set; otherwise what is wrong, and for host bits the network block it stands for ('10.0.0.1/16' → '10.0.0.0/16').
 */
export function cidrProblem(cidr: string): CidrProblem | undefined {
  const match = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/.exec(cidr);
  const octets = match ? match.slice(1, 5).map(Number) : [];
  const prefix = match ? Number(match[5]) : -1;
  if (!match || octets.some(o => o > 255) || prefix > 32) {
    return { kind: 'malformed' };
  }
  const address = octets.reduce((a, o) => a * 256 + o, 0);
  const size = 2 ** (32 - prefix);
  if (address % size !== 0) {
    const network = Math.floor(address / size) * size;
    const canonical = `${[24, 16, 8, 0].map(b => Math.floor(network / 2 ** b) % 256).join('.')}/${prefix}`;
    return { kind: 'hostBits', canonical, address: octets.join('.'), prefix };
  }
  return undefined;
}

/**
 * Validate an ECS name (a service's `serviceName`, a task definition's `family`) and return it: "Up to 255 letters
 * (uppercase and lowercase), numbers, underscores, and hyphens are allowed"
 * (https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_CreateService.html,
 * https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_RegisterTaskDefinition.html).
 * Unresolved tokens are accepted (CloudFormation checks them).
 */
export function checkEcsName(scope: IConstruct | string, prop: string, value: string | undefined): string | undefined {
  if (value === undefined || Token.isUnresolved(value)) {
    return value;
  }
  if (typeof value !== 'string' || !/^[A-Za-z0-9_-]{1,255}$/.test(value)) {
    invalidProp(scope, prop, value, `Use 1 to 255 letters (A-Z, a-z), digits, hyphens and underscores${typeof value === 'string' && value.length > 255 ? ` (this one has ${value.length} characters)` : ''}, e.g. 'orders-api'.`);
  }
  return value;
}

/**
 * A number as the string a CloudFormation property of type string expects (a task definition's `Cpu` and `Memory`).
 * A concrete number becomes its decimal text; a token stays a token, and one that resolves to a number at synth
 * (`Lazy.number`) is written as its text, where `String(token)` would write a bare number that the property's schema
 * rejects ("should be a string"). A parameter or another intrinsic is written as the intrinsic.
 */
export function numberAsString(value: number): string {
  if (!Token.isUnresolved(value)) {
    return String(value);
  }
  return Token.asString(new NumberAsString(value));
}

class NumberAsString implements IResolvable {
  public readonly creationStack: string[] = [];
  constructor(private readonly value: number) {}
  public resolve(context: IResolveContext): unknown {
    const resolved = context.resolve(this.value);
    return typeof resolved === 'number' ? String(resolved) : resolved;
  }
  public toString(): string {
    return Token.asString(this);
  }
}
