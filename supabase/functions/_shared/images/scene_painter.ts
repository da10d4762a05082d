/**
 * Anti-aliased 2D primitives on an opaque RGBA canvas, written for speed at print size (3075² ≈ 9.5 MP):
 * every shape visits only its bounding box, opaque spans are written as 32-bit words, and coverage comes from
 * a signed distance so edges are smooth without supersampling.
 */
import type { RgbaImage } from "./raster.ts";

export type Rgb = readonly [number, number, number];

export function mixRgb(a: Rgb, b: Rgb, t: number): Rgb {
  return [a[0] + (b[0] - a[0]) * t, a[1] + (b[1] - a[1]) * t, a[2] + (b[2] - a[2]) * t];
}

export function hexRgb(hex: string): Rgb {
  const value = parseInt(hex.replace("#", ""), 16);
  return [(value >> 16) & 0xff, (value >> 8) & 0xff, value & 0xff];
}

function clampUnit(value: number): number {
  return value < 0 ? 0 : value > 1 ? 1 : value;
}

export class ScenePainter {
  readonly width: number;
  readonly height: number;
  private readonly data: Uint8Array;
  private readonly words: Uint32Array;

  constructor(readonly image: RgbaImage) {
    this.width = image.width;
    this.height = image.height;
    this.data = image.data;
    this.words = new Uint32Array(image.data.buffer, image.data.byteOffset, image.width * image.height);
  }

  /** Blends `color` at `alpha` (0–1) over the pixel at byte offset `p`; the canvas stays opaque. */
  private blend(p: number, color: Rgb, alpha: number): void {
    const d = this.data;
    d[p] += (color[0] - d[p]) * alpha;
    d[p + 1] += (color[1] - d[p + 1]) * alpha;
    d[p + 2] += (color[2] - d[p + 2]) * alpha;
  }

  /** Opaque pixel as one little-endian word (every platform Deno runs on is little-endian). */
  private static word(color: Rgb): number {
    return (0xff000000 | (Math.round(color[2]) << 16) | (Math.round(color[1]) << 8) |
      Math.round(color[0])) >>> 0;
  }

  verticalGradient(top: Rgb, bottom: Rgb, fromY = 0, toY = this.height): void {
    const span = Math.max(1, toY - fromY);
    for (let y = Math.max(0, Math.floor(fromY)); y < Math.min(this.height, Math.ceil(toY)); y++) {
      const t = clampUnit((y + 0.5 - fromY) / span);
      const start = y * this.width;
      this.words.fill(ScenePainter.word(mixRgb(top, bottom, t)), start, start + this.width);
    }
  }

  /** Fills everything below a per-column skyline (`tops[x]` in pixels), lerping its colour downwards. */
  silhouette(tops: Float32Array, color: Rgb, bottomColor: Rgb = color): void {
    let highest = this.height, lowest = 0;
    for (let x = 0; x < this.width; x++) {
      highest = Math.min(highest, tops[x]);
      lowest = Math.max(lowest, tops[x]);
    }
    const firstRow = Math.max(0, Math.floor(highest));
    const firstFullRow = Math.max(firstRow, Math.ceil(lowest));
    const span = Math.max(1, this.height - highest);
    for (let y = firstRow; y < this.height; y++) {
      const rowColor = mixRgb(color, bottomColor, (y - highest) / span);
      const word = ScenePainter.word(rowColor);
      const rowStart = y * this.width;
      // Below the skyline's lowest point every pixel is inside: one fill per row.
      if (y >= firstFullRow) {
        this.words.fill(word, rowStart, rowStart + this.width);
        continue;
      }
      let runStart = -1;
      for (let x = 0; x <= this.width; x++) {
        const inside = x < this.width && y >= tops[x];
        if (inside) {
          if (runStart < 0) runStart = x;
          continue;
        }
        if (runStart >= 0) {
          this.words.fill(word, rowStart + runStart, rowStart + x);
          runStart = -1;
        }
        // The pixel the skyline cuts through gets partial coverage.
        if (x < this.width && y + 1 > tops[x]) this.blend((rowStart + x) * 4, rowColor, y + 1 - tops[x]);
      }
    }
  }

