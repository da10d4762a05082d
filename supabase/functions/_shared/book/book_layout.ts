/**
 * The book's page plan, pure: from the story's words, the pictures' pixel sizes and a print profile, where
 * everything goes on every page, in PDF points. book_pdf.ts only draws what the plan says.
 *
 * The order: the cover (page 0's picture, its text, the title, in a panel at the top), a title page, the
 * dedication page (left out, not left blank, when there is no dedication), the story pages 1..N (each picture
 * full-bleed, its text in a panel at the bottom of the safe area, where the illustrations keep a calm band),
 * an ending page, then blank pages until the count is what the profile needs.
 *
 * Text is wrapped by measured width and set smaller when it does not fit, down to a floor; a word wider than a
 * line (a long name) is broken after a hyphen or, failing that, between letters. A character the font has no
 * glyph for, a picture below the profile's resolution, or text that does not fit even at the floor size is
 * refused with a BookLayoutError that says which and where: a printed book must never show a missing-glyph
 * box, a blurred picture or text running off the page.
 */
import { printedText } from "./printable_characters.ts";
import { type PageBoxes, pageBoxes, type PrintProfile, type Rect } from "./print_profiles.ts";

/** What layout needs to know of a font. Sizes and widths are in points. */
export interface FontMetrics {
  widthOf(text: string, size: number): number;
  /** Height above the baseline that the font's tallest glyphs (stacked accents) reach, per point of size. */
  ascent: number;
  /** Depth below the baseline, per point of size, as a positive number. */
  descent: number;
  hasGlyph(codePoint: number): boolean;
}

export interface BookFontMetrics {
  regular: FontMetrics;
  bold: FontMetrics;
}

export interface BookPageInput {
  /** 0 is the cover, 1..N the story pages in order. */
  pageNumber: number;
  /** The words printed on the page; the cover's is the title as the story gives it. */
  text: string;
  /** The picture's size in pixels. */
  image: { width: number; height: number };
}

export interface BookInput {
  title: string;
  childName: string;
  /** Null or empty: the book has no dedication page. */
  dedication: string | null;
  pages: readonly BookPageInput[];
}

export type Rgb = readonly [number, number, number];

export interface TextLine {
  text: string;
  /** The left end of the baseline. */
  x: number;
  y: number;
  width: number;
}

export interface TextBlock {
  font: keyof BookFontMetrics;
  size: number;
  color: Rgb;
  lines: TextLine[];
  /** The rectangle the lines were fitted into; every line lies inside it. */
  bounds: Rect;
}

export interface Panel {
  rect: Rect;
  radius: number;
  color: Rgb;
  opacity: number;
}

export interface ImagePlacement {
  /** Which input page's picture. */
  pageNumber: number;
  /** Where the picture is drawn: it covers the whole sheet, bleed included, centred, keeping its shape. */
  rect: Rect;
  /** Its resolution as drawn. */
  ppi: number;
}

export type PageKind = "cover" | "title" | "dedication" | "story" | "ending" | "padding";

export interface PlannedPage {
  kind: PageKind;
  /** A flat colour over the whole sheet, under everything else. */
  background: Rgb | null;
  image: ImagePlacement | null;
  panels: Panel[];
  texts: TextBlock[];
}

export interface BookPlan {
  profile: PrintProfile;
  boxes: PageBoxes;
  pages: PlannedPage[];
}

export class BookLayoutError extends Error {
  override name = "BookLayoutError";
}

const PAPER: Rgb = [1, 0.976, 0.93];
const INK: Rgb = [0.2, 0.16, 0.13];
const PANEL_COLOUR: Rgb = [1, 1, 1];
const PANEL_OPACITY = 0.86;
const PANEL_RADIUS = 18;
const PANEL_PADDING = 20;

interface TextStyle {
  font: keyof BookFontMetrics;
  maxSize: number;
  /** Below this the text is refused: 14 pt is about the least a young reader's book is set in. */
  minSize: number;
  /** Baseline to baseline, per point of size. */
  leading: number;
}

const COVER_TITLE: TextStyle = { font: "bold", maxSize: 54, minSize: 26, leading: 1.15 };
const STORY_TEXT: TextStyle = { font: "regular", maxSize: 22, minSize: 14, leading: 1.35 };
const TITLE_PAGE_TITLE: TextStyle = { font: "bold", maxSize: 44, minSize: 22, leading: 1.2 };
const TITLE_PAGE_SUBTITLE: TextStyle = { font: "regular", maxSize: 22, minSize: 14, leading: 1.3 };
const DEDICATION: TextStyle = { font: "regular", maxSize: 26, minSize: 14, leading: 1.4 };
const ENDING: TextStyle = { font: "bold", maxSize: 64, minSize: 32, leading: 1.2 };

