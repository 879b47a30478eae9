import { isDeepStrictEqual } from "node:util";
import { isMap, isSeq, type Node, parseDocument, stringify } from "yaml";
import type { Path } from "../workspace/yaml.ts";

// Small edits of trueup.yaml that touch only the text they must: a key added to a mapping, an item
// appended to a list, in the style (flow or block) the file already uses, so that comments and
// layout stay as the person wrote them. The result is checked against the same edit made on the
// parsed document; should they ever differ, the document is written out whole instead.

export type YamlEdit =
  | { op: "set"; path: Path; key: string; value: unknown }
  | { op: "append"; path: Path; item: unknown };

function scalar(v: unknown): string {
  return stringify(v, { lineWidth: 0 }).trimEnd();
}

/** A value in flow style: `{ vendor: pax8, sku: X }`, `[a, b]`, or a scalar. */
function flow(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(flow).join(", ")}]`;
  if (v !== null && typeof v === "object")
    return `{ ${Object.entries(v)
      .map(([k, x]) => `${scalar(k)}: ${flow(x)}`)
      .join(", ")} }`;
  return scalar(v);
}

function columnOf(text: string, offset: number): number {
  return offset - (text.lastIndexOf("\n", offset - 1) + 1);
}

/** The edit made in the text itself, or undefined when the target is not a collection it can extend. */
function splice(text: string, node: unknown, edit: YamlEdit): string | undefined {
  if (!(isMap(node) || isSeq(node)) || !node.range) return undefined;
  const entry = edit.op === "set" ? `${scalar(edit.key)}: ${flow(edit.value)}` : flow(edit.item);
  if (node.flow) {
    const close = node.range[1] - 1;
    if (text[close] !== (isMap(node) ? "}" : "]")) return undefined;
    if (node.items.length === 0) {
      const whole = isMap(node) ? `{ ${entry} }` : `[${entry}]`;
      return `${text.slice(0, node.range[0])}${whole}${text.slice(close + 1)}`;
    }
    let at = close;
    while (at > node.range[0] + 1 && /\s/.test(text[at - 1] ?? "")) at--;
    return `${text.slice(0, at)}, ${entry}${text.slice(at)}`;
  }
  const last = node.items.at(-1) as
    | { key?: Node; value?: Node; range?: [number, number, number] }
    | undefined;
  const first = node.items[0] as { key?: Node } | undefined;
  const start = isMap(node) ? first?.key?.range?.[0] : node.range[0];
  const end = isMap(node) ? (last?.value?.range?.[1] ?? last?.key?.range?.[1]) : last?.range?.[1];
  if (start === undefined || end === undefined) return undefined;
  let at = end;
  while (at > start && /\s/.test(text[at - 1] ?? "")) at--;
  const eol = text.indexOf("\n", at);
  const insertAt = eol < 0 ? text.length : eol;
  const line = `\n${" ".repeat(columnOf(text, start))}${isSeq(node) ? "- " : ""}${entry}`;
  return `${text.slice(0, insertAt)}${line}${text.slice(insertAt)}`;
}

export function editYaml(text: string, edit: YamlEdit): string {
  const expected = parseDocument(text);
  if (edit.op === "set")
    expected.setIn([...edit.path, edit.key], expected.createNode(edit.value, { flow: true }));
  else expected.addIn(edit.path, expected.createNode(edit.item, { flow: true }));
  const spliced = splice(text, parseDocument(text).getIn(edit.path, true), edit);
  if (spliced !== undefined) {
    const check = parseDocument(spliced);
    if (check.errors.length === 0 && isDeepStrictEqual(check.toJS(), expected.toJS())) return spliced;
  }
  return expected.toString({ lineWidth: 0 });
}
