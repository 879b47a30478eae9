import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import { parse } from "csv-parse/sync";
import { Decimal } from "decimal.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { reconcile } from "../src/core/reconcile.ts";
import { reportToJson } from "../src/core/report.ts";
import { loadOrThrow } from "../src/workspace/load.ts";
import { call, demoDir, type Harness, type Session, signIn, startServer, TODAY } from "./server-harness.ts";

// The API over the demo workspace: validation, pagination, and figures that agree with the report.

let h: Harness;
let viewer: Session;
let billing: Session;
let admin: Session;

beforeAll(async () => {
  h = await startServer();
  [viewer, billing, admin] = await Promise.all([
    signIn(h.app, "viewer"),
    signIn(h.app, "billing"),
    signIn(h.app, "admin"),
  ]);
});
afterAll(async () => h?.close());

const get = async (url: string, session: Session = viewer) => {
  const response = await call(h.app, session, "GET", url);
  expect([url, response.statusCode]).toEqual([url, 200]);
  return response.json();
};

/** The report the CLI prints for the demo (trueup reconcile --workspace examples/demo --format json). */
async function cliReport() {
  const { input } = await loadOrThrow(demoDir, { today: TODAY });
  return reportToJson(reconcile(input)) as { totals: Record<string, unknown> };
}

describe("a bad body or query", () => {
  const bad = async (method: "GET" | "POST" | "PATCH", url: string, payload?: unknown) => {
    const response = await call(h.app, admin, method, url, payload);
    expect(response.statusCode).toBe(400);
    const body = response.json();
    expect(body.error).toBe("bad_request");
    return (body.issues as { path: string }[]).map((i) => i.path).sort();
  };

  it("names each field that is wrong", async () => {
    expect(await bad("POST", "/api/users", { email: "not an email", role: "boss" })).toEqual([
      "email",
      "role",
    ]);
    expect(await bad("POST", "/api/findings/decision", { key: "k", status: "dismissed" })).toEqual([
      "reason",
    ]);
  });

  it("names a nested field with its path", async () => {
    const mapping = { kind: "product", value: "GOLD", target: { kind: "plan", id: "gold" } };
    expect(await bad("POST", "/api/mappings", mapping)).toEqual(["target.kind"]);
  });

  it("names a query parameter", async () => {
    expect(await bad("GET", "/api/clients?limit=501")).toEqual(["limit"]);
    expect(await bad("GET", "/api/findings?status=maybe&offset=-1")).toEqual(["offset", "status"]);
    expect(await bad("GET", "/api/runs/diff?from=1")).toEqual(["to"]);
  });

  it("answers 400 to text that is not JSON", async () => {
    const response = await h.app.inject({
      method: "POST",
      url: "/api/runs",
      headers: { cookie: admin.cookie, "x-csrf-token": admin.csrf, "content-type": "application/json" },
      payload: "{ not json",
    });
    expect([response.statusCode, response.json().error]).toEqual([400, "bad_request"]);
  });
});

describe("lists", () => {
  it("page through the clients without losing or repeating one", async () => {
    const all = await get("/api/clients?limit=500");
    const pages = [];
    for (let offset = 0; offset < all.total; offset += 4) {
      const page = await get(`/api/clients?limit=4&offset=${offset}`);
      expect([page.limit, page.offset, page.total]).toEqual([4, offset, all.total]);
      pages.push(...page.items);
    }
    expect(pages).toEqual(all.items);
    expect(all.total).toBe(10);
  });

  it("default to 50 items from the start", async () => {
    const page = await get("/api/findings");
    expect([page.limit, page.offset, page.items.length]).toEqual([50, 0, page.total]);
  });

  it("page through the findings of the latest run", async () => {
    const first = await get("/api/findings?limit=10");
    const second = await get("/api/findings?limit=10&offset=10");
    expect(first.items).toHaveLength(10);
    const keys = new Set([...first.items, ...second.items].map((f: { key: string }) => f.key));
    expect(keys.size).toBe(first.items.length + second.items.length);
  });
});

