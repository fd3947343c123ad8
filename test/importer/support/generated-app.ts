import * as path from 'path';
import { App, Stack, StackProps } from 'aws-cdk-lib';
import * as ts from 'typescript';

/** The library's source: the generated app's 'cdk-ecs-foundry' resolves to it. */
const LIBRARY = path.resolve(__dirname, '..', '..', '..', 'src');

/**
 * Type-check generated apps' TypeScript as their own projects would (strict), with 'cdk-ecs-foundry' mapped to the
 * library's source, in one program. Returns the diagnostics as text, empty when they compile.
 */
export function compileGeneratedApps(apps: Array<{ outDir: string; files: Record<string, string> }>): string[] {
  const sources = new Map(apps.flatMap(({ outDir, files }) => Object.entries(files).filter(([f]) => f.endsWith('.ts')).map(([f, text]) => [path.join(outDir, f), text] as const)));
  const options: ts.CompilerOptions = {
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.CommonJS,
    moduleResolution: ts.ModuleResolutionKind.Node10,
    ignoreDeprecations: '6.0',
    lib: ['lib.es2022.d.ts'],
    strict: true,
    esModuleInterop: true,
    skipLibCheck: true,
    noEmit: true,
    types: ['node'],
    typeRoots: [path.resolve(LIBRARY, '..', 'node_modules', '@types')],
    baseUrl: LIBRARY,
    paths: { 'cdk-ecs-foundry': ['index.ts'] },
  };
  const host = ts.createCompilerHost(options);
  const readFile = host.readFile.bind(host);
  const fileExists = host.fileExists.bind(host);
  const getSourceFile = host.getSourceFile.bind(host);
  host.readFile = f => sources.get(f) ?? readFile(f);
  host.fileExists = f => sources.has(f) || fileExists(f);
  const directoryExists = host.directoryExists?.bind(host);
  host.directoryExists = d => [...sources.keys()].some(f => f.startsWith(`${d}${path.sep}`)) || (directoryExists ? directoryExists(d) : true);
  host.getSourceFile = (f, languageVersion, onError, shouldCreate) => {
    const text = sources.get(f);
    return text !== undefined ? ts.createSourceFile(f, text, languageVersion, true) : getSourceFile(f, languageVersion, onError, shouldCreate);
  };
  // 'cdk-ecs-foundry' resolves through `paths`; aws-cdk-lib and constructs from the node_modules above the app.
  const program = ts.createProgram([...sources.keys()], options, host);
  // Diagnostics of the generated files only: the library's own sources are checked by its build (and checking them
  // here would cost most of the time); its types are still read to check every call the generated code makes.
  const diagnostics = [...program.getOptionsDiagnostics(), ...program.getGlobalDiagnostics(),
    ...[...sources.keys()].flatMap(f => {
      const file = program.getSourceFile(f)!;
      return [...program.getSyntacticDiagnostics(file), ...program.getSemanticDiagnostics(file)];
    })];
  return diagnostics.map(d => {
    const where = d.file ? `${d.file.fileName}:${d.file.getLineAndCharacterOfPosition(d.start ?? 0).line + 1}` : '';
    return `${where} ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`;
  });
}

/** A stack class of the generated app. */
type StackClass = new (scope: App, id: string, props?: StackProps) => Stack;

/**
 * Load the generated stacks (transpiled to CommonJS, 'cdk-ecs-foundry' resolved to the library's source) and return
 * their classes by file name.
 */
export function loadGeneratedStacks(outDir: string, files: Record<string, string>): Record<string, StackClass> {
  const classes: Record<string, StackClass> = {};
  for (const [file, text] of Object.entries(files)) {
    if (!file.startsWith('lib/') || !file.endsWith('.ts')) continue;
    const compilerOptions = { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true };
    const js = ts.transpileModule(text, { compilerOptions }).outputText;
    const exports: Record<string, unknown> = {};
    // The generated code's own require(): the library by its package name, everything else as usual.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const requireModule = (name: string): unknown => require(name === 'cdk-ecs-foundry' ? LIBRARY : name);
    // eslint-disable-next-line @typescript-eslint/no-implied-eval
    new Function('require', 'exports', 'module', '__dirname', '__filename', js)(
      requireModule, exports, { exports }, path.join(outDir, path.dirname(file)), path.join(outDir, file));
    for (const [name, value] of Object.entries(exports)) {
      if (typeof value === 'function') classes[name] = value as StackClass;
    }
  }
  return classes;
}
