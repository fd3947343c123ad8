import { Duration } from 'aws-cdk-lib';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import * as fc from 'fast-check';
import { FoundryCluster, WorkerService, WorkerServiceProps } from '../../src';
import { plainStack } from '../support/stacks';

const image = ecs.ContainerImage.fromRegistry('public.ecr.aws/docker/library/python:3.13-slim');
/** SQS visibility timeout bounds: 0 to 12 hours, whole seconds
 * (https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-visibility-timeout.html). */
const MAX_VISIBILITY = 43_200;

const stack = plainStack('Workers');
const cluster = new FoundryCluster(stack, 'Cluster');
let n = 0;
function worker(props: Partial<WorkerServiceProps>): WorkerService {
  return new WorkerService(stack, `W${n++}`, { cluster, image, ...props });
}
function visibilityOf(w: WorkerService): number {
  return stack.resolve((w.queue.node.defaultChild as sqs.CfnQueue).visibilityTimeout);
}

describe('expectedProcessingTime and visibility timeout', () => {
  test('12 hours of processing is rejected with a bound that is itself valid', () => {
    expect(() => worker({ expectedProcessingTime: Duration.hours(12) }))
      .toThrow("invalid expectedProcessingTime = '43200 s'. Use more than 0 and less than 43200 s (12 hours): the visibility timeout must exceed it, and SQS allows at most 12 hours.");
  });

  test('just under 12 hours gets the 12-hour visibility timeout', () => {
    expect(visibilityOf(worker({ expectedProcessingTime: Duration.seconds(43_199) }))).toBe(MAX_VISIBILITY);
  });

  test('the suggested visibility timeout is accepted', () => {
    let message = '';
    try {
      worker({ expectedProcessingTime: Duration.seconds(40_000), queueOptions: { visibilityTimeout: Duration.seconds(30_000) } });
    } catch (e) {
      message = (e as Error).message;
    }
    const suggested = Number(/Use at least (\d+) s/.exec(message)?.[1]);
    expect(suggested).toBe(MAX_VISIBILITY);
    const accepted = worker({ expectedProcessingTime: Duration.seconds(40_000), queueOptions: { visibilityTimeout: Duration.seconds(suggested) } });
    expect(visibilityOf(accepted)).toBe(MAX_VISIBILITY);
  });

  test('property: every accepted processing time has a valid default visibility timeout (whole seconds, above it, at most 12 h)', () => {
    fc.assert(fc.property(
      fc.oneof(
        fc.integer({ min: 1, max: MAX_VISIBILITY - 1 }).map(s => Duration.seconds(s)),
        fc.integer({ min: 1, max: MAX_VISIBILITY * 1000 - 1 }).map(ms => Duration.millis(ms)),
      ),
      processing => {
        const w = worker({ expectedProcessingTime: processing });
        const visibility = visibilityOf(w);
        expect(Number.isInteger(visibility)).toBe(true);
        expect(visibility).toBeGreaterThan(processing.toSeconds({ integral: false }));
        expect(visibility).toBeLessThanOrEqual(MAX_VISIBILITY);
      },
    ), { numRuns: 60 });
  });

  test('property: a rejected explicit visibility timeout suggests one that is accepted', () => {
    fc.assert(fc.property(
      fc.integer({ min: 1, max: MAX_VISIBILITY - 1 }), fc.integer({ min: 0, max: MAX_VISIBILITY }),
      (processing, visibility) => {
        const props = { expectedProcessingTime: Duration.seconds(processing), queueOptions: { visibilityTimeout: Duration.seconds(visibility) } };
        try {
          worker(props);
          expect(visibility).toBeGreaterThan(processing);
        } catch (e) {
          expect(visibility).toBeLessThanOrEqual(processing);
          const suggested = Number(/Use at least (\d+) s/.exec((e as Error).message)?.[1]);
          expect(visibilityOf(worker({ ...props, queueOptions: { visibilityTimeout: Duration.seconds(suggested) } }))).toBe(suggested);
        }
      },
    ), { numRuns: 60 });
  });
});

describe('durations with milliseconds', () => {
  test('a 500 ms processing time is accepted (the default visibility timeout is 30 s)', () => {
    expect(visibilityOf(worker({ expectedProcessingTime: Duration.millis(500) }))).toBe(30);
  });

  test('a fractional processing time gets whole-second defaults', () => {
    expect(visibilityOf(worker({ expectedProcessingTime: Duration.millis(10_300) }))).toBe(62);
  });

  test('a visibility timeout with milliseconds gets our message, not aws-cdk-lib\'s', () => {
    expect(() => worker({ queueOptions: { visibilityTimeout: Duration.millis(45_500) } }))
      .toThrow(/WorkerService 'Workers\/W\d+': invalid queueOptions\.visibilityTimeout = '45\.5 s'\. SQS sets the visibility timeout in whole seconds; use Duration\.seconds\(46\)\./);
  });

  test('retention periods and acceptable latency with milliseconds get our messages', () => {
    expect(() => worker({ queueOptions: { retentionPeriod: Duration.millis(3_600_500) } }))
      .toThrow(/invalid queueOptions\.retentionPeriod \(seconds\) = 3600\.5\. Use a whole number between 60 and 1209600/);
    expect(() => worker({ queueOptions: { deadLetterRetentionPeriod: Duration.millis(1_209_599_500) } }))
      .toThrow(/invalid queueOptions\.deadLetterRetentionPeriod \(seconds\) = 1209599\.5/);
    const w = worker({ expectedProcessingTime: Duration.millis(1500), queueScaling: { maxTasks: 4, acceptableLatency: Duration.millis(30_750) } });
    expect(w.messagesPerTask).toBe(20);
  });

  test('zero processing time is rejected with our message', () => {
    expect(() => worker({ expectedProcessingTime: Duration.seconds(0) })).toThrow(/invalid expectedProcessingTime = '0 s'\. Use more than 0/);
  });
});
