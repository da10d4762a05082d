/**
 * A baseline JPEG encoder (JFIF, YCbCr 4:2:0, the standard Huffman tables) in plain TypeScript.
 *
 * Why our own: the WebAssembly encoders on npm are MozJPEG builds whose trellis quantisation cannot be switched
 * off, which costs 250–550 ms for one 1024 px image, and npm `imagescript` encodes through a native add-on that
 * the edge runtime cannot load. A straightforward baseline encoder with a float AAN DCT is an order of magnitude
 * faster and writes the 4:2:0 files every photo tool writes.
 */
import type { RgbaImage } from "./raster.ts";

export interface JpegEncodeOptions {
  /** 1–100, the usual IJG quality scale. */
  quality?: number;
  /** Written as a COM segment; ASCII is kept, anything else becomes "?". */
  comment?: string;
}

// Annex K quantisation tables, natural (row-major) order.
// deno-fmt-ignore
const LUMINANCE_QUANT = [
  16, 11, 10, 16, 24, 40, 51, 61,
  12, 12, 14, 19, 26, 58, 60, 55,
  14, 13, 16, 24, 40, 57, 69, 56,
  14, 17, 22, 29, 51, 87, 80, 62,
  18, 22, 37, 56, 68, 109, 103, 77,
  24, 35, 55, 64, 81, 104, 113, 92,
  49, 64, 78, 87, 103, 121, 120, 101,
  72, 92, 95, 98, 112, 100, 103, 99,
];
// deno-fmt-ignore
const CHROMINANCE_QUANT = [
  17, 18, 24, 47, 99, 99, 99, 99,
  18, 21, 26, 66, 99, 99, 99, 99,
  24, 26, 56, 99, 99, 99, 99, 99,
  47, 66, 99, 99, 99, 99, 99, 99,
  99, 99, 99, 99, 99, 99, 99, 99,
  99, 99, 99, 99, 99, 99, 99, 99,
  99, 99, 99, 99, 99, 99, 99, 99,
  99, 99, 99, 99, 99, 99, 99, 99,
];

/** ZIGZAG_OF_NATURAL[naturalIndex] = position in the zig-zag scan. */
const ZIGZAG_OF_NATURAL = (() => {
  const order = new Uint8Array(64);
  let row = 0;
  let col = 0;
  for (let position = 0; position < 64; position++) {
    order[row * 8 + col] = position;
    if ((row + col) % 2 === 0) {
      if (col === 7) row++;
      else if (row === 0) col++;
      else {
        row--;
        col++;
      }
    } else if (row === 7) col++;
    else if (col === 0) row++;
    else {
      row++;
      col--;
    }
  }
  return order;
})();

// Annex K.3 Huffman table specifications: code counts per length 1..16, then the symbols.
const DC_LUMINANCE_COUNTS = [0, 1, 5, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0];
const DC_LUMINANCE_SYMBOLS = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11];
const DC_CHROMINANCE_COUNTS = [0, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0];
const DC_CHROMINANCE_SYMBOLS = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11];
const AC_LUMINANCE_COUNTS = [0, 2, 1, 3, 3, 2, 4, 3, 5, 5, 4, 4, 0, 0, 1, 0x7d];
const AC_LUMINANCE_SYMBOLS = hexBytes(
  "01020300041105122131410613516107227114328191a1082342b1c11552d1f02433627282090a161718191a25262728292a3435363738" +
    "393a434445464748494a535455565758595a636465666768696a737475767778797a838485868788898a92939495969798999aa2a3a4" +
    "a5a6a7a8a9aab2b3b4b5b6b7b8b9bac2c3c4c5c6c7c8c9cad2d3d4d5d6d7d8d9dae1e2e3e4e5e6e7e8e9eaf1f2f3f4f5f6f7f8f9fa",
);
const AC_CHROMINANCE_COUNTS = [0, 2, 1, 2, 4, 4, 3, 4, 7, 5, 4, 4, 0, 1, 2, 0x77];
const AC_CHROMINANCE_SYMBOLS = hexBytes(
  "000102031104052131061241510761711322328108144291a1b1c109233352f0156272d10a162434e125f11718191a262728292a3536" +
    "3738393a434445464748494a535455565758595a636465666768696a737475767778797a82838485868788898a92939495969798999a" +
    "a2a3a4a5a6a7a8a9aab2b3b4b5b6b7b8b9bac2c3c4c5c6c7c8c9cad2d3d4d5d6d7d8d9dae2e3e4e5e6e7e8e9eaf2f3f4f5f6f7f8f9fa",
);

