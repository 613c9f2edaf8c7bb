import { fileURLToPath } from "node:url";
import type { Logger } from "./log.ts";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const ENTRY = `${ROOT}client.ts`;
const OUT_DIR = `${ROOT}static/js`;
/** The bundle the panel pages load, served at /panel/static/js/client.js. */
export const BUNDLE_PATH = `${OUT_DIR}/client.js`;
/** What the bundle may import: editing any of these makes it stale (lib/ whole, as islands import from it). */
const SOURCES = ["islands", "client.ts", "components", "lib"].map((p) => `${ROOT}${p}`);

/**
 * Bundles client.ts and the islands it imports into static/js/client.js (browser platform, ESM,
 * minified, with a linked source map). One import map resolves preact, so islands share one copy and
 * hooks work. Writes into a temporary folder and renames, so a concurrent reader never sees half a file.
 */
export async function buildIslands(): Promise<void> {
  await Deno.mkdir(OUT_DIR, { recursive: true });
  const tmp = await Deno.makeTempDir({ dir: OUT_DIR, prefix: ".build-" });
  try {
    const { success, stderr } = await new Deno.Command(Deno.execPath(), {
      args: [
        "bundle",
        "--quiet",
        "--platform=browser",
        "--format=esm",
        "--minify",
        "--sourcemap=linked",
        `--outdir=${tmp}`,
        ENTRY,
      ],
      cwd: ROOT,
      stdout: "null",
      stderr: "piped",
    }).output();
    if (!success) throw new Error(`deno bundle failed:\n${new TextDecoder().decode(stderr)}`);
    // The map first: a page that fetches the new bundle can then always find its map.
    await Deno.rename(`${tmp}/client.js.map`, `${OUT_DIR}/client.js.map`);
    await Deno.rename(`${tmp}/client.js`, BUNDLE_PATH);
  } finally {
    await Deno.remove(tmp, { recursive: true }).catch(() => {});
  }
}

async function newestMtime(path: string): Promise<number> {
  const info = await Deno.stat(path).catch(() => null);
  if (!info) return 0;
  if (!info.isDirectory) return info.mtime?.getTime() ?? 0;
  let newest = 0;
  for await (const entry of Deno.readDir(path)) {
    newest = Math.max(newest, await newestMtime(`${path}/${entry.name}`));
  }
  return newest;
}

/** Builds the island bundle when it is missing or older than any of its sources; a no-op otherwise. */
export async function ensureIslandBundle(log: Logger): Promise<void> {
  const built = (await Deno.stat(BUNDLE_PATH).catch(() => null))?.mtime?.getTime() ?? 0;
  const sources = Math.max(...await Promise.all(SOURCES.map(newestMtime)));
  if (built > 0 && built >= sources) return;
  const started = performance.now();
  await buildIslands();
  log.info("island bundle built", { path: BUNDLE_PATH, ms: Math.round(performance.now() - started) });
}
