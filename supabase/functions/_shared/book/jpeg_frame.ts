/**
 * A JPEG's frame header (SOFn: size and colour components) read from the first bytes of the file, as they
 * arrive from a stream: the PDF's image dictionary must be written before the picture's bytes are.
 *
 * Not images/image_decoding.ts's readJpegHeader: that one needs the whole file in memory and its module
 * loads the WebAssembly decoders, about 12 MB of a process that must stay under 180 MB while it never
 * decodes a pixel.
 */

export interface JpegFrame {
  width: number;
  height: number;
  /** 1 greyscale, 3 YCbCr (RGB), 4 CMYK or YCCK. */
  components: number;
  /** Bits per sample: 8 for every JPEG a PDF reader is sure to draw. */
  precision: number;
}

export class JpegFrameError extends Error {
  override name = "JpegFrameError";
}

const START_OF_IMAGE = 0xd8;
const START_OF_SCAN = 0xda;
const END_OF_IMAGE = 0xd9;
/** Start-of-frame markers: C0–CF but C4 (Huffman tables), C8 (reserved) and CC (arithmetic conditioning). */
const isStartOfFrame = (marker: number) =>
  marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc;

/**
 * The frame header of the JPEG that `prefix` begins, or null when `prefix` ends before it (read more and ask
 * again). Throws JpegFrameError when the bytes are not a JPEG, or reach the image data with no frame header.
 */
export function readJpegFrame(prefix: Uint8Array): JpegFrame | null {
  if (prefix.length < 2) return null;
  if (prefix[0] !== 0xff || prefix[1] !== START_OF_IMAGE) throw new JpegFrameError("not a JPEG file");
  let offset = 2;
  while (offset + 4 <= prefix.length) {
    if (prefix[offset] !== 0xff) throw new JpegFrameError(`JPEG marker expected at byte ${offset}`);
    const marker = prefix[offset + 1];
    if (marker === 0xff) {
      offset++; // fill byte
      continue;
    }
    if (marker === START_OF_SCAN || marker === END_OF_IMAGE) {
      throw new JpegFrameError("the JPEG has no frame header before its image data");
    }
    const segmentLength = (prefix[offset + 2] << 8) | prefix[offset + 3];
    if (segmentLength < 2) throw new JpegFrameError(`bad JPEG segment length at byte ${offset}`);
    if (isStartOfFrame(marker)) {
      if (offset + 10 > prefix.length) return null;
      return {
        precision: prefix[offset + 4],
        height: (prefix[offset + 5] << 8) | prefix[offset + 6],
        width: (prefix[offset + 7] << 8) | prefix[offset + 8],
        components: prefix[offset + 9],
      };
    }
    offset += 2 + segmentLength;
  }
  return null;
}
