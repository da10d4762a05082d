/** The services and background workers the platform process runs, in routing order. */
import type { PlatformContext, PlatformService, PlatformWorker } from "./context.ts";
import { createAuthService } from "./auth/auth_service.ts";
import { startCronScheduler } from "./cron/cron_scheduler.ts";
import { createConsoleServices } from "./dev/console_service.ts";
import { createDevService } from "./dev/dev_service.ts";
import { createFunctionsService } from "./functions/functions_service.ts";
import { startNetSender } from "./net/net_sender.ts";
import { createRealtimeService } from "./realtime/realtime_service.ts";
import { createStorageService } from "./storage/storage_service.ts";

export function createServices(context: PlatformContext): PlatformService[] {
  return [
    createFunctionsService(context),
    createStorageService(context),
    createAuthService(context),
    createRealtimeService(context),
    // Local only: the dev console at / and the routes it needs under /dev/v1 (no Supabase counterpart).
    createDevService(context),
    ...createConsoleServices(context),
  ];
}

export async function startWorkers(context: PlatformContext): Promise<PlatformWorker[]> {
  return [await startNetSender(context), await startCronScheduler(context)];
}
