/**
 * Schedules as EventBridge Scheduler reads them ("Schedule types on EventBridge Scheduler",
 * https://docs.aws.amazon.com/scheduler/latest/UserGuide/schedule-types.html): property tests over generated
 * valid and invalid cron, rate and at expressions, a round trip of at() through the time zone, and the same
 * rendering under two build-machine time zones in child processes.
 */
import { execFileSync } from 'child_process';
import * as path from 'path';
import { Duration, TimeZone } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as fc from 'fast-check';
import { BackendService, FoundryCluster, Schedule, ScheduledTask } from '../../src';
import { atProblem, cronProblem, formatWallClock, rateProblem, wallClockIn } from '../../src/private/schedule-expression';
import { plainStack } from '../support/stacks';

const RUNS = 300;
const image = ecs.ContainerImage.fromRegistry('public.ecr.aws/docker/library/busybox:stable');
const ZONES = ['UTC', 'Europe/Berlin', 'America/New_York', 'Asia/Kolkata', 'Australia/Lord_Howe', 'Pacific/Chatham', 'America/St_Johns', 'Asia/Tokyo'];

// --- generators of valid fields, built from the documented ranges and wildcards ---
const num = (min: number, max: number) => fc.integer({ min, max }).map(String);
const range = (min: number, max: number) => fc.tuple(fc.integer({ min, max }), fc.integer({ min, max })).map(([a, b]) => `${a}-${b}`);
const step = (min: number, max: number) => fc.tuple(fc.oneof(fc.constant('*'), num(min, max)), fc.integer({ min: 1, max })).map(([a, s]) => `${a}/${s}`);
const list = (item: fc.Arbitrary<string>) => fc.array(item, { minLength: 1, maxLength: 3 }).map(xs => xs.join(','));
const plain = (min: number, max: number) => fc.oneof(fc.constant('*'), list(fc.oneof(num(min, max), range(min, max), step(min, max))));
const monthName = fc.constantFrom('JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC');
const dayName = fc.constantFrom('SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT');
const dom = fc.oneof(plain(1, 31), fc.constant('L'), num(1, 31).map(d => `${d}W`));
const dow = fc.oneof(plain(1, 7), dayName, fc.tuple(dayName, dayName).map(([a, b]) => `${a}-${b}`),
  fc.tuple(dayName, fc.integer({ min: 1, max: 5 })).map(([d, w]) => `${d}#${w}`), fc.constant('L'), num(1, 7).map(d => `${d}L`));
const validCron = fc.tuple(plain(0, 59), plain(0, 23), dom, fc.oneof(plain(1, 12), monthName), dow, plain(1970, 2199), fc.boolean())
  .map(([mi, h, dm, mo, dw, y, questionInDom]) => [mi, h, questionInDom ? '?' : dm, mo, questionInDom ? dw : '?', y].join(' '));

describe('cron expressions', () => {
  test(`${RUNS} generated valid expressions are accepted (and make a Schedule)`, () => {
    fc.assert(fc.property(validCron, cron => {
      expect(cronProblem(cron)).toBeUndefined();
      expect(Schedule.cron(cron).expressionString).toBe(`cron(${cron})`);
    }), { numRuns: RUNS });
  });

  test('an out-of-range value in any field is rejected', () => {
    const bounds: Array<[number, number]> = [[0, 59], [0, 23], [1, 31], [1, 12], [1, 7], [1970, 2199]];
    fc.assert(fc.property(validCron, fc.integer({ min: 0, max: 5 }), fc.boolean(), (cron, i, above) => {
      const fields = cron.split(' ');
      const [min, max] = bounds[i];
      if (min === 0 && !above) return; // no negative numbers in the syntax
      fields[i] = String(above ? max + 1 : min - 1);
      if (i === 2) fields[4] = '?';
      if (i === 4) fields[2] = '?';
      expect(cronProblem(fields.join(' '))).toMatch(/Invalid|field/);
    }), { numRuns: RUNS });
  });

  test('the wrong number of fields, two ? or none, and ? outside the day fields are rejected', () => {
    fc.assert(fc.property(validCron, fc.integer({ min: 1, max: 9 }).filter(k => k !== 6), (cron, k) => {
      const fields = cron.split(' ');
      const resized = Array.from({ length: k }, (_, i) => fields[i % 6]).join(' ');
      expect(cronProblem(resized)).toMatch(/6 fields/);
    }), { numRuns: 100 });
    fc.assert(fc.property(validCron, fc.boolean(), fc.integer({ min: 0, max: 5 }).filter(i => i !== 2 && i !== 4), (cron, both, i) => {
      const fields = cron.split(' ');
      const twoOrNone = [...fields];
      twoOrNone[2] = both ? '?' : '*';
      twoOrNone[4] = both ? '?' : '*';
      expect(cronProblem(twoOrNone.join(' '))).toMatch(/Exactly one of day-of-month and day-of-week/);
      const misplaced = [...fields];
      misplaced[i] = '?';
      expect(cronProblem(misplaced.join(' '))).toMatch(/'\?' is allowed only in day-of-month or day-of-week/);
    }), { numRuns: RUNS });
  });

  test('garbage in a field is rejected', () => {
    fc.assert(fc.property(validCron, fc.integer({ min: 0, max: 5 }), fc.constantFrom('a', '1--2', '5/', '/5', '1,,2', '#', 'W', '1-2-3', '*/*'), (cron, i, junk) => {
      const fields = cron.split(' ');
      fields[i] = junk;
      expect(cronProblem(fields.join(' '))).toBeDefined();
    }), { numRuns: RUNS });
  });
});

