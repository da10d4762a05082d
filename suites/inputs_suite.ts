/**
 * `npm run suite:inputs`: every case of the bad-input catalogue sent to the project's functions on a platform
 * of its own (a fresh database), each answer checked for its exact status and code and the one error shape,
 * and the whole state fingerprinted before and after each request: nothing may change but what a case
 * declares.
 *
 * The database's cron jobs are paused while the catalogue runs, so that nothing but the request under test
 * moves between two fingerprints: the page dispatcher would otherwise re-read the queue every 2 s (a
 * message's visibility timeout and read count, the lease reserved on its page), and the print starter act on
 * orders.
 * What a request itself sets off in the database (a preview's cover dispatched at once) still runs inside it.
 *
 * Prints one table (#, endpoint, case, expected, got, data, result) and a summary line; exits 1 on any
 * mismatch.
 */
import { join } from "node:path";
import { formatTable } from "../bench/bench_support.ts";
import { prepareDatabase, prepareFunctionFiles } from "../platform/cli/main.ts";
import { platformSettings } from "../platform/cli/settings.ts";
import { eventually, type TestPlatform } from "../platform/tests/support/test_platform.ts";
import { startProjectPlatform } from "../tests/support/preview_fixtures.ts";
import { BAD_INPUT_CATALOGUE, type BadInputCase, type DeclaredChanges } from "./bad_input_catalogue.ts";
import { arrangeWorld, INPUTS_FUNCTION_ENV } from "./bad_input_world.ts";
import { createFingerprinter, diffFingerprints, type PartChange } from "./input_state_fingerprint.ts";

export interface CaseResult {
  number: number;
  endpoint: string;
  description: string;
  expected: string;
  got: string;
  /** Every part of the state that changed, with its counts. */
  changes: Map<string, PartChange>;
  /** Why the state does not match the declaration; empty when it does. */
  dataProblems: string[];
  /** The case's note when the product is known not to answer `expected` yet. */
  knownIssue?: string;
  /**
   * ok: the expected answer and state. known issue: the state as declared, the answer not the expected one
   * (the case's note says what it is). fixed: a known issue now answers as expected (remove its note).
   * failed: anything else.
   */
  verdict: "ok" | "known issue" | "fixed" | "failed";
  passed: boolean;
}

interface Answer {
  status: number;
  code: string;
  headers: Headers;
  message?: string;
  /** Set when an error answer is not exactly `{"error": {"code", "message"}}`. */
  shapeProblem?: string;
}

/** Starts the platform the catalogue needs: its own database, the secrets the world signs with. */
export async function startInputsPlatform(): Promise<TestPlatform> {
  return await startProjectPlatform("bad_inputs", { functionEnv: INPUTS_FUNCTION_ENV });
}

/** Arranges the world on `platform` (from startInputsPlatform), then sends every case in order. */
export async function runInputsSuite(
  platform: TestPlatform,
  catalogue: readonly BadInputCase[] = BAD_INPUT_CATALOGUE,
): Promise<CaseResult[]> {
  // Paused before the world is arranged: by the time it is, the scheduler has reloaded its jobs and any run
  // that had already started has been waited for.
  const paused = await pauseCronJobs(platform);
  try {
    const world = await arrangeWorld(platform);
    await eventually(async () => {
      const [{ runs }] = await platform.admin<{ runs: number }[]>`
        select count(*)::int as runs from cron.job_run_details
         where database = current_database() and status in ('starting', 'running')`;
      return runs === 0 ? true : undefined;
    }, "the cron runs started before the pause to end");
    const { settings, database } = platform.platform.context;
    const fingerprinter = createFingerprinter(platform.admin, join(settings.storageDir, database));
    const results: CaseResult[] = [];
    for (const [index, testCase] of catalogue.entries()) {
      const request = await testCase.request(world);
      const before = await fingerprinter.take();
      const answer = await answerOf(await fetch(request, { redirect: "manual" }));
      const changes = diffFingerprints(before, await fingerprinter.take());
      const expected = `${testCase.expect.status} ${testCase.expect.code}`;
      const { message, header } = testCase.expect;
      const problems = [
        answer.shapeProblem,
        message !== undefined && !answer.message?.includes(message)
          ? `message without "${message}"`
          : undefined,
        header !== undefined && !answer.headers.has(header) ? `no ${header} header` : undefined,
      ].filter((problem) => problem !== undefined);
      const got = `${answer.status} ${answer.code}${problems.map((problem) => ` (${problem})`).join("")}`;
      const dataProblems = compareChanges(changes, testCase.changes ?? {});
      const verdict = verdictOf(
        got === expected,
        dataProblems.length === 0,
        testCase.knownIssue !== undefined,
      );
      results.push({
        number: index + 1,
        endpoint: testCase.endpoint,
        description: testCase.description,
        expected,
        got,
        changes,
        dataProblems,
        knownIssue: testCase.knownIssue,
        verdict,
        passed: verdict === "ok" || verdict === "known issue",
      });
    }
    return results;
  } finally {
    await resumeCronJobs(platform, paused);
  }
}

function verdictOf(answered: boolean, stateAsDeclared: boolean, knownIssue: boolean): CaseResult["verdict"] {
  if (!stateAsDeclared) return "failed";
  if (knownIssue) return answered ? "fixed" : "known issue";
  return answered ? "ok" : "failed";
}

