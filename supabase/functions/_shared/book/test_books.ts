/**
 * Books for the book module's tests (nothing here is used in production code): the real fonts' metrics and
 * a story from a real theme, personalised for any name.
 */
import { PDFDocument } from "pdf-lib";
import { themeStoryContent } from "../story_content/theme_catalogue.ts";
import { loadBookFontFiles } from "./book_fonts.ts";
import type { BookFontMetrics, BookInput } from "./book_layout.ts";
import { embedBookFonts, fontMetrics } from "./book_pdf.ts";

/** Andika's metrics as buildBookPdf measures them (pdf-lib's embedded fonts). */
export async function bookFontMetrics(): Promise<BookFontMetrics> {
  const files = await loadBookFontFiles();
  const fonts = await embedBookFonts(await PDFDocument.create(), files, "");
  return { regular: fontMetrics(fonts.regular, files.regular), bold: fontMetrics(fonts.bold, files.bold) };
}

export interface SampleBookOptions {
  name?: string;
  themeId?: string;
  /** null: no dedication page; undefined: the theme's default dedication. */
  dedication?: string | null;
  /** Every picture's side in pixels; 3075 by default (300 ppi on the 10 in profile). */
  pictureSide?: number;
}

/** The theme's story for `name`, with square pictures of `pictureSide` pixels. */
export function sampleBook(options: SampleBookOptions = {}): BookInput {
  const name = options.name ?? "Mia";
  const story = themeStoryContent(options.themeId ?? "enchanted_forest", {
    name,
    age: 6,
    pronouns: "they",
    dedication: options.dedication,
  });
  if (!story) throw new Error(`no theme ${options.themeId}`);
  const side = options.pictureSide ?? 3075;
  return {
    title: story.title,
    childName: name,
    dedication: options.dedication === null ? null : story.dedication,
    pages: story.pages.map((page) => ({
      pageNumber: page.page_number,
      text: page.body_text,
      image: { width: side, height: side },
    })),
  };
}
