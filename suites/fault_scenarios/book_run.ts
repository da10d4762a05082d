/**
 * What every scenario shares: a fresh project database on the private cluster, the platform serving it as its
 * own process, a fake Resend that takes a second to answer, books requested and driven to delivery while the
 * scenario does its damage, then the checks of checkBooks. The database and the platform's log are kept when a
 * check fails, and the report says where.
 */
import { startFakeResend } from "../../tests/support/fake_resend/fake_resend_server.ts";
import { pointDispatchAt } from "../../tests/support/preview_fixtures.ts";
import { type ServedPlatform, servedPlatform } from "../../platform/tests/support/served_platform.ts";
import type postgres from "postgres";
import { checkBooks, longestPageAttemptSeconds } from "./book_checks.ts";
import {
  type Book,
  driveBook,
  type DriveContext,
  failedDrives,
  requestBooks,
  RESEND_API_KEY,
  SHOPIFY_SECRET,
} from "./books.ts";
import { longestAssemblyMs, readPlatformLog } from "./platform_log.ts";
import { platformLogFile, type PrivateCluster, type ScenarioDatabase } from "./private_cluster.ts";
import { type ScenarioReport, seconds } from "./report.ts";

/**
 * The timeouts after which work cut off by a kill or a restart is handed out again, shortened from minutes to
 * seconds so that a run takes minutes, and each above the longest attempt it covers (the report prints the
 * longest page attempt measured). Attempt limits stay the product's own.
 * - page tasks: 10 s (production 120 s);
 * - book assembly: 10 s (production 150 s); an assembly here takes a second or two;
 * - email: 10 s (production 60 s);
 * - pages drawn at once: 6 (production 32, a provider's concurrency): the in-house illustrator draws in the
 *   page-worker's two processes on this machine's two cores, so with 32 at once a print-size page waits its
 *   turn past the 10 s timeout, is handed out again, and the extra attempts use up its three.
 */
const RECOVERY_SETTINGS = { workerSeconds: 10, bookSeconds: 10, emailSeconds: 10, concurrentPages: 6 };

async function applyRecoverySettings(admin: postgres.Sql): Promise<void> {
  await admin`update internal.pipeline_settings
                 set worker_timeout_seconds = ${RECOVERY_SETTINGS.workerSeconds},
                     max_concurrent_pages = ${RECOVERY_SETTINGS.concurrentPages}`;
  await admin`update internal.delivery_settings
                 set book_timeout_seconds = ${RECOVERY_SETTINGS.bookSeconds},
                     email_timeout_seconds = ${RECOVERY_SETTINGS.emailSeconds}`;
}

/** Resend (the fake) takes this long to answer, so that a kill or a restart can find an email mid-send. */
const EMAIL_LATENCY_MS = 1_000;
const DEADLINE_MS = 15 * 60_000;

export interface BookRun {
  db: ScenarioDatabase;
  platform: ServedPlatform;
  context: DriveContext;
  books: Book[];
  /** Epoch ms when the scenario began, for the times in its rows. */
  startedAt: number;
}

export interface BookRunSetup {
  label: string;
  books: number;
  /** Function secrets on top of the purchase and email ones. */
  functionEnv: Record<string, string>;
  /** Apply RECOVERY_SETTINGS (for scenarios that cut work off). */
  recoverySettings: boolean;
  /** Runs while the books are on their way. */
  during?(run: BookRun): Promise<void>;
  /** Scenario checks and figures after the shared ones. */
  after?(run: BookRun): Promise<void> | void;
}

export async function runBooks(
  cluster: PrivateCluster,
  report: ScenarioReport,
  setup: BookRunSetup,
): Promise<void> {
  const startedAt = performance.now();
  const db = await cluster.createDatabase(setup.label);
  const resend = await startFakeResend({ apiKey: RESEND_API_KEY });
  // Resends of cut-off sends draw on the same plan, hence twice as many.
  for (let i = 0; i < setup.books * 2; i++) resend.plan({ kind: "delay", ms: EMAIL_LATENCY_MS });
  // Its log is kept in the private cluster's log folder, for reading when a check fails.
  const platform = await servedPlatform({
    database: db.name,
    settings: cluster.settings,
    env: cluster.env,
    logFile: platformLogFile(cluster.settings, setup.label),
    onInterrupt: cluster.onInterrupt,
    functionEnv: {
      ...setup.functionEnv,
      SHOPIFY_WEBHOOK_SECRET: SHOPIFY_SECRET,
      EMAIL_SENDER: "resend",
      RESEND_API_KEY,
      RESEND_BASE_URL: resend.url,
    },
  });
  let passed = false;
  let drives: Promise<string[]> = Promise.resolve([]);
  const endpoints = {
    url: platform.url,
    anonKey: platform.keys.anonKey,
    serviceRoleKey: platform.keys.serviceRoleKey,
    admin: db.admin,
  };
  const context: DriveContext = { endpoints, deadline: Date.now() + DEADLINE_MS, webhooksInFlight: 0 };
  try {
    if (setup.recoverySettings) await applyRecoverySettings(db.admin);
    await pointDispatchAt(db.admin, platform.url, platform.keys.serviceRoleKey);
    await platform.start();
    const books = await requestBooks(endpoints, setup.books);
    // Settled from the start, so that a scenario stopping early leaves no drive's failure unhandled.
    drives = failedDrives(books.map((book) => driveBook(context, book)));
    const run = { db, platform, context, books, startedAt };
    await setup.during?.(run);
    for (const failure of await drives) report.check("book failed", failure, false);
    await checkBooks(report, context, books, resend);
    if (setup.recoverySettings) {
      report.figure(
        "longest page attempt, book assembly (their tasks' timeouts)",
        `${(await longestPageAttemptSeconds(db.admin)).toFixed(1)} s, ${
          seconds(longestAssemblyMs(await readPlatformLog(platform.logFile)))
        } (${RECOVERY_SETTINGS.workerSeconds} s, ${RECOVERY_SETTINGS.bookSeconds} s)`,
      );
    }
    await setup.after?.(run);
    report.figure("scenario time", seconds(performance.now() - startedAt));
    passed = !report.failed;
  } finally {
    // Drives still going (the scenario stopped early) give up at their next look.
    context.deadline = 0;
    await drives;
    await platform.kill();
    await resend.close();
    const keep = cluster.keep || !passed;
    await db.close({ drop: !keep });
    if (keep) report.figure("kept for inspection", `database ${db.name}, log ${platform.logFile}`);
  }
}
