/**
 * Palettes and scene kinds for the in-house illustrator: a table for the eight launch themes, and a
 * deterministic derivation for any other theme id (so a new theme renders before anyone designs it).
 */
import { hexRgb, type Rgb } from "./scene_painter.ts";

export type SceneKind = "forest" | "castle" | "ocean" | "cosmos" | "city" | "party" | "savanna" | "dreams";

export interface ThemePalette {
  skyTop: Rgb;
  skyBottom: Rgb;
  /** The distant layer: hills, sea, skyline. */
  far: Rgb;
  /** The nearer layer, in front of the far one. */
  near: Rgb;
  groundTop: Rgb;
  groundBottom: Rgb;
  /** Frame ring, flags, the hero's border. */
  accent: Rgb;
  /** Sun, moon, stars, lit windows. */
  light: Rgb;
  /** Colours for motifs (balloons, fish, canopies, planets...). */
  motifs: Rgb[];
  night: boolean;
}

export interface StorybookTheme {
  id: string;
  scene: SceneKind;
  palette: ThemePalette;
}

function palette(
  colours: {
    skyTop: string;
    skyBottom: string;
    far: string;
    near: string;
    groundTop: string;
    groundBottom: string;
    accent: string;
    light: string;
    motifs: string[];
  },
  night: boolean,
): ThemePalette {
  return {
    skyTop: hexRgb(colours.skyTop),
    skyBottom: hexRgb(colours.skyBottom),
    far: hexRgb(colours.far),
    near: hexRgb(colours.near),
    groundTop: hexRgb(colours.groundTop),
    groundBottom: hexRgb(colours.groundBottom),
    accent: hexRgb(colours.accent),
    light: hexRgb(colours.light),
    motifs: colours.motifs.map(hexRgb),
    night,
  };
}

const KNOWN_THEMES: Record<string, StorybookTheme> = {
  enchanted_forest: {
    id: "enchanted_forest",
    scene: "forest",
    palette: palette({
      skyTop: "#9fd8c4",
      skyBottom: "#f4efc4",
      far: "#7fb77e",
      near: "#4e8f5a",
      groundTop: "#5d9c4f",
      groundBottom: "#3b6e3e",
      accent: "#f2c14e",
      light: "#fff3a0",
      motifs: ["#2f6b3f", "#3f8a4f", "#6b4a2f", "#d9534f", "#fff8e7"],
    }, false),
  },
  magic_castle: {
    id: "magic_castle",
    scene: "castle",
    palette: palette({
      skyTop: "#b9a2ee",
      skyBottom: "#fbe3f0",
      far: "#a78bda",
      near: "#8e6cc9",
      groundTop: "#9a7fd1",
      groundBottom: "#6d4fae",
      accent: "#ffd166",
      light: "#fff6d8",
      motifs: ["#f4e9ff", "#5b3f99", "#e76f8a", "#ffd166", "#ffffff"],
    }, false),
  },
  ocean_explorer: {
    id: "ocean_explorer",
    scene: "ocean",
    palette: palette({
      skyTop: "#7ccaf7",
      skyBottom: "#e6f7ff",
      far: "#2a8cc4",
      near: "#16639a",
      groundTop: "#f2d8a7",
      groundBottom: "#d9b77c",
      accent: "#ff8c42",
      light: "#fff1b8",
      motifs: ["#ff8c42", "#ffd23f", "#ee4266", "#3bceac", "#ffffff"],
    }, false),
  },
  cosmic_dreamer: {
    id: "cosmic_dreamer",
    scene: "cosmos",
    palette: palette({
      skyTop: "#0b1030",
      skyBottom: "#2b2160",
      far: "#3a3458",
      near: "#2a2547",
      groundTop: "#4a4370",
      groundBottom: "#2a2547",
      accent: "#7ee8fa",
      light: "#fffbe6",
      motifs: ["#ff9f68", "#7bd389", "#b39dff", "#f25f5c", "#7ee8fa"],
    }, true),
  },
  mighty_guardian: {
    id: "mighty_guardian",
    scene: "city",
    palette: palette({
      skyTop: "#ff9f5a",
      skyBottom: "#ffe3b3",
      far: "#5a5f80",
      near: "#3d405b",
      groundTop: "#4a4d6a",
      groundBottom: "#2e3047",
      accent: "#e63946",
      light: "#ffe066",
      motifs: ["#e63946", "#f1c40f", "#457b9d", "#f1faee", "#1d3557"],
    }, false),
  },
  birthday_magic: {
    id: "birthday_magic",
    scene: "party",
    palette: palette({
      skyTop: "#ffc8e0",
      skyBottom: "#fff4d6",
      far: "#ffb5c8",
      near: "#f78fb3",
      groundTop: "#f7a1c4",
      groundBottom: "#e0709e",
      accent: "#6a4c93",
      light: "#fffbe0",
      motifs: ["#ff595e", "#ffca3a", "#8ac926", "#1982c4", "#6a4c93"],
    }, false),
  },
  safari_adventure: {
    id: "safari_adventure",
    scene: "savanna",
    palette: palette({
      skyTop: "#ffb95e",
      skyBottom: "#ffefc2",
      far: "#d9a45b",
      near: "#b7813c",
      groundTop: "#c99446",
      groundBottom: "#9c6a2c",
      accent: "#2a9d8f",
      light: "#ff7b39",
      motifs: ["#4f5d2f", "#3d2b1f", "#e9c46a", "#6b8f3c", "#2a9d8f"],
    }, false),
  },
  dream_weaver: {
    id: "dream_weaver",
    scene: "dreams",
    palette: palette({
      skyTop: "#2c2a6b",
      skyBottom: "#9d8bd0",
      far: "#5b4e9e",
      near: "#463c85",
      groundTop: "#54499a",
      groundBottom: "#332b6b",
      accent: "#ffb7d5",
      light: "#fff6d5",
      motifs: ["#e9e4ff", "#ffb7d5", "#a0e7e5", "#fbe7c6", "#b4f8c8"],
    }, true),
  },
};

