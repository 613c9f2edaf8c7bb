/**
 * Evolution's guard order (contract §1.2): the instance must exist (404) before the apikey is checked
 * (401), so an unknown instance answers 404 even without a key. Also the body reader, which mimics
 * express.json: only JSON content is parsed, anything else is an empty object.
 */
import type { Context, MiddlewareHandler } from "hono";
import type { SandboxContext } from "./context.ts";
import { envelope, EvoError, notFound, runtimeError, unauthorized } from "./errors.ts";
import type { Instance } from "./state.ts";

export type SandboxEnv = { Variables: { instance: Instance } };

/**
 * Route-level guard for `/{group}/{action}/:instance`: exists, then global key or that instance's token.
 * Then Evolution's `dataValidate` merge: the parsed query is assigned over the path params, so a query
 * `instanceName` (string, or the array `?instanceName[]=` / `?instanceName[0]=` make, coerced to the
 * string when used as a key) picks the instance the route acts on, after the guards checked the path's.
 */
export function instanceGuard(ctx: SandboxContext): MiddlewareHandler<SandboxEnv> {
  return async function instanceGuard(c, next) {
    const name = c.req.param("instance") ?? "";
    const instance = ctx.store.instances.get(name);
    if (!instance) throw notFound(`The "${name}" instance does not exist`);
    const key = c.req.header("apikey");
    if (key !== ctx.options.apiKey && key !== instance.token) throw unauthorized();
    const merged = expressQueryValue(new URL(c.req.url).searchParams, "instanceName");
    if (merged === undefined) c.set("instance", instance);
    else {
      const target = ctx.store.instances.get(String(merged));
      // The controllers index the live instances with the merged name and call a method on the result.
      if (!target) throw runtimeError("Cannot read properties of undefined");
      c.set("instance", target);
    }
    await next();
  };
}

/**
 * One top-level key of a query as Express's extended parser (qs) builds it, as far as the merge needs:
 * `k=x` → "x"; repeated, `k[]=x` or `k[0]=x` (index ≤ 20) → an array; other bracket forms → an object.
 */
export function expressQueryValue(params: URLSearchParams, name: string): unknown {
  const items: string[] = [];
  let array = false;
  let object = false;
  for (const [key, value] of params) {
    if (key === name) {
      items.push(value);
      continue;
    }
    const m = /^([^[]*)\[([^[\]]*)\]/.exec(key);
    if (!m || m[1] !== name) continue;
    if (m[0].length === key.length && (m[2] === "" || (/^\d+$/.test(m[2]) && Number(m[2]) <= 20))) {
      array = true;
      items.push(value);
    } else object = true;
  }
  if (object) return {};
  if (items.length === 0) return undefined;
  return array || items.length > 1 ? items : items[0];
}

/** Only the global key (create, verify-creds, control routes). */
export function globalKeyGuard(ctx: SandboxContext): MiddlewareHandler<SandboxEnv> {
  return async function globalKeyGuard(c, next) {
    if (c.req.header("apikey") !== ctx.options.apiKey) throw unauthorized();
    await next();
  };
}

/**
 * What a Baileys call on a missing or closed socket throws, as a service's catch prints it (`toString()`),
 * or null when the socket is open. `method` is the client method the route calls first.
 */
export function socketDetail(instance: Instance, method: string): string | null {
  if (instance.state === "open") return null;
  return instance.hasSocket
    ? "Error: Connection Closed"
    : `TypeError: Cannot read properties of undefined (reading '${method}')`;
}

/** The guarded instance. */
export function instanceOf(c: Context<SandboxEnv>): Instance {
  return c.get("instance");
}

/** Reads a JSON body like express.json; multipart is accepted where Evolution takes a `file` part. */
export async function readBody(c: Context, options: { multipart?: boolean } = {}): Promise<unknown> {
  const type = c.req.header("content-type") ?? "";
  if (options.multipart && type.includes("multipart/form-data")) return await readMultipart(c);
  if (!type.includes("json")) return {};
  const text = await c.req.text();
  if (text.trim() === "") return {};
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new EvoError(400, envelope(400, e instanceof Error ? e.message : "Invalid JSON"));
  }
}

async function readMultipart(c: Context): Promise<Record<string, unknown>> {
  const form = await c.req.formData();
  const body: Record<string, unknown> = {};
  for (const [key, value] of form.entries()) {
    if (typeof value === "string") body[key] = value;
    else if (key === "file") {
      const bytes = new Uint8Array(await value.arrayBuffer());
      body.__file = { name: value.name, type: value.type, base64: toBase64(bytes) };
    }
  }
  return body;
}

/** Base64 without blowing the call stack on large buffers. */
export function toBase64(bytes: Uint8Array): string {
  let binary = "";
  for (let i = 0; i < bytes.length; i += 0x8000) {
    binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  }
  return btoa(binary);
}
