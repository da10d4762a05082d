/**
 * Stand-in for the Supabase Storage API at /storage/v1: the object and bucket routes storage-js calls, with
 * Storage's status codes and error bodies. Rows live in `storage.objects` / `storage.buckets` and are read and
 * written as the caller, so the project's RLS policies apply exactly as on Supabase; the bytes live on local disk
 * under `storageDir/<database>/<bucket>/<object name>`.
 */
import { join } from "node:path";
import type { Caller } from "../caller.ts";
import { errorFields, loggablePath } from "../log.ts";
import type { PlatformContext, PlatformService } from "../context.ts";
import { bucketRoutes } from "./bucket_routes.ts";
import { ObjectFiles } from "./object_files.ts";
import { objectRoutes } from "./object_routes.ts";
import { findRoute } from "./route_table.ts";
import { authenticate, authenticateIfPossible } from "./storage_auth.ts";
import { StorageDatabase } from "./storage_database.ts";
import { StorageApiError, storageErrors } from "./storage_errors.ts";
import type { StorageDependencies, StorageRoute } from "./storage_request.ts";
import { globalFileSizeLimit } from "./upload_limits.ts";

const PREFIX = "/storage/v1";

export function createStorageService(context: PlatformContext): PlatformService {
  // Storage's "super user" is the service role: it bypasses RLS for public buckets and signed URLs.
  const serviceCaller: Caller = {
    role: "service_role",
    claims: { role: "service_role", iss: "supabase-demo" },
    userId: null,
    token: context.keys.serviceRoleKey,
  };
  const deps: StorageDependencies = {
    keys: context.keys,
    files: new ObjectFiles(join(context.settings.storageDir, context.database)),
    globalFileSizeLimit: globalFileSizeLimit(context.projectConfig.document, context.projectConfig.path),
  };
  const routes: StorageRoute[] = [...objectRoutes(serviceCaller), ...bucketRoutes()];

  async function handle(request: Request, url: URL): Promise<Response> {
    const path = url.pathname.slice(PREFIX.length) || "/";
    try {
      const found = findRoute(routes, request.method, path);
      if (!found) throw storageErrors.routeNotFound(request.method, path);
      const { route, params } = found;
      const caller = route.auth === "required"
        ? await authenticate(context.keys, request)
        : route.auth === "optional"
        ? await authenticateIfPossible(context.keys, request)
        : null;
      const db = new StorageDatabase(context.admin, serviceCaller, {
        method: request.method,
        path,
        headers: Object.fromEntries(request.headers),
        operation: route.operation,
      });
      return await route.handler({ request, url, params, caller, db, deps });
    } catch (error) {
      const failure = error instanceof StorageApiError ? error : storageErrors.internal();
      if (!(error instanceof StorageApiError) || failure.httpStatus >= 500) {
        context.log.error("storage_request_failed", {
          method: request.method,
          path: loggablePath(url),
          ...errorFields(error),
        });
      }
      const response = failure.toResponse();
      return request.method === "HEAD" ? new Response(null, { status: response.status }) : response;
    }
  }

  return { prefix: PREFIX, handle, close: () => Promise.resolve() };
}
