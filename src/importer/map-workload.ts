import { Code, CodeObject, goDuration, isEmptyObject, lit, pascalCase, raw, str, camelCase } from './code';
import { ManifestKind } from './field-registry';
import { ManifestFields } from './manifest-fields';
import { ImportError, isMap, YamlValue, yamlBool } from './manifest-yaml';
import { duration, mapContainerHealthCheck, mapContainerOptions, mapImage, PathContext } from './map-container';
import { mapSchedule } from './map-schedule';

/** An EFS volume the workload mounts: a `SharedVolume` of the environment stack. */
export interface VolumeModel {
  readonly id: string;
  readonly varName: string;
  readonly props: CodeObject;
  readonly path: string;
  readonly readOnly: boolean;
}

/** A topic a workload publishes to (Copilot `publish.topics`). */
export interface TopicModel {
  readonly name: string;
  readonly id: string;
  readonly varName: string;
}

/** A subscription of a worker to another workload's topic (Copilot `subscribe.topics`). */
export interface SubscriptionModel {
  readonly service: string;
  readonly topic: string;
  readonly filterPolicy?: YamlValue;
}

/** One workload in one environment, ready to render. */
export interface WorkloadModel {
  readonly name: string;
  readonly kind: ManifestKind;
  readonly id: string;
  readonly varName: string;
  readonly construct: string;
  readonly props: CodeObject;
  readonly volumes: VolumeModel[];
  readonly publishes: TopicModel[];
  readonly subscribes: SubscriptionModel[];
  /** Whether other services call it through Service Connect (a backend with a port). */
  readonly serviceConnectServer: boolean;
}

/** The constructs of this library for each Copilot workload type. */
export const CONSTRUCT_OF: Record<string, string> = {
  [ManifestKind.WEB]: 'WebService',
  [ManifestKind.BACKEND]: 'BackendService',
  [ManifestKind.WORKER]: 'WorkerService',
  [ManifestKind.JOB]: 'ScheduledTask',
};

/** Map one effective workload manifest (overrides applied, variables substituted) onto a construct's props. */
export function mapWorkload(f: ManifestFields, name: string, where: PathContext): WorkloadModel {
  f.take('name');
  f.take('type');
  const kind = f.kind;
  const id = pascalCase(name);
  const props: CodeObject = {};
  props.image = mapImage(f, 'image', where, true);
  const port = kind === ManifestKind.JOB ? undefined : f.takeNumber('image.port');
  if (port !== undefined) props.port = lit(port);
  if (kind === ManifestKind.WEB && port === undefined) {
    throw new ImportError(`${f.file}: a Load Balanced Web Service needs image.port, the port its container listens on (Copilot requires it too).`);
  }
  if (kind === ManifestKind.BACKEND && port === undefined) {
    throw new ImportError(`${f.file}: this Backend Service has no image.port. A BackendService answers on a port through Service Connect; give image.port, or make the workload a Worker Service.`);
  }
  Object.assign(props, mapSize(f));
  Object.assign(props, mapContainerOptions(f, '', id));
  const healthCheck = mapContainerHealthCheck(f);
  if (healthCheck) props.healthCheck = healthCheck;
  const sidecars = mapSidecars(f, id, where);
  if (sidecars.length > 0) props.sidecars = sidecars;
  const storage = mapStorage(f, id, name);
  if (storage.writablePaths.length > 0 && props.readonlyRootFilesystem === undefined) props.writablePaths = ['/tmp', ...storage.writablePaths.filter(p => p !== '/tmp')].map(p => str(p));
  const exec = yamlBool(f.peek('exec'));
  if (exec !== undefined) f.take('exec');
  if (exec) props.enableExecuteCommand = raw('true');
  mapNetwork(f);
  const logging = mapLogRetention(f);
  if (logging) props.logging = logging;
  if (kind !== ManifestKind.JOB) {
    mapDeployment(f, props);
  }
  const publishes = mapPublish(f, id);
  let subscribes: SubscriptionModel[] = [];
  if (kind === ManifestKind.WEB) {
    mapHttp(f, props);
    mapCount(f, props, { requests: true, worker: false });
  } else if (kind === ManifestKind.BACKEND) {
    const alias = f.takeString('network.connect.alias');
    props.discoveryName = str(alias ?? name);
    mapCount(f, props, { requests: false, worker: false });
  } else if (kind === ManifestKind.WORKER) {
    subscribes = mapSubscribe(f, props);
    mapCount(f, props, { requests: false, worker: true });
    // Copilot hands a worker its queue's URL as COPILOT_QUEUE_URI: keep the name so the code reads it unchanged.
    props.queueUrlVariable = str('COPILOT_QUEUE_URI');
  } else {
    // `retries` is not carried (the registry reports it): Copilot re-runs a job that FAILED (a Step Functions Retry on
    // States.ALL), while ScheduledTask.maxRetries retries only EventBridge Scheduler's call that starts the task.
    Object.assign(props, mapSchedule(f));
  }
  return {
    name,
    kind,
    id,
    varName: camelCase(name),
    construct: CONSTRUCT_OF[kind],
    props,
    volumes: storage.volumes,
    publishes,
    subscribes,
    serviceConnectServer: kind === ManifestKind.BACKEND,
  };
}

