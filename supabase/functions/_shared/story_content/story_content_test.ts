import assert from "node:assert/strict";
import { buildPagePrompt } from "./prompt.ts";
import { provisionalStoryContent } from "./provisional_theme.ts";
import { personalise } from "./story_content.ts";

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

Deno.test("the provisional story has a cover and ten pages for any theme, named after it", () => {
  const story = provisionalStoryContent("safari_adventure", { name: "Noor", age: 7, pronouns: "they" })!;
  assert.equal(story.title, "Noor and the Safari Adventure");
  assert.deepEqual(story.pages.map((page) => page.page_number), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
  for (const page of story.pages) {
    assert.ok(!/\{\w+\}/.test(page.body_text), `page ${page.page_number} has no placeholder left`);
    assert.ok(!page.scene.includes("Noor"), "scenes never carry the name");
  }
  assert.ok(story.pages.some((page) => page.body_text.includes("safari adventure")));
});

Deno.test("buildPagePrompt() describes the hero by age and pronouns, in the chosen style, without a name", () => {
  const scene =
    provisionalStoryContent("ocean_explorer", { name: "Ada", age: 4, pronouns: "she" })!.pages[3].scene;
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
  assert.match(realistic.prompt, /4-year-old girl/);
  assert.match(realistic.prompt, /photorealistic/);
  assert.match(cartoon.prompt, /9-year-old child/);
  assert.match(cartoon.prompt, /3D animated/);
  assert.match(cartoon.prompt, /cover/);
  assert.ok(!realistic.prompt.includes("the child"), "the scene's hero is named consistently");
  assert.match(realistic.negativePrompt, /watermark/);
});
