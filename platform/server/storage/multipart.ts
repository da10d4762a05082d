/**
 * A small multipart/form-data reader for upload bodies. storage-js sends a Blob upload as a form whose file part
 * has an empty field name, which `Request.formData()` drops, so the stand-in reads the parts itself.
 */

export interface MultipartPart {
  name: string;
  filename: string | null;
  contentType: string | null;
  body: Uint8Array;
}

export class MultipartError extends Error {
  override name = "MultipartError";
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

export function multipartBoundary(contentType: string): string | null {
  const match = contentType.match(/boundary=(?:"([^"]+)"|([^;\s]+))/i);
  return match ? (match[1] ?? match[2]) : null;
}

function indexOf(haystack: Uint8Array, needle: Uint8Array, from: number): number {
  const last = haystack.length - needle.length;
  outer: for (
    let i = haystack.indexOf(needle[0], from);
    i !== -1 && i <= last;
    i = haystack.indexOf(needle[0], i + 1)
  ) {
    for (let j = 1; j < needle.length; j++) {
      if (haystack[i + j] !== needle[j]) continue outer;
    }
    return i;
  }
  return -1;
}

/** Parameters of a header value such as `form-data; name="file"; filename="a.png"`. */
function headerParameters(value: string): Map<string, string> {
  const parameters = new Map<string, string>();
  for (const match of value.matchAll(/;\s*([^=;\s]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^;]*))/g)) {
    parameters.set(
      match[1].toLowerCase(),
      match[2] !== undefined ? match[2].replace(/\\(.)/g, "$1") : match[3].trim(),
    );
  }
  return parameters;
}

/** Splits a complete multipart body into its parts, in order. */
export function parseMultipart(body: Uint8Array, contentType: string): MultipartPart[] {
  const boundary = multipartBoundary(contentType);
  if (!boundary) throw new MultipartError("multipart body without a boundary");
  const delimiter = encoder.encode(`--${boundary}`);
  const nextDelimiter = encoder.encode(`\r\n--${boundary}`);
  const headerEnd = encoder.encode("\r\n\r\n");

  let position = indexOf(body, delimiter, 0);
  if (position === -1) throw new MultipartError("multipart body without its opening boundary");
  position += delimiter.length;
  const parts: MultipartPart[] = [];
  while (true) {
    // "--" right after a boundary closes the body
    if (body[position] === 0x2d && body[position + 1] === 0x2d) return parts;
    if (body[position] !== 0x0d || body[position + 1] !== 0x0a) {
      throw new MultipartError("malformed boundary line");
    }
    position += 2;
    const headersEnd = indexOf(body, headerEnd, position);
    if (headersEnd === -1) throw new MultipartError("part without a header terminator");
    const headers = new Map<string, string>();
    for (const line of decoder.decode(body.subarray(position, headersEnd)).split("\r\n")) {
      const colon = line.indexOf(":");
      if (colon > 0) headers.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim());
    }
    const contentStart = headersEnd + headerEnd.length;
    const contentEnd = indexOf(body, nextDelimiter, contentStart);
    if (contentEnd === -1) throw new MultipartError("part without a closing boundary");
    const disposition = headerParameters(headers.get("content-disposition") ?? "");
    parts.push({
      name: disposition.get("name") ?? "",
      filename: disposition.get("filename") ?? null,
      contentType: headers.get("content-type") ?? null,
      body: body.subarray(contentStart, contentEnd),
    });
    position = contentEnd + nextDelimiter.length;
  }
}
