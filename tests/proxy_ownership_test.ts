/**
 * The ownership matrix (DESIGN §5, fix of contract §14.1-1): every proxied route family × every path
 * shape that can name an instance × {own, granted, foreign, admin}. A foreign instance must never be
 * reached: the sandbox's request log proves no call naming it arrived, and its state is unchanged.
 */
import { errorBody } from "./_helpers/errors.ts";
import { assert, assertEquals } from "../lib/core/testing.ts";
import {
  type Answer,
  call,
  engineCalls,
  engineSaw,
  type Gateway,
  grant,
  makeInstance,
  makeUser,
  startGateway,
  type TestUser,
} from "./proxy_fixtures.ts";

interface Family {
  method: string;
  route: string;
  query?: string;
  body?: Record<string, unknown>;
}

const FAMILIES: Family[] = [
  { method: "GET", route: "instance/connectionState" },
  { method: "POST", route: "instance/restart" },
  { method: "POST", route: "message/sendText", body: { number: "595981000111", text: "hola" } },
  { method: "POST", route: "chat/findChats", body: {} },
  { method: "GET", route: "group/fetchAllGroups", query: "getParticipants=false" },
  { method: "GET", route: "settings/find" },
  { method: "POST", route: "call/offer", body: { number: "595981000111", isVideo: false, callDuration: 1 } },
  { method: "GET", route: "label/findLabels" },
  { method: "GET", route: "chat/fetchPrivacySettings" },
];

// "badQuery": a query key the route does not read is refused before ownership is even looked at.
type Expect = "forwarded" | "forbidden" | "unknown" | "badQuery";

interface Shape {
  name: string;
  path: string;
  body?: Record<string, unknown>;
  /** What a non-admin caller gets when the target instance is theirs. */
  whenOwned: Expect;
}

const encodeAll = (s: string) =>
  [...s].map((ch) => "%" + ch.charCodeAt(0).toString(16).padStart(2, "0")).join("");
const mixCase = (s: string) => [...s].map((ch, i) => (i % 2 ? ch.toUpperCase() : ch.toLowerCase())).join("");

function shapes(f: Family, target: string, own: string): Shape[] {
  const base = `/${f.route}`;
  const q = f.query ? `?${f.query}` : "";
  const amp = f.query ? `?${f.query}&` : "?";
  const list: Shape[] = [
    { name: "plain", path: `${base}/${target}${q}`, whenOwned: "forwarded" },
    { name: "trailing slash", path: `${base}/${target}/${q}`, whenOwned: "forwarded" },
    { name: "encoded name", path: `${base}/${encodeAll(target)}${q}`, whenOwned: "forwarded" },
    { name: "mixed-case route", path: `${mixCase(base)}/${target}${q}`, whenOwned: "forwarded" },
    {
      name: "query instanceName",
      path: `${base}/${own}${amp}instanceName=${target}`,
      whenOwned: "badQuery",
    },
    { name: "query instance", path: `${base}/${own}${amp}instance=${target}`, whenOwned: "badQuery" },
    {
      name: "query instanceName[]",
      path: `${base}/${own}${amp}instanceName[]=${target}`,
      whenOwned: "badQuery",
    },
    { name: "extra segment", path: `${base}/${target}/extra${q}`, whenOwned: "unknown" },
    { name: "upper-case name", path: `${base}/${target.toUpperCase()}${q}`, whenOwned: "forbidden" },
    { name: "encoded slash", path: `${base}/${target}%2Fextra${q}`, whenOwned: "unknown" },
  ];
  if (f.method !== "GET") {
    list.push(
      {
        name: "body instanceName",
        path: `${base}/${own}`,
        body: { ...f.body, instanceName: target },
        whenOwned: "forwarded",
      },
      {
        name: "body instance",
        path: `${base}/${own}`,
        body: { ...f.body, instance: target },
        whenOwned: "forwarded",
      },
    );
  }
  return list;
}

async function attempt(
  gw: Gateway,
  who: TestUser,
  f: Family,
  s: Shape,
): Promise<{ res: Answer; forwarded: boolean }> {
  const before = engineCalls(gw).length;
  const res = await call(gw, f.method, s.path, { token: who.token, body: s.body ?? f.body });
  return { res, forwarded: engineCalls(gw).length > before };
}

