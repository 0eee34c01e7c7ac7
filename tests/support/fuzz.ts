/** What the fuzz suites (tests/integration/fuzz/) hold every answer to. */

/** What an answer must never show: a stack, a source path, or the database's, driver's or Stripe's own words. */
export const INTERNALS =
  /\n\s+at\s|node_modules|\.[cm]?[jt]sx?:\d+|Failed query|PostgresError|violates|relation "|syntax error|ECONNREFUSED|TypeError|ReferenceError|undefined is not|StripeError|No such /;
