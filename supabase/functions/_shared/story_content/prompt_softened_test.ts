import assert from "node:assert/strict";
import { ART_STYLES, buildPagePrompt, type PagePromptInput, SOFTENED_PREAMBLE } from "./prompt.ts";

const SCENE = "the child rides a friendly whale across a calm blue bay at sunset";

function input(overrides: Partial<PagePromptInput> = {}): PagePromptInput {
  return {
    scene: SCENE,
    style: "photorealistic",
    child: { age: 7, pronouns: "she" },
    pageNumber: 4,
    ...overrides,
  };
}

Deno.test("a softened prompt opens with the softened preamble, then the style's", () => {
  for (const style of ["photorealistic", "cartoon_3d"] as const) {
    const { prompt } = buildPagePrompt(input({ style, softened: true }));
    assert.ok(prompt.startsWith(`${SOFTENED_PREAMBLE}. ${ART_STYLES[style].preamble}. `), prompt);
  }
});

Deno.test("a softened prompt keeps the scene, told about the hero", () => {
  const { prompt } = buildPagePrompt(input({ softened: true }));
  assert.ok(prompt.includes("the hero rides a friendly whale across a calm blue bay at sunset"), prompt);
  assert.ok(!prompt.includes("the child"), prompt);
});

Deno.test("a softened prompt never states the age", () => {
  for (const age of [3, 7, 9, 12]) {
    for (const pageNumber of [0, 4]) {
      const plain = buildPagePrompt(input({ child: { age, pronouns: "they" }, pageNumber }));
      const softened = buildPagePrompt(
        input({ child: { age, pronouns: "they" }, pageNumber, softened: true }),
      );
      // The plain prompt does state it: the check below would notice if the age moved elsewhere.
      assert.ok(plain.prompt.includes(`${age}-year-old`), plain.prompt);
      assert.ok(!softened.prompt.includes(String(age)), softened.prompt);
      assert.doesNotMatch(softened.prompt, /year|\bage\b|\baged\b/i);
    }
  }
});

Deno.test("a softened prompt still says who the hero is and keeps the page's framing", () => {
  const page = buildPagePrompt(input({ child: { age: 7, pronouns: "he" }, softened: true })).prompt;
  assert.match(page, /young storybook boy/);
  assert.match(page, /reference photo/);
  assert.match(page, /full-page picture book spread/);
  const cover = buildPagePrompt(input({ pageNumber: 0, softened: true })).prompt;
  assert.match(cover, /book cover composition/);
});

Deno.test("softening changes the prompt only: the negative prompt stays the same", () => {
  for (const style of ["photorealistic", "cartoon_3d"] as const) {
    for (const pageNumber of [0, 4]) {
      const plain = buildPagePrompt(input({ style, pageNumber }));
      const softened = buildPagePrompt(input({ style, pageNumber, softened: true }));
      assert.equal(softened.negativePrompt, plain.negativePrompt);
      assert.notEqual(softened.prompt, plain.prompt);
    }
  }
});

Deno.test("softened: false is the plain prompt", () => {
  assert.deepEqual(buildPagePrompt(input({ softened: false })), buildPagePrompt(input()));
});
