/**
 * POST shopify-webhooks: Shopify's order and privacy notices. No Supabase JWT (verify_jwt = false); the HMAC is
 * the authentication.
 *
 *   raw body (≤ 2 MB) ─▶ HMAC with the current or the previous secret (401 and a log line otherwise; nothing is
 *   recorded) ─▶ ids read exactly (parseExactJson) ─▶ zod per topic ─▶ one internal function per topic, in one
 *   transaction, idempotent on (topic, shop, order) ─▶ 200 {outcome}
 *
 * Nothing is generated here: orders/paid records the order and queues the print job, well inside Shopify's 5 s.
 * An order that names no usable preview, or a signed body we cannot read, is recorded for an operator and
 * answered 200, so Shopify does not retry it for hours (nor drop the subscription after 8 failures).
 *
 * The topic and shop headers are not signed: a compliance body must name the shop the header names, and each
 * topic's schema refuses the other topics' bodies, so a signed body replayed under another topic or shop
 * changes nothing.
 */
import { z } from "zod";
import { parseExactJson } from "../_shared/exact_json.ts";
import { ApiError, json, readBodyWithin, serveJson } from "../_shared/http.ts";
import { verifyShopifyHmac } from "../_shared/shopify/webhook_hmac.ts";
import type { DeliveryHeaders, WebhookStore } from "./webhook_store.ts";

export interface ShopifyWebhookDeps {
  store: WebhookStore;
  /** The app's client secrets, current first; empty when Shopify is not configured. */
  secrets: string[];
  log?: (line: string) => void;
}

const MAX_BODY_BYTES = 2 * 1024 * 1024;

/** Shopify's numeric ids: a number when small, a string (exact) once parseExactJson has met a long one. */
const numericId = z.union([z.string().regex(/^\d{1,20}$/), z.number().int().nonnegative()])
  .transform((id) => String(id));

const property = z.object({ name: z.string(), value: z.unknown() });
const orderSchema = z.object({
  id: numericId,
  admin_graphql_api_id: z.string().regex(/^gid:\/\/shopify\/Order\/\d+$/),
  name: z.string().nullish(),
  email: z.string().nullish(),
  contact_email: z.string().nullish(),
  test: z.boolean().nullish(),
  cancel_reason: z.string().nullish(),
  cancelled_at: z.string().nullish(),
  customer: z.object({ id: numericId, email: z.string().nullish() }).nullish(),
  line_items: z.array(z.object({ properties: z.array(property).nullish() })).default([]),
});
const dataRequestSchema = z.object({
  shop_domain: z.string().min(1),
  customer: z.object({ id: numericId }).nullish(),
  orders_requested: z.array(numericId).default([]),
  data_request: z.object({ id: numericId }),
});
const customerRedactSchema = z.object({
  shop_domain: z.string().min(1),
  customer: z.object({ id: numericId }).nullish(),
  orders_to_redact: z.array(numericId).default([]),
});
const shopRedactSchema = z.strictObject({ shop_id: numericId, shop_domain: z.string().min(1) });

/** The storefront carries the preview id as the line-item property `_preview_id` (hidden), or `preview_id`. */
const PREVIEW_PROPERTIES = ["_preview_id", "preview_id"];

function previewIdOf(order: z.infer<typeof orderSchema>): string | null {
  for (const name of PREVIEW_PROPERTIES) {
    for (const item of order.line_items) {
      const found = item.properties?.find((entry) => entry.name === name);
      if (found && typeof found.value === "string" && found.value.trim() !== "") return found.value.trim();
    }
  }
  return null;
}

/** A header under its X-Shopify- name or the newer Shopify- one. */
function shopifyHeader(request: Request, name: string): string | null {
  return request.headers.get(`x-shopify-${name}`) ?? request.headers.get(`shopify-${name}`);
}

