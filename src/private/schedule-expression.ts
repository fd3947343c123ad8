/**
 * Schedule expressions (cron, rate, at) and time zones, as pure functions: parse, validate and render them the way
 * EventBridge Scheduler and Application Auto Scaling read them, independent of the build machine's time zone and
 * locale. Both services take the same three forms, and both read `at()` and `cron()` in the schedule's time zone
 * (UTC when unset), so one validator serves a `ScheduledTask` and a service's `scaleOnSchedule()`.
 *
 * Sources:
 * - Amazon EventBridge Scheduler User Guide, "Schedule types on EventBridge Scheduler",
 *   https://docs.aws.amazon.com/scheduler/latest/UserGuide/schedule-types.html
 * - Application Auto Scaling API Reference, PutScheduledAction ("At expressions - at(yyyy-mm-ddThh:mm:ss)", "Rate
 *   expressions - rate(value unit)", "Cron expressions - cron(fields)", "six fields ... [Minutes] [Hours]
 *   [Day_of_Month] [Month] [Day_of_Week] [Year]", "value is a positive integer and unit is minute | minutes | hour |
 *   hours | day | days", "At and cron expressions use Universal Coordinated Time (UTC) by default"),
 *   https://docs.aws.amazon.com/autoscaling/application/APIReference/API_PutScheduledAction.html, and
 *   "Schedule recurring scaling actions using Application Auto Scaling" (the cron syntax is EventBridge's; time
 *   zones are IANA names), https://docs.aws.amazon.com/autoscaling/application/userguide/scheduled-scaling-using-cron-expressions.html
 *
 * The rules both share:
 * - cron(minutes hours day-of-month month day-of-week year): six fields; minutes 0-59, hours 0-23,
 *   day-of-month 1-31, month 1-12 or JAN-DEC, day-of-week 1-7 or SUN-SAT, year 1970-2199; wildcards `, - * /`
 *   everywhere, `?` in day-of-month or day-of-week (exactly one of the two), `L` and `W` in day-of-month,
 *   `L` and `#` in day-of-week.
 * - rate(value unit): a positive whole value; unit minute(s), hour(s) or day(s), singular when the value is 1.
 * - at(yyyy-mm-ddThh:mm:ss): a date and time of day, read in the schedule's time zone (UTC when unset).
 */

import { TimeZone } from 'aws-cdk-lib';

/** One cron field: its name, range and the special characters it accepts besides `, - * /`. */
interface CronField {
  readonly name: string;
  readonly min: number;
  readonly max: number;
  readonly names?: readonly string[];
  readonly question?: boolean;
  /** `L` and `W` (day-of-month) or `L` and `#` (day-of-week). */
  readonly special?: 'dom' | 'dow';
}

const MONTHS = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'];
const DAYS = ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'];

/** The six fields of a cron expression, in order. */
export const CRON_FIELDS: readonly CronField[] = [
  { name: 'minutes', min: 0, max: 59 },
  { name: 'hours', min: 0, max: 23 },
  { name: 'day-of-month', min: 1, max: 31, question: true, special: 'dom' },
  { name: 'month', min: 1, max: 12, names: MONTHS },
  { name: 'day-of-week', min: 1, max: 7, names: DAYS, question: true, special: 'dow' },
  { name: 'year', min: 1970, max: 2199 },
];

/** Why an expression is invalid, or undefined when it is valid. */
export type ExpressionProblem = string | undefined;

function valueOf(token: string, field: CronField): number | undefined {
  if (/^\d+$/.test(token)) {
    const n = Number(token);
    return n >= field.min && n <= field.max ? n : undefined;
  }
  const index = field.names?.indexOf(token.toUpperCase()) ?? -1;
  return index >= 0 ? index + field.min : undefined;
}

