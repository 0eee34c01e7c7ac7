import { createRequire } from "node:module";

// Modules a script shares with the web app's server code import "server-only", which throws
// anywhere but in Next's server bundles. A script is server-side too: imported first, this makes
// that module empty; the script must then load the app's modules by dynamic import, since its
// static imports are all linked before any of them runs.
const require = createRequire(import.meta.url);
const serverOnly = require.resolve("server-only");
require.cache[serverOnly] = { id: serverOnly, filename: serverOnly, loaded: true, exports: {} } as NodeJS.Module;
