/**
 * What the benchmark scripts share: an edge request's budget, percentiles, peak memory, machine CPU use, timing a
 * fresh process, a python3 to compare with, a plain-text table, and the named figures each benchmark hands to
 * `npm run bench`.
 */

/** The sample at `fraction` (0.5 = median, 0.95 = p95) of an unsorted list. */
export function percentile(samples: number[], fraction: number): number {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(sorted.length * fraction) - 1))];
}

/** Peak resident memory of a process (this one by default), in MB. */
export function peakRssMb(pid: number | "self" = "self"): number {
  const status = Deno.readTextFileSync(`/proc/${pid}/status`);
  return Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024;
}

/** Resident memory of this process now, in MB (no permission needed, unlike /proc/self). */
export function currentRssMb(): number {
  return Deno.memoryUsage().rss / (1024 * 1024);
}

/** What Supabase gives one edge function request: 2 s of CPU and 256 MB of memory. */
export const CPU_BUDGET_MS = 2000;
export const MEMORY_BUDGET_MB = 256;

/** `deno run` flags of an edge function as the local platform runs it: no native code, no subprocesses, 256 MB. */
export const EDGE_RUN_FLAGS = [
  "run",
  "--quiet",
  "--deny-ffi",
  "--deny-run",
  "--allow-read",
  "--v8-flags=--max-old-space-size=256",
];

/**
 * Runs `args` (a Deno script invocation, or another program's with `command`) as a child that prints one JSON
 * line and then waits for a newline on stdin: returns the line and the child's peak RSS in MB, read from /proc
 * before it exits.
 */
export async function measureColdProcess(
  args: string[],
  command: string = Deno.execPath(),
): Promise<{ result: Record<string, number>; peakRssMb: number }> {
  const child = new Deno.Command(command, { args, stdin: "piped", stdout: "piped" }).spawn();
  const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let text = "";
  while (!text.includes("\n")) {
    const { value, done } = await reader.read();
    if (done) break;
    text += value;
  }
  const peak = peakRssMb(child.pid);
  const writer = child.stdin.getWriter();
  await writer.write(new Uint8Array([10]));
  await writer.close();
  await reader.cancel();
  if (!(await child.status).success) throw new Error(`${command} ${args.join(" ")} failed`);
  return { result: JSON.parse(text.trim()), peakRssMb: peak };
}

/**
 * A python3 that can import `module`, for measuring the same work in Python, or null when none can. Debian's
 * own first: its python3-* packages are where the benchmarks' modules come from.
 */
export async function pythonWith(module: string): Promise<string | null> {
  for (const python of ["/usr/bin/python3", "python3"]) {
    try {
      const { success } = await new Deno.Command(python, { args: ["-c", `import ${module}`], stderr: "null" })
        .output();
      if (success) return python;
    } catch {
      // not installed under this name
    }
  }
  return null;
}

/** A plain-text table with a header rule, columns padded to their widest cell (numbers right-aligned). */
export function formatTable(headers: string[], rows: (string | number)[][]): string {
  const cells = [headers, ...rows.map((row) => row.map(String))];
  const widths = headers.map((_, column) => Math.max(...cells.map((row) => (row[column] ?? "").length)));
  const numeric = headers.map((_, column) =>
    rows.length > 0 && rows.every((row) => typeof row[column] === "number")
  );
  const line = (row: string[]) =>
    row.map((cell, column) => numeric[column] ? cell.padStart(widths[column]) : cell.padEnd(widths[column]))
      .join("  ").trimEnd();
  return [line(headers), widths.map((width) => "-".repeat(width)).join("  "), ...cells.slice(1).map(line)]
    .join("\n");
}

/** One measured figure: what it is, in words a reader of the table understands, and its value and unit. */
export interface Figure {
  label: string;
  value: number;
  unit: string;
}

/** Keys are stable names (e.g. `ack_p99_ms`) that bench/all_benchmarks.ts maps onto BRIEF §6's targets. */
export type Figures = Record<string, Figure>;

/**
 * Where a benchmark writes its figures as JSON, besides its human output: bench/all_benchmarks.ts sets it for
 * each benchmark it runs. Unset when a benchmark runs on its own, and then nothing is written.
 */
export const FIGURES_FILE_VARIABLE = "BENCH_FIGURES_FILE";

/** Records a benchmark's figures for bench/all_benchmarks.ts (see FIGURES_FILE_VARIABLE). */
export async function recordFigures(figures: Figures): Promise<void> {
  const path = Deno.env.get(FIGURES_FILE_VARIABLE);
  if (path) await Deno.writeTextFile(path, JSON.stringify(figures));
}

/** Busy and total CPU time of the whole machine so far, in clock ticks (first line of /proc/stat). */
export function machineCpuTicks(): { busy: number; total: number } {
  const [, ...fields] = Deno.readTextFileSync("/proc/stat").split("\n")[0].trim().split(/\s+/);
  const ticks = fields.map(Number);
  const idle = ticks[3] + (ticks[4] ?? 0);
  const total = ticks.reduce((sum, tick) => sum + tick, 0);
  return { busy: total - idle, total };
}

/** The share (0–1) of the machine's CPU time that was busy between two readings of machineCpuTicks. */
export function machineCpuBusy(
  before: { busy: number; total: number },
  after: { busy: number; total: number },
): number {
  return (after.busy - before.busy) / Math.max(1, after.total - before.total);
}

/** The 1-minute load average, to say how busy the machine was around a measurement. */
export function loadAverage(): number {
  return Number(Deno.readTextFileSync("/proc/loadavg").split(" ")[0]);
}
