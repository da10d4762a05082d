/**
 * The interface between a theme's content and the rest of the product: given a theme and a child, the
 * personalised title, the dedication, the text of the cover (page 0) and pages 1–10, and each page's scene for
 * the illustrator. Scenes never contain the child's name: they are sent to image providers.
 */
import type { Enums } from "../database.types.ts";

export type Pronouns = Enums<"pronouns">;

export interface Child {
  name: string;
  age: number;
  pronouns: Pronouns;
  /** The parent's own dedication (at most 200 characters); the theme's default is used when absent. */
  dedication?: string | null;
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
  dedication: string;
  pages: StoryPage[];
}

/** The personalised story of a theme, or null when there is no content for that theme id. */
export type StoryContentSource = (themeId: string, child: Child) => StoryContent | null;

export const MAX_NAME_LENGTH = 40;
export const MAX_DEDICATION_LENGTH = 200;

const PRONOUN_FORMS: Record<Pronouns, { they: string; them: string; their: string }> = {
  he: { they: "he", them: "him", their: "his" },
  she: { they: "she", them: "her", their: "her" },
  they: { they: "they", them: "them", their: "their" },
};

/**
 * Verbs whose third-person singular is not the plain form plus "s". Templates write the "they" form
 * (`{they are}`, `{they run}`); "he" and "she" take the form this table or the regular rule gives.
 */
const IRREGULAR_SINGULAR: Record<string, string> = {
  are: "is",
  were: "was",
  have: "has",
  do: "does",
  go: "goes",
  "aren't": "isn't",
  "weren't": "wasn't",
  "don't": "doesn't",
  "haven't": "hasn't",
};

/** The third-person singular ("runs", "is") of a verb given in its plural form ("run", "are"). */
export function singularOf(verb: string): string {
  const irregular = IRREGULAR_SINGULAR[verb];
  if (irregular) return irregular;
  if (/(s|sh|ch|x|z|o)$/.test(verb)) return `${verb}es`;
  if (/[^aeiou]y$/.test(verb)) return `${verb.slice(0, -1)}ies`;
  return `${verb}s`;
}

/**
 * Every placeholder a template may hold:
 * - `{name}` the child's name; `{name's}` its possessive (always the name plus "'s", also after a final s:
 *   "James's", "Zoë's", "美咲's");
 * - `{they}`, `{them}`, `{their}` and capitalised `{They}`, `{Them}`, `{Their}`;
 * - `{they VERB}` / `{They VERB}`: the pronoun with a present-tense verb written in its "they" form
 *   (`{they are}` → "she is" / "they are");
 * - `{age}`: the age in words ("seven"), `{age_ordinal}` ("seventh").
 */
export const PLACEHOLDER = /\{(name|name's|age|age_ordinal|[Tt]hey|[Tt]hem|[Tt]heir|[Tt]hey [a-z']+)\}/g;

const AGE_WORDS = [
  "zero",
  "one",
  "two",
  "three",
  "four",
  "five",
  "six",
  "seven",
  "eight",
  "nine",
  "ten",
  "eleven",
  "twelve",
];
const AGE_ORDINALS = [
  "zeroth",
  "first",
  "second",
  "third",
  "fourth",
  "fifth",
  "sixth",
  "seventh",
  "eighth",
  "ninth",
  "tenth",
  "eleventh",
  "twelfth",
];

function capitalise(word: string): string {
  return word.charAt(0).toUpperCase() + word.slice(1);
}

/** A name as it is printed: NFC, trimmed, inner runs of whitespace made one space (never a double space). */
export function printedName(name: string): string {
  return name.normalize("NFC").trim().replace(/\s+/gu, " ");
}

/** The parent's dedication as printed, or null when it is empty; longer than 200 characters is refused. */
export function printedDedication(dedication: string | null | undefined): string | null {
  const text = (dedication ?? "").normalize("NFC").trim().replace(/\s+/gu, " ");
  if (!text) return null;
  if ([...text].length > MAX_DEDICATION_LENGTH) {
    throw new RangeError(`a dedication is at most ${MAX_DEDICATION_LENGTH} characters`);
  }
  return text;
}

/** Fills every placeholder of `template` (see PLACEHOLDER) for this child. */
export function personalise(template: string, child: Child): string {
  const forms = PRONOUN_FORMS[child.pronouns];
  const name = printedName(child.name);
  const text = template.replace(PLACEHOLDER, (_, key: string) => {
    if (key === "name") return name;
    if (key === "name's") return `${name}'s`;
    if (key === "age") return AGE_WORDS[child.age] ?? String(child.age);
    if (key === "age_ordinal") return AGE_ORDINALS[child.age] ?? `${child.age}th`;
    const [pronounKey, verb] = key.split(" ");
    const pronoun = forms[pronounKey.toLowerCase() as keyof typeof forms];
    const shown = pronounKey[0] === "T" ? capitalise(pronoun) : pronoun;
    if (!verb) return shown;
    return `${shown} ${child.pronouns === "they" ? verb : singularOf(verb)}`;
  });
  return text.replace(/ {2,}/g, " ");
}
