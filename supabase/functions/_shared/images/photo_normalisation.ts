/**
 * Turns an uploaded photo (JPEG, PNG or WebP) into the one form the rest of the product sees: an upright,
 * opaque JPEG no larger than 2048 px a side and carrying no metadata at all, plus its pixels, which are what
 * face detection runs on, so face boxes are in the stored JPEG's coordinates.
 */
import { applyOrientation, readExifOrientation } from "./exif.ts";
import { decodeImage } from "./image_decoding.ts";
import { type ImageFormat, ImageInputError, readImageHeader } from "./image_header.ts";
import { encodeJpeg } from "./jpeg_encoder.ts";
import { downscale, fitWithin, type RgbaImage } from "./raster.ts";

export interface PhotoLimits {
  /** Width × height above which a file is refused before decoding: its pixels would not fit in memory. */
  maxPixels: number;
  /** The longest side of the stored photo. */
  maxSide: number;
  /** 1–100, the IJG scale of encodeJpeg. */
  jpegQuality: number;
}

export const DEFAULT_PHOTO_LIMITS: PhotoLimits = { maxPixels: 40_000_000, maxSide: 2048, jpegQuality: 90 };

export interface NormalisedPhoto {
  /** Baseline JFIF with no APPn beyond APP0 and no comment: no EXIF, GPS, XMP or ICC survives. */
  jpeg: Uint8Array;
  /** The pixels `jpeg` was encoded from: upright, opaque, `width` × `height`. */
  image: RgbaImage;
  width: number;
  height: number;
  sourceFormat: ImageFormat;
}

/**
 * Sniffs, bounds the pixel count from the header alone, decodes, flattens transparency onto white, scales
 * down, turns upright and re-encodes. Throws ImageInputError: "unsupported_format" (not JPEG/PNG/WebP),
 * "image_too_large" (over `maxPixels`, found before any pixel is decoded), "unreadable_image" (empty,
 * truncated or corrupt).
 */
export async function normalisePhoto(
  bytes: Uint8Array,
  limits: PhotoLimits = DEFAULT_PHOTO_LIMITS,
): Promise<NormalisedPhoto> {
  const header = readImageHeader(bytes);
  const pixelCount = header.width * header.height;
  // What decoding costs in memory: a 16-bit PNG takes twice the bytes of an 8-bit image of the same size, so
  // it counts twice against the limit.
  const weightedPixels = (pixelCount * header.bytesPerPixel) / 4;
  if (weightedPixels > limits.maxPixels) {
    const size = `${megapixels(pixelCount, Math.ceil)} megapixels (${header.width} × ${header.height})`;
    const limit = `${megapixels(limits.maxPixels, Math.round)} megapixels`;
    // Only 16-bit RGB and RGBA PNGs take more than 4 bytes a pixel.
    const weight = header.bytesPerPixel > 4
      ? `, counted as ${megapixels(weightedPixels, Math.ceil)} megapixels because its samples are 16-bit`
      : "";
    throw new ImageInputError("image_too_large", `it is ${size}${weight}, above the limit of ${limit}`);
  }
  const orientation = readExifOrientation(bytes, header.format);
  const decoded = await decodeImage(bytes);
  // The bound above holds only if the decoder produced what the header promised.
  if (decoded.width !== header.width || decoded.height !== header.height) {
    throw new ImageInputError("unreadable_image", "the decoded size differs from the size in the header");
  }
  // Flattening comes before scaling so that averaging mixes composited colours, not the arbitrary colour of
  // transparent pixels; scaling comes before turning so that the turn copies the smaller image.
  flattenOntoWhite(decoded);
  const fitted = fitWithin(decoded.width, decoded.height, limits.maxSide);
  const image = applyOrientation(downscale(decoded, fitted.width, fitted.height), orientation);
  return {
    jpeg: encodeJpeg(image, { quality: limits.jpegQuality }),
    image,
    width: image.width,
    height: image.height,
    sourceFormat: header.format,
  };
}

/** To 0.1 MP; the size is rounded up, so that a file just over the limit never reads as equal to it. */
function megapixels(pixels: number, rounding: (value: number) => number): string {
  return String(rounding(pixels / 100_000) / 10);
}

/** Composites every translucent pixel onto white, in place, leaving the image fully opaque. */
function flattenOntoWhite(image: RgbaImage): void {
  const data = image.data;
  for (let p = 3; p < data.length; p += 4) {
    const alpha = data[p];
    if (alpha === 255) continue;
    const white = 255 * (255 - alpha) + 127;
    data[p - 3] = (data[p - 3] * alpha + white) / 255;
    data[p - 2] = (data[p - 2] * alpha + white) / 255;
    data[p - 1] = (data[p - 1] * alpha + white) / 255;
    data[p] = 255;
  }
}
