import assert from "node:assert/strict";
import { createClient, type RealtimeChannel, type SupabaseClient } from "@supabase/supabase-js";
import postgres from "postgres";
import { eventually, startTestPlatform, type TestPlatform } from "../support/test_platform.ts";

interface Received {
  type: string;
  event: string;
  payload: Record<string, unknown>;
  meta?: { id: string };
}

type JoinOutcome = { status: "SUBSCRIBED" } | {
  status: "CHANNEL_ERROR" | "TIMED_OUT" | "CLOSED";
  error?: Error;
};

/** What a project migration would create: policies on realtime.messages and a trigger using broadcast_changes. */
const MIGRATION_SQL = `
create policy "users receive their own topic" on realtime.messages for select to authenticated
  using ((select realtime.topic()) = 'user:' || (select auth.uid())::text and extension = 'broadcast');
create policy "users send on their own topic" on realtime.messages for insert to authenticated
  with check ((select realtime.topic()) = 'user:' || (select auth.uid())::text and extension = 'broadcast');
create policy "users receive announcements" on realtime.messages for select to authenticated
  using ((select realtime.topic()) = 'announcements');

create table public.books (
  id uuid primary key default gen_random_uuid(),
  owner_id uuid not null,
  title text not null
);
-- security definer: the owner (postgres) may write realtime.messages whoever edits the book
create function public.broadcast_book_change() returns trigger
language plpgsql security definer set search_path = '' as $$
begin
  perform realtime.broadcast_changes(
    'user:' || coalesce(new.owner_id, old.owner_id)::text, tg_op, tg_op, tg_table_name, tg_table_schema, new, old);
  return null;
end
$$;
create trigger books_broadcast after insert or update or delete on public.books
  for each row execute function public.broadcast_book_change();
`;

class RealtimeUser {
  readonly client: SupabaseClient;

  constructor(platform: TestPlatform, options: { vsn?: string } = {}) {
    this.client = createClient(platform.url, platform.anonKey, {
      auth: { persistSession: false, autoRefreshToken: false, detectSessionInUrl: false },
      realtime: options.vsn ? { vsn: options.vsn } : {},
    });
  }

  /** Joins `topic` and collects its broadcasts; resolves with the first outcome of the join. */
  async join(topic: string, config: { private?: boolean; self?: boolean; ack?: boolean } = {}) {
    const received: Received[] = [];
    const system: Record<string, unknown>[] = [];
    const statuses: string[] = [];
    const channel = this.client.channel(topic, {
      config: {
        private: config.private ?? false,
        broadcast: { self: config.self ?? false, ack: config.ack ?? false },
      },
    });
    channel.on("broadcast", { event: "*" }, (message) => received.push(message as Received));
    channel.on("system", {}, (message) => system.push(message));
    const outcome = await new Promise<JoinOutcome>((resolve) => {
      channel.subscribe((status, error) => {
        statuses.push(status);
        resolve({ status, error } as JoinOutcome);
      });
    });
    return { channel, received, system, statuses, outcome };
  }

  async close() {
    await this.client.removeAllChannels();
  }
}

function eventsOf(received: Received[]): string[] {
  return received.map((message) => message.event);
}

async function receivedEvent(received: Received[], event: string): Promise<Received> {
  return await eventually(() => Promise.resolve(received.find((message) => message.event === event)), event);
}

/** Waits until the stand-in's LISTEN is in place (on a backend other than `replacedPid`); returns its pid. */
async function waitForListener(platform: TestPlatform, replacedPid?: number): Promise<number> {
  return await eventually(async () => {
    const rows = await platform.admin<{ pid: number }[]>`
      select pid from pg_stat_activity
      where datname = current_database() and application_name = 'realtime_message_listener'
        and query = 'listen realtime_messages' and state = 'idle' and pid is distinct from ${
      replacedPid ?? null
    }`;
    return rows[0]?.pid;
  }, "the realtime message listener");
}

