import type { AddressInfo } from "node:net";
import { type ParsedMail, simpleParser } from "mailparser";
import { SMTPServer } from "smtp-server";

export type Received = { to: string[]; subject: string; messageId: string; text: string; html: string; language: string | null; parsed: ParsedMail };

/**
 * A real SMTP server on a free port, keeping what it is sent. `refuse` makes it answer every
 * recipient with a permanent 550; `stop()` and `start()` take it down and bring it back on the same
 * port, for outage tests.
 */
export async function startSmtpServer() {
  const received: Received[] = [];
  let refuse = false;
  let password: string | null = null;
  let server: SMTPServer | null = null;
  let port = 0;

  const listen = async () => {
    server = new SMTPServer({
      authOptional: true,
      disabledCommands: ["STARTTLS"],
      logger: false,
      onAuth(auth, _session, callback) {
        if (password !== null && auth.password !== password) {
          callback(new Error("Invalid username or password"));

          return;
        }
        callback(null, { user: auth.username });
      },
      onRcptTo(address, _session, callback) {
        if (refuse) {
          const error = new Error("5.1.1 No such mailbox") as Error & { responseCode: number };
          error.responseCode = 550;
          callback(error);

          return;
        }
        callback();
      },
      onData(stream, session, callback) {
        simpleParser(stream)
          .then((parsed) => {
            const html = typeof parsed.html === "string" ? parsed.html : "";
            received.push({
              to: session.envelope.rcptTo.map((r) => r.address),
              subject: parsed.subject ?? "",
              messageId: parsed.messageId ?? "",
              text: parsed.text ?? "",
              html,
              language: /<html[^>]*\slang="([^"]+)"/.exec(html)?.[1] ?? null,
              parsed,
            });
            callback();
          })
          .catch((error: Error) => callback(error));
      },
    });
    await new Promise<void>((resolve) => server!.listen(port, "127.0.0.1", () => resolve()));
    port = (server!.server.address() as AddressInfo).port;
  };
  await listen();

  return {
    received,
    url: () => `smtp://127.0.0.1:${port}`,
    setRefuse: (value: boolean) => {
      refuse = value;
    },
    /** Logins are refused (535) unless they give this password; null: any login is accepted. */
    setPassword: (value: string | null) => {
      password = value;
    },
    stop: () => new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve())),
    start: listen,
  };
}
