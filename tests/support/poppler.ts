/** Runs a poppler tool (Debian's poppler-utils) on a PDF; fails on an error or anything it prints on stderr. */
import assert from "node:assert/strict";

export async function poppler(tool: string, args: string[]): Promise<string> {
  let output: Deno.CommandOutput;
  try {
    output = await new Deno.Command(tool, { args, stdout: "piped", stderr: "piped" }).output();
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) {
      throw new Error(`${tool} is missing: install Debian's poppler-utils (apt-get install poppler-utils)`);
    }
    throw error;
  }
  const stderr = new TextDecoder().decode(output.stderr);
  assert.ok(output.success, `${tool} ${args.join(" ")} failed: ${stderr}`);
  assert.equal(stderr, "", `${tool} complained about the file`);
  return new TextDecoder().decode(output.stdout);
}
