/**
 * `npm run demo`: a book made end to end on the platform `npm start` runs (started here when it is not running),
 * with the public-domain sample photo. Prints a progress bar fed by Realtime, then a table of the phases, the
 * images drawn and their cost; leaves the PDF in out/. Exits non-zero, saying which step failed, on any failure.
 */
import { join } from "node:path";
import postgres from "postgres";
import { databaseUrl, platformSettings, PROJECT_DATABASE } from "../platform/cli/settings.ts";
import { platformKeys } from "../platform/server/keys.ts";
import { platformServes } from "../platform/tests/support/served_platform.ts";
import { readProjectConfig } from "../platform/server/project_config.ts";
import { readEnv } from "../supabase/functions/_shared/env.ts";
import { modelOffersPrintResolution } from "../supabase/functions/_shared/fal/fal_models.ts";
import { parsePriceTable } from "../supabase/functions/_shared/fal/fal_pricing.ts";
import { oneFace } from "../tests/support/photo_fixtures.ts";
import { formatTable } from "../bench/bench_support.ts";
import {
  DemoError,
  type DemoResult,
  type ProgressSink,
  runDemoJourney,
  SAMPLE_CHILD,
} from "./demo_journey.ts";

const settings = platformSettings();
const apiUrl = `http://${settings.dbHost}:${settings.apiPort}`;
const BAR_WIDTH = 30;

/** `npm start` in the background, in a session of its own so that it outlives the demo; `npm run stop` ends it. */
async function startPlatform(): Promise<void> {
  const logFile = join(settings.logDir, "demo_platform.log");
  await Deno.mkdir(settings.logDir, { recursive: true });
  console.log(`Starting the platform (npm start; its output goes to ${logFile}) …`);
  await new Deno.Command("bash", {
    args: ["-c", `setsid nohup bash platform/scripts/run.sh start > "${logFile}" 2>&1 &`],
    cwd: settings.repoRoot,
  }).output();
  const deadline = Date.now() + 300_000;
  while (!(await platformServes(apiUrl))) {
    if (Date.now() > deadline) {
      throw new DemoError(`the platform did not start within 5 minutes: see ${logFile}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 1000));
  }
  console.log("The platform is running and stays up after the demo (`npm run stop` stops it).");
}

function terminalProgress(): ProgressSink {
  const tty = Deno.stdout.isTerminal();
  let last = "";
  const encoder = new TextEncoder();
  return {
    update(label, percent, detail) {
      const filled = Math.round((BAR_WIDTH * percent) / 100);
      const line = `${label.padEnd(8)} [${"█".repeat(filled)}${"░".repeat(BAR_WIDTH - filled)}] ` +
        `${String(Math.round(percent)).padStart(3)}%  ${detail}`;
      if (line === last) return;
      last = line;
      // On a terminal the bar is redrawn in place; in a log every change is a line.
      Deno.stdout.writeSync(encoder.encode(tty ? `\r\x1b[2K${line}` : `${line}\n`));
    },
    done() {
      if (tty && last) Deno.stdout.writeSync(encoder.encode("\n"));
      last = "";
    },
  };
}

function printSummary(result: DemoResult): void {
  const total = result.phases.reduce((sum, phase) => sum + phase.ms, 0);
  console.log(
    "\n" + formatTable(["phase", "time (s)", "what happened"], [
      ...result.phases.map((phase) => [phase.phase, (phase.ms / 1000).toFixed(1), phase.detail]),
      ["total", (total / 1000).toFixed(1), ""],
    ]),
  );
  const usd = (value: number) => `$${value.toFixed(2)}`;
  console.log(
    "\n" + formatTable(["", "images", "cost"], [
      ["preview (free)", result.images.preview, usd(result.cost.preview_usd)],
      ["book (bought)", result.images.book, usd(result.cost.book_usd)],
      [
        "total",
        result.images.preview + result.images.book,
        usd(result.cost.preview_usd + result.cost.book_usd),
      ],
    ]),
  );
  console.log(`cost basis: ${result.cost.basis}`);
  console.log(`\nThe book: ${result.pdfPath}`);
  console.log(`The dev console: ${apiUrl}/`);
}

async function main(): Promise<void> {
  if (!(await platformServes(apiUrl))) await startPlatform();
  const keys = await platformKeys(settings.keysDir);
  const projectConfig = await readProjectConfig(settings.repoRoot);
  const dbUrl = databaseUrl(settings, PROJECT_DATABASE);
  // The functions' own settings, parsed as they parse them, for the price table and the models.
  const env = readEnv({
    ...projectConfig.functionSecrets,
    SUPABASE_URL: apiUrl,
    SUPABASE_ANON_KEY: keys.anonKey,
    SUPABASE_SERVICE_ROLE_KEY: keys.serviceRoleKey,
    SUPABASE_DB_URL: dbUrl,
  });
  const generateModel = SAMPLE_CHILD.style === "photorealistic"
    ? env.FAL_MODEL_PHOTOREALISTIC
    : env.FAL_MODEL_CARTOON_3D;
  const admin = postgres(dbUrl, { max: 2, onnotice: () => {} });
  try {
    const result = await runDemoJourney(
      {
        url: apiUrl,
        anonKey: keys.anonKey,
        admin,
      },
      {
        photo: { bytes: (await oneFace()).jpeg, fileName: "astronaut.jpg", type: "image/jpeg" },
        outDir: join(settings.repoRoot, "out"),
        pricing: {
          table: parsePriceTable(env.FAL_PRICES),
          generateModel,
          upscaleModel: env.FAL_UPSCALE_MODEL,
          printResolution: env.FAL_PRINT_RESOLUTION,
          generateModelOffersPrintResolution: modelOffersPrintResolution(generateModel),
        },
        progress: terminalProgress(),
      },
    );
    printSummary(result);
  } finally {
    await admin.end({ timeout: 5 });
  }
}

try {
  await main();
} catch (error) {
  console.error(`\ndemo failed: ${error instanceof DemoError ? error.message : (error as Error).stack}`);
  Deno.exit(1);
}
