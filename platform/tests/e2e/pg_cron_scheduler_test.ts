import assert from "node:assert/strict";
import { eventually, startTestPlatform } from "../support/test_platform.ts";

Deno.test("pg_cron stand-in", async (t) => {
  const platform = await startTestPlatform({ name: "pg_cron", extensions: true });
  const sql = platform.admin;
  // Jobs are scheduled by `postgres`, as a migration would schedule them.
  const asPostgres = <T>(work: (tx: typeof sql) => Promise<T>) =>
    sql.begin(async (tx) => {
      await tx`set local role postgres`;
      return await work(tx as unknown as typeof sql);
    });
  try {
    await asPostgres((tx) =>
      tx`create table public.ticks (at timestamptz not null default clock_timestamp(), by_user text not null default current_user)`
    );
    // A table the scheduling user has no privilege on.
    await sql`create table public.admin_only (secret text); revoke all on public.admin_only from public, postgres, anon, authenticated, service_role`
      .simple();

    await t.step("a '1 seconds' job runs repeatedly and records each run", async () => {
      await asPostgres((tx) =>
        tx`select cron.schedule('tick', '1 seconds', 'insert into public.ticks default values')`
      );
      // Wait on the recorded runs themselves: a run's row says succeeded only after its command committed.
      const runs = await eventually(async () => {
        const rows =
          await sql`select d.status, d.return_message, d.username, d.job_pid from cron.job_run_details d
                               join cron.job using (jobid) where jobname = 'tick' and d.status = 'succeeded'`;
        return rows.length >= 3 ? rows : undefined;
      }, "three succeeded runs");
      assert.ok(runs.length >= 3, `${runs.length} recorded runs`);
      assert.equal(runs[0].username, "postgres");
      assert.equal(runs[0].return_message, "INSERT 0 1");
      assert.ok(runs[0].job_pid > 0);
    });

    await t.step("the job runs as its user, with that user's privileges", async () => {
      const users = await sql`select distinct by_user from public.ticks`;
      assert.deepEqual(users.map((row) => row.by_user), ["postgres"]);
      await asPostgres((tx) =>
        tx`select cron.schedule('forbidden', '1 seconds', 'select count(*) from public.admin_only')`
      );
      const failed = await eventually(async () => {
        const [row] =
          await sql`select d.return_message from cron.job_run_details d join cron.job using (jobid)
                                where jobname = 'forbidden' and status = 'failed' limit 1`;
        return row;
      }, "a failed run");
      assert.ok(/permission denied/.test(failed.return_message), failed.return_message);
      await asPostgres((tx) => tx`select cron.unschedule('forbidden')`);
    });

    await t.step("a job cannot leave its user's privileges, even with reset role", async () => {
      await asPostgres((tx) =>
        tx`select cron.schedule('escalate', '1 seconds', 'reset role; insert into public.ticks (by_user) select current_user')`
      );
      const [row] = await eventually(async () => {
        const rows = await sql`select by_user from public.ticks where by_user <> 'postgres'
                               union all
                               select 'postgres' from cron.job_run_details d join cron.job using (jobid)
                               where jobname = 'escalate' and d.status = 'succeeded' limit 1`;
        return rows.length > 0 ? rows : undefined;
      }, "an escalation attempt to run");
      assert.equal(row.by_user, "postgres");
      await asPostgres((tx) => tx`select cron.unschedule('escalate')`);
    });

    await t.step("unscheduling stops the job", async () => {
      await asPostgres((tx) => tx`select cron.unschedule('tick')`);
      // A run already under way may still finish; wait until none is, then nothing more may be inserted.
      await eventually(async () => {
        const [{ active }] = await sql`select count(*)::int as active from cron.job_run_details d
                                       join cron.job using (jobid)
                                       where jobname = 'tick' and d.status in ('starting', 'running')`;
        return active === 0 ? true : undefined;
      }, "the last run to finish");
      const [{ count: before }] = await sql`select count(*)::int as count from public.ticks`;
      // Proving that something does not happen takes a wait: two and a half schedule periods.
      await new Promise((resolve) => setTimeout(resolve, 2_500));
      const [{ count: after }] = await sql`select count(*)::int as count from public.ticks`;
      assert.deepEqual(after, before);
    });
  } finally {
    await platform.close();
  }
});
