/**
 * `npm test`: every test, in tiers, then one summary line ("N passed, N failed").
 * 1. static: formatting, lint and type checks;
 * 2. database: the generated database types match the migrations; pgTAP contract tests of the stand-ins, then
 *    the product's pgTAP tests;
 * 3. deno: unit, integration and e2e tests (the e2e tests start their own platform on a free port).
 * The cluster is started when needed and stopped again afterwards if this run started it.
 */
import { isClusterRunning, PlatformError, stopCluster } from "./cluster.ts";
import { DATABASE_TYPES_PATH, databaseTypesAreCurrent } from "./database_types.ts";
import { prepareDatabase, prepareFunctionFiles } from "./main.ts";
import { ensureSampleImages } from "../server/dev/sample_photo.ts";
import { runPgTap } from "./pgtap.ts";
import { platformSettings } from "./settings.ts";

interface Tally {
  passed: number;
  failed: number;
}

async function stream(command: string, args: string[]): Promise<{ code: number; output: string }> {
  const child = new Deno.Command(command, { args, stdout: "piped", stderr: "inherit" }).spawn();
  let output = "";
  const decoder = new TextDecoder();
  for await (const chunk of child.stdout) {
    const text = decoder.decode(chunk, { stream: true });
    output += text;
    await Deno.stdout.write(chunk);
  }
  return { code: (await child.status).code, output };
}

function stripAnsi(text: string): string {
  // deno-lint-ignore no-control-regex
  return text.replace(/\x1b\[[0-9;]*m/g, "");
}

async function main(): Promise<number> {
  const settings = platformSettings();
  const tally: Tally = { passed: 0, failed: 0 };
  const count = (ok: boolean) => ok ? tally.passed++ : tally.failed++;

  console.log("== static checks");
  count((await stream("deno", ["fmt", "--check"])).code === 0);
  count((await stream("deno", ["lint"])).code === 0);
  count(
    (await stream("deno", [
      "check",
      "platform/",
      "supabase/",
      "tests/",
      "bench/",
      "suites/",
      "scripts/",
      "themes/",
    ]))
      .code === 0,
  );

  const wasRunning = await isClusterRunning(settings).catch(() => false);
  try {
    console.log("== database");
    await prepareDatabase(settings);
    const typesCurrent = await databaseTypesAreCurrent(settings);
    if (!typesCurrent) {
      console.log(`${DATABASE_TYPES_PATH} does not match the migrations: run \`npm run gen:types\``);
    } else console.log(`${DATABASE_TYPES_PATH} matches the migrations`);
    count(typesCurrent);
    for (const suite of ["platform", "project"] as const) {
      console.log(`== pgTAP: ${suite}`);
      const result = await runPgTap(settings, suite);
      tally.passed += result.passed;
      tally.failed += result.failed;
    }

    console.log("== deno test");
    // Once here rather than in each test file, which run in parallel.
    await prepareFunctionFiles();
    await ensureSampleImages();
    const denoTests = await stream("deno", ["test", "--allow-all", "--parallel", "--no-check=remote"]);
    const summary = [
      ...stripAnsi(denoTests.output).matchAll(/(\d+) passed(?: \(\d+ steps?\))? \| (\d+) failed/g),
    ]
      .at(-1);
    const [passed, failed] = summary ? [Number(summary[1]), Number(summary[2])] : [0, 0];
    tally.passed += passed;
    tally.failed += denoTests.code === 0 ? failed : Math.max(failed, 1);
  } finally {
    if (!wasRunning) await stopCluster(settings);
  }

  console.log(`\n${tally.passed} passed, ${tally.failed} failed`);
  return tally.failed === 0 ? 0 : 1;
}

try {
  Deno.exit(await main());
} catch (error) {
  if (error instanceof PlatformError) {
    console.error(`error: ${error.message}`);
    Deno.exit(1);
  }
  throw error;
}