describe("the dashboard", () => {
  it("totals what the run's report totals, which is what the CLI prints", async () => {
    const dashboard = await get("/api/dashboard");
    const { report } = await get(`/api/runs/${dashboard.run.id}`);
    const { dismissed, split, net, annual, ...totals } = dashboard.totals;
    expect(dismissed).toEqual({ impact: "0.00", findings: 0 });
    // The demo's under-billed 198.00: 58.00 of quantities (the by-type chart's bar), 140.00 of price.
    expect(split.underBilled).toEqual({ quantity: "58.00", price: "140.00" });
    const t = report.totals;
    const expectedNet = new Decimal(t.underBilled)
      .plus(t.licenceWaste)
      .minus(t.overBilled)
      .minus(t.licenceShortfall);
    expect([net, annual]).toEqual([expectedNet.toFixed(2), expectedNet.times(12).toFixed(2)]);
    expect(totals).toEqual(report.totals);
    expect(totals).toEqual((await cliReport()).totals);
  });

  it("splits the totals by client and by type without losing a cent", async () => {
    const { totals, byClient, byType } = await get("/api/dashboard");
    for (const key of ["underBilled", "overBilled", "licenceWaste", "licenceShortfall"]) {
      const sum = byClient.reduce(
        (s: Decimal, c: Record<string, string>) => s.plus(c[key] as string),
        new Decimal(0),
      );
      expect([key, sum.toFixed(2)]).toEqual([key, totals[key]]);
    }
    expect(byType.reduce((n: number, t: { count: number }) => n + t.count, 0)).toBe(totals.findings);
  });

  it("goes gzipped to a client that accepts gzip, the same JSON once unzipped", async () => {
    const plain = await call(h.app, viewer, "GET", "/api/dashboard");
    expect(plain.headers["content-encoding"]).toBeUndefined();
    const asked = (acceptEncoding: string) =>
      h.app.inject({
        method: "GET",
        url: "/api/dashboard",
        headers: { cookie: viewer.cookie, "accept-encoding": acceptEncoding },
      });
    const zipped = await asked("gzip, deflate, br");
    expect(zipped.statusCode).toBe(200);
    expect(zipped.headers["content-encoding"]).toBe("gzip");
    expect(zipped.headers.vary).toMatch(/accept-encoding/i);
    expect(gunzipSync(zipped.rawPayload).toString("utf8")).toBe(plain.body);
    expect(zipped.rawPayload.length).toBeLessThan(plain.rawPayload.length);
    // Refused with q=0: plain JSON.
    expect((await asked("gzip;q=0, identity")).headers["content-encoding"]).toBeUndefined();
  });

  it("ranks clients by impact, largest first", async () => {
    const { items } = await get("/api/clients");
    const impacts = items.map((c: { impact: string }) => new Decimal(c.impact));
    for (let i = 1; i < impacts.length; i++) expect(impacts[i - 1].gte(impacts[i])).toBe(true);
    // Ivy Lane Florists, a former client still billed 660.00 and costing 75.00 a month, comes first.
    expect(items[0].id).toBe("ivy");
  });
});

describe("a client page", () => {
  it("shows the report's lines and counts, and the users and devices behind them", async () => {
    const detail = await get("/api/clients/cobalt");
    const { report } = await get(`/api/runs/${(await get("/api/dashboard")).run.id}`);
    const reported = report.clients.find((c: { id: string }) => c.id === "cobalt");
    expect(detail.lines.map(({ name, ...l }: { name: string }) => l)).toEqual(reported.lines);
    expect(detail.lines.find((l: { subject: string }) => l.subject === "service:edr").name).toBe(
      "SentinelOne Singularity Complete",
    );
    expect(detail.users).toHaveLength(reported.counts.billableUsers);
    expect(detail.devices.filter((d: { current: boolean }) => d.current)).toHaveLength(
      reported.counts.currentDevices,
    );
    expect(detail.findings.map((f: { clientId: string }) => f.clientId)).toEqual(
      reported.findings.map(() => "cobalt"),
    );
    expect(detail.plans[0]).toEqual({ bundle: "frontline", users: { licencesAny: ["SPE_F1"] }, minimum: 40 });
  });

  it("goes gzipped to a browser, and as the same JSON to a client that takes no gzip", async () => {
    const asked = (acceptEncoding?: string) =>
      h.app.inject({
        method: "GET",
        url: "/api/clients/cobalt",
        headers: { cookie: viewer.cookie, ...(acceptEncoding ? { "accept-encoding": acceptEncoding } : {}) },
      });
    const zipped = await asked("gzip, deflate, br");
    expect([zipped.statusCode, zipped.headers["content-encoding"]]).toEqual([200, "gzip"]);
    expect(zipped.headers.vary).toMatch(/accept-encoding/i);
    const plain = await asked();
    expect(plain.headers["content-encoding"]).toBeUndefined();
    expect(gunzipSync(zipped.rawPayload).toString("utf8")).toBe(plain.body);
    expect(plain.json().id).toBe("cobalt");
    // Asked again: the page kept, the same bytes.
    expect((await asked("gzip")).rawPayload.equals(zipped.rawPayload)).toBe(true);
  });

  it("is 404 for a client the latest run does not know", async () => {
    const response = await call(h.app, viewer, "GET", "/api/clients/no-such-client");
    expect([response.statusCode, response.json().error]).toEqual([404, "not_found"]);
  });
});

