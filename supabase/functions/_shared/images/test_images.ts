/**
 * Synthetic images for the image module's tests and benchmarks (nothing here is used in production code).
 */
import { Framebuffer } from "./imagescript_framebuffer.ts";
import { createRgbaImage, type RgbaImage } from "./raster.ts";

export function solidImage(width: number, height: number, rgb: readonly [number, number, number]): RgbaImage {
  const image = createRgbaImage(width, height);
  for (let p = 0; p < image.data.length; p += 4) {
    image.data[p] = rgb[0];
    image.data[p + 1] = rgb[1];
    image.data[p + 2] = rgb[2];
    image.data[p + 3] = 255;
  }
  return image;
}

function seeded(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 4294967296;
  };
}

/**
 * A photo-like test picture: fractal value noise in colour (a "plasma"), a diagonal gradient, outlined
 * translucent circles and Gaussian grain. It compresses like a real photo, unlike a flat colour.
 */
export function noisyPhoto(width: number, height: number, seed = 1): RgbaImage {
  const random = seeded(seed);
  const image = createRgbaImage(width, height);
  const octaves = [128, 64, 32, 16].map((cell) => {
    const columns = Math.ceil(width / cell) + 2, rows = Math.ceil(height / cell) + 2;
    const lattice = new Float32Array(columns * rows * 3);
    for (let i = 0; i < lattice.length; i++) lattice[i] = random();
    return { cell, columns, lattice, weight: cell / 240 };
  });
  const circles = Array.from({ length: 7 }, () => ({
    x: random() * width,
    y: random() * height,
    r: (0.05 + random() * 0.2) * Math.min(width, height),
    rgb: [random() * 255, random() * 255, random() * 255],
  }));
  let spare = 0, hasSpare = false;
  const gaussian = () => {
    if (hasSpare) {
      hasSpare = false;
      return spare;
    }
    const u = Math.max(1e-12, random()), v = random();
    const magnitude = Math.sqrt(-2 * Math.log(u));
    spare = magnitude * Math.sin(2 * Math.PI * v);
    hasSpare = true;
    return magnitude * Math.cos(2 * Math.PI * v);
  };
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const rgb = [0, 0, 0];
      for (const { cell, columns, lattice, weight } of octaves) {
        const gx = x / cell, gy = y / cell;
        const ix = gx | 0, iy = gy | 0;
        const fx = gx - ix, fy = gy - iy;
        const sx = fx * fx * (3 - 2 * fx), sy = fy * fy * (3 - 2 * fy);
        for (let c = 0; c < 3; c++) {
          const at = (cx: number, cy: number) => lattice[(cy * columns + cx) * 3 + c];
          const top = at(ix, iy) + (at(ix + 1, iy) - at(ix, iy)) * sx;
          const bottom = at(ix, iy + 1) + (at(ix + 1, iy + 1) - at(ix, iy + 1)) * sx;
          rgb[c] += (top + (bottom - top) * sy) * weight;
        }
      }
      const gradient = (x + y) / (width + height);
      const p = (y * width + x) * 4;
      for (let c = 0; c < 3; c++) {
        let value = rgb[c] * 170 + gradient * 60 * (c === 2 ? -1 : 1) + 20;
        for (const circle of circles) {
          const distance = Math.abs(Math.hypot(x - circle.x, y - circle.y) - circle.r);
          if (distance < 3) value += (circle.rgb[c] - value) * 0.5 * (1 - distance / 3);
        }
        image.data[p + c] = value + gaussian() * 7;
      }
      image.data[p + 3] = 255;
    }
  }
  return image;
}

export function encodePng(image: RgbaImage): Uint8Array {
  return new Framebuffer(image.width, image.height, image.data).encode("png");
}

export function dataUrl(bytes: Uint8Array, contentType: string): string {
  let binary = "";
  for (let i = 0; i < bytes.length; i += 0x8000) {
    binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  }
  return `data:${contentType};base64,${btoa(binary)}`;
}

/** Mean colour of the pixels within `radius` of (cx, cy). */
export function meanColour(
  image: RgbaImage,
  cx: number,
  cy: number,
  radius: number,
): [number, number, number] {
  const sum = [0, 0, 0];
  let count = 0;
  for (
    let y = Math.max(0, Math.floor(cy - radius));
    y < Math.min(image.height, Math.ceil(cy + radius));
    y++
  ) {
    for (
      let x = Math.max(0, Math.floor(cx - radius));
      x < Math.min(image.width, Math.ceil(cx + radius));
      x++
    ) {
      if (Math.hypot(x + 0.5 - cx, y + 0.5 - cy) > radius) continue;
      const p = (y * image.width + x) * 4;
      sum[0] += image.data[p];
      sum[1] += image.data[p + 1];
      sum[2] += image.data[p + 2];
      count++;
    }
  }
  return [sum[0] / count, sum[1] / count, sum[2] / count];
}

/**
 * A JPEG that is only its header: SOI, a baseline frame header of `side` × `side` (three components), EOI.
 * Enough for code that reads a print-size image's size from its header and never decodes it.
 */
export function jpegHeaderOnly(side: number): Uint8Array<ArrayBuffer> {
  const high = side >> 8;
  const low = side & 0xff;
  return new Uint8Array([
    0xff,
    0xd8,
    0xff,
    0xc0,
    0x00,
    0x11,
    0x08,
    high,
    low,
    high,
    low,
    0x03,
    0x01,
    0x22,
    0x00,
    0x02,
    0x11,
    0x01,
    0x03,
    0x11,
    0x01,
    0xff,
    0xd9,
  ]);
}
