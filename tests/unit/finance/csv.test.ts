import { describe, expect, it } from "vitest";
import { csvLine, defuseFormula, numeric } from "@/lib/finance/csv";
import { minorToDecimal } from "@/lib/money";

describe("CSV lines", () => {
  it("quote fields with quotes, commas and line breaks, and end in CRLF", () => {
    expect(csvLine(["plain", 'say "hi"', "a,b", "two\nlines", "cr\rhere", null, 42, -7])).toBe('plain,"say ""hi""","a,b","two\nlines","cr\rhere",,42,-7\r\n');
  });

  it("defuse text a spreadsheet would run as a formula, and leave our own numbers alone", () => {
    expect(["=1+1", "+1", "-1", "@SUM(A1)", "\tx", "\rx", "a=b", "https://x/?a=-1"].map(defuseFormula)).toEqual(["'=1+1", "'+1", "'-1", "'@SUM(A1)", "'\tx", "'\rx", "a=b", "https://x/?a=-1"]);
    expect(csvLine(["-5", numeric("-5.00"), -500])).toBe("'-5,-5.00,-500\r\n");
    expect(csvLine(['=HYPERLINK("x")'])).toBe(`"'=HYPERLINK(""x"")"\r\n`);
  });
});

describe("minorToDecimal", () => {
  it("writes minor units as a plain decimal in the currency's own exponent", () => {
    expect([minorToDecimal(2500, "eur"), minorToDecimal(5, "usd"), minorToDecimal(-1234, "gbp"), minorToDecimal(0, "eur"), minorToDecimal(1500, "jpy"), minorToDecimal(12345, "kwd")]).toEqual([
      "25.00",
      "0.05",
      "-12.34",
      "0.00",
      "1500",
      "12.345",
    ]);
  });
});
