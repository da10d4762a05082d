/**
 * shopify-webhooks on the project's database and Storage, with signed deliveries built as Shopify builds them:
 * the HMAC (current and previous secret), idempotency under concurrent duplicates, ids above 2^53, orders that
 * name no usable preview, cancellation in either order, test orders, and the three compliance topics through
 * to the maintenance run that carries out a redaction.
 */
import assert from "node:assert/strict";
import { createDatabase } from "../../supabase/functions/_shared/database.ts";
import { createServiceObjectStore } from "../../supabase/functions/_shared/storage.ts";
import { createExpiryStore } from "../../supabase/functions/maintenance/expiry_store.ts";
import { createMaintenanceHandler } from "../../supabase/functions/maintenance/handler.ts";
import { createPhotoRetentionStore } from "../../supabase/functions/maintenance/photo_retention_store.ts";
import { createBookRetentionStore } from "../../supabase/functions/maintenance/book_retention_store.ts";
import { createRedactionStore } from "../../supabase/functions/maintenance/redaction_store.ts";
import { createShopifyWebhookHandler } from "../../supabase/functions/shopify-webhooks/handler.ts";
import { createWebhookStore } from "../../supabase/functions/shopify-webhooks/webhook_store.ts";
import {
  createStoredPreview,
  markPreviewDrawn,
  signInAnonymously,
  startProjectPlatform,
  storePhoto,
} from "../support/preview_fixtures.ts";
import {
  customerRedactBody,
  dataRequestBody,
  orderBody,
  SHOP,
  shopifyDelivery,
  shopRedactBody,
} from "../support/shopify_fixtures.ts";

const SECRET = "shpss_current_secret";
const PREVIOUS_SECRET = "shpss_previous_secret";
const URL_ = "http://functions.test/shopify-webhooks";