describe('rate expressions', () => {
  test('Schedule.rate() writes what Scheduler accepts, with the same period, for any whole number of minutes', () => {
    fc.assert(fc.property(fc.integer({ min: 1, max: 60 * 24 * 400 }), minutes => {
      const expression = Schedule.rate(Duration.minutes(minutes)).expressionString;
      expect(rateProblem(expression)).toBeUndefined();
      const [, value, unit] = /^rate\((\d+) (\w+)\)$/.exec(expression)!;
      const factor = unit.startsWith('day') ? 1440 : unit.startsWith('hour') ? 60 : 1;
      expect(Number(value) * factor).toBe(minutes);
    }), { numRuns: RUNS });
  });

  test('the singular/plural rule and the unit list are enforced', () => {
    fc.assert(fc.property(fc.integer({ min: 1, max: 10_000 }), fc.constantFrom('minute', 'hour', 'day'), fc.boolean(), (value, unit, plural) => {
      const expression = `rate(${value} ${unit}${plural ? 's' : ''})`;
      expect(rateProblem(expression) === undefined).toBe((value === 1) !== plural);
    }), { numRuns: RUNS });
    for (const bad of ['rate(0 minutes)', 'rate(5 seconds)', 'rate(1.5 hours)', 'rate(5minutes)', 'rate( 5 minutes)', 'rate(-1 day)']) {
      expect(rateProblem(bad)).toBeDefined();
    }
  });
});

describe('at expressions', () => {
  const instant = fc.date({ min: new Date(Date.UTC(1970, 0, 1)), max: new Date(Date.UTC(2199, 11, 31, 12)), noInvalidDate: true })
    .map(d => new Date(Math.floor(d.getTime() / 1000) * 1000));

  /** The instant Scheduler means by a wall-clock time in a zone: the candidates whose wall clock in the zone matches. */
  const instantsOf = (wallClock: string, zone: string): number[] => {
    const asUtc = Date.parse(`${wallClock}Z`);
    // Every offset in use lies within ±14 h; try each quarter hour and keep those that read back the same.
    const candidates: number[] = [];
    for (let q = -14 * 4; q <= 14 * 4; q++) {
      const t = asUtc - q * 15 * 60_000;
      if (formatWallClock(wallClockIn(new Date(t), zone)) === wallClock) candidates.push(t);
    }
    return candidates;
  };

  test(`the rendered wall-clock time names the same instant in ${ZONES.length} time zones (round trip)`, () => {
    fc.assert(fc.property(instant, fc.constantFrom(...ZONES), (date, zone) => {
      const schedule = Schedule.at(date);
      const expression = schedule._render('Schedule', TimeZone.of(zone)).expression;
      const body = /^at\((.*)\)$/.exec(expression)![1];
      expect(atProblem(body)).toBeUndefined();
      expect(instantsOf(body, zone)).toContain(date.getTime());
    }), { numRuns: RUNS });
  });

  test('without a time zone at() writes the UTC instant, and atLocalTime() writes its input unchanged', () => {
    fc.assert(fc.property(instant, date => {
      expect(Schedule.at(date).expressionString).toBe(`at(${date.toISOString().slice(0, 19)})`);
      const local = date.toISOString().slice(0, 19);
      expect(Schedule.atLocalTime(local)._render('Schedule', TimeZone.ASIA_TOKYO).expression).toBe(`at(${local})`);
    }), { numRuns: RUNS });
  });

  test('impossible dates are rejected', () => {
    for (const bad of ['2027-02-29T00:00:00', '2027-13-01T00:00:00', '2027-04-31T00:00:00', '2027-01-01T24:00:00', '2027-01-01T00:60:00', '2027-1-01T00:00:00']) {
      expect(atProblem(bad)).toBeDefined();
    }
    expect(atProblem('2028-02-29T23:59:59')).toBeUndefined();
  });

  test('the rendering is identical whatever the build machine\'s time zone (child processes with TZ set)', () => {
    const script = `
      require('ts-node').register({ transpileOnly: true, compilerOptions: { module: 'commonjs' } });
      const { Schedule } = require(${JSON.stringify(path.join(__dirname, '../../src/scaling/schedule'))});
      const { TimeZone } = require('aws-cdk-lib');
      const d = new Date(Date.UTC(2027, 2, 28, 0, 30));
      const out = ['UTC', 'Europe/Berlin', 'America/New_York', 'Australia/Lord_Howe'].map(z => Schedule.at(d)._render('Schedule', TimeZone.of(z)).expression);
      out.push(Schedule.at(d).expressionString, new Date(2027, 0, 1).getTimezoneOffset());
      process.stdout.write(JSON.stringify(out));`;
    const run = (tz: string) => JSON.parse(execFileSync(process.execPath, ['-e', script], {
      env: { ...process.env, TZ: tz, LANG: 'de_DE.UTF-8' }, cwd: path.join(__dirname, '../..'), encoding: 'utf8',
    }));
    const honolulu = run('Pacific/Honolulu');
    const kathmandu = run('Asia/Kathmandu');
    // The child processes really ran in different zones ...
    expect(honolulu.pop()).not.toBe(kathmandu.pop());
    // ... and rendered the same expressions.
    expect(honolulu).toEqual(kathmandu);
    expect(honolulu).toEqual(['at(2027-03-28T00:30:00)', 'at(2027-03-28T01:30:00)', 'at(2027-03-27T20:30:00)', 'at(2027-03-28T11:30:00)', 'at(2027-03-28T00:30:00)']);
  }, 60_000);
});

