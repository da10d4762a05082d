/**
 * Entry point of one edge-function worker process (stand-in for the edge runtime's per-function worker).
 *
 * Usage: function_worker.ts <path to the function's index.ts> <marker>
 *
 * The function calls `Deno.serve(handler)` as it does on Supabase. Here `Deno.serve` is redirected to a free
 * loopback port, announced on stdout after <marker>, and `EdgeRuntime.waitUntil` keeps background work alive.
 * The process runs with --deny-ffi --deny-run and a 256 MB heap, as the edge runtime allows no native code.
 */
import { pathToFileURL } from "node:url";

const [entry, marker] = Deno.args;
if (!entry || !marker) {
  console.error("usage: function_worker.ts <index.ts> <marker>");
  Deno.exit(2);
}

type ServeHandler = (request: Request, info: Deno.ServeHandlerInfo) => Response | Promise<Response>;
const realServe = Deno.serve.bind(Deno);
let served = false;

function pickHandler(args: unknown[]): ServeHandler {
  for (const arg of args) {
    if (typeof arg === "function") return arg as ServeHandler;
    if (arg && typeof arg === "object" && typeof (arg as { handler?: unknown }).handler === "function") {
      return (arg as { handler: ServeHandler }).handler;
    }
  }
  throw new TypeError("Deno.serve was called without a handler");
}

const redirectedServe = (...args: unknown[]) => {
  if (served) throw new Error("a function may call Deno.serve only once");
  served = true;
  const handler = pickHandler(args);
  return realServe({
    hostname: "127.0.0.1",
    port: 0,
    onListen: ({ port }) => console.log(`${marker}${port}`),
  }, handler);
};
Object.defineProperty(Deno, "serve", { value: redirectedServe, configurable: true, writable: true });

// The worker process outlives each response, so background work only needs its failures reported.
Object.defineProperty(globalThis, "EdgeRuntime", {
  value: Object.freeze({
    waitUntil<T>(promise: Promise<T>): Promise<T> {
      promise.catch((error) => console.error(`waitUntil task failed: ${(error as Error)?.message ?? error}`));
      return promise;
    },
  }),
});

await import(pathToFileURL(entry).href);
if (!served) {
  console.error("the function's module finished without calling Deno.serve");
  Deno.exit(1);
}
