"use client";

import { useRouter } from "next/navigation";
import { useEffect, useState } from "react";

const EVERY_MS = 2000;
// Refreshes before we stop and say it is taking long (a minute), as the thank-you page does.
const MAX_REFRESHES = 30;

/**
 * While a gift has a request waiting for Stripe's webhook, re-renders the page every two seconds
 * (the server reads the ledger again) until none is waiting, for up to a minute; then says it is
 * taking longer. The thank-you page's refresh-until-recorded pattern, for requests. Without
 * JavaScript the page says to reload.
 */
export function RefreshWhilePending({ pending, slowText }: { pending: number; slowText: string }) {
  const router = useRouter();
  const [refreshes, setRefreshes] = useState(0);
  useEffect(() => {
    if (pending === 0 || refreshes >= MAX_REFRESHES) return;
    const timer = setTimeout(() => {
      setRefreshes((n) => n + 1);
      router.refresh();
    }, EVERY_MS);

    return () => clearTimeout(timer);
  }, [pending, refreshes, router]);

  if (pending === 0) return null;

  return refreshes >= MAX_REFRESHES ? <p role="status">{slowText}</p> : <noscript><p>{slowText}</p></noscript>;
}
