/**
 * The jest test environment of this project: Node's, plus one CloudFormation validation engine per jest worker.
 *
 * Every synth runs aws-cdk-lib's built-in CloudFormation validation (`@aws/cloudformation-validate`, a WebAssembly
 * engine). Building that engine compiles its rules and schemas: a few seconds of CPU, which aws-cdk-lib pays once per
 * process (a singleton). Jest gives each test file a fresh module registry, so every test file paid it again. Here the
 * engine is built once per worker, outside the registries, and every test file validates with it: the same engine,
 * the same rules, the same templates validated, the same findings. Only building it is shared.
 *
 * `jestConfig.moduleNameMapper` (.projenrc.ts) maps `@aws/cloudformation-validate` to test/support/cfn-validate.ts,
 * which hands the test file this worker's copy of the module.
 */
import * as path from 'path';
import { TestEnvironment } from 'jest-environment-node';

/** The global the shared module is handed to the test file under (read by test/support/cfn-validate.ts). */
export const SHARED_CFN_VALIDATE = '__foundrySharedCfnValidate';

type Module = Record<string, unknown> & { CompositeEngine: new (config: unknown) => Engine };
interface Engine {
  free(): void;
}

/** The module, loaded by Node (not by jest): its require cache lives as long as the worker. */
function loadModule(): Module {
  const cdkLib = path.dirname(require.resolve('aws-cdk-lib/package.json'));
  const file = require.resolve('@aws/cloudformation-validate', { paths: [cdkLib] });
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require(file) as Module;
}

let shared: Record<string, unknown> | undefined;

/** The module with `CompositeEngine` built once per distinct configuration, and never freed by a test file. */
function sharedModule(): Record<string, unknown> {
  if (shared) {
    return shared;
  }
  const mod = loadModule();
  const engines = new Map<string, Engine>();
  let built = 0;
  /** Construct returns this worker's engine for the configuration, built on first use, with `free()` a no-op. */
  function SharedCompositeEngine(config: unknown): Engine {
    const key = JSON.stringify(config);
    let engine = engines.get(key);
    if (!engine) {
      engine = new mod.CompositeEngine(config);
      engines.set(key, engine);
      built++;
    }
    // The engine outlives the test file that asks to free it: the next test file uses it.
    return Object.create(engine, { free: { value: () => undefined } }) as Engine;
  }
  // Copy the exports (getters included) and replace only the engine class.
  const copy: Record<string, unknown> = {};
  for (const key of Object.keys(mod)) {
    copy[key] = mod[key];
  }
  copy.CompositeEngine = SharedCompositeEngine;
  // For test/test-environment.test.ts: how many engines this worker built.
  copy.__enginesBuilt = () => built;
  shared = copy;
  return shared;
}

export default class FoundryTestEnvironment extends TestEnvironment {
  constructor(...args: ConstructorParameters<typeof TestEnvironment>) {
    super(...args);
    this.global[SHARED_CFN_VALIDATE] = sharedModule();
  }
}