export const ENDING_TEXT = "The End";

/** What the title page says under the title. */
function titlePageSubtitle(childName: string): string {
  return `A story made especially for ${childName}`;
}

/** Refuses, naming it, the first character `font` cannot draw; `where` says which text it is in. */
function assertPrintable(text: string, font: FontMetrics, where: string): void {
  for (const character of text) {
    if (character === " ") continue;
    const codePoint = character.codePointAt(0)!;
    if (!font.hasGlyph(codePoint)) {
      const hex = codePoint.toString(16).toUpperCase().padStart(4, "0");
      throw new BookLayoutError(
        `the book's font has no glyph for "${character}" (U+${hex}) in ${where}; it cannot be printed`,
      );
    }
  }
}

const graphemes = new Intl.Segmenter(undefined, { granularity: "grapheme" });

/** Breaks a word too wide for one line: after its hyphens first, then between graphemes. */
function breakWord(word: string, fits: (text: string) => boolean): string[] {
  const pieces: string[] = [];
  let current = "";
  const add = (piece: string) => {
    if (current === "" || fits(current + piece)) current += piece;
    else {
      pieces.push(current);
      current = piece;
    }
  };
  for (const part of word.split(/(?<=-)/)) {
    if (fits(current + part) || fits(part)) add(part);
    else for (const { segment } of graphemes.segment(part)) add(segment);
  }
  pieces.push(current);
  return pieces;
}

/**
 * Greedy word wrap by measured width: `widthOf` measures a word (or a piece of one) at the size being tried,
 * and a line measures its words plus a space between each. With `breakWords` false, a word wider than the
 * line makes the wrap fail (null), so that the caller first tries a smaller size rather than cutting a name in
 * two.
 */
export function wrapText(
  text: string,
  widthOf: (text: string) => number,
  maxWidth: number,
  breakWords: boolean,
): string[] | null {
  const space = widthOf(" ");
  const fits = (piece: string) => widthOf(piece) <= maxWidth;
  const lines: string[] = [];
  let line = "";
  let lineWidth = 0;
  for (const word of text.split(" ")) {
    const wordWidth = widthOf(word);
    const candidateWidth = line === "" ? wordWidth : lineWidth + space + wordWidth;
    if (candidateWidth <= maxWidth) {
      line = line === "" ? word : `${line} ${word}`;
      lineWidth = candidateWidth;
      continue;
    }
    if (line !== "") lines.push(line);
    if (wordWidth <= maxWidth) {
      line = word;
      lineWidth = wordWidth;
      continue;
    }
    if (!breakWords) return null;
    const pieces = breakWord(word, fits);
    lines.push(...pieces.slice(0, -1));
    line = pieces.at(-1)!;
    lineWidth = widthOf(line);
  }
  if (line !== "") lines.push(line);
  return lines;
}

interface FittedText {
  size: number;
  lines: { text: string; width: number }[];
  /** From the first line's ascent to the last line's descent. */
  height: number;
}

function blockHeight(lineCount: number, size: number, style: TextStyle, font: FontMetrics): number {
  return (lineCount - 1) * size * style.leading + size * (font.ascent + font.descent);
}

/**
 * How `text` is set within `maxWidth` and `maxHeight`: at the largest size (in half points, from the style's
 * largest to its floor) at which it fits with whole words; failing that, when a word is wider than a line
 * even at the floor, with the fewest broken words, then at the largest size.
 */
function fitText(
  text: string,
  style: TextStyle,
  fonts: BookFontMetrics,
  maxWidth: number,
  maxHeight: number,
  where: string,
): FittedText {
  const font = fonts[style.font];
  if (!text) throw new BookLayoutError(`${where} is empty`);
  assertPrintable(text, font, where);
  const wordCount = text.split(" ").length;
  let best: (FittedText & { breaks: number }) | null = null;
  for (const breakWords of [false, true]) {
    for (let size = style.maxSize; size >= style.minSize; size -= 0.5) {
      const lines = wrapText(text, (piece) => font.widthOf(piece, size), maxWidth, breakWords);
      // Measured whole, as they are drawn: a line is not always exactly the sum of its words, and a single
      // grapheme wider than the box cannot be wrapped at all. Either way no line may run past its box.
      if (!lines || lines.some((line) => font.widthOf(line, size) > maxWidth)) continue;
      const height = blockHeight(lines.length, size, style, font);
      if (height > maxHeight) continue;
      // Each break turns one word into two pieces.
      const breaks = lines.join(" ").split(" ").length - wordCount;
      if (!best || breaks < best.breaks) {
        best = {
          size,
          height,
          breaks,
          lines: lines.map((line) => ({ text: line, width: font.widthOf(line, size) })),
        };
      }
      if (breaks === 0) return best;
    }
  }
  if (best) return best;
  throw new BookLayoutError(
    `${where} does not fit its ${Math.round(maxWidth)} × ${Math.round(maxHeight)} pt box even at ` +
      `${style.minSize} pt`,
  );
}

