/**
 * The dev console's sample photo, which is also the tests' one-face photo: the head-and-shoulders crop of the
 * NASA portrait of astronaut Eileen Collins (the whole portrait's face is too small for upload-photo's rules).
 *
 * The portrait and two other images with a clear licence come from Debian's python3-skimage package
 * (scikit-image's data folder), fetched on first use and kept in the gitignored .local/ folder; never committed,
 * never from a face-detection package:
 *
 * - astronaut.png: Eileen Collins, NASA portrait, a US government work in the public domain;
 * - chelsea.png: a cat, CC0 (Stefan van der Walt);
 * - coffee.png: a coffee cup, CC0 (Rachel Michetti).
 */
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { sha256Hex } from "../../../scripts/sha256_hex.ts";
import { decodePng } from "../../../supabase/functions/_shared/images/image_decoding.ts";
import { Framebuffer } from "../../../supabase/functions/_shared/images/imagescript_framebuffer.ts";
import { encodeJpeg } from "../../../supabase/functions/_shared/images/jpeg_encoder.ts";
import type { RgbaImage } from "../../../supabase/functions/_shared/images/raster.ts";

export interface SampleImagePaths {
  astronaut: string;
  chelsea: string;
  coffee: string;
}

/** A photo as uploaded (the encoded JPEG) and the pixels it encodes. */
export interface EncodedPhoto {
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
const repoRoot = fileURLToPath(new URL("../../..", import.meta.url));
const DEBIAN_PACKAGE = "python3-skimage";
const DATA_DIR_IN_PACKAGE = "usr/lib/python3/dist-packages/skimage/data";

/** Pinned so that another package version with different pictures fails here, not as a puzzling fixture. */
const SAMPLE_SHA256: Record<keyof SampleImagePaths, string> = {
  astronaut: "88431cd9653ccd539741b555fb0a46b61558b301d4110412b5bc28b5e3ea6cb5",
  chelsea: "596aa1e7cb875eb79f437e310381d26b338a81c2da23439704a73c4651e8c4bb",
  coffee: "cc02f8ca188b167c775a7101b5d767d1e71792cf762c33d6fa15a4599b5a8de7",
};

const SAMPLE_NAMES = Object.keys(SAMPLE_SHA256) as (keyof SampleImagePaths)[];

/** The sample photo as the dev console offers it: the head-and-shoulders crop as a JPEG. */
export async function samplePhotoJpeg(): Promise<Uint8Array<ArrayBuffer>> {
  return encodedPhoto(await headAndShoulders()).jpeg;
}

export async function headAndShoulders(): Promise<Framebuffer> {
  const { x, y, width, height } = HEAD_AND_SHOULDERS;
  return (await sampleFrame("astronaut")).cut("box", x, y, width, height);
}

/** A fresh framebuffer each time: imagescript's operations change the frame they are called on. */
export async function sampleFrame(name: "astronaut" | "chelsea"): Promise<Framebuffer> {
  const paths = await ensureSampleImages();
  const image = await decodePng(await Deno.readFile(paths[name]));
  return new Framebuffer(image.width, image.height, image.data);
}

export function encodedPhoto(frame: Framebuffer): EncodedPhoto {
  const image: RgbaImage = {
    width: frame.width,
    height: frame.height,
    data: frame.u8 as Uint8Array<ArrayBuffer>,
  };
  // encodeJpeg writes into a fresh Uint8Array; its declared type is just the wider default.
  return { jpeg: encodeJpeg(image, { quality: JPEG_QUALITY }) as Uint8Array<ArrayBuffer>, image };
}

/**
 * Returns the paths of the three PNGs, downloading the package once (`apt-get download`, no install, no root
 * needed beyond reading the apt lists). Several processes may call this at once: each builds the folder under a
 * unique temporary name and renames it into place, and a process that loses the race uses the winner's.
 */
export async function ensureSampleImages(
  cacheDir: string = join(repoRoot, ".local", "sample_images"),
): Promise<SampleImagePaths> {
  const paths = samplePaths(cacheDir);
  if (await allPresent(paths)) return paths;

  const workDir = `${cacheDir}.${crypto.randomUUID()}.tmp`;
  await Deno.mkdir(workDir, { recursive: true });
  try {
    const staged = join(workDir, "sample_images");
    await Deno.mkdir(staged);
    await downloadInto(workDir, staged);
    try {
      await Deno.rename(staged, cacheDir);
    } catch (error) {
      // Another process renamed its folder into place first; theirs holds the same verified files.
      if (!(await allPresent(paths))) {
        throw new Error(`${cacheDir} exists but is incomplete; delete it and run again (${error})`);
      }
    }
  } finally {
    await Deno.remove(workDir, { recursive: true }).catch(() => {});
  }
  return paths;
}

function samplePaths(dir: string): SampleImagePaths {
  return {
    astronaut: join(dir, "astronaut.png"),
    chelsea: join(dir, "chelsea.png"),
    coffee: join(dir, "coffee.png"),
  };
}

async function allPresent(paths: SampleImagePaths): Promise<boolean> {
  for (const name of SAMPLE_NAMES) {
    try {
      await Deno.stat(paths[name]);
    } catch {
      return false;
    }
  }
  return true;
}

async function downloadInto(workDir: string, staged: string): Promise<void> {
  await runTool("apt-get", ["download", DEBIAN_PACKAGE], workDir);
  const debs = (await Array.fromAsync(Deno.readDir(workDir))).filter((entry) => entry.name.endsWith(".deb"));
  if (debs.length !== 1) throw new Error(`apt-get download left ${debs.length} .deb files in ${workDir}`);
  const extracted = join(workDir, "extracted");
  await runTool("dpkg", ["-x", debs[0].name, extracted], workDir);
  for (const name of SAMPLE_NAMES) {
    const bytes = await Deno.readFile(join(extracted, DATA_DIR_IN_PACKAGE, `${name}.png`));
    const actual = await sha256Hex(bytes);
    if (actual !== SAMPLE_SHA256[name]) {
      throw new Error(
        `${name}.png from ${debs[0].name} has SHA-256 ${actual}, not the pinned ${SAMPLE_SHA256[name]}`,
      );
    }
    await Deno.writeFile(join(staged, `${name}.png`), bytes);
  }
}

async function runTool(command: string, args: string[], cwd: string): Promise<void> {
  let output: Deno.CommandOutput;
  try {
    output = await new Deno.Command(command, { args, cwd, stdout: "piped", stderr: "piped" }).output();
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) {
      throw new Error(
        `the sample photos come from Debian's ${DEBIAN_PACKAGE} package, but \`${command}\` is not available: ` +
          `run on Debian/Ubuntu (apt-get and dpkg)`,
      );
    }
    throw error;
  }
  if (!output.success) {
    const stderr = new TextDecoder().decode(output.stderr).trim();
    throw new Error(
      `\`${command} ${args.join(" ")}\` failed (exit ${output.code}): ${stderr}` +
        (command === "apt-get" ? " (if the package is unknown, run `apt-get update` first)" : ""),
    );
  }
}
