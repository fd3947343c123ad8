import * as path from 'path';
import { reportLine, summaryLine } from './app-files';
import { importCopilot, writeApp } from './import-copilot';
import { ImportError } from './manifest-yaml';

/** Where the command writes: stdout and stderr, or a test's buffers. */
export interface Output {
  write(text: string): unknown;
}

const USAGE = `Usage: cdk-ecs-foundry import-copilot [copilot-dir] [--out dir] [--force]

Import a Copilot workspace into a CDK app built on cdk-ecs-foundry: one stack per environment,
one construct per service or job. Every manifest field the app does not carry is reported.

  copilot-dir   the directory that holds copilot/ (or copilot/ itself)   default: .
  --out dir     where to write the app (must be empty or new)            default: ./cdk-app
  --force       replace a non-empty --out directory
  --help        show this help

\${VAR} in manifests is substituted from the shell environment, as Copilot does.
`;

/** Parsed command-line arguments. */
interface Arguments {
  readonly command?: string;
  readonly dir: string;
  readonly out: string;
  readonly force: boolean;
  readonly help: boolean;
}

function parseArguments(argv: string[]): Arguments {
  const positional: string[] = [];
  let out: string | undefined;
  let force = false;
  let help = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--help' || arg === '-h') {help = true;} else if (arg === '--force') {force = true;} else if (arg === '--out') {
      out = argv[++i];
      if (out === undefined) throw new ImportError('--out needs a directory.');
    } else if (arg.startsWith('--out=')) {out = arg.slice('--out='.length);} else if (arg.startsWith('-')) {throw new ImportError(`unknown option ${arg}.`);} else {positional.push(arg);}
  }
  if (positional.length > 2) throw new ImportError(`unexpected argument ${positional[2]}.`);
  return { command: positional[0], dir: positional[1] ?? '.', out: out ?? 'cdk-app', force, help };
}

/**
 * The `cdk-ecs-foundry` command: returns the exit code (0 on success, 1 on bad input, 2 on bad usage).
 */
export function main(argv: string[], stdout: Output = process.stdout, stderr: Output = process.stderr): number {
  let args: Arguments;
  try {
    args = parseArguments(argv);
  } catch (e) {
    stderr.write(`cdk-ecs-foundry: ${(e as Error).message}\n\n${USAGE}`);
    return 2;
  }
  if (args.help || args.command === 'help') {
    stdout.write(USAGE);
    return 0;
  }
  if (args.command !== 'import-copilot') {
    stderr.write(`cdk-ecs-foundry: ${args.command ? `unknown command '${args.command}'` : 'no command given'}.\n\n${USAGE}`);
    return 2;
  }
  try {
    const result = importCopilot({ copilotDir: args.dir, outDir: args.out });
    writeApp(args.out, result.files, args.force);
    for (const r of result.reported) stdout.write(`reported: ${reportLine(r)}\n`);
    stdout.write(`${summaryLine(result)}\n`);
    stdout.write(`Wrote ${path.resolve(args.out)} (IMPORT-REPORT.md lists the reported fields). Next: cd ${args.out} && npm install && npx cdk synth\n`);
    return 0;
  } catch (e) {
    if (e instanceof ImportError) {
      stderr.write(`cdk-ecs-foundry import-copilot: ${e.message}\nNothing was written.\n`);
      return 1;
    }
    throw e;
  }
}
