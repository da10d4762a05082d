import assert from "node:assert/strict";
import { createClient, type Session, type SupabaseClient } from "@supabase/supabase-js";
import { parseAuthConfig } from "../../server/auth/auth_config.ts";
import { startTestPlatform, type TestPlatform } from "../support/test_platform.ts";

const noPersistence = { persistSession: false, autoRefreshToken: false, detectSessionInUrl: false };

/** A supabase-js client that records the paths it requests, to tell local verification from a server call. */
function trackedClient(platform: TestPlatform) {
  const paths: string[] = [];
  const client = createClient(platform.url, platform.anonKey, {
    auth: noPersistence,
    global: {
      fetch: (input: RequestInfo | URL, init?: RequestInit) => {
        paths.push(new URL(input instanceof Request ? input.url : String(input)).pathname);
        return fetch(input, init);
      },
    },
  });
  return { client, paths };
}

const newClient = (platform: TestPlatform): SupabaseClient =>
  createClient(platform.url, platform.anonKey, { auth: noPersistence });

const uniqueEmail = () => `Reader.${crypto.randomUUID().slice(0, 8)}@Example.com`;

function mustSession(result: { data: { session: Session | null }; error: unknown }): Session {
  assert.equal(result.error, null);
  assert.ok(result.data.session, "expected a session");
  return result.data.session;
}

