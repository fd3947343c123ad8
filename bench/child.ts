/**
 * One synth in a fresh process, for peak memory: builds and synthesizes one case, then prints its peak resident
 * set size as JSON on stdout.
 *
 *   node -r ts-node/register/transpile-only bench/child.ts <workload|baseline> <count> <validation: 0|1>
 *
 * `baseline` loads the same modules and synthesizes a stack of one placeholder resource (with the same validation plugins): the fixed
 * cost of a synth process, which the report subtracts to show what the workload itself costs.
 */
import { CfnWaitConditionHandle, Stack } from 'aws-cdk-lib';
import { readTemplate } from './measure';
import { build, cleanUp, newApp, STACK_NAME, Workload, WORKLOAD_KEYS } from './workloads';

export interface ChildResult {
  readonly workload: string;
  readonly count: number;
  readonly validation: boolean;
  /** Peak resident set size of the process, MiB. */
  readonly peakRssMiB: number;
  readonly resources: number;
}

function main(): void {
  const [workload, countArg, validationArg] = process.argv.slice(2);
  const count = Number(countArg);
  const validation = validationArg === '1';
  if (workload !== 'baseline' && !WORKLOAD_KEYS.includes(workload as Workload)) {
    throw new Error(`Unknown workload '${workload}'; use baseline or one of ${WORKLOAD_KEYS.join(', ')}.`);
  }
  const app = newApp({ validation, unlimitedResources: true });
  let resources = 0;
  try {
    if (workload === 'baseline') {
      // One resource: CloudFormation validation rejects an empty Resources section.
      new CfnWaitConditionHandle(new Stack(app, STACK_NAME), 'Placeholder');
      app.synth();
    } else {
      build(app, workload as Workload, count);
      resources = readTemplate(app).resources;
    }
  } finally {
    cleanUp(app);
  }
  // maxRSS is in kibibytes on Linux.
  const result: ChildResult = { workload, count, validation, peakRssMiB: process.resourceUsage().maxRSS / 1024, resources };
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

main();
