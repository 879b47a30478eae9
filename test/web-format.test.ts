import { afterEach, describe, expect, it } from "vitest";
import { formatMoney, setCurrency } from "../web/src/format.ts";

// The web's one money format: the workspace's currency in the reader's locale, from the exact
// decimal string (a float would lose the cents of a 17-digit amount).

afterEach(() => setCurrency("USD", "en-US"));

describe("formatMoney", () => {
  it("writes amounts in the workspace currency and the locale, exactly", () => {
    setCurrency("USD", "en-US");
    expect(formatMoney("198.00")).toBe("$198.00");
    expect(formatMoney("1234567.5")).toBe("$1,234,567.50");
    expect(formatMoney("-464.00")).toBe("-$464.00");
    expect(formatMoney("149.996")).toBe("$149.996");
    expect(formatMoney("12345678901234567.89")).toBe("$12,345,678,901,234,567.89");
    expect([formatMoney(null), formatMoney("n/a")]).toEqual(["—", "n/a"]);
  });

  it("follows the locale and the currency's own places", () => {
    setCurrency("EUR", "de-DE");
    expect(formatMoney("1234.5")).toBe("1.234,50\u00a0€");
    setCurrency("JPY", "ja-JP");
    expect(formatMoney("198")).toBe("￥198");
  });
});
