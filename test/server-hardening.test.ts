import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { call, type Harness, type Session, signIn, startServer } from "./server-harness.ts";

// The API against malformed text and oversized input (docs/security.md "Malformed text and
// limits"): every refusal is a 400 that names the field, never a 500.

let h: Harness;
let billing: Session;

beforeAll(async () => {
  h = await startServer();
  billing = await signIn(h.app, "billing");
}, 180_000);
afterAll(async () => h?.close());

const NUL = "\u0000";
const LONE = "\ud800";

interface Refusal {
  error: string;
  issues: { path: string; message: string }[];
}

async function refused(
  method: "POST" | "PUT",
  url: string,
  payload: unknown,
  session: Session | null = billing,
) {
  const response = await call(h.app, session, method, url, payload);
  expect([url, response.statusCode]).toEqual([url, 400]);
  return response.json() as Refusal;
}

async function source(kind: string): Promise<{ id: number; file: string }> {
  const sources = (await call(h.app, billing, "GET", "/api/sources")).json() as {
    id: number;
    kind: string;
    file: string;
  }[];
  const found = sources.find((s) => s.kind === kind);
  if (!found) throw new Error(`no ${kind} source`);
  return found;
}

describe("NUL and lone surrogates", () => {
  for (const [name, bad] of [
    ["NUL", NUL],
    ["a lone surrogate", LONE],
  ] as const) {
    it(`${name} in the login email is a 400 naming email`, async () => {
      const body = await refused(
        "POST",
        "/api/auth/login",
        { email: `a${bad}@b.example`, password: "whatever-pw-1" },
        null,
      );
      expect(body.error).toBe("bad_request");
      expect(body.issues.map((i) => i.path)).toEqual(["email"]);
    });

    it(`${name} in an import's file name is a 400 naming fileName`, async () => {
      const { id } = await source("users");
      const upload = { sourceId: id, fileName: `users${bad}.csv`, content: "account,upn\n" };
      for (const url of ["/api/imports/preview", "/api/imports"]) {
        const body = await refused("POST", url, upload);
        expect(body.issues.map((i) => i.path)).toEqual(["fileName"]);
      }
    });

    it(`${name} in a decision's reason is a 400 naming reason`, async () => {
      const key = (await call(h.app, billing, "GET", "/api/findings?limit=1")).json().items[0].key;
      const body = await refused("POST", "/api/findings/decision", {
        key,
        status: "dismissed",
        reason: `no${bad}`,
      });
      expect(body.issues.map((i) => i.path)).toEqual(["reason"]);
    });

    it(`${name} in a mapping's value is a 400 naming value`, async () => {
      const mapping = { kind: "account", system: "psa", value: `x${bad}`, clientId: "birchwood" };
      const body = await refused("POST", "/api/mappings", mapping);
      expect(body.issues.map((i) => i.path)).toEqual(["value"]);
    });

    it(`${name} in a comment of the catalogue YAML is a 400 naming yaml and the line`, async () => {
      const yaml = (await call(h.app, billing, "GET", "/api/catalogue")).json().yaml as string;
      const body = await refused("PUT", "/api/catalogue", {
        yaml: `# a comment\n# with ${bad} in it\n${yaml}`,
      });
      expect(body.issues.map((i) => i.path)).toEqual(["yaml"]);
      expect(body.issues[0]?.message).toContain("line 2, column 8");
      expect((await call(h.app, billing, "GET", "/api/catalogue")).json().yaml).toBe(yaml);
    });
  }

  it("a file's content with a NUL is a 400 naming content and the line", async () => {
    const { id } = await source("users");
    const upload = { sourceId: id, fileName: "users.csv", content: `account,upn\nacme,a${NUL}@b.example\n` };
    const body = await refused("POST", "/api/imports", upload);
    expect(body.issues).toEqual([{ path: "content", message: expect.stringContaining("line 2, column 7") }]);
  });
});

