import { createHash } from 'crypto';
import { describeRoute, RouteSpec, RoutingMemo, routesOverlap, routeWithin, specificityKey } from './web-routing';

/** A route placed on the listener. */
export interface PlacedRoute {
  readonly owner: string;
  readonly route: RouteSpec;
  readonly key: number[];
  /** Priority of the production rule. */
  readonly priority: number;
  /** Lowest priority the route holds (its test rule's, or the slot kept free for it). */
  readonly low: number;
  readonly explicit: boolean;
}

/** Where a route goes. */
export interface Placement {
  readonly priority: number;
  /** Priority of the blue/green test rule, right before the production rule. */
  readonly testPriority?: number;
}

/** Why a route cannot be placed; the load balancer turns it into a prop error. */
export class PlacementError extends Error {
  constructor(public readonly prop: 'priority' | 'route', message: string) {
    super(message);
  }
}

/**
 * Deterministic, collision-free, stable listener-rule priorities that put the most specific route first.
 *
 * ALB evaluates rules by ascending priority (1-50000) and the first match wins. Each route gets a pair of
 * priorities: the blue/green test rule (kept free without blue/green) right before the production rule. A route
 * prefers a slot in the band of its specificity class (exact host, wildcard host, any host × exact path, wildcard
 * path, every path) from a hash of its own conditions, so its priority does not depend on which other services
 * exist. It takes that slot only if the slot is free and comes after every route inside it and before every route
 * around it (`/api/v1/*` before `/api/*`, `api.example.com` before `*.example.com`; containment is decided exactly,
 * on the patterns' languages). Else it takes the free pair nearest the middle of the gap between those routes, inside
 * its band when the band has room. A route inside another never has a lower class, so routes stay in their bands, and two routes that
 * merely overlap are ordered by band. Existing routes never move: adding a service never changes another
 * service's priority.
 */
export class ListenerPriorityAllocator {
  /** Highest priority ALB accepts. */
  public static readonly MAX_PRIORITY = 50_000;
  /** Specificity bands (3 host classes × 3 path classes). */
  public static readonly BANDS = 9;
  /** Priorities per band. */
  public static readonly BAND_SIZE = Math.floor(ListenerPriorityAllocator.MAX_PRIORITY / ListenerPriorityAllocator.BANDS);
  private static readonly PAIRS = Math.floor(ListenerPriorityAllocator.BAND_SIZE / 2);

  private readonly taken = new Map<number, string>();
  private readonly memo = new RoutingMemo();
  private readonly placed: PlacedRoute[] = [];
  private rules = 0;

  /** Routes placed so far. */
  public get routes(): readonly PlacedRoute[] {
    return this.placed;
  }

  /** Number of listener rules. */
  public get size(): number {
    return this.rules;
  }

  /** The priority holder, if any. */
  public holderOf(priority: number): string | undefined {
    return this.taken.get(priority);
  }

  /**
   * Place a route: at `explicit` when given (checked against the routes it overlaps), else at a stable slot that
   * orders it correctly. Throws a `PlacementError` that names the other service.
   */
  public place(route: RouteSpec, owner: string, options: { explicit?: number; withTest: boolean }): Placement {
    const key = specificityKey(route, this.memo);
    // Routes this one must follow (inside it) and precede (around it); a route equal to it is a dead duplicate.
    const inner: PlacedRoute[] = [];
    const outer: PlacedRoute[] = [];
    for (const other of this.placed) {
      if (!routesOverlap(other.route, route, this.memo)) continue;
      const within = routeWithin(route, other.route, this.memo);
      const contains = routeWithin(other.route, route, this.memo);
      if (within && contains) {
        throw new PlacementError('route', `'${other.owner}' already routes exactly these requests (${describeRoute(route)}), so the second rule would never match`);
      }
      if (contains) inner.push(other);
      if (within) outer.push(other);
    }
    const lo = Math.max(0, ...inner.map(p => p.priority));
    const hi = Math.min(ListenerPriorityAllocator.MAX_PRIORITY + 1, ...outer.map(p => p.low));

    if (options.explicit !== undefined) {
      const priority = options.explicit;
      const low = options.withTest ? priority - 1 : priority;
      for (const p of [low, priority]) {
        const holder = this.taken.get(p);
        if (holder !== undefined && holder !== owner) throw new PlacementError('priority', `priority ${p} is already used by '${holder}'`);
      }
      if (low < 1) throw new PlacementError('priority', 'a blue/green service needs priority - 1 for its test rule, so at least 2');
      // An explicit priority may reorder routes that merely overlap, never a route and a route inside it: the inner
      // one would never match.
      const before = inner.find(p => p.priority >= low);
      const after = outer.find(p => p.low <= priority);
      if (before) {
        throw new PlacementError('priority', `'${before.owner}' (${describeRoute(before.route)}, priority ${before.priority}) is more specific and must come first; use a priority above ${before.priority}${options.withTest ? ' + 1' : ''}`);
      }
      if (after) {
        throw new PlacementError('priority', `'${after.owner}' (${describeRoute(after.route)}, priority ${after.low}) contains this route, which must come first; use a priority below ${after.low}`);
      }
      this.commit(owner, route, key, low, priority, true, options.withTest);
      return { priority, testPriority: options.withTest ? low : undefined };
    }

    const fits = (q: number) => q - 1 > lo && q < hi && !this.taken.has(q) && !this.taken.has(q - 1);
    const band = key[0] * 3 + key[1];
    const base = band * ListenerPriorityAllocator.BAND_SIZE;
    const start = hashSlot(JSON.stringify({ h: [...route.hosts].sort(), p: [...route.paths].sort() }), ListenerPriorityAllocator.PAIRS);
    const preferred = base + 2 * start + 2;
    // The preferred slot when it is free and ordered; else the free pair nearest the middle of the gap it must go in
    // (inside its band when the band has room), so that routes added later between them still find room.
    const nearMiddle = (from: number, to: number): number | undefined => {
      const middle = Math.floor((from + to) / 2);
      for (let d = 0; middle - d > from || middle + d < to; d++) {
        if (fits(middle - d)) return middle - d;
        if (fits(middle + d)) return middle + d;
      }
      return undefined;
    };
    const chosen = fits(preferred) ? preferred
      : nearMiddle(Math.max(lo, base), Math.min(hi, base + ListenerPriorityAllocator.BAND_SIZE + 1)) ?? nearMiddle(lo, hi);
    if (chosen === undefined) {
      const between = [...inner, ...outer].map(p => `'${p.owner}' (${p.priority})`).join(', ');
      throw new PlacementError('route', `no free priority orders this route (${describeRoute(route)}) between the routes it overlaps: ${between}`);
    }
    this.commit(owner, route, key, chosen - 1, chosen, false, options.withTest);
    return { priority: chosen, testPriority: options.withTest ? chosen - 1 : undefined };
  }

  private commit(owner: string, route: RouteSpec, key: number[], low: number, priority: number, explicit: boolean, withTest: boolean): void {
    this.taken.set(low, owner);
    this.taken.set(priority, owner);
    this.rules += withTest ? 2 : 1;
    this.placed.push({ owner, route, key, priority, low, explicit });
  }
}

/** A stable slot in [0, size) from a string. */
export function hashSlot(identity: string, size: number): number {
  const digest = createHash('sha256').update(identity).digest();
  return digest.readUInt32BE(0) % size;
}
