import assert from "node:assert/strict";
import { RealtimeClient } from "@supabase/supabase-js";
import {
  decodeFrame,
  encodeFrame,
  isUserBroadcast,
  ProtocolError,
  type UserBroadcast,
} from "./serializer.ts";

interface ClientMessage {
  join_ref: string | null;
  ref: string | null;
  topic: string;
  event: string;
  payload: Record<string, unknown> | ArrayBuffer;
}

// The serializer realtime-js uses on a vsn 2.0.0 socket (the default), so the round trips are checked
// against the client itself rather than against a second reading of the format.
const client =
  new RealtimeClient("ws://127.0.0.1:9/realtime/v1", { params: { apikey: "unused" } }).serializer;
const clientEncode = (message: ClientMessage): string | ArrayBuffer =>
  client.encode(message, (frame: string | ArrayBuffer) => frame);
const clientDecode = (frame: string | ArrayBuffer): ClientMessage =>
  client.decode(frame, (message: ClientMessage) => message);

function asArrayBuffer(frame: string | Uint8Array | null): ArrayBuffer {
  assert.ok(frame instanceof Uint8Array, "expected a binary frame");
  return frame.buffer.slice(frame.byteOffset, frame.byteOffset + frame.byteLength) as ArrayBuffer;
}

Deno.test("serializer: a V2 text frame from realtime-js decodes to its five fields", () => {
  const frame = clientEncode({
    join_ref: "1",
    ref: "2",
    topic: "realtime:room",
    event: "phx_join",
    payload: { config: { private: true } },
  });
  assert.equal(typeof frame, "string");
  assert.deepEqual(decodeFrame("2.0.0", frame), {
    joinRef: "1",
    ref: "2",
    topic: "realtime:room",
    event: "phx_join",
    payload: { config: { private: true } },
  });
});

Deno.test("serializer: a JSON broadcast push from realtime-js decodes to a user broadcast with its metadata", () => {
  const frame = clientEncode({
    join_ref: "3",
    ref: "7",
    topic: "realtime:süßer-raum",
    event: "broadcast",
    payload: { type: "broadcast", event: "grüße", payload: { text: "héllo 👋" }, persist: true },
  });
  assert.ok(frame instanceof ArrayBuffer);
  const message = decodeFrame("2.0.0", frame);
  assert.equal(message.joinRef, "3");
  assert.equal(message.ref, "7");
  assert.equal(message.topic, "realtime:süßer-raum");
  assert.equal(message.event, "broadcast");
  assert.ok(isUserBroadcast(message.payload));
  assert.equal(message.payload.event, "grüße");
  assert.equal(message.payload.encoding, "json");
  assert.deepEqual(message.payload.metadata, { persist: true });
  assert.deepEqual(JSON.parse(new TextDecoder().decode(message.payload.payload)), { text: "héllo 👋" });
});

Deno.test("serializer: a binary broadcast push keeps its bytes through decode and delivery", () => {
  const bytes = Uint8Array.from([0, 1, 2, 254, 255]);
  const frame = clientEncode({
    join_ref: "1",
    ref: null,
    topic: "realtime:files",
    event: "broadcast",
    payload: { type: "broadcast", event: "chunk", payload: bytes.buffer },
  });
  const message = decodeFrame("2.0.0", frame);
  assert.ok(isUserBroadcast(message.payload));
  assert.equal(message.ref, null);
  assert.equal(message.payload.encoding, "binary");
  assert.deepEqual(message.payload.payload, bytes);

  const delivered = clientDecode(
    asArrayBuffer(
      encodeFrame("2.0.0", { kind: "user_broadcast", topic: "realtime:files", broadcast: message.payload }),
    ),
  );
  assert.equal(delivered.topic, "realtime:files");
  assert.equal(delivered.event, "broadcast");
  const payload = delivered.payload as { type: string; event: string; payload: ArrayBuffer };
  assert.equal(payload.type, "broadcast");
  assert.equal(payload.event, "chunk");
  assert.deepEqual(new Uint8Array(payload.payload), bytes);
});

