/**
 * The previews API (BRIEF §3): create a preview, read it, poll its progress, retry its failed pages.
 *
 *   POST /previews                  202 {preview_id, job_id, status: "queued", estimated_time_seconds}
 *   GET  /previews/{id}             the preview: cover and pages 1–5 with signed watermarked images, 6–10 locked
 *   GET  /previews/{id}/status      {job_id, status, progress, current_step, pages_completed, total_pages, ...}
 *   POST /previews/{id}/retry       202 {preview_id, requeued}; 409 nothing_to_retry
 *
 * Another user's preview is 404, never 403: whether it exists is not theirs to know.
 */
import { z } from "zod";
import { unprintableCharacters } from "../_shared/book/printable_characters.ts";
import type { Authenticator, UserClaims } from "../_shared/auth.ts";
import type { Clock } from "../_shared/clock.ts";
import { ApiError, json, readJson, serveJson } from "../_shared/http.ts";
import type { ObjectStore } from "../_shared/storage.ts";
import type { StoryContentSource } from "../_shared/story_content/story_content.ts";
import type { PageRow, PreviewProgress, PreviewRecord, PreviewStore } from "./preview_store.ts";

export interface PreviewsConfig {
  /** The book's price in BOOK_CURRENCY, e.g. 34.99. */
  bookPrice: number;
  bookCurrency: string;
  /** Checkout URL; `{preview_id}` is replaced with the preview id. */
  checkoutUrlTemplate: string;
  previewUrlTtlSeconds: number;
  /** What one image takes the provider; a preview takes two (the cover, then the pages in parallel). */
  pageSecondsEstimate: number;
}

export interface PreviewsDeps {
  authenticate: Authenticator;
  previews: PreviewStore;
  objects: Pick<ObjectStore, "signedUrls">;
  storyContent: StoryContentSource;
  clock: Clock;
  config: PreviewsConfig;
}

const PREVIEWS_BUCKET = "previews";

/** A zod error message that tells "missing" from "wrong". */
function rule(message: string) {
  return (issue: { input: unknown }) => issue.input === undefined ? "is required" : message;
}

const NAME_MESSAGE = "must be 1–40 characters: letters, spaces, apostrophes, hyphens and periods";

/**
 * The printed book sets the name and the dedication in its typeface (Latin, Vietnamese, Cyrillic): a character it
 * cannot print is refused now, not after the book is paid for.
 */
function printableInTheBook(text: string, context: z.RefinementCtx) {
  const missing = unprintableCharacters(text);
  if (missing.length > 0) {
    context.addIssue({
      code: "custom",
      message: `cannot be printed in the book: ${missing.map((character) => `"${character}"`).join(", ")}`,
    });
  }
}

