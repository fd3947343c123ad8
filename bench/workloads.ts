/**
 * The workloads the benchmark builds, with this library and with aws-ecs-patterns, in the same account, region and
 * network shape (a new VPC over 2 AZs with public and private subnets and a NAT gateway per AZ).
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { CfnGuardValidator } from '@cdklabs/cdk-validator-cfnguard';
import { App, Stack, Validations } from 'aws-cdk-lib';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as ecsPatterns from 'aws-cdk-lib/aws-ecs-patterns';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import { AwsSolutionsChecks, HIPAASecurityChecks, NIST80053R5Checks, PCIDSS321Checks } from 'cdk-nag';
import { BackendService, FoundryCluster, NetworkService, WebLoadBalancer, WebService, WorkerService } from '../src';

/** One account and region for every stack (AZ-dependent constructs need a concrete environment). */
export const ENV = { account: '123456789012', region: 'us-east-1' };
export const STACK_NAME = 'Bench';
export const CERTIFICATE_ARN = 'arn:aws:acm:us-east-1:123456789012:certificate/11111111-2222-3333-4444-555555555555';
export const IMAGE = 'public.ecr.aws/nginx/nginx:stable';
export const CONTAINER_PORT = 8080;

/** The workloads, by the key the child process and the report use. */
export const WORKLOADS = {
  'ours-web-shared-alb': 'this library: FoundryCluster, one WebLoadBalancer (imported certificate), N WebServices routed by host header',
  'peer-web-own-alb': 'aws-ecs-patterns: ecs.Cluster + ec2.Vpc, N ApplicationLoadBalancedFargateServices, each with its own ALB (HTTPS, same certificate, HTTP redirect)',
  'peer-web-shared-alb': 'aws-ecs-patterns: ecs.Cluster + ec2.Vpc, one ApplicationLoadBalancer, N ApplicationLoadBalancedFargateServices each passed its own reference to it (`fromApplicationLoadBalancerAttributes`) as `loadBalancer`, with an HTTPS listener on port 10000+i and the same certificate',
  'ours-web-shared-alb-no-alarms': 'as ours-web-shared-alb, with `alarms: { enabled: false }` on every WebService (aws-ecs-patterns creates no alarms)',
  'ours-network': 'this library: FoundryCluster, N NetworkServices (TCP, each with its own internal NLB)',
  'peer-network': 'aws-ecs-patterns: ecs.Cluster + ec2.Vpc, N NetworkLoadBalancedFargateServices (TCP, each with its own internal NLB)',
  'ours-worker': 'this library: FoundryCluster, N WorkerServices (each with its own SQS queue and dead-letter queue, scaling on the backlog per task)',
  'peer-queue-processing': 'aws-ecs-patterns: ecs.Cluster + ec2.Vpc, N QueueProcessingFargateServices (each with its own SQS queue and dead-letter queue, step scaling on visible messages)',
  'ours-backend': 'this library: FoundryCluster, N BackendServices (internal, reachable through Service Connect; aws-ecs-patterns has no such pattern)',
} as const;
export type Workload = keyof typeof WORKLOADS;
export const WORKLOAD_KEYS = Object.keys(WORKLOADS) as Workload[];

/** The name the Control Tower proactive controls plugin (`@cdklabs/cdk-validator-cfnguard`) reports its findings under. */
export const CFN_GUARD_PLUGIN = new CfnGuardValidator().name;

export interface AppOptions {
  /**
   * Run the four cdk-nag packs, the AWS Control Tower proactive controls (cfn-guard, the fifth pack of the compliance
   * harness) and aws-cdk-lib's CloudFormation validation at synth (findings are reported, not thrown).
   */
  readonly validation: boolean;
  /** Let synth go past CloudFormation's 500-resource limit (to count what a too-large stack would hold). */
  readonly unlimitedResources?: boolean;
}

/** A fresh App writing to its own temporary directory. */
export function newApp(options: AppOptions): App {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'foundry-bench-'));
  const context: Record<string, unknown> = {};
  if (options.validation) {
    context['@aws-cdk/core:validateAgainstDefaultRules'] = true;
    context['@aws-cdk/core:failSynthOnValidationErrors'] = false;
  }
  if (options.unlimitedResources) {
    context['@aws-cdk/core:stackResourceLimit'] = 0;
  }
  const app = new App({ outdir, context });
  if (options.validation) {
    Validations.of(app).addPlugins(
      new AwsSolutionsChecks(app),
      new NIST80053R5Checks(app),
      new HIPAASecurityChecks(app),
      new PCIDSS321Checks(app),
      new CfnGuardValidator(),
    );
  }
  return app;
}

/** Remove an App's output directory. */
export function cleanUp(app: App): void {
  fs.rmSync(app.outdir, { recursive: true, force: true });
}

