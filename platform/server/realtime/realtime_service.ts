import type { PlatformContext, PlatformService } from "../context.ts";
import { json } from "../http.ts";

/** Placeholder until the Realtime stand-in lands. */
export function createRealtimeService(_context: PlatformContext): PlatformService {
  return {
    prefix: "/realtime/v1",
    handle: () => Promise.resolve(json({ message: "Realtime stand-in not available yet" }, 501)),
    close: () => Promise.resolve(),
  };
}
