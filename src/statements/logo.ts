import PDFDocument from "pdfkit";
import { toBuffer } from "./pdf-table.ts";
import type { Logo } from "./render.ts";

// The MSP's logo as the app stores it (issue 14): a PNG or a JPEG, recognised by its first bytes (not
// by a file name or a declared type), small enough to travel inside every statement it is printed on.

/** The largest logo the app takes. */
export const MAX_LOGO_BYTES = 512 * 1024;

const PNG = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
const JPEG = [0xff, 0xd8, 0xff];

const startsWith = (bytes: Uint8Array, magic: number[]) =>
  bytes.length >= magic.length && magic.every((b, i) => bytes[i] === b);

/** image/png or image/jpeg by the file's magic bytes; undefined for anything else. */
export function logoType(bytes: Uint8Array): Logo["mime"] | undefined {
  if (startsWith(bytes, PNG)) return "image/png";
  if (startsWith(bytes, JPEG)) return "image/jpeg";
  return undefined;
}

/**
 * The logo when `bytes` is one the statements can print, else what is wrong with it (without the
 * field's name). The PDF library prints it once here, so a damaged file is refused on upload instead
 * of breaking every statement afterwards.
 */
export async function checkLogo(bytes: Buffer): Promise<{ logo: Logo } | { problem: string }> {
  if (bytes.length === 0) return { problem: "the file is empty" };
  if (bytes.length > MAX_LOGO_BYTES)
    return {
      problem: `${Math.ceil(bytes.length / 1024)} KB is more than the ${MAX_LOGO_BYTES / 1024} KB a logo may have`,
    };
  const mime = logoType(bytes);
  if (!mime) return { problem: "not a PNG or JPEG image (its first bytes are neither)" };
  try {
    const doc = new PDFDocument({ size: [200, 100], margin: 0 });
    doc.image(bytes, 0, 0, { fit: [120, 44] });
    await toBuffer(doc);
  } catch (e) {
    return {
      problem: `the ${mime === "image/png" ? "PNG" : "JPEG"} cannot be read (${(e as Error).message})`,
    };
  }
  return { logo: { bytes, mime } };
}
