/**
 * The whole journey a parent and the shop make, against a running platform, as `npm run demo` shows it:
 * anonymous sign-in → the sample photo uploaded → a preview, its progress heard on the private Realtime channel →
 * a correctly signed Shopify orders/paid (the local platform signs it) → the book-ready email in the outbox → its
 * link followed → the PDF saved.
 *
 * Everything goes through the public surface (supabase-js, the functions, the local platform's outbox route) except
 * the closing figures (images drawn, cost), which an operator reads from the database.
 */
import { join } from "node:path";
import { createClient, type RealtimeChannel, type SupabaseClient } from "@supabase/supabase-js";
import type postgres from "postgres";
import { downloadBook } from "../platform/server/dev/book_download.ts";
import { eventually } from "../platform/tests/support/test_platform.ts";
import { callCostUsd, type PriceTable } from "../supabase/functions/_shared/fal/fal_pricing.ts";

export interface DemoTarget {
  /** The platform's API URL, e.g. http://127.0.0.1:54321. */
  url: string;
  anonKey: string;
  /** Read-only figures for the summary (images drawn, provider cost). */
  admin: postgres.Sql;
}

export interface DemoOptions {
  photo: { bytes: Uint8Array<ArrayBuffer>; fileName: string; type: string };
  outDir: string;
  /** What the images would cost on fal at the configured price table (the functions' FAL_* settings). */
  pricing: FalPricing;
  /** Wall-clock limit of each waiting phase. */
  phaseTimeoutMs?: number;
  log?: (line: string) => void;
  /** Redraws one progress line in place (a terminal); without it each change is a line of its own. */
  progress?: ProgressSink;
}

export interface FalPricing {
  table: PriceTable;
  /** The generate model of the chosen art style, and the upscaler. */
  generateModel: string;
  upscaleModel: string;
  /** native: locked pages drawn at 4K; upscale: drawn at 1K, then upscaled like the others. */
  printResolution: "native" | "upscale";
  /** Whether the generate model offers 4K (nano-banana-2 does, flux-pulid does not). */
  generateModelOffersPrintResolution: boolean;
}

export interface ProgressSink {
  update(label: string, percent: number, detail: string): void;
  done(): void;
}

export interface DemoPhase {
  phase: string;
  ms: number;
  detail: string;
}

export interface DemoResult {
  previewId: string;
  orderId: string;
  pdfPath: string;
  pdfBytes: number;
  phases: DemoPhase[];
  images: { preview: number; book: number; provider: string };
  cost: { preview_usd: number; book_usd: number; basis: string };
}

/** A failed step, named, so the demo can say which one and exit non-zero. */
export class DemoError extends Error {
  override readonly name = "DemoError";
}

/** The child of the demo book, as a parent fills in the form. */
export const SAMPLE_CHILD: {
  child_name: string;
  child_age: number;
  pronouns: "he" | "she" | "they";
  theme: string;
  style: "photorealistic" | "cartoon_3d";
  dedication: string;
} = {
  child_name: "Ada",
  child_age: 6,
  pronouns: "she",
  theme: "cosmic_dreamer",
  style: "cartoon_3d",
  dedication: "For Ada, who wants to see the stars.",
};

/** 1K square drawings, the print size after a 4x upscale (4096 px), as the product requests them. */
const PREVIEW_SIZE = 1024;
const UPSCALED_SIZE = 4096;
const PRINT_RESOLUTION = "4K";
/** How often the status endpoint and the outbox are asked, as a frontend polls. */
const POLL_MS = 500;

