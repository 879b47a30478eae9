import { Readable } from "node:stream";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ApiError } from "../src/server/errors.ts";
import { uploadedBytes } from "../src/server/routes/imports.ts";

// An uploaded file's bytes read as they arrive (routes/imports.ts): into one buffer of the declared
// length, else joined at the end; the same bytes either way, and the same refusals as Fastify's own.

const stream = (pieces: Buffer[]) => Readable.from(pieces, { objectMode: false });

describe("uploadedBytes", () => {
  it("gives the bytes sent, in any pieces, with or without their length declared", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.uint8Array({ maxLength: 300 }), { maxLength: 20 }),
        fc.boolean(),
        async (arrays, declare) => {
          const pieces = arrays.map((a) => Buffer.from(a));
          const whole = Buffer.concat(pieces);
          const got = await uploadedBytes(stream(pieces), declare ? String(whole.length) : undefined, 10_000);
          expect(got.equals(whole)).toBe(true);
          // Its own memory: handed to the reader thread without a copy.
          if (whole.length > 4096) expect(got.byteLength).toBe(got.buffer.byteLength);
        },
      ),
      { numRuns: 300 },
    );
  });

  it("refuses a declared length over the limit before reading, and a body that grows over it (413)", async () => {
    const big = stream([Buffer.alloc(60), Buffer.alloc(60)]);
    await expect(uploadedBytes(big, "120", 100)).rejects.toMatchObject({
      statusCode: 413,
      code: "too_large",
    });
    expect(big.readableFlowing).not.toBe(true);
    await expect(
      uploadedBytes(stream([Buffer.alloc(60), Buffer.alloc(60)]), undefined, 100),
    ).rejects.toBeInstanceOf(ApiError);
    await expect(
      uploadedBytes(stream([Buffer.alloc(60), Buffer.alloc(60)]), undefined, 100),
    ).rejects.toMatchObject({
      statusCode: 413,
    });
  });

  it("refuses a body shorter or longer than its Content-Length (400)", async () => {
    await expect(uploadedBytes(stream([Buffer.alloc(10)]), "11", 100)).rejects.toMatchObject({
      statusCode: 400,
      message: "the body is shorter than its Content-Length",
    });
    await expect(uploadedBytes(stream([Buffer.alloc(10), Buffer.alloc(5)]), "12", 100)).rejects.toMatchObject(
      {
        statusCode: 400,
        message: "the body is longer than its Content-Length",
      },
    );
  });

  it("passes a broken connection on as a client error", async () => {
    const broken = new Readable({
      read() {
        this.destroy(new Error("aborted"));
      },
    });
    await expect(uploadedBytes(broken, "100", 1000)).rejects.toMatchObject({
      message: "aborted",
      statusCode: 400,
    });
  });
});
