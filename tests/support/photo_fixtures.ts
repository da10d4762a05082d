/**
 * Test photos built at test time from the licensed sample images (sample_images.ts), each meaning one face
 * verdict. tests/integration/photo_fixtures_test.ts runs every one through the real detector and the rules, so
 * a fixture that stops meaning what its name says fails there first.
 *
 * Every builder returns the encoded JPEG (what a test uploads) and the pixels it encodes (for tests that work
 * below the upload: detector, rules). A PNG of the same pixels: encodePng from
 * supabase/functions/_shared/images/test_images.ts.
 */
import { decodePng } from "../../supabase/functions/_shared/images/image_decoding.ts";
import { Framebuffer } from "../../supabase/functions/_shared/images/imagescript_framebuffer.ts";
import { encodeJpeg } from "../../supabase/functions/_shared/images/jpeg_encoder.ts";
import type { RgbaImage } from "../../supabase/functions/_shared/images/raster.ts";
import { ensureSampleImages } from "./sample_images.ts";

export interface FixturePhoto {
  /** Backed by its own ArrayBuffer, so it can go straight into a Blob or a fetch body. */
  jpeg: Uint8Array<ArrayBuffer>;
  image: RgbaImage;
}

/**
 * Head and shoulders in the 512 px astronaut portrait, found with the detector (inputSize 416): it finds the
 * face with confidence 0.99, and 0.97–0.99 with the rectangle moved 8 px any way, so the crop is not on an
 * edge of what the detector sees. The face box is about 103 × 102 px, 18% of the crop.
 */
export const HEAD_AND_SHOULDERS = { x: 100, y: 40, width: 240, height: 240 } as const;

const JPEG_QUALITY = 90;
/** A plain light wall for the tiny-face photo (imagescript colours are 0xRRGGBBAA). */
const WALL_COLOUR = 0xd8d8d0ff;

/** One face, about 18% of the image: accepted. */
export async function oneFace(): Promise<FixturePhoto> {
  return photo(await headAndShoulders());
}

/** The whole 512 × 512 portrait: one face of about 5% of the image, so face_too_small. */
export async function uncroppedPortrait(): Promise<FixturePhoto> {
  return photo(await astronaut());
}

/** The head-and-shoulders crop twice, side by side (480 × 240): two faces of equal size, so multiple_faces. */
export async function twoFaces(): Promise<FixturePhoto> {
  const crop = await headAndShoulders();
  const pair = new Framebuffer(crop.width * 2, crop.height);
  pair.replace(crop, 0, 0);
  pair.replace(crop, crop.width, 0);
  return photo(pair);
}

/**
 * The crop scaled to 640 px on a plain 1600 × 1600 wall: the face (about 330 px, 4% of the image) is still
 * large enough for the network to find after the image is shrunk to its input size, so face_too_small and
 * not no_face.
 */
export async function tinyFace(): Promise<FixturePhoto> {
  const canvas = new Framebuffer(1600, 1600);
  canvas.fill(WALL_COLOUR);
  canvas.replace((await headAndShoulders()).resize("linear", 640, 640), 480, 400);
  return photo(canvas);
}

/** Chelsea the cat (451 × 300): the detector finds no face in it, so no_face. */
export async function noFace(): Promise<FixturePhoto> {
  return photo(await sample("chelsea"));
}

/** The one-face crop enlarged to `side` × `side` (for the 1024 and 2048 px benchmarks): still one face, 18%. */
export async function largePhoto(side: number): Promise<FixturePhoto> {
  return photo((await headAndShoulders()).resize("linear", side, side));
}

async function headAndShoulders(): Promise<Framebuffer> {
  const { x, y, width, height } = HEAD_AND_SHOULDERS;
  return (await astronaut()).cut("box", x, y, width, height);
}

function astronaut(): Promise<Framebuffer> {
  return sample("astronaut");
}

/** A fresh framebuffer each time: imagescript's operations change the frame they are called on. */
async function sample(name: "astronaut" | "chelsea"): Promise<Framebuffer> {
  const paths = await ensureSampleImages();
  const image = await decodePng(await Deno.readFile(paths[name]));
  return new Framebuffer(image.width, image.height, image.data);
}

function photo(frame: Framebuffer): FixturePhoto {
  const image: RgbaImage = {
    width: frame.width,
    height: frame.height,
    data: frame.u8 as Uint8Array<ArrayBuffer>,
  };
  // encodeJpeg writes into a fresh Uint8Array; its declared type is just the wider default.
  return { jpeg: encodeJpeg(image, { quality: JPEG_QUALITY }) as Uint8Array<ArrayBuffer>, image };
}
