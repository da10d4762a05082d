/**
 * Frames of the Phoenix socket protocol as Supabase Realtime speaks it (stand-in for Realtime's serializers).
 *
 * - vsn 1.0.0: every frame is a JSON object `{join_ref, ref, topic, event, payload}`.
 * - vsn 2.0.0: text frames are JSON arrays `[join_ref, ref, topic, event, payload]`; broadcasts may also travel
 *   as binary frames. A client sends a "user broadcast push" (kind 3) and receives a "user broadcast" (kind 4):
 *
 *     push:    kind | join_ref len | ref len | topic len | event len | meta len | encoding | strings… | payload
 *     deliver: kind | topic len | event len | meta len | encoding | topic | event | meta | payload
 *
 *   Every length is one byte (so each string is at most 255 UTF-8 bytes); encoding 0 is raw bytes, 1 is JSON.
 */

export type ProtocolVersion = "1.0.0" | "2.0.0";

export const SUPPORTED_VERSIONS: readonly ProtocolVersion[] = ["1.0.0", "2.0.0"];

const USER_BROADCAST_PUSH = 3;
const USER_BROADCAST = 4;
const BINARY_ENCODING = 0;
const JSON_ENCODING = 1;

/** A user broadcast whose payload is kept as the bytes the sender encoded. */
export interface UserBroadcast {
  kind: "user_broadcast";
  event: string;
  encoding: "json" | "binary";
  payload: Uint8Array;
  /** JSON metadata the sender attached (realtime-js only forwards `persist`). */
  metadata: Record<string, unknown> | null;
}

/** One protocol message; `payload` is a `UserBroadcast` when it arrived as a binary user broadcast push. */
export interface PhoenixMessage {
  joinRef: string | null;
  ref: string | null;
  topic: string;
  event: string;
  payload: unknown;
}

/** A frame to send: a plain message, or a user broadcast to deliver (binary on 2.0.0, JSON on 1.0.0). */
export type OutgoingMessage =
  | { kind: "message"; message: PhoenixMessage }
  | { kind: "user_broadcast"; topic: string; broadcast: UserBroadcast };

export class ProtocolError extends Error {
  override name = "ProtocolError";
}

export function isUserBroadcast(payload: unknown): payload is UserBroadcast {
  return typeof payload === "object" && payload !== null &&
    (payload as UserBroadcast).kind === "user_broadcast";
}

const encoder = new TextEncoder();
const decoder = new TextDecoder("utf-8", { fatal: true });

function asRef(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  return String(value);
}

function asTopicOrEvent(value: unknown, field: string): string {
  if (typeof value !== "string") throw new ProtocolError(`${field} must be a string`);
  return value;
}

export function decodeFrame(version: ProtocolVersion, frame: string | ArrayBuffer): PhoenixMessage {
  if (typeof frame !== "string") {
    if (version === "1.0.0") throw new ProtocolError("binary frames need protocol 2.0.0");
    return decodeBinaryFrame(new Uint8Array(frame));
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(frame);
  } catch {
    throw new ProtocolError("frame is not valid JSON");
  }
  if (version === "2.0.0") {
    if (!Array.isArray(parsed) || parsed.length < 5) throw new ProtocolError("expected a V2 array frame");
    const [joinRef, ref, topic, event, payload] = parsed;
    return {
      joinRef: asRef(joinRef),
      ref: asRef(ref),
      topic: asTopicOrEvent(topic, "topic"),
      event: asTopicOrEvent(event, "event"),
      payload,
    };
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
    throw new ProtocolError("expected a V1 object frame");
  }
  const object = parsed as Record<string, unknown>;
  return {
    joinRef: asRef(object.join_ref),
    ref: asRef(object.ref),
    topic: asTopicOrEvent(object.topic, "topic"),
    event: asTopicOrEvent(object.event, "event"),
    payload: object.payload,
  };
}

