import assert from "node:assert/strict";
import { EnvError, readEnv } from "./env.ts";

const SUPABASE = {
  SUPABASE_URL: "http://127.0.0.1:54321",
  SUPABASE_ANON_KEY: "anon",
  SUPABASE_SERVICE_ROLE_KEY: "service",
  SUPABASE_DB_URL: "postgresql://postgres:postgres@127.0.0.1:54322/postgres",
};
const FAL = { ...SUPABASE, IMAGE_PROVIDER: "fal", FAL_KEY: "key-id:key-secret" };

function envError(run: () => unknown): EnvError {
  try {
    run();
  } catch (error) {
    assert.ok(error instanceof EnvError, `expected an EnvError, got ${error}`);
    return error;
  }
  assert.fail("expected an EnvError");
}

Deno.test("IMAGE_PROVIDER=fal without FAL_KEY is refused, naming FAL_KEY and why it is needed", () => {
  const { FAL_KEY: _, ...withoutKey } = FAL;
  const error = envError(() => readEnv(withoutKey));
  assert.equal(
    error.message,
    "Missing environment variable FAL_KEY (is required when IMAGE_PROVIDER is fal)",
  );
});

Deno.test("an empty FAL_KEY counts as missing", () => {
  assert.match(
    envError(() => readEnv({ ...FAL, FAL_KEY: "" })).message,
    /Missing environment variable FAL_KEY/,
  );
});

Deno.test("FAL_KEY is not needed while the illustrator draws the pages", () => {
  assert.equal(readEnv(SUPABASE).FAL_KEY, undefined);
  assert.equal(readEnv({ ...SUPABASE, FAL_KEY: "key-id:key-secret" }).IMAGE_PROVIDER, "illustrator");
});

Deno.test("IMAGE_PROVIDER=fal with FAL_KEY fills the fal variables with their documented defaults", () => {
  const env = readEnv(FAL);
  assert.equal(env.IMAGE_PROVIDER, "fal");
  assert.equal(env.FAL_KEY, "key-id:key-secret");
  assert.equal(env.FAL_WEBHOOK_URL, undefined);
  assert.equal(env.FAL_WEBHOOK_JWKS_URL, "https://rest.fal.ai/.well-known/jwks.json");
  assert.equal(env.FAL_PROXY_URL, undefined);
  assert.equal(env.FAL_MODEL_PHOTOREALISTIC, "fal-ai/nano-banana-2/edit");
  assert.equal(env.FAL_MODEL_CARTOON_3D, "fal-ai/nano-banana-2/edit");
  assert.equal(env.FAL_UPSCALE_MODEL, "fal-ai/seedvr/upscale/image");
  assert.equal(env.FAL_PRINT_RESOLUTION, "native");
  assert.equal(env.FAL_OUTPUT_LIFETIME, "1d");
  assert.equal(env.FAL_PRICES, undefined);
  assert.equal(env.IMAGE_PROVIDER_TIMEOUT_MS, 90_000);
  assert.equal(env.REFERENCE_URL_TTL_SECONDS, 3600);
});

Deno.test("the empty values of .env.example leave the fal defaults in place", () => {
  const env = readEnv({ ...FAL, FAL_WEBHOOK_URL: "", FAL_PROXY_URL: "", FAL_PRICES: "" });
  assert.equal(env.FAL_WEBHOOK_URL, undefined);
  assert.equal(env.FAL_PROXY_URL, undefined);
  assert.equal(env.FAL_PRICES, undefined);
});

Deno.test("the fal variables are read as given", () => {
  const env = readEnv({
    ...FAL,
    FAL_WEBHOOK_URL: "https://hooks.example.com/fal-webhook",
    FAL_MODEL_CARTOON_3D: "fal-ai/flux-pulid",
    FAL_UPSCALE_MODEL: "fal-ai/aura-sr",
    FAL_PRINT_RESOLUTION: "upscale",
    FAL_OUTPUT_LIFETIME: "1h",
    FAL_PRICES: '{"fal-ai/aura-sr": {"per_megapixel_usd": 0.004}}',
  });
  assert.equal(env.FAL_WEBHOOK_URL, "https://hooks.example.com/fal-webhook");
  assert.equal(env.FAL_MODEL_CARTOON_3D, "fal-ai/flux-pulid");
  assert.equal(env.FAL_UPSCALE_MODEL, "fal-ai/aura-sr");
  assert.equal(env.FAL_PRINT_RESOLUTION, "upscale");
  assert.equal(env.FAL_OUTPUT_LIFETIME, "1h");
  assert.equal(env.FAL_PRICES, '{"fal-ai/aura-sr": {"per_megapixel_usd": 0.004}}');
});

Deno.test("FAL_PRICES that is not JSON is refused, naming FAL_PRICES", () => {
  const error = envError(() => readEnv({ ...FAL, FAL_PRICES: "{aura-sr: 0.004}" }));
  assert.match(error.message, /^Invalid environment variable FAL_PRICES: /);
  assert.match(error.message, /not valid JSON/);
});

Deno.test("FAL_PRICES that is JSON but not a price table is refused, naming FAL_PRICES", () => {
  for (
    const prices of [
      "[]",
      '{"fal-ai/aura-sr": {"per_megapixel_usd": -1}}',
      '{"fal-ai/aura-sr": {"per_megapixel_usd": 0.004, "per_image_usd": 0.1}}',
      '{"fal-ai/flux-pulid": {"per_megapixel_usd": 0.03, "resolution_multipliers": {"4K": 2}}}',
    ]
  ) {
    assert.match(envError(() => readEnv({ ...FAL, FAL_PRICES: prices })).message, /FAL_PRICES/, prices);
  }
});

Deno.test("a fal model nobody offers is refused, naming its variable", () => {
  for (
    const [name, value] of [
      ["FAL_UPSCALE_MODEL", "fal-ai/real-esrgan"],
      ["FAL_MODEL_PHOTOREALISTIC", "fal-ai/flux/dev"],
      ["FAL_MODEL_CARTOON_3D", "fal-ai/aura-sr"],
    ]
  ) {
    const error = envError(() => readEnv({ ...FAL, [name]: value }));
    assert.match(error.message, new RegExp(`^Invalid environment variable ${name}: `), value);
  }
});

Deno.test("FAL_PRINT_RESOLUTION, FAL_OUTPUT_LIFETIME and the fal URLs are checked", () => {
  for (
    const [name, value] of [
      ["FAL_PRINT_RESOLUTION", "8K"],
      ["FAL_OUTPUT_LIFETIME", "7d"],
      ["FAL_WEBHOOK_URL", "not a url"],
      ["FAL_WEBHOOK_JWKS_URL", "rest.fal.ai/jwks"],
      ["FAL_PROXY_URL", "proxy"],
    ]
  ) {
    assert.match(envError(() => readEnv({ ...FAL, [name]: value })).message, new RegExp(name), value);
  }
});
