/**
 * Stand-in for Supabase Realtime at `/realtime/v1`, Broadcast only:
 * - `GET /websocket?apikey=…&vsn=…`: the Phoenix socket realtime-js connects to (vsn 1.0.0 and 2.0.0); public
 *   and private channels, private joins authorized by the caller's RLS policies on `realtime.messages`;
 * - Broadcast from Database: rows written by `realtime.send` / `realtime.broadcast_changes` (see
 *   `message_listener.ts`), delivered to the topic's joiners;
 * - `POST /api/broadcast` and `POST /api/broadcast/<topic>/events/<event>`: the REST broadcast routes that
 *   `channel.httpSend()` (and `send()` on a channel that is not joined) use.
 * Presence and Postgres Changes are not provided: a join answers with an empty `postgres_changes` list.
 */
import { type Caller, CallerError, callerFromRequest } from "../caller.ts";
import type { PlatformContext, PlatformService } from "../context.ts";
import { decodePathSegment, json } from "../http.ts";
import { canWriteBroadcast } from "./authorization.ts";
import { type Broadcast, ChannelRegistry } from "./channel_registry.ts";
import { checkChannelToken } from "./channel_token.ts";
import { startMessageListener } from "./message_listener.ts";
import { RealtimeConnection } from "./realtime_connection.ts";
import { type ProtocolVersion, SUPPORTED_VERSIONS } from "./serializer.ts";
import { errorFields } from "../log.ts";

const PREFIX = "/realtime/v1";
/** Supabase keeps Broadcast from Database messages for about three days. */
const MESSAGE_RETENTION = "3 days";
const CLEANUP_INTERVAL_MS = 60 * 60 * 1000;
const TOPIC_EVENT_ROUTE = /^\/api\/broadcast\/([^/]+)\/events\/([^/]+)$/;

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function requestHeaders(request: Request): Record<string, string> {
  return Object.fromEntries(request.headers);
}

