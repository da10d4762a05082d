/**
 * The in-house illustrator: the offline default image provider. It is not an AI model and says so (provider
 * "talecraft-illustrator", a JPEG comment). It paints a deterministic storybook scene for the theme and page
 * (sky, far and near layers, motifs) and puts the child's face, cropped from the photo by its face box, in a
 * round frame as the hero. Pages leave a calm band at the bottom and the cover a calm band at the top for text.
 *
 * Consistency across a book comes from the theme palette and from drawing the hero the same way on every page,
 * so the character anchor (the cover) is never fetched: decoding it would cost CPU for nothing.
 */
import { decodeImage } from "./image_decoding.ts";
import { readImageHeader } from "./image_header.ts";
import { encodeJpeg } from "./jpeg_encoder.ts";
import {
  abortError,
  type FaceBox,
  type GeneratedImage,
  type ImageProvider,
  ImageProviderError,
  type PageImageRequest,
} from "./image_provider.ts";
import { createRgbaImage, downscale, type RgbaImage } from "./raster.ts";
import { ScenePainter } from "./scene_painter.ts";
import {
  between,
  type Scene,
  SCENES,
  seededRandom,
  SHADOW,
  sparkle,
  type StorybookLayout,
  WHITE,
} from "./storybook_scenes.ts";
import { hashString, storybookTheme } from "./storybook_themes.ts";

export type { StorybookLayout } from "./storybook_scenes.ts";

export const ILLUSTRATOR_PROVIDER = "talecraft-illustrator";
export const ILLUSTRATOR_MODEL = "storybook-scenes-v1";
export const ILLUSTRATOR_COMMENT = "Talecraft in-house illustrator (not AI)";

export interface StorybookIllustratorOptions {
  /** Used to fetch the child photo; defaults to the global fetch. */
  fetch?: typeof fetch;
  /** JPEG quality of the output; default 88. */
  quality?: number;
  /** Photos whose longest side exceeds this are refused rather than decoded; default 4096. */
  maxPhotoSide?: number;
}

/** The decoded child photo and where the face is in it (null: use the centre). */
export interface ChildPortrait {
  image: RgbaImage;
  faceBox: FaceBox | null;
}

export type SceneRequest = Pick<
  PageImageRequest,
  "storyId" | "pageNumber" | "themeId" | "style" | "seed" | "size"
>;

export class StorybookIllustrator implements ImageProvider {
  readonly name = ILLUSTRATOR_PROVIDER;

  constructor(private readonly options: StorybookIllustratorOptions = {}) {}

  async generate(request: PageImageRequest, signal?: AbortSignal): Promise<GeneratedImage> {
    if (signal?.aborted) throw abortError(signal);
    if (request.size !== 1024 && request.size !== 3075) {
      throw new ImageProviderError("provider_error", `unsupported image size ${request.size}`, {
        retryable: false,
      });
    }
    const photo = request.references.find((reference) => reference.role === "child_photo");
    const portrait = photo ? await this.loadPortrait(photo.url, photo.faceBox ?? null, signal) : null;
    if (signal?.aborted) throw abortError(signal);
    const pixels = renderStorybookScene(request, portrait);
    const bytes = encodeJpeg(pixels, { quality: this.options.quality ?? 88, comment: ILLUSTRATOR_COMMENT });
    return {
      bytes,
      contentType: "image/jpeg",
      width: pixels.width,
      height: pixels.height,
      provider: ILLUSTRATOR_PROVIDER,
      model: ILLUSTRATOR_MODEL,
      pixels,
    };
  }

  private async loadPortrait(
    url: string,
    faceBox: FaceBox | null,
    signal?: AbortSignal,
  ): Promise<ChildPortrait> {
    const fetchImpl = this.options.fetch ?? fetch;
    let response: Response;
    try {
      response = await fetchImpl(url, { signal });
    } catch (error) {
      if (signal?.aborted) throw abortError(signal);
      // The URL is a signed link: it stays out of the message.
      throw new ImageProviderError("provider_error", "the child photo could not be fetched", {
        retryable: true,
        cause: error,
      });
    }
    if (!response.ok) {
      await response.body?.cancel();
      const retryable = response.status === 429 || response.status >= 500;
      throw new ImageProviderError(
        "provider_error",
        `the child photo could not be fetched (HTTP ${response.status})`,
        {
          retryable,
        },
      );
    }
    const bytes = new Uint8Array(await response.arrayBuffer());
    const maxSide = this.options.maxPhotoSide ?? 4096;
    let size: { width: number; height: number };
    try {
      size = readImageHeader(bytes);
    } catch (error) {
      throw new ImageProviderError("provider_error", "the child photo is not a JPEG, PNG or WebP image", {
        retryable: false,
        cause: error,
      });
    }
    if (size.width > maxSide || size.height > maxSide) {
      throw new ImageProviderError(
        "provider_error",
        `the child photo is ${size.width}×${size.height}; at most ${maxSide} px a side is decoded`,
        { retryable: false },
      );
    }
    try {
      return { image: await decodeImage(bytes), faceBox };
    } catch (error) {
      throw new ImageProviderError("provider_error", "the child photo could not be decoded", {
        retryable: false,
        cause: error,
      });
    }
  }
}

