/**
 * The pgmq stand-in under real concurrency, on separate connections: readers racing on one queue never get
 * the same message while its visibility timeout runs and together receive every message, and a message is
 * invisible to readers until the transaction that sent it commits.
 * Each run gets a fresh database with the stand-in extensions created.
 */
import assert from "node:assert/strict";
import postgres from "postgres";
import { createTestDatabase } from "../support/test_platform.ts";

const READERS = 4;
const MESSAGES = 500;
/** Does not divide MESSAGES, so readers also race for the last, partial batches. */
const BATCH_SIZE = 7;
/** Longer than the test runs: a message delivered twice within it was delivered during its vt. */
const VT_SECONDS = 600;

function connect(url: string): postgres.Sql {
  return postgres(url, { max: 1, onnotice: () => {} });
}

interface Delivery {
  msg_id: string;
  read_ct: number;
}

/** Reads batches until a read returns nothing, as a worker draining the queue would. */
async function drain(sql: postgres.Sql, queue: string): Promise<Delivery[]> {
  const delivered: Delivery[] = [];
  while (true) {
    const batch = await sql<Delivery[]>`
      select msg_id::text, read_ct from pgmq.read(${queue}, ${VT_SECONDS}, ${BATCH_SIZE})`;
    if (batch.length === 0) return delivered;
    delivered.push(...batch);
  }
}

async function withQueue(work: (url: string, queue: string) => Promise<void>): Promise<void> {
  const database = await createTestDatabase("pgmq_readers", { extensions: true });
  const queue = `concurrency_${crypto.randomUUID().slice(0, 8)}`;
  const admin = connect(database.url);
  try {
    await admin`select pgmq.create(${queue})`;
    await work(database.url, queue);
  } finally {
    await admin.end();
    await database.drop();
  }
}

Deno.test("pgmq: concurrent readers never share a message during its vt, and every message is delivered", async () => {
  await withQueue(async (url, queue) => {
    const sender = connect(url);
    const readers = Array.from({ length: READERS }, () => connect(url));
    try {
      const sent = await sender<{ msg_id: string }[]>`
        select msg_id::text from pgmq.send_batch(
          ${queue}, array(select jsonb_build_object('n', n) from generate_series(1, ${MESSAGES}::int) as n)
        ) as msg_id`;
      // Open every connection first, so that the readers really start together.
      await Promise.all(readers.map((sql) => sql`select 1`));

      const deliveries = (await Promise.all(readers.map((sql) => drain(sql, queue)))).flat();

      const deliveredIds = deliveries.map((delivery) => delivery.msg_id);
      assert.equal(new Set(deliveredIds).size, deliveredIds.length, "a message was delivered to two readers");
      assert.deepEqual(
        new Set(deliveredIds),
        new Set(sent.map((row) => row.msg_id)),
        "every message is delivered",
      );
      assert.ok(deliveries.every((delivery) => delivery.read_ct === 1), "each delivery is a first read");
      const [{ unread }] = await sender<{ unread: number }[]>`
        select count(*)::int as unread from pgmq.read(${queue}, ${VT_SECONDS}, ${MESSAGES})`;
      assert.equal(unread, 0, "no message is visible again while its vt runs");
    } finally {
      await Promise.all([sender, ...readers].map((sql) => sql.end()));
    }
  });
});

Deno.test("pgmq: a message is invisible to readers until its transaction commits, and never after a rollback", async () => {
  await withQueue(async (url, queue) => {
    const writer = connect(url);
    const reader = connect(url);
    try {
      await writer.begin(async (transaction) => {
        await transaction`select pgmq.send(${queue}, '{"n": 1}')`;
        const during = await reader`select msg_id from pgmq.read(${queue}, ${VT_SECONDS}, 10)`;
        assert.equal(during.length, 0, "a reader saw an uncommitted message");
      });
      const afterCommit = await reader`select message from pgmq.read(${queue}, ${VT_SECONDS}, 10)`;
      assert.deepEqual(afterCommit.map((row) => row.message), [{ n: 1 }]);

      const rolledBack = new Error("roll back");
      await assert.rejects(
        writer.begin(async (transaction) => {
          await transaction`select pgmq.send(${queue}, '{"n": 2}')`;
          throw rolledBack;
        }),
        rolledBack,
      );
      const afterRollback = await reader`select msg_id from pgmq.read(${queue}, ${VT_SECONDS}, 10)`;
      assert.equal(afterRollback.length, 0, "a rolled-back message was delivered");
    } finally {
      await Promise.all([writer.end(), reader.end()]);
    }
  });
});