function hexBytes(hex: string): number[] {
  const bytes: number[] = [];
  for (let i = 0; i < hex.length; i += 2) bytes.push(parseInt(hex.slice(i, i + 2), 16));
  return bytes;
}

interface HuffmanTable {
  codes: Uint16Array; // indexed by symbol
  lengths: Uint8Array; // indexed by symbol; 0 = symbol absent
}

function buildHuffmanTable(counts: number[], symbols: number[]): HuffmanTable {
  const codes = new Uint16Array(256);
  const lengths = new Uint8Array(256);
  let code = 0;
  let k = 0;
  for (let length = 1; length <= 16; length++) {
    for (let i = 0; i < counts[length - 1]; i++) {
      codes[symbols[k]] = code++;
      lengths[symbols[k]] = length;
      k++;
    }
    code <<= 1;
  }
  return { codes, lengths };
}

const DC_LUMINANCE = buildHuffmanTable(DC_LUMINANCE_COUNTS, DC_LUMINANCE_SYMBOLS);
const DC_CHROMINANCE = buildHuffmanTable(DC_CHROMINANCE_COUNTS, DC_CHROMINANCE_SYMBOLS);
const AC_LUMINANCE = buildHuffmanTable(AC_LUMINANCE_COUNTS, AC_LUMINANCE_SYMBOLS);
const AC_CHROMINANCE = buildHuffmanTable(AC_CHROMINANCE_COUNTS, AC_CHROMINANCE_SYMBOLS);

/** Scaled quantisation table (natural order) as IJG libjpeg derives it from a quality. */
function scaledQuantTable(base: number[], quality: number): Uint8Array {
  const q = Math.min(100, Math.max(1, Math.round(quality)));
  const scale = q < 50 ? 5000 / q : 200 - 2 * q;
  return Uint8Array.from(base, (value) => Math.min(255, Math.max(1, Math.floor((value * scale + 50) / 100))));
}

// AAN DCT output scale factors; folding them and the quantiser into one multiplier keeps the inner loop short.
const AAN_SCALE = [1, 1.387039845, 1.306562965, 1.175875602, 1, 0.785694958, 0.5411961, 0.275899379];

function divisorsFor(quant: Uint8Array): Float64Array {
  const divisors = new Float64Array(64);
  for (let row = 0; row < 8; row++) {
    for (let col = 0; col < 8; col++) {
      divisors[row * 8 + col] = 1 / (quant[row * 8 + col] * AAN_SCALE[row] * AAN_SCALE[col] * 8);
    }
  }
  return divisors;
}

/** Growable byte sink for the marker segments. */
class ByteWriter {
  bytes = new Uint8Array(1024);
  position = 0;

  private ensure(extra: number): void {
    if (this.position + extra <= this.bytes.length) return;
    const grown = new Uint8Array(Math.max(this.bytes.length * 2, this.position + extra));
    grown.set(this.bytes.subarray(0, this.position));
    this.bytes = grown;
  }

  byte(value: number): void {
    this.ensure(1);
    this.bytes[this.position++] = value;
  }

  word(value: number): void {
    this.byte(value >> 8);
    this.byte(value & 0xff);
  }

  array(values: ArrayLike<number>): void {
    this.ensure(values.length);
    this.bytes.set(values, this.position);
    this.position += values.length;
  }
}

