/**
 * Run by edge_runtime_test.ts in a subprocess with the edge runtime's restrictions (no FFI, no subprocesses,
 * a 256 MB heap, reads limited to the project and the Deno cache): loads the module's entry points, paints
 * a page with a photo from a data: URL, watermarks it both ways, normalises a WebP upload (libwebp's WASM
 * loads its .wasm file from the Deno cache) and prints the sizes as JSON.
 */
import encodeWebp from "@jsquash/webp/encode.js";
import { readJpegHeader } from "../image_header.ts";
import { encodeJpeg } from "../jpeg_encoder.ts";
import { withLatency } from "../latency_provider.ts";
import { normalisePhoto } from "../photo_normalisation.ts";
import { StorybookIllustrator } from "../storybook_illustrator.ts";
import { dataUrl, solidImage } from "../test_images.ts";
import { watermarkPreview, watermarkPreviewPixels } from "../watermark.ts";

const photo = dataUrl(encodeJpeg(solidImage(200, 200, [250, 200, 160])), "image/jpeg");
const provider = withLatency(new StorybookIllustrator(), { latencyMs: 1 });
const page = await provider.generate({
  storyId: "smoke",
  pageNumber: 0,
  themeId: "birthday_magic",
  style: "cartoon_3d",
  prompt: "",
  negativePrompt: "",
  seed: 1,
  size: 1024,
  references: [{ role: "child_photo", url: photo, faceBox: { x: 50, y: 50, width: 100, height: 100 } }],
});
const fromBytes = readJpegHeader(await watermarkPreview(page.bytes));
const fromPixels = readJpegHeader(watermarkPreviewPixels(page.pixels!));
const upload = solidImage(300, 200, [250, 200, 160]);
const webp = await encodeWebp({ ...upload, data: new Uint8ClampedArray(upload.data) } as ImageData, {
  quality: 80,
});
const normalised = await normalisePhoto(new Uint8Array(webp));
const normalisedWebp = [normalised.width, normalised.height, normalised.sourceFormat];
console.log(JSON.stringify({ page: [page.width, page.height], fromBytes, fromPixels, normalisedWebp }));
