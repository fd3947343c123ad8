import { FIELD_REGISTRY, fieldMatches, ManifestKind } from './field-registry';
import { ImportError, isMap, YamlMap, YamlValue } from './manifest-yaml';

/** A manifest field the generated app does not carry: where it is, its value, and what to do instead. */
export interface ReportedField {
  /** The manifest file, relative to the imported directory. */
  readonly file: string;
  /** The field path, e.g. 'http.stickiness' or 'subscribe.topics[].queue'. */
  readonly field: string;
  /** The value, as YAML flow text. */
  readonly value: string;
  /** What to do instead. */
  readonly instead: string;
  /** The environments whose effective manifest has the field (after overrides). */
  readonly environments: string[];
}

/** The path of a list item inside its list: 'topics' becomes 'topics[]'. */
function child(path: string, key: string): string {
  return path ? `${path}.${key}` : key;
}

/** A registry path for a concrete one: map keys stay, list indexes become '[]' on their list. */
function registryPath(segments: string[]): string {
  return segments.join('.').replace(/\.\[\]/g, '[]');
}

/** Render a value for a report, on one line. */
export function showValue(value: YamlValue | undefined): string {
  if (value === undefined) return '';
  if (typeof value === 'string') return value;
  return JSON.stringify(value);
}

/**
 * The fields of one effective manifest (one workload in one environment), with what the mapper took from them.
 *
 * The mapper reads every field it carries with `take()`, and reports value-dependent cases with `report()`. At the end
 * `leftovers()` reports every field nobody took, with the registry's advice: nothing is dropped silently.
 */
export class ManifestFields {
  private readonly taken = new Set<string>();
  private readonly reports: Array<Omit<ReportedField, 'environments'>> = [];

  /**
   * @param targetAccount the account the generated stack deploys to, when the environment names one (by its
   *   certificate): references to other accounts' resources are checked against it.
   */
  constructor(readonly file: string, readonly kind: ManifestKind, readonly manifest: YamlMap, readonly targetAccount?: string) {}

  /** The value at a path ('a.b.c'), without marking it. */
  public peek(path: string): YamlValue | undefined {
    let value: YamlValue | undefined = this.manifest;
    for (const key of path.split('.')) {
      if (!isMap(value)) return undefined;
      value = value[key];
    }
    return value === null ? undefined : value;
  }

  /** The value at a path, marked as carried into the generated app (with everything below it). */
  public take(path: string): YamlValue | undefined {
    const value = this.peek(path);
    if (value !== undefined) this.taken.add(path);
    return value;
  }

  /** A string value, marked as carried. */
  public takeString(path: string): string | undefined {
    const value = this.take(path);
    return value === undefined ? undefined : String(value);
  }

  /** A number value, marked as carried. */
  public takeNumber(path: string): number | undefined {
    const value = this.take(path);
    if (value === undefined) return undefined;
    const n = typeof value === 'number' ? value : Number(value);
    if (typeof value === 'boolean' || (typeof value === 'string' && value.trim() === '') || !Number.isFinite(n)) {
      // Copilot refuses the manifest too: generating code from it (or leaving the field out) would hide the mistake.
      throw new ImportError(`${this.file}: ${path} = ${showValue(value)} is not a number. Write a number (Copilot rejects this manifest too).`);
    }
    return n;
  }

  /** Report a field the generated app does not carry (value-dependent cases), with what to do instead. */
  public report(path: string, value: YamlValue | undefined, instead: string): void {
    this.taken.add(path);
    this.reports.push({ file: this.file, field: registryPath(path.split('.')), value: showValue(value), instead });
  }

  private hasTakenBelow(segments: string[]): boolean {
    const prefix = `${segments.join('.')}.`;
    return [...this.taken].some(t => t.startsWith(prefix));
  }

  private isTaken(segments: string[]): boolean {
    for (let i = 1; i <= segments.length; i++) {
      if (this.taken.has(segments.slice(0, i).join('.'))) return true;
    }
    return false;
  }

  /**
   * Every field of the manifest: the number carried, and a report for each one not taken.
   *
   * A field nobody took is reported with the advice of its registry entry, or of the nearest enclosing field that has
   * one; a field the registry does not know is reported as unknown.
   */
  public leftovers(): { carried: number; reported: Array<Omit<ReportedField, 'environments'>> } {
    let carried = 0;
    const reported = [...this.reports];
    const walk = (value: YamlValue, segments: string[]): void => {
      if (this.isTaken(segments)) {
        carried += this.reports.some(r => r.field === registryPath(segments)) ? 0 : 1;
        return;
      }
      const path = registryPath(segments);
      // A field the registry reports as a whole (e.g. logging, taskdef_overrides): one report with its whole value.
      const whole = FIELD_REGISTRY.find(e => e.kinds.includes(this.kind) && fieldMatches(e.field, path) && e.instead && !e.becomes);
      if (whole && !this.hasTakenBelow(segments)) {
        reported.push({ file: this.file, field: path, value: showValue(value), instead: whole.instead! });
        return;
      }
      if (isMap(value) && Object.keys(value).length > 0) {
        for (const [key, v] of Object.entries(value)) walk(v, [...segments, key]);
        return;
      }
      if (Array.isArray(value) && value.some(isMap)) {
        // Each item of a list of mappings is reported whole: list items have no path of their own to take.
        const itemPath = `${path}[]`;
        for (const item of value) reported.push({ file: this.file, field: itemPath, value: showValue(item), instead: this.advice(itemPath) });
        return;
      }
      reported.push({ file: this.file, field: path, value: showValue(value), instead: this.advice(path) });
    };
    for (const [key, value] of Object.entries(this.manifest)) {
      if (value !== null) walk(value, [key]);
    }
    return { carried, reported };
  }

  private advice(path: string): string {
    const parts = path.split('.');
    for (let n = parts.length; n > 0; n--) {
      const prefix = parts.slice(0, n).join('.');
      const entry = FIELD_REGISTRY.find(e => e.kinds.includes(this.kind) && e.instead
        && (fieldMatches(e.field, prefix) || fieldMatches(e.field, prefix.replace(/\[\]$/, ''))));
      if (entry) return entry.instead!;
    }
    const known = FIELD_REGISTRY.some(e => e.kinds.includes(this.kind) && fieldMatches(e.field, path));
    return known
      ? 'Not carried in this form: set the matching prop of the generated construct by hand (see "Coming from Copilot" in the README).'
      : `Not a field of a Copilot ${this.kind} manifest that the importer knows: check its spelling against the Copilot manifest reference, and set the matching prop by hand.`;
  }
}

export { child };
