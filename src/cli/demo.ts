import type { Command } from "commander";
import type { Io } from "./io.ts";
import type { Runner } from "./main.ts";

export function demoCommand(program: Command, _io: Io, _run: Runner): void {
  void program;
}
