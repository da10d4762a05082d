/**
 * The illustrator's scenes: one painter per scene kind (forest, castle, ocean, ...) and the motifs they use.
 * Every position is a fraction of the canvas, so preview and print sizes show the same picture, and every
 * choice comes from the scene's seeded random stream, so the same request paints the same pixels.
 */
import { mixRgb, type Rgb, type ScenePainter } from "./scene_painter.ts";
import type { SceneKind, ThemePalette } from "./storybook_themes.ts";

export const WHITE: Rgb = [255, 255, 255];
export const SHADOW: Rgb = [20, 16, 40];

/** Where the hero and the horizon go on a page; a function of the request alone. */
export interface StorybookLayout {
  cover: boolean;
  /** Centre and radius, in pixels, of the photo disc (the frame around it is 10% wider). */
  hero: { x: number; y: number; radius: number };
  horizonY: number;
  groundY: number;
  /** Sky motifs stay below this fraction of the height (the cover's title band). */
  skyTop: number;
}

export type Random = () => number;

/** mulberry32: tiny, fast, and the same sequence on every platform. */
export function seededRandom(seed: number): Random {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface Scene extends StorybookLayout {
  painter: ScenePainter;
  /** Canvas side in pixels. */
  size: number;
  random: Random;
  palette: ThemePalette;
  glossy: boolean;
}

export function between(random: Random, low: number, high: number): number {
  return low + (high - low) * random();
}

function pick<T>(random: Random, items: readonly T[]): T {
  return items[Math.floor(random() * items.length) % items.length];
}

/** Whether a motif of `radius` at (x, y) would cover the hero. */
function overlapsHero(scene: Scene, x: number, y: number, radius: number): boolean {
  const { hero } = scene;
  return Math.hypot(x - hero.x, y - hero.y) < hero.radius * 1.2 + radius;
}

/** A few tries at a random spot that leaves the hero visible; null when none is found. */
function freeSpot(
  scene: Scene,
  xRange: [number, number],
  yRange: [number, number],
  radius: number,
): { x: number; y: number } | null {
  for (let attempt = 0; attempt < 8; attempt++) {
    const x = between(scene.random, xRange[0], xRange[1]) * scene.size;
    const y = between(scene.random, yRange[0], yRange[1]) * scene.size;
    if (!overlapsHero(scene, x, y, radius)) return { x, y };
  }
  return null;
}

function skyColourAt(scene: Scene, y: number): Rgb {
  return mixRgb(scene.palette.skyTop, scene.palette.skyBottom, Math.min(1, Math.max(0, y / scene.horizonY)));
}

/** A rolling skyline around `baseY` (fraction), `amplitude` (fraction) high, for silhouettes. */
function rollingTops(scene: Scene, baseY: number, amplitude: number, waves: number): Float32Array {
  const tops = new Float32Array(scene.size);
  const phaseA = scene.random() * Math.PI * 2, phaseB = scene.random() * Math.PI * 2;
  const wavesB = waves * 2.3 + 0.7;
  for (let x = 0; x < scene.size; x++) {
    const t = x / scene.size;
    const wave = 0.65 * Math.sin(t * Math.PI * 2 * waves + phaseA) +
      0.35 * Math.sin(t * Math.PI * 2 * wavesB + phaseB);
    tops[x] = (baseY - amplitude * (0.5 + 0.5 * wave)) * scene.size;
  }
  return tops;
}

function sky(scene: Scene): void {
  scene.painter.verticalGradient(scene.palette.skyTop, scene.palette.skyBottom, 0, scene.horizonY);
  scene.painter.verticalGradient(
    scene.palette.skyBottom,
    scene.palette.skyBottom,
    scene.horizonY,
    scene.size,
  );
}

function ground(scene: Scene): void {
  const { palette } = scene;
  scene.painter.silhouette(
    rollingTops(scene, scene.groundY / scene.size, 0.015, 1.2),
    palette.groundTop,
    palette.groundBottom,
  );
}

function hills(scene: Scene, baseY: number, amplitude: number, colour: Rgb, waves: number): void {
  scene.painter.silhouette(rollingTops(scene, baseY, amplitude, waves), colour, mixRgb(colour, SHADOW, 0.15));
}

function sun(scene: Scene, x: number, y: number, radius: number): void {
  const s = scene.size;
  scene.painter.glow(x * s, y * s, (radius + 0.1) * s, scene.palette.light, 0.55, radius * s - 1);
  scene.painter.disc(x * s, y * s, radius * s, scene.palette.light);
}

function moon(scene: Scene, x: number, y: number, radius: number): void {
  const s = scene.size;
  scene.painter.glow(x * s, y * s, radius * s * 3, scene.palette.light, 0.35);
  scene.painter.disc(x * s, y * s, radius * s, scene.palette.light);
  scene.painter.disc(
    (x + radius * 0.45) * s,
    (y - radius * 0.2) * s,
    radius * s * 0.88,
    skyColourAt(scene, y * s),
  );
}

function stars(scene: Scene, count: number, bottom: number): void {
  const s = scene.size;
  for (let i = 0; i < count; i++) {
    const x = scene.random() * s, y = between(scene.random, scene.skyTop, bottom) * s;
    const radius = between(scene.random, 0.0015, 0.004) * s;
    if (overlapsHero(scene, x, y, radius)) continue;
    if (scene.random() < 0.2) sparkle(scene, x, y, radius * 3.5, scene.palette.light);
    else scene.painter.disc(x, y, radius, scene.palette.light, between(scene.random, 0.6, 1));
  }
}

/** A four-pointed twinkle: two thin crossed diamonds and a soft glow. */
export function sparkle(scene: Scene, x: number, y: number, radius: number, colour: Rgb): void {
  const thin = radius * 0.22;
  scene.painter.glow(x, y, radius * 1.6, colour, 0.35);
  scene.painter.polygon([x, y - radius, x + thin, y, x, y + radius, x - thin, y], colour);
  scene.painter.polygon([x - radius, y, x, y - thin, x + radius, y, x, y + thin], colour);
}

function cloud(scene: Scene, x: number, y: number, width: number, colour: Rgb, alpha: number): void {
  const s = scene.size;
  const w = width * s;
  const puffs = 4 + Math.floor(scene.random() * 3);
  for (let i = 0; i < puffs; i++) {
    const t = i / (puffs - 1);
    const radius = w * (0.16 + 0.12 * Math.sin(t * Math.PI)) * between(scene.random, 0.85, 1.15);
    scene.painter.disc(x * s - w / 2 + t * w, y * s - radius * 0.35, radius, colour, alpha);
  }
  scene.painter.ellipse(x * s, y * s, w * 0.62, w * 0.12, colour, alpha);
}

function clouds(scene: Scene, count: number, colour: Rgb, alpha: number): void {
  for (let i = 0; i < count; i++) {
    const width = between(scene.random, 0.14, 0.24);
    const spot = freeSpot(
      scene,
      [0.05, 0.95],
      [scene.skyTop + 0.04, scene.horizonY / scene.size - 0.18],
      width * scene.size * 0.4,
    );
    if (spot) cloud(scene, spot.x / scene.size, spot.y / scene.size, width, colour, alpha);
  }
}

function roundTree(scene: Scene, x: number, baseY: number, height: number, canopy: Rgb, trunk: Rgb): void {
  const p = scene.painter;
  const crown = height * 0.34;
  p.rect(x - height * 0.045, baseY - height * 0.55, x + height * 0.045, baseY, trunk);
  p.disc(x - crown * 0.55, baseY - height * 0.58, crown * 0.75, mixRgb(canopy, SHADOW, 0.12));
  p.disc(x + crown * 0.55, baseY - height * 0.6, crown * 0.8, canopy);
  p.disc(x, baseY - height + crown, crown, canopy);
  if (scene.glossy) p.glow(x - crown * 0.3, baseY - height + crown * 0.7, crown * 0.7, WHITE, 0.2);
}

function pine(scene: Scene, x: number, baseY: number, height: number, colour: Rgb): void {
  const p = scene.painter;
  const w = height * 0.42;
  for (let tier = 0; tier < 3; tier++) {
    const top = baseY - height + tier * height * 0.22;
    const bottom = top + height * 0.45;
    const half = w * (0.55 + tier * 0.22) / 1.2;
    p.polygon([x, top, x + half, bottom, x - half, bottom], colour);
  }
}

function mushroom(scene: Scene, x: number, baseY: number, size: number): void {
  const p = scene.painter;
  const [red, cream] = [scene.palette.motifs[3], scene.palette.motifs[4]];
  p.rect(x - size * 0.16, baseY - size * 0.7, x + size * 0.16, baseY, cream);
  p.polygon([
    x - size * 0.6,
    baseY - size * 0.62,
    x + size * 0.6,
    baseY - size * 0.62,
    x + size * 0.35,
    baseY - size * 1.05,
    x - size * 0.35,
    baseY - size * 1.05,
  ], red);
  p.ellipse(x, baseY - size * 0.95, size * 0.42, size * 0.25, red);
  p.disc(x - size * 0.25, baseY - size * 0.85, size * 0.09, cream);
  p.disc(x + size * 0.2, baseY - size * 0.95, size * 0.07, cream);
}

function forest(scene: Scene): void {
  const { palette, size: s, random } = scene;
  sky(scene);
  sun(scene, between(random, 0.12, 0.88), scene.skyTop + between(random, 0.06, 0.12), 0.045);
  clouds(scene, 2, WHITE, 0.85);
  const horizon = scene.horizonY / s;
  hills(scene, horizon, 0.08, palette.far, 1.3);
  const distant = mixRgb(palette.far, palette.near, 0.5);
  for (let i = 0; i < 9; i++) {
    pine(
      scene,
      between(random, 0, 1) * s,
      (horizon - between(random, 0.0, 0.05)) * s,
      between(random, 0.08, 0.13) * s,
      distant,
    );
  }
  hills(scene, horizon + 0.06, 0.05, palette.near, 0.8);
  ground(scene);
  const trees = 3 + Math.floor(random() * 3);
  for (let i = 0; i < trees; i++) {
    const height = between(random, 0.3, 0.42);
    const spot = freeSpot(scene, [0.04, 0.96], [height * 0.7, height * 0.7], height * s * 0.3);
    if (!spot) continue;
    roundTree(
      scene,
      spot.x,
      scene.groundY + 0.01 * s,
      height * s,
      pick(random, palette.motifs.slice(0, 2)),
      palette.motifs[2],
    );
  }
  for (let i = 0; i < 3; i++) {
    mushroom(
      scene,
      between(random, 0.05, 0.95) * s,
      scene.groundY + between(random, 0.01, 0.04) * s,
      between(random, 0.03, 0.05) * s,
    );
  }
  for (let i = 0; i < 9; i++) {
    const spot = freeSpot(scene, [0.03, 0.97], [horizon - 0.15, horizon + 0.1], 0.01 * s);
    if (spot) {
      scene.painter.glow(spot.x, spot.y, 0.02 * s, palette.light, 0.7);
      scene.painter.disc(spot.x, spot.y, 0.004 * s, palette.light);
    }
  }
}

function castleBuilding(scene: Scene, x: number, baseY: number, width: number): void {
  const p = scene.painter;
  const [wall, roof, roofAlt, flag] = scene.palette.motifs;
  const wallShade = mixRgb(wall, SHADOW, 0.12);
  const keepTop = baseY - width * 0.75;
  p.rect(x - width * 0.32, keepTop, x + width * 0.32, baseY, wall);
  for (let i = 0; i < 5; i++) {
    const left = x - width * 0.32 + i * width * 0.14;
    p.rect(left, keepTop - width * 0.06, left + width * 0.07, keepTop + 1, wall);
  }
  for (const side of [-1, 1]) {
    const towerX = x + side * width * 0.42;
    const towerTop = baseY - width * 1.02;
    p.rect(towerX - width * 0.1, towerTop, towerX + width * 0.1, baseY, wallShade);
    p.polygon([
      towerX - width * 0.14,
      towerTop,
      towerX + width * 0.14,
      towerTop,
      towerX,
      towerTop - width * 0.3,
    ], side < 0 ? roof : roofAlt);
    p.ellipse(towerX, towerTop + width * 0.2, width * 0.03, width * 0.05, roof);
  }
  const spireTop = keepTop - width * 0.55;
  p.rect(x - width * 0.12, keepTop - width * 0.2, x + width * 0.12, keepTop, wall);
  p.polygon(
    [x - width * 0.16, keepTop - width * 0.2, x + width * 0.16, keepTop - width * 0.2, x, spireTop],
    roof,
  );
  p.segment(x, spireTop, x, spireTop - width * 0.14, width * 0.012, SHADOW);
  p.polygon([
    x,
    spireTop - width * 0.14,
    x + width * 0.12,
    spireTop - width * 0.1,
    x,
    spireTop - width * 0.06,
  ], flag);
  p.ellipse(x, baseY - width * 0.16, width * 0.09, width * 0.16, roof);
  p.rect(x - width * 0.09, baseY - width * 0.16, x + width * 0.09, baseY, roof);
  for (const side of [-1, 1]) {
    p.ellipse(
      x + side * width * 0.17,
      keepTop + width * 0.22,
      width * 0.035,
      width * 0.06,
      scene.palette.light,
    );
  }
}

function castle(scene: Scene): void {
  const { palette, size: s, random } = scene;
  sky(scene);
  clouds(scene, 3, WHITE, 0.9);
  for (let i = 0; i < 7; i++) {
    const spot = freeSpot(scene, [0.04, 0.96], [scene.skyTop + 0.02, 0.4], 0.02 * s);
    if (spot) sparkle(scene, spot.x, spot.y, between(random, 0.008, 0.016) * s, palette.light);
  }
  const horizon = scene.horizonY / s;
  hills(scene, horizon, 0.07, palette.far, 1);
  const castleX = scene.cover
    ? 0.5
    : scene.hero.x / s < 0.5
    ? between(random, 0.7, 0.8)
    : between(random, 0.2, 0.3);
  castleBuilding(scene, castleX * s, (horizon + 0.03) * s, (scene.cover ? 0.36 : 0.3) * s);
  hills(scene, horizon + 0.07, 0.04, palette.near, 0.7);
  ground(scene);
}

function fish(scene: Scene, x: number, y: number, length: number, colour: Rgb, facing: number): void {
  const p = scene.painter;
  p.polygon([
    x - facing * length * 0.35,
    y,
    x - facing * length * 0.65,
    y - length * 0.22,
    x - facing * length * 0.65,
    y + length * 0.22,
  ], colour);
  p.ellipse(x, y, length * 0.42, length * 0.22, colour);
  p.disc(x + facing * length * 0.22, y - length * 0.05, length * 0.045, SHADOW);
  if (scene.glossy) p.glow(x, y - length * 0.08, length * 0.25, WHITE, 0.35);
}

function sailboat(scene: Scene, x: number, waterY: number, size: number): void {
  const p = scene.painter;
  const [hull, sail] = [scene.palette.motifs[2], WHITE];
  p.polygon([
    x - size * 0.5,
    waterY - size * 0.12,
    x + size * 0.5,
    waterY - size * 0.12,
    x + size * 0.35,
    waterY + size * 0.05,
    x - size * 0.35,
    waterY + size * 0.05,
  ], hull);
  p.segment(x, waterY - size * 0.12, x, waterY - size * 0.95, size * 0.03, SHADOW);
  p.polygon([
    x + size * 0.03,
    waterY - size * 0.9,
    x + size * 0.42,
    waterY - size * 0.2,
    x + size * 0.03,
    waterY - size * 0.2,
  ], sail);
  p.polygon(
    [
      x - size * 0.03,
      waterY - size * 0.75,
      x - size * 0.32,
      waterY - size * 0.2,
      x - size * 0.03,
      waterY - size * 0.2,
    ],
    sail,
    0.9,
  );
}

function ocean(scene: Scene): void {
  const { palette, size: s, random } = scene;
  sky(scene);
  sun(scene, between(random, 0.1, 0.9), scene.skyTop + between(random, 0.05, 0.1), 0.05);
  clouds(scene, 2, WHITE, 0.9);
  for (let i = 0; i < 3; i++) {
    const spot = freeSpot(scene, [0.05, 0.95], [scene.skyTop + 0.05, 0.35], 0.03 * s);
    if (!spot) continue;
    const wing = between(random, 0.012, 0.02) * s;
    scene.painter.polyline(
      [spot.x - wing, spot.y - wing * 0.4, spot.x, spot.y, spot.x + wing, spot.y - wing * 0.4],
      wing * 0.18,
      SHADOW,
      0.7,
    );
  }
  const horizon = scene.horizonY / s;
  scene.painter.verticalGradient(palette.far, palette.near, horizon * s, s);
  const boatX = scene.hero.x / s < 0.5 ? between(random, 0.68, 0.9) : between(random, 0.1, 0.32);
  sailboat(scene, boatX * s, horizon * s + 0.01 * s, between(random, 0.09, 0.12) * s);
  for (let band = 0; band < 3; band++) {
    const baseY = horizon + 0.05 + band * 0.06;
    const colour = mixRgb(palette.far, palette.near, 0.3 + band * 0.3);
    const tops = rollingTops(scene, baseY, 0.02, 5 + band * 2);
    scene.painter.silhouette(tops, colour, palette.near);
    const foam: number[] = [];
    for (let x = 0; x <= s; x += s / 48) foam.push(x, tops[Math.min(s - 1, Math.floor(x))] + 0.002 * s);
    scene.painter.polyline(foam, 0.004 * s, WHITE, 0.55);
  }
  for (let i = 0; i < 4; i++) {
    const spot = freeSpot(scene, [0.08, 0.92], [horizon + 0.1, scene.groundY / s - 0.03], 0.04 * s);
    if (spot) {
      fish(
        scene,
        spot.x,
        spot.y,
        between(random, 0.05, 0.08) * s,
        pick(random, palette.motifs.slice(0, 4)),
        random() < 0.5 ? -1 : 1,
      );
    }
  }
  for (let i = 0; i < 10; i++) {
    const spot = freeSpot(scene, [0.03, 0.97], [horizon + 0.06, scene.groundY / s], 0.01 * s);
    if (spot) scene.painter.ring(spot.x, spot.y, between(random, 0.004, 0.01) * s, 0.0025 * s, WHITE, 0.7);
  }
  ground(scene);
}

function planet(scene: Scene, x: number, y: number, radius: number, colour: Rgb, ringed: boolean): void {
  const p = scene.painter;
  p.glow(x, y, radius * 1.8, colour, 0.25);
  p.disc(x, y, radius, colour);
  p.disc(x + radius * 0.25, y + radius * 0.2, radius * 0.78, mixRgb(colour, SHADOW, 0.18), 0.6);
  if (scene.glossy) p.glow(x - radius * 0.35, y - radius * 0.35, radius * 0.5, WHITE, 0.45);
  if (ringed) {
    const ring: number[] = [];
    for (let i = 0; i <= 48; i++) {
      const angle = (i / 48) * Math.PI * 2;
      ring.push(
        x + Math.cos(angle) * radius * 1.7,
        y + Math.sin(angle) * radius * 0.38 - Math.cos(angle) * radius * 0.12,
      );
    }
    p.polyline(ring, radius * 0.09, mixRgb(colour, WHITE, 0.45), 0.9);
  }
}

function cosmos(scene: Scene): void {
  const { palette, size: s, random } = scene;
  sky(scene);
  stars(scene, 90, scene.horizonY / s);
  const planets = 2 + Math.floor(random() * 2);
  for (let i = 0; i < planets; i++) {
    const radius = between(random, 0.04, 0.08) * s;
    const spot = freeSpot(scene, [0.1, 0.9], [scene.skyTop + 0.08, scene.horizonY / s - 0.15], radius);
    if (spot) planet(scene, spot.x, spot.y, radius, pick(random, palette.motifs), i === 0);
  }
  const cometY = between(random, scene.skyTop + 0.03, 0.3) * s, cometX = between(random, 0.15, 0.85) * s;
  scene.painter.segment(cometX - 0.12 * s, cometY - 0.05 * s, cometX, cometY, 0.006 * s, palette.light, 0.45);
  scene.painter.glow(cometX, cometY, 0.03 * s, palette.light, 0.8);
  ground(scene);
  for (let i = 0; i < 6; i++) {
    const x = between(random, 0.05, 0.95) * s, y = between(random, scene.groundY / s + 0.03, 0.97) * s;
    if (scene.cover || y < 0.8 * s) {
      scene.painter.ellipse(x, y, 0.04 * s, 0.012 * s, mixRgb(palette.groundBottom, SHADOW, 0.3), 0.7);
    }
  }
}

function building(
  scene: Scene,
  left: number,
  baseY: number,
  width: number,
  height: number,
  colour: Rgb,
): void {
  const p = scene.painter;
  p.rect(left, baseY - height, left + width, baseY, colour);
  const window = width * 0.14;
  for (let row = baseY - height + window; row < baseY - window * 2; row += window * 2) {
    for (let column = left + window; column < left + width - window * 1.5; column += window * 2) {
      if (scene.random() < 0.45) {
        p.rect(column, row, column + window, row + window * 1.2, scene.palette.light, 0.9);
      }
    }
  }
}

function shield(scene: Scene, x: number, y: number, size: number): void {
  const p = scene.painter;
  const [red, gold] = scene.palette.motifs;
  p.glow(x, y, size * 1.6, gold, 0.4);
  p.polygon([
    x - size * 0.5,
    y - size * 0.55,
    x + size * 0.5,
    y - size * 0.55,
    x + size * 0.5,
    y + size * 0.05,
    x,
    y + size * 0.6,
    x - size * 0.5,
    y + size * 0.05,
  ], gold);
  p.polygon([
    x - size * 0.4,
    y - size * 0.45,
    x + size * 0.4,
    y - size * 0.45,
    x + size * 0.4,
    y + size * 0.02,
    x,
    y + size * 0.47,
    x - size * 0.4,
    y + size * 0.02,
  ], red);
  sparkle(scene, x, y - size * 0.05, size * 0.3, gold);
}

function city(scene: Scene): void {
  const { palette, size: s, random } = scene;
  sky(scene);
  const horizon = scene.horizonY / s;
  sun(scene, between(random, 0.2, 0.8), horizon - 0.08, 0.08);
  clouds(scene, 2, mixRgb(WHITE, palette.skyTop, 0.25), 0.8);
  const emblem = freeSpot(scene, [0.15, 0.85], [scene.skyTop + 0.08, 0.3], 0.07 * s);
  if (emblem) shield(scene, emblem.x, emblem.y, 0.09 * s);
  for (
    const [colour, minHeight, maxHeight, baseOffset] of [[palette.far, 0.12, 0.22, 0], [
      palette.near,
      0.16,
      0.3,
      0.04,
    ]] as const
  ) {
    let x = -between(random, 0, 0.05) * s;
    while (x < s) {
      const width = between(random, 0.07, 0.13) * s;
      building(
        scene,
        x,
        (horizon + 0.06 + baseOffset) * s,
        width,
        between(random, minHeight, maxHeight) * s,
        colour,
      );
      x += width + between(random, 0, 0.015) * s;
    }
  }
  ground(scene);
}

function balloon(scene: Scene, x: number, y: number, radius: number, colour: Rgb): void {
  const p = scene.painter;
  const string: number[] = [];
  for (let i = 0; i <= 8; i++) {
    string.push(x + Math.sin(i * 0.9) * radius * 0.12, y + radius * 1.15 + i * radius * 0.28);
  }
  p.polyline(string, Math.max(1, radius * 0.035), SHADOW, 0.6);
  p.polygon([
    x,
    y + radius * 1.05,
    x - radius * 0.14,
    y + radius * 1.22,
    x + radius * 0.14,
    y + radius * 1.22,
  ], colour);
  p.ellipse(x, y, radius * 0.86, radius * 1.08, colour);
  p.ellipse(
    x - radius * 0.3,
    y - radius * 0.4,
    radius * 0.16,
    radius * 0.26,
    WHITE,
    scene.glossy ? 0.7 : 0.4,
  );
}

function party(scene: Scene): void {
  const { palette, size: s, random } = scene;
  sky(scene);
  const ropeY = (scene.skyTop + 0.03) * s;
  const rope: number[] = [];
  for (let i = 0; i <= 24; i++) rope.push((i / 24) * s, ropeY + Math.sin((i / 24) * Math.PI) * 0.05 * s);
  scene.painter.polyline(rope, 0.003 * s, SHADOW, 0.5);
  for (let i = 0; i < 12; i++) {
    const x = ((i + 0.5) / 12) * s, y = ropeY + Math.sin(((i + 0.5) / 12) * Math.PI) * 0.05 * s;
    scene.painter.polygon(
      [x - 0.03 * s, y, x + 0.03 * s, y, x, y + 0.06 * s],
      palette.motifs[i % palette.motifs.length],
    );
  }
  const horizon = scene.horizonY / s;
  hills(scene, horizon, 0.06, palette.far, 1.1);
  hills(scene, horizon + 0.06, 0.04, palette.near, 0.8);
  const balloons = 5 + Math.floor(random() * 4);
  for (let i = 0; i < balloons; i++) {
    const radius = between(random, 0.035, 0.055) * s;
    const spot = freeSpot(scene, [0.06, 0.94], [scene.skyTop + 0.16, horizon - 0.05], radius * 1.5);
    if (spot) balloon(scene, spot.x, spot.y, radius, pick(random, palette.motifs));
  }
  ground(scene);
  for (let i = 0; i < 2; i++) {
    const size = between(random, 0.06, 0.09) * s;
    const spot = freeSpot(scene, [0.08, 0.92], [scene.groundY / s + 0.01, scene.groundY / s + 0.03], size);
    if (!spot) continue;
    const [box, ribbon] = [pick(random, palette.motifs), WHITE];
    scene.painter.rect(spot.x - size / 2, spot.y - size, spot.x + size / 2, spot.y, box);
    scene.painter.rect(spot.x - size * 0.08, spot.y - size, spot.x + size * 0.08, spot.y, ribbon, 0.9);
    scene.painter.rect(
      spot.x - size / 2,
      spot.y - size * 0.6,
      spot.x + size / 2,
      spot.y - size * 0.45,
      ribbon,
      0.9,
    );
  }
  for (let i = 0; i < 60; i++) {
    const x = random() * s, y = between(random, scene.skyTop + 0.08, scene.groundY / s) * s;
    const size = between(random, 0.004, 0.009) * s, angle = random() * Math.PI;
    if (overlapsHero(scene, x, y, size)) continue;
    const dx = Math.cos(angle) * size, dy = Math.sin(angle) * size;
    scene.painter.polygon([
      x - dx - dy * 0.5,
      y - dy + dx * 0.5,
      x + dx - dy * 0.5,
      y + dy + dx * 0.5,
      x + dx + dy * 0.5,
      y + dy - dx * 0.5,
      x - dx + dy * 0.5,
      y - dy - dx * 0.5,
    ], pick(random, palette.motifs));
  }
}

function acacia(scene: Scene, x: number, baseY: number, height: number): void {
  const p = scene.painter;
  const [leaves, bark] = scene.palette.motifs;
  const fork = baseY - height * 0.55;
  p.segment(x, baseY, x, fork, height * 0.05, bark);
  p.segment(x, fork, x - height * 0.28, baseY - height * 0.85, height * 0.035, bark);
  p.segment(x, fork, x + height * 0.3, baseY - height * 0.88, height * 0.035, bark);
  p.ellipse(x - height * 0.22, baseY - height * 0.9, height * 0.34, height * 0.08, leaves);
  p.ellipse(x + height * 0.26, baseY - height * 0.93, height * 0.36, height * 0.08, leaves);
  p.ellipse(x, baseY - height * 0.98, height * 0.3, height * 0.07, leaves);
}

function savanna(scene: Scene): void {
  const { palette, size: s, random } = scene;
  sky(scene);
  const horizon = scene.horizonY / s;
  sun(scene, between(random, 0.25, 0.75), horizon - 0.1, 0.11);
  for (let i = 0; i < 3; i++) {
    const peakX = between(random, 0, 1) * s,
      width = between(random, 0.25, 0.4) * s,
      height = between(random, 0.1, 0.16) * s;
    scene.painter.polygon([
      peakX - width / 2,
      horizon * s + 2,
      peakX + width / 2,
      horizon * s + 2,
      peakX,
      horizon * s - height,
    ], mixRgb(palette.far, palette.skyBottom, 0.35));
  }
  hills(scene, horizon + 0.02, 0.02, palette.far, 0.6);
  const trees = 2 + Math.floor(random() * 2);
  for (let i = 0; i < trees; i++) {
    const height = between(random, 0.2, 0.3) * s;
    const spot = freeSpot(scene, [0.08, 0.92], [horizon + 0.03, horizon + 0.05], height * 0.35);
    if (spot) acacia(scene, spot.x, spot.y, height);
  }
  hills(scene, horizon + 0.07, 0.025, palette.near, 0.9);
  for (let i = 0; i < 4; i++) {
    const spot = freeSpot(scene, [0.05, 0.95], [scene.skyTop + 0.04, horizon - 0.2], 0.03 * s);
    if (!spot) continue;
    const wing = between(random, 0.012, 0.02) * s;
    scene.painter.polyline(
      [spot.x - wing, spot.y - wing * 0.4, spot.x, spot.y, spot.x + wing, spot.y - wing * 0.4],
      wing * 0.18,
      palette.motifs[1],
      0.8,
    );
  }
  ground(scene);
  for (let i = 0; i < 24; i++) {
    const x = random() * s,
      y = (scene.groundY / s + between(random, 0.0, 0.05)) * s,
      h = between(random, 0.015, 0.03) * s;
    for (const lean of [-0.4, 0, 0.4]) {
      scene.painter.segment(x, y, x + lean * h, y - h, 0.003 * s, palette.motifs[3], 0.9);
    }
  }
}

function dreams(scene: Scene): void {
  const { palette, size: s, random } = scene;
  sky(scene);
  stars(scene, 55, scene.horizonY / s - 0.05);
  moon(scene, between(random, 0.15, 0.85), scene.skyTop + between(random, 0.06, 0.12), 0.05);
  const horizon = scene.horizonY / s;
  const rainbowX = between(random, 0.3, 0.7) * s;
  palette.motifs.forEach((colour, band) => {
    scene.painter.ring(rainbowX, (horizon + 0.05) * s, (0.4 - band * 0.025) * s, 0.026 * s, colour, 0.45);
  });
  hills(scene, horizon, 0.06, palette.far, 1.2);
  clouds(scene, 4, palette.motifs[0], 0.85);
  hills(scene, horizon + 0.07, 0.04, palette.near, 0.8);
  ground(scene);
  for (let i = 0; i < 3; i++) {
    const spot = freeSpot(scene, [0.05, 0.95], [horizon + 0.02, scene.groundY / s], 0.05 * s);
    if (spot) cloud(scene, spot.x / s, spot.y / s, between(random, 0.1, 0.16), palette.motifs[0], 0.7);
  }
}

export const SCENES: Record<SceneKind, (scene: Scene) => void> = {
  forest,
  castle,
  ocean,
  cosmos,
  city,
  party,
  savanna,
  dreams,
};
