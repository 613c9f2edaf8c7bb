// The malformed-input sweep: every documented route (/api/openapi.json) and a sample of each proxied engine
// family is sent NUL bytes, huge strings, wrong JSON types, hostile ids and query values, with and without
// a valid credential. Whatever the route thinks of the input, the answer is never a 5xx, and /health still
// answers 200 afterwards. Bounded: a fixed list of variants per route, run a few at a time.
import { assert, assertEquals } from "../lib/core/testing.ts";
import { ENGINE_ROUTES } from "../lib/gateway/engine_routes.ts";
import { startTestApp, type TestApp } from "./_helpers/app.ts";
import { tenantWithInstance } from "./_helpers/engine.ts";
import { adminLogin, login } from "./_helpers/accounts.ts";

type Json = Record<string, unknown>;

const HUGE = "x".repeat(200_000);
const NUL = "a\u0000b";
// Path values: NUL, hostile numbers, traversal, SQL-ish, non-ASCII, overlong. Never "1": that is the admin.
const HOSTILE_IDS = [
  "%00",
  "a%00b",
  "-1",
  "0",
  "99999999999999999999999",
  "1e309",
  "NaN",
  "abc",
  "%2E%2E%2F%2E%2E%2Fetc%2Fpasswd",
  "'%20OR%201=1--",
  "%F0%9F%92%A9",
  "%E0%A4%A",
  "9".repeat(3_000),
];
const HOSTILE_QUERIES = [
  "?page=%00&limit=%00",
  "?page=-1&limit=1e309&from=not-a-date&to=99999999999999999&status=%3Cscript%3E",
  "?page[]=1&limit[$gt]=0&instance[]=x&number[0]=1",
  `?q=${"z".repeat(5_000)}&search=%00&instance=%00`,
];

/** Bodies for a route whose JSON body schema names `props` (fields guessed from the schema). */
function hostileBodies(props: string[]): (string | undefined)[] {
  const fields = props.length ? props : ["name", "id", "username", "password", "number", "text"];
  const each = (v: unknown) => JSON.stringify(Object.fromEntries(fields.map((f) => [f, v])));
  let deep: unknown = "end";
  for (let i = 0; i < 2_000; i++) deep = [deep];
  return [
    undefined,
    "",
    "null",
    "[]",
    "1",
    '"text"',
    "{not json",
    each(NUL),
    JSON.stringify({ [NUL]: 1, ...Object.fromEntries(fields.map((f) => [f, "ok"])) }),
    each(HUGE),
    each(-1),
    each(1e308),
    each(true),
    each(null),
    each({}),
    each([1, "2", null]),
    each({ $gt: "", __proto__: { admin: true } }),
    JSON.stringify({ constructor: { prototype: { polluted: 1 } }, __proto__: { x: 1 } }),
    JSON.stringify(deep),
  ];
}

// deno-lint-ignore no-explicit-any
type Doc = any;

/** The property names of a JSON request body in the OpenAPI document (following $ref once or twice). */
function bodyProps(doc: Doc, op: Doc): string[] {
  let schema = op?.requestBody?.content?.["application/json"]?.schema;
  for (let i = 0; i < 3 && schema?.$ref; i++) {
    schema = doc.components?.schemas?.[String(schema.$ref).split("/").pop()!];
  }
  const props = new Set<string>(Object.keys(schema?.properties ?? {}));
  for (const part of [...(schema?.allOf ?? []), ...(schema?.anyOf ?? []), ...(schema?.oneOf ?? [])]) {
    for (const k of Object.keys(part?.properties ?? {})) props.add(k);
  }
  return [...props];
}

interface Probe {
  method: string;
  path: string;
  body?: string;
  token?: string;
}

async function send(app: TestApp, p: Probe): Promise<number> {
  const headers: Record<string, string> = {};
  if (p.token) headers.apikey = p.token;
  if (p.body !== undefined) headers["content-type"] = "application/json";
  const res = await fetch(app.url + p.path, { method: p.method, headers, body: p.body });
  await res.body?.cancel();
  return res.status;
}

