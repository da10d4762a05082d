/**
 * The interface between a theme's content and the rest of the product: given a theme and a child, the
 * personalised title, the text of the cover (page 0) and pages 1–10, and each page's scene for the illustrator.
 * Scenes never contain the child's name: they are sent to image providers.
 */
import type { Enums } from "../database.types.ts";

export type Pronouns = Enums<"pronouns">;

export interface Child {
  name: string;
  age: number;
  pronouns: Pronouns;
}

export interface StoryPage {
  /** 0 is the cover, 1–10 the story pages. */
  page_number: number;
  body_text: string;
  /** What the picture shows, in English, with "the child" as the hero; no name. */
  scene: string;
}

export interface StoryContent {
  title: string;
  pages: StoryPage[];
}

/** The personalised story of a theme, or null when there is no content for that theme id. */
export type StoryContentSource = (themeId: string, child: Child) => StoryContent | null;

const PRONOUN_FORMS: Record<Pronouns, { they: string; them: string; their: string }> = {
  he: { they: "he", them: "him", their: "his" },
  she: { they: "she", them: "her", their: "her" },
  they: { they: "they", them: "them", their: "their" },
};

function capitalise(word: string): string {
  return word.charAt(0).toUpperCase() + word.slice(1);
}

/**
 * Fills `{name}`, `{they}`, `{them}`, `{their}` (and the capitalised `{They}`, `{Them}`, `{Their}`) in a template.
 * Templates are written so that no verb agrees with the pronoun (past tense), which keeps "they" grammatical.
 */
export function personalise(template: string, child: Child): string {
  const forms = PRONOUN_FORMS[child.pronouns];
  return template.replace(/\{(name|they|them|their|They|Them|Their)\}/g, (_, key: string) => {
    if (key === "name") return child.name;
    const form = forms[key.toLowerCase() as keyof typeof forms];
    return key[0] === key[0].toUpperCase() ? capitalise(form) : form;
  });
}