describe("a YAML alias bomb", () => {
  it("is refused with the YAML line, not a 500, and nothing is saved", async () => {
    const yaml = (await call(h.app, billing, "GET", "/api/catalogue")).json().yaml as string;
    const level = (name: string, of: string) => `${name}: &${name} [${Array(9).fill(of).join(",")}]`;
    const bomb = [
      level("a", '"lol"'),
      level("b", "*a"),
      level("c", "*b"),
      level("d", "*c"),
      level("e", "*d"),
    ];
    const response = await call(h.app, billing, "PUT", "/api/catalogue", {
      yaml: `${bomb.join("\n")}\n${yaml}`,
    });
    expect(response.statusCode).toBe(400);
    const issue = response.json().issues[0];
    expect(issue).toMatchObject({ file: "trueup.yaml", line: 2 });
    expect(issue.message).toMatch(/alias/);
    expect((await call(h.app, billing, "GET", "/api/catalogue")).json().yaml).toBe(yaml);
  });
});

describe("a header of a million columns", () => {
  const header = Array.from({ length: 1_000_000 }, (_, i) => `col${i}`).join(",");

  it("is refused by the import route in a small answer, quickly, naming line 1", async () => {
    const { id } = await source("users");
    const upload = { sourceId: id, fileName: "wide.csv", content: `${header}\nacme,a@b.example\n` };
    expect(upload.content.length).toBeGreaterThan(7_000_000);
    for (const url of ["/api/imports/preview", "/api/imports"]) {
      // CPU time, not wall time: the machine running the tests may be busy.
      const cpu = process.cpuUsage();
      const response = await call(h.app, billing, "POST", url, upload);
      const used = process.cpuUsage(cpu);
      expect(response.body.length).toBeLessThan(10_000);
      expect((used.user + used.system) / 1000).toBeLessThan(2_000);
      const issues = response.json().issues as { line?: number; message: string }[];
      expect(issues[0]).toMatchObject({ line: 1, message: expect.stringContaining("1,000,000 columns") });
    }
  });

  it("a file of many bad rows answers the first 1,000 issues and how many more", async () => {
    const { id } = await source("users");
    const rows = Array.from(
      { length: 3000 },
      (_, i) => `birchwoodlegal.example,u${i}@b.example,U,maybe,,member`,
    );
    const content = `account,upn,displayName,enabled,licences,userType\n${rows.join("\n")}\n`;
    const response = await call(h.app, billing, "POST", "/api/imports", {
      sourceId: id,
      fileName: "u.csv",
      content,
    });
    expect(response.statusCode).toBe(400);
    const issues = response.json().issues as { message: string }[];
    expect(issues).toHaveLength(1001);
    expect(issues[1000]?.message).toContain("and 2,000 more");
  });
});

describe("saving the catalogue", () => {
  it("keeps the imports and the report when the text is the same, and a check names what a real change detaches", async () => {
    const yaml = (await call(h.app, billing, "GET", "/api/catalogue")).json().yaml as string;
    const sources = async () =>
      (await call(h.app, billing, "GET", "/api/sources")).json() as {
        id: number;
        file: string;
        lastImport?: { id: number };
      }[];
    const before = await sources();
    expect(before.every((s) => s.lastImport !== undefined)).toBe(true);
    const findings = async () =>
      (await call(h.app, billing, "GET", "/api/findings?limit=1")).json().total as number;
    const total = (await findings()) as number;

    const same = await call(h.app, billing, "POST", "/api/catalogue/check", { yaml });
    expect(same.json()).toEqual({ issues: [], detached: [] });
    expect((await call(h.app, billing, "PUT", "/api/catalogue", { yaml })).statusCode).toBe(200);
    expect(await sources()).toEqual(before);
    expect((await call(h.app, billing, "POST", "/api/runs", {})).statusCode).toBe(200);
    expect(await findings()).toBe(total);

    const devices = before.find((s) => s.file === "data/devices.csv");
    const changed = yaml.replace(/(kind: devices,\s+format: )trueup-devices/, "$1ninjaone-devices");
    expect(changed).not.toBe(yaml);
    const check = await call(h.app, billing, "POST", "/api/catalogue/check", { yaml: changed });
    expect(check.json().detached).toEqual([
      expect.objectContaining({
        id: devices?.id,
        kind: "devices",
        file: "data/devices.csv",
        lastImport: expect.objectContaining({ id: devices?.lastImport?.id }),
      }),
    ]);
    expect(await sources()).toEqual(before);
  });
});
