/**
 * Run by edge_runtime_test.ts in a subprocess with the edge runtime's restrictions (no FFI, no subprocesses,
 * a 256 MB heap, reads limited to the project and the Deno cache): loads the module's entry points, paints
 * a page with a photo from a data: URL, watermarks it both ways, and prints the sizes as JSON.
 */
import { readJpegHeader } from "../image_decoding.ts";
import { encodeJpeg } from "../jpeg_encoder.ts";
import { withLatency } from "../latency_provider.ts";
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
console.log(JSON.stringify({ page: [page.width, page.height], fromBytes, fromPixels }));