/** A writable root file system as Copilot had it, with how to harden it. */
const WRITABLE_ROOT = raw('/* writable, as in Copilot (storage.readonly_fs): to harden, remove this line and list the paths it writes in writablePaths */ false');

/** A sidecar's root file system: Copilot's sidecars always have a writable one. */
const WRITABLE_SIDECAR_ROOT = raw('/* writable, as in Copilot: to harden, remove this line and list the paths it writes in writablePaths */ false');

function mapSize(f: ManifestFields): CodeObject {
  const props: CodeObject = {};
  const cpu = f.takeNumber('cpu');
  if (cpu !== undefined) props.cpu = lit(cpu);
  const memory = f.takeNumber('memory');
  if (memory !== undefined) props.memoryMiB = lit(memory);
  const platform = f.peek('platform');
  const text = isMap(platform) ? `${platform.osfamily ?? 'linux'}/${platform.architecture ?? 'x86_64'}` : platform;
  if (typeof text === 'string') {
    const [os, arch] = text.toLowerCase().split('/');
    if (os === 'linux' && (arch === 'arm64' || arch === 'arm')) {
      f.take('platform');
      props.cpuArchitecture = raw('ecs.CpuArchitecture.ARM64');
    } else if (os === 'linux' && (arch === 'x86_64' || arch === 'amd64' || arch === undefined)) {
      f.take('platform');
    }
  }
  const ephemeral = f.takeNumber('storage.ephemeral');
  // Fargate gives 20 GiB without the setting; ECS accepts the setting only from 21 GiB
  // (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/fargate-task-storage.html).
  if (ephemeral !== undefined && ephemeral > 20) props.ephemeralStorageGiB = lit(ephemeral);
  // Copilot mounts the main container's root file system writable unless storage.readonly_fs is true
  // (https://aws.github.io/copilot-cli/docs/include/storage/): keep it so, and say how to harden it.
  const readonlyFs = yamlBool(f.peek('storage.readonly_fs'));
  if (readonlyFs !== undefined) f.take('storage.readonly_fs');
  if (readonlyFs !== true) props.readonlyRootFilesystem = WRITABLE_ROOT;
  return props;
}