  /** Ellipse (a disc when rx = ry) with an anti-aliased edge. */
  ellipse(cx: number, cy: number, rx: number, ry: number, color: Rgb, alpha = 1): void {
    if (rx <= 0 || ry <= 0 || alpha <= 0) return;
    const top = Math.max(0, Math.floor(cy - ry - 1)),
      bottom = Math.min(this.height - 1, Math.ceil(cy + ry + 1));
    const minRadius = Math.min(rx, ry);
    // Edge coverage is measured in units of the smaller radius (exact for discs); rows are cut to the span
    // where coverage is non-zero, and the fully covered middle of an opaque ellipse is written as words.
    const outer = 1 + 0.5 / minRadius, inner = 1 - 0.5 / minRadius;
    const word = alpha >= 1 ? ScenePainter.word(color) : 0;
    for (let y = top; y <= bottom; y++) {
      const ny = (y + 0.5 - cy) / ry;
      const outerSquared = outer * outer - ny * ny;
      if (outerSquared <= 0) continue;
      const outerHalf = rx * Math.sqrt(outerSquared);
      const left = Math.max(0, Math.floor(cx - outerHalf - 0.5));
      const right = Math.min(this.width - 1, Math.ceil(cx + outerHalf - 0.5));
      const innerSquared = inner * inner - ny * ny;
      let solidFrom = right + 1, solidTo = right;
      if (word && innerSquared > 0) {
        const innerHalf = rx * Math.sqrt(innerSquared);
        solidFrom = Math.max(left, Math.ceil(cx - innerHalf - 0.5));
        solidTo = Math.min(right, Math.floor(cx + innerHalf - 0.5));
      }
      const rowStart = y * this.width;
      for (let x = left; x <= right; x++) {
        if (x === solidFrom && solidTo >= solidFrom) {
          this.words.fill(word, rowStart + solidFrom, rowStart + solidTo + 1);
          x = solidTo;
          continue;
        }
        const nx = (x + 0.5 - cx) / rx;
        const edge = (1 - Math.sqrt(nx * nx + ny * ny)) * minRadius + 0.5;
        if (edge <= 0) continue;
        if (edge >= 1 && word) this.words[rowStart + x] = word;
        else this.blend((rowStart + x) * 4, color, alpha * clampUnit(edge));
      }
    }
  }

  disc(cx: number, cy: number, radius: number, color: Rgb, alpha = 1): void {
    this.ellipse(cx, cy, radius, radius, color, alpha);
  }

  /** Circle outline of the given thickness, centred on `radius`; rows visit only the annulus. */
  ring(cx: number, cy: number, radius: number, thickness: number, color: Rgb, alpha = 1): void {
    const outer = radius + thickness / 2, inner = Math.max(0, radius - thickness / 2);
    const reachOut = outer + 0.5, reachIn = inner - 0.5;
    const top = Math.max(0, Math.floor(cy - reachOut)),
      bottom = Math.min(this.height - 1, Math.ceil(cy + reachOut));
    for (let y = top; y <= bottom; y++) {
      const dy = y + 0.5 - cy;
      const outerSquared = reachOut * reachOut - dy * dy;
      if (outerSquared <= 0) continue;
      const outerHalf = Math.sqrt(outerSquared);
      const innerHalf = reachIn > 0 && reachIn * reachIn > dy * dy
        ? Math.sqrt(reachIn * reachIn - dy * dy)
        : -1;
      const left = Math.max(0, Math.floor(cx - outerHalf - 0.5));
      const right = Math.min(this.width - 1, Math.ceil(cx + outerHalf - 0.5));
      // Skip the hole: jump from its left edge to its right edge.
      const holeFrom = innerHalf > 0 ? Math.ceil(cx - innerHalf - 0.5) + 1 : right + 1;
      const holeTo = innerHalf > 0 ? Math.floor(cx + innerHalf - 0.5) - 1 : right;
      for (let x = left; x <= right; x++) {
        if (x === holeFrom && holeTo >= holeFrom) {
          x = holeTo;
          continue;
        }
        const dx = x + 0.5 - cx;
        const distance = Math.sqrt(dx * dx + dy * dy);
        const coverage = clampUnit(Math.min(outer - distance, distance - inner) + 0.5);
        if (coverage > 0) this.blend((y * this.width + x) * 4, color, alpha * coverage);
      }
    }
  }

  /**
   * Soft radial light: alpha falls from `strength` at the centre to 0 at `radius`. Pixels closer than `hole`
   * are skipped, for glows whose middle something opaque will cover anyway.
   */
  glow(cx: number, cy: number, radius: number, color: Rgb, strength: number, hole = 0): void {
    const top = Math.max(0, Math.floor(cy - radius)),
      bottom = Math.min(this.height - 1, Math.ceil(cy + radius));
    const inverseSquared = 1 / (radius * radius);
    const d = this.data;
    const [red, green, blue] = color;
    for (let y = top; y <= bottom; y++) {
      const dy = y + 0.5 - cy;
      const halfSquared = radius * radius - dy * dy;
      if (halfSquared <= 0) continue;
      const half = Math.sqrt(halfSquared);
      const left = Math.max(0, Math.floor(cx - half - 0.5)),
        right = Math.min(this.width - 1, Math.ceil(cx + half - 0.5));
      const holeHalf = hole * hole > dy * dy ? Math.sqrt(hole * hole - dy * dy) : -1;
      const holeFrom = holeHalf > 0 ? Math.ceil(cx - holeHalf - 0.5) : right + 1;
      const holeTo = holeHalf > 0 ? Math.floor(cx + holeHalf - 0.5) : right;
      for (let x = left; x <= right; x++) {
        if (x === holeFrom && holeTo >= holeFrom) {
          x = holeTo;
          continue;
        }
        const dx = x + 0.5 - cx;
        const falloff = 1 - (dx * dx + dy * dy) * inverseSquared;
        if (falloff <= 0) continue;
        const alpha = strength * falloff * falloff;
        const p = (y * this.width + x) * 4;
        d[p] += (red - d[p]) * alpha;
        d[p + 1] += (green - d[p + 1]) * alpha;
        d[p + 2] += (blue - d[p + 2]) * alpha;
      }
    }
  }