Deno.test("shopify-webhooks on the project's database", async (t) => {
  const platform = await startProjectPlatform("shopify_webhooks");
  const sql = createDatabase(platform.databaseUrl, { max: 12 });
  const objects = createServiceObjectStore(platform.url, platform.serviceRoleKey);
  const logs: string[] = [];
  const handler = createShopifyWebhookHandler({
    store: createWebhookStore(sql),
    secrets: [SECRET, PREVIOUS_SECRET],
    log: (line) => logs.push(line),
  });
  const maintenance = createMaintenanceHandler({
    expiry: createExpiryStore(sql),
    photoRetention: createPhotoRetentionStore(sql),
    objects,
    providerSweep: { lateCalls: () => Promise.resolve([]), provider: null, finisher: null },
    redactions: createRedactionStore(sql),
    books: createBookRetentionStore(sql),
    config: {
      serviceRoleKey: platform.serviceRoleKey,
      storiesPerRun: 10,
      photosPerRun: 10,
      providerCallsPerRun: 10,
      redactionsPerRun: 10,
      booksPerRun: 10,
    },
    log: () => {},
  });

  const deliver = async (
    topic: string,
    body: string,
    options: { secret?: string; signedBody?: string } = {},
  ) => {
    const response = await handler(
      await shopifyDelivery(URL_, body, {
        topic,
        secret: options.secret ?? SECRET,
        signedBody: options.signedBody,
      }),
    );
    const answer = await response.json();
    return { status: response.status, outcome: answer.outcome as string | undefined, answer };
  };
  /** Every parent of this test: each story has its own (a parent has at most three generations at once). */
  const parents: string[] = [];
  const newPreview = async () => {
    const parent = await signInAnonymously(platform);
    parents.push(parent.id);
    return await createStoredPreview(sql, parent.id, await storePhoto(platform, parent.id));
  };
  /** A preview whose six pages are drawn, as the page pipeline leaves it. */
  const finishedPreview = async () => {
    const storyId = await newPreview();
    await finishDrawing(storyId);
    return storyId;
  };
  const finishDrawing = (storyId: string) => markPreviewDrawn(platform.admin, storyId);
  const orderOf = async (orderId: string) => {
    const [order] = await platform.admin<{
      status: string;
      story_id: string | null;
      shopify_order_id: string;
      shopify_order_gid: string;
      shopify_customer_id: string | null;
      is_test: boolean;
      customer_email: string | null;
    }[]>`
      select status::text, story_id, shopify_order_id, shopify_order_gid, shopify_customer_id, is_test, customer_email
        from public.orders where shopify_order_id = ${orderId}`;
    return order;
  };
  const printJobOf = async (storyId: string) => {
    const [job] = await platform.admin<{ status: string; total_pages: number }[]>`
      select status::text, total_pages from public.generation_jobs where story_id = ${storyId} and kind = 'print'`;
    return job;
  };
  const eventCount = async () =>
    Number(
      (await platform.admin<{ count: string }[]>`select count(*) from internal.shopify_events`)[0].count,
    );

  try {
    await t.step(
      "a wrong secret, a body changed by one byte or a missing HMAC is refused with 401, recording nothing",
      async () => {
        const body = orderBody({ orderId: "1001", previewId: crypto.randomUUID() });
        assert.equal((await deliver("orders/paid", body, { secret: "not-the-secret" })).status, 401);
        assert.equal(
          (await deliver("orders/paid", body.replace('"34.99"', '"34.98"'), { signedBody: body })).status,
          401,
        );
        const unsigned = await handler(
          await shopifyDelivery(URL_, body, { topic: "orders/paid", secret: SECRET, omitHmac: true }),
        );
        assert.equal(unsigned.status, 401);
        assert.equal((await unsigned.json()).error.code, "invalid_hmac");
        assert.equal(await eventCount(), 0);
        assert.ok(logs.some((line) => line.includes('"reason":"hmac"')), "a log line says why");
      },
    );

    await t.step("the current and the previous secret are both accepted", async () => {
      const current = await deliver("orders/paid", orderBody({ orderId: "1002", previewId: null }));
      assert.equal(current.status, 200);
      const previous = await deliver("orders/paid", orderBody({ orderId: "1003", previewId: null }), {
        secret: PREVIOUS_SECRET,
      });
      assert.equal(previous.status, 200);
    });

    await t.step(
      "orders/paid for a drawn preview records the order with its ids exactly and starts the print job",
      async () => {
        const storyId = await finishedPreview();
        const paid = await deliver(
          "orders/paid",
          orderBody({ orderId: "820982911946154508", customerId: "115310627314723954", previewId: storyId }),
        );
        assert.deepEqual([paid.status, paid.outcome], [200, "order_created"]);
        const order = await orderOf("820982911946154508");
        assert.equal(order.shopify_order_gid, "gid://shopify/Order/820982911946154508");
        assert.equal(order.shopify_customer_id, "115310627314723954", "an id above 2^53 is kept exactly");
        assert.equal(order.story_id, storyId);
        assert.equal(order.status, "paid");
        const [story] = await platform.admin<{ purchased: boolean }[]>`
        select purchased_at is not null as purchased from public.stories where id = ${storyId}`;
        assert.equal(story.purchased, true);
        assert.deepEqual({ ...await printJobOf(storyId) }, { status: "queued", total_pages: 11 });
      },
    );

    await t.step(
      "the same orders/paid delivered 10 times at once makes one order and one print job",
      async () => {
        const storyId = await finishedPreview();
        const body = orderBody({ orderId: "2001", previewId: storyId });
        const answers = await Promise.all(Array.from({ length: 10 }, () => deliver("orders/paid", body)));
        assert.ok(answers.every((answer) => answer.status === 200));
        assert.deepEqual(
          answers.map((answer) => answer.outcome).sort(),
          [...Array(9).fill("duplicate"), "order_created"],
        );
        const [{ orders, jobs }] = await platform.admin<{ orders: number; jobs: number }[]>`
        select (select count(*)::int from public.orders where shopify_order_id = '2001') as orders,
               (select count(*)::int from public.generation_jobs where story_id = ${storyId} and kind = 'print') as jobs`;
        assert.deepEqual({ orders, jobs }, { orders: 1, jobs: 1 });
      },
    );

    await t.step(
      "an order paid while its preview is still being drawn starts printing once the preview is done",
      async () => {
        const storyId = await newPreview();
        const paid = await deliver("orders/paid", orderBody({ orderId: "2501", previewId: storyId }));
        assert.equal(paid.outcome, "order_created");
        assert.equal(await printJobOf(storyId), undefined, "no print job while the preview is drawn");
        await finishDrawing(storyId);
        await platform.admin`select internal.start_pending_prints()`;
        assert.equal((await printJobOf(storyId)).status, "queued");
      },
    );

    await t.step(
      "an order naming no preview, or an unknown one, is recorded for an operator and answered 200",
      async () => {
        const none = await deliver("orders/paid", orderBody({ orderId: "3001", previewId: null }));
        assert.deepEqual([none.status, none.outcome], [200, "no_preview"]);
        const unknown = await deliver(
          "orders/paid",
          orderBody({ orderId: "3002", previewId: crypto.randomUUID(), previewProperty: "preview_id" }),
        );
        assert.deepEqual([unknown.status, unknown.outcome], [200, "unknown_preview"]);
        const garbage = await deliver("orders/paid", orderBody({ orderId: "3003", previewId: "not-a-uuid" }));
        assert.equal(garbage.outcome, "unknown_preview");
        const events = await platform.admin<{ subject: string; outcome: string }[]>`
        select subject, outcome from internal.shopify_events
         where subject in ('gid://shopify/Order/3001', 'gid://shopify/Order/3002') order by subject`;
        assert.deepEqual(events.map((event) => event.outcome), ["no_preview", "unknown_preview"]);
        assert.equal((await orderOf("3001")).story_id, null);
      },
    );

    await t.step(
      "a preview bought twice is recorded as already bought; a test order is flagged",
      async () => {
        const storyId = await finishedPreview();
        const first = await deliver(
          "orders/paid",
          orderBody({ orderId: "4001", previewId: storyId, test: true }),
        );
        assert.equal(first.outcome, "order_created");
        assert.equal((await orderOf("4001")).is_test, true);
        const second = await deliver("orders/paid", orderBody({ orderId: "4002", previewId: storyId }));
        assert.equal(second.outcome, "already_bought");
      },
    );

    await t.step(
      "orders/cancelled after paid cancels the order and stops the queued print work",
      async () => {
        const storyId = await finishedPreview();
        await deliver("orders/paid", orderBody({ orderId: "5001", previewId: storyId }));
        const cancelled = await deliver(
          "orders/cancelled",
          orderBody({ orderId: "5001", previewId: storyId, cancelReason: "customer", cancelled: true }),
        );
        assert.deepEqual([cancelled.status, cancelled.outcome], [200, "cancelled"]);
        assert.equal((await orderOf("5001")).status, "cancelled");
        assert.equal((await printJobOf(storyId)).status, "cancelled");
        const [{ queued }] = await platform.admin<{ queued: number }[]>`
        select count(*)::int as queued from pgmq.q_page_tasks q join public.story_pages p
          on (q.message ->> 'page_id')::uuid = p.id where p.story_id = ${storyId}`;
        assert.equal(queued, 0, "no page of the book is left in the queue");
        const again = await deliver(
          "orders/cancelled",
          orderBody({ orderId: "5001", previewId: storyId, cancelled: true }),
        );
        assert.equal(again.outcome, "duplicate");
      },
    );

    await t.step(
      "orders/cancelled arriving before orders/paid ends cancelled, with nothing printed",
      async () => {
        const storyId = await finishedPreview();
        const cancelled = await deliver(
          "orders/cancelled",
          orderBody({ orderId: "6001", previewId: storyId, cancelled: true }),
        );
        assert.equal(cancelled.outcome, "cancelled_before_paid");
        const paid = await deliver("orders/paid", orderBody({ orderId: "6001", previewId: storyId }));
        assert.deepEqual([paid.status, paid.outcome], [200, "paid_after_cancel"]);
        assert.equal((await orderOf("6001")).status, "cancelled");
        assert.equal(await printJobOf(storyId), undefined);
        const [story] = await platform.admin<{ purchased: boolean }[]>`
        select purchased_at is not null as purchased from public.stories where id = ${storyId}`;
        assert.equal(story.purchased, false);
      },
    );

    await t.step(
      "orders/paid and orders/cancelled arriving at the same moment end cancelled, with nothing printing",
      async () => {
        for (let round = 0; round < 5; round++) {
          const storyId = await finishedPreview();
          const orderId = String(6101 + round);
          const [paid, cancelled] = await Promise.all([
            deliver("orders/paid", orderBody({ orderId, previewId: storyId })),
            deliver("orders/cancelled", orderBody({ orderId, previewId: storyId, cancelled: true })),
          ]);
          assert.deepEqual([paid.status, cancelled.status], [200, 200]);
          assert.equal(
            (await orderOf(orderId)).status,
            "cancelled",
            `round ${round}: ${paid.outcome}, ${cancelled.outcome}`,
          );
          const job = await printJobOf(storyId);
          assert.ok(
            job === undefined || job.status === "cancelled",
            `round ${round}: the print job is ${job?.status}`,
          );
        }
      },
    );

    await t.step(
      "customers/data_request records an export of the customer's orders and stories",
      async () => {
        const answer = await deliver(
          "customers/data_request",
          dataRequestBody("115310627314723954", ["1002"]),
        );
        assert.deepEqual([answer.status, answer.outcome], [200, "data_request_recorded"]);
        const [request] = await platform.admin<{ export: { orders: { order: string; story: unknown }[] } }[]>`
        select export from internal.privacy_requests where kind = 'data_request'`;
        const orders = request.export.orders.map((order) => order.order);
        assert.ok(orders.includes("gid://shopify/Order/820982911946154508"), "found by the customer's id");
        assert.ok(orders.includes("gid://shopify/Order/1002"), "found by the order id Shopify named");
        const withStory = request.export.orders.find((order) => order.story !== null) as {
          story: { child_name: string };
        };
        assert.equal(withStory.story.child_name, "Leo");
      },
    );

    await t.step(
      "customers/redact erases the customer's photos and stories and anonymises their orders",
      async () => {
        const other = await signInAnonymously(platform);
        const storyId = await createStoredPreview(sql, other.id, await storePhoto(platform, other.id));
        await finishDrawing(storyId);
        await deliver("orders/paid", orderBody({ orderId: "7001", customerId: "777", previewId: storyId }));
        const answer = await deliver("customers/redact", customerRedactBody("777", ["7001"]));
        assert.deepEqual([answer.status, answer.outcome], [200, "redaction_recorded"]);

        const response = await maintenance(
          new Request("http://functions.test/maintenance", {
            method: "POST",
            headers: {
              authorization: `Bearer ${platform.serviceRoleKey}`,
              "content-type": "application/json",
            },
            body: JSON.stringify({ task: "process_redactions" }),
          }),
        );
        assert.equal(response.status, 200);
        assert.equal((await response.json()).completed, 1);
        const [left] = await platform.admin<{ stories: number; photos: number; files: number }[]>`
        select (select count(*)::int from public.stories where user_id = ${other.id}) as stories,
               (select count(*)::int from public.photos where user_id = ${other.id}) as photos,
               (select count(*)::int from storage.objects where name like ${other.id + "/%"}) as files`;
        assert.deepEqual({ ...left }, { stories: 0, photos: 0, files: 0 });
        const order = await orderOf("7001");
        assert.equal(order.customer_email, null);
        assert.equal(order.shopify_customer_id, null);
        assert.ok(await orderOf("820982911946154508"), "other customers' orders are untouched");
        assert.notEqual((await orderOf("820982911946154508")).customer_email, null);
      },
    );

    await t.step("shop/redact erases everything of the shop", async () => {
      const answer = await deliver("shop/redact", shopRedactBody());
      assert.equal(answer.outcome, "redaction_recorded");
      await maintenance(
        new Request("http://functions.test/maintenance", {
          method: "POST",
          headers: { authorization: `Bearer ${platform.serviceRoleKey}`, "content-type": "application/json" },
          body: JSON.stringify({ task: "process_redactions" }),
        }),
      );
      const [left] = await platform.admin<{ orders: number; stories: number }[]>`
        select (select count(*)::int from public.orders where shop_domain = ${SHOP}) as orders,
               (select count(*)::int from public.stories where user_id = any(${parents}::uuid[])) as stories`;
      assert.deepEqual({ ...left }, { orders: 0, stories: 0 });
      const [{ events }] = await platform.admin<{ events: number }[]>`
        select count(*)::int as events from internal.shopify_events`;
      assert.ok(events > 0, "the audit trail of ids stays");
    });

    await t.step("logs carry no e-mail address", () => {
      assert.ok(logs.every((line) => !line.includes("@example.com")));
    });
  } finally {
    await sql.end();
    await platform.close();
  }
});
