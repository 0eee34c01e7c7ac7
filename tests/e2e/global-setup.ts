import { ensureBuilt } from "../../scripts/lib/processes";

// The end-to-end tests run the production build, built once here if the sources changed.
export default async function globalSetup() {
  const outcome = await ensureBuilt({ quiet: true });
  console.log(outcome === "built" ? "Built the app for the end-to-end tests." : "Reusing the current production build.");
}
