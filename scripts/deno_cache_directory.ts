/** Where this Deno keeps its module cache (npm packages included), as `deno info --json` reports it. */
export async function denoCacheDirectory(): Promise<string> {
  const info = await new Deno.Command(Deno.execPath(), { args: ["info", "--json"], stdout: "piped" })
    .output();
  if (!info.success) throw new Error("`deno info --json` failed");
  return JSON.parse(new TextDecoder().decode(info.stdout)).denoDir;
}
