/**
 * Cookie requests to engine routes that are not reads need the same-origin check whatever their method
 * (issue 8 item 7): `GET /instance/connect` starts a socket and `GET /group/acceptInviteCode` joins a
 * group, so a cross-site `<img src>` must not fire them with the panel's cookie.
 */
import { errorBody } from "./_helpers/errors.ts";
import { assertEquals } from "../lib/core/testing.ts";
import { panelUser } from "./_helpers/panel_session.ts";
import { call, engineCalls, makeInstance, startGateway } from "./proxy_fixtures.ts";

Deno.test("cookie GETs that change state must be same-origin; reads and apikey calls are not", async () => {
  await using gw = await startGateway();
  const user = await panelUser(gw, "csrfuser");
  const admin = await panelUser(gw, "csrfadmin", { role: "admin" });
  await makeInstance(gw, { ...user, token: "" }, "csrf-inst");
  const crossSite: Record<string, string>[] = [{}, { origin: "https://evil.example" }, {
    "sec-fetch-site": "cross-site",
  }];
  const writes = [
    [user.cookie, "/instance/connect/csrf-inst"],
    [user.cookie, "/group/acceptInviteCode/csrf-inst?inviteCode=AbCdEf123"],
    // An engine path outside the allowlist (admins only) counts as a write too.
    [admin.cookie, "/chatwoot/find/csrf-inst"],
  ];
  for (const [cookie, path] of writes) {
    for (const headers of crossSite) {
      const before = engineCalls(gw).length;
      const res = await call(gw, "GET", path, { headers: { cookie, ...headers } });
      assertEquals(
        [res.status, res.body],
        [403, errorBody("CSRF check failed")],
        `${path} ${JSON.stringify(headers)}`,
      );
      assertEquals(engineCalls(gw).length, before, `${path} never reached the engine`);
    }
  }
  const same = await call(gw, "GET", "/instance/connect/csrf-inst", {
    headers: { cookie: user.cookie, origin: gw.url },
  });
  assertEquals(same.status, 200);
  const fetchSite = await call(gw, "GET", "/instance/connect/csrf-inst", {
    headers: { cookie: user.cookie, "sec-fetch-site": "same-origin" },
  });
  assertEquals(fetchSite.status, 200);
  // Reads stay open to cookie GETs without an Origin (page navigations, plain links).
  const read = await call(gw, "GET", "/instance/connectionState/csrf-inst", {
    headers: { cookie: user.cookie },
  });
  assertEquals(read.status, 200);
  const manager = await call(gw, "GET", "/manager", { headers: { cookie: admin.cookie } });
  assertEquals(manager.status === 403, false, "the engine manager page opens from a link");
});
