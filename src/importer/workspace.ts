import * as fs from 'fs';
import * as path from 'path';
import { ManifestKind } from './field-registry';
import { ImportError, isMap, ManifestFile, parseManifest } from './manifest-yaml';

/*
 * A Copilot workspace on disk: copilot/.workspace (the application), copilot/environments/<env>/manifest.yml and
 * copilot/<workload>/manifest.yml.
 */

/** A workload manifest of the workspace. */
export interface WorkloadFile extends ManifestFile {
  readonly name: string;
  readonly kind: ManifestKind;
}

/** An environment manifest of the workspace. */
export interface EnvironmentFile extends ManifestFile {
  readonly name: string;
}

/** What the importer reads. */
export interface Workspace {
  /** The directory that holds copilot/ (image build paths are relative to it). */
  readonly root: string;
  readonly application: string;
  readonly environments: EnvironmentFile[];
  readonly workloads: WorkloadFile[];
  /**
   * Copilot addons and overrides directories (`copilot/<workload>/addons/`, `copilot/environments/overrides/`, ...),
   * relative to the root, with their files: the importer does not read them, it reports them.
   */
  readonly extensions: Array<{ readonly dir: string; readonly kind: 'addons' | 'overrides'; readonly files: string[] }>;
}

/** Workload types this library has no construct for, with what to use instead. */
const UNSUPPORTED_TYPES: Record<string, string> = {
  'Request-Driven Web Service': 'it runs on AWS App Runner. Use a Load Balanced Web Service (type: Load Balanced Web Service, which becomes a WebService behind an Application Load Balancer with HTTPS and scaling on requests) and import again: a WebService is the App Runner-style service of this library',
  'Static Site': 'it is an S3 bucket behind CloudFront, not a container. Keep it in Copilot until you move it to aws-s3-deployment + aws-cloudfront in your CDK app, and remove it from copilot/ before importing (or move its manifest aside)',
};

const KINDS: Record<string, ManifestKind> = {
  [ManifestKind.WEB]: ManifestKind.WEB,
  [ManifestKind.BACKEND]: ManifestKind.BACKEND,
  [ManifestKind.WORKER]: ManifestKind.WORKER,
  [ManifestKind.JOB]: ManifestKind.JOB,
};

/** The copilot/ directory for a path: the path itself when it is one, or its copilot/ subdirectory. */
function copilotDir(dir: string): string {
  const abs = path.resolve(dir);
  if (fs.existsSync(path.join(abs, '.workspace'))) return abs;
  if (fs.existsSync(path.join(abs, 'copilot', '.workspace'))) return path.join(abs, 'copilot');
  throw new ImportError(`${dir}: not a Copilot workspace (no copilot/.workspace). Point the importer at the directory where you run copilot, or at its copilot/ directory.`);
}

function read(file: string, shown: string): string {
  try {
    return fs.readFileSync(file, 'utf-8');
  } catch (e) {
    throw new ImportError(`${shown}: cannot read the file (${(e as Error).message}).`);
  }
}

/** Read and parse every manifest of a workspace, checking what the importer can handle. */
export function readWorkspace(dir: string): Workspace {
  const copilot = copilotDir(dir);
  const root = path.dirname(copilot);
  const shown = (file: string) => path.relative(root, file).split(path.sep).join('/');
  const workspaceFile = path.join(copilot, '.workspace');
  const ws = parseManifest(shown(workspaceFile), read(workspaceFile, shown(workspaceFile))).document.toJS();
  const application = isMap(ws) ? ws.application : undefined;
  if (typeof application !== 'string' || !application) {
    throw new ImportError(`${shown(workspaceFile)}: no application name (a line 'application: <name>').`);
  }
  const environments: EnvironmentFile[] = [];
  const envDir = path.join(copilot, 'environments');
  if (fs.existsSync(envDir)) {
    for (const name of fs.readdirSync(envDir).sort()) {
      const file = path.join(envDir, name, 'manifest.yml');
      if (!fs.existsSync(file)) continue;
      const parsed = parseManifest(shown(file), read(file, shown(file)));
      const type = parsed.document.get('type');
      if (type !== 'Environment') {
        throw new ImportError(`${shown(file)}: an environment manifest has type: Environment, this one has type: ${String(type)}.`);
      }
      environments.push({ ...parsed, name: String(parsed.document.get('name') ?? name) });
    }
  }
  if (environments.length === 0) {
    throw new ImportError(`${shown(copilot)}: no environment manifests (copilot/environments/<env>/manifest.yml). Export them with 'copilot env show --manifest' (or write one with 'name: <env>' and 'type: Environment') and import again.`);
  }
  const workloads: WorkloadFile[] = [];
  for (const name of fs.readdirSync(copilot).sort()) {
    if (name === 'environments' || name === 'pipelines' || name.startsWith('.')) continue;
    const file = path.join(copilot, name, 'manifest.yml');
    if (!fs.statSync(path.join(copilot, name)).isDirectory() || !fs.existsSync(file)) continue;
    const parsed = parseManifest(shown(file), read(file, shown(file)));
    const type = String(parsed.document.get('type') ?? '');
    const kind = KINDS[type];
    if (!kind) {
      const instead = UNSUPPORTED_TYPES[type];
      throw new ImportError(instead
        ? `${shown(file)}: type '${type}' has no equivalent here: ${instead}.`
        : `${shown(file)}: unknown workload type '${type}'. The importer reads ${Object.keys(KINDS).map(k => `'${k}'`).join(', ')}.`);
    }
    workloads.push({ ...parsed, name: String(parsed.document.get('name') ?? name), kind });
  }
  const extensions: Workspace['extensions'] = [];
  for (const name of fs.readdirSync(copilot).sort()) {
    for (const kind of ['addons', 'overrides'] as const) {
      const found = path.join(copilot, name, kind);
      if (!fs.existsSync(found) || !fs.statSync(found).isDirectory()) continue;
      extensions.push({ dir: `${shown(found)}/`, kind, files: fs.readdirSync(found).sort() });
    }
  }
  return { root, application, environments, workloads, extensions };
}
