import { env } from "@/lib/env";
import type { SearchParams } from "@/lib/gifts/picker-state";
import { GivingBlock } from "@/lib/widget/giving-block";

export const dynamic = "force-dynamic";

/** A sample article with the picker in its footer, as a newsroom's article page would show it. */
export default async function SampleArticlePage({ searchParams }: { searchParams: Promise<SearchParams> }) {
  const params = await searchParams;
  const articleUrl = `${env().appUrl}/`;

  return (
    <article className="article">
      <p>
        <strong>Sample article</strong>
      </p>
      <h1>How a newsroom in exile keeps reporting</h1>
      <p className="standfirst">Cut off from advertisers and blocked at home, the paper now lives on its readers&rsquo; support.</p>
      <p>
        When the authorities declared the paper an &ldquo;undesirable organisation&rdquo;, its editors moved the newsroom abroad
        within a week. Its reporters still file from the country, under their own names or none, and its readers still find it
        through mirrors and messengers.
      </p>
      <p>
        Advertising went first: no brand wants to be seen beside a banned publication. What pays the reporters now is the
        readers themselves, in amounts from a few euros to a few hundred, given once or every month.
      </p>
      <p>
        This page is a stand-in for any article: the box below is the same picker a newsroom places at the foot of its stories. The same picker on an article page elsewhere is one script tag (see <a href="/embed">/embed</a>).
      </p>
      <GivingBlock searchParams={params} defaults={{ articleUrl, section: "features", campaign: "article-footer", variant: "block" }} />
    </article>
  );
}
