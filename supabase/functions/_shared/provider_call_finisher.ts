/**
 * Finishing a queued provider request: the one path for the fal webhook and for the sweep that asks about late
 * requests. Whoever gets there first finishes it; the others find it busy or finished and change nothing.
 *
 *   begin_finishing_call(request id) ─▶ begun | busy | finished | unknown
 *   begun, error answer   ─▶ fail_page_attempt (retry policy; a content refusal is retried softened, then flagged)
 *   begun, image          ─▶ download ─▶ size from the header ─▶ storeDrawnPage (watermarked when a preview)
 *                           ─▶ complete_page with the call closed in the same transaction
 *                           ─▶ or, for a print page drawn below print size, submit the upscale
 *
 * A download that breaks off (or meets a failing CDN), or a storage failure, leaves the call `finishing`: once its
 * time is up the sweep fetches the result again, so a provider's work is not thrown away over a passing network
 * error. After the abandon period the sweep gives up and the page is retried. A result that would read the same
 * again (no image, too large, not an image) fails the attempt at once.
 */
import { readBodyWithin } from "./http.ts";
import { describeFailure } from "./page_failures.ts";
import type { CallClosing, PageStore, QueuedCall } from "./page_store.ts";
import { type DrawnImage, type PageResultDeps, removeUploaded, storeDrawnPage } from "./page_results.ts";
import { ImageInputError, readImageHeader } from "./images/image_header.ts";
import { type ArtStyle, ImageProviderError, type QueuedImageProvider } from "./images/image_provider.ts";
import type { ObjectStore } from "./storage.ts";

export type ProviderAnswer =
  | { ok: true; output: unknown; inferenceMs?: number | null }
  | { ok: false; error: ImageProviderError };

export type FinishOutcome =
  | "completed"
  | "upscaling"
  | "retrying"
  | "failed"
  | "flagged"
  | "stale"
  | "busy"
  | "duplicate"
  | "unknown";

export interface FinisherDeps extends PageResultDeps {
  pages: PageStore;
  objects: ObjectStore;
  provider: QueuedImageProvider;
  /** Downloads the provider's output image. */
  fetch: typeof fetch;
  config: {
    /** Lifetime of the signed URL of a preview-size render handed to the upscaler. */
    referenceUrlTtlSeconds: number;
    /** Largest image accepted from the provider. */
    maxImageBytes: number;
    downloadTimeoutMs: number;
  };
}

const FORMATS = { jpeg: "image/jpeg", png: "image/png" } as const;

/** A download that broke off or met a failing CDN: the same result may well download in a minute. */
export class DownloadInterrupted extends Error {
  override readonly name = "DownloadInterrupted";
  constructor(message: string, cause?: unknown) {
    super(message, cause === undefined ? undefined : { cause });
  }
}

/** A 4096 px page is a few MB as JPEG and tens as PNG; the download must finish well inside a delivery. */
export const FINISHER_LIMITS = { maxImageBytes: 40 * 1024 * 1024, downloadTimeoutMs: 60_000 };

