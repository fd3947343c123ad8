import { importInline, manifest, reportsOf } from './support/inline-workspace';
import { toAwsCron } from '../../src/importer/map-schedule';

const WEB = 'Load Balanced Web Service';
const web = (body: string) => manifest('web', WEB, `image:\n  location: repo/web:1\n  port: 8080\n${body}`);

describe('Load Balanced Web Service → WebService', () => {
  test('image, port, size and the shared load balancer (plain HTTP without a certificate, as in Copilot)', () => {
    const { stack, reported } = importInline(web('cpu: 512\nmemory: 1024\nhttp:\n  path: /\n'));
    expect(stack).toContain("const loadBalancer = new WebLoadBalancer(this, 'PublicLoadBalancer', { cluster, allowHttp: true });");
    expect(stack).toContain("new WebService(this, 'Web', {");
    expect(stack).toContain("image: ecs.ContainerImage.fromRegistry('repo/web:1'),");
    expect(stack).toMatch(/port: 8080,\n\s+cpu: 512,\n\s+memoryMiB: 1024,/);
    expect(stack).not.toContain('pathPatterns');
    expect(reported).toEqual([]);
  });

  test('http: path, alias, health check, grace period, deregistration delay', () => {
    const { stack, reported } = importInline(web([
      'http:', '  path: api', "  alias: ['a.example.com', 'b.example.com']", '  redirect_to_https: true',
      '  healthcheck:', '    path: /health', "    success_codes: '200,204'", '    healthy_threshold: 3', '    unhealthy_threshold: 4',
      '    interval: 15s', '    timeout: 10s', '    port: 8081', '    grace_period: 1m30s', '  deregistration_delay: 45s', '',
    ].join('\n')));
    expect(stack).toContain("pathPatterns: ['/api', '/api/*'],");
    expect(stack).toContain("hostHeaders: ['a.example.com', 'b.example.com'],");
    expect(stack).toContain("path: '/health',\n        healthyHttpCodes: '200,204',\n        healthyThreshold: 3,\n        unhealthyThreshold: 4,\n        port: 8081,"
      + '\n        interval: Duration.seconds(15),\n        timeout: Duration.seconds(10),');
    expect(stack).toContain('healthCheckGracePeriod: Duration.seconds(90),');
    expect(stack).toContain('deregistrationDelay: Duration.seconds(45),');
    expect(reported).toEqual([]);
  });

  test('a health check path alone', () => {
    expect(importInline(web('http:\n  healthcheck: /ping\n')).stack).toContain("targetHealthCheck: { path: '/ping' },");
  });

  test('http fields without an equivalent are reported with what to do instead', () => {
    const { reported } = importInline(web([
      'http:', '  stickiness: true', '  target_container: nginx', '  target_port: 81', '  version: grpc', "  allowed_source_ips: ['10.0.0.0/8']",
      '  hosted_zone: Z1', '  redirect_to_https: false', '  additional_rules:', '    - path: /admin', 'nlb:', '  port: 443/tls', '',
    ].join('\n')));
    const fields = reported.map(r => r.field).sort();
    expect(fields).toEqual(['http.additional_rules', 'http.allowed_source_ips', 'http.hosted_zone', 'http.redirect_to_https', 'http.stickiness',
      'http.target_container', 'http.target_port', 'http.version', 'nlb'].sort());
    expect(reportsOf(reported, 'http.stickiness')[0]).toMatchObject({ file: 'copilot/web/manifest.yml', value: 'true', environments: ['test'] });
    expect(reportsOf(reported, 'http.stickiness')[0].instead).toMatch(/stickiness\.enabled/);
    expect(reportsOf(reported, 'nlb')[0].instead).toMatch(/NetworkService/);
    expect(reportsOf(reported, 'http.additional_rules')[0].value).toBe('[{"path":"/admin"}]');
  });

  test('advanced aliases: names become host headers, their hosted zones are reported', () => {
    const { stack, reported } = importInline(web('http:\n  alias:\n    - name: a.example.com\n      hosted_zone: Z1\n'));
    expect(stack).toContain("hostHeaders: ['a.example.com'],");
    expect(reportsOf(reported, 'http.alias[].hosted_zone')).toHaveLength(1);
  });

  test('http: false and a missing port are refused, naming the file', () => {
    expect(() => importInline(web('http: false\n'))).toThrow(/copilot\/web\/manifest\.yml: http: false .* NetworkService/);
    expect(() => importInline(manifest('web', WEB, 'image:\n  location: repo/web:1\n'))).toThrow(/copilot\/web\/manifest\.yml: a Load Balanced Web Service needs image\.port/);
  });
});

