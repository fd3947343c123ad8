import { Annotations, Duration, TimeZone, Token } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { cronProblem, formatWallClock, instantsAt, parseWallClock, timeZoneProblem, WallClock, wallClockIn } from '../private/schedule-expression';
import { invalidProp } from '../private/validation';

/**
 * When something happens: a cron or rate expression, or one time.
 *
 * One type for a `ScheduledTask` (EventBridge Scheduler) and a service's `scaleOnSchedule()` (Application Auto
 * Scaling). Both services accept the same `cron()`, `rate()` and `at()` forms and read `cron()` and `at()` in the
 * schedule's time zone (UTC when none is given) ("Schedule types on EventBridge Scheduler",
 * https://docs.aws.amazon.com/scheduler/latest/UserGuide/schedule-types.html, and PutScheduledAction,
 * https://docs.aws.amazon.com/autoscaling/application/APIReference/API_PutScheduledAction.html), so expressions are
 * checked by the same rules when they are created.
 */
export class Schedule {
  /**
   * A cron expression: `minutes hours day-of-month month day-of-week year`, one of the two day fields '?'.
   *
   * Example: `Schedule.cron('0 3 * * ? *')` fires at 03:00 every day, in the schedule's time zone.
   */
  public static cron(expression: string): Schedule {
    if (typeof expression !== 'string') {
      invalidProp('Schedule.cron()', 'expression', expression, "Pass the six cron fields as a string, e.g. '0 3 * * ? *'.");
    }
    const body = expression.trim().replace(/\s+/g, ' ');
    const problem = cronProblem(body);
    if (problem) {
      invalidProp('Schedule.cron()', 'expression', expression, problem);
    }
    return new Schedule('cron', `cron(${body})`);
  }

  /** Every `interval`, in whole minutes, hours or days. */
  public static rate(interval: Duration): Schedule {
    const minutes = interval.toMinutes({ integral: false });
    if (!Number.isInteger(minutes) || minutes < 1) {
      invalidProp('Schedule.rate()', 'interval', interval.toHumanString(), 'Use whole minutes, hours or days, at least 1 minute.');
    }
    const [value, unit] = minutes % 1440 === 0 ? [minutes / 1440, 'day'] : minutes % 60 === 0 ? [minutes / 60, 'hour'] : [minutes, 'minute'];
    return new Schedule('rate', `rate(${value} ${unit}${value === 1 ? '' : 's'})`);
  }

  /**
   * Once, at this instant.
   *
   * The expression is the instant in UTC, written without a time zone: the schedule fires at this instant whatever
   * the `timeZone` of the task or scaling action (which applies to `cron()` and `atLocalTime()` only). An instant
   * needs no time zone, and written as a wall-clock time in a zone with daylight saving time, two instants an hour
   * apart around the fall-back change would read the same.
   *
   * Build the `Date` from an unambiguous instant (`Date.UTC(...)` or an ISO string with `Z` or an offset): in
   * JavaScript, `new Date(2027, 0, 31, 6, 30)` and `new Date('2027-01-31T06:30:00')` are read in the build
   * machine's time zone. To give a wall-clock time in the schedule's time zone, use `Schedule.atLocalTime()`.
   */
  public static at(date: Date): Schedule {
    if (!(date instanceof Date) || Number.isNaN(date.getTime())) {
      invalidProp('Schedule.at()', 'date', String(date), 'Pass a valid Date, e.g. new Date(Date.UTC(2027, 0, 31, 6, 30)).');
    }
    const instant = new Date(date.getTime());
    const utc = wallClockIn(instant, 'UTC');
    if (utc.year < 1970 || utc.year > 2199) {
      invalidProp('Schedule.at()', 'date', instant.toISOString(), 'Schedules take dates from 1970 to 2199.');
    }
    return new Schedule('instant', `at(${formatWallClock(utc)})`);
  }

  /**
   * Once, at this wall-clock date and time (`yyyy-mm-ddThh:mm:ss`) in the schedule's time zone.
   *
   * Example: `Schedule.atLocalTime('2027-01-31T06:30:00')` with `timeZone: TimeZone.EUROPE_BERLIN` fires at 06:30
   * in Berlin (the time zone is UTC when none is given). A time that the zone skips when the clocks go forward, or
   * that it goes through twice when they go back, gives a synth warning.
   */
  public static atLocalTime(dateTime: string): Schedule {
    const parsed = typeof dateTime === 'string' ? parseWallClock(dateTime) : 'Pass a string.';
    if (typeof parsed === 'string') {
      invalidProp('Schedule.atLocalTime()', 'dateTime', dateTime, parsed);
    }
    return new Schedule('localTime', `at(${dateTime})`, parsed);
  }

