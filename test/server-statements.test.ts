import { createHash, randomBytes } from "node:crypto";
import type { AddressInfo } from "node:net";
import ExcelJS from "exceljs";
import { SMTPServer } from "smtp-server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SHARED_LIMIT } from "../src/server/routes/shared.ts";
import type { Statement } from "../src/statements/statement.ts";
import { pdfPages } from "./pdf-text.ts";
import { call, type Harness, type Session, signIn, startServer } from "./server-harness.ts";

// Statements, evidence, the breakdown and shared links through the API, over the real store.

process.env.TRUEUP_SECRET_KEY = randomBytes(32).toString("base64");

let h: Harness;
let viewer: Session;
let billing: Session;
let admin: Session;

beforeAll(async () => {
  h = await startServer();
  viewer = await signIn(h.app, "viewer");
  billing = await signIn(h.app, "billing");
  admin = await signIn(h.app, "admin");
});
afterAll(() => h.close());

const tokenOf = (url: string) => url.slice(url.lastIndexOf("/") + 1);

async function share(client = "harbor", body: object = {}) {
  const r = await call(h.app, billing, "POST", `/api/clients/${client}/statement-links`, body);
  expect(r.statusCode, r.body).toBe(201);
  return r.json() as { link: { id: number }; url: string };
}

async function auditActions(): Promise<
  { actor: string; action: string; entity: string; details: Record<string, unknown> }[]
> {
  return (await h.store.audit({ limit: 500, offset: 0 })).items as never;
}

describe("statements and reports in the app", () => {
  it("the statement of the latest run in each format; its lines are the run's", async () => {
    const json = await call(h.app, viewer, "GET", "/api/clients/harbor/statement?format=json");
    expect(json.statusCode, json.body).toBe(200);
    const s = json.json() as Statement;
    const run = await h.store.latestRun();
    const report = (await h.store.runReport(run?.id ?? 0)) as {
      clients: { id: string; lines: { subject: string; required: number; price: string | null }[] }[];
    };
    const lines = report.clients.find((c) => c.id === "harbor")?.lines ?? [];
    for (const l of s.lines) {
      const r = lines.find((x) => x.subject === l.subject);
      expect(l.quantity).toBe(r?.required);
      expect(l.unitPrice).toBe(r?.price);
    }
    const pdf = await call(h.app, viewer, "GET", "/api/clients/harbor/statement?format=pdf");
    expect(pdf.headers["content-type"]).toBe("application/pdf");
    expect((await pdfPages(pdf.rawPayload)).join("\n")).toContain("Harbor Dental Group");
    const html = await call(h.app, viewer, "GET", "/api/clients/harbor/statement");
    expect(html.body).toContain("greta.lindqvist@harbordental.example");
    expect((await call(h.app, viewer, "GET", "/api/clients/nobody/statement")).statusCode).toBe(404);
    expect((await call(h.app, null, "GET", "/api/clients/harbor/statement")).statusCode).toBe(401);
  });

  it("evidence as CSV lists each gap with no console row", async () => {
    const r = await call(h.app, viewer, "GET", "/api/clients/evergreen/evidence?format=csv");
    expect(r.statusCode).toBe(200);
    expect(r.body).toContain("evergreen,2026-11-01,protection,EFC-EXAM07,workstation");
    expect(r.body).toMatch(/EFC-EXAM07,[^\r\n]*SentinelOne Singularity Complete,gap,\r\n/);
  });

  it("the breakdown by service totals its clients, and downloads as XLSX", async () => {
    const r = await call(h.app, viewer, "GET", "/api/reports/breakdown?groupBy=service&subjects=edr");
    const b = r.json() as {
      groups: { key: string; rows: { required: number | null }[]; total: { required: number } }[];
    };
    expect(b.groups.map((g) => g.key)).toEqual(["service:edr"]);
    const edr = b.groups[0];
    expect(edr?.total.required).toBe(edr?.rows.reduce((n, x) => n + (x.required ?? 0), 0));
    const x = await call(
      h.app,
      viewer,
      "GET",
      "/api/reports/breakdown?groupBy=service&subjects=edr&format=xlsx",
    );
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(x.rawPayload as unknown as ArrayBuffer);
    const sheet = wb.getWorksheet("Breakdown");
    const last = sheet?.getRow(sheet.rowCount);
    expect(last?.getCell(2).value).toBe("Total");
    expect(last?.getCell(4).value).toBe(edr?.total.required);
  });

  it("the MSP's details are edited in the app and printed on the statement", async () => {
    const msp = { name: "Northwind IT Services", address: ["12 Harbour Road", "Portland"], paper: "Letter" };
    expect((await call(h.app, viewer, "PUT", "/api/settings/msp", msp)).statusCode).toBe(403);
    const put = await call(h.app, admin, "PUT", "/api/settings/msp", msp);
    expect(put.statusCode, put.body).toBe(204);
    expect((await call(h.app, viewer, "GET", "/api/settings/msp")).json()).toEqual(msp);
    expect(await h.store.configYaml()).toContain("Portland");
    const s = (
      await call(h.app, viewer, "GET", "/api/clients/delta/statement?format=json")
    ).json() as Statement;
    expect(s.msp.paper).toBe("Letter");
  });

  it("what changed comes from the run of the month before", async () => {
    await h.store.reconcile({ asOf: "2026-10-20", today: "2026-11-01" }, { name: "test" });
    await h.store.reconcile({ asOf: "2026-11-01", today: "2026-11-01" }, { name: "test" });
    const s = (
      await call(h.app, viewer, "GET", "/api/clients/evergreen/statement?format=json&month=2026-11")
    ).json() as Statement;
    expect(s.changes?.previousMonth).toBe("2026-10");
    // EFC-NS03 was last seen 2026-10-01: current on 2026-10-20, stale by 2026-11-01.
    expect(s.changes?.members).toContainEqual(
      expect.objectContaining({ change: "left", member: expect.objectContaining({ name: "EFC-NS03" }) }),
    );
  });
});

