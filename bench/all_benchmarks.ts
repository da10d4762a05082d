/**
 * `npm run bench`: every benchmark of the project, one after another, each in its own process with its own
 * output shown as it runs; then one table of the figures against the targets of BRIEF §6 (figure, goal, ratio to
 * the goal, verdict) and a table of the other figures the benchmarks measured.
 *
 *   npm run bench -- [--quick] [--only preview,watermark,…]
 *
 * Each benchmark hands its figures over as JSON in the file named by BENCH_FIGURES_FILE (bench_support.ts's
 * recordFigures), so nothing here reads their human output. --quick runs fewer repetitions and smaller batches
 * (about 2 minutes rather than 5 on this machine); the figures are then noisier, and the load row is for 40
 * previews rather than 200.
 *
 * Exits non-zero when a benchmark fails to run or the load suite finds a preview lost or a page drawn twice; a
 * missed target is a verdict in the table, not a failure: the figures depend on the machine and its load.
 */
import { parseArgs } from "node:util";
import { fileURLToPath } from "node:url";
import { type Figures, FIGURES_FILE_VARIABLE, formatTable, loadAverage } from "./bench_support.ts";

interface Bench {
  name: string;
  /** The npm script that runs it on its own. */
  script: string;
  /** Relative to the repository's root. */
  file: string;
  args: string[];
  quickArgs: string[];
}

const BENCHES: Bench[] = [
  {
    name: "preview",
    script: "bench:preview",
    file: "bench/preview_bench.ts",
    args: [],
    quickArgs: ["--previews", "8"],
  },
  {
    name: "watermark",
    script: "bench:watermark",
    file: "bench/watermark_bench.ts",
    args: [],
    quickArgs: ["12"],
  },
  {
    name: "illustrator",
    script: "bench:illustrator",
    file: "bench/illustrator_bench.ts",
    args: [],
    quickArgs: ["6"],
  },
  { name: "upload", script: "bench:upload", file: "bench/upload_bench.ts", args: [], quickArgs: [] },
  { name: "book", script: "bench:book", file: "bench/book_bench.ts", args: [], quickArgs: [] },
  {
    name: "purchase",
    script: "bench:purchase",
    file: "bench/purchase_bench.ts",
    // The PDF assembly is bench:book's, run above.
    args: ["--skip-pdf"],
    quickArgs: ["--skip-pdf", "--rounds", "1"],
  },
  {
    name: "fal-webhook",
    script: "bench:fal-webhook",
    file: "bench/fal_webhook_bench.ts",
    args: [],
    quickArgs: [],
  },
  {
    name: "load",
    script: "suite:load",
    file: "suites/load_suite.ts",
    args: [],
    quickArgs: ["--previews", "40", "--latency", "2000", "--concurrency", "16"],
  },
];

/** One row of BRIEF §6: which figure measures it, its goal, and how the figure compares. */
interface Target {
  target: string;
  /** The benchmark that measures it. */
  bench: string;
  figure: string;
  goal: (figures: Figures) => string;
  /** Figure / goal: met when ≤ 1 (or < 1 for a strict goal); null when the target asks only for a report. */
  ratio: (figures: Figures) => number | null;
  strict?: boolean;
}

const value = (figures: Figures, key: string) => figures[key]?.value ?? Number.NaN;

const TARGETS: Target[] = [
  {
    target: "preview ready (cover + 5 pages), fake provider with latency L",
    bench: "preview",
    figure: "preview_over_latency",
    goal: () => "≤ 2.3 × L",
    ratio: (figures) => value(figures, "preview_over_latency") / 2.3,
  },
  {
    target: "paid webhook → email sent, fake provider latency L",
    bench: "purchase",
    figure: "paid_to_email_ms",
    goal: (figures) => `≤ 1.5 × L + 5 s = ${value(figures, "paid_to_email_goal_ms").toFixed(0)} ms`,
    ratio: (figures) => value(figures, "paid_to_email_ms") / value(figures, "paid_to_email_goal_ms"),
  },
  {
    target: "Shopify webhook acknowledged, 50 concurrent deliveries",
    bench: "purchase",
    figure: "ack_p99_ms",
    goal: () => "p99 < 300 ms",
    ratio: (figures) => value(figures, "ack_p99_ms") / 300,
    strict: true,
  },
  {
    target: "watermark one 1024 px JPEG, decode + composite + encode",
    bench: "watermark",
    figure: "watermark_over_pillow",
    goal: () => "≤ 4.5 × Pillow",
    ratio: (figures) => value(figures, "watermark_over_pillow") / 4.5,
  },
  {
    target: "assemble a 24-picture print PDF of 3075 px JPEGs: CPU",
    bench: "book",
    figure: "book_24_cpu_ms",
    goal: () => "< 1500 ms",
    ratio: (figures) => value(figures, "book_24_cpu_ms") / 1500,
    strict: true,
  },
  {
    target: "assemble a 24-picture print PDF of 3075 px JPEGs: peak memory",
    bench: "book",
    figure: "book_24_rss_mb",
    goal: () => "< 180 MB",
    ratio: (figures) => value(figures, "book_24_rss_mb") / 180,
    strict: true,
  },
  {
    target: "assemble a 24-picture print PDF: CPU ratio to ReportLab",
    bench: "book",
    figure: "book_24_cpu_over_reportlab",
    goal: () => "reported",
    ratio: () => null,
  },
  {
    target: "assemble a 24-picture print PDF: peak memory ratio to ReportLab",
    bench: "book",
    figure: "book_24_rss_over_reportlab",
    goal: () => "reported",
    ratio: () => null,
  },
  {
    target: "concurrent previews, provider concurrency cap C: total / ideal",
    bench: "load",
    figure: "load_ratio",
    goal: () => "≤ 1.15",
    ratio: (figures) => value(figures, "load_ratio") / 1.15,
  },
  {
    target: "concurrent previews: nothing lost, every page generated exactly once",
    bench: "load",
    figure: "load_failed_checks",
    goal: () => "0 failed checks",
    ratio: () => null,
  },
];