export async function runDemoJourney(target: DemoTarget, options: DemoOptions): Promise<DemoResult> {
  const log = options.log ?? console.log;
  const timeoutMs = options.phaseTimeoutMs ?? 180_000;
  const phases: DemoPhase[] = [];
  const timed = async <T>(phase: string, work: () => Promise<[T, string]>): Promise<T> => {
    const started = performance.now();
    try {
      const [value, detail] = await work();
      phases.push({ phase, ms: Math.round(performance.now() - started), detail });
      return value;
    } catch (error) {
      throw error instanceof DemoError ? error : new DemoError(`${phase}: ${(error as Error).message}`);
    }
  };

  const supabase = createClient(target.url, target.anonKey, {
    auth: { persistSession: false, autoRefreshToken: false },
  });
  const accessToken = await timed("anonymous sign-in", async () => {
    const { data, error } = await supabase.auth.signInAnonymously();
    if (error || !data.session) throw new DemoError(`anonymous sign-in: ${error?.message ?? "no session"}`);
    return [data.session.access_token, `user ${data.session.user.id.slice(0, 8)}…`];
  });
  await supabase.realtime.setAuth(accessToken);

  const photoId = await timed("upload the sample photo", async () => {
    const form = new FormData();
    form.append(
      "file",
      new Blob([options.photo.bytes], { type: options.photo.type }),
      options.photo.fileName,
    );
    const data = await invoke(supabase, "upload-photo", { body: form });
    return [data.photo_id as string, `face ${Math.round(Number(data.face?.confidence) * 100)}% sure`];
  });

  const previewId = await timed("preview: cover + pages 1–5", async () => {
    const { preview_id: id } = await invoke(supabase, "previews", {
      body: { photo_id: photoId, ...SAMPLE_CHILD },
    });
    log(`preview ${id}: ${SAMPLE_CHILD.child_name}, ${SAMPLE_CHILD.theme}, ${SAMPLE_CHILD.style}`);
    // Polling the status endpoint as well, as a frontend does, so a broadcast missed before the channel was
    // joined cannot leave the demo waiting.
    const polled = eventually(() => finishedPreview(supabase, id), "the preview", timeoutMs, POLL_MS);
    await followJob(supabase, `story:${id}`, "preview", options.progress, timeoutMs, polled);
    await polled;
    const preview = await invoke(supabase, `previews/${id}`, { method: "GET" });
    const shown = (preview.pages as { image_url?: string | null }[]).filter((page) => page.image_url).length +
      (preview.cover?.image_url ? 1 : 0);
    return [id as string, `"${preview.title}": ${shown} watermarked pictures, pages 6–10 locked`];
  });

  const { orderId, email } = await timed("purchase → book → email", async () => {
    // The local platform signs an orders/paid with its Shopify secret and delivers it to shopify-webhooks,
    // as Shopify does after checkout.
    const bought = await fetch(`${target.url}/dev/v1/simulate-purchase`, {
      method: "POST",
      headers: { authorization: `Bearer ${accessToken}`, "content-type": "application/json" },
      body: JSON.stringify({ preview_id: previewId, email: "parent@example.com" }),
    });
    const outcome = await bought.json().catch(() => ({}));
    if (!bought.ok) {
      throw new DemoError(
        `POST /dev/v1/simulate-purchase answered ${bought.status} ${JSON.stringify(outcome)}`,
      );
    }
    const id: string = outcome.order_id;
    log(`Shopify order ${id}: ${outcome.outcome ?? "accepted"}`);
    const emailed = eventually(
      () => outboxEmail(target.url, accessToken, id),
      "the email",
      timeoutMs,
      POLL_MS,
    );
    // The bar follows the book's pages; the email, which comes after the PDF is assembled, ends the phase.
    await followJob(supabase, `story:${previewId}`, "book", options.progress, timeoutMs, emailed);
    const found = await emailed;
    return [{ orderId: id, email: found }, `order ${id}; "${found.subject}" to ${found.to}`];
  });

  const pdf = await timed("follow the link, save the PDF", async () => {
    const bytes = await downloadBook(email.downloadUrl);
    await Deno.mkdir(options.outDir, { recursive: true });
    const path = join(options.outDir, `talecraft-${previewId.slice(0, 8)}.pdf`);
    await Deno.writeFile(path, bytes);
    return [{ path, bytes: bytes.byteLength }, `${path} (${(bytes.byteLength / 1e6).toFixed(1)} MB)`];
  });

  const drawn = await drawnImages(target.admin, previewId);
  return {
    previewId,
    orderId,
    pdfPath: pdf.path,
    pdfBytes: pdf.bytes,
    phases,
    images: {
      preview: drawn.previewDrawn,
      book: drawn.bookDrawn + drawn.bookUpscaled,
      provider: drawn.provider,
    },
    cost: providerCost(drawn, options.pricing),
  };
}