function mapSidecars(f: ManifestFields, id: string, where: PathContext): Code[] {
  const sidecars = f.peek('sidecars');
  if (!isMap(sidecars)) return [];
  const dependsOn = f.peek('image.depends_on');
  const out: Code[] = [];
  for (const [name, spec] of Object.entries(sidecars)) {
    if (!isMap(spec)) continue;
    const prefix = `sidecars.${name}`;
    const image = mapImage(f, `${prefix}.image`, where, false);
    if (!image) {
      f.report(prefix, spec, 'The sidecar is not generated: it needs an image in a registry (build it in CI and reference the image), then add it to `sidecars` with these settings.');
      continue;
    }
    const sidecar: CodeObject = { name: str(name), image, readonlyRootFilesystem: WRITABLE_SIDECAR_ROOT };
    const port = f.peek(`${prefix}.port`);
    if (port !== undefined) {
      const [number, protocol] = String(port).split('/');
      if (/^\d+$/.test(number) && (!protocol || protocol.toLowerCase() === 'tcp')) {
        f.take(`${prefix}.port`);
        sidecar.ports = [{ port: lit(Number(number)) }];
      }
    }
    const essential = yamlBool(f.peek(`${prefix}.essential`));
    if (essential !== undefined) {
      f.take(`${prefix}.essential`);
      if (!essential) sidecar.essential = raw('false');
    }
    Object.assign(sidecar, mapContainerOptions(f, `${prefix}.`, `${id}${pascalCase(name)}`));
    const healthCheck = mapContainerHealthCheck(f, `${prefix}.healthcheck`);
    if (healthCheck) sidecar.healthCheck = healthCheck;
    if (isMap(dependsOn) && typeof dependsOn[name] === 'string') {
      const condition = String(dependsOn[name]).toUpperCase();
      if (['START', 'HEALTHY', 'COMPLETE', 'SUCCESS'].includes(condition)) {
        f.take(`image.depends_on.${name}`);
        sidecar.mainContainerWaitsFor = raw(`ecs.ContainerDependencyCondition.${condition}`);
      }
    }
    out.push(sidecar);
  }
  return out;
}

/* eslint-disable no-bitwise -- a checksum is bit arithmetic */
/** CRC-32 (IEEE), as Go's crc32.ChecksumIEEE computes it. */
export function crc32(text: string): number {
  let crc = 0xffffffff;
  for (const byte of Buffer.from(text, 'utf-8')) {
    crc ^= byte;
    for (let k = 0; k < 8; k++) crc = (crc >>> 1) ^ (0xedb88320 & -(crc & 1));
  }
  return (crc ^ 0xffffffff) >>> 0;
}
/* eslint-enable no-bitwise */

function mapStorage(f: ManifestFields, id: string, workload: string): { volumes: VolumeModel[]; writablePaths: string[] } {
  const volumes: VolumeModel[] = [];
  const writablePaths: string[] = [];
  const declared = f.peek('storage.volumes');
  if (!isMap(declared)) return { volumes, writablePaths };
  for (const [name, spec] of Object.entries(declared)) {
    if (!isMap(spec)) continue;
    const prefix = `storage.volumes.${name}`;
    const mountPath = typeof spec.path === 'string' ? spec.path : undefined;
    if (!mountPath) continue;
    const efs = yamlBool(spec.efs) ?? spec.efs;
    const readOnly = yamlBool(spec.read_only) === true;
    if (efs === undefined || efs === null || efs === false) {
      // A volume without EFS is scratch space of the task: a writable path of the read-only root file system.
      f.take(`${prefix}.path`);
      if (efs === false) f.take(`${prefix}.efs`);
      if (spec.read_only !== undefined) f.take(`${prefix}.read_only`);
      writablePaths.push(mountPath);
      continue;
    }
    const managed = efs === true || (isMap(efs) && efs.id === undefined && efs.root_dir === undefined && efs.auth === undefined);
    if (!managed) {
      f.report(prefix, spec, 'An existing EFS file system (efs.id): mount it with `service.taskDefinition.addVolume({ name, efsVolumeConfiguration: { fileSystemId, rootDirectory, transitEncryption: \'ENABLED\', authorizationConfig } })` and `defaultContainer.addMountPoints(...)`; its data stays where it is.');
      continue;
    }
    f.take(`${prefix}.path`);
    if (spec.read_only !== undefined) f.take(`${prefix}.read_only`);
    const props: CodeObject = {};
    let uid: number | undefined;
    let gid: number | undefined;
    if (efs === true) {
      f.take(`${prefix}.efs`);
    } else {
      uid = f.takeNumber(`${prefix}.efs.uid`);
      gid = f.takeNumber(`${prefix}.efs.gid`);
    }
    // Copilot's access point of a managed file system: the directory /<workload>, owned by the CRC-32 of the workload's
    // name unless uid/gid are given, permissions 0755 (stack/transformers.go convertManagedFSInfo,
    // partials/cf/efs-access-point.yml): the same owner and directory, so that copied data keeps working.
    if (uid === undefined && gid === undefined) uid = gid = crc32(workload);
    props.accessPoint = {
      path: str(`/${workload}`),
      uid: uid === undefined ? undefined : lit(uid),
      gid: gid === undefined ? undefined : lit(gid),
      permissions: str('755'),
    };
    const volumeId = `${id}${pascalCase(name)}`;
    volumes.push({ id: volumeId, varName: camelCase(volumeId), props, path: mountPath, readOnly });
  }
  return { volumes, writablePaths };
}

