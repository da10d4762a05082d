/**
 * PROVISIONAL stand-in for the theme texts: one generic adventure whose setting is named after the theme id
 * ("enchanted_forest" → "enchanted forest"), so that previews can be created and drawn for any theme until the
 * eight written themes arrive (issue 4) through the same StoryContentSource interface.
 */
import { type Child, personalise, type StoryContent, type StoryContentSource } from "./story_content.ts";

interface PageTemplate {
  text: string;
  scene: string;
}

const TITLE = "{name} and the {Setting}";

const COVER_SCENE =
  "the child standing at the edge of a {setting}, smiling, ready for an adventure, title-page composition";

const PAGES: PageTemplate[] = [
  {
    text: "One bright morning, {name} found a glowing map tucked under {their} pillow.",
    scene: "the child in a cosy bedroom at sunrise, holding a glowing map, wide-eyed with wonder",
  },
  {
    text: "The map showed the way to the {setting}, and {name} packed a snack and a brave heart.",
    scene: "the child packing a small backpack by an open door, the {setting} visible far away",
  },
  {
    text: "At the edge of the {setting}, a small friend with a worried face waited for {them}.",
    scene: "the child meeting a small, friendly animal companion at the entrance to the {setting}",
  },
  {
    text: "“Our light has gone out,” the little friend whispered. {name} promised to help.",
    scene: "the child kneeling beside the animal companion, listening closely, soft shadows all around",
  },
  {
    text: "Together they crossed a wobbly bridge. {name} held on tight and did not look down.",
    scene: "the child and the companion crossing a wobbly rope bridge inside the {setting}",
  },
  {
    text: "A puzzle of shining stones blocked the path, and {name} solved it with a clever idea.",
    scene: "the child arranging glowing stones in a pattern on the ground, the companion cheering",
  },
  {
    text: "Deep in the {setting}, they found the light, tired and flickering like a sleepy star.",
    scene: "the child discovering a small flickering light in a hidden glade of the {setting}",
  },
  {
    text: "{name} sang {their} favourite song, and the light began to glow warm and bright.",
    scene: "the child singing to the light as it glows brighter, sparkles filling the air",
  },
  {
    text: "The whole {setting} woke up in colour, and everyone came out to say thank you.",
    scene: "the child surrounded by cheerful creatures in the {setting}, now bursting with colour",
  },
  {
    text: "That night, {name} fell asleep smiling, already dreaming of the next adventure.",
    scene: "the child asleep in bed under moonlight, the map on the nightstand, the companion curled nearby",
  },
];

function settingOf(themeId: string): string {
  return themeId.split("_").filter(Boolean).join(" ");
}

function fillSetting(template: string, setting: string): string {
  const titled = setting.replace(/\b\w/g, (letter) => letter.toUpperCase());
  return template.replaceAll("{setting}", setting).replaceAll("{Setting}", titled);
}

/** The provisional story for any theme id. */
export const provisionalStoryContent: StoryContentSource = (themeId: string, child: Child): StoryContent => {
  const setting = settingOf(themeId);
  const title = personalise(fillSetting(TITLE, setting), child);
  return {
    title,
    pages: [
      { page_number: 0, body_text: title, scene: fillSetting(COVER_SCENE, setting) },
      ...PAGES.map((page, index) => ({
        page_number: index + 1,
        body_text: personalise(fillSetting(page.text, setting), child),
        scene: fillSetting(page.scene, setting),
      })),
    ],
  };
};
