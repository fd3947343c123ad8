import { Token } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { invalidProp } from '../private/validation';

// Quotas of an Application Load Balancer and its listener rules.
// https://docs.aws.amazon.com/elasticloadbalancing/latest/application/load-balancer-limits.html
// https://docs.aws.amazon.com/elasticloadbalancing/latest/application/rule-condition-types.html
// https://docs.aws.amazon.com/elasticloadbalancing/latest/application/listener-rules.html

/** "up to three match evaluations per condition" (rule-condition-types.html, listener-rules.html). */
export const MAX_VALUES_PER_CONDITION = 3;
/** "Match evaluations per rule" 5, not adjustable (load-balancer-limits.html; "Condition values per rule" 5). */
export const MAX_MATCH_EVALUATIONS_PER_RULE = 5;
/**
 * "There is a limit of five wildcard characters per rule" (rule-condition-types.html). The quota table has listed
 * both 5 and 6 for "Condition wildcards per rule" (not adjustable); the lower number is the one that always deploys.
 */
export const MAX_WILDCARDS_PER_RULE = 5;
/** "Target Groups per Application Load Balancer" 100, not adjustable (load-balancer-limits.html). */
export const MAX_TARGET_GROUPS_PER_ALB = 100;
/** "Certificates per Application Load Balancer (excluding default certificates)" 25, adjustable (load-balancer-limits.html). */
export const MAX_CERTIFICATES_PER_ALB = 25;
/** "Rules per Application Load Balancer (excluding default rules)" 100, adjustable (load-balancer-limits.html). */
export const MAX_RULES_PER_ALB = 100;

/** The request set of a listener rule: host patterns × path patterns (an empty list means any). */
export interface RouteSpec {
  readonly hosts: string[];
  readonly paths: string[];
}

const ANY_HOST = ['*'];
const ANY_PATH = ['/*'];

/** Host patterns as ALB compares them (case-insensitive), any host when empty. */
function hostLanguage(route: RouteSpec): string[] {
  return route.hosts.length > 0 ? route.hosts.map(h => h.toLowerCase()) : ANY_HOST;
}

/** Path patterns as ALB compares them (case-sensitive), every path when empty. */
function pathLanguage(route: RouteSpec): string[] {
  return route.paths.length > 0 ? route.paths : ANY_PATH;
}

/** Count of `*` and `?` in the values. */
export function wildcardCount(values: string[]): number {
  return values.reduce((n, v) => n + (v.match(/[*?]/g)?.length ?? 0), 0);
}

/**
 * Check the rule a route becomes (and its blue/green test rule) against the documented per-rule quotas: 3 values
 * per condition, 5 match evaluations and 5 wildcards per rule, counting the implicit '/*' path of a host-only route
 * and the test header's '*' value. AWS rejects such a rule at CreateRule; this rejects it at synth.
 */
export function checkRuleQuotas(owner: IConstruct, hosts: string[], paths: string[], testHeader: boolean): void {
  const docs = 'https://docs.aws.amazon.com/elasticloadbalancing/latest/application/load-balancer-limits.html';
  for (const [prop, values] of [['hostHeaders', hosts], ['pathPatterns', paths]] as const) {
    if (values.length > MAX_VALUES_PER_CONDITION) {
      invalidProp(owner, prop, values,
        `A listener rule condition takes at most ${MAX_VALUES_PER_CONDITION} values (${docs}); split the routes over several services, or use a wildcard.`);
    }
  }
  const pathValues = paths.length > 0 ? paths : ANY_PATH;
  const headerValues = testHeader ? ['*'] : [];
  const evaluations = hosts.length + pathValues.length + headerValues.length;
  const what = `${hosts.length} host(s) + ${paths.length > 0 ? `${paths.length} path(s)` : "the implicit '/*' path"}${testHeader ? ' + the blue/green test header' : ''}`;
  const prop = paths.length > 0 ? 'pathPatterns' : 'hostHeaders';
  if (evaluations > MAX_MATCH_EVALUATIONS_PER_RULE) {
    invalidProp(owner, prop, paths.length > 0 ? paths : hosts,
      `A listener rule matches at most ${MAX_MATCH_EVALUATIONS_PER_RULE} values in all (${docs}); this one needs ${evaluations}: ${what}. Split the routes over several services.`);
  }
  const wildcards = wildcardCount([...hosts, ...pathValues, ...headerValues]);
  if (wildcards > MAX_WILDCARDS_PER_RULE) {
    invalidProp(owner, prop, paths.length > 0 ? paths : hosts,
      `A listener rule takes at most ${MAX_WILDCARDS_PER_RULE} wildcard characters ('*', '?') in all (${docs}); this one has ${wildcards}: ${what}. Use fewer wildcards or split the routes over several services.`);
  }
}

