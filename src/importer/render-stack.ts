import { camelCase, CodeObject, isEmptyObject, pascalCase, raw, render, str } from './code';
import { ManifestKind } from './field-registry';
import { showValue } from './manifest-fields';
import { EnvironmentModel } from './map-environment';
import { WorkloadModel } from './map-workload';

/** What the stack of one environment is rendered from. */
export interface StackModel {
  readonly application: string;
  readonly environment: EnvironmentModel;
  readonly environmentFile: string;
  readonly workloads: Array<WorkloadModel & { readonly file: string }>;
  /** Problems found while wiring workloads together (a subscription to an unknown topic), reported by the caller. */
  readonly problems: Array<{ file: string; field: string; value: string; instead: string }>;
}

/** The class name of an environment's stack: 'TestStack'. */
export function stackClassName(env: string): string {
  return `${pascalCase(env)}Stack`;
}

/** The file of an environment's stack, under lib/: 'test-stack.ts'. */
export function stackFileName(env: string): string {
  return `${env.toLowerCase().replace(/[^a-z0-9]+/g, '-')}-stack.ts`;
}

const ORDER = [ManifestKind.BACKEND, ManifestKind.WEB, ManifestKind.WORKER, ManifestKind.JOB];

/** Render the TypeScript of one environment's stack. */
export function renderStack(model: StackModel): string {
  const env = model.environment;
  const body: string[] = [];
  const line = (text = '') => body.push(text);
  const workloads = [...model.workloads].sort((a, b) => ORDER.indexOf(a.kind) - ORDER.indexOf(b.kind) || a.name.localeCompare(b.name));
  const backends = workloads.filter(w => w.serviceConnectServer);

  const clusterProps: CodeObject = { ...env.clusterProps };
  if (backends.length > 0) {
    // Copilot's Service Connect namespace of an environment.
    clusterProps.serviceConnectNamespace = str(`${env.name}.${model.application}.local`);
  }
  line(`// Copilot environment '${env.name}' (${model.environmentFile}).`);
  line(isEmptyObject(clusterProps)
    ? "const cluster = new FoundryCluster(this, 'Cluster');"
    : `const cluster = new FoundryCluster(this, 'Cluster', ${render(clusterProps)});`);

  const web = workloads.filter(w => w.kind === ManifestKind.WEB);
  if (web.length > 0) {
    const lbProps: CodeObject = { cluster: raw('cluster'), ...env.loadBalancerProps };
    line();
    if (env.certificateArn) {
      line('// The environment\'s public load balancer, shared by its web services: HTTPS, HTTP redirected to HTTPS.');
      lbProps.certificate = raw(`acm.Certificate.fromCertificateArn(this, 'Certificate', ${str(env.certificateArn).text})`);
    } else {
      line('// The environment\'s public load balancer, shared by its web services. The Copilot environment has no certificate,');
      line('// so it serves plain HTTP as Copilot did: add http.public.certificates (here: certificate) for HTTPS.');
      lbProps.allowHttp = raw('true');
    }
    line(`const loadBalancer = new WebLoadBalancer(this, 'PublicLoadBalancer', ${render(lbProps)});`);
  }

  const topics = new Map<string, { varName: string }>();
  for (const w of workloads) {
    for (const t of w.publishes) {
      if (topics.size === 0) {
        line();
        line('// Topics the services publish to (Copilot publish.topics), encrypted with the cluster key.');
      }
      topics.set(`${w.name}/${t.name}`, t);
      line(`const ${t.varName} = new sns.Topic(this, ${str(t.id).text}, { masterKey: cluster.encryptionKey, enforceSSL: true });`);
    }
  }

  for (const w of workloads) {
    line();
    line(`// ${w.kind} '${w.name}' (${w.file}).`);
    for (const v of w.volumes) {
      const props: CodeObject = { cluster: raw('cluster'), ...v.props };
      line(`const ${v.varName} = new SharedVolume(this, ${str(v.id).text}, ${render(props)});`);
    }
    const props: CodeObject = { cluster: raw('cluster') };
    if (w.kind === ManifestKind.WEB) props.loadBalancer = raw('loadBalancer');
    Object.assign(props, w.props);
    // The variables Copilot sets in every container of a workload (partials/cf/envvars-common.yml): the manifest's own
    // variables of the same names win. COPILOT_SERVICE_DISCOVERY_ENDPOINT is reported instead (see below).
    const copilotVariables: CodeObject = {
      COPILOT_APPLICATION_NAME: str(model.application),
      COPILOT_ENVIRONMENT_NAME: str(env.name),
      COPILOT_SERVICE_NAME: str(w.name),
    };
    if (w.kind === ManifestKind.WEB) copilotVariables.COPILOT_LB_DNS = raw('loadBalancer.loadBalancer.loadBalancerDnsName');
    props.environment = { ...copilotVariables, ...((props.environment ?? {}) as CodeObject) };
    if (w.serviceConnectServer) {
      model.problems.push({
        file: w.file,
        field: 'COPILOT_SERVICE_DISCOVERY_ENDPOINT',
        value: `${w.name}.${env.name}.${model.application}.local`,
        instead: `Copilot also registered this name in Cloud Map (service discovery, COPILOT_SERVICE_DISCOVERY_ENDPOINT = ${env.name}.${model.application}.local). Here callers reach the backend through Service Connect as http://<discoveryName>:<port>: change callers that use the .local name (or set \`dnsName\` on the BackendService to it).`,
      });
    }
    if (w.publishes.length > 0) {
      const arns: CodeObject = {};
      for (const t of w.publishes) arns[t.name] = raw(`${t.varName}.topicArn`);
      const environment = (props.environment ?? {}) as CodeObject;
      // Copilot gives publishers their topics' ARNs as JSON in COPILOT_SNS_TOPIC_ARNS.
      props.environment = { ...environment, COPILOT_SNS_TOPIC_ARNS: raw(`this.toJsonString(${render(arns, 2)})`) };
    }
    const used = w.volumes.length > 0 || w.publishes.length > 0 || w.serviceConnectServer
      || (w.kind !== ManifestKind.JOB && backends.length > 0) || w.kind === ManifestKind.WORKER;
    const declaration = used ? `const ${w.varName} = ` : '';
    line(`${declaration}new ${w.construct}(this, ${str(w.id).text}, ${render(props)});`);
    for (const v of w.volumes) {
      line(v.readOnly
        ? `${w.varName}.addVolume(${v.varName}, ${str(v.path).text}, { readOnly: true });`
        : `${w.varName}.addVolume(${v.varName}, ${str(v.path).text});`);
    }
    const taskRole = w.kind === ManifestKind.JOB ? `${w.varName}.workload.taskRole` : `${w.varName}.taskRole`;
    if (w.publishes.length > 0) {
      // sns:Publish on exactly its topics, and the two key actions SNS performs with the publisher's permissions on an
      // encrypted topic (https://docs.aws.amazon.com/sns/latest/dg/sns-key-management.html): no kms:GenerateDataKey*
      // wildcard (grantPublish's), which the compliance packs flag.
      const resources = w.publishes.map(t => `${t.varName}.topicArn`).join(', ');
      line(`${taskRole}.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['sns:Publish'], resources: [${resources}] }));`);
      line(`cluster.encryptionKey.grant(${taskRole}, 'kms:Decrypt', 'kms:GenerateDataKey');`);
    }
  }

  const clients = workloads.filter(w => w.kind !== ManifestKind.JOB && !w.serviceConnectServer);
  const connections = backends.length > 0 ? clients.flatMap(c => backends.map(b => `${c.varName}.connectTo(${b.varName});`)) : [];
  const backendPairs = backends.flatMap(a => backends.filter(b => b !== a).map(b => `${a.varName}.connectTo(${b.varName});`));
  if (connections.length + backendPairs.length > 0) {
    line();
    line('// Copilot lets the services of an environment call its backends by name (Service Connect): the same paths here.');
    for (const c of [...connections, ...backendPairs]) line(c);
  }

  const subscriptions: string[] = [];
  for (const w of workloads) {
    for (const s of w.subscribes) {
      const topic = topics.get(`${s.service}/${s.topic}`);
      if (!topic) {
        model.problems.push({ file: w.file, field: 'subscribe.topics[]', value: `${s.service}/${s.topic}`, instead: `No service '${s.service}' of the workspace publishes a topic '${s.topic}' (publish.topics): subscribe the worker's queue to that topic by hand.` });
        continue;
      }
      const sub = `new subscriptions.SqsSubscription(${w.varName}.queue)`;
      if (s.filterPolicy === undefined || s.filterPolicy === null) {
        subscriptions.push(`${topic.varName}.addSubscription(${sub});`);
      } else {
        const subVar = camelCase(`${w.name}-${s.topic}-subscription`);
        subscriptions.push(`const ${subVar} = ${topic.varName}.addSubscription(${sub});`);
        subscriptions.push(`(${subVar}.node.defaultChild as sns.CfnSubscription).filterPolicy = ${jsonCode(s.filterPolicy)};`);
      }
    }
  }
  if (subscriptions.length > 0) {
    line();
    line('// Workers\' subscriptions (Copilot subscribe.topics): SNS delivers to the worker\'s encrypted queue.');
    for (const s of subscriptions) line(s);
  }

  const text = body.map(l => (l ? `    ${l.replace(/\n/g, '\n    ')}` : '')).join('\n');
  const usedNames = ['BackendService', 'Capacity', 'FoundryCluster', 'ScheduledTask', 'Schedule', 'SharedVolume', 'WebLoadBalancer', 'WebService', 'WorkerService']
    .filter(n => new RegExp(`\\b${n}\\b`).test(text));
  const core = ['Duration', 'Fn', 'Stack', 'StackProps'].filter(n => n === 'Stack' || n === 'StackProps' || new RegExp(`\\b${n}\\.`).test(text));
  const modules: Array<[string, string]> = [
    ['acm', 'aws-cdk-lib/aws-certificatemanager'], ['ecr', 'aws-cdk-lib/aws-ecr'], ['ecr_assets', 'aws-cdk-lib/aws-ecr-assets'], ['ecs', 'aws-cdk-lib/aws-ecs'], ['iam', 'aws-cdk-lib/aws-iam'], ['logs', 'aws-cdk-lib/aws-logs'], ['secretsmanager', 'aws-cdk-lib/aws-secretsmanager'],
    ['sns', 'aws-cdk-lib/aws-sns'], ['subscriptions', 'aws-cdk-lib/aws-sns-subscriptions'], ['ssm', 'aws-cdk-lib/aws-ssm'],
  ];
  const imports = [
    ...(/\bpath\.join\(/.test(text) ? ["import * as path from 'path';"] : []),
    `import { ${core.join(', ')} } from 'aws-cdk-lib';`,
    ...modules.filter(([alias]) => new RegExp(`(?<![.\\w])${alias}\\.[A-Z]`).test(text)).map(([alias, mod]) => `import * as ${alias} from '${mod}';`),
    "import { Construct } from 'constructs';",
    `import { ${usedNames.join(', ')} } from 'cdk-ecs-foundry';`,
  ];
  return [
    ...imports,
    '',
    '/**',
    ` * The Copilot environment '${env.name}' of the application '${model.application}': its cluster, services and jobs.`,
    ' *',
    ' * Generated by `cdk-ecs-foundry import-copilot`; edit it like any other code. It creates new resources next to',
    ' * the Copilot ones (see "Coming from Copilot" in the cdk-ecs-foundry README for moving traffic over).',
    ' */',
    `export class ${stackClassName(env.name)} extends Stack {`,
    '  constructor(scope: Construct, id: string, props?: StackProps) {',
    '    super(scope, id, props);',
    '',
    text,
    '  }',
    '}',
    '',
  ].join('\n');
}

/** A JSON-like YAML value as a TypeScript literal. */
function jsonCode(value: unknown): string {
  return render(toCode(value), 0);
}

function toCode(value: unknown): import('./code').Code {
  if (Array.isArray(value)) return value.map(toCode);
  if (value !== null && typeof value === 'object') {
    const out: CodeObject = {};
    for (const [k, v] of Object.entries(value)) out[k] = toCode(v);
    return out;
  }
  return typeof value === 'string' ? str(value) : raw(showValue(value as never) || 'null');
}
