/**
 * Shared arrangements for the previews integration tests: a platform serving this project (its migrations and
 * functions), signed-in users, and a child photo stored the way upload-photo stores it.
 */
import { fileURLToPath } from "node:url";
import { createClient } from "@supabase/supabase-js";
import type postgres from "postgres";
import type { Logger } from "../../platform/server/log.ts";
import { startTestPlatform, type TestPlatform } from "../../platform/tests/support/test_platform.ts";
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

/** Creates a preview of `photoId` through the previews function's store (as POST previews does); its id. */
export async function createStoredPreview(sql: Sql, userId: string, photoId: string): Promise<string> {
  const child = { name: "Leo", age: 4, pronouns: "he" } as const;
  const content = themeStoryContent("dream_weaver", child)!;
  const { previewId } = await createPreviewStore(sql).create({
    userId,
    photoId,
    themeId: "dream_weaver",
    style: "photorealistic",
    childName: child.name,
    childAge: child.age,
    pronouns: child.pronouns,
    dedication: null,
    title: content.title,
    pages: content.pages,
  });
  return previewId;
}
