/**
 * One client WebSocket of the Realtime stand-in: the Phoenix channel protocol as Supabase Realtime serves it for
 * Broadcast. Frames are handled one at a time in arrival order (joins wait for their authorization queries), so a
 * broadcast pushed right after a join is handled after that join, as on a Phoenix channel.
 */
import type postgres from "postgres";
import type { Caller } from "../caller.ts";
import type { PlatformKeys } from "../keys.ts";
import type { Logger } from "../log.ts";
import { canWriteBroadcast, type ReadPolicies, readPolicies } from "./authorization.ts";
import { type Broadcast, type ChannelMember, type ChannelRegistry, wireTopic } from "./channel_registry.ts";
import { checkChannelToken, withoutCode } from "./channel_token.ts";
import {
  decodeFrame,
  encodeFrame,
  isUserBroadcast,
  type OutgoingMessage,
  type PhoenixMessage,
  ProtocolError,
  type ProtocolVersion,
} from "./serializer.ts";
import { errorFields } from "../log.ts";

export interface ConnectionDependencies {
  admin: postgres.Sql;
  keys: PlatformKeys;
  log: Logger;
  registry: ChannelRegistry;
}

export interface ConnectionOptions {
  version: ProtocolVersion;
  /** The verified `apikey` the socket connected with; joins without their own token use it. */
  socketToken: string;
  /** Upgrade request headers, given to policies as `request.headers`. */
  headers: Record<string, string>;
}

const TOPIC_PREFIX = "realtime:";
/** Like Realtime, re-check a token at its expiry, but at least hourly (timers cannot wait arbitrarily long). */
const MAX_TOKEN_CHECK_INTERVAL_SECONDS = 3600;
/** How long `close()` waits for a client to answer the closing handshake. */
const CLOSE_HANDSHAKE_TIMEOUT_MS = 2000;

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

const nowSeconds = () => Math.floor(Date.now() / 1000);

class Channel implements ChannelMember {
  policies: ReadPolicies | null = null;
  /** Cached result of the write check; cleared when the token changes. */
  canWrite: boolean | null = null;
  tokenTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(
    readonly topic: string,
    readonly joinRef: string | null,
    readonly isPrivate: boolean,
    readonly broadcastSelf: boolean,
    readonly broadcastAck: boolean,
    public caller: Caller,
    public token: string,
    readonly deliver: (outgoing: OutgoingMessage) => void,
  ) {}

  get wireTopic(): string {
    return wireTopic(this.topic);
  }

  canReadBroadcast(): boolean {
    return !this.isPrivate || this.policies?.broadcast === true;
  }
}

export class RealtimeConnection {
  readonly #socket: WebSocket;
  readonly #options: ConnectionOptions;
  readonly #deps: ConnectionDependencies;
  readonly #channels = new Map<string, Channel>();
  #queue: Promise<void> = Promise.resolve();
  #disposed = false;
  readonly #closed = Promise.withResolvers<void>();

  constructor(socket: WebSocket, options: ConnectionOptions, deps: ConnectionDependencies) {
    this.#socket = socket;
    this.#options = options;
    this.#deps = deps;
    socket.binaryType = "arraybuffer";
    socket.onmessage = (event: MessageEvent<string | ArrayBuffer>) =>
      this.#enqueue(() => this.#handleFrame(event.data));
    socket.onclose = () => this.#dispose();
    socket.onerror = () => this.#dispose();
  }

  /** Settles once the socket is closed and every channel of it has left. */
  get closed(): Promise<void> {
    return this.#closed.promise;
  }

  /** Closes the socket (code 1001, going away), waiting briefly for the client's side of the handshake. */
  async close(): Promise<void> {
    if (this.#socket.readyState === WebSocket.OPEN || this.#socket.readyState === WebSocket.CONNECTING) {
      try {
        this.#socket.close(1001, "server shutting down");
      } catch {
        // Not open yet: dispose below is enough.
      }
    }
    let timer: ReturnType<typeof setTimeout> | undefined;
    await Promise.race([
      this.closed,
      new Promise<void>((resolve) => timer = setTimeout(resolve, CLOSE_HANDSHAKE_TIMEOUT_MS)),
    ]);
    clearTimeout(timer);
    this.#dispose();
    await this.#queue;
  }