function check(label: string, expect: Expect, r: { res: Answer; forwarded: boolean }) {
  const seen = `${label}: got ${r.res.status} ${JSON.stringify(r.res.body)} forwarded=${r.forwarded}`;
  if (expect === "forwarded") {
    assert(r.forwarded, seen);
    assert(r.res.status !== 403 && !(r.res.status === 404 && r.res.body?.error === "Not found"), seen);
  } else if (expect === "forbidden") {
    assertEquals({ status: r.res.status, body: r.res.body, forwarded: r.forwarded }, {
      status: 403,
      body: errorBody("You don't own this instance"),
      forwarded: false,
    }, seen);
  } else if (expect === "badQuery") {
    assertEquals([r.res.status, r.forwarded], [400, false], seen);
    assert(/^query_key_(unknown|invalid)$/.test(r.res.body?.code), seen);
  } else {
    assertEquals({ status: r.res.status, body: r.res.body, forwarded: r.forwarded }, {
      status: 404,
      body: errorBody("Not found"),
      forwarded: false,
    }, seen);
  }
}

Deno.test("proxy ownership matrix: own, granted, foreign and admin over every route family and path shape", async () => {
  await using gw = await startGateway({
    env: { SEND_RATE_LIMIT_PER_SECOND: "100000", CIRCUIT_BREAKER_THRESHOLD: "100000" },
  });
  const alice = await makeUser(gw);
  const bob = await makeUser(gw);
  const dave = await makeUser(gw);
  const admin = await makeUser(gw, { role: "admin" });
  await makeInstance(gw, alice, "alice-inst", true);
  await makeInstance(gw, bob, "bob-inst", true);
  await makeInstance(gw, dave, "dave-inst", true);
  await grant(gw, "dave-inst", alice, dave);
  const bobBefore = (await gw.control.state()).instances.find((i: { name: string }) => i.name === "bob-inst");

  let checked = 0;
  for (const f of FAMILIES) {
    for (const target of ["alice-inst", "dave-inst"]) {
      for (const s of shapes(f, target, "alice-inst")) {
        check(`own/granted ${f.method} ${s.name} ${s.path}`, s.whenOwned, await attempt(gw, alice, f, s));
        checked++;
      }
    }
    for (const s of shapes(f, "bob-inst", "alice-inst")) {
      const expect = s.whenOwned === "forwarded" ? "forbidden" : s.whenOwned;
      check(`foreign ${f.method} ${s.name} ${s.path}`, expect, await attempt(gw, alice, f, s));
      checked++;
    }
  }
  // Destructive routes, foreign target only: every shape is refused before the engine.
  const destructive: Family[] = [
    { method: "DELETE", route: "instance/delete" },
    { method: "DELETE", route: "instance/logout" },
    { method: "GET", route: "instance/connect" },
    { method: "PUT", route: "instance/restart" },
    { method: "POST", route: "instance/setPresence", body: { presence: "available" } },
    { method: "POST", route: "settings/set", body: { rejectCall: true } },
    {
      method: "POST",
      route: "webhook/set",
      body: { webhook: { enabled: false, url: "https://x.example", events: [] } },
    },
    { method: "GET", route: "webhook/find" },
  ];
  for (const f of destructive) {
    for (const s of shapes(f, "bob-inst", "alice-inst")) {
      const r = await attempt(gw, alice, f, s);
      if (f.route.startsWith("webhook/") && s.whenOwned !== "unknown") {
        assertEquals(
          [r.res.status, r.forwarded],
          [r.res.status === 400 ? 400 : 403, false],
          `${f.route} ${s.name}`,
        );
      } else {check(
          `foreign ${f.method} ${s.name} ${s.path}`,
          s.whenOwned === "forwarded" ? "forbidden" : s.whenOwned,
          r,
        );}
      checked++;
    }
  }
  assertEquals(engineSaw(gw, "bob-inst"), [], "the engine never received a call naming the foreign instance");
  const bobAfter = (await gw.control.state()).instances.find((i: { name: string }) => i.name === "bob-inst");
  assertEquals(bobAfter, bobBefore);

  for (const f of FAMILIES) {
    for (const s of shapes(f, "bob-inst", "alice-inst")) {
      if (s.name === "encoded slash") continue;
      const r = await attempt(gw, admin, f, s);
      if (s.whenOwned === "badQuery") {
        check(`admin ${f.method} ${s.name}`, "badQuery", r);
        continue;
      }
      assert(r.forwarded && r.res.status !== 403, `admin ${f.method} ${s.name}: ${r.res.status}`);
      checked++;
    }
  }
  assert(checked > 250, `matrix covered ${checked} cases`);
});
