/**
 * The dev routes (`dev_routes.ts`) wired to the platform: sessions verified with the platform's keys, the
 * project database through the admin pool, and purchases delivered to this platform's own shopify-webhooks,
 * signed with the secret that function verifies with.
 */
import { CallerError, callerFromToken } from "../caller.ts";
import type { PlatformContext, PlatformService } from "../context.ts";
import { bearerToken } from "../http.ts";
import type { PlatformKeys } from "../keys.ts";
import { errorFields } from "../log.ts";
import { createDevHandler, DEV_PREFIX, DevError } from "./dev_routes.ts";
import { createDevStore } from "./dev_store.ts";
import { effectiveShopifySecret, randomShopifyOrderId, shopifyDelivery } from "./shopify_deliveries.ts";

export function createDevService(context: PlatformContext): PlatformService {
  const secret = effectiveShopifySecret(context.projectConfig, context.keys);
  let samplePhoto: Promise<Uint8Array<ArrayBuffer>> | null = null;

  const handle = createDevHandler({
    authenticate: (request) => sessionUserId(context.keys, request),
    store: createDevStore(context.admin),
    async deliverOrderPaid(body) {
      const url = `${context.apiUrl}/functions/v1/shopify-webhooks`;
      return await fetch(await shopifyDelivery(url, body, { topic: "orders/paid", secret }));
    },
    newOrderId: randomShopifyOrderId,
    samplePhoto() {
      // Built on first use (decoding the sample PNG costs a moment) and kept; a failure is not kept.
      samplePhoto ??= buildSamplePhoto().catch((error) => {
        samplePhoto = null;
        throw error;
      });
      return samplePhoto;
    },
    onError(error) {
      context.log.error("dev_route_failed", errorFields(error));
    },
  });

  return {
    prefix: DEV_PREFIX,
    handle,
    close: () => Promise.resolve(),
  };
}

/** The user id of the request's session token; an API key (anon, service_role) is not a session. */
export async function sessionUserId(keys: PlatformKeys, request: Request): Promise<string> {
  const token = bearerToken(request);
  if (!token) {
    throw new DevError(
      401,
      "unauthorized",
      "Sign in first: send the session's access token as a Bearer token.",
    );
  }
  try {
    const caller = await callerFromToken(keys, token);
    if (caller.role === "authenticated" && caller.userId) return caller.userId;
  } catch (error) {
    if (!(error instanceof CallerError)) throw error;
  }
  throw new DevError(401, "unauthorized", "These routes need a signed-in user's session token.");
}

/** Imported on first use, so that the platform starts without the image code. */
async function buildSamplePhoto(): Promise<Uint8Array<ArrayBuffer>> {
  const { samplePhotoJpeg } = await import("./sample_photo.ts");
  return await samplePhotoJpeg();
}