/** Places fitted lines, centred on `centreX`, the block's top at `top`. */
function placeLines(
  fitted: FittedText,
  style: TextStyle,
  font: FontMetrics,
  centreX: number,
  top: number,
  bounds: Rect,
): TextBlock {
  const firstBaseline = top - fitted.size * font.ascent;
  return {
    font: style.font,
    size: fitted.size,
    color: INK,
    bounds,
    lines: fitted.lines.map((line, index) => ({
      text: line.text,
      x: centreX - line.width / 2,
      y: firstBaseline - index * fitted.size * style.leading,
      width: line.width,
    })),
  };
}

/** The picture scaled to cover the whole sheet, centred; its resolution as drawn must reach the profile's. */
function placeImage(page: BookPageInput, boxes: PageBoxes, profile: PrintProfile): ImagePlacement {
  const { width, height } = page.image;
  if (!Number.isInteger(width) || !Number.isInteger(height) || width <= 0 || height <= 0) {
    throw new BookLayoutError(`page ${page.pageNumber}'s picture has no valid size (${width} × ${height})`);
  }
  const { media } = boxes;
  const pointsPerPixel = Math.max(media.width / width, media.height / height);
  // Rounded so that 3075 px over 10.25 in reads as exactly 300 ppi whatever the floating point does.
  const ppi = Math.round((72 / pointsPerPixel) * 1e6) / 1e6;
  if (ppi < profile.minImagePpi) {
    throw new BookLayoutError(
      `page ${page.pageNumber}'s picture is ${width} × ${height} px: ${ppi.toFixed(0)} ppi as printed on ` +
        `${profile.id}, below the ${profile.minImagePpi} ppi print needs`,
    );
  }
  const drawnWidth = width * pointsPerPixel;
  const drawnHeight = height * pointsPerPixel;
  return {
    pageNumber: page.pageNumber,
    ppi,
    rect: {
      x: media.x + (media.width - drawnWidth) / 2,
      y: media.y + (media.height - drawnHeight) / 2,
      width: drawnWidth,
      height: drawnHeight,
    },
  };
}

/** A rounded panel across the safe area's width holding `text`, against the safe area's top or bottom. */
function panelPage(
  kind: "cover" | "story",
  page: BookPageInput,
  text: string,
  style: TextStyle,
  maxPanelHeight: number,
  edge: "top" | "bottom",
  fonts: BookFontMetrics,
  context: { boxes: PageBoxes; profile: PrintProfile; where: string },
): PlannedPage {
  const { safe } = context.boxes;
  const inner = safe.width - 2 * PANEL_PADDING;
  const fitted = fitText(text, style, fonts, inner, maxPanelHeight - 2 * PANEL_PADDING, context.where);
  const panelHeight = fitted.height + 2 * PANEL_PADDING;
  const panelY = edge === "top" ? safe.y + safe.height - panelHeight : safe.y;
  const bounds = {
    x: safe.x + PANEL_PADDING,
    y: panelY + PANEL_PADDING,
    width: inner,
    height: fitted.height,
  };
  return {
    kind,
    background: null,
    image: placeImage(page, context.boxes, context.profile),
    panels: [{
      rect: { x: safe.x, y: panelY, width: safe.width, height: panelHeight },
      radius: PANEL_RADIUS,
      color: PANEL_COLOUR,
      opacity: PANEL_OPACITY,
    }],
    texts: [
      placeLines(
        fitted,
        style,
        fonts[style.font],
        safe.x + safe.width / 2,
        panelY + panelHeight - PANEL_PADDING,
        bounds,
      ),
    ],
  };
}

