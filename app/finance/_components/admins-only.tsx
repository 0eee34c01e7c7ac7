import { signInPath } from "@/lib/auth/paths";
import type { Actor } from "@/lib/supporters/actor";

/**
 * The refusal every admin page shows to anyone else: the same words for a supporter, a manage link
 * and nobody, with a way to sign in for nobody. Rendered by the page itself, so the status stays 200:
 * a real 403 needs Next's forbidden(), which needs `experimental.authInterrupts` in next.config.ts.
 */
export function AdminsOnly({ actor, returnTo }: { actor: Actor; returnTo: string }) {
  return (
    <section className="thanks finance-page" lang="en" aria-labelledby="admins-only-heading" data-testid="admins-only">
      <h1 id="admins-only-heading">This is for the newsroom&apos;s admins</h1>
      {actor.kind === "supporter" ? (
        <p>
          You are signed in as {actor.email}, which has no admin role. An admin can give it one.
        </p>
      ) : (
        <p>
          <a href={signInPath({ returnTo })}>Sign in</a> with an admin&apos;s address to continue.
        </p>
      )}
    </section>
  );
}