export function createRealtimeService(context: PlatformContext): PlatformService {
  const { admin, keys, log } = context;
  const registry = new ChannelRegistry();
  const connections = new Set<RealtimeConnection>();
  let closing = false;

  const listener = startMessageListener(context, (message) => {
    const meta = { id: message.id };
    registry.broadcast(message.topic, message.private, {
      kind: "json",
      payload: { type: "broadcast", event: message.event, payload: message.payload, meta },
    });
  });

  let cleanup: Promise<void> = Promise.resolve();
  const removeExpiredMessages = () => {
    cleanup = cleanup.then(async () => {
      await admin`delete from realtime.messages where inserted_at < now() - ${MESSAGE_RETENTION}::interval`;
    }).catch((error) => log.warn("realtime_cleanup_failed", errorFields(error)));
  };
  removeExpiredMessages();
  const cleanupTimer = setInterval(removeExpiredMessages, CLEANUP_INTERVAL_MS);

  async function openSocket(request: Request, url: URL): Promise<Response> {
    if (request.headers.get("upgrade")?.toLowerCase() !== "websocket") {
      return json({ message: "Expected a WebSocket upgrade" }, 400);
    }
    if (closing) return json({ message: "Realtime is shutting down" }, 503);
    const version = (url.searchParams.get("vsn") ?? "1.0.0") as ProtocolVersion;
    if (!SUPPORTED_VERSIONS.includes(version)) {
      return json({ message: `Unsupported protocol version ${version}` }, 400);
    }
    const apiKey = url.searchParams.get("apikey") ?? request.headers.get("apikey") ??
      request.headers.get("x-api-key");
    if (!apiKey) return json({ message: "No apikey given" }, 403);
    const check = await checkChannelToken(keys, apiKey, Math.floor(Date.now() / 1000));
    if (!check.ok) return json({ message: check.reason }, 403);

    // The request's headers are unreadable once it is upgraded.
    const headers = requestHeaders(request);
    const { socket, response } = Deno.upgradeWebSocket(request);
    const connection = new RealtimeConnection(
      socket,
      { version, socketToken: apiKey, headers },
      { admin, keys, log, registry },
    );
    connections.add(connection);
    void connection.closed.then(() => connections.delete(connection));
    return response;
  }

  async function requestCaller(request: Request): Promise<Caller | Response> {
    try {
      return await callerFromRequest(keys, request) ?? json({ message: "No apikey given" }, 401);
    } catch (error) {
      if (error instanceof CallerError) return json({ message: error.message }, 401);
      throw error;
    }
  }

  /** Delivers one REST broadcast; private topics need the caller's write permission, as on Supabase. */
  async function publish(
    request: Request,
    caller: Caller,
    topic: string,
    isPrivate: boolean,
    broadcast: Broadcast,
    writable: Map<string, boolean>,
  ): Promise<void> {
    if (isPrivate) {
      let allowed = writable.get(topic);
      if (allowed === undefined) {
        allowed = await canWriteBroadcast(admin, { caller, topic, headers: requestHeaders(request) });
        writable.set(topic, allowed);
      }
      if (!allowed) return;
    }
    registry.broadcast(topic, isPrivate, broadcast);
  }

  async function broadcastBatch(request: Request): Promise<Response> {
    const caller = await requestCaller(request);
    if (caller instanceof Response) return caller;
    let body: unknown;
    try {
      body = await request.json();
    } catch {
      return json({ message: "Body must be JSON" }, 400);
    }
    const messages = isObject(body) && Array.isArray(body.messages) ? body.messages : null;
    const valid = messages?.every((message) =>
      isObject(message) && typeof message.topic === "string" && message.topic !== "" &&
      typeof message.event === "string" && isObject(message.payload)
    );
    if (!messages || !valid) {
      return json({ message: "Expected {messages: [{topic, event, payload, private?}]}" }, 400);
    }
    const writable = new Map<string, boolean>();
    for (const message of messages as Record<string, unknown>[]) {
      const topic = message.topic as string;
      await publish(request, caller, topic, message.private === true, {
        kind: "json",
        payload: { type: "broadcast", event: message.event, payload: message.payload },
      }, writable);
    }
    return new Response(null, { status: 202 });
  }

  async function broadcastEvent(request: Request, url: URL, topic: string, event: string): Promise<Response> {
    const caller = await requestCaller(request);
    if (caller instanceof Response) return caller;
    const payload = new Uint8Array(await request.arrayBuffer());
    const isJson = request.headers.get("content-type")?.toLowerCase().startsWith("application/json") ?? false;
    if (isJson) {
      try {
        JSON.parse(new TextDecoder().decode(payload));
      } catch {
        return json({ message: "Body must be JSON" }, 400);
      }
    }
    await publish(request, caller, topic, url.searchParams.get("private") === "true", {
      kind: "user",
      broadcast: {
        kind: "user_broadcast",
        event,
        encoding: isJson ? "json" : "binary",
        payload,
        metadata: null,
      },
    }, new Map());
    return new Response(null, { status: 202 });
  }

  return {
    prefix: PREFIX,
    handle(request, url) {
      const path = url.pathname.slice(PREFIX.length);
      if (path === "/websocket" && request.method === "GET") return openSocket(request, url);
      if (path === "/api/broadcast" && request.method === "POST") return broadcastBatch(request);
      const route = path.match(TOPIC_EVENT_ROUTE);
      const [topic, event] = route
        ? [decodePathSegment(route[1]), decodePathSegment(route[2])]
        : [null, null];
      if (topic !== null && event !== null && request.method === "POST") {
        return broadcastEvent(request, url, topic, event);
      }
      return Promise.resolve(json({ message: "no route matched" }, 404));
    },
    async close() {
      closing = true;
      clearInterval(cleanupTimer);
      await Promise.all([...connections].map((connection) => connection.close()));
      await listener.close();
      await cleanup;
    },
  };
}
