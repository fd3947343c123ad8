import * as path from 'path';
import { Code, CodeObject, goDuration, isEmptyObject, lit, pascalCase, raw, render, str } from './code';
import { ManifestFields } from './manifest-fields';
import { ImportError, isMap, YamlValue } from './manifest-yaml';

/** Where the generated app lives, to write image build contexts relative to it. */
export interface PathContext {
  /** The directory that holds `copilot/` (Copilot's paths are relative to it). */
  readonly workspaceRoot: string;
  /** The generated app's directory. */
  readonly outDir: string;
}

/** A Copilot command or entrypoint: a list, or a string split the way Copilot splits it (shell words, quotes kept together). */
export function commandList(value: YamlValue | undefined): string[] | undefined {
  if (value === undefined) return undefined;
  if (Array.isArray(value)) return value.map(String);
  const words: string[] = [];
  for (const m of String(value).matchAll(/"([^"]*)"|'([^']*)'|(\S+)/g)) words.push(m[1] ?? m[2] ?? m[3]);
  return words;
}

/** The image of a workload or sidecar: `fromRegistry(location)` or `fromAsset(context)`. */
export function mapImage(f: ManifestFields, prefix: string, where: PathContext, required: boolean): Code | undefined {
  const location = f.peek(`${prefix}.location`) ?? (prefix === 'image' ? undefined : f.peek(prefix));
  const build = f.peek(`${prefix}.build`);
  if (typeof location === 'string' && location) {
    f.take(typeof f.peek(prefix) === 'string' ? prefix : `${prefix}.location`);
    const credentials = f.takeString(`${prefix}.credentials`);
    const ecr = credentials ? undefined : privateEcrImage(location);
    if (ecr) {
      // An image of a private ECR repository: fromEcrRepository grants the execution role the pull (Copilot's execution
      // role has AmazonECSTaskExecutionRolePolicy, which allows pulling from every repository of the account).
      const owner = pascalCase(String(f.manifest.name ?? 'Workload')) + (prefix === 'image' ? '' : pascalCase(prefix.split('.')[1] ?? ''));
      const repository = `ecr.Repository.fromRepositoryAttributes(this, ${str(`${owner}Repository`).text}, { repositoryName: ${str(ecr.repositoryName).text}, repositoryArn: ${str(ecr.repositoryArn).text} })`;
      return raw(ecr.tagOrDigest === 'latest'
        ? `ecs.ContainerImage.fromEcrRepository(${repository})`
        : `ecs.ContainerImage.fromEcrRepository(${repository}, ${str(ecr.tagOrDigest).text})`);
    }
    return credentials
      ? raw(`ecs.ContainerImage.fromRegistry(${str(location).text}, { credentials: secretsmanager.Secret.fromSecretCompleteArn(this, ${str(`${pascalCase(f.manifest.name as string ?? 'Workload')}RegistryCredentials`).text}, ${str(credentials).text}) })`)
      : raw(`ecs.ContainerImage.fromRegistry(${str(location).text})`);
  }
  if (build !== undefined && prefix === 'image') {
    return mapBuild(f, where);
  }
  if (required) {
    throw new ImportError(`${f.file}: the workload has no image: set image.location (an image in a registry) or image.build (a Dockerfile to build); Copilot needs one too.`);
  }
  return undefined;
}

/**
 * A private ECR image URI (`<account>.dkr.ecr.<region>.amazonaws.com[.cn]/<repository>[:tag|@sha256:digest]`,
 * https://docs.aws.amazon.com/AmazonECR/latest/userguide/docker-pull-ecr-image.html): its repository's name and ARN,
 * and the tag or digest (`latest` when it has neither, as Docker pulls it).
 */
export function privateEcrImage(location: string): { repositoryName: string; repositoryArn: string; tagOrDigest: string } | undefined {
  const m = /^(\d{12})\.dkr\.ecr\.([a-z0-9-]+)\.amazonaws\.com(\.cn)?\/([a-z0-9][a-z0-9._\/-]*?)(?::([\w][\w.-]{0,127}))?(?:@(sha256:[a-f0-9]{64}))?$/.exec(location);
  if (!m) return undefined;
  const [, account, region, cn, repositoryName, tag, digest] = m;
  const partition = cn ? 'aws-cn' : region.startsWith('us-gov-') ? 'aws-us-gov' : 'aws';
  return { repositoryName, repositoryArn: `arn:${partition}:ecr:${region}:${account}:repository/${repositoryName}`, tagOrDigest: digest ?? tag ?? 'latest' };
}

