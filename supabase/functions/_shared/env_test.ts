import assert from "node:assert/strict";
import { EnvError, readEnv } from "./env.ts";

const SUPABASE = {
  SUPABASE_URL: "http://127.0.0.1:54321",
  SUPABASE_ANON_KEY: "anon",
  SUPABASE_SERVICE_ROLE_KEY: "service",
  SUPABASE_DB_URL: "postgresql://postgres:postgres@127.0.0.1:54322/postgres",
};

Deno.test("readEnv() fills our variables with their documented defaults", () => {
  const env = readEnv(SUPABASE);
  assert.equal(env.BOOK_PRICE, "34.99");
  assert.equal(env.BOOK_CURRENCY, "USD");
  assert.equal(env.PREVIEW_URL_TTL_SECONDS, 600);
  assert.equal(env.IMAGE_PROVIDER, "illustrator");
  assert.equal(env.IMAGE_PROVIDER_LATENCY_MS, undefined);
});

Deno.test("readEnv() reads numbers from strings and treats empty values as unset", () => {
  const env = readEnv({ ...SUPABASE, IMAGE_PROVIDER_LATENCY_MS: "250", PAGE_SECONDS_ESTIMATE: "" });
  assert.equal(env.IMAGE_PROVIDER_LATENCY_MS, 250);
  assert.equal(env.PAGE_SECONDS_ESTIMATE, 20);
});

Deno.test("readEnv() names a missing variable", () => {
  const { SUPABASE_DB_URL: _, ...withoutDatabase } = SUPABASE;
  assert.throws(() => readEnv(withoutDatabase), new EnvError("Missing environment variable SUPABASE_DB_URL"));
});

Deno.test("readEnv() names a malformed variable and says what it must be", () => {
  assert.throws(() => readEnv({ ...SUPABASE, PREVIEW_URL_TTL_SECONDS: "3600" }), /PREVIEW_URL_TTL_SECONDS/);
  assert.throws(
    () => readEnv({ ...SUPABASE, BOOK_PRICE: "cheap" }),
    /Invalid environment variable BOOK_PRICE/,
  );
  assert.throws(() => readEnv({ ...SUPABASE, IMAGE_PROVIDER: "dall-e" }), /IMAGE_PROVIDER/);
});
