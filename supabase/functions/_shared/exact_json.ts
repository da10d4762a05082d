/**
 * JSON.parse, except that integers too long to be exact as a JavaScript number become strings. Shopify's order,
 * customer and line-item ids exceed 2^53 (the sample order id is 820982911946154508), and JSON.parse would round
 * them silently; an id we store must be the id Shopify sent.
 */

/** Digits a double holds exactly in every case (2^53 has 16 digits, so 15 are always safe). */
const SAFE_DIGITS = 15;

export function parseExactJson(text: string): unknown {
  let quoted = "";
  let copiedUpTo = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const char = text[i];
    if (inString) {
      if (char === "\\") i++;
      else if (char === '"') inString = false;
      continue;
    }
    if (char === '"') {
      inString = true;
      continue;
    }
    if (char === "-" || (char >= "0" && char <= "9")) {
      let end = i + 1;
      while (end < text.length && /[0-9eE+\-.]/.test(text[end])) end++;
      const token = text.slice(i, end);
      const digits = token.replace("-", "");
      if (/^-?\d+$/.test(token) && digits.length > SAFE_DIGITS) {
        quoted += `${text.slice(copiedUpTo, i)}"${token}"`;
        copiedUpTo = end;
      }
      i = end - 1;
    }
  }
  return JSON.parse(copiedUpTo === 0 ? text : quoted + text.slice(copiedUpTo));
}