function decodeBinaryFrame(bytes: Uint8Array): PhoenixMessage {
  if (bytes.length < 7 || bytes[0] !== USER_BROADCAST_PUSH) {
    throw new ProtocolError(`unsupported binary frame kind ${bytes[0]}`);
  }
  const [joinRefLength, refLength, topicLength, eventLength, metadataLength, encoding] = bytes.subarray(1, 7);
  let offset = 7;
  const take = (length: number): Uint8Array => {
    if (offset + length > bytes.length) throw new ProtocolError("binary frame is truncated");
    const slice = bytes.subarray(offset, offset + length);
    offset += length;
    return slice;
  };
  const text = (length: number): string => {
    try {
      return decoder.decode(take(length));
    } catch (error) {
      if (error instanceof ProtocolError) throw error;
      throw new ProtocolError("binary frame header is not UTF-8");
    }
  };
  const joinRef = text(joinRefLength);
  const ref = text(refLength);
  const topic = text(topicLength);
  const event = text(eventLength);
  const metadataText = text(metadataLength);
  if (encoding !== BINARY_ENCODING && encoding !== JSON_ENCODING) {
    throw new ProtocolError(`unknown payload encoding ${encoding}`);
  }
  let metadata: Record<string, unknown> | null = null;
  if (metadataText !== "") {
    try {
      metadata = JSON.parse(metadataText);
    } catch {
      throw new ProtocolError("binary frame metadata is not JSON");
    }
  }
  const broadcast: UserBroadcast = {
    kind: "user_broadcast",
    event,
    encoding: encoding === JSON_ENCODING ? "json" : "binary",
    // Copy so the payload outlives the frame's buffer.
    payload: bytes.slice(offset),
    metadata,
  };
  return { joinRef: joinRef || null, ref: ref || null, topic, event: "broadcast", payload: broadcast };
}

/**
 * Encodes a frame for a client speaking `version`. Returns null when that version cannot carry it: protocol
 * 1.0.0 has no binary frames, so a user broadcast with a raw binary payload is not delivered there (as on
 * Supabase).
 */
export function encodeFrame(version: ProtocolVersion, outgoing: OutgoingMessage): string | Uint8Array | null {
  if (outgoing.kind === "message") return encodeMessage(version, outgoing.message);
  const { topic, broadcast } = outgoing;
  if (version === "2.0.0") return encodeUserBroadcast(topic, broadcast);
  if (broadcast.encoding === "binary") return null;
  const payload: Record<string, unknown> = {
    type: "broadcast",
    event: broadcast.event,
    payload: JSON.parse(decoder.decode(broadcast.payload)),
  };
  if (broadcast.metadata) payload.meta = broadcast.metadata;
  return encodeMessage(version, { joinRef: null, ref: null, topic, event: "broadcast", payload });
}

function encodeMessage(version: ProtocolVersion, message: PhoenixMessage): string {
  if (version === "2.0.0") {
    return JSON.stringify([message.joinRef, message.ref, message.topic, message.event, message.payload]);
  }
  return JSON.stringify({
    join_ref: message.joinRef,
    ref: message.ref,
    topic: message.topic,
    event: message.event,
    payload: message.payload,
  });
}

function byteString(value: string, field: string): Uint8Array {
  const bytes = encoder.encode(value);
  if (bytes.length > 255) throw new ProtocolError(`${field} is longer than 255 bytes`);
  return bytes;
}

function encodeUserBroadcast(topic: string, broadcast: UserBroadcast): Uint8Array {
  const topicBytes = byteString(topic, "topic");
  const eventBytes = byteString(broadcast.event, "event");
  const metadataBytes = byteString(broadcast.metadata ? JSON.stringify(broadcast.metadata) : "", "metadata");
  const header = [
    USER_BROADCAST,
    topicBytes.length,
    eventBytes.length,
    metadataBytes.length,
    broadcast.encoding === "json" ? JSON_ENCODING : BINARY_ENCODING,
  ];
  const frame = new Uint8Array(
    header.length + topicBytes.length + eventBytes.length + metadataBytes.length + broadcast.payload.length,
  );
  let offset = 0;
  for (const part of [Uint8Array.from(header), topicBytes, eventBytes, metadataBytes, broadcast.payload]) {
    frame.set(part, offset);
    offset += part.length;
  }
  return frame;
}
