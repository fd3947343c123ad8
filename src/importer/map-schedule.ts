import { CodeObject, goDuration, raw, str } from './code';
import { ManifestFields } from './manifest-fields';

/*
 * A Scheduled Job's `on.schedule` converted the way Copilot converts it for AWS
 * (internal/pkg/deploy/cloudformation/stack/scheduled_job.go, awsSchedule): presets become AWS cron expressions,
 * '@every d' a rate in minutes, a standard 5-field cron gets its '?' day field, a 1-based day of week and a year,
 * and 'rate(...)' / 'cron(...)' pass through.
 */

const PRESETS: Record<string, string> = {
  '@hourly': '0 * * * ? *',
  '@daily': '0 0 * * ? *',
  '@midnight': '0 0 * * ? *',
  '@weekly': '0 0 ? * 1 *',
  '@monthly': '0 0 1 * ? *',
  '@yearly': '0 0 1 1 ? *',
  '@annually': '0 0 1 1 ? *',
};

/** A `Schedule.rate(...)` for whole minutes, or undefined. */
function rate(minutes: number): string | undefined {
  if (!Number.isInteger(minutes) || minutes < 1) return undefined;
  if (minutes % 1440 === 0) return `Schedule.rate(Duration.days(${minutes / 1440}))`;
  if (minutes % 60 === 0) return `Schedule.rate(Duration.hours(${minutes / 60}))`;
  return `Schedule.rate(Duration.minutes(${minutes}))`;
}

/** A standard 5-field cron as an AWS 6-field cron, or an error message. */
export function toAwsCron(expression: string): string | { error: string } {
  const fields = expression.trim().split(/\s+/);
  if (fields.length !== 5) return { error: 'a standard cron expression has 5 fields (minute hour day-of-month month day-of-week)' };
  const specified = (f: string) => !/[*?]/.test(f);
  const [min, hour] = fields;
  let [, , dom, , dow] = fields;
  const month = fields[3];
  if (!specified(dom) && !specified(dow)) {
    dow = '?';
    dom = '*';
  } else if (!specified(dom) && specified(dow)) {
    dom = '?';
  } else if (!specified(dow) && specified(dom)) {
    dow = '?';
  } else {
    return { error: 'AWS cron expressions cannot restrict both the day of month and the day of week' };
  }
  dow = dow.replace(/\d/g, d => String(Number(d) + 1));
  return [min, hour, dom, month, dow, '*'].join(' ');
}

/** `schedule` and `enabled: false` of a `ScheduledTask` (never enabled beside its Copilot job), from `on.schedule`. */
export function mapSchedule(f: ManifestFields): CodeObject {
  const value = f.peek('on.schedule');
  const text = value === undefined ? undefined : String(value).trim();
  if (text === undefined) {
    f.report('on', f.peek('on') ?? null, 'A ScheduledTask needs `on.schedule`; the job is generated disabled.');
    return { schedule: raw('Schedule.rate(Duration.days(1))'), enabled: raw('false') };
  }
  if (text === 'none') {
    f.report('on.schedule', text, 'The job is generated with `enabled: false` (and a daily schedule to enable later); run it with `aws ecs run-task` meanwhile.');
    return { schedule: raw('Schedule.rate(Duration.days(1))'), enabled: raw('false') };
  }
  let code: string | undefined;
  let problem = 'use a preset (@daily), @every <duration>, a 5-field cron, rate(...) or cron(...)';
  const cron = /^cron\((.*)\)$/.exec(text);
  const rateExpr = /^rate\((\d+) (minute|minutes|hour|hours|day|days)\)$/.exec(text);
  if (cron) {
    code = `Schedule.cron(${str(cron[1].trim()).text})`;
  } else if (rateExpr) {
    const unit = rateExpr[2].startsWith('minute') ? 1 : rateExpr[2].startsWith('hour') ? 60 : 1440;
    code = rate(Number(rateExpr[1]) * unit);
  } else if (text.startsWith('@every ')) {
    const d = goDuration(text.slice('@every '.length));
    code = d ? rate(d.seconds / 60) : undefined;
    problem = '@every takes a whole number of minutes or hours, at least 1 minute';
  } else if (text.startsWith('@')) {
    const preset = Object.keys(PRESETS).find(p => text.startsWith(p));
    code = preset ? `Schedule.cron(${str(PRESETS[preset]).text})` : undefined;
  } else {
    const aws = toAwsCron(text);
    if (typeof aws === 'string') code = `Schedule.cron(${str(aws).text})`;
    else problem = aws.error;
  }
  if (!code) {
    f.report('on.schedule', text, `Not a schedule Copilot accepts (${problem}); the job is generated disabled: fix the schedule and set enabled.`);
    return { schedule: raw('Schedule.rate(Duration.days(1))'), enabled: raw('false') };
  }
  f.take('on.schedule');
  // Generated disabled: enabled, it would run beside the Copilot job it replaces from the first deploy, every run
  // twice. IMPORT-REPORT.md says when to enable it (after pausing the Copilot job).
  return { schedule: raw(code), enabled: raw('false') };
}
