import type { Command } from "commander";
import type { Io } from "./io.ts";
import type { Runner } from "./main.ts";

export function initCommand(program: Command, _io: Io, _run: Runner): void {
  void program;
}
