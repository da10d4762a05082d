/**
 * The platform as a process of its own (`main.ts serve`), in a session of its own so that one signal reaches it
 * and every function worker it spawned: what kill -9 hits. Its log goes to a file of the private cluster's log
 * folder, kept for reading when a check fails.
 */
import { fileURLToPath } from "node:url";
import type { PlatformKeys } from "../../platform/server/keys.ts";
import { platformKeys } from "../../platform/server/keys.ts";
import type { PrivateCluster } from "./private_cluster.ts";
import { freePort, platformLogFile } from "./private_cluster.ts";

const MAIN = fileURLToPath(new URL("../../platform/cli/main.ts", import.meta.url));
const START_TIMEOUT_MS = 60_000;

export interface ServedPlatform {
  url: string;
  keys: PlatformKeys;
  logFile: string;
  /** The pid of the running platform process (it changes with every start). */
  pid(): number;
  start(): Promise<void>;
  /** SIGKILL to the whole process group; resolves once the platform process is gone. */
  kill(): Promise<void>;
}

export async function servedPlatform(
  cluster: PrivateCluster,
  database: string,
  label: string,
  functionEnv: Record<string, string>,
): Promise<ServedPlatform> {
  const port = freePort();
  const url = `http://127.0.0.1:${port}`;
  const logFile = platformLogFile(cluster.settings, label);
  const keys = await platformKeys(cluster.settings.keysDir);
  let current: { pid: number; status: Promise<Deno.CommandStatus>; forget: () => void } | null = null;

  async function waitUntilServing(exited: Promise<Deno.CommandStatus>): Promise<void> {
    let gone = false;
    exited.then(() => gone = true);
    const deadline = Date.now() + START_TIMEOUT_MS;
    while (Date.now() < deadline) {
      if (gone) throw new Error(`the platform exited while starting; see ${logFile}`);
      try {
        const response = await fetch(`${url}/auth/v1/.well-known/jwks.json`);
        await response.body?.cancel();
        if (response.ok) return;
      } catch {
        // Not listening yet.
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    throw new Error(`the platform did not serve within ${START_TIMEOUT_MS / 1000} s; see ${logFile}`);
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
      const envArgs = Object.entries(functionEnv).flatMap(([name, value]) => ["--env", `${name}=${value}`]);
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
          database,
          "--port",
          String(port),
          ...envArgs,
        ],
        env: cluster.env,
        stdin: "null",
        stdout: "null",
        stderr: "null",
      }).spawn();
      current = { pid: child.pid, status: child.status, forget: cluster.onInterrupt(kill) };
      await waitUntilServing(child.status);
    },
    kill,
  };
}
