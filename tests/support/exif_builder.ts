/**
 * Builds the metadata a camera or phone writes into a photo (EXIF orientation, make, GPS position), PNGs with
 * chosen headers and image data (for the size checks and bomb guards), and scans files for metadata that must
 * not survive normalisation. Test-only; written independently of the parsers in
 * supabase/functions/_shared/images/ so that a bug there cannot hide behind the same bug here.
 */

export interface ExifTags {
  /** Tag 0x0112, 1–8. */
  orientation?: number;
  /** Written as a GPS IFD (tag 0x8825) with GPSLatitudeRef/GPSLatitude/GPSLongitudeRef/GPSLongitude. */
  gps?: { latitude: number; longitude: number };
  /** Tag 0x010F, the camera maker. */
  make?: string;
}

export interface ExifOptions {
  /** TIFF byte order: "II" little-endian (most phones), "MM" big-endian (some cameras). Default "II". */
  byteOrder?: "II" | "MM";
}

const TIFF_BYTE = 1;
const TIFF_ASCII = 2;
const TIFF_SHORT = 3;
const TIFF_LONG = 4;
const TIFF_RATIONAL = 5;
const TYPE_SIZES: Record<number, number> = {
  [TIFF_BYTE]: 1,
  [TIFF_ASCII]: 1,
  [TIFF_SHORT]: 2,
  [TIFF_LONG]: 4,
  [TIFF_RATIONAL]: 8,
};

interface IfdEntry {
  tag: number;
  type: number;
  /** Numbers for BYTE/SHORT/LONG, [numerator, denominator] pairs flattened for RATIONAL, text for ASCII. */
  values: number[] | string;
}

const encoder = new TextEncoder();

/** Degrees as the three rationals EXIF uses: degrees/1, minutes/1, seconds×100/100. */
function degreesMinutesSeconds(value: number): number[] {
  const absolute = Math.abs(value);
  const degrees = Math.floor(absolute);
  const minutes = Math.floor((absolute - degrees) * 60);
  const hundredthsOfSeconds = Math.round(((absolute - degrees) * 60 - minutes) * 6000);
  return [degrees, 1, minutes, 1, hundredthsOfSeconds, 100];
}

/** A TIFF block (what follows "Exif\0\0" in a JPEG, and what PNG's eXIf and WebP's EXIF chunks hold). */
export function exifTiff(tags: ExifTags, options: ExifOptions = {}): Uint8Array {
  const littleEndian = (options.byteOrder ?? "II") === "II";
  const ifd0: IfdEntry[] = [];
  if (tags.make !== undefined) ifd0.push({ tag: 0x010f, type: TIFF_ASCII, values: tags.make });
  if (tags.orientation !== undefined) {
    ifd0.push({ tag: 0x0112, type: TIFF_SHORT, values: [tags.orientation] });
  }
  const gpsIfd: IfdEntry[] = tags.gps === undefined ? [] : [
    { tag: 0x0000, type: TIFF_BYTE, values: [2, 2, 0, 0] },
    { tag: 0x0001, type: TIFF_ASCII, values: tags.gps.latitude >= 0 ? "N" : "S" },
    { tag: 0x0002, type: TIFF_RATIONAL, values: degreesMinutesSeconds(tags.gps.latitude) },
    { tag: 0x0003, type: TIFF_ASCII, values: tags.gps.longitude >= 0 ? "E" : "W" },
    { tag: 0x0004, type: TIFF_RATIONAL, values: degreesMinutesSeconds(tags.gps.longitude) },
  ];
  if (tags.gps !== undefined) ifd0.push({ tag: 0x8825, type: TIFF_LONG, values: [0] }); // offset set below

  const ifd0Offset = 8;
  const gpsOffset = ifd0Offset + ifdSize(ifd0);
  const total = gpsOffset + (gpsIfd.length > 0 ? ifdSize(gpsIfd) : 0);
  const bytes = new Uint8Array(total);
  const view = new DataView(bytes.buffer);
  bytes.set(encoder.encode(littleEndian ? "II" : "MM"));
  view.setUint16(2, 42, littleEndian);
  view.setUint32(4, ifd0Offset, littleEndian);
  const gpsPointer = ifd0.find((entry) => entry.tag === 0x8825);
  if (gpsPointer !== undefined) gpsPointer.values = [gpsOffset];
  writeIfd(view, ifd0Offset, ifd0, littleEndian);
  if (gpsIfd.length > 0) writeIfd(view, gpsOffset, gpsIfd, littleEndian);
  return bytes;
}

function valueBytes(entry: IfdEntry): number {
  return valueCount(entry) * TYPE_SIZES[entry.type];
}

function valueCount(entry: IfdEntry): number {
  if (typeof entry.values === "string") return entry.values.length + 1; // NUL-terminated
  return entry.type === TIFF_RATIONAL ? entry.values.length / 2 : entry.values.length;
}

/** Entry count, entries, next-IFD offset, then the values too long for an entry (each at an even offset). */
function ifdSize(entries: IfdEntry[]): number {
  const overflow = entries.reduce((sum, entry) => {
    const size = valueBytes(entry);
    return sum + (size > 4 ? size + (size & 1) : 0);
  }, 0);
  return 2 + entries.length * 12 + 4 + overflow;
}

