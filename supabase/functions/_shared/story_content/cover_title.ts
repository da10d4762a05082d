/**
 * How a personalised title is set on the cover: wrapped on word boundaries and, when it still does not fit,
 * set smaller, so that even a 40-character name never runs off the cover. Widths are in average characters,
 * which is what the cover's type measure is given in.
 */

export interface CoverTitleLayout {
  lines: string[];
  /** Font size relative to the cover's title size (1 = full size). */
  scale: number;
}

export interface CoverTitleMeasure {
  /** How many characters fit on one line at full size. */
  charsPerLine: number;
  maxLines: number;
  /** The smallest the title may be set before words are broken. */
  minScale: number;
}

export const COVER_TITLE_MEASURE: CoverTitleMeasure = { charsPerLine: 18, maxLines: 3, minScale: 0.55 };

function wrap(words: string[], width: number): string[] {
  const lines: string[] = [];
  for (const word of words) {
    const last = lines.at(-1);
    if (last !== undefined && [...last].length + 1 + [...word].length <= width) {
      lines[lines.length - 1] = `${last} ${word}`;
    } else lines.push(word);
  }
  return lines;
}

function fits(lines: string[], width: number, maxLines: number): boolean {
  return lines.length <= maxLines && lines.every((line) => [...line].length <= width);
}

export function layoutCoverTitle(
  title: string,
  measure: CoverTitleMeasure = COVER_TITLE_MEASURE,
): CoverTitleLayout {
  const words = title.trim().split(/\s+/);
  for (let scale = 1; scale >= measure.minScale - 1e-9; scale -= 0.05) {
    const width = Math.floor(measure.charsPerLine / scale);
    const lines = wrap(words, width);
    if (fits(lines, width, measure.maxLines)) return { lines, scale: Number(scale.toFixed(2)) };
  }
  // A single word longer than the smallest line: break it, so that nothing runs off the cover.
  const width = Math.floor(measure.charsPerLine / measure.minScale);
  const pieces = words.flatMap((word) => {
    const letters = [...word];
    return Array.from(
      { length: Math.ceil(letters.length / width) },
      (_, i) => letters.slice(i * width, (i + 1) * width).join(""),
    );
  });
  return { lines: wrap(pieces, width), scale: measure.minScale };
}
