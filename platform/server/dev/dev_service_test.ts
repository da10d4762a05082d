import assert from "node:assert/strict";
import { type PlatformKeys, platformKeys } from "../keys.ts";
import { sessionUserId } from "./dev_service.ts";
import { DevError } from "./dev_routes.ts";

async function withKeys(run: (keys: PlatformKeys) => Promise<void>): Promise<void> {
  const keysDir = await Deno.makeTempDir();
  try {
    await run(await platformKeys(keysDir));
  } finally {
    await Deno.remove(keysDir, { recursive: true });
  }
}

function withToken(token?: string): Request {
  return new Request("http://platform.test/dev/v1/outbox", {
    headers: token === undefined ? {} : { authorization: `Bearer ${token}` },
  });
}

Deno.test("a user's session token names its user", async () => {
  await withKeys(async (keys) => {
    const userId = crypto.randomUUID();
    const token = await keys.signAccessToken(
      { sub: userId, role: "authenticated", aud: "authenticated" },
      60,
    );
    assert.equal(await sessionUserId(keys, withToken(token)), userId);
  });
});

Deno.test("no token, a forged token, and the anon and service_role API keys are refused 401: none is a user's session", async () => {
  await withKeys(async (keys) => {
    const genuine = await keys.signAccessToken({ sub: crypto.randomUUID(), role: "authenticated" }, 60);
    const forged = genuine.slice(0, -4) + (genuine.endsWith("AAAA") ? "BBBB" : "AAAA");
    for (const token of [undefined, forged, keys.anonKey, keys.serviceRoleKey]) {
      const error = await sessionUserId(keys, withToken(token)).then(() => null, (error) => error);
      assert.ok(error instanceof DevError, `refused: ${error}`);
      assert.equal(error.status, 401);
      assert.equal(error.code, "unauthorized");
    }
  });
});
