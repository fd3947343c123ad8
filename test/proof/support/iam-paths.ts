/**
 * A small harness for access-path proofs: each path names a caller, an action, a resource and the context AWS
 * sends, and the decision the library promises (Allowed, or Denied for what must stay closed). Paths are
 * declared statically (so jest lists them) and built against the synthesized template in the test.
 */
import { App } from 'aws-cdk-lib';
import { defaultsStack, FullestCase, fullestStack } from './iam-cases';
import { AccessRequest, Decision, describe as describeRequest, TemplatePolicies } from './iam-policies';
import { ResolvedTemplate } from './iam-resolve';

export type Expected = 'Allowed' | 'Denied';

/** The synthesized stacks a path is evaluated on. */
export interface Fixture {
  readonly name: string;
  readonly t: ResolvedTemplate;
  readonly p: TemplatePolicies;
  readonly onEc2: boolean;
  /** Logical ID of the one resource of a type whose logical ID starts with the prefix. */
  id(type: string, prefix: string): string;
  /** ARN (`Fn::GetAtt Arn`, or `Ref` for types whose Ref is the ARN) of that resource. */
  arn(type: string, prefix: string): string;
}

export interface AccessPath {
  readonly name: string;
  readonly expect: Expected;
  /** The only fullest stack this path applies to (EC2 hosts exist only on 'ec2'; default: both). */
  readonly only?: 'fargate' | 'ec2';
  readonly request: (f: Fixture) => AccessRequest;
}

const REF_IS_ARN = new Set(['AWS::SNS::Topic', 'AWS::SecretsManager::Secret', 'AWS::ECS::TaskDefinition',
  'AWS::ElasticLoadBalancingV2::TargetGroup', 'AWS::ElasticLoadBalancingV2::Listener', 'AWS::ElasticLoadBalancingV2::ListenerRule',
  'AWS::ElasticLoadBalancingV2::LoadBalancer']);

function fixture(name: string, template: any, onEc2: boolean): Fixture {
  const t = new ResolvedTemplate(name, template);
  const p = new TemplatePolicies(t);
  return {
    name,
    t,
    p,
    onEc2,
    id: (type, prefix) => t.find(type, prefix),
    arn: (type, prefix) => {
      const id = t.find(type, prefix);
      return REF_IS_ARN.has(type) ? t.ref(id) : t.getAtt(id, 'Arn');
    },
  };
}

export interface Fixtures {
  readonly fargate: Fixture;
  readonly ec2: Fixture;
  readonly defaults: Fixture;
  readonly cases: { fargate: FullestCase; ec2: FullestCase };
}

/** Synthesize the default stack and the fullest stack on Fargate and on EC2 (once per test file). */
export function synthFixtures(): Fixtures {
  const app = new App();
  defaultsStack(app);
  const fargate = fullestStack(app, 'Fargate', false);
  const ec2 = fullestStack(app, 'Ec2', true);
  const assembly = app.synth();
  return {
    fargate: fixture('Fargate', assembly.getStackByName('Fargate').template, false),
    ec2: fixture('Ec2', assembly.getStackByName('Ec2').template, true),
    defaults: fixture('Defaults', assembly.getStackByName('Defaults').template, false),
    cases: { fargate, ec2 },
  };
}

/**
 * Declare one jest test per path and stack; print how many paths were proven allowed and denied.
 * A failing path prints the simulation request and which policies decided.
 */
export function provePaths(title: string, paths: AccessPath[]): void {
  let fixtures: Fixtures;
  const tally = { allowed: 0, denied: 0 };
  beforeAll(() => {
    fixtures = synthFixtures();
  });
  afterAll(() => {
    // The count the issue asks for: how many access paths this file proved, allowed and denied.
    console.log(`${title}: ${tally.allowed} allowed and ${tally.denied} denied access paths proven`);
  });
  const stacks: Array<'fargate' | 'ec2'> = ['fargate', 'ec2'];
  const rows = stacks.flatMap(stack => paths.filter(path => (path.only ?? stack) === stack)
    .map(path => [stack, path.expect, path.name, path] as const));
  describe(title, () => {
    test.each(rows)('%s: %s — %s', async (stack, expected, _name, path) => {
      const f = fixtures[stack];
      const request = path.request(f);
      const decision: Decision = await f.p.decide(request);
      const ok = expected === 'Allowed' ? decision === 'Allowed' : decision !== 'Allowed';
      if (!ok) {
        const sim = f.p.simulation(request);
        throw new Error(`${describeRequest(request)}: expected ${expected}, got ${decision}\n`
          + `identity policies: ${JSON.stringify(sim.identityPolicies)}\nresource policy: ${JSON.stringify(sim.resourcePolicy)}`);
      }
      if (expected === 'Allowed') tally.allowed++; else tally.denied++;
    });
  });
}

export const ANOTHER_ACCOUNT = '210987654321';
