/**
 * The suite's report: one table, each scenario adding rows. A row is a figure (measured, never judged) or a
 * check (an invariant, ok or FAIL); the suite fails when any check does.
 */
import { formatTable } from "../../bench/bench_support.ts";

export interface ReportRow {
  scenario: string;
  what: string;
  measured: string;
  /** "" for a figure. */
  check: "" | "ok" | "FAIL";
}

export class ScenarioReport {
  readonly rows: ReportRow[] = [];

  constructor(readonly scenario: string) {}

  get failed(): boolean {
    return this.rows.some((row) => row.check === "FAIL");
  }

  figure(what: string, measured: string | number): void {
    this.rows.push({ scenario: this.scenario, what, measured: String(measured), check: "" });
  }

  check(what: string, measured: string | number, ok: boolean): void {
    this.rows.push({ scenario: this.scenario, what, measured: String(measured), check: ok ? "ok" : "FAIL" });
  }

  /** A check that `actual` equals `expected`, which the row names when they differ. */
  expectEqual(what: string, actual: number, expected: number): void {
    this.check(
      what,
      actual === expected ? String(actual) : `${actual} (expected ${expected})`,
      actual === expected,
    );
  }
}

export function failedChecks(rows: ReportRow[]): ReportRow[] {
  return rows.filter((row) => row.check === "FAIL");
}

export function formatReport(rows: ReportRow[]): string {
  return formatTable(
    ["scenario", "what", "measured", "check"],
    rows.map((row) => [row.scenario, row.what, row.measured, row.check]),
  );
}

/** Seconds with one decimal, for the timing figures. */
export function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}
