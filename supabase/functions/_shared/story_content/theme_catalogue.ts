/**
 * The eight themes of `themes/`, imported statically so that every edge function that uses them bundles them,
 * and the StoryContentSource the previews and page-worker functions use.
 */
import birthdayMagic from "../../../../themes/birthday_magic.json" with { type: "json" };
import cosmicDreamer from "../../../../themes/cosmic_dreamer.json" with { type: "json" };
import dreamWeaver from "../../../../themes/dream_weaver.json" with { type: "json" };
import enchantedForest from "../../../../themes/enchanted_forest.json" with { type: "json" };
import magicCastle from "../../../../themes/magic_castle.json" with { type: "json" };
import mightyGuardian from "../../../../themes/mighty_guardian.json" with { type: "json" };
import oceanExplorer from "../../../../themes/ocean_explorer.json" with { type: "json" };
import safariAdventure from "../../../../themes/safari_adventure.json" with { type: "json" };
import {
  type Child,
  personalise,
  printedDedication,
  type StoryContent,
  type StoryContentSource,
} from "./story_content.ts";
import { loadTheme, type Scene, type ThemeFile } from "./theme_schema.ts";

const THEME_FILES: Record<string, unknown> = {
  "themes/enchanted_forest.json": enchantedForest,
  "themes/magic_castle.json": magicCastle,
  "themes/ocean_explorer.json": oceanExplorer,
  "themes/cosmic_dreamer.json": cosmicDreamer,
  "themes/mighty_guardian.json": mightyGuardian,
  "themes/birthday_magic.json": birthdayMagic,
  "themes/safari_adventure.json": safariAdventure,
  "themes/dream_weaver.json": dreamWeaver,
};

/** Every theme, by id; loading fails at import (naming the file and field) when a theme file is broken. */
export const THEMES: ReadonlyMap<string, ThemeFile> = new Map(
  Object.entries(THEME_FILES).map(([fileName, data]) => {
    const theme = loadTheme(fileName, data);
    return [theme.id, theme];
  }),
);

/** One scene as the illustrator reads it: the setting, the action, the outfit, the framing. */
export function describeScene(scene: Scene, outfit: string): string {
  return `${scene.setting}: ${scene.action}, the child wearing ${outfit}. ${scene.composition}; ${scene.child_position}`;
}

export function renderTheme(theme: ThemeFile, child: Child): StoryContent {
  const title = personalise(theme.title_template, child);
  return {
    title,
    dedication: printedDedication(child.dedication) ?? personalise(theme.default_dedication, child),
    pages: [
      { page_number: 0, body_text: title, scene: describeScene(theme.cover.scene, theme.outfit) },
      ...theme.pages.map((page, index) => ({
        page_number: index + 1,
        body_text: personalise(page.text, child),
        scene: describeScene(page.scene, theme.outfit),
      })),
    ],
  };
}

export const themeStoryContent: StoryContentSource = (themeId: string, child: Child) => {
  const theme = THEMES.get(themeId);
  return theme ? renderTheme(theme, child) : null;
};
