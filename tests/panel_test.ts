import { ensureIslandBundle, silentLogger, t, VERSION } from "../lib/core/mod.ts";
import { assert, assertEquals, assertStringIncludes } from "../lib/core/testing.ts";
import { ApiError, errorMessage } from "../islands/use_api.ts";
import { startTestApp } from "./_helpers/app.ts";
import { errorBody } from "./_helpers/errors.ts";
import { panelUser, unescapeAttr } from "./_helpers/panel_session.ts";

/** Sends a request line exactly as written, bypassing fetch's URL normalisation. */
async function rawGet(base: string, target: string): Promise<number> {
  const { hostname, port } = new URL(base);
  const conn = await Deno.connect({ hostname, port: Number(port) });
  try {
    await conn.write(
      new TextEncoder().encode(`GET ${target} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`),
    );
    let text = "";
    for await (const chunk of conn.readable) text += new TextDecoder().decode(chunk);
    return Number(text.split(" ")[1]);
  } catch (err) {
    conn.close();
    throw err;
  }
}

Deno.test("the panel shell: pages, locale, theme, islands, preferences and static files", async (t) => {
  const app = await startTestApp();
  const get = (path: string, headers: Record<string, string> = {}) =>
    fetch(app.url + path, { headers, redirect: "manual" });
  // Panel pages need a signed-in user (tests/panel_accounts_test.ts covers the signed-out redirects).
  const { cookie: session } = await panelUser(app, "shell_admin", { role: "admin" });
  const page = async (headers: Record<string, string> = {}) => {
    const cookie = [session, headers.cookie].filter(Boolean).join("; ");
    const res = await get("/panel/", { ...headers, cookie });
    assertEquals(res.status, 200);
    return { res, html: await res.text() };
  };

  try {
    await t.step("GET / redirects to /panel/ and /panel gains its slash", async () => {
      for (const [path, status] of [["/", 302], ["/panel", 301]] as const) {
        const res = await get(path);
        await res.body?.cancel();
        assertEquals(res.status, status);
        assertEquals(res.headers.get("location"), "/panel/");
      }
    });

    await t.step("GET /panel/ is an HTML overview in Spanish by default", async () => {
      const { res, html } = await page();
      assertStringIncludes(res.headers.get("content-type") ?? "", "text/html");
      assertEquals(res.headers.get("content-language"), "es");
      assertEquals(res.headers.get("cache-control"), "no-store");
      assert(html.startsWith('<!DOCTYPE html><html lang="es" data-theme="system"'), html.slice(0, 80));
      for (
        const text of [
          "Resumen del sistema",
          `v${VERSION}`,
          "PostgreSQL",
          // The in-memory cache stands in on a machine without Redis (tests/_helpers/services.ts).
          app.deps.cache.kind === "redis" ? "Redis" : "En memoria",
          "Sandbox",
          "Motor WhatsApp",
        ]
      ) {
        assertStringIncludes(html, text);
      }
      assertStringIncludes(html, 'href="/panel/" class="nav-link" aria-current="page"');
    });

    await t.step("Accept-Language picks English, and the lang cookie overrides it", async () => {
      const en = await page({ "accept-language": "fr;q=0.9, en-US;q=0.8, es;q=0.2" });
      assertEquals(en.res.headers.get("content-language"), "en");
      assertStringIncludes(en.html, '<html lang="en"');
      assertStringIncludes(en.html, "System overview");
      const es = await page({ "accept-language": "en-US", cookie: "lang=es" });
      assertStringIncludes(es.html, "Resumen del sistema");
      const bogus = await page({ "accept-language": "en", cookie: "lang=xx" });
      assertStringIncludes(bogus.html, "System overview");
    });

    await t.step("every page shows the sandbox banner while the sandbox engine is in use", async () => {
      assertStringIncludes((await page()).html, "Modo sandbox: no hay WhatsApp real");
      assertStringIncludes((await page({ cookie: "lang=en" })).html, "Sandbox mode: no real WhatsApp");
    });

    await t.step(
      "the ThemeToggle island marker carries escaped JSON props and no inline script",
      async () => {
        const { res, html } = await page({ cookie: "theme=dark; lang=en" });
        const marker = html.match(/<div data-island="ThemeToggle" data-props="([^"]*)">/);
        assert(marker, "no ThemeToggle island marker");
        assert(!marker[1].includes('"') && marker[1].includes("&quot;"), marker[1]);
        assertEquals(JSON.parse(unescapeAttr(marker[1])), { theme: "dark", locale: "en" });
        assertStringIncludes(html, '<html lang="en" data-theme="dark"');
        const scripts = [...html.matchAll(/<script\b[^>]*>/g)].map((m) => m[0]);
        assertEquals(scripts.length, 1);
        assert(
          /^<script type="module" src="\/panel\/static\/js\/client\.js(\?v=[\w-]+)?">$/.test(scripts[0]),
          scripts[0],
        );
        assert(!/\son[a-z]+=/i.test(html), "inline event handler in the page");
        assertStringIncludes(res.headers.get("content-security-policy") ?? "", "script-src 'self'");
      },
    );

    await t.step("a forged theme cookie cannot reach the markup", async () => {
      const { html } = await page({ cookie: 'theme="><script>alert(1)</script>' });
      assertStringIncludes(html, 'data-theme="system"');
      assert(!html.includes("alert(1)"));
    });

    await t.step(
      "GET /panel/lang/:code sets the cookie and returns only to same-site panel pages",
      async () => {
        const cases: [string, Record<string, string>, string][] = [
          ["/panel/lang/en?next=%2Fpanel%2F%3Fa%3D1", {}, "/panel/?a=1"],
          ["/panel/lang/es", { referer: `${app.url}/panel/` }, "/panel/"],
          ["/panel/lang/en?next=https%3A%2F%2Fevil.example%2Fpanel%2F", {}, "/panel/"],
          ["/panel/lang/en?next=%2F%2Fevil.example%2Fpanel", {}, "/panel/"],
          ["/panel/lang/en?next=%2F%5Cevil.example%2Fpanel", {}, "/panel/"],
          ["/panel/lang/en?next=%2Fapi%2Fusers", {}, "/panel/"],
          ["/panel/lang/en", { referer: "https://evil.example/panel/x" }, "/panel/"],
        ];
        for (const [path, headers, location] of cases) {
          const res = await get(path, headers);
          await res.body?.cancel();
          assertEquals(res.status, 303, path);
          assertEquals(res.headers.get("location"), location, path);
          assertStringIncludes(
            res.headers.get("set-cookie") ?? "",
            `lang=${path.split("/")[3].slice(0, 2)}; `,
          );
        }
        const bad = await get("/panel/lang/fr");
        assertEquals(bad.status, 404);
        assertStringIncludes(await bad.text(), "<!DOCTYPE html>");
      },
    );

    await t.step("static files come with their content type, ETag and cache policy", async () => {
      const css = await get("/panel/static/app.css");
      assertEquals(css.status, 200);
      assertEquals(css.headers.get("content-type"), "text/css; charset=utf-8");
      assertEquals(css.headers.get("cache-control"), "public, max-age=0, must-revalidate");
      assertStringIncludes(await css.text(), "--brand: #8b1a1a");
      const etag = css.headers.get("etag")!;
      const again = await get("/panel/static/app.css", { "if-none-match": etag });
      await again.body?.cancel();
      assertEquals(again.status, 304);

      const href = (await page()).html.match(/href="(\/panel\/static\/app\.css\?v=[^"]+)"/)![1];
      const versioned = await get(href);
      await versioned.body?.cancel();
      assertEquals(versioned.headers.get("cache-control"), "public, max-age=31536000, immutable");
      const head = await fetch(`${app.url}/panel/static/app.css`, { method: "HEAD" });
      assertEquals(head.status, 200);
      assertEquals(head.headers.get("content-type"), "text/css; charset=utf-8");
      assertEquals(await head.text(), "");
      const svg = await get("/panel/static/logo.svg");
      await svg.body?.cancel();
      assertEquals(svg.headers.get("content-type"), "image/svg+xml");
    });

    await t.step("/favicon.ico is the logo as an icon, and every page links it", async () => {
      const ico = await get("/favicon.ico");
      assertEquals(ico.status, 200);
      assertEquals(ico.headers.get("content-type"), "image/x-icon");
      assertEquals(ico.headers.get("cache-control"), "public, max-age=86400");
      const bytes = new Uint8Array(await ico.arrayBuffer());
      // An ICO header (reserved 0, type 1) with the 16, 32 and 48 px images.
      assertEquals([...bytes.slice(0, 6)], [0, 0, 1, 0, 3, 0]);
      assertEquals([bytes[6], bytes[22], bytes[38]], [16, 32, 48]);
      const again = await get("/favicon.ico", { "if-none-match": ico.headers.get("etag")! });
      await again.body?.cancel();
      assertEquals(again.status, 304);
      assertStringIncludes((await page()).html, '<link rel="icon" href="/favicon.ico" sizes="any"/>');
    });

    await t.step("the island bundle is served as JavaScript", async () => {
      await ensureIslandBundle(silentLogger);
      const js = await get("/panel/static/js/client.js");
      assertEquals(js.status, 200);
      assertEquals(js.headers.get("content-type"), "text/javascript; charset=utf-8");
      assertStringIncludes(await js.text(), "data-island");
    });

    await t.step("path traversal and hidden files answer 404", async () => {
      for (
        const path of [
          "/panel/static/..%2fdeno.json",
          "/panel/static/..%2f..%2fdeno.json",
          "/panel/static/js%2f..%2f..%2fdeno.json",
          "/panel/static/js/..%2f..%2f..%2fdeno.json",
          "/panel/static/..%5c..%5cdeno.json",
          "/panel/static/%2e%2e%2fdeno.json",
          "/panel/static/js/",
          "/panel/static/",
          "/panel/static/%zz",
        ]
      ) {
        const res = await get(path);
        await res.body?.cancel();
        assertEquals(res.status, 404, path);
      }
      // A NUL is refused at the edge, before any route (an HTML error page under /panel).
      const nul = await get("/panel/static/app.css%00.js");
      await nul.body?.cancel();
      assertEquals(nul.status, 400);
      assertEquals(await rawGet(app.url, "/panel/static/../../deno.json"), 404);
      assertEquals(await rawGet(app.url, "/panel/static/../static/../../deno.json"), 404);
    });

    await t.step("an unknown panel page is an HTML 404", async () => {
      const res = await get("/panel/nope");
      assertEquals(res.status, 404);
      assertStringIncludes(await res.text(), "Not found");
    });
  } finally {
    await app.close();
  }
});

