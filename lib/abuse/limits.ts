export type GuardScope = "checkout" | "reminder" | "sign_in";
export type LimitSubject = "ip" | "visitor" | "email";
export type LimitLevel = "soft" | "hard";

/** At most `points` attempts in a window of `seconds` that starts at the first attempt. */
export type Limit = { points: number; seconds: number };

/**
 * Past `soft`, each attempt needs a solved proof-of-work challenge; past `hard`, attempts are
 * refused until the window ends. A subject without an entry is not counted for that scope.
 */
export type SubjectLimits = { soft?: Limit; hard: Limit };
export type ScopeLimits = Partial<Record<LimitSubject, SubjectLimits>>;
export type AbuseLimits = Record<GuardScope, ScopeLimits>;

/**
 * No window may be longer than a day: the hashes that key the counters rotate every UTC day, and a
 * row must not keep a hash of an address or email for longer than that.
 */
export const MAX_WINDOW_SECONDS = 24 * 60 * 60;

/**
 * A reader who changes amount or frequency, comes back from Stripe's page, or retries a declined
 * card creates a handful of Checkout Sessions; more than five in ten minutes from one address or
 * one browser is rarely a person. From there each attempt costs a proof of work: about a second for
 * a reader, a real cost for a script that tries cards by the thousand.
 */
export const CHECKOUT_SOFT: Limit = { points: 5, seconds: 10 * 60 };

/**
 * Card testing needs hundreds of attempts an hour; a newsroom's office or a campus behind one
 * address makes nowhere near thirty real gifts in an hour, even counting each challenge round
 * trip as an attempt of its own.
 */
export const CHECKOUT_HARD: Limit = { points: 30, seconds: 60 * 60 };

/** A reader sets one reminder, perhaps a second after changing their mind: three is generous. */
export const REMINDER_SOFT: Limit = { points: 3, seconds: 10 * 60 };

/** Reminders are cheaper for us than sessions but still rows and, later, emails. */
export const REMINDER_HARD: Limit = { points: 20, seconds: 60 * 60 };

/**
 * Every reminder with an address ends as an email to it, so the form must not become a way to
 * flood someone else's inbox from many addresses: three a day per inbox, whoever asks. No soft
 * level: solving puzzles must not buy more email to a stranger.
 */
export const REMINDER_EMAIL_HARD: Limit = { points: 3, seconds: MAX_WINDOW_SECONDS };

/**
 * A person asking for a sign-in link asks once, perhaps again when the first is slow to arrive or
 * has expired: three in ten minutes from one connection before a proof of work.
 */
export const SIGN_IN_SOFT: Limit = { points: 3, seconds: 10 * 60 };

/** An office or a campus behind one address signs in far less often than this in an hour. */
export const SIGN_IN_HARD: Limit = { points: 20, seconds: 60 * 60 };

/**
 * Per inbox, whoever asks: a few links in ten minutes, then a proof of work for each; at most
 * twenty attempts a day, so the form cannot flood a supporter's inbox however many connections an
 * attacker has. Past the soft limit a link costs two attempts (the challenge's round trip, then the
 * solution), so this is eleven links a day at most.
 */
export const SIGN_IN_EMAIL_SOFT: Limit = { points: 3, seconds: 10 * 60 };
export const SIGN_IN_EMAIL_HARD: Limit = { points: 20, seconds: MAX_WINDOW_SECONDS };

export const DEFAULT_LIMITS: AbuseLimits = {
  checkout: {
    ip: { soft: CHECKOUT_SOFT, hard: CHECKOUT_HARD },
    visitor: { soft: CHECKOUT_SOFT, hard: CHECKOUT_HARD },
  },
  reminder: {
    ip: { soft: REMINDER_SOFT, hard: REMINDER_HARD },
    visitor: { soft: REMINDER_SOFT, hard: REMINDER_HARD },
    email: { hard: REMINDER_EMAIL_HARD },
  },
  // Our own page sends no visitor id: the connection and the inbox are counted.
  sign_in: {
    ip: { soft: SIGN_IN_SOFT, hard: SIGN_IN_HARD },
    email: { soft: SIGN_IN_EMAIL_SOFT, hard: SIGN_IN_EMAIL_HARD },
  },
};

/** Throws on limits that could not work (a zero count, a window over a day); returns them unchanged. */
export function checkLimits(limits: AbuseLimits): AbuseLimits {
  for (const [scope, subjects] of Object.entries(limits)) {
    for (const [subject, levels] of Object.entries(subjects as ScopeLimits)) {
      for (const [level, limit] of Object.entries(levels as SubjectLimits)) {
        const { points, seconds } = limit as Limit;
        if (!Number.isInteger(points) || points < 1 || !Number.isInteger(seconds) || seconds < 1 || seconds > MAX_WINDOW_SECONDS) {
          throw new Error(`Limit ${scope}.${subject}.${level} must be a whole number of points (at least 1) in 1 to ${MAX_WINDOW_SECONDS} seconds`);
        }
      }
    }
  }

  return limits;
}