Deno.test("malformed-input sweep: no route answers 5xx to hostile input, and /health stays 200", async () => {
  await using app = await startTestApp({ env: { WEBHOOK_ALLOW_PRIVATE: "false" } });
  const tenant = await tenantWithInstance(app, "sweep_ana", "sweep-ana");
  const creds = {
    none: () => Promise.resolve(undefined as string | undefined),
    tenant: () => login(app, "sweep_ana", "Passw0rd!x"),
    admin: () => adminLogin(app),
  };
  const tokens: Record<keyof typeof creds, string | undefined> = {
    none: undefined,
    tenant: tenant.token,
    admin: await creds.admin(),
  };
  const doc: Doc = await (await fetch(`${app.url}/api/openapi.json`)).json();

  const probes: Probe[][] = [];
  for (const [rawPath, ops] of Object.entries(doc.paths as Record<string, Json>)) {
    for (const [method, op] of Object.entries(ops)) {
      if (!["get", "post", "put", "patch", "delete"].includes(method)) continue;
      const m = method.toUpperCase();
      const params = [...rawPath.matchAll(/\{([^}]+)\}/g)].map((x) => x[1]);
      const fill = (v: string) => rawPath.replace(/\{[^}]+\}/g, v);
      const paths = params.length ? HOSTILE_IDS.map(fill) : [rawPath];
      const group: Probe[] = [];
      for (const path of paths) group.push({ method: m, path });
      for (const q of HOSTILE_QUERIES) group.push({ method: m, path: paths[0] + q });
      if (m !== "GET" && m !== "DELETE") {
        const okPath = params.length ? fill("2") : rawPath;
        for (const body of hostileBodies(bodyProps(doc, op))) group.push({ method: m, path: okPath, body });
      }
      probes.push(group);
    }
  }
  // One sample per proxied engine family (group), on the tenant's own instance and on hostile names.
  const families = new Map(ENGINE_ROUTES.map((r) => [r.group, r]));
  for (const r of families.values()) {
    const base = `/${r.group}/${r.action}`;
    const names = r.instance ? [tenant.instance, ...HOSTILE_IDS.slice(0, 6)] : [""];
    const group: Probe[] = [];
    for (const n of names) {
      const path = n ? `${base}/${n}` : base;
      group.push({ method: r.methods[0], path });
      for (const q of HOSTILE_QUERIES) group.push({ method: r.methods[0], path: path + q });
    }
    if (r.methods[0] !== "GET") {
      const path = r.instance ? `${base}/${tenant.instance}` : base;
      for (const body of hostileBodies(["number", "text", "instanceName", "media", "groupJid"])) {
        group.push({ method: r.methods[0], path, body });
      }
    }
    probes.push(group);
  }
  assert(probes.length > 40, `only ${probes.length} routes swept`);

  const failures: string[] = [];
  let sent = 0;
  for (const group of probes) {
    for (const who of ["none", "tenant", "admin"] as const) {
      // A few at a time: bounded, and the per-user limits stay the only reason to refuse.
      for (let i = 0; i < group.length; i += 8) {
        await Promise.all(
          group.slice(i, i + 8).map(async (p) => {
            const status = await send(app, { ...p, token: tokens[who] });
            sent++;
            if (status >= 500) failures.push(`${status} ${p.method} ${p.path.slice(0, 120)} as ${who}`);
          }),
        );
      }
      // A hostile probe may have ended the session (logout, password change): log in again.
      if (
        who !== "none" && await send(app, { method: "GET", path: "/api/auth/me", token: tokens[who] }) === 401
      ) {
        tokens[who] = await creds[who]();
      }
    }
  }
  assertEquals(failures, [], `${failures.length} of ${sent} answers were 5xx`);
  const health = await fetch(`${app.url}/health`);
  assertEquals(health.status, 200);
  assertEquals((await health.json()).db, "connected");
});
