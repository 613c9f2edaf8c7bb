/** `deno task build`: bundles the panel's islands into static/js/client.js. */
import { buildIslands, BUNDLE_PATH } from "./lib/core/mod.ts";

const started = performance.now();
await buildIslands();
const { size } = await Deno.stat(BUNDLE_PATH);
console.log(
  `built ${BUNDLE_PATH} (${(size / 1024).toFixed(1)} KiB) in ${Math.round(performance.now() - started)} ms`,
);