/** The answer's status and code, and whether an error is in the one documented shape. */
async function answerOf(response: Response): Promise<Answer> {
  const { status, headers } = response;
  if (status >= 300 && status < 400) {
    await response.body?.cancel();
    return { status, headers, code: "redirect" };
  }
  const text = await response.text();
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return { status, headers, code: "(not JSON)" };
  }
  const fields: Record<string, unknown> = typeof body === "object" && body !== null ? { ...body } : {};
  if (status < 300) {
    return { status, headers, code: String(fields.outcome ?? fields.status ?? "(no outcome)") };
  }
  const error = typeof fields.error === "object" && fields.error !== null
    ? fields.error as { code?: unknown; message?: unknown }
    : {};
  const code = typeof error.code === "string" ? error.code : "(no code)";
  const inShape = Object.keys(fields).join(",") === "error" &&
    Object.keys(error).sort().join(",") === "code,message" && typeof error.message === "string";
  return {
    status,
    headers,
    code,
    message: typeof error.message === "string" ? error.message : undefined,
    shapeProblem: inShape ? undefined : `not {"error":{"code","message"}}: ${text.slice(0, 80)}`,
  };
}

/** Each declared part must have gained exactly its rows and lost none; every other part must be unchanged. */
function compareChanges(changes: Map<string, PartChange>, declared: DeclaredChanges): string[] {
  const problems: string[] = [];
  for (const part of new Set([...changes.keys(), ...Object.keys(declared)])) {
    const change = changes.get(part) ?? { added: 0, removed: 0 };
    const expectedAdded = declared[part] ?? 0;
    if (change.added !== expectedAdded || change.removed !== 0) {
      problems.push(
        `${part} ${describeChange(change)}, expected ${expectedAdded > 0 ? `+${expectedAdded}` : "none"}`,
      );
    }
  }
  return problems;
}

function describeChange({ added, removed }: PartChange): string {
  return [added > 0 ? `+${added}` : "", removed > 0 ? `-${removed}` : ""].filter(Boolean).join("/") || "none";
}

/** Pauses every active cron job of the platform's database; returns their ids to resume. */
async function pauseCronJobs(platform: TestPlatform): Promise<number[]> {
  const rows = await platform.admin<{ jobid: number }[]>`
    select jobid::int from cron.job where active and database = current_database()`;
  for (const { jobid } of rows) {
    await platform.admin`select cron.alter_job(${jobid}::bigint, active => false)`;
  }
  return rows.map((row) => row.jobid);
}

async function resumeCronJobs(platform: TestPlatform, jobIds: number[]): Promise<void> {
  for (const jobid of jobIds) await platform.admin`select cron.alter_job(${jobid}::bigint, active => true)`;
}

/** The "data" column: unchanged, the declared change, or what changed against the declaration. */
function dataCell(result: CaseResult): string {
  if (result.dataProblems.length > 0) return `CHANGED: ${result.dataProblems.join("; ")}`;
  if (result.changes.size === 0) return "unchanged";
  if (result.changes.size > 2) {
    const rows = [...result.changes.values()].reduce((sum, change) => sum + change.added, 0);
    return `as declared: +${rows} rows in ${result.changes.size} tables`;
  }
  return `as declared: ${
    [...result.changes].map(([part, change]) => `${part} ${describeChange(change)}`).join(", ")
  }`;
}

const RESULT_CELL: Record<CaseResult["verdict"], string> = {
  ok: "ok",
  "known issue": "known issue",
  fixed: "FIXED: remove its knownIssue",
  failed: "FAIL",
};

export function formatResults(results: CaseResult[]): string {
  const table = formatTable(
    ["#", "endpoint", "case", "expected", "got", "data", "result"],
    results.map((result) => [
      result.number,
      result.endpoint,
      result.description,
      result.expected,
      result.got,
      dataCell(result),
      RESULT_CELL[result.verdict],
    ]),
  );
  const count = (verdict: CaseResult["verdict"]) =>
    results.filter((result) => result.verdict === verdict).length;
  const unchanged = results.filter((result) => result.changes.size === 0).length;
  const undeclared = results.filter((result) => result.dataProblems.length > 0).length;
  const issues = results.filter((result) => result.verdict === "known issue")
    .map((result) => `  #${result.number} ${result.endpoint}, ${result.description}: ${result.knownIssue}`);
  const endpoints = new Set(results.map((result) => result.endpoint)).size;
  const summary = [
    `${results.length} cases across ${endpoints} endpoints: ${count("ok")} as expected`,
    `${count("known issue")} known issue(s)`,
    `${count("failed") + count("fixed")} failed`,
    `data unchanged in ${unchanged}, changed as declared in ${results.length - unchanged - undeclared}, ` +
    `changed otherwise in ${undeclared}`,
  ].join("; ");
  const knownIssues = issues.length > 0
    ? ["Known issues (the product's answer differs from the expected one):", ...issues, ""]
    : [];
  return [table, "", ...knownIssues, summary].join("\n");
}

if (import.meta.main) {
  await prepareDatabase(platformSettings());
  await prepareFunctionFiles();
  const platform = await startInputsPlatform();
  let results: CaseResult[];
  try {
    results = await runInputsSuite(platform);
  } finally {
    await platform.close();
  }
  console.log(`\n${formatResults(results)}`);
  if (results.some((result) => !result.passed)) Deno.exit(1);
}
