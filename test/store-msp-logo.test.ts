import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { checkLogo, logoType } from "../src/statements/logo.ts";
import type { Db } from "../src/store/db.ts";
import { createStore } from "../src/store/index.ts";
import type { Store } from "../src/store/store.ts";
import { demoDir } from "./server-harness.ts";
import { testClock, testDatabases } from "./store-databases.ts";

// The MSP's logo in the database (0007_msp_logo): bytes stored as uploaded (bytea, which PGlite and
// node-postgres hand back as different types), replaced, removed, refused unless PNG or JPEG.

const ADMIN = { name: "ada@admin.example" };

/** The shortest JPEG the PDF library takes: start of image, a baseline frame header (1x1, 3 channels), end. */
const JPEG = Buffer.from([
  0xff, 0xd8, 0xff, 0xc0, 0x00, 0x11, 0x08, 0x00, 0x01, 0x00, 0x01, 0x03, 0x01, 0x11, 0x00, 0x02, 0x11, 0x01,
  0x03, 0x11, 0x01, 0xff, 0xd9,
]);

describe("logo types by their first bytes", () => {
  it("tells PNG and JPEG from anything else, whatever the name", async () => {
    const png = await readFile(join(demoDir, "logo.png"));
    expect(logoType(png)).toBe("image/png");
    expect(logoType(JPEG)).toBe("image/jpeg");
    expect(logoType(Buffer.from("GIF89a"))).toBeUndefined();
    expect(logoType(png.subarray(0, 7))).toBeUndefined();
    expect(await checkLogo(JPEG)).toEqual({ logo: { bytes: JPEG, mime: "image/jpeg" } });
  });
});

describe.each(testDatabases())("the MSP's logo on $name", (target) => {
  let db: Db;
  let store: Store;
  let png: Buffer;
  const clock = testClock();

  beforeAll(async () => {
    db = await target.open();
    store = createStore(db, { now: clock.now });
    png = await readFile(join(demoDir, "logo.png"));
  });
  afterAll(async () => {
    await store.close();
    await target.drop();
  });

  it("stores the bytes as uploaded and gives them back, with who and when", async () => {
    expect(await store.mspLogo()).toBeUndefined();
    await store.setMspLogo(png, ADMIN);
    const logo = await store.mspLogo();
    expect(Buffer.isBuffer(logo?.bytes)).toBe(true);
    expect(logo?.bytes.equals(png)).toBe(true);
    expect(logo?.mime).toBe("image/png");
    expect(logo?.updatedBy).toBe(ADMIN.name);
    expect(logo?.updatedAt).toBe(clock.now().toISOString());
  });

  it("a new upload replaces it; a refused one changes nothing", async () => {
    clock.advance(5);
    await store.setMspLogo(JPEG, ADMIN);
    expect((await store.mspLogo())?.mime).toBe("image/jpeg");
    await expect(store.setMspLogo(Buffer.from("not an image"), ADMIN)).rejects.toThrow(
      /^logo: not a PNG or JPEG/,
    );
    expect((await store.mspLogo())?.bytes.equals(JPEG)).toBe(true);
    const rows = await db.selectFrom("msp_logo").select("id").execute();
    expect(rows).toEqual([{ id: 1 }]);
  });

  it("is removed, once; the audit log has each change", async () => {
    await store.removeMspLogo(ADMIN);
    await store.removeMspLogo(ADMIN);
    expect(await store.mspLogo()).toBeUndefined();
    const actions = (await store.audit({ limit: 50, offset: 0 })).items.map((a) => a.action);
    expect(actions.filter((a) => a.startsWith("msp.logo")).sort()).toEqual([
      "msp.logo",
      "msp.logo",
      "msp.logo.remove",
    ]);
  });
});
