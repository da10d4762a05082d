/**
 * The page worker: called by the database (pg_net, from internal.dispatch_page_tasks) once per page task, with
 * the service role key. One call draws one page:
 *
 *   claim_page ─▶ load page, story, photo ─▶ prompt ─▶ provider.generate ─▶ hi-res to `pages`
 *     ─▶ watermark ─▶ preview to `previews` ─▶ complete_page (false: a newer attempt owns the page → delete ours)
 *   provider error → fail_page_attempt (retry after backoff, or fail); anything unexpected → retryable internal_error
 *
 * Duplicate deliveries are harmless: claim_page hands the page to one attempt at a time, and only the attempt
 * holding the lease can complete it. Objects are named after the lease, so two attempts never overwrite each
 * other's files, and the loser removes its own.
 */
import { z } from "zod";
import { requireServiceKey } from "../_shared/auth.ts";
import { ApiError, json, readJson, serveJson } from "../_shared/http.ts";
import type { GeneratedImage, ImageProvider, ImageReference } from "../_shared/images/image_provider.ts";
import { ImageProviderError } from "../_shared/images/image_provider.ts";
import type { ObjectStore } from "../_shared/storage.ts";
import { buildPagePrompt } from "../_shared/story_content/prompt.ts";
import type { StoryContentSource } from "../_shared/story_content/story_content.ts";
import type { AttemptOutcome, ClaimOutcome, PageStore, PageTask } from "./page_store.ts";

export interface PageWorkerConfig {
  serviceRoleKey: string;
  /** Lifetime of the signed photo and cover URLs handed to the provider (at most an hour). */
  referenceUrlTtlSeconds: number;
  /** The provider call is abandoned (and retried later) after this long. */
  providerTimeoutMs: number;
}

export interface PageWorkerDeps {
  pages: PageStore;
  objects: ObjectStore;
  provider: ImageProvider;
  storyContent: StoryContentSource;
  /** The watermarked preview (≤ 1024 px JPEG) of a generated page. */
  watermark: (image: GeneratedImage) => Promise<Uint8Array>;
  config: PageWorkerConfig;
  log?: (line: string) => void;
}

export type PageOutcome = ClaimOutcome | AttemptOutcome | "completed";

const PREVIEW_SIZE = 1024;

export const pageTaskSchema = z.object({
  // bigint in the queue; a JSON number or a digit string.
  msg_id: z.union([z.number().int().nonnegative(), z.string().regex(/^\d{1,19}$/)]).transform(String),
  page_id: z.guid(),
});

/** A failure of this page that retrying will not fix (missing photo, no scene for the theme). */
class PageFailure extends Error {
  override readonly name = "PageFailure";
  constructor(readonly code: string, message: string) {
    super(message);
  }
}

interface Uploaded {
  bucket: string;
  path: string;
}

