/**
 * The quality bars every theme must pass, as one test per theme file: the file loads, every page rendered for
 * every pronoun set and the sample names reads cleanly ("they" agrees with its verbs, no placeholder left, no
 * "he/she", the possessive is whole), the reading grade and the length fit the age range, and the title fits
 * the cover with the longest name.
 */
import assert from "node:assert/strict";
import { COVER_TITLE_MEASURE, layoutCoverTitle } from "../cover_title.ts";
import { readability } from "../readability.ts";
import { type Child, MAX_NAME_LENGTH, personalise, type Pronouns } from "../story_content.ts";
import { renderTheme } from "../theme_catalogue.ts";
import { loadTheme, MAX_TITLE_LENGTH_WITHOUT_NAME, type ThemeFile } from "../theme_schema.ts";

const LONGEST_NAME = "Maximiliana Alexandra Josephine Ashworth";
export const SAMPLE_NAMES = ["Zoë", "O'Neill", "Mary-Jane", "José Luis", "美咲", "James", LONGEST_NAME];
const PRONOUNS: Pronouns[] = ["he", "she", "they"];
/** Readability is judged on one ordinary name, so that the grade measures the prose and not the name. */
const REFERENCE_CHILD: Child = { name: "Sam", age: 6, pronouns: "they" };

/**
 * Subject–verb pairs: [singular, plural]. After "they" the singular is wrong; after "he" or "she" the plural
 * is. Extend it when a template uses a new present-tense verb.
 */
export const SUBJECT_VERB_PAIRS: [string, string][] = [
  ["is", "are"],
  ["was", "were"],
  ["has", "have"],
  ["does", "do"],
  ["goes", "go"],
  ["isn't", "aren't"],
  ["wasn't", "weren't"],
  ["doesn't", "don't"],
  ["hasn't", "haven't"],
  ["runs", "run"],
  ["says", "say"],
  ["wants", "want"],
  ["loves", "love"],
  ["likes", "like"],
  ["knows", "know"],
  ["sees", "see"],
  ["feels", "feel"],
  ["thinks", "think"],
  ["looks", "look"],
  ["makes", "make"],
  ["finds", "find"],
  ["tries", "try"],
  ["flies", "fly"],
  ["holds", "hold"],
  ["takes", "take"],
  ["gives", "give"],
  ["helps", "help"],
];

/** Every subject–verb disagreement in `text`, e.g. "they is" or "she are". */
export function agreementErrors(text: string): string[] {
  const errors: string[] = [];
  for (const [singular, plural] of SUBJECT_VERB_PAIRS) {
    for (const match of text.matchAll(new RegExp(`\\b(they|he|she)\\s+(${singular}|${plural})\\b`, "gi"))) {
      const subject = match[1].toLowerCase();
      const verb = match[2].toLowerCase();
      if ((subject === "they") === (verb === singular)) errors.push(match[0]);
    }
  }
  return errors;
}

export interface PageRow {
  page: number;
  grade: number;
  words: number;
}

export function gradeLimit(theme: ThemeFile): number {
  return theme.min_age <= 3 ? 3 : 4.5;
}

function readThemeFile(id: string): { fileName: string; data: unknown } {
  const fileName = `themes/${id}.json`;
  const url = new URL(`../../../../../${fileName}`, import.meta.url);
  return { fileName, data: JSON.parse(Deno.readTextFileSync(url)) };
}

function printTable(theme: ThemeFile, rows: PageRow[]): void {
  const lines = rows.map((row) =>
    `  ${String(row.page).padStart(4)}  ${row.grade.toFixed(1).padStart(5)}  ${String(row.words).padStart(5)}`
  );
  console.log(
    [
      `${theme.id} (ages ${theme.min_age}–${theme.max_age}, grade ≤ ${gradeLimit(theme)})`,
      "  page  grade  words",
      ...lines,
    ]
      .join("\n"),
  );
}

/** Registers the quality-bar tests of one theme file. */
export function testTheme(id: string): void {
  const { fileName, data } = readThemeFile(id);
  const theme = loadTheme(fileName, data);

  Deno.test(`${id}: the file matches the theme schema and has a cover and ten pages`, () => {
    assert.equal(theme.id, id);
    assert.equal(theme.pages.length, 10);
    assert.equal(renderTheme(theme, REFERENCE_CHILD).pages.length, 11);
  });

  Deno.test(`${id}: every page reads cleanly for every pronoun set and sample name`, () => {
    for (const name of SAMPLE_NAMES) {
      assert.ok([...name].length <= MAX_NAME_LENGTH);
      for (const pronouns of PRONOUNS) {
        const story = renderTheme(theme, { name, age: 7, pronouns });
        for (const text of [story.title, story.dedication, ...story.pages.map((page) => page.body_text)]) {
          const where = `${id}, ${name}, ${pronouns}: "${text}"`;
          assert.ok(!/[{}]/.test(text), `no placeholder left in ${where}`);
          assert.ok(!/ {2}/.test(text) && text === text.trim(), `no double or stray space in ${where}`);
          assert.ok(
            !/\b(he|she)\s*\/\s*(he|she)\b|\bs\/he\b|\(s\)he\b|\bhe or she\b/i.test(text),
            `no "he/she" in ${where}`,
          );
          assert.deepEqual(agreementErrors(text), [], `"they" agrees with its verbs in ${where}`);
          const possessives = text.split(name).slice(1).map((after) => after.slice(0, 2));
          for (const after of possessives) {
            assert.ok(!after.startsWith("'") || after === "'s", `a whole possessive in ${where}`);
          }
          assert.ok(!/'s's|s' s\b|''/.test(text), `no broken possessive in ${where}`);
        }
        for (const page of story.pages) assert.ok(!page.scene.includes(name), "scenes never carry the name");
      }
    }
  });

  Deno.test(`${id}: each page fits the print layout and the reading grade of the age range`, () => {
    const rows = theme.pages.map((page, index) => {
      const { grade, words } = readability(personalise(page.text, REFERENCE_CHILD));
      return { page: index + 1, grade, words };
    });
    printTable(theme, rows);
    for (const row of rows) {
      assert.ok(row.words >= 25 && row.words <= 70, `page ${row.page} has ${row.words} words (25–70)`);
      assert.ok(row.grade <= gradeLimit(theme), `page ${row.page} reads at grade ${row.grade.toFixed(1)}`);
    }
  });

  Deno.test(`${id}: the title is short and fits the cover with a 40-character name`, () => {
    const withoutName = personalise(theme.title_template, { ...REFERENCE_CHILD, name: "" })
      .replace(/^'s\s*|\s*'s$/, "").replace(/\s+/g, " ").trim();
    assert.ok(withoutName.length <= MAX_TITLE_LENGTH_WITHOUT_NAME, `"${withoutName}" is too long`);
    const forty = "A".repeat(40);
    for (const name of [LONGEST_NAME, forty]) {
      const { lines, scale } = layoutCoverTitle(
        personalise(theme.title_template, { ...REFERENCE_CHILD, name }),
      );
      assert.ok(lines.length <= COVER_TITLE_MEASURE.maxLines, `${lines.length} lines`);
      for (const line of lines) assert.ok([...line].length * scale <= COVER_TITLE_MEASURE.charsPerLine, line);
    }
  });
}
