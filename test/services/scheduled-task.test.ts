import { Duration, TimeZone } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import { FoundryCluster, ScheduledTask, ScheduledTaskProps, Schedule } from '../../src';
import { plainStack } from '../support/stacks';

const image = ecs.ContainerImage.fromRegistry('public.ecr.aws/docker/library/busybox:stable');

describe('Schedule.at() runs at the instant it was given, in any time zone', () => {
  const stack = plainStack('At');
  const cluster = new FoundryCluster(stack, 'Cluster');
  // 06:30 UTC on 31 January 2027 and 06:30 UTC on 1 July 2027 (summer time in Berlin).
  const winter = new Date(Date.UTC(2027, 0, 31, 6, 30));
  const summer = new Date('2027-07-01T06:30:00Z');
  const job = (id: string, props: Partial<ScheduledTaskProps>) =>
    new ScheduledTask(stack, id, { cluster, image, schedule: Schedule.at(winter), ...props } as ScheduledTaskProps);
  const schedules = () => Object.values<any>(Template.fromStack(stack).findResources('AWS::Scheduler::Schedule'))
    .map(r => [r.Properties.ScheduleExpression, r.Properties.ScheduleExpressionTimezone]);
  job('Utc', {});
  job('BerlinWinter', { timeZone: TimeZone.EUROPE_BERLIN });
  job('BerlinSummer', { timeZone: TimeZone.EUROPE_BERLIN, schedule: Schedule.at(summer) });
  job('Tokyo', { timeZone: TimeZone.ASIA_TOKYO });
  job('Local', { timeZone: TimeZone.EUROPE_BERLIN, schedule: Schedule.atLocalTime('2027-01-31T06:30:00') });

  // Two instants an hour apart around Berlin's fall-back change: as Berlin wall-clock time both read 02:30.
  job('FallBackFirst', { timeZone: TimeZone.EUROPE_BERLIN, schedule: Schedule.at(new Date('2027-10-31T00:30:00Z')) });
  job('FallBackSecond', { timeZone: TimeZone.EUROPE_BERLIN, schedule: Schedule.at(new Date('2027-10-31T01:30:00Z')) });

  test('an instant is written in UTC without a time zone, a local time in its time zone', () => {
    expect(schedules()).toEqual([
      ['at(2027-01-31T06:30:00)', undefined],
      ['at(2027-01-31T06:30:00)', undefined],
      ['at(2027-07-01T06:30:00)', undefined],
      ['at(2027-01-31T06:30:00)', undefined],
      ['at(2027-01-31T06:30:00)', 'Europe/Berlin'],
      ['at(2027-10-31T00:30:00)', undefined],
      ['at(2027-10-31T01:30:00)', undefined],
    ]);
  });

  test('expressionString stays the UTC form', () => {
    expect(Schedule.at(winter).expressionString).toBe('at(2027-01-31T06:30:00)');
    expect(Schedule.at(winter).oneTime).toBe(true);
    expect(Schedule.atLocalTime('2027-01-31T06:30:00').oneTime).toBe(true);
  });
});

describe('ScheduledTask rejects expressions, dates and time zones that Scheduler would reject', () => {
  const stack = plainStack('Bad');
  const cluster = new FoundryCluster(stack, 'Cluster');
  let n = 0;
  const job = (p: Partial<ScheduledTaskProps>) => () =>
    new ScheduledTask(stack, `J${n++}`, { cluster, image, schedule: Schedule.cron('0 3 * * ? *'), ...p } as ScheduledTaskProps);

  test.each<[string, () => unknown, RegExp]>([
    ['a misspelt time zone', job({ timeZone: TimeZone.of('Europe/Berln') }), /invalid timeZone = 'Europe\/Berln'\. Use an IANA time zone name/],
    ['an offset instead of a zone', job({ timeZone: TimeZone.of('+02:00') }), /invalid timeZone = '\+02:00'/],
    ['minutes out of range', () => Schedule.cron('60 3 * * ? *'), /Schedule\.cron\(\): invalid expression = '60 3 \* \* \? \*'\. Invalid minutes field '60': minutes takes 0-59/],
    ['a month name that does not exist', () => Schedule.cron('0 3 ? FOO MON *'), /Invalid month field 'FOO'/],
    ['? in the hours', () => Schedule.cron('0 ? * * ? *'), /'\?' is allowed only in day-of-month or day-of-week, not in hours/],
    ['a year before 1970', () => Schedule.cron('0 3 * * ? 1969'), /Invalid year field '1969'/],
    ['the 6th week of a month', () => Schedule.cron('0 3 ? * MON#6 *'), /the week of the month after '#' is 1-5/],
    ['an increment of zero', () => Schedule.cron('*/0 3 * * ? *'), /the increment after '\/' must be a whole number from 1 to 59/],
    ['31 February as a local time', () => Schedule.atLocalTime('2027-02-31T06:30:00'), /Schedule\.atLocalTime\(\): invalid dateTime = '2027-02-31T06:30:00'\. 2027-02 has days 01-28/],
    ['a local time without seconds', () => Schedule.atLocalTime('2027-01-31T06:30'), /Use the form yyyy-mm-ddThh:mm:ss/],
    ['a date after 2199', () => Schedule.at(new Date(Date.UTC(2200, 0, 1))), /Schedule\.at\(\): invalid date = '2200-01-01T00:00:00\.000Z'\. Schedules take dates from 1970 to 2199/],
    ['a rate with a time zone', job({ schedule: Schedule.rate(Duration.hours(1)), timeZone: TimeZone.EUROPE_BERLIN }), /A rate schedule has no time of day/],
  ])('%s', (_name, make, message) => {
    expect(make).toThrow(message);
  });

  test('canonical zones, including UTC, are accepted, and an alias is rejected naming the canonical name', () => {
    expect(job({ timeZone: TimeZone.of('UTC') })).not.toThrow();
    expect(job({ timeZone: TimeZone.of('Asia/Kolkata') })).not.toThrow();
    expect(job({ timeZone: TimeZone.AMERICA_NEW_YORK })).not.toThrow();
    expect(job({ timeZone: TimeZone.of('Asia/Calcutta') }))
      .toThrow(/invalid timeZone = 'Asia\/Calcutta'\. That name is an alias: use the canonical IANA name 'Asia\/Kolkata'/);
  });
});
