/**
 * Storing what a provider drew for a page, the one path for the page worker (a synchronous provider) and for
 * the fal webhook and the sweep (a queued one):
 *
 *   preview job              hi-res → pages/<story>/<page>/<lease>.<ext>, watermarked → previews/<user>/…,
 *                            then complete_page
 *   print job, ≥ 3075 px     print image → pages/<story>/<page>/print-<lease>.<ext>, then record_print_render
 *                            and complete_page in one transaction (the page keeps its preview-size render)
 *   print job, smaller       stored like a preview, and handed back: the caller asks for an upscale
 *
 * Objects are named after the lease, so two attempts never overwrite each other's files; whatever this call
 * uploaded is removed again when the page cannot be completed with it.
 */
import type { CallClosing, PageStore, PageTask } from "./page_store.ts";
import { PRINT_SIDE_PX } from "./images/image_provider.ts";
import type { RgbaImage } from "./images/raster.ts";
import { watermarkPreview, watermarkPreviewPixels } from "./images/watermark.ts";
import { type ObjectStore, removeObjects, type StoredObject } from "./storage.ts";

export interface DrawnImage {
  bytes: Uint8Array;
  contentType: "image/jpeg" | "image/png";
  width: number;
  height: number;
  /** Pixels rendered in this process, which spare the watermark a decode. */
  pixels?: RgbaImage;
}

export interface PageResultDeps {
  pages: PageStore;
  objects: ObjectStore;
  /** The watermarked preview (≤ 1024 px JPEG) of a preview-size image. */
  watermark: (image: DrawnImage) => Promise<Uint8Array>;
  log: (line: string) => void;
}

export interface PageAttempt {
  task: PageTask;
  leaseToken: string;
  msgId: string;
}

export type StoredOutcome =
  | { outcome: "completed" | "stale" }
  /** A print page drawn at preview size: stored, and waiting for its upscale. */
  | { outcome: "needs_upscale"; hiresPath: string; previewPath: string | null; side: number };

/**
 * The watermarked preview of a preview-size image. Pixels rendered in this process are used as they are;
 * otherwise the image is decoded, and watermarkPreview refuses (from its header alone) anything larger than a
 * preview, so a print-size image is never decoded here.
 */
export function watermarkPreviewImage(image: DrawnImage): Promise<Uint8Array> {
  return image.pixels ? Promise.resolve(watermarkPreviewPixels(image.pixels)) : watermarkPreview(image.bytes);
}

const EXTENSIONS = { "image/jpeg": "jpg", "image/png": "png" } as const;

export async function storeDrawnPage(
  deps: PageResultDeps,
  attempt: PageAttempt,
  image: DrawnImage,
  drawnBy: { provider: string; model: string },
  options: { call?: CallClosing; carried?: { hiresPath: string | null; previewPath: string | null } } = {},
): Promise<StoredOutcome> {
  const { task, leaseToken, msgId } = attempt;
  const extension = EXTENSIONS[image.contentType];
  const uploaded: StoredObject[] = [];
  const upload = async (bucket: string, path: string, bytes: Uint8Array, contentType: string) => {
    await deps.objects.upload(bucket, path, bytes, contentType);
    uploaded.push({ bucket, path });
  };

  try {
    if (task.jobKind === "print" && Math.min(image.width, image.height) >= PRINT_SIDE_PX) {
      const printPath = `${task.storyId}/${task.pageNumber}/print-${leaseToken}.${extension}`;
      await upload("pages", printPath, image.bytes, image.contentType);
      const completed = await deps.pages.complete({
        pageId: task.pageId,
        leaseToken,
        msgId,
        hiresPath: options.carried?.hiresPath ?? task.hiresPath,
        previewPath: options.carried?.previewPath ?? task.previewPath,
        provider: drawnBy.provider,
        model: drawnBy.model,
        print: { path: printPath, width: image.width, height: image.height },
        ...(options.call ? { call: options.call } : {}),
      });
      if (!completed) await removeUploaded(deps, uploaded);
      return { outcome: completed ? "completed" : "stale" };
    }

    const hiresPath = `${task.storyId}/${task.pageNumber}/${leaseToken}.${extension}`;
    const previewPath = `${task.userId}/${task.storyId}/${task.pageNumber}-${leaseToken}.jpg`;
    // The hi-res upload travels while the preview is watermarked; whatever did upload is remembered, so a
    // failure of the other still cleans it up.
    const stored = await Promise.allSettled([
      upload("pages", hiresPath, image.bytes, image.contentType),
      deps.watermark(image).then((preview) => upload("previews", previewPath, preview, "image/jpeg")),
    ]);
    const failedStore = stored.find((result) => result.status === "rejected");
    if (failedStore) throw (failedStore as PromiseRejectedResult).reason;

    if (task.jobKind === "print") {
      return { outcome: "needs_upscale", hiresPath, previewPath, side: Math.min(image.width, image.height) };
    }
    const completed = await deps.pages.complete({
      pageId: task.pageId,
      leaseToken,
      msgId,
      hiresPath,
      previewPath,
      provider: drawnBy.provider,
      model: drawnBy.model,
      ...(options.call ? { call: options.call } : {}),
    });
    // A newer attempt owns the page now (this one outlived its lease): its images are the ones that count.
    if (!completed) await removeUploaded(deps, uploaded);
    return { outcome: completed ? "completed" : "stale" };
  } catch (error) {
    await removeUploaded(deps, uploaded);
    throw error;
  }
}

/** Best effort: a file left behind is found by the expiry or the erasure, which list the story's folders. */
export async function removeUploaded(
  deps: Pick<PageResultDeps, "objects" | "log">,
  uploaded: StoredObject[],
) {
  await removeObjects(uploaded, deps.objects, (bucket, error) => {
    deps.log(JSON.stringify({
      level: "error",
      event: "page_cleanup_failed",
      bucket,
      error: (error as Error).message,
    }));
  });
}
