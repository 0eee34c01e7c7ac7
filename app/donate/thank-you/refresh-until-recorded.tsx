"use client";

import { useRouter } from "next/navigation";
import { useEffect, useState } from "react";

/**
 * While the webhook has not landed yet, re-renders the page (a read) every two seconds for up to
 * a minute. Nothing here writes: the webhook is the only writer of the gift.
 */
export function RefreshUntilRecorded() {
  const router = useRouter();
  const [gaveUp, setGaveUp] = useState(false);
  useEffect(() => {
    let count = 0;
    const timer = setInterval(() => {
      count += 1;
      if (count > 30) {
        clearInterval(timer);
        setGaveUp(true);

        return;
      }
      router.refresh();
    }, 2000);

    return () => clearInterval(timer);
  }, [router]);

  return gaveUp ? <p>This is taking longer than usual. Your payment went through; your receipt will follow.</p> : null;
}
