import assert from "node:assert/strict";
import { join } from "node:path";
import { createClient, type Session } from "@supabase/supabase-js";
import { startTestPlatform } from "../support/test_platform.ts";

const noPersistence = { persistSession: false, autoRefreshToken: false, detectSessionInUrl: false };

const PROJECT_CONFIG = `project_id = "auth-config-test"

[auth]
jwt_expiry = 600
enable_anonymous_sign_ins = false
refresh_token_reuse_interval = 0
`;

function mustSession(result: { data: { session: Session | null }; error: unknown }): Session {
  assert.equal(result.error, null);
  assert.ok(result.data.session, "expected a session");
  return result.data.session;
}

Deno.test("auth stand-in: honours the project's [auth] settings", async (t) => {
  const projectDir = await Deno.makeTempDir({ prefix: "auth_project_" });
  await Deno.mkdir(join(projectDir, "supabase", "migrations"), { recursive: true });
  await Deno.writeTextFile(join(projectDir, "supabase", "config.toml"), PROJECT_CONFIG);
  const platform = await startTestPlatform({ name: "auth_config", projectDir });
  const client = createClient(platform.url, platform.anonKey, { auth: noPersistence });
  try {
    await t.step("anonymous sign-ins disabled in config.toml are refused with GoTrue's error", async () => {
      const { data, error } = await client.auth.signInAnonymously();
      assert.equal(data.session, null);
      assert.equal(error?.code, "anonymous_provider_disabled");
      assert.equal(error?.status, 422);
      const [{ users }] = await platform.admin`select count(*)::int as users from auth.users`;
      assert.equal(users, 0);
    });

    const email = `config.${crypto.randomUUID().slice(0, 8)}@example.com`;
    const password = "configured passphrase";

    await t.step("access tokens live for jwt_expiry seconds", async () => {
      const session = mustSession(await client.auth.signUp({ email, password }));
      assert.equal(session.expires_in, 600);
      const { data } = await client.auth.getClaims(session.access_token);
      assert.equal(data!.claims.exp - data!.claims.iat!, 600);
    });

    await t.step("with no reuse interval, presenting a rotated token revokes the whole session", async () => {
      const first = mustSession(await client.auth.signInWithPassword({ email, password }));
      const second = mustSession(await client.auth.refreshSession({ refresh_token: first.refresh_token }));
      const third = mustSession(await client.auth.refreshSession({ refresh_token: second.refresh_token }));

      const reused = await client.auth.refreshSession({ refresh_token: first.refresh_token });
      assert.equal(reused.error?.code, "refresh_token_already_used");
      // The token the legitimate holder has now is revoked too: reuse ends the session's token family.
      const current = await client.auth.refreshSession({ refresh_token: third.refresh_token });
      assert.equal(current.error?.code, "refresh_token_already_used");
    });
  } finally {
    await platform.close();
    await Deno.remove(projectDir, { recursive: true });
  }
});
