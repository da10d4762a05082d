/**
 * Broadcast from Database for the Realtime stand-in. Supabase Realtime tails `realtime.messages` through logical
 * replication; here an `after insert` trigger NOTIFYs `realtime_messages` with the row's id (NOTIFY payloads are
 * capped at 8000 bytes, so the payload stays in the table) and this listener reads each row back and hands it on.
 * NOTIFY is delivered only at commit and in commit order, so rolled-back sends are never seen and order holds.
 *
 * The LISTEN connection is reopened (with backoff) whenever it drops; messages committed while it is down are
 * not replayed, matching Realtime's "delivery is not guaranteed".
 */
import type postgres from "postgres";
import type { PlatformContext } from "../context.ts";
import { errorFields } from "../log.ts";

export const MESSAGES_CHANNEL = "realtime_messages";

export interface StoredBroadcast {
  id: string;
  topic: string;
  event: string;
  private: boolean;
  payload: unknown;
}

export interface MessageListener {
  close(): Promise<void>;
}

/** postgres.js delivers NOTIFY through this option (its own `listen` is built on it); its typings omit it. */
type ListenerOptions = postgres.Options<Record<string, postgres.PostgresType>> & {
  onnotify: (channel: string, payload: string) => void;
};

const RETRY_MIN_MS = 250;
const RETRY_MAX_MS = 10_000;

interface Notification {
  id?: unknown;
}

export function startMessageListener(
  context: Pick<PlatformContext, "admin" | "connect" | "log">,
  onMessage: (message: StoredBroadcast) => void,
): MessageListener {
  const { admin, log } = context;
  let connection: postgres.Sql | null = null;
  let closed = false;
  let retryDelay = RETRY_MIN_MS;
  let retryTimer: ReturnType<typeof setTimeout> | undefined;
  let processing: Promise<void> = Promise.resolve();

  const deliver = async (id: string) => {
    const rows = await admin<(StoredBroadcast & { extension: string })[]>`
      select id, topic, event, private, payload, extension from realtime.messages where id = ${id}`;
    const row = rows[0];
    // Realtime only broadcasts rows that carry a payload and an event; presence rows are not broadcasts.
    if (!row || row.extension !== "broadcast" || row.payload === null || row.event === null) return;
    onMessage({
      id: row.id,
      topic: row.topic,
      event: row.event,
      private: row.private === true,
      payload: row.payload,
    });
  };

  const onNotify = (payload: string) => {
    let id: unknown;
    try {
      id = (JSON.parse(payload) as Notification).id;
    } catch {
      // Not ours to interpret; fall through to the warning below.
    }
    if (typeof id !== "string") {
      log.warn("realtime_notification_ignored", {});
      return;
    }
    processing = processing.then(() => deliver(id)).catch((error) => {
      log.error("realtime_message_read_failed", errorFields(error));
    });
  };

  const scheduleReopen = () => {
    if (closed || retryTimer !== undefined) return;
    retryTimer = setTimeout(() => {
      retryTimer = undefined;
      void open();
    }, retryDelay);
    retryDelay = Math.min(retryDelay * 2, RETRY_MAX_MS);
  };

  const open = async () => {
    if (closed) return;
    const options: ListenerOptions = {
      max: 1,
      idle_timeout: 0,
      // A LISTEN lives as long as its session: never recycle the connection.
      max_lifetime: null,
      connection: { application_name: "realtime_message_listener" },
      onnotify: (channel, payload) => {
        if (channel === MESSAGES_CHANNEL) onNotify(payload);
      },
      onclose: () => {
        if (connection !== current) return;
        connection = null;
        log.warn("realtime_listener_disconnected", {});
        void current.end({ timeout: 0 });
        scheduleReopen();
      },
    };
    const current = context.connect(options);
    connection = current;
    try {
      await current.unsafe(`listen ${MESSAGES_CHANNEL}`);
      retryDelay = RETRY_MIN_MS;
      log.info("realtime_listener_ready", {});
    } catch (error) {
      if (connection === current) connection = null;
      await current.end({ timeout: 0 });
      if (closed) return;
      log.warn("realtime_listener_failed", errorFields(error));
      scheduleReopen();
    }
  };

  void open();

  return {
    async close() {
      closed = true;
      clearTimeout(retryTimer);
      const current = connection;
      connection = null;
      await current?.end({ timeout: 1 });
      await processing;
    },
  };
}
