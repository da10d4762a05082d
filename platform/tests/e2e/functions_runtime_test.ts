import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { startTestPlatform, type TestPlatform } from "../support/test_platform.ts";

const sampleProject = fileURLToPath(new URL("../fixtures/sample_project", import.meta.url));

async function call(platform: TestPlatform, path: string, init: RequestInit = {}) {
  const response = await fetch(`${platform.url}/functions/v1/${path}`, init);
  return { status: response.status, body: await response.json() };
}

const asService = (platform: TestPlatform): HeadersInit => ({
  Authorization: `Bearer ${platform.serviceRoleKey}`,
});

Deno.test("functions runtime", async (t) => {
  const platform = await startTestPlatform({
    name: "functions",
    projectDir: sampleProject,
    limits: { functionRequestMs: 3_000 },
  });
  try {
    await t.step("a function with verify_jwt on refuses a request without a JWT", async () => {
      const { status, body } = await call(platform, "echo");
      assert.deepEqual(status, 401);
      assert.deepEqual(body, { code: "UNAUTHORIZED", message: "Missing authorization header" });
    });

    await t.step("a function with verify_jwt on refuses a forged JWT", async () => {
      const forged = platform.anonKey.slice(0, -4) + "AAAA";
      const { status } = await call(platform, "echo", { headers: { Authorization: `Bearer ${forged}` } });
      assert.deepEqual(status, 401);
    });

    await t.step(
      "a function sees its path without the /functions/v1 prefix, its query and body",
      async () => {
        const { status, body } = await call(platform, "echo/items/7?expand=1", {
          method: "POST",
          headers: { ...asService(platform), "content-type": "text/plain" },
          body: "hello",
        });
        assert.deepEqual(status, 200);
        assert.deepEqual(body.path, "/echo/items/7");
        assert.deepEqual(body.search, "?expand=1");
        assert.deepEqual(body.body, "hello");
      },
    );

    await t.step(
      "a function gets Supabase's environment, the project's .env secrets and the platform's local Shopify secret, nothing else",
      async () => {
        const { body } = await call(platform, "echo", { headers: asService(platform) });
        // Deno adds its own DENO_* and PATH to every process it starts; everything else must be exactly this.
        const names = (body.env as string[]).filter((name) => !name.startsWith("DENO_") && name !== "PATH");
        assert.deepEqual(names, [
          "SAMPLE_SECRET",
          "SHOPIFY_WEBHOOK_SECRET",
          "SUPABASE_ANON_KEY",
          "SUPABASE_DB_URL",
          "SUPABASE_JWKS",
          "SUPABASE_SERVICE_ROLE_KEY",
          "SUPABASE_URL",
        ]);
        assert.equal(body.sample_secret, "from-dotenv");
        // The reserved SUPABASE_URL in .env is ignored: the platform's own value wins.
        assert.equal(body.supabase_url, platform.url);
      },
    );

    await t.step("verify_jwt = false in config.toml lets an unauthenticated request through", async () => {
      const { status } = await call(platform, "public-echo");
      assert.deepEqual(status, 200);
    });

    await t.step("an unknown function is a 404", async () => {
      const { status, body } = await call(platform, "no-such-function", { headers: asService(platform) });
      assert.deepEqual(status, 404);
      assert.deepEqual(body.code, "NOT_FOUND");
    });

    await t.step("_shared is not a function", async () => {
      const { status } = await call(platform, "_shared", { headers: asService(platform) });
      assert.deepEqual(status, 404);
    });

    await t.step("a function cannot start subprocesses or load native code", async () => {
      const { body } = await call(platform, "escape-sandbox", { headers: asService(platform) });
      assert.deepEqual(body, { subprocess: "NotCapable", ffi: "NotCapable", platformKeys: "NotCapable" });
    });

    await t.step("a function that crashes gets a 500 and the platform keeps serving", async () => {
      const { status, body } = await call(platform, "crash", { headers: asService(platform) });
      assert.deepEqual(status, 500);
      assert.deepEqual(body.code, "WORKER_ERROR");
      assert.deepEqual((await call(platform, "echo", { headers: asService(platform) })).status, 200);
    });

    await t.step(
      "a function that hangs is stopped at its wall-clock limit and the platform keeps serving",
      async () => {
        const { status, body } = await call(platform, "hang", { headers: asService(platform) });
        assert.deepEqual(status, 546);
        assert.match(body.message, /wall-clock/);
        assert.deepEqual((await call(platform, "echo", { headers: asService(platform) })).status, 200);
      },
    );

    await t.step("a crashed function boots again on the next request", async () => {
      const first = await call(platform, "crash", { headers: asService(platform) });
      const second = await call(platform, "crash", { headers: asService(platform) });
      assert.deepEqual([first.status, second.status], [500, 500]);
    });
  } finally {
    await platform.close();
  }
});