/**
 * The entropy-coded segment as a stream of 32-bit words. Byte stuffing (0xFF → 0xFF 0x00) is left to
 * `finish`, a tight pass over the bytes, so the per-symbol path is a shift, an or and an occasional store.
 */
class BitWriter {
  private words: Uint32Array;
  private count = 0;
  /** Bits not yet stored, left-aligned in a 32-bit word; `free` of its low bits are unused. */
  private pending = 0;
  private free = 32;

  constructor(expectedBytes: number) {
    this.words = new Uint32Array(Math.max(256, expectedBytes >> 2));
  }

  /** Appends the low `length` bits of `value` (1 ≤ length ≤ 26, higher bits of value must be zero). */
  put(value: number, length: number): void {
    if (length < this.free) {
      this.free -= length;
      this.pending |= value << this.free;
      return;
    }
    const spill = length - this.free;
    if (this.count === this.words.length) {
      const grown = new Uint32Array(this.words.length * 2);
      grown.set(this.words);
      this.words = grown;
    }
    this.words[this.count++] = this.pending | (value >>> spill);
    this.free = 32 - spill;
    this.pending = spill === 0 ? 0 : value << this.free;
  }

  /** The stuffed bytes, padded with 1-bits to a whole byte as the standard asks before a marker. */
  finish(): Uint8Array {
    const padding = (32 - this.free) & 7 ? 8 - ((32 - this.free) & 7) : 0;
    if (padding > 0) this.put((1 << padding) - 1, padding);
    const tailBytes = (32 - this.free) >> 3;
    const bytes = new Uint8Array(this.count * 4 + tailBytes);
    const view = new DataView(bytes.buffer);
    for (let i = 0; i < this.count; i++) view.setUint32(i * 4, this.words[i]);
    for (let i = 0; i < tailBytes; i++) bytes[this.count * 4 + i] = (this.pending >>> (24 - 8 * i)) & 0xff;
    let markers = 0;
    for (let i = 0; i < bytes.length; i++) if (bytes[i] === 0xff) markers++;
    if (markers === 0) return bytes;
    const stuffed = new Uint8Array(bytes.length + markers);
    let position = 0;
    for (let i = 0; i < bytes.length; i++) {
      stuffed[position++] = bytes[i];
      if (bytes[i] === 0xff) stuffed[position++] = 0;
    }
    return stuffed;
  }
}

/** Forward DCT of one 8×8 block read from a float plane, quantised into `out` in zig-zag order. */
function transformBlock(
  plane: Float32Array,
  offset: number,
  stride: number,
  divisors: Float64Array,
  work: Float64Array,
  out: Int32Array,
): void {
  for (let row = 0; row < 8; row++) {
    const p = offset + row * stride;
    const d0 = plane[p], d1 = plane[p + 1], d2 = plane[p + 2], d3 = plane[p + 3];
    const d4 = plane[p + 4], d5 = plane[p + 5], d6 = plane[p + 6], d7 = plane[p + 7];
    const t0 = d0 + d7, t7 = d0 - d7, t1 = d1 + d6, t6 = d1 - d6;
    const t2 = d2 + d5, t5 = d2 - d5, t3 = d3 + d4, t4 = d3 - d4;
    const e10 = t0 + t3, e13 = t0 - t3, e11 = t1 + t2, e12 = t1 - t2;
    const w = row * 8;
    work[w] = e10 + e11;
    work[w + 4] = e10 - e11;
    const z1 = (e12 + e13) * 0.707106781;
    work[w + 2] = e13 + z1;
    work[w + 6] = e13 - z1;
    const o10 = t4 + t5, o11 = t5 + t6, o12 = t6 + t7;
    const z5 = (o10 - o12) * 0.382683433;
    const z2 = 0.5411961 * o10 + z5;
    const z4 = 1.306562965 * o12 + z5;
    const z3 = o11 * 0.707106781;
    const z11 = t7 + z3, z13 = t7 - z3;
    work[w + 5] = z13 + z2;
    work[w + 3] = z13 - z2;
    work[w + 1] = z11 + z4;
    work[w + 7] = z11 - z4;
  }
  for (let col = 0; col < 8; col++) {
    const d0 = work[col], d1 = work[col + 8], d2 = work[col + 16], d3 = work[col + 24];
    const d4 = work[col + 32], d5 = work[col + 40], d6 = work[col + 48], d7 = work[col + 56];
    const t0 = d0 + d7, t7 = d0 - d7, t1 = d1 + d6, t6 = d1 - d6;
    const t2 = d2 + d5, t5 = d2 - d5, t3 = d3 + d4, t4 = d3 - d4;
    const e10 = t0 + t3, e13 = t0 - t3, e11 = t1 + t2, e12 = t1 - t2;
    const z1 = (e12 + e13) * 0.707106781;
    const o10 = t4 + t5, o11 = t5 + t6, o12 = t6 + t7;
    const z5 = (o10 - o12) * 0.382683433;
    const z2 = 0.5411961 * o10 + z5;
    const z4 = 1.306562965 * o12 + z5;
    const z3 = o11 * 0.707106781;
    const z11 = t7 + z3, z13 = t7 - z3;
    quantise(e10 + e11, col, divisors, out);
    quantise(z11 + z4, col + 8, divisors, out);
    quantise(e13 + z1, col + 16, divisors, out);
    quantise(z13 - z2, col + 24, divisors, out);
    quantise(e10 - e11, col + 32, divisors, out);
    quantise(z13 + z2, col + 40, divisors, out);
    quantise(e13 - z1, col + 48, divisors, out);
    quantise(z11 - z4, col + 56, divisors, out);
  }
}

