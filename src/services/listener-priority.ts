import { createHash } from 'crypto';

/**
 * Deterministic, collision-free, stable listener-rule priorities.
 *
 * ALB evaluates rules by ascending priority (1-50000), so more specific rules must come first. Priorities are
 * split into bands by specificity (host and path, host only, specific path, catch-all path); within its band a
 * rule gets a slot from a hash of its identity (its conditions), so a service's priority depends on its own rule,
 * not on which other services exist. On a collision a rule probes the next slots of its own sequence, in the order
 * rules were added: appending a service never moves an existing one.
 */
export class ListenerPriorityAllocator {
  /** Slots per specificity band. */
  public static readonly BAND_SIZE = 10_000;
  /** Highest priority ALB accepts. */
  public static readonly MAX_PRIORITY = 50_000;

  private readonly taken = new Map<number, string>();

  /** Reserve an explicit priority; throws a message naming the owner when taken. */
  public reserve(priority: number, owner: string): void {
    const holder = this.taken.get(priority);
    if (holder !== undefined && holder !== owner) {
      throw new Error(`priority ${priority} is already used by '${holder}'`);
    }
    this.taken.set(priority, owner);
  }

  /** The priority holder, if any. */
  public holderOf(priority: number): string | undefined {
    return this.taken.get(priority);
  }

  /** Allocate a priority for a rule identity in its specificity band. */
  public allocate(identity: string, band: number, owner: string): number {
    const base = band * ListenerPriorityAllocator.BAND_SIZE;
    const start = hashSlot(identity, ListenerPriorityAllocator.BAND_SIZE);
    for (let i = 0; i < ListenerPriorityAllocator.BAND_SIZE; i++) {
      const priority = base + ((start + i) % ListenerPriorityAllocator.BAND_SIZE) + 1;
      if (!this.taken.has(priority)) {
        this.taken.set(priority, owner);
        return priority;
      }
    }
    throw new Error(`no free priority left in band ${band}`);
  }

  /** Number of rules on the listener. */
  public get size(): number {
    return this.taken.size;
  }
}

/** A stable slot in [0, size) from a string. */
export function hashSlot(identity: string, size: number): number {
  const digest = createHash('sha256').update(identity).digest();
  return digest.readUInt32BE(0) % size;
}

/**
 * Specificity band of a rule: 0 host + path, 1 host only, 2 specific path, 3 wildcard-heavy path, 4 catch-all.
 */
export function specificityBand(hostHeaders: string[], pathPatterns: string[]): number {
  const catchAll = pathPatterns.length === 0 || pathPatterns.every(p => p === '/*' || p === '*');
  if (hostHeaders.length > 0 && !catchAll) return 0;
  if (hostHeaders.length > 0) return 1;
  if (catchAll) return 4;
  const wildcardOnly = pathPatterns.every(p => /^\/?\*/.test(p));
  return wildcardOnly ? 3 : 2;
}
