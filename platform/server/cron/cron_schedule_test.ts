import assert from "node:assert/strict";
import { type CronSchedule, InvalidScheduleError, nextRunAfter, parseSchedule } from "./cron_schedule.ts";

/** Schedules pg_cron accepts. platform/tests/database/pg_cron/schedule_syntax.test.sql checks the same list. */
const ACCEPTED = [
  "* * * * *",
  "0 10 * * *",
  "*/5 * * * *",
  "0-30/10 8-18 * * mon-fri",
  "5,10,15 0 1,15 * *",
  "0 0 $ * *",
  "0 0 * jan,JUL *",
  "0 0 * Jan-Mar/2 *",
  "0 12 * * 7",
  "0 12 * * sun,Sat",
  "00 05 01 01 00",
  "  0 0 * * *  ",
  "0\t0 * * *",
  "1 seconds",
  "59 seconds",
  "1 second",
  "10 SECONDS",
  "10seconds",
  " 30 seconds ",
  "@yearly",
  "@annually",
  "@monthly",
  "@weekly",
  "@daily",
  "@midnight",
  "@hourly",
  "@reboot",
  "@restart",
];

/** Schedules pg_cron refuses (and the stand-in refuses on purpose, see the last group). */
const REFUSED = [
  "",
  "garbage",
  "* * * *",
  "60 seconds",
  "0 seconds",
  "10 secondc",
  "10 seconds please",
  "60 * * * *",
  "* 24 * * *",
  "* * 0 * *",
  "* * 32 * *",
  "* * * 0 *",
  "* * * 13 *",
  "* * * * 8",
  "5/10 * * * *",
  "*/0 * * * *",
  "1,,2 * * * *",
  "mon * * * *",
  "* * * monday *",
  "$ * * * *",
  "0 0 1,$ * *",
  "@Daily",
  "@weekday",
  // Stricter than pg_cron, which ignores text after the fifth field or a shortcut and reads backwards
  // ranges bit by bit: refusing them beats running a job at times nobody meant.
  "* * * * * *",
  "@daily now",
  "50-10 * * * *",
];

const utc = (iso: string) => new Date(`${iso}Z`);
const nextAfter = (schedule: string, after: string) => nextRunAfter(parseSchedule(schedule), utc(after));

function parseCron(text: string): CronSchedule {
  const schedule = parseSchedule(text);
  assert.equal(schedule.kind, "cron");
  return schedule as CronSchedule;
}

Deno.test("cron schedule: every schedule pg_cron accepts parses", () => {
  for (const text of ACCEPTED) {
    assert.doesNotThrow(() => parseSchedule(text), `should accept ${JSON.stringify(text)}`);
  }
});

Deno.test("cron schedule: schedules pg_cron refuses throw InvalidScheduleError naming the schedule", () => {
  for (const text of REFUSED) {
    assert.throws(
      () => parseSchedule(text),
      (error: unknown) =>
        error instanceof InvalidScheduleError && error.message.includes(`invalid schedule: ${text}`),
      `should refuse ${JSON.stringify(text)}`,
    );
  }
});

Deno.test("cron schedule: '[1-59] seconds' becomes an interval", () => {
  assert.deepEqual(parseSchedule("10 seconds"), { kind: "interval", seconds: 10 });
  assert.deepEqual(parseSchedule("1 second"), { kind: "interval", seconds: 1 });
});

Deno.test("cron schedule: ranges, steps, lists and names expand to their values", () => {
  const schedule = parseCron("1-10/3 */8 1,15,31 jan-mar/2 mon-wed");
  assert.deepEqual([...schedule.minutes], [1, 4, 7, 10]);
  assert.deepEqual([...schedule.hours], [0, 8, 16]);
  assert.deepEqual([...schedule.daysOfMonth], [1, 15, 31]);
  assert.deepEqual([...schedule.months], [1, 3]);
  assert.deepEqual([...schedule.daysOfWeek], [1, 2, 3]);
});

Deno.test("cron schedule: day of week 7 is Sunday", () => {
  assert.deepEqual([...parseCron("0 0 * * 7").daysOfWeek], [0]);
  assert.deepEqual(parseCron("0 0 * * 5-7").daysOfWeek, new Set([5, 6, 0]));
});

Deno.test("cron schedule: a day must match both day fields only when one of them starts with *", () => {
  assert.equal(parseCron("0 0 13 * 5").daysMustMatchBoth, false);
  assert.equal(parseCron("0 0 */2 * 5").daysMustMatchBoth, true);
  assert.equal(parseCron("0 0 13 * *").daysMustMatchBoth, true);
  assert.equal(parseCron("0 0 $ * 5").daysMustMatchBoth, false);
});

