/**
 * The image prompt for one page: the scene, the art style, and who the hero is (age and pronouns, never the
 * name: prompts go to image providers).
 */
import type { Enums } from "../database.types.ts";
import type { Pronouns } from "./story_content.ts";

export type ArtStyle = Enums<"art_style">;

export interface PagePromptInput {
  scene: string;
  style: ArtStyle;
  child: { age: number; pronouns: Pronouns };
  /** 0 is the cover. */
  pageNumber: number;
}

export interface PagePrompt {
  prompt: string;
  negativePrompt: string;
}

const STYLE_PROMPTS: Record<ArtStyle, string> = {
  photorealistic:
    "photorealistic children's picture book illustration, natural soft light, shallow depth of field, warm colours",
  cartoon_3d:
    "3D animated cartoon style, soft rounded shapes, expressive eyes, vibrant colours, gentle studio lighting",
};

const HERO_NOUNS: Record<Pronouns, string> = { he: "boy", she: "girl", they: "child" };

const NEGATIVE_PROMPT = [
  "text",
  "letters",
  "watermark",
  "logo",
  "extra people in the foreground",
  "deformed face",
  "extra limbs",
  "scary",
  "violent",
  "dark horror",
].join(", ");

export function buildPagePrompt(input: PagePromptInput): PagePrompt {
  const hero = `a ${input.child.age}-year-old ${HERO_NOUNS[input.child.pronouns]}`;
  const scene = input.scene.replaceAll("the child", "the hero");
  const framing = input.pageNumber === 0
    ? "book cover composition with clear space at the top for the title"
    : "full-page picture book spread, the hero clearly visible";
  return {
    // Stating the age on every page keeps the hero's proportions the same across the book.
    prompt: `${scene}. The hero is ${hero} with the face of the reference photo. ${framing}. ${
      STYLE_PROMPTS[input.style]
    }.`,
    negativePrompt: NEGATIVE_PROMPT,
  };
}
