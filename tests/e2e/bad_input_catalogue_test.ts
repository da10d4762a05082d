/**
 * The bad-input catalogue (suites/bad_input_catalogue.ts, also `npm run suite:inputs`) against the project on
 * a platform of its own: every case is answered with its exact status and code in the one error shape, and
 * changes no table, queue or stored file but what it declares. A case marked as a known issue must still not
 * answer as expected, so that fixing the product shows here as a note to remove.
 */
import assert from "node:assert/strict";
import { runInputsSuite, startInputsPlatform } from "../../suites/inputs_suite.ts";

Deno.test("every bad input gets its documented answer and changes only what it declares", async (t) => {
  const platform = await startInputsPlatform();
  try {
    const results = await runInputsSuite(platform);
    for (const result of results) {
      const answer = result.knownIssue === undefined
        ? result.expected
        : `${result.expected} (known issue: ${result.knownIssue})`;
      await t.step(`#${result.number} ${result.endpoint}: ${result.description} → ${answer}`, () => {
        assert.deepEqual(
          result.dataProblems,
          [],
          "no table, queue or stored file changes but the declared ones",
        );
        if (result.knownIssue === undefined) {
          assert.equal(result.got, result.expected);
        } else {
          assert.notEqual(
            result.got,
            result.expected,
            `answers as expected now: remove its knownIssue ("${result.knownIssue}")`,
          );
        }
      });
    }
  } finally {
    await platform.close();
  }
});
