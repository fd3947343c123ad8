/**
 * The layout of src/, proven with the TypeScript compiler's own import scanner (`ts.preProcessFile`, which sees
 * `import`, `import type`, `export ... from` and `import('...')` alike).
 *
 * Layout rule: the folders of src/ are layered, lowest first:
 *
 *   compliance → private → cluster → storage → workload → scaling → operations → services → cost
 *
 * A file imports (type-only imports included) only from its own folder or a folder before it, and no two files
 * import each other, directly or through others (no import cycles, type-only imports included). src/index.ts only
 * re-exports. Types that a construct and its validator share live in a file of their own.
 *
 * Run: npx jest --coverage=false test/layout.test.ts
 */
import * as fs from 'fs';
import * as path from 'path';
import * as ts from 'typescript';

/** The folders of src/, lowest layer first. */
// importer: the Copilot importer behind the package's bin, on top (it generates code that uses the library; it is not part of the jsii API).
const LAYERS = ['compliance', 'private', 'cluster', 'storage', 'workload', 'scaling', 'operations', 'services', 'cost', 'importer'];

const SRC = path.join(__dirname, '..', 'src');

/** Every TypeScript source file under src/, relative to src/ with '/' separators, in a stable order. */
function sourceFiles(dir = SRC): string[] {
  return fs.readdirSync(dir, { withFileTypes: true })
    .flatMap(entry => {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) return sourceFiles(full);
      return entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts') ? [path.relative(SRC, full).split(path.sep).join('/')] : [];
    })
    .sort();
}

/** The files of src/ that a file imports, resolved as TypeScript resolves a relative module name. */
function localImports(file: string, files: Set<string>): string[] {
  const text = fs.readFileSync(path.join(SRC, file), 'utf8');
  const info = ts.preProcessFile(text, true, true);
  const targets = new Set<string>();
  for (const ref of info.importedFiles) {
    if (!ref.fileName.startsWith('.')) continue;
    const base = path.posix.normalize(path.posix.join(path.posix.dirname(file), ref.fileName));
    const target = [`${base}.ts`, `${base}/index.ts`].find(candidate => files.has(candidate));
    if (!target) {
      throw new Error(`${file}: cannot resolve '${ref.fileName}'`);
    }
    targets.add(target);
  }
  return [...targets].sort();
}

/** The import graph of src/: file → files it imports. */
function importGraph(): Map<string, string[]> {
  const files = sourceFiles();
  const set = new Set(files);
  return new Map(files.map(file => [file, localImports(file, set)]));
}

/** Strongly connected components with more than one file, or a file importing itself (Tarjan). */
function importCycles(graph: Map<string, string[]>): string[][] {
  let index = 0;
  const indices = new Map<string, number>();
  const lowLinks = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const cycles: string[][] = [];
  const visit = (file: string): void => {
    indices.set(file, index);
    lowLinks.set(file, index);
    index++;
    stack.push(file);
    onStack.add(file);
    for (const next of graph.get(file) ?? []) {
      if (!indices.has(next)) {
        visit(next);
        lowLinks.set(file, Math.min(lowLinks.get(file)!, lowLinks.get(next)!));
      } else if (onStack.has(next)) {
        lowLinks.set(file, Math.min(lowLinks.get(file)!, indices.get(next)!));
      }
    }
    if (lowLinks.get(file) === indices.get(file)) {
      const component: string[] = [];
      let member: string;
      do {
        member = stack.pop()!;
        onStack.delete(member);
        component.push(member);
      } while (member !== file);
      if (component.length > 1 || (graph.get(file) ?? []).includes(file)) {
        cycles.push(component.sort());
      }
    }
  };
  for (const file of graph.keys()) {
    if (!indices.has(file)) visit(file);
  }
  return cycles.sort((a, b) => a[0].localeCompare(b[0]));
}

/** The layer of a file: its top folder under src/ (undefined for files at the root of src/, such as index.ts). */
function layerOf(file: string): string | undefined {
  const parts = file.split('/');
  return parts.length > 1 ? parts[0] : undefined;
}

/** Imports that point at a later layer than the importing file's, as 'from → to (layer → layer)'. */
function layerViolations(graph: Map<string, string[]>): string[] {
  const violations: string[] = [];
  for (const [file, imports] of graph) {
    const from = layerOf(file);
    if (from === undefined) continue;
    for (const target of imports) {
      const to = layerOf(target);
      if (to === undefined || LAYERS.indexOf(to) > LAYERS.indexOf(from)) {
        violations.push(`${file} → ${target} (${from} imports ${to ?? 'the package root'}, a later layer)`);
      }
    }
  }
  return violations.sort();
}

const graph = importGraph();

describe('layout of src/', () => {
  test('every folder of src/ has a layer', () => {
    const folders = new Set([...graph.keys()].map(layerOf).filter((f): f is string => f !== undefined));
    expect([...folders].filter(folder => !LAYERS.includes(folder))).toEqual([]);
  });

  test('the scanner sees type-only imports, re-exports and import() types', () => {
    const info = ts.preProcessFile([
      "import type { A } from './a';",
      "export { B } from './b';",
      "type C = import('./c').C;",
    ].join('\n'), true, true);
    expect(info.importedFiles.map(f => f.fileName)).toEqual(['./a', './b', './c']);
  });

  test('the cycle finder finds a cycle through three files, and a self-import', () => {
    const fake = new Map([['x/a.ts', ['x/b.ts']], ['x/b.ts', ['x/c.ts']], ['x/c.ts', ['x/a.ts']], ['x/d.ts', ['x/d.ts']], ['x/e.ts', ['x/a.ts']]]);
    expect(importCycles(fake)).toEqual([['x/a.ts', 'x/b.ts', 'x/c.ts'], ['x/d.ts']]);
  });

  test('the layer check flags an import of a later folder only', () => {
    const fake = new Map([['cluster/a.ts', ['private/b.ts', 'services/c.ts']], ['services/c.ts', ['cluster/a.ts']]]);
    expect(layerViolations(fake)).toEqual(['cluster/a.ts → services/c.ts (cluster imports services, a later layer)']);
  });

  test('no import cycles between files (type-only imports included)', () => {
    expect(importCycles(graph).map(cycle => cycle.join(' ↔ '))).toEqual([]);
  });

  test(`a folder imports only from itself and the folders before it (${LAYERS.join(' → ')})`, () => {
    expect(layerViolations(graph)).toEqual([]);
  });
});
