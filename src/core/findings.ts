import { type Money, toCents, ZERO } from "./money.ts";

export const FINDING_TYPES = [
  "UNDER_BILLED",
  "OVER_BILLED",
  "PRICE_MISMATCH",
  "TRACKING_DRIFT",
  "LICENCE_SHORTFALL",
  "LICENCE_SURPLUS",
  "COVERAGE_GAP",
  "UNKNOWN_AGENT",
  "ORPHAN_LICENCE",
  "STALE_DEVICE",
  "UNCOVERED",
  "UNMAPPED_ACCOUNT",
  "UNMAPPED_SKU",
  "UNMAPPED_PRODUCT",
] as const;

export type FindingType = (typeof FINDING_TYPES)[number];

export interface Finding {
  type: FindingType;
  subject: string;
  expected: number | string | null;
  actual: number | string | null;
  /** Per month, already rounded to cents so that totals are the sum of what is shown. */
  monthlyImpact: Money;
  /** Sorted UPNs, hostnames or file:line references. */
  evidence: string[];
  /** PRICE_MISMATCH only: the PSA price is below the contract (exact, before any rounding). */
  psaPriceLower?: boolean;
  /** LICENCE_SURPLUS only: the earliest term end (yyyy-mm-dd) on or after asOf, when the surplus is locked in a term. */
  reducibleOn?: string;
}

export function finding(
  type: FindingType,
  subject: string,
  evidence: Iterable<string>,
  opts: { expected?: number | string | null; actual?: number | string | null; impact?: Money } = {},
): Finding {
  return {
    type,
    subject,
    expected: opts.expected ?? null,
    actual: opts.actual ?? null,
    monthlyImpact: toCents(opts.impact ?? ZERO),
    evidence: [...new Set(evidence)].sort(compareText),
  };
}

/** What the finding means, in a few words: the CLI table prints it, the app shows it beside each finding. */
export function describeFinding(
  f: Pick<Finding, "expected" | "actual" | "evidence"> & { type: string },
): string {
  const e = f.expected;
  const a = f.actual;
  switch (f.type) {
    case "UNDER_BILLED":
    case "OVER_BILLED":
    case "TRACKING_DRIFT":
      return `billed ${a}, should be ${e}`;
    case "PRICE_MISMATCH":
      return `billed at ${a}, contract says ${e}`;
    case "LICENCE_SHORTFALL":
    case "LICENCE_SURPLUS":
      return `bought ${a}, needed ${e}`;
    case "COVERAGE_GAP":
      return `${a} of ${e} devices have the agent`;
    case "UNKNOWN_AGENT":
      return `${f.evidence.length} agent${f.evidence.length === 1 ? "" : "s"} on devices the RMM does not know`;
    case "ORPHAN_LICENCE":
      return `${f.evidence.length} disabled user${f.evidence.length === 1 ? "" : "s"} still licensed`;
    case "STALE_DEVICE":
      return "not seen recently; counted nowhere";
    case "UNCOVERED":
      return "in no plan";
    case "UNMAPPED_ACCOUNT":
      return "matches no client's ids";
    case "UNMAPPED_SKU":
      return "no service lists this SKU";
    case "UNMAPPED_PRODUCT":
      return "no bundle or service has this psaProduct";
    default:
      return "";
  }
}

/** Code-unit order: the same on every machine and locale. */
export function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function compareEvidence(a: readonly string[], b: readonly string[]): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const c = compareText(a[i] as string, b[i] as string);
    if (c !== 0) return c;
  }
  return a.length - b.length;
}

/** Spec 5: by type, then subject, then evidence (within one client). */
export function compareFindings(a: Finding, b: Finding): number {
  return (
    compareText(a.type, b.type) ||
    compareText(a.subject, b.subject) ||
    compareEvidence(a.evidence, b.evidence)
  );
}

/** Which total a finding's money goes to (spec 6). */
export type TotalKey = "underBilled" | "overBilled" | "licenceWaste" | "licenceShortfall" | "unmapped";

export function totalOf(f: Finding): TotalKey | undefined {
  switch (f.type) {
    case "UNDER_BILLED":
      return "underBilled";
    case "OVER_BILLED":
      return "overBilled";
    case "PRICE_MISMATCH":
      // expected is the contracted price, actual the PSA's: a lower PSA price under-bills.
      return f.psaPriceLower ? "underBilled" : "overBilled";
    case "LICENCE_SURPLUS":
    case "ORPHAN_LICENCE":
      return "licenceWaste";
    case "LICENCE_SHORTFALL":
      return "licenceShortfall";
    case "UNMAPPED_ACCOUNT":
    case "UNMAPPED_SKU":
    case "UNMAPPED_PRODUCT":
      return "unmapped";
    default:
      return undefined;
  }
}
