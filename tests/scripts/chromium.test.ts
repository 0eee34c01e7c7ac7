import { mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { freePort } from "../../scripts/lib/processes";

// Playwright fixes where its browsers live when it loads: a directory of this file's own, set before
// the module that imports Playwright is loaded, so nothing is fetched into (or found in) the user's.
const browsers = mkdtempSync(path.join(tmpdir(), "playwright-browsers-"));
const browsersBefore = process.env.PLAYWRIGHT_BROWSERS_PATH;
process.env.PLAYWRIGHT_BROWSERS_PATH = browsers;
const { CHROMIUM_HOW_TO, ensureChromium, playwrightChromium } = await import("../support/chromium");
const { chromium } = await import("@playwright/test");

// A machine with no system Chromium: only Playwright's own counts.
const playwrightsOnly = () => [playwrightChromium()];

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;

  return c >>> 0;
});

function crc32(data: Buffer): number {
  let crc = 0xffffffff;
  for (const byte of data) crc = CRC_TABLE[(crc ^ byte) & 0xff]! ^ (crc >>> 8);

  return (crc ^ 0xffffffff) >>> 0;
}

/** A zip of one executable file, stored uncompressed: what a browser build is, to the installer. */
function zipOf(name: string, content: string): Buffer {
  const data = Buffer.from(content);
  const fileName = Buffer.from(name);
  const crc = crc32(data);
  const local = Buffer.alloc(30);
  local.writeUInt32LE(0x04034b50, 0);
  local.writeUInt16LE(20, 4);
  local.writeUInt16LE(0x21, 12); // 1 Jan 1980
  local.writeUInt32LE(crc, 14);
  local.writeUInt32LE(data.length, 18);
  local.writeUInt32LE(data.length, 22);
  local.writeUInt16LE(fileName.length, 26);
  const central = Buffer.alloc(46);
  central.writeUInt32LE(0x02014b50, 0);
  central.writeUInt16LE(0x031e, 4); // made on Unix, so the mode below counts
  central.writeUInt16LE(20, 6);
  central.writeUInt16LE(0x21, 14);
  central.writeUInt32LE(crc, 16);
  central.writeUInt32LE(data.length, 20);
  central.writeUInt32LE(data.length, 24);
  central.writeUInt16LE(fileName.length, 28);
  central.writeUInt32LE((0o100755 << 16) >>> 0, 38);
  central.writeUInt32LE(0, 42);
  const directoryOffset = local.length + fileName.length + data.length;
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(1, 8);
  end.writeUInt16LE(1, 10);
  end.writeUInt32LE(central.length + fileName.length, 12);
  end.writeUInt32LE(directoryOffset, 16);

  return Buffer.concat([local, fileName, data, central, fileName, end]);
}

/**
 * A download mirror for Playwright's installer (PLAYWRIGHT_DOWNLOAD_HOST), as a company's proxy
 * would be: each build it asks for is a zip with the executable where Playwright looks for it
 * (Chromium's; the headless shell's and ffmpeg's named after their zips, as on Linux). It can be told
 * to refuse ffmpeg, which Playwright fetches after the browser.
 */
async function startMirror() {
  const [installDir, ...inside] = path.relative(browsers, chromium.executablePath()).split(path.sep);
  expect(installDir).toBeTruthy();
  const requested: string[] = [];
  let refuseFfmpeg = false;
  const server: Server = createServer((req, res) => {
    const url = req.url ?? "";
    requested.push(url);
    const build = path.posix.basename(url, ".zip");
    const ffmpeg = url.includes("/ffmpeg/");
    if (ffmpeg && refuseFfmpeg) {
      res.writeHead(404).end();

      return;
    }
    const executable = ffmpeg ? build : build.startsWith("chrome-headless-shell") ? `${build}/chrome-headless-shell` : inside.join("/");
    const body = zipOf(executable, "#!/bin/sh\necho 'a stand-in build'\n");
    res.writeHead(200, { "content-type": "application/zip", "content-length": body.length }).end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));

  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requested,
    refuseFfmpeg: (value: boolean) => (refuseFfmpeg = value),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

let mirror: Awaited<ReturnType<typeof startMirror>>;
let echoed = "";
const echo = (chunk: string) => (echoed += chunk);

beforeAll(async () => {
  mirror = await startMirror();
});

afterEach(() => {
  echoed = "";
  mirror.refuseFfmpeg(false);
  for (const entry of readdirSync(browsers)) rmSync(path.join(browsers, entry), { recursive: true, force: true });
});

afterAll(async () => {
  if (browsersBefore === undefined) delete process.env.PLAYWRIGHT_BROWSERS_PATH;
  else process.env.PLAYWRIGHT_BROWSERS_PATH = browsersBefore;
  await mirror.close();
  rmSync(browsers, { recursive: true, force: true });
});

describe("the Chromium for the browser tests", () => {
  it("is one already there, with nothing fetched", async () => {
    const present = path.join(browsers, "..", `${path.basename(browsers)}-chromium`);
    writeFileSync(present, "");
    try {
      const outcome = await ensureChromium({ candidates: () => ["/nowhere/chromium", present], echo, env: { ...process.env, PLAYWRIGHT_DOWNLOAD_HOST: mirror.url } });
      expect(outcome).toEqual({ path: present, fetched: false, note: null });
      expect(readdirSync(browsers)).toEqual([]);
      expect(echoed).toBe("");
    } finally {
      rmSync(present, { force: true });
    }
  });

  it("is fetched with Playwright's installer when there is none, said so, and used", async () => {
    const outcome = await ensureChromium({ candidates: playwrightsOnly, echo, env: { ...process.env, PLAYWRIGHT_DOWNLOAD_HOST: mirror.url } });
    expect(outcome).toMatchObject({ path: chromium.executablePath(), fetched: true });
    expect(outcome.path!.startsWith(browsers + path.sep)).toBe(true);
    const note = "note" in outcome ? outcome.note : null;
    expect(note).toContain(`Fetched Playwright's Chromium: ${chromium.executablePath()}.`);
    expect(note, echoed).not.toContain("exit");
    expect(echoed).toContain("fetching Playwright's (npx playwright install chromium)");
    expect(mirror.requested.some((url) => url.includes("chrome"))).toBe(true);
  }, 120_000);

  it("is used when fetched even if an extra Playwright fetches with it (ffmpeg, for videos) fails", async () => {
    mirror.refuseFfmpeg(true);
    const outcome = await ensureChromium({ candidates: playwrightsOnly, echo, env: { ...process.env, PLAYWRIGHT_DOWNLOAD_HOST: mirror.url } });
    expect(outcome).toMatchObject({ path: chromium.executablePath(), fetched: true });
    expect("note" in outcome ? outcome.note : null).toContain("The fetch ended with exit 1; the browser is in place.");
  }, 120_000);

  it("stops with today's instructions, saying the fetch failed, when it cannot be fetched", async () => {
    // A real fetch that fails, wherever the test runs: the download host refuses connections.
    const closed = `http://127.0.0.1:${await freePort()}`;
    const outcome = await ensureChromium({ candidates: playwrightsOnly, echo, env: { ...process.env, PLAYWRIGHT_DOWNLOAD_HOST: closed } });
    expect(outcome.path).toBeNull();
    const message = "message" in outcome ? outcome.message : "";
    expect(message).toMatch(/^Fetching Playwright's Chromium failed \(.*ECONNREFUSED.*\)\.\n/);
    expect(message.endsWith(CHROMIUM_HOW_TO)).toBe(true);
    expect(echoed).toContain(closed);
  }, 120_000);
});
