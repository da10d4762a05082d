import assert from "node:assert/strict";
import { createClient } from "@supabase/supabase-js";
import { parseAuthConfig } from "../../server/auth/auth_config.ts";
import { startTestPlatform } from "../support/test_platform.ts";

const noPersistence = { persistSession: false, autoRefreshToken: false, detectSessionInUrl: false };

Deno.test("auth stand-in: API keys, public routes and admin routes", async (t) => {
  const platform = await startTestPlatform({ name: "auth_gateway" });
  const config = parseAuthConfig(platform.platform.context.projectConfig.document);
  const auth = `${platform.url}/auth/v1`;
  const anon = createClient(platform.url, platform.anonKey, { auth: noPersistence });
  const service = createClient(platform.url, platform.serviceRoleKey, { auth: noPersistence });
  try {
    await t.step("the legacy anon and service_role keys are accepted as apikey", async () => {
      for (const key of [platform.anonKey, platform.serviceRoleKey]) {
        const response = await fetch(`${auth}/settings`, { headers: { apikey: key } });
        assert.equal(response.status, 200);
        await response.body?.cancel();
      }
      const viaServiceKey = await service.auth.signInAnonymously();
      assert.equal(viaServiceKey.error, null);
      assert.ok(viaServiceKey.data.session);
    });

    await t.step(
      "a request without an apikey is refused by the gateway, even with a bearer token",
      async () => {
        const response = await fetch(`${auth}/signup`, {
          method: "POST",
          headers: { authorization: `Bearer ${platform.anonKey}` },
          body: "{}",
        });
        assert.equal(response.status, 401);
        assert.equal((await response.json()).message, "No API key found in request");
        const [{ users }] = await platform
          .admin`select count(*)::int as users from auth.users where is_anonymous`;
        assert.equal(users, 1, "only the sign-in of the previous step created a user");
      },
    );

    await t.step("an apikey that is not one of the project's keys is refused", async () => {
      const response = await fetch(`${auth}/settings`, { headers: { apikey: "not-a-project-key" } });
      assert.equal(response.status, 401);
      assert.equal((await response.json()).message, "Invalid API key");
    });

    await t.step("the JWKS is public and publishes only the ES256 verification key", async () => {
      const response = await fetch(`${auth}/.well-known/jwks.json`);
      assert.equal(response.status, 200);
      const { keys } = await response.json();
      assert.equal(keys.length, 1);
      assert.equal(keys[0].kty, "EC");
      assert.equal(keys[0].crv, "P-256");
      assert.equal(keys[0].alg, "ES256");
      assert.ok(keys[0].kid);
      assert.equal(keys[0].d, undefined, "no private key material");
    });

    await t.step("health and settings answer as GoTrue does, settings from config.toml", async () => {
      const health = await fetch(`${auth}/health`, { headers: { apikey: platform.anonKey } });
      assert.equal((await health.json()).name, "GoTrue");
      const settings = await (await fetch(`${auth}/settings`, { headers: { apikey: platform.anonKey } }))
        .json();
      assert.equal(settings.external.anonymous_users, config.anonymousSignInsEnabled);
      assert.equal(settings.external.email, config.emailProviderEnabled);
      assert.equal(settings.disable_signup, !config.signupEnabled);
      assert.equal(settings.mailer_autoconfirm, config.emailAutoconfirm);
    });

    await t.step(
      "a body that is not JSON is bad_json; a sign-up without password is validation_failed",
      async () => {
        const notJson = await fetch(`${auth}/signup`, {
          method: "POST",
          headers: { apikey: platform.anonKey, "content-type": "application/json" },
          body: "{email:",
        });
        assert.equal(notJson.status, 400);
        assert.equal((await notJson.json()).error_code, "bad_json");
        const { error } = await anon.auth.signUp({ email: "no-password@example.com", password: "" });
        assert.equal(error?.code, "validation_failed");
        assert.equal(error?.status, 400);
      },
    );

    const email = `Admin.Made.${crypto.randomUUID().slice(0, 8)}@example.com`;
    let userId = "";

    await t.step("the service role creates a confirmed user who can then sign in", async () => {
      const { data, error } = await service.auth.admin.createUser({
        email,
        password: "made by an admin",
        email_confirm: true,
        user_metadata: { plan: "family" },
      });
      assert.equal(error, null);
      assert.ok(data.user);
      userId = data.user.id;
      assert.equal(data.user.email, email.toLowerCase());
      assert.ok(data.user.email_confirmed_at);
      assert.deepEqual(data.user.user_metadata, { plan: "family", email_verified: true });
      const signIn = await anon.auth.signInWithPassword({ email, password: "made by an admin" });
      assert.equal(signIn.error, null);
      assert.equal(signIn.data.user?.id, userId);
    });

    await t.step("creating a second user with the same email is refused with email_exists", async () => {
      const { error } = await service.auth.admin.createUser({ email, password: "another one" });
      assert.equal(error?.code, "email_exists");
      assert.equal(error?.status, 422);
    });

    await t.step("an unconfirmed admin-created user cannot sign in yet", async () => {
      const unconfirmed = `unconfirmed.${crypto.randomUUID().slice(0, 8)}@example.com`;
      assert.equal(
        (await service.auth.admin.createUser({ email: unconfirmed, password: "not yet" })).error,
        null,
      );
      const { error } = await anon.auth.signInWithPassword({ email: unconfirmed, password: "not yet" });
      assert.equal(error?.code, "email_not_confirmed");
    });

    await t.step("admin routes refuse the anon key", async () => {
      const { error } = await anon.auth.admin.getUserById(userId);
      assert.equal(error?.code, "not_admin");
      assert.equal(error?.status, 403);
    });

    await t.step(
      "the service role reads a user by id, and gets user_not_found for an unknown id",
      async () => {
        const found = await service.auth.admin.getUserById(userId);
        assert.equal(found.data.user?.email, email.toLowerCase());
        const missing = await service.auth.admin.getUserById(crypto.randomUUID());
        assert.equal(missing.error?.code, "user_not_found");
        assert.equal(missing.error?.status, 404);
      },
    );

    await t.step("deleting a user removes the row and its sessions", async () => {
      const { error } = await service.auth.admin.deleteUser(userId);
      assert.equal(error, null);
      const [row] = await platform.admin`
        select (select count(*)::int from auth.users where id = ${userId}) as users,
               (select count(*)::int from auth.sessions where user_id = ${userId}) as sessions`;
      assert.deepEqual({ ...row }, { users: 0, sessions: 0 });
      const again = await service.auth.admin.getUserById(userId);
      assert.equal(again.error?.code, "user_not_found");
    });
    await t.step(
      "triggers on auth.users run as supabase_auth_admin, so writes to public need security definer",
      async () => {
        await platform.admin.unsafe(`
        create table public.profiles (id uuid primary key references auth.users (id) on delete cascade);
        create function public.create_profile() returns trigger language plpgsql set search_path = '' as $$
        begin
          insert into public.profiles (id) values (new.id);
          return new;
        end
        $$;
        create trigger on_auth_user_created after insert on auth.users
          for each row execute function public.create_profile();`);
        const refused = await anon.auth.signUp({
          email: `trigger.${crypto.randomUUID()}@example.com`,
          password: "p4ssword",
        });
        assert.equal(refused.error?.status, 500);
        assert.equal(refused.error?.message, "Database error saving new user");

        await platform.admin.unsafe(`alter function public.create_profile() security definer`);
        const accepted = await anon.auth.signUp({
          email: `trigger.${crypto.randomUUID()}@example.com`,
          password: "p4ssword",
        });
        assert.equal(accepted.error, null);
        const [profile] = await platform.admin`select id from public.profiles where id = ${
          accepted.data.user!.id
        }`;
        assert.ok(profile, "the trigger created the profile");
      },
    );
  } finally {
    await platform.close();
  }
});