function quantise(value: number, naturalIndex: number, divisors: Float64Array, out: Int32Array): void {
  // floor(x + 0.5) by truncating a positive biased value: branch-free (coefficient signs are random, so a
  // sign test mispredicts half the time) and cheaper than Math.round. |x| stays far below the 4096 bias.
  out[ZIGZAG_OF_NATURAL[naturalIndex]] = ((value * divisors[naturalIndex] + 4096.5) | 0) - 4096;
}

/** Number of bits needed for |value| (the JPEG "category"); branch-free. */
function magnitudeBits(value: number): number {
  const sign = value >> 31;
  return 32 - Math.clz32((value ^ sign) - sign);
}

/** Huffman-codes one quantised block; returns its DC value for the next block's difference. */
function writeBlock(
  writer: BitWriter,
  block: Int32Array,
  previousDc: number,
  dc: HuffmanTable,
  ac: HuffmanTable,
): number {
  const acCodes = ac.codes;
  const acLengths = ac.lengths;
  const diff = block[0] - previousDc;
  const dcSize = magnitudeBits(diff);
  writer.put(dc.codes[dcSize], dc.lengths[dcSize]);
  // Negative values are sent as value - 1 in their low bits (one's complement).
  if (dcSize > 0) writer.put((diff + (diff >> 31)) & ((1 << dcSize) - 1), dcSize);

  let last = 63;
  while (last > 0 && block[last] === 0) last--;
  let run = 0;
  for (let k = 1; k <= last; k++) {
    let value = block[k];
    if (value === 0) {
      run++;
      continue;
    }
    while (run > 15) {
      writer.put(acCodes[0xf0], acLengths[0xf0]);
      run -= 16;
    }
    // The baseline AC tables stop at 10-bit magnitudes, which only quality 100 can exceed.
    if (value > 1023) value = 1023;
    else if (value < -1023) value = -1023;
    const size = magnitudeBits(value);
    const symbol = (run << 4) | size;
    // Code and magnitude bits go in one call: at most 16 + 10 bits.
    writer.put(
      (acCodes[symbol] << size) | ((value + (value >> 31)) & ((1 << size) - 1)),
      acLengths[symbol] + size,
    );
    run = 0;
  }
  if (last < 63) writer.put(acCodes[0], acLengths[0]);
  return block[0];
}

