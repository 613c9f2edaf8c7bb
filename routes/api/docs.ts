import { OpenAPIHono } from "@hono/zod-openapi";
import { swaggerUI } from "@hono/swagger-ui";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import type { AppEnv } from "../../lib/core/mod.ts";

const ASSETS = new Set(["swagger-ui-bundle.js", "swagger-ui.css", "swagger-ui-standalone-preset.js"]);
const TYPES: Record<string, string> = {
  js: "text/javascript; charset=utf-8",
  css: "text/css; charset=utf-8",
};

/**
 * Mounted at /api: `/api/openapi.json` (generated from the zod schemas of every mounted route) and `/api/docs`, an
 * interactive page whose Swagger UI assets are served from the installed package, not a CDN.
 */
export function apiDocsRoutes(root: OpenAPIHono<AppEnv>, version: string) {
  const app = new OpenAPIHono<AppEnv>();
  root.openAPIRegistry.registerComponent("securitySchemes", "apikey", {
    type: "apiKey",
    in: "header",
    name: "apikey",
    description: "A session token from POST /api/auth/login, or an API key",
  });
  app.get("/openapi.json", (c) =>
    c.json(root.getOpenAPI31Document({
      openapi: "3.1.0",
      info: {
        title: "TAGUATO-SEND",
        version,
        description:
          "Multi-tenant WhatsApp gateway in front of Evolution API, wire-compatible with TAGUATO-SEND.",
      },
    })));
  app.get(
    "/docs",
    swaggerUI({ url: "/api/openapi.json", baseUrl: "/api/docs/assets", version: undefined }),
  );
  const dir = dirname(createRequire(import.meta.url).resolve("swagger-ui-dist/package.json"));
  app.get("/docs/assets/swagger-ui-dist/:file", async (c) => {
    const file = c.req.param("file");
    if (!ASSETS.has(file)) return c.notFound();
    const body = await Deno.readFile(join(dir, file));
    return c.body(body, 200, {
      "Content-Type": TYPES[file.split(".").pop()!],
      "Cache-Control": "public, max-age=86400",
    });
  });
  return app;
}
