/**
 * Readability of a page, from our own counts: words, sentences and syllables, and the Flesch–Kincaid grade
 * 0.39 × (words / sentences) + 11.8 × (syllables / words) − 15.59.
 */

export function wordsOf(text: string): string[] {
  return text.match(/[\p{L}\p{M}\p{N}]+(?:['’-][\p{L}\p{M}\p{N}]+)*/gu) ?? [];
}

export function sentenceCount(text: string): number {
  const sentences = text.split(/[.!?]+["”’)]*(?:\s|$)/u).filter((part) => wordsOf(part).length > 0);
  return Math.max(1, sentences.length);
}

/**
 * Syllables of an English word by vowel groups, with the usual corrections: a silent final "e", "-le" after a
 * consonant, "-ed" that is not its own syllable. Words in other scripts count one syllable per character group.
 */
export function syllableCount(word: string): number {
  const lower = word.toLowerCase().replace(/['’]s$/, "").normalize("NFD").replace(/\p{M}/gu, "");
  if (!/[a-z]/.test(lower)) return Math.max(1, [...lower].length);
  if (lower.length <= 3) return 1;
  let stem = lower;
  if (/[^aeiou]le$/.test(stem)) return syllableCount(stem.slice(0, -2)) + 1;
  if (
    /[^aeiouy]e$/.test(stem) || /[^td]ed$/.test(stem) ||
    /[^aeiou]es$/.test(stem) && !/(s|z|x|ch|sh|g|c)es$/.test(stem)
  ) {
    stem = stem.replace(/e[ds]?$/, "");
  }
  const groups = stem.match(/[aeiouy]+/g)?.length ?? 0;
  return Math.max(1, groups);
}

export interface Readability {
  words: number;
  sentences: number;
  syllables: number;
  grade: number;
}

export function readability(text: string): Readability {
  const words = wordsOf(text);
  const sentences = sentenceCount(text);
  const syllables = words.flatMap((word) => word.split("-")).reduce(
    (sum, part) => sum + syllableCount(part),
    0,
  );
  const grade = words.length === 0
    ? 0
    : 0.39 * (words.length / sentences) + 11.8 * (syllables / words.length) - 15.59;
  return { words: words.length, sentences, syllables, grade };
}