function mapBuild(f: ManifestFields, where: PathContext): Code {
  const build = f.take('image.build')!;
  let dockerfile: string | undefined;
  let context: string | undefined;
  const options: CodeObject = {};
  if (typeof build === 'string') {
    dockerfile = build;
  } else if (isMap(build)) {
    dockerfile = build.dockerfile === undefined || build.dockerfile === null ? undefined : String(build.dockerfile);
    context = build.context === undefined || build.context === null ? undefined : String(build.context);
    if (isMap(build.args)) {
      const args: CodeObject = {};
      for (const [k, v] of Object.entries(build.args)) args[k] = str(String(v));
      options.buildArgs = args;
    }
    if (build.target !== undefined && build.target !== null) options.target = str(String(build.target));
    if (build.cache_from !== undefined && build.cache_from !== null) {
      f.report('image.build.cache_from', build.cache_from, 'Set `cacheFrom` in `fromAsset(..., { cacheFrom })` or in your CI build.');
    }
  }
  // The image is built for the task's platform, as Copilot builds it (docker build --platform): an image built on an
  // Apple silicon laptop would otherwise be arm64 and fail to start on x86_64 tasks, and the other way round.
  options.platform = raw(isArm64(f.peek('platform')) ? 'ecr_assets.Platform.LINUX_ARM64' : 'ecr_assets.Platform.LINUX_AMD64');
  // Copilot: the context defaults to the Dockerfile's directory; both are relative to the workspace root.
  const contextDir = path.resolve(where.workspaceRoot, context ?? path.dirname(dockerfile ?? 'Dockerfile'));
  if (dockerfile !== undefined) {
    const file = path.relative(contextDir, path.resolve(where.workspaceRoot, dockerfile)).split(path.sep).join('/');
    if (file !== 'Dockerfile') options.file = str(file);
  }
  const relative = path.relative(path.join(where.outDir, 'lib'), contextDir).split(path.sep).join('/') || '.';
  const dir = `path.join(__dirname, ${str(relative).text})`;
  return isEmptyObject(options)
    ? raw(`ecs.ContainerImage.fromAsset(${dir})`)
    : raw(`ecs.ContainerImage.fromAsset(${dir}, { ${Object.entries(options).filter((e): e is [string, Code] => e[1] !== undefined).map(([k, v]) => `${k}: ${render(v)}`).join(', ')} })`);
}

/** Whether a manifest's `platform` (a string or `{ osfamily, architecture }`) is linux/arm64. */
export function isArm64(platform: YamlValue | undefined): boolean {
  const text = isMap(platform) ? `${platform.osfamily ?? 'linux'}/${platform.architecture ?? 'x86_64'}` : platform;
  if (typeof text !== 'string') return false;
  const [os, arch] = text.toLowerCase().split('/');
  return os === 'linux' && (arch === 'arm64' || arch === 'arm');
}

/**
 * A secret as Copilot resolves it: an SSM parameter name or ARN, a Secrets Manager ARN (with an optional
 * ':json-key:version-stage:version-id' suffix), or `{ secretsmanager: 'name[:json-key[:stage[:id]]]' }`.
 */
export function mapSecret(f: ManifestFields, fieldPath: string, idBase: string): Code | undefined {
  const value = f.peek(fieldPath);
  if (value === undefined) return undefined;
  const id = str(`${idBase}Secret`).text;
  if (isMap(value) && typeof value.secretsmanager === 'string') {
    f.take(fieldPath);
    const [name, field, stage, version] = value.secretsmanager.split(':');
    return secretsManager(`secretsmanager.Secret.fromSecretNameV2(this, ${id}, ${str(name).text})`, field, stage, version);
  }
  if (typeof value !== 'string') {
    f.report(fieldPath, value, 'A `from_cfn` secret: import the exported ARN and pass `ecs.Secret.fromSecretsManager(...)` or `ecs.Secret.fromSsmParameter(...)`.');
    return undefined;
  }
  // A parameter or secret of another account than the stack's: ECS reads an SSM parameter of its own account only
  // (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/secrets-envvar-ssm-paramstore.html), and the library
  // refuses one at synth; a secret of another account needs its resource policy and key policy to let this account in.
  const account = /^arn:[^:]+:(?:ssm|secretsmanager):[^:]*:(\d{12}):/.exec(value)?.[1];
  if (account !== undefined && f.targetAccount !== undefined && account !== f.targetAccount) {
    f.report(fieldPath, value, `Of account ${account}, and this environment's stack deploys to ${f.targetAccount} (its certificate's account): `
      + 'create the parameter or secret in that account and reference it by name, or (a Secrets Manager secret) share it with a resource policy and pass `ecs.Secret.fromSecretsManager(...)`.');
    return undefined;
  }
  f.take(fieldPath);
  const sm = /^(arn:[^:]+:secretsmanager:[^:]*:[^:]*:secret:[^:]+)(?::([^:]*))?(?::([^:]*))?(?::([^:]*))?$/.exec(value);
  if (sm) {
    return secretsManager(`secretsmanager.Secret.fromSecretCompleteArn(this, ${id}, ${str(sm[1]).text})`, sm[2], sm[3], sm[4]);
  }
  if (/^arn:[^:]+:ssm:[^:]*:[^:]*:parameter\/.+$/.test(value)) {
    // The ARN is kept: a parameter of another Region (or shared from another account) is named by its full ARN
    // (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/secrets-envvar-ssm-paramstore.html).
    return raw(`ecs.Secret.fromSsmParameter(ssm.StringParameter.fromStringParameterArn(this, ${id}, ${str(value).text}))`);
  }
  const parameterName = value;
  return raw(`ecs.Secret.fromSsmParameter(ssm.StringParameter.fromSecureStringParameterAttributes(this, ${id}, { parameterName: ${str(parameterName).text} }))`);
}

