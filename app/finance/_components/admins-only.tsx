/**
 * The 403 of the admin pages (their forbidden.tsx): the same words for finance staff and a supporter,
 * saying nothing of what is behind it. Nobody never sees it: they are sent to sign in first.
 */
export function AdminsOnly() {
  return (
    <section className="thanks finance-page" lang="en" aria-labelledby="admins-only-heading" data-testid="admins-only">
      <h1 id="admins-only-heading">This is for the newsroom&apos;s admins</h1>
      <p>You are signed in, but your address has no admin role here. If you think it should, ask one of the newsroom&apos;s admins.</p>
      <p>
        <a href="/account">Your account</a>
      </p>
    </section>
  );
}