const SCENE_KINDS: SceneKind[] = [
  "forest",
  "castle",
  "ocean",
  "cosmos",
  "city",
  "party",
  "savanna",
  "dreams",
];

/** FNV-1a, 32 bit: a stable hash of a string, for seeding. */
export function hashString(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}

function hsl(hue: number, saturation: number, lightness: number): Rgb {
  const h = ((hue % 360) + 360) % 360 / 60;
  const chroma = (1 - Math.abs(2 * lightness - 1)) * saturation;
  const x = chroma * (1 - Math.abs((h % 2) - 1));
  const m = lightness - chroma / 2;
  const [r, g, b] = h < 1
    ? [chroma, x, 0]
    : h < 2
    ? [x, chroma, 0]
    : h < 3
    ? [0, chroma, x]
    : h < 4
    ? [0, x, chroma]
    : h < 5
    ? [x, 0, chroma]
    : [chroma, 0, x];
  return [Math.round((r + m) * 255), Math.round((g + m) * 255), Math.round((b + m) * 255)];
}

/** A harmonious palette from a hue; night scenes get a dark sky. */
function derivedPalette(hue: number, night: boolean): ThemePalette {
  return {
    skyTop: night ? hsl(hue + 200, 0.5, 0.14) : hsl(hue + 180, 0.55, 0.78),
    skyBottom: night ? hsl(hue + 230, 0.45, 0.32) : hsl(hue + 40, 0.7, 0.92),
    far: hsl(hue, 0.35, night ? 0.3 : 0.62),
    near: hsl(hue, 0.4, night ? 0.22 : 0.48),
    groundTop: hsl(hue + 10, 0.4, night ? 0.26 : 0.5),
    groundBottom: hsl(hue + 10, 0.45, night ? 0.16 : 0.36),
    accent: hsl(hue + 150, 0.75, 0.6),
    light: hsl(50, 1, 0.88),
    motifs: [0, 72, 144, 216, 288].map((offset) => hsl(hue + offset, 0.65, 0.58)),
    night,
  };
}

export function storybookTheme(themeId: string): StorybookTheme {
  const known = KNOWN_THEMES[themeId];
  if (known) return known;
  const hash = hashString(themeId);
  const scene = SCENE_KINDS[hash % SCENE_KINDS.length];
  const night = scene === "cosmos" || scene === "dreams";
  return { id: themeId, scene, palette: derivedPalette((hash >>> 8) % 360, night) };
}

export const KNOWN_THEME_IDS = Object.keys(KNOWN_THEMES);