describe('count and scaling', () => {
  test('a number is the desired count', () => {
    expect(importInline(web('count: 3\n')).stack).toContain('desiredCount: 3,');
  });

  test('range, CPU, memory, requests and cooldowns become scaling', () => {
    const { stack, reported } = importInline(web('count:\n  range: 2-10\n  cooldown:\n    in: 2m\n    out: 30s\n  cpu_percentage: 60\n  memory_percentage:\n    value: 80\n  requests: 500\n'));
    expect(stack).toContain('scaling: {\n        minTasks: 2,\n        maxTasks: 10,\n        cpuPercent: 60,\n        memoryPercent: 80,\n        requestsPerTask: 500,'
      + '\n        scaleInCooldown: Duration.minutes(2),\n        scaleOutCooldown: Duration.seconds(30),\n      },');
    expect(reported).toEqual([]);
  });

  test('spot_from keeps the first tasks on demand, count.spot runs every task on Fargate Spot', () => {
    expect(importInline(web('count:\n  range:\n    min: 3\n    max: 30\n    spot_from: 10\n')).stack).toContain('capacity: Capacity.spot({ onDemandBase: 9 }),');
    const spot = importInline(web('count:\n  spot: 2\n')).stack;
    expect(spot).toContain('capacity: Capacity.spot(),');
    expect(spot).toContain('desiredCount: 2,');
  });

  test('response time targets and per-metric cooldowns are reported', () => {
    const { reported } = importInline(web('count:\n  range: 1-4\n  response_time: 2s\n  cpu_percentage:\n    value: 50\n    cooldown:\n      in: 1m\n'));
    expect(reported.map(r => r.field).sort()).toEqual(['count.cpu_percentage.cooldown', 'count.response_time']);
  });
});

