import type { PlatformContext, PlatformService } from "../context.ts";
import { json } from "../http.ts";

/** Placeholder until the Storage stand-in lands. */
export function createStorageService(_context: PlatformContext): PlatformService {
  return {
    prefix: "/storage/v1",
    handle: () => Promise.resolve(json({ message: "Storage stand-in not available yet" }, 501)),
    close: () => Promise.resolve(),
  };
}
