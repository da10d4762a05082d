/**
 * The functions' configuration: Supabase's own variables plus ours from `supabase/functions/.env` (documented in
 * `.env.example`). Parsed once, in each function's index.ts, so a missing or malformed variable stops the function
 * at boot with its name rather than failing a request later.
 */
import { z } from "zod";
import { PRINT_PROFILE_IDS } from "./book/print_profiles.ts";
import { GENERATE_MODEL_IDS, UPSCALE_MODEL_IDS } from "./fal/fal_models.ts";
import { parsePriceTable } from "./fal/fal_pricing.ts";

const positiveInteger = z.coerce.number().int().positive();

const envSchema = z.object({
  SUPABASE_URL: z.url(),
  SUPABASE_ANON_KEY: z.string().min(1),
  SUPABASE_SERVICE_ROLE_KEY: z.string().min(1),
  SUPABASE_DB_URL: z.string().regex(/^postgres(ql)?:\/\//, "must be a postgres:// connection URL"),

  /** The price of a printed book as shown with a preview, e.g. "34.99". */
  BOOK_PRICE: z.string().regex(/^\d+(\.\d{1,2})?$/, "must be a decimal amount such as 34.99").default(
    "34.99",
  ),
  /** ISO 4217 currency of BOOK_PRICE. */
  BOOK_CURRENCY: z.string().regex(/^[A-Z]{3}$/, "must be an ISO 4217 code such as USD").default("USD"),
  /** Where the parent buys the book; `{preview_id}` is replaced with the preview's id (it becomes a line-item property). */
  SHOPIFY_CHECKOUT_URL: z.string()
    .refine((value) => URL.canParse(value.replaceAll("{preview_id}", "x")), "must be a URL")
    .default("http://localhost:3000/checkout?preview_id={preview_id}"),

  /** Lifetime of the signed preview image URLs handed to the parent (at most 10 minutes). */
  PREVIEW_URL_TTL_SECONDS: positiveInteger.max(600).default(600),
  /** Lifetime of the signed photo and anchor URLs handed to the image provider (at most 1 hour). */
  REFERENCE_URL_TTL_SECONDS: positiveInteger.max(3600).default(3600),
  /** What one image takes the provider, for the time estimates a parent sees. */
  PAGE_SECONDS_ESTIMATE: positiveInteger.default(20),

  /** Which image provider draws the pages: the in-house illustrator, or fal.ai's queue. */
  IMAGE_PROVIDER: z.enum(["illustrator", "fal"]).default("illustrator"),
  /** A provider call is abandoned after this long and the page retried later; below the worker's lease (120 s). */
  IMAGE_PROVIDER_TIMEOUT_MS: positiveInteger.default(90_000),
  /** Adds this much latency to every provider call (tests and benchmarks). */
  IMAGE_PROVIDER_LATENCY_MS: z.coerce.number().int().nonnegative().optional(),

  /** The print profile books are assembled for: square-10in (10 x 10 in) or lulu-8.5in-saddle-stitch. */
  PRINT_PROFILE: z.enum(PRINT_PROFILE_IDS).default("square-10in"),
  /** Who sends the book-ready email: the outbox stand-in (offline default: kept in internal.email_outbox) or Resend. */
  EMAIL_SENDER: z.enum(["outbox", "resend"]).default("outbox"),
  /** Resend's API key; required when EMAIL_SENDER is resend. */
  RESEND_API_KEY: z.string().min(1).optional(),
  /** Resend's API base URL (default https://api.resend.com). */
  RESEND_BASE_URL: z.url().optional(),
  /** The sender of our emails, a verified Resend domain. */
  EMAIL_FROM: z.string().min(3).default("Talecraft <books@talecraft.example>"),
  /** Where emailed download links point; default: this project's downloads function. */
  DOWNLOADS_URL: z.url().optional(),
  /** Signs the emailed download links; default: a key derived from the service role key. */
  DOWNLOAD_TOKEN_SECRET: z.string().min(32).optional(),

  /** The Shopify app's client secret, which signs its webhooks; without it shopify-webhooks answers 503. */
  SHOPIFY_WEBHOOK_SECRET: z.string().min(1).optional(),
  /** The secret before the last rotation: Shopify keeps signing with it for up to an hour. */
  SHOPIFY_WEBHOOK_SECRET_PREVIOUS: z.string().min(1).optional(),

  /** fal.ai's API key (`key_id:key_secret`); required when IMAGE_PROVIDER is fal. */
  FAL_KEY: z.string().min(1).optional(),
  /** Where fal delivers results; default: this project's fal-webhook function. */
  FAL_WEBHOOK_URL: z.url().optional(),
  /** The JWKS with fal's webhook signing keys. */
  FAL_WEBHOOK_JWKS_URL: z.url().default("https://rest.fal.ai/.well-known/jwks.json"),
  /** Sends every fal request through this proxy (the client's `proxyUrl`), e.g. an egress proxy. */
  FAL_PROXY_URL: z.url().optional(),
  /** The model per art style. */
  FAL_MODEL_PHOTOREALISTIC: z.enum(GENERATE_MODEL_IDS).default("fal-ai/nano-banana-2/edit"),
  FAL_MODEL_CARTOON_3D: z.enum(GENERATE_MODEL_IDS).default("fal-ai/nano-banana-2/edit"),
  /** fal-ai/flux-pulid's id_weight: how strongly the child's face is kept (1.0–1.2 recommended). */
  FAL_PULID_ID_WEIGHT: z.coerce.number().positive().max(3).default(1),
  /** Pins webhooks to our fal account (X-Fal-Webhook-User-Id); unset: any account fal signed for. */
  FAL_WEBHOOK_USER_ID: z.string().min(1).optional(),
  /** The upscaler that brings drawn pages to print resolution. */
  FAL_UPSCALE_MODEL: z.enum(UPSCALE_MODEL_IDS).default("fal-ai/seedvr/upscale/image"),
  /** native: new print pages at 4K where the model offers it; upscale: always 1K, then the upscaler. */
  FAL_PRINT_RESOLUTION: z.enum(["native", "upscale"]).default("native"),
  /** How long fal keeps our outputs (we copy them at once). */
  FAL_OUTPUT_LIFETIME: z.enum(["1h", "1d"]).default("1d"),
  /** Prices per model, each replacing its built-in entry, e.g. {"fal-ai/aura-sr": {"per_megapixel_usd": 0.004}}. */
  FAL_PRICES: z.string().optional().superRefine((value, context) => {
    try {
      parsePriceTable(value);
    } catch (error) {
      context.addIssue({ code: "custom", message: (error as Error).message });
    }
  }),
}).superRefine((env, context) => {
  if (env.IMAGE_PROVIDER === "fal" && env.FAL_KEY === undefined) {
    context.addIssue({
      code: "custom",
      path: ["FAL_KEY"],
      message: "is required when IMAGE_PROVIDER is fal",
    });
  }
  if (env.EMAIL_SENDER === "resend" && env.RESEND_API_KEY === undefined) {
    context.addIssue({
      code: "custom",
      path: ["RESEND_API_KEY"],
      message: "is required when EMAIL_SENDER is resend",
    });
  }
});

export type Env = z.infer<typeof envSchema>;

/** A variable that is missing or malformed; the message names it. */
export class EnvError extends Error {
  override readonly name = "EnvError";
}

/** Parses the environment (e.g. `Deno.env.toObject()`); throws EnvError naming the first bad variable. */
export function readEnv(env: Record<string, string | undefined>): Env {
  // An empty value in .env means "unset", so the default applies instead of a parse error.
  const present = Object.fromEntries(Object.entries(env).filter(([, value]) => value !== ""));
  const parsed = envSchema.safeParse(present);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const name = String(issue.path[0]);
  throw new EnvError(
    present[name] === undefined
      // A rule across variables (FAL_KEY with IMAGE_PROVIDER=fal) says why the missing one is needed.
      ? `Missing environment variable ${name}${issue.code === "custom" ? ` (${issue.message})` : ""}`
      : `Invalid environment variable ${name}: ${issue.message}`,
  );
}
