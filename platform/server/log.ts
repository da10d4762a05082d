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

/** The path of a URL without its query string, for logs. */
export function loggablePath(url: URL): string {
  return url.pathname;
}