/** CloudWatch Logs retention periods (days) and their `logs.RetentionDays` members (aws-cdk-lib 2.271.0). */
const RETENTION_DAYS = new Map<number, string>([
  [1, 'ONE_DAY'], [3, 'THREE_DAYS'], [5, 'FIVE_DAYS'], [7, 'ONE_WEEK'], [14, 'TWO_WEEKS'], [30, 'ONE_MONTH'],
  [60, 'TWO_MONTHS'], [90, 'THREE_MONTHS'], [120, 'FOUR_MONTHS'], [150, 'FIVE_MONTHS'], [180, 'SIX_MONTHS'], [365, 'ONE_YEAR'],
  [400, 'THIRTEEN_MONTHS'], [545, 'EIGHTEEN_MONTHS'], [731, 'TWO_YEARS'], [1096, 'THREE_YEARS'], [1827, 'FIVE_YEARS'], [2192, 'SIX_YEARS'],
  [2557, 'SEVEN_YEARS'], [2922, 'EIGHT_YEARS'], [3288, 'NINE_YEARS'], [3653, 'TEN_YEARS'],
]);

/** `logging.retention` (days of the workload's log group in Copilot) as `logging: { retention }`. */
function mapLogRetention(f: ManifestFields): CodeObject | undefined {
  const value = f.peek('logging.retention');
  if (value === undefined) return undefined;
  const days = f.takeNumber('logging.retention')!;
  const member = RETENTION_DAYS.get(days);
  // AWS Control Tower's CT.CLOUDWATCH.PR.2 (one of the five packs) wants at least 365 days: shorter periods are reported.
  if (!member || days < 365) {
    f.report('logging.retention', value, `The log group keeps the cluster's \`logRetention\` (one year unless changed): the compliance packs' CT.CLOUDWATCH.PR.2 wants at least 365 days. To keep ${days} days as Copilot did, set \`logging: { retention: logs.RetentionDays.* }\` (CloudWatch Logs periods: ${[...RETENTION_DAYS.keys()].join(', ')} days) and acknowledge that finding.`);
    return undefined;
  }
  return { retention: raw(`logs.RetentionDays.${member}`) };
}

function mapNetwork(f: ManifestFields): void {
  const placement = f.peek('network.vpc.placement');
  if (placement === 'private') {f.take('network.vpc.placement');} else if (placement !== undefined) {
    f.report('network.vpc.placement', placement, 'Tasks run in the private subnets of the cluster\'s VPC (egress through NAT or endpoints); public IPs on tasks and subnet filters are not offered.');
  }
  // Service Connect: a backend is a server (its alias is taken with the backend), every other service gets
  // connectTo() calls to the backends of its environment (render-stack.ts), as Copilot's clients reach them.
  if (yamlBool(f.peek('network.connect')) !== undefined) f.take('network.connect');
}