/** Text blocks stacked with `gap` between them, centred on the page within `maxWidth`. */
function centredPage(
  kind: "title" | "dedication" | "ending",
  blocks: { text: string; style: TextStyle; maxWidth: number; maxHeight: number; where: string }[],
  gap: number,
  boxes: PageBoxes,
  fonts: BookFontMetrics,
): PlannedPage {
  const { safe } = boxes;
  const fitted = blocks.map((block) =>
    fitText(block.text, block.style, fonts, block.maxWidth, block.maxHeight, block.where)
  );
  const total = fitted.reduce((sum, block) => sum + block.height, 0) + gap * (blocks.length - 1);
  const centreX = safe.x + safe.width / 2;
  let top = safe.y + (safe.height + total) / 2;
  const texts = fitted.map((block, index) => {
    const { style, maxWidth } = blocks[index];
    const bounds = {
      x: centreX - maxWidth / 2,
      y: top - block.height,
      width: maxWidth,
      height: block.height,
    };
    const placed = placeLines(block, style, fonts[style.font], centreX, top, bounds);
    top -= block.height + gap;
    return placed;
  });
  return { kind, background: PAPER, image: null, panels: [], texts };
}

/** Checks the page numbers: one cover (0) and story pages 1..N, each once; returns them in order. */
function orderedPages(pages: readonly BookPageInput[]): BookPageInput[] {
  const sorted = [...pages].sort((a, b) => a.pageNumber - b.pageNumber);
  if (sorted.length < 2) {
    throw new BookLayoutError("a book needs its cover (page 0) and at least one story page");
  }
  sorted.forEach((page, index) => {
    if (page.pageNumber !== index) {
      throw new BookLayoutError(
        `the pages must be numbered 0 (the cover) to ${sorted.length - 1} without gaps or repeats; ` +
          `found ${sorted.map((p) => p.pageNumber).join(", ")}`,
      );
    }
  });
  return sorted;
}

/**
 * The font with each text's width measured once, at 1 pt, and scaled: a width is proportional to the size, and
 * fitting tries every word at up to 60 sizes, while each measurement shapes the text anew.
 */
function measuringOnce(font: FontMetrics): FontMetrics {
  const unitWidths = new Map<string, number>();
  return {
    ...font,
    widthOf(text, size) {
      let width = unitWidths.get(text);
      if (width === undefined) {
        width = font.widthOf(text, 1);
        unitWidths.set(text, width);
      }
      return width * size;
    },
  };
}

export function planBook(input: BookInput, profile: PrintProfile, metrics: BookFontMetrics): BookPlan {
  const fonts = { regular: measuringOnce(metrics.regular), bold: measuringOnce(metrics.bold) };
  const boxes = pageBoxes(profile);
  const { safe } = boxes;
  const [cover, ...story] = orderedPages(input.pages);
  const title = printedText(input.title);
  const childName = printedText(input.childName);
  const dedication = printedText(input.dedication ?? "");
  if (!title) throw new BookLayoutError("the book has no title");
  if (!childName) throw new BookLayoutError("the book has no child's name");

  const plan: PlannedPage[] = [
    panelPage("cover", cover, printedText(cover.text), COVER_TITLE, 0.36 * safe.height, "top", fonts, {
      boxes,
      profile,
      where: "the cover's title",
    }),
    centredPage(
      "title",
      [
        {
          text: title,
          style: TITLE_PAGE_TITLE,
          maxWidth: 0.85 * safe.width,
          maxHeight: 0.5 * safe.height,
          where: "the title",
        },
        {
          text: titlePageSubtitle(childName),
          style: TITLE_PAGE_SUBTITLE,
          maxWidth: 0.75 * safe.width,
          maxHeight: 0.25 * safe.height,
          where: "the child's name",
        },
      ],
      28,
      boxes,
      fonts,
    ),
  ];
  if (dedication) {
    plan.push(centredPage(
      "dedication",
      [{
        text: dedication,
        style: DEDICATION,
        maxWidth: 0.7 * safe.width,
        maxHeight: 0.6 * safe.height,
        where: "the dedication",
      }],
      0,
      boxes,
      fonts,
    ));
  }
  for (const page of story) {
    plan.push(
      panelPage("story", page, printedText(page.text), STORY_TEXT, 0.4 * safe.height, "bottom", fonts, {
        boxes,
        profile,
        where: `page ${page.pageNumber}'s text`,
      }),
    );
  }
  plan.push(centredPage(
    "ending",
    [{
      text: ENDING_TEXT,
      style: ENDING,
      maxWidth: safe.width,
      maxHeight: 0.3 * safe.height,
      where: "the ending",
    }],
    0,
    boxes,
    fonts,
  ));
  while (plan.length % profile.pageCountMultiple !== 0) {
    plan.push({ kind: "padding", background: PAPER, image: null, panels: [], texts: [] });
  }
  return { profile, boxes, pages: plan };
}
