import { Lazy, Stack, Token } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { SidecarOptions } from './container';
import { checkImagePullable, checkTaskDefinitionSize, checkVolumeZones } from './deploy-checks';
import { allowGuardDutyAgentPull } from './guardduty-agent';
import { WorkloadLogs } from './logging';
import { createTaskRole, ecsTasksPrincipal } from './roles';
import { FoundryTaskDefinitionProps, ResolvedContainer, ResolvedLinux, ResolvedPlatform, ResolvedSidecar, VolumeMountOptions } from './workload-options';
import { checkContainerSet, portMappings, resolveSidecar, resolveWorkload } from './workload-validation';
import { Capacity, CapacityType } from '../cluster/capacity';
import type { FoundryCluster } from '../cluster/foundry-cluster';
import { interfaceEndpointId } from '../cluster/network';
import {
  acknowledgeContainerUser, acknowledgeEnvironmentVariables, acknowledgeExecutionRole, acknowledgeSharedMemorySidecars,
  acknowledgeWritableRootFilesystem,
} from '../compliance/acknowledgements';
import { securityGroupDescription } from '../private/descriptions';
import { OnDemandRole } from '../private/on-demand-role';
import { invalidProp, numberAsString } from '../private/validation';
import type { SharedVolume } from '../storage/shared-volume';

/** The FireLens log router's memory reservation (src/workload/logging.ts). */
const LOG_ROUTER_MEMORY_RESERVATION_MIB = 50;
/** The least memory Docker 20.10 and later reserves for a container. */
const MIN_CONTAINER_MEMORY_MIB = 6;
/** A user that means root to the Control Tower non-root control (CT.ECS.PR.3): 0 or root, with any group. */
const isRootUser = (user: string) => /^(0|root)(:.*)?$/.test(user);

/**
 * An ECS task definition built from a workload spec.
 *
 * Hardened containers, least-privilege execution and task roles, an encrypted log group, secrets injected by ECS,
 * sizes validated against what ECS accepts, and a security group for its tasks. Usable on its own (one-off and
 * batch tasks) and by every service pattern.
 *
 * @example
 * const worker = new FoundryTaskDefinition(stack, 'Migrate', {
 *   cluster,
 *   image: ecs.ContainerImage.fromRegistry('public.ecr.aws/docker/library/postgres:16'),
 *   command: ['psql', '--version'],
 *   cpu: 512,
 *   memoryMiB: 1024,
 * });
 */
export class FoundryTaskDefinition extends Construct {
  /** The ECS task definition. */
  public readonly taskDefinition: ecs.TaskDefinition;
  /** The main container. */
  public readonly mainContainer: ecs.ContainerDefinition;
  /** Role ECS uses to start the task (image pull, logs, secrets). */
  public readonly executionRole: iam.IRole;
  /**
   * Role the application runs with.
   *
   * It has no permission until you grant one, and it is created only then: a workload that calls no AWS API runs
   * without a task role.
   */
  public readonly taskRole: iam.IRole;
  /** The workload's log group. */
  public readonly logGroup: logs.ILogGroup;
  /** Security group for the workload's tasks (awsvpc), outbound open, inbound closed until something is allowed. */
  public readonly securityGroup: ec2.SecurityGroup;
  /** The cluster the tasks run in. */
  public readonly cluster: FoundryCluster;
  /** Where the tasks run: the `capacity` prop, or the cluster's default capacity, resolved once. */
  public readonly capacity: Capacity;
  /** CPU architecture of the tasks. */
  public readonly cpuArchitecture: ecs.CpuArchitecture;
  /** Operating system of the tasks. */
  public readonly operatingSystemFamily: ecs.OperatingSystemFamily;
  /** Task CPU units. */
  public readonly cpu: number;
  /** Task memory in MiB. */
  public readonly memoryMiB: number;

  private readonly logs: WorkloadLogs;
  private readonly platform: ResolvedPlatform;
  private readonly resolvedContainers: (ResolvedContainer | ResolvedSidecar)[];
  private readonly containersByName = new Map<string, ecs.ContainerDefinition>();
  private readonly mountPaths = new Map<string, Set<string>>();

