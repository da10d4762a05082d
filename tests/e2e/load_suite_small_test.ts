/**
 * The load suite (suites/load_suite.ts) at CI size: its proof that nothing is lost and that each page is drawn
 * once holds for ten previews at once against the fake provider with four pages at a time. Timings are the
 * suite's to report, never asserted here.
 */
import assert from "node:assert/strict";
import { runLoadSuite } from "../../suites/load_suite.ts";

Deno.test("ten previews at once through a provider capped at four all finish, each page drawn and stored once, the queue left empty", async () => {
  const result = await runLoadSuite({
    previews: 10,
    latencyMs: 200,
    concurrency: 4,
    pollMs: 250,
    deadlineMs: 180_000,
  });

  assert.equal(result.deadlineHit, false, "the run finished before its deadline");
  const failed = result.checks.filter((check) => !check.ok)
    .map((check) => `${check.what}: ${check.actual}, expected ${check.expected}`);
  assert.deepEqual(failed, []);
  assert.deepEqual(
    result.checks.map((check) => check.what),
    [
      "previews accepted (202)",
      "stories completed",
      "pages done",
      "image requests accepted by the provider",
      "image requests refused by the provider",
      "most requests at the provider at once",
      "webhooks accepted",
      "full-size renders stored (pages bucket)",
      "watermarked previews stored (previews bucket)",
      "pages without exactly one of each",
      "stored objects no page points at",
      "page tasks left in the queue",
      "page tasks archived (failed)",
      "provider calls still open",
      "parents' requests not answered 2xx",
    ],
    "every part of the proof was checked",
  );
});
