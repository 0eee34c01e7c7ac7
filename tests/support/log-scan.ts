/**
 * What must never be in a log line: card numbers, email addresses, client IP addresses, Stripe and
 * webhook secrets, API, cron, sign-in and manage tokens. Names what it finds, so a failure says what
 * leaked without a person having to read every line.
 */
// A card number as people and logs write one: 13–19 digits in a row, or in groups of four (Amex
// 4-6-5) split by spaces or hyphens, standing alone (not inside an id, a UUID or a decimal).
const CARD_RUNS = [/(?<![\w.-])[2-6]\d{12,18}(?![\w-])/g, /(?<![\w.-])[2-6]\d{3}(?:([ -])\d{4}(?:\1\d{4}){2}(?:\1\d{1,4})?)(?![\w-])/g, /(?<![\w.-])3\d{3}([ -])\d{6}\1\d{5}(?![\w-])/g];
const EMAIL = /[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}/;
// Any IPv4 address but loopback and "any": the machine's own are no one's personal data.
const IPV4 = /(?<![\d.])(?!127\.)(?!0\.0\.0\.0)(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(?:\.(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}(?![\d.])/;
const SECRETS: Array<[string, RegExp]> = [
  ["a webhook signing secret", /whsec_[A-Za-z0-9]/],
  ["a Stripe key", /\b[sr]k_(?:test|live)_[A-Za-z0-9]/],
  ["a finance API token", /rf_fin_[A-Za-z0-9]/],
  ["a token in a URL", /[?&](?:token|manage|key)=[^&\s"]{8,}/],
  ["a bearer credential", /Bearer\s+[^\s"]{8,}/],
];

function luhn(digits: string): boolean {
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let d = Number(digits[digits.length - 1 - i]);
    if (i % 2 === 1) d = d * 2 > 9 ? d * 2 - 9 : d * 2;
    sum += d;
  }

  return sum % 10 === 0;
}

export function leaksIn(line: string, secrets: string[] = []): string[] {
  const found: string[] = [];
  for (const pattern of CARD_RUNS) {
    for (const match of line.matchAll(pattern)) {
      const digits = match[0].replace(/[ -]/g, "");
      if (digits.length >= 13 && digits.length <= 19 && luhn(digits)) found.push("a card number");
    }
  }
  if (EMAIL.test(line)) found.push("an email address");
  if (IPV4.test(line)) found.push("an IP address");
  for (const [what, pattern] of SECRETS) if (pattern.test(line)) found.push(what);
  for (const secret of secrets) if (secret.length >= 16 && line.includes(secret)) found.push("a configured secret");

  return found;
}

/** Checks a process's output as it comes, line by line, for the app's log lines that leak. */
export function logScanner(): { feed: (chunk: string) => void; leaks: (secrets?: string[]) => string[] } {
  const lines: string[] = [];
  let partial = "";

  return {
    feed: (chunk) => {
      const parts = (partial + chunk).split("\n");
      partial = parts.pop() ?? "";
      for (const line of parts) if (line.startsWith('{"t":"')) lines.push(line);
    },
    leaks: (secrets = []) => {
      const all = partial.startsWith('{"t":"') ? [...lines, partial] : lines;

      return all.flatMap((line) => leaksIn(line, secrets).map((what) => `${what}: ${line.slice(0, 400)}`));
    },
  };
}