function writeHeaders(
  writer: ByteWriter,
  width: number,
  height: number,
  lumaQuant: Uint8Array,
  chromaQuant: Uint8Array,
  comment: string | undefined,
): void {
  writer.word(0xffd8);
  // APP0 JFIF 1.01, no density, no thumbnail.
  writer.array([0xff, 0xe0, 0, 16, 0x4a, 0x46, 0x49, 0x46, 0, 1, 1, 0, 0, 1, 0, 1, 0, 0]);
  if (comment) {
    const text = Array.from(comment.slice(0, 60000), (c) => {
      const code = c.charCodeAt(0);
      return code >= 0x20 && code < 0x7f ? code : 0x3f;
    });
    writer.word(0xfffe);
    writer.word(text.length + 2);
    writer.array(text);
  }
  writer.word(0xffdb);
  writer.word(2 + 2 * 65);
  for (const [id, table] of [[0, lumaQuant], [1, chromaQuant]] as const) {
    writer.byte(id);
    const zigzag = new Uint8Array(64);
    for (let i = 0; i < 64; i++) zigzag[ZIGZAG_OF_NATURAL[i]] = table[i];
    writer.array(zigzag);
  }
  // SOF0: 8-bit, Y sampled 2×2, Cb and Cr 1×1.
  writer.array([0xff, 0xc0, 0, 17, 8, height >> 8, height & 0xff, width >> 8, width & 0xff, 3]);
  writer.array([1, 0x22, 0, 2, 0x11, 1, 3, 0x11, 1]);
  writer.word(0xffc4);
  const tables: [number, number[], number[]][] = [
    [0x00, DC_LUMINANCE_COUNTS, DC_LUMINANCE_SYMBOLS],
    [0x10, AC_LUMINANCE_COUNTS, AC_LUMINANCE_SYMBOLS],
    [0x01, DC_CHROMINANCE_COUNTS, DC_CHROMINANCE_SYMBOLS],
    [0x11, AC_CHROMINANCE_COUNTS, AC_CHROMINANCE_SYMBOLS],
  ];
  writer.word(2 + tables.reduce((sum, [, , symbols]) => sum + 17 + symbols.length, 0));
  for (const [classAndId, counts, symbols] of tables) {
    writer.byte(classAndId);
    writer.array(counts);
    writer.array(symbols);
  }
  writer.array([0xff, 0xda, 0, 12, 3, 1, 0x00, 2, 0x11, 3, 0x11, 0, 63, 0]);
}