export function createShopifyWebhookHandler(
  deps: ShopifyWebhookDeps,
): (request: Request) => Promise<Response> {
  const log = deps.log ?? console.log;

  async function handle(request: Request): Promise<Response> {
    if (request.method !== "POST") {
      throw new ApiError(405, "method_not_allowed", "Use POST here.", { allow: "POST" });
    }
    if (deps.secrets.length === 0) {
      throw new ApiError(503, "shopify_not_configured", "Shopify is not configured on this project.");
    }
    const raw = await readBodyWithin(
      request,
      MAX_BODY_BYTES,
      () => new ApiError(413, "payload_too_large", "A webhook body is at most 2 MB."),
    );
    const topic = shopifyHeader(request, "topic");
    const shop = shopifyHeader(request, "shop-domain");
    if (!await verifyShopifyHmac(raw, shopifyHeader(request, "hmac-sha256"), deps.secrets)) {
      log(JSON.stringify({ level: "warn", event: "shopify_webhook_refused", reason: "hmac", topic }));
      throw new ApiError(401, "invalid_hmac", "The webhook's HMAC does not match.");
    }
    if (!topic || !shop) {
      throw new ApiError(400, "invalid_request", "X-Shopify-Topic and X-Shopify-Shop-Domain are required.");
    }
    const headers: DeliveryHeaders = {
      webhook_id: shopifyHeader(request, "webhook-id"),
      event_id: shopifyHeader(request, "event-id"),
      triggered_at: validTimestamp(shopifyHeader(request, "triggered-at")),
      api_version: shopifyHeader(request, "api-version"),
    };

    const started = performance.now();
    // Shopify retries anything but a 2xx for hours: a signed body we cannot use is kept for an operator and
    // answered 200, whether it is not JSON at all or JSON of the wrong shape.
    let body: unknown;
    let problem: string | null = null;
    try {
      body = parseExactJson(new TextDecoder().decode(raw));
    } catch {
      problem = "body is not JSON";
    }
    let outcome: string | undefined;
    if (problem === null) {
      try {
        outcome = await act(topic, shop, body, headers);
      } catch (error) {
        if (!(error instanceof z.ZodError)) throw error;
        problem = error.issues.map((issue) => issue.path.join(".") || "body").join(", ");
      }
    }
    outcome ??= await deps.store.unreadable(topic, shop, headers, problem ?? "body");
    // Ids and outcomes only: no e-mail address, no name.
    log(JSON.stringify({
      event: "shopify_webhook",
      topic,
      webhook_id: headers.webhook_id,
      outcome,
      ms: Math.round(performance.now() - started),
    }));
    return json({ outcome });
  }

  async function act(topic: string, shop: string, body: unknown, headers: DeliveryHeaders): Promise<string> {
    switch (topic) {
      case "orders/paid": {
        const order = orderSchema.parse(body);
        return await deps.store.orderPaid({
          shop,
          orderGid: order.admin_graphql_api_id,
          orderId: order.id,
          orderName: order.name ?? null,
          isTest: order.test ?? false,
          customerId: order.customer?.id ?? null,
          customerEmail: order.email || order.contact_email || order.customer?.email || null,
          previewId: previewIdOf(order),
        }, headers);
      }
      case "orders/cancelled": {
        const order = orderSchema.refine((cancelled) => cancelled.cancelled_at, {
          path: ["cancelled_at"],
          message: "a cancelled order has its cancelled_at",
        }).parse(body);
        return await deps.store.orderCancelled({
          shop,
          orderGid: order.admin_graphql_api_id,
          orderId: order.id,
          reason: order.cancel_reason ?? null,
        }, headers);
      }
      case "customers/data_request": {
        const request = dataRequestSchema.parse(body);
        sameShop(request.shop_domain, shop);
        return await deps.store.dataRequest({
          shop,
          requestId: request.data_request.id,
          customerId: request.customer?.id ?? null,
          orderIds: request.orders_requested,
        }, headers);
      }
      case "customers/redact": {
        const redaction = customerRedactSchema.parse(body);
        sameShop(redaction.shop_domain, shop);
        const customerId = redaction.customer?.id ?? null;
        return await deps.store.redaction({
          topic,
          shop,
          // One event per request: the same customer may be redacted again after new orders.
          subject: headers.webhook_id ?? headers.event_id ?? customerId ??
            redaction.orders_to_redact.join(","),
          customerId,
          orderIds: redaction.orders_to_redact,
        }, headers);
      }
      case "shop/redact": {
        sameShop(shopRedactSchema.parse(body).shop_domain, shop);
        return await deps.store.redaction(
          { topic, shop, subject: shop, customerId: null, orderIds: [] },
          headers,
        );
      }
      default:
        // A topic we never subscribed to: acknowledged, so Shopify does not retry it.
        return "ignored";
    }
  }

  return serveJson(handle, { log });
}

/** The body's shop (signed) must be the header's (not signed). */
function sameShop(signedShop: string, headerShop: string): void {
  if (signedShop !== headerShop) {
    throw new ApiError(401, "shop_mismatch", "The signed body names another shop than the delivery.");
  }
}

function validTimestamp(value: string | null): string | null {
  return value !== null && !Number.isNaN(Date.parse(value)) ? value : null;
}
