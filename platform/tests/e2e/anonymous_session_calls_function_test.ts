import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { createClient } from "@supabase/supabase-js";
import { startTestPlatform } from "../support/test_platform.ts";

const sampleProject = fileURLToPath(new URL("../fixtures/sample_project", import.meta.url));

Deno.test("an anonymous supabase-js session calls a function that has verify_jwt on", async () => {
  const platform = await startTestPlatform({ name: "anon_session", projectDir: sampleProject });
  const supabase = createClient(platform.url, platform.anonKey, {
    auth: { persistSession: false, autoRefreshToken: false },
  });
  try {
    const { data: signIn, error: signInError } = await supabase.auth.signInAnonymously();
    assert.equal(signInError, null);
    const userId = signIn.user!.id;

    const { data, error } = await supabase.functions.invoke("whoami");
    assert.equal(error, null);
    assert.deepEqual(data, { sub: userId, is_anonymous: true, error: null });

    await supabase.auth.signOut();
    const forged = signIn.session!.access_token.slice(0, -6) + "AAAAAA";
    const response = await fetch(`${platform.url}/functions/v1/whoami`, {
      headers: { Authorization: `Bearer ${forged}`, apikey: platform.anonKey },
    });
    assert.equal(response.status, 401);
    await response.body?.cancel();
  } finally {
    await platform.close();
  }
});
