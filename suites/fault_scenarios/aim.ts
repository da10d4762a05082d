/**
 * Striking books on their way again and again (a kill, a restart), each blow at a moment chosen so: a stage some
 * book has still to pass is drawn at random, the platform is watched until that stage is under way, and the
 * blow comes after a random delay within it. The blows so spread over generation and purchase instead of all
 * landing on the previews, which come first.
 */
import type postgres from "postgres";
import { type Book, type DriveContext, type Stage, STAGES } from "./books.ts";
import type { BookRun, BookRunSetup } from "./book_run.ts";
import { type ScenarioReport, seconds } from "./report.ts";
import { between, type Random } from "../../supabase/functions/_shared/images/storybook_scenes.ts";
import { workInFlight } from "./work_in_flight.ts";

/**
 * How the books of a struck scenario run: the in-house illustrator takes 1.5 s per image, so that blows find
 * pages mid-drawing, and work cut off comes back within seconds (RECOVERY_SETTINGS).
 */
export const STRUCK_RUN: Pick<BookRunSetup, "functionEnv" | "recoverySettings"> = {
  functionEnv: { IMAGE_PROVIDER_LATENCY_MS: "1500" },
  recoverySettings: true,
};

/** Once the aimed-at stage is under way, the blow comes after a delay drawn evenly from this range (ms). */
const DELAY_MS: Record<AimedStage, [number, number]> = {
  // Within a page's drawing (provider latency 1.5 s and more).
  "preview page": [200, 1_500],
  "print page": [200, 1_500],
  // An assembly takes a fraction of a second to a second or two here, an email send one second (the fake
  // Resend's latency).
  "book assembly": [0, 300],
  "email": [0, 800],
};
type AimedStage = Exclude<Stage, "orders/paid">;
const AIMED_STAGES = STAGES.filter((stage): stage is AimedStage => stage !== "orders/paid");
const POLL_MS = 50;

/** The stages some book still on its way has yet to pass. */
function stagesAhead(books: Book[]): AimedStage[] {
  return AIMED_STAGES.filter((stage) =>
    books.some((book) =>
      book.stage !== "delivered" && book.stage !== "failed" &&
      STAGES.indexOf(book.stage) <= STAGES.indexOf(stage)
    )
  );
}

/**
 * Waits for a moment to strike the platform started at `since`: the stage aimed at, or null when no book is on
 * its way any more. An aim the books have all passed meanwhile (they move on while it is drawn) is drawn again.
 */
export async function aimAtStage(
  random: Random,
  admin: postgres.Sql,
  since: Date,
  context: DriveContext,
  books: Book[],
): Promise<AimedStage | null> {
  let aim: AimedStage | undefined;
  while (true) {
    const ahead = stagesAhead(books);
    if (ahead.length === 0) return null;
    if (aim === undefined || !ahead.includes(aim)) aim = ahead[Math.floor(random() * ahead.length)];
    // The database may be on its way back from a restart: then it is asked again.
    const work = await workInFlight(admin, since, context.webhooksInFlight).catch(() => null);
    if (work && work[aim] > 0) {
      const [min, max] = DELAY_MS[aim];
      await new Promise((resolve) => setTimeout(resolve, between(random, min, max)));
      return aim;
    }
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
}

export interface Blows {
  /** What one blow is called in the rows and progress lines: "kill", "restart". */
  name: string;
  /** What the progress lines start with: "kill -9", "postgres restart". */
  scenario: string;
  count: number;
  random: Random;
  log: (line: string) => void;
  /**
   * Deals one blow. Resolves, once the platform is to be watched again, with what the blow cut off (the work
   * begun `since`, described by describeWork) and the moment from which work counts as new.
   */
  strike(since: Date): Promise<{ cutOff: string; since: Date }>;
}

/**
 * Strikes `blows.count` times while books are on their way, each blow aimed by aimAtStage, with a row per blow;
 * then checks that every blow fell before the books had all arrived.
 */
export async function strikeRepeatedly(run: BookRun, report: ScenarioReport, blows: Blows): Promise<void> {
  const { db, context, books, startedAt } = run;
  blows.log(`${blows.scenario}: ${books.length} previews requested, ${blows.count} ${blows.name}s to come`);
  // Attempts cut off by a blow look under way until their leases pass: only later ones count as work.
  let since = new Date();
  let struck = 0;
  while (struck < blows.count) {
    const aim = await aimAtStage(blows.random, db.admin, since, context, books);
    if (!aim) break;
    const at = performance.now() - startedAt;
    const blow = await blows.strike(since);
    since = blow.since;
    struck++;
    report.figure(`${blows.name} ${struck} at ${seconds(at)}, aimed at ${aim}`, `cut off ${blow.cutOff}`);
    blows.log(
      `${blows.scenario}: ${blows.name} ${struck} of ${blows.count}, aimed at ${aim}, cut off ${blow.cutOff}`,
    );
  }
  report.expectEqual(`${blows.name}s while books were in progress`, struck, blows.count);
}
