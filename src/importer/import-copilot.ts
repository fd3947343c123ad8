import * as fs from 'fs';
import * as path from 'path';
import { ImportedWorkload, renderAppFiles } from './app-files';
import { ManifestKind } from './field-registry';
import { ManifestFields, ReportedField } from './manifest-fields';
import { applyEnvironmentOverride, ImportError, interpolate, isMap, YamlMap } from './manifest-yaml';
import { mapEnvironment } from './map-environment';
import { mapWorkload, WorkloadModel } from './map-workload';
import { renderStack, stackFileName } from './render-stack';
import { readWorkspace, WorkloadFile } from './workspace';

/** What to import and where the app goes. */
export interface ImportOptions {
  /** The directory that holds copilot/, or copilot/ itself. */
  readonly copilotDir: string;
  /** The directory of the generated app (image build paths are written relative to it). */
  readonly outDir: string;
  /** The shell environment for `${VAR}` substitution. @default process.env */
  readonly env?: NodeJS.ProcessEnv;
}

/** The generated app and what the import did. */
export interface ImportResult {
  readonly application: string;
  readonly environments: string[];
  readonly workloads: ImportedWorkload[];
  /** Generated files, by path relative to the app directory. */
  readonly files: Record<string, string>;
  /** Fields carried into the generated app: per manifest, the most carried in any one environment, summed. */
  readonly carriedFields: number;
  /** Fields not carried, each with what to do instead. */
  readonly reported: ReportedField[];
  /** The account and Region of each environment whose manifest tells them (its certificate's), as `bin/app.ts` has them. */
  readonly targets: Record<string, { account: string; region: string }>;
}

/**
 * Import a Copilot workspace: read every manifest, apply each environment's overrides and substitutions, and render
 * a CDK app with one stack per environment. Writes nothing (see `writeApp`).
 */
export function importCopilot(options: ImportOptions): ImportResult {
  const env = options.env ?? process.env;
  const ws = readWorkspace(options.copilotDir);
  const where = { workspaceRoot: ws.root, outDir: path.resolve(options.outDir) };
  const files: Record<string, string> = {};
  const reports = new Map<string, ReportedField>();
  const targets: Record<string, { account: string; region: string }> = {};
  const carried = new Set<string>();
  const addReports = (envName: string, list: Array<Omit<ReportedField, 'environments'>>) => {
    for (const r of list) {
      const key = JSON.stringify([r.file, r.field, r.value, r.instead]);
      const existing = reports.get(key);
      if (existing && !existing.environments.includes(envName)) existing.environments.push(envName);
      else if (existing) continue;
      else reports.set(key, { ...r, environments: [envName] });
    }
  };
  const count = (file: string, envName: string, fields: ManifestFields) => {
    const left = fields.leftovers();
    addReports(envName, left.reported);
    for (let i = 0; i < left.carried; i++) carried.add(`${file}#${i}`);
  };
  for (const envFile of ws.environments) {
    const predefined = { COPILOT_APPLICATION_NAME: ws.application, COPILOT_ENVIRONMENT_NAME: envFile.name };
    const envFields = new ManifestFields(envFile.file, ManifestKind.ENVIRONMENT, interpolate(envFile, predefined, env));
    const environment = mapEnvironment(envFields, envFile.name);
    // An ACM certificate is used only by a load balancer of its own account and Region: the environment lives there.
    const arn = /^arn:[^:]+:acm:([^:]+):(\d{12}):/.exec(environment.certificateArn ?? '');
    if (arn) targets[envFile.name] = { region: arn[1], account: arn[2] };
    count(envFile.file, envFile.name, envFields);
    const workloads: Array<WorkloadModel & { file: string }> = [];
    const manifests: Array<{ workload: WorkloadFile; manifest: YamlMap }> = [];
    for (const w of ws.workloads) {
      const manifest = applyEnvironmentOverride(interpolate(w, predefined, env), envFile.name);
      manifests.push({ workload: w, manifest });
      const fields = new ManifestFields(w.file, w.kind, manifest, targets[envFile.name]?.account);
      const hasOverride = w.document.hasIn(['environments', envFile.name]);
      if (hasOverride) fields.take('environments');
      workloads.push({ ...mapWorkload(fields, w.name, where), file: w.file });
      count(w.file, envFile.name, fields);
    }
    const problems: Array<Omit<ReportedField, 'environments'>> = [];
    problems.push(...namesCallersUse(ws.application, envFile.name, manifests));
    files[`lib/${stackFileName(envFile.name)}`] = renderStack({
      application: ws.application, environment, environmentFile: envFile.file, workloads, problems,
    });
    addReports(envFile.name, problems);
  }
  // Overrides for environments the workspace does not have are reported once.
  for (const w of ws.workloads) {
    const overrides = w.document.get('environments');
    const names = overrides && typeof overrides === 'object' && 'items' in overrides
      ? (overrides as { items: Array<{ key: unknown }> }).items.map(i => String((i.key as { value?: unknown })?.value ?? i.key)) : [];
    for (const name of names.filter(n => !ws.environments.some(e => e.name === n))) {
      addReports(name, [{ file: w.file, field: `environments.${name}`, value: '…', instead: `There is no environment '${name}' (copilot/environments/${name}/manifest.yml): add its manifest and import again, or remove the override.` }]);
    }
  }
  // Addons and overrides are CloudFormation of Copilot's stacks: reported, with what deleting the Copilot stack does.
  for (const x of ws.extensions) {
    const report = {
      file: x.dir,
      field: x.kind,
      value: x.files.join(', '),
      instead: x.kind === 'addons'
        ? 'Addons are not imported: write their resources in the stack (or keep them). Their templates have no DeletionPolicy (a DynamoDB table, a bucket): `copilot svc delete` / `copilot env delete` deletes them with their data, so set `DeletionPolicy: Retain` in the addon template and deploy before deleting, or move the data first.'
        : 'Overrides (CloudFormation or CDK patches of the Copilot stack) are not imported: apply the same changes to the generated constructs (escape hatches: `node.defaultChild`, `addPropertyOverride`).',
    };
    for (const e of ws.environments) addReports(e.name, [report]);
  }
  const workloads = ws.workloads.map(w => ({ name: w.name, type: w.kind, construct: constructOf(w.kind), file: w.file }));
  const reported = [...reports.values()];
  Object.assign(files, renderAppFiles({
    application: ws.application,
    environments: ws.environments.map(e => e.name),
    targets,
    workloads,
    reported,
    carriedFields: carried.size,
  }));
  return {
    application: ws.application, environments: ws.environments.map(e => e.name), workloads, files, carriedFields: carried.size, reported, targets,
  };
}