export function createProviderCallFinisher(deps: FinisherDeps) {
  async function download(url: string): Promise<DrawnImage> {
    let response: Response;
    try {
      response = await deps.fetch(url, { signal: AbortSignal.timeout(deps.config.downloadTimeoutMs) });
    } catch (error) {
      throw new DownloadInterrupted(`the image could not be downloaded (${(error as Error).name})`, error);
    }
    if (!response.ok) {
      await response.body?.cancel();
      // The provider's CDN failing now may serve the same file in a minute; anything else will not change.
      if (response.status >= 500 || response.status === 429) {
        throw new DownloadInterrupted(`the image could not be downloaded (${response.status})`);
      }
      throw new ImageProviderError(
        "provider_error",
        `the image could not be downloaded (${response.status})`,
        {
          retryable: true,
        },
      );
    }
    const tooLarge = () =>
      new ImageProviderError("provider_error", "the image is larger than accepted", { retryable: true });
    let bytes: Uint8Array;
    try {
      bytes = await readBodyWithin(response, deps.config.maxImageBytes, tooLarge);
    } catch (error) {
      if (error instanceof ImageProviderError) throw error;
      throw new DownloadInterrupted("the image download broke off", error);
    }
    // The size comes from the header: a print-size image is never decoded here.
    const header = readImageHeader(bytes);
    if (header.format !== "jpeg" && header.format !== "png") {
      throw new ImageInputError("unsupported_format", `the provider answered with a ${header.format} image`);
    }
    return { bytes, contentType: FORMATS[header.format], width: header.width, height: header.height };
  }

  async function failCall(call: QueuedCall, error: unknown): Promise<FinishOutcome> {
    const failure = describeFailure(error, deps.log);
    const outcome = await deps.pages.failAttempt({
      pageId: call.pageId,
      leaseToken: call.leaseToken,
      msgId: call.msgId,
      ...failure,
      call: { callId: call.callId },
    });
    // Only now that the failure is recorded: the page's next attempt draws it again, and the first stage's
    // images would only be left behind.
    await removeCarried(call);
    return outcome;
  }

  async function removeCarried(call: QueuedCall): Promise<void> {
    await removeUploaded(deps, [
      ...(call.carriedHiresPath ? [{ bucket: "pages", path: call.carriedHiresPath }] : []),
      ...(call.carriedPreviewPath ? [{ bucket: "previews", path: call.carriedPreviewPath }] : []),
    ]);
  }

  async function submitUpscale(
    call: QueuedCall,
    style: ArtStyle,
    stored: { hiresPath: string; previewPath: string | null; side: number },
    closing: CallClosing,
  ): Promise<FinishOutcome> {
    const imageUrl = await deps.objects.signedUrl(
      "pages",
      stored.hiresPath,
      deps.config.referenceUrlTtlSeconds,
    );
    const submission = await deps.provider.submit({
      stage: "upscale",
      style,
      imageUrl,
      fromSide: stored.side,
    });
    // One transaction closes the first stage and records the second: a crash before it leaves the first stage
    // `finishing`, so the sweep takes it up again; nothing is left that no one would look at.
    const recorded = await deps.pages.recordSubmission({
      pageId: call.pageId,
      leaseToken: call.leaseToken,
      msgId: call.msgId,
      stage: "upscale",
      provider: deps.provider.name,
      ...submission,
      carriedHiresPath: stored.hiresPath,
      carriedPreviewPath: stored.previewPath,
      closes: closing,
    });
    if (recorded) return "upscaling";
    await deps.provider.cancel(submission.cancelUrl).catch(() => {});
    return "stale";
  }

  /** Finishes the request with the provider's answer; see the module comment for what each outcome means. */
  async function finish(requestId: string, answer: ProviderAnswer): Promise<FinishOutcome> {
    const begun = await deps.pages.beginFinishing(requestId);
    if (begun.outcome === "unknown") return "unknown";
    if (begun.outcome === "busy") return "busy";
    if (begun.outcome === "finished") return "duplicate";
    const call = begun.call;

    const task = await deps.pages.load(call.pageId);
    if (!task) {
      // The story is gone (expiry, erasure): nothing to store.
      await deps.pages.closeCall("cancelled", { callId: call.callId });
      return "stale";
    }
    if (!answer.ok) return await failCall(call, answer.error);

    let image: DrawnImage;
    try {
      image = await download(deps.provider.producedImage(answer.output).url);
    } catch (error) {
      // Left `finishing`: the sweep fetches the result again once this finisher's time is up.
      if (error instanceof DownloadInterrupted) throw error;
      // A result that will read the same next time (no image, too large, not an image): the page is retried.
      return await failCall(call, error);
    }

    const closing = {
      callId: call.callId,
      width: image.width,
      height: image.height,
      costUsd: deps.provider.costUsd(call.model, call.resolution ?? "", image.width, image.height),
      inferenceMs: answer.inferenceMs ?? null,
    };
    const stored = await storeDrawnPage(
      deps,
      { task, leaseToken: call.leaseToken, msgId: call.msgId },
      image,
      { provider: call.provider, model: call.model },
      {
        call: closing,
        carried: call.carriedHiresPath
          ? { hiresPath: call.carriedHiresPath, previewPath: call.carriedPreviewPath }
          : undefined,
      },
    );
    // Completed or stale, the call was closed in the transaction that tried to complete the page.
    if (stored.outcome === "stale") await removeCarried(call);
    if (stored.outcome !== "needs_upscale") return stored.outcome;
    const uploaded = [
      { bucket: "pages", path: stored.hiresPath },
      ...(stored.previewPath ? [{ bucket: "previews", path: stored.previewPath }] : []),
    ];
    if (call.stage === "upscale") {
      await removeUploaded(deps, uploaded);
      return await failCall(
        call,
        new ImageProviderError("provider_error", "the upscaled page is still below print size", {
          retryable: false,
        }),
      );
    }
    try {
      return await submitUpscale(call, task.style, stored, closing);
    } catch (error) {
      await removeUploaded(deps, uploaded);
      return await failCall(call, error);
    }
  }

  return { finish };
}

export type ProviderCallFinisher = ReturnType<typeof createProviderCallFinisher>;
