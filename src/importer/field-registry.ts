/*
 * The one list of Copilot manifest fields the importer knows: what each becomes in the generated app, or why it is
 * reported instead. The importer classifies every field of every manifest with it, and the README's coverage table
 * is this list (test/importer/readme-table.test.ts checks that they are equal).
 *
 * Field paths are written as in the Copilot manifest reference (site/content/docs/manifest/*.en.md): '.' nests,
 * '*' is any map key (a variable name, a volume name), '[]' any list item.
 */

/** What a manifest describes. */
export enum ManifestKind {
  WEB = 'Load Balanced Web Service',
  BACKEND = 'Backend Service',
  WORKER = 'Worker Service',
  JOB = 'Scheduled Job',
  ENVIRONMENT = 'Environment',
}

/** A field of the registry. */
export interface FieldEntry {
  /** The field path. */
  readonly field: string;
  /** The manifests it appears in. */
  readonly kinds: ManifestKind[];
  /** What the importer generates from it, when it carries the field. */
  readonly becomes?: string;
  /** What to do instead, when the importer reports the field (always, or in the cases `becomes` does not cover). */
  readonly instead?: string;
}

const { WEB, BACKEND, WORKER, JOB, ENVIRONMENT } = ManifestKind;
const SERVICES = [WEB, BACKEND, WORKER];
const WORKLOADS = [WEB, BACKEND, WORKER, JOB];
const SCALED = [WEB, BACKEND];

