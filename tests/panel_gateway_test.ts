import { h } from "preact";
import { renderToString } from "preact-render-to-string";
import { instanceNameProblem, mediaTypeOf, recipientProblem } from "../islands/gateway_rules.ts";
import { gatewayError } from "../islands/gateway_errors.ts";
import { ApiError } from "../islands/use_api.ts";
import { formatWhatsApp, wrapSelection } from "../islands/wa_format.tsx";
import { HttpError } from "../lib/core/mod.ts";
import { assert, assertEquals, assertStringIncludes } from "../lib/core/testing.ts";
import { normalizeRecipient, validateInstanceName } from "../lib/gateway/mod.ts";
import { startTestApp } from "./_helpers/app.ts";
import { errorBody } from "./_helpers/errors.ts";
import { islandProps, panelUser } from "./_helpers/panel_session.ts";

const PAGES = ["/panel/instances", "/panel/messages", "/panel/webhooks"];

Deno.test("gateway pages: signed-out redirect, both languages, only the user's own data", async (t) => {
  const app = await startTestApp({ cache: "memory" });
  const get = (path: string, headers: Record<string, string> = {}) =>
    fetch(app.url + path, { headers, redirect: "manual" });
  const page = async (path: string, cookie: string) => {
    const res = await get(path, { cookie });
    const html = await res.text();
    assertEquals(res.status, 200, `${path}: ${html.slice(0, 200)}`);
    return { res, html };
  };
  try {
    const ana = await panelUser(app, "gw_ana");
    const beto = await panelUser(app, "gw_beto");
    const root = await panelUser(app, "gw_root", { role: "admin" });
    const { sql } = app.db;
    await sql`INSERT INTO taguato.user_instances (user_id, instance_name, connection_state, owner_jid)
      VALUES (${ana.id}, 'ana-wa', 'open', '595981000001@s.whatsapp.net'), (${beto.id}, 'beto-wa', NULL, NULL),
             (${beto.id}, 'beto-shared', 'connecting', NULL)`;
    await sql`INSERT INTO taguato.instance_permissions (instance_name, grantee_user_id)
      VALUES ('beto-shared', ${ana.id})`;
    await sql`INSERT INTO taguato.message_templates (user_id, name, content)
      VALUES (${ana.id}, 'Saludo', 'Hola *{{name}}*'), (${beto.id}, 'Secreto', 'de beto')`;
    await sql`INSERT INTO taguato.message_logs (user_id, instance_name, phone_number, status, source)
      VALUES (${ana.id}, 'ana-wa', '595981000002', 'delivered', 'panel'),
             (${beto.id}, 'beto-wa', '595981000003', 'read', 'api')`;
    await sql`INSERT INTO taguato.user_webhooks (user_id, instance_name, webhook_url, events)
      VALUES (${ana.id}, 'ana-wa', 'https://hooks.example.com/ana', '{MESSAGES_UPSERT}'),
             (${beto.id}, 'beto-wa', 'https://hooks.example.com/beto', '{}')`;

    await t.step("signed out, each page sends the browser to login with `next`", async () => {
      for (const path of PAGES) {
        for (const cookie of [undefined, "taguato_session=bogus"]) {
          const res = await get(path, cookie ? { cookie } : {});
          await res.body?.cancel();
          assertEquals(res.status, 302, path);
          assertEquals(res.headers.get("location"), `/panel/login?next=${encodeURIComponent(path)}`);
        }
      }
    });

    await t.step(
      "the pages render in Spanish and English, with their sidebar entries and no inline script",
      async () => {
        const titles: Record<string, [string, string]> = {
          "/panel/instances": ["<h1>Instancias</h1>", "<h1>Instances</h1>"],
          "/panel/messages": ["<h1>Mensajes</h1>", "<h1>Messages</h1>"],
          "/panel/webhooks": ["<h1>Webhooks</h1>", "<h1>Webhooks</h1>"],
        };
        for (const path of PAGES) {
          const es = await page(path, `${ana.cookie}; lang=es`);
          assertStringIncludes(es.html, titles[path][0]);
          assertEquals(es.res.headers.get("content-language"), "es");
          assertStringIncludes(es.res.headers.get("content-security-policy") ?? "", "script-src 'self'");
          assert(!/\son[a-z]+=/i.test(es.html), `inline handler in ${path}`);
          assertEquals([...es.html.matchAll(/<script\b/g)].length, 1, path);
          assertStringIncludes(es.html, `href="${path}" class="nav-link" aria-current="page"`);
          for (const label of ["Instancias", "Mensajes", "Webhooks"]) assertStringIncludes(es.html, label);
          const en = await page(path, `${ana.cookie}; lang=en`);
          assertStringIncludes(en.html, titles[path][1]);
          assertEquals(en.res.headers.get("content-language"), "en");
        }
        const en = (await page("/panel/messages", `${ana.cookie}; lang=en`)).html;
        assertStringIncludes(en, "Message history");
        assertStringIncludes(en, "Recipient number");
        assertStringIncludes(
          (await page("/panel/instances", `${ana.cookie}; lang=es`)).html,
          "Nueva instancia",
        );
      },
    );

    await t.step("Instances lists owned and granted instances only; grantees cannot delete", async () => {
      const props = islandProps((await page("/panel/instances", ana.cookie)).html, "Instances");
      const items = props.instances as Record<string, unknown>[];
      assertEquals(items.map((i) => i.name).sort(), ["ana-wa", "beto-shared"]);
      const own = items.find((i) => i.name === "ana-wa")!;
      assertEquals([own.state, own.ownerJid, own.canDelete, own.granted], [
        "open",
        "595981000001@s.whatsapp.net",
        true,
        false,
      ]);
      const shared = items.find((i) => i.name === "beto-shared")!;
      assertEquals([shared.state, shared.canDelete, shared.granted, shared.owner], [
        "connecting",
        false,
        true,
        "gw_beto",
      ]);
      assertEquals([props.owned, props.max], [1, 1]);
      const admin = islandProps((await page("/panel/instances", root.cookie)).html, "Instances");
      assertEquals((admin.instances as unknown[]).length, 3);
      assertEquals(admin.max, null);
    });

    await t.step("Messages carries the user's instances, templates and history, nobody else's", async () => {
      const html = (await page("/panel/messages?instance=ana-wa", ana.cookie)).html;
      const composer = islandProps(html, "MessageComposer");
      assertEquals(composer.instances, [
        { name: "beto-shared", state: "connecting" },
        { name: "ana-wa", state: "open" },
      ]);
      assertEquals((composer.templates as { name: string }[]).map((x) => x.name), ["Saludo"]);
      assertEquals(composer.selected, "ana-wa");
      const history = islandProps(html, "MessageHistory");
      const initial = history.initial as { logs: Record<string, unknown>[]; total: number; limit: number };
      assertEquals([initial.total, initial.limit], [1, 20]);
      assertEquals([initial.logs[0].phone_number, initial.logs[0].status], ["595981000002", "delivered"]);
      // Server-rendered: the badge and the composer's fields are in the HTML before any script runs.
      assertStringIncludes(html, 'data-status="delivered"');
      assertStringIncludes(html, 'name="number"');
      assert(!html.includes("Secreto") && !html.includes("595981000003"));
    });

    await t.step(
      "Webhooks carries the user's webhooks, their own instances and the server's event list",
      async () => {
        const props = islandProps((await page("/panel/webhooks", ana.cookie)).html, "Webhooks");
        const hooks = props.webhooks as Record<string, unknown>[];
        assertEquals(hooks.map((h) => [h.instance_name, h.webhook_url, h.events]), [
          ["ana-wa", "https://hooks.example.com/ana", ["MESSAGES_UPSERT"]],
        ]);
        // A grantee may not attach a webhook to a shared instance (POST /api/webhooks would say 403).
        assertEquals(props.instances, ["ana-wa"]);
        const events = props.events as string[];
        assert(events.includes("MESSAGES_UPDATE") && events.includes("CONNECTION_UPDATE"), String(events));
      },
    );

    await t.step("the emoji picker's data is served from the installed package, cacheable", async () => {
      for (const locale of ["es", "en"]) {
        const res = await get(`/panel/emoji/${locale}.json`);
        assertEquals(res.status, 200);
        assertStringIncludes(res.headers.get("content-type") ?? "", "application/json");
        const data = await res.json() as { emoji: string; annotation: string }[];
        assert(data.length > 1000 && data[0].emoji === "😀", locale);
        const etag = res.headers.get("etag")!;
        const again = await get(`/panel/emoji/${locale}.json`, { "if-none-match": etag });
        await again.body?.cancel();
        assertEquals(again.status, 304);
      }
      assertEquals(
        (await get("/panel/emoji/es.json").then((r) => r.json()) as { annotation: string }[])[0].annotation,
        "cara sonriendo",
      );
      const missing = await get("/panel/emoji/xx.json");
      await missing.body?.cancel();
      assertEquals(missing.status, 404);
    });
  } finally {
    await app.close();
  }
});

