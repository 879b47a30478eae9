import { readFile } from "node:fs/promises";
import { describe, expect, it } from "vitest";
import { generatedWebTypes, WEB_TYPES_FILE } from "../src/server/api-document.ts";
import { webTypes } from "../src/server/web-types.ts";

// The web UI's types come from the routes' zod schemas through the OpenAPI document. A schema changed
// without `npm run web-types` leaves web/src/api.gen.ts behind: this test names the command.

describe("web/src/api.gen.ts", () => {
  it("is what the routes' schemas give today (else: npm run web-types)", async () => {
    const committed = await readFile(WEB_TYPES_FILE, "utf8");
    const fresh = await generatedWebTypes();
    expect(committed === fresh, `${WEB_TYPES_FILE} is out of date: run npm run web-types`).toBe(true);
  }, 60_000);

  it("writes each JSON Schema form as the TypeScript a person would write", () => {
    const text = webTypes({
      components: {
        schemas: {
          Thing: {
            type: "object",
            description: "a thing",
            properties: {
              id: { type: "integer" },
              name: { type: ["string", "null"] },
              kind: { enum: ["a", "b"] },
              tags: { type: "array", items: { anyOf: [{ type: "string" }, { type: "number" }] } },
              extra: { type: "object", additionalProperties: { type: "string" } },
              any: {},
              "odd-key": { const: 3 },
            },
            required: ["id", "kind"],
            additionalProperties: false,
          },
          ThingInput: { type: "object" },
        },
      },
      paths: {
        "/api/things/{id}": {
          put: {
            requestBody: {
              content: { "application/json": { schema: { $ref: "#/components/schemas/ThingInput" } } },
            },
            parameters: [{ in: "query", name: "dry", schema: { type: "boolean" } }],
            responses: {
              "200": { content: { "application/json": { schema: { $ref: "#/components/schemas/Thing" } } } },
              "404": { content: { "application/json": { schema: { type: "object" } } } },
            },
          },
        },
      },
    });
    expect(text).toContain("/** a thing */\n  Thing: {");
    expect(text).toContain('    id: number;\n    name?: string | null;\n    kind: "a" | "b";');
    expect(text).toContain("tags?: (string | number)[];");
    expect(text).toContain("extra?: Record<string, string>;");
    expect(text).toContain("any?: unknown;");
    expect(text).toContain('"odd-key"?: 3;');
    expect(text).not.toContain("ThingInput");
    expect(text).toContain('"PUT /api/things/{id}": Schemas["Thing"];');
    expect(text).toMatch(/export interface Bodies \{\n {2}"PUT \/api\/things\/\{id\}": Schemas\["Thing"\];/);
    expect(text).toContain("dry?: boolean;");
  });
});