function mapDeployment(f: ManifestFields, props: CodeObject): void {
  const rolling = f.peek('deployment.rolling');
  if (rolling === 'recreate') {
    f.take('deployment.rolling');
    // Copilot's recreate stops every old task before starting new ones.
    props.deployment = { minHealthyPercent: lit(0), maxHealthyPercent: lit(100) };
  } else if (rolling === 'default') {
    f.take('deployment.rolling');
  }
}

function scalingValue(f: ManifestFields, field: string): number | undefined {
  const value = f.peek(field);
  if (isMap(value)) return f.takeNumber(`${field}.value`);
  return f.takeNumber(field);
}

function mapCount(f: ManifestFields, props: CodeObject, options: { requests: boolean; worker: boolean }): void {
  const count = f.peek('count');
  if (count === undefined) return;
  if (!isMap(count)) {
    const n = f.takeNumber('count');
    if (n !== undefined) props.desiredCount = lit(n);
    return;
  }
  if (count.spot !== undefined) {
    const n = f.takeNumber('count.spot');
    props.capacity = raw('Capacity.spot()');
    if (n !== undefined) props.desiredCount = lit(n);
    return;
  }
  const range = count.range;
  let min: number | undefined;
  let max: number | undefined;
  let spotFrom: number | undefined;
  if (typeof range === 'string') {
    const m = /^(\d+)-(\d+)$/.exec(range.trim());
    if (!m) {
      throw new ImportError(`${f.file}: count.range = ${range} is not a range. Write it as 'min-max' (e.g. 1-10) or as min and max (Copilot rejects this manifest too).`);
    }
    f.take('count.range');
    [min, max] = [Number(m[1]), Number(m[2])];
  } else if (isMap(range)) {
    min = f.takeNumber('count.range.min');
    max = f.takeNumber('count.range.max');
    spotFrom = f.takeNumber('count.range.spot_from');
  } else if (range !== undefined && range !== null) {
    throw new ImportError(`${f.file}: count.range = ${JSON.stringify(range)} is not a range. Write it as 'min-max' (e.g. 1-10) or as min and max.`);
  }
  if (min !== undefined && max !== undefined && min > max) {
    throw new ImportError(`${f.file}: count.range: the minimum ${min} is larger than the maximum ${max}. Swap them (Copilot rejects this manifest too).`);
  }
  if (spotFrom !== undefined) {
    // Copilot places the first spot_from - 1 tasks on on-demand Fargate and the others on Fargate Spot, and every task
    // on Fargate Spot when spot_from is below the range's minimum (stack/transformers.go, convertCapacityProviders).
    props.capacity = raw(spotFrom > 1 && spotFrom >= (min ?? 0) ? `Capacity.spot({ onDemandBase: ${spotFrom - 1} })` : 'Capacity.spot()');
  }
  if (max === undefined) return;
  const cpuPercent = scalingValue(f, 'count.cpu_percentage');
  if (options.worker) {
    const latency = duration(f, 'count.queue_delay.acceptable_latency');
    const processing = duration(f, 'count.queue_delay.msg_processing_time');
    if (!latency) {
      f.report('count.range', range ?? null, 'A worker scales on its queue: add `count.queue_delay` (or set `queueScaling` by hand); it runs `minTasks` meanwhile.');
      if (cpuPercent !== undefined) f.report('count.cpu_percentage', count.cpu_percentage ?? null, 'Set `queueScaling.cpuPercent` together with a queue target.');
      props.desiredCount = lit(min ?? 1);
      return;
    }
    if (processing) props.expectedProcessingTime = processing;
    const latencySeconds = durationSeconds(f.peek('count.queue_delay.acceptable_latency')!);
    const processingSeconds = processing ? durationSeconds(f.peek('count.queue_delay.msg_processing_time')!) : undefined;
    // Copilot's backlog target per task rounds up (manifest/svc.go, AcceptableBacklogPerTask): the same number here.
    const perTask = latencySeconds !== undefined && processingSeconds ? Math.max(1, Math.ceil(latencySeconds / processingSeconds)) : undefined;
    props.queueScaling = {
      minTasks: min === undefined ? undefined : lit(min),
      maxTasks: lit(max),
      ...(perTask === undefined
        ? { acceptableLatency: latency }
        : { messagesPerTask: raw(`/* ceil(acceptable_latency ${latencySeconds} s / msg_processing_time ${processingSeconds} s), as Copilot computes it */ ${perTask}`) }),
      cpuPercent: cpuPercent === undefined ? undefined : lit(cpuPercent),
    };
    return;
  }
  const scaling: CodeObject = { minTasks: min === undefined ? undefined : lit(min), maxTasks: lit(max) };
  if (cpuPercent !== undefined) scaling.cpuPercent = lit(cpuPercent);
  const memoryPercent = scalingValue(f, 'count.memory_percentage');
  if (memoryPercent !== undefined) scaling.memoryPercent = lit(memoryPercent);
  if (options.requests) {
    const requests = scalingValue(f, 'count.requests');
    if (requests !== undefined) scaling.requestsPerTask = lit(requests);
  }
  const scaleIn = duration(f, 'count.cooldown.in');
  if (scaleIn) scaling.scaleInCooldown = scaleIn;
  const scaleOut = duration(f, 'count.cooldown.out');
  if (scaleOut) scaling.scaleOutCooldown = scaleOut;
  props.scaling = scaling;
}

