/**
 * Scenario 2: IMAGE_PROVIDER=fal against the local fake of fal's queue, which answers a random share of
 * submissions (30% by default) with a 5xx or leaves them hanging. Nothing else is changed: the product's attempt
 * limits (three per page), backoff (5 s, then 10 s) and timeouts are its own, except that a hanging submission is
 * given up after 5 s instead of 90 s. The books complete through the product's retries; when a page fails its
 * third attempt anyway (at 30% that happens to about one page in a hundred), the suite presses retry as the
 * parent would, and the report counts it.
 */
import { type Fault, startFakeFal } from "../../tests/support/fake_fal/fake_fal_server.ts";
import { runBooks } from "./book_run.ts";
import type { PrivateCluster } from "./private_cluster.ts";
import type { ScenarioReport } from "./report.ts";
import type { Random } from "../../supabase/functions/_shared/images/storybook_scenes.ts";

export interface ProviderFaultsOptions {
  books: number;
  /** The share of submissions given a fault, 0 to 1. */
  rate: number;
  random: Random;
  log: (line: string) => void;
}

const FAL_KEY = "faults-suite-key-id:faults-suite-key-secret";
/** How long the fake takes from submission to result (its queue, then the model). */
const FAL_RUN_MS = 1_000;
/**
 * IMAGE_PROVIDER_TIMEOUT_MS: a hanging submission is given up after 5 s (production 90 s). The fal client's own
 * resends of a 503 (after about 1 s, then 2 s) still fit in it.
 */
const PROVIDER_TIMEOUT_MS = 5_000;
/**
 * A third each: 500, which the fal client hands straight back; 503, which it resends itself first (and the
 * resend may meet a fault again); and a submission that never answers, which the page-worker's timeout cuts.
 */
const FAULTS: Fault[] = [
  { kind: "server_error", status: 500 },
  { kind: "server_error", status: 503 },
  { kind: "hang" },
];
/** Every book needs 17 images from fal: 6 for its preview, then 6 upscales and 5 new pages for print. */
const IMAGES_PER_BOOK = 17;

export async function runProviderFaultsScenario(
  cluster: PrivateCluster,
  report: ScenarioReport,
  options: ProviderFaultsOptions,
): Promise<void> {
  const fake = await startFakeFal({
    credentials: FAL_KEY,
    runMs: FAL_RUN_MS,
    randomFaults: { rate: options.rate, faults: FAULTS, random: options.random },
  });
  options.log(`provider faults: ${options.books} books on fal, ${options.rate * 100}% of submissions faulty`);
  try {
    await runBooks(cluster, report, {
      label: "provider_faults",
      books: options.books,
      functionEnv: {
        IMAGE_PROVIDER: "fal",
        FAL_KEY,
        FAL_PROXY_URL: fake.proxyUrl,
        FAL_WEBHOOK_JWKS_URL: fake.jwksUrl,
        IMAGE_PROVIDER_TIMEOUT_MS: String(PROVIDER_TIMEOUT_MS),
      },
      recoverySettings: false,
      after({ books }) {
        const submits = fake.submits;
        const faulted = submits.filter((submit) => submit.fault !== null);
        const kinds = (fault: Fault) => fault.kind === "server_error" ? String(fault.status) : fault.kind;
        const byKind = Object.entries(Object.groupBy(faulted, (submit) => kinds(submit.fault!)))
          .map(([kind, list]) => `${kind}: ${list!.length}`).sort().join(", ");
        const share = (100 * faulted.length / Math.max(1, submits.length)).toFixed(0);
        report.figure("fal submissions (given a fault)", `${submits.length} (${faulted.length}, ${share}%)`);
        report.figure("faults injected by kind", byKind || "none");
        const attempts = books.reduce((sum, book) => sum + book.attempts.preview + book.attempts.print, 0);
        report.figure(
          "resent by the fal client itself (submissions − page attempts)",
          submits.length - attempts,
        );
        const accepted = submits.filter((submit) => submit.status === 200).length;
        // Each accepted request's result was stored: one per image, none drawn twice and none lost.
        report.expectEqual(
          "fal requests accepted (one per image the books need)",
          accepted,
          books.length * IMAGES_PER_BOOK,
        );
        const refused = fake.deliveries.filter((delivery) => delivery.status !== 200).length;
        report.figure("webhook deliveries (not answered 200)", `${fake.deliveries.length} (${refused})`);
      },
    });
  } finally {
    await fake.close();
  }
}