describe('the workload: image, container, platform, storage', () => {
  test('build string and build map become fromAsset next to the generated app; cache_from is reported', () => {
    const s1 = importInline(manifest('web', WEB, 'image:\n  build: web/Dockerfile\n  port: 80\n')).stack;
    expect(s1).toContain("image: ecs.ContainerImage.fromAsset(path.join(__dirname, '../../web'), { platform: ecr_assets.Platform.LINUX_AMD64 }),");
    expect(s1).toContain("import * as ecr_assets from 'aws-cdk-lib/aws-ecr-assets';");
    expect(s1).toContain("import * as path from 'path';");
    const { stack, reported } = importInline(manifest('web', WEB, [
      'image:', '  build:', '    context: src', '    dockerfile: docker/web.Dockerfile', '    target: runtime', '    args:', '      NODE_ENV: production',
      '    cache_from: [repo/cache]', '  port: 80', '',
    ].join('\n')));
    expect(stack).toContain("ecs.ContainerImage.fromAsset(path.join(__dirname, '../../src'), { buildArgs: { NODE_ENV: 'production' }, target: 'runtime', platform: ecr_assets.Platform.LINUX_AMD64, file: '../docker/web.Dockerfile' })");
    expect(reportsOf(reported, 'image.build.cache_from')).toHaveLength(1);
  });

  test('registry credentials, container health check, entrypoint and command (shell words)', () => {
    const { stack } = importInline(manifest('web', WEB, [
      'image:', '  location: ghcr.io/o/web:1', '  credentials: arn:aws:secretsmanager:us-east-1:111111111111:secret:ghcr-AbCdEf', '  port: 80',
      '  healthcheck:', "    command: ['CMD-SHELL', 'curl -f http://localhost/ || exit 1']", '    interval: 10s', '    retries: 2', '    timeout: 5s', '    start_period: 1m',
      'entrypoint: /bin/entry', 'command: node "server file.js" --port 80', '',
    ].join('\n')));
    expect(stack).toContain("ecs.ContainerImage.fromRegistry('ghcr.io/o/web:1', { credentials: secretsmanager.Secret.fromSecretCompleteArn(this, 'WebRegistryCredentials', "
      + "'arn:aws:secretsmanager:us-east-1:111111111111:secret:ghcr-AbCdEf') })");
    expect(stack).toContain("command: ['CMD-SHELL', 'curl -f http://localhost/ || exit 1'],\n        interval: Duration.seconds(10),\n        timeout: Duration.seconds(5),"
      + '\n        startPeriod: Duration.minutes(1),\n        retries: 2,');
    expect(stack).toContain("entryPoint: ['/bin/entry'],");
    expect(stack).toContain("command: ['node', 'server file.js', '--port', '80'],");
  });

  test('platform: linux/arm64 is ARM64, linux/x86_64 the default, Windows is reported', () => {
    expect(importInline(web('platform: linux/arm64\n')).stack).toContain('cpuArchitecture: ecs.CpuArchitecture.ARM64,');
    expect(importInline(web('platform:\n  osfamily: linux\n  architecture: arm64\n')).stack).toContain('cpuArchitecture: ecs.CpuArchitecture.ARM64,');
    const x86 = importInline(web('platform: linux/x86_64\n'));
    expect(x86.stack).not.toContain('cpuArchitecture');
    expect(x86.reported).toEqual([]);
    expect(reportsOf(importInline(web('platform: windows/x86_64\n')).reported, 'platform')[0].instead).toMatch(/operatingSystemFamily/);
  });

  test('variables: strings, from_cfn exports, escaped ${...} through Fn::Sub', () => {
    const { stack } = importInline(web("variables:\n  A: '1'\n  B:\n    from_cfn: shop-test-Table\n  C: 'x-\\${name}'\n"));
    expect(stack).toContain("COPILOT_LB_DNS: loadBalancer.loadBalancer.loadBalancerDnsName,\n        A: '1',\n        B: Fn.importValue('shop-test-Table'),\n        C: Fn.sub('x-${!name}'),\n      },");
  });

  test('secrets: SSM name or ARN, Secrets Manager ARN (with JSON key) or name; from_cfn is reported', () => {
    const { stack, reported } = importInline(web([
      'secrets:', '  P1: /copilot/${COPILOT_APPLICATION_NAME}/${COPILOT_ENVIRONMENT_NAME}/p1', '  P2: arn:aws:ssm:us-east-1:111111111111:parameter/shop/p2',
      "  S1: 'arn:aws:secretsmanager:us-east-1:111111111111:secret:db-AbCdEf:password::'", '  S2:', "    secretsmanager: 'shop/db:user::'", '  S3:', '    secretsmanager: shop/token',
      '  X:', '    from_cfn: exported-secret', '',
    ].join('\n')));
    expect(stack).toContain("P1: ecs.Secret.fromSsmParameter(ssm.StringParameter.fromSecureStringParameterAttributes(this, 'WebP1Secret', { parameterName: '/copilot/shop/test/p1' })),");
    // The ARN is kept whole: its account and Region name the parameter (another Region's needs the ARN).
    expect(stack).toContain("P2: ecs.Secret.fromSsmParameter(ssm.StringParameter.fromStringParameterArn(this, 'WebP2Secret', 'arn:aws:ssm:us-east-1:111111111111:parameter/shop/p2')),");
    expect(stack).toContain("S1: ecs.Secret.fromSecretsManager(secretsmanager.Secret.fromSecretCompleteArn(this, 'WebS1Secret', 'arn:aws:secretsmanager:us-east-1:111111111111:secret:db-AbCdEf'), 'password'),");
    expect(stack).toContain("S2: ecs.Secret.fromSecretsManager(secretsmanager.Secret.fromSecretNameV2(this, 'WebS2Secret', 'shop/db'), 'user'),");
    expect(stack).toContain("S3: ecs.Secret.fromSecretsManager(secretsmanager.Secret.fromSecretNameV2(this, 'WebS3Secret', 'shop/token')),");
    expect(reportsOf(reported, 'secrets.X')[0].instead).toMatch(/from_cfn/);
  });

  test('storage: ephemeral, scratch volumes, managed EFS (with POSIX user), existing EFS reported, read-only root kept', () => {
    const { stack, reported } = importInline(web([
      'storage:', '  ephemeral: 50', '  readonly_fs: true', '  volumes:', '    scratch:', '      path: /scratch', '    data:', '      path: /data', '      efs: true',
      '    home:', '      path: /home/app', '      read_only: true', '      efs:', '        uid: 1000', '        gid: 1000',
      '    old:', '      path: /old', '      efs:', '        id: fs-1', '',
    ].join('\n')));
    expect(stack).toContain('ephemeralStorageGiB: 50,');
    expect(stack).toContain("writablePaths: ['/tmp', '/scratch'],");
    expect(stack).toContain("const webData = new SharedVolume(this, 'WebData', { cluster, accessPoint: { path: '/web', uid: 365508689, gid: 365508689, permissions: '755' } });");
    expect(stack).toContain("const webHome = new SharedVolume(this, 'WebHome', { cluster, accessPoint: { path: '/web', uid: 1000, gid: 1000, permissions: '755' } });");
    expect(stack).toContain("web.addVolume(webData, '/data');");
    expect(stack).toContain("web.addVolume(webHome, '/home/app', { readOnly: true });");
    expect(reported.map(r => r.field)).toEqual(['storage.volumes.old']);
    expect(importInline(web('storage:\n  ephemeral: 20\n')).stack).not.toContain('ephemeralStorageGiB');
    expect(stack).not.toContain('readonlyRootFilesystem');
  });

  test('sidecars: image, port, essential, variables, secrets, command, health check, start order; a sidecar built from source is reported', () => {
    const { stack, reported } = importInline(manifest('web', WEB, [
      'image:', '  location: repo/web:1', '  port: 8080', '  depends_on:', '    proxy: healthy', 'sidecars:', '    proxy:', '      image: repo/proxy:1', '      port: 9000', '      essential: false',
      "      variables:\n        MODE: 'edge'", '      secrets:\n        KEY: /p/key', "      command: ['run']", "      entrypoint: ['/proxy']",
      "      healthcheck:\n        command: ['CMD', 'true']", '    built:', '      image:', '        build: proxy/Dockerfile', '',
    ].join('\n')));
    expect(stack).toContain("name: 'proxy',\n          image: ecs.ContainerImage.fromRegistry('repo/proxy:1'),\n          readonlyRootFilesystem: /* writable, as in Copilot: to harden, remove this line and list the paths it writes in writablePaths */ false,"
      + '\n          ports: [{ port: 9000 }],\n          essential: false,');
    expect(stack).toContain("environment: { MODE: 'edge' },");
    expect(stack).toContain("KEY: ecs.Secret.fromSsmParameter(ssm.StringParameter.fromSecureStringParameterAttributes(this, 'WebProxyKeySecret', { parameterName: '/p/key' })),");
    // Copilot's defaults for the fields the manifest leaves out (10s, 5s, 0s, 2 retries), not ECS's (30 s, 3 retries).
    expect(stack).toContain("healthCheck: {\n            command: ['CMD', 'true'],\n            interval: Duration.seconds(10),\n"
      + '            timeout: Duration.seconds(5),\n            startPeriod: Duration.seconds(0),\n            retries: 2,\n          },');
    expect(stack).toContain('mainContainerWaitsFor: ecs.ContainerDependencyCondition.HEALTHY,');
    expect(reported.map(r => r.field)).toEqual(['sidecars.built']);
  });

  test('exec, recreate deployments and rollback alarms', () => {
    const { stack, reported } = importInline(web("exec: true\ndeployment:\n  rolling: recreate\n  rollback_alarms: ['a']\n"));
    expect(stack).toContain('enableExecuteCommand: true,');
    expect(stack).toContain('deployment: { minHealthyPercent: 0, maxHealthyPercent: 100 },');
    expect(reportsOf(reported, 'deployment.rollback_alarms')[0].instead).toMatch(/deployment\.alarms/);
  });

  test('fields reported as a whole: logging, taskdef_overrides, tracing, env_file, security groups, public placement', () => {
    const { reported } = importInline(web([
      'logging:\n  image: fluent/bit:1', 'taskdef_overrides:\n  - path: A\n    value: 1', 'observability:\n  tracing: awsxray', 'env_file: web.env',
      'network:\n  vpc:\n    placement: public\n    security_groups: [sg-1]', '',
    ].join('\n')));
    expect(reported.map(r => r.field).sort()).toEqual(['env_file', 'logging', 'network.vpc.placement', 'network.vpc.security_groups', 'observability.tracing', 'taskdef_overrides']);
    expect(reportsOf(reported, 'taskdef_overrides')[0].value).toBe('[{"path":"A","value":1}]');
  });

  test('an unknown field is reported as unknown, with the manifest type', () => {
    const { reported } = importInline(web('colour: blue\n'));
    expect(reported).toEqual([expect.objectContaining({ field: 'colour', value: 'blue' })]);
    expect(reported[0].instead).toMatch(/Not a field of a Copilot Load Balanced Web Service manifest/);
  });
});

