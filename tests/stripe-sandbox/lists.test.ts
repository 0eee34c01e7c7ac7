import { describe, expect, it } from "vitest";
import { listPage, rangeFilter } from "../../stripe-sandbox/lists";

const items = ["a", "b", "c", "d", "e"].map((id) => ({ id }));
const ids = (page: { data: Array<{ id: string }>; hasMore: boolean }) => ({ ids: page.data.map((i) => i.id).join(""), hasMore: page.hasMore });

describe("listPage", () => {
  it("pages forward from the start or after a cursor, and back before one, as Stripe does", () => {
    expect(ids(listPage(items, {}, "thing"))).toEqual({ ids: "abcde", hasMore: false });
    expect(ids(listPage(items, { limit: "2" }, "thing"))).toEqual({ ids: "ab", hasMore: true });
    expect(ids(listPage(items, { limit: "2", starting_after: "c" }, "thing"))).toEqual({ ids: "de", hasMore: false });
    expect(ids(listPage(items, { limit: "2", ending_before: "d" }, "thing"))).toEqual({ ids: "bc", hasMore: true });
    expect(ids(listPage(items, { limit: "2", ending_before: "b" }, "thing"))).toEqual({ ids: "a", hasMore: false });
  });

  it("refuses a cursor not in the list, both cursors at once, and a limit outside 1–100", () => {
    expect(() => listPage(items, { starting_after: "z" }, "thing")).toThrow("No such thing: 'z'");
    expect(() => listPage(items, { starting_after: "a", ending_before: "c" }, "thing")).toThrow(/only specify one/);
    expect(() => listPage(items, { limit: "101" }, "thing")).toThrow(/between 1 and 100/);
  });
});

describe("rangeFilter", () => {
  it("takes an exact time or a range, and passes everything without one", () => {
    expect([1, 2, 3].filter(rangeFilter({}, "created"))).toEqual([1, 2, 3]);
    expect([1, 2, 3].filter(rangeFilter({ created: "2" }, "created"))).toEqual([2]);
    expect([1, 2, 3, 4].filter(rangeFilter({ created: { gt: "1", lte: "3" } }, "created"))).toEqual([2, 3]);
    expect([1, 2, 3, 4].filter(rangeFilter({ created: { gte: "2", lt: "4" } }, "created"))).toEqual([2, 3]);
    expect(() => rangeFilter({ created: { after: "1" } }, "created")).toThrow(/unknown parameter: created\[after\]/);
  });
});