describe("shared statement links", () => {
  it("only billing and admin share; the token is 128 bits and stored only as its hash", async () => {
    expect((await call(h.app, viewer, "POST", "/api/clients/harbor/statement-links", {})).statusCode).toBe(
      403,
    );
    const { url, link } = await share();
    const token = tokenOf(url);
    expect(url).toMatch(/\/s\/[A-Za-z0-9_-]{22}$/);
    expect(Buffer.from(token, "base64url")).toHaveLength(16);
    const listed = await call(h.app, viewer, "GET", "/api/clients/harbor/statement-links");
    expect(listed.body).not.toContain(token);
    expect(listed.json()[0].id).toBe(link.id);
    const shared = await h.store.statementLink(link.id);
    expect(JSON.stringify(shared)).not.toContain(token);
    expect(
      await h.store.openStatementLink(createHash("sha256").update(token).digest("hex"), "x"),
    ).toBeUndefined();
  });

  it("opens without signing in, acknowledges, and both are in the audit log", async () => {
    const { url, link } = await share("cobalt");
    const token = tokenOf(url);
    const page = await h.app.inject({ method: "GET", url: `/s/${token}` });
    expect(page.statusCode).toBe(200);
    expect(page.headers["cache-control"]).toBe("no-store");
    expect(page.headers["referrer-policy"]).toBe("no-referrer");
    expect(page.body).toContain("Cobalt Freight &#38; Logistics");
    expect(page.body).toContain(`action="/s/${token}/acknowledge"`);
    const ack = await h.app.inject({
      method: "POST",
      url: `/s/${token}/acknowledge`,
      headers: { "content-type": "application/x-www-form-urlencoded" },
      payload: "name=Jo+Cobalt",
    });
    expect(ack.statusCode).toBe(303);
    const after = await h.app.inject({ method: "GET", url: `/s/${token}` });
    expect(after.body).toContain("Acknowledged by Jo Cobalt");
    const audit = (await auditActions()).filter((a) => a.details.link === link.id);
    expect(audit.map((a) => a.action)).toEqual([
      "statement.view",
      "statement.acknowledge",
      "statement.view",
      "statement.share",
    ]);
    expect(audit[1]?.details.name).toBe("Jo Cobalt");
    expect(audit[1]?.entity).toBe("client:cobalt");
  });

  it("a revoked, an expired and an unknown link answer 404 alike", async () => {
    const { url, link } = await share("delta");
    expect((await h.app.inject({ method: "GET", url: `/s/${tokenOf(url)}` })).statusCode).toBe(200);
    expect((await call(h.app, billing, "DELETE", `/api/statement-links/${link.id}`)).statusCode).toBe(204);
    const revoked = await h.app.inject({ method: "GET", url: `/s/${tokenOf(url)}` });
    expect(revoked.statusCode).toBe(404);
    const ackRevoked = await h.app.inject({
      method: "POST",
      url: `/s/${tokenOf(url)}/acknowledge`,
      payload: { name: "x" },
    });
    expect(ackRevoked.statusCode).toBe(404);
    const expired = await h.store.createStatementLink(
      { clientId: "delta", month: "2026-11", statement: {}, expiresAt: new Date(Date.now() - 1000) },
      { name: "test" },
    );
    const e = await h.app.inject({ method: "GET", url: `/s/${expired.token}` });
    expect(e.statusCode).toBe(404);
    const unknown = await h.app.inject({ method: "GET", url: `/s/${randomBytes(16).toString("base64url")}` });
    expect(unknown.statusCode).toBe(404);
    expect(e.json().error).toEqual(unknown.json().error);
    expect((await auditActions()).find((a) => a.action === "statement.revoke")?.details.link).toBe(link.id);
  });

  it("an address that asks too often is refused for a while", async () => {
    const ip = "203.0.113.9";
    const codes: number[] = [];
    for (let i = 0; i <= SHARED_LIMIT; i++)
      codes.push(
        (
          await h.app.inject({
            method: "GET",
            url: `/s/${randomBytes(16).toString("base64url")}`,
            remoteAddress: ip,
          })
        ).statusCode,
      );
    expect(codes.slice(0, SHARED_LIMIT).every((c) => c === 404)).toBe(true);
    expect(codes.at(-1)).toBe(429);
    expect(
      (await h.app.inject({ method: "GET", url: "/s/xxxxxxxxxxxxxxxxxxxxxx", remoteAddress: "203.0.113.10" }))
        .statusCode,
    ).toBe(404);
  });
});

