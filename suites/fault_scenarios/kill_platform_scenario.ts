/**
 * Scenario 1: kill -9 the platform (its whole process group: the platform process, the pg_net sender and the
 * cron loop inside it, every function worker) at random moments while books are drawn, bought, assembled and
 * emailed, and start it again each time. Work cut off comes back when its task's visibility timeout passes
 * (shortened, see RECOVERY_SETTINGS), an expired lease is taken over, and every book still arrives once.
 *
 * The previews are requested before the first kill, so each book is one story; every request a kill cuts off
 * afterwards is sent again, as the parent's app and Shopify would.
 */
import { strikeRepeatedly, STRUCK_RUN } from "./aim.ts";
import { runBooks } from "./book_run.ts";
import { describeWork, workInFlight } from "./work_in_flight.ts";
import type { PrivateCluster } from "./private_cluster.ts";
import type { ScenarioReport } from "./report.ts";
import type { Random } from "../../supabase/functions/_shared/images/storybook_scenes.ts";

export interface KillScenarioOptions {
  books: number;
  kills: number;
  random: Random;
  log: (line: string) => void;
}

export async function runKillScenario(
  cluster: PrivateCluster,
  report: ScenarioReport,
  options: KillScenarioOptions,
): Promise<void> {
  await runBooks(cluster, report, {
    label: "kill",
    books: options.books,
    ...STRUCK_RUN,
    async during(run) {
      const { db, platform, context } = run;
      await strikeRepeatedly(run, report, {
        name: "kill",
        scenario: "kill -9",
        count: options.kills,
        random: options.random,
        log: options.log,
        async strike(since) {
          const webhooks = context.webhooksInFlight;
          await platform.kill();
          // Every process is dead: the database shows what each was doing.
          const cutOff = describeWork(await workInFlight(db.admin, since, webhooks));
          // From before the start, so that no work the new process takes on while starting is missed.
          const startedAgain = new Date();
          await platform.start();
          return { cutOff, since: startedAgain };
        },
      });
    },
  });
}
