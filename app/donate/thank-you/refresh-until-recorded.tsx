"use client";

import { useRouter } from "next/navigation";
import { useEffect, useState } from "react";

const EVERY_MS = 2000;
// Answers that the gift is not recorded yet, before we stop asking and say it is taking long.
const MAX_NOT_YET = 30;
// While our database cannot be reached we keep asking, at the pace its Retry-After asks for, for
// this long at most: a tab left open must not ask forever.
const MAX_WAIT_FOR_DATABASE_MS = 30 * 60 * 1000;

/**
 * While the webhook has not landed yet, asks our own database every two seconds (for up to a
 * minute of answers) whether the gift is recorded, and re-renders the page once it is. While our
 * database cannot be reached (503), it keeps asking and tells the reader we are catching up and their
 * payment is safe. It reads only, and it never asks Stripe: the page did that once.
 */
export function RefreshUntilRecorded({
  sessionId,
  slowText,
  catchingUpText,
  databaseUnavailable = false,
}: {
  sessionId: string;
  slowText: string;
  catchingUpText: string;
  /** The page itself could not reach our database. */
  databaseUnavailable?: boolean;
}) {
  const router = useRouter();
  const [gaveUp, setGaveUp] = useState(false);
  const [catchingUp, setCatchingUp] = useState(databaseUnavailable);
  useEffect(() => {
    let stopped = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    let notYet = 0;
    const started = Date.now();
    const ask = async () => {
      let waitMs = EVERY_MS;
      try {
        const response = await fetch(`/api/gifts/status?session_id=${encodeURIComponent(sessionId)}`, { cache: "no-store" });
        if (response.status === 503) {
          setCatchingUp(true);
          const retryAfter = Number(response.headers.get("retry-after"));
          if (retryAfter > 0) waitMs = Math.min(Math.max(retryAfter * 1000, EVERY_MS), 30_000);
        } else {
          const body = (await response.json()) as { recorded?: boolean };
          if (body.recorded) {
            if (!stopped) router.refresh();

            return;
          }
          notYet += 1;
        }
      } catch {
        // A dropped request is retried on the next tick.
        notYet += 1;
      }
      if (stopped) return;
      if (notYet >= MAX_NOT_YET || Date.now() - started > MAX_WAIT_FOR_DATABASE_MS) {
        setGaveUp(true);

        return;
      }
      timer = setTimeout(ask, waitMs);
    };
    timer = setTimeout(ask, EVERY_MS);

    return () => {
      stopped = true;
      clearTimeout(timer);
    };
  }, [router, sessionId]);

  if (gaveUp) return <p>{slowText}</p>;

  return catchingUp ? (
    <p role="status" data-testid="catching-up">
      {catchingUpText}
    </p>
  ) : null;
}
