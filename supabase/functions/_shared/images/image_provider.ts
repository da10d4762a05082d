/**
 * The one interface every image model sits behind (BRIEF §4 "Identity"): the in-house illustrator here,
 * fal.ai models later. A provider turns one page request into one square JPEG; prompts are built elsewhere.
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
