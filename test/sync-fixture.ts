import { mkdir, mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Connection } from "../src/connectors/types.ts";
import type { FakePsaLine, FakePsaSeed } from "./fakes/psa.ts";
import { seeded } from "./fakes/server.ts";

// A seeded MSP for the sync tests: clients with users and devices in workspace files, and a PSA whose
// lines drift from what they should be (too few or too many seats, a missing line, a tracking line
// off, a product billed on two lines, a client whose lines sit in two agreements). The same seed
// always gives the same workspace and PSA.

export const AS_OF = "2026-11-01";
export const EFFECTIVE = "2026-12-01";

const CATALOGUE = `currency: USD
asOf: '${AS_OF}'
services:
  - { id: edr, name: EDR, unit: device, cost: '4.00', price: '9.00', psaProduct: EDR }
  - { id: backup, name: Backup, unit: device, cost: '5.00', price: '12.00', psaProduct: BACKUP }
bundles:
  - id: gold
    name: Gold
    per: user
    price: '140.00'
    psaProduct: GOLD
    includes: [{ service: edr }]
`;

export interface SyncFixture {
  yaml(conn: Connection): string;
  files: Record<string, string>;
  psa: FakePsaSeed;
}

export function syncFixture(seed: number, clients = 4): SyncFixture {
  const rnd = seeded(seed);
  const int = (lo: number, hi: number) => lo + Math.floor(rnd() * (hi - lo + 1));
  const users = ["account,upn,enabled,licences"];
  const devices = ["account,hostname,type,lastSeen"];
  const psa: FakePsaSeed = { companies: [], agreements: [], lines: [] };
  const yamlClients: string[] = [];
  let lineId = 1000;
  const line = (
    agreement: string,
    product: string,
    quantity: number,
    price: string,
    start = "2026-01-01",
  ): void => {
    const l: FakePsaLine = {
      id: String(++lineId),
      agreement,
      product,
      quantity,
      unitPrice: price,
      startDate: start,
      active: true,
    };
    psa.lines.push(l);
  };
  for (let i = 1; i <= clients; i++) {
    const company = String(100 + i);
    const nUsers = int(1, 6);
    const nDevices = int(1, 5);
    for (let u = 1; u <= nUsers; u++) users.push(`t${i},u${u}@c${i}.example,true,SPB`);
    for (let d = 1; d <= nDevices; d++) devices.push(`r${i},pc${i}-${d},workstation,${AS_OF}`);
    yamlClients.push(
      `  - { id: c${i}, name: Client ${i}, ids: { psa: '${company}', microsoft: t${i}, rmm: r${i} }, plans: [{ bundle: gold }, { service: backup }] }`,
    );
    psa.companies.push({ id: company, name: `Client ${i}` });
    const main = String(500 + i * 2);
    psa.agreements.push({ id: main, company, name: `Managed services ${i}`, active: true });
    const split = rnd() < 0.2;
    if (split) psa.agreements.push({ id: String(501 + i * 2), company, name: `Projects ${i}`, active: true });
    const goldShape = rnd();
    if (goldShape < 0.2) {
      line(main, "GOLD", int(0, nUsers), "140.00", "2025-06-01");
      line(main, "GOLD", int(0, 3), "140.00", "2026-04-01");
    } else if (goldShape < 0.9) line(main, "GOLD", Math.max(0, nUsers + int(-2, 2)), "140.00");
    line(split ? String(501 + i * 2) : main, "EDR", Math.max(0, nDevices + int(-1, 1)), "0.00");
    if (rnd() < 0.6) line(main, "BACKUP", Math.max(0, nDevices + int(-2, 2)), "12.00");
  }
  // A former client: its ended agreement still names every product, as a PSA's catalogue would.
  psa.companies.push({ id: "999", name: "Former client" });
  psa.agreements.push({ id: "999", company: "999", name: "Ended agreement", active: false });
  for (const product of ["GOLD", "EDR", "BACKUP"]) {
    line("999", product, 1, product === "EDR" ? "0.00" : "1.00");
    (psa.lines.at(-1) as FakePsaLine).active = false;
  }
  const files = { "users.csv": `${users.join("\n")}\n`, "devices.csv": `${devices.join("\n")}\n` };
  const yaml = (conn: Connection) =>
    `${CATALOGUE}clients:\n${yamlClients.join("\n")}\nconnections:\n${connectionYaml(conn)}sources:
  - { kind: users, file: users.csv, vendor: microsoft }
  - { kind: devices, file: devices.csv }
  - { kind: billing, connection: ${conn.name} }
`;
  return { yaml, files, psa };
}

function connectionYaml(c: Connection): string {
  const lines = [`    kind: ${c.kind}`];
  if (c.url) lines.push(`    url: ${c.url}`);
  for (const [k, v] of Object.entries(c.settings)) lines.push(`    ${k}: ${JSON.stringify(v)}`);
  for (const [k, v] of Object.entries(c.secretEnv)) lines.push(`    ${k}Env: ${v}`);
  return `  ${c.name}:\n${lines.join("\n")}\n`;
}

export async function writeFixture(f: SyncFixture, conn: Connection, dir?: string): Promise<string> {
  const root = dir ?? (await mkdtemp(join(tmpdir(), "trueup-sync-")));
  await mkdir(root, { recursive: true });
  await writeFile(join(root, "trueup.yaml"), f.yaml(conn));
  for (const [name, text] of Object.entries(f.files)) await writeFile(join(root, name), text);
  return root;
}
