import * as YAML from 'yaml';

/*
 * Reading Copilot manifests the way Copilot reads them: YAML parsed with a maintained parser, `${VAR}` substitution
 * (internal/pkg/manifest/interpolate.go, docs: site/content/docs/developing/manifest-env-var.en.md) and the
 * `environments:` overrides (internal/pkg/manifest/transform.go: mergo with Copilot's transformers).
 */

/** A manifest value after parsing: what YAML gives for JSON-like documents. */
export type YamlValue = string | number | boolean | null | YamlValue[] | { [key: string]: YamlValue };

/** A plain YAML mapping. */
export type YamlMap = { [key: string]: YamlValue };

/** An input problem: the importer prints the message and exits non-zero, writing nothing. */
export class ImportError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ImportError';
  }
}

/** Whether a value is a YAML mapping. */
export function isMap(value: unknown): value is YamlMap {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * A boolean as Copilot reads it: go-yaml decodes YAML 1.1 booleans (yes/no/on/off, any common case) into bool fields,
 * while YAML 1.2 (the `yaml` package's default, which keeps keys such as `on:` strings) reads them as strings.
 */
export function yamlBool(value: YamlValue | undefined): boolean | undefined {
  if (typeof value === 'boolean') return value;
  if (typeof value !== 'string') return undefined;
  if (/^(y|Y|yes|Yes|YES|true|True|TRUE|on|On|ON)$/.test(value)) return true;
  if (/^(n|N|no|No|NO|false|False|FALSE|off|Off|OFF)$/.test(value)) return false;
  return undefined;
}

/** A parsed manifest file: its YAML document, kept to substitute variables once per environment. */
export interface ManifestFile {
  /** The path shown in messages, relative to the directory the importer was pointed at (e.g. 'copilot/api/manifest.yml'). */
  readonly file: string;
  readonly document: YAML.Document.Parsed;
}

/** Parse a manifest, or throw an `ImportError` that names the file, line and column. */
export function parseManifest(file: string, text: string): ManifestFile {
  const lineCounter = new YAML.LineCounter();
  const document = YAML.parseDocument(text, { prettyErrors: false, uniqueKeys: true, lineCounter });
  const error = document.errors[0];
  if (error) {
    const at = lineCounter.linePos(error.pos[0]);
    throw new ImportError(`${file}${at ? `:${at.line}:${at.col}` : ''}: malformed YAML: ${error.message.split('\n')[0]}. Fix the manifest (Copilot could not read it either) and import again.`);
  }
  if (!isMap(document.toJS())) {
    throw new ImportError(`${file}: a manifest is a YAML mapping (name: ..., type: ...), this file holds ${describe(document.toJS())}.`);
  }
  return { file, document };
}

function describe(value: unknown): string {
  if (value === null || value === undefined) return 'nothing';
  return Array.isArray(value) ? 'a list' : `a ${typeof value}`;
}

/** The variables Copilot predefines: the application and the environment a manifest is deployed to. */
export interface PredefinedVariables {
  readonly COPILOT_APPLICATION_NAME: string;
  readonly COPILOT_ENVIRONMENT_NAME: string;
}

/** `${NAME}` with an optional leading backslash (escaped): names as POSIX shells and Copilot define them. */
const VARIABLE = /(\\?)\$\{([_a-zA-Z][_a-zA-Z0-9]*)\}/g;

/**
 * Substitute `${NAME}` in every string value of a manifest, as Copilot does before it reads the manifest.
 *
 * Only string values are substituted (not keys, not numbers or booleans). `COPILOT_APPLICATION_NAME` and
 * `COPILOT_ENVIRONMENT_NAME` are predefined and a shell variable of the same name must not differ; other names come
 * from the shell's environment and an unset one is an error. `\${NAME}` is kept as `${NAME}`. A string value that is,
 * after substitution, a non-empty JSON array of strings becomes a list, unless it is a literal block (`|`).
 */
export function interpolate(manifest: ManifestFile, predefined: PredefinedVariables, env: NodeJS.ProcessEnv): YamlMap {
  const document = manifest.document.clone();
  YAML.visit(document, {
    Scalar(key, node) {
      if (key === 'key' || typeof node.value !== 'string') return undefined;
      const value = substitute(manifest.file, node.value, predefined, env);
      const list = jsonStringList(value);
      if (list && node.type !== 'BLOCK_LITERAL') {
        return document.createNode(list);
      }
      node.value = value;
      return undefined;
    },
  });
  return document.toJS() as YamlMap;
}

/**
 * Substitute the variables of one string the way Copilot's interpolatePart does: for each match in order, replace
 * every occurrence in the whole string (so `'a-\\${X}-${X}'` becomes `a-val-val`, as in Copilot).
 */
function substitute(file: string, text: string, predefined: PredefinedVariables, env: NodeJS.ProcessEnv): string {
  const values: Record<string, string> = { ...predefined };
  let replaced = text;
  for (const [, escape, name] of text.matchAll(VARIABLE)) {
    const segment = `\${${name}}`;
    if (escape) {
      replaced = replaced.split(`\\${segment}`).join(segment);
      continue;
    }
    const shell = env[name];
    if (name in values) {
      if (shell !== undefined && shell !== values[name]) {
        throw new ImportError(`${file}: the predefined variable ${name} ('${values[name]}') cannot be overridden by the shell variable of the same name ('${shell}'); unset it and import again.`);
      }
      replaced = replaced.split(segment).join(values[name]);
      continue;
    }
    if (shell === undefined) {
      throw new ImportError(`${file}: environment variable "${name}" is not defined. Copilot substitutes \${${name}} from the shell: set it before importing (e.g. ${name}=... npx cdk-ecs-foundry import-copilot), write the value into the manifest, or escape it as \\\${${name}}.`);
    }
    replaced = replaced.split(segment).join(shell);
  }
  return replaced;
}

function jsonStringList(text: string): string[] | undefined {
  if (!text.trimStart().startsWith('[')) return undefined;
  try {
    const parsed: unknown = JSON.parse(text);
    return Array.isArray(parsed) && parsed.length > 0 && parsed.every(v => typeof v === 'string') ? parsed : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Fields of a union whose variants exclude each other: when an override sets one, the base loses the others
 * (Copilot's imageTransformer, advancedCountTransformer, efsVolumeConfigurationTransformer, secretTransformer).
 * Keys are paths with '*' for any map key; each group lists keys of which an override keeps only its own.
 */
const EXCLUSIVE_FIELDS: Array<{ readonly path: string; readonly groups: string[][] }> = [
  { path: 'image', groups: [['build'], ['location']] },
  { path: 'count', groups: [['spot'], ['range', 'cooldown', 'cpu_percentage', 'memory_percentage', 'requests', 'response_time', 'queue_delay']] },
  { path: 'storage.volumes.*.efs', groups: [['uid', 'gid'], ['id', 'root_dir', 'auth']] },
  { path: 'secrets.*', groups: [['secretsmanager'], ['from_cfn']] },
  { path: 'sidecars.*.secrets.*', groups: [['secretsmanager'], ['from_cfn']] },
  { path: 'logging.secretOptions.*', groups: [['secretsmanager'], ['from_cfn']] },
];

/**
 * Maps whose entries are values in Copilot's structs (not pointers): an override of an entry replaces the whole entry
 * (variables, secrets, a log router's secret options), while other keys of the map stay.
 */
const REPLACED_ENTRIES = ['variables.*', 'secrets.*', 'logging.secretOptions.*', 'sidecars.*.variables.*', 'sidecars.*.secrets.*'];

function pathMatches(pattern: string, path: string[]): boolean {
  const parts = pattern.split('.');
  return parts.length === path.length && parts.every((p, i) => p === '*' || p === path[i]);
}

/**
 * Apply a manifest's `environments.<env>` block to the manifest, the way Copilot does (mergo with override).
 *
 * Mappings merge key by key, recursively; a scalar or a list in the override replaces the base value (lists are not
 * appended); a value of another kind (e.g. `count: 2` over `count: { range: ... }`) replaces it; `null` and `{}`
 * leave the base as it is. Where a field is a union of exclusive variants (image build or location, Spot count or
 * autoscaling, managed or existing EFS, secret sources), setting one variant drops the others.
 * The result has no `environments` key.
 */
export function applyEnvironmentOverride(manifest: YamlMap, envName: string): YamlMap {
  const environments = manifest.environments;
  const { environments: _ignored, ...base } = manifest;
  const override = isMap(environments) ? environments[envName] : undefined;
  if (!isMap(override)) return base;
  return merge(base, override, []) as YamlMap;
}

function merge(base: YamlValue | undefined, override: YamlValue, path: string[]): YamlValue | undefined {
  if (override === null) return base;
  if (!isMap(override)) return override;
  if (Object.keys(override).length === 0) return base;
  if (!isMap(base) || REPLACED_ENTRIES.some(p => pathMatches(p, path))) return override;
  const result: YamlMap = { ...base };
  const exclusive = EXCLUSIVE_FIELDS.find(e => pathMatches(e.path, path));
  for (const group of exclusive?.groups ?? []) {
    if (group.some(key => override[key] !== undefined && override[key] !== null)) {
      for (const other of exclusive!.groups.filter(g => g !== group).flat()) {
        delete result[other];
      }
    }
  }
  for (const [key, value] of Object.entries(override)) {
    const merged = merge(result[key], value, [...path, key]);
    if (merged !== undefined) result[key] = merged;
  }
  return result;
}
