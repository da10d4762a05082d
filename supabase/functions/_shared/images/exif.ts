/**
 * The one piece of EXIF a photo pipeline must honour: the orientation (tag 0x0112), which says how the stored
 * pixels are turned relative to the scene. Phones store portraits sideways and set this tag instead of
 * rotating, so ignoring it would hand the face detector and the illustrator a child lying on their side.
 *
 * Everything else in EXIF (GPS, camera, times) is dropped by re-encoding, never read. The parsers treat the
 * file as hostile: every read is bounds-checked, and only IFD0 is visited, so no offset chain is followed and
 * a cyclic or self-referencing IFD cannot make them loop.
 */
import {
  fourCharacterCode,
  type ImageFormat,
  ImageInputError,
  jpegSegments,
  pngChunks,
} from "./image_header.ts";
import { createRgbaImage, type RgbaImage } from "./raster.ts";

/**
 * 1 upright; 2 mirrored left-right; 3 turned 180°; 4 mirrored top-bottom; 5 transposed (mirrored along the
 * top-left to bottom-right diagonal); 6 must be turned 90° clockwise to display; 7 transversed (mirrored
 * along the other diagonal); 8 must be turned 90° anticlockwise to display.
 */
export type ExifOrientation = 1 | 2 | 3 | 4 | 5 | 6 | 7 | 8;

const ORIENTATION_TAG = 0x0112;
const TIFF_SHORT = 3;
const TIFF_LONG = 4;
const EXIF_HEADER = [0x45, 0x78, 0x69, 0x66, 0, 0]; // "Exif\0\0"

/** The orientation a JPEG, PNG or WebP declares in its EXIF block; 1 when it has none or it is invalid. */
export function readExifOrientation(bytes: Uint8Array, format: ImageFormat): ExifOrientation {
  const tiff = format === "jpeg"
    ? findJpegExif(bytes)
    : format === "png"
    ? findPngExif(bytes)
    : findWebpExif(bytes);
  return tiff === null ? 1 : orientationFromTiff(tiff);
}

function startsWithAt(bytes: Uint8Array, offset: number, prefix: readonly number[]): boolean {
  if (offset + prefix.length > bytes.length) return false;
  return prefix.every((byte, i) => bytes[offset + i] === byte);
}

/** The TIFF block of the first APP1 "Exif" segment before the first scan. */
function findJpegExif(bytes: Uint8Array): Uint8Array | null {
  try {
    for (const { marker, payload } of jpegSegments(bytes)) {
      if (marker === 0xda || marker === 0xd9) return null;
      if (marker === 0xe1 && startsWithAt(payload, 0, EXIF_HEADER)) {
        return payload.subarray(EXIF_HEADER.length);
      }
    }
  } catch (error) {
    // A malformed segment structure carries no orientation; whether the file decodes is the decoder's call.
    if (!(error instanceof ImageInputError)) throw error;
  }
  return null;
}

/** The eXIf chunk's data, which is a bare TIFF block. */
function findPngExif(bytes: Uint8Array): Uint8Array | null {
  for (const chunk of pngChunks(bytes)) if (chunk.type === "eXIf") return chunk.data;
  return null;
}

/** The EXIF chunk of an extended WebP: a TIFF block, which some writers prefix with "Exif\0\0". */
function findWebpExif(bytes: Uint8Array): Uint8Array | null {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let offset = 12;
  while (offset + 8 <= bytes.length) {
    const size = view.getUint32(offset + 4, true);
    const end = offset + 8 + size;
    if (end > bytes.length) return null;
    if (fourCharacterCode(bytes, offset) === "EXIF") {
      const start = startsWithAt(bytes, offset + 8, EXIF_HEADER)
        ? offset + 8 + EXIF_HEADER.length
        : offset + 8;
      return bytes.subarray(start, end);
    }
    offset = end + (size & 1); // chunks are padded to an even size
  }
  return null;
}

/** Reads tag 0x0112 from IFD0 of a TIFF block in either byte order. */
function orientationFromTiff(tiff: Uint8Array): ExifOrientation {
  if (tiff.length < 8) return 1;
  const view = new DataView(tiff.buffer, tiff.byteOffset, tiff.byteLength);
  const order = view.getUint16(0);
  if (order !== 0x4949 && order !== 0x4d4d) return 1; // "II" little-endian, "MM" big-endian
  const littleEndian = order === 0x4949;
  if (view.getUint16(2, littleEndian) !== 42) return 1;
  const ifd = view.getUint32(4, littleEndian);
  if (ifd < 8 || ifd + 2 > tiff.length) return 1;
  const declaredEntries = view.getUint16(ifd, littleEndian);
  // The count is a 16-bit field, but only the entries that lie inside the block are read.
  const entries = Math.min(declaredEntries, Math.floor((tiff.length - ifd - 2) / 12));
  for (let i = 0; i < entries; i++) {
    const entry = ifd + 2 + i * 12;
    if (view.getUint16(entry, littleEndian) !== ORIENTATION_TAG) continue;
    const type = view.getUint16(entry + 2, littleEndian);
    if (view.getUint32(entry + 4, littleEndian) < 1) return 1;
    // Values of up to four bytes sit in the entry itself, left-justified.
    const value = type === TIFF_SHORT
      ? view.getUint16(entry + 8, littleEndian)
      : type === TIFF_LONG
      ? view.getUint32(entry + 8, littleEndian)
      : 0;
    return value >= 1 && value <= 8 ? value as ExifOrientation : 1;
  }
  return 1;
}

/**
 * The image turned upright as the orientation asks; 5–8 swap width and height. Orientation 1 returns the
 * image itself. Each case is one walk over the source with a start pixel and two strides (one per output
 * column, one per output row), so all eight share a single copy loop.
 */
export function applyOrientation(image: RgbaImage, orientation: ExifOrientation): RgbaImage {
  if (orientation === 1) return image;
  const { width, height } = image;
  const swapsSides = orientation >= 5;
  const out = createRgbaImage(swapsSides ? height : width, swapsSides ? width : height);
  const last = width * height - 1;
  const [start, columnStride, rowStride] = ({
    2: [width - 1, -1, width],
    3: [last, -1, -width],
    4: [last - (width - 1), 1, -width],
    5: [0, width, 1],
    6: [last - (width - 1), -width, 1],
    7: [last, -width, -1],
    8: [width - 1, width, -1],
  } as const)[orientation];
  const aligned = image.data.byteOffset % 4 === 0 ? image.data : image.data.slice();
  const source = new Uint32Array(aligned.buffer, aligned.byteOffset, width * height);
  const target = new Uint32Array(out.data.buffer);
  let o = 0;
  for (let y = 0; y < out.height; y++) {
    let s = start + y * rowStride;
    for (let x = 0; x < out.width; x++, s += columnStride) target[o++] = source[s];
  }
  return out;
}