/**
 * A Secrets Manager secret with an optional JSON key, version stage and version id, as ECS reads
 * `arn:...:secret:name:json-key:version-stage:version-id`
 * (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/secrets-envvar-secrets-manager.html).
 */
function secretsManager(secret: string, field: string | undefined, stage: string | undefined, version: string | undefined): Code {
  const key = field ? `, ${str(field).text}` : '';
  if (stage || version) {
    const info: CodeObject = {};
    if (stage) info.versionStage = str(stage);
    if (version) info.versionId = str(version);
    return raw(`ecs.Secret.fromSecretsManagerVersion(${secret}, ${render(info)}${key})`);
  }
  return raw(`ecs.Secret.fromSecretsManager(${secret}${key})`);
}

/** Variables, secrets, command and entrypoint of the main container (prefix '') or a sidecar ('sidecars.<name>.'). */
export function mapContainerOptions(f: ManifestFields, prefix: string, idBase: string): CodeObject {
  const props: CodeObject = {};
  const variables = f.peek(`${prefix}variables`);
  if (isMap(variables)) {
    const env: CodeObject = {};
    for (const [name, v] of Object.entries(variables)) {
      if (v === null) continue;
      if (isMap(v) && typeof v.from_cfn === 'string') {
        f.take(`${prefix}variables.${name}`);
        env[name] = raw(`Fn.importValue(${str(v.from_cfn).text})`);
      } else if (!isMap(v) && !Array.isArray(v)) {
        f.take(`${prefix}variables.${name}`);
        const text = String(v);
        // A literal '${...}' (an escaped Copilot variable) goes through Fn::Sub as '${!...}', CloudFormation's own escape,
        // so that the template holds no bare '${' (which CloudFormation validation reads as a forgotten Fn::Sub).
        env[name] = text.includes('${') ? raw(`Fn.sub(${str(text.replace(/\$\{/g, '${!')).text})`) : str(text);
      }
    }
    if (!isEmptyObject(env)) props.environment = env;
  }
  const secrets = f.peek(`${prefix}secrets`);
  if (isMap(secrets)) {
    const out: CodeObject = {};
    for (const name of Object.keys(secrets)) {
      out[name] = mapSecret(f, `${prefix}secrets.${name}`, `${idBase}${pascalCase(name)}`);
    }
    if (!isEmptyObject(out)) props.secrets = out;
  }
  const command = commandList(f.take(`${prefix}command`));
  if (command) props.command = command.map(c => str(c));
  const entryPoint = commandList(f.take(`${prefix}entrypoint`));
  if (entryPoint) props.entryPoint = entryPoint.map(c => str(c));
  return props;
}

/**
 * Copilot's defaults for the fields of `image.healthcheck` a manifest leaves out: interval 10s, retries 2, timeout
 * 5s, start_period 0s (Copilot's manifest reference, aws/copilot-cli site/content/docs/include/image-healthcheck.en.md).
 * ECS's own defaults differ (30 s, 3 retries), so they are written out: an unhealthy task is replaced as soon as
 * under Copilot.
 */
const COPILOT_HEALTH_CHECK_DEFAULTS = { interval: 10, timeout: 5, startPeriod: 0, retries: 2 } as const;

/** `image.healthcheck` as a container health check, with Copilot's defaults for the fields left out. */
export function mapContainerHealthCheck(f: ManifestFields, prefix = 'image.healthcheck'): Code | undefined {
  const hc = f.peek(prefix);
  if (!isMap(hc)) return undefined;
  const command = commandList(f.take(`${prefix}.command`) ?? undefined);
  if (!command) {
    return undefined;
  }
  const out: CodeObject = { command: command.map(c => str(c)) };
  for (const [field, prop] of [['interval', 'interval'], ['timeout', 'timeout'], ['start_period', 'startPeriod']] as const) {
    out[prop] = duration(f, `${prefix}.${field}`) ?? raw(`Duration.seconds(${COPILOT_HEALTH_CHECK_DEFAULTS[prop]})`);
  }
  out.retries = lit(f.takeNumber(`${prefix}.retries`) ?? COPILOT_HEALTH_CHECK_DEFAULTS.retries);
  return out;
}

/** A Go duration field as a `Duration`, taken; reported when it is not a duration. */
export function duration(f: ManifestFields, fieldPath: string): Code | undefined {
  const value = f.peek(fieldPath);
  if (value === undefined) return undefined;
  const d = typeof value === 'string' || typeof value === 'number' ? goDuration(value) : undefined;
  if (!d) {
    throw new ImportError(`${f.file}: ${fieldPath} = ${typeof value === 'string' ? value : JSON.stringify(value)} is not a duration. Write it as Copilot does ('30s', '1m30s', '2h'); Copilot rejects this manifest too.`);
  }
  f.take(fieldPath);
  return d.code;
}