Deno.test("realtime broadcast stand-in", async (t) => {
  const platform = await startTestPlatform({ name: "realtime" });
  const asPostgres = postgres(platform.databaseUrl, { max: 1, onnotice: () => {} });
  const users: RealtimeUser[] = [];
  const user = (options?: { vsn?: string }) => {
    const created = new RealtimeUser(platform, options);
    users.push(created);
    return created;
  };
  const keys = platform.platform.context.keys;
  const tokenFor = (sub: string) =>
    keys.signAccessToken({ sub, role: "authenticated", aud: "authenticated" }, 3600);
  const alice = crypto.randomUUID();
  const bob = crypto.randomUUID();
  const send = (topic: string, event: string, payload: unknown, isPrivate = true) =>
    asPostgres`select realtime.send(${
      asPostgres.json(payload as postgres.JSONValue)
    }, ${event}, ${topic}, ${isPrivate})`;

  try {
    await asPostgres.unsafe(MIGRATION_SQL);
    await waitForListener(platform);

    await t.step("a private channel receives realtime.send messages its user's policy allows", async () => {
      const reader = user();
      await reader.client.realtime.setAuth(await tokenFor(alice));
      const { outcome, received } = await reader.join(`user:${alice}`, { private: true });
      assert.deepEqual(outcome.status, "SUBSCRIBED");

      await send(`user:${alice}`, "progress", { page: 1, of: 12 });
      const message = await receivedEvent(received, "progress");
      assert.deepEqual(message.type, "broadcast");
      assert.deepEqual(message.payload.page, 1);
      assert.deepEqual(message.payload.of, 12);
      // realtime.send stamps the stored message's id into the payload and Realtime sends it as meta.id
      assert.deepEqual(message.meta?.id, message.payload.id);
    });

    await t.step("another user's join to that private topic is refused and receives nothing", async () => {
      const owner = user();
      await owner.client.realtime.setAuth(await tokenFor(alice));
      const ownerChannel = await owner.join(`user:${alice}`, { private: true });
      const intruder = user();
      await intruder.client.realtime.setAuth(await tokenFor(bob));
      const { outcome, received } = await intruder.join(`user:${alice}`, { private: true });

      assert.deepEqual(outcome.status, "CHANNEL_ERROR");
      assert.ok(outcome.status === "CHANNEL_ERROR" && outcome.error);
      assert.match(
        outcome.error.message,
        new RegExp(
          `^Unauthorized: You do not have permissions to read from this Channel topic: user:${alice}$`,
        ),
      );
      await send(`user:${alice}`, "secret", { n: 1 });
      await receivedEvent(ownerChannel.received, "secret");
      assert.deepEqual(received, []);
    });

    await t.step("an anonymous caller cannot join a private channel without a policy for anon", async () => {
      const anonymous = user();
      const { outcome } = await anonymous.join(`user:${alice}`, { private: true });
      assert.deepEqual(outcome.status, "CHANNEL_ERROR");
    });

    await t.step(
      "a public channel relays client broadcasts to the others, with an ack for the sender",
      async () => {
        const sender = user();
        const listener = user();
        const sent = await sender.join("room:1", { ack: true });
        const heard = await listener.join("room:1");
        assert.deepEqual([sent.outcome.status, heard.outcome.status], ["SUBSCRIBED", "SUBSCRIBED"]);

        const ack = await sent.channel.send({ type: "broadcast", event: "chat", payload: { text: "héllo" } });
        assert.deepEqual(ack, "ok");
        const message = await receivedEvent(heard.received, "chat");
        assert.deepEqual(message.payload, { text: "héllo" });

        // The reply travels back the same way; by the time it arrives the sender's own message would have too.
        await heard.channel.send({ type: "broadcast", event: "reply", payload: { text: "hi" } });
        await receivedEvent(sent.received, "reply");
        assert.deepEqual(eventsOf(sent.received), ["reply"]);
      },
    );

    await t.step("a sender with broadcast.self receives its own message", async () => {
      const echo = user();
      const { channel, outcome, received } = await echo.join("room:self", { self: true });
      assert.deepEqual(outcome.status, "SUBSCRIBED");
      await channel.send({ type: "broadcast", event: "echo", payload: { n: 7 } });
      assert.deepEqual((await receivedEvent(received, "echo")).payload, { n: 7 });
    });

    await t.step("database messages reach public channels only when sent as public", async () => {
      const listener = user();
      const { received } = await listener.join("news");
      await send("news", "private-news", { n: 1 }, true);
      await send("news", "public-news", { n: 2 }, false);
      await receivedEvent(received, "public-news");
      assert.deepEqual(eventsOf(received), ["public-news"]);
    });

    await t.step("a message sent in a rolled-back transaction is never delivered", async () => {
      const reader = user();
      await reader.client.realtime.setAuth(await tokenFor(alice));
      const { received } = await reader.join(`user:${alice}`, { private: true });
      await asPostgres.begin(async (sql) => {
        await sql`select realtime.send('{"n": 1}'::jsonb, 'rolled-back', ${`user:${alice}`}, true)`;
        throw new Error("roll back");
      }).catch(() => {});
      await send(`user:${alice}`, "committed", { n: 2 });
      await receivedEvent(received, "committed");
      assert.deepEqual(eventsOf(received), ["committed"]);
    });

    await t.step("broadcast_changes from a trigger arrives with its record and old_record", async () => {
      const reader = user();
      await reader.client.realtime.setAuth(await tokenFor(alice));
      const { received } = await reader.join(`user:${alice}`, { private: true });
      const [book] = await asPostgres`
        insert into public.books (owner_id, title) values (${alice}, 'The Fox') returning id`;
      await asPostgres`update public.books set title = 'The Brave Fox' where id = ${book.id}`;

      const inserted = await receivedEvent(received, "INSERT");
      assert.deepEqual(inserted.payload.operation, "INSERT");
      assert.deepEqual(inserted.payload.table, "books");
      assert.deepEqual(inserted.payload.schema, "public");
      assert.deepEqual(inserted.payload.record, { id: book.id, owner_id: alice, title: "The Fox" });
      assert.deepEqual(inserted.payload.old_record, null);

      const updated = await receivedEvent(received, "UPDATE");
      assert.deepEqual(updated.payload.record, { id: book.id, owner_id: alice, title: "The Brave Fox" });
      assert.deepEqual(updated.payload.old_record, { id: book.id, owner_id: alice, title: "The Fox" });
    });

    await t.step("client broadcasts on a private channel need an insert policy", async () => {
      const owner = user();
      await owner.client.realtime.setAuth(await tokenFor(alice));
      const own = await owner.join(`user:${alice}`, { private: true, self: true, ack: true });
      assert.deepEqual(await own.channel.send({ type: "broadcast", event: "mine", payload: {} }), "ok");
      await receivedEvent(own.received, "mine");

      // `announcements` may be read by any signed-in user but written by none.
      const writer = user();
      await writer.client.realtime.setAuth(await tokenFor(bob));
      const readers = user();
      await readers.client.realtime.setAuth(await tokenFor(alice));
      const reading = await readers.join("announcements", { private: true });
      const writing = await writer.join("announcements", { private: true });
      assert.deepEqual([reading.outcome.status, writing.outcome.status], ["SUBSCRIBED", "SUBSCRIBED"]);
      await writing.channel.send({ type: "broadcast", event: "forged", payload: {} });
      await send("announcements", "official", {});
      await receivedEvent(reading.received, "official");
      assert.deepEqual(eventsOf(reading.received), ["official"]);
    });

    await t.step(
      "a new access token is checked again and closes a channel its user may not read",
      async () => {
        const reader = user();
        await reader.client.realtime.setAuth(await tokenFor(alice));
        const { outcome, system, statuses } = await reader.join(`user:${alice}`, { private: true });
        assert.deepEqual(outcome.status, "SUBSCRIBED");
        await reader.client.realtime.setAuth(await tokenFor(bob));
        const closing = await eventually(() => Promise.resolve(system[0]), "the system message");
        assert.deepEqual(closing, {
          extension: "system",
          status: "error",
          message: `You do not have permissions to read from this Channel topic: user:${alice}`,
          channel: `user:${alice}`,
        });
        await eventually(
          () => Promise.resolve(statuses.includes("CLOSED") ? true : undefined),
          "the channel to close",
        );
      },
    );

    await t.step("a join with a token that is not a JWT is refused", async () => {
      const forger = user();
      await forger.client.realtime.setAuth("not-a-jwt");
      const { outcome } = await forger.join("room:1");
      assert.deepEqual(outcome.status, "CHANNEL_ERROR");
      assert.ok(outcome.status === "CHANNEL_ERROR" && outcome.error);
      assert.deepEqual(outcome.error.message, "MalformedJWT: The token provided is not a valid JWT");
    });

    await t.step("a join with an expired token is refused", async () => {
      const late = user();
      await late.client.realtime.setAuth(
        await keys.signAccessToken({ sub: alice, role: "authenticated", aud: "authenticated" }, -10),
      );
      const { outcome } = await late.join(`user:${alice}`, { private: true });
      assert.deepEqual(outcome.status, "CHANNEL_ERROR");
      assert.ok(outcome.status === "CHANNEL_ERROR" && outcome.error);
      assert.match(outcome.error.message, /^InvalidJWTToken: Token has expired \d+ seconds ago$/);
    });

    await t.step("the socket refuses a connection whose apikey is not a valid JWT", async () => {
      const url = `${platform.url.replace("http", "ws")}/realtime/v1/websocket?apikey=nope&vsn=2.0.0`;
      const socket = new WebSocket(url);
      const outcome = await new Promise<string>((resolve) => {
        socket.onopen = () => resolve("open");
        socket.onerror = () => resolve("error");
      });
      socket.close();
      assert.deepEqual(outcome, "error");
    });

    await t.step("protocol 1.0.0 and 2.0.0 clients hear each other", async () => {
      const legacy = user({ vsn: "1.0.0" });
      const current = user();
      const old = await legacy.join("room:mixed");
      const recent = await current.join("room:mixed");
      assert.deepEqual([old.outcome.status, recent.outcome.status], ["SUBSCRIBED", "SUBSCRIBED"]);
      await recent.channel.send({ type: "broadcast", event: "from-v2", payload: { n: 2 } });
      assert.deepEqual((await receivedEvent(old.received, "from-v2")).payload, { n: 2 });
      await old.channel.send({ type: "broadcast", event: "from-v1", payload: { n: 1 } });
      assert.deepEqual((await receivedEvent(recent.received, "from-v1")).payload, { n: 1 });
    });

    await t.step("binary payloads reach 2.0.0 subscribers byte for byte", async () => {
      const listener = await user().join("room:bytes");
      const sender = await user().join("room:bytes");
      const bytes = Uint8Array.from([0, 7, 128, 255]);
      await sender.channel.send({ type: "broadcast", event: "bytes", payload: bytes.buffer });
      const message = await receivedEvent(listener.received, "bytes");
      assert.deepEqual(new Uint8Array(message.payload as unknown as ArrayBuffer), bytes);
    });

    await t.step("presence is refused without disturbing the channel's broadcasts", async () => {
      const member = await user().join("room:presence", { self: true });
      assert.deepEqual(await member.channel.track({ online: true }), "error");
      await member.channel.send({ type: "broadcast", event: "still-here", payload: {} });
      await receivedEvent(member.received, "still-here");
    });

    await t.step("httpSend reaches the topic's subscribers", async () => {
      const listener = user();
      const { received } = await listener.join("room:http");
      const sender = user();
      const channel: RealtimeChannel = sender.client.channel("room:http");
      assert.deepEqual(await channel.httpSend("posted", { via: "rest" }), { success: true });
      assert.deepEqual((await receivedEvent(received, "posted")).payload, { via: "rest" });
    });

    await t.step(
      "the REST batch route delivers private messages only where the caller may write",
      async () => {
        const room = await user().join("room:batch");
        const own = user();
        await own.client.realtime.setAuth(await tokenFor(alice));
        const alices = await own.join(`user:${alice}`, { private: true });
        const other = user();
        await other.client.realtime.setAuth(await tokenFor(bob));
        const bobs = await other.join(`user:${bob}`, { private: true });

        const response = await fetch(`${platform.url}/realtime/v1/api/broadcast`, {
          method: "POST",
          headers: {
            apikey: platform.anonKey,
            authorization: `Bearer ${await tokenFor(alice)}`,
            "content-type": "application/json",
          },
          body: JSON.stringify({
            messages: [
              { topic: "room:batch", event: "public-batch", payload: { n: 1 } },
              { topic: `user:${alice}`, event: "own", payload: { n: 2 }, private: true },
              { topic: `user:${bob}`, event: "forged", payload: { n: 3 }, private: true },
            ],
          }),
        });
        await response.body?.cancel();
        assert.deepEqual(response.status, 202);
        assert.deepEqual((await receivedEvent(room.received, "public-batch")).payload, { n: 1 });
        assert.deepEqual((await receivedEvent(alices.received, "own")).payload, { n: 2 });
        await send(`user:${bob}`, "marker", {});
        await receivedEvent(bobs.received, "marker");
        assert.deepEqual(eventsOf(bobs.received), ["marker"]);
      },
    );

    await t.step("a channel is closed when its token expires", async () => {
      const reader = user();
      await reader.client.realtime.setAuth(
        await keys.signAccessToken({ sub: alice, role: "authenticated", aud: "authenticated" }, 2),
      );
      const { outcome, system } = await reader.join(`user:${alice}`, { private: true });
      assert.deepEqual(outcome.status, "SUBSCRIBED");
      const closing = await eventually(() => Promise.resolve(system[0]), "the expiry system message");
      assert.deepEqual(closing.status, "error");
      assert.match(String(closing.message), /^Token has expired \d+ seconds ago$/);
    });

    await t.step("delivery resumes after the listener's database connection is dropped", async () => {
      const reader = user();
      await reader.client.realtime.setAuth(await tokenFor(alice));
      const { received } = await reader.join(`user:${alice}`, { private: true });
      const dropped = await waitForListener(platform);
      await platform.admin`select pg_terminate_backend(${dropped})`;
      await waitForListener(platform, dropped);
      await send(`user:${alice}`, "after-reconnect", {});
      await receivedEvent(received, "after-reconnect");
    });
  } finally {
    await Promise.all(users.map((each) => each.close()));
    await asPostgres.end();
    await platform.close();
  }
});
