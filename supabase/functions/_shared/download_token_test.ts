import assert from "node:assert/strict";
import { createDownloadTokens } from "./download_token.ts";

const ORDER = "5f0c1d2e-3a4b-4c5d-8e6f-7a8b9c0d1e2f";
const EXPIRY = new Date("2026-12-30T10:00:00Z");

Deno.test("a token verifies for its order and carries its expiry", async () => {
  const tokens = await createDownloadTokens("project-secret");
  const token = await tokens.sign(ORDER, EXPIRY);
  assert.deepEqual(await tokens.verify(ORDER, token), EXPIRY);
});

Deno.test("a token is refused for another order, with another secret, or changed by one character", async () => {
  const tokens = await createDownloadTokens("project-secret");
  const token = await tokens.sign(ORDER, EXPIRY);
  assert.equal(await tokens.verify("6f0c1d2e-3a4b-4c5d-8e6f-7a8b9c0d1e2f", token), null);
  assert.equal(await (await createDownloadTokens("another-secret")).verify(ORDER, token), null);
  const last = token.at(-1) === "A" ? "B" : "A";
  assert.equal(await tokens.verify(ORDER, token.slice(0, -1) + last), null);
  assert.equal(await tokens.verify(ORDER, `${Number(token.split(".")[0]) + 1}.${token.split(".")[1]}`), null);
});

Deno.test("a malformed token is refused without an error", async () => {
  const tokens = await createDownloadTokens("project-secret");
  for (const token of ["", "abc", "123.", ".abc", "1.!!!", "x".repeat(500)]) {
    assert.equal(await tokens.verify(ORDER, token), null, token);
  }
});
