/**
 * Who is joined to which topic, and fan-out of broadcasts to them. Public and private channels of the same topic
 * are separate audiences, as on Supabase: a private message reaches only private joiners allowed to read it.
 */
import type { OutgoingMessage, PhoenixMessage, UserBroadcast } from "./serializer.ts";

export interface ChannelMember {
  /** The topic without its `realtime:` prefix. */
  readonly topic: string;
  readonly isPrivate: boolean;
  /** Whether the member's policies let it receive broadcasts (always true on public channels). */
  canReadBroadcast(): boolean;
  deliver(outgoing: OutgoingMessage): void;
}

/** A broadcast to fan out: a JSON payload (`{type, event, payload, meta?}`) or a user broadcast frame. */
export type Broadcast = { kind: "json"; payload: Record<string, unknown> } | {
  kind: "user";
  broadcast: UserBroadcast;
};

export function wireTopic(topic: string): string {
  return `realtime:${topic}`;
}

export class ChannelRegistry {
  #members = new Map<string, Set<ChannelMember>>();

  add(member: ChannelMember): void {
    let members = this.#members.get(member.topic);
    if (!members) this.#members.set(member.topic, members = new Set());
    members.add(member);
  }

  remove(member: ChannelMember): void {
    const members = this.#members.get(member.topic);
    if (!members) return;
    members.delete(member);
    if (members.size === 0) this.#members.delete(member.topic);
  }

  /** Delivers to every reader of the topic with the same privacy, except `sender` when given. */
  broadcast(topic: string, isPrivate: boolean, broadcast: Broadcast, sender?: ChannelMember): number {
    const members = this.#members.get(topic);
    if (!members) return 0;
    const outgoing = toOutgoing(wireTopic(topic), broadcast);
    let delivered = 0;
    for (const member of members) {
      if (member === sender || member.isPrivate !== isPrivate || !member.canReadBroadcast()) continue;
      member.deliver(outgoing);
      delivered++;
    }
    return delivered;
  }
}

function toOutgoing(topic: string, broadcast: Broadcast): OutgoingMessage {
  if (broadcast.kind === "user") return { kind: "user_broadcast", topic, broadcast: broadcast.broadcast };
  const message: PhoenixMessage = {
    joinRef: null,
    ref: null,
    topic,
    event: "broadcast",
    payload: broadcast.payload,
  };
  return { kind: "message", message };
}