/** The drawn stand-in when there is no photo: a simple smiling face, clearly not the child. */
function placeholderFace(scene: Scene): void {
  const { x, y, radius } = scene.hero;
  const p = scene.painter;
  p.disc(x, y, radius, [246, 214, 180]);
  p.disc(x - radius * 0.35, y - radius * 0.15, radius * 0.09, SHADOW);
  p.disc(x + radius * 0.35, y - radius * 0.15, radius * 0.09, SHADOW);
  const smile: number[] = [];
  for (let i = 0; i <= 12; i++) {
    const angle = Math.PI * (0.2 + 0.6 * (i / 12));
    smile.push(x + Math.cos(angle) * radius * 0.45, y + radius * 0.05 + Math.sin(angle) * radius * 0.4);
  }
  p.polyline(smile, radius * 0.07, SHADOW);
}

/** The square of the photo to show: around the face box (with hair and chin), or the centre. */
function portraitSquare(portrait: ChildPortrait): { x: number; y: number; side: number } {
  const { width, height } = portrait.image;
  const box = portrait.faceBox;
  const limit = Math.min(width, height);
  const side = Math.max(1, Math.min(limit, box ? Math.max(box.width, box.height) * 1.7 : limit * 0.9));
  const centreX = box ? box.x + box.width / 2 : width / 2;
  const centreY = box ? box.y + box.height / 2 - box.height * 0.06 : height / 2;
  return {
    x: Math.min(width - side, Math.max(0, centreX - side / 2)),
    y: Math.min(height - side, Math.max(0, centreY - side / 2)),
    side,
  };
}

function drawHero(scene: Scene, portrait: ChildPortrait | null): void {
  const { x, y, radius } = scene.hero;
  const p = scene.painter;
  // The frame disc below covers the middle of both glows, so they skip it.
  p.glow(x + radius * 0.05, y + radius * 0.12, radius * 1.4, SHADOW, 0.45, radius * 0.95);
  p.glow(x, y, radius * 1.5, scene.palette.light, 0.45, radius * 1.08);
  p.disc(x, y, radius * 1.1, scene.palette.accent);
  if (scene.glossy) p.glow(x - radius * 0.6, y - radius * 0.6, radius * 0.5, WHITE, 0.35);
  p.ring(x, y, radius * 1.1, radius * 0.02, WHITE, 0.6);
  p.disc(x, y, radius * 1.02, WHITE);
  if (!portrait) {
    placeholderFace(scene);
    return;
  }
  const square = portraitSquare(portrait);
  const diameter = Math.ceil(radius * 2);
  // Shrink a much larger crop first so bilinear sampling does not alias; the crop is small, the copy cheap.
  if (square.side > diameter * 2) {
    const crop = cropSquare(
      portrait.image,
      Math.round(square.x),
      Math.round(square.y),
      Math.floor(square.side),
    );
    const small = downscale(crop, diameter, diameter);
    p.circularPicture(small, 0, 0, diameter, x, y, radius);
  } else {
    p.circularPicture(portrait.image, square.x, square.y, square.side, x, y, radius);
  }
}

function cropSquare(image: RgbaImage, left: number, top: number, side: number): RgbaImage {
  const crop = createRgbaImage(side, side);
  for (let row = 0; row < side; row++) {
    const start = ((top + row) * image.width + left) * 4;
    crop.data.set(image.data.subarray(start, start + side * 4), row * side * 4);
  }
  return crop;
}

function coverFrame(scene: Scene): void {
  const s = scene.size;
  const inset = 0.03 * s, thickness = 0.007 * s;
  const p = scene.painter;
  p.polyline(
    [inset, inset, s - inset, inset, s - inset, s - inset, inset, s - inset, inset, inset],
    thickness,
    scene.palette.accent,
    0.9,
  );
  for (const [cx, cy] of [[inset, inset], [s - inset, inset], [s - inset, s - inset], [inset, s - inset]]) {
    sparkle(scene, cx, cy, 0.025 * s, scene.palette.light);
  }
}

function sceneKey(request: SceneRequest): string {
  return `${request.themeId}|${request.pageNumber}|${request.seed}|${request.style}|${request.storyId}`;
}

export function storybookLayout(request: SceneRequest): StorybookLayout {
  const size = request.size;
  const random = seededRandom(hashString(`layout|${sceneKey(request)}`));
  const cover = request.pageNumber === 0;
  const heroOnLeft = request.pageNumber % 2 === 1;
  return {
    cover,
    hero: {
      x: (cover ? 0.5 : heroOnLeft ? between(random, 0.27, 0.33) : between(random, 0.67, 0.73)) * size,
      y: (cover ? 0.56 : between(random, 0.46, 0.52)) * size,
      radius: (cover ? 0.2 : between(random, 0.16, 0.18)) * size,
    },
    horizonY: (cover ? 0.66 : between(random, 0.6, 0.66)) * size,
    groundY: (cover ? 0.82 : 0.78) * size,
    skyTop: cover ? 0.24 : 0.04,
  };
}

/** Paints one page (or the cover) as RGBA; deterministic in every field of `request` and the portrait. */
export function renderStorybookScene(request: SceneRequest, portrait: ChildPortrait | null): RgbaImage {
  const theme = storybookTheme(request.themeId);
  const image = createRgbaImage(request.size, request.size);
  const scene: Scene = {
    ...storybookLayout(request),
    painter: new ScenePainter(image),
    size: request.size,
    random: seededRandom(hashString(`scene|${sceneKey(request)}`)),
    palette: theme.palette,
    glossy: request.style === "cartoon_3d",
  };
  SCENES[theme.scene](scene);
  drawHero(scene, portrait);
  if (scene.cover) coverFrame(scene);
  return image;
}
