import assert from "node:assert/strict";
import { layoutCoverTitle } from "./cover_title.ts";
import { buildPagePrompt } from "./prompt.ts";
import { readability, syllableCount } from "./readability.ts";
import { personalise, printedDedication } from "./story_content.ts";
import { THEMES, themeStoryContent } from "./theme_catalogue.ts";
import { loadTheme, ThemeFileError } from "./theme_schema.ts";
import { agreementErrors } from "./themes/quality_bars.ts";

Deno.test("personalise() fills the name and the child's pronouns, capitalised where asked", () => {
  const template = "{They} packed {their} bag; the fox followed {them}. {name}!";
  assert.equal(
    personalise(template, { name: "Ada", age: 5, pronouns: "she" }),
    "She packed her bag; the fox followed her. Ada!",
  );
  assert.equal(
    personalise(template, { name: "Ben", age: 5, pronouns: "he" }),
    "He packed his bag; the fox followed him. Ben!",
  );
  assert.equal(
    personalise(template, { name: "Kai", age: 5, pronouns: "they" }),
    "They packed their bag; the fox followed them. Kai!",
  );
});

Deno.test("personalise() makes the verb after a pronoun agree: they are / she is, they run / he runs", () => {
  const template = "{They are} brave, {they run} fast, {they go} far and {they carry} a lamp.";
  assert.equal(
    personalise(template, { name: "Kai", age: 5, pronouns: "they" }),
    "They are brave, they run fast, they go far and they carry a lamp.",
  );
  assert.equal(
    personalise(template, { name: "Ada", age: 5, pronouns: "she" }),
    "She is brave, she runs fast, she goes far and she carries a lamp.",
  );
});

Deno.test("the possessive is always the name plus 's, also after a final s", () => {
  for (
    const [name, expected] of [["James", "James's"], ["Zoë", "Zoë's"], ["O'Neill", "O'Neill's"], [
      "美咲",
      "美咲's",
    ]]
  ) {
    assert.equal(personalise("{name's} hat", { name, age: 5, pronouns: "they" }), `${expected} hat`);
  }
});

Deno.test("personalise() prints the age in words and the name without stray spaces", () => {
  assert.equal(
    personalise("{name} turned {age} on {their} {age_ordinal} birthday.", {
      name: " José   Luis ",
      age: 7,
      pronouns: "he",
    }),
    "José Luis turned seven on his seventh birthday.",
  );
});

Deno.test("a dedication is trimmed, empty means none, and more than 200 characters is refused", () => {
  assert.equal(printedDedication("  For  Mia "), "For Mia");
  assert.equal(printedDedication("   "), null);
  assert.throws(() => printedDedication("x".repeat(201)), RangeError);
  const story = themeStoryContent("dream_weaver", {
    name: "Mia",
    age: 5,
    pronouns: "she",
    dedication: "Love, Gran",
  })!;
  assert.equal(story.dedication, "Love, Gran");
  assert.equal(
    themeStoryContent("dream_weaver", { name: "Mia", age: 5, pronouns: "she" })!.dedication,
    "For Mia. Sweet dreams, always.",
  );
});

Deno.test("the catalogue holds the eight themes, and an unknown theme has no story", () => {
  assert.deepEqual([...THEMES.keys()].sort(), [
    "birthday_magic",
    "cosmic_dreamer",
    "dream_weaver",
    "enchanted_forest",
    "magic_castle",
    "mighty_guardian",
    "ocean_explorer",
    "safari_adventure",
  ]);
  assert.equal(themeStoryContent("moon_base", { name: "Ada", age: 5, pronouns: "she" }), null);
  const story = themeStoryContent("safari_adventure", { name: "Noor", age: 7, pronouns: "they" })!;
  assert.equal(story.title, "Noor's Safari Adventure");
  assert.deepEqual(story.pages.map((page) => page.page_number), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
  assert.equal(story.pages[0].body_text, story.title);
});

Deno.test("the loader names the file and the field at fault", () => {
  const broken = structuredClone(THEMES.get("ocean_explorer")!) as Record<string, unknown> & {
    pages: { text: string }[];
  };
  broken.pages[2].text = "{name} met a {frend}.";
  assert.throws(() => loadTheme("themes/ocean_explorer.json", broken), (error: Error) => {
    assert.ok(error instanceof ThemeFileError);
    assert.match(
      error.message,
      /^themes\/ocean_explorer\.json: pages\.2\.text: unknown placeholder \{frend\}/,
    );
    return true;
  });
  const noOutfit = { ...THEMES.get("ocean_explorer")!, outfit: undefined };
  assert.throws(() => loadTheme("themes/ocean_explorer.json", noOutfit), /ocean_explorer\.json: outfit:/);
  assert.throws(() => loadTheme("themes/other.json", THEMES.get("ocean_explorer")), /other\.json: id:/);
});

Deno.test("the agreement check catches 'they is' and 'she are' and passes correct pairs", () => {
  assert.deepEqual(agreementErrors("Then they is happy and she are tired."), ["they is", "she are"]);
  assert.deepEqual(agreementErrors("They are happy and she is tired; they run, he runs."), []);
});

Deno.test("readability counts syllables, words and sentences into a Flesch–Kincaid grade", () => {
  assert.deepEqual(["cat", "tiger", "little", "banana", "jumped", "waited", "made"].map(syllableCount), [
    1,
    2,
    2,
    3,
    1,
    2,
    1,
  ]);
  const easy = readability("The cat sat. The dog ran.");
  assert.equal(easy.words, 6);
  assert.equal(easy.sentences, 2);
  assert.ok(readability("Extraordinary imagination illuminates unbelievable possibilities.").grade > 12);
});

Deno.test("a 40-character name on the cover is wrapped and set smaller, never past the measure", () => {
  const layout = layoutCoverTitle("Maximiliana Alexandra Josephine Ashworth's Enchanted Forest Adventure");
  assert.ok(layout.lines.length <= 3);
  assert.ok(layout.scale < 1);
  for (const line of layout.lines) assert.ok([...line].length * layout.scale <= 18);
  assert.deepEqual(layoutCoverTitle("Mia's Safari Adventure"), {
    lines: ["Mia's Safari", "Adventure"],
    scale: 1,
  });
});

Deno.test("buildPagePrompt() opens with the style's preamble and adds its negative guidance", () => {
  const scene = themeStoryContent("ocean_explorer", { name: "Ada", age: 4, pronouns: "she" })!.pages[3].scene;
  const realistic = buildPagePrompt({
    scene,
    style: "photorealistic",
    child: { age: 4, pronouns: "she" },
    pageNumber: 3,
  });
  const cartoon = buildPagePrompt({
    scene,
    style: "cartoon_3d",
    child: { age: 9, pronouns: "they" },
    pageNumber: 0,
  });
  assert.match(realistic.prompt, /^Photorealistic/);
  assert.match(realistic.prompt, /4-year-old girl/);
  assert.match(realistic.prompt, /yellow diving suit/);
  assert.match(cartoon.prompt, /^3D animated/);
  assert.match(cartoon.prompt, /9-year-old child/);
  assert.match(cartoon.prompt, /cover/);
  assert.ok(!realistic.prompt.includes("the child"), "the scene's hero is named consistently");
  assert.ok(!realistic.prompt.includes("Ada"));
  assert.match(realistic.negativePrompt, /watermark/);
  assert.match(realistic.negativePrompt, /cartoon/);
  assert.match(cartoon.negativePrompt, /photograph/);
});