/** A functions call that throws with the API's own error code and message. */
async function invoke(
  supabase: SupabaseClient,
  name: string,
  options: { body?: unknown; method?: "GET" | "POST" },
  // deno-lint-ignore no-explicit-any
): Promise<any> {
  const { data, error, response } = await supabase.functions.invoke(name, options as never);
  if (!error) return data;
  const body = await response?.clone().json().catch(() => undefined);
  const detail = body?.error ? `${body.error.code}: ${body.error.message}` : error.message;
  throw new DemoError(
    `${options.method ?? "POST"} ${name} answered ${response?.status ?? "nothing"} (${detail})`,
  );
}

/**
 * Listens on the story's private channel: each page finished moves the bar (the payload carries the job's own
 * progress, as the status endpoint reports it), and the job's completion ends it. The channel is joined after the
 * request that starts the job, so `until` (something that only happens after the job) can end it too.
 */
async function followJob(
  supabase: SupabaseClient,
  topic: string,
  label: string,
  progress: ProgressSink | undefined,
  timeoutMs: number,
  until?: Promise<unknown>,
): Promise<void> {
  const finished = Promise.withResolvers<void>();
  let percent = 0;
  let pagesDone = 0;
  const show = (detail: string) => progress?.update(label, percent, detail);
  const channel: RealtimeChannel = supabase.channel(topic, { config: { private: true } })
    .on("broadcast", { event: "page_status" }, ({ payload }) => {
      if (payload.status !== "done") return;
      pagesDone++;
      percent = Math.max(percent, Number(payload.progress) || 0);
      show(`${payload.page === 0 ? "cover" : `page ${payload.page}`} done (${pagesDone} so far)`);
    })
    .on("broadcast", { event: "job_status" }, ({ payload }) => {
      if (payload.status === "failed") {
        finished.reject(new DemoError(`the ${label} failed: ${payload.error}`));
      }
      if (payload.status === "completed") finished.resolve();
    });
  until?.then(() => finished.resolve(), (error) => finished.reject(error));
  const subscribed = Promise.withResolvers<void>();
  channel.subscribe((status, error) => {
    if (status === "SUBSCRIBED") subscribed.resolve();
    if (status === "CHANNEL_ERROR" || status === "TIMED_OUT") {
      subscribed.reject(new DemoError(`joining ${topic}: ${error?.message ?? status}`));
    }
  });
  const timer = setTimeout(
    () => finished.reject(new DemoError(`the ${label} did not finish within ${timeoutMs / 1000} s`)),
    timeoutMs,
  );
  try {
    await subscribed.promise;
    show("queued");
    await finished.promise;
    percent = 100;
    show("complete");
  } finally {
    clearTimeout(timer);
    progress?.done();
    await supabase.removeChannel(channel);
  }
}

async function finishedPreview(supabase: SupabaseClient, previewId: string): Promise<true | undefined> {
  const status = await invoke(supabase, `previews/${previewId}/status`, { method: "GET" });
  if (status.status === "failed") {
    throw new DemoError(`the preview failed: ${status.error ?? "no reason given"}`);
  }
  return status.status === "completed" ? true : undefined;
}

interface OutboxEmail {
  to: string;
  subject: string;
  downloadUrl: string;
}

