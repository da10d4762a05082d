/**
 * Shared arrangements for the previews integration tests: a platform serving this project (its migrations and
 * functions), signed-in users, and a child photo stored the way upload-photo stores it.
 */
import { fileURLToPath } from "node:url";
import { createClient, type SupabaseClient } from "@supabase/supabase-js";
import type postgres from "postgres";
import type { Logger } from "../../platform/server/log.ts";
import {
  eventually,
  startTestPlatform,
  type TestPlatform,
} from "../../platform/tests/support/test_platform.ts";
import { encodeJpeg } from "../../supabase/functions/_shared/images/jpeg_encoder.ts";
import { createRgbaImage } from "../../supabase/functions/_shared/images/raster.ts";
import type { Sql } from "../../supabase/functions/_shared/database.ts";
import { themeStoryContent } from "../../supabase/functions/_shared/story_content/theme_catalogue.ts";
import { createPreviewStore } from "../../supabase/functions/previews/preview_store.ts";

export const repoRoot = fileURLToPath(new URL("../..", import.meta.url));

/** The vault entries the page dispatcher reads (as an operator creates them): where to call, with which key. */
export async function pointDispatchAt(admin: postgres.Sql, projectUrl: string, serviceRoleKey: string) {
  await admin`select vault.create_secret(${projectUrl}, 'project_url')`;
  await admin`select vault.create_secret(${serviceRoleKey}, 'service_role_key')`;
}

/**
 * A platform serving this project for one test file. By default the dispatcher's vault entry points at a closed
 * port, so pg_net's deliveries go nowhere and the test alone decides when the worker runs; with
 * `dispatch: "platform"` the real path runs (queue → pg_net → the served page-worker).
 */
export async function startProjectPlatform(
  name: string,
  options: { dispatch?: "nowhere" | "platform"; functionEnv?: Record<string, string>; log?: Logger } = {},
): Promise<TestPlatform> {
  const platform = await startTestPlatform({
    name,
    projectDir: repoRoot,
    functionEnv: options.functionEnv,
    log: options.log,
  });
  const target = options.dispatch === "platform" ? platform.url : "http://127.0.0.1:9";
  await pointDispatchAt(platform.admin, target, platform.serviceRoleKey);
  return platform;
}

/** What the fixtures need of a platform, whether started in-process or as its own process. */
export type PlatformEndpoints = Pick<TestPlatform, "url" | "anonKey" | "serviceRoleKey" | "admin">;

export interface SignedInUser {
  id: string;
  accessToken: string;
}

export async function signInAnonymously(platform: PlatformEndpoints): Promise<SignedInUser> {
  const supabase = createClient(platform.url, platform.anonKey, {
    auth: { persistSession: false, autoRefreshToken: false },
  });
  const { data, error } = await supabase.auth.signInAnonymously();
  if (error || !data.session || !data.user) throw new Error(`anonymous sign-in failed: ${error?.message}`);
  return { id: data.user.id, accessToken: data.session.access_token };
}

/** A plain square JPEG of one colour. */
export function solidJpeg(size: number, rgb: [number, number, number]): Uint8Array {
  const image = createRgbaImage(size, size);
  for (let i = 0; i < image.data.length; i += 4) image.data.set([...rgb, 255], i);
  return encodeJpeg(image, { quality: 80 });
}

/** Stores a photo object and its row, as upload-photo does; returns the photo id. */
export async function storePhoto(platform: PlatformEndpoints, userId: string): Promise<string> {
  const photoId = crypto.randomUUID();
  const path = `${userId}/${photoId}.jpg`;
  const service = createClient(platform.url, platform.serviceRoleKey, {
    auth: { persistSession: false, autoRefreshToken: false },
  });
  const { error } = await service.storage.from("photos").upload(path, solidJpeg(256, [200, 160, 130]), {
    contentType: "image/jpeg",
  });
  if (error) throw new Error(`photo upload failed: ${error.message}`);
  await platform.admin`
    insert into public.photos (id, user_id, storage_path, width, height, face_box, face_confidence,
                               face_area_percent)
    values (${photoId}, ${userId}, ${path}, 256, 256, ${
    platform.admin.json({ x: 64, y: 48, width: 128, height: 150 })
  }, 0.98, 29.3)`;
  return photoId;
}

/** Storage object names of a story in the pages and previews buckets. */
export async function storyObjects(
  platform: PlatformEndpoints,
  storyId: string,
): Promise<{ pages: string[]; previews: string[] }> {
  const rows = await platform.admin<{ bucket_id: string; name: string }[]>`
    select bucket_id, name from storage.objects
     where (bucket_id = 'pages' and name like ${storyId + "/%"})
        or (bucket_id = 'previews' and name like ${"%/" + storyId + "/%"})
     order by name`;
  return {
    pages: rows.filter((row) => row.bucket_id === "pages").map((row) => row.name),
    previews: rows.filter((row) => row.bucket_id === "previews").map((row) => row.name),
  };
}

export interface StoredPreviewOptions {
  themeId: string;
  style: "photorealistic" | "cartoon_3d";
  child: { name: string; age: number; pronouns: "he" | "she" | "they" };
}

