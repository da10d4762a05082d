/**
 * Shopify deliveries as Shopify sends them: the REST order payload (ids as bare JSON numbers, some above 2^53),
 * the compliance payloads, and the delivery headers with base64 HMAC-SHA256 over the raw body. The tests, the
 * demo and the dev console's simulated purchase all sign with these, so they all look like Shopify to
 * shopify-webhooks. Local only: nothing in supabase/ imports this.
 */
import type { PlatformKeys } from "../keys.ts";
import type { ProjectConfig } from "../project_config.ts";

export const SHOP = "talecraft-test.myshopify.com";

export interface OrderOptions {
  /** Digits of the order id; the default is above 2^53, like Shopify's sample order. */
  orderId?: string;
  previewId?: string | null;
  /** The property the storefront uses: `_preview_id` (hidden) or `preview_id`. */
  previewProperty?: "_preview_id" | "preview_id";
  test?: boolean;
  email?: string | null;
  customerId?: string;
  cancelReason?: string | null;
  /** An orders/cancelled body: cancelled_at set. */
  cancelled?: boolean;
}

/** The raw JSON text of an order: ids written as numbers, as Shopify does, so JSON.parse would round them. */
export function orderBody(options: OrderOptions = {}): string {
  const orderId = options.orderId ?? "820982911946154508";
  const customerId = options.customerId ?? "115310627314723954";
  const properties = options.previewId === null || options.previewId === undefined
    ? "[]"
    : `[{"name":"${options.previewProperty ?? "_preview_id"}","value":"${options.previewId}"}]`;
  return `{"id":${orderId},"admin_graphql_api_id":"gid://shopify/Order/${orderId}","name":"#1001",` +
    `"email":${JSON.stringify(options.email === undefined ? "parent@example.com" : options.email)},` +
    `"test":${options.test ?? false},"financial_status":"paid","total_price":"34.99","currency":"USD",` +
    `"cancel_reason":${JSON.stringify(options.cancelReason ?? null)},` +
    `"cancelled_at":${options.cancelled ? '"2026-11-30T12:00:00-05:00"' : "null"},` +
    `"customer":{"id":${customerId},"email":"parent@example.com"},` +
    `"line_items":[{"id":866550311766439020,"title":"Personalised picture book","quantity":1,` +
    `"price":"34.99","properties":${properties}}]}`;
}

export function dataRequestBody(customerId: string, orderIds: string[], requestId = "9999"): string {
  return `{"shop_id":954889,"shop_domain":"${SHOP}","orders_requested":[${orderIds.join(",")}],` +
    `"customer":{"id":${customerId},"email":"parent@example.com","phone":null},"data_request":{"id":${requestId}}}`;
}

export function customerRedactBody(customerId: string, orderIds: string[]): string {
  return `{"shop_id":954889,"shop_domain":"${SHOP}","customer":{"id":${customerId},` +
    `"email":"parent@example.com","phone":null},"orders_to_redact":[${orderIds.join(",")}]}`;
}

export function shopRedactBody(): string {
  return `{"shop_id":954889,"shop_domain":"${SHOP}"}`;
}

export async function shopifyHmac(body: string | Uint8Array, secret: string): Promise<string> {
  const key = await crypto.subtle.importKey(
    "raw",
    new TextEncoder().encode(secret),
    { name: "HMAC", hash: "SHA-256" },
    false,
    ["sign"],
  );
  const bytes = typeof body === "string" ? new TextEncoder().encode(body) : new Uint8Array(body);
  const mac = new Uint8Array(await crypto.subtle.sign("HMAC", key, bytes));
  return btoa(String.fromCharCode(...mac));
}

export interface DeliveryOptions {
  /** null: no X-Shopify-Topic header at all. */
  topic: string | null;
  secret: string;
  /** Signs this body but sends `body` (to test tampering). */
  signedBody?: string;
  webhookId?: string;
  omitHmac?: boolean;
  /** Sent as the X-Shopify-Hmac-Sha256 header as it is, instead of a signature. */
  hmac?: string;
}

export async function shopifyDelivery(url: string, body: string, options: DeliveryOptions): Promise<Request> {
  const headers = new Headers({
    "content-type": "application/json",
    "x-shopify-shop-domain": SHOP,
    "x-shopify-api-version": "2025-10",
    "x-shopify-webhook-id": options.webhookId ?? crypto.randomUUID(),
    "x-shopify-event-id": crypto.randomUUID(),
    "x-shopify-triggered-at": new Date().toISOString(),
  });
  if (options.topic !== null) headers.set("x-shopify-topic", options.topic);
  if (!options.omitHmac) {
    headers.set(
      "x-shopify-hmac-sha256",
      options.hmac ?? await shopifyHmac(options.signedBody ?? body, options.secret),
    );
  }
  return new Request(url, { method: "POST", headers, body });
}

/**
 * The secret the local shopify-webhooks function verifies with: the project's own (`supabase/functions/.env` or
 * the platform's extra function env) when it sets one, else the platform's generated local default. An empty
 * value counts as unset, as the functions' env parser treats it.
 */
export function effectiveShopifySecret(
  projectConfig: Pick<ProjectConfig, "functionSecrets">,
  keys: Pick<PlatformKeys, "shopifyWebhookSecret">,
): string {
  return projectConfig.functionSecrets.SHOPIFY_WEBHOOK_SECRET || keys.shopifyWebhookSecret;
}

/** A fresh order id: 18 digits, like Shopify's, which exceed 2^53 (so only ever handled as text). */
export function randomShopifyOrderId(): string {
  const [random] = crypto.getRandomValues(new BigUint64Array(1));
  return String(10n ** 17n + random % (9n * 10n ** 17n));
}