export function createPageWorkerHandler(deps: PageWorkerDeps): (request: Request) => Promise<Response> {
  const log = deps.log ?? console.log;

  async function references(task: PageTask): Promise<ImageReference[]> {
    if (!task.photo) throw new PageFailure("photo_missing", "the child's photo is no longer available");
    const ttl = deps.config.referenceUrlTtlSeconds;
    if (task.pageNumber > 0 && !task.coverHiresPath) {
      throw new PageFailure("cover_missing", "the cover has not been drawn yet");
    }
    // Signed side by side: each is a round trip to Storage on the page's critical path.
    const [photoUrl, coverUrl] = await Promise.all([
      deps.objects.signedUrl("photos", task.photo.storagePath, ttl),
      task.pageNumber > 0 ? deps.objects.signedUrl("pages", task.coverHiresPath!, ttl) : null,
    ]);
    const refs: ImageReference[] = [{ role: "child_photo", url: photoUrl, faceBox: task.photo.faceBox }];
    if (coverUrl) refs.push({ role: "character_anchor", url: coverUrl });
    return refs;
  }

  async function draw(task: PageTask): Promise<GeneratedImage> {
    const child = { name: task.child.child_name, age: task.child.child_age, pronouns: task.child.pronouns };
    const scene = deps.storyContent(task.themeId, child)?.pages.find((page) =>
      page.page_number === task.pageNumber
    )
      ?.scene;
    if (!scene) throw new PageFailure("scene_missing", `theme ${task.themeId} has no scene for this page`);
    const { prompt, negativePrompt } = buildPagePrompt({
      scene,
      style: task.style,
      child: { age: child.age, pronouns: child.pronouns },
      pageNumber: task.pageNumber,
    });
    return await deps.provider.generate({
      storyId: task.storyId,
      pageNumber: task.pageNumber,
      themeId: task.themeId,
      style: task.style,
      prompt,
      negativePrompt,
      seed: task.seed,
      size: PREVIEW_SIZE,
      references: await references(task),
    }, AbortSignal.timeout(deps.config.providerTimeoutMs));
  }

  async function removeUploaded(uploaded: Uploaded[]): Promise<void> {
    for (const { bucket, path } of uploaded) {
      try {
        await deps.objects.remove(bucket, [path]);
      } catch (error) {
        log(
          JSON.stringify({
            level: "error",
            event: "page_cleanup_failed",
            bucket,
            error: (error as Error).message,
          }),
        );
      }
    }
  }

  async function generatePage(pageId: string, msgId: string, leaseToken: string): Promise<{
    outcome: PageOutcome;
    task: PageTask | null;
    errorCode?: string;
  }> {
    const uploaded: Uploaded[] = [];
    let task: PageTask | null = null;
    try {
      task = await deps.pages.load(pageId);
      if (!task) return { outcome: "missing", task };
      const image = await draw(task);

      const hiresPath = `${task.storyId}/${task.pageNumber}/${leaseToken}.jpg`;
      const previewPath = `${task.userId}/${task.storyId}/${task.pageNumber}-${leaseToken}.jpg`;
      // The hi-res upload travels while the preview is watermarked; whatever did upload is remembered, so a
      // failure of the other still cleans it up.
      const stored = await Promise.allSettled([
        deps.objects.upload("pages", hiresPath, image.bytes, image.contentType)
          .then(() => uploaded.push({ bucket: "pages", path: hiresPath })),
        deps.watermark(image)
          .then((preview) => deps.objects.upload("previews", previewPath, preview, "image/jpeg"))
          .then(() => uploaded.push({ bucket: "previews", path: previewPath })),
      ]);
      const failedStore = stored.find((result) => result.status === "rejected");
      if (failedStore) throw (failedStore as PromiseRejectedResult).reason;

      const completed = await deps.pages.complete({
        pageId,
        leaseToken,
        msgId,
        hiresPath,
        previewPath,
        provider: image.provider,
        model: image.model,
      });
      if (!completed) {
        // A newer attempt owns the page now (this one outlived its lease): its images are the ones that count.
        await removeUploaded(uploaded);
        return { outcome: "stale", task };
      }
      return { outcome: "completed", task };
    } catch (error) {
      await removeUploaded(uploaded);
      const failure = describeFailure(error);
      const outcome = await deps.pages.failAttempt({ pageId, leaseToken, msgId, ...failure });
      return { outcome, task, errorCode: failure.code };
    }
  }

  function describeFailure(error: unknown) {
    if (error instanceof ImageProviderError) {
      return {
        code: error.code,
        detail: error.message,
        retryable: error.retryable,
        retryAfterSeconds: error.retryAfterMs === undefined ? null : Math.ceil(error.retryAfterMs / 1000),
      };
    }
    if (error instanceof PageFailure) {
      return { code: error.code, detail: error.message, retryable: false, retryAfterSeconds: null };
    }
    // The page's last error is readable by the parent, so it names the log entry instead of the details.
    const errorId = crypto.randomUUID();
    log(JSON.stringify({
      level: "error",
      event: "page_worker_error",
      error_id: errorId,
      error: error instanceof Error ? error.name : typeof error,
      message: error instanceof Error ? error.message : String(error),
      stack: error instanceof Error ? error.stack : undefined,
    }));
    return {
      code: "internal_error",
      detail: `unexpected error (log id ${errorId})`,
      retryable: true,
      retryAfterSeconds: null,
    };
  }

  async function handle(request: Request): Promise<Response> {
    if (request.method !== "POST") {
      throw new ApiError(405, "method_not_allowed", "Use POST here.", { allow: "POST" });
    }
    requireServiceKey(request, deps.config.serviceRoleKey);
    const { msg_id: msgId, page_id: pageId } = pageTaskSchema.parse(await readJson(request));
    const started = performance.now();

    const claim = await deps.pages.claim(pageId, msgId);
    const result = claim.outcome === "claimed" && claim.leaseToken
      ? await generatePage(pageId, msgId, claim.leaseToken)
      : { outcome: claim.outcome, task: null };
    log(JSON.stringify({
      event: "page",
      page_id: pageId,
      story_id: result.task?.storyId ?? null,
      page_number: result.task?.pageNumber ?? null,
      msg_id: msgId,
      attempt: claim.attempt,
      outcome: result.outcome,
      ...("errorCode" in result && result.errorCode ? { error_code: result.errorCode } : {}),
      ms: Math.round(performance.now() - started),
    }));
    return json({ outcome: result.outcome });
  }

  return serveJson(handle, { log });
}
