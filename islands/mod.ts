import type { ComponentType } from "preact";
import type * as z from "zod/mini";
import { ThemeToggle, ThemeToggleProps } from "./ThemeToggle.tsx";

/** An interactive component plus the schema its serialized props must satisfy on both sides of the wire. */
export interface IslandDefinition<P> {
  component: ComponentType<P>;
  props: z.ZodMiniType<P>;
}

const island = <P>(component: ComponentType<P>, props: z.ZodMiniType<P>): IslandDefinition<P> => ({
  component,
  props,
});

/**
 * Every island the browser bundle can hydrate. Adding one: write islands/Name.tsx exporting the component
 * and a zod/mini props schema, then add a line here; `<Island name="Name" props={...}>` renders it.
 */
export const islands = {
  ThemeToggle: island(ThemeToggle, ThemeToggleProps),
};

export type IslandName = keyof typeof islands;
export type IslandProps<N extends IslandName> = z.infer<typeof islands[N]["props"]>;

/** True when `name` (e.g. from a data-island attribute) is a registered island. */
export const isIslandName = (name: unknown): name is IslandName =>
  typeof name === "string" && Object.hasOwn(islands, name);