export const createPreviewSchema = z.strictObject({
  photo_id: z.guid({ error: rule("must be a photo id (a UUID)") }),
  child_name: z.string({ error: rule(NAME_MESSAGE) })
    .trim()
    .normalize("NFC")
    .refine((name) => {
      const length = [...name].length;
      return length >= 1 && length <= 40;
    }, NAME_MESSAGE)
    // Letters and combining marks of any script; it must start with a letter.
    .regex(/^[\p{L}\p{M}][\p{L}\p{M} '’.-]*$/u, NAME_MESSAGE)
    .superRefine(printableInTheBook),
  child_age: z.number({ error: rule("must be a whole number from 2 to 12") })
    .int("must be a whole number from 2 to 12")
    .min(2, "must be a whole number from 2 to 12")
    .max(12, "must be a whole number from 2 to 12"),
  pronouns: z.enum(["he", "she", "they"], { error: rule('must be "he", "she" or "they"') }),
  theme: z.string({ error: rule("must be a theme id") }).trim().min(1, "must be a theme id").max(
    64,
    "is not a theme id",
  ),
  style: z.enum(["photorealistic", "cartoon_3d"], {
    error: rule('must be "photorealistic" or "cartoon_3d"'),
  }),
  dedication: z.string({ error: "must be text" })
    .trim()
    .refine((text) => [...text].length <= 200, "must be at most 200 characters")
    .superRefine(printableInTheBook)
    .nullish()
    .transform((text) => text ? text : null),
}, {
  // A misspelt optional field (`dedicaton`) would otherwise vanish silently and print a book without it.
  error: (issue) =>
    issue.code === "unrecognized_keys"
      ? `has unknown fields: ${issue.keys.join(", ")}`
      : "must be a JSON object",
});

const previewIdSchema = z.guid();

function notFound(): ApiError {
  return new ApiError(404, "preview_not_found", "No preview with this id was found.");
}

function progressPercent(completed: number, total: number): number {
  return Math.round((100 * completed) / total);
}

function pageView(page: PageRow, imageUrls: Map<string, string>) {
  const visible = !page.is_locked && page.preview_path !== null;
  return {
    page_number: page.page_number,
    text: page.body_text,
    status: page.status,
    locked: page.is_locked,
    image_url: visible ? imageUrls.get(page.preview_path!) ?? null : null,
    // "talecraft-illustrator" is the in-house renderer, not an AI model: the parent is told which drew the page.
    illustrated_by: visible ? page.illustrated_by : null,
  };
}

export function createPreviewsHandler(deps: PreviewsDeps): (request: Request) => Promise<Response> {
  const { config } = deps;

  async function createPreview(claims: UserClaims, request: Request): Promise<Response> {
    if (!/^application\/json\s*(;|$)/i.test(request.headers.get("content-type") ?? "")) {
      throw new ApiError(
        415,
        "unsupported_media_type",
        "Send the preview as JSON (Content-Type: application/json).",
      );
    }
    const input = createPreviewSchema.parse(await readJson(request));
    const child = {
      name: input.child_name,
      age: input.child_age,
      pronouns: input.pronouns,
      dedication: input.dedication,
    };
    const content = deps.storyContent(input.theme, child);
    if (!content) throw new ApiError(404, "theme_not_found", "The theme was not found.");
    const { previewId, jobId } = await deps.previews.create({
      userId: claims.sub,
      photoId: input.photo_id,
      themeId: input.theme,
      style: input.style,
      childName: input.child_name,
      childAge: input.child_age,
      pronouns: input.pronouns,
      dedication: input.dedication,
      title: content.title,
      pages: content.pages.map(({ page_number, body_text }) => ({ page_number, body_text })),
    });
    return json({
      preview_id: previewId,
      job_id: jobId,
      status: "queued",
      estimated_time_seconds: 2 * config.pageSecondsEstimate,
    }, 202);
  }

  async function readPreview(claims: UserClaims, previewId: string): Promise<Response> {
    const record = await deps.previews.find(claims, previewId);
    if (!record) throw notFound();
    return json(await previewView(record));
  }

  async function previewView({ story, pages }: PreviewRecord) {
    const expired = story.status === "expired";
    const paths = expired ? [] : pages
      .filter((page) => !page.is_locked && page.preview_path !== null)
      .map((page) => page.preview_path!);
    const imageUrls = await deps.objects.signedUrls(PREVIEWS_BUCKET, paths, config.previewUrlTtlSeconds);
    const urlsExpireAt = new Date(deps.clock.now().getTime() + config.previewUrlTtlSeconds * 1000);
    const views = pages.map((page) => pageView(page, imageUrls));
    const purchasable = !expired && story.purchased_at === null;
    return {
      preview_id: story.id,
      title: story.title,
      theme: story.theme_id,
      style: story.style,
      status: story.status,
      dedication: story.dedication,
      cover: views.find((page) => page.page_number === 0) ?? null,
      pages: views.filter((page) => page.page_number > 0),
      image_urls_expire_at: urlsExpireAt.toISOString(),
      expires_at: story.expires_at.toISOString(),
      purchased_at: story.purchased_at?.toISOString() ?? null,
      purchase: purchasable
        ? {
          price: config.bookPrice,
          currency: config.bookCurrency,
          checkout_url: config.checkoutUrlTemplate.replaceAll("{preview_id}", encodeURIComponent(story.id)),
        }
        : null,
    };
  }

  function estimatedRemainingSeconds({ job, pages }: PreviewProgress): number {
    if (job.status === "completed" || job.status === "failed") return 0;
    const estimate = config.pageSecondsEstimate;
    const coverDone = pages.some((page) => page.page_number === 0 && page.status === "done");
    // The cover is drawn alone, then the pages all at once: one or two image latencies remain.
    const rounds = coverDone || !pages.some((page) => page.page_number === 0) ? 1 : 2;
    const startedTimes = pages
      .filter((page) => page.status === "generating" && page.started_at !== null)
      .map((page) => page.started_at!.getTime());
    const elapsedInRound = startedTimes.length > 0
      ? (deps.clock.now().getTime() - Math.min(...startedTimes)) / 1000
      : 0;
    return Math.max(1, Math.round(rounds * estimate - Math.max(0, elapsedInRound)));
  }

  async function readStatus(claims: UserClaims, previewId: string): Promise<Response> {
    const progress = await deps.previews.progress(claims, previewId);
    if (!progress) throw notFound();
    const { job } = progress;
    return json({
      job_id: job.id,
      status: job.status,
      progress: progressPercent(job.pages_completed, job.total_pages),
      current_step: job.current_step,
      pages_completed: job.pages_completed,
      total_pages: job.total_pages,
      estimated_remaining_seconds: estimatedRemainingSeconds(progress),
      ...(job.error ? { error: job.error } : {}),
    });
  }

  async function retry(claims: UserClaims, previewId: string): Promise<Response> {
    const outcome = await deps.previews.retry(claims, previewId);
    switch (outcome.kind) {
      case "not_found":
        throw notFound();
      case "retry_limit_reached":
        throw new ApiError(
          409,
          "retry_limit_reached",
          "This preview has been retried as often as it can be; please create a new one.",
        );
      case "requeued":
        if (outcome.pages === 0) {
          throw new ApiError(409, "nothing_to_retry", "This preview has no failed pages to retry.");
        }
        return json({ preview_id: previewId, requeued: outcome.pages }, 202);
    }
  }

  async function route(request: Request): Promise<Response> {
    const segments = new URL(request.url).pathname.split("/").filter(Boolean);
    // The function sees /previews/...; anything before its own name is not ours to interpret.
    const rest = segments.slice(segments.indexOf("previews") + 1);
    if (segments.indexOf("previews") === -1 || rest.length > 2) {
      throw new ApiError(404, "not_found", "There is no such route.");
    }
    const [previewId, action] = rest;
    const allowed = previewId === undefined || action === "retry" ? "POST" : "GET";
    if (action !== undefined && action !== "status" && action !== "retry") {
      throw new ApiError(404, "not_found", "There is no such route.");
    }
    if (request.method !== allowed) {
      throw new ApiError(405, "method_not_allowed", `Use ${allowed} here.`, { allow: `${allowed}, OPTIONS` });
    }

    const claims = await deps.authenticate(request);
    if (previewId === undefined) return await createPreview(claims, request);
    // A malformed id cannot name a preview; answering 404 keeps ids opaque.
    if (!previewIdSchema.safeParse(previewId).success) throw notFound();
    if (action === "status") return await readStatus(claims, previewId);
    if (action === "retry") return await retry(claims, previewId);
    return await readPreview(claims, previewId);
  }

  return serveJson(route, { retryAfterSeconds: 2 * config.pageSecondsEstimate });
}
