import assert from "node:assert/strict";
import { createHealthHandler, type HealthReport, type Providers } from "./handler.ts";
import type { DatabaseCheck, HealthSnapshot, HealthStore } from "./health_store.ts";

const NOW = new Date("2026-11-30T12:00:00Z");

const ON_TIME: HealthSnapshot = {
  queues: [
    { name: "email_tasks", depth: 0, oldest_message_age_seconds: null, max_age_seconds: 1800 },
    { name: "page_tasks", depth: 3, oldest_message_age_seconds: 12, max_age_seconds: 3600 },
  ],
  cron: [{
    job: "dispatch-page-tasks",
    schedule: "2 seconds",
    active: true,
    last_run: {
      status: "succeeded",
      started_at: "2026-11-30T11:59:59+00:00",
      ended_at: "2026-11-30T11:59:59+00:00",
    },
    overdue: false,
  }],
  reasons: [],
};

function setup(options: { check?: HealthStore["check"]; providers?: Providers; deadlineMs?: number } = {}) {
  const logs: string[] = [];
  const handler = createHealthHandler({
    store: { check: options.check ?? (() => Promise.resolve({ latencyMs: 4, snapshot: ON_TIME })) },
    providers: options.providers ?? { image: "illustrator", email: "outbox" },
    clock: { now: () => NOW },
    config: { databaseDeadlineMs: options.deadlineMs ?? 3000 },
    log: (line) => logs.push(line),
  });
  const get = (method = "GET") => handler(new Request("http://functions.test/health", { method }));
  return { get, logs };
}

Deno.test("with the database answering and no reason to worry, it is 200 healthy with the whole report", async () => {
  const { get } = setup();
  const response = await get();
  assert.equal(response.status, 200);
  assert.equal(response.headers.get("cache-control"), "no-store");
  assert.deepEqual(await response.json() as HealthReport, {
    status: "healthy",
    checked_at: "2026-11-30T12:00:00.000Z",
    database: { reachable: true, latency_ms: 4 },
    queues: ON_TIME.queues,
    cron: ON_TIME.cron,
    providers: { image: "illustrator", email: "outbox" },
    reasons: [],
  });
});

Deno.test("a reason from the database makes it 503 degraded, naming the reason", async () => {
  const backlog = {
    code: "queue_backlog",
    message: "Queue email_tasks: its oldest message is 2000 s old (limit 1800 s).",
  };
  const { get } = setup({
    check: () => Promise.resolve({ latencyMs: 6, snapshot: { ...ON_TIME, reasons: [backlog] } }),
  });
  const response = await get();
  assert.equal(response.status, 503);
  const report = await response.json() as HealthReport;
  assert.equal(report.status, "degraded");
  assert.deepEqual(report.reasons, [backlog]);
  assert.deepEqual(report.database, { reachable: true, latency_ms: 6 });
  assert.deepEqual(report.queues, ON_TIME.queues);
});

Deno.test("a database that cannot be reached makes it 503 at once, with nothing from the database", async () => {
  const { get, logs } = setup({
    check: () => Promise.reject(new Error("connect ECONNREFUSED 127.0.0.1:6543")),
  });
  const response = await get();
  assert.equal(response.status, 503);
  const report = await response.json() as HealthReport;
  assert.equal(report.status, "degraded");
  assert.deepEqual(report.database, { reachable: false, latency_ms: null });
  assert.equal(report.queues, null);
  assert.equal(report.cron, null);
  assert.deepEqual(report.reasons, [{
    code: "database_unreachable",
    message: "The database could not be reached.",
  }]);
  assert.deepEqual(report.providers, { image: "illustrator", email: "outbox" });
  // The cause is for the operator's log, not for anyone who asks.
  assert.match(logs[0], /"event":"health_database_unreachable".*ECONNREFUSED/);
  assert.doesNotMatch(JSON.stringify(report), /ECONNREFUSED/);
});

Deno.test("a database that does not answer within the deadline makes it 503 without waiting for it", async () => {
  const never = new Promise<DatabaseCheck>(() => {});
  const { get, logs } = setup({ check: () => never, deadlineMs: 0 });
  const response = await get();
  assert.equal(response.status, 503);
  const report = await response.json() as HealthReport;
  assert.deepEqual(report.database, { reachable: false, latency_ms: null });
  assert.deepEqual(report.reasons, [
    { code: "database_unreachable", message: "The database did not answer within 0 ms." },
  ]);
  assert.match(logs[0], /DeadlineExceeded/);
});

Deno.test("a database failing after the deadline changes nothing and is not left unhandled", async () => {
  const late = Promise.withResolvers<DatabaseCheck>();
  const { get } = setup({ check: () => late.promise, deadlineMs: 0 });
  assert.equal((await get()).status, 503);
  late.reject(new Error("connection terminated"));
  // An unhandled rejection would fail this test once the event loop turns.
  await new Promise((resolve) => setTimeout(resolve, 0));
});

Deno.test("the providers named are those configured, fal and Resend included", async () => {
  const { get } = setup({ providers: { image: "fal", email: "resend" } });
  assert.deepEqual((await (await get()).json() as HealthReport).providers, { image: "fal", email: "resend" });
});

Deno.test("another method is 405 in the error shape, naming GET", async () => {
  const { get } = setup();
  for (const method of ["POST", "DELETE", "PUT"]) {
    const response = await get(method);
    assert.equal(response.status, 405);
    assert.equal(response.headers.get("allow"), "GET");
    assert.deepEqual(await response.json(), {
      error: { code: "method_not_allowed", message: "Use GET here." },
    });
  }
});