function checkItem(item: string, field: CronField): ExpressionProblem {
  const range = `${field.min}-${field.max}${field.names ? ` or ${field.names[0]}-${field.names[field.names.length - 1]}` : ''}`;
  if (item === '*') return undefined;
  if (field.special === 'dom') {
    if (item === 'L') return undefined;
    const w = /^(\d+)W$/.exec(item);
    if (w) return valueOf(w[1], field) === undefined ? `'${item}': ${w[1]} is not a day of the month (1-31)` : undefined;
  }
  if (field.special === 'dow') {
    if (item === 'L') return undefined;
    const hash = /^([^#]+)#(\d+)$/.exec(item);
    if (hash) {
      if (valueOf(hash[1], field) === undefined) return `'${item}': ${hash[1]} is not a day of the week (${range})`;
      return /^[1-5]$/.test(hash[2]) ? undefined : `'${item}': the week of the month after '#' is 1-5`;
    }
    const last = /^(.+)L$/.exec(item);
    if (last) return valueOf(last[1], field) === undefined ? `'${item}': ${last[1]} is not a day of the week (${range})` : undefined;
  }
  const [base, step, ...extra] = item.split('/');
  if (extra.length > 0) return `'${item}' has more than one '/'`;
  if (step !== undefined && (!/^\d+$/.test(step) || Number(step) < 1 || Number(step) > field.max)) {
    return `'${item}': the increment after '/' must be a whole number from 1 to ${field.max}`;
  }
  if (base === '*') return undefined;
  const bounds = base.split('-');
  if (bounds.length > 2 || bounds.some(b => b === '')) return `'${item}' is not a value, range or increment`;
  const values = bounds.map(b => valueOf(b, field));
  if (values.some(v => v === undefined)) return `'${item}': ${field.name} takes ${range}`;
  return undefined;
}

/**
 * Validate the body of a `cron(...)` expression (the six fields). Returns why it is invalid, or undefined.
 */
export function cronProblem(body: string): ExpressionProblem {
  const fields = body.trim().split(/\s+/);
  if (fields.length !== 6) {
    return `A cron expression has 6 fields (minutes hours day-of-month month day-of-week year), this has ${fields.length}. Example: '0 3 * * ? *' for 03:00 daily.`;
  }
  for (let i = 0; i < 6; i++) {
    const field = CRON_FIELDS[i];
    const text = fields[i];
    if (text === '?') {
      if (!field.question) return `'?' is allowed only in day-of-month or day-of-week, not in ${field.name}.`;
      continue;
    }
    for (const item of text.split(',')) {
      const problem = checkItem(item, field);
      if (problem) return `Invalid ${field.name} field ${problem}.`;
    }
  }
  if ((fields[2] === '?') === (fields[4] === '?')) {
    return "Exactly one of day-of-month and day-of-week must be '?', e.g. '0 3 * * ? *' or '0 3 ? * MON-FRI *'.";
  }
  return undefined;
}

/** Validate a whole `rate(value unit)` expression. */
export function rateProblem(expression: string): ExpressionProblem {
  const m = /^rate\((\d+) (minute|minutes|hour|hours|day|days)\)$/.exec(expression);
  if (!m) return "Use rate(value unit) with a whole value and the unit minute(s), hour(s) or day(s), e.g. 'rate(5 minutes)'.";
  const value = Number(m[1]);
  if (value < 1) return 'The value of a rate must be at least 1.';
  const plural = m[2].endsWith('s');
  if ((value === 1) === plural) return `With the value ${value} the unit must be ${value === 1 ? 'singular' : 'plural'}.`;
  return undefined;
}

/** A wall-clock date and time (no time zone). */
export interface WallClock {
  readonly year: number;
  readonly month: number;
  readonly day: number;
  readonly hour: number;
  readonly minute: number;
  readonly second: number;
}

const AT_BODY = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})$/;

