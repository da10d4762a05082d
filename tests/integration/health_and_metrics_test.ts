/**
 * GET health and GET metrics as the platform serves them, on the project's database with its cron scheduler
 * running: healthy once the scheduler has run, degraded by a queue backed up and a failed cron run, and the
 * metrics carrying the numbers arranged in the database, readable with the service key only.
 */
import assert from "node:assert/strict";
import { eventually } from "../../platform/tests/support/test_platform.ts";
import { createDatabase } from "../../supabase/functions/_shared/database.ts";
import type { HealthReport } from "../../supabase/functions/health/handler.ts";
import {
  createStoredPreview,
  signInAnonymously,
  startProjectPlatform,
  storePhoto,
} from "../support/preview_fixtures.ts";

interface PrometheusSample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** Reads Prometheus text, checking that every sample's family was announced with HELP and TYPE before it. */
function parsePrometheus(text: string): PrometheusSample[] {
  assert.ok(text.endsWith("\n"), "the exposition ends with a newline");
  const announced = new Map<string, { help: boolean; type?: string }>();
  const samples: PrometheusSample[] = [];
  for (const line of text.slice(0, -1).split("\n")) {
    const comment = line.match(/^# (HELP|TYPE) ([a-zA-Z_:][a-zA-Z0-9_:]*) (.+)$/);
    if (comment) {
      const family = announced.get(comment[2]) ?? { help: false };
      if (comment[1] === "HELP") family.help = true;
      else family.type = comment[3];
      announced.set(comment[2], family);
      continue;
    }
    const sample = line.match(/^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/);
    assert.ok(sample, `a sample line: ${line}`);
    const [, name, labelText = "", value] = sample;
    const labels: Record<string, string> = {};
    for (const [, label, escaped] of labelText.matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) {
      labels[label] = escaped.replace(/\\(.)/g, (_, char) => (char === "n" ? "\n" : char));
    }
    const family = [...announced.keys()].find((familyName) =>
      name === familyName || (announced.get(familyName)?.type === "histogram" &&
        [`${familyName}_bucket`, `${familyName}_sum`, `${familyName}_count`].includes(name))
    );
    assert.ok(family && announced.get(family)?.help && announced.get(family)?.type, `${name} is announced`);
    samples.push({ name, labels, value: value === "+Inf" ? Infinity : Number(value) });
  }
  return samples;
}

function valueOf(
  samples: PrometheusSample[],
  name: string,
  labels: Record<string, string> = {},
): number | undefined {
  return samples.find((sample) =>
    sample.name === name && Object.keys(sample.labels).length === Object.keys(labels).length &&
    Object.entries(labels).every(([label, value]) => sample.labels[label] === value)
  )?.value;
}

Deno.test("GET health and GET metrics on the project's database", async (t) => {
  const platform = await startProjectPlatform("health_and_metrics");
  const sql = createDatabase(platform.databaseUrl, { max: 2 });
  const health = async () => {
    const response = await fetch(`${platform.url}/functions/v1/health`);
    return { status: response.status, text: await response.text() };
  };
  const metrics = (
    headers: Record<string, string> = { authorization: `Bearer ${platform.serviceRoleKey}` },
  ) => fetch(`${platform.url}/functions/v1/metrics`, { headers });

  try {
    await t.step("once the scheduler has run, health is 200 healthy, with no key asked for", async () => {
      // Health is healthy from the start (a job that never ran is overdue only after a whole period), so the
      // wait is for the dispatcher's first run as well.
      const answer = await eventually(async () => {
        const answer = await health();
        const ran = (JSON.parse(answer.text) as HealthReport).cron?.some((job) =>
          job.job === "dispatch-page-tasks" && job.last_run?.started_at
        );
        return answer.status === 200 && ran ? answer : undefined;
      }, "health to be 200 after the dispatcher's first run");
      const report = JSON.parse(answer.text) as HealthReport;
      assert.equal(report.status, "healthy");
      assert.equal(report.database.reachable, true);
      assert.equal(typeof report.database.latency_ms, "number");
      assert.deepEqual(report.queues?.map((queue) => queue.name), [
        "book_tasks",
        "email_tasks",
        "page_tasks",
      ]);
      // The 2-second dispatcher has run; its latest run may still be going (starting, running, succeeded).
      const dispatcher = report.cron?.find((job) => job.job === "dispatch-page-tasks");
      assert.ok(dispatcher?.last_run?.started_at);
      assert.notEqual(dispatcher.last_run.status, "failed");
      assert.ok(report.cron?.every((job) => !job.overdue));
      assert.deepEqual(report.providers, { image: "illustrator", email: "outbox" });
      assert.deepEqual(report.reasons, []);
      assert.ok(!answer.text.includes(platform.serviceRoleKey), "no secret in the report");
    });

    await t.step("a backed-up queue and a failed cron run make it 503 degraded, naming both", async () => {
      // An email task sent two hours ago and still there; hidden from the dispatcher so that it stays put.
      await platform
        .admin`select pgmq.send('email_tasks', '{"email_id": "00000000-0000-0000-0000-000000000001"}')`;
      await platform.admin`update pgmq.q_email_tasks
                              set enqueued_at = now() - interval '2 hours', vt = now() + interval '1 day'`;
      // A job of the project (scheduled as postgres, as migrations schedule them) whose last run failed; it is
      // due once a year, so the scheduler leaves its history alone.
      await platform.admin.begin(async (tx) => {
        await tx`set local role postgres`;
        await tx`select cron.schedule('yearly-report', '0 0 1 1 *', 'select 1')`;
      });
      await platform.admin`
        insert into cron.job_run_details (jobid, database, username, command, status, return_message, start_time,
                                          end_time)
        select jobid, database, username, command, 'failed', 'ERROR: division by zero', now(), now()
          from cron.job where jobname = 'yearly-report'`;

      const answer = await health();
      assert.equal(answer.status, 503);
      const report = JSON.parse(answer.text) as HealthReport;
      assert.equal(report.status, "degraded");
      assert.deepEqual(report.reasons.map((reason) => reason.code).sort(), [
        "cron_job_failed",
        "queue_backlog",
      ]);
      assert.match(
        report.reasons.find((reason) => reason.code === "queue_backlog")!.message,
        /^Queue email_tasks: /,
      );
      assert.equal(
        report.reasons.find((reason) => reason.code === "cron_job_failed")!.message,
        "Cron job yearly-report failed on its last run.",
      );
      const emailQueue = report.queues?.find((queue) => queue.name === "email_tasks");
      assert.equal(emailQueue?.depth, 1);
      assert.ok(emailQueue!.oldest_message_age_seconds! >= 7200);
      assert.ok(!answer.text.includes("division by zero"), "a run's error stays in the database");
    });

    await t.step("metrics are Prometheus text carrying the numbers in the database", async () => {
      const parent = await signInAnonymously(platform);
      const storyId = await createStoredPreview(sql, parent.id, await storePhoto(platform, parent.id));
      // The cover is queued (the dispatcher's calls go nowhere in this test); page 3 failed for good.
      await platform.admin`update public.story_pages
                              set status = 'failed', last_error = 'provider_error: the image provider answered 503'
                            where story_id = ${storyId} and page_number = 3`;
      const [{ cover }] = await platform.admin<{ cover: string }[]>`
        select id as cover from public.story_pages where story_id = ${storyId} and page_number = 0`;
      await platform.admin`select internal.record_finished_call(${cover}, 'generate', 'illustrator',
                                                                'storybook-v1', null, 1500, 1024, 1024, 0)`;
      await platform.admin`select internal.record_finished_call(${cover}, 'generate', 'fal',
                                                                'fal-ai/nano-banana-2/edit', '1K', 12000, 1024, 1024,
                                                                0.039)`;
      // Bought and printed: an upscale at print, and the order delivered.
      await platform.admin`
        insert into internal.provider_calls (story_id, page_id, page_number, job_kind, stage, provider, model,
                                             resolution, status, finished_at, latency_ms, cost_usd)
        values (${storyId}, ${cover}, 0, 'print', 'upscale', 'fal', 'fal-ai/seedvr/upscale/image', 'x4',
                'completed', now(), 4000, 0.9)`;
      await platform.admin`
        insert into public.orders (story_id, user_id, shop_domain, shopify_order_gid, shopify_order_id, delivered_at)
        values (${storyId}, ${parent.id}, 'talecraft-test.myshopify.com', 'gid://shopify/Order/1001', '1001', now())`;

      const response = await metrics();
      assert.equal(response.status, 200);
      assert.equal(response.headers.get("content-type"), "text/plain; version=0.0.4; charset=utf-8");
      const samples = parsePrometheus(await response.text());

      assert.equal(valueOf(samples, "talecraft_pages", { status: "queued" }), 1);
      assert.equal(valueOf(samples, "talecraft_pages", { status: "pending" }), 9);
      assert.equal(valueOf(samples, "talecraft_pages", { status: "failed" }), 1);
      assert.equal(valueOf(samples, "talecraft_pages", { status: "done" }), 0);
      assert.equal(valueOf(samples, "talecraft_queue_depth", { queue: "email_tasks" }), 1);
      assert.equal(valueOf(samples, "talecraft_queue_depth", { queue: "page_tasks" }), 1);
      assert.ok(
        valueOf(samples, "talecraft_queue_oldest_message_age_seconds", { queue: "email_tasks" })! >= 7200,
      );
      assert.equal(
        valueOf(samples, "talecraft_queue_oldest_message_age_seconds", { queue: "book_tasks" }),
        0,
      );

      const illustrator = { model: "storybook-v1", stage: "generate" };
      assert.equal(
        valueOf(samples, "talecraft_provider_latency_seconds_bucket", { ...illustrator, le: "1" }),
        0,
      );
      assert.equal(
        valueOf(samples, "talecraft_provider_latency_seconds_bucket", { ...illustrator, le: "2.5" }),
        1,
      );
      assert.equal(
        valueOf(samples, "talecraft_provider_latency_seconds_bucket", { ...illustrator, le: "+Inf" }),
        1,
      );
      assert.equal(valueOf(samples, "talecraft_provider_latency_seconds_sum", illustrator), 1.5);
      assert.equal(valueOf(samples, "talecraft_provider_latency_seconds_count", illustrator), 1);
      const fal = { model: "fal-ai/nano-banana-2/edit", stage: "generate" };
      assert.equal(valueOf(samples, "talecraft_provider_latency_seconds_bucket", { ...fal, le: "10" }), 0);
      assert.equal(valueOf(samples, "talecraft_provider_latency_seconds_bucket", { ...fal, le: "20" }), 1);
      assert.equal(valueOf(samples, "talecraft_provider_latency_seconds_count", fal), 1);
      assert.equal(
        valueOf(samples, "talecraft_provider_latency_seconds_count", {
          model: "fal-ai/seedvr/upscale/image",
          stage: "upscale",
        }),
        1,
      );

      assert.equal(valueOf(samples, "talecraft_failures", { kind: "page", code: "provider_error" }), 1);
      assert.equal(valueOf(samples, "talecraft_book_cost_usd_bucket", { le: "0.5" }), 0);
      assert.equal(valueOf(samples, "talecraft_book_cost_usd_bucket", { le: "1" }), 1);
      assert.equal(valueOf(samples, "talecraft_book_cost_usd_sum"), 0.939);
      assert.equal(valueOf(samples, "talecraft_book_cost_usd_count"), 1);
      assert.equal(valueOf(samples, "talecraft_books_delivered_total"), 1);
    });

    await t.step("metrics without the service key are 401 in the error shape", async () => {
      for (
        const headers of [{}, { authorization: `Bearer ${platform.anonKey}` }] as Record<string, string>[]
      ) {
        const response = await metrics(headers);
        assert.equal(response.status, 401);
        assert.equal((await response.json()).error.code, "unauthorized");
      }
    });
  } finally {
    await sql.end();
    await platform.close();
  }
});