Deno.test("panel errors are translated by the answer's code, else shown in the server's words", () => {
  // A catalogue code: its text in either language, whatever the server wrote.
  const coded = new ApiError(400, "Invalid JSON body", errorBody("invalid_json"));
  assertEquals(coded.code, "invalid_json");
  assertEquals(errorMessage("es", coded), "El cuerpo JSON no es válido");
  assertEquals(errorMessage("en", coded), "Invalid JSON body");
  // A code whose text has placeholders: the values are read back out of the server's English text and
  // put into the Spanish one; a text that is not that template filled in is shown as the server wrote it.
  const filled = new ApiError(400, "number is required", errorBody("field_required", { field: "number" }));
  assertEquals(filled.code, "field_required");
  assertEquals(errorMessage("es", filled), "number es obligatorio");
  assertEquals(errorMessage("en", filled), "number is required");
  const reworded = new ApiError(400, "Falta el número", { error: "Falta el número", code: "field_required" });
  assertEquals(errorMessage("es", reworded), "Falta el número");
  // No code, or one the catalogue does not know: the server's words.
  assertEquals(
    errorMessage("es", new ApiError(400, "something new", { error: "something new" })),
    "something new",
  );
  const unknown = new ApiError(409, "Odd", { error: "Odd", code: "not_a_code" });
  assertEquals(unknown.code, undefined);
  assertEquals(errorMessage("es", unknown), "Odd");
  // The generic fallbacks stay for answers that are not ours to word.
  assertEquals(errorMessage("en", new ApiError(0, "Network error")), t("en", "err.network"));
  assertEquals(errorMessage("es", new ApiError(429, "Slow down")), t("es", "err.rateLimited"));
  assertEquals(errorMessage("es", new ApiError(502, "Bad Gateway")), t("es", "err.server"));
  assertEquals(errorMessage("es", new Error("boom")), t("es", "err.unexpected"));
});