/** Build `count` services of a workload into one stack of the app. */
export function build(app: App, workload: Workload, count: number): Stack {
  const stack = new Stack(app, STACK_NAME, { env: ENV });
  const image = ecs.ContainerImage.fromRegistry(IMAGE);
  const certificate = acm.Certificate.fromCertificateArn(stack, 'Certificate', CERTIFICATE_ARN);
  switch (workload) {
    case 'ours-web-shared-alb':
    case 'ours-web-shared-alb-no-alarms': {
      const cluster = new FoundryCluster(stack, 'Cluster');
      // An ALB holds at most 100 target groups (one per service): one WebLoadBalancer per 100 services, so the
      // benchmark can probe past one load balancer to find the stack's own limits. The first keeps the id 'Alb'.
      const albs: WebLoadBalancer[] = [];
      const alarms = workload === 'ours-web-shared-alb-no-alarms' ? { enabled: false } : undefined;
      for (let i = 0; i < count; i++) {
        const n = Math.floor(i / 100);
        albs[n] ??= new WebLoadBalancer(stack, n === 0 ? 'Alb' : `Alb${n + 1}`, { cluster, certificate });
        new WebService(stack, `Web${i}`, { cluster, loadBalancer: albs[n], hostHeaders: [`web${i}.example.com`], image, port: CONTAINER_PORT, alarms });
      }
      break;
    }
    case 'ours-network': {
      const cluster = new FoundryCluster(stack, 'Cluster');
      for (let i = 0; i < count; i++) {
        new NetworkService(stack, `Net${i}`, { cluster, image, port: CONTAINER_PORT });
      }
      break;
    }
    case 'ours-worker': {
      const cluster = new FoundryCluster(stack, 'Cluster');
      for (let i = 0; i < count; i++) {
        new WorkerService(stack, `Worker${i}`, { cluster, image });
      }
      break;
    }
    case 'ours-backend': {
      const cluster = new FoundryCluster(stack, 'Cluster');
      for (let i = 0; i < count; i++) {
        new BackendService(stack, `Backend${i}`, { cluster, image, port: CONTAINER_PORT });
      }
      break;
    }
    case 'peer-queue-processing': {
      const cluster = peerCluster(stack);
      for (let i = 0; i < count; i++) {
        new ecsPatterns.QueueProcessingFargateService(stack, `Worker${i}`, { cluster, image });
      }
      break;
    }
    case 'peer-web-own-alb': {
      const cluster = peerCluster(stack);
      for (let i = 0; i < count; i++) {
        new ecsPatterns.ApplicationLoadBalancedFargateService(stack, `Web${i}`, {
          cluster,
          certificate,
          redirectHTTP: true,
          taskImageOptions: { image, containerPort: CONTAINER_PORT },
        });
      }
      break;
    }
    case 'peer-web-shared-alb': {
      const cluster = peerCluster(stack);
      const alb = new elbv2.ApplicationLoadBalancer(stack, 'Alb', { vpc: cluster.vpc, internetFacing: true });
      for (let i = 0; i < count; i++) {
        // The pattern adds its listener under the fixed id 'PublicListener' to the load balancer it is given, so one
        // ALB object cannot serve two services: each service gets its own reference to the shared ALB.
        const shared = elbv2.ApplicationLoadBalancer.fromApplicationLoadBalancerAttributes(stack, `AlbRef${i}`, {
          loadBalancerArn: alb.loadBalancerArn,
          securityGroupId: alb.connections.securityGroups[0].securityGroupId,
          loadBalancerDnsName: alb.loadBalancerDnsName,
          loadBalancerCanonicalHostedZoneId: alb.loadBalancerCanonicalHostedZoneId,
          vpc: cluster.vpc,
        });
        new ecsPatterns.ApplicationLoadBalancedFargateService(stack, `Web${i}`, {
          cluster,
          loadBalancer: shared,
          listenerPort: 10_000 + i,
          certificate,
          taskImageOptions: { image, containerPort: CONTAINER_PORT },
        });
      }
      break;
    }
    case 'peer-network': {
      const cluster = peerCluster(stack);
      for (let i = 0; i < count; i++) {
        new ecsPatterns.NetworkLoadBalancedFargateService(stack, `Net${i}`, {
          cluster,
          publicLoadBalancer: false,
          listenerPort: CONTAINER_PORT,
          taskImageOptions: { image, containerPort: CONTAINER_PORT },
        });
      }
      break;
    }
    default:
      throw new Error(`Unknown workload '${workload as string}'; use one of ${WORKLOAD_KEYS.join(', ')}.`);
  }
  return stack;
}

/** The peer's cluster: the same network shape as FoundryCluster's default (2 AZs, a NAT gateway per AZ). */
function peerCluster(stack: Stack): ecs.Cluster {
  return new ecs.Cluster(stack, 'Cluster', { vpc: new ec2.Vpc(stack, 'Vpc', { maxAzs: 2 }) });
}