/**
 * Validate host header patterns as ALB accepts them: up to 128 characters of A-Z, a-z, 0-9, '-', '.', '*', '?', at
 * least one '.', and only letters after the final '.'.
 * https://docs.aws.amazon.com/elasticloadbalancing/latest/application/rule-condition-types.html#host-conditions
 */
export function checkHostPatterns(owner: IConstruct, hosts: string[]): void {
  for (const host of hosts) {
    if (Token.isUnresolved(host)) continue;
    if (!/^[A-Za-z0-9*?.-]{1,128}$/.test(host) || !/\.[A-Za-z]+$/.test(host)) {
      invalidProp(owner, 'hostHeaders', host,
        "Use host names of up to 128 characters with optional '*' and '?' wildcards, at least one '.' and only letters after the last '.', e.g. 'api.example.com' or '*.example.com'.");
    }
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Languages of ALB patterns: '*' matches 0 or more characters, '?' exactly one, everything else itself.
// Sets of patterns are compared exactly with a subset construction over a symbolic alphabet: the literal characters
// of the patterns involved plus one character that stands for every other character.

const OTHER = '\u0000';
const STATE_LIMIT = 200_000;

type Tokens = string[];

function tokenize(pattern: string): Tokens {
  const tokens: Tokens = [];
  for (const c of pattern) {
    if (c === '*' && tokens[tokens.length - 1] === '*') continue;
    tokens.push(c);
  }
  return tokens;
}

/** States reachable from `state` without consuming a character ('*' may match nothing). */
function close(tokens: Tokens, state: number, into: Set<number>): void {
  let s = state;
  into.add(s);
  while (s < tokens.length && tokens[s] === '*') {
    s++;
    into.add(s);
  }
}

class PatternSet {
  public readonly machines: Tokens[];
  constructor(patterns: string[]) {
    this.machines = patterns.map(tokenize);
  }

  public start(): number[][] {
    return this.machines.map(t => {
      const s = new Set<number>();
      close(t, 0, s);
      return [...s].sort((a, b) => a - b);
    });
  }

  public step(states: number[][], c: string): number[][] {
    return this.machines.map((tokens, i) => {
      const next = new Set<number>();
      for (const s of states[i]) {
        if (s >= tokens.length) continue;
        const t = tokens[s];
        if (t === '*') close(tokens, s, next);
        else if (t === '?' || t === c) close(tokens, s + 1, next);
      }
      return [...next].sort((a, b) => a - b);
    });
  }

  public accepts(states: number[][]): boolean {
    return states.some((s, i) => s.includes(this.machines[i].length));
  }

  public alive(states: number[][]): boolean {
    return states.some(s => s.length > 0);
  }

  public literals(): Set<string> {
    return new Set(this.machines.flat().filter(t => t !== '*' && t !== '?'));
  }
}

type Outcome = 'found' | 'exhausted' | 'limit';

/** Breadth-first walk over the pairs of state sets of `a` and `b` until `found` holds for a reachable pair. */
function explore(a: PatternSet, b: PatternSet, found: (sa: number[][], sb: number[][]) => boolean,
  prune: (sa: number[][], sb: number[][]) => boolean): Outcome {
  const alphabet = [...new Set([...a.literals(), ...b.literals(), OTHER])];
  const queue: Array<[number[][], number[][]]> = [[a.start(), b.start()]];
  const seen = new Set<string>();
  for (let head = 0; head < queue.length; head++) {
    const [sa, sb] = queue[head];
    const key = JSON.stringify([sa, sb]);
    if (seen.has(key)) continue;
    seen.add(key);
    if (seen.size > STATE_LIMIT) return 'limit';
    if (found(sa, sb)) return 'found';
    for (const c of alphabet) {
      const na = a.step(sa, c);
      const nb = b.step(sb, c);
      if (!prune(na, nb)) queue.push([na, nb]);
    }
  }
  return 'exhausted';
}

const literal = (p: string) => !/[*?]/.test(p);

/** Whether a literal string matches a pattern. */
export function globMatches(pattern: string, value: string): boolean {
  const re = new RegExp(`^${pattern.replace(/[.+^${}()|[\]\\/]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')}$`, 's');
  return re.test(value);
}

/**
 * Answers of the language comparisons, kept by whoever places routes (one per listener, so no state outlives the
 * load balancer that needs it): the same pattern sets are compared again for every route added.
 */
export class RoutingMemo {
  private static readonly LIMIT = 10_000;
  private readonly values = new Map<string, boolean>();

  /** The remembered answer, or the computed one (remembered). */
  public remember(kind: string, a: string[], b: string[], compute: () => boolean): boolean {
    const key = JSON.stringify([kind, a, b]);
    let value = this.values.get(key);
    if (value === undefined) {
      value = compute();
      if (this.values.size > RoutingMemo.LIMIT) this.values.clear();
      this.values.set(key, value);
    }
    return value;
  }
}

const compute = (_kind: string, _a: string[], _b: string[], f: () => boolean) => f();
const rememberIn = (memo: RoutingMemo | undefined) => memo ? memo.remember.bind(memo) : compute;

/** True when some string matches a pattern of `a` and a pattern of `b`. */
export function languagesIntersect(a: string[], b: string[], memo?: RoutingMemo): boolean {
  return rememberIn(memo)('i', a, b, () => {
    // Literal values: a membership test decides.
    if (a.every(literal)) return a.some(v => b.some(p => globMatches(p, v)));
    if (b.every(literal)) return b.some(v => a.some(p => globMatches(p, v)));
    const pa = new PatternSet(a);
    const pb = new PatternSet(b);
    // Beyond the state limit, assume an overlap (the cautious answer: it only adds ordering checks).
    return explore(pa, pb, (sa, sb) => pa.accepts(sa) && pb.accepts(sb), (na, nb) => !pa.alive(na) || !pb.alive(nb)) !== 'exhausted';
  });
}

/** True when every string that matches a pattern of `a` also matches a pattern of `b`. */
export function languageSubset(a: string[], b: string[], memo?: RoutingMemo): boolean {
  return rememberIn(memo)('s', a, b, () => {
    if (a.every(literal)) return a.every(v => b.some(p => globMatches(p, v)));
    // A wildcard matches any character, so a pattern with one matches more strings than a few literal values hold.
    if (b.every(literal)) return false;
    const pa = new PatternSet(a);
    const pb = new PatternSet(b);
    // Beyond the state limit, answer "not a subset" (no ordering constraint and no duplicate claimed).
    return explore(pa, pb, (sa, sb) => pa.accepts(sa) && !pb.accepts(sb), (na) => !pa.alive(na)) === 'exhausted';
  });
}

/** True when a request can match both routes. */
export function routesOverlap(a: RouteSpec, b: RouteSpec, memo?: RoutingMemo): boolean {
  return languagesIntersect(hostLanguage(a), hostLanguage(b), memo) && languagesIntersect(pathLanguage(a), pathLanguage(b), memo);
}

/** True when every request that matches `a` also matches `b`. */
export function routeWithin(a: RouteSpec, b: RouteSpec, memo?: RoutingMemo): boolean {
  return languageSubset(hostLanguage(a), hostLanguage(b), memo) && languageSubset(pathLanguage(a), pathLanguage(b), memo);
}

/** True when the routes match exactly the same requests. */
export function routesEqual(a: RouteSpec, b: RouteSpec, memo?: RoutingMemo): boolean {
  return routeWithin(a, b, memo) && routeWithin(b, a, memo);
}

/** Specificity class of a pattern set: 0 exact values only, 1 with wildcards, 2 everything. */
function hostClass(route: RouteSpec): number {
  if (route.hosts.length === 0) return 2;
  return route.hosts.every(h => !/[*?]/.test(h)) ? 0 : 1;
}

function pathClass(route: RouteSpec, memo?: RoutingMemo): number {
  if (route.paths.length === 0 || languageSubset(ANY_PATH, route.paths, memo)) return 2;
  return route.paths.every(p => !/[*?]/.test(p)) ? 0 : 1;
}

/**
 * Specificity key of a route, compared element by element, lower first: exact hosts before wildcard hosts before
 * any host, then exact paths before wildcard paths before every path. Neither element can grow from a route to a
 * route inside it, so a route inside another never has a higher key.
 */
export function specificityKey(route: RouteSpec, memo?: RoutingMemo): number[] {
  return [hostClass(route), pathClass(route, memo)];
}

/** Compare two specificity keys: negative when `a` is more specific. */
export function compareKeys(a: number[], b: number[]): number {
  for (let i = 0; i < a.length; i++) {
    if (a[i] !== b[i]) return a[i] - b[i];
  }
  return 0;
}

/** Human-readable route for messages. */
export function describeRoute(route: RouteSpec): string {
  const hosts = route.hosts.length > 0 ? route.hosts.join(', ') : 'any host';
  const paths = route.paths.length > 0 ? route.paths.join(', ') : 'every path';
  return `${hosts} / ${paths}`;
}
