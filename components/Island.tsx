import { type IslandDefinition, type IslandName, type IslandProps, islands } from "../islands/mod.ts";

/** The registry entry with its props type erased: the schema's parse output is what the component gets. */
type ErasedIsland = IslandDefinition<Record<string, unknown>>;

interface Props<N extends IslandName> {
  name: N;
  props: IslandProps<N>;
}

/**
 * Server-side island marker: renders the island's HTML now and leaves its name and JSON props on the
 * wrapper for client.ts to hydrate. Props go through the island's schema first, so anything that would
 * not survive JSON (dates, functions, undefined fields the client expects) fails here, not in a browser.
 * The JSON sits in an attribute value, which the renderer escapes (&, <, >, ").
 */
export function Island<N extends IslandName>({ name, props }: Props<N>) {
  const island = islands[name] as unknown as ErasedIsland;
  const checked = island.props.parse(props);
  const Component = island.component;
  return (
    <div data-island={name} data-props={JSON.stringify(checked)}>
      <Component {...checked} />
    </div>
  );
}
