/**
 * Stand-in for pg_net's background worker. `net.http_*` queue a row and NOTIFY `net_http_request_queue`;
 * NOTIFY is delivered only when the transaction commits, so, as with pg_net, a request is sent after commit
 * and never after a rollback. Rows are claimed by deleting them (as pg_net does), sent concurrently, and each
 * outcome is written to `net._http_response`: the status, headers and body, or `timed_out` / `error_msg`.
 */
import type postgres from "postgres";
import type { PlatformContext, PlatformWorker } from "../context.ts";
import { errorFields } from "../log.ts";

/** Most requests in flight at once (pg_net's `pg_net.batch_size` is 200). */
const MAX_IN_FLIGHT = 200;
/** How long responses are kept (pg_net's `pg_net.ttl`). */
const RESPONSE_TTL = "6 hours";
/** A safety sweep for requests queued while no one listened (e.g. before the platform started). */
const SWEEP_INTERVAL_MS = 1_000;

interface QueuedRequest {
  id: string;
  method: string;
  url: string;
  headers: Record<string, string | null> | null;
  body: Uint8Array<ArrayBuffer> | null;
  timeout_milliseconds: number;
}

const USER_AGENT = "pg_net/0.19.5";
const CHANNEL = "net_http_request_queue";

export async function startNetSender(context: PlatformContext): Promise<PlatformWorker> {
  const { admin, log } = context;
  const inFlight = new Set<Promise<void>>();
  let closed = false;
  let pumping = false;
  let pumpAgain = false;

  // The project may create pg_net by a migration applied while the platform runs; until then there is nothing
  // to claim.
  let extensionPresent = false;

  // `net.check_worker_is_up()` recognises the sender by its application name, as it would pg_net's worker.
  const listener = context.connect({ max: 1, connection: { application_name: "pg_net worker" } });
  await listener.listen(CHANNEL, () => void pump());

  async function pump(): Promise<void> {
    if (closed) return;
    if (pumping) {
      pumpAgain = true;
      return;
    }
    pumping = true;
    try {
      do {
        pumpAgain = false;
        const room = MAX_IN_FLIGHT - inFlight.size;
        if (room <= 0) break;
        extensionPresent ||= await hasPgNet(admin);
        if (!extensionPresent) break;
        const claimed = await admin<QueuedRequest[]>`
          delete from net.http_request_queue
          where id in (
            select id from net.http_request_queue order by id limit ${room} for update skip locked
          )
          returning id::text, method, url, headers, body, timeout_milliseconds`;
        for (const queued of claimed) {
          const task = deliver(queued).catch((error) => {
            log.error("net_delivery_failed", { id: queued.id, ...errorFields(error) });
          }).finally(() => {
            inFlight.delete(task);
            void pump();
          });
          inFlight.add(task);
        }
        if (claimed.length === room) pumpAgain = true;
      } while (pumpAgain && !closed);
    } catch (error) {
      if (!closed) log.error("net_sender_claim_failed", errorFields(error));
    } finally {
      pumping = false;
    }
  }

  async function deliver(queued: QueuedRequest): Promise<void> {
    const started = performance.now();
    let host = "";
    let outcome: {
      status_code: number | null;
      content_type: string | null;
      headers: Record<string, string> | null;
      content: string | null;
      timed_out: boolean;
      error_msg: string | null;
    };
    const signal = AbortSignal.timeout(queued.timeout_milliseconds);
    try {
      // A malformed URL or header is the request's own failure, recorded like any other; it never stops the sender.
      const target = new URL(queued.url);
      host = target.host;
      const headers = new Headers({ "user-agent": USER_AGENT });
      // pg_net skips headers whose value is NULL.
      for (const [name, value] of Object.entries(queued.headers ?? {})) {
        if (value !== null) headers.set(name, String(value));
      }
      const response = await fetch(target, {
        method: queued.method.toUpperCase(),
        headers,
        body: queued.body && queued.method.toUpperCase() !== "GET" ? queued.body : undefined,
        signal,
      });
      const content = await response.text();
      outcome = {
        status_code: response.status,
        content_type: response.headers.get("content-type"),
        headers: Object.fromEntries(response.headers),
        content,
        timed_out: false,
        error_msg: null,
      };
    } catch (error) {
      const timedOut = signal.aborted;
      const elapsed = performance.now() - started;
      outcome = {
        status_code: null,
        content_type: null,
        headers: null,
        content: null,
        timed_out: timedOut,
        error_msg: timedOut
          ? `Timeout of ${queued.timeout_milliseconds} ms reached. Total time: ${elapsed.toFixed(3)} ms`
          : `Couldn't connect to server: ${(error as Error).message}`,
      };
    }
    try {
      await admin`
        insert into net._http_response (id, status_code, content_type, headers, content, timed_out, error_msg)
        values (${queued.id}::bigint, ${outcome.status_code}, ${outcome.content_type},
                ${outcome.headers === null ? null : admin.json(outcome.headers)}, ${outcome.content},
                ${outcome.timed_out}, ${outcome.error_msg})`;
    } catch (error) {
      if (!closed) {
        log.error("net_response_not_recorded", { id: queued.id, code: (error as { code?: string }).code });
      }
    }
    log.info("net_request", {
      id: queued.id,
      method: queued.method.toUpperCase(),
      // The host only: paths and queries of outbound calls can carry tokens.
      host,
      status: outcome.status_code,
      timed_out: outcome.timed_out,
      duration_ms: Math.round(performance.now() - started),
    });
  }

  let sweeps = 0;
  const sweeper = setInterval(async () => {
    void pump();
    // Expired responses are removed about once a minute, as pg_net's worker does between batches.
    if (++sweeps % Math.max(1, Math.round(60_000 / SWEEP_INTERVAL_MS)) === 0) {
      await admin`delete from net._http_response where created < now() - ${RESPONSE_TTL}::interval`
        .catch(() => {});
    }
  }, SWEEP_INTERVAL_MS);
  void pump();
  log.info("net_sender_started", {});

  return {
    name: "net_sender",
    async close() {
      closed = true;
      clearInterval(sweeper);
      // Let a claim under way hand its rows to deliveries before waiting for them, so no claimed row is lost.
      while (pumping) await new Promise((resolve) => setTimeout(resolve, 10));
      await Promise.allSettled([...inFlight]);
      await listener.end({ timeout: 5 });
    },
  };
}

async function hasPgNet(admin: postgres.Sql): Promise<boolean> {
  const [row] = await admin<{ present: boolean }[]>`
    select to_regclass('net.http_request_queue') is not null as present`;
  return row.present;
}
