import type { Metadata } from "next";
import { env } from "@/lib/env";

export const dynamic = "force-dynamic";
export const metadata: Metadata = { title: "Embed the picker" };

/** How a newsroom puts the picker at the foot of its articles. */
export default function EmbedPage() {
  const { appUrl } = env();
  const snippet = `<script src="${appUrl}/embed/loader.js"
  data-section="politics" data-campaign="article-footer"
  data-lang="ru" data-variant="footer-a" async></script>`;

  return (
    <article className="article">
      <h1>Embed the picker on your articles</h1>
      <p>Put one script tag where the picker should appear, usually at the end of the article body:</p>
      <pre className="mailbox-text">
        <code>{snippet}</code>
      </pre>
      <p>
        Every attribute is optional. <code>data-lang</code> defaults to the page&rsquo;s own language (<code>&lt;html lang&gt;</code>);{" "}
        <code>data-article</code> defaults to the page&rsquo;s canonical address, without its query string. The section, campaign and
        variant travel with every gift into Stripe and the ledger, so revenue can be reported by article.
      </p>
      <p>
        The tag loads under 1 KB and keeps the picker&rsquo;s space from the start. The picker itself is fetched from this app only
        when that space nears the screen, into a shadow root, so your styles and ours never meet. Nothing is loaded from any other
        origin until the reader presses Continue.
      </p>
      <p>
        <a href="/article-demo.html">See it on a sample article page</a>.
      </p>
    </article>
  );
}
