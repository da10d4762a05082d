/**
 * The functions' configuration: Supabase's own variables plus ours from `supabase/functions/.env` (documented in
 * `.env.example`). Parsed once, in each function's index.ts, so a missing or malformed variable stops the function
 * at boot with its name rather than failing a request later.
 */
import { z } from "zod";

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

  /** Which image provider draws the pages. */
  IMAGE_PROVIDER: z.enum(["illustrator"]).default("illustrator"),
  /** A provider call is abandoned after this long and the page retried later; below the worker's lease (120 s). */
  IMAGE_PROVIDER_TIMEOUT_MS: positiveInteger.default(90_000),
  /** Adds this much latency to every provider call (tests and benchmarks). */
  IMAGE_PROVIDER_LATENCY_MS: z.coerce.number().int().nonnegative().optional(),
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
      ? `Missing environment variable ${name}`
      : `Invalid environment variable ${name}: ${issue.message}`,
  );
}