  #enqueue(work: () => Promise<void>): void {
    this.#queue = this.#queue.then(work).catch((error) => {
      this.#deps.log.error("realtime_frame_failed", errorFields(error));
    });
  }

  #dispose(): void {
    if (this.#disposed) return;
    this.#disposed = true;
    for (const channel of this.#channels.values()) this.#forget(channel);
    this.#closed.resolve();
  }

  #send(outgoing: OutgoingMessage): void {
    if (this.#socket.readyState !== WebSocket.OPEN) return;
    let frame: string | Uint8Array | null;
    try {
      frame = encodeFrame(this.#options.version, outgoing);
    } catch (error) {
      this.#deps.log.warn("realtime_frame_not_encodable", errorFields(error));
      return;
    }
    if (frame !== null) this.#socket.send(frame);
  }

  #push(message: PhoenixMessage): void {
    this.#send({ kind: "message", message });
  }

  #reply(to: PhoenixMessage, status: "ok" | "error", response: Record<string, unknown>): void {
    this.#push({
      joinRef: to.joinRef,
      ref: to.ref,
      topic: to.topic,
      event: "phx_reply",
      payload: { status, response },
    });
  }

  async #handleFrame(data: string | ArrayBuffer): Promise<void> {
    let message: PhoenixMessage;
    try {
      message = decodeFrame(this.#options.version, data);
    } catch (error) {
      if (!(error instanceof ProtocolError)) throw error;
      this.#deps.log.warn("realtime_bad_frame", errorFields(error));
      return;
    }
    if (message.topic === "phoenix" && message.event === "heartbeat") return this.#reply(message, "ok", {});
    if (message.event === "phx_join") return await this.#join(message);

    const channel = this.#channels.get(message.topic);
    if (!channel || channel.joinRef !== message.joinRef) {
      return this.#reply(message, "error", { reason: "unmatched topic" });
    }
    switch (message.event) {
      case "phx_leave":
        this.#forget(channel);
        return this.#reply(message, "ok", {});
      case "broadcast":
        return await this.#broadcast(channel, message);
      case "access_token":
        return await this.#refreshToken(channel, message.payload);
      case "presence":
        return this.#reply(message, "error", { reason: "Presence is not available on the local platform" });
      default:
        // Realtime ignores unexpected client events too.
        return;
    }
  }

  async #join(message: PhoenixMessage): Promise<void> {
    if (!message.topic.startsWith(TOPIC_PREFIX)) {
      return this.#reply(message, "error", { reason: "unmatched topic" });
    }
    const topic = message.topic.slice(TOPIC_PREFIX.length);
    if (topic === "") {
      return this.#reply(message, "error", { reason: "TopicNameRequired: You must provide a topic name" });
    }
    const previous = this.#channels.get(message.topic);
    if (previous) this.#closeChannel(previous);

    const params = isObject(message.payload) ? message.payload : {};
    const config = isObject(params.config) ? params.config : {};
    const broadcastConfig = isObject(config.broadcast) ? config.broadcast : {};
    if (Array.isArray(config.postgres_changes) && config.postgres_changes.length > 0) {
      this.#deps.log.warn("realtime_postgres_changes_unsupported", {});
    }

    const token = this.#joinToken(params);
    const check = await checkChannelToken(this.#deps.keys, token, nowSeconds());
    if (!check.ok) return this.#reply(message, "error", { reason: check.reason });

    const channel = new Channel(
      topic,
      message.joinRef,
      config.private === true,
      broadcastConfig.self === true,
      broadcastConfig.ack === true,
      check.caller,
      token,
      (outgoing) => this.#send(outgoing),
    );
    if (channel.isPrivate) {
      const policies = await this.#readPolicies(channel);
      if (!policies || (!policies.broadcast && !policies.presence)) {
        return this.#reply(message, "error", {
          reason: `Unauthorized: You do not have permissions to read from this Channel topic: ${topic}`,
        });
      }
      channel.policies = policies;
    }
    if (this.#disposed) return;
    this.#channels.set(message.topic, channel);
    this.#deps.registry.add(channel);
    this.#scheduleTokenCheck(channel, check.expiresAt);
    this.#reply(message, "ok", { postgres_changes: [] });
  }

  /** The join's `access_token` (or legacy `user_token`); opaque `sb_` keys and absent tokens mean the socket's. */
  #joinToken(params: Record<string, unknown>): string {
    const token = params.access_token ?? params.user_token;
    if (typeof token !== "string" || token === "" || token.startsWith("sb_")) {
      return this.#options.socketToken;
    }
    return token;
  }

  async #readPolicies(channel: Channel): Promise<ReadPolicies | null> {
    try {
      return await readPolicies(this.#deps.admin, this.#authorizationContext(channel));
    } catch (error) {
      // A policy that raises refuses the join, as Realtime treats an RLS error.
      this.#deps.log.warn("realtime_policy_error", errorFields(error));
      return null;
    }
  }

  async #canWrite(channel: Channel): Promise<boolean> {
    if (channel.canWrite === null) {
      try {
        channel.canWrite = await canWriteBroadcast(this.#deps.admin, this.#authorizationContext(channel));
      } catch (error) {
        this.#deps.log.warn("realtime_policy_error", errorFields(error));
        return false;
      }
    }
    return channel.canWrite;
  }

  #authorizationContext(channel: Channel) {
    return { caller: channel.caller, topic: channel.topic, headers: this.#options.headers };
  }

  async #broadcast(channel: Channel, message: PhoenixMessage): Promise<void> {
    // Without write permission on a private channel the message is dropped without a reply, as on Supabase.
    if (channel.isPrivate && !(await this.#canWrite(channel))) return;
    if (!this.#isCurrent(channel)) return;
    let broadcast: Broadcast;
    if (isUserBroadcast(message.payload)) {
      // Realtime does not forward the sender's frame metadata.
      broadcast = { kind: "user", broadcast: { ...message.payload, metadata: null } };
    } else if (isObject(message.payload)) {
      broadcast = { kind: "json", payload: message.payload };
    } else {
      return;
    }
    this.#deps.registry.broadcast(
      channel.topic,
      channel.isPrivate,
      broadcast,
      channel.broadcastSelf ? undefined : channel,
    );
    if (channel.broadcastAck) this.#reply(message, "ok", {});
  }

  async #refreshToken(channel: Channel, payload: unknown): Promise<void> {
    const token = isObject(payload) ? payload.access_token : undefined;
    if (typeof token !== "string" || token.startsWith("sb_") || token === channel.token) return;
    const check = await checkChannelToken(this.#deps.keys, token, nowSeconds());
    if (!this.#isCurrent(channel)) return;
    if (!check.ok) return this.#shutdown(channel, withoutCode(check.reason));

    const previous = channel.policies;
    channel.caller = check.caller;
    channel.token = token;
    channel.canWrite = null;
    if (channel.isPrivate) {
      const policies = await this.#readPolicies(channel);
      if (!this.#isCurrent(channel)) return;
      if (!policies || (!policies.broadcast && !policies.presence)) {
        return this.#shutdown(
          channel,
          `You do not have permissions to read from this Channel topic: ${channel.topic}`,
        );
      }
      const revoked = (previous?.broadcast && !policies.broadcast) ||
        (previous?.presence && !policies.presence);
      if (revoked) {
        return this.#shutdown(
          channel,
          `You no longer have permission to read from this Channel topic: ${channel.topic}`,
        );
      }
      channel.policies = policies;
    }
    this.#scheduleTokenCheck(channel, check.expiresAt);
  }

  #scheduleTokenCheck(channel: Channel, expiresAt: number): void {
    clearTimeout(channel.tokenTimer);
    const seconds = Math.min(Math.max(expiresAt - nowSeconds(), 0), MAX_TOKEN_CHECK_INTERVAL_SECONDS);
    channel.tokenTimer = setTimeout(() => this.#enqueue(() => this.#confirmToken(channel)), seconds * 1000);
  }

  async #confirmToken(channel: Channel): Promise<void> {
    if (!this.#isCurrent(channel)) return;
    const check = await checkChannelToken(this.#deps.keys, channel.token, nowSeconds());
    if (!this.#isCurrent(channel)) return;
    if (!check.ok) return this.#shutdown(channel, withoutCode(check.reason));
    this.#scheduleTokenCheck(channel, check.expiresAt);
  }

  #isCurrent(channel: Channel): boolean {
    return !this.#disposed && this.#channels.get(channel.wireTopic) === channel;
  }

  /** Server-side end of a channel: a system message saying why, then `phx_close`, as Realtime does. */
  #shutdown(channel: Channel, message: string): void {
    this.#push({
      joinRef: channel.joinRef,
      ref: null,
      topic: channel.wireTopic,
      event: "system",
      payload: { extension: "system", status: "error", message, channel: channel.topic },
    });
    this.#closeChannel(channel);
  }

  #closeChannel(channel: Channel): void {
    this.#forget(channel);
    this.#push({
      joinRef: channel.joinRef,
      ref: channel.joinRef,
      topic: channel.wireTopic,
      event: "phx_close",
      payload: {},
    });
  }

  #forget(channel: Channel): void {
    clearTimeout(channel.tokenTimer);
    if (this.#channels.get(channel.wireTopic) === channel) this.#channels.delete(channel.wireTopic);
    this.#deps.registry.remove(channel);
  }
}
