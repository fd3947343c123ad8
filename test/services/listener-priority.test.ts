import * as fc from 'fast-check';
import { hashSlot, ListenerPriorityAllocator, specificityBand } from '../../src/services/listener-priority';

const route = fc.record({
  hosts: fc.array(fc.constantFrom('a.example.com', 'b.example.com', '*.example.com', 'c.example.org'), { maxLength: 2 }),
  paths: fc.array(fc.constantFrom('/api/*', '/docs/*', '/*', '/v1/users', '/static/*', '/health'), { maxLength: 2 }),
});
const assign = (routes: Array<{ hosts: string[]; paths: string[] }>) => {
  const allocator = new ListenerPriorityAllocator();
  return routes.map((r, i) => allocator.allocate(JSON.stringify([r.hosts, r.paths, i]), specificityBand(r.hosts, r.paths), `svc${i}`));
};

describe('listener rule priorities', () => {
  test('are deterministic: the same routes give the same priorities', () => {
    fc.assert(fc.property(fc.array(route, { maxLength: 60 }), routes => {
      expect(assign(routes)).toEqual(assign(routes));
    }), { numRuns: 100 });
  });

  test('never collide and stay within 1-50000', () => {
    fc.assert(fc.property(fc.array(route, { minLength: 1, maxLength: 100 }), routes => {
      const priorities = assign(routes);
      expect(new Set(priorities).size).toBe(priorities.length);
      for (const p of priorities) {
        expect(p).toBeGreaterThanOrEqual(1);
        expect(p).toBeLessThanOrEqual(ListenerPriorityAllocator.MAX_PRIORITY);
      }
    }), { numRuns: 100 });
  });

  test('adding services never changes an existing priority', () => {
    fc.assert(fc.property(fc.array(route, { maxLength: 60 }), fc.array(route, { minLength: 1, maxLength: 20 }), (before, added) => {
      const original = assign(before);
      const after = assign([...before, ...added]);
      expect(after.slice(0, before.length)).toEqual(original);
    }), { numRuns: 100 });
  });

  test('more specific routes get lower numbers than catch-all routes', () => {
    expect(specificityBand(['a.example.com'], ['/api/*'])).toBe(0);
    expect(specificityBand(['a.example.com'], [])).toBe(1);
    expect(specificityBand([], ['/api/*'])).toBe(2);
    expect(specificityBand([], ['/*.png'])).toBe(3);
    expect(specificityBand([], ['/*'])).toBe(4);
    expect(specificityBand([], [])).toBe(4);
    fc.assert(fc.property(fc.string(), fc.string(), (a, b) => {
      const allocator = new ListenerPriorityAllocator();
      const specific = allocator.allocate(a, 0, 'a');
      const catchAll = allocator.allocate(b, 4, 'b');
      expect(specific).toBeLessThan(catchAll);
    }), { numRuns: 200 });
  });

  test('reserve() refuses a taken priority and names its holder', () => {
    const allocator = new ListenerPriorityAllocator();
    allocator.reserve(10, 'Stack/Api');
    expect(() => allocator.reserve(10, 'Stack/Web')).toThrow("priority 10 is already used by 'Stack/Api'");
    expect(allocator.holderOf(10)).toBe('Stack/Api');
  });

  test('hashSlot is stable across runs (pinned values)', () => {
    expect(hashSlot('{"h":[],"p":["/api/*"]}', 10_000)).toBe(hashSlot('{"h":[],"p":["/api/*"]}', 10_000));
    expect([hashSlot('a', 10_000), hashSlot('b', 10_000)]).toMatchSnapshot();
  });
});
