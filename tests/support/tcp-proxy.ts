import net from "node:net";

export type TcpProxy = {
  /** The port the proxy listens on (127.0.0.1). */
  port: number;
  /**
   * Takes the target away, as a network failure or a restarting database does: every open connection
   * is reset, and every new one is reset as soon as it arrives (`refuse`, the default), or held open
   * without an answer until `restore()` (`hold`, a network that swallows packets). Resolves once
   * a client in this same process has had the chance to see its connections reset: postgres.js
   * loses a query sent on a connection between its socket's error and its close (the query never
   * settles), and a test should not hit that window by accident.
   */
  cut: (mode?: "refuse" | "hold") => Promise<void>;
  /** Lets connections through again; held ones are put through now. */
  restore: () => void;
  /** Connections dropped because the target was cut, since the last cut. */
  dropped: () => number;
  close: () => Promise<void>;
};

/**
 * A TCP proxy on a free port in front of `target` (the PostgreSQL server, in the outage tests), so a
 * test can make the database really unreachable from the app and bring it back, while the server
 * itself, and the test's own direct connection to it, carry on.
 */
export async function startTcpProxy(target: { host: string; port: number }): Promise<TcpProxy> {
  let state: "open" | "refuse" | "hold" = "open";
  let dropped = 0;
  const open = new Set<net.Socket>();
  const held: net.Socket[] = [];

  const forward = (client: net.Socket) => {
    const upstream = net.connect(target.port, target.host);
    open.add(client);
    open.add(upstream);
    const end = () => {
      client.destroy();
      upstream.destroy();
      open.delete(client);
      open.delete(upstream);
    };
    client.on("error", end).on("close", end);
    upstream.on("error", end).on("close", end);
    client.pipe(upstream);
    upstream.pipe(client);
  };

  const server = net.createServer((client) => {
    if (state === "open") {
      forward(client);
    } else if (state === "hold") {
      client.pause();
      client.on("error", () => {});
      held.push(client);
    } else {
      dropped++;
      // A reset, as from a host whose database is gone: a clean close would look to the driver like a
      // server that hung up during the handshake, which postgres.js retries at once, without end.
      client.resetAndDestroy();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));

  return {
    port: (server.address() as net.AddressInfo).port,
    async cut(mode = "refuse") {
      state = mode;
      dropped = 0;
      const closed = [...open].map((socket) => new Promise((resolve) => socket.once("close", resolve)));
      for (const socket of open) socket.resetAndDestroy();
      open.clear();
      await Promise.all(closed);
      // The resets are sent; the clients read them on a later turn of the event loop.
      await new Promise((resolve) => setTimeout(resolve, 50));
    },
    restore() {
      state = "open";
      for (const client of held.splice(0)) {
        if (client.destroyed) continue;
        forward(client);
        client.resume();
      }
    },
    dropped: () => dropped,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of [...open, ...held]) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