Deno.test("panel input rules agree with the server's", () => {
  const serverAccepts = (fn: () => unknown) => {
    try {
      fn();
      return true;
    } catch (err) {
      if (err instanceof HttpError && err.status === 400) return false;
      throw err;
    }
  };
  for (
    const name of [
      "ventas",
      "Ventas_2",
      "a",
      "9-x",
      "",
      "-x",
      "_x",
      "a b",
      "ñandú",
      "a.b",
      "x".repeat(100),
      "x".repeat(101),
    ]
  ) {
    assertEquals(instanceNameProblem(name) === null, serverAccepts(() => validateInstanceName(name)), name);
  }
  for (
    const number of [
      "595981000111",
      "+595 981 000-111",
      "(595) 981000111",
      "1234567",
      "12345678",
      "1".repeat(20),
      "1".repeat(21),
      "59598a",
      "",
      "  ",
      "595981000111@s.whatsapp.net",
      "120363000000000001@g.us",
      "foo@bar",
    ]
  ) {
    assertEquals(recipientProblem(number) === null, serverAccepts(() => normalizeRecipient(number)), number);
  }
  assertEquals(mediaTypeOf("image/png"), "image");
  assertEquals(mediaTypeOf("video/mp4"), "video");
  assertEquals(mediaTypeOf("audio/ogg"), "audio");
  assertEquals(mediaTypeOf("application/pdf"), "document");
});

