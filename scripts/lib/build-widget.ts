import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { build, transform } from "esbuild";

/**
 * Bundles the embeddable widget into public/embed/: loader.js (the one script tag an article
 * page carries), picker.js and picker.css (fetched only when the picker nears the viewport).
 * Browser code with no framework, minified for the 1 KB / 10 KB budgets (npm run bench:widget).
 */
const ROOT = path.resolve(import.meta.dirname, "..", "..");
const SOURCE = path.join(ROOT, "lib", "widget", "client");
export const WIDGET_OUT = path.join(ROOT, "public", "embed");

export async function buildWidget(): Promise<void> {
  mkdirSync(WIDGET_OUT, { recursive: true });
  const common = {
    bundle: true,
    minify: true,
    format: "iife" as const,
    target: ["es2020", "chrome100", "firefox100", "safari15"],
    legalComments: "none" as const,
    alias: { "@": ROOT },
    logLevel: "warning" as const,
  };
  await build({ ...common, entryPoints: [path.join(SOURCE, "loader.ts")], outfile: path.join(WIDGET_OUT, "loader.js") });
  await build({ ...common, entryPoints: [path.join(SOURCE, "picker.ts")], outfile: path.join(WIDGET_OUT, "picker.js") });
  const css = await transform(readFileSync(path.join(SOURCE, "picker.css"), "utf8"), { loader: "css", minify: true });
  writeFileSync(path.join(WIDGET_OUT, "picker.css"), css.code);
}

if (process.argv[1] && path.resolve(process.argv[1]) === path.resolve(import.meta.filename)) {
  await buildWidget();
  console.log(`Widget built into ${path.relative(ROOT, WIDGET_OUT)}/.`);
}
