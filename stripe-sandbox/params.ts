import type Stripe from "stripe";
import { invalidRequest, missingParam, unknownParam } from "./errors";

/** Parsed form parameters, as qs gives them: nested objects, arrays and string leaves. */
export type Params = { [key: string]: ParamValue };
export type ParamValue = string | Params | ParamValue[] | undefined;

/**
 * Refuses any parameter outside `allowed` (dotted paths; `*` matches any array index or map key),
 * as Stripe refuses unknown parameters. Anything the stand-in does not implement is refused, so the
 * app cannot come to depend on something only the stand-in accepts.
 */
export function assertKnownParams(params: Params, allowed: string[]): void {
  const patterns = allowed.map((a) => a.split("."));
  const segmentMatches = (pattern: string, segment: string) => pattern === "*" || pattern === segment;
  const walk = (value: ParamValue, path: string[]) => {
    if (value !== undefined && typeof value === "object") {
      const isBranch = patterns.some((p) => p.length > path.length && path.every((seg, i) => segmentMatches(p[i]!, seg)));
      if (!isBranch) throw unknownParam(displayParam(path.join(".")));
      for (const [key, child] of Object.entries(value)) walk(child, [...path, key]);

      return;
    }
    const isLeaf = patterns.some((p) => p.length === path.length && path.every((seg, i) => segmentMatches(p[i]!, seg)));
    if (!isLeaf) throw unknownParam(displayParam(path.join(".")));
  };
  for (const [key, value] of Object.entries(params)) walk(value, [key]);
}

/** `line_items.0.price_data.currency` → `line_items[0][price_data][currency]`, as Stripe names params. */
export function displayParam(path: string): string {
  const [head, ...rest] = path.split(".");

  return head + rest.map((part) => `[${part}]`).join("");
}

export function getParam(params: Params, path: string): ParamValue {
  let current: ParamValue = params;
  for (const part of path.split(".")) {
    if (current === undefined || typeof current === "string") return undefined;
    current = Array.isArray(current) ? current[Number(part)] : current[part];
  }

  return current;
}

export function optionalString(params: Params, path: string, maxLength = 5000): string | null {
  const value = getParam(params, path);
  if (value === undefined || value === "") return null;
  if (typeof value !== "string") throw invalidRequest(`Invalid string: ${displayParam(path)}`, displayParam(path));
  if (value.length > maxLength) {
    throw invalidRequest(`Invalid ${displayParam(path)}: must be at most ${maxLength} characters`, displayParam(path));
  }

  return value;
}

export function requiredString(params: Params, path: string, maxLength = 5000): string {
  const value = optionalString(params, path, maxLength);
  if (value === null) throw missingParam(displayParam(path));

  return value;
}

export function optionalInteger(params: Params, path: string): number | null {
  const value = getParam(params, path);
  if (value === undefined || value === "") return null;
  if (typeof value !== "string" || !/^-?\d+$/.test(value)) {
    throw invalidRequest(`Invalid integer: ${typeof value === "string" ? value : displayParam(path)}`, displayParam(path));
  }
  const parsed = Number(value);
  if (!Number.isSafeInteger(parsed)) throw invalidRequest(`Invalid integer: ${value}`, displayParam(path));

  return parsed;
}

export function optionalEnum<T extends string>(params: Params, path: string, values: readonly T[]): T | null {
  const value = optionalString(params, path);
  if (value === null) return null;
  if (!(values as readonly string[]).includes(value)) {
    throw invalidRequest(
      `Invalid ${displayParam(path)}: must be one of ${values.join(", ")}`,
      displayParam(path),
      "parameter_invalid_string",
    );
  }

  return value as T;
}

export function optionalUrl(params: Params, path: string): string | null {
  const value = optionalString(params, path, 5000);
  if (value === null) return null;
  try {
    const url = new URL(value.replace("{CHECKOUT_SESSION_ID}", "CHECKOUT_SESSION_ID"));
    if (url.protocol !== "http:" && url.protocol !== "https:") throw new Error("protocol");
  } catch {
    throw invalidRequest(`Not a valid URL`, displayParam(path), "url_invalid");
  }

  return value;
}

/** Stripe's metadata rules: at most 50 keys, keys up to 40 characters, values up to 500. */
export function metadataParam(params: Params, path: string): Stripe.Metadata {
  const value = getParam(params, path);
  if (value === undefined || value === "") return {};
  if (typeof value !== "object" || Array.isArray(value)) throw invalidRequest(`Invalid object`, displayParam(path));
  const out: Stripe.Metadata = {};
  const entries = Object.entries(value);
  if (entries.length > 50) throw invalidRequest(`Metadata can have at most 50 keys.`, displayParam(path));
  for (const [key, item] of entries) {
    if (typeof item !== "string") throw invalidRequest(`Invalid metadata value for ${key}`, displayParam(`${path}.${key}`));
    if (key.length > 40) throw invalidRequest(`Metadata keys must be at most 40 characters.`, displayParam(`${path}.${key}`));
    if (item.length > 500) throw invalidRequest(`Metadata values must be at most 500 characters.`, displayParam(`${path}.${key}`));
    if (item !== "") out[key] = item;
  }

  return out;
}

export function expandParam(params: Params): string[] {
  const value = params.expand;
  if (value === undefined) return [];
  const list = Array.isArray(value) ? value : typeof value === "object" ? Object.values(value) : [value];

  return list.map((item) => {
    if (typeof item !== "string") throw invalidRequest("Invalid array", "expand");

    return item;
  });
}

export function optionalBoolean(params: Params, path: string): boolean | null {
  const value = getParam(params, path);
  if (value === undefined || value === "") return null;
  if (value === "true") return true;
  if (value === "false") return false;
  throw invalidRequest(`Invalid boolean: ${typeof value === "string" ? value : displayParam(path)}`, displayParam(path));
}

/** True when the parameter was sent as an empty string, which is how Stripe's API clears a field. */
export function isCleared(params: Params, path: string): boolean {
  return getParam(params, path) === "";
}

/**
 * Metadata on update: keys with a value are set, keys sent empty are removed (Stripe's rule), and
 * `metadata=` (empty) clears it all. Answers the new metadata, or null when none was sent.
 */
export function metadataUpdate(params: Params, path: string, current: Stripe.Metadata): Stripe.Metadata | null {
  const value = getParam(params, path);
  if (value === undefined) return null;
  if (value === "") return {};
  if (typeof value !== "object" || Array.isArray(value)) throw invalidRequest(`Invalid object`, displayParam(path));
  const next: Stripe.Metadata = { ...current };
  for (const [key, item] of Object.entries(value)) {
    if (item === "") delete next[key];
  }
  Object.assign(next, metadataParam(params, path));
  if (Object.keys(next).length > 50) throw invalidRequest(`Metadata can have at most 50 keys.`, displayParam(path));

  return next;
}

/** `limit` on list endpoints: 1 to 100, default 10, as Stripe. */
export function listLimit(params: Params): number {
  const limit = optionalInteger(params, "limit");
  if (limit === null) return 10;
  if (limit < 1 || limit > 100) throw invalidRequest("This value must be between 1 and 100.", "limit");

  return limit;
}