describe('Backend Service → BackendService through Service Connect', () => {
  const api = (body: string) => manifest('api', 'Backend Service', `image:\n  location: repo/api:1\n  port: 8080\n${body}`);

  test('discovery name (alias or name), the environment namespace, clients connect', () => {
    const { stack, reported } = importInline({ ...api('network:\n  connect:\n    alias: orders\n'), ...web('network:\n  connect: true\n') });
    expect(stack).toContain("serviceConnectNamespace: 'test.shop.local'");
    expect(stack).toContain("discoveryName: 'orders',");
    expect(stack).toContain('web.connectTo(api);');
    expect(stack.indexOf("new BackendService(this, 'Api'")).toBeLessThan(stack.indexOf("new WebService(this, 'Web'"));
    expect(reported).toEqual([expect.objectContaining({ file: 'copilot/api/manifest.yml', field: 'COPILOT_SERVICE_DISCOVERY_ENDPOINT', value: 'api.test.shop.local' })]);
    expect(importInline(api('')).stack).toContain("discoveryName: 'api',");
  });

  test('the internal load balancer block is reported, request scaling too', () => {
    const { reported } = importInline(api('http:\n  path: /api\ncount:\n  range: 1-3\n  requests: 100\n'));
    expect(reported.map(r => r.field).sort()).toEqual(['COPILOT_SERVICE_DISCOVERY_ENDPOINT', 'count.requests', 'http']);
  });

  test('no port is refused', () => {
    expect(() => importInline(manifest('api', 'Backend Service', 'image:\n  location: repo/api:1\n'))).toThrow(/copilot\/api\/manifest\.yml: this Backend Service has no image\.port/);
  });
});