  /** Convex polygon, points as x0, y0, x1, y1, ... in either winding. */
  polygon(points: number[], color: Rgb, alpha = 1): void {
    const count = points.length / 2;
    if (count < 3) return;
    let area = 0;
    let left = Infinity, right = -Infinity, top = Infinity, bottom = -Infinity;
    for (let i = 0; i < count; i++) {
      const x0 = points[2 * i], y0 = points[2 * i + 1];
      const x1 = points[(2 * i + 2) % points.length], y1 = points[(2 * i + 3) % points.length];
      area += x0 * y1 - x1 * y0;
      left = Math.min(left, x0);
      right = Math.max(right, x0);
      top = Math.min(top, y0);
      bottom = Math.max(bottom, y0);
    }
    const sign = area >= 0 ? 1 : -1;
    // Each edge as a normalised line A·x + B·y + C = signed distance, positive on the polygon's side.
    const edges = new Float64Array(count * 3);
    for (let i = 0; i < count; i++) {
      const x0 = points[2 * i], y0 = points[2 * i + 1];
      const x1 = points[(2 * i + 2) % points.length], y1 = points[(2 * i + 3) % points.length];
      const dx = x1 - x0, dy = y1 - y0;
      const scale = sign / (Math.hypot(dx, dy) || 1);
      edges[3 * i] = -dy * scale;
      edges[3 * i + 1] = dx * scale;
      edges[3 * i + 2] = (dy * x0 - dx * y0) * scale;
    }
    const word = alpha >= 1 ? ScenePainter.word(color) : 0;
    const xStart = Math.max(0, Math.floor(left - 1)), xEnd = Math.min(this.width - 1, Math.ceil(right + 1));
    const yStart = Math.max(0, Math.floor(top - 1)), yEnd = Math.min(this.height - 1, Math.ceil(bottom + 1));
    for (let y = yStart; y <= yEnd; y++) {
      const py = y + 0.5;
      for (let x = xStart; x <= xEnd; x++) {
        const px = x + 0.5;
        let inside = Infinity;
        for (let e = 0; e < edges.length; e += 3) {
          const distance = edges[e] * px + edges[e + 1] * py + edges[e + 2];
          if (distance < inside) inside = distance;
        }
        if (inside >= 0.5 && word) this.words[y * this.width + x] = word;
        else if (inside > -0.5) this.blend((y * this.width + x) * 4, color, alpha * clampUnit(inside + 0.5));
      }
    }
  }

  /** Axis-aligned rectangle with box-filtered edges; opaque interiors are written a row span at a time. */
  rect(x0: number, y0: number, x1: number, y1: number, color: Rgb, alpha = 1): void {
    const left = Math.max(0, Math.floor(Math.min(x0, x1))),
      right = Math.min(this.width, Math.ceil(Math.max(x0, x1)));
    const top = Math.max(0, Math.floor(Math.min(y0, y1))),
      bottom = Math.min(this.height, Math.ceil(Math.max(y0, y1)));
    const minX = Math.min(x0, x1), maxX = Math.max(x0, x1), minY = Math.min(y0, y1), maxY = Math.max(y0, y1);
    const word = alpha >= 1 ? ScenePainter.word(color) : 0;
    const solidLeft = Math.ceil(minX), solidRight = Math.floor(maxX); // columns [solidLeft, solidRight) are whole
    for (let y = top; y < bottom; y++) {
      const coverY = Math.min(y + 1, maxY) - Math.max(y, minY);
      if (coverY <= 0) continue;
      const rowStart = y * this.width;
      for (let x = left; x < right; x++) {
        if (coverY >= 1 && word && x === solidLeft && solidRight > solidLeft) {
          this.words.fill(word, rowStart + solidLeft, rowStart + Math.min(solidRight, right));
          x = Math.min(solidRight, right) - 1;
          continue;
        }
        const coverage = coverY * (Math.min(x + 1, maxX) - Math.max(x, minX));
        if (coverage >= 1 && word) this.words[rowStart + x] = word;
        else if (coverage > 0) this.blend((rowStart + x) * 4, color, alpha * Math.min(1, coverage));
      }
    }
  }