/** Parse `yyyy-mm-ddThh:mm:ss` into wall-clock fields, or return why it is not a valid date and time. */
export function parseWallClock(text: string): WallClock | string {
  const m = AT_BODY.exec(text);
  if (!m) return "Use the form yyyy-mm-ddThh:mm:ss, e.g. '2027-01-31T06:30:00'.";
  const [year, month, day, hour, minute, second] = m.slice(1).map(Number);
  const daysInMonth = new Date(Date.UTC(year, month, 0)).getUTCDate();
  if (month < 1 || month > 12) return `${month} is not a month (01-12).`;
  if (day < 1 || day > daysInMonth) return `${year}-${m[2]} has days 01-${daysInMonth}.`;
  if (hour > 23 || minute > 59 || second > 59) return 'The time of day is hh:mm:ss with hours 00-23 and minutes and seconds 00-59.';
  return { year, month, day, hour, minute, second };
}

/** Validate the body of an `at(...)` expression. */
export function atProblem(body: string): ExpressionProblem {
  const parsed = parseWallClock(body);
  return typeof parsed === 'string' ? parsed : undefined;
}

const pad = (n: number, width = 2) => String(n).padStart(width, '0');

/** Render wall-clock fields as `yyyy-mm-ddThh:mm:ss`. */
export function formatWallClock(w: WallClock): string {
  return `${pad(w.year, 4)}-${pad(w.month)}-${pad(w.day)}T${pad(w.hour)}:${pad(w.minute)}:${pad(w.second)}`;
}

/**
 * The wall-clock time of an instant in an IANA time zone, computed with `Intl.DateTimeFormat` and an explicit
 * `timeZone`: the result depends only on the instant and the zone, never on the build machine's `TZ` or locale.
 */
export function wallClockIn(instant: Date, timeZone: string): WallClock {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone,
    hourCycle: 'h23',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
  }).formatToParts(instant);
  const get = (type: Intl.DateTimeFormatPartTypes) => Number(parts.find(p => p.type === type)!.value);
  return { year: get('year'), month: get('month'), day: get('day'), hour: get('hour') % 24, minute: get('minute'), second: get('second') };
}

/** How ICU names a time zone (its own canonical id), or undefined when ICU does not know the name. */
function icuZoneId(name: string): string | undefined {
  try {
    return new Intl.DateTimeFormat('en-US', { timeZone: name }).resolvedOptions().timeZone;
  } catch {
    return undefined;
  }
}

let canonicalZones: ReadonlySet<string> | undefined;

/**
 * The canonical IANA time zone names: aws-cdk-lib's `TimeZone` constants ("Canonical names of the IANA time zones,
 * derived from the IANA Time Zone Database", https://docs.aws.amazon.com/cdk/api/v2/docs/aws-cdk-lib.TimeZone.html)
 * that ICU knows, plus 'UTC', the name both services use for their default.
 *
 * Not `Intl.supportedValuesOf('timeZone')`: ICU lists CLDR's ids, which keep old names (Node 20 lists
 * 'Asia/Calcutta' and 'Europe/Kiev', not 'Asia/Kolkata' and 'Europe/Kyiv') and leave out 'UTC' and the 'Etc/GMT+9'
 * that AWS gives as its example of a valid value.
 */
function canonicalZoneNames(): ReadonlySet<string> {
  if (!canonicalZones) {
    const names = Object.values(TimeZone as unknown as Record<string, unknown>)
      .filter((v): v is TimeZone => v instanceof TimeZone)
      .map(zone => zone.timezoneName)
      // 'Factory' (a placeholder in the tz data, not a place) is listed by aws-cdk-lib but is no time zone to run in.
      .filter(name => icuZoneId(name) !== undefined);
    canonicalZones = new Set([...names, 'UTC']);
  }
  return canonicalZones;
}

/** What is wrong with a time zone name, if anything. */
export type TimeZoneProblem =
  /** Neither an IANA name nor known to ICU ('Europe/Berlyn', '+02:00'). */
  | { readonly kind: 'unknown' }
  /** A link (alias) to a canonical name, e.g. 'Asia/Calcutta' for 'Asia/Kolkata'. */
  | { readonly kind: 'alias'; readonly canonical: string };

