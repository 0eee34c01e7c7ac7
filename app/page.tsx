import { env } from "@/lib/env";
import type { SearchParams } from "@/lib/gifts/picker-state";
import type { Locale } from "@/lib/i18n";
import { requestLocale } from "@/lib/i18n/request";
import { GivingBlock } from "@/lib/widget/giving-block";

export const dynamic = "force-dynamic";

// The sample article's own words, in each language a page can be in.
const ARTICLE: Record<Locale, { kicker: string; title: string; standfirst: string; body: string[]; standIn: [string, string, string] }> = {
  en: {
    kicker: "Sample article",
    title: "How a newsroom in exile keeps reporting",
    standfirst: "Cut off from advertisers and blocked at home, the paper now lives on its readers’ support.",
    body: [
      "When the authorities declared the paper an “undesirable organisation”, its editors moved the newsroom abroad within a week. Its reporters still file from the country, under their own names or none, and its readers still find it through mirrors and messengers.",
      "Advertising went first: no brand wants to be seen beside a banned publication. What pays the reporters now is the readers themselves, in amounts from a few euros to a few hundred, given once or every month.",
    ],
    standIn: [
      "This page is a stand-in for any article: the box below is the same picker a newsroom places at the foot of its stories. The same picker on an article page elsewhere is one script tag (see ",
      "/embed",
      ").",
    ],
  },
  ru: {
    kicker: "Пример статьи",
    title: "Как редакция в изгнании продолжает работать",
    standfirst: "Без рекламодателей и под блокировкой на родине газета теперь живёт на поддержку читателей.",
    body: [
      "Когда власти объявили газету «нежелательной организацией», редакция за неделю переехала за границу. Её корреспонденты по-прежнему пишут из страны — под своими именами или без подписи, а читатели находят её через зеркала и мессенджеры.",
      "Первой ушла реклама: ни один бренд не хочет стоять рядом с запрещённым изданием. Теперь работу журналистов оплачивают сами читатели — от нескольких евро до нескольких сотен, разово или каждый месяц.",
    ],
    standIn: [
      "Эта страница — образец любой статьи: блок ниже — тот же, что редакция ставит в конце своих материалов. На странице статьи на другом сайте его подключают одной строкой кода (",
      "как это сделать",
      ").",
    ],
  },
};

/** A sample article with the picker in its footer, as a newsroom's article page would show it. */
export default async function SampleArticlePage({ searchParams }: { searchParams: Promise<SearchParams> }) {
  const params = await searchParams;
  const locale = await requestLocale();
  const article = ARTICLE[locale];
  const articleUrl = `${env().appUrl}/`;

  return (
    <article className="article">
      <p>
        <strong>{article.kicker}</strong>
      </p>
      <h1>{article.title}</h1>
      <p className="standfirst">{article.standfirst}</p>
      {article.body.map((paragraph) => (
        <p key={paragraph}>{paragraph}</p>
      ))}
      <p>
        {article.standIn[0]}
        <a href="/embed" hrefLang="en">
          {article.standIn[1]}
        </a>
        {article.standIn[2]}
      </p>
      <GivingBlock searchParams={params} defaults={{ articleUrl, section: "features", campaign: "article-footer", variant: "block" }} locale={locale} />
    </article>
  );
}
