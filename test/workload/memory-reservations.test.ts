/**
 * The main container reserves what every other container of the task reserves, escape-hatch containers included:
 * ECS rejects a task definition whose container reservations (a container's hard limit counts when it has no
 * reservation) exceed the task memory
 * (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task_definition_parameters.html#container_definition_memory).
 */
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import { FoundryCluster, FoundryTaskDefinition } from '../../src';
import { plainStack } from '../support/stacks';

const nginx = ecs.ContainerImage.fromRegistry('public.ecr.aws/nginx/nginx:stable');

/** The sum of what ECS counts as reserved (reservation, else hard limit, else nothing) per rendered container. */
function reservations(stack: ReturnType<typeof plainStack>): { memory: number; reserved: number; byName: Record<string, number> } {
  const [taskDefinition] = Object.values(Template.fromStack(stack).findResources('AWS::ECS::TaskDefinition'));
  const byName: Record<string, number> = {};
  for (const c of taskDefinition.Properties.ContainerDefinitions) {
    byName[c.Name] = c.MemoryReservation ?? c.Memory ?? 0;
  }
  return {
    memory: Number(taskDefinition.Properties.Memory),
    reserved: Object.values(byName).reduce((a, b) => a + b, 0),
    byName,
  };
}

describe('main container memory reservation', () => {
  test('a container added through the escape hatch is counted: the reservations fit the task memory', () => {
    const stack = plainStack();
    const workload = new FoundryTaskDefinition(stack, 'Work', {
      cluster: new FoundryCluster(stack, 'Cluster'),
      image: nginx,
      memoryMiB: 1024,
      sidecars: [{ name: 'side', image: nginx, memoryReservationMiB: 64 }],
    });
    workload.taskDefinition.addContainer('xray', { image: nginx, memoryReservationMiB: 128 });
    const { memory, reserved, byName } = reservations(stack);
    expect(reserved).toBeLessThanOrEqual(memory);
    expect(byName.app).toBe(1024 - 64 - 128);
  });

  test('an escape-hatch container with a hard limit only counts its limit, one with neither counts nothing', () => {
    const stack = plainStack();
    const workload = new FoundryTaskDefinition(stack, 'Work', {
      cluster: new FoundryCluster(stack, 'Cluster'),
      image: nginx,
      memoryMiB: 2048,
    });
    workload.taskDefinition.addContainer('limited', { image: nginx, memoryLimitMiB: 256 });
    workload.taskDefinition.addContainer('free', { image: nginx });
    const { memory, reserved, byName } = reservations(stack);
    expect(reserved).toBeLessThanOrEqual(memory);
    expect(byName.app).toBe(2048 - 256);
    expect(byName.free).toBe(0);
  });

  test('an escape-hatch container that leaves the main container less than 6 MiB fails synth, naming the containers', () => {
    const stack = plainStack();
    const workload = new FoundryTaskDefinition(stack, 'Work', {
      cluster: new FoundryCluster(stack, 'Cluster'),
      image: nginx,
      memoryMiB: 512,
      sidecars: [{ name: 'side', image: nginx, memoryReservationMiB: 100 }],
    });
    workload.taskDefinition.addContainer('xray', { image: nginx, memoryReservationMiB: 410 });
    expect(() => (stack.node.root as App).synth())
      .toThrow(/invalid sidecars = 510 MiB reserved\. The main container needs at least 6 MiB of the task's 512 MiB.*Reserved by: side 100 MiB, xray 410 MiB/);
  });

  test('without other containers the main container keeps no reservation (its hard limit is the task memory)', () => {
    const stack = plainStack();
    new FoundryTaskDefinition(stack, 'Work', { cluster: new FoundryCluster(stack, 'Cluster'), image: nginx, memoryMiB: 1024 });
    const { byName } = reservations(stack);
    expect(byName.app).toBe(1024);
  });
});