describe('one Schedule for scheduled tasks and scheduled scaling, validated by the same code', () => {
  // Application Auto Scaling scheduled actions take the same at(), rate() and cron() forms and IANA time zones as
  // EventBridge Scheduler, and read at() and cron() in the action's time zone
  // (https://docs.aws.amazon.com/autoscaling/application/APIReference/API_PutScheduledAction.html).
  const build = () => {
    const stack = plainStack('OneSchedule');
    const cluster = new FoundryCluster(stack, 'Cluster');
    const backend = new BackendService(stack, 'Api', { cluster, image, port: 8080, scaling: { minTasks: 1, maxTasks: 4 } });
    const task = (id: string, schedule: Schedule, timeZone?: TimeZone) => new ScheduledTask(stack, id, { cluster, image, schedule, timeZone });
    return { stack, backend, task };
  };
  const instant = new Date(Date.UTC(2027, 6, 1, 6, 30));
  const schedules: [string, Schedule, TimeZone | undefined][] = [
    ['cron in Berlin', Schedule.cron('0 8 ? * MON-FRI *'), TimeZone.EUROPE_BERLIN],
    ['rate', Schedule.rate(Duration.hours(6)), undefined],
    ['an instant in Berlin', Schedule.at(instant), TimeZone.EUROPE_BERLIN],
    ['a wall-clock time in Tokyo', Schedule.atLocalTime('2027-07-01T06:30:00'), TimeZone.ASIA_TOKYO],
  ];
  let written: { task: unknown[]; scaling: unknown[] };
  beforeAll(() => {
    const { stack, backend, task } = build();
    schedules.forEach(([, schedule, timeZone], i) => {
      task(`Task${i}`, schedule, timeZone);
      backend.scaleOnSchedule(`Action${i}`, { schedule, timeZone, minTasks: 2 });
    });
    const template = Template.fromStack(stack);
    written = {
      task: Object.values<any>(template.findResources('AWS::Scheduler::Schedule'))
        .map(r => [r.Properties.ScheduleExpression, r.Properties.ScheduleExpressionTimezone]),
      scaling: (Object.values<any>(template.findResources('AWS::ApplicationAutoScaling::ScalableTarget'))[0].Properties.ScheduledActions as any[])
        .map(a => [a.Schedule, a.Timezone]),
    };
  });

  test('a schedule is written the same way for a task and a scaling action', () => {
    expect(written.scaling).toEqual(written.task);
    expect(written.task).toEqual([
      ['cron(0 8 ? * MON-FRI *)', 'Europe/Berlin'],
      ['rate(6 hours)', undefined],
      // The instant 06:30 UTC is 08:30 in Berlin (summer time): both services read at() in the given zone.
      ['at(2027-07-01T08:30:00)', 'Europe/Berlin'],
      ['at(2027-07-01T06:30:00)', 'Asia/Tokyo'],
    ]);
  });

  test.each<[string, Schedule, TimeZone, RegExp]>([
    ['a time zone on a rate', Schedule.rate(Duration.hours(1)), TimeZone.EUROPE_BERLIN, /invalid timeZone = 'Europe\/Berlin'\. A rate schedule has no time of day/],
    ['an unknown time zone', Schedule.cron('0 8 * * ? *'), TimeZone.of('Europe/Berlyn'), /invalid timeZone = 'Europe\/Berlyn'\. Use an IANA time zone name/],
  ])('%s is rejected for a task and for a scaling action with the same message', (_, schedule, timeZone, message) => {
    const { backend, task } = build();
    expect(() => task('Task', schedule, timeZone)).toThrow(message);
    expect(() => backend.scaleOnSchedule('Action', { schedule, timeZone, minTasks: 1 })).toThrow(message);
  });
});
