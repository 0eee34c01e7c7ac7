import type { Frequency } from "@/lib/gifts/presets";
import type { Messages } from "@/lib/i18n";

/**
 * What the box says about paying, beside Continue: Stripe takes the card, a recurring gift can be
 * cancelled, and the cards accepted. The embed has no page footer to say it, so the box does.
 * The card marks are drawn here, in the markup: nothing is fetched for them, from anyone.
 */
export function TrustLine({ m, frequency }: { m: Messages; frequency: Frequency }) {
  return (
    <p className="rf-trust">
      <span className="rf-secure">
        <svg className="rf-lock" viewBox="0 0 12 14" width="12" height="14" aria-hidden="true" focusable="false">
          <path d="M3 6V4a3 3 0 0 1 6 0v2" fill="none" stroke="currentColor" strokeWidth="1.6" />
          <rect x="1" y="6" width="10" height="8" rx="1.5" fill="currentColor" />
        </svg>
        {m.picker.secure}
        {/* Said only of a gift that repeats; the script shows or hides it as the frequency changes. */}
        <span data-rf-cancel-any-time="" hidden={frequency === "once"}>
          {" · "}
          {m.picker.cancelAnyTime}
        </span>
      </span>
      <span className="rf-cards" role="img" aria-label={m.picker.cards}>
        <CardMarks />
      </span>
    </p>
  );
}

const card = { width: 34, height: 22, viewBox: "0 0 34 22", "aria-hidden": true, focusable: false } as const;
const text = { fontFamily: "Arial, Helvetica, sans-serif", fontWeight: 700, textAnchor: "middle" } as const;

function CardMarks() {
  return (
    <>
      <svg {...card}>
        <rect x=".5" y=".5" width="33" height="21" rx="3" fill="#fff" stroke="#8d93a0" />
        <text x="17" y="15" fontSize="10" fontStyle="italic" fill="#1a1f71" {...text}>
          VISA
        </text>
      </svg>
      <svg {...card}>
        <rect x=".5" y=".5" width="33" height="21" rx="3" fill="#fff" stroke="#8d93a0" />
        <circle cx="13" cy="11" r="7" fill="#eb001b" />
        <circle cx="21" cy="11" r="7" fill="#f79e1b" />
        <path d="M17 5.26a7 7 0 0 1 0 11.48a7 7 0 0 1 0-11.48z" fill="#ff5f00" />
      </svg>
      <svg {...card}>
        <rect width="34" height="22" rx="3" fill="#016fd0" />
        <text x="17" y="14.5" fontSize="8.5" fill="#fff" {...text}>
          AMEX
        </text>
      </svg>
    </>
  );
}
