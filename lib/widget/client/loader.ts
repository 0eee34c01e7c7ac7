/**
 * The embed's loader: what an article page includes with one script tag. It must stay under 1 KB
 * gzipped. It reserves the picker's height at once (so nothing on the article moves), and only
 * when that space nears the viewport fetches the picker from our origin into a shadow root (so
 * the article's styles and ours cannot touch). Nothing is requested from anyone else, ever, and
 * nothing at all for a reader who asked to be reminded later, until that date.
 */
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
  const slot = document.createElement("div");
  slot.className = "readerfund-slot";
  // Room for the picker at its tallest for the width (measured at 320 to 1280 px, English and
  // Russian; the e2e test checks that nothing shifts).
  slot.style.minHeight = data.height ?? (innerWidth < 360 ? "76rem" : innerWidth < 560 ? "64rem" : "48rem");
  tag.before(slot);

  const observer = new IntersectionObserver(
    (entries) => {
      if (!entries.some((entry) => entry.isIntersecting)) return;
      observer.disconnect();
      const canonical = document.querySelector<HTMLLinkElement>("link[rel=canonical]")?.href;
      const article = new URL(data.article ?? canonical ?? location.href);
      // The article's address without its query or fragment: those can carry a reader's own data.
      const params = new URLSearchParams({
        lang: data.lang ?? document.documentElement.lang,
        article: article.origin + article.pathname,
        section: data.section ?? "",
        campaign: data.campaign ?? "",
        variant: data.variant ?? "",
      });
      fetch(`${origin}/embed/v1/picker?${params}`)
        .then((response) => (response.ok ? response.text() : Promise.reject(new Error(String(response.status)))))
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
            const global = window as unknown as { Readerfund?: Queue };
            const readerfund = (global.Readerfund ??= { queue: [] });
            if (readerfund.mount) return readerfund.mount(root);
            readerfund.queue!.push(root);
            if (document.querySelector("script[data-readerfund-picker]")) return;
            const picker = document.createElement("script");
            picker.src = `${origin}/embed/picker.js`;
            picker.dataset.readerfundPicker = "";
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