describe('Worker Service → WorkerService', () => {
  const worker = (body: string) => manifest('jobs', 'Worker Service', `image:\n  location: repo/worker:1\n${body}`);
  const publisher = manifest('web', WEB, 'image:\n  location: repo/web:1\n  port: 80\npublish:\n  topics:\n    - name: orders\n');

  test('queue settings, queue scaling, the queue URL variable Copilot uses', () => {
    const { stack, reported } = importInline(worker([
      'subscribe:', '  queue:', '    retention: 96h', '    timeout: 45s', '    delay: 0s', '    dead_letter:', '      tries: 5',
      'count:', '  range: 1-20', '  cpu_percentage: 80', '  queue_delay:', '    acceptable_latency: 5m', '    msg_processing_time: 250ms', '',
    ].join('\n')));
    expect(stack).toContain('queueOptions: { retentionPeriod: Duration.hours(96), visibilityTimeout: Duration.seconds(45), maxReceiveCount: 5 },');
    expect(stack).toContain('expectedProcessingTime: Duration.millis(250),');
    expect(stack).toContain('queueScaling: {\n        minTasks: 1,\n        maxTasks: 20,\n        messagesPerTask: /* ceil(acceptable_latency 300 s / msg_processing_time 0.25 s), as Copilot computes it */ 1200,\n        cpuPercent: 80,\n      },');
    expect(stack).toContain("queueUrlVariable: 'COPILOT_QUEUE_URI',");
    expect(reported).toEqual([]);
  });

  test('FIFO queue with content-based deduplication; other FIFO settings and delays are reported', () => {
    const { stack, reported } = importInline(worker('subscribe:\n  queue:\n    delay: 5s\n    fifo:\n      content_based_deduplication: true\n      high_throughput: true\n'));
    expect(stack).toContain('queueOptions: { fifo: true, contentBasedDeduplication: true },');
    expect(reported.map(r => r.field).sort()).toEqual(['subscribe.queue.delay', 'subscribe.queue.fifo.high_throughput']);
  });

  test('a range without a queue target runs its minimum and is reported', () => {
    const { stack, reported } = importInline(worker('count:\n  range: 2-5\n'));
    expect(stack).toContain('desiredCount: 2,');
    expect(reportsOf(reported, 'count.range')[0].instead).toMatch(/queue_delay/);
  });

  test('subscriptions to topics of other services, with filter policies; per-topic queues and unknown topics are reported', () => {
    const { stack, reported } = importInline({
      ...publisher,
      ...worker([
        'subscribe:', '  topics:', '    - name: orders', '      service: web', '      filter_policy:', '        event: [placed]',
        '    - name: orders', '      service: web', '      queue: true', '    - name: refunds', '      service: web', '',
      ].join('\n')),
    });
    expect(stack).toContain("const webOrdersTopic = new sns.Topic(this, 'WebOrdersTopic', { masterKey: cluster.encryptionKey, enforceSSL: true });");
    expect(stack).toContain('const jobsOrdersSubscription = webOrdersTopic.addSubscription(new subscriptions.SqsSubscription(jobs.queue));');
    expect(stack).toContain("(jobsOrdersSubscription.node.defaultChild as sns.CfnSubscription).filterPolicy = { event: ['placed'] };");
    expect(reported.map(r => [r.field, r.value])).toEqual([['subscribe.topics[].queue', 'true'], ['subscribe.topics[]', 'web/refunds']]);
  });

  test('publishers get sns:Publish on their topics, the key actions of an encrypted topic, and COPILOT_SNS_TOPIC_ARNS', () => {
    const { stack } = importInline(publisher);
    expect(stack).toContain('COPILOT_SNS_TOPIC_ARNS: this.toJsonString({ orders: webOrdersTopic.topicArn }),');
    expect(stack).toContain("web.taskRole.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['sns:Publish'], resources: [webOrdersTopic.topicArn] }));");
    expect(stack).toContain("cluster.encryptionKey.grant(web.taskRole, 'kms:Decrypt', 'kms:GenerateDataKey');");
  });
});

