import { randomBytes } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createStore, openDb } from "../src/store/index.ts";
import { serve, trueupBinary } from "./ops-harness.ts";
import { withEnv } from "./store-databases.ts";

// `trueup secrets rotate`: every stored connection secret re-encrypted from the old key to the new
// one, all or nothing; and a server started with the wrong key says at once which connections'
// secrets it cannot decrypt.

const key = () => randomBytes(32).toString("base64");
const OLD = key();
const NEW = key();
const OTHER = key();
const VALUES = {
  "cw/privateKey": "cw-priv-ROT01",
  "cw/publicKey": "cw-pub-ROT02",
  "ninja/clientSecret": "nj-ROT03",
};

// Secrets are stored for connections of the catalogue (and bound to their kind and address).
const CONFIG = `currency: USD
services:
  - { id: edr, name: EDR, unit: device, cost: '4.00', price: '9.00', psaProduct: EDR, deployment: edr }
clients:
  - { id: acme, name: Acme, ids: { psa: '101', rmm: '1', edr: '7' }, plans: [{ service: edr }] }
connections:
  cw: { kind: connectwise, url: https://cw.example/v4_6_release/apis/3.0, companyId: acme, publicKeyEnv: TRUEUP_CONN_CW_PUBLIC, privateKeyEnv: TRUEUP_CONN_CW_PRIVATE, clientIdEnv: TRUEUP_CONN_CW_CLIENT }
  ninja: { kind: ninjaone, url: https://ninja.example, clientIdEnv: TRUEUP_CONN_NINJA_ID, clientSecretEnv: TRUEUP_CONN_NINJA_SECRET }
  s1: { kind: sentinelone, url: https://s1.example, apiTokenEnv: TRUEUP_CONN_S1_TOKEN }
sources:
  - { kind: devices, connection: ninja }
  - { kind: deployments, connection: s1, deployment: edr }
  - { kind: billing, connection: cw }
`;

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "trueup-rotate-"));
  await withEnv({ TRUEUP_SECRET_KEY: OLD }, async () => {
    const store = createStore(await openDb({ dataDir: dir }));
    try {
      await store.addUser("admin@msp.example", "admin", { name: "test" });
      const { issues } = await store.saveConfigYaml(CONFIG, { name: "test" });
      expect(issues.filter((i) => i.severity === "error")).toEqual([]);
      for (const [ref, value] of Object.entries(VALUES)) {
        const [connection, name] = ref.split("/") as [string, string];
        await store.setSecret(connection, name, value, { name: "test" });
      }
    } finally {
      await store.close();
    }
  });
});
afterAll(async () => rm(dir, { recursive: true, force: true }));

/** What each stored secret reads as under `k` ("!" where it cannot be decrypted), and the raw rows. */
async function read(k: string): Promise<{ values: Record<string, string>; sealed: string[] }> {
  return withEnv({ TRUEUP_SECRET_KEY: k }, async () => {
    const db = await openDb({ dataDir: dir });
    const store = createStore(db);
    try {
      const values: Record<string, string> = {};
      for (const c of ["cw", "ninja", "s1"]) {
        try {
          for (const [n, v] of Object.entries(await store.storedSecrets(c))) values[`${c}/${n}`] = v;
        } catch {
          for (const n of await store.secretNames(c)) values[`${c}/${n.name}`] = "!";
        }
      }
      const rows = await db.selectFrom("connection_secrets").select("sealed").orderBy("connection").execute();
      return { values, sealed: rows.map((r) => r.sealed).sort() };
    } finally {
      await store.close();
    }
  });
}

describe("secrets rotate", () => {
  it("re-encrypts every secret under the new key; the old key opens none of them", async () => {
    const r = await trueupBinary(["secrets", "rotate"], {
      TRUEUP_DATA: dir,
      TRUEUP_SECRET_KEY: OLD,
      TRUEUP_NEW_SECRET_KEY: NEW,
    });
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("Re-encrypted 3 secrets of 2 connections (cw, ninja)");
    expect(r.stdout).not.toContain(NEW);
    expect((await read(NEW)).values).toEqual(VALUES);
    expect(Object.values((await read(OLD)).values)).toEqual(["!", "!", "!"]);
  }, 120_000);

  it("changes nothing when one secret does not open with the old key, and names it", async () => {
    // A secret stored by a process that had another key: the rotation from NEW cannot open it.
    await withEnv({ TRUEUP_SECRET_KEY: OTHER }, async () => {
      const store = createStore(await openDb({ dataDir: dir }));
      await store.setSecret("s1", "apiToken", "s1-ROT04", { name: "test" });
      await store.close();
    });
    const before = await read(NEW);
    const r = await trueupBinary(["secrets", "rotate"], {
      TRUEUP_DATA: dir,
      TRUEUP_SECRET_KEY: NEW,
      TRUEUP_NEW_SECRET_KEY: key(),
    });
    expect(r).toMatchObject({ code: 2, stdout: "" });
    expect(r.stderr).toContain(
      "cannot decrypt the stored secrets of s1 (apiToken): nothing was re-encrypted",
    );
    expect(await read(NEW)).toEqual(before);
    expect(before.values).toEqual({ ...VALUES, "s1/apiToken": "!" });
  }, 120_000);

  it("refuses without the new key, or with the same key twice", async () => {
    const missing = await trueupBinary(["secrets", "rotate"], { TRUEUP_DATA: dir, TRUEUP_SECRET_KEY: NEW });
    expect(missing).toMatchObject({ code: 2, stdout: "" });
    expect(missing.stderr).toContain("TRUEUP_NEW_SECRET_KEY is not set");
    const same = await trueupBinary(["secrets", "rotate"], {
      TRUEUP_DATA: dir,
      TRUEUP_SECRET_KEY: NEW,
      TRUEUP_NEW_SECRET_KEY: NEW,
    });
    expect(same.code).toBe(2);
    expect(same.stderr).toContain("is the same key");
  }, 120_000);

  it("a server started with the wrong key names the connections it cannot decrypt", async () => {
    const server = await serve({ TRUEUP_DATA: dir, TRUEUP_SECRET_KEY: OLD }, ["--no-schedule"]);
    try {
      expect(server.stderr).toContain(
        "TRUEUP_SECRET_KEY is not the key they were stored with: the stored secrets of cw (privateKey, " +
          "publicKey), ninja (clientSecret), s1 (apiToken) cannot be decrypted",
      );
      for (const v of Object.values(VALUES)) expect(server.stderr).not.toContain(v);
    } finally {
      expect(await server.stop()).toBe(0);
    }
    const right = await serve({ TRUEUP_DATA: dir, TRUEUP_SECRET_KEY: NEW }, ["--no-schedule"]);
    try {
      expect(right.stderr).toContain("the stored secrets of s1 (apiToken) cannot be decrypted");
      expect(right.stderr).not.toContain("cw (");
    } finally {
      expect(await right.stop()).toBe(0);
    }
  }, 180_000);
});