Deno.test("WhatsApp formatting: toolbar wrapping and a preview that never runs markup", () => {
  const html = (text: string) => renderToString(h("div", null, formatWhatsApp(text)));
  assertEquals(html("Hola *mundo*"), "<div>Hola <strong>mundo</strong></div>");
  assertEquals(html("_a_ ~b~ *_c_*"), "<div><em>a</em> <s>b</s> <strong><em>c</em></strong></div>");
  assertEquals(html("```x *y*```"), '<div><code class="wa-mono">x *y*</code></div>');
  // Not formatting: inside words, spaces next to the markers, unclosed.
  assertEquals(html("a*b*c * x * *open"), "<div>a*b*c * x * *open</div>");
  const evil = html('*<img src=x onerror="alert(1)">* <script>alert(2)</script>');
  assert(!evil.includes("<img") && !evil.includes("<script"), evil);
  assertStringIncludes(evil, "&lt;script>");

  assertEquals(wrapSelection("Hola mundo", 5, 10, "*"), { value: "Hola *mundo*", start: 6, end: 11 });
  // Spaces of the selection stay outside the markers; an empty selection gets a pair with the caret inside.
  assertEquals(wrapSelection("Hola mundo ", 4, 11, "_"), { value: "Hola _mundo_ ", start: 6, end: 11 });
  assertEquals(wrapSelection("ab", 1, 1, "```"), { value: "a``````b", start: 4, end: 4 });
});

Deno.test("panel error messages: catalogue codes translated, the engine's own words kept", () => {
  assertEquals(
    gatewayError("es", new ApiError(400, "Invalid JSON body", errorBody("invalid_json"))),
    "El cuerpo JSON no es válido",
  );
  assertEquals(
    gatewayError("en", new ApiError(404, "Not found", errorBody("not_found"))),
    "Not found",
  );
  const notOnWhatsApp = new ApiError(400, "Bad Request", {
    status: 400,
    error: "Bad Request",
    response: { message: [{ jid: "595981000999@s.whatsapp.net", exists: false, number: "595981000999" }] },
  });
  assertEquals(gatewayError("es", notOnWhatsApp), "El número 595981000999 no tiene WhatsApp.");
  const closed = new ApiError(500, "Internal Server Error", { response: { message: "Connection Closed" } });
  assertEquals(gatewayError("en", closed), "Connection Closed");
  assertEquals(gatewayError("en", new ApiError(400, "something new")), "something new");
});
