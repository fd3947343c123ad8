import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { FoundryCluster, FoundryTaskDefinition, FoundryTaskDefinitionProps, NatGatewayStrategy } from '../../src';
import { imageSource } from '../../src/workload/deploy-checks';
import { plainStack } from '../support/stacks';

const nginx = ecs.ContainerImage.fromRegistry('public.ecr.aws/nginx/nginx:stable');
const busybox = ecs.ContainerImage.fromRegistry('public.ecr.aws/docker/library/busybox:stable');

const taskDefOf = (t: Template) => Object.values<any>(t.findResources('AWS::ECS::TaskDefinition'))[0].Properties;
const containerOf = (t: Template, name: string) => taskDefOf(t).ContainerDefinitions.find((c: any) => c.Name === name);

/** The container definitions of a blocking and a non-blocking FireLens workload. */
function firelensContainerDefinitions(): any[][] {
  const stack = plainStack('Firelens');
  const cluster = new FoundryCluster(stack, 'Cluster');
  new FoundryTaskDefinition(stack, 'Blocking', { cluster, image: nginx, logging: { firelens: true } });
  new FoundryTaskDefinition(stack, 'NonBlocking', { cluster, image: nginx, logging: { firelens: true, nonBlocking: true } });
  return Object.values<any>(Template.fromStack(stack).findResources('AWS::ECS::TaskDefinition')).map(r => r.Properties.ContainerDefinitions);
}

/** A workload with ECS Exec, a read-only sidecar and one with a writable root. */
function execTemplate(): Template {
  const stack = plainStack('Exec');
  const cluster = new FoundryCluster(stack, 'Cluster');
  new FoundryTaskDefinition(stack, 'Debuggable', {
    cluster,
    image: nginx,
    enableExecuteCommand: true,
    // What a service passed before: the agent's own log bind mount path (a duplicate mount point for Docker).
    writablePaths: ['/tmp', '/var/lib/amazon/ssm', '/var/log/amazon/ssm'],
    sidecars: [{ name: 'proxy', image: busybox }, { name: 'legacy', image: busybox, readonlyRootFilesystem: false }],
  });
  return Template.fromStack(stack);
}

describe('FireLens delivery follows logging.nonBlocking', () => {
  let defs: any[][];
  let blocking: any[];
  let nonBlocking: any[];
  beforeAll(() => {
    defs = firelensContainerDefinitions();
    [blocking, nonBlocking] = defs;
  });
  const find = (cs: any[], name: string) => cs.find((c: any) => c.Name === name);

  test('blocking (the default): the router never gives up on a chunk and its own awslogs stream blocks', () => {
    expect(find(blocking, 'app').LogConfiguration.Options.retry_limit).toBe('False');
    expect(find(blocking, 'log-router').LogConfiguration.Options.mode).toBe('blocking');
  });

  test('non-blocking: the router gives up after 2 retries and its own awslogs stream does not block', () => {
    expect(find(nonBlocking, 'app').LogConfiguration.Options.retry_limit).toBe('2');
    expect(find(nonBlocking, 'log-router').LogConfiguration.Options).toMatchObject({ 'mode': 'non-blocking', 'max-buffer-size': '26214400b' });
  });

  test('awsfirelens options carry no docker option that the ECS agent would hand to Fluent Bit as an output property', () => {
    for (const cs of defs) {
      expect(Object.keys(find(cs, 'app').LogConfiguration.Options)).not.toEqual(expect.arrayContaining(['mode']));
      expect(Object.keys(find(cs, 'app').LogConfiguration.Options)).not.toEqual(expect.arrayContaining(['max-buffer-size']));
    }
  });
});

