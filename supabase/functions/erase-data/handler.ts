/**
 * Erasure (BRIEF: "a parent can erase their data"): everything the signed-in parent gave us or we made for them.
 *
 *   POST /erase-data   200 {erased: {photos, stories, files}}
 *
 * Files go first, through the Storage API, and the rows after: a run that stops half-way has deleted only
 * files, and calling again (the function is idempotent) finds the rows and finishes. The account itself stays,
 * so the parent can start again; a second call answers with zeros.
 */
import type { Authenticator } from "../_shared/auth.ts";
import { ApiError, json, serveJson } from "../_shared/http.ts";
import { type ObjectStore, removeObjects } from "../_shared/storage.ts";
import type { ErasureStore } from "./erasure_store.ts";

export interface EraseDataDeps {
  authenticate: Authenticator;
  erasure: ErasureStore;
  objects: Pick<ObjectStore, "remove">;
  log?: (line: string) => void;
}

export function createEraseDataHandler(deps: EraseDataDeps): (request: Request) => Promise<Response> {
  const log = deps.log ?? console.log;

  async function erase(request: Request): Promise<Response> {
    const claims = await deps.authenticate(request);
    const objects = await deps.erasure.objectsOf(claims.sub);
    await removeObjects(objects, deps.objects);
    const rows = await deps.erasure.eraseRows(claims.sub);
    // Counts only: the log of an erasure must not itself keep what was erased.
    log(JSON.stringify({ event: "user_data_erased", ...rows, files: objects.length }));
    return json({ erased: { ...rows, files: objects.length } });
  }

  function route(request: Request): Promise<Response> {
    const segments = new URL(request.url).pathname.split("/").filter(Boolean);
    const position = segments.indexOf("erase-data");
    if (position === -1 || position !== segments.length - 1) {
      throw new ApiError(404, "not_found", "There is no such route.");
    }
    if (request.method !== "POST") {
      throw new ApiError(405, "method_not_allowed", "Use POST here.", { allow: "POST, OPTIONS" });
    }
    return erase(request);
  }

  return serveJson(route, { log });
}