function mapHttp(f: ManifestFields, props: CodeObject): void {
  const http = f.peek('http');
  if (http === false) {
    throw new ImportError(`${f.file}: http: false leaves this Load Balanced Web Service without its Application Load Balancer. For an NLB-only service use a NetworkService, written by hand (the importer does not generate it).`);
  }
  const routePath = f.takeString('http.path');
  if (routePath !== undefined && routePath !== '/' && routePath !== '') {
    const clean = `/${routePath.replace(/^\/+|\/+$/g, '')}`;
    props.pathPatterns = [str(clean), str(`${clean}/*`)];
  }
  const alias = f.peek('http.alias');
  const names = typeof alias === 'string' ? [alias]
    : Array.isArray(alias) ? alias.map(a => (isMap(a) ? a.name : a)).filter((a): a is string => typeof a === 'string') : [];
  if (names.length > 0) {
    f.take('http.alias');
    props.hostHeaders = names.map(n => str(n));
    for (const a of Array.isArray(alias) ? alias : []) {
      if (isMap(a) && a.hosted_zone !== undefined && a.hosted_zone !== null) {
        f.report('http.alias[].hosted_zone', a.hosted_zone, 'Keep your DNS records, or pass `domainName` and `hostedZone` to create the certificate and alias record.');
      }
    }
  }
  const hc = f.peek('http.healthcheck');
  const check: CodeObject = {};
  if (typeof hc === 'string') {
    f.take('http.healthcheck');
    check.path = str(hc);
  } else if (isMap(hc)) {
    const p = f.takeString('http.healthcheck.path');
    if (p !== undefined) check.path = str(p);
    const codes = f.takeString('http.healthcheck.success_codes');
    if (codes !== undefined) check.healthyHttpCodes = str(codes);
    for (const [field, prop] of [['healthy_threshold', 'healthyThreshold'], ['unhealthy_threshold', 'unhealthyThreshold'], ['port', 'port']] as const) {
      const n = f.takeNumber(`http.healthcheck.${field}`);
      if (n !== undefined) check[prop] = lit(n);
    }
    for (const [field, prop] of [['interval', 'interval'], ['timeout', 'timeout']] as const) {
      const d = duration(f, `http.healthcheck.${field}`);
      if (d) check[prop] = d;
    }
    const grace = duration(f, 'http.healthcheck.grace_period');
    if (grace) props.healthCheckGracePeriod = grace;
  }
  // Copilot's default grace period for a web service is 60 seconds (manifest/lb_web_svc.go, DefaultHealthCheckGracePeriod).
  props.healthCheckGracePeriod ??= raw('Duration.seconds(60)');
  if (!isEmptyObject(check)) props.targetHealthCheck = check;
  const delay = duration(f, 'http.deregistration_delay');
  if (delay) props.deregistrationDelay = delay;
  if (yamlBool(f.peek('http.redirect_to_https')) === true) f.take('http.redirect_to_https');
}

