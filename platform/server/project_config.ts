/**
 * The project's `supabase/config.toml` and `supabase/functions/.env`, read once when the platform starts (as
 * the Supabase CLI reads them when it starts a local stack) and handed to every service in its context. Each
 * service validates the section it honours.
 */
import { join } from "node:path";
import { parse } from "smol-toml";
import { z } from "zod";
import { readTextIfExists } from "./text_files.ts";

export interface ProjectConfig {
  /** Where config.toml is, for messages that name it. */
  path: string;
  /** The parsed file (empty when the project has none). */
  document: Record<string, unknown>;
  /** `[functions.<name>] verify_jwt`; Supabase's default is true. */
  verifyJwt(name: string): boolean;
  /** Secrets from `supabase/functions/.env`, handed to every function like `supabase secrets set`. */
  functionSecrets: Record<string, string>;
}

const functionsSectionSchema = z.object({
  functions: z.record(z.string(), z.object({ verify_jwt: z.boolean().optional() }).loose()).optional(),
}).loose();

export async function readProjectConfig(
  projectDir: string,
  extraSecrets: Record<string, string> = {},
): Promise<ProjectConfig> {
  const path = join(projectDir, "supabase", "config.toml");
  const document = parse(await readTextIfExists(path) ?? "");
  const parsed = functionsSectionSchema.safeParse(document);
  if (!parsed.success) throw new Error(`${path}: ${parsed.error.issues[0]?.message}`);
  const functions = parsed.data.functions ?? {};
  return {
    path,
    document,
    verifyJwt: (name) => functions[name]?.verify_jwt ?? true,
    functionSecrets: {
      ...parseDotenv(await readTextIfExists(join(projectDir, "supabase", "functions", ".env")) ?? ""),
      ...extraSecrets,
    },
  };
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
