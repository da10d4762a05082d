import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { eventually, startTestPlatform } from "../support/test_platform.ts";

const sampleProject = fileURLToPath(new URL("../fixtures/sample_project", import.meta.url));

Deno.test("a migration using pgmq, pg_net and pg_cron drives an edge function end to end", async () => {
  const platform = await startTestPlatform({ name: "pipeline", projectDir: sampleProject });
  const sql = platform.admin;
  try {
    // What an operator does once per project: the vault entries the cron job reads.
    await sql`select vault.create_secret(${platform.url}, 'project_url')`;
    await sql`select vault.create_secret(${platform.serviceRoleKey}, 'service_role_key')`;

    await sql`select pgmq.send('sample_jobs', jsonb_build_object('page', n)) from generate_series(1, 5) n`;

    const delivered = await eventually(
      async () => {
        const rows = await sql`select message from sample.deliveries order by msg_id`;
        return rows.length === 5 ? rows : undefined;
      },
      "five deliveries",
      30_000,
    );
    assert.deepEqual(delivered.map((row) => row.message.page), [1, 2, 3, 4, 5]);

    const [{ queued }] = await sql`select count(*)::int as queued from pgmq.q_sample_jobs`;
    assert.deepEqual(queued, 0);
    // The worker commits before it answers, so the last responses may still be on their way to the table.
    const responses = await eventually(async () => {
      const rows = await sql`select status_code from net._http_response`;
      return rows.length >= 5 ? rows : undefined;
    }, "five recorded responses");
    assert.ok(responses.every((row) => row.status_code === 200));
    const [{ runs }] = await sql`select count(*)::int as runs from cron.job_run_details
                                 where status = 'succeeded'`;
    assert.ok(runs >= 1);
  } finally {
    await platform.close();
  }
});