/** Every field the importer knows, in the order of the README table. */
export const FIELD_REGISTRY: FieldEntry[] = [
  { field: 'name', kinds: [...WORKLOADS, ENVIRONMENT], becomes: 'the construct id (a service) or the stack name (an environment)' },
  { field: 'type', kinds: [...WORKLOADS, ENVIRONMENT], becomes: 'the construct: `WebService`, `BackendService`, `WorkerService`, `ScheduledTask`; an environment: a stack with a `FoundryCluster`' },
  { field: 'environments', kinds: WORKLOADS, becomes: 'applied per environment stack (deep merge, as Copilot does)' },
  { field: 'image.location', kinds: WORKLOADS, becomes: '`image: ecs.ContainerImage.fromRegistry(location)`; a private ECR image: `fromEcrRepository(ecr.Repository.fromRepositoryAttributes(...), tagOrDigest)` (the execution role may pull it)' },
  { field: 'image.build', kinds: WORKLOADS, becomes: '`image: ecs.ContainerImage.fromAsset(context, { platform })` (path relative to the generated app, built for the `platform`)' },
  { field: 'image.build.context', kinds: WORKLOADS, becomes: 'the `fromAsset()` directory' },
  { field: 'image.build.dockerfile', kinds: WORKLOADS, becomes: '`fromAsset(..., { file })`' },
  { field: 'image.build.args.*', kinds: WORKLOADS, becomes: '`fromAsset(..., { buildArgs })`' },
  { field: 'image.build.target', kinds: WORKLOADS, becomes: '`fromAsset(..., { target })`' },
  { field: 'image.build.cache_from', kinds: WORKLOADS, instead: 'Set `cacheFrom` in `fromAsset(..., { cacheFrom })` or in your CI build.' },
  { field: 'image.credentials', kinds: WORKLOADS, becomes: '`fromRegistry(location, { credentials: secretsmanager.Secret.fromSecretCompleteArn(...) })`' },
  { field: 'image.port', kinds: SERVICES, becomes: '`port`' },
  { field: 'image.healthcheck', kinds: WORKLOADS, becomes: '`healthCheck` (command, interval, retries, timeout, startPeriod; where unset, Copilot\'s defaults: 10s, 2, 5s, 0s)' },
  { field: 'image.labels.*', kinds: WORKLOADS, instead: 'Add Docker labels through the escape hatch: `service.taskDefinition.defaultContainer` (`dockerLabels`).' },
  { field: 'image.depends_on.*', kinds: WORKLOADS, becomes: 'the sidecar\'s `mainContainerWaitsFor` (START, HEALTHY, COMPLETE, SUCCESS)', instead: 'The sidecar was not generated (see its report): set `mainContainerWaitsFor` on it when you add it.' },
  { field: 'entrypoint', kinds: WORKLOADS, becomes: '`entryPoint`' },
  { field: 'command', kinds: WORKLOADS, becomes: '`command`' },
  { field: 'cpu', kinds: WORKLOADS, becomes: '`cpu`' },
  { field: 'memory', kinds: WORKLOADS, becomes: '`memoryMiB`' },
  { field: 'platform', kinds: WORKLOADS, becomes: '`cpuArchitecture: ecs.CpuArchitecture.ARM64` for linux/arm64 (linux/x86_64 is the default)', instead: 'Windows: set `operatingSystemFamily` (Fargate, 1-4 vCPU, no Spot) and review the workload.' },
  { field: 'count', kinds: SERVICES, becomes: '`desiredCount`' },
  { field: 'count.range', kinds: SERVICES, becomes: '`scaling: { minTasks, maxTasks }` (a worker: `queueScaling`)', instead: 'A worker scales on its queue: add `count.queue_delay` (or set `queueScaling` by hand); it runs `minTasks` meanwhile.' },
  { field: 'count.range.min', kinds: SERVICES, becomes: '`minTasks`' },
  { field: 'count.range.max', kinds: SERVICES, becomes: '`maxTasks`' },
  { field: 'count.range.spot_from', kinds: SERVICES, becomes: '`capacity: Capacity.spot({ onDemandBase: spot_from - 1 })`; below the range minimum: `Capacity.spot()` (every task on Spot, as Copilot)' },
  { field: 'count.spot', kinds: SERVICES, becomes: '`capacity: Capacity.spot()` and `desiredCount`' },
  { field: 'count.cooldown.in', kinds: SCALED, becomes: '`scaling.scaleInCooldown`' },
  { field: 'count.cooldown.out', kinds: SCALED, becomes: '`scaling.scaleOutCooldown`' },
  { field: 'count.cpu_percentage', kinds: SERVICES, becomes: '`scaling.cpuPercent` (a worker: `queueScaling.cpuPercent`)' },
  { field: 'count.cpu_percentage.value', kinds: SERVICES, becomes: '`cpuPercent`' },
  { field: 'count.memory_percentage', kinds: SERVICES, becomes: '`scaling.memoryPercent`', instead: 'A worker scales on its queue backlog and CPU (`queueScaling`), not on memory.' },
  { field: 'count.memory_percentage.value', kinds: SCALED, becomes: '`memoryPercent`' },
  { field: 'count.requests', kinds: SCALED, becomes: '`scaling.requestsPerTask`', instead: 'A `BackendService` has no load balancer to count requests: scale it on `cpuPercent` / `memoryPercent`.' },
  { field: 'count.requests.value', kinds: [WEB], becomes: '`requestsPerTask`' },
  { field: 'count.response_time', kinds: SCALED, instead: 'No response-time target: use `scaling.requestsPerTask`, or `service.scaling.scaleOnMetric()` on the target group\'s TargetResponseTime.' },
  { field: 'count.queue_delay.acceptable_latency', kinds: [WORKER], becomes: '`queueScaling.messagesPerTask`: ceil(acceptable_latency / msg_processing_time), as Copilot computes it (without a processing time: `acceptableLatency`)' },
  { field: 'count.queue_delay.msg_processing_time', kinds: [WORKER], becomes: '`expectedProcessingTime`' },
  { field: 'count.queue_delay.cooldown', kinds: [WORKER], instead: 'Queue scaling uses the library\'s cooldowns; no per-service setting.' },
  { field: 'count.*.cooldown', kinds: SERVICES, instead: 'One cooldown per service: `scaling.scaleInCooldown` / `scaleOutCooldown` (from `count.cooldown`).' },
  { field: 'count.cooldown', kinds: [WORKER], instead: 'Queue scaling uses the library\'s cooldowns; no per-service setting.' },
  { field: 'exec', kinds: WORKLOADS, becomes: '`enableExecuteCommand`' },
  { field: 'deployment.rolling', kinds: SERVICES, becomes: '`recreate`: `deployment: { minHealthyPercent: 0, maxHealthyPercent: 100 }`, `default`: the default rolling deployment' },
  { field: 'deployment.rollback_alarms', kinds: SERVICES, instead: 'Pass your alarms as `deployment.alarms` (the service\'s own alarms roll back blue/green, canary and linear deployments).' },
  { field: 'variables.*', kinds: WORKLOADS, becomes: '`environment` (a `from_cfn` value: `Fn.importValue(name)`), after Copilot\'s COPILOT_APPLICATION_NAME, COPILOT_ENVIRONMENT_NAME, COPILOT_SERVICE_NAME (and COPILOT_LB_DNS in a web service)' },
  { field: 'env_file', kinds: WORKLOADS, instead: 'Move the variables to `variables`/`environment`, or add `ecs.EnvironmentFile.fromBucket()` through the escape hatch.' },
  { field: 'secrets.*', kinds: WORKLOADS, becomes: '`secrets`: SSM parameter (a name, or an ARN kept whole) or Secrets Manager (ARN or `secretsmanager:` name, JSON key)', instead: 'A `from_cfn` secret: import the exported ARN and pass `ecs.Secret.fromSecretsManager(...)`.' },
  { field: 'storage.ephemeral', kinds: WORKLOADS, becomes: '`ephemeralStorageGiB` (20 GiB, the default, is left out)' },
  { field: 'storage.readonly_fs', kinds: WORKLOADS, becomes: '`true`: the default (read-only root, `writablePaths`); `false` or absent: `readonlyRootFilesystem: false`, as in Copilot (sidecars too)' },
  { field: 'storage.volumes.*.path', kinds: WORKLOADS, becomes: 'the mount path: `service.addVolume(volume, path)`; a volume without EFS: `writablePaths`' },
  { field: 'storage.volumes.*.read_only', kinds: WORKLOADS, becomes: '`addVolume(..., { readOnly })`' },
  { field: 'storage.volumes.*.efs', kinds: WORKLOADS, becomes: '`true`: a `SharedVolume` (EFS, encrypted, backed up) mounted with `addVolume()`, its access point as Copilot\'s: `/<workload>`, owner CRC-32 of the workload name (unless uid/gid), permissions 755' },
  { field: 'storage.volumes.*.efs.uid', kinds: WORKLOADS, becomes: '`SharedVolume` `accessPoint.uid`' },
  { field: 'storage.volumes.*.efs.gid', kinds: WORKLOADS, becomes: '`SharedVolume` `accessPoint.gid`' },
  { field: 'storage.volumes.*', kinds: WORKLOADS, instead: 'An existing EFS file system (efs.id): mount it with `service.taskDefinition.addVolume({ name, efsVolumeConfiguration: { fileSystemId, rootDirectory, transitEncryption: \'ENABLED\', authorizationConfig } })` and `defaultContainer.addMountPoints(...)`; its data stays where it is.' },
  { field: 'storage.volumes.*.efs.id', kinds: WORKLOADS, instead: 'An existing file system: mount it with `service.taskDefinition.addVolume({ efsVolumeConfiguration: { fileSystemId, transitEncryption: \'ENABLED\' } })` and a mount point; its data stays where it is.' },
  { field: 'storage.volumes.*.efs.root_dir', kinds: WORKLOADS, instead: 'Set `rootDirectory` in the `efsVolumeConfiguration` of the existing file system.' },
  { field: 'storage.volumes.*.efs.auth', kinds: WORKLOADS, instead: 'Set `authorizationConfig` in the `efsVolumeConfiguration` of the existing file system.' },
  { field: 'logging.retention', kinds: WORKLOADS, becomes: '365 days or more: `logging: { retention: logs.RetentionDays.* }` (the workload\'s log group)', instead: 'Under 365 days: the cluster\'s `logRetention` (one year) is kept, as CT.CLOUDWATCH.PR.2 wants; set `logging: { retention }` yourself to keep less.' },
  { field: 'logging', kinds: WORKLOADS, instead: 'FireLens: set `logging` (`WorkloadLoggingOptions`) with your router; retention: `logging.retention` (carried).' },
  { field: 'network.vpc.placement', kinds: WORKLOADS, becomes: '`private`: the default (tasks in private subnets)', instead: 'Tasks run in private subnets (egress through NAT or endpoints); public IPs on tasks are not offered.' },
  { field: 'network.vpc.security_groups', kinds: WORKLOADS, instead: 'Add them with `service.connections.addSecurityGroup(...)`, or allow traffic with `service.connections.allowFrom(...)`.' },
  { field: 'network.connect', kinds: SERVICES, becomes: 'Service Connect: a backend is a server (`alias` → `discoveryName`), other services call it after `connectTo(backend)` (generated)' },
  { field: 'network.connect.alias', kinds: [BACKEND], becomes: '`discoveryName`' },
  { field: 'sidecars.*.image', kinds: WORKLOADS, becomes: '`image: ecs.ContainerImage.fromRegistry(...)`', instead: 'A sidecar built from source: build it in CI and reference the image.' },
  { field: 'sidecars.*.port', kinds: WORKLOADS, becomes: '`ports: [{ port }]`' },
  { field: 'sidecars.*.essential', kinds: WORKLOADS, becomes: '`essential`' },
  { field: 'sidecars.*.variables.*', kinds: WORKLOADS, becomes: '`environment`' },
  { field: 'sidecars.*.secrets.*', kinds: WORKLOADS, becomes: '`secrets`' },
  { field: 'sidecars.*.command', kinds: WORKLOADS, becomes: '`command`' },
  { field: 'sidecars.*.entrypoint', kinds: WORKLOADS, becomes: '`entryPoint`' },
  { field: 'sidecars.*.healthcheck', kinds: WORKLOADS, becomes: '`healthCheck`' },
  { field: 'sidecars.*', kinds: WORKLOADS, becomes: '`sidecars: [{ name, image, ... }]`', instead: 'Other sidecar settings (depends_on, mount_points, labels, env_file, credentials): set them on the `SidecarOptions` by hand.' },
  { field: 'publish.topics[].name', kinds: WORKLOADS, becomes: 'an encrypted `sns.Topic`, `grantPublish` to the task role, `COPILOT_SNS_TOPIC_ARNS` in the environment' },
  { field: 'publish.topics[].fifo', kinds: WORKLOADS, instead: 'Create the topic with `fifo: true` by hand (a FIFO topic delivers only to FIFO queues).' },
  { field: 'taskdef_overrides', kinds: WORKLOADS, instead: 'Apply them through the escape hatch: `(service.taskDefinition.node.defaultChild as ecs.CfnTaskDefinition).addPropertyOverride(path, value)`.' },
  { field: 'observability.tracing', kinds: WORKLOADS, instead: 'Add an AWS Distro for OpenTelemetry collector as a sidecar (`sidecars`).' },
  { field: 'http.path', kinds: [WEB], becomes: '`pathPatterns` (`/` matches everything: left out)' },
  { field: 'http.alias', kinds: [WEB], becomes: '`hostHeaders` (names of advanced aliases too)' },
  { field: 'http.alias[].hosted_zone', kinds: [WEB], instead: 'Keep your DNS records, or pass `domainName` and `hostedZone` to create the certificate and alias record.' },
  { field: 'http.hosted_zone', kinds: [WEB], instead: 'Keep your DNS record, or pass `domainName` and `hostedZone` to create the certificate and alias record.' },
  { field: 'http.alb', kinds: [WEB], instead: 'The services of an environment share its `WebLoadBalancer`; for an existing load balancer add listener rules to it by hand, or import it as the new one\'s replacement later.' },
  { field: 'http.healthcheck', kinds: [WEB], becomes: '`targetHealthCheck` (path, healthyHttpCodes, thresholds, interval, timeout, port)' },
  { field: 'http.healthcheck.grace_period', kinds: [WEB], becomes: '`healthCheckGracePeriod` (without it: 60 seconds, Copilot\'s default)' },
  { field: 'http.deregistration_delay', kinds: [WEB], becomes: '`deregistrationDelay`' },
  { field: 'http.redirect_to_https', kinds: [WEB], becomes: '`true`: always, with a certificate', instead: 'An HTTPS load balancer always redirects HTTP to HTTPS.' },
  { field: 'http.target_container', kinds: [WEB], instead: 'The load balancer targets the main container: make the target the main container, the other a sidecar.' },
  { field: 'http.target_port', kinds: [WEB], instead: 'The load balancer targets the main container\'s `port`.' },
  { field: 'http.stickiness', kinds: [WEB], instead: 'Set `service.targetGroup.setAttribute(\'stickiness.enabled\', \'true\')`.' },
  { field: 'http.allowed_source_ips', kinds: [WEB], instead: 'Restrict the whole load balancer with `WebLoadBalancer` `allowedCidrs`, or give the service its own load balancer.' },
  { field: 'http.version', kinds: [WEB], instead: 'gRPC/HTTP2 targets: set the target group\'s `protocolVersion` through the escape hatch.' },
  { field: 'http.additional_rules', kinds: [WEB], instead: 'Add the routes as listener rules on `service.loadBalancer`, or as another `WebService`.' },
  { field: 'http', kinds: [BACKEND], instead: 'A `BackendService` answers through Service Connect (`http://<name>:<port>`); for an internal load balancer use `WebService` with `loadBalancerOptions: { internetFacing: false }`.' },
  { field: 'nlb', kinds: [WEB], instead: 'Add a `NetworkService` with the same image and port for TCP/UDP/TLS traffic.' },
  { field: 'subscribe.topics[].name', kinds: [WORKER], becomes: 'a subscription of the publisher\'s topic to `worker.queue`' },
  { field: 'subscribe.topics[].service', kinds: [WORKER], becomes: 'the publishing service\'s topic' },
  { field: 'subscribe.topics[].filter_policy', kinds: [WORKER], becomes: 'the subscription\'s filter policy' },
  { field: 'subscribe.topics[].queue', kinds: [WORKER], instead: 'Every topic delivers to the worker\'s one queue; for a queue per topic add a `WorkerService` per topic.' },
  { field: 'subscribe.queue.retention', kinds: [WORKER], becomes: '`queueOptions.retentionPeriod`' },
  { field: 'subscribe.queue.timeout', kinds: [WORKER], becomes: '`queueOptions.visibilityTimeout`' },
  { field: 'subscribe.queue.dead_letter.tries', kinds: [WORKER], becomes: '`queueOptions.maxReceiveCount`' },
  { field: 'subscribe.queue.fifo.content_based_deduplication', kinds: [WORKER], becomes: '`queueOptions.contentBasedDeduplication`' },
  { field: 'subscribe.queue.fifo', kinds: [WORKER], becomes: '`queueOptions.fifo`', instead: 'Other FIFO settings (deduplication scope, throughput limit, high throughput): set them on `worker.queue` through the escape hatch.' },
  { field: 'subscribe.queue.delay', kinds: [WORKER], becomes: '`0s`: the default', instead: 'Set `deliveryDelay` on `worker.queue` through the escape hatch (`CfnQueue`).' },
  { field: 'on.schedule', kinds: [JOB], becomes: '`schedule: Schedule.cron(...)` / `Schedule.rate(...)` (@daily, @every, 5-field cron), with `enabled: false` until the Copilot job is paused', instead: '`none`: the job is never scheduled; run it with `aws ecs run-task` on its task definition.' },
  { field: 'retries', kinds: [JOB], instead: 'Not carried: Copilot re-runs a failed job (Step Functions), while `maxRetries` only retries starting the task (EventBridge Scheduler). Make the job retry its own work, or run it from a Step Functions state machine with a Retry.' },
  { field: 'timeout', kinds: [JOB], instead: 'No run-time limit: stop long runs inside the container (e.g. `command: [\'timeout\', \'1h\', ...]`).' },
  { field: 'network.vpc.cidr', kinds: [ENVIRONMENT], becomes: '`FoundryCluster` `vpcCidr`' },
  { field: 'network.vpc.subnets.private', kinds: [ENVIRONMENT], becomes: '`maxAzs`: one Availability Zone per private subnet' },
  { field: 'network.vpc.subnets.public', kinds: [ENVIRONMENT], becomes: 'public subnets in the same Availability Zones' },
  { field: 'network.vpc.subnets.*[]', kinds: [ENVIRONMENT], instead: 'The cluster\'s VPC has one public and one private subnet per Availability Zone (`maxAzs`: the number of private subnets), with ranges from `vpcCidr` and zones chosen at synth; for these exact subnets (cidr, az, id) pass your own `vpc` to `FoundryCluster`.' },
  { field: 'network.vpc.subnets.*[].cidr', kinds: [ENVIRONMENT], instead: 'Subnet ranges are derived from `vpcCidr`; pass your own `vpc` for exact ranges.' },
  { field: 'network.vpc.subnets.*[].az', kinds: [ENVIRONMENT], instead: 'Availability Zones are chosen by the stack; pass your own `vpc` to pin them.' },
  { field: 'network.vpc.subnets.*[].id', kinds: [ENVIRONMENT], instead: 'An existing VPC: pass `vpc: ec2.Vpc.fromLookup(this, \'Vpc\', { vpcId })` to `FoundryCluster`.' },
  { field: 'network.vpc.id', kinds: [ENVIRONMENT], instead: 'An existing VPC: pass `vpc: ec2.Vpc.fromLookup(this, \'Vpc\', { vpcId })` to `FoundryCluster`.' },
  { field: 'network.vpc.security_group', kinds: [ENVIRONMENT], instead: 'Each service has its own security group; open paths with `connectTo()` and `connections.allowFrom()`.' },
  { field: 'network.vpc.flow_logs', kinds: [ENVIRONMENT], becomes: 'on: the cluster\'s VPC always has flow logs', instead: 'Flow logs follow the cluster\'s `logRetention`.' },
  { field: 'http.public.certificates', kinds: [ENVIRONMENT], becomes: 'the `WebLoadBalancer` `certificate` (HTTPS, HTTP redirected); without one, `allowHttp: true` as in Copilot', instead: 'Only the first certificate is used: add the others with `loadBalancer.listener.addCertificates()`.' },
  { field: 'http.public.ingress.source_ips', kinds: [ENVIRONMENT], becomes: '`WebLoadBalancer` `allowedCidrs`' },
  { field: 'http.public.ingress.cdn', kinds: [ENVIRONMENT], instead: 'Put CloudFront in front of the load balancer yourself (and restrict ingress to its prefix list).' },
  { field: 'http.public.access_logs', kinds: [ENVIRONMENT], becomes: 'on: the `WebLoadBalancer` always logs to its own bucket', instead: 'The bucket and prefix are the library\'s; copy old logs if you need them in one place.' },
  { field: 'http.public.ssl_policy', kinds: [ENVIRONMENT], instead: 'Set `sslPolicy` on the `WebLoadBalancer` (default: `elbv2.SslPolicy.RECOMMENDED_TLS`).' },
  { field: 'http.private', kinds: [ENVIRONMENT], instead: 'An internal load balancer: `new WebLoadBalancer(this, id, { cluster, internetFacing: false, ... })`.' },
  { field: 'cdn', kinds: [ENVIRONMENT], becomes: '`false`: no CDN, as before', instead: 'Create a CloudFront distribution with the load balancer as origin (`aws-cloudfront-origins`).' },
  { field: 'observability.container_insights', kinds: [ENVIRONMENT], becomes: '`true`: `containerInsights: ecs.ContainerInsights.ENABLED`', instead: '`false`: Container Insights stays on (queue scaling and the alarms read it); turn it off with `containerInsights` if you must.' },
];

