/**
 * One function's worker: a separate Deno process, so that a crash, a leak or an endless loop in a function
 * never takes the platform down. It starts on the first request, restarts after it dies, and is killed when
 * it overruns its wall-clock limit or its source changes.
 */
import { fileURLToPath } from "node:url";
import type { Logger } from "../log.ts";

export interface FunctionProcessOptions {
  name: string;
  entry: string;
  /** Working directory: the function's folder, so Deno finds its deno.json (or the project's) as deployed. */
  cwd: string;
  env: Record<string, string>;
  /** Folders the function may read (its source and the module cache); it may write only to /tmp. */
  readable: string[];
  /** Folders it may never read, even inside `readable`: the platform's keys, stored objects and database. */
  unreadable: string[];
  log: Logger;
  bootTimeoutMs: number;
}

const workerScript = fileURLToPath(new URL("./function_worker.ts", import.meta.url));

export class FunctionBootError extends Error {
  override name = "FunctionBootError";
}

export class FunctionProcess {
  #child: Deno.ChildProcess | null = null;
  #port: Promise<number> | null = null;
  #exited = Promise.withResolvers<void>();

  constructor(private readonly options: FunctionProcessOptions) {}

  get alive(): boolean {
    return this.#child !== null;
  }

  /** Settles when the process exits (crash, kill or limit). */
  get exited(): Promise<void> {
    return this.#exited.promise;
  }

  /** The loopback port the function listens on, starting the process when needed. */
  port(): Promise<number> {
    this.#port ??= this.#spawn();
    return this.#port;
  }

  #spawn(): Promise<number> {
    const { name, entry, cwd, env, readable, log } = this.options;
    const marker = `__function_listening_${crypto.randomUUID()}__`;
    const child = new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "--quiet",
        "--no-prompt",
        "--allow-net",
        "--allow-env",
        "--allow-sys",
        `--allow-read=${readable.join(",")}`,
        `--deny-read=${this.options.unreadable.join(",")}`,
        "--allow-write=/tmp",
        "--deny-ffi",
        "--deny-run",
        "--v8-flags=--max-old-space-size=256",
        workerScript,
        entry,
        marker,
      ],
      cwd,
      env,
      clearEnv: true,
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    this.#child = child;
    const listening = Promise.withResolvers<number>();
    const bootTimer = setTimeout(
      () =>
        listening.reject(
          new FunctionBootError(`${name} did not start within ${this.options.bootTimeoutMs} ms`),
        ),
      this.options.bootTimeoutMs,
    );

    const forward = async (stream: ReadableStream<Uint8Array>, level: "info" | "error") => {
      const lines = stream.pipeThrough(new TextDecoderStream()).pipeThrough(splitLines());
      for await (const line of lines) {
        if (line.startsWith(marker)) listening.resolve(Number(line.slice(marker.length)));
        else if (line.trim()) log[level]("function_log", { function: name, line });
      }
    };
    const streams = Promise.all([forward(child.stdout, "info"), forward(child.stderr, "error")]);

    child.status.then(async (status) => {
      await streams.catch(() => {});
      clearTimeout(bootTimer);
      listening.reject(new FunctionBootError(`${name} exited during boot with code ${status.code}`));
      if (this.#child === child) {
        this.#child = null;
        this.#port = null;
      }
      log.info("function_worker_exited", {
        function: name,
        code: status.code,
        signal: status.signal ?? null,
      });
      this.#exited.resolve();
      this.#exited = Promise.withResolvers<void>();
    });
    listening.promise.then(() => clearTimeout(bootTimer), () => this.kill());
    log.info("function_worker_started", { function: name, pid: child.pid });
    return listening.promise;
  }

  kill(): void {
    const child = this.#child;
    if (!child) return;
    try {
      child.kill("SIGKILL");
    } catch {
      // Already gone.
    }
  }

  async close(): Promise<void> {
    const exited = this.exited;
    if (!this.#child) return;
    this.kill();
    await exited;
  }
}

function splitLines(): TransformStream<string, string> {
  let buffer = "";
  return new TransformStream({
    transform(chunk, controller) {
      buffer += chunk;
      const lines = buffer.split("\n");
      buffer = lines.pop() ?? "";
      for (const line of lines) controller.enqueue(line);
    },
    flush(controller) {
      if (buffer) controller.enqueue(buffer);
    },
  });
}