  /** A straight stroke with round caps. */
  segment(x0: number, y0: number, x1: number, y1: number, thickness: number, color: Rgb, alpha = 1): void {
    const half = thickness / 2;
    const dx = x1 - x0, dy = y1 - y0;
    const lengthSquared = dx * dx + dy * dy;
    const left = Math.max(0, Math.floor(Math.min(x0, x1) - half - 1));
    const right = Math.min(this.width - 1, Math.ceil(Math.max(x0, x1) + half + 1));
    const top = Math.max(0, Math.floor(Math.min(y0, y1) - half - 1));
    const bottom = Math.min(this.height - 1, Math.ceil(Math.max(y0, y1) + half + 1));
    for (let y = top; y <= bottom; y++) {
      const py = y + 0.5;
      for (let x = left; x <= right; x++) {
        const px = x + 0.5;
        let t = lengthSquared > 0 ? ((px - x0) * dx + (py - y0) * dy) / lengthSquared : 0;
        t = t < 0 ? 0 : t > 1 ? 1 : t;
        const ex = px - x0 - t * dx, ey = py - y0 - t * dy;
        const coverage = clampUnit(half - Math.sqrt(ex * ex + ey * ey) + 0.5);
        if (coverage > 0) this.blend((y * this.width + x) * 4, color, alpha * coverage);
      }
    }
  }

  /** A polyline drawn as joined round-capped segments. */
  polyline(points: number[], thickness: number, color: Rgb, alpha = 1): void {
    for (let i = 0; i + 3 < points.length; i += 2) {
      this.segment(points[i], points[i + 1], points[i + 2], points[i + 3], thickness, color, alpha);
    }
  }

  /**
   * Draws `source` scaled into a disc of `radius` at (cx, cy), bilinearly sampled from the square region
   * (sx, sy, side) of the source, with an anti-aliased edge.
   * (x, y) of the region is its top-left corner in source pixels.
   */
  circularPicture(
    source: RgbaImage,
    sx: number,
    sy: number,
    side: number,
    cx: number,
    cy: number,
    radius: number,
  ): void {
    const left = Math.max(0, Math.floor(cx - radius - 1)),
      right = Math.min(this.width - 1, Math.ceil(cx + radius + 1));
    const top = Math.max(0, Math.floor(cy - radius - 1)),
      bottom = Math.min(this.height - 1, Math.ceil(cy + radius + 1));
    const scale = side / (2 * radius);
    const pixels = source.data;
    const maxX = source.width - 1, maxY = source.height - 1;
    const d = this.data;
    for (let y = top; y <= bottom; y++) {
      const dy = y + 0.5 - cy;
      const v = Math.min(maxY, Math.max(0, sy + (dy + radius) * scale - 0.5));
      const v0 = Math.max(0, Math.min(maxY - 1, Math.floor(v)));
      const fy = Math.min(1, v - v0);
      for (let x = left; x <= right; x++) {
        const dx = x + 0.5 - cx;
        const coverage = clampUnit(radius - Math.sqrt(dx * dx + dy * dy) + 0.5);
        if (coverage <= 0) continue;
        const u = Math.min(maxX, Math.max(0, sx + (dx + radius) * scale - 0.5));
        const u0 = Math.max(0, Math.min(maxX - 1, Math.floor(u)));
        const fx = Math.min(1, u - u0);
        const i00 = (v0 * source.width + u0) * 4;
        const i10 = i00 + (maxX > 0 ? 4 : 0);
        const i01 = i00 + (maxY > 0 ? source.width * 4 : 0);
        const i11 = i01 + (maxX > 0 ? 4 : 0);
        const w00 = (1 - fx) * (1 - fy), w10 = fx * (1 - fy), w01 = (1 - fx) * fy, w11 = fx * fy;
        // Transparent parts of a PNG photo let the scene show through.
        const opacity = coverage *
          (pixels[i00 + 3] * w00 + pixels[i10 + 3] * w10 + pixels[i01 + 3] * w01 + pixels[i11 + 3] * w11) /
          255;
        const p = (y * this.width + x) * 4;
        for (let c = 0; c < 3; c++) {
          const sample = pixels[i00 + c] * w00 + pixels[i10 + c] * w10 + pixels[i01 + c] * w01 +
            pixels[i11 + c] * w11;
          d[p + c] += (sample - d[p + c]) * opacity;
        }
      }
    }
  }
}