  constructor(scope: Construct, id: string, props: FoundryTaskDefinitionProps) {
    super(scope, id);
    if (!props || !props.cluster) {
      invalidProp(this, 'cluster', props?.cluster, 'Pass the FoundryCluster the tasks run in.');
    }
    const workload = resolveWorkload(this, props);
    this.cluster = workload.cluster;
    this.capacity = workload.capacity;
    this.platform = workload.platform;
    this.cpuArchitecture = this.platform.cpuArchitecture;
    this.operatingSystemFamily = this.platform.operatingSystemFamily;
    this.cpu = this.platform.cpu;
    this.memoryMiB = this.platform.memoryMiB;
    this.resolvedContainers = [workload.main, ...workload.sidecars];

    this.executionRole = workload.executionRole ?? createTaskRole(this, 'ExecutionRole',
      `ECS execution role of ${this.node.path}: image pull, logs and secrets of this workload only`);
    // The task role is created on the first grant: an application that calls no AWS API gets no role at all.
    const onDemandTaskRole = workload.taskRole ? undefined
      : new OnDemandRole(this, 'TaskRole', { assumedBy: ecsTasksPrincipal(this), description: `Application role of ${this.node.path}` });
    this.taskRole = workload.taskRole ?? onDemandTaskRole!;
    if (!workload.executionRole) {
      acknowledgeExecutionRole(this.executionRole);
    }

    const fargate = this.platform.fargate;
    // ECS Managed Instances (helper M): the MANAGED_INSTANCES compatibility, awsvpc, and a runtime platform from which
    // ECS picks instances of the task's architecture
    // (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task_definition_parameters-managed-instances.html).
    const managedInstances = this.capacity.type === CapacityType.MANAGED_INSTANCES;
    this.taskDefinition = new ecs.TaskDefinition(this, 'TaskDefinition', {
      compatibility: fargate ? ecs.Compatibility.FARGATE
        : managedInstances ? ecs.Compatibility.MANAGED_INSTANCES : ecs.Compatibility.EC2,
      networkMode: ecs.NetworkMode.AWS_VPC,
      cpu: numberAsString(this.cpu),
      memoryMiB: numberAsString(this.memoryMiB),
      ephemeralStorageGiB: workload.ephemeralStorageGiB,
      runtimePlatform: fargate || managedInstances ? {
        cpuArchitecture: this.cpuArchitecture,
        operatingSystemFamily: this.operatingSystemFamily,
      } : undefined,
      executionRole: this.executionRole,
      taskRole: this.taskRole,
      family: workload.family,
      // Fault injection (opt-in): FIS ECS task actions may impair these tasks.
      enableFaultInjection: workload.enableFaultInjection ? true : undefined,
    });
    // GuardDuty Runtime Monitoring's agent sidecar on Fargate is pulled with the execution role.
    if (workload.guardDutyAgentPull) {
      const agentPull = allowGuardDutyAgentPull(this, this.executionRole);
      if (agentPull && agentPull.node.scope !== this.executionRole) {
        // An execution role of another stack: the policy is this workload's, and its tasks wait for it (through the
        // unconditional handle: a DependsOn on the conditional policy itself fails validation, E3005).
        this.taskDefinition.node.addDependency(agentPull);
      }
    }

    onDemandTaskRole?.arm();
    if (this.platform.enableExecuteCommand) {
      // ECS Exec: the SSM agent in the task opens Session Manager channels and decrypts with the cluster's session key.
      this.cluster._requireInterfaceEndpoint('ssmmessages', this);
      this.cluster._requireInterfaceEndpoint('kms', this);
    }
    this.node.addValidation({
      validate: () => {
        const problem = checkTaskDefinitionSize(this, this.taskDefinition);
        return problem ? [`${this.constructor.name} '${this.node.path}': invalid task definition size. ${problem}`] : [];
      },
    });
    // The main container reserves what the sidecars and the log router leave (see containerMemoryLimit): at least the
    // 6 MiB Docker reserves for a container
    // (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task_definition_parameters.html#container_definition_memory).
    this.node.addValidation({
      validate: () => {
        const others = this.otherMemoryReservations();
        const reserved = others.reduce((sum, o) => sum + o.mib, 0);
        return reserved > 0 && !Token.isUnresolved(this.memoryMiB) && this.memoryMiB - reserved < MIN_CONTAINER_MEMORY_MIB
          ? [`${this.constructor.name} '${this.node.path}': invalid sidecars = ${reserved} MiB reserved${this.logs.router ? ` (with the FireLens log router's ${LOG_ROUTER_MEMORY_RESERVATION_MIB} MiB)` : ''}. The main container needs at least ${MIN_CONTAINER_MEMORY_MIB} MiB of the task's ${this.memoryMiB} MiB: raise memoryMiB or lower the other containers' memory reservations. Reserved by: ${others.map(o => `${o.name} ${o.mib} MiB`).join(', ')}.`]
          : [];
      },
    });

    // Secrets the library does not see (container.addSecret(), escape-hatch containers, log driver secret options) need
    // their endpoint in an isolated cluster too: constructs cannot be added during validation, so synth fails instead.
    this.node.addValidation({ validate: () => this.missingSecretEndpoints() });

    this.logs = new WorkloadLogs(this, workload.logging, this.cluster.encryptionKey);
    this.logGroup = this.logs.logGroup;

    this.securityGroup = new ec2.SecurityGroup(this, 'SecurityGroup', {
      vpc: this.cluster.vpc,
      description: securityGroupDescription(`Tasks of ${this.node.path}`),
      allowAllOutbound: true,
    });

    // A memory hard limit on every container (Control Tower CT.ECS.PR.7) equal to the task's memory, which no container
    // can exceed anyway: nothing changes at run time. ECS counts a container's hard limit as its reservation when it
    // has none, and the reservations must fit in the task memory ("The total amount of memory reserved for all
    // containers within a task must be lower than the task memory value",
    // https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task_definition_parameters.html#container_definition_memory):
    // the main container reserves what the other containers leave, and only containers that reserve memory get a limit.
    this.mainContainer = this.addContainer(workload.main, {
      essential: true,
      gpuCount: workload.gpuCount,
      linuxParameters: workload.linux ? this.linuxParameters(workload.linux) : undefined,
      memoryLimitMiB: this.containerMemoryLimit(),
      memoryReservationMiB: this.containerMemoryLimit() === undefined
        ? undefined : Lazy.uncachedNumber({ produce: () => this.mainMemoryReservation() }),
    });
    for (const sidecar of workload.sidecars) {
      this.addResolvedSidecar(sidecar);
    }
    this.acknowledgeContainerSettings();
    if (this.logs.router) {
      checkImagePullable(this, 'logging.firelensImage', this.logs.router.imageName, this.cluster.vpc);
      // Application containers start after the log router, so no line is lost at start-up.
      for (const container of this.containersByName.values()) {
        container.addContainerDependencies({ container: this.logs.router, condition: ecs.ContainerDependencyCondition.START });
      }
    }
  }

  /** A container of this task by name. */
  public container(name: string): ecs.ContainerDefinition {
    const container = this.containersByName.get(name);
    if (!container) {
      invalidProp(this, 'containerName', name, `The task has the containers ${[...this.containersByName.keys()].map(n => `'${n}'`).join(', ')}.`);
    }
    return container;
  }

  /**
   * Add a sidecar container, validated like those in the `sidecars` prop.
   */
  public addSidecar(options: SidecarOptions): ecs.ContainerDefinition {
    const sidecar = resolveSidecar(this, options, this.platform);
    const containers = [...this.resolvedContainers, sidecar];
    checkContainerSet(this, containers, this.platform, this.logs.router !== undefined);
    this.resolvedContainers.push(sidecar);
    const container = this.addResolvedSidecar(sidecar);
    if (this.logs.router) {
      container.addContainerDependencies({ container: this.logs.router, condition: ecs.ContainerDependencyCondition.START });
    }
    this.acknowledgeContainerSettings();
    return container;
  }

  /** The memory hard limit of containers that reserve memory: the task's memory, when it is known at synth. */
  private containerMemoryLimit(): number | undefined {
    return Token.isUnresolved(this.memoryMiB) ? undefined : this.memoryMiB;
  }

  /**
   * What every other container of the task definition reserves, read when the template is rendered: the sidecars, the
   * log router and containers added through the escape hatch (`taskDefinition.addContainer`). ECS counts a
   * container's reservation, else its hard limit, and nothing for a container with neither (it uses the task's memory
   * without reserving any,
   * https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task_definition_parameters.html#container_definition_memory).
   */
  private otherMemoryReservations(): { name: string; mib: number }[] {
    return this.taskDefinition.node.children
      .filter((c): c is ecs.ContainerDefinition => c instanceof ecs.ContainerDefinition && c !== this.mainContainer)
      .map(c => {
        const rendered = c.renderContainerDefinition();
        const mib = rendered.memoryReservation ?? rendered.memory ?? 0;
        return { name: c.containerName, mib: Token.isUnresolved(mib) ? 0 : mib };
      })
      .filter(o => o.mib > 0);
  }

  /**
   * The secrets of every container (and of its log driver) whose service has no interface endpoint in a VPC the cluster
   * created without NAT gateways and manages the endpoints of: ECS reads secrets through the task's network interface
   * when the task starts (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/specifying-sensitive-data.html),
   * so such a task would never start. Secrets given to the library ask the cluster for their endpoint; these did not.
   */
  private missingSecretEndpoints(): string[] {
    const vpc = this.cluster.vpc;
    const managed = vpc instanceof ec2.Vpc && vpc.node.tryFindChild(interfaceEndpointId(ec2.InterfaceVpcEndpointAwsService.ECR)) !== undefined;
    if (!managed || vpc.privateSubnets.length > 0) {
      return [];
    }
    const stack = Stack.of(this);
    const endpointServices = new Set(vpc.node.children
      .filter(c => c instanceof ec2.InterfaceVpcEndpoint)
      .map(c => JSON.stringify(stack.resolve((c.node.defaultChild as ec2.CfnVPCEndpoint).serviceName))));
    const services = {
      secretsmanager: { service: ec2.InterfaceVpcEndpointAwsService.SECRETS_MANAGER, title: 'Secrets Manager', constant: 'SECRETS_MANAGER' },
      ssm: { service: ec2.InterfaceVpcEndpointAwsService.SSM, title: 'SSM Parameter Store', constant: 'SSM' },
    };
    const problems: string[] = [];
    for (const container of this.taskDefinition.node.children.filter((c): c is ecs.ContainerDefinition => c instanceof ecs.ContainerDefinition)) {
      const rendered = stack.resolve(container.renderContainerDefinition());
      const secrets: { name: string; valueFrom: unknown }[] = [...(rendered.secrets ?? []), ...(rendered.logConfiguration?.secretOptions ?? [])];
      for (const secret of secrets) {
        const valueFrom = typeof secret.valueFrom === 'string' ? secret.valueFrom : JSON.stringify(secret.valueFrom);
        // A parameter's ARN names the ssm service; a value that is no ARN is a parameter name (ECS reads secrets from
        // Secrets Manager and SSM Parameter Store only).
        const kind = /:ssm:|:parameter\//.test(valueFrom) || (typeof secret.valueFrom === 'string' && !valueFrom.startsWith('arn:'))
          ? services.ssm : services.secretsmanager;
        if (!endpointServices.has(JSON.stringify(stack.resolve(kind.service.name)))) {
          problems.push(`${this.constructor.name} '${this.node.path}': invalid secrets = ${container.containerName}: ${secret.name} (${kind.title}). `
            + `The cluster's VPC has no NAT gateway and no '${kind.service.shortName}' interface endpoint, so ECS cannot read the secret and the task never starts: `
            + `call cluster.addInterfaceEndpoint(ec2.InterfaceVpcEndpointAwsService.${kind.constant}), or pass the secret in the workload's secrets (or a sidecar's), which adds the endpoint.`);
        }
      }
    }
    return problems;
  }

  /** The main container reserves what the other containers leave (no reservation if they reserve nothing). */
  private mainMemoryReservation(): number | undefined {
    const others = this.otherMemoryReservations().reduce((sum, o) => sum + o.mib, 0);
    return others > 0 ? this.memoryMiB - others : undefined;
  }

  /** The Control Tower controls on container settings the library leaves to the workload author, acknowledged with their reasons. */
  private acknowledgeContainerSettings(): void {
    const sidecars = this.resolvedContainers.filter((c): c is ResolvedSidecar => 'essential' in c);
    const unlimited = sidecars.filter(s => s.memoryReservationMiB === undefined).map(s => s.name);
    if (unlimited.length > 0 || this.containerMemoryLimit() === undefined) {
      const unresolved = this.containerMemoryLimit() === undefined;
      acknowledgeSharedMemorySidecars(this.taskDefinition, unresolved ? [...this.containersByName.keys()] : unlimited, unresolved);
    }
    const root = this.resolvedContainers.filter(c => c.options.user === undefined || isRootUser(c.options.user)).map(c => c.name);
    if (this.logs.router) root.push(this.logs.router.containerName);
    if (root.length > 0) {
      acknowledgeContainerUser(this.taskDefinition, root);
    }
    const writable = this.resolvedContainers.filter(c => !c.readonlyRootFilesystem).map(c => c.name);
    if (writable.length > 0 || this.logs.router) {
      acknowledgeWritableRootFilesystem(this.taskDefinition, writable, this.logs.router !== undefined);
    }
  }

  private addResolvedSidecar(sidecar: ResolvedSidecar): ecs.ContainerDefinition {
    const container = this.addContainer(sidecar, {
      essential: sidecar.essential,
      cpu: sidecar.cpu,
      memoryReservationMiB: sidecar.memoryReservationMiB,
      memoryLimitMiB: sidecar.memoryReservationMiB === undefined ? undefined : this.containerMemoryLimit(),
    });
    if (sidecar.mainContainerWaitsFor !== undefined) {
      this.mainContainer.addContainerDependencies({ container, condition: sidecar.mainContainerWaitsFor });
    }
    return container;
  }

  /**
   * Mount a `SharedVolume` (EFS) into a container: the task volume with transit encryption and IAM authorization,
   * the access point, NFS ingress from this workload's security group only, and `ClientMount`/`ClientWrite`
   * (or read-only) on that access point only in the task role.
   */
  public addVolume(volume: SharedVolume, containerPath: string, options: VolumeMountOptions = {}): void {
    if (this.platform.windows) {
      invalidProp(this, 'volume', volume.node.path,
        'EFS volumes cannot be mounted into Windows containers on Fargate. Use a Linux workload, or Amazon FSx for Windows File Server.');
    }
    if (volume.cluster.vpc !== this.cluster.vpc) {
      invalidProp(this, 'volume', volume.node.path,
        `The volume's mount targets are in the VPC of '${volume.cluster.node.path}', not of this workload's cluster '${this.cluster.node.path}'. Create the SharedVolume with this cluster.`);
    }
    checkVolumeZones(this, volume.node.path, volume.availabilityZones, this.cluster.vpc);
    const containerName = options.containerName ?? this.mainContainer.containerName;
    const container = this.container(containerName);
    if (!/^\/[^\0]*$/.test(containerPath) || containerPath === '/' || containerPath.split('/').includes('..')) {
      invalidProp(this, 'containerPath', containerPath, "Use an absolute path other than '/', without '..', such as '/data'.");
    }
    const paths = this.mountPaths.get(containerName) ?? new Set<string>();
    if (paths.has(containerPath)) {
      invalidProp(this, 'containerPath', containerPath, `Container '${containerName}' already has a volume or writable path at ${containerPath}; mount each path once.`);
    }
    paths.add(containerPath);
    this.mountPaths.set(containerName, paths);

    const readOnly = options.readOnly ?? false;
    const sourceVolume = volume.addToTaskDefinition(this.taskDefinition, { accessPoint: options.accessPoint, readOnly });
    container.addMountPoints({ containerPath, sourceVolume, readOnly });
    // Tasks must not start before the mount targets exist (services depend on their task definition).
    this.taskDefinition.node.addDependency(volume.fileSystem.mountTargetsAvailable);
    volume.allowFrom(this.securityGroup);
  }

  /**
   * Storage (issue 12): declare a volume that ECS configures when it launches each task (an EBS volume that the
   * service carries in its `volumeConfigurations`) and mount it into a container, with the same path checks as
   * `addVolume`. Linux only: ECS attaches EBS volumes to Windows tasks on EC2 only, and this library runs Windows
   * on Fargate (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/using_data_volumes.html).
   *
   * @internal
   */
  public _addLaunchConfiguredVolume(name: string, containerPath: string, options: VolumeMountOptions = {}): void {
    if (this.platform.windows) {
      invalidProp(this, 'ebsVolumes', name,
        'ECS attaches EBS volumes to Windows tasks on EC2 only, and Windows workloads run on Fargate here (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/using_data_volumes.html). Use a Linux workload, or the task\'s ephemeral storage.');
    }
    const containerName = options.containerName ?? this.mainContainer.containerName;
    const container = this.container(containerName);
    if (!/^\/[^\0]*$/.test(containerPath) || containerPath === '/' || containerPath.split('/').includes('..')) {
      invalidProp(this, 'containerPath', containerPath, "Use an absolute path other than '/', without '..', such as '/data'.");
    }
    const paths = this.mountPaths.get(containerName) ?? new Set<string>();
    if (paths.has(containerPath)) {
      invalidProp(this, 'containerPath', containerPath, `Container '${containerName}' already has a volume or writable path at ${containerPath}; mount each path once.`);
    }
    paths.add(containerPath);
    this.mountPaths.set(containerName, paths);
    this.taskDefinition.addVolume({ name, configuredAtLaunch: true });
    container.addMountPoints({ containerPath, sourceVolume: name, readOnly: options.readOnly ?? false });
  }

  private addContainer(resolved: ResolvedContainer, extra: Partial<ecs.ContainerDefinitionOptions>): ecs.ContainerDefinition {
    const { name, options: spec } = resolved;
    const container = this.taskDefinition.addContainer(name, {
      containerName: name,
      image: resolved.image,
      portMappings: portMappings(resolved.ports),
      environment: spec.environment,
      secrets: spec.secrets,
      command: spec.command,
      entryPoint: spec.entryPoint,
      user: spec.user,
      workingDirectory: spec.workingDirectory,
      healthCheck: spec.healthCheck,
      readonlyRootFilesystem: resolved.readonlyRootFilesystem,
      stopTimeout: spec.stopTimeout,
      enableRestartPolicy: spec.restartPolicy ? true : undefined,
      restartIgnoredExitCodes: spec.restartPolicy?.ignoredExitCodes,
      restartAttemptPeriod: spec.restartPolicy?.restartAttemptPeriod,
      logging: this.logs.driverFor(this.taskDefinition, this.taskRole, name),
      ...extra,
    });
    this.containersByName.set(name, container);
    // In a cluster that manages its VPC endpoints, ECS reads these secrets through the Secrets Manager or SSM endpoint.
    this.cluster._requireSecretEndpoints(spec.secrets, this);
    checkImagePullable(this, `${name}: image`, container.imageName, this.cluster.vpc);
    const paths = new Set<string>();
    for (const path of resolved.writablePaths) {
      const volumeName = `writable-${name}-${path.replace(/[^A-Za-z0-9]+/g, '-').replace(/^-|-$/g, '') || 'root'}`;
      this.taskDefinition.addVolume({ name: volumeName });
      container.addMountPoints({ containerPath: path, sourceVolume: volumeName, readOnly: false });
      paths.add(path);
    }
    if (resolved.readonlyRootFilesystem) {
      this.mountPaths.set(name, paths);
    }
    if (spec.environment && Object.keys(spec.environment).length > 0) {
      acknowledgeEnvironmentVariables(this.taskDefinition);
    }
    return container;
  }

  private linuxParameters(linux: ResolvedLinux): ecs.LinuxParameters {
    const params = new ecs.LinuxParameters(this, 'LinuxParameters', {
      initProcessEnabled: linux.initProcessEnabled,
      sharedMemorySize: linux.sharedMemorySizeMiB,
    });
    if (linux.dropCapabilities.length) params.dropCapabilities(...linux.dropCapabilities);
    if (linux.addCapabilities.length) params.addCapabilities(...linux.addCapabilities);
    return params;
  }

  /** The stack of the task definition. */
  public get stack(): Stack {
    return Stack.of(this);
  }
}
