import type { Reader } from "./reader.ts";

// The optional `msp:` block of trueup.yaml: who sends the client statements. Only documents read it
// (statements, evidence); reconciliation never does.

export const PAPER_SIZES = ["A4", "Letter"] as const;
export type PaperSize = (typeof PAPER_SIZES)[number];

export interface Msp {
  name: string;
  /** Address lines as printed under the name. */
  address: string[];
  /** A PNG or JPEG file, relative to the workspace folder. */
  logo?: string;
  paper: PaperSize;
}

/** The sender when trueup.yaml has no `msp:` block: no name to print, A4 paper. */
export const NO_MSP: Msp = { name: "", address: [], paper: "A4" };

export function readMsp(r: Reader, value: unknown): Msp | undefined {
  if (value === undefined || value === null) return undefined;
  const o = r.obj(value, ["msp"], ["name", "address", "logo", "paper"]);
  if (!o) return undefined;
  const name = r.str(o, ["msp"], "name", true) ?? "";
  let address: string[] = [];
  if (typeof o.address === "string") address = o.address.split("\n").filter((l) => l.trim() !== "");
  else address = r.strings(o, ["msp"], "address") ?? [];
  const logo = r.str(o, ["msp"], "logo");
  if (logo !== undefined && !/\.(png|jpe?g)$/i.test(logo))
    r.y.error(["msp", "logo"], `the logo must be a PNG or JPEG file, got "${logo}"`);
  const paper = r.oneOf(o, ["msp"], "paper", PAPER_SIZES) ?? "A4";
  return { name, address, ...(logo !== undefined ? { logo } : {}), paper };
}
