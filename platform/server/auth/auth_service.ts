import type { PlatformContext, PlatformService } from "../context.ts";
import { json } from "../http.ts";

/** Placeholder until the Auth stand-in lands. */
export function createAuthService(_context: PlatformContext): PlatformService {
  return {
    prefix: "/auth/v1",
    handle: () => Promise.resolve(json({ message: "Auth stand-in not available yet" }, 501)),
    close: () => Promise.resolve(),
  };
}
