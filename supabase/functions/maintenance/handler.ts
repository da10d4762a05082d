/**
 * Maintenance tasks the database schedules (pg_cron → pg_net → here, with the service role key).
 *
 *   POST {task: "expire_previews"}   expire unbought previews past their 7 days and delete their images
 *   POST {task: "purge_photos"}      delete the photos no story needs any more, and their objects
 *   POST {task: "sweep_provider_calls"}  ask the image provider about requests whose webhook is late
 *   POST {task: "process_redactions"}    carry out Shopify's customers/redact and shop/redact requests
 *   POST {task: "purge_books"}           delete the PDFs whose download period has ended, or whose order was cancelled
 *
 * Preview images are deleted through the Storage API before their paths are forgotten, so a run that stops
 * half-way leaves the paths recorded and the next run finishes the job.
 *
 * Photos go the other way round: the row first, because forgetting re-checks under a lock that the photo is
 * still due (a new preview may have been made from it since it was selected), and only a photo actually
 * forgotten may lose its object. The objects are then found as orphans (photos-bucket objects without a row),
 * so a run that stops before removing them, or a failed upload's leftover, is cleaned up by the next run.
 * Previews of expired stories become due photos by themselves: purge_photos picks them up on its next run.
 */
import { z } from "zod";
import { requireServiceKey } from "../_shared/auth.ts";
import { ApiError, json, readJson, serveJson } from "../_shared/http.ts";
import { type ObjectStore, removeObjects } from "../_shared/storage.ts";
import type { ExpiredStory, ExpiryStore } from "./expiry_store.ts";
import type { DeletionReason, PhotoRetentionStore } from "./photo_retention_store.ts";
import { type ProviderSweepDeps, sweepProviderCalls } from "./provider_sweep.ts";
import type { BookRetentionStore } from "./book_retention_store.ts";
import type { RedactionStore } from "./redaction_store.ts";

export interface MaintenanceDeps {
  expiry: ExpiryStore;
  photoRetention: PhotoRetentionStore;
  objects: Pick<ObjectStore, "remove">;
  providerSweep: Omit<ProviderSweepDeps, "log">;
  redactions: RedactionStore;
  books: BookRetentionStore;
  config: {
    serviceRoleKey: string;
    /** Stories cleaned per run at most; the hourly schedule picks up the rest. */
    storiesPerRun: number;
    /** Photos deleted, and orphaned photo objects removed, per run at most; the next hourly run takes the rest. */
    photosPerRun: number;
    /** Late provider requests asked about per run; the next run (a minute later) takes the rest. */
    providerCallsPerRun: number;
    /** Shopify redactions carried out per run; the next hourly run takes the rest. */
    redactionsPerRun: number;
    /** Books deleted per run; the next hourly run takes the rest. */
    booksPerRun: number;
  };
  log?: (line: string) => void;
}

const TASKS = [
  "expire_previews",
  "purge_photos",
  "sweep_provider_calls",
  "process_redactions",
  "purge_books",
] as const;
const taskSchema = z.object({
  task: z.enum(TASKS, { error: `must be one of ${TASKS.map((task) => `"${task}"`).join(", ")}` }),
});

