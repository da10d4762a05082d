/** The services and background workers the platform process runs, in routing order. */
import type { PlatformContext, PlatformService, PlatformWorker } from "./context.ts";
import { createAuthService } from "./auth/auth_service.ts";
import { createRealtimeService } from "./realtime/realtime_service.ts";
import { createStorageService } from "./storage/storage_service.ts";

export function createServices(context: PlatformContext): Promise<PlatformService[]> {
  return Promise.resolve([
    createStorageService(context),
    createAuthService(context),
    createRealtimeService(context),
  ]);
}

export function startWorkers(_context: PlatformContext): Promise<PlatformWorker[]> {
  return Promise.resolve([]);
}