describe("sending a shared statement by e-mail", () => {
  it("goes through a real SMTP server with the stored, encrypted password", async () => {
    const received: {
      from: string;
      to: string[];
      auth: { username?: string; password?: string };
      raw: string;
    }[] = [];
    let auth: { username?: string; password?: string } = {};
    const smtp = new SMTPServer({
      disabledCommands: ["STARTTLS"],
      allowInsecureAuth: true,
      authMethods: ["PLAIN", "LOGIN"],
      onAuth(a, _session, cb) {
        auth = { username: a.username ?? undefined, password: a.password ?? undefined };
        if (a.password !== "smtp-pass-123") return cb(new Error("bad password"));
        cb(null, { user: a.username });
      },
      onData(stream, session, cb) {
        const chunks: Buffer[] = [];
        stream.on("data", (c: Buffer) => chunks.push(c));
        stream.on("end", () => {
          received.push({
            from: session.envelope.mailFrom ? session.envelope.mailFrom.address : "",
            to: session.envelope.rcptTo.map((r) => r.address),
            auth,
            raw: Buffer.concat(chunks).toString("utf8"),
          });
          cb();
        });
      },
    });
    await new Promise<void>((resolve) => smtp.listen(0, "127.0.0.1", resolve));
    try {
      const port = (smtp.server.address() as AddressInfo).port;
      const { url, link } = await share("harbor");
      const early = await call(h.app, billing, "POST", `/api/statement-links/${link.id}/send`, {
        to: "office@harbordental.example",
        url,
      });
      expect(early.statusCode).toBe(409);
      const settings = {
        host: "127.0.0.1",
        port,
        secure: false,
        user: "northwind",
        from: "billing@northwind.example",
        password: "smtp-pass-123",
      };
      expect((await call(h.app, billing, "PUT", "/api/settings/mail", settings)).statusCode).toBe(403);
      expect((await call(h.app, admin, "PUT", "/api/settings/mail", settings)).statusCode).toBe(204);
      const shown = await call(h.app, admin, "GET", "/api/settings/mail");
      expect(shown.body).not.toContain("smtp-pass-123");
      expect(shown.json().passwordSet).toBe(true);
      const sent = await call(h.app, billing, "POST", `/api/statement-links/${link.id}/send`, {
        to: "office@harbordental.example",
        url,
      });
      expect(sent.statusCode, sent.body).toBe(204);
      expect(received).toHaveLength(1);
      const mail = received[0];
      expect(mail?.to).toEqual(["office@harbordental.example"]);
      expect(mail?.from).toBe("billing@northwind.example");
      expect(mail?.auth).toEqual({ username: "northwind", password: "smtp-pass-123" });
      expect(mail?.raw).toContain(url);
      expect(mail?.raw).toMatch(/Content-Type: application\/pdf/i);
      expect((await auditActions()).find((a) => a.action === "statement.send")?.details).toEqual({
        link: link.id,
        to: "office@harbordental.example",
      });
    } finally {
      await new Promise<void>((resolve) => smtp.close(() => resolve()));
    }
  });
});