function formatValue(figure: { value: number; unit: string }): string {
  const { value, unit } = figure;
  if (!Number.isFinite(value)) return "–";
  const digits = unit.startsWith("×") ? 2 : Math.abs(value) < 10 && unit !== "" ? 1 : 0;
  const spaced = ["", "%", "×"].includes(unit) ? unit : ` ${unit}`;
  return `${value.toFixed(digits)}${spaced}`;
}

interface BenchRun {
  bench: Bench;
  ok: boolean;
  seconds: number;
  figures: Figures;
}

async function runBench(bench: Bench, quick: boolean, root: string): Promise<BenchRun> {
  const figuresFile = await Deno.makeTempFile({ prefix: `bench_${bench.name}_`, suffix: ".json" });
  console.log(`\n━━ ${bench.script} (${bench.file}) ━━`);
  const started = performance.now();
  try {
    const { success } = await new Deno.Command(Deno.execPath(), {
      args: ["run", "--allow-all", "--quiet", bench.file, ...(quick ? bench.quickArgs : bench.args)],
      cwd: root,
      env: { [FIGURES_FILE_VARIABLE]: figuresFile },
      stdin: "null",
      stdout: "inherit",
      stderr: "inherit",
    }).output();
    const text = await Deno.readTextFile(figuresFile);
    return {
      bench,
      ok: success,
      seconds: (performance.now() - started) / 1000,
      figures: text === "" ? {} : JSON.parse(text),
    };
  } finally {
    await Deno.remove(figuresFile);
  }
}

function targetRows(figures: Figures, ran: Set<string>): string[][] {
  return TARGETS.map((target) => {
    const figure = figures[target.figure];
    if (!figure) {
      return [
        target.target,
        "–",
        target.goal(figures),
        "–",
        ran.has(target.bench) ? "no figure" : "not run",
        "",
      ];
    }
    const ratio = target.ratio(figures);
    let verdict = "reported";
    if (target.figure === "load_failed_checks") verdict = figure.value === 0 ? "met" : "MISSED";
    else if (ratio !== null) verdict = (target.strict ? ratio < 1 : ratio <= 1) ? "met" : "MISSED";
    return [
      target.target,
      formatValue(figure),
      target.goal(figures),
      ratio === null ? "–" : ratio.toFixed(2),
      verdict,
      figure.label,
    ];
  });
}

if (import.meta.main) {
  const { values } = parseArgs({
    args: Deno.args,
    options: { quick: { type: "boolean", default: false }, only: { type: "string" } },
  });
  const only = values.only?.split(",").map((name) => name.trim());
  const unknown = only?.filter((name) => !BENCHES.some((bench) => bench.name === name)) ?? [];
  if (unknown.length > 0) {
    throw new Error(
      `unknown benchmark ${unknown.join(", ")}; known: ${BENCHES.map((b) => b.name).join(", ")}`,
    );
  }
  const selected = BENCHES.filter((bench) => !only || only.includes(bench.name));
  const root = fileURLToPath(new URL("..", import.meta.url));
  const loadBefore = loadAverage();
  const runs: BenchRun[] = [];
  for (const bench of selected) runs.push(await runBench(bench, values.quick, root));

  const figures: Figures = Object.assign({}, ...runs.map((run) => run.figures));
  const ran = new Set(runs.map((run) => run.bench.name));
  const used = new Set(TARGETS.map((target) => target.figure));

  console.log(
    `\n━━ BRIEF §6 targets (${values.quick ? "--quick, " : ""}${navigator.hardwareConcurrency} cores, ` +
      `load average ${loadBefore.toFixed(2)} before → ${loadAverage().toFixed(2)} after) ━━`,
  );
  console.log(formatTable(
    ["target (BRIEF §6)", "measured", "goal", "ratio", "verdict", "measured as"],
    targetRows(figures, ran),
  ));
  console.log("\n━━ other figures ━━");
  console.log(formatTable(
    ["benchmark", "figure", "value"],
    runs.flatMap((run) =>
      Object.entries(run.figures)
        .filter(([key]) => !used.has(key))
        .map(([, figure]) => [run.bench.script, figure.label, formatValue(figure)])
    ),
  ));
  console.log("\n━━ runs ━━");
  console.log(formatTable(
    ["benchmark", "seconds", "result"],
    runs.map((run) => [run.bench.script, Math.round(run.seconds), run.ok ? "ok" : "FAILED"]),
  ));
  const lossOrDuplicate = (figures.load_failed_checks?.value ?? 0) > 0;
  if (runs.some((run) => !run.ok) || lossOrDuplicate) Deno.exit(1);
}
