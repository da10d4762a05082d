/**
 * `npm run suite:faults`: books bought end to end while the platform is broken in three ways, on a PostgreSQL
 * cluster of the suite's own (never the shared one `npm start` runs):
 *
 *   1. kill -9: the platform process group is killed at random moments during generation and purchase, and
 *      started again; every book completes, each page is stored once, each email is sent once;
 *   2. provider faults: IMAGE_PROVIDER=fal against the local fake of fal's queue, which answers a random share
 *      of submissions with a 5xx or leaves them hanging; the books complete through the product's retries;
 *   3. Postgres restart: the cluster is stopped as by a crash and started again mid-run; the platform process
 *      reconnects by itself and the books complete.
 *
 *   npm run suite:faults -- [--seed N] [--kill-books 6] [--kills 10] [--fault-books 10] [--fault-rate 0.3]
 *                           [--restart-books 6] [--restarts 1] [--only kill,faults,restart] [--keep]
 *
 * Prints one table (figures and checks, with each scenario's time) and exits non-zero when a check fails. The
 * seed fixes every random draw (kill moments, which submissions fail, restart moments); which page meets which
 * draw still depends on the order requests arrive in. tests/e2e/faults_suite_small_test.ts runs it at its
 * smallest.
 */
import { parseArgs } from "node:util";
import { runKillScenario } from "./fault_scenarios/kill_platform_scenario.ts";
import { runPostgresRestartScenario } from "./fault_scenarios/postgres_restart_scenario.ts";
import { runProviderFaultsScenario } from "./fault_scenarios/provider_faults_scenario.ts";
import { startPrivateCluster } from "./fault_scenarios/private_cluster.ts";
import {
  failedChecks,
  formatReport,
  type ReportRow,
  ScenarioReport,
  seconds,
} from "./fault_scenarios/report.ts";
// The illustrator's seeded generator: the same seed, the same kill moments and faults.
import { seededRandom } from "../supabase/functions/_shared/images/storybook_scenes.ts";

export interface FaultsSuiteOptions {
  seed: number;
  /** Each scenario runs when given. */
  kill?: { books: number; kills: number };
  faults?: { books: number; rate: number };
  restart?: { books: number; restarts: number };
  /**
   * Runs the kill and provider-fault scenarios side by side (each has its own database, platform process and
   * fakes), to save time in CI; their times then include sharing the machine. The restart always runs alone.
   */
  sideBySide?: boolean;
  /** Keep the private cluster's files and every scenario's database (they are kept anyway when a check fails). */
  keep?: boolean;
  /** Progress lines; default stderr. */
  log?: (line: string) => void;
}

export interface FaultsSuiteResult {
  rows: ReportRow[];
  failed: ReportRow[];
  /** Where the cluster's files and each scenario's platform log are, when kept. */
  keptDataDir: string | null;
}

interface PlannedScenario {
  report: ScenarioReport;
  run(report: ScenarioReport): Promise<void>;
}

/** A scenario that throws still leaves its rows, and a FAIL saying where it stopped. */
async function attempt(scenario: PlannedScenario): Promise<void> {
  try {
    await scenario.run(scenario.report);
  } catch (error) {
    scenario.report.check("the scenario ran to its end", (error as Error).message, false);
  }
}

export async function runFaultsSuite(options: FaultsSuiteOptions): Promise<FaultsSuiteResult> {
  const log = options.log ?? ((line: string) => console.error(line));
  const suite = new ScenarioReport("suite");
  suite.figure("seed (repeat with --seed)", options.seed);
  const started = performance.now();
  const cluster = await startPrivateCluster({ keep: options.keep ?? false });
  suite.figure(
    "private cluster",
    `port ${cluster.settings.dbPort}, ${seconds(performance.now() - started)} to create`,
  );

  // Each scenario draws from its own stream of the seed, so that resizing one leaves the others' draws alone.
  const { kill, faults, restart } = options;
  const planned = (name: string, run: PlannedScenario["run"]) => ({ report: new ScenarioReport(name), run });
  const killing = kill &&
    planned(
      "kill -9",
      (report) => runKillScenario(cluster, report, { ...kill, random: seededRandom(options.seed + 1), log }),
    );
  const faulting = faults &&
    planned(
      "fal faults",
      (report) =>
        runProviderFaultsScenario(cluster, report, {
          ...faults,
          random: seededRandom(options.seed + 2),
          log,
        }),
    );
  const restarting = restart &&
    planned(
      "pg restart",
      (report) =>
        runPostgresRestartScenario(cluster, report, {
          ...restart,
          random: seededRandom(options.seed + 3),
          log,
        }),
    );

  const first = [killing, faulting].filter((scenario) => scenario !== undefined);
  if (options.sideBySide) {
    await Promise.all(first.map(attempt));
  } else {
    for (const scenario of first) await attempt(scenario);
  }
  // Alone, always: it stops the cluster under everything connected to it.
  if (restarting) await attempt(restarting);
  const reports = [
    suite,
    ...[killing, faulting, restarting].flatMap((scenario) => scenario ? [scenario.report] : []),
  ];

  const rows = reports.flatMap((report) => report.rows);
  const failed = failedChecks(rows);
  const keep = cluster.keep || failed.length > 0;
  await cluster.close(keep);
  return { rows, failed, keptDataDir: keep ? cluster.settings.dataDir : null };
}

function positiveInteger(value: string, flag: string): number {
  const number = Number(value);
  if (!Number.isInteger(number) || number < 0) {
    throw new Error(`--${flag} must be a whole number, not ${value}`);
  }
  return number;
}

if (import.meta.main) {
  const { values } = parseArgs({
    args: Deno.args,
    options: {
      seed: { type: "string" },
      "kill-books": { type: "string", default: "6" },
      kills: { type: "string", default: "10" },
      "fault-books": { type: "string", default: "10" },
      "fault-rate": { type: "string", default: "0.3" },
      "restart-books": { type: "string", default: "6" },
      restarts: { type: "string", default: "1" },
      only: { type: "string", default: "kill,faults,restart" },
      keep: { type: "boolean", default: false },
    },
  });
  const only = new Set(values.only.split(","));
  const seed = values.seed === undefined
    ? crypto.getRandomValues(new Uint32Array(1))[0]
    : positiveInteger(values.seed, "seed");
  const rate = Number(values["fault-rate"]);
  if (!(rate >= 0 && rate <= 1)) throw new Error("--fault-rate must be from 0 to 1");
  console.error(`faults suite: seed ${seed}`);
  const result = await runFaultsSuite({
    seed,
    keep: values.keep,
    kill: only.has("kill")
      ? {
        books: positiveInteger(values["kill-books"], "kill-books"),
        kills: positiveInteger(values.kills, "kills"),
      }
      : undefined,
    faults: only.has("faults")
      ? { books: positiveInteger(values["fault-books"], "fault-books"), rate }
      : undefined,
    restart: only.has("restart")
      ? {
        books: positiveInteger(values["restart-books"], "restart-books"),
        restarts: positiveInteger(values.restarts, "restarts"),
      }
      : undefined,
  });
  console.log(formatReport(result.rows));
  if (result.keptDataDir) {
    console.log(`\nThe cluster's files and the platform logs are in ${result.keptDataDir}.`);
  }
  if (result.failed.length > 0) {
    console.log(`${result.failed.length} check(s) failed.`);
    Deno.exit(1);
  }
}
