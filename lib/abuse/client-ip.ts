import { isIP } from "node:net";

/**
 * The client's address in the value of the header our nearest proxy writes (CLIENT_IP_HEADER), or
 * null when the header is absent or its value is not an address. X-Forwarded-For is a list every hop
 * appends to: only its right-most entry was written by a proxy we run; whatever stands to its left
 * came from the client and costs nothing to forge. A single-valued header (cf-connecting-ip,
 * x-real-ip) is a list of one.
 *
 * That holds only behind a proxy that appends to the header (or, for a single-valued one, always
 * overwrites it). Without CLIENT_IP_HEADER no header is read at all (lib/http.ts): Next.js fills in
 * X-Forwarded-For only when a request has none, so a client reaching the app directly writes it.
 *
 * The result is for hashing only (lib/abuse/hash.ts): never log it or store it.
 */
export function forwardedClientAddress(headerValue: string | null): string | null {
  if (headerValue === null) return null;

  return parseIp(headerValue.slice(headerValue.lastIndexOf(",") + 1));
}

/**
 * One address in the forms proxies write (`203.0.113.7`, `2001:db8::1`, and with a port
 * `203.0.113.7:51234` or `[2001:db8::1]:51234`), without the port and lower-cased; an IPv4 address
 * in IPv6 clothing (`::ffff:203.0.113.7`, as dual-stack servers report IPv4 peers) as the IPv4 one.
 */
export function parseIp(raw: string): string | null {
  let candidate = raw.trim().toLowerCase();
  // The longest address with brackets and a port is 53 characters; anything longer is not one.
  if (candidate.length === 0 || candidate.length > 64) return null;
  const bracketed = /^\[([^\]]+)\](?::\d{1,5})?$/.exec(candidate);
  if (bracketed?.[1]) candidate = bracketed[1];
  else if (/^[\d.]+:\d{1,5}$/.test(candidate)) candidate = candidate.slice(0, candidate.lastIndexOf(":"));

  const family = isIP(candidate);
  if (family === 4) return candidate;
  // A zone id (`fe80::1%eth0`) names an interface of the proxy's host, not a client.
  if (family !== 6 || candidate.includes("%")) return null;
  const groups = ipv6Groups(candidate);
  if (groups.slice(0, 6).join(",") === "0,0,0,0,0,65535") {
    return [groups[6]! >> 8, groups[6]! & 255, groups[7]! >> 8, groups[7]! & 255].join(".");
  }

  return candidate;
}

/**
 * What one client controls, which is what a limit should count: a whole IPv4 address, but an IPv6
 * /64, because a home or a phone is given a whole /64 and can take a fresh address from it for
 * every request.
 */
export function rateLimitSubject(ip: string): string {
  if (isIP(ip) !== 6) return ip;

  return `${ipv6Groups(ip)
    .slice(0, 4)
    .map((group) => group.toString(16))
    .join(":")}::/64`;
}

/** The eight 16-bit groups of an address `isIP` accepted as IPv6. */
function ipv6Groups(address: string): number[] {
  let text = address.toLowerCase();
  const dotted = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(text);
  if (dotted) {
    const [a, b, c, d] = dotted.slice(1).map(Number) as [number, number, number, number];
    text = `${text.slice(0, dotted.index)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const halves = text.split("::");
  const parse = (part: string | undefined) => (part ? part.split(":").map((group) => parseInt(group, 16)) : []);
  const head = parse(halves[0]);
  const tail = parse(halves[1]);
  const gap = halves.length === 2 ? 8 - head.length - tail.length : 0;

  return [...head, ...new Array<number>(gap).fill(0), ...tail];
}
