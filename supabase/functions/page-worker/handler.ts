/**
 * The page worker: called by the database (pg_net, from internal.dispatch_page_tasks) once per page task, with
 * the service role key. One call takes one page one step:
 *
 *   claim_page ─▶ load page, story, photo ─▶ prompt ─▶
 *     synchronous provider (the in-house illustrator): generate ─▶ storeDrawnPage (images, complete_page)
 *     queued provider (fal): submit ─▶ record_provider_submission; the fal webhook (or the sweep) stores the
 *       result later through the same storeDrawnPage
 *   provider error → fail_page_attempt (retry after backoff, or fail); anything unexpected → retryable internal_error
 *
 * A preview job draws at preview size. A print job (a bought book) brings each page to print resolution: a page
 * already drawn is upscaled from its preview-size render (which the in-house illustrator does by drawing the same
 * seeded scene again at print size), and a locked page is drawn at print size.
 *
 * Duplicate deliveries are harmless: claim_page hands the page to one attempt at a time, and only the attempt
 * holding the lease can complete it.
 */
import { z } from "zod";
import { requireServiceKey } from "../_shared/auth.ts";
import { ApiError, json, readJson, serveJson } from "../_shared/http.ts";
import { messageIdSchema } from "../_shared/queue_task.ts";
import type {
  GeneratedImage,
  ImageProvider,
  ImageReference,
  PageImageRequest,
  QueuedImageProvider,
  QueuedJob,
} from "../_shared/images/image_provider.ts";
import {
  type AnyImageProvider,
  isQueuedProvider,
  PREVIEW_SIDE_PX,
  PRINT_SIDE_PX,
} from "../_shared/images/image_provider.ts";
import { describeFailure, PageFailure } from "../_shared/page_failures.ts";
import { type DrawnImage, removeUploaded, storeDrawnPage } from "../_shared/page_results.ts";
import type { ObjectStore } from "../_shared/storage.ts";
import { buildPagePrompt } from "../_shared/story_content/prompt.ts";
import type { StoryContentSource } from "../_shared/story_content/story_content.ts";
import type { AttemptOutcome, ClaimOutcome, PageStore, PageTask } from "../_shared/page_store.ts";

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
  provider: AnyImageProvider;
  storyContent: StoryContentSource;
  /** The watermarked preview (≤ 1024 px JPEG) of a generated page. */
  watermark: (image: DrawnImage) => Promise<Uint8Array>;
  config: PageWorkerConfig;
  log?: (line: string) => void;
}

export type PageOutcome = ClaimOutcome | AttemptOutcome | "completed" | "submitted";

export const pageTaskSchema = z.object({
  msg_id: messageIdSchema,
  page_id: z.guid(),
});

