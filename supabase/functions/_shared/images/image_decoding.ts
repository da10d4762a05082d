/**
 * Decoding image files (whose headers image_header.ts reads): JPEG and WebP pixels through WebAssembly
 * decoders (@jsquash/jpeg, MozJPEG; @jsquash/webp, libwebp) and PNG pixels through imagescript's pure-JS PNG
 * codec. Nothing here loads a native add-on, so it runs under the edge runtime and under `--deny-ffi`.
 */
import decodeJpegWasm, { init as startJpegDecoder } from "@jsquash/jpeg/decode.js";
import decodeWebpWasm, { init as startWebpDecoder } from "@jsquash/webp/decode.js";
import {
  countScansToEndOfImage,
  ImageInputError,
  pngBitsPerPixel,
  pngChunks,
  type PngHeader,
  readPngHeader,
  sniffImageFormat,
} from "./image_header.ts";
import { Framebuffer } from "./imagescript_framebuffer.ts";
import type { RgbaImage } from "./raster.ts";

/** The WASM decoders take a whole ArrayBuffer; copy only when the bytes are a view into a larger one. */
function wholeBuffer(bytes: Uint8Array): ArrayBuffer {
  return bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength
    ? bytes.buffer as ArrayBuffer
    : bytes.slice().buffer;
}

function fromImageData(decoded: ImageData): RgbaImage {
  const data = decoded.data;
  return {
    width: decoded.width,
    height: decoded.height,
    data: new Uint8Array(data.buffer as ArrayBuffer, data.byteOffset, data.byteLength),
  };
}

const MAX_JPEG_SCANS = 100;

// Below this the decoder's memory stays within what the next photo will need anyway.
const RENEW_DECODER_AFTER_PIXELS = 4_000_000;

/**
 * A WebAssembly decoder whose instance is replaced after it has decoded a large image. WebAssembly memory only
 * grows, so an instance that once held a 16 MP photo would keep those 64 MB for the life of the function
 * instance, on top of the next request's own; a fresh instance lets the old memory be collected. The swap is
 * made before the next decode, which then awaits (and so handles) the new instance's start.
 */
export function renewingDecoder(start: () => unknown, renewAfterPixels = RENEW_DECODER_AFTER_PIXELS) {
  let renew = false;
  return {
    async run(decode: () => Promise<ImageData>): Promise<ImageData> {
      if (renew) {
        renew = false;
        start();
      }
      const decoded = await decode();
      renew = decoded.width * decoded.height > renewAfterPixels;
      return decoded;
    },
  };
}

const jpegDecoder = renewingDecoder(() => startJpegDecoder());
const webpDecoder = renewingDecoder(() => startWebpDecoder());

/**
 * Decodes a JPEG to RGBA, as stored: the EXIF orientation is not applied (see exif.ts). A file cut off before
 * its EOI marker is refused rather than decoded to a partly grey picture. Callers check `readJpegHeader`
 * first when the size must be bounded.
 */
export async function decodeJpeg(bytes: Uint8Array): Promise<RgbaImage> {
  const scans = countScansToEndOfImage(bytes);
  if (scans < 0) {
    throw new ImageInputError("unreadable_image", "the JPEG is incomplete: it has no end-of-image marker");
  }
  // Each scan of a progressive JPEG is a pass over the whole image's coefficients, so thousands of tiny scans
  // in a small file would cost minutes of CPU. Encoders write about ten; libjpeg-turbo's tools cap them too.
  if (scans > MAX_JPEG_SCANS) {
    throw new ImageInputError(
      "unreadable_image",
      `the JPEG has ${scans} scans; at most ${MAX_JPEG_SCANS} are read`,
    );
  }
  try {
    return fromImageData(await jpegDecoder.run(() => decodeJpegWasm(wholeBuffer(bytes))));
  } catch (error) {
    throw new ImageInputError("unreadable_image", `the JPEG could not be decoded: ${String(error)}`);
  }
}

/** Decodes a still WebP (lossy, lossless, with or without alpha) to RGBA; libwebp fails on truncated data. */
export async function decodeWebp(bytes: Uint8Array): Promise<RgbaImage> {
  try {
    return fromImageData(await webpDecoder.run(() => decodeWebpWasm(wholeBuffer(bytes))));
  } catch (error) {
    throw new ImageInputError("unreadable_image", `the WebP could not be decoded: ${String(error)}`);
  }
}

/**
 * imagescript's PNG codec reads 8- and 16-bit, non-interlaced PNGs (every colour type); it would return
 * scrambled pixels for interlaced ones or for 1, 2 and 4-bit samples, so those are refused by name. Its
 * inflater also keeps inflating past the image's size, so the image data is first inflated here only as far
 * as the header allows: otherwise a 1 MB file declaring 1000 × 1000 pixels could spend seconds of CPU
 * inflating a gigabyte that is then discarded.
 */
export async function decodePng(bytes: Uint8Array): Promise<RgbaImage> {
  const header = readPngHeader(bytes);
  if (header.interlaced || header.bitDepth < 8) {
    throw new ImageInputError(
      "unsupported_format",
      "interlaced PNGs and PNGs with fewer than 8 bits per sample are not accepted",
    );
  }
  await assertPngDataFitsHeader(bytes, header);
  try {
    const frame = Framebuffer.decode("png", bytes as Uint8Array<ArrayBuffer>);
    return { width: frame.width, height: frame.height, data: frame.u8 as Uint8Array<ArrayBuffer> };
  } catch (error) {
    throw new ImageInputError("unreadable_image", `the PNG could not be decoded: ${String(error)}`);
  }
}

/** The image data (IDAT chunks, one zlib stream) inflates to no more than a filter byte and the samples of each row. */
async function assertPngDataFitsHeader(bytes: Uint8Array, header: PngHeader): Promise<void> {
  const expected = header.height * (1 + Math.ceil((header.width * pngBitsPerPixel(header)) / 8));
  const data = [...pngChunks(bytes)].filter((chunk) => chunk.type === "IDAT").map((chunk) => chunk.data);
  const reader = new Blob(data as Uint8Array<ArrayBuffer>[]).stream()
    .pipeThrough(new DecompressionStream("deflate")).getReader();
  let inflated = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return;
      inflated += value.byteLength;
      if (inflated > expected) {
        await reader.cancel().catch(() => {});
        throw new ImageInputError("unreadable_image", "the PNG holds more image data than its header says");
      }
    }
  } catch (error) {
    if (error instanceof ImageInputError) throw error;
    throw new ImageInputError("unreadable_image", `the PNG's image data is damaged: ${String(error)}`);
  }
}

/** Decodes a JPEG, PNG or WebP, judged by content. */
export async function decodeImage(bytes: Uint8Array): Promise<RgbaImage> {
  const format = sniffImageFormat(bytes);
  if (format === "jpeg") return await decodeJpeg(bytes);
  if (format === "png") return await decodePng(bytes);
  if (format === "webp") return await decodeWebp(bytes);
  throw new ImageInputError("unsupported_format", "only JPEG, PNG and WebP images can be read");
}
