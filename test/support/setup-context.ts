/**
 * Runs before every test file (jest `setupFiles`): the Apps a test builds skip the CDK's debugging stack traces, and
 * plain Apps skip aws-cdk-lib's built-in CloudFormation validation, whose warnings no test reads.
 *
 * aws-cdk-lib records a creation stack trace on every CloudFormation resource and a stack trace with every
 * annotation and acknowledgement. Under jest each trace goes through jest's source-map rewriting of call sites, which
 * cost about a tenth of a synth-heavy test file's CPU (CPU profile of test/proof/update-safety-load-balanced.test.ts).
 * The traces are construct metadata only: no test reads them, and the templates, annotations, validation findings
 * and acknowledgements are the same without them. `aws:cdk:disable-creation-stack-traces` and
 * `aws:cdk:disable-stack-trace` are the context keys aws-cdk-lib reads for that (cx-api); every App reads context
 * from `CDK_CONTEXT_JSON` (what the CDK CLI passes), so one variable covers every App of the file. Keys a test gives
 * in that variable itself are kept.
 */
const CONTEXT_ENV = 'CDK_CONTEXT_JSON';
const given = process.env[CONTEXT_ENV] ? JSON.parse(process.env[CONTEXT_ENV]!) : {};
process.env[CONTEXT_ENV] = JSON.stringify({
  'aws:cdk:disable-creation-stack-traces': true,
  'aws:cdk:disable-stack-trace': true,
  ...given,
});

/*
 * aws-cdk-lib adds its CloudFormation validation to every synth unless CDK_VALIDATION is 'false'. In a plain App (no
 * `@aws-cdk/core:validateAgainstDefaultRules`) it only prints warnings, and no test reads them: about 20 s of the
 * suite's CPU (measured 2026-11-28). The Apps that do validate register the plugin themselves, which runs whatever
 * this variable says: the compliance harness (test/support/compliance.ts, strict: every finding fails) and the tests
 * of the validation engine (test/test-environment.test.ts). Child processes that run what a user runs (the README
 * quick start's `cdk synth`) are started without it.
 */
process.env.CDK_VALIDATION = 'false';
