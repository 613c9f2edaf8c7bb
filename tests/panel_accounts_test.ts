import { audit } from "../lib/accounts/mod.ts";
import { assert, assertEquals, assertStringIncludes } from "../lib/core/testing.ts";
import { startTestApp } from "./_helpers/app.ts";
import { islandProps, panelUser, unescapeAttr } from "./_helpers/panel_session.ts";

Deno.test("panel accounts pages: login redirect, safe next, forced change, admin guard, both languages", async (t) => {
  const app = await startTestApp();
  const get = (path: string, headers: Record<string, string> = {}) =>
    fetch(app.url + path, { headers, redirect: "manual" });
  /** GET, expect `status`, return the body (drained either way). */
  const fetchPage = async (path: string, cookie: string, status = 200) => {
    const res = await get(path, { cookie });
    const html = await res.text();
    assertEquals(res.status, status, `${path}: ${html.slice(0, 200)}`);
    return { res, html };
  };

  try {
    const admin = await panelUser(app, "ana_admin", { role: "admin" });
    const user = await panelUser(app, "bruno", { role: "user" });
    const forced = await panelUser(app, "carla", { mustChange: true });

    await t.step(
      "signed out, every page sends the browser to login and remembers where it was going",
      async () => {
        const cases: [string, string][] = [
          ["/panel/", "/panel/login"],
          ["/panel/security", "/panel/login?next=%2Fpanel%2Fsecurity"],
          ["/panel/sessions", "/panel/login?next=%2Fpanel%2Fsessions"],
          ["/panel/api-keys", "/panel/login?next=%2Fpanel%2Fapi-keys"],
          [
            "/panel/admin/users?page=2&search=a",
            "/panel/login?next=%2Fpanel%2Fadmin%2Fusers%3Fpage%3D2%26search%3Da",
          ],
          ["/panel/admin/audit", "/panel/login?next=%2Fpanel%2Fadmin%2Faudit"],
          ["/panel/change-password", "/panel/login?next=%2Fpanel%2Fchange-password"],
        ];
        for (const [path, location] of cases) {
          for (const cookie of [undefined, "taguato_session=not-a-real-token", "taguato_session="]) {
            const res = await get(path, cookie ? { cookie } : {});
            await res.body?.cancel();
            assertEquals(res.status, 302, `${path} with ${cookie}`);
            assertEquals(res.headers.get("location"), location, path);
            assertEquals(res.headers.get("cache-control"), "no-store");
          }
        }
      },
    );

    await t.step("login and recovery pages are public, server-rendered, with no inline script", async () => {
      for (const path of ["/panel/login", "/panel/recover"]) {
        const { res, html } = await fetchPage(path, "");
        assertStringIncludes(res.headers.get("content-security-policy") ?? "", "script-src 'self'");
        const scripts = [...html.matchAll(/<script\b[^>]*>/g)].map((m) => m[0]);
        assertEquals(scripts.length, 1, path);
        assert(/src="\/panel\/static\/js\/client\.js/.test(scripts[0]), scripts[0]);
        assert(!/\son[a-z]+=/i.test(html), `inline handler in ${path}`);
        // The signed-out frame: no sidebar, no user menu.
        assert(!html.includes('class="sidebar"'), path);
        assert(!html.includes("data-logout"), path);
      }
      const login = (await fetchPage("/panel/login", "")).html;
      assertStringIncludes(login, 'name="username"');
      assertStringIncludes(login, 'autocomplete="current-password"');
      assertStringIncludes(login, 'href="/panel/recover"');
      assertStringIncludes((await fetchPage("/panel/recover", "")).html, 'data-recover-step="1"');
    });

    await t.step("`next` survives only as a same-origin panel path", async () => {
      const cases: [string, string][] = [
        ["/panel/security", "/panel/security"],
        ["/panel/admin/users?page=2", "/panel/admin/users?page=2"],
        ["https://evil.example/panel/", "/panel/"],
        ["//evil.example/panel/", "/panel/"],
        ["/\\evil.example/panel/", "/panel/"],
        ["javascript:alert(1)", "/panel/"],
        ["/api/auth/logout", "/panel/"],
        ["/panel/login?next=/panel/sessions", "/panel/"],
        ["/panel/change-password", "/panel/"],
        [`${app.url}/panel/sessions`, "/panel/sessions"],
      ];
      for (const [next, expected] of cases) {
        const { html } = await fetchPage(`/panel/login?next=${encodeURIComponent(next)}`, "");
        assertEquals(islandProps(html, "LoginForm").next, expected, next);
      }
      // Already signed in: the login page forwards, and only to a safe place.
      for (
        const [next, location] of [["/panel/sessions", "/panel/sessions"], [
          "https://evil.example/",
          "/panel/",
        ]]
      ) {
        const res = await get(`/panel/login?next=${encodeURIComponent(next)}`, { cookie: user.cookie });
        await res.body?.cancel();
        assertEquals(res.status, 302);
        assertEquals(res.headers.get("location"), location);
      }
    });

    await t.step("a notice in the query is shown only when it is one of the known ones", async () => {
      assertEquals(
        islandProps((await fetchPage("/panel/login?notice=expired", "")).html, "LoginForm").notice,
        "expired",
      );
      assertStringIncludes(
        (await fetchPage("/panel/login?notice=expired", "lang=es")).html,
        "Su sesión expiró",
      );
      const bogus = islandProps((await fetchPage("/panel/login?notice=%3Cscript%3E", "")).html, "LoginForm");
      assertEquals(bogus.notice, undefined);
    });

    await t.step("a user who must change the password sees only the change-password page", async () => {
      for (
        const path of ["/panel/", "/panel/security", "/panel/sessions", "/panel/admin/users", "/panel/login"]
      ) {
        const res = await get(path, { cookie: forced.cookie });
        await res.body?.cancel();
        assertEquals(res.status, 302, path);
        assertEquals(res.headers.get("location"), "/panel/change-password", path);
      }
      const { html } = await fetchPage("/panel/change-password", forced.cookie);
      assertEquals(islandProps(html, "ChangePasswordForm"), {
        locale: "es",
        username: "carla",
        forced: true,
      });
      assertStringIncludes(html, "Cambie su contraseña");
      // Logging out stays possible (it is an API call, not a page).
      assertEquals(islandProps(html, "LogoutButton"), { locale: "es", variant: "link" });
      // Everyone else changes it under Security, not on the first-login screen.
      const res = await get("/panel/change-password", { cookie: user.cookie });
      await res.body?.cancel();
      assertEquals(res.status, 302);
      assertEquals(res.headers.get("location"), "/panel/");
    });

    await t.step("admin pages answer 403 to users, and their links are not in a user's sidebar", async () => {
      for (const path of ["/panel/admin/users", "/panel/admin/audit"]) {
        const { html } = await fetchPage(path, user.cookie, 403);
        assertStringIncludes(html, "data-forbidden");
        assertStringIncludes(html, "Acceso restringido");
        assert(!html.includes("ana_admin"), "no user data leaks into the 403 page");
      }
      const home = (await fetchPage("/panel/", user.cookie)).html;
      assert(!home.includes('href="/panel/admin/users"'));
      assert(!home.includes('href="/panel/admin/audit"'));
      assertStringIncludes(home, 'href="/panel/security"');
      const adminHome = (await fetchPage("/panel/", admin.cookie)).html;
      assertStringIncludes(adminHome, 'href="/panel/admin/users"');
      assertStringIncludes(adminHome, 'href="/panel/admin/audit"');
      assertStringIncludes(adminHome, "Administración");
    });

    await t.step("the header shows who is signed in and a logout button", async () => {
      const { html } = await fetchPage("/panel/", admin.cookie);
      assertStringIncludes(html, 'data-user="ana_admin"');
      assertStringIncludes(html, "Administrador");
      assertEquals(islandProps(html, "LogoutButton"), { locale: "es" });
      assertStringIncludes(html, "Hola, ana_admin");
    });

    await t.step("every page renders in Spanish and in English", async () => {
      const pages: [string, string, string, string][] = [
        ["/panel/", admin.cookie, "Resumen del sistema", "System overview"],
        ["/panel/security", admin.cookie, "Verificación en dos pasos", "Two-step verification"],
        ["/panel/sessions", admin.cookie, "Sesiones activas", "Active sessions"],
        ["/panel/api-keys", admin.cookie, "Nueva clave", "New key"],
        ["/panel/admin/users", admin.cookie, "Nuevo usuario", "New user"],
        ["/panel/admin/audit", admin.cookie, "Todas las acciones", "All actions"],
        ["/panel/change-password", forced.cookie, "Cambie su contraseña", "Change your password"],
        ["/panel/login", "", "Iniciar sesión", "Sign in"],
        ["/panel/recover", "", "Recuperar contraseña", "Recover your password"],
      ];
      for (const [path, session, es, en] of pages) {
        for (const [lang, text] of [["es", es], ["en", en]]) {
          const { res, html } = await fetchPage(path, [session, `lang=${lang}`].filter(Boolean).join("; "));
          assertEquals(res.headers.get("content-language"), lang, path);
          assert(html.startsWith(`<!DOCTYPE html><html lang="${lang}"`), path);
          assertStringIncludes(html, text, `${path} in ${lang}`);
          assert(!/\son[a-z]+=/i.test(html), `inline handler in ${path}`);
          for (const m of html.matchAll(/data-props="([^"]*)"/g)) {
            const props = JSON.parse(unescapeAttr(m[1]));
            if ("locale" in props) assertEquals(props.locale, lang, path);
          }
        }
      }
    });

    await t.step("Users: the first page and the search are rendered on the server", async () => {
      const all = islandProps((await fetchPage("/panel/admin/users", admin.cookie)).html, "UsersAdmin");
      const initial = all.initial as {
        users: { username: string }[];
        total: number;
        page: number;
        pages: number;
      };
      assertEquals(initial.users.map((u) => u.username), ["admin", "ana_admin", "bruno", "carla"]);
      assertEquals([initial.total, initial.page, initial.pages], [4, 1, 1]);
      assertEquals(all.currentUserId, admin.id);
      const found = await fetchPage("/panel/admin/users?search=BRU", admin.cookie);
      assertStringIncludes(found.html, 'data-user-row="bruno"');
      assert(!found.html.includes('data-user-row="carla"'));
      const empty = islandProps(
        (await fetchPage("/panel/admin/users?search=zzz", admin.cookie)).html,
        "UsersAdmin",
      );
      assertEquals((empty.initial as { total: number }).total, 0);
      // Garbage paging falls back to page 1 rather than failing.
      const bad = islandProps(
        (await fetchPage("/panel/admin/users?page=-3", admin.cookie)).html,
        "UsersAdmin",
      );
      assertEquals((bad.initial as { page: number }).page, 1);
    });

    await t.step("Audit: entries, filters from the query string and the action list", async () => {
      for (const action of ["user_created", "user_login", "user_login"]) {
        await audit(app.deps.sql, {
          userId: admin.id,
          username: "ana_admin",
          action,
          resourceType: "user",
          resourceId: user.id,
          details: { username: "bruno" },
          ip: "10.0.0.9",
        });
      }
      const all = islandProps((await fetchPage("/panel/admin/audit", admin.cookie)).html, "AuditLog");
      const initial = all.initial as { logs: { action: string }[]; total: number };
      assert(initial.total >= 3);
      assert((all.actions as string[]).includes("user_login"));
      const filtered = islandProps(
        (await fetchPage(
          "/panel/admin/audit?action=user_created&username=ana_admin&date_from=2000-01-01",
          admin.cookie,
        ))
          .html,
        "AuditLog",
      );
      assertEquals(filtered.filters, {
        action: "user_created",
        username: "ana_admin",
        date_from: "2000-01-01",
        date_to: "",
      });
      const logs = (filtered.initial as { logs: { action: string; ip_address: string }[] }).logs;
      assertEquals(logs.map((l) => [l.action, l.ip_address]), [["user_created", "10.0.0.9"]]);
      const junk = islandProps(
        (await fetchPage("/panel/admin/audit?date_from=yesterday", admin.cookie)).html,
        "AuditLog",
      );
      assertEquals((junk.filters as { date_from: string }).date_from, "");
    });

    await t.step("Sessions marks the current one; Security shows the 2FA state", async () => {
      const sessions = islandProps((await fetchPage("/panel/sessions", user.cookie)).html, "SessionList")
        .sessions as { current: boolean; user_agent: string }[];
      assertEquals(sessions.length, 1);
      assertEquals(sessions[0].current, true);
      assertEquals(sessions[0].user_agent, "panel-test");
      const tfa = islandProps((await fetchPage("/panel/security", user.cookie)).html, "TwoFactor");
      assertEquals(tfa, { locale: "es", username: "bruno", enabled: false });
    });

    await t.step("API keys lists the user's keys with their status", async () => {
      const created = await fetch(`${app.url}/api/keys`, {
        method: "POST",
        headers: { cookie: user.cookie, origin: app.url, "content-type": "application/json" },
        body: JSON.stringify({ name: "CRM", scope: "read", password: user.password }),
      });
      assertEquals(created.status, 201, await created.clone().text());
      const { api_key } = await created.json();
      const props = islandProps((await fetchPage("/panel/api-keys", user.cookie)).html, "ApiKeys");
      const keys = props.keys as { name: string; scope: string; status: string; key?: string }[];
      assertEquals(keys.map((k) => [k.name, k.scope, k.status]), [["CRM", "read", "active"]]);
      assert(!("key" in keys[0]), "the key itself is never rendered again");
      assert(!JSON.stringify(props).includes(api_key.key));
    });

    await t.step("a deactivated account's session no longer opens pages", async () => {
      const gone = await panelUser(app, "dora", { active: false });
      const res = await get("/panel/", { cookie: gone.cookie });
      await res.body?.cancel();
      assertEquals(res.status, 302);
      assertEquals(res.headers.get("location"), "/panel/login");
    });

    await t.step("the real login sets the cookie the pages accept, and logout ends it", async () => {
      const login = await fetch(`${app.url}/api/auth/login`, {
        method: "POST",
        headers: { "content-type": "application/json", "x-taguato-client": "panel" },
        body: JSON.stringify({ username: "bruno", password: user.password }),
      });
      assertEquals(login.status, 200);
      const body = await login.json();
      assertEquals(body.token, undefined);
      const cookie = login.headers.get("set-cookie")!.split(";")[0];
      assert(cookie.startsWith("taguato_session="));
      assertStringIncludes((await fetchPage("/panel/sessions", cookie)).html, "bruno");
      const out = await fetch(`${app.url}/api/auth/logout`, {
        method: "POST",
        headers: { cookie, origin: app.url },
      });
      assertEquals(out.status, 200);
      await out.body?.cancel();
      const after = await get("/panel/sessions", { cookie });
      await after.body?.cancel();
      assertEquals(after.status, 302);
    });
  } finally {
    await app.close();
  }
});
