/**
 * Reading a served platform's JSON log: its own lines, and the lines its function workers printed (carried as
 * `function_log` events with the worker's line as text).
 */

export interface LogEntry {
  level?: string;
  event?: string;
  [field: string]: unknown;
}

export async function readPlatformLog(logFile: string): Promise<LogEntry[]> {
  const entries: LogEntry[] = [];
  for (const line of (await Deno.readTextFile(logFile)).split("\n")) {
    const entry = parseLine(line);
    if (!entry) continue;
    entries.push(entry);
    if (entry.event === "function_log" && typeof entry.line === "string") {
      const inner = parseLine(entry.line);
      if (inner) entries.push({ ...inner, function: entry.function });
    }
  }
  return entries;
}

function parseLine(line: string): LogEntry | null {
  if (!line.startsWith("{")) return null;
  try {
    return JSON.parse(line) as LogEntry;
  } catch {
    // A line a killed process left half written.
    return null;
  }
}

/** Error lines counted by event, a function's prefixed with its name. */
export function errorsByEvent(entries: LogEntry[]): string {
  const counts = new Map<string, number>();
  for (const entry of entries) {
    if (entry.level !== "error") continue;
    const key = `${entry.function ? `${entry.function} ` : ""}${entry.event ?? "unexpected error"}`;
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return [...counts].map(([event, count]) => `${event} × ${count}`).join(", ") || "none";
}

/** The longest `ms` the book-worker reported for a book it assembled. */
export function longestAssemblyMs(entries: LogEntry[]): number {
  return Math.max(
    0,
    ...entries.filter((entry) => entry.event === "book" && entry.outcome === "assembled")
      .map((entry) => Number(entry.ms)),
  );
}