describe('Scheduled Job → ScheduledTask', () => {
  const job = (body: string) => manifest('report', 'Scheduled Job', `image:\n  location: repo/report:1\n${body}`);
  const scheduleOf = (schedule: string) => /schedule: (.*),\n/.exec(importInline(job(`on:\n  schedule: "${schedule}"\n`)).stack)?.[1];

  test('schedules convert as Copilot converts them', () => {
    expect(scheduleOf('@daily')).toBe("Schedule.cron('0 0 * * ? *')");
    expect(scheduleOf('@weekly')).toBe("Schedule.cron('0 0 ? * 1 *')");
    expect(scheduleOf('@yearly')).toBe("Schedule.cron('0 0 1 1 ? *')");
    expect(scheduleOf('@every 1h30m')).toBe('Schedule.rate(Duration.minutes(90))');
    expect(scheduleOf('@every 2h')).toBe('Schedule.rate(Duration.hours(2))');
    expect(scheduleOf('rate(15 minutes)')).toBe('Schedule.rate(Duration.minutes(15))');
    expect(scheduleOf('cron(30 2 ? * MON-FRI *)')).toBe("Schedule.cron('30 2 ? * MON-FRI *')");
    expect(scheduleOf('*/30 8-18 * * 1-5')).toBe("Schedule.cron('*/30 8-18 ? * 2-6 *')");
  });

  test('standard cron conversion: the ? day field, 1-based days of week, the year', () => {
    expect(toAwsCron('* * * * *')).toBe('* * * * ? *');
    expect(toAwsCron('0 9 1 * *')).toBe('0 9 1 * ? *');
    expect(toAwsCron('0 9 * * 0')).toBe('0 9 ? * 1 *');
    expect(toAwsCron('0 9 1 * 1')).toEqual({ error: expect.stringMatching(/both the day of month and the day of week/) });
    expect(toAwsCron('0 9 * *')).toEqual({ error: expect.stringMatching(/5 fields/) });
  });

  test('a valid schedule is generated disabled, so that no run happens beside the Copilot job (the report says when to enable it)', () => {
    const { stack, files, reported } = importInline(job('on:\n  schedule: "@daily"\n'));
    expect(stack).toContain("schedule: Schedule.cron('0 0 * * ? *'),\n      enabled: false,");
    expect(reported.filter(r => r.field.startsWith('on'))).toEqual([]);
    expect(files['IMPORT-REPORT.md']).toContain('then remove `enabled: false` and `cdk deploy`');
  });

  test("a job that calls a backend by name, or anything through Copilot's internal load balancer, is reported (jobs are no Service Connect clients)", () => {
    const backend = manifest('api', 'Backend Service', 'image:\n  location: repo/api:1\n  port: 8080\n');
    const byName = importInline({ ...backend, ...job('on:\n  schedule: "@daily"\ncommand: ["wget", "http://api:8080/warm"]\n') });
    expect(reportsOf(byName.reported, 'command')).toEqual([expect.objectContaining({
      file: 'copilot/report/manifest.yml', value: 'wget http://api:8080/warm', instead: expect.stringMatching(/^Calls the backend 'api' by name: a Scheduled Job runs as a standalone task/),
    })]);
    const viaLb = importInline({ ...backend, ...job('on:\n  schedule: "@daily"\nvariables:\n  TARGET: http://api.test.shop.internal/warm\n') });
    expect(reportsOf(viaLb.reported, 'variables.TARGET')).toEqual([expect.objectContaining({
      instead: expect.stringMatching(/^Calls 'api.test.shop.internal', a name of Copilot's internal load balancer/),
    })]);
    // A service calling it through the internal load balancer is told to use Service Connect; a plain word is no call.
    const service = importInline({ ...backend, ...manifest('web', WEB, 'image:\n  location: repo/web:1\n  port: 8080\nhttp:\n  path: /\nvariables:\n  API: http://api.test.shop.internal\n  MODE: api\n') });
    expect(reportsOf(service.reported, 'variables.API')[0].instead).toMatch(/Call the backend through Service Connect instead \(http:\/\/api:<port>/);
    expect(reportsOf(service.reported, 'variables.MODE')).toEqual([]);
    expect(importInline({ ...backend, ...job('on:\n  schedule: "@daily"\nvariables:\n  MODE: apiary\n') }).reported.filter(r => r.field.startsWith('variables'))).toEqual([]);
  });

  test('none and invalid schedules give a disabled task and a report', () => {
    const none = importInline(job('on:\n  schedule: none\n'));
    expect(none.stack).toContain('enabled: false,');
    expect(reportsOf(none.reported, 'on.schedule')[0].instead).toMatch(/enabled: false/);
    const both = importInline(job('on:\n  schedule: "0 9 1 * 1"\n'));
    expect(both.stack).toContain('enabled: false,');
    expect(reportsOf(both.reported, 'on.schedule')[0].instead).toMatch(/both the day of month/);
  });

  test('retries and timeout are reported: maxRetries retries starting the task, not a failed run', () => {
    const { stack, reported } = importInline(job('on:\n  schedule: "@hourly"\nretries: 3\ntimeout: 1h\n'));
    expect(stack).not.toContain('maxRetries');
    expect(reported.map(r => r.field)).toEqual(['retries', 'timeout']);
    expect(reportsOf(reported, 'retries')[0]).toMatchObject({ value: '3' });
    expect(reportsOf(reported, 'retries')[0].instead).toMatch(/only retries starting the task/);
  });
});

describe('environment manifests → FoundryCluster and the load balancer', () => {
  const env = (body: string) => ({ 'environments/test/manifest.yml': `name: test\ntype: Environment\n${body}`, ...web('') });

  test('VPC range, Availability Zones, certificate, ingress ranges, Container Insights', () => {
    const { stack, reported } = importInline(env([
      'network:', '  vpc:', '    cidr: 10.1.0.0/16', '    subnets:', '      private:', '        - cidr: 10.1.1.0/24', '        - cidr: 10.1.2.0/24', '        - cidr: 10.1.3.0/24',
      '    flow_logs: on', 'http:', '  public:', '    certificates: [arn:aws:acm:us-east-1:111111111111:certificate/abc]', '    access_logs: true',
      '    ingress:', "      source_ips: ['10.0.0.0/8']", 'observability:', '  container_insights: true', 'cdn: false', '',
    ].join('\n')));
    expect(stack).toContain("const cluster = new FoundryCluster(this, 'Cluster', { vpcCidr: '10.1.0.0/16', maxAzs: 3, containerInsights: ecs.ContainerInsights.ENABLED });");
    expect(stack).toContain("allowedCidrs: ['10.0.0.0/8'],\n      certificate: acm.Certificate.fromCertificateArn(this, 'Certificate', 'arn:aws:acm:us-east-1:111111111111:certificate/abc'),");
    expect(reported.map(r => r.field)).toEqual(['network.vpc.subnets.private[]', 'network.vpc.subnets.private[]', 'network.vpc.subnets.private[]']);
  });

  test("a secret of another account than the certificate's is reported (ECS reads SSM parameters of its own account only); one of the same account is kept", () => {
    const secrets = (account: string) => ({
      ...env('http:\n  public:\n    certificates: [arn:aws:acm:eu-west-1:222222222222:certificate/abc]\n'),
      ...manifest('web', WEB, `image:\n  location: repo/web:1\n  port: 8080\nhttp:\n  path: /\nsecrets:\n  KEY: arn:aws:ssm:eu-west-1:${account}:parameter/shop/key\n`),
    });
    const other = importInline(secrets('111111111111'));
    expect(other.stack).not.toContain('parameter/shop/key');
    expect(reportsOf(other.reported, 'secrets.KEY')).toEqual([expect.objectContaining({
      instead: expect.stringMatching(/^Of account 111111111111, and this environment's stack deploys to 222222222222/),
    })]);
    const same = importInline(secrets('222222222222'));
    expect(same.stack).toContain("fromStringParameterArn(this, 'WebKeySecret', 'arn:aws:ssm:eu-west-1:222222222222:parameter/shop/key')");
    expect(reportsOf(same.reported, 'secrets.KEY')).toEqual([]);
  });

  test("an environment with a certificate is deployed to the certificate's account and Region", () => {
    const { files } = importInline(env('http:\n  public:\n    certificates: [arn:aws:acm:eu-west-1:222222222222:certificate/abc]\n'));
    expect(files['bin/app.ts']).toContain("new TestStack(app, 'shop-test-foundry', { env: { account: '222222222222', region: 'eu-west-1' } });");
    expect(files['bin/app.ts']).not.toContain('const env');
  });

  test('an imported VPC, the private load balancer, a CDN and Container Insights off are reported', () => {
    const { reported } = importInline(env('network:\n  vpc:\n    id: vpc-1\nhttp:\n  private:\n    ingress:\n      vpc: true\ncdn: true\nobservability:\n  container_insights: false\n'));
    expect(reported.map(r => r.field).sort()).toEqual(['cdn', 'http.private', 'network.vpc.id', 'observability.container_insights']);
  });
});

describe('one stack per environment, each with its overrides', () => {
  test('overrides apply per environment; an override for a missing environment is reported', () => {
    const result = importInline({
      'environments/prod/manifest.yml': 'name: prod\ntype: Environment\n',
      ...web('count: 1\nvariables:\n  LEVEL: info\n  ENV: ${COPILOT_ENVIRONMENT_NAME}\nenvironments:\n  prod:\n    count: 4\n    variables:\n      LEVEL: warn\n  staging:\n    count: 9\n'),
    });
    expect(Object.keys(result.files).sort()).toEqual(['IMPORT-REPORT.md', 'bin/app.ts', 'cdk.json', 'lib/prod-stack.ts', 'lib/test-stack.ts', 'package.json', 'tsconfig.json']);
    expect(result.files['lib/prod-stack.ts']).toContain('desiredCount: 4,');
    expect(result.files['lib/prod-stack.ts']).toContain("COPILOT_SERVICE_NAME: 'web',\n        COPILOT_LB_DNS: loadBalancer.loadBalancer.loadBalancerDnsName,\n        LEVEL: 'warn',\n        ENV: 'prod',\n      },");
    expect(result.stack).toContain('desiredCount: 1,');
    expect(result.stack).toContain("LEVEL: 'info',\n        ENV: 'test',\n      },");
    expect(result.reported).toEqual([expect.objectContaining({ field: 'environments.staging', environments: ['staging'] })]);
    expect(result.files['bin/app.ts']).toContain("new ProdStack(app, 'shop-prod-foundry', { env });");
    expect(result.files['bin/app.ts']).toContain("new TestStack(app, 'shop-test-foundry', { env });");
  });

  test('the summary counts services, carried fields and reported fields', () => {
    const result = importInline(web('count: 2\ncolour: blue\n'));
    expect(result.workloads).toEqual([{ name: 'web', type: WEB, construct: 'WebService', file: 'copilot/web/manifest.yml' }]);
    // name, type, image.location, image.port, count (web); name, type (environment).
    expect(result.carriedFields).toBe(7);
    expect(result.reported).toHaveLength(1);
    expect(result.files['IMPORT-REPORT.md']).toContain('Imported 1 service or job into 1 environment stack: 7 fields carried, 1 field reported.');
  });
});
