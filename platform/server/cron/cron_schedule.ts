/**
 * pg_cron schedules for the platform's stand-in scheduler: parsing, and the time of the next run.
 *
 * Accepts exactly what the stand-in extension's `cron._schedule_is_valid` accepts
 * (platform/extensions/pg_cron), which is what pg_cron 1.6 accepts:
 * - five fields separated by blanks: minute 0-59, hour 0-23, day of month 1-31 or `$` (the last day),
 *   month 1-12 or jan-dec, day of week 0-7 or sun-sat (0 and 7 are Sunday). Each field is a comma list of
 *   `*`, `a` or `a-b`; `*` and ranges may carry a `/step`. Ranges never run backwards;
 * - the shortcuts @yearly @annually @monthly @weekly @daily @midnight @hourly, and @reboot / @restart;
 * - `N seconds` (or `N second`) with N from 1 to 59.
 * Times are UTC: pg_cron's default `cron.timezone` is GMT.
 */

export type Schedule = IntervalSchedule | RebootSchedule | CronSchedule;

export interface IntervalSchedule {
  kind: "interval";
  seconds: number;
}

/** Runs once when the server starts; the scheduler has no next run to compute for it. */
export interface RebootSchedule {
  kind: "reboot";
}

export interface CronSchedule {
  kind: "cron";
  minutes: ReadonlySet<number>;
  hours: ReadonlySet<number>;
  daysOfMonth: ReadonlySet<number>;
  /** The day-of-month field was `$`. */
  lastDayOfMonth: boolean;
  months: ReadonlySet<number>;
  /** 0 is Sunday; 7 is folded into 0. */
  daysOfWeek: ReadonlySet<number>;
  /**
   * Vixie cron's rule, kept by pg_cron: when the day-of-month or the day-of-week field starts with `*`, a day
   * must match both fields; otherwise matching either is enough ("the 13th or any Friday").
   */
  daysMustMatchBoth: boolean;
}

export class InvalidScheduleError extends Error {
  constructor(readonly schedule: string, reason: string) {
    super(`invalid schedule: ${schedule} (${reason})`);
    this.name = "InvalidScheduleError";
  }
}

interface FieldSpec {
  name: string;
  low: number;
  high: number;
  /** Three-letter names, the first of which stands for `firstNamed`. */
  names?: readonly string[];
  firstNamed?: number;
}

const MINUTE: FieldSpec = { name: "minute", low: 0, high: 59 };
const HOUR: FieldSpec = { name: "hour", low: 0, high: 23 };
const DAY_OF_MONTH: FieldSpec = { name: "day of month", low: 1, high: 31 };
const MONTH: FieldSpec = {
  name: "month",
  low: 1,
  high: 12,
  names: ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"],
  firstNamed: 1,
};
const DAY_OF_WEEK: FieldSpec = {
  name: "day of week",
  low: 0,
  high: 7,
  names: ["sun", "mon", "tue", "wed", "thu", "fri", "sat"],
  firstNamed: 0,
};

const SHORTCUTS = new Map([
  ["@yearly", "0 0 1 1 *"],
  ["@annually", "0 0 1 1 *"],
  ["@monthly", "0 0 1 * *"],
  ["@weekly", "0 0 * * 0"],
  ["@daily", "0 0 * * *"],
  ["@midnight", "0 0 * * *"],
  ["@hourly", "0 * * * *"],
]);
const REBOOT_SHORTCUTS = new Set(["@reboot", "@restart"]);

const BLANKS_AROUND = /^[ \t\r\n]+|[ \t\r\n]+$/g;
const INTERVAL = /^([0-9]+)[ \t]*seconds?$/i;
const FIELD_ITEM = /^(?:(\*)|([0-9A-Za-z]+)(?:-([0-9A-Za-z]+))?)(?:\/([0-9]+))?$/;

const MINUTE_MS = 60_000;
const DAY_MS = 24 * 60 * MINUTE_MS;
/** Far enough for any day that exists: a 29 February can be eight years away (2096, then 2104). */
const SEARCH_DAYS = 9 * 366;

/** Parses a pg_cron schedule; throws InvalidScheduleError for anything pg_cron would refuse. */
export function parseSchedule(text: string): Schedule {
  const trimmed = text.replace(BLANKS_AROUND, "");

  const interval = INTERVAL.exec(trimmed);
  if (interval) {
    const seconds = Number(interval[1]);
    if (seconds < 1 || seconds > 59) {
      throw new InvalidScheduleError(text, "an interval must be 1 to 59 seconds");
    }
    return { kind: "interval", seconds };
  }

  if (trimmed.startsWith("@")) {
    if (REBOOT_SHORTCUTS.has(trimmed)) return { kind: "reboot" };
    const expansion = SHORTCUTS.get(trimmed);
    if (expansion === undefined) throw new InvalidScheduleError(text, `unknown shortcut ${trimmed}`);
    return parseFields(text, expansion);
  }

  return parseFields(text, trimmed);
}

