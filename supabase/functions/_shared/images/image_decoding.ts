/**
 * Reading image files: JPEG headers without decoding, JPEG pixels through a WebAssembly decoder
 * (@jsquash/jpeg, MozJPEG built for WASM), PNG pixels through imagescript's pure-JS PNG codec.
 * Nothing here loads a native add-on, so it runs under the edge runtime and under `--deny-ffi`.
 */
import decodeJpegWasm from "@jsquash/jpeg/decode.js";
import { Framebuffer } from "./imagescript_framebuffer.ts";
import type { RgbaImage } from "./raster.ts";

export type ImageInputErrorCode = "unsupported_format" | "image_too_large" | "unreadable_image";

/** The one error shape for bad image input (as opposed to a provider failing: see ImageProviderError). */
export class ImageInputError extends Error {
  override readonly name = "ImageInputError";
  constructor(readonly code: ImageInputErrorCode, message: string) {
    super(message);
  }
}

export interface JpegHeader {
  width: number;
  height: number;
  components: number;
  progressive: boolean;
}

const START_OF_FRAME_MARKERS = new Set([
  0xc0,
  0xc1,
  0xc2,
  0xc3,
  0xc5,
  0xc6,
  0xc7,
  0xc9,
  0xca,
  0xcb,
  0xcd,
  0xce,
  0xcf,
]);

export function isJpeg(bytes: Uint8Array): boolean {
  return bytes.length > 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff;
}

export function isPng(bytes: Uint8Array): boolean {
  return bytes.length > 24 && bytes[0] === 0x89 && bytes[1] === 0x50 && bytes[2] === 0x4e &&
    bytes[3] === 0x47;
}

/** Finds the frame header (SOFn) by walking the marker segments; touches no entropy-coded data. */
export function readJpegHeader(bytes: Uint8Array): JpegHeader {
  if (!isJpeg(bytes)) throw new ImageInputError("unsupported_format", "the data is not a JPEG file");
  let offset = 2;
  while (offset + 4 <= bytes.length) {
    if (bytes[offset] !== 0xff) {
      throw new ImageInputError("unreadable_image", `JPEG marker expected at byte ${offset}`);
    }
    const marker = bytes[offset + 1];
    if (marker === 0xff) {
      offset++; // fill byte
      continue;
    }
    if (marker === 0x01 || (marker >= 0xd0 && marker <= 0xd7)) {
      offset += 2;
      continue;
    }
    if (marker === 0xda || marker === 0xd9) break;
    const length = (bytes[offset + 2] << 8) | bytes[offset + 3];
    if (START_OF_FRAME_MARKERS.has(marker)) {
      if (offset + 2 + length > bytes.length || length < 8) break;
      return {
        height: (bytes[offset + 5] << 8) | bytes[offset + 6],
        width: (bytes[offset + 7] << 8) | bytes[offset + 8],
        components: bytes[offset + 9],
        progressive: marker === 0xc2 || marker === 0xc6 || marker === 0xca || marker === 0xce,
      };
    }
    offset += 2 + length;
  }
  throw new ImageInputError("unreadable_image", "the JPEG has no frame header");
}

/** Decodes a JPEG to RGBA. Callers check `readJpegHeader` first when the size must be bounded. */
export async function decodeJpeg(bytes: Uint8Array): Promise<RgbaImage> {
  const whole = bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength
    ? bytes.buffer as ArrayBuffer
    : bytes.slice().buffer;
  let decoded: ImageData;
  try {
    decoded = await decodeJpegWasm(whole);
  } catch (error) {
    throw new ImageInputError("unreadable_image", `the JPEG could not be decoded: ${String(error)}`);
  }
  const data = decoded.data;
  return {
    width: decoded.width,
    height: decoded.height,
    data: new Uint8Array(data.buffer as ArrayBuffer, data.byteOffset, data.byteLength),
  };
}

export function decodePng(bytes: Uint8Array): RgbaImage {
  try {
    const frame = Framebuffer.decode("png", bytes as Uint8Array<ArrayBuffer>);
    return { width: frame.width, height: frame.height, data: frame.u8 as Uint8Array<ArrayBuffer> };
  } catch (error) {
    throw new ImageInputError("unreadable_image", `the PNG could not be decoded: ${String(error)}`);
  }
}

/** Decodes a JPEG or PNG, judged by content. */
export function decodeImage(bytes: Uint8Array): Promise<RgbaImage> {
  if (isJpeg(bytes)) return decodeJpeg(bytes);
  if (isPng(bytes)) return Promise.resolve(decodePng(bytes));
  return Promise.reject(new ImageInputError("unsupported_format", "only JPEG and PNG images can be read"));
}