export function createMaintenanceHandler(deps: MaintenanceDeps): (request: Request) => Promise<Response> {
  const log = deps.log ?? console.log;

  async function expirePreviews() {
    const started = performance.now();
    const newlyExpired = await deps.expiry.expirePreviews();
    const pending = await deps.expiry.expiredWithImages(deps.config.storiesPerRun);
    const stories = new Map<string, ExpiredStory>();
    for (const story of [...newlyExpired, ...pending].slice(0, deps.config.storiesPerRun)) {
      stories.set(story.storyId, story);
    }
    const batch = [...stories.values()];

    const objects = await deps.expiry.objectsOf(batch);
    await removeObjects(objects, deps.objects);
    const pagesForgotten = await deps.expiry.forgetImages(batch.map((story) => story.storyId));
    const result = {
      task: "expire_previews",
      expired: newlyExpired.length,
      stories_cleaned: batch.length,
      objects_removed: objects.length,
      pages_forgotten: pagesForgotten,
    };
    log(JSON.stringify({ event: "maintenance", ...result, ms: Math.round(performance.now() - started) }));
    return result;
  }

  async function purgePhotos() {
    const started = performance.now();
    const due = await deps.photoRetention.photosDue(deps.config.photosPerRun);
    const forgotten = await deps.photoRetention.forgetPhotos(due.map((photo) => photo.photoId));
    const orphans = await deps.photoRetention.orphanedPhotoObjects(deps.config.photosPerRun);
    const paths = [...new Set([...forgotten.map((photo) => photo.storagePath), ...orphans])];
    if (paths.length > 0) await deps.objects.remove("photos", paths);
    const uploadAttemptsPruned = await deps.photoRetention.pruneUploadAttempts();

    const byReason: Record<DeletionReason, number> = { preview_expired: 0, book_delivered: 0, never_used: 0 };
    for (const photo of forgotten) byReason[photo.reason]++;
    // Counts only: a log line never names a photo, a user or a path.
    const result = {
      task: "purge_photos",
      photos_deleted: forgotten.length,
      by_reason: byReason,
      objects_removed: paths.length,
      upload_attempts_pruned: uploadAttemptsPruned,
    };
    log(JSON.stringify({ event: "maintenance", ...result, ms: Math.round(performance.now() - started) }));
    return result;
  }

  async function sweepProviders() {
    const started = performance.now();
    const result = await sweepProviderCalls({ ...deps.providerSweep, log }, deps.config.providerCallsPerRun);
    log(JSON.stringify({ event: "maintenance", ...result, ms: Math.round(performance.now() - started) }));
    return result;
  }

  async function processRedactions() {
    const started = performance.now();
    const pending = await deps.redactions.pending(deps.config.redactionsPerRun);
    let completed = 0;
    let files = 0;
    for (const redaction of pending) {
      try {
        // Files before rows, as erase-data does: a run that stops half-way leaves the rows that find the files.
        for (const userId of redaction.userIds) {
          const objects = await deps.redactions.objectsOf(userId);
          await removeObjects(objects, deps.objects);
          files += objects.length;
        }
        await deps.redactions.complete(redaction.requestId);
        completed++;
      } catch (error) {
        await deps.redactions.recordFailure(redaction.requestId, (error as Error).message);
        log(JSON.stringify({ level: "error", event: "redaction_failed", error: (error as Error).message }));
      }
    }
    const result = { task: "process_redactions", pending: pending.length, completed, files_removed: files };
    log(JSON.stringify({ event: "maintenance", ...result, ms: Math.round(performance.now() - started) }));
    return result;
  }

  async function purgeBooks() {
    const started = performance.now();
    const due = await deps.books.booksDue(deps.config.booksPerRun);
    // Files first: a run that stops half-way leaves the paths, and the next run removes (and forgets) them.
    if (due.length > 0) await deps.objects.remove("books", due.map((book) => book.path));
    const forgotten = await deps.books.forgetBooks(due.map((book) => book.orderId));
    const result = { task: "purge_books", books_deleted: forgotten };
    log(JSON.stringify({ event: "maintenance", ...result, ms: Math.round(performance.now() - started) }));
    return result;
  }

  async function handle(request: Request): Promise<Response> {
    if (request.method !== "POST") {
      throw new ApiError(405, "method_not_allowed", "Use POST here.", { allow: "POST" });
    }
    requireServiceKey(request, deps.config.serviceRoleKey);
    const { task } = taskSchema.parse(await readJson(request));
    switch (task) {
      case "expire_previews":
        return json(await expirePreviews());
      case "purge_photos":
        return json(await purgePhotos());
      case "sweep_provider_calls":
        return json(await sweepProviders());
      case "process_redactions":
        return json(await processRedactions());
      case "purge_books":
        return json(await purgeBooks());
    }
  }

  return serveJson(handle, { log });
}
