import { formatMoney, money } from "../core/money.ts";
import type { Changes, LineChange, Member, MemberChange, Statement } from "./statement.ts";

// What changed since the previous month's statement: who and what joined, left or moved between
// lines, and each line's quantity and total before and after.

function keyOf(m: Member): string {
  return `${m.kind}:${m.name.toLowerCase()}`;
}

/** Every user and device of a statement with the line that bills it (the first line that names it). */
function membersByKey(s: Statement): Map<string, { member: Member; line: string }> {
  const out = new Map<string, { member: Member; line: string }>();
  for (const l of s.lines) {
    for (const m of [...l.users, ...l.devices])
      if (!out.has(keyOf(m))) out.set(keyOf(m), { member: m, line: l.name });
  }
  return out;
}

function signed(text: string): string {
  return text.startsWith("-") ? text : `+${text}`;
}

export function compareStatements(previous: Statement, current: Statement): Changes {
  const before = membersByKey(previous);
  const now = membersByKey(current);
  const members: MemberChange[] = [];
  for (const [key, { member, line }] of now) {
    const old = before.get(key);
    if (!old) members.push({ change: "joined", member, line, date: current.asOf });
    else if (old.line !== line)
      members.push({ change: "moved", member, line, from: old.line, date: current.asOf });
  }
  for (const [key, { member, line }] of before) {
    if (now.has(key)) continue;
    members.push({ change: "left", member, line, date: member.lastSeen ?? current.asOf });
  }
  const order = { joined: 0, moved: 1, left: 2 };
  members.sort(
    (a, b) =>
      order[a.change] - order[b.change] ||
      (a.member.name < b.member.name ? -1 : a.member.name > b.member.name ? 1 : 0),
  );

  const lines: LineChange[] = [];
  const subjects = [
    ...new Set([...current.lines.map((l) => l.subject), ...previous.lines.map((l) => l.subject)]),
  ];
  let effect = money("0");
  for (const subject of subjects) {
    const was = previous.lines.find((l) => l.subject === subject);
    const is = current.lines.find((l) => l.subject === subject);
    const delta = money(is?.total ?? "0").minus(money(was?.total ?? "0"));
    if ((was?.quantity ?? 0) === (is?.quantity ?? 0) && delta.isZero()) continue;
    effect = effect.plus(delta);
    lines.push({
      subject,
      name: (is ?? was)?.name ?? subject,
      from: was?.quantity ?? 0,
      to: is?.quantity ?? 0,
      effect: signed(formatMoney(delta)),
    });
  }
  return {
    previousMonth: previous.month,
    previousAsOf: previous.asOf,
    members,
    lines,
    effect: signed(formatMoney(effect)),
  };
}