/** The order's book-ready email, read from the local platform's outbox route (the outbox stand-in's view). */
async function outboxEmail(
  url: string,
  accessToken: string,
  orderId: string,
): Promise<OutboxEmail | undefined> {
  const response = await fetch(`${url}/dev/v1/outbox`, {
    headers: { authorization: `Bearer ${accessToken}` },
  });
  if (!response.ok) throw new DemoError(`GET /dev/v1/outbox answered ${response.status}`);
  const { emails } = await response.json() as {
    emails: { order_id: string; to: string | null; subject: string | null; download_url: string | null }[];
  };
  const email = emails.find((candidate) => candidate.order_id === orderId && candidate.download_url);
  return email
    ? { to: email.to ?? "", subject: email.subject ?? "", downloadUrl: email.download_url! }
    : undefined;
}

/** The provider calls that drew the story's pictures, by job and stage (internal.provider_calls, completed only). */
interface DrawnImages {
  previewDrawn: number;
  bookDrawn: number;
  bookUpscaled: number;
  provider: string;
  /** What fal charged, when fal drew them; null for the in-house illustrator. */
  falCharged: { preview: number; book: number } | null;
}

async function drawnImages(admin: postgres.Sql, storyId: string): Promise<DrawnImages> {
  const [row] = await admin<
    {
      preview_drawn: number;
      book_drawn: number;
      book_upscaled: number;
      provider: string | null;
      fal_preview: number | null;
      fal_book: number | null;
    }[]
  >`
    select count(*) filter (where job_kind = 'preview' and stage = 'generate')::int as preview_drawn,
           count(*) filter (where job_kind = 'print' and stage = 'generate')::int as book_drawn,
           count(*) filter (where job_kind = 'print' and stage = 'upscale')::int as book_upscaled,
           max(provider) as provider,
           (sum(cost_usd) filter (where provider = 'fal' and job_kind = 'preview'))::float8 as fal_preview,
           (sum(cost_usd) filter (where provider = 'fal' and job_kind = 'print'))::float8 as fal_book
      from internal.provider_calls
     where story_id = ${storyId} and status = 'completed'`;
  return {
    previewDrawn: row.preview_drawn,
    bookDrawn: row.book_drawn,
    bookUpscaled: row.book_upscaled,
    provider: row.provider ?? "none",
    falCharged: row.fal_preview === null && row.fal_book === null
      ? null
      : { preview: row.fal_preview ?? 0, book: row.fal_book ?? 0 },
  };
}

/**
 * What fal charged when fal drew the book; otherwise what fal would have charged for the same calls at the
 * configured price table: a 1K picture per preview page; per new book page a 4K picture (when the model offers it
 * and FAL_PRINT_RESOLUTION is native) or a 1K one and an upscale; an upscale per preview page brought to print.
 */
function providerCost(drawn: DrawnImages, pricing: FalPricing): DemoResult["cost"] {
  if (drawn.falCharged) {
    return {
      preview_usd: drawn.falCharged.preview,
      book_usd: drawn.falCharged.book,
      basis: "charged by fal",
    };
  }
  const drawAt = (resolution: string) =>
    callCostUsd(pricing.table, pricing.generateModel, {
      resolution,
      width: resolution === "1K" ? PREVIEW_SIZE : UPSCALED_SIZE,
      height: resolution === "1K" ? PREVIEW_SIZE : UPSCALED_SIZE,
    });
  const upscale = callCostUsd(pricing.table, pricing.upscaleModel, {
    width: UPSCALED_SIZE,
    height: UPSCALED_SIZE,
  });
  const nativePrint = pricing.printResolution === "native" && pricing.generateModelOffersPrintResolution;
  const newBookPage = nativePrint ? drawAt(PRINT_RESOLUTION) : drawAt("1K") + upscale;
  return {
    preview_usd: round(drawn.previewDrawn * drawAt("1K")),
    book_usd: round(drawn.bookDrawn * newBookPage + drawn.bookUpscaled * upscale),
    basis: `drawn by ${drawn.provider} (no charge); fal would charge this at the configured prices ` +
      `(${pricing.generateModel}, ${pricing.upscaleModel})`,
  };
}

function round(usd: number): number {
  return Math.round(usd * 1e4) / 1e4;
}
