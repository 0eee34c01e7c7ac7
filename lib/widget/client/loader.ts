/**
 * The embed's loader: what an article page includes with one script tag. It must stay under 1 KB
 * gzipped. It reserves the picker's height at once (so nothing on the article moves), and only
 * when that space nears the viewport fetches the picker from our origin into a shadow root (so
 * the article's styles and ours cannot touch). Nothing is requested from anyone else, ever, and
 * nothing at all for a reader who asked to be reminded later, until that date.
 */
import { BOX_HEIGHTS } from "./box-heights";
import { HIDE_UNTIL_KEY } from "./storage";

type Queue = { mount?: (root: ShadowRoot) => void; queue?: ShadowRoot[] };

const script = document.currentScript as HTMLScriptElement | null;
if (script) load(script);

function load(tag: HTMLScriptElement) {
  try {
    if (Number(localStorage.getItem(HIDE_UNTIL_KEY)) > Date.now()) return;
  } catch {
    // No storage: show the picker.
  }
  const origin = new URL(tag.src).origin;
  const data = tag.dataset;
  const lang = data.lang ?? document.documentElement.lang;
  const slot = document.createElement("div");
  slot.className = "readerfund-slot";
  tag.before(slot);
  // The box's height for the slot's width and the language, as measured (box-heights.ts, by
  // `npm run measure:box`), scaled by the page's root font size as the box's rem are.
  const rem = parseFloat(getComputedStyle(document.documentElement).fontSize) / 16 || 1;
  const width = slot.getBoundingClientRect().width / rem;
  const steps = BOX_HEIGHTS[lang.slice(0, 2)] ?? BOX_HEIGHTS.en!;
  let [from, height] = steps as [number, number];
  // Each step is written as its change from the one before (a smaller file); the last it reaches counts.
  for (let i = 2; i < steps.length && width >= (from += steps[i]!); i += 2) height += steps[i + 1]!;
  slot.style.minHeight = data.height ?? `${Math.ceil(height * rem)}px`;

  const observer = new IntersectionObserver(
    (entries) => {
      if (!entries.some((entry) => entry.isIntersecting)) return;
      observer.disconnect();
      const canonical = document.querySelector<HTMLLinkElement>("link[rel=canonical]")?.href;
      const article = new URL(data.article ?? canonical ?? location.href);
      // The article's address without its query or fragment: those can carry a reader's own data.
      const params = new URLSearchParams({
        lang,
        article: article.origin + article.pathname,
        section: data.section ?? "",
        campaign: data.campaign ?? "",
        variant: data.variant ?? "",
      });
      fetch(`${origin}/embed/v1/picker?${params}`)
        .then((response) => (response.ok ? response.text() : Promise.reject()))
        .then((html) => {
          const root = slot.attachShadow({ mode: "open" });
          const style = document.createElement("link");
          style.rel = "stylesheet";
          style.href = `${origin}/embed/picker.css`;
          // The picker appears styled or not at all: unstyled, it would be taller than its space.
          style.onload = () => {
            const box = document.createElement("div");
            box.innerHTML = html;
            root.append(box);
            // Still below the screen (it is fetched 800 px ahead), the room can follow the box's real
            // height (other copy, other fonts) without anything the reader sees moving.
            if (slot.getBoundingClientRect().top > innerHeight) slot.style.minHeight = "";
            const global = window as unknown as { Readerfund?: Queue };
            const readerfund = (global.Readerfund ??= { queue: [] });
            if (readerfund.mount) return readerfund.mount(root);
            // The first box queued asks for the script; the others wait in the queue with it.
            if (readerfund.queue!.push(root) > 1) return;
            const picker = document.createElement("script");
            picker.src = `${origin}/embed/picker.js`;
            document.head.append(picker);
          };
          style.onerror = () => slot.remove();
          root.append(style);
        })
        .catch(() => slot.remove());
    },
    { rootMargin: "800px 0px" },
  );
  observer.observe(slot);
}
