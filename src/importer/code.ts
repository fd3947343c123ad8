/*
 * A small model of TypeScript expressions for the generated app: objects and arrays of raw expressions, rendered
 * the way a person writes them (one line when short, one property per line otherwise).
 */

/** A TypeScript expression, as written. */
export class Raw {
  constructor(readonly text: string) {}
}

/** An object literal: keys in insertion order, undefined values left out. */
export interface CodeObject {
  [key: string]: Code | undefined;
}

/** An expression: raw text, an array literal or an object literal. */
export type Code = Raw | Code[] | CodeObject;

/** Raw TypeScript. */
export function raw(text: string): Raw {
  return new Raw(text);
}

/** A string literal, single-quoted. */
export function str(value: string): Raw {
  return raw(`'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'").replace(/\n/g, '\\n').replace(/\r/g, '\\r')}'`);
}

/** A number, boolean or string literal. */
export function lit(value: string | number | boolean): Raw {
  return typeof value === 'string' ? str(value) : raw(String(value));
}

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

function key(name: string): string {
  return IDENTIFIER.test(name) ? name : str(name).text;
}

/** Whether an object literal has no defined property. */
export function isEmptyObject(code: CodeObject): boolean {
  return Object.values(code).every(v => v === undefined);
}

/** Render an expression at an indentation level (two spaces per level). */
export function render(code: Code, level = 0): string {
  if (code instanceof Raw) return code.text;
  const pad = '  '.repeat(level + 1);
  const end = '  '.repeat(level);
  if (Array.isArray(code)) {
    const items = code.map(c => render(c, level + 1));
    const line = `[${items.join(', ')}]`;
    if (line.length <= 100 && !line.includes('\n')) return line;
    return `[\n${items.map(i => `${pad}${i},`).join('\n')}\n${end}]`;
  }
  const entries = Object.entries(code).filter((e): e is [string, Code] => e[1] !== undefined)
    .map(([k, v]) => (v instanceof Raw && v.text === k ? k : `${key(k)}: ${render(v, level + 1)}`));
  if (entries.length === 0) return '{}';
  const line = `{ ${entries.join(', ')} }`;
  if (line.length <= 100 && !line.includes('\n')) return line;
  return `{\n${entries.map(e => `${pad}${e},`).join('\n')}\n${end}}`;
}

/** 'api-gateway' as a class or construct id: 'ApiGateway'. */
export function pascalCase(name: string): string {
  const words = name.split(/[^A-Za-z0-9]+/).filter(Boolean);
  // An all-capitals word (an environment variable's) reads as a word: DB_PASSWORD becomes DbPassword.
  const joined = words.map(w => w[0].toUpperCase() + (w === w.toUpperCase() ? w.slice(1).toLowerCase() : w.slice(1))).join('');
  return /^[0-9]/.test(joined) ? `N${joined}` : joined || 'Unnamed';
}

/** 'api-gateway' as a variable: 'apiGateway'. */
export function camelCase(name: string): string {
  const pascal = pascalCase(name);
  const camel = pascal[0].toLowerCase() + pascal.slice(1);
  return RESERVED.has(camel) ? `${camel}Service` : camel;
}

const RESERVED = new Set(['break', 'case', 'catch', 'class', 'const', 'continue', 'debugger', 'default', 'delete', 'do', 'else',
  'enum', 'export', 'extends', 'false', 'finally', 'for', 'function', 'if', 'import', 'in', 'instanceof', 'new', 'null', 'return',
  'super', 'switch', 'this', 'throw', 'true', 'try', 'typeof', 'var', 'void', 'while', 'with', 'yield', 'let', 'static',
  'implements', 'interface', 'package', 'private', 'protected', 'public', 'await', 'cluster', 'loadBalancer', 'app', 'props']);

/**
 * A Go duration ('30s', '1m30s', '2h', '500ms') as `Duration.x(n)` in the largest whole unit, or undefined when it is
 * not one.
 */
export function goDuration(text: string | number): { code: Raw; seconds: number } | undefined {
  const s = String(text).trim();
  if (!/^(\d+(\.\d+)?(ns|us|µs|ms|s|m|h))+$/.test(s)) return undefined;
  const unit: Record<string, number> = { ns: 1e-9, us: 1e-6, µs: 1e-6, ms: 1e-3, s: 1, m: 60, h: 3600 };
  let seconds = 0;
  for (const m of s.matchAll(/(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)/g)) seconds += Number(m[1]) * unit[m[2]];
  seconds = Math.round(seconds * 1000) / 1000;
  if (!Number.isInteger(seconds)) return { code: raw(`Duration.millis(${Math.round(seconds * 1000)})`), seconds };
  if (seconds !== 0 && seconds % 3600 === 0) return { code: raw(`Duration.hours(${seconds / 3600})`), seconds };
  if (seconds !== 0 && seconds % 60 === 0) return { code: raw(`Duration.minutes(${seconds / 60})`), seconds };
  return { code: raw(`Duration.seconds(${seconds})`), seconds };
}