Deno.test("serializer: a delivered JSON user broadcast decodes in realtime-js to type, event, payload and meta", () => {
  const broadcast: UserBroadcast = {
    kind: "user_broadcast",
    event: "progress",
    encoding: "json",
    payload: new TextEncoder().encode(JSON.stringify({ page: 3, of: 12 })),
    metadata: { id: "abc" },
  };
  const delivered = clientDecode(
    asArrayBuffer(encodeFrame("2.0.0", { kind: "user_broadcast", topic: "realtime:job:1", broadcast })),
  );
  assert.deepEqual(delivered, {
    join_ref: null,
    ref: null,
    topic: "realtime:job:1",
    event: "broadcast",
    payload: { type: "broadcast", event: "progress", payload: { page: 3, of: 12 }, meta: { id: "abc" } },
  });
});

Deno.test("serializer: replies encode as V2 arrays that realtime-js decodes", () => {
  const frame = encodeFrame("2.0.0", {
    kind: "message",
    message: {
      joinRef: "1",
      ref: "1",
      topic: "realtime:room",
      event: "phx_reply",
      payload: { status: "ok", response: { postgres_changes: [] } },
    },
  });
  assert.equal(typeof frame, "string");
  assert.deepEqual(clientDecode(frame as string), {
    join_ref: "1",
    ref: "1",
    topic: "realtime:room",
    event: "phx_reply",
    payload: { status: "ok", response: { postgres_changes: [] } },
  });
});

Deno.test("serializer: V1 frames are JSON objects both ways", () => {
  const incoming = JSON.stringify({
    topic: "phoenix",
    event: "heartbeat",
    payload: {},
    ref: 5,
    join_ref: null,
  });
  assert.deepEqual(decodeFrame("1.0.0", incoming), {
    joinRef: null,
    ref: "5",
    topic: "phoenix",
    event: "heartbeat",
    payload: {},
  });
  const outgoing = encodeFrame("1.0.0", {
    kind: "message",
    message: {
      joinRef: null,
      ref: "5",
      topic: "phoenix",
      event: "phx_reply",
      payload: { status: "ok", response: {} },
    },
  });
  assert.deepEqual(JSON.parse(outgoing as string), {
    join_ref: null,
    ref: "5",
    topic: "phoenix",
    event: "phx_reply",
    payload: { status: "ok", response: {} },
  });
});

Deno.test("serializer: V1 clients get JSON user broadcasts as broadcast messages and no raw binary ones", () => {
  const json: UserBroadcast = {
    kind: "user_broadcast",
    event: "e",
    encoding: "json",
    payload: new TextEncoder().encode('{"n":1}'),
    metadata: null,
  };
  const frame = encodeFrame("1.0.0", { kind: "user_broadcast", topic: "realtime:t", broadcast: json });
  assert.deepEqual(JSON.parse(frame as string), {
    join_ref: null,
    ref: null,
    topic: "realtime:t",
    event: "broadcast",
    payload: { type: "broadcast", event: "e", payload: { n: 1 } },
  });
  const binary: UserBroadcast = { ...json, encoding: "binary", payload: Uint8Array.from([1]) };
  assert.equal(
    encodeFrame("1.0.0", { kind: "user_broadcast", topic: "realtime:t", broadcast: binary }),
    null,
  );
});

Deno.test("serializer: malformed frames are protocol errors", () => {
  assert.throws(() => decodeFrame("2.0.0", "not json"), ProtocolError);
  assert.throws(() => decodeFrame("2.0.0", '{"topic":"x"}'), ProtocolError);
  assert.throws(() => decodeFrame("1.0.0", '["1","2","t","e",{}]'), ProtocolError);
  assert.throws(() => decodeFrame("2.0.0", Uint8Array.from([3, 5, 0, 0, 0, 0, 1]).buffer), ProtocolError);
  assert.throws(() => decodeFrame("2.0.0", Uint8Array.from([9, 0, 0, 0, 0, 0, 1]).buffer), ProtocolError);
  assert.throws(() => decodeFrame("1.0.0", Uint8Array.from([3, 0, 0, 0, 0, 0, 1]).buffer), ProtocolError);
});

Deno.test("serializer: a topic longer than 255 bytes cannot be delivered in a binary frame", () => {
  const broadcast: UserBroadcast = {
    kind: "user_broadcast",
    event: "e",
    encoding: "json",
    payload: new Uint8Array(),
    metadata: null,
  };
  assert.throws(
    () => encodeFrame("2.0.0", { kind: "user_broadcast", topic: "x".repeat(256), broadcast }),
    ProtocolError,
  );
});
