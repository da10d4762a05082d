/**
 * The parts of `supabase/config.toml` and `supabase/functions/.env` the platform honours. Read once when the
 * platform starts, like the Supabase CLI does when it starts a local stack.
 */
import { join } from "node:path";
import { parse } from "smol-toml";
import { z } from "zod";

const configSchema = z.object({
  functions: z.record(z.string(), z.object({ verify_jwt: z.boolean().optional() }).loose()).optional(),
}).loose();

export interface FunctionsConfig {
  /** `[functions.<name>] verify_jwt`; Supabase's default is true. */
  verifyJwt(name: string): boolean;
  /** Secrets from `supabase/functions/.env`, handed to every function like `supabase secrets set`. */
  secrets: Record<string, string>;
}

export async function readFunctionsConfig(projectDir: string): Promise<FunctionsConfig> {
  const configPath = join(projectDir, "supabase", "config.toml");
  const parsed = configSchema.safeParse(parse(await readOptional(configPath) ?? ""));
  if (!parsed.success) throw new Error(`${configPath}: ${parsed.error.issues[0]?.message}`);
  const functions = parsed.data.functions ?? {};
  return {
    verifyJwt: (name) => functions[name]?.verify_jwt ?? true,
    secrets: parseDotenv(await readOptional(join(projectDir, "supabase", "functions", ".env")) ?? ""),
  };
}

async function readOptional(path: string): Promise<string | null> {
  try {
    return await Deno.readTextFile(path);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return null;
    throw error;
  }
}

/** KEY=value lines; `#` comments, optional `export`, single or double quotes. */
export function parseDotenv(text: string): Record<string, string> {
  const values: Record<string, string> = {};
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (!line || line.startsWith("#")) continue;
    const match = line.match(/^(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*)$/);
    if (!match) continue;
    let value = match[2].trim();
    const quote = value[0];
    if ((quote === '"' || quote === "'") && value.endsWith(quote) && value.length >= 2) {
      value = value.slice(1, -1);
      if (quote === '"') value = value.replaceAll("\\n", "\n");
    } else {
      value = value.replace(/\s+#.*$/, "");
    }
    values[match[1]] = value;
  }
  return values;
}