describe('images that tasks in isolated subnets cannot pull are rejected at synth', () => {
  const stack = plainStack('Isolated');
  const isolated = new FoundryCluster(stack, 'Cluster', { natGateways: NatGatewayStrategy.NONE });
  const repo = new ecr.Repository(stack, 'Repo');
  const otherRegion = ecr.Repository.fromRepositoryArn(stack, 'Far', 'arn:aws:ecr:eu-west-1:123456789012:repository/far');
  let n = 0;
  const make = (props: Partial<FoundryTaskDefinitionProps>) => () =>
    new FoundryTaskDefinition(stack, `Td${n++}`, { cluster: isolated, image: ecs.ContainerImage.fromEcrRepository(repo, '1'), ...props } as FoundryTaskDefinitionProps);

  test.each<[string, Partial<FoundryTaskDefinitionProps>, RegExp]>([
    ['a public.ecr.aws image', { image: nginx }, /invalid app: image = 'public\.ecr\.aws\/nginx\/nginx:stable'\. The tasks run in isolated subnets \(no NAT gateway\), which reach no public registry\. Copy the image into a private ECR repository/],
    ['a Docker Hub image', { image: ecs.ContainerImage.fromRegistry('nginx:1.27') }, /invalid app: image = 'nginx:1\.27'\. The tasks run in isolated subnets/],
    ['a sidecar from ghcr.io', { sidecars: [{ name: 'agent', image: ecs.ContainerImage.fromRegistry('ghcr.io/acme/agent:1') }] }, /invalid agent: image = 'ghcr\.io\/acme\/agent:1'/],
    ['ECR of another region', { image: ecs.ContainerImage.fromRegistry('123456789012.dkr.ecr.eu-west-1.amazonaws.com/app:1') }, /whose ECR endpoints serve us-east-1 only, not eu-west-1/],
    ['an imported ECR repository of another region', { image: ecs.ContainerImage.fromEcrRepository(otherRegion, '1') }, /whose ECR endpoints serve us-east-1 only, not eu-west-1/],
    ['the default FireLens router image', { logging: { firelens: true } }, /invalid logging\.firelensImage = 'public\.ecr\.aws\/aws-observability\/aws-for-fluent-bit:stable'\. The tasks run in isolated subnets/],
  ])('%s', (_name, props, message) => {
    expect(make(props)).toThrow(message);
  });

  test('private ECR of this region, by construct or by name, and a FireLens router copied there are accepted', () => {
    expect(make({})).not.toThrow();
    expect(make({ image: ecs.ContainerImage.fromRegistry('123456789012.dkr.ecr.us-east-1.amazonaws.com/pull-through/nginx:1') })).not.toThrow();
    expect(make({ logging: { firelens: true, firelensImage: ecs.ContainerImage.fromEcrRepository(repo, 'fluent-bit') } })).not.toThrow();
  });

  test('with a NAT gateway public images stay allowed', () => {
    const natStack = plainStack('Nat');
    const cluster = new FoundryCluster(natStack, 'Cluster', { natGateways: NatGatewayStrategy.SINGLE });
    expect(() => new FoundryTaskDefinition(natStack, 'Web', { cluster, image: nginx, logging: { firelens: true } })).not.toThrow();
  });

  test('firelensImage without FireLens is a mistake', () => {
    expect(make({ logging: { firelensImage: busybox } })).toThrow(/invalid logging\.firelensImage = 'RepositoryImage'\. The image is that of the FireLens log router/);
  });

  test('image names are classified by registry', () => {
    expect(imageSource('123456789012.dkr.ecr.us-east-1.amazonaws.com/app:1')).toEqual({ kind: 'ecr', region: 'us-east-1' });
    expect(imageSource('123456789012.dkr.ecr-fips.us-gov-west-1.amazonaws.com/app:1')).toEqual({ kind: 'ecr', region: 'us-gov-west-1' });
    expect(imageSource('123456789012.dkr.ecr.cn-north-1.amazonaws.com.cn/app:1')).toEqual({ kind: 'ecr', region: 'cn-north-1' });
    expect(imageSource('public.ecr.aws/nginx/nginx:stable').kind).toBe('public');
    expect(imageSource('busybox').kind).toBe('public');
    const tokenRegion = `123456789012.dkr.ecr.${Stack.of(new Stack()).region}.amazonaws.com/app:1`;
    expect(imageSource(tokenRegion)).toEqual({ kind: 'ecr', region: undefined });
  });
});

describe('ECS Exec with a read-only root file system', () => {
  let template: Template;
  beforeAll(() => {
    template = execTemplate();
  });
  const paths = (name: string) => (containerOf(template, name).MountPoints ?? []).map((m: any) => m.ContainerPath).sort();

  test('every container with a read-only root gets /var/lib/amazon and /var/log/amazon writable', () => {
    expect(paths('app')).toEqual(['/tmp', '/var/lib/amazon', '/var/log/amazon']);
    expect(paths('proxy')).toEqual(['/tmp', '/var/lib/amazon', '/var/log/amazon']);
  });

  test('no task volume sits at /var/log/amazon/ssm, where the ECS agent bind-mounts the SSM agent logs', () => {
    for (const c of taskDefOf(template).ContainerDefinitions) {
      expect((c.MountPoints ?? []).map((m: any) => m.ContainerPath)).not.toContain('/var/log/amazon/ssm');
    }
  });

  test('a container with a writable root needs nothing', () => {
    expect(paths('legacy')).toEqual([]);
  });

  test('without exec nothing is added', () => {
    const plain = plainStack('NoExec');
    new FoundryTaskDefinition(plain, 'Web', { cluster: new FoundryCluster(plain, 'Cluster'), image: nginx });
    expect(containerOf(Template.fromStack(plain), 'app').MountPoints.map((m: any) => m.ContainerPath)).toEqual(['/tmp']);
  });
});

