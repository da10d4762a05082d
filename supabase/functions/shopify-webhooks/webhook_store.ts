/** The webhook's database access: one internal function per topic, each idempotent on (topic, shop, subject). */
import type { Sql } from "../_shared/database.ts";

/** The delivery headers kept with each event, for the audit trail. */
export interface DeliveryHeaders {
  webhook_id: string | null;
  event_id: string | null;
  triggered_at: string | null;
  api_version: string | null;
}

export interface PaidOrder {
  shop: string;
  orderGid: string;
  orderId: string;
  orderName: string | null;
  isTest: boolean;
  customerId: string | null;
  customerEmail: string | null;
  previewId: string | null;
}

export interface WebhookStore {
  orderPaid(order: PaidOrder, headers: DeliveryHeaders): Promise<string>;
  orderCancelled(
    cancelled: { shop: string; orderGid: string; orderId: string; reason: string | null },
    headers: DeliveryHeaders,
  ): Promise<string>;
  dataRequest(
    request: { shop: string; requestId: string; customerId: string | null; orderIds: string[] },
    headers: DeliveryHeaders,
  ): Promise<string>;
  /** A signed body we cannot read: kept for an operator (its field names only), answered 200. */
  unreadable(topic: string, shop: string, headers: DeliveryHeaders, problem: string): Promise<string>;
  redaction(
    redaction: {
      topic: "customers/redact" | "shop/redact";
      shop: string;
      subject: string;
      customerId: string | null;
      orderIds: string[];
    },
    headers: DeliveryHeaders,
  ): Promise<string>;
}

export function createWebhookStore(sql: Sql): WebhookStore {
  const one = async (query: Promise<{ outcome: string }[]>) => (await query)[0].outcome;
  return {
    orderPaid: (order, headers) =>
      one(sql<{ outcome: string }[]>`
        select internal.record_order_paid(
          ${order.shop}, ${order.orderGid}, ${order.orderId}, ${order.orderName}, ${order.isTest},
          ${order.customerId}, ${order.customerEmail}, ${order.previewId}, ${sql.json({ ...headers })}
        ) as outcome`),
    orderCancelled: (cancelled, headers) =>
      one(sql<{ outcome: string }[]>`
        select internal.record_order_cancelled(
          ${cancelled.shop}, ${cancelled.orderGid}, ${cancelled.orderId}, ${cancelled.reason},
          ${sql.json({ ...headers })}
        ) as outcome`),
    dataRequest: (request, headers) =>
      one(sql<{ outcome: string }[]>`
        select internal.record_data_request(
          ${request.shop}, ${request.requestId}, ${request.customerId}, ${request.orderIds}::text[],
          ${sql.json({ ...headers })}
        ) as outcome`),
    unreadable: (topic, shop, headers, problem) =>
      one(sql<{ outcome: string }[]>`
        select case when internal.record_shopify_event(
          ${topic}, ${shop}, ${
        "unreadable:" + (headers.webhook_id ?? headers.event_id ?? crypto.randomUUID())
      },
          ${sql.json({ ...headers })}, 'unreadable', ${sql.json({ problem })}
        ) then 'unreadable' else 'duplicate' end as outcome`),
    redaction: (redaction, headers) =>
      one(sql<{ outcome: string }[]>`
        select internal.record_redaction(
          ${redaction.topic}, ${redaction.shop}, ${redaction.subject}, ${redaction.customerId},
          ${redaction.orderIds}::text[], ${sql.json({ ...headers })}
        ) as outcome`),
  };
}
