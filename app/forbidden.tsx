import type { Metadata } from "next";

export const metadata: Metadata = { title: "Not for you" };

/** The 403 page (forbidden() from a page): says what it is without saying what is behind it. */
export default function Forbidden() {
  return (
    <section className="thanks" aria-labelledby="forbidden-heading">
      <h1 id="forbidden-heading">This page is for the newsroom&apos;s staff</h1>
      <p>You are signed in, but your address has no staff role here. If you think it should, ask one of the newsroom&apos;s admins.</p>
      <p>
        <a href="/account">Your account</a>
      </p>
    </section>
  );
}
