/**
 * Structured logs: one JSON line per request and per job. Query strings are never logged (signed URLs and
 * `apikey` travel there), and callers pass ids, never names, emails or tokens.
 */
export type LogFields = Record<string, string | number | boolean | null | undefined>;

export interface Logger {
  info(event: string, fields?: LogFields): void;
  warn(event: string, fields?: LogFields): void;
  error(event: string, fields?: LogFields): void;
}

export function jsonLogger(
  write: (line: string) => void = (line) => console.log(line),
  base: LogFields = {},
): Logger {
  const emit = (level: string) => (event: string, fields: LogFields = {}) =>
    write(JSON.stringify({ time: new Date().toISOString(), level, event, ...base, ...fields }));
  return { info: emit("info"), warn: emit("warn"), error: emit("error") };
}

/** A logger that drops everything, for tests that assert on behaviour rather than logs. */
export const silentLogger: Logger = { info() {}, warn() {}, error() {} };

/**
 * The route of a request, for logs: the service prefix and the next segment (`/storage/v1/object`,
 * `/functions/v1/previews`), never the rest, which can hold object names, ids or tokens, and never the query.
 */
export function loggablePath(url: URL): string {
  const segments = url.pathname.split("/").filter(Boolean);
  const kept = segments.slice(0, 3);
  return "/" + kept.join("/") + (segments.length > kept.length ? "/…" : "");
}

/**
 * What to log about an error: its name and, for database errors, the SQLSTATE. Never the message, which can
 * quote a row (an email, a child's name) or a token.
 */
export function errorFields(error: unknown): LogFields {
  const { name, code } = error as { name?: string; code?: unknown };
  return { error: name ?? "Error", code: typeof code === "string" ? code : undefined };
}
