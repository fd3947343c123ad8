/**
 * Runs before every test file (jest `setupFiles`): how the property tests (fast-check) pick their inputs.
 *
 * Outside CI every run draws new random inputs, so running the tests keeps exploring. Under CI (`CI` set, as the
 * project's CI runs `.ci/run`) every property replays one fixed seed: the same inputs on every run, so a commit that
 * passed CI passes it again and a failure is a change of the code, not of the draw. `FAST_CHECK_SEED=<integer>`
 * replays any seed (the one a failure printed, say) anywhere. The number of runs of each property is the same either
 * way. Two properties failed in CI on rare random draws (a daylight saving overlap in the schedules proof, a host
 * universe too small in the routing proof); both were test faults, fixed, and found by exploring.
 */
import * as fc from 'fast-check';

/** The seed CI replays. */
const CI_SEED = 20261128;

const given = process.env.FAST_CHECK_SEED;
if (given !== undefined && given !== '') {
  if (!/^-?\d+$/.test(given)) {
    throw new Error(`FAST_CHECK_SEED must be an integer (the seed a fast-check failure prints), not '${given}'`);
  }
  fc.configureGlobal({ ...fc.readConfigureGlobal(), seed: Number(given) });
} else if (process.env.CI && process.env.CI !== 'false') {
  fc.configureGlobal({ ...fc.readConfigureGlobal(), seed: CI_SEED });
}