/**
 * The first run strictly after `after`: `after` plus the interval for 'N seconds' (pass the previous start),
 * the next matching whole minute for cron schedules, or null when there is none (@reboot, or a date that
 * never occurs such as 30 February).
 */
export function nextRunAfter(schedule: Schedule, after: Date): Date | null {
  switch (schedule.kind) {
    case "reboot":
      return null;
    case "interval":
      return new Date(after.getTime() + schedule.seconds * 1000);
    case "cron":
      return nextCronRun(schedule, after);
  }
}

function parseFields(text: string, fieldsText: string): CronSchedule {
  const fields = fieldsText.split(/[ \t]+/);
  if (fields.length !== 5) {
    throw new InvalidScheduleError(text, `expected 5 fields, found ${fields.length}`);
  }
  const [minute, hour, dayOfMonth, month, dayOfWeek] = fields;
  const lastDayOfMonth = dayOfMonth === "$";
  const daysOfWeek = parseField(text, dayOfWeek, DAY_OF_WEEK);
  if (daysOfWeek.delete(7)) daysOfWeek.add(0);
  return {
    kind: "cron",
    minutes: parseField(text, minute, MINUTE),
    hours: parseField(text, hour, HOUR),
    daysOfMonth: lastDayOfMonth ? new Set() : parseField(text, dayOfMonth, DAY_OF_MONTH),
    lastDayOfMonth,
    months: parseField(text, month, MONTH),
    daysOfWeek,
    daysMustMatchBoth: dayOfMonth.startsWith("*") || dayOfWeek.startsWith("*"),
  };
}

function parseField(text: string, field: string, spec: FieldSpec): Set<number> {
  const invalid = (reason: string) =>
    new InvalidScheduleError(text, `${spec.name} field "${field}": ${reason}`);
  const values = new Set<number>();
  for (const item of field.split(",")) {
    const match = FIELD_ITEM.exec(item);
    if (!match) throw invalid(`cannot read "${item}"`);
    const [, star, startToken, endToken, stepToken] = match;
    const step = stepToken === undefined ? 1 : Number(stepToken);
    if (step === 0) throw invalid("a step must be at least 1");

    let start = spec.low;
    let end = spec.high;
    if (!star) {
      if (endToken === undefined && stepToken !== undefined) throw invalid("a step needs * or a range");
      start = fieldValue(startToken, spec);
      end = endToken === undefined ? start : fieldValue(endToken, spec);
      if (Number.isNaN(start) || Number.isNaN(end)) throw invalid(`unknown value in "${item}"`);
      if (start < spec.low || end > spec.high) throw invalid(`values must be ${spec.low} to ${spec.high}`);
      if (start > end) throw invalid(`the range ${item} runs backwards`);
    }
    for (let value = start; value <= end; value += step) values.add(value);
  }
  return values;
}

function fieldValue(token: string, spec: FieldSpec): number {
  if (/^[0-9]+$/.test(token)) return Number(token);
  const index = spec.names?.indexOf(token.toLowerCase()) ?? -1;
  return index < 0 ? NaN : index + (spec.firstNamed ?? 0);
}

function nextCronRun(schedule: CronSchedule, after: Date): Date | null {
  const firstCandidate = Math.floor(after.getTime() / MINUTE_MS) * MINUTE_MS + MINUTE_MS;
  const firstDay = Math.floor(firstCandidate / DAY_MS) * DAY_MS;
  for (let dayStart = firstDay; dayStart < firstDay + SEARCH_DAYS * DAY_MS; dayStart += DAY_MS) {
    if (!dayMatches(schedule, new Date(dayStart))) continue;
    const fromMinute = dayStart === firstDay ? (firstCandidate - firstDay) / MINUTE_MS : 0;
    for (let minuteOfDay = fromMinute; minuteOfDay < 24 * 60; minuteOfDay++) {
      if (schedule.hours.has(Math.floor(minuteOfDay / 60)) && schedule.minutes.has(minuteOfDay % 60)) {
        return new Date(dayStart + minuteOfDay * MINUTE_MS);
      }
    }
  }
  return null;
}

function dayMatches(schedule: CronSchedule, day: Date): boolean {
  if (!schedule.months.has(day.getUTCMonth() + 1)) return false;
  const dayOfMonth = day.getUTCDate();
  const lastDay = new Date(Date.UTC(day.getUTCFullYear(), day.getUTCMonth() + 1, 0)).getUTCDate();
  const dayOfMonthMatches = schedule.daysOfMonth.has(dayOfMonth) ||
    (schedule.lastDayOfMonth && dayOfMonth === lastDay);
  const dayOfWeekMatches = schedule.daysOfWeek.has(day.getUTCDay());
  return schedule.daysMustMatchBoth
    ? dayOfMonthMatches && dayOfWeekMatches
    : dayOfMonthMatches || dayOfWeekMatches;
}
