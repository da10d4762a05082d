/**
 * The shape of a theme file (`themes/<id>.json`) and the loader that refuses a broken one, naming the file and
 * the field at fault, so that a mistake in a theme stops the build and never reaches a book.
 */
import { z } from "zod";
import { PLACEHOLDER } from "./story_content.ts";

const PAGE_COUNT = 10;
/** The longest a title may be once the name is taken out, so that it fits the cover at a readable size. */
export const MAX_TITLE_LENGTH_WITHOUT_NAME = 32;

/** Removes every known placeholder; whatever is left between braces is unknown. */
function unknownPlaceholders(template: string): string[] {
  return [...template.replace(PLACEHOLDER, "").matchAll(/\{[^}]*\}|[{}]/g)].map((match) => match[0]);
}

const template = z.string().trim().min(1).superRefine((text, context) => {
  const unknown = unknownPlaceholders(text);
  if (unknown.length > 0) context.addIssue({ code: "custom", message: `unknown placeholder ${unknown[0]}` });
});

/** Text that goes to image providers: it never holds a placeholder, so never the child's name. */
const sceneText = z.string().trim().min(1).refine((text) => !/[{}]/.test(text), "scenes hold no placeholder");

const scene = z.strictObject({
  /** Where the page happens, as the picture should show it. */
  setting: sceneText,
  /** What the child (always "the child") and the others are doing. */
  action: sceneText,
  /** How the picture is framed. */
  composition: sceneText,
  /** Where the child stands, so that the text has room. */
  child_position: sceneText,
});

const page = z.strictObject({
  text: template,
  scene,
});

export const themeFileSchema = z.strictObject({
  id: z.string().regex(/^[a-z][a-z0-9_]{1,40}$/, "must be a snake_case id"),
  title: z.string().trim().min(1).max(MAX_TITLE_LENGTH_WITHOUT_NAME),
  title_template: template
    .refine((text) => /\{name(?:'s)?\}/.test(text), "must hold {name} or {name's}")
    .refine(
      (text) =>
        text.replace(PLACEHOLDER, "").replace(/\s+/g, " ").trim().length <= MAX_TITLE_LENGTH_WITHOUT_NAME,
      `must be at most ${MAX_TITLE_LENGTH_WITHOUT_NAME} characters without the name`,
    ),
  description: z.string().trim().min(20).max(200),
  min_age: z.int().min(2).max(12),
  max_age: z.int().min(2).max(12),
  /** What the child wears on every page, so that the pictures stay consistent. */
  outfit: sceneText,
  /** Printed when the parent gives no dedication of their own. */
  default_dedication: template,
  cover: z.strictObject({ scene }),
  pages: z.array(page).length(PAGE_COUNT),
}).refine((theme) => theme.min_age <= theme.max_age, {
  message: "must not exceed max_age",
  path: ["min_age"],
});

export type ThemeFile = z.infer<typeof themeFileSchema>;
export type Scene = z.infer<typeof scene>;

export class ThemeFileError extends Error {
  override name = "ThemeFileError";
}

/** The theme in `data`, read from `fileName`; a theme whose id is not its file name is refused too. */
export function loadTheme(fileName: string, data: unknown): ThemeFile {
  const result = themeFileSchema.safeParse(data);
  if (!result.success) {
    const issue = result.error.issues[0];
    const field = issue.path.length > 0 ? issue.path.join(".") : "(the file)";
    throw new ThemeFileError(`${fileName}: ${field}: ${issue.message}`);
  }
  const expectedId = fileName.split("/").at(-1)!.replace(/\.json$/, "");
  if (result.data.id !== expectedId) {
    throw new ThemeFileError(`${fileName}: id: must be "${expectedId}", the file's name`);
  }
  return result.data;
}
