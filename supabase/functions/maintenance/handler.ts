/**
 * Maintenance tasks the database schedules (pg_cron → pg_net → here, with the service role key).
 *
 *   POST {task: "expire_previews"}   expire unbought previews past their 7 days and delete their images
 *
 * Images are deleted through the Storage API before their paths are forgotten, so a run that stops half-way
 * leaves the paths recorded and the next run finishes the job.
 */
import { z } from "zod";
import { requireServiceKey } from "../_shared/auth.ts";
import { ApiError, json, readJson, serveJson } from "../_shared/http.ts";
import type { ObjectStore } from "../_shared/storage.ts";
import type { ExpiredStory, ExpiryStore } from "./expiry_store.ts";

export interface MaintenanceDeps {
  expiry: ExpiryStore;
  objects: Pick<ObjectStore, "remove">;
  config: {
    serviceRoleKey: string;
    /** Stories cleaned per run at most; the hourly schedule picks up the rest. */
    storiesPerRun: number;
  };
  log?: (line: string) => void;
}

const taskSchema = z.object({ task: z.enum(["expire_previews"], { error: 'must be "expire_previews"' }) });

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
    for (const bucket of new Set(objects.map((object) => object.bucket))) {
      await deps.objects.remove(
        bucket,
        objects.filter((object) => object.bucket === bucket).map((object) => object.path),
      );
    }
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

  async function handle(request: Request): Promise<Response> {
    if (request.method !== "POST") {
      throw new ApiError(405, "method_not_allowed", "Use POST here.", { allow: "POST" });
    }
    requireServiceKey(request, deps.config.serviceRoleKey);
    const { task } = taskSchema.parse(await readJson(request));
    switch (task) {
      case "expire_previews":
        return json(await expirePreviews());
    }
  }

  return serveJson(handle, { log });
}
