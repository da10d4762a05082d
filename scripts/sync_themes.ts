/**
 * Loads the catalogue rows of `themes/*.json` into `public.themes`: one upsert per theme, and every theme no
 * longer in the folder is deactivated (never deleted: stories still reference it). Running it twice changes
 * nothing the second time.
 *
 *   deno run -A scripts/sync_themes.ts [--db-url URL]
 */
import { join } from "node:path";
import postgres from "postgres";
import { loadTheme, type ThemeFile } from "../supabase/functions/_shared/story_content/theme_schema.ts";

const LOCAL_DATABASE_URL = "postgresql://postgres:postgres@127.0.0.1:54322/postgres";

/** Whether `<projectDir>/themes/` exists: a project without themes has nothing to sync. */
export async function hasThemesFolder(projectDir: string): Promise<boolean> {
  try {
    return (await Deno.stat(join(projectDir, "themes"))).isDirectory;
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return false;
    throw error;
  }
}

export async function readThemeFiles(projectDir: string): Promise<ThemeFile[]> {
  const dir = join(projectDir, "themes");
  const names: string[] = [];
  for await (const entry of Deno.readDir(dir)) {
    if (entry.isFile && entry.name.endsWith(".json")) names.push(entry.name);
  }
  return await Promise.all(
    names.sort().map(async (name) => {
      const fileName = `themes/${name}`;
      const text = await Deno.readTextFile(join(dir, name));
      let data: unknown;
      try {
        data = JSON.parse(text);
      } catch (error) {
        throw new Error(`${fileName}: not valid JSON: ${(error as Error).message}`);
      }
      return loadTheme(fileName, data);
    }),
  );
}

/** Upserts every theme of `<projectDir>/themes/` and deactivates the rest; returns the ids synced. */
export async function syncThemes(databaseUrl: string, projectDir: string): Promise<string[]> {
  const themes = await readThemeFiles(projectDir);
  const sql = postgres(databaseUrl, {
    max: 1,
    onnotice: () => {},
    connection: { application_name: "sync_themes" },
  });
  try {
    await sql.begin(async (tx) => {
      for (const theme of themes) {
        await tx`
          insert into public.themes (id, title, description, min_age, max_age, is_active)
          values (${theme.id}, ${theme.title}, ${theme.description}, ${theme.min_age}, ${theme.max_age}, true)
          on conflict (id) do update
            set title = excluded.title, description = excluded.description, min_age = excluded.min_age,
                max_age = excluded.max_age, is_active = true
            where (public.themes.title, public.themes.description, public.themes.min_age,
                   public.themes.max_age, public.themes.is_active)
              is distinct from (excluded.title, excluded.description, excluded.min_age, excluded.max_age, true)`;
      }
      await tx`update public.themes set is_active = false
                where is_active and id <> all(${themes.map((theme) => theme.id)}::text[])`;
    });
  } finally {
    await sql.end();
  }
  return themes.map((theme) => theme.id);
}

if (import.meta.main) {
  const flag = Deno.args.indexOf("--db-url");
  const databaseUrl = flag >= 0 ? Deno.args[flag + 1] : LOCAL_DATABASE_URL;
  if (!databaseUrl) {
    console.error("usage: deno run -A scripts/sync_themes.ts [--db-url URL]");
    Deno.exit(2);
  }
  const projectDir = join(import.meta.dirname!, "..");
  const ids = await syncThemes(databaseUrl, projectDir);
  console.log(`synced ${ids.length} themes: ${ids.join(", ")}`);
}
