import { env } from "@/lib/env";
import { html, type SafeHtml, trusted } from "@/lib/html";
import { REMINDER_PAGE_MESSAGES } from "./messages";

/** Where the cancel page sends a link it cannot use. */
export const INVALID_REMINDER_LINK_PATH = "/reminders/cancel/invalid";

const STYLE = trusted(
  'body{margin:0;font-family:Georgia,"Times New Roman",serif;line-height:1.55;color:#16181d;background:#fff}main{max-width:44rem;margin:0 auto;padding:1.5rem 1rem 3rem}a{color:#8a1c1c}:focus-visible{outline:3px solid #1d4ed8;outline-offset:2px}',
);

/**
 * The page for a reminder link that is altered, cut short, not ours, or names no reminder: plain,
 * whole in the HTML (it reads the same without JavaScript), sent with a 4xx status. A Next page
 * cannot set its status, and one that calls notFound() after reading the database is sent as an
 * empty shell that only JavaScript fills in, so routes send this one. Without a valid token the
 * reader's language is unknown: it says so in each.
 */
export function invalidReminderLinkPage(): SafeHtml {
  const { en, ru } = REMINDER_PAGE_MESSAGES;
  const newsroom = env().newsroomName;

  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<meta name="referrer" content="no-referrer">
<title>${en.invalid.heading} · ${newsroom}</title>
<style>${STYLE}</style>
</head>
<body>
<main>
<h1>${en.invalid.heading}</h1>
<p>${en.invalid.body}</p>
<p><a href="/">${en.backHome({ newsroom })}</a></p>
<div lang="ru">
<h2>${ru.invalid.heading}</h2>
<p>${ru.invalid.body}</p>
<p><a href="/">${ru.backHome({ newsroom })}</a></p>
</div>
</main>
</body>
</html>
`;
}
