/**
 * `npm run suite:faults` at its smallest, for CI: the same three scenarios and the same checks on a private
 * cluster of its own (its Postgres restart never touches the shared one), with one or two books each. The seed
 * is fixed so that a failure can be repeated with `npm run suite:faults -- --seed 20261213` at these sizes.
 */
import assert from "node:assert/strict";
import { runFaultsSuite } from "../../suites/faults_suite.ts";
import { formatReport } from "../../suites/fault_scenarios/report.ts";

const SEED = 20261213;

Deno.test("books bought while the platform is killed, the provider fails 30% of submissions and Postgres restarts all arrive once", async () => {
  const result = await runFaultsSuite({
    seed: SEED,
    kill: { books: 1, kills: 2 },
    faults: { books: 2, rate: 0.3 },
    restart: { books: 1, restarts: 1 },
    sideBySide: true,
    log: () => {},
  });
  console.log(formatReport(result.rows));

  assert.deepEqual(
    result.failed.map((row) => `${row.scenario}: ${row.what}: ${row.measured}`),
    [],
    `logs kept in ${result.keptDataDir}`,
  );
  const checked = (scenario: string) =>
    new Set(
      result.rows.filter((row) => row.scenario === scenario && row.check === "ok").map((row) => row.what),
    );
  for (const scenario of ["kill -9", "fal faults", "pg restart"]) {
    for (
      const invariant of [
        "books delivered (story done, PDF stored, email sent)",
        "each page stored exactly once (hi-res, watermarked, print)",
        "emails Resend sent (one per idempotency key)",
        "outbox rows (one per order), sent",
      ]
    ) {
      assert.ok(checked(scenario).has(invariant), `${scenario} checked: ${invariant}`);
    }
  }
  assert.ok(checked("kill -9").has("kills while books were in progress"));
  assert.ok(checked("fal faults").has("fal requests accepted (one per image the books need)"));
  assert.ok(checked("pg restart").has("the platform process served throughout (never restarted)"));
});
