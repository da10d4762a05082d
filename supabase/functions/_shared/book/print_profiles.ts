/**
 * Print profiles: the physical page a printer expects, as data. Every length is in PDF points (1/72 in).
 *
 * A page is the trim (the finished page) plus the bleed on every side, which the printer cuts away; pictures
 * run to the bleed edge so that no white sliver shows when the cut drifts. Text stays inside the safe area,
 * which is the trim inset by the safe margin, because the cut and the binding may eat into the margin.
 */

export const POINTS_PER_INCH = 72;

const inches = (value: number) => value * POINTS_PER_INCH;

export interface PrintProfile {
  id: PrintProfileId;
  /** The finished page, square for every profile so far. */
  trimWidth: number;
  trimHeight: number;
  /** Added on each side of the trim. */
  bleed: number;
  /** Inset from the trim that keeps text clear of the cut and the binding. */
  safeMargin: number;
  /** The page count must be a multiple of this (1: any count); padding pages make it so. */
  pageCountMultiple: number;
  /** The least resolution a picture may have once drawn at its printed size. */
  minImagePpi: number;
}

/** The profiles a book can be assembled for (PRINT_PROFILE in the functions' configuration). */
export const PRINT_PROFILE_IDS = ["square-10in", "lulu-8.5in-saddle-stitch"] as const;
export type PrintProfileId = (typeof PRINT_PROFILE_IDS)[number];

export const PRINT_PROFILES: Readonly<Record<PrintProfileId, PrintProfile>> = {
  "square-10in": {
    id: "square-10in",
    trimWidth: inches(10),
    trimHeight: inches(10),
    bleed: inches(0.125),
    safeMargin: inches(0.5),
    pageCountMultiple: 1,
    minImagePpi: 300,
  },
  // Lulu's 8.5 in square saddle-stitched book: 4 to 48 pages, always a multiple of 4 (each sheet folds into 4).
  "lulu-8.5in-saddle-stitch": {
    id: "lulu-8.5in-saddle-stitch",
    trimWidth: inches(8.5),
    trimHeight: inches(8.5),
    bleed: inches(0.125),
    safeMargin: inches(0.5),
    pageCountMultiple: 4,
    minImagePpi: 300,
  },
};

export const DEFAULT_PRINT_PROFILE: PrintProfile = PRINT_PROFILES["square-10in"];

function isPrintProfileId(id: string): id is PrintProfileId {
  return Object.hasOwn(PRINT_PROFILES, id);
}

/** The profile called `id`; an unknown id is refused, naming the known ones. */
export function printProfile(id: string): PrintProfile {
  if (!isPrintProfileId(id)) {
    throw new RangeError(`unknown print profile "${id}"; known: ${Object.keys(PRINT_PROFILES).join(", ")}`);
  }
  return PRINT_PROFILES[id];
}

/** A rectangle in PDF user space: origin at the bottom left of the page. */
export interface Rect {
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface PageBoxes {
  /** The whole sheet: trim plus bleed on every side. The BleedBox is the same rectangle. */
  media: Rect;
  trim: Rect;
  /** Where text may go. */
  safe: Rect;
}

export function pageBoxes(profile: PrintProfile): PageBoxes {
  const { trimWidth, trimHeight, bleed, safeMargin } = profile;
  const inset = bleed + safeMargin;
  return {
    media: { x: 0, y: 0, width: trimWidth + 2 * bleed, height: trimHeight + 2 * bleed },
    trim: { x: bleed, y: bleed, width: trimWidth, height: trimHeight },
    safe: { x: inset, y: inset, width: trimWidth - 2 * safeMargin, height: trimHeight - 2 * safeMargin },
  };
}
