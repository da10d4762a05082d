/**
 * Copies the book's typeface (Andika, SIL Open Font License) out of Deno's npm cache into
 * supabase/functions/book-worker/fonts/ (gitignored), where the book module reads it and the deploy ships it as
 * static files (see npm_file_bundle.ts).
 *
 * CLI: deno run -A scripts/bundle_book_fonts.ts [target folder]
 */
import { fileURLToPath } from "node:url";
import { BOOK_FONT_FILES, BUNDLED_FONT_DIR } from "../supabase/functions/_shared/book/book_fonts.ts";
import { type BundledFile, bundleNpmFiles } from "./npm_file_bundle.ts";

const defaultTargetDir = fileURLToPath(BUNDLED_FONT_DIR);
const ANDIKA = "@expo-google-fonts/andika";

const BUNDLED_FILES: BundledFile[] = [
  {
    name: BOOK_FONT_FILES.regular,
    packageName: ANDIKA,
    pathInPackage: BOOK_FONT_FILES.regular,
    sha256: "54284e4240380749be8cd7ecee16c0f7731cc6c5aac57bf62319bd6536d17efb",
  },
  {
    name: BOOK_FONT_FILES.bold,
    packageName: ANDIKA,
    pathInPackage: BOOK_FONT_FILES.bold,
    sha256: "8a2116d2b25bd74f4d94ece77c5927e2ec82ca1416347c01ab60c6d5e1abd801",
  },
];

/** Idempotent and safe to run concurrently (see bundleNpmFiles). */
export async function bundleBookFonts(targetDir: string = defaultTargetDir): Promise<void> {
  await bundleNpmFiles(targetDir, BUNDLED_FILES, cachePackages, "scripts/bundle_book_fonts.ts");
}

/** Importing the package's metadata caches the whole package. */
async function cachePackages(): Promise<void> {
  await import("@expo-google-fonts/andika/metadata.json", { with: { type: "json" } });
}

if (import.meta.main) {
  await bundleBookFonts(Deno.args[0]);
  console.log(`book fonts bundled in ${Deno.args[0] ?? defaultTargetDir}`);
}
