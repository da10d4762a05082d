/**
 * Reading image files' headers: the format from magic bytes and the dimensions from headers alone, so that a
 * decompression bomb is refused before any pixel is allocated. Pure byte walking that loads no WebAssembly
 * (image_decoding.ts does), so a module that never decodes a pixel, like the book's PDF writer, stays small.
 */
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
  /** 1 greyscale, 3 YCbCr (RGB), 4 CMYK or YCCK. */
  components: number;
  progressive: boolean;
}

export interface JpegFrame extends JpegHeader {
  /** Bits per sample: 8 for every JPEG a PDF reader is sure to draw. */
  precision: number;
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

/** The formats a photo may arrive in. */
export type ImageFormat = "jpeg" | "png" | "webp";

/** What sniffing can name: GIF is recognised only so that callers can say why it is refused. */
export type SniffedFormat = ImageFormat | "gif";

export interface ImageHeader {
  format: ImageFormat;
  width: number;
  height: number;
  /**
   * Bytes a pixel takes while it is decoded: 4 for JPEG and WebP (decoded to RGBA); for PNG its samples as
   * stored, which reach 8 for 16-bit RGBA. A caller bounding memory multiplies this by width × height.
   */
  bytesPerPixel: number;
}

interface Signature {
  format: SniffedFormat;
  /** Bytes at the start of the file; null matches any byte (the RIFF size field). */
  bytes: readonly (number | null)[];
}

const ascii = (text: string) => Array.from(text, (character) => character.charCodeAt(0));

const JPEG_SIGNATURE: Signature = { format: "jpeg", bytes: [0xff, 0xd8, 0xff] };

const SIGNATURES: readonly Signature[] = [
  JPEG_SIGNATURE,
  { format: "png", bytes: [0x89, ...ascii("PNG\r\n"), 0x1a, 0x0a] },
  { format: "webp", bytes: [...ascii("RIFF"), null, null, null, null, ...ascii("WEBP")] },
  { format: "gif", bytes: ascii("GIF87a") },
  { format: "gif", bytes: ascii("GIF89a") },
];

function matchesSignature(bytes: Uint8Array, signature: Signature, length: number): boolean {
  for (let i = 0; i < length; i++) {
    const expected = signature.bytes[i];
    if (expected !== null && bytes[i] !== expected) return false;
  }
  return true;
}

/** Names the format from the file's first bytes: the file name and declared content type are never trusted. */
export function sniffImageFormat(bytes: Uint8Array): SniffedFormat | null {
  for (const signature of SIGNATURES) {
    if (
      bytes.length >= signature.bytes.length && matchesSignature(bytes, signature, signature.bytes.length)
    ) {
      return signature.format;
    }
  }
  return null;
}

/** True when the file stops before a signature could be told apart: a truncated (or empty) file, not text. */
function endsInsideSignature(bytes: Uint8Array): boolean {
  return SIGNATURES.some((signature) =>
    bytes.length < signature.bytes.length && matchesSignature(bytes, signature, bytes.length)
  );
}

export function isJpeg(bytes: Uint8Array): boolean {
  return sniffImageFormat(bytes) === "jpeg";
}

/**
 * The format and pixel size, read from headers only, so that a caller can bound width × height before
 * decoding. Throws ImageInputError: "unsupported_format" for anything but JPEG, PNG and (still) WebP,
 * "unreadable_image" for an empty file or a header that is malformed or cut short.
 */
export function readImageHeader(bytes: Uint8Array): ImageHeader {
  const format = sniffImageFormat(bytes);
  if (format === null) {
    if (bytes.length === 0) throw new ImageInputError("unreadable_image", "the file is empty");
    if (endsInsideSignature(bytes)) {
      throw new ImageInputError("unreadable_image", "the file ends before its format can be told");
    }
    throw new ImageInputError("unsupported_format", "only JPEG, PNG and WebP images can be read");
  }
  if (format === "gif") {
    throw new ImageInputError("unsupported_format", "GIF images are not accepted; only JPEG, PNG and WebP");
  }
  const png = format === "png" ? readPngHeader(bytes) : null;
  const { width, height } = png ?? (format === "jpeg" ? readJpegHeader(bytes) : readWebpHeader(bytes));
  if (width === 0 || height === 0) {
    throw new ImageInputError(
      "unreadable_image",
      `the ${format} header gives a size of ${width} × ${height}`,
    );
  }
  return { format, width, height, bytesPerPixel: png ? Math.max(4, pngBitsPerPixel(png) / 8) : 4 };
}

/** Finds the frame header (SOFn) among the segments before the first scan; touches no entropy-coded data. */
export function readJpegHeader(bytes: Uint8Array): JpegHeader {
  return jpegHeaderOf(findJpegFrameSegment(bytes, false)!);
}

/**
 * readJpegHeader for the first bytes of a JPEG as they arrive from a stream, with the sample precision: null
 * when `prefix` ends before the whole frame header segment (read more and ask again).
 */
export function readJpegFrame(prefix: Uint8Array): JpegFrame | null {
  const segment = findJpegFrameSegment(prefix, true);
  return segment && { ...jpegHeaderOf(segment), precision: segment.payload[0] };
}

function findJpegFrameSegment(bytes: Uint8Array, prefix: boolean): JpegSegment | null {
  if (!isJpeg(bytes)) {
    const cutInsideSignature = bytes.length < JPEG_SIGNATURE.bytes.length &&
      matchesSignature(bytes, JPEG_SIGNATURE, bytes.length);
    if (prefix && cutInsideSignature) return null;
    throw new ImageInputError("unsupported_format", "the data is not a JPEG file");
  }
  const noFrameHeader = () => new ImageInputError("unreadable_image", "the JPEG has no frame header");
  for (const segment of jpegSegments(bytes)) {
    if (segment.marker === JPEG_START_OF_SCAN || segment.marker === JPEG_END_OF_IMAGE) throw noFrameHeader();
    if (!START_OF_FRAME_MARKERS.has(segment.marker)) continue;
    // Precision (1 byte), height and width (2 bytes each), the number of components.
    if (segment.payload.length < 6) throw noFrameHeader();
    return segment;
  }
  // The walk ended with the bytes, or at a segment length it cannot follow, before any frame header.
  if (prefix) return null;
  throw noFrameHeader();
}

function jpegHeaderOf({ marker, payload }: JpegSegment): JpegHeader {
  return {
    height: (payload[1] << 8) | payload[2],
    width: (payload[3] << 8) | payload[4],
    components: payload[5],
    progressive: marker === 0xc2 || marker === 0xc6 || marker === 0xca || marker === 0xce,
  };
}

const JPEG_START_OF_SCAN = 0xda;
const JPEG_END_OF_IMAGE = 0xd9;

export interface JpegSegment {
  marker: number;
  /** What follows the segment's length field; empty for EOI. */
  payload: Uint8Array;
}

/**
 * A JPEG's marker segments in file order, scans included, ending with EOI when the file reaches one. Fill
 * bytes and the markers without a length (TEM, RST0–7) are skipped, and so is the entropy-coded data after
 * each scan header. The walk stops, yielding nothing more, at a segment or scan that runs past the end of the
 * file, and throws unreadable_image where a marker should start and does not. It is lazy: a reader that stops
 * at the first scan never touches the image data.
 */
export function* jpegSegments(bytes: Uint8Array): Generator<JpegSegment> {
  let offset = 2;
  while (offset + 2 <= bytes.length) {
    if (bytes[offset] !== 0xff) {
      throw new ImageInputError("unreadable_image", `JPEG marker expected at byte ${offset}`);
    }
    const marker = bytes[offset + 1];
    if (marker === 0xff) {
      offset++; // fill byte
      continue;
    }
    if (marker === JPEG_END_OF_IMAGE) {
      yield { marker, payload: bytes.subarray(offset + 2, offset + 2) };
      return;
    }
    if (marker === 0x01 || (marker >= 0xd0 && marker <= 0xd7)) {
      offset += 2;
      continue;
    }
    if (offset + 4 > bytes.length) return;
    const end = offset + 2 + ((bytes[offset + 2] << 8) | bytes[offset + 3]);
    if (end < offset + 4 || end > bytes.length) return;
    yield { marker, payload: bytes.subarray(offset + 4, end) };
    offset = marker === JPEG_START_OF_SCAN ? endOfEntropyCodedData(bytes, end) : end;
  }
}

/**
 * Where the entropy-coded data starting at `offset` ends: at the first 0xFF that is neither a stuffed 0xFF00
 * nor a restart marker; the file's length when it never ends. indexOf keeps this a native search rather than
 * a loop over every byte.
 */
function endOfEntropyCodedData(bytes: Uint8Array, offset: number): number {
  for (;;) {
    const candidate = bytes.indexOf(0xff, offset);
    if (candidate < 0 || candidate + 1 >= bytes.length) return bytes.length;
    const next = bytes[candidate + 1];
    if (next === 0x00 || (next >= 0xd0 && next <= 0xd7)) offset = candidate + 2;
    else if (next === 0xff) offset = candidate + 1;
    else return candidate;
  }
}

/**
 * The number of scans when the segments run, scan after scan, to an EOI marker; -1 when they do not. MozJPEG
 * decodes a file cut off inside its scan data without failing: it fills the missing blocks with grey and only
 * prints "Premature end of JPEG file" to stderr, which the caller cannot see. So a file without its EOI is
 * refused instead. Bytes after the EOI (some cameras append data) are ignored, as decoders do.
 */
export function countScansToEndOfImage(bytes: Uint8Array): number {
  let scans = 0;
  try {
    for (const { marker } of jpegSegments(bytes)) {
      if (marker === JPEG_END_OF_IMAGE) return scans;
      if (marker === JPEG_START_OF_SCAN) scans++;
    }
  } catch (error) {
    if (!(error instanceof ImageInputError)) throw error;
  }
  return -1;
}

const readUint32BigEndian = (bytes: Uint8Array, offset: number) =>
  ((bytes[offset] << 24) | (bytes[offset + 1] << 16) | (bytes[offset + 2] << 8) | bytes[offset + 3]) >>> 0;

const readUint32LittleEndian = (bytes: Uint8Array, offset: number) =>
  ((bytes[offset + 3] << 24) | (bytes[offset + 2] << 16) | (bytes[offset + 1] << 8) | bytes[offset]) >>> 0;

/** A chunk type (PNG) or chunk id (RIFF): four ASCII bytes. */
export const fourCharacterCode = (bytes: Uint8Array, offset: number) =>
  String.fromCharCode(bytes[offset], bytes[offset + 1], bytes[offset + 2], bytes[offset + 3]);

export interface PngHeader {
  width: number;
  height: number;
  bitDepth: number;
  colourType: number;
  interlaced: boolean;
}

// Samples per pixel of each PNG colour type: grey, RGB, palette index, grey + alpha, RGBA.
const PNG_CHANNELS: Record<number, number> = { 0: 1, 2: 3, 3: 1, 4: 2, 6: 4 };

export function pngBitsPerPixel(header: PngHeader): number {
  return (PNG_CHANNELS[header.colourType] ?? 4) * header.bitDepth;
}

/**
 * A PNG's chunks in file order (length, type, data, CRC; after the 8-byte signature), up to IEND. The walk
 * stops at a chunk that runs past the end of the file.
 */
export function* pngChunks(bytes: Uint8Array): Generator<{ type: string; data: Uint8Array }> {
  for (let offset = 8; offset + 8 <= bytes.length;) {
    const end = offset + 8 + readUint32BigEndian(bytes, offset);
    if (end > bytes.length) return;
    const type = fourCharacterCode(bytes, offset + 4);
    yield { type, data: bytes.subarray(offset + 8, end) };
    if (type === "IEND") return;
    offset = end + 4; // the CRC
  }
}

/** The IHDR chunk, which the PNG format puts first, right after the 8-byte signature. */
export function readPngHeader(bytes: Uint8Array): PngHeader {
  if (bytes.length < 33) throw new ImageInputError("unreadable_image", "the PNG ends inside its header");
  if (readUint32BigEndian(bytes, 8) !== 13 || fourCharacterCode(bytes, 12) !== "IHDR") {
    throw new ImageInputError("unreadable_image", "the PNG does not start with an IHDR chunk");
  }
  return {
    width: readUint32BigEndian(bytes, 16),
    height: readUint32BigEndian(bytes, 20),
    bitDepth: bytes[24],
    colourType: bytes[25],
    interlaced: bytes[28] !== 0,
  };
}

/**
 * The size from the first chunk of a WebP: "VP8 " (lossy key frame header), "VP8L" (lossless, 14-bit sizes)
 * or "VP8X" (extended: the canvas size, which libwebp requires the image inside to match).
 */
function readWebpHeader(bytes: Uint8Array): { width: number; height: number } {
  const chunk = fourCharacterCode(bytes, 12);
  const payload = 20;
  const truncated = () => new ImageInputError("unreadable_image", "the WebP ends inside its header");
  if (chunk === "VP8 ") {
    if (bytes.length < payload + 10) throw truncated();
    if (bytes[payload + 3] !== 0x9d || bytes[payload + 4] !== 0x01 || bytes[payload + 5] !== 0x2a) {
      throw new ImageInputError("unreadable_image", "the lossy WebP has no key frame start code");
    }
    return {
      width: (bytes[payload + 6] | (bytes[payload + 7] << 8)) & 0x3fff,
      height: (bytes[payload + 8] | (bytes[payload + 9] << 8)) & 0x3fff,
    };
  }
  if (chunk === "VP8L") {
    if (bytes.length < payload + 5) throw truncated();
    if (bytes[payload] !== 0x2f) {
      throw new ImageInputError("unreadable_image", "the lossless WebP has no signature byte");
    }
    const bits = readUint32LittleEndian(bytes, payload + 1);
    return { width: (bits & 0x3fff) + 1, height: ((bits >>> 14) & 0x3fff) + 1 };
  }
  if (chunk === "VP8X") {
    if (bytes.length < payload + 10) throw truncated();
    if (bytes[payload] & WEBP_ANIMATION_FLAG) {
      throw new ImageInputError("unsupported_format", "animated WebP images are not accepted");
    }
    const readUint24 = (offset: number) =>
      bytes[offset] | (bytes[offset + 1] << 8) | (bytes[offset + 2] << 16);
    return { width: readUint24(payload + 4) + 1, height: readUint24(payload + 7) + 1 };
  }
  throw new ImageInputError("unreadable_image", `the WebP starts with an unknown chunk "${chunk}"`);
}

const WEBP_ANIMATION_FLAG = 0x02;
