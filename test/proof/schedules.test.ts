/**
 * Schedules as EventBridge Scheduler reads them ("Schedule types on EventBridge Scheduler",
 * https://docs.aws.amazon.com/scheduler/latest/UserGuide/schedule-types.html): property tests over generated
 * valid and invalid cron, rate and at expressions, at() written in UTC whatever the time zone (one expression per
 * instant), the wall-clock times a daylight saving change skips or repeats, canonical time zone names, and the same
 * rendering under two build-machine time zones in child processes.
 */
import { execFileSync } from 'child_process';
import * as path from 'path';
import { Duration, TimeZone } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as fc from 'fast-check';
import { BackendService, FoundryCluster, Schedule, ScheduledTask } from '../../src';
import { atProblem, cronProblem, formatWallClock, instantsAt, parseWallClock, rateProblem, timeZoneProblem, WallClock, wallClockIn } from '../../src/private/schedule-expression';
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
    // Earliest first, as instantsAt() returns them (the scan above runs from the latest candidate down).
    return candidates.sort((a, b) => a - b);
  };

  test(`at() is written in UTC without a time zone, whatever the time zone given beside it (${ZONES.length} zones)`, () => {
    fc.assert(fc.property(instant, fc.constantFrom(...ZONES), (date, zone) => {
      const rendered = Schedule.at(date)._render('Schedule', TimeZone.of(zone));
      expect(rendered).toEqual({ expression: `at(${date.toISOString().slice(0, 19)})` });
      const body = /^at\((.*)\)$/.exec(rendered.expression)![1];
      expect(atProblem(body)).toBeUndefined();
      // Read in UTC (the services' default), the expression names exactly this instant.
      expect(instantsOf(body, 'UTC')).toEqual([date.getTime()]);
    }), { numRuns: RUNS });
  });

  test('two different instants never give the same expression, also around a fall-back change', () => {
    // Before: written as Berlin wall-clock time, 00:30Z and 01:30Z on 31 October 2027 both read at(2027-10-31T02:30:00).
    const first = Schedule.at(new Date('2027-10-31T00:30:00Z'))._render('Schedule', TimeZone.EUROPE_BERLIN);
    const second = Schedule.at(new Date('2027-10-31T01:30:00Z'))._render('Schedule', TimeZone.EUROPE_BERLIN);
    expect(first).toEqual({ expression: 'at(2027-10-31T00:30:00)' });
    expect(second).toEqual({ expression: 'at(2027-10-31T01:30:00)' });
    fc.assert(fc.property(instant, instant, fc.constantFrom(...ZONES), (a, b, zone) => {
      fc.pre(a.getTime() !== b.getTime());
      expect(Schedule.at(a)._render('Schedule', TimeZone.of(zone)).expression)
        .not.toBe(Schedule.at(b)._render('Schedule', TimeZone.of(zone)).expression);
    }), { numRuns: RUNS });
  });

  test(`instantsAt() finds every instant a wall-clock time names, none in a gap and two in an overlap (${ZONES.length} zones)`, () => {
    // Whole quarter hours of the years 1971-2199 (the brute-force scan tries quarter-hour offsets), then known changes.
    const wall = fc.record({
      year: fc.integer({ min: 1971, max: 2199 }),
      month: fc.integer({ min: 1, max: 12 }),
      day: fc.integer({ min: 1, max: 28 }),
      hour: fc.integer({ min: 0, max: 23 }),
      minute: fc.constantFrom(0, 15, 30, 45),
      second: fc.constant(0),
    });
    fc.assert(fc.property(wall, fc.constantFrom(...ZONES), (w: WallClock, zone) => {
      expect(instantsAt(w, zone).map(d => d.getTime())).toEqual(instantsOf(formatWallClock(w), zone));
    }), { numRuns: RUNS });
    const at = (text: string, zone: string) => instantsAt(parseWallClock(text) as WallClock, zone).map(d => d.toISOString());
    expect(at('2027-03-28T02:30:00', 'Europe/Berlin')).toEqual([]);
    expect(at('2027-10-31T02:30:00', 'Europe/Berlin')).toEqual(['2027-10-31T00:30:00.000Z', '2027-10-31T01:30:00.000Z']);
    expect(at('2027-10-03T02:15:00', 'Australia/Lord_Howe')).toEqual([]); // a half-hour change
    expect(at('2027-04-04T01:45:00', 'Australia/Lord_Howe')).toEqual(['2027-04-03T14:45:00.000Z', '2027-04-03T15:15:00.000Z']);
    expect(at('2027-07-01T06:30:00', 'Asia/Tokyo')).toEqual(['2027-06-30T21:30:00.000Z']);
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
      out.push(...['Europe/Berlin', 'Australia/Lord_Howe'].map(z => Schedule.cron('30 2 * * ? *')._render('Schedule', TimeZone.of(z)).timeZone));
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
    expect(honolulu).toEqual(['at(2027-03-28T00:30:00)', 'at(2027-03-28T00:30:00)', 'at(2027-03-28T00:30:00)', 'at(2027-03-28T00:30:00)',
      'Europe/Berlin', 'Australia/Lord_Howe', 'at(2027-03-28T00:30:00)']);
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
      // An instant is written in UTC without a time zone (the given zone is for cron() and atLocalTime()).
      ['at(2027-07-01T06:30:00)', undefined],
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

describe('a local time that a daylight saving change skips or repeats gives a synth warning', () => {
  // EventBridge Scheduler skips a time that does not exist and runs a repeated time once
  // (https://docs.aws.amazon.com/scheduler/latest/UserGuide/schedule-types.html#daylist-savings-time); neither
  // service documents which instant a repeated time means.
  const warnings = (dateTime: string, timeZone: TimeZone) => {
    const stack = plainStack('Dst');
    const cluster = new FoundryCluster(stack, 'Cluster');
    const backend = new BackendService(stack, 'Api', { cluster, image, port: 8080, scaling: { minTasks: 1, maxTasks: 4 } });
    new ScheduledTask(stack, 'Task', { cluster, image, schedule: Schedule.atLocalTime(dateTime), timeZone });
    backend.scaleOnSchedule('Action', { schedule: Schedule.atLocalTime(dateTime), timeZone, minTasks: 2 });
    return Annotations.fromStack(stack).findWarning('*', Match.stringLikeRegexp('atLocalTime')).map(w => [w.id, String(w.entry.data)]);
  };

  test('a skipped time: both uses warn that it may never fire', () => {
    const found = warnings('2027-03-28T02:30:00', TimeZone.EUROPE_BERLIN).filter(([, m]) => m.includes('atLocalTime'));
    expect(found.map(([id]) => id).sort()).toEqual(['/Dst/Api', '/Dst/Task']);
    for (const [, message] of found) {
      expect(message).toMatch(/Schedule\.atLocalTime\('2027-03-28T02:30:00'\) does not exist in Europe\/Berlin: the clocks go forward over it\. EventBridge Scheduler skips .* may never fire/);
    }
  });

  test('a repeated time: both uses warn and name the two instants', () => {
    const found = warnings('2027-10-31T02:30:00', TimeZone.EUROPE_BERLIN).filter(([, m]) => m.includes('atLocalTime'));
    expect(found.map(([id]) => id).sort()).toEqual(['/Dst/Api', '/Dst/Task']);
    for (const [, message] of found) {
      expect(message).toContain("Schedule.atLocalTime('2027-10-31T02:30:00') occurs twice in Europe/Berlin, at 2027-10-31T00:30:00Z and 2027-10-31T01:30:00Z");
    }
  });

  test('a time that occurs once, or any time in UTC, gives no such warning', () => {
    expect(warnings('2027-10-31T03:30:00', TimeZone.EUROPE_BERLIN).filter(([, m]) => m.includes('atLocalTime'))).toEqual([]);
    expect(warnings('2027-03-28T02:30:00', TimeZone.of('UTC')).filter(([, m]) => m.includes('atLocalTime'))).toEqual([]);
  });
});

describe('time zones: canonical IANA names only', () => {
  // Application Auto Scaling: "the canonical names of the IANA time zones supported by Joda-Time (such as Etc/GMT+9
  // or Pacific/Tahiti)" (https://docs.aws.amazon.com/autoscaling/application/APIReference/API_PutScheduledAction.html).
  const cdkZones = Object.values(TimeZone as unknown as Record<string, unknown>)
    .filter((v): v is TimeZone => v instanceof TimeZone).map(z => z.timezoneName).filter(n => n !== 'Factory');

  test(`every one of aws-cdk-lib's ${cdkZones.length} canonical names, UTC and AWS's examples are accepted`, () => {
    expect(cdkZones.length).toBeGreaterThan(300);
    for (const name of [...cdkZones, 'UTC', 'Etc/GMT+9', 'Pacific/Tahiti', 'Asia/Kolkata', 'Europe/Kyiv', 'Europe/Amsterdam']) {
      expect([name, timeZoneProblem(name)]).toEqual([name, undefined]);
    }
  });

  test.each([
    ['Asia/Calcutta', 'Asia/Kolkata'],
    ['Europe/Kiev', 'Europe/Kyiv'],
    ['US/Pacific', 'America/Los_Angeles'],
    ['America/Buenos_Aires', 'America/Argentina/Buenos_Aires'],
    ['GMT', 'UTC'],
    ['europe/berlin', 'Europe/Berlin'],
  ])('the alias %s is rejected, naming %s', (alias, canonical) => {
    expect(timeZoneProblem(alias)).toEqual({ kind: 'alias', canonical });
    const stack = plainStack('Alias');
    const cluster = new FoundryCluster(stack, 'Cluster');
    const backend = new BackendService(stack, 'Api', { cluster, image, port: 8080, scaling: { minTasks: 1, maxTasks: 4 } });
    const message = `invalid timeZone = '${alias}'. That name is an alias: use the canonical IANA name '${canonical}'`;
    expect(() => new ScheduledTask(stack, 'Task', { cluster, image, schedule: Schedule.cron('0 3 * * ? *'), timeZone: TimeZone.of(alias) })).toThrow(message);
    expect(() => backend.scaleOnSchedule('Action', { schedule: Schedule.cron('0 3 * * ? *'), timeZone: TimeZone.of(alias), minTasks: 1 })).toThrow(message);
  });

  test('names ICU does not know, offsets and the Factory placeholder are unknown', () => {
    for (const name of ['Europe/Berlyn', '+02:00', 'Factory', 'Mars/Olympus_Mons', '']) {
      expect(timeZoneProblem(name)).toEqual({ kind: 'unknown' });
    }
  });
});
