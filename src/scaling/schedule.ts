import { Duration, TimeZone, Token } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { atProblem, cronProblem, formatWallClock, isKnownTimeZone, wallClockIn } from '../private/schedule-expression';
import { invalidProp } from '../private/validation';

/**
 * When something happens: a cron or rate expression, or one time.
 *
 * One type for a `ScheduledTask` (EventBridge Scheduler) and a service's `scaleOnSchedule()` (Application Auto
 * Scaling). Both services accept the same `cron()`, `rate()` and `at()` forms and read `cron()` and `at()` in the
 * schedule's time zone ("Schedule types on EventBridge Scheduler",
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
   * The expression is written as the wall-clock time of the instant in the schedule's time zone (`timeZone`, UTC by
   * default), which is how both services read `at()`: it fires at this instant whatever the time zone, and the
   * template does not depend on the build machine's time zone.
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
    return new Schedule('at', `at(${formatWallClock(utc)})`, instant);
  }

  /**
   * Once, at this wall-clock date and time (`yyyy-mm-ddThh:mm:ss`) in the schedule's time zone.
   *
   * Example: `Schedule.atLocalTime('2027-01-31T06:30:00')` with `timeZone: TimeZone.EUROPE_BERLIN` fires at 06:30
   * in Berlin (the time zone is UTC when none is given).
   */
  public static atLocalTime(dateTime: string): Schedule {
    const problem = typeof dateTime === 'string' ? atProblem(dateTime) : 'Pass a string.';
    if (problem) {
      invalidProp('Schedule.atLocalTime()', 'dateTime', dateTime, problem);
    }
    return new Schedule('at', `at(${dateTime})`);
  }

  /**
   * The expression as the service receives it when the schedule has no time zone (UTC).
   *
   * A schedule with a `timeZone` writes one-time schedules made with `at()` in that zone.
   */
  public readonly expressionString: string;
  private readonly kind: 'cron' | 'rate' | 'at';
  private readonly instant?: Date;

  private constructor(kind: 'cron' | 'rate' | 'at', expression: string, instant?: Date) {
    this.kind = kind;
    this.expressionString = expression;
    this.instant = instant;
  }

  /** Whether the schedule fires once only. */
  public get oneTime(): boolean {
    return this.kind === 'at';
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
    // Both services take IANA time zone names (Scheduler: ScheduleExpressionTimezone,
    // https://docs.aws.amazon.com/scheduler/latest/APIReference/API_CreateSchedule.html; Application Auto Scaling:
    // Timezone, "the canonical names of the IANA time zones",
    // https://docs.aws.amazon.com/autoscaling/application/APIReference/API_PutScheduledAction.html); a misspelt
    // TimeZone.of('...') fails only at deploy.
    if (zone !== undefined && !Token.isUnresolved(zone) && !isKnownTimeZone(zone)) {
      invalidProp(scope, 'timeZone', zone, "Use an IANA time zone name such as TimeZone.EUROPE_BERLIN or TimeZone.of('America/New_York').");
    }
    if (zone !== undefined && Token.isUnresolved(zone) && this.instant) {
      invalidProp(scope, 'timeZone', zone, 'Schedule.at() is written in the time zone of the schedule, which must then be known at synth: use a literal TimeZone, or Schedule.atLocalTime().');
    }
    // at() is read in the schedule's time zone: a one-time instant is written as its wall-clock time there.
    const expression = this.instant && zone !== undefined && !Token.isUnresolved(zone)
      ? `at(${formatWallClock(wallClockIn(this.instant, zone))})`
      : this.expressionString;
    return { expression, timeZone: zone };
  }
}
