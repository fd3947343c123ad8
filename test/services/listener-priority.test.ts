import * as fs from 'fs';
import * as os from 'os';
import { basename, join } from 'path';
import * as fc from 'fast-check';
import * as ts from 'typescript';
import { hashSlot, ListenerPriorityAllocator, PlacementError } from '../../src/services/listener-priority';
import { languageSubset, languagesIntersect, RouteSpec, routeWithin, specificityKey, compareKeys, wildcardCount } from '../../src/services/web-routing';

const route = fc.record({
  hosts: fc.array(fc.constantFrom('a.example.com', 'b.example.com', '*.example.com', 'c.example.org', 'api.example.com'), { maxLength: 2 }),
  paths: fc.array(fc.constantFrom('/api/*', '/docs/*', '/*', '/v1/users', '/static/*', '/health', '/api/v1/*'), { maxLength: 2 }),
});

/** Place the routes that can be placed; duplicates of earlier routes are skipped. */
const assign = (routes: RouteSpec[]) => {
  const allocator = new ListenerPriorityAllocator();
  return routes.map((r, i) => {
    try {
      return allocator.place(r, `svc${i}`, { withTest: i % 3 === 0 }).priority;
    } catch (e) {
      if (e instanceof PlacementError && /already routes exactly these requests/.test(e.message)) return undefined;
      throw e;
    }
  });
};

describe('listener rule priorities', () => {
  test('are deterministic: the same routes give the same priorities', () => {
    fc.assert(fc.property(fc.array(route, { maxLength: 30 }), routes => {
      expect(assign(routes)).toEqual(assign(routes));
    }), { numRuns: 100 });
  });

  test('never collide (test rules included) and stay within 1-50000', () => {
    fc.assert(fc.property(fc.array(route, { minLength: 1, maxLength: 40 }), routes => {
      const allocator = new ListenerPriorityAllocator();
      const used: number[] = [];
      routes.forEach((r, i) => {
        try {
          const placed = allocator.place(r, `svc${i}`, { withTest: i % 2 === 0 });
          used.push(placed.priority, ...(placed.testPriority !== undefined ? [placed.testPriority] : []));
          if (placed.testPriority !== undefined) expect(placed.testPriority).toBe(placed.priority - 1);
        } catch (e) {
          expect((e as Error).message).toMatch(/already routes exactly these requests/);
        }
      });
      expect(new Set(used).size).toBe(used.length);
      expect(allocator.size).toBe(used.length);
      for (const p of used) {
        expect(p).toBeGreaterThanOrEqual(1);
        expect(p).toBeLessThanOrEqual(ListenerPriorityAllocator.MAX_PRIORITY);
      }
    }), { numRuns: 100 });
  });

  test('adding services never changes an existing priority', () => {
    fc.assert(fc.property(fc.array(route, { maxLength: 30 }), fc.array(route, { minLength: 1, maxLength: 10 }), (before, added) => {
      const original = assign(before);
      const after = assign([...before, ...added]);
      expect(after.slice(0, before.length)).toEqual(original);
    }), { numRuns: 100 });
  });

  test('a route inside another always gets the lower priority, in whichever order they are added', () => {
    fc.assert(fc.property(fc.array(route, { maxLength: 30 }), routes => {
      const allocator = new ListenerPriorityAllocator();
      routes.forEach((r, i) => {
        try {
          allocator.place(r, `svc${i}`, { withTest: false });
        } catch (e) {
          expect((e as Error).message).toMatch(/already routes exactly these requests/);
        }
      });
      for (const a of allocator.routes) {
        for (const b of allocator.routes) {
          if (a !== b && routeWithin(a.route, b.route)) expect(a.priority).toBeLessThan(b.low);
        }
      }
    }), { numRuns: 100 });
  });

  test('specific bands come first: exact host, then wildcard host, then any host; catch-all last', () => {
    const allocator = new ListenerPriorityAllocator();
    const catchAll = allocator.place({ hosts: [], paths: [] }, 'all', { withTest: false }).priority;
    const path = allocator.place({ hosts: [], paths: ['/api/*'] }, 'path', { withTest: false }).priority;
    const wildHost = allocator.place({ hosts: ['*.example.com'], paths: [] }, 'wild', { withTest: false }).priority;
    const host = allocator.place({ hosts: ['www.example.com'], paths: [] }, 'host', { withTest: false }).priority;
    expect(host).toBeLessThan(wildHost);
    expect(wildHost).toBeLessThan(path);
    expect(path).toBeLessThan(catchAll);
    expect(catchAll).toBeGreaterThan(40_000);
  });

  test('an explicit priority already taken names its holder', () => {
    const allocator = new ListenerPriorityAllocator();
    allocator.place({ hosts: [], paths: ['/a'] }, 'Stack/Api', { explicit: 10, withTest: false });
    expect(() => allocator.place({ hosts: [], paths: ['/b'] }, 'Stack/Web', { explicit: 10, withTest: false }))
      .toThrow("priority 10 is already used by 'Stack/Api'");
    expect(() => allocator.place({ hosts: [], paths: ['/c'] }, 'Stack/Blue', { explicit: 11, withTest: true }))
      .toThrow("priority 10 is already used by 'Stack/Api'");
    expect(allocator.holderOf(10)).toBe('Stack/Api');
  });

  test('hashSlot is stable across runs (pinned values)', () => {
    expect(hashSlot('{"h":[],"p":["/api/*"]}', 10_000)).toBe(hashSlot('{"h":[],"p":["/api/*"]}', 10_000));
    expect([hashSlot('a', 10_000), hashSlot('b', 10_000)]).toMatchSnapshot();
  });
});

