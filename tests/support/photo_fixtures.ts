/**
 * Test photos built at test time from the licensed sample images (platform/server/dev/sample_photo.ts), each
 * meaning one face verdict. tests/integration/photo_fixtures_test.ts runs every one through the real detector
 * and the rules, so a fixture that stops meaning what its name says fails there first.
 *
 * Every builder returns the encoded JPEG (what a test uploads) and the pixels it encodes (for tests that work
 * below the upload: detector, rules). A PNG of the same pixels: encodePng from
 * supabase/functions/_shared/images/test_images.ts.
 */
import { Framebuffer } from "../../supabase/functions/_shared/images/imagescript_framebuffer.ts";
import {
  type EncodedPhoto,
  encodedPhoto,
  headAndShoulders,
  sampleFrame,
} from "../../platform/server/dev/sample_photo.ts";

export { HEAD_AND_SHOULDERS } from "../../platform/server/dev/sample_photo.ts";

export type FixturePhoto = EncodedPhoto;

/** A plain light wall for the tiny-face photo (imagescript colours are 0xRRGGBBAA). */
const WALL_COLOUR = 0xd8d8d0ff;

/** One face, about 18% of the image: accepted (the dev console's sample photo). */
export async function oneFace(): Promise<FixturePhoto> {
  return encodedPhoto(await headAndShoulders());
}

/** The whole 512 × 512 portrait: one face of about 5% of the image, so face_too_small. */
export async function uncroppedPortrait(): Promise<FixturePhoto> {
  return encodedPhoto(await sampleFrame("astronaut"));
}

/** The head-and-shoulders crop twice, side by side (480 × 240): two faces of equal size, so multiple_faces. */
export async function twoFaces(): Promise<FixturePhoto> {
  const crop = await headAndShoulders();
  const pair = new Framebuffer(crop.width * 2, crop.height);
  pair.replace(crop, 0, 0);
  pair.replace(crop, crop.width, 0);
  return encodedPhoto(pair);
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
  return encodedPhoto(canvas);
}

/** Chelsea the cat (451 × 300): the detector finds no face in it, so no_face. */
export async function noFace(): Promise<FixturePhoto> {
  return encodedPhoto(await sampleFrame("chelsea"));
}

/** The one-face crop enlarged to `side` × `side` (for the 1024 and 2048 px benchmarks): still one face, 18%. */
export async function largePhoto(side: number): Promise<FixturePhoto> {
  return encodedPhoto((await headAndShoulders()).resize("linear", side, side));
}
