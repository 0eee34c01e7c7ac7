import { randomUUID } from "node:crypto";
import http from "node:http";
import { findNginx, type StartedProxy, startNginx } from "../support/nginx";
import { expect, test } from "./fixtures";

/**
 * Rate limits count per client address; behind a real reverse proxy (Debian's nginx, appending to
 * X-Forwarded-For as the README says to configure it) two clients get two counters, and a client
 * cannot pick its own by writing the header itself. The app here trusts that header
 * (CLIENT_IP_HEADER), and has a stack of its own so its counters meet no other test's.
 */
test.use({ stackGroup: "client-address", appEnv: { CLIENT_IP_HEADER: "x-forwarded-for" } });

const nginx = findNginx();
// CI installs nginx and sets this, so the test cannot quietly skip there.
const required = process.env.REQUIRE_NGINX === "1";

/** A checkout POST through the proxy from a given loopback address (Linux answers on all of 127/8). */
function checkoutFrom(proxy: StartedProxy, localAddress: string, headers: Record<string, string> = {}): Promise<number> {
  const body = JSON.stringify({ frequency: "once", currency: "eur", amount: "25", locale: "en", attemptId: randomUUID() });

  return new Promise((resolve, reject) => {
    const request = http.request(
      { host: "127.0.0.1", port: proxy.port, path: "/api/checkout", method: "POST", localAddress, headers: { "content-type": "application/json", ...headers } },
      (response) => {
        response.resume();
        response.on("end", () => resolve(response.statusCode ?? 0));
      },
    );
    request.on("error", reject);
    request.end(body);
  });
}

test("behind nginx, two clients get two rate-limit counters and a client cannot choose its own", async ({ stack }) => {
  test.skip(!nginx && !required, "nginx is not installed: apt-get install nginx-light (CI installs it)");
  const upstreamPort = Number(new URL(stack.appUrl).port);
  const proxy = await startNginx({ upstreamPort });
  try {
    // Five Checkout Sessions per address per ten minutes are free; the sixth needs a proof of work.
    for (let i = 0; i < 5; i++) expect(await checkoutFrom(proxy, "127.0.0.2")).toBe(200);
    expect(await checkoutFrom(proxy, "127.0.0.2")).toBe(428);
    // Another client is not held back by the first one's count.
    expect(await checkoutFrom(proxy, "127.0.0.3")).toBe(200);
    // Writing the header oneself changes nothing: nginx appends the real address after it.
    expect(await checkoutFrom(proxy, "127.0.0.2", { "x-forwarded-for": "198.51.100.77" })).toBe(428);
    expect(await checkoutFrom(proxy, "127.0.0.2", { "x-forwarded-for": "127.0.0.3" })).toBe(428);
  } finally {
    await proxy.stop();
  }
});