// The pattern languages, checked against brute force: every string over a small alphabet up to a length that
// exceeds any witness two short patterns can need.
const ALPHABET = ['a', 'b', '/', 'x'];
const UNIVERSE: string[] = (() => {
  const out = [''];
  let layer = [''];
  for (let n = 1; n <= 6; n++) {
    layer = layer.flatMap(s => ALPHABET.map(c => s + c));
    out.push(...layer);
  }
  return out;
})();
const toRegExp = (glob: string) => new RegExp(`^${glob.replace(/[.+^${}()|[\]\\/]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')}$`, 's');
const membership = (ps: string[]) => {
  const res = ps.map(toRegExp);
  return UNIVERSE.map(s => res.some(r => r.test(s)));
};
const pattern = fc.array(fc.constantFrom('a', 'b', '/', '*', '?'), { minLength: 1, maxLength: 4 }).map(cs => cs.join(''));
const patterns = fc.array(pattern, { minLength: 1, maxLength: 2 });

describe('pattern languages (ALB "*" and "?")', () => {
  test('intersection and inclusion agree with brute force', () => {
    fc.assert(fc.property(patterns, patterns, (a, b) => {
      const inA = membership(a);
      const inB = membership(b);
      expect(languagesIntersect(a, b)).toBe(inA.some((v, i) => v && inB[i]));
      expect(languageSubset(a, b)).toBe(inA.every((v, i) => !v || inB[i]));
    }), { numRuns: 200 });
  });

  test('the specificity key never ranks a route above a route that contains it', () => {
    fc.assert(fc.property(patterns, patterns, (a, b) => {
      const ra: RouteSpec = { hosts: [], paths: a.map(p => `/${p}`) };
      const rb: RouteSpec = { hosts: [], paths: b.map(p => `/${p}`) };
      if (routeWithin(ra, rb)) expect(compareKeys(specificityKey(ra), specificityKey(rb))).toBeLessThanOrEqual(0);
    }), { numRuns: 500 });
  });

  test('wildcards are counted per character', () => {
    expect(wildcardCount(['*.example.com', '/a/*/b?', '*'])).toBe(4);
  });
});

describe('no module-level state in the load balancer files', () => {
  // State shared by every load balancer of a process (a module-level cache) outlives the app that filled it and
  // couples unrelated apps; each allocator keeps its own memo of pattern comparisons instead.
  const files = [
    'web-routing.ts', 'listener-priority.ts', 'web-load-balancer.ts', 'web-load-balancer-options.ts', 'web-service.ts',
    'web-service-options.ts', 'network-service.ts', 'network-service-options.ts', 'load-balancer-options.ts',
  ].map(f => join(__dirname, '../../src/services', f)).concat(join(__dirname, '../../src/private/access-logs.ts'));

  /** Top-level variables that hold mutable state: `let`, or a Map, Set, WeakMap, WeakSet or array. */
  const moduleState = (file: string): string[] => {
    const source = ts.createSourceFile(file, fs.readFileSync(file, 'utf-8'), ts.ScriptTarget.Latest, true);
    return source.statements.filter(ts.isVariableStatement).flatMap(statement => statement.declarationList.declarations
      .filter(d => statement.declarationList.getText(source).startsWith('let ')
        || (d.initializer !== undefined && ts.isNewExpression(d.initializer) && /^(Weak)?(Map|Set)$/.test(d.initializer.expression.getText(source)))
        || (d.initializer !== undefined && ts.isArrayLiteralExpression(d.initializer) && d.initializer.elements.length === 0))
      .map(d => `${basename(file)}: ${d.name.getText(source)}`));
  };

  test('no top-level let, Map, Set or empty array', () => {
    expect(files.flatMap(moduleState)).toEqual([]);
  });

  test('the check sees a module-level cache', () => {
    const file = join(fs.mkdtempSync(join(os.tmpdir(), 'state-')), 'cache.ts');
    fs.writeFileSync(file, 'const memo = new Map<string, boolean>();\nlet count = 0;\nconst fine = new Date();\n');
    expect(moduleState(file)).toEqual(['cache.ts: memo', 'cache.ts: count']);
  });
});
