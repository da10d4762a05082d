/**
 * The interfaces every image model sits behind (BRIEF §4 "Identity"): ImageProvider for one that draws while the
 * caller waits (the in-house illustrator), QueuedImageProvider for one that answers later through a webhook
 * (fal.ai). A provider turns one page request into one square image; prompts are built elsewhere.
 */
import type { RgbaImage } from "./raster.ts";

export type ArtStyle = "photorealistic" | "cartoon_3d";
/** 1024 for previews, 3075 for print (10.25 in at 300 DPI: 10 in trim plus bleed). */
export type PageImageSize = 1024 | 3075;

export interface FaceBox {
  /** Pixels in the photo, top-left origin. */
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface ImageReference {
  role: "child_photo" | "character_anchor";
  /** Fetchable URL: a short-lived signed Storage URL in production; tests may use `data:` URLs. */
  url: string;
  faceBox?: FaceBox | null;
}

export interface PageImageRequest {
  storyId: string;
  /** 0 = cover, 1..10 = story pages. */
  pageNumber: number;
  themeId: string;
  style: ArtStyle;
  prompt: string;
  negativePrompt: string;
  /** Deterministic per page: the same request yields the same image where the provider allows it. */
  seed: number;
  size: PageImageSize;
  /** The child photo first, then the cover (character anchor) once it exists. */
  references: ImageReference[];
}

export interface GeneratedImage {
  bytes: Uint8Array;
  contentType: "image/jpeg";
  width: number;
  height: number;
  /** e.g. "talecraft-illustrator", "fal". */
  provider: string;
  /** The provider's model id, e.g. "storybook-scenes-v1" or "fal-ai/nano-banana-2/edit". */
  model: string;
  /**
   * The decoded pixels, when the provider rendered them in this process. Lets the caller make the watermarked
   * preview without decoding `bytes` again (see watermarkPreviewPixels). Remote providers leave it out.
   */
  pixels?: RgbaImage;
}

export interface ImageProvider {
  readonly name: string;
  /** Rejects with ImageProviderError only; aborting `signal` rejects with code "aborted" or "timeout". */
  generate(request: PageImageRequest, signal?: AbortSignal): Promise<GeneratedImage>;
}

export type ImageProviderErrorCode =
  | "rate_limited"
  | "timeout"
  | "content_refused"
  | "provider_error"
  /** The caller aborted (its signal's reason was not a timeout). */
  | "aborted";

export interface ImageProviderErrorOptions {
  retryable: boolean;
  /** A hint from the provider (e.g. Retry-After) for when to try again. */
  retryAfterMs?: number;
  cause?: unknown;
}

/** The one error shape providers reject with; the worker decides retries from `retryable` and `retryAfterMs`. */
export class ImageProviderError extends Error {
  override readonly name = "ImageProviderError";
  readonly retryable: boolean;
  readonly retryAfterMs?: number;

  constructor(readonly code: ImageProviderErrorCode, message: string, options: ImageProviderErrorOptions) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.retryable = options.retryable;
    if (options.retryAfterMs !== undefined) this.retryAfterMs = options.retryAfterMs;
  }
}

/** The error to reject with once `signal` has aborted: "timeout" for a TimeoutError reason, else "aborted". */
export function abortError(signal: AbortSignal): ImageProviderError {
  const reason = signal.reason;
  const timedOut = reason instanceof DOMException && reason.name === "TimeoutError";
  return new ImageProviderError(
    timedOut ? "timeout" : "aborted",
    timedOut ? "image generation timed out" : "image generation was aborted",
    { retryable: true, cause: reason },
  );
}

/** The side every page of a bought book must reach: 10 in trim plus 2 × 0.125 in bleed, at 300 DPI. */
export const PRINT_SIDE_PX = 3075;
/** The side of preview-size renders (the watermarked previews are made from them). */
export const PREVIEW_SIDE_PX = 1024;

/** generate: draw a page; upscale: bring an already drawn page to print resolution. */
export type ProviderCallStage = "generate" | "upscale";

/**
 * What a queued provider is asked to do. A print-size generation is drawn at print size when the provider's
 * model can; otherwise at preview size, and the page's finisher asks for an upscale next.
 */
export type QueuedJob =
  | { stage: "generate"; request: PageImageRequest }
  | { stage: "upscale"; style: ArtStyle; imageUrl: string; fromSide: number };

/** The provider's answer to a submission: its request id and the URLs its queue gave for it. */
export interface QueuedSubmission {
  requestId: string;
  statusUrl: string;
  responseUrl: string;
  cancelUrl: string;
  model: string;
  /** What was asked for (e.g. "1K", "4K", "x4"): the price depends on it. */
  resolution: string;
}

export type QueuedRequestState =
  | { state: "queued" | "running" }
  | { state: "completed"; inferenceMs: number | null };

/** The image a finished request produced, still at the provider (its size is read from the file itself). */
export interface ProducedImage {
  url: string;
}

/**
 * A provider that answers later: the page worker submits, and the result arrives at a webhook (or is fetched by
 * the sweep when the webhook is late). An edge function cannot wait 10–60 s for a remote model.
 */
export interface QueuedImageProvider {
  readonly name: string;
  readonly queued: true;
  /** Rejects with ImageProviderError only. */
  submit(job: QueuedJob, signal?: AbortSignal): Promise<QueuedSubmission>;
  status(statusUrl: string, signal?: AbortSignal): Promise<QueuedRequestState>;
  /** The output of a completed request; a failed one rejects with its ImageProviderError. */
  result(responseUrl: string, signal?: AbortSignal): Promise<unknown>;
  /** Already finished requests are not an error. */
  cancel(cancelUrl: string): Promise<void>;
  /** The image in a request's output; rejects (content_refused, provider_error) when there is none to use. */
  producedImage(output: unknown): ProducedImage;
  /** What a finished call cost, from the configured price table. */
  costUsd(model: string, resolution: string, width: number, height: number): number;
}

export type AnyImageProvider = ImageProvider | QueuedImageProvider;

export function isQueuedProvider(provider: AnyImageProvider): provider is QueuedImageProvider {
  return "queued" in provider && provider.queued === true;
}
