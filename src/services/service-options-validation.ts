import { Construct } from 'constructs';
import type { ServiceOptions } from './service-base';
import { checkNumber, invalidProp, isConcrete } from '../private/validation';
import { validateScaling } from '../scaling/service-scaling';

/** Validate what every service takes besides its workload (the workload validates itself). */
export function validateServiceOptions(scope: Construct, props: ServiceOptions, behindAlb: boolean): void {
  checkNumber(scope, 'desiredCount', props.desiredCount, { min: 0, max: 5000, integer: true });
  if (props.desiredCount !== undefined && props.scaling) {
    invalidProp(scope, 'desiredCount', props.desiredCount, 'With scaling the task count is auto scaling\'s to set (between minTasks and maxTasks); remove desiredCount.');
  }
  if (props.scaling) {
    validateScaling(scope, props.scaling, behindAlb);
  }
  const d = props.deployment ?? {};
  checkNumber(scope, 'deployment.minHealthyPercent', d.minHealthyPercent, { min: 0, max: 100, integer: true });
  checkNumber(scope, 'deployment.maxHealthyPercent', d.maxHealthyPercent, { min: 100, max: 200, integer: true });
  if (isConcrete(d.minHealthyPercent) && isConcrete(d.maxHealthyPercent) && d.minHealthyPercent === 100 && d.maxHealthyPercent === 100) {
    invalidProp(scope, 'deployment.maxHealthyPercent', 100, 'With minHealthyPercent 100 and maxHealthyPercent 100 ECS can neither stop an old task nor start a new one; raise maxHealthyPercent.');
  }
  if (d.blueGreen && !behindAlb) {
    invalidProp(scope, 'deployment.blueGreen', d.blueGreen, 'Native blue/green shifts traffic between two target groups of an Application Load Balancer; use it with WebService.');
  }
  if (d.blueGreen?.bakeTime !== undefined) {
    checkNumber(scope, 'deployment.blueGreen.bakeTime (minutes)', d.blueGreen.bakeTime.toMinutes(), { min: 0, max: 1440, integer: true });
  }
  if (d.blueGreen?.testHeader !== undefined && !/^[A-Za-z0-9-]{1,40}$/.test(d.blueGreen.testHeader)) {
    invalidProp(scope, 'deployment.blueGreen.testHeader', d.blueGreen.testHeader, "Use an HTTP header name: letters, digits and '-' (up to 40).");
  }
  if (props.healthCheckGracePeriod !== undefined) {
    checkNumber(scope, 'healthCheckGracePeriod (seconds)', props.healthCheckGracePeriod.toSeconds(), { min: 0, max: 2_147_483_647, integer: true });
  }
}