Deno.test("cron schedule: the next run is the next matching whole minute, strictly after", () => {
  assert.deepEqual(nextAfter("*/15 * * * *", "2025-03-10T10:07:30"), utc("2025-03-10T10:15:00"));
  assert.deepEqual(nextAfter("*/15 * * * *", "2025-03-10T10:15:00"), utc("2025-03-10T10:30:00"));
  assert.deepEqual(nextAfter("* * * * *", "2025-03-10T10:15:59.999"), utc("2025-03-10T10:16:00"));
  assert.deepEqual(nextAfter("30 2 * * *", "2025-03-10T10:00:00"), utc("2025-03-11T02:30:00"));
  assert.deepEqual(nextAfter("59 23 31 12 *", "2025-12-31T23:59:00"), utc("2026-12-31T23:59:00"));
});

Deno.test("cron schedule: runs are in UTC", () => {
  // Noon in Paris is 10:00 UTC, so noon UTC is still ahead the same day.
  const after = new Date("2025-06-01T12:00:00+02:00");
  assert.deepEqual(nextRunAfter(parseSchedule("0 12 * * *"), after), utc("2025-06-01T12:00:00"));
});

Deno.test("cron schedule: weekday ranges skip the weekend", () => {
  // 2025-03-14 is a Friday.
  assert.deepEqual(nextAfter("0 9 * * mon-fri", "2025-03-14T10:00:00"), utc("2025-03-17T09:00:00"));
});

Deno.test("cron schedule: with both day fields restricted, either one matching is enough", () => {
  // After Monday 2025-03-10: Friday the 14th comes before the 13th of April.
  assert.deepEqual(nextAfter("0 0 13 * 5", "2025-03-10T00:00:00"), utc("2025-03-13T00:00:00"));
  assert.deepEqual(nextAfter("0 0 13 * 5", "2025-03-13T00:00:00"), utc("2025-03-14T00:00:00"));
});

Deno.test("cron schedule: with a * day field, both day fields must match", () => {
  // Days 1, 11, 21, 31 that are also Mondays: 2025-03-31 is the first after 10 March.
  assert.deepEqual(nextAfter("0 0 */10 * mon", "2025-03-10T00:00:00"), utc("2025-03-31T00:00:00"));
});

Deno.test("cron schedule: '$' is the last day of each month, leap years included", () => {
  assert.deepEqual(nextAfter("0 0 $ * *", "2024-02-10T00:00:00"), utc("2024-02-29T00:00:00"));
  assert.deepEqual(nextAfter("0 0 $ * *", "2023-02-10T00:00:00"), utc("2023-02-28T00:00:00"));
  assert.deepEqual(nextAfter("0 0 $ * *", "2025-04-30T00:00:30"), utc("2025-05-31T00:00:00"));
});

Deno.test("cron schedule: 29 February waits for the next leap year, skipping 2100", () => {
  assert.deepEqual(nextAfter("0 0 29 2 *", "2025-01-01T00:00:00"), utc("2028-02-29T00:00:00"));
  assert.deepEqual(nextAfter("0 0 29 2 *", "2096-03-01T00:00:00"), utc("2104-02-29T00:00:00"));
});

Deno.test("cron schedule: a date that never occurs has no next run", () => {
  assert.equal(nextAfter("0 0 30 2 *", "2025-01-01T00:00:00"), null);
  assert.equal(nextAfter("0 0 31 4,6,9,11 *", "2025-01-01T00:00:00"), null);
});

Deno.test("cron schedule: shortcuts run at their documented times", () => {
  const after = "2025-03-12T10:30:00"; // a Wednesday
  assert.deepEqual(nextAfter("@hourly", after), utc("2025-03-12T11:00:00"));
  assert.deepEqual(nextAfter("@daily", after), utc("2025-03-13T00:00:00"));
  assert.deepEqual(nextAfter("@midnight", after), utc("2025-03-13T00:00:00"));
  assert.deepEqual(nextAfter("@weekly", after), utc("2025-03-16T00:00:00"));
  assert.deepEqual(nextAfter("@monthly", after), utc("2025-04-01T00:00:00"));
  assert.deepEqual(nextAfter("@yearly", after), utc("2026-01-01T00:00:00"));
  assert.deepEqual(nextAfter("@annually", after), utc("2026-01-01T00:00:00"));
});

Deno.test("cron schedule: @reboot has no next run", () => {
  assert.deepEqual(parseSchedule("@reboot"), { kind: "reboot" });
  assert.equal(nextAfter("@reboot", "2025-03-12T10:30:00"), null);
});

Deno.test("cron schedule: an interval runs that many seconds after the previous start", () => {
  assert.deepEqual(nextAfter("10 seconds", "2025-03-12T10:30:05.250"), utc("2025-03-12T10:30:15.250"));
});