describe("findings", () => {
  it("filter by client, type and status", async () => {
    const page = await get("/api/findings?clientId=cobalt&type=PRICE_MISMATCH&status=open");
    expect(page.items.map((f: { subject: string }) => f.subject)).toEqual(["bundle:gold-user"]);
  });

  it("export as CSV, one row per finding", async () => {
    const response = await call(h.app, viewer, "GET", "/api/findings.csv");
    expect(response.headers["content-type"]).toContain("text/csv");
    const rows = response.body.trimEnd().split("\r\n");
    expect(rows[0]).toMatch(/^runId,client,clientName,type,subject/);
    expect(rows).toHaveLength(1 + (await get("/api/dashboard")).totals.findings);
    // The workspace's currency (examples/demo/trueup.yaml: USD) on every row, after the amount.
    const header = rows[0]?.split(",") ?? [];
    const at = header.indexOf("currency");
    expect(header[at - 1]).toBe("monthlyImpact");
    const records: string[][] = parse(response.body, { from_line: 2 });
    expect(new Set(records.map((r) => r[at]))).toEqual(new Set(["USD"]));
  });

  it("search clients, subjects (by name too) and evidence; sort on a column; narrow to a dashboard total", async () => {
    const byName = await get("/api/findings?q=singularity%20complete");
    expect(new Set(byName.items.map((f: { subject: string }) => f.subject))).toEqual(
      new Set(["service:edr"]),
    );
    const byEvidence = await get("/api/findings?q=EFC-NS03");
    expect(byEvidence.items.map((f: { key: string }) => f.key)).toContain(
      "evergreen|STALE_DEVICE|device:EFC-NS03",
    );
    const all = (await get("/api/findings?limit=500")).items;
    const sorted = (await get("/api/findings?limit=500&sort=impact")).items;
    const impacts = sorted.map((f: { monthlyImpact: string }) => new Decimal(f.monthlyImpact));
    for (let i = 1; i < impacts.length; i++) expect(impacts[i - 1].gte(impacts[i])).toBe(true);
    expect(sorted).toHaveLength(all.length);
    const up = (await get("/api/findings?limit=500&sort=client&order=asc")).items;
    const names = up.map((f: { clientName: string }) => f.clientName.toLowerCase());
    expect(names).toEqual([...names].sort());
    // The dashboard's under-billed card: 198.00 in three findings, with the price mismatch.
    const under = await get("/api/findings?total=underBilled");
    expect(under.items.map((f: { type: string }) => f.type).sort()).toEqual([
      "PRICE_MISMATCH",
      "UNDER_BILLED",
      "UNDER_BILLED",
    ]);
    const totals = await get("/api/findings/totals?total=underBilled");
    expect(totals.open).toEqual({ impact: "198.00", findings: 3 });
    const searched = await get("/api/findings/totals?q=cobalt");
    expect(searched.open.findings).toBe(4);
  });

  it("carry the subject's name and the CLI table's sentence", async () => {
    const [f] = (await get("/api/findings?clientId=cobalt&type=PRICE_MISMATCH")).items;
    // The words of `trueup reconcile --format table` (src/cli/table.ts prints describeFinding).
    expect([f.subjectName, f.why]).toEqual(["Gold (per user)", "billed at 155.00, contract says 165.00"]);
  });

  it("stay dismissed, with their reason, in the next run", async () => {
    const [finding] = (await get("/api/findings?clientId=hollis&type=OVER_BILLED")).items;
    const reason = "contract allows 15 seats";
    const decided = await call(h.app, billing, "POST", "/api/findings/decision", {
      key: finding.key,
      status: "dismissed",
      reason,
    });
    expect(decided.statusCode).toBe(204);
    expect((await call(h.app, billing, "POST", "/api/runs", {})).statusCode).toBe(200);
    const [after] = (await get("/api/findings?clientId=hollis&type=OVER_BILLED")).items;
    expect([after.runId > finding.runId, after.status, after.reason]).toEqual([true, "dismissed", reason]);
  });

  it("leave the open totals of the dashboard, the client and the findings, shown as dismissed", async () => {
    const [finding] = (await get("/api/findings?clientId=hollis&type=OVER_BILLED")).items;
    expect(finding.status).toBe("dismissed");
    const cents = (m: string) => Math.round(Number(m) * 100);
    const { totals } = await get("/api/dashboard");
    const { report } = await get(`/api/runs/${finding.runId}`);
    expect(cents(report.totals.overBilled) - cents(totals.overBilled)).toBe(cents(finding.monthlyImpact));
    expect(totals.dismissed).toEqual({ impact: finding.monthlyImpact, findings: 1 });
    expect(totals.findings).toBe(report.totals.findings - 1);
    const client = await get("/api/clients/hollis");
    expect(client.dismissed).toEqual({ impact: finding.monthlyImpact, findings: 1 });
    const byStatus = await get("/api/findings/totals?clientId=hollis");
    expect(byStatus.dismissed).toEqual({ impact: finding.monthlyImpact, findings: 1 });
    // Reopened, it is back in every total at once.
    const reopened = await call(h.app, billing, "POST", "/api/findings/decision", {
      key: finding.key,
      status: "open",
    });
    expect(reopened.statusCode).toBe(204);
    const again = await get("/api/dashboard");
    expect([again.totals.overBilled, again.totals.dismissed.findings]).toEqual([report.totals.overBilled, 0]);
    expect((await get("/api/clients/hollis")).dismissed.findings).toBe(0);
  });

  it("refuses a dismissal until a date that is not after today, and takes one that is", async () => {
    const [finding] = (await get("/api/findings?clientId=hollis&type=OVER_BILLED")).items;
    const decide = (until: string) =>
      call(h.app, billing, "POST", "/api/findings/decision", {
        key: finding.key,
        status: "dismissed",
        reason: "agreed",
        until,
      });
    expect((await decide("2000-01-01")).statusCode).toBe(400);
    expect((await decide("2999-01-01")).statusCode).toBe(204);
    const [after] = (await get("/api/findings?clientId=hollis&type=OVER_BILLED")).items;
    expect([after.status, after.until]).toEqual(["dismissed", "2999-01-01"]);
  });
});