/**
 * Check a time zone name the way both services want it.
 *
 * Application Auto Scaling takes "the canonical names of the IANA time zones supported by Joda-Time (such as
 * Etc/GMT+9 or Pacific/Tahiti)" (PutScheduledAction, Timezone,
 * https://docs.aws.amazon.com/autoscaling/application/APIReference/API_PutScheduledAction.html, and Joda-Time's table
 * of canonical ids and their aliases, https://www.joda.org/joda-time/timezones.html); EventBridge Scheduler takes
 * the time zones of its own list ("Time zones on EventBridge Scheduler",
 * https://docs.aws.amazon.com/scheduler/latest/UserGuide/schedule-types.html#time-zones, and
 * ScheduleExpressionTimezone, https://docs.aws.amazon.com/scheduler/latest/APIReference/API_CreateSchedule.html).
 *
 * - A canonical name (see `canonicalZoneNames()`) is accepted.
 * - A name ICU does not know is unknown.
 * - A name ICU treats as the same zone as a canonical name is an alias of it ('US/Pacific', 'Asia/Calcutta',
 *   'Europe/Kiev', 'GMT', a name in the wrong case).
 * - Any other name ICU knows is accepted: Joda-Time's tz data (global-tz) keeps zones that the IANA database turned
 *   into links (e.g. 'Europe/Amsterdam'), and a newer tz release may add zones aws-cdk-lib does not list yet.
 *
 * @returns undefined when the name is accepted
 */
export function timeZoneProblem(name: string): TimeZoneProblem | undefined {
  if (typeof name !== 'string' || !/^[A-Za-z][A-Za-z0-9_+\-/]*$/.test(name)) return { kind: 'unknown' };
  const canonical = canonicalZoneNames();
  if (canonical.has(name)) return undefined;
  const icu = icuZoneId(name);
  if (icu === undefined) return { kind: 'unknown' };
  const same = [...canonical].filter(c => icuZoneId(c) === icu);
  if (same.length === 0) return undefined;
  // Prefer the canonical name ICU itself uses (e.g. 'UTC' for 'GMT', not 'Etc/UTC').
  return { kind: 'alias', canonical: same.includes(icu) ? icu : same[0] };
}

/** Whether the time zone name is accepted by `timeZoneProblem()`. */
export function isKnownTimeZone(name: string): boolean {
  return timeZoneProblem(name) === undefined;
}

/**
 * The instants at which a wall-clock time occurs in a time zone, earliest first: none in a spring-forward gap, two
 * when the clock falls back, else one.
 */
export function instantsAt(wallClock: WallClock, timeZone: string): Date[] {
  const text = formatWallClock(wallClock);
  const asUtc = Date.UTC(wallClock.year, wallClock.month - 1, wallClock.day, wallClock.hour, wallClock.minute, wallClock.second);
  // Every UTC offset in use lies within -12 h and +14 h and is a whole number of minutes; only the offsets in force
  // a day either side can match, so try those.
  const offsets = new Set<number>();
  for (const probe of [asUtc - 86_400_000, asUtc, asUtc + 86_400_000]) {
    offsets.add(offsetMinutes(new Date(probe), timeZone));
  }
  const found = [...offsets]
    .map(offset => asUtc - offset * 60_000)
    .filter(t => formatWallClock(wallClockIn(new Date(t), timeZone)) === text);
  return [...new Set(found)].sort((a, b) => a - b).map(t => new Date(t));
}

/** The UTC offset of a time zone at an instant, in minutes (east positive). */
function offsetMinutes(instant: Date, timeZone: string): number {
  const w = wallClockIn(instant, timeZone);
  const asUtc = Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute, w.second);
  return Math.round((asUtc - Math.floor(instant.getTime() / 1000) * 1000) / 60_000);
}
