/** The sandbox README's route list, generated from the route table so the two cannot disagree. */
import { ENGINE_ROUTES, type EngineRoute } from "../gateway/engine_routes.ts";

export const ROUTES_BEGIN = "<!-- routes: generated from lib/gateway/engine_routes.ts by route_list.ts -->";
export const ROUTES_END = "<!-- /routes -->";

function line(route: EngineRoute): string {
  const path = `/${route.group}/${route.action}${route.instance ? "/{instance}" : ""}`;
  const notes = [
    route.admin ? "admins only through the gateway" : `${route.kind} scope`,
    ...(route.query.length > 0 ? [`query: ${route.query.join(", ")}`] : []),
  ];
  return `- \`${route.methods[0]} ${path}\` → ${route.status} (${notes.join("; ")})`;
}

/** The Markdown block, markers included. */
export function routeListMarkdown(): string {
  return [ROUTES_BEGIN, "", ...ENGINE_ROUTES.map(line), "", ROUTES_END].join("\n");
}