// Margin and what-if (docs/margin.md) over the demo's stored run: the CLI's figures, nothing saved.
describe("GET /api/margin", () => {
  it("answers the demo's margin from the stored rows, with the target read back from the database", async () => {
    const r = await call(h.app, billing, "GET", "/api/margin");
    expect(r.statusCode).toBe(200);
    const m = r.json();
    expect([m.totals.revenue, m.totals.cost, m.targetMargin]).toEqual(["21611.50", "4063.20", "78.0"]);
    expect(m.belowTarget[0]).toMatchObject({
      kind: "client-bundle",
      client: "harbor",
      bundle: "gold-user",
      shortfall: "51.30",
    });
  });
});

describe("POST /api/margin/whatif", () => {
  it("answers the Gold change before and after, and saves nothing", async () => {
    const yaml = await readFile(join(demoDir, "whatif-gold.yaml"), "utf8");
    const before = (await call(h.app, billing, "GET", "/api/catalogue")).json().yaml;
    const r = await call(h.app, billing, "POST", "/api/margin/whatif", { yaml });
    expect(r.statusCode).toBe(200);
    const w = r.json();
    expect([w.total.before.revenue, w.total.after.revenue, w.lines.length]).toEqual([
      "21611.50",
      "22611.50",
      5,
    ]);
    expect(w.lines[1]).toMatchObject({
      client: "cobalt",
      line: "data/psa.csv:8",
      to: { quantity: 14, unitPrice: "175.00" },
    });
    expect((await call(h.app, billing, "GET", "/api/catalogue")).json().yaml).toBe(before);
  });

  it("a change with errors is 400 with each issue at its line and field", async () => {
    const r = await call(h.app, billing, "POST", "/api/margin/whatif", { yaml: "sources: []\n" });
    expect(r.statusCode).toBe(400);
    expect(r.json().issues).toMatchObject([{ severity: "error", file: "change", line: 1, field: "sources" }]);
  });
});