function writeIfd(view: DataView, offset: number, entries: IfdEntry[], littleEndian: boolean): void {
  view.setUint16(offset, entries.length, littleEndian);
  let overflow = offset + 2 + entries.length * 12 + 4; // the next-IFD offset stays 0: no IFD1
  entries.forEach((entry, i) => {
    const at = offset + 2 + i * 12;
    view.setUint16(at, entry.tag, littleEndian);
    view.setUint16(at + 2, entry.type, littleEndian);
    view.setUint32(at + 4, valueCount(entry), littleEndian);
    const size = valueBytes(entry);
    let target = at + 8;
    if (size > 4) {
      view.setUint32(at + 8, overflow, littleEndian);
      target = overflow;
      overflow += size + (size & 1);
    }
    writeValues(view, target, entry, littleEndian);
  });
}

function writeValues(view: DataView, at: number, entry: IfdEntry, littleEndian: boolean): void {
  if (typeof entry.values === "string") {
    new Uint8Array(view.buffer).set(encoder.encode(entry.values), at);
    return;
  }
  const size = entry.type === TIFF_RATIONAL ? 4 : TYPE_SIZES[entry.type];
  entry.values.forEach((value, i) => {
    if (size === 1) view.setUint8(at + i, value);
    else if (size === 2) view.setUint16(at + i * 2, value, littleEndian);
    else view.setUint32(at + i * 4, value, littleEndian);
  });
}

/** Inserts a marker segment (e.g. 0xE1 APP1, 0xE2 APP2, 0xFE COM) right after the JPEG's SOI. */
export function withJpegSegment(jpeg: Uint8Array, marker: number, payload: Uint8Array): Uint8Array {
  if (jpeg[0] !== 0xff || jpeg[1] !== 0xd8) throw new Error("not a JPEG: no SOI marker");
  if (payload.length + 2 > 0xffff) throw new Error("a JPEG segment holds at most 65533 bytes");
  const segment = new Uint8Array(4 + payload.length);
  segment.set([0xff, marker, (payload.length + 2) >> 8, (payload.length + 2) & 0xff]);
  segment.set(payload, 4);
  return concatBytes(jpeg.subarray(0, 2), segment, jpeg.subarray(2));
}

/** The JPEG with an APP1 "Exif\0\0" segment holding the tags, right after SOI, as cameras write it. */
export function withExif(jpeg: Uint8Array, tags: ExifTags, options: ExifOptions = {}): Uint8Array {
  return withJpegSegment(jpeg, 0xe1, concatBytes(encoder.encode("Exif\0\0"), exifTiff(tags, options)));
}

/** The markers of the JPEG's metadata segments (APP1–APP15, COM) before its first scan, in file order. */
export function jpegMetadataMarkers(jpeg: Uint8Array): number[] {
  const markers: number[] = [];
  let offset = 2;
  while (offset + 4 <= jpeg.length && jpeg[offset] === 0xff) {
    const marker = jpeg[offset + 1];
    if (marker === 0xda || marker === 0xd9) break;
    if ((marker >= 0xe1 && marker <= 0xef) || marker === 0xfe) markers.push(marker);
    offset += 2 + ((jpeg[offset + 2] << 8) | jpeg[offset + 3]);
  }
  return markers;
}

/** True when the JPEG has an APP1 segment starting "Exif\0\0" before its first scan. */
export function hasExifSegment(jpeg: Uint8Array): boolean {
  let offset = 2;
  while (offset + 10 <= jpeg.length && jpeg[offset] === 0xff) {
    const marker = jpeg[offset + 1];
    if (marker === 0xda || marker === 0xd9) return false;
    if (
      marker === 0xe1 && findBytes(jpeg.subarray(offset + 4, offset + 10), encoder.encode("Exif\0\0")) === 0
    ) {
      return true;
    }
    offset += 2 + ((jpeg[offset + 2] << 8) | jpeg[offset + 3]);
  }
  return false;
}

/** Index of the first occurrence of `needle` in `haystack` (a string is taken as its UTF-8 bytes), or -1. */
export function findBytes(haystack: Uint8Array, needle: Uint8Array | string): number {
  const pattern = typeof needle === "string" ? encoder.encode(needle) : needle;
  if (pattern.length === 0) return 0;
  let candidate = haystack.indexOf(pattern[0]);
  while (candidate >= 0 && candidate + pattern.length <= haystack.length) {
    let i = 1;
    while (i < pattern.length && haystack[candidate + i] === pattern[i]) i++;
    if (i === pattern.length) return candidate;
    candidate = haystack.indexOf(pattern[0], candidate + 1);
  }
  return -1;
}

const CRC_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

function crc32(bytes: Uint8Array): number {
  let crc = 0xffffffff;
  for (const byte of bytes) crc = CRC_TABLE[(crc ^ byte) & 0xff] ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}