const LEO_IN_DREAM_WEAVER: StoredPreviewOptions = {
  themeId: "dream_weaver",
  style: "photorealistic",
  child: { name: "Leo", age: 4, pronouns: "he" },
};

export const MIA_IN_OCEAN_EXPLORER: StoredPreviewOptions = {
  themeId: "ocean_explorer",
  style: "cartoon_3d",
  child: { name: "Mia", age: 6, pronouns: "she" },
};

/** Creates a preview of `photoId` through the previews function's store (as POST previews does); its id. */
export async function createStoredPreview(
  sql: Sql,
  userId: string,
  photoId: string,
  options: StoredPreviewOptions = LEO_IN_DREAM_WEAVER,
): Promise<string> {
  const { themeId, style, child } = options;
  const content = themeStoryContent(themeId, child)!;
  const { previewId } = await createPreviewStore(sql).create({
    userId,
    photoId,
    themeId,
    style,
    childName: child.name,
    childAge: child.age,
    pronouns: child.pronouns,
    dedication: null,
    title: content.title,
    pages: content.pages,
  });
  return previewId;
}

/** Marks a preview's six pages drawn and its job completed, as the page pipeline leaves a finished preview. */
export async function markPreviewDrawn(admin: postgres.Sql, storyId: string): Promise<void> {
  await admin`
    delete from pgmq.q_page_tasks q using public.story_pages p
     where p.story_id = ${storyId} and (q.message ->> 'page_id')::uuid = p.id`;
  await admin`
    update public.story_pages set status = 'done', preview_path = 'drawn.jpg'
     where story_id = ${storyId} and page_number <= 5`;
  await admin`update public.generation_jobs set status = 'completed' where story_id = ${storyId}`;
  await admin`update public.stories set status = 'completed' where id = ${storyId}`;
}

export interface PageTaskMessage {
  msg_id: number;
  page_id: string;
}

/** The queue message of a page, as the dispatcher would deliver it to the page-worker. */
export async function queuedPageTask(
  admin: postgres.Sql,
  storyId: string,
  pageNumber: number,
): Promise<PageTaskMessage> {
  const [row] = await admin<{ msg_id: string; page_id: string }[]>`
    select q.msg_id, p.id as page_id
      from public.story_pages p join pgmq.q_page_tasks q on (q.message ->> 'page_id')::uuid = p.id
     where p.story_id = ${storyId} and p.page_number = ${pageNumber}`;
  if (!row) throw new Error(`page ${pageNumber} has no queued task`);
  return { msg_id: Number(row.msg_id), page_id: row.page_id };
}

/** Delivers a page task to a page-worker handler as pg_net does; the worker's outcome. */
export async function deliverPageTask(
  worker: (request: Request) => Promise<Response>,
  serviceRoleKey: string,
  task: PageTaskMessage,
): Promise<string> {
  const response = await worker(
    new Request("http://functions.test/page-worker", {
      method: "POST",
      headers: { authorization: `Bearer ${serviceRoleKey}`, "content-type": "application/json" },
      body: JSON.stringify(task),
    }),
  );
  if (response.status !== 200) throw new Error(`the page-worker answered ${response.status}`);
  return (await response.json()).outcome as string;
}

/** supabase-js as a signed-in parent's frontend uses it. */
export function userClient(platform: PlatformEndpoints, accessToken: string): SupabaseClient {
  return createClient(platform.url, platform.anonKey, {
    auth: { persistSession: false, autoRefreshToken: false },
    global: { headers: { Authorization: `Bearer ${accessToken}` } },
    accessToken: () => Promise.resolve(accessToken),
  });
}

/** POST previews as a frontend sends it: Zoë, 5, in the enchanted forest, unless `fields` say otherwise. */
export async function requestPreview(
  supabase: SupabaseClient,
  photoId: string,
  fields: Record<string, unknown> = {},
): Promise<{ preview_id: string; status: string }> {
  const { data, error } = await supabase.functions.invoke("previews", {
    body: {
      photo_id: photoId,
      child_name: "Zoë",
      child_age: 5,
      pronouns: "she",
      theme: "enchanted_forest",
      style: "cartoon_3d",
      ...fields,
    },
  });
  if (error) throw new Error(`POST previews failed: ${error.message}`);
  return data;
}

/** What GET previews/{id}/status answers (see the previews function). */
export interface PreviewStatus {
  status: string;
  progress: number;
  pages_completed: number;
  total_pages: number;
  error?: string;
}

/** Polls GET previews/{id}/status, as a frontend does, until the preview has completed or failed. */
export async function finishedPreviewStatus(
  supabase: SupabaseClient,
  previewId: string,
  timeoutMs = 60_000,
): Promise<PreviewStatus> {
  return await eventually(
    async () => {
      const { data } = await supabase.functions.invoke(`previews/${previewId}/status`, { method: "GET" });
      return data?.status === "completed" || data?.status === "failed" ? data : undefined;
    },
    "the preview to finish",
    timeoutMs,
  );
}