function constructOf(kind: ManifestKind): string {
  return { [ManifestKind.WEB]: 'WebService', [ManifestKind.BACKEND]: 'BackendService', [ManifestKind.WORKER]: 'WorkerService', [ManifestKind.JOB]: 'ScheduledTask', [ManifestKind.ENVIRONMENT]: 'FoundryCluster' }[kind];
}

/**
 * Write the generated files into `outDir`, all or nothing: they are written to a temporary directory next to it and
 * renamed at the end. A non-empty `outDir` is refused unless `force` is set (its files are then replaced).
 */
export function writeApp(outDir: string, files: Record<string, string>, force: boolean): void {
  const target = path.resolve(outDir);
  const exists = fs.existsSync(target);
  if (exists && !fs.statSync(target).isDirectory()) {
    throw new ImportError(`${outDir}: exists and is not a directory.`);
  }
  if (exists && fs.readdirSync(target).length > 0 && !force) {
    throw new ImportError(`${outDir}: the directory is not empty. Choose another --out directory, or pass --force to replace it.`);
  }
  fs.mkdirSync(path.dirname(target), { recursive: true });
  const temp = fs.mkdtempSync(path.join(path.dirname(target), `.${path.basename(target)}.import-`));
  try {
    for (const [file, text] of Object.entries(files)) {
      const full = path.join(temp, file);
      fs.mkdirSync(path.dirname(full), { recursive: true });
      fs.writeFileSync(full, text);
    }
    if (exists) {
      // Renamed aside in the same directory (a rename never crosses file systems), then removed.
      const old = `${temp}.replaced`;
      fs.renameSync(target, old);
      fs.renameSync(temp, target);
      fs.rmSync(old, { recursive: true, force: true });
    } else {
      fs.renameSync(temp, target);
    }
  } catch (e) {
    fs.rmSync(temp, { recursive: true, force: true });
    throw e;
  }
}

/**
 * Names of other workloads that a workload's variables or command use and that do not work here the same way:
 * Copilot's internal load balancer (`<svc>.<env>.<app>.internal`, not imported: backends are reached through Service
 * Connect), and any name of a backend in a Scheduled Job, which ECS runs as a standalone task: only services can be
 * Service Connect clients (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/service-connect.html).
 */
function namesCallersUse(
  application: string, envName: string, manifests: Array<{ workload: WorkloadFile; manifest: YamlMap }>,
): Array<Omit<ReportedField, 'environments'>> {
  const found: Array<Omit<ReportedField, 'environments'>> = [];
  const backends = manifests.filter(m => m.workload.kind === ManifestKind.BACKEND).map(m => m.workload.name);
  const internal = new RegExp(`\\b([a-z0-9-]+)\\.${escapeRegExp(envName)}\\.${escapeRegExp(application)}\\.internal\\b`, 'i');
  for (const { workload: w, manifest } of manifests) {
    const texts: Array<[string, string]> = [];
    const variables = manifest.variables;
    if (isMap(variables)) {
      for (const [name, value] of Object.entries(variables)) {
        if (typeof value === 'string') texts.push([`variables.${name}`, value]);
      }
    }
    const command = manifest.command;
    if (typeof command === 'string') texts.push(['command', command]);
    if (Array.isArray(command)) texts.push(['command', command.map(String).join(' ')]);
    for (const [field, text] of texts) {
      const viaLoadBalancer = internal.exec(text);
      const backend = w.kind === ManifestKind.JOB
        ? backends.find(b => new RegExp(`(^|[/@\\s])${escapeRegExp(b)}([.:/]|$)`).test(text)) : undefined;
      if (viaLoadBalancer) {
        found.push({
          file: w.file,
          field,
          value: text,
          instead: `Calls '${viaLoadBalancer[0]}', a name of Copilot's internal load balancer, which is not imported. `
            + (w.kind === ManifestKind.JOB
              ? `A Scheduled Job runs as a standalone task and cannot be a Service Connect client: put a load balancer in front of '${viaLoadBalancer[1]}' (e.g. a NetworkService) and call it, with its port open to the job's security group.`
              : `Call the backend through Service Connect instead (http://${viaLoadBalancer[1]}:<port>, the generated app connects the services).`),
        });
      } else if (backend) {
        found.push({
          file: w.file,
          field,
          value: text,
          instead: `Calls the backend '${backend}' by name: a Scheduled Job runs as a standalone task and cannot be a Service Connect client. Put a load balancer in front of '${backend}' (e.g. a NetworkService) and call it, with its port open to the job's security group.`,
        });
      }
    }
  }
  return found;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