function mapPublish(f: ManifestFields, id: string): TopicModel[] {
  const topics = f.peek('publish.topics');
  if (!Array.isArray(topics)) return [];
  const out: TopicModel[] = [];
  f.take('publish.topics');
  for (const topic of topics) {
    if (!isMap(topic) || typeof topic.name !== 'string') {
      f.report('publish.topics[]', topic, 'Each topic needs a name.');
      continue;
    }
    if (topic.fifo !== undefined && topic.fifo !== null && topic.fifo !== false) {
      f.report('publish.topics[].fifo', topic.fifo, 'The topic is generated as a standard topic: create it with `fifo: true` by hand (a FIFO topic delivers only to FIFO queues).');
    }
    const topicId = `${id}${pascalCase(topic.name)}Topic`;
    out.push({ name: topic.name, id: topicId, varName: camelCase(topicId) });
  }
  return out;
}

function mapSubscribe(f: ManifestFields, props: CodeObject): SubscriptionModel[] {
  const queue: CodeObject = {};
  const retention = duration(f, 'subscribe.queue.retention');
  if (retention) queue.retentionPeriod = retention;
  const timeout = duration(f, 'subscribe.queue.timeout');
  if (timeout) queue.visibilityTimeout = timeout;
  const tries = f.takeNumber('subscribe.queue.dead_letter.tries');
  if (tries !== undefined) queue.maxReceiveCount = lit(tries);
  const delay = f.peek('subscribe.queue.delay');
  if (delay !== undefined && durationSeconds(delay) === 0) f.take('subscribe.queue.delay');
  const fifo = yamlBool(f.peek('subscribe.queue.fifo')) ?? f.peek('subscribe.queue.fifo');
  if (fifo === true) {
    f.take('subscribe.queue.fifo');
    queue.fifo = raw('true');
  } else if (isMap(fifo)) {
    queue.fifo = raw('true');
    if (yamlBool(f.take('subscribe.queue.fifo.content_based_deduplication')) === true) queue.contentBasedDeduplication = raw('true');
  } else if (fifo === false) {
    f.take('subscribe.queue.fifo');
  }
  if (!isEmptyObject(queue)) props.queueOptions = queue;
  const topics = f.peek('subscribe.topics');
  const subscriptions: SubscriptionModel[] = [];
  if (Array.isArray(topics)) {
    f.take('subscribe.topics');
    for (const topic of topics) {
      if (!isMap(topic) || typeof topic.name !== 'string' || typeof topic.service !== 'string') {
        f.report('subscribe.topics[]', topic, 'Each subscription names a topic and the service that publishes it (name, service).');
        continue;
      }
      if (topic.queue !== undefined && topic.queue !== null) {
        f.report('subscribe.topics[].queue', topic.queue, 'Every topic delivers to the worker\'s one queue; for a queue per topic add a `WorkerService` per topic.');
      }
      subscriptions.push({ service: topic.service, topic: topic.name, filterPolicy: topic.filter_policy ?? undefined });
    }
  }
  return subscriptions;
}

/** A duration literal for code that needs seconds, e.g. the visibility timeout checks (exported for tests). */
export function durationSeconds(value: YamlValue): number | undefined {
  return typeof value === 'string' || typeof value === 'number' ? goDuration(value)?.seconds : undefined;
}