Deno.test("auth stand-in: sessions through supabase-js", async (t) => {
  const platform = await startTestPlatform({ name: "auth_sessions" });
  const config = parseAuthConfig(platform.platform.context.projectConfig.document);
  const issuer = `${platform.url}/auth/v1`;
  try {
    let anonymousSession: Session;
    const anonymous = trackedClient(platform);

    await t.step("anonymous sign-in creates an anonymous auth.users row with a session", async () => {
      anonymousSession = mustSession(
        await anonymous.client.auth.signInAnonymously({ options: { data: { locale: "fr" } } }),
      );
      const user = anonymousSession.user;
      assert.equal(user.is_anonymous, true);
      assert.deepEqual(user.user_metadata, { locale: "fr" });
      assert.equal(anonymousSession.token_type, "bearer");
      assert.equal(anonymousSession.expires_in, config.jwtExpiry);

      const [row] = await platform.admin`
        select is_anonymous, email, role, aud, raw_user_meta_data from auth.users where id = ${user.id}`;
      assert.deepEqual(
        { ...row },
        {
          is_anonymous: true,
          email: null,
          role: "authenticated",
          aud: "authenticated",
          raw_user_meta_data: { locale: "fr" },
        },
      );
      const [token] = await platform.admin`
        select revoked, user_id from auth.refresh_tokens where token = ${anonymousSession.refresh_token}`;
      assert.deepEqual({ ...token }, { revoked: false, user_id: user.id });
    });

    await t.step(
      "getClaims verifies the anonymous access token locally through the JWKS (ES256, kid)",
      async () => {
        anonymous.paths.length = 0;
        const { data, error } = await anonymous.client.auth.getClaims();
        assert.equal(error, null);
        assert.ok(data);
        assert.equal(data.header.alg, "ES256");
        assert.ok(data.header.kid, "the header names its key");
        assert.equal(data.header.kid, platform.platform.context.keys.jwks.keys[0].kid);
        const claims = data.claims;
        assert.equal(claims.iss, issuer);
        assert.equal(claims.sub, anonymousSession.user.id);
        assert.equal(claims.aud, "authenticated");
        assert.equal(claims.role, "authenticated");
        assert.equal(claims.is_anonymous, true);
        assert.equal(claims.email, "");
        assert.equal(claims.aal, "aal1");
        assert.equal(claims.amr?.[0] && (claims.amr[0] as { method: string }).method, "anonymous");
        assert.equal(claims.exp - claims.iat!, config.jwtExpiry);
        assert.equal(claims.exp, anonymousSession.expires_at);
        const [session] = await platform
          .admin`select user_id from auth.sessions where id = ${claims.session_id}`;
        assert.equal(session?.user_id, anonymousSession.user.id);
        assert.ok(anonymous.paths.includes("/auth/v1/.well-known/jwks.json"), "the JWKS was fetched");
        assert.ok(!anonymous.paths.includes("/auth/v1/user"), "no fallback to GET /user");
      },
    );

    await t.step("getClaims refuses a token whose payload was altered", async () => {
      const [header, payload, signature] = anonymousSession.access_token.split(".");
      const claims = JSON.parse(atob(payload.replaceAll("-", "+").replaceAll("_", "/")));
      const forged = btoa(JSON.stringify({ ...claims, role: "service_role" }))
        .replaceAll("+", "-").replaceAll("/", "_").replace(/=+$/, "");
      const { data, error } = await anonymous.client.auth.getClaims(`${header}.${forged}.${signature}`);
      assert.equal(data, null);
      assert.match(error?.message ?? "", /signature/i);
    });

    const email = uniqueEmail();
    const password = "correct horse battery";
    let userId = "";

    await t.step(
      "sign-up with email and password returns a session at once (confirmations off)",
      async () => {
        const session = mustSession(await newClient(platform).auth.signUp({ email, password }));
        userId = session.user.id;
        assert.equal(session.user.email, email.toLowerCase());
        assert.ok(session.user.email_confirmed_at);
        assert.equal(session.user.is_anonymous, false);
        assert.deepEqual(session.user.app_metadata, { provider: "email", providers: ["email"] });
        assert.deepEqual(session.user.identities?.map((identity) => identity.provider), ["email"]);

        const [row] = await platform.admin`
        select encrypted_password like '$2%' as bcrypt,
               extensions.crypt(${password}, encrypted_password) = encrypted_password as matches
        from auth.users where id = ${userId}`;
        assert.deepEqual({ ...row }, { bcrypt: true, matches: true });
      },
    );

    await t.step("signing up again with the same email is refused with user_already_exists", async () => {
      const { data, error } = await newClient(platform).auth.signUp({ email, password: "another password" });
      assert.equal(data.session, null);
      assert.equal(error?.code, "user_already_exists");
      assert.equal(error?.status, 422);
    });

    await t.step("sign-in with the password returns a session with password claims", async () => {
      const client = newClient(platform);
      const session = mustSession(await client.auth.signInWithPassword({ email, password }));
      assert.equal(session.user.id, userId);
      const { data } = await client.auth.getClaims();
      assert.equal(data?.claims.email, email.toLowerCase());
      assert.equal(data?.claims.is_anonymous, false);
      assert.deepEqual(data?.claims.app_metadata, { provider: "email", providers: ["email"] });
      assert.equal((data?.claims.amr?.[0] as { method: string }).method, "password");
      const [row] = await platform.admin`select last_sign_in_at from auth.users where id = ${userId}`;
      assert.ok(row.last_sign_in_at);
    });

    await t.step("a wrong password is refused with GoTrue's invalid_credentials error", async () => {
      const { data, error } = await newClient(platform).auth.signInWithPassword({
        email,
        password: "wrong password",
      });
      assert.equal(data.session, null);
      assert.equal(error?.code, "invalid_credentials");
      assert.equal(error?.status, 400);
      assert.equal(error?.message, "Invalid login credentials");

      const response = await fetch(`${issuer}/token?grant_type=password`, {
        method: "POST",
        headers: { apikey: platform.anonKey, "content-type": "application/json" },
        body: JSON.stringify({ email, password: "wrong password" }),
      });
      assert.equal(response.status, 400);
      assert.deepEqual(await response.json(), {
        code: 400,
        error_code: "invalid_credentials",
        msg: "Invalid login credentials",
      });
    });

    await t.step("getUser works with the user's token and fails without one", async () => {
      const client = newClient(platform);
      const session = mustSession(await client.auth.signInWithPassword({ email, password }));
      const { data, error } = await client.auth.getUser();
      assert.equal(error, null);
      assert.equal(data.user?.id, userId);
      assert.equal(data.user?.email, email.toLowerCase());

      const withoutToken = await fetch(`${issuer}/user`, { headers: { apikey: platform.anonKey } });
      assert.equal(withoutToken.status, 401);
      assert.equal((await withoutToken.json()).error_code, "no_authorization");

      const withApiKeyAsToken = await client.auth.getUser(platform.anonKey);
      assert.equal(withApiKeyAsToken.data.user, null);
      assert.equal(withApiKeyAsToken.error?.code, "bad_jwt");
      assert.equal(withApiKeyAsToken.error?.status, 403);

      const [, payload] = session.access_token.split(".");
      const tampered = session.access_token.replace(payload, payload.slice(0, -2) + "AA");
      const forged = await client.auth.getUser(tampered);
      assert.equal(forged.error?.code, "bad_jwt");
    });

    await t.step("refresh rotates the refresh token and keeps its lineage", async () => {
      const client = newClient(platform);
      const first = mustSession(await client.auth.signInWithPassword({ email, password }));
      const second = mustSession(await client.auth.refreshSession({ refresh_token: first.refresh_token }));
      assert.notEqual(second.refresh_token, first.refresh_token);
      assert.equal(second.user.id, userId);
      const rows = await platform.admin`
        select token, revoked, parent from auth.refresh_tokens
        where token in (${first.refresh_token}, ${second.refresh_token})`;
      const byToken = Object.fromEntries(
        rows.map((row) => [row.token, { revoked: row.revoked, parent: row.parent }]),
      );
      assert.deepEqual(byToken[first.refresh_token], { revoked: true, parent: null });
      assert.deepEqual(byToken[second.refresh_token], { revoked: false, parent: first.refresh_token });

      // A client that lost the refresh response presents its old token again and gets the current one back.
      const retried = mustSession(await client.auth.refreshSession({ refresh_token: first.refresh_token }));
      assert.equal(retried.refresh_token, second.refresh_token);
    });

    await t.step(
      "an old refresh token past the reuse interval is refused and revokes the session's tokens",
      async () => {
        const client = newClient(platform);
        const first = mustSession(await client.auth.signInWithPassword({ email, password }));
        const second = mustSession(await client.auth.refreshSession({ refresh_token: first.refresh_token }));
        mustSession(await client.auth.refreshSession({ refresh_token: second.refresh_token }));
        // Age the first token past the reuse interval instead of waiting for it.
        await platform.admin`
        update auth.refresh_tokens
        set updated_at = now() - make_interval(secs => ${config.refreshTokenReuseInterval + 60})
        where token = ${first.refresh_token}`;

        const { data, error } = await client.auth.refreshSession({ refresh_token: first.refresh_token });
        assert.equal(data.session, null);
        assert.equal(error?.code, "refresh_token_already_used");
        assert.equal(error?.status, 400);
        const [family] = await platform.admin`
        select count(*)::int as tokens, count(*) filter (where not revoked)::int as active
        from auth.refresh_tokens
        where session_id = (select session_id from auth.refresh_tokens where token = ${first.refresh_token})`;
        assert.deepEqual({ ...family }, { tokens: 3, active: 0 });
      },
    );

    await t.step("sign-out ends the session: its refresh token and access token stop working", async () => {
      const client = newClient(platform);
      const session = mustSession(await client.auth.signInWithPassword({ email, password }));
      const { error } = await client.auth.signOut();
      assert.equal(error, null);

      const [remaining] = await platform.admin`
        select count(*)::int as sessions from auth.sessions where user_id = ${userId}`;
      assert.equal(remaining.sessions, 0);
      const refreshed = await newClient(platform).auth.refreshSession({
        refresh_token: session.refresh_token,
      });
      assert.equal(refreshed.error?.code, "refresh_token_not_found");

      const response = await fetch(`${issuer}/user`, {
        headers: { apikey: platform.anonKey, authorization: `Bearer ${session.access_token}` },
      });
      assert.equal(response.status, 403);
      assert.equal((await response.json()).error_code, "session_not_found");
    });

    await t.step("updateUser merges metadata and changes the password", async () => {
      const client = newClient(platform);
      mustSession(await client.auth.signInWithPassword({ email, password }));
      const updated = await client.auth.updateUser({ data: { nickname: "Pip" } });
      assert.equal(updated.error, null);
      assert.deepEqual(updated.data.user?.user_metadata, { email_verified: true, nickname: "Pip" });

      const newPassword = "a brand new passphrase";
      assert.equal((await client.auth.updateUser({ password: newPassword })).error, null);
      const oldSignIn = await newClient(platform).auth.signInWithPassword({ email, password });
      assert.equal(oldSignIn.error?.code, "invalid_credentials");
      mustSession(await newClient(platform).auth.signInWithPassword({ email, password: newPassword }));

      const same = await client.auth.updateUser({ password: newPassword });
      assert.equal(same.error?.code, "same_password");
    });

    await t.step("an anonymous user who adds an email and password becomes a permanent user", async () => {
      const client = newClient(platform);
      const session = mustSession(await client.auth.signInAnonymously());
      const upgradedEmail = uniqueEmail();
      const { data, error } = await client.auth.updateUser({ email: upgradedEmail, password });
      assert.equal(error, null);
      assert.equal(data.user?.id, session.user.id);
      assert.equal(data.user?.is_anonymous, false);
      assert.equal(data.user?.email, upgradedEmail.toLowerCase());
      assert.deepEqual(data.user?.identities?.map((identity) => identity.provider), ["email"]);
      const signedIn = mustSession(
        await newClient(platform).auth.signInWithPassword({ email: upgradedEmail, password }),
      );
      assert.equal(signedIn.user.id, session.user.id);
      const [row] = await platform.admin`select is_anonymous from auth.users where id = ${session.user.id}`;
      assert.equal(row.is_anonymous, false);
    });

    await t.step("an anonymous user cannot set a password without an email", async () => {
      const client = newClient(platform);
      mustSession(await client.auth.signInAnonymously());
      const { error } = await client.auth.updateUser({ password });
      assert.equal(error?.code, "validation_failed");
      assert.equal(error?.status, 422);
    });
  } finally {
    await platform.close();
  }
});
