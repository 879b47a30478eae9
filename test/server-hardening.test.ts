import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { call, type Harness, type Session, signIn, startServer } from "./server-harness.ts";

// The API against malformed text and oversized input (docs/security.md "Malformed text and
// limits"): every refusal is a 400 that names the field, never a 500.

let h: Harness;
let billing: Session;

beforeAll(async () => {
  h = await startServer();
  billing = await signIn(h.app, "billing");
});
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
