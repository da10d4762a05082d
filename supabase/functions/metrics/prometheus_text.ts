/**
 * Prometheus' text exposition format, version 0.0.4: a `# HELP` and a `# TYPE` line per metric family, then one
 * line per sample, `name{label="value",…} value`, every line ending in a newline. Label values escape `\`, `"`
 * and newlines; help texts escape `\` and newlines. A histogram is printed as Prometheus reads one: cumulative
 * `_bucket{le="…"}` lines in ascending order ending with `le="+Inf"`, then `_sum` and `_count`.
 *
 * Pure: families in, text out. A malformed family (bad name, unordered bounds) throws, since a scraper would
 * reject the whole page for it.
 */

export const PROMETHEUS_CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

export type Labels = Readonly<Record<string, string>>;

export interface Sample {
  labels?: Labels;
  value: number;
}

export interface HistogramSeries {
  labels?: Labels;
  /** Observations per bucket, not cumulative: one count per upper bound, then those past the last bound. */
  bucketCounts: readonly number[];
  /** The sum of every observation. */
  sum: number;
}

interface FamilyHeader {
  name: string;
  help: string;
}

export type MetricFamily =
  | FamilyHeader & { type: "counter" | "gauge"; samples: readonly Sample[] }
  | FamilyHeader & { type: "histogram"; upperBounds: readonly number[]; series: readonly HistogramSeries[] };

const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
// Names starting with __ are reserved for Prometheus itself.
const LABEL_NAME = /^(?!__)[a-zA-Z_][a-zA-Z0-9_]*$/;

export function escapeLabelValue(value: string): string {
  return value.replaceAll("\\", "\\\\").replaceAll('"', '\\"').replaceAll("\n", "\\n");
}

export function escapeHelp(text: string): string {
  return text.replaceAll("\\", "\\\\").replaceAll("\n", "\\n");
}

/** A sample value as Go's ParseFloat reads it: +Inf, -Inf and NaN spelt as Prometheus spells them. */
export function formatValue(value: number): string {
  if (Number.isNaN(value)) return "NaN";
  if (value === Infinity) return "+Inf";
  if (value === -Infinity) return "-Inf";
  return String(value);
}

function formatLabels(labels: Labels): string {
  const pairs = Object.entries(labels).map(([name, value]) => {
    if (!LABEL_NAME.test(name)) throw new Error(`invalid label name "${name}"`);
    return `${name}="${escapeLabelValue(value)}"`;
  });
  return pairs.length === 0 ? "" : `{${pairs.join(",")}}`;
}

function sampleLine(name: string, labels: Labels, value: number): string {
  return `${name}${formatLabels(labels)} ${formatValue(value)}\n`;
}

function histogramLines(name: string, upperBounds: readonly number[], series: HistogramSeries): string {
  const labels = series.labels ?? {};
  if ("le" in labels) throw new Error(`histogram ${name} may not carry its own "le" label`);
  const buckets = upperBounds.length + 1;
  if (series.bucketCounts.length !== buckets) {
    throw new Error(
      `histogram ${name}: ${buckets} bucket counts expected, ${series.bucketCounts.length} given`,
    );
  }
  let lines = "";
  let cumulative = 0;
  upperBounds.forEach((bound, index) => {
    cumulative += series.bucketCounts[index];
    lines += sampleLine(`${name}_bucket`, { ...labels, le: formatValue(bound) }, cumulative);
  });
  const count = cumulative + series.bucketCounts[upperBounds.length];
  lines += sampleLine(`${name}_bucket`, { ...labels, le: "+Inf" }, count);
  lines += sampleLine(`${name}_sum`, labels, series.sum);
  lines += sampleLine(`${name}_count`, labels, count);
  return lines;
}

function assertAscending(name: string, upperBounds: readonly number[]): void {
  upperBounds.forEach((bound, index) => {
    if (!Number.isFinite(bound) || (index > 0 && bound <= upperBounds[index - 1])) {
      throw new Error(`histogram ${name}: upper bounds must be finite and strictly ascending`);
    }
  });
}

export function formatExposition(families: readonly MetricFamily[]): string {
  return families.map((family) => {
    if (!METRIC_NAME.test(family.name)) throw new Error(`invalid metric name "${family.name}"`);
    let text = `# HELP ${family.name} ${escapeHelp(family.help)}\n# TYPE ${family.name} ${family.type}\n`;
    if (family.type === "histogram") {
      assertAscending(family.name, family.upperBounds);
      for (const series of family.series) text += histogramLines(family.name, family.upperBounds, series);
    } else {
      for (const sample of family.samples) text += sampleLine(family.name, sample.labels ?? {}, sample.value);
    }
    return text;
  }).join("");
}
