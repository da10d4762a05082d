/**
 * A few single-stroke capitals (those of the preview watermark), rasterised with anti-aliasing from distances to line segments.
 *
 * Why not a font: a TTF would have to ship with the function and be parsed by a WASM rasteriser per process;
 * the watermark and the illustrator only ever letter a few capitals, which a dozen polylines draw cleanly at
 * any size with no file and no codec.
 */

/** Glyph geometry in units where the cap height is 10 and y grows downwards (0 = cap line, 10 = baseline). */
interface Glyph {
  width: number;
  strokes: number[][]; // each stroke is a polyline: x0, y0, x1, y1, ...
}

function arc(
  cx: number,
  cy: number,
  rx: number,
  ry: number,
  fromDegrees: number,
  toDegrees: number,
): number[] {
  const points: number[] = [];
  const steps = 14;
  for (let i = 0; i <= steps; i++) {
    const angle = ((fromDegrees + ((toDegrees - fromDegrees) * i) / steps) * Math.PI) / 180;
    points.push(cx + rx * Math.cos(angle), cy + ry * Math.sin(angle));
  }
  return points;
}

const BOWL = [0, 10, 0, 0, 4, 0, 5.3, 0.5, 6, 2.5, 5.3, 4.5, 4, 5, 0, 5];

const GLYPHS: Record<string, Glyph> = {
  A: { width: 6.6, strokes: [[0, 10, 3.3, 0, 6.6, 10], [1.3, 6.4, 5.3, 6.4]] },
  C: { width: 6.4, strokes: [arc(3.6, 5, 3.6, 5, 40, 320)] },
  E: { width: 5.6, strokes: [[5.6, 0, 0, 0, 0, 10, 5.6, 10], [0, 5, 4.6, 5]] },
  F: { width: 5.6, strokes: [[5.6, 0, 0, 0, 0, 10], [0, 5, 4.6, 5]] },
  I: { width: 0, strokes: [[0, 0, 0, 10]] },
  L: { width: 5.4, strokes: [[0, 0, 0, 10, 5.4, 10]] },
  P: { width: 6, strokes: [BOWL] },
  R: { width: 6.2, strokes: [BOWL, [3.6, 5, 6.2, 10]] },
  T: { width: 6.4, strokes: [[0, 0, 6.4, 0], [3.2, 0, 3.2, 10]] },
  V: { width: 6.6, strokes: [[0, 0, 3.3, 10, 6.6, 0]] },
  W: { width: 9, strokes: [[0, 0, 2.2, 10, 4.5, 2.6, 6.8, 10, 9, 0]] },
  "·": { width: 0, strokes: [[0, 5, 0, 5]] },
  " ": { width: 2.4, strokes: [] },
};

const TRACKING = 2.6; // units between glyphs

export interface LetteringStyle {
  /** Cap height in pixels. */
  capHeight: number;
  /** Stroke thickness as a fraction of the cap height. */
  strokeRatio: number;
  /** Extra outline thickness around the stroke, as a fraction of the cap height; 0 for none. */
  outlineRatio: number;
}

/** Coverage masks (0–1) of one line of lettering: the stroke itself and the stroke plus its outline. */
export interface LetteringMask {
  width: number;
  height: number;
  fill: Float32Array;
  outline: Float32Array;
}

/** Rasterises `text` on one line; only the letters of the watermark (plus space and "·") have glyphs. */
export function renderLettering(text: string, style: LetteringStyle): LetteringMask {
  const scale = style.capHeight / 10;
  const halfStroke = (style.strokeRatio * style.capHeight) / 2;
  const outlineRadius = halfStroke + style.outlineRatio * style.capHeight;
  const margin = Math.ceil(outlineRadius + 1);
  const segments: number[] = []; // x0, y0, x1, y1 in pixels
  let pen = 0;
  for (const character of text.toUpperCase()) {
    const glyph = GLYPHS[character];
    if (!glyph) throw new RangeError(`no glyph for ${JSON.stringify(character)}`);
    for (const stroke of glyph.strokes) {
      for (let i = 0; i + 3 < stroke.length; i += 2) {
        segments.push(
          margin + (pen + stroke[i]) * scale,
          margin + stroke[i + 1] * scale,
          margin + (pen + stroke[i + 2]) * scale,
          margin + stroke[i + 3] * scale,
        );
      }
    }
    pen += glyph.width + TRACKING;
  }
  pen -= TRACKING;
  const width = Math.ceil(pen * scale) + 2 * margin;
  const height = Math.ceil(style.capHeight) + 2 * margin;
  const fill = new Float32Array(width * height);
  const outline = new Float32Array(width * height);
  // Per segment, visit only its padded bounding box and keep the nearest distance per pixel.
  const nearest = new Float32Array(width * height).fill(Infinity);
  for (let s = 0; s < segments.length; s += 4) {
    const x0 = segments[s], y0 = segments[s + 1], x1 = segments[s + 2], y1 = segments[s + 3];
    const dx = x1 - x0, dy = y1 - y0;
    const lengthSquared = dx * dx + dy * dy;
    const left = Math.max(0, Math.floor(Math.min(x0, x1) - outlineRadius - 1));
    const right = Math.min(width - 1, Math.ceil(Math.max(x0, x1) + outlineRadius + 1));
    const top = Math.max(0, Math.floor(Math.min(y0, y1) - outlineRadius - 1));
    const bottom = Math.min(height - 1, Math.ceil(Math.max(y0, y1) + outlineRadius + 1));
    for (let y = top; y <= bottom; y++) {
      const py = y + 0.5;
      for (let x = left; x <= right; x++) {
        const px = x + 0.5;
        let t = lengthSquared > 0 ? ((px - x0) * dx + (py - y0) * dy) / lengthSquared : 0;
        t = t < 0 ? 0 : t > 1 ? 1 : t;
        const ex = px - (x0 + t * dx), ey = py - (y0 + t * dy);
        const distance = Math.sqrt(ex * ex + ey * ey);
        const index = y * width + x;
        if (distance < nearest[index]) nearest[index] = distance;
      }
    }
  }
  for (let i = 0; i < nearest.length; i++) {
    const distance = nearest[i];
    fill[i] = clampUnit(halfStroke - distance + 0.5);
    outline[i] = style.outlineRatio > 0 ? clampUnit(outlineRadius - distance + 0.5) : 0;
  }
  return { width, height, fill, outline };
}

function clampUnit(value: number): number {
  return value < 0 ? 0 : value > 1 ? 1 : value;
}
