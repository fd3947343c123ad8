/**
 * Determinism: the same app synthesizes to the same templates (and the same cost estimate) on any machine. Two
 * child processes build an app with every construct, including schedules with dates and time zones, under
 * different time zones and locales (UTC and C; Pacific/Chatham, UTC+13:45 in January, and Turkish, whose
 * upper/lower case rules differ for 'i'), and print a hash per template.
 */
import { execFile } from 'child_process';
import * as path from 'path';
import { promisify } from 'util';

const run = promisify(execFile);
const SCRIPT = path.join(__dirname, 'support', 'determinism-app.ts');
const ROOT = path.join(__dirname, '..', '..');

interface Result {
  readonly seen: { readonly timeZone: string; readonly locale: string; readonly offsetMinutes: number };
  readonly templates: Record<string, string>;
  readonly cost: string;
}

async function synthUnder(tz: string, locale: string): Promise<Result> {
  const { stdout } = await run(process.execPath, ['-r', 'ts-node/register/transpile-only', SCRIPT], {
    cwd: ROOT,
    // Without aws-cdk-lib's CloudFormation validation (it only reports warnings in a plain App, and does not change
    // the templates compared here) and its debugging stack traces (test/support/setup-context.ts).
    env: {
      ...process.env,
      TZ: tz,
      LANG: locale,
      LC_ALL: locale,
      CDK_VALIDATION: 'false',
      CDK_CONTEXT_JSON: JSON.stringify({ 'aws:cdk:disable-creation-stack-traces': true, 'aws:cdk:disable-stack-trace': true }),
    },
    maxBuffer: 64 * 1024 * 1024,
  });
  return JSON.parse(stdout.trim().split('\n').pop()!);
}

let utc: Result;
let chatham: Result;

beforeAll(async () => {
  [utc, chatham] = await Promise.all([synthUnder('UTC', 'C'), synthUnder('Pacific/Chatham', 'tr_TR.UTF-8')]);
}, 180_000);

test('the two processes really ran under different time zones and locales', () => {
  expect(utc.seen.timeZone).toBe('UTC');
  expect(utc.seen.offsetMinutes).toBe(0);
  expect(chatham.seen.timeZone).toBe('Pacific/Chatham');
  expect(chatham.seen.offsetMinutes).toBe(-825);
  expect(chatham.seen.locale).toMatch(/^tr/);
});

test('every template is identical', () => {
  expect(Object.keys(utc.templates).length).toBeGreaterThan(0);
  expect(chatham.templates).toEqual(utc.templates);
});

test('the cost estimate is identical', () => {
  expect(chatham.cost).toEqual(utc.cost);
});