export function createPageWorkerHandler(deps: PageWorkerDeps): (request: Request) => Promise<Response> {
  const log = deps.log ?? console.log;
  const results = { pages: deps.pages, objects: deps.objects, watermark: deps.watermark, log };

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

  async function pageRequest(task: PageTask, size: PageImageRequest["size"]): Promise<PageImageRequest> {
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
      softened: task.contentRefusals > 0,
    });
    return {
      storyId: task.storyId,
      pageNumber: task.pageNumber,
      themeId: task.themeId,
      style: task.style,
      prompt,
      negativePrompt,
      seed: task.seed,
      size,
      references: await references(task),
    };
  }

  /** A print job upscales a page already drawn; everything else is drawn at the job's size. */
  const upscales = (task: PageTask) => task.jobKind === "print" && task.hiresPath !== null;
  const sizeOf = (task: PageTask) => task.jobKind === "print" ? PRINT_SIDE_PX : PREVIEW_SIDE_PX;

  async function drawNow(provider: ImageProvider, task: PageTask, leaseToken: string, msgId: string) {
    const started = performance.now();
    const image: GeneratedImage = await provider.generate(
      await pageRequest(task, sizeOf(task)),
      AbortSignal.timeout(deps.config.providerTimeoutMs),
    );
    const latencyMs = performance.now() - started;
    const stored = await storeDrawnPage(results, { task, leaseToken, msgId }, image, image);
    if (stored.outcome === "needs_upscale") {
      await removeUploaded(results, [
        { bucket: "pages", path: stored.hiresPath },
        ...(stored.previewPath ? [{ bucket: "previews", path: stored.previewPath }] : []),
      ]);
      throw new PageFailure("print_resolution_not_reached", "the provider drew the page below print size");
    }
    try {
      await deps.pages.recordFinishedCall({
        pageId: task.pageId,
        stage: upscales(task) ? "upscale" : "generate",
        provider: image.provider,
        model: image.model,
        resolution: `${image.width}px`,
        latencyMs,
        width: image.width,
        height: image.height,
        costUsd: 0,
      });
    } catch (error) {
      // Accounting only: the page is stored either way.
      log(JSON.stringify({ level: "error", event: "call_record_failed", error: (error as Error).message }));
    }
    return stored.outcome;
  }

  async function submit(provider: QueuedImageProvider, task: PageTask, leaseToken: string, msgId: string) {
    const job: QueuedJob = upscales(task)
      ? {
        stage: "upscale",
        style: task.style,
        imageUrl: await deps.objects.signedUrl("pages", task.hiresPath!, deps.config.referenceUrlTtlSeconds),
        // Every preview-size render is this square: the illustrator's previews and fal's 1K.
        fromSide: PREVIEW_SIDE_PX,
      }
      : { stage: "generate", request: await pageRequest(task, sizeOf(task)) };
    const submission = await provider.submit(job, AbortSignal.timeout(deps.config.providerTimeoutMs));
    const recorded = await deps.pages.recordSubmission({
      pageId: task.pageId,
      leaseToken,
      msgId,
      stage: job.stage,
      provider: provider.name,
      ...submission,
    });
    if (recorded) return "submitted";
    // This attempt lost its lease while submitting: the request would only cost money.
    await provider.cancel(submission.cancelUrl).catch(() => {});
    return "stale";
  }

  async function generatePage(pageId: string, msgId: string, leaseToken: string): Promise<{
    outcome: PageOutcome;
    task: PageTask | null;
    errorCode?: string;
  }> {
    let task: PageTask | null = null;
    try {
      task = await deps.pages.load(pageId);
      if (!task) return { outcome: "missing", task };
      const provider = deps.provider;
      const outcome = isQueuedProvider(provider)
        ? await submit(provider, task, leaseToken, msgId)
        : await drawNow(provider, task, leaseToken, msgId);
      return { outcome, task };
    } catch (error) {
      const failure = describeFailure(error, log);
      const outcome = await deps.pages.failAttempt({ pageId, leaseToken, msgId, ...failure });
      return { outcome, task, errorCode: failure.code };
    }
  }

  async function handle(request: Request): Promise<Response> {
    if (request.method !== "POST") {
      throw new ApiError(405, "method_not_allowed", "Use POST here.", { allow: "POST" });
    }
    requireServiceKey(request, deps.config.serviceRoleKey);
    const { msg_id: msgId, page_id: pageId } = pageTaskSchema.parse(await readJson(request));
    const started = performance.now();

    const claim = await deps.pages.claim(pageId, msgId);
    // A dead attempt's pictures of the child go before anything else happens to the page.
    await removeUploaded(results, claim.abandonedObjects);
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
      ...(claim.abandonedObjects.length > 0
        ? { abandoned_objects_removed: claim.abandonedObjects.length }
        : {}),
      ...("errorCode" in result && result.errorCode ? { error_code: result.errorCode } : {}),
      ms: Math.round(performance.now() - started),
    }));
    return json({ outcome: result.outcome });
  }

  return serveJson(handle, { log });
}
