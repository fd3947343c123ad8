/**
 * Host settings proof: the user data of every Ec2Capacity configuration, read the way the host reads it.
 *
 * - Bottlerocket: early-boot-config parses the user data as ONE TOML document and rejects unknown settings; an
 *   invalid document stops the host before the ECS agent starts, so it never joins the cluster. Parsed here with
 *   a real TOML parser (smol-toml), every key checked against Bottlerocket's ECS and host-containers settings
 *   references.
 * - Amazon Linux 2023: the script appends `KEY=VALUE` lines to /etc/ecs/ecs.config, which the ECS agent reads;
 *   every key checked against the agent's documented environment variables, each once, with a value of the
 *   documented form.
 * - EC2 user data is limited to 16 KB in raw form, before base64 encoding:
 *   https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/instancedata-add-user-data.html
 */
import { Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { Ec2Capacity, Ec2CapacityOptions, Ec2MachineImage, FoundryCluster } from '../../src';
import { plainStack } from '../support/stacks';
import { parseToml as parse } from '../support/toml';
import { EcsConfigEntry, launchTemplateUserData, leafPaths, parseEcsConfigScript, placeholder } from './support/host-user-data';

/**
 * Bottlerocket's `settings.ecs.*` settings, with the TOML type each takes.
 * Source: https://bottlerocket.dev/en/os/1.20.x/api/settings/ecs/ (the same 19 settings through the 1.35.x settings
 * index), and the model `ECSSettingsV1` (bottlerocket-settings-models, settings-extensions/ecs/src/lib.rs; its
 * fields match this list one for one).
 */
const BOTTLEROCKET_ECS_SETTINGS: Record<string, 'boolean' | 'string' | 'integer' | 'table' | 'array'> = {
  'allow-privileged-containers': 'boolean',
  'awsvpc-block-imds': 'boolean',
  'backend-host': 'string',
  'cluster': 'string',
  'container-stop-timeout': 'string',
  'enable-container-metadata': 'boolean',
  'enable-spot-instance-draining': 'boolean',
  'image-cleanup-age': 'string',
  'image-cleanup-delete-per-cycle': 'integer',
  'image-cleanup-enabled': 'boolean',
  'image-cleanup-wait': 'string',
  'image-pull-behavior': 'string',
  'instance-attributes': 'table',
  'logging-drivers': 'array',
  'loglevel': 'string',
  'metadata-service-burst': 'integer',
  'metadata-service-rps': 'integer',
  'reserved-memory': 'integer',
  'task-cleanup-wait': 'string',
};

/**
 * Bottlerocket's `settings.host-containers.<container>.*` settings, with the TOML type each takes.
 * Source: https://bottlerocket.dev/en/os/1.27.x/api/settings/host-containers/ (the same four settings in the 1.34.x
 * reference), and the model `HostContainer` (bottlerocket-core-kit sources/api/host-containers/src/config.rs:
 * `source`, `enabled`, `superpowered`, `user_data`, kebab-case).
 */
const BOTTLEROCKET_HOST_CONTAINER_SETTINGS: Record<string, 'boolean' | 'string'> = {
  'enabled': 'boolean',
  'source': 'string',
  'superpowered': 'boolean',
  'user-data': 'string',
};
/** The host containers Bottlerocket defines (source and superpowered come from its defaults): control and admin. */
const BOTTLEROCKET_BUILT_IN_HOST_CONTAINERS = ['admin', 'control'];

/**
 * The ECS agent's documented environment variables (the "Environment Variables" table of the agent's README,
 * https://github.com/aws/amazon-ecs-agent/blob/8dfceca6cf380a83c3007349317566f2862f0673/README.md), which
 * ecs-init passes from /etc/ecs/ecs.config.
 */
const ECS_AGENT_VARIABLES = new Set([
  'ECS_CLUSTER', 'ECS_RESERVED_PORTS', 'ECS_RESERVED_PORTS_UDP', 'ECS_ENGINE_AUTH_TYPE', 'ECS_ENGINE_AUTH_DATA',
  'ECS_LOGLEVEL', 'ECS_LOGLEVEL_ON_INSTANCE', 'ECS_LOGFILE', 'ECS_CHECKPOINT', 'ECS_DATADIR', 'ECS_UPDATES_ENABLED',
  'ECS_DISABLE_METRICS', 'ECS_POLL_METRICS', 'ECS_POLLING_METRICS_WAIT_DURATION', 'ECS_PULL_DEPENDENT_CONTAINERS_UPFRONT',
  'ECS_RESERVED_MEMORY', 'ECS_AVAILABLE_LOGGING_DRIVERS', 'ECS_DISABLE_PRIVILEGED', 'ECS_SELINUX_CAPABLE',
  'ECS_APPARMOR_CAPABLE', 'ECS_ENGINE_TASK_CLEANUP_WAIT_DURATION', 'ECS_ENGINE_TASK_CLEANUP_WAIT_DURATION_JITTER',
  'ECS_MANIFEST_PULL_TIMEOUT', 'ECS_CONTAINER_STOP_TIMEOUT', 'ECS_CONTAINER_START_TIMEOUT', 'ECS_CONTAINER_CREATE_TIMEOUT',
  'ECS_ENABLE_TASK_IAM_ROLE', 'ECS_ENABLE_TASK_IAM_ROLE_NETWORK_HOST', 'ECS_DISABLE_IMAGE_CLEANUP',
  'ECS_IMAGE_CLEANUP_INTERVAL', 'ECS_IMAGE_MINIMUM_CLEANUP_AGE', 'ECS_NUM_IMAGES_DELETE_PER_CYCLE',
  'ECS_IMAGE_PULL_BEHAVIOR', 'ECS_IMAGE_PULL_INACTIVITY_TIMEOUT', 'ECS_IMAGE_PULL_TIMEOUT', 'ECS_INSTANCE_ATTRIBUTES',
  'ECS_INSTANCE_IP_COMPATIBILITY', 'ECS_ENABLE_TASK_ENI', 'ECS_ENABLE_HIGH_DENSITY_ENI', 'ECS_CNI_PLUGINS_PATH',
  'ECS_AWSVPC_BLOCK_IMDS', 'ECS_AWSVPC_ADDITIONAL_LOCAL_ROUTES', 'ECS_ENABLE_CONTAINER_METADATA', 'ECS_HOST_DATA_DIR',
  'ECS_ENABLE_TASK_CPU_MEM_LIMIT', 'ECS_CGROUP_PATH', 'ECS_CGROUP_CPU_PERIOD', 'ECS_AGENT_HEALTHCHECK_HOST',
  'ECS_ENABLE_CPU_UNBOUNDED_WINDOWS_WORKAROUND', 'ECS_ENABLE_MEMORY_UNBOUNDED_WINDOWS_WORKAROUND',
  'ECS_TASK_METADATA_RPS_LIMIT', 'ECS_SHARED_VOLUME_MATCH_FULL_CONFIG', 'ECS_CONTAINER_INSTANCE_PROPAGATE_TAGS_FROM',
  'ECS_CONTAINER_INSTANCE_TAGS', 'ECS_ENABLE_UNTRACKED_IMAGE_CLEANUP', 'ECS_EXCLUDE_UNTRACKED_IMAGE',
  'ECS_DISABLE_DOCKER_HEALTH_CHECK', 'ECS_NVIDIA_RUNTIME', 'ECS_ALTERNATE_CREDENTIAL_PROFILE',
  'ECS_ENABLE_SPOT_INSTANCE_DRAINING', 'ECS_LOG_ROLLOVER_TYPE', 'ECS_LOG_OUTPUT_FORMAT', 'ECS_LOG_MAX_FILE_SIZE_MB',
  'ECS_LOG_MAX_ROLL_COUNT', 'ECS_LOG_DRIVER', 'ECS_LOG_OPTS', 'ECS_ENABLE_AWSLOGS_EXECUTIONROLE_OVERRIDE',
  'ECS_FSX_WINDOWS_FILE_SERVER_SUPPORTED', 'ECS_ENABLE_RUNTIME_STATS', 'ECS_EXCLUDE_IPV6_PORTBINDING',
  'ECS_WARM_POOLS_CHECK', 'ECS_SKIP_LOCALHOST_TRAFFIC_FILTER', 'ECS_ALLOW_OFFHOST_INTROSPECTION_ACCESS',
  'ECS_ENABLE_GPU_SUPPORT', 'ECS_GMSA_SUPPORTED', 'ECS_DYNAMIC_HOST_PORT_RANGE', 'ECS_TASK_PIDS_LIMIT',
  'ECS_PROPAGATE_TASK_MEMORY_LIMIT_CGROUPV2', 'ECS_EBSTA_SUPPORTED', 'ECS_ENABLE_FIRELENS_ASYNC',
  'ECS_DETAILED_OS_FAMILY', 'ECS_PAUSE_LABELS', 'ECS_OFFHOST_INTROSPECTION_INTERFACE_NAME', 'ECS_AGENT_LABELS',
  'ECS_AGENT_APPARMOR_PROFILE', 'ECS_AGENT_PID_NAMESPACE_HOST',
]);

/** Value forms (from the same README table) of the variables the library writes. A new variable needs its form here. */
const ECS_AGENT_VALUE_FORMS: Record<string, RegExp> = {
  // Cluster names: up to 255 letters, numbers, hyphens and underscores (CreateCluster), so safe unquoted in shell.
  ECS_CLUSTER: /^[A-Za-z0-9_-]{1,255}$/,
  ECS_AWSVPC_BLOCK_IMDS: /^(true|false)$/,
  ECS_ENABLE_AWSLOGS_EXECUTIONROLE_OVERRIDE: /^(true|false)$/,
  ECS_ENABLE_SPOT_INSTANCE_DRAINING: /^(true|false)$/,
};

/** EC2 user data limit, raw, before base64 (see the file comment). */
const USER_DATA_MAX_BYTES = 16 * 1024;
/** The longest cluster name ECS accepts: what a deploy-time cluster name can add to the user data. */
const LONGEST_CLUSTER_NAME = 'c'.repeat(255);

interface Config {
  readonly name: string;
  readonly options: Ec2CapacityOptions;
  readonly spot: boolean;
}

const spotTypes = (...types: string[]) => ({ additionalInstanceTypes: types.map(t => new ec2.InstanceType(t)) });
const AMAZON_LINUX: Config[] = [
  { name: 'default (m7i.large)', options: { instanceType: new ec2.InstanceType('m7i.large') }, spot: false },
  { name: 'Spot', options: { instanceType: new ec2.InstanceType('m7i.large'), spot: spotTypes('m6i.large', 'm5.large') }, spot: true },
  { name: 'GPU (g5.xlarge)', options: { instanceType: new ec2.InstanceType('g5.xlarge') }, spot: false },
  { name: 'Neuron (inf2.xlarge)', options: { instanceType: new ec2.InstanceType('inf2.xlarge') }, spot: false },
  { name: 'ARM (m7g.large)', options: { instanceType: new ec2.InstanceType('m7g.large') }, spot: false },
];
const BR = { machineImage: Ec2MachineImage.BOTTLEROCKET };
const BOTTLEROCKET: Config[] = [
  { name: 'default (m7i.large)', options: { ...BR, instanceType: new ec2.InstanceType('m7i.large') }, spot: false },
  { name: 'Spot ARM (m7g.large)', options: { ...BR, instanceType: new ec2.InstanceType('m7g.large'), spot: spotTypes('c7g.large') }, spot: true },
  { name: 'GPU (g5.xlarge)', options: { ...BR, instanceType: new ec2.InstanceType('g5.xlarge') }, spot: false },
  { name: 'GPU ARM Spot (g5g.xlarge)', options: { ...BR, instanceType: new ec2.InstanceType('g5g.xlarge'), spot: spotTypes('g5g.2xlarge') }, spot: true },
  { name: 'Session Manager (m7i.large)', options: { ...BR, instanceType: new ec2.InstanceType('m7i.large'), enableSessionManager: true }, spot: false },
  { name: 'Spot with Session Manager (m7g.large)', options: { ...BR, instanceType: new ec2.InstanceType('m7g.large'), spot: spotTypes('c7g.large'), enableSessionManager: true }, spot: true },
];

let stack: Stack;
let cluster: FoundryCluster;
let resources: Record<string, any>;
const capacities = new Map<string, Ec2Capacity>();

beforeAll(() => {
  stack = plainStack('HostSettings');
  cluster = new FoundryCluster(stack, 'Cluster');
  [...AMAZON_LINUX.map(c => ['AL2023', c] as const), ...BOTTLEROCKET.map(c => ['Bottlerocket', c] as const)].forEach(([os, config], i) => {
    capacities.set(`${os} ${config.name}`, cluster.addEc2Capacity(`Capacity${i}`, config.options));
  });
  resources = Template.fromStack(stack).toJSON().Resources;
});

function userDataOf(key: string): string {
  const capacity = capacities.get(key)!;
  const logicalId = stack.getLogicalId(capacity.launchTemplate.node.defaultChild as ec2.CfnLaunchTemplate);
  return launchTemplateUserData(resources[logicalId]);
}
const clusterName = () => placeholder('REF', stack.getLogicalId(cluster.ecsCluster.node.defaultChild as any));
/** The raw size on the host, with the cluster name at its longest. */
const hostBytes = (userData: string) => Buffer.byteLength(userData.split(clusterName()).join(LONGEST_CLUSTER_NAME), 'utf-8');

describe('Bottlerocket user data is one valid TOML document of documented ECS and host-container settings', () => {
  describe.each(BOTTLEROCKET)('$name', config => {
    const key = `Bottlerocket ${config.name}`;
    let document: Record<string, any>;
    beforeAll(() => {
      document = parse(userDataOf(key)) as Record<string, any>;
    });

    test('parses as TOML with [settings.ecs] and the two built-in host containers, each table declared once, and nothing else', () => {
      expect(Object.keys(document)).toEqual(['settings']);
      expect(Object.keys(document.settings).sort()).toEqual(['ecs', 'host-containers']);
      expect(Object.keys(document.settings['host-containers']).sort()).toEqual(BOTTLEROCKET_BUILT_IN_HOST_CONTAINERS);
      const headers = userDataOf(key).split('\n').map(line => line.trim()).filter(line => line.startsWith('['));
      // [settings.ecs] last: keys a user appends to the user data land in it.
      expect(headers).toEqual(['[settings.host-containers.admin]', '[settings.host-containers.control]', '[settings.ecs]']);
    });

    test('every host-container key is a documented setting with a value of its type', () => {
      for (const [container, settings] of Object.entries(document.settings['host-containers'] as Record<string, Record<string, unknown>>)) {
        for (const [name, value] of Object.entries(settings)) {
          expect({ container, name, documented: name in BOTTLEROCKET_HOST_CONTAINER_SETTINGS }).toEqual({ container, name, documented: true });
          expect({ container, name, type: typeof value }).toEqual({ container, name, type: BOTTLEROCKET_HOST_CONTAINER_SETTINGS[name] });
        }
      }
    });

    test('the admin container stays off; the control container (SSM agent) runs exactly with Session Manager', () => {
      expect(document.settings['host-containers']).toEqual({
        admin: { enabled: false },
        control: { enabled: config.options.enableSessionManager === true },
      });
    });

    test('every key is a documented Bottlerocket ECS setting with a value of its type', () => {
      const ecsSettings = document.settings.ecs as Record<string, unknown>;
      for (const [name, value] of Object.entries(ecsSettings)) {
        expect({ name, documented: name in BOTTLEROCKET_ECS_SETTINGS }).toEqual({ name, documented: true });
        const type = BOTTLEROCKET_ECS_SETTINGS[name];
        const actual = Array.isArray(value) ? 'array' : Number.isInteger(value) ? 'integer' : typeof value === 'object' ? 'table' : typeof value;
        expect({ name, type: actual }).toEqual({ name, type });
      }
      expect(leafPaths(document).filter(path => !path.startsWith('settings.ecs.') && !path.startsWith('settings.host-containers.'))).toEqual([]);
    });

    test('joins the cluster, blocks IMDS for awsvpc tasks, and drains on Spot interruptions only for Spot', () => {
      expect(document.settings.ecs).toEqual({
        'cluster': clusterName(),
        'awsvpc-block-imds': true,
        ...(config.spot ? { 'enable-spot-instance-draining': true } : {}),
      });
    });

    test('fits the 16 KB EC2 user data limit', () => {
      expect(hostBytes(userDataOf(key))).toBeLessThanOrEqual(USER_DATA_MAX_BYTES);
    });
  });
});

describe('Amazon Linux 2023 user data writes documented ECS agent variables to /etc/ecs/ecs.config', () => {
  describe.each(AMAZON_LINUX)('$name', config => {
    const key = `AL2023 ${config.name}`;
    let entries: EcsConfigEntry[];
    beforeAll(() => {
      entries = parseEcsConfigScript(userDataOf(key));
    });

    test('every variable is one the ECS agent documents, written once, with a value of its documented form', () => {
      const keys = entries.map(e => e.key);
      expect(keys.filter(k => !ECS_AGENT_VARIABLES.has(k))).toEqual([]);
      expect(keys.filter((k, i) => keys.indexOf(k) !== i)).toEqual([]);
      for (const { key: name, value } of entries) {
        const form = ECS_AGENT_VALUE_FORMS[name];
        expect({ name, hasForm: form !== undefined }).toEqual({ name, hasForm: true });
        const hostValue = value === clusterName() ? LONGEST_CLUSTER_NAME : value;
        expect({ name, value: hostValue, ok: form.test(hostValue) }).toEqual({ name, value: hostValue, ok: true });
      }
    });

    test('joins the cluster, blocks IMDS for awsvpc tasks, logs with the execution role, drains on Spot interruptions only for Spot', () => {
      expect(Object.fromEntries(entries.map(e => [e.key, e.value]))).toEqual({
        ECS_CLUSTER: clusterName(),
        ECS_AWSVPC_BLOCK_IMDS: 'true',
        ECS_ENABLE_AWSLOGS_EXECUTIONROLE_OVERRIDE: 'true',
        ...(config.spot ? { ECS_ENABLE_SPOT_INSTANCE_DRAINING: 'true' } : {}),
      });
    });

    test('fits the 16 KB EC2 user data limit', () => {
      expect(hostBytes(userDataOf(key))).toBeLessThanOrEqual(USER_DATA_MAX_BYTES);
    });
  });
});

describe('the parsers reject what the host rejects', () => {
  test('a table declared twice (dotted keys, then [settings.ecs]) is not TOML', () => {
    expect(() => parse('settings.ecs.awsvpc-block-imds = true\n[settings.ecs]\ncluster = "c"\n')).toThrow(/redefine|already/);
  });

  test('a script line that is not an ecs.config assignment is refused', () => {
    expect(() => parseEcsConfigScript('#!/bin/bash\necho ECS_CLUSTER=c >> /etc/ecs/ecs.config\nyum install -y x\n')).toThrow(/Not an ecs.config line/);
  });
});
