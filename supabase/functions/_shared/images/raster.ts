/**
 * Pixel buffers shared by the image module, and the few operations on them that imagescript's pure-JS
 * framebuffer does not do the way we need (area-averaging downscale).
 */

/** Straight (not premultiplied) RGBA, 4 bytes per pixel, rows top to bottom, no padding. */
export interface RgbaImage {
  width: number;
  height: number;
  data: Uint8Array<ArrayBuffer>;
}

export function createRgbaImage(width: number, height: number): RgbaImage {
  return { width, height, data: new Uint8Array(width * height * 4) };
}

/** Width and height that fit inside `maxSide` with the aspect ratio kept; unchanged when already inside. */
export function fitWithin(width: number, height: number, maxSide: number): { width: number; height: number } {
  const longest = Math.max(width, height);
  if (longest <= maxSide) return { width, height };
  const scale = maxSide / longest;
  return {
    width: Math.max(1, Math.round(width * scale)),
    height: Math.max(1, Math.round(height * scale)),
  };
}

/**
 * Area-averaging downscale (each output pixel is the mean of the source pixels it covers, whole pixels only).
 * Unlike bilinear sampling it keeps fine texture from aliasing at ratios like 3075 → 1024.
 */
export function downscale(image: RgbaImage, width: number, height: number): RgbaImage {
  if (width === image.width && height === image.height) return image;
  if (width > image.width || height > image.height) throw new RangeError("downscale cannot enlarge an image");
  const sourceWidth = image.width;
  // One 32-bit load per source pixel, split into channels with shifts (little-endian: R is the low byte).
  const aligned = image.data.byteOffset % 4 === 0 ? image.data : image.data.slice();
  const source = new Uint32Array(aligned.buffer, aligned.byteOffset, sourceWidth * image.height);
  const out = createRgbaImage(width, height);
  const target = out.data;
  const xStart = new Int32Array(width + 1);
  for (let x = 0; x <= width; x++) xStart[x] = Math.floor((x * sourceWidth) / width);
  const sums = new Uint32Array(width * 4);
  let o = 0;
  for (let y = 0; y < height; y++) {
    const top = Math.floor((y * image.height) / height);
    const bottom = Math.floor(((y + 1) * image.height) / height);
    sums.fill(0);
    for (let sy = top; sy < bottom; sy++) {
      const row = sy * sourceWidth;
      for (let x = 0, s = 0; x < width; x++, s += 4) {
        let r = 0, g = 0, b = 0, a = 0;
        for (let sx = row + xStart[x], end = row + xStart[x + 1]; sx < end; sx++) {
          const pixel = source[sx];
          r += pixel & 0xff;
          g += (pixel >>> 8) & 0xff;
          b += (pixel >>> 16) & 0xff;
          a += pixel >>> 24;
        }
        sums[s] += r;
        sums[s + 1] += g;
        sums[s + 2] += b;
        sums[s + 3] += a;
      }
    }
    const rows = bottom - top;
    for (let x = 0, s = 0; x < width; x++, s += 4) {
      const inverse = 1 / (rows * (xStart[x + 1] - xStart[x]));
      target[o++] = sums[s] * inverse + 0.5;
      target[o++] = sums[s + 1] * inverse + 0.5;
      target[o++] = sums[s + 2] * inverse + 0.5;
      target[o++] = sums[s + 3] * inverse + 0.5;
    }
  }
  return out;
}
