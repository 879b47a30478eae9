// The answers of GET /api/margin and POST /api/margin/whatif (src/server/routes/margin.ts), from the
// generated API types (web/src/api.gen.ts).

import type { Schemas } from "./api.gen.ts";

export type Margin = Schemas["Margin"];
export type WhatIf = Schemas["WhatIf"];
export type MarginFigures = Margin["totals"];
export type MarginClient = Margin["clients"][number];
export type MarginSubject = MarginClient["subjects"][number];
export type UnmappedMoney = MarginClient["unmapped"][number];