/** Whether a registry pattern matches a concrete path (segments, list items as '[]'). */
export function fieldMatches(pattern: string, path: string): boolean {
  const p = pattern.split('.');
  const q = path.split('.');
  return p.length === q.length && p.every((part, i) => part === q[i] || (part === '*' && !q[i].startsWith('[')) || (part.endsWith('[]') && q[i] === part)
    || (part === '*[]' && q[i].endsWith('[]')));
}

/** The registry entries for a path and kind. */
export function registryEntries(path: string, kind: ManifestKind): FieldEntry[] {
  return FIELD_REGISTRY.filter(e => e.kinds.includes(kind) && fieldMatches(e.field, path));
}

const SHORT_KIND: Record<ManifestKind, string> = {
  [ManifestKind.WEB]: 'web',
  [ManifestKind.BACKEND]: 'backend',
  [ManifestKind.WORKER]: 'worker',
  [ManifestKind.JOB]: 'job',
  [ManifestKind.ENVIRONMENT]: 'environment',
};

/** The registry as the README's field coverage table (markdown). */
export function registryTable(): string {
  const cell = (text: string | undefined) => (text ?? '').replace(/\|/g, '\\|');
  return [
    '| Copilot field | manifests | becomes | reported, with what to do instead |',
    '|---|---|---|---|',
    ...FIELD_REGISTRY.map(e => `| \`${e.field}\` | ${e.kinds.map(k => SHORT_KIND[k]).join(', ')} | ${cell(e.becomes) || '—'} | ${cell(e.instead) || '—'} |`),
  ].join('\n');
}