export const PNG_SIGNATURE = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/** One PNG chunk: length, type, data and the CRC over type and data. */
export function pngChunk(type: string, data: Uint8Array): Uint8Array {
  const chunk = new Uint8Array(12 + data.length);
  const view = new DataView(chunk.buffer);
  view.setUint32(0, data.length);
  chunk.set(encoder.encode(type), 4);
  chunk.set(data, 8);
  view.setUint32(8 + data.length, crc32(chunk.subarray(4, 8 + data.length)));
  return chunk;
}

export interface PngHeaderFields {
  bitDepth?: number;
  /** 0 grey, 2 RGB, 3 palette, 4 grey + alpha, 6 RGBA (the default). */
  colourType?: number;
  /** 1 for Adam7. */
  interlace?: number;
  /** What the IDAT chunk holds; by default bytes that are not a zlib stream. */
  idat?: Uint8Array;
}

/** A PNG with the given header and one IDAT chunk: what the size checks and the bomb guards are fed. */
export function pngWithHeader(width: number, height: number, fields: PngHeaderFields = {}): Uint8Array {
  const header = new Uint8Array(13);
  const view = new DataView(header.buffer);
  view.setUint32(0, width);
  view.setUint32(4, height);
  header.set([fields.bitDepth ?? 8, fields.colourType ?? 6, 0, 0, fields.interlace ?? 0], 8);
  return concatBytes(
    PNG_SIGNATURE,
    pngChunk("IHDR", header),
    pngChunk("IDAT", fields.idat ?? encoder.encode("not zlib data")),
    pngChunk("IEND", new Uint8Array(0)),
  );
}

/** `bytes` as a zlib stream, as a PNG's IDAT holds them. */
export async function deflated(bytes: Uint8Array): Promise<Uint8Array> {
  const stream = new Blob([bytes as Uint8Array<ArrayBuffer>]).stream().pipeThrough(
    new CompressionStream("deflate"),
  );
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

/** The PNG with an eXIf chunk right after IHDR (which is always the first chunk, 25 bytes long). */
export function withPngExif(png: Uint8Array, tags: ExifTags, options: ExifOptions = {}): Uint8Array {
  const afterHeader = PNG_SIGNATURE.length + 25;
  return concatBytes(
    png.subarray(0, afterHeader),
    pngChunk("eXIf", exifTiff(tags, options)),
    png.subarray(afterHeader),
  );
}

/**
 * The WebP with an EXIF chunk. A simple file ("VP8 " or "VP8L") is first wrapped in the extended format: a
 * VP8X chunk with the EXIF flag and the canvas size, as libwebp's muxer does. `exifPrefix` writes the
 * "Exif\0\0" header some tools put before the TIFF block.
 */
export function withWebpExif(
  webp: Uint8Array,
  tags: ExifTags,
  options: ExifOptions & { exifPrefix?: boolean } = {},
): Uint8Array {
  const tiff = exifTiff(tags, options);
  const exif = webpChunk("EXIF", options.exifPrefix ? concatBytes(encoder.encode("Exif\0\0"), tiff) : tiff);
  const first = String.fromCharCode(...webp.subarray(12, 16));
  let chunks = webp.subarray(12);
  if (first === "VP8X") {
    chunks = chunks.slice();
    chunks[8] |= 0x08;
  } else {
    const { width, height, alpha } = simpleWebpInfo(webp, first);
    const vp8x = new Uint8Array(10);
    vp8x[0] = 0x08 | (alpha ? 0x10 : 0);
    vp8x.set([(width - 1) & 0xff, ((width - 1) >> 8) & 0xff, (width - 1) >> 16], 4);
    vp8x.set([(height - 1) & 0xff, ((height - 1) >> 8) & 0xff, (height - 1) >> 16], 7);
    chunks = concatBytes(webpChunk("VP8X", vp8x), chunks);
  }
  const body = concatBytes(encoder.encode("WEBP"), chunks, exif);
  const header = new Uint8Array(8);
  header.set(encoder.encode("RIFF"));
  new DataView(header.buffer).setUint32(4, body.length, true);
  return concatBytes(header, body);
}

function simpleWebpInfo(webp: Uint8Array, chunk: string): { width: number; height: number; alpha: boolean } {
  const view = new DataView(webp.buffer, webp.byteOffset, webp.byteLength);
  if (chunk === "VP8 ") {
    return {
      width: view.getUint16(26, true) & 0x3fff,
      height: view.getUint16(28, true) & 0x3fff,
      alpha: false,
    };
  }
  if (chunk === "VP8L") {
    const bits = view.getUint32(21, true);
    return {
      width: (bits & 0x3fff) + 1,
      height: ((bits >>> 14) & 0x3fff) + 1,
      alpha: ((bits >>> 28) & 1) === 1,
    };
  }
  throw new Error(`unexpected first WebP chunk ${chunk}`);
}

function webpChunk(fourCharacterCode: string, data: Uint8Array): Uint8Array {
  const chunk = new Uint8Array(8 + data.length + (data.length & 1));
  chunk.set(encoder.encode(fourCharacterCode));
  new DataView(chunk.buffer).setUint32(4, data.length, true);
  chunk.set(data, 8);
  return chunk;
}

/** The parts one after another in one new array. */
export function concatBytes(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((sum, part) => sum + part.length, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}
