/**
 * Scenario 1: kill -9 the platform (its whole process group: the platform process, the pg_net sender and the
 * cron loop inside it, every function worker) at random moments while books are drawn, bought, assembled and
 * emailed, and start it again each time. Work cut off comes back when its task's visibility timeout passes
 * (shortened, see RECOVERY_SETTINGS), an expired lease is taken over, and every book still arrives once.
 *
 * The previews are requested before the first kill, so each book is one story; every request a kill cuts off
 * afterwards is sent again, as the parent's app and Shopify would.
 */
import { aimAtStage } from "./aim.ts";
import { runBooks } from "./book_run.ts";
import { describeWork, workInFlight } from "./work_in_flight.ts";
import type { PrivateCluster } from "./private_cluster.ts";
import { type ScenarioReport, seconds } from "./report.ts";
import type { Random } from "../../supabase/functions/_shared/images/storybook_scenes.ts";

export interface KillScenarioOptions {
  books: number;
  kills: number;
  random: Random;
  log: (line: string) => void;
}

/** The in-house illustrator takes this long per image, so that kills find pages mid-drawing. */
const PROVIDER_LATENCY_MS = 1_500;

export async function runKillScenario(
  cluster: PrivateCluster,
  report: ScenarioReport,
  options: KillScenarioOptions,
): Promise<void> {
  let kills = 0;
  await runBooks(cluster, report, {
    label: "kill",
    books: options.books,
    functionEnv: { IMAGE_PROVIDER_LATENCY_MS: String(PROVIDER_LATENCY_MS) },
    recoverySettings: true,
    async during({ db, platform, context, books, startedAt }) {
      options.log(`kill -9: ${books.length} previews requested, ${options.kills} kills to come`);
      let servingSince = new Date();
      while (kills < options.kills) {
        const aim = await aimAtStage(options.random, db.admin, servingSince, context, books);
        if (!aim) break;
        const at = performance.now() - startedAt;
        const webhooks = context.webhooksInFlight;
        await platform.kill();
        kills++;
        // Every process is dead: the database shows what each was doing.
        const work = describeWork(await workInFlight(db.admin, servingSince, webhooks));
        report.figure(`kill ${kills} at ${seconds(at)}, aimed at ${aim}`, work);
        options.log(`kill -9: kill ${kills} of ${options.kills}, aimed at ${aim}, cut off ${work}`);
        servingSince = new Date();
        await platform.start();
      }
      report.expectEqual("kills while books were in progress", kills, options.kills);
    },
  });
}
