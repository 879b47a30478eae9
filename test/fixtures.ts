import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { bufferIo } from "../src/cli/io.ts";
import { main } from "../src/cli/main.ts";

// Workspaces written from code into temp folders, and a way to run the CLI on them.

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), "..");
/** The shared folder sits beside the repository (at /work/shared when developing). */
export const sharedDir = resolve(repoRoot, "../shared");
export const basicDir = join(sharedDir, "spec", "examples", "basic");

export const BASE_YAML = `currency: USD
asOf: "2026-11-01"
rules:
  staleDeviceDays: 30
services:
  - id: m365
    name: Microsoft 365
    unit: user
    cost: "20.00"
    price: "25.00"
    psaProduct: M365
    vendorSkus:
      - { vendor: pax8, sku: BP }
  - id: edr
    name: EDR
    unit: device
    cost: "4.50"
    price: "9.00"
    psaProduct: EDR
    deployment: edr
    vendorSkus:
      - { vendor: pax8, sku: S1 }
bundles:
  - id: gold
    name: Gold
    per: user
    price: "100.00"
    psaProduct: GOLD
    includes:
      - service: m365
      - service: edr
clients:
  - id: acme
    name: Acme
    ids: { psa: "100", microsoft: acme, rmm: ACME, pax8: px, edr: Acme }
    plans:
      - bundle: gold
sources:
  - { kind: users, format: trueup-users, file: data/users.csv }
  - { kind: devices, format: trueup-devices, file: data/devices.csv }
  - { kind: deployments, format: trueup-deployments, file: data/edr.csv, deployment: edr }
  - { kind: licences, format: trueup-licences, file: data/pax8.csv, vendor: pax8 }
  - { kind: billing, format: trueup-billing, file: data/psa.csv }
`;

export const BASE_FILES: Record<string, string> = {
  "trueup.yaml": BASE_YAML,
  "data/users.csv":
    "account,upn,displayName,enabled,licences\nacme,ann@acme.com,Ann,true,BP\nacme,bob@acme.com,Bob,true,BP\n",
  "data/devices.csv":
    "account,hostname,serial,type,lastSeen,primaryUser\nACME,PC1,S1,workstation,2026-10-30,ann@acme.com\nACME,PC2,S2,laptop,2026-10-31,bob@acme.com\n",
  "data/edr.csv": "account,hostname,serial,lastSeen\nAcme,PC1,S1,2026-11-01\n",
  "data/pax8.csv": "account,sku,quantity,unitCost\npx,BP,2,20.00\npx,S1,2,4.50\n",
  "data/psa.csv": "account,product,quantity,unitPrice,agreement\n100,GOLD,2,100.00,Managed\n",
};

const made: string[] = [];

/** Writes a workspace: the base files, with `changes` replacing (or, when null, removing) some. */
export async function workspace(changes: Record<string, string | Buffer | null> = {}): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), "trueup-test-"));
  made.push(dir);
  const files: Record<string, string | Buffer | null> = { ...BASE_FILES, ...changes };
  for (const [name, content] of Object.entries(files)) {
    if (content === null) continue;
    await mkdir(dirname(join(dir, name)), { recursive: true });
    await writeFile(join(dir, name), content);
  }
  return dir;
}

/** An empty temp folder, removed by cleanup(). */
export async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), "trueup-test-"));
  made.push(dir);
  return dir;
}

/** Removes every folder made by workspace() and tempDir(); call it from afterAll. */
export async function cleanup(): Promise<void> {
  await Promise.all(made.splice(0).map((d) => rm(d, { recursive: true, force: true })));
}

export interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `trueup ARGS...` in-process. */
export async function trueup(...args: string[]): Promise<Run> {
  const io = bufferIo("2026-11-01");
  const code = await main(["node", "trueup", ...args], io);
  return { code, stdout: io.stdout, stderr: io.stderr };
}

/** `line:column` (both from 1) of the first occurrence of `needle` in `text`, after `after` if given. */
export function at(text: string, needle: string, after = ""): string {
  const start = text.indexOf(after);
  const i = text.indexOf(needle, start < 0 ? 0 : start + after.length);
  if (start < 0 || i < 0) throw new Error(`"${needle}" not found in fixture`);
  const before = text.slice(0, i);
  const line = before.split("\n").length;
  return `${line}:${i - before.lastIndexOf("\n")}`;
}

/** The base trueup.yaml with one piece of text replaced. */
export function yamlWith(from: string, to: string): string {
  if (!BASE_YAML.includes(from)) throw new Error(`"${from}" not in BASE_YAML`);
  return BASE_YAML.replace(from, to);
}
