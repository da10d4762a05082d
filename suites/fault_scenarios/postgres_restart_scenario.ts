/**
 * Scenario 3: the PostgreSQL cluster is stopped as a crash stops it (`pg_ctl stop -m immediate`: no checkpoint,
 * every connection cut, uncommitted work lost) while books are drawn and bought, kept down for a few seconds and
 * started again. The platform process is left alone: its admin pool, the pg_net sender, the cron loop and the
 * function workers' pools must reconnect by themselves, and the books complete. Work cut off by the restart
 * comes back when its task's visibility timeout passes (RECOVERY_SETTINGS).
 */
import { strikeRepeatedly, STRUCK_RUN } from "./aim.ts";
import { errorsByEvent, readPlatformLog } from "./platform_log.ts";
import { runBooks } from "./book_run.ts";
import { describeWork, workInFlight } from "./work_in_flight.ts";
import type { PrivateCluster } from "./private_cluster.ts";
import { type ScenarioReport, seconds } from "./report.ts";
import { platformServes } from "../../platform/tests/support/served_platform.ts";
import type { Random } from "../../supabase/functions/_shared/images/storybook_scenes.ts";

export interface PostgresRestartOptions {
  books: number;
  restarts: number;
  random: Random;
  log: (line: string) => void;
}

/** Long enough for every loop of the platform to meet the refused connections, not only a blip. */
const DOWN_MS = 3_000;

export async function runPostgresRestartScenario(
  cluster: PrivateCluster,
  report: ScenarioReport,
  options: PostgresRestartOptions,
): Promise<void> {
  let platformPid = 0;
  const outages: { from: Date; to: Date }[] = [];
  await runBooks(cluster, report, {
    label: "postgres_restart",
    books: options.books,
    ...STRUCK_RUN,
    async during(run) {
      const { db, platform, context } = run;
      platformPid = platform.pid();
      await strikeRepeatedly(run, report, {
        name: "restart",
        scenario: "postgres restart",
        count: options.restarts,
        random: options.random,
        log: options.log,
        async strike(since) {
          // Read before the stop: afterwards there is no database to ask.
          const cutOff = describeWork(await workInFlight(db.admin, since, context.webhooksInFlight));
          const from = new Date();
          await cluster.crashRestart(DOWN_MS);
          const to = new Date();
          outages.push({ from, to });
          return { cutOff, since: to };
        },
      });
    },
    async after({ db, platform }) {
      report.check(
        "the platform process served throughout (never restarted)",
        `pid ${platform.pid()}`,
        platform.pid() === platformPid && await platformServes(platform.url),
      );
      for (const [index, outage] of outages.entries()) {
        // Provider calls keep their finishing time; a page's own completed_at is overwritten by its print.
        const [{ first }] = await db.admin<{ first: Date | null }[]>`
          select min(finished_at) as first from internal.provider_calls where finished_at > ${outage.to}`;
        report.figure(
          `restart ${index + 1}: database down, then first page drawn`,
          `${seconds(outage.to.getTime() - outage.from.getTime())}, ${
            first ? `${seconds(first.getTime() - outage.to.getTime())} after` : "none left to draw"
          }`,
        );
      }
      const last = outages.at(-1);
      if (last) {
        const back = last.to;
        // The background loops, each seen at work again after the last restart. The sender's connection is
        // compared with the crash, not with the moment the cluster was seen back: the sender may reconnect
        // while startCluster is still confirming the cluster is up, and every connection before the crash died.
        const [loops] = await db.admin<{ listening: boolean; sent: number; runs: number }[]>`
          select exists (select 1 from pg_catalog.pg_stat_activity
                          where datname = current_database() and application_name like 'pg_net%'
                            and backend_start > ${last.from}) as listening,
                 (select count(*)::int from net._http_response where created > ${back}) as sent,
                 (select count(*)::int from cron.job_run_details
                   where start_time > ${back} and status = 'succeeded') as runs`;
        report.check(
          "pg_net sender: LISTEN connection opened again",
          loops.listening ? "yes" : "no",
          loops.listening,
        );
        report.check("pg_net sender: requests sent since", loops.sent, loops.sent > 0);
        report.check("pg_cron scheduler: job runs succeeded since", loops.runs, loops.runs > 0);
      }
      report.figure("errors logged, by event", errorsByEvent(await readPlatformLog(platform.logFile)));
    },
  });
}
