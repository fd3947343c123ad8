/**
 * `@aws/cloudformation-validate` as test files see it (jest's moduleNameMapper): the copy that this jest worker's
 * test environment (test/support/environment.ts) loaded once, with one engine per worker.
 */
const shared: unknown = (globalThis as Record<string, unknown>).__foundrySharedCfnValidate;
if (shared === undefined) {
  throw new Error('@aws/cloudformation-validate is shared by the test environment test/support/environment.ts: run the tests with it (jest testEnvironment)');
}
export = shared;