describe("changes that fail validation store nothing", () => {
  it("refuses a catalogue with an error, naming its YAML line", async () => {
    const before = (await get("/api/catalogue")).yaml;
    const response = await call(h.app, billing, "PUT", "/api/catalogue", {
      yaml: before.replace("unit: user", "unit: seat"),
    });
    expect([response.statusCode, response.json().error]).toEqual([400, "invalid"]);
    expect(response.json().issues[0].line).toBeGreaterThan(1);
    expect((await get("/api/catalogue")).yaml).toBe(before);
  });

  it("refuses a file with a bad line, naming the line, and stores nothing", async () => {
    const source = (await get("/api/sources")).find((s: { kind: string }) => s.kind === "users");
    const content = `${(await readFile(join(demoDir, source.file), "utf8")).trimEnd()}\nnorthwind,x@y.z,X,maybe,,\n`;
    const upload = { sourceId: source.id, fileName: "users.csv", content };
    const preview = await call(h.app, billing, "POST", "/api/imports/preview", upload);
    expect(preview.statusCode).toBe(200);
    const lines = content.trimEnd().split("\n").length;
    expect(preview.json().issues.map((i: { line: number }) => i.line)).toContain(lines);
    const before = (await get("/api/imports")).total;
    const stored = await call(h.app, billing, "POST", "/api/imports", upload);
    expect([stored.statusCode, stored.json().error]).toEqual([400, "invalid"]);
    expect((await get("/api/imports")).total).toBe(before);
  });

  it("is 404 for a source that does not exist", async () => {
    const upload = { sourceId: 9999, fileName: "x.csv", content: "a,b\n" };
    expect((await call(h.app, billing, "POST", "/api/imports/preview", upload)).statusCode).toBe(404);
  });
});

describe("a file uploaded as its bytes (the import page's way)", () => {
  const users = async () => {
    const source = (await get("/api/sources")).find((s: { kind: string }) => s.kind === "users");
    const text = (await readFile(join(demoDir, source.file), "utf8")).replace("Amara Xu", "Zoë Café");
    return { source, text, query: `sourceId=${source.id}&fileName=users-1252.csv` };
  };

  it("reads a Windows-1252 file as such: a browser decoding it as UTF-8 first would lose its accents", async () => {
    const { text, query } = await users();
    const bytes = Buffer.from(text, "latin1");
    expect(bytes.includes(Buffer.from("Zoë", "utf8"))).toBe(false);
    const preview = await call(h.app, billing, "POST", `/api/imports/file/preview?${query}`, bytes);
    expect(preview.statusCode).toBe(200);
    expect(preview.json().rows[0]).toContain("Zoë Café");
    expect(preview.json().issues.filter((i: { severity: string }) => i.severity === "error")).toEqual([]);
    const before = (await get("/api/imports")).total;
    const stored = await call(h.app, billing, "POST", `/api/imports/file?${query}`, bytes);
    expect(stored.statusCode).toBe(200);
    expect(stored.json().import).toMatchObject({
      fileName: "users-1252.csv",
      rowCount: text.trimEnd().split("\n").length - 1,
    });
    expect((await get("/api/imports")).total).toBe(before + 1);
  });

  it("refuses a file with a bad line whole, and a body that is not a file", async () => {
    const { text, query } = await users();
    const bad = Buffer.from(`${text.trimEnd()}\nnorthwind,x@y.z,X,maybe,,\n`);
    const before = (await get("/api/imports")).total;
    const stored = await call(h.app, billing, "POST", `/api/imports/file?${query}`, bad);
    expect([stored.statusCode, stored.json().error]).toEqual([400, "invalid"]);
    expect(stored.json().issues.map((i: { line: number }) => i.line)).toContain(
      text.trimEnd().split("\n").length + 1,
    );
    const json = await call(h.app, billing, "POST", `/api/imports/file?${query}`, { content: text });
    expect([json.statusCode, json.json().message]).toEqual([
      400,
      "send the file's bytes as the body, with Content-Type application/octet-stream",
    ]);
    expect((await get("/api/imports")).total).toBe(before);
  });

  it("refuses a file over 64 MiB by its Content-Length (413), and a body shorter than it (400)", async () => {
    const { query } = await users();
    const send = (length: number, body: Buffer) =>
      h.app.inject({
        method: "POST",
        url: `/api/imports/file/preview?${query}`,
        headers: {
          cookie: billing.cookie,
          "x-csrf-token": billing.csrf,
          "content-type": "application/octet-stream",
          "content-length": String(length),
        },
        payload: body,
      });
    const huge = await send(64 * 1024 * 1024 + 1, Buffer.from("a,b\n"));
    expect([huge.statusCode, huge.json().error]).toEqual([413, "too_large"]);
    const short = await send(100, Buffer.from("a,b\n"));
    expect([short.statusCode, short.json().message]).toEqual([
      400,
      "the body is shorter than its Content-Length",
    ]);
  });
});

