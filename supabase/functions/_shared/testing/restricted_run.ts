/**
 * Test helper: runs a Deno script the way the local platform runs edge functions — no FFI, no subprocesses, no
 * network, reads limited to the project and Deno's module cache, a 256 MB heap — to prove that a module works
 * under the edge runtime's restrictions. Not imported by any function.
 */
import { fileURLToPath } from "node:url";
import { denoCacheDirectory } from "../../../../scripts/deno_cache_directory.ts";

const projectRoot = fileURLToPath(new URL("../../../../", import.meta.url));

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
