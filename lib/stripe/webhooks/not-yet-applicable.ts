/**
 * Thrown by an event's effects when they depend on another event not applied yet (a charge's fee
 * arriving before its payment is recorded). The event is retried after a backoff, not treated as a
 * fault.
 */
export class NotYetApplicable extends Error {
  override name = "NotYetApplicable";
}
