// The web UI's view of the API, written as TypeScript from the OpenAPI document that the routes' zod
// schemas produce (openapi.ts). `npm run web-types` writes web/src/api.gen.ts; test/web-types.test.ts
// fails when that file and the routes drift apart, so the browser never reads a shape the server no
// longer sends.

type Schema = {
  $ref?: string;
  type?: string | string[];
  properties?: Record<string, Schema>;
  required?: string[];
  additionalProperties?: boolean | Schema;
  items?: Schema;
  anyOf?: Schema[];
  oneOf?: Schema[];
  allOf?: Schema[];
  enum?: unknown[];
  const?: unknown;
  description?: string;
};

interface Operation {
  requestBody?: { content?: Record<string, { schema?: Schema }> };
  parameters?: { in: string; name: string; required?: boolean; schema?: Schema; description?: string }[];
  responses?: Record<string, { content?: Record<string, { schema?: Schema }> }>;
}

interface Document {
  paths?: Record<string, Record<string, Operation>>;
  components?: { schemas?: Record<string, Schema> };
}

const METHODS = ["get", "post", "put", "patch", "delete"];
const IDENTIFIER = /^[A-Za-z_$][\w$]*$/;

function key(name: string): string {
  return IDENTIFIER.test(name) ? name : JSON.stringify(name);
}

function comment(text: string | undefined, indent: string): string {
  if (!text) return "";
  const body = text.replace(/\*\//g, "*\\/").split("\n");
  if (body.length === 1) return `${indent}/** ${body[0]} */\n`;
  return `${indent}/**\n${body.map((l) => `${indent} * ${l}`).join("\n")}\n${indent} */\n`;
}

function literal(value: unknown): string {
  return value === null ? "null" : JSON.stringify(value);
}

/** A request body's component is "XInput"; the answer's is "X": the same shape, so one name. */
function refName(ref: string): string {
  const name = ref.replace("#/components/schemas/", "");
  return `Schemas[${JSON.stringify(name.replace(/Input$/, ""))}]`;
}

function union(parts: string[]): string {
  const unique = [...new Set(parts)];
  return unique.length === 1
    ? (unique[0] ?? "never")
    : unique.map((p) => (p.includes("=>") ? `(${p})` : p)).join(" | ");
}

function typeOf(schema: Schema | undefined, indent: string): string {
  if (!schema) return "unknown";
  if (schema.$ref) return refName(schema.$ref);
  if (schema.const !== undefined) return literal(schema.const);
  if (schema.enum) return union(schema.enum.map(literal));
  const alternatives = schema.anyOf ?? schema.oneOf;
  if (alternatives) return union(alternatives.map((s) => typeOf(s, indent)));
  if (schema.allOf) return schema.allOf.map((s) => typeOf(s, indent)).join(" & ");
  if (Array.isArray(schema.type))
    return union(schema.type.map((t) => typeOf({ ...schema, type: t }, indent)));
  switch (schema.type) {
    case "string":
      return "string";
    case "integer":
    case "number":
      return "number";
    case "boolean":
      return "boolean";
    case "null":
      return "null";
    case "array":
      return `${wrap(typeOf(schema.items, indent))}[]`;
    case "object":
      return objectType(schema, indent);
    case undefined:
      // {} (any JSON) unless it lists properties
      return schema.properties || schema.additionalProperties !== undefined
        ? objectType(schema, indent)
        : "unknown";
    default:
      return "unknown";
  }
}

function wrap(type: string): string {
  return /[|&]/.test(type) && !type.startsWith("{") ? `(${type})` : type;
}

function objectType(schema: Schema, indent: string): string {
  const properties = Object.entries(schema.properties ?? {});
  const extra = schema.additionalProperties;
  const rest =
    extra === false ? undefined : extra === true || extra === undefined ? "unknown" : typeOf(extra, indent);
  if (properties.length === 0) return `Record<string, ${rest ?? "never"}>`;
  const inner = `${indent}  `;
  const required = new Set(schema.required ?? []);
  const lines = properties.map(
    ([name, s]) =>
      `${comment(s.description, inner)}${inner}${key(name)}${required.has(name) ? "" : "?"}: ${typeOf(s, inner)};`,
  );
  if (rest && rest !== "unknown") lines.push(`${inner}[key: string]: ${rest};`);
  else if (rest) lines.push(`${inner}[key: string]: unknown;`);
  return `{\n${lines.join("\n")}\n${indent}}`;
}

function jsonSchema(content: Record<string, { schema?: Schema }> | undefined): Schema | undefined {
  return content?.["application/json"]?.schema;
}

/** The TypeScript source of web/src/api.gen.ts for an OpenAPI document. */
export function webTypes(doc: Document): string {
  const out: string[] = [
    "// Generated from the API's OpenAPI document by `npm run web-types` (src/server/web-types.ts).",
    "// Do not edit: change the route's zod schema and run the command. test/web-types.test.ts fails",
    "// when this file and the routes drift apart.",
    "",
    "/** The named shapes of the API (components of the OpenAPI document). */",
    "export interface Schemas {",
  ];
  const schemas = Object.entries(doc.components?.schemas ?? {})
    .filter(([name]) => !name.endsWith("Input"))
    .sort(([a], [b]) => a.localeCompare(b));
  for (const [name, schema] of schemas)
    out.push(`${comment(schema.description, "  ")}  ${key(name)}: ${typeOf(schema, "  ")};`);
  out.push("}", "");

  const answers: string[] = [];
  const bodies: string[] = [];
  const queries: string[] = [];
  const paths = Object.entries(doc.paths ?? {}).sort(([a], [b]) => a.localeCompare(b));
  for (const [path, item] of paths) {
    for (const method of METHODS) {
      const op = item[method];
      if (!op) continue;
      const name = JSON.stringify(`${method.toUpperCase()} ${path}`);
      const ok = Object.entries(op.responses ?? {})
        .filter(([code]) => code.startsWith("2"))
        .map(([, r]) => jsonSchema(r.content))
        .filter((s): s is Schema => s !== undefined);
      if (ok.length) answers.push(`  ${name}: ${union(ok.map((s) => typeOf(s, "  ")))};`);
      const body = jsonSchema(op.requestBody?.content);
      if (body) bodies.push(`  ${name}: ${typeOf(body, "  ")};`);
      const query = (op.parameters ?? []).filter((p) => p.in === "query");
      if (query.length) {
        const fields = query.map(
          (p) =>
            `${comment(p.description ?? p.schema?.description, "    ")}    ${key(p.name)}${p.required ? "" : "?"}: ${typeOf(p.schema, "    ")};`,
        );
        queries.push(`  ${name}: {\n${fields.join("\n")}\n  };`);
      }
    }
  }
  out.push("/** What each route answers on success, by `METHOD /path`. */", "export interface Answers {");
  out.push(...answers, "}", "");
  out.push("/** The JSON body each route takes. */", "export interface Bodies {", ...bodies, "}", "");
  out.push("/** The query each route reads. */", "export interface Queries {", ...queries, "}", "");
  return out.join("\n");
}