  /**
   * The expression as the service receives it, e.g. `cron(0 3 * * ? *)` or `at(2027-01-31T06:30:00)`.
   *
   * `cron()` and `atLocalTime()` are read in the time zone given beside the schedule, `at()` is always UTC.
   */
  public readonly expressionString: string;
  private readonly kind: 'cron' | 'rate' | 'instant' | 'localTime';
  private readonly localTime?: WallClock;

  private constructor(kind: 'cron' | 'rate' | 'instant' | 'localTime', expression: string, localTime?: WallClock) {
    this.kind = kind;
    this.expressionString = expression;
    this.localTime = localTime;
  }

  /** Whether the schedule fires once only. */
  public get oneTime(): boolean {
    return this.kind === 'instant' || this.kind === 'localTime';
  }

  /**
   * Validate the time zone a schedule is used with and render its expression for it: the same rules for a scheduled
   * task and a scheduled scaling action.
   *
   * @returns the expression and the time zone name to write beside it
   * @internal
   */
  public _render(scope: IConstruct | string, timeZone: TimeZone | undefined): { expression: string; timeZone?: string } {
    const zone = timeZone?.timezoneName;
    if (zone !== undefined && this.kind === 'rate') {
      invalidProp(scope, 'timeZone', zone, 'A rate schedule has no time of day; remove timeZone or use a cron schedule.');
    }
    // Both services take canonical IANA time zone names (see timeZoneProblem()); a misspelt TimeZone.of('...') or an
    // alias would fail only at deploy.
    const problem = zone !== undefined && !Token.isUnresolved(zone) ? timeZoneProblem(zone) : undefined;
    if (zone !== undefined && problem?.kind === 'unknown') {
      invalidProp(scope, 'timeZone', zone, "Use an IANA time zone name such as TimeZone.EUROPE_BERLIN or TimeZone.of('America/New_York').");
    }
    if (zone !== undefined && problem?.kind === 'alias') {
      invalidProp(scope, 'timeZone', zone, `That name is an alias: use the canonical IANA name '${problem.canonical}' (Application Auto Scaling takes canonical names only).`);
    }
    // An instant is written in UTC and needs no time zone (both services read at() in UTC when none is given).
    if (this.kind === 'instant') {
      return { expression: this.expressionString };
    }
    if (this.localTime && zone !== undefined && !Token.isUnresolved(zone) && typeof scope !== 'string') {
      warnAboutClockChange(scope, this.localTime, zone);
    }
    return { expression: this.expressionString, timeZone: zone };
  }
}

/**
 * Warn when a wall-clock time does not occur, or occurs twice, in a time zone because of a daylight saving time
 * change.
 *
 * What AWS documents: EventBridge Scheduler "automatically adjusts your schedule for Daylight Saving Time"; when the
 * time shifts forward an invocation whose time does not exist is skipped, and when it shifts back the schedule runs
 * only once ("Daylight savings time on EventBridge Scheduler",
 * https://docs.aws.amazon.com/scheduler/latest/UserGuide/schedule-types.html#daylist-savings-time, and
 * https://repost.aws/knowledge-center/eventbridge-scheduler-adjust-dst). Application Auto Scaling says only that an
 * action in a zone with daylight saving time "automatically adjusts for Daylight Saving Time"
 * (https://docs.aws.amazon.com/autoscaling/application/userguide/scheduled-scaling-policy-overview.html). Neither
 * says which of the two instants a repeated time means, so the warning names both.
 */
function warnAboutClockChange(scope: IConstruct, localTime: WallClock, zone: string): void {
  const instants = instantsAt(localTime, zone);
  const local = formatWallClock(localTime);
  const utc = (d: Date) => `${d.toISOString().slice(0, 19)}Z`;
  if (instants.length === 0) {
    Annotations.of(scope).addWarningV2('cdk-ecs-foundry:scheduleLocalTimeSkipped',
      `Schedule.atLocalTime('${local}') does not exist in ${zone}: the clocks go forward over it. EventBridge Scheduler skips an invocation at a time that does not exist, and Application Auto Scaling does not document what it does, so the schedule may never fire. Pick a time outside the change, or use Schedule.at() with the instant.`);
  } else if (instants.length > 1) {
    Annotations.of(scope).addWarningV2('cdk-ecs-foundry:scheduleLocalTimeTwice',
      `Schedule.atLocalTime('${local}') occurs twice in ${zone}, at ${instants.map(utc).join(' and ')}: the clocks go back over it. AWS runs a schedule once at a repeated time but does not document which of the two instants it picks. Use Schedule.at() with the instant you mean.`);
  }
}