/** Encodes RGBA pixels (alpha ignored) as a baseline JPEG. */
export function encodeJpeg(image: RgbaImage, options: JpegEncodeOptions = {}): Uint8Array {
  const { width, height, data } = image;
  if (width < 1 || height < 1 || width > 65535 || height > 65535) {
    throw new RangeError(`cannot encode a ${width}×${height} JPEG`);
  }
  if (data.length < width * height * 4) {
    throw new RangeError("pixel buffer is smaller than width × height × 4");
  }
  const quality = options.quality ?? 85;
  const lumaQuant = scaledQuantTable(LUMINANCE_QUANT, quality);
  const chromaQuant = scaledQuantTable(CHROMINANCE_QUANT, quality);
  const lumaDivisors = divisorsFor(lumaQuant);
  const chromaDivisors = divisorsFor(chromaQuant);

  const headers = new ByteWriter();
  writeHeaders(headers, width, height, lumaQuant, chromaQuant, options.comment);
  const writer = new BitWriter((width * height) >> 2);

  const mcuColumns = (width + 15) >> 4;
  const paddedWidth = mcuColumns * 16;
  const chromaWidth = paddedWidth >> 1;
  // One MCU row at a time keeps the working set to a few hundred KB even at print size.
  const yPlane = new Float32Array(paddedWidth * 16);
  const cbPlane = new Float32Array(chromaWidth * 8);
  const crPlane = new Float32Array(chromaWidth * 8);
  const work = new Float64Array(64);
  const block = new Int32Array(64);
  let dcY = 0;
  let dcCb = 0;
  let dcCr = 0;
  const lastX = width - 1;
  const lastY = height - 1;

  for (let mcuTop = 0; mcuTop < height; mcuTop += 16) {
    // Colour conversion with edge replication; chroma is the mean of each 2×2 quad (the transform is linear).
    for (let pairRow = 0; pairRow < 8; pairRow++) {
      const y0 = Math.min(mcuTop + pairRow * 2, lastY);
      const y1 = Math.min(mcuTop + pairRow * 2 + 1, lastY);
      const row0 = y0 * width * 4;
      const row1 = y1 * width * 4;
      const yOut0 = pairRow * 2 * paddedWidth;
      const yOut1 = yOut0 + paddedWidth;
      const cOut = pairRow * chromaWidth;
      for (let x = 0; x < paddedWidth; x += 2) {
        const xa = (x < lastX ? x : lastX) * 4;
        const xb = (x + 1 < lastX ? x + 1 : lastX) * 4;
        const r00 = data[row0 + xa], g00 = data[row0 + xa + 1], b00 = data[row0 + xa + 2];
        const r01 = data[row0 + xb], g01 = data[row0 + xb + 1], b01 = data[row0 + xb + 2];
        const r10 = data[row1 + xa], g10 = data[row1 + xa + 1], b10 = data[row1 + xa + 2];
        const r11 = data[row1 + xb], g11 = data[row1 + xb + 1], b11 = data[row1 + xb + 2];
        yPlane[yOut0 + x] = 0.299 * r00 + 0.587 * g00 + 0.114 * b00 - 128;
        yPlane[yOut0 + x + 1] = 0.299 * r01 + 0.587 * g01 + 0.114 * b01 - 128;
        yPlane[yOut1 + x] = 0.299 * r10 + 0.587 * g10 + 0.114 * b10 - 128;
        yPlane[yOut1 + x + 1] = 0.299 * r11 + 0.587 * g11 + 0.114 * b11 - 128;
        const r = r00 + r01 + r10 + r11, g = g00 + g01 + g10 + g11, b = b00 + b01 + b10 + b11;
        cbPlane[cOut + (x >> 1)] = (-0.168736 * r - 0.331264 * g + 0.5 * b) * 0.25;
        crPlane[cOut + (x >> 1)] = (0.5 * r - 0.418688 * g - 0.081312 * b) * 0.25;
      }
    }
    for (let mcu = 0; mcu < mcuColumns; mcu++) {
      const left = mcu * 16;
      transformBlock(yPlane, left, paddedWidth, lumaDivisors, work, block);
      dcY = writeBlock(writer, block, dcY, DC_LUMINANCE, AC_LUMINANCE);
      transformBlock(yPlane, left + 8, paddedWidth, lumaDivisors, work, block);
      dcY = writeBlock(writer, block, dcY, DC_LUMINANCE, AC_LUMINANCE);
      transformBlock(yPlane, left + 8 * paddedWidth, paddedWidth, lumaDivisors, work, block);
      dcY = writeBlock(writer, block, dcY, DC_LUMINANCE, AC_LUMINANCE);
      transformBlock(yPlane, left + 8 * paddedWidth + 8, paddedWidth, lumaDivisors, work, block);
      dcY = writeBlock(writer, block, dcY, DC_LUMINANCE, AC_LUMINANCE);
      transformBlock(cbPlane, mcu * 8, chromaWidth, chromaDivisors, work, block);
      dcCb = writeBlock(writer, block, dcCb, DC_CHROMINANCE, AC_CHROMINANCE);
      transformBlock(crPlane, mcu * 8, chromaWidth, chromaDivisors, work, block);
      dcCr = writeBlock(writer, block, dcCr, DC_CHROMINANCE, AC_CHROMINANCE);
    }
  }
  const entropy = writer.finish();
  const file = new Uint8Array(headers.position + entropy.length + 2);
  file.set(headers.bytes.subarray(0, headers.position));
  file.set(entropy, headers.position);
  file[file.length - 2] = 0xff;
  file[file.length - 1] = 0xd9;
  return file;
}
