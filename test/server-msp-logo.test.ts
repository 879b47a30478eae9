import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MAX_LOGO_BYTES } from "../src/statements/logo.ts";
import { call, demoDir, type Harness, type Session, signIn, startServer } from "./server-harness.ts";

// The MSP's logo uploaded in the app (issue 14): the app has no workspace folder, so the logo is
// stored in the database and printed on the app's statements, evidence and shared links.

let h: Harness;
let viewer: Session;
let billing: Session;
let admin: Session;
let png: Buffer;

beforeAll(async () => {
  h = await startServer();
  viewer = await signIn(h.app, "viewer");
  billing = await signIn(h.app, "billing");
  admin = await signIn(h.app, "admin");
  png = await readFile(join(demoDir, "logo.png"));
});
afterAll(() => h.close());

/** The width and height a PNG's IHDR chunk gives. */
const pngSize = (b: Buffer) => ({ width: b.readUInt32BE(16), height: b.readUInt32BE(20) });

/** The dictionaries of the PDF's image XObjects (pdfkit writes dictionaries uncompressed). */
const imageXObjects = (pdf: Buffer) =>
  pdf.toString("latin1").match(/<<[^>]*\/Type \/XObject[^>]*\/Subtype \/Image[^>]*>>/g) ?? [];

const dataUrl = (b: Buffer, mime = "image/png") => `src="data:${mime};base64,${b.toString("base64")}"`;

const upload = (session: Session, body: unknown) =>
  call(h.app, session, "PUT", "/api/settings/msp/logo", body);

describe("the MSP's logo in the app", () => {
  it("without a logo, statements carry none", async () => {
    expect((await call(h.app, viewer, "GET", "/api/settings/msp/logo")).statusCode).toBe(404);
    const html = await call(h.app, viewer, "GET", "/api/clients/harbor/statement");
    expect(html.statusCode).toBe(200);
    expect(html.body).not.toContain('class="logo"');
    const pdf = await call(h.app, viewer, "GET", "/api/clients/harbor/statement?format=pdf");
    expect(imageXObjects(pdf.rawPayload)).toEqual([]);
  });

  it("only an admin uploads it", async () => {
    const body = { logo: png.toString("base64") };
    expect((await upload(viewer, body)).statusCode).toBe(403);
    expect((await upload(billing, body)).statusCode).toBe(403);
    expect((await call(h.app, billing, "DELETE", "/api/settings/msp/logo")).statusCode).toBe(403);
  });

  it("refuses a non-image, a damaged PNG, an oversize file and bad base64 with a 400 naming the field", async () => {
    const cases: [string, Buffer | string, RegExp][] = [
      ["text", Buffer.from("<svg xmlns='http://www.w3.org/2000/svg'/>"), /not a PNG or JPEG/],
      ["empty", Buffer.alloc(0), /empty/],
      ["truncated PNG", png.subarray(0, 60), /PNG cannot be read/],
      [
        "oversize",
        Buffer.concat([png, Buffer.alloc(MAX_LOGO_BYTES + 1 - png.length)]),
        /513 KB is more than the 512 KB/,
      ],
      ["not base64", "this is not base64!", /./],
    ];
    for (const [what, content, message] of cases) {
      const logo = typeof content === "string" ? content : content.toString("base64");
      const r = await upload(admin, { logo });
      expect(r.statusCode, what).toBe(400);
      const body = r.json() as {
        error: string;
        message: string;
        issues: { path: string; message: string }[];
      };
      expect(body.error, what).toBe("bad_request");
      expect(body.message, what).toContain("logo");
      expect(
        body.issues.map((i) => i.path),
        what,
      ).toEqual(["logo"]);
      expect(body.issues[0]?.message, what).toMatch(message);
    }
    expect((await call(h.app, viewer, "GET", "/api/settings/msp/logo")).statusCode).toBe(404);
  });

  it("a body far over the limit is refused before it is read (413)", async () => {
    const r = await upload(admin, { logo: Buffer.alloc(MAX_LOGO_BYTES * 2).toString("base64") });
    expect(r.statusCode).toBe(413);
  });

  it("an uploaded PNG is served back and embedded in the statement's HTML and PDF and the evidence", async () => {
    const r = await upload(admin, { logo: png.toString("base64") });
    expect(r.statusCode, r.body).toBe(204);
    const back = await call(h.app, viewer, "GET", "/api/settings/msp/logo");
    expect(back.headers["content-type"]).toBe("image/png");
    expect(back.rawPayload.equals(png)).toBe(true);

    const html = await call(h.app, viewer, "GET", "/api/clients/harbor/statement");
    expect(html.body).toContain(dataUrl(png));

    const { width, height } = pngSize(png);
    for (const url of [
      "/api/clients/harbor/statement?format=pdf",
      "/api/clients/evergreen/evidence?format=pdf",
    ]) {
      const pdf = await call(h.app, viewer, "GET", url);
      expect(pdf.statusCode, url).toBe(200);
      const images = imageXObjects(pdf.rawPayload);
      expect(images.length, url).toBeGreaterThan(0);
      expect(
        images.some((d) => d.includes(`/Width ${width}`) && d.includes(`/Height ${height}`)),
        url,
      ).toBe(true);
    }
    const audit = (await h.store.audit({ limit: 100, offset: 0 })).items.find((a) => a.action === "msp.logo");
    expect(audit?.actor).toBe("ada@admin.example");
    expect(audit?.details).toEqual({ mime: "image/png", bytes: png.length });
  });

  it("a shared link's page and PDF carry the logo", async () => {
    const shared = await call(h.app, billing, "POST", "/api/clients/harbor/statement-links", {});
    expect(shared.statusCode, shared.body).toBe(201);
    const url = (shared.json() as { url: string }).url;
    const token = url.slice(url.lastIndexOf("/") + 1);
    const page = await call(h.app, null, "GET", `/s/${token}`);
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain(dataUrl(png));
    const pdf = await call(h.app, null, "GET", `/s/${token}/pdf`);
    expect(imageXObjects(pdf.rawPayload).length).toBeGreaterThan(0);
  });

  it("a failed upload keeps the logo there was; a removed logo leaves statements without one", async () => {
    expect((await upload(admin, { logo: Buffer.from("GIF89a").toString("base64") })).statusCode).toBe(400);
    expect((await call(h.app, viewer, "GET", "/api/settings/msp/logo")).rawPayload.equals(png)).toBe(true);

    const del = await call(h.app, admin, "DELETE", "/api/settings/msp/logo");
    expect(del.statusCode).toBe(204);
    expect((await call(h.app, viewer, "GET", "/api/settings/msp/logo")).statusCode).toBe(404);
    const html = await call(h.app, viewer, "GET", "/api/clients/harbor/statement");
    expect(html.body).not.toContain('class="logo"');
    const pdf = await call(h.app, viewer, "GET", "/api/clients/harbor/statement?format=pdf");
    expect(imageXObjects(pdf.rawPayload)).toEqual([]);
    expect(
      (await h.store.audit({ limit: 100, offset: 0 })).items.some((a) => a.action === "msp.logo.remove"),
    ).toBe(true);
  });
});
