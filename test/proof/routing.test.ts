/**
 * Routing proof: random sets of routes on one shared Application Load Balancer. For every request, the rule ALB
 * applies (the lowest priority among the matching rules of the synthesized template) is the most specific
 * matching route, and adding a service changes no existing priority.
 *
 * "Most specific" is decided by brute force, independently of the library: a route's hosts and paths are expanded
 * over a finite universe of strings (every string over a small alphabet up to a length past any witness the short
 * generated patterns can need), and route A is inside route B when A's hosts and paths are subsets of B's there.
 */
import { Template } from 'aws-cdk-lib/assertions';
import * as fc from 'fast-check';
import { AlbRequest, hostMatches, pathMatches, RouteInput, rulesOf, shareAlb, TemplateRule, winningRule } from './support/alb-routing';

const strings = (alphabet: string[], maxLength: number): string[] => {
  const out = [''];
  let layer = [''];
  for (let n = 1; n <= maxLength; n++) {
    layer = layer.flatMap(s => alphabet.map(c => s + c));
    out.push(...layer);
  }
  return out;
};
// 'x' stands for every character no pattern names; upper case shows that hosts compare case-insensitively; 'x.net'
// stands for every domain the generated patterns (all under com and org) cannot name: without it, hosts *.com and
// *.org together would look like every host (CI once generated exactly that pair).
const HOSTS = [...strings(['a', 'b', '.', 'x', 'A'], 4).flatMap(s => [`${s}.com`, `${s}.org`]), 'x.net'];
const PATHS = strings(['a', 'b', '/', 'x', 'A'], 4).map(s => `/${s}`);

const hostPattern = fc.tuple(
  fc.constantFrom('a', 'b', 'ab', '*', '?', 'a*', '*b', 'a.b', '*.a', 'A'),
  fc.constantFrom('com', 'org'),
).map(([label, tld]) => `${label}.${tld}`);
// At most 4 characters after the leading '/', as the PATHS universe: a longer pattern ('/a/a/a/') would match no path
// there, and would look nested in every route and identical to every other such pattern.
const pathPattern = fc.array(fc.constantFrom('a', 'b', '/', '*', '?', 'a/', 'b*'), { minLength: 1, maxLength: 3 })
  .map(cs => `/${cs.join('')}`)
  .filter(p => p.length <= 5);
const routeInput: fc.Arbitrary<RouteInput> = fc.record({
  hosts: fc.uniqueArray(hostPattern, { maxLength: 2 }),
  paths: fc.uniqueArray(pathPattern, { maxLength: 2 }),
}).filter(r => [...r.hosts, ...r.paths].join('').replace(/[^*?]/g, '').length + (r.paths.length === 0 ? 1 : 0) <= 5);

interface Expanded {
  readonly rule: TemplateRule;
  readonly hosts: boolean[];
  readonly paths: boolean[];
}

const expand = (rule: TemplateRule): Expanded => ({
  rule,
  hosts: HOSTS.map(h => !rule.hosts || rule.hosts.some(p => hostMatches(p, h))),
  paths: PATHS.map(p => !rule.paths || rule.paths.some(q => pathMatches(q, p))),
});
const subset = (a: boolean[], b: boolean[]) => a.every((v, i) => !v || b[i]);
const inside = (a: Expanded, b: Expanded) => subset(a.hosts, b.hosts) && subset(a.paths, b.paths);
const strictlyInside = (a: Expanded, b: Expanded) => inside(a, b) && !inside(b, a);
/** Class order the README documents: exact host, wildcard host, any host; then exact path, wildcard path, every path. */
const classOf = (e: Expanded) => {
  const hostClass = !e.rule.hosts ? 2 : e.rule.hosts.every(h => !/[*?]/.test(h)) ? 0 : 1;
  const pathClass = e.paths.every(v => v) ? 2 : (e.rule.paths ?? []).every(p => !/[*?]/.test(p)) ? 0 : 1;
  return hostClass * 3 + pathClass;
};

/** Requests that hit the routes: each pattern instantiated, plus strings from the universe. */
const instantiate = (pattern: string, fill: string) => pattern.replace(/\*/g, fill).replace(/\?/g, fill.slice(0, 1) || 'x');
const requestsFor = (routes: RouteInput[], seed: number): AlbRequest[] => {
  const fills = ['', 'a', 'b/a', 'x', 'ab'];
  const hosts = [...routes.flatMap(r => r.hosts.flatMap(h => fills.map(f => instantiate(h, f)))), HOSTS[seed % HOSTS.length], 'zz.com'];
  const paths = [...routes.flatMap(r => r.paths.flatMap(p => fills.map(f => instantiate(p, f)))), PATHS[seed % PATHS.length], '/'];
  return hosts.flatMap(host => paths.map(path => ({ host, path })));
};

describe('routing on a shared load balancer', () => {
  let checkedRequests = 0;
  let nestedPairs = 0;

  test('for every request the winning rule is the most specific matching route', () => {
    fc.assert(fc.property(fc.array(routeInput, { minLength: 1, maxLength: 6 }), fc.nat(), (routes, seed) => {
      const shared = shareAlb(routes);
      const rules = rulesOf(Template.fromStack(shared.stack)).map(expand);
      // Refused routes are exactly the duplicates: they match the same requests as an earlier route.
      shared.errors.forEach((error, i) => {
        if (error === undefined) return;
        expect(error).toMatch(/already routes exactly these requests/);
        const me = expand({ logicalId: '', priority: 0, hosts: routes[i].hosts.length ? routes[i].hosts : undefined, paths: routes[i].paths.length ? routes[i].paths : ['/*'] });
        expect(rules.some(r => inside(r, me) && inside(me, r))).toBe(true);
      });
      expect(rules).toHaveLength(shared.priorities.filter(p => p !== undefined).length);
      for (const a of rules) for (const b of rules) if (a !== b && strictlyInside(a, b)) nestedPairs++;
      for (const request of requestsFor(routes, seed)) {
        const winner = winningRule(rules.map(r => r.rule), request);
        if (!winner) continue;
        checkedRequests++;
        const w = rules.find(r => r.rule === winner)!;
        for (const other of rules.filter(r => r !== w && winningRule([r.rule], request))) {
          // No matching route is inside the winner...
          expect({ request, winner: winner.logicalId, moreSpecific: strictlyInside(other, w) ? other.rule.logicalId : undefined })
            .toEqual({ request, winner: winner.logicalId, moreSpecific: undefined });
          // ...and of two routes that merely overlap, the more specific class wins.
          expect(classOf(w)).toBeLessThanOrEqual(classOf(other));
        }
      }
    }), { numRuns: 40 });
    // The property ran on real overlaps, not only on disjoint routes.
    expect(checkedRequests).toBeGreaterThan(1000);
    expect(nestedPairs).toBeGreaterThan(20);
  });

  test('adding a service changes no existing priority', () => {
    const routeSets = fc.array(routeInput, { minLength: 1, maxLength: 6 });
    fc.assert(fc.property(routeSets, fc.array(routeInput, { minLength: 1, maxLength: 3 }), (routes, added) => {
      const before = shareAlb(routes);
      const after = shareAlb([...routes, ...added]);
      expect(after.priorities.slice(0, routes.length)).toEqual(before.priorities);
    }), { numRuns: 25 });
  });
});
