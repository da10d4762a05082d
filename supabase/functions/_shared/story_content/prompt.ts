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
  /** After a content refusal: the same scene, asked for in the mildest terms (see SOFTENED_PREAMBLE). */
  softened?: boolean;
}

export interface PagePrompt {
  prompt: string;
  negativePrompt: string;
}

/** Each art style: a preamble that opens every prompt, and what the image model must avoid in that style. */
export const ART_STYLES: Record<ArtStyle, { preamble: string; negative: string[] }> = {
  photorealistic: {
    preamble:
      "Photorealistic children's picture book illustration, natural soft light, shallow depth of field, warm colours",
    negative: ["cartoon", "3D render", "plastic skin", "oversaturated colours"],
  },
  cartoon_3d: {
    preamble:
      "3D animated cartoon style, soft rounded shapes, expressive eyes, vibrant colours, gentle studio lighting",
    negative: ["photograph", "realistic skin texture", "flat 2D drawing", "harsh shadows"],
  },
};

const HERO_NOUNS: Record<Pronouns, string> = { he: "boy", she: "girl", they: "child" };

/** What no page of a children's book may show, in any style. */
const COMMON_NEGATIVE = [
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
];

/**
 * Opens a softened prompt. Refusals of picture-book scenes come from a model reading an age and a real child's
 * photo together; the softened prompt states the wholesome intent first and drops the exact age.
 */
export const SOFTENED_PREAMBLE =
  "A gentle, wholesome, family-friendly picture book illustration for young readers; everyone fully clothed";

export function buildPagePrompt(input: PagePromptInput): PagePrompt {
  const style = ART_STYLES[input.style];
  const scene = input.scene.replaceAll("the child", "the hero");
  const framing = input.pageNumber === 0
    ? "book cover composition with clear space at the top for the title"
    : "full-page picture book spread, the hero clearly visible";
  const negativePrompt = [...COMMON_NEGATIVE, ...style.negative].join(", ");
  if (input.softened) {
    return {
      prompt: `${SOFTENED_PREAMBLE}. ${style.preamble}. ${scene}. The hero is a young storybook ` +
        `${HERO_NOUNS[input.child.pronouns]} who looks like the person in the reference photo. ${framing}.`,
      negativePrompt,
    };
  }
  // Stating the age on every page keeps the hero's proportions the same across the book.
  const hero = `a ${input.child.age}-year-old ${HERO_NOUNS[input.child.pronouns]}`;
  return {
    prompt:
      `${style.preamble}. ${scene}. The hero is ${hero} with the face of the reference photo. ${framing}.`,
    negativePrompt,
  };
}
