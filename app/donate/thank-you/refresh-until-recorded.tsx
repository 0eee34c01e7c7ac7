"use client";

import { useRouter } from "next/navigation";
import { useEffect, useState } from "react";

/**
 * While the webhook has not landed yet, asks our own database every two seconds (for up to a
 * minute) whether the gift is recorded, and re-renders the page once it is. It reads only, and it
 * never asks Stripe: the page did that once.
 */
export function RefreshUntilRecorded({ sessionId, slowText }: { sessionId: string; slowText: string }) {
  const router = useRouter();
  const [gaveUp, setGaveUp] = useState(false);
  useEffect(() => {
    let count = 0;
    let stopped = false;
    const timer = setInterval(async () => {
      count += 1;
      if (count > 30) {
        clearInterval(timer);
        setGaveUp(true);

        return;
      }
      try {
        const response = await fetch(`/api/gifts/status?session_id=${encodeURIComponent(sessionId)}`, { cache: "no-store" });
        const body = (await response.json()) as { recorded?: boolean };
        if (body.recorded && !stopped) {
          clearInterval(timer);
          router.refresh();
        }
      } catch {
        // A dropped request is retried on the next tick.
      }
    }, 2000);

    return () => {
      stopped = true;
      clearInterval(timer);
    };
  }, [router, sessionId]);

  return gaveUp ? <p>{slowText}</p> : null;
}
