/**
 * Preview watermarking: decode, fit within 1024 px, composite a tiled diagonal "PREVIEW · TALECRAFT", encode.
 *
 * Where the time goes and why it is spent this way:
 * - the overlay (lettering, rotation, tiling) is drawn once per output size and kept at module scope, so a
 *   request pays only for the composite (a few ms), not for drawing text;
 * - decoding uses MozJPEG built for WebAssembly, whose output is already RGBA, so no per-pixel copy follows;
 * - encoding uses our own baseline 4:2:0 encoder (see jpeg_encoder.ts);
 * - the JPEG frame header is checked before decoding, so a print-size image is refused without being decoded.
 */
import { Framebuffer } from "./imagescript_framebuffer.ts";
import { decodeJpeg } from "./image_decoding.ts";
import { ImageInputError, readJpegHeader } from "./image_header.ts";
import { encodeJpeg } from "./jpeg_encoder.ts";
import { downscale, fitWithin, type RgbaImage } from "./raster.ts";
import { renderLettering } from "./stroke_lettering.ts";

export const WATERMARK_TEXT = "PREVIEW · TALECRAFT";
export const PREVIEW_MAX_SIDE = 1024;
/** Inputs larger than this are refused: decoding them costs more CPU and memory than a request may spend. */
export const WATERMARK_MAX_INPUT_SIDE = 2048;

export interface WatermarkOptions {
  /** Longest side of the output; default 1024. */
  maxSide?: number;
  /** JPEG quality of the output; default 85. */
  quality?: number;
  /** Longest side of an input JPEG that will be decoded at all; default 2048. */
  maxInputSide?: number;
}

const ANGLE_DEGREES = -30;
const FILL_OPACITY = 0.45;
const OUTLINE_OPACITY = 0.3;
const FILL_RGB = [255, 255, 255] as const;
const OUTLINE_RGB = [24, 22, 38] as const;

/** Overlays already drawn, by "widthxheight"; a handful at most, since previews come in very few sizes. */
const overlayCache = new Map<string, Framebuffer>();
const OVERLAY_CACHE_LIMIT = 6;

/** Watermarks a JPEG; refuses inputs whose header says a side exceeds `maxInputSide`, without decoding them. */
export async function watermarkPreview(
  jpeg: Uint8Array,
  options: WatermarkOptions = {},
): Promise<Uint8Array> {
  const maxInputSide = options.maxInputSide ?? WATERMARK_MAX_INPUT_SIDE;
  const header = readJpegHeader(jpeg);
  if (header.width > maxInputSide || header.height > maxInputSide) {
    throw new ImageInputError(
      "image_too_large",
      `a ${header.width}×${header.height} JPEG is too large to watermark (at most ${maxInputSide} px a side); ` +
        "watermark the preview-size image instead",
    );
  }
  const decoded = await decodeJpeg(jpeg);
  return watermarkOwnedPixels(decoded, options);
}

/**
 * Watermarks pixels that are already in memory (e.g. straight from the illustrator, skipping an encode and a
 * decode). Any size is accepted: it is downscaled by area averaging first. The input is left untouched.
 */
export function watermarkPreviewPixels(image: RgbaImage, options: WatermarkOptions = {}): Uint8Array {
  const fits = Math.max(image.width, image.height) <= (options.maxSide ?? PREVIEW_MAX_SIDE);
  // Downscaling already yields a fresh buffer; only an image that fits as it is needs copying.
  return watermarkOwnedPixels(fits ? { ...image, data: image.data.slice() } : image, options);
}

/** Composites in place, so only for pixels this module owns. */
function watermarkOwnedPixels(image: RgbaImage, options: WatermarkOptions): Uint8Array {
  const target = fitWithin(image.width, image.height, options.maxSide ?? PREVIEW_MAX_SIDE);
  const fitted = downscale(image, target.width, target.height);
  const canvas = new Framebuffer(fitted.width, fitted.height, fitted.data);
  canvas.overlay(watermarkOverlay(fitted.width, fitted.height));
  return encodeJpeg(fitted, { quality: options.quality ?? 85, comment: "Talecraft preview (watermarked)" });
}

/** The RGBA overlay for one output size, drawn on first use and cached. */
export function watermarkOverlay(width: number, height: number): Framebuffer {
  const key = `${width}x${height}`;
  const cached = overlayCache.get(key);
  if (cached) return cached;
  const overlay = drawOverlay(width, height);
  if (overlayCache.size >= OVERLAY_CACHE_LIMIT) overlayCache.delete(overlayCache.keys().next().value!);
  overlayCache.set(key, overlay);
  return overlay;
}

function drawOverlay(width: number, height: number): Framebuffer {
  const longest = Math.max(width, height);
  const capHeight = Math.max(8, longest * 0.032);
  const lettering = renderLettering(WATERMARK_TEXT, { capHeight, strokeRatio: 0.17, outlineRatio: 0.07 });
  // Lines of lettering repeat every `period` along the text direction and every `pitch` across it; each line
  // is shifted by half a period against its neighbour so the pattern reads as a brick bond, not a grid.
  const period = lettering.width + capHeight * 3;
  const pitch = capHeight * 5.2;
  const angle = (ANGLE_DEGREES * Math.PI) / 180;
  const cos = Math.cos(angle), sin = Math.sin(angle);
  const overlay = new Framebuffer(width, height);
  const out = overlay.u8;
  const maskWidth = lettering.width, maskHeight = lettering.height;
  const fill = lettering.fill, outline = lettering.outline;
  const centreX = width / 2, centreY = height / 2;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      // Rotate the pixel centre into text space (u along the text, v across it).
      const px = x + 0.5 - centreX, py = y + 0.5 - centreY;
      const u = px * cos + py * sin;
      const v = -px * sin + py * cos;
      const line = Math.floor(v / pitch);
      const mv = v - line * pitch - (pitch - maskHeight) / 2;
      if (mv < 0 || mv >= maskHeight - 1) continue;
      const shifted = u + (line & 1) * period * 0.5;
      const mu = shifted - Math.floor(shifted / period) * period;
      if (mu >= maskWidth - 1) continue;
      // Bilinear sample of both masks.
      const x0 = mu | 0, y0 = mv | 0;
      const fx = mu - x0, fy = mv - y0;
      const i = y0 * maskWidth + x0;
      const w00 = (1 - fx) * (1 - fy), w10 = fx * (1 - fy), w01 = (1 - fx) * fy, w11 = fx * fy;
      const f = fill[i] * w00 + fill[i + 1] * w10 + fill[i + maskWidth] * w01 + fill[i + maskWidth + 1] * w11;
      const o = outline[i] * w00 + outline[i + 1] * w10 + outline[i + maskWidth] * w01 +
        outline[i + maskWidth + 1] * w11;
      // Fill over outline ("source over"), kept as straight alpha for imagescript's blend.
      const fillAlpha = FILL_OPACITY * f;
      const outlineAlpha = OUTLINE_OPACITY * o * (1 - fillAlpha);
      const alpha = fillAlpha + outlineAlpha;
      if (alpha <= 0.002) continue;
      const p = (y * width + x) * 4;
      out[p] = (FILL_RGB[0] * fillAlpha + OUTLINE_RGB[0] * outlineAlpha) / alpha;
      out[p + 1] = (FILL_RGB[1] * fillAlpha + OUTLINE_RGB[1] * outlineAlpha) / alpha;
      out[p + 2] = (FILL_RGB[2] * fillAlpha + OUTLINE_RGB[2] * outlineAlpha) / alpha;
      out[p + 3] = Math.round(alpha * 255);
    }
  }
  return overlay;
}
