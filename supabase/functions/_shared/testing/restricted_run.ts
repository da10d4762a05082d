/**
 * Test helper: runs a Deno script the way the local platform runs edge functions — no FFI, no subprocesses, no
 * network, reads limited to the project and Deno's module cache, a 256 MB heap — to prove that a module works
 * under the edge runtime's restrictions. Not imported by any function.
 */
import { fileURLToPath } from "node:url";

const projectRoot = fileURLToPath(new URL("../../../../", import.meta.url));

async function denoCacheDirectory(): Promise<string> {
  const info = await new Deno.Command(Deno.execPath(), { args: ["info", "--json"], stdout: "piped" })
    .output();
  return JSON.parse(new TextDecoder().decode(info.stdout)).denoDir;
}

export interface RestrictedRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `script` (a file URL) with `args`, writing `stdin` to it when given. */
export async function runRestricted(
  script: URL,
  options: { stdin?: Uint8Array; args?: string[] } = {},
): Promise<RestrictedRun> {
  const child = new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "--quiet",
      "--no-prompt",
      "--deny-ffi",
      "--deny-run",
      "--deny-net",
      `--allow-read=${projectRoot},${await denoCacheDirectory()}`,
      "--v8-flags=--max-old-space-size=256",
      fileURLToPath(script),
      ...(options.args ?? []),
    ],
    cwd: projectRoot,
    stdin: options.stdin ? "piped" : "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  if (options.stdin) {
    const writer = child.stdin.getWriter();
    await writer.write(options.stdin);
    await writer.close();
  }
  const result = await child.output();
  const decoder = new TextDecoder();
  return { code: result.code, stdout: decoder.decode(result.stdout), stderr: decoder.decode(result.stderr) };
}
