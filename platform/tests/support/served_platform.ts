/**
 * The platform as a process of its own (`main.ts serve`), for the tests and suites that kill it: it runs in a
 * session of its own so that one signal reaches it and every function worker it spawned, which is what kill -9
 * hits. It can be started again on the same port after a kill.
 */
import { fileURLToPath } from "node:url";
import { type PlatformSettings, platformSettings } from "../../cli/settings.ts";
import { type PlatformKeys, platformKeys } from "../../server/keys.ts";
import { eventually } from "./test_platform.ts";

const MAIN = fileURLToPath(new URL("../../cli/main.ts", import.meta.url));
const START_TIMEOUT_MS = 60_000;

export interface ServedPlatformOptions {
  database: string;
  /** The settings the platform runs with, for its keys; platformSettings() by default. */
  settings?: PlatformSettings;
  /** Added to this process's environment for the platform's (e.g. what points platformSettings() elsewhere). */
  env?: Record<string, string>;
  /** Function secrets, passed as `--env NAME=value`. */
  functionEnv?: Record<string, string>;
  /** The file the platform's output is appended to; discarded when absent. */
  logFile?: string;
  /**
   * Called with `kill` at each start; the function it returns is called at the kill. For a suite that must
   * kill the platform when it is interrupted: the terminal's signal never reaches another session.
   */
  onInterrupt?(kill: () => Promise<void>): () => void;
}

export interface ServedPlatform {
  url: string;
  keys: PlatformKeys;
  /** Where the platform's output goes (/dev/null unless a log file was given). */
  logFile: string;
  /** The pid of the running platform process (it changes with every start). */
  pid(): number;
  /** Starts the platform and resolves once it serves; fails if it exits first. */
  start(): Promise<void>;
  /** SIGKILL to the whole process group; resolves once the platform process is gone. */
  kill(): Promise<void>;
}

export function freePort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const { port } = listener.addr as Deno.NetAddr;
  listener.close();
  return port;
}

/** Whether the platform at `url` answers (its JWKS, which needs no key); false when nothing listens. */
export async function platformServes(url: string): Promise<boolean> {
  try {
    const response = await fetch(`${url}/auth/v1/.well-known/jwks.json`);
    await response.body?.cancel();
    return response.ok;
  } catch {
    return false;
  }
}

/** A platform serving `database` on a free port, not started yet. */
export async function servedPlatform(options: ServedPlatformOptions): Promise<ServedPlatform> {
  const port = freePort();
  const url = `http://127.0.0.1:${port}`;
  const logFile = options.logFile ?? "/dev/null";
  const see = options.logFile ? `; see ${options.logFile}` : "";
  const keys = await platformKeys((options.settings ?? platformSettings()).keysDir);
  const envArgs = Object.entries(options.functionEnv ?? {}).flatMap(([name, value]) => [
    "--env",
    `${name}=${value}`,
  ]);
  let current: { pid: number; status: Promise<Deno.CommandStatus>; forget: () => void } | null = null;

  async function waitUntilServing(exited: Promise<Deno.CommandStatus>): Promise<void> {
    let gone = false;
    exited.then(() => gone = true);
    await eventually(
      async () => {
        if (gone) throw new Error(`the platform exited while starting${see}`);
        return await platformServes(url) ? true : undefined;
      },
      `the platform to serve at ${url}${see}`,
      START_TIMEOUT_MS,
    );
  }

  async function kill(): Promise<void> {
    if (!current) return;
    await new Deno.Command("kill", { args: ["-KILL", "--", `-${current.pid}`] }).output();
    await current.status;
    current.forget();
    current = null;
  }

  return {
    url,
    keys,
    logFile,
    pid() {
      if (!current) throw new Error("the platform is not running");
      return current.pid;
    },
    async start() {
      // setsid makes the platform a process group leader; `sh -c 'exec …'` appends its output to the log and
      // then becomes the platform process itself, so the pid we hold is the group's.
      const child = new Deno.Command("setsid", {
        args: [
          "sh",
          "-c",
          'exec "$@" >>"$0" 2>&1',
          logFile,
          Deno.execPath(),
          "run",
          "--allow-all",
          "--quiet",
          MAIN,
          "serve",
          "--database",
          options.database,
          "--port",
          String(port),
          ...envArgs,
        ],
        env: options.env,
        stdin: "null",
        stdout: "null",
        stderr: "null",
      }).spawn();
      current = {
        pid: child.pid,
        status: child.status,
        forget: options.onInterrupt?.(kill) ?? (() => {}),
      };
      await waitUntilServing(child.status);
    },
    kill,
  };
}
