/** The upload-photo function's real dependencies, built once per function instance from the environment. */
import { createUserAuthenticator } from "../_shared/auth.ts";
import { createDatabase } from "../_shared/database.ts";
import type { Env } from "../_shared/env.ts";
import { normalisePhoto } from "../_shared/images/photo_normalisation.ts";
import { createServiceObjectStore } from "../_shared/storage.ts";
import { BUNDLED_MODEL_DIR, type FaceDetector, loadFaceDetector } from "./face_detector.ts";
import type { UploadPhotoDeps } from "./handler.ts";
import { createPhotoStore } from "./photo_store.ts";

/**
 * The detector is loaded on the first upload rather than at boot, so a cold start that serves a refused upload
 * (too large, wrong type) stays cheap; a failed load is retried by the next upload instead of being cached.
 */
function lazyFaceDetector(modelDir: URL): UploadPhotoDeps["detectFaces"] {
  let loading: Promise<FaceDetector> | null = null;
  return async (image) => {
    loading ??= loadFaceDetector({ modelDir }).catch((error) => {
      loading = null;
      throw error;
    });
    return await (await loading).detect(image);
  };
}

export function createUploadPhotoDeps(env: Env): UploadPhotoDeps {
  return {
    authenticate: createUserAuthenticator(env.SUPABASE_URL, env.SUPABASE_ANON_KEY),
    photos: createPhotoStore(
      createDatabase(env.SUPABASE_DB_URL, { max: 2, applicationName: "upload-photo" }),
    ),
    objects: createServiceObjectStore(env.SUPABASE_URL, env.SUPABASE_SERVICE_ROLE_KEY),
    normalise: (bytes) => normalisePhoto(bytes),
    detectFaces: lazyFaceDetector(BUNDLED_MODEL_DIR),
  };
}