describe('secrets and parameters of another partition are rejected', () => {
  const stack = plainStack('Partition');
  const cluster = new FoundryCluster(stack, 'Cluster');
  let n = 0;
  const make = (secrets: Record<string, ecs.Secret>) => () => new FoundryTaskDefinition(stack, `Td${n++}`, { cluster, image: nginx, secrets });

  test.each<[string, () => ecs.Secret, RegExp]>([
    ['a China secret in an aws stack', () => ecs.Secret.fromSecretsManager(secretsmanager.Secret.fromSecretCompleteArn(stack, 'Cn', 'arn:aws-cn:secretsmanager:cn-north-1:123456789012:secret:db-AbCdEf')),
      /invalid app: secrets\.S = 'arn:aws-cn:secretsmanager:cn-north-1:123456789012:secret:db-AbCdEf'\. This secret is in the aws-cn partition and the task in aws; ECS cannot read across partitions/],
    ['a GovCloud secret in an aws stack', () => ecs.Secret.fromSecretsManager(secretsmanager.Secret.fromSecretCompleteArn(stack, 'Gov', 'arn:aws-us-gov:secretsmanager:us-gov-west-1:123456789012:secret:db-AbCdEf')),
      /This secret is in the aws-us-gov partition and the task in aws/],
  ])('%s', (_name, secret, message) => {
    expect(make({ S: secret() })).toThrow(message);
  });

  test('a China stack reading an aws secret is rejected too, and a same-partition secret of another region is fine', () => {
    const app = new App();
    const cn = new Stack(app, 'Cn', { env: { account: '123456789012', region: 'cn-north-1' } });
    const cnCluster = new FoundryCluster(cn, 'Cluster');
    const awsSecret = secretsmanager.Secret.fromSecretCompleteArn(cn, 'Aws', 'arn:aws:secretsmanager:us-east-1:123456789012:secret:db-AbCdEf');
    expect(() => new FoundryTaskDefinition(cn, 'Td', { cluster: cnCluster, image: nginx, secrets: { S: ecs.Secret.fromSecretsManager(awsSecret) } }))
      .toThrow(/This secret is in the aws partition and the task in aws-cn/);
    const sameCn = secretsmanager.Secret.fromSecretCompleteArn(cn, 'Ok', 'arn:aws-cn:secretsmanager:cn-northwest-1:123456789012:secret:db-AbCdEf');
    expect(() => new FoundryTaskDefinition(cn, 'Td2', { cluster: cnCluster, image: nginx, secrets: { S: ecs.Secret.fromSecretsManager(sameCn) } })).not.toThrow();
  });
});

describe('task definition quotas', () => {
  const stack = plainStack('Quotas');
  const cluster = new FoundryCluster(stack, 'Cluster');
  const sidecars = (count: number) => Array.from({ length: count }, (_, i) => ({ name: `s${i}`, image: busybox }));

  test('10 containers are accepted, 11 are not (the FireLens router counts)', () => {
    expect(() => new FoundryTaskDefinition(stack, 'Ten', { cluster, image: nginx, sidecars: sidecars(9) })).not.toThrow();
    expect(() => new FoundryTaskDefinition(stack, 'Eleven', { cluster, image: nginx, sidecars: sidecars(10) }))
      .toThrow(/invalid sidecars = '11 containers with 's9''\. A task definition holds at most 10 containers/);
    expect(() => new FoundryTaskDefinition(stack, 'Routed', { cluster, image: nginx, sidecars: sidecars(9), logging: { firelens: true } }))
      .toThrow(/invalid sidecars = '11 containers with 's8''\. .*and the FireLens log router/);
  });

  test('addSidecar() counts too', () => {
    const td = new FoundryTaskDefinition(stack, 'Grows', { cluster, image: nginx, sidecars: sidecars(9) });
    expect(() => td.addSidecar({ name: 'late', image: busybox })).toThrow(/at most 10 containers/);
  });

  test('a task definition above 64 KiB fails synthesis with the fix', () => {
    const big = plainStack('Big');
    new FoundryTaskDefinition(big, 'Huge', { cluster: new FoundryCluster(big, 'Cluster'), image: nginx, environment: { BLOB: 'x'.repeat(70 * 1024) } });
    expect(() => Template.fromStack(big)).toThrow(/FoundryTaskDefinition 'Big\/Huge': invalid task definition size\. The task definition is \d+ KiB; ECS accepts at most 64 KiB/);
    const fine = plainStack('Fine');
    new FoundryTaskDefinition(fine, 'Ok', { cluster: new FoundryCluster(fine, 'Cluster'), image: nginx, environment: { BLOB: 'x'.repeat(60 * 1024) } });
    expect(() => Template.fromStack(fine)).not.toThrow();
  });
});
