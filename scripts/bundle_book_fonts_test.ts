import assert from "node:assert/strict";
import { BOOK_FONT_FILES } from "../supabase/functions/_shared/book/book_fonts.ts";
import { bundleBookFonts } from "./bundle_book_fonts.ts";

Deno.test("bundle book fonts: copies the two Andika faces, TrueType files, and nothing else", async () => {
  const dir = await Deno.makeTempDir({ prefix: "book_fonts_" });
  try {
    await bundleBookFonts(dir);
    const names = (await Array.fromAsync(Deno.readDir(dir))).map((entry) => entry.name).sort();
    assert.deepEqual(names, Object.values(BOOK_FONT_FILES).sort());
    const regular = await Deno.readFile(`${dir}/${BOOK_FONT_FILES.regular}`);
    assert.deepEqual([...regular.subarray(0, 4)], [0x00, 0x01, 0x00, 0x00], "a TrueType file");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