describe("runs", () => {
  it("lists the newest first and shows one with its report", async () => {
    await call(h.app, billing, "POST", "/api/runs", { asOf: "2026-11-02" });
    const { items } = await get("/api/runs");
    expect(items[0].asOf).toBe("2026-11-02");
    expect(items.map((r: { id: number }) => r.id)).toEqual(
      [...items.map((r: { id: number }) => r.id)].sort((a, b) => b - a),
    );
    const one = await get(`/api/runs/${items[0].id}`);
    expect([one.run, one.report.asOf]).toEqual([items[0], "2026-11-02"]);
  });

  it("diffs two runs, and is 404 for a run that does not exist", async () => {
    const { items } = await get("/api/runs");
    const diff = await get(`/api/runs/diff?from=${items.at(-1).id}&to=${items[0].id}`);
    expect(Object.keys(diff).sort()).toEqual(["appeared", "changed", "fixed", "from", "to"]);
    expect((await call(h.app, viewer, "GET", "/api/runs/9999")).statusCode).toBe(404);
  });

  it("refuses an as-of date that is not one", async () => {
    const response = await call(h.app, billing, "POST", "/api/runs", { asOf: "2026-13-45" });
    expect([response.statusCode, response.json().issues[0].path]).toEqual([400, "asOf"]);
  });
});

describe("accounts", () => {
  it("gives a new account a one-time password that signs it in", async () => {
    const created = await call(h.app, admin, "POST", "/api/users", {
      email: "new.person@msp.example",
      role: "billing",
    });
    expect(created.statusCode).toBe(200);
    const { user, password } = created.json();
    expect(user.role).toBe("billing");
    const session = await signIn(h.app, { email: "new.person@msp.example", password });
    expect((await call(h.app, session, "GET", "/api/auth/me")).json().user.id).toBe(user.id);
  });

  it("refuses a second account with the same email", async () => {
    const again = await call(h.app, admin, "POST", "/api/users", {
      email: "ADA@admin.example",
      role: "viewer",
    });
    expect([again.statusCode, again.json().error]).toEqual([409, "conflict"]);
  });

  it("keeps the last admin an admin, and changes other roles", async () => {
    const users = await get("/api/users", admin);
    const ada = users.find((u: { email: string }) => u.email === "ada@admin.example");
    const demote = await call(h.app, admin, "PATCH", `/api/users/${ada.id}`, { role: "viewer" });
    expect([demote.statusCode, demote.json().error]).toEqual([409, "conflict"]);
    const bill = users.find((u: { email: string }) => u.email === "bill@billing.example");
    expect((await call(h.app, admin, "PATCH", `/api/users/${bill.id}`, { role: "viewer" })).statusCode).toBe(
      204,
    );
    expect((await call(h.app, admin, "PATCH", `/api/users/${bill.id}`, { role: "billing" })).statusCode).toBe(
      204,
    );
    expect((await call(h.app, admin, "PATCH", "/api/users/9999", { role: "viewer" })).statusCode).toBe(404);
  });

  it("records changes in the audit log", async () => {
    const audit = await get("/api/audit?limit=500", admin);
    expect(audit.items.some((e: { actor: string }) => e.actor === "bill@billing.example")).toBe(true);
  });
});
