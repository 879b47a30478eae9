// Buffered, back-pressure-aware writers, so that large workspaces stream to disk in bounded memory.

import { once } from "node:events";
import { createWriteStream, type WriteStream } from "node:fs";

const CHUNK = 256 * 1024;

export class TextWriter {
  bytes = 0;
  private parts: string[] = [];
  private size = 0;
  private readonly stream: WriteStream;

  constructor(path: string) {
    this.stream = createWriteStream(path, { encoding: "utf8" });
  }

  write(text: string): void {
    this.parts.push(text);
    this.size += text.length;
  }

  /** Hands the buffer to the stream once it is big enough, waiting when the stream asks for it. */
  async drain(force = false): Promise<void> {
    if (this.size === 0 || (!force && this.size < CHUNK)) return;
    const chunk = this.parts.join("");
    this.parts = [];
    this.size = 0;
    this.bytes += Buffer.byteLength(chunk);
    if (!this.stream.write(chunk)) await once(this.stream, "drain");
  }

  async close(): Promise<void> {
    await this.drain(true);
    this.stream.end();
    await once(this.stream, "finish");
  }
}

function escapeCsv(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

/** A CSV file with a fixed header; rows are records keyed by column, written in header order. */
export class CsvWriter<C extends string> extends TextWriter {
  rows = 0;

  constructor(
    path: string,
    private readonly columns: readonly C[],
  ) {
    super(path);
    this.write(`${columns.join(",")}\n`);
  }

  row(values: Record<C, string>): void {
    this.write(`${this.columns.map((c) => escapeCsv(values[c])).join(",")}\n`);
    this.rows++;
  }
}
