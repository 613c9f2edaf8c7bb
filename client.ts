/**
 * Browser entry (bundled to static/js/client.js): hydrates every server-rendered island so the page is
 * interactive without re-rendering it. Everything else on the page stays plain HTML.
 */
import { h, hydrate } from "preact";
import { isIslandName, type IslandDefinition, islands } from "./islands/mod.ts";

function hydrateIsland(el: HTMLElement): void {
  const name = el.dataset.island;
  if (!isIslandName(name)) {
    console.warn(`unknown island "${name}"`);
    return;
  }
  // Erased on purpose: each entry pairs its own schema with its own component, and parse() runs first.
  const island = islands[name] as unknown as IslandDefinition<Record<string, unknown>>;
  try {
    const props = island.props.parse(JSON.parse(el.dataset.props ?? "{}"));
    hydrate(h(island.component, props), el);
  } catch (err) {
    console.error(`island "${name}" failed to hydrate`, err);
  }
}

for (const el of document.querySelectorAll<HTMLElement>("[data-island]")) {
  // A marker inside another island belongs to that island's tree; hydrating it twice would fight preact.
  if (el.parentElement?.closest("[data-island]")) continue;
  hydrateIsland(el);
}
