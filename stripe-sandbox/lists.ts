import { invalidRequest, noSuch } from "./errors";
import { displayParam, listLimit, optionalInteger, optionalString, type Params } from "./params";

/** The parameters every paged list takes, as Stripe names them. */
export const PAGE_PARAMS = ["limit", "starting_after", "ending_before"];

/**
 * One page of a list that is ordered newest first, as Stripe pages it: `limit` (1–100, 10 by
 * default), then either `starting_after` (the items after that one) or `ending_before` (the
 * `limit` items just before that one); `has_more` says whether items lie beyond the page in the
 * direction of travel, which is what the SDK's auto-pagination follows. A cursor must be in the list.
 */
export function listPage<T extends { id: string }>(items: T[], params: Params, what: string): { data: T[]; hasMore: boolean } {
  const limit = listLimit(params);
  const after = optionalString(params, "starting_after");
  const before = optionalString(params, "ending_before");
  if (after !== null && before !== null) {
    throw invalidRequest("You may only specify one of these parameters: ending_before, starting_after.", "starting_after");
  }
  const indexOf = (id: string, param: string) => {
    const index = items.findIndex((item) => item.id === id);
    if (index === -1) throw noSuch(what, id, param);

    return index;
  };
  if (before !== null) {
    const end = indexOf(before, "ending_before");
    const start = Math.max(0, end - limit);

    return { data: items.slice(start, end), hasMore: start > 0 };
  }
  const start = after === null ? 0 : indexOf(after, "starting_after") + 1;

  return { data: items.slice(start, start + limit), hasMore: start + limit < items.length };
}

/**
 * A timestamp filter as Stripe takes one (`created`, `arrival_date`): an exact unix time, or a
 * range `[gt]`, `[gte]`, `[lt]`, `[lte]`. Answers the test a value must pass; no filter passes all.
 */
export function rangeFilter(params: Params, key: string): (value: number) => boolean {
  const raw = params[key];
  if (raw === undefined || raw === "") return () => true;
  if (typeof raw === "string") {
    const exact = optionalInteger(params, key)!;

    return (value) => value === exact;
  }
  if (Array.isArray(raw)) throw invalidRequest(`Invalid ${key}: must be an integer or a range.`, key);
  for (const bound of Object.keys(raw)) {
    if (!["gt", "gte", "lt", "lte"].includes(bound)) throw invalidRequest(`Received unknown parameter: ${displayParam(`${key}.${bound}`)}`, displayParam(`${key}.${bound}`), "parameter_unknown");
  }
  const gt = optionalInteger(params, `${key}.gt`);
  const gte = optionalInteger(params, `${key}.gte`);
  const lt = optionalInteger(params, `${key}.lt`);
  const lte = optionalInteger(params, `${key}.lte`);

  return (value) => (gt === null || value > gt) && (gte === null || value >= gte) && (lt === null || value < lt) && (lte === null || value <= lte);
}
