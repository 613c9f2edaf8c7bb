/**
 * The route walk both walk tests share (tests/sandbox_walk_test.ts against the sandbox directly,
 * tests/proxy_walk_test.ts through the gateway): prepare a fixture with the same routes a client would
 * use, then call every row of the route table with its sample, in an order where the rows that end a
 * session or a membership come last.
 */
import { ENGINE_ROUTES, type EngineRoute, type WalkFixture } from "../gateway/engine_routes.ts";

export type { WalkFixture };

export interface WalkAnswer {
  status: number;
  // deno-lint-ignore no-explicit-any
  body: any;
}

/** Calls one engine route (directly, or through the gateway with a tenant's credential). */
export type WalkCaller = (method: string, path: string, body?: unknown) => Promise<WalkAnswer>;

/** A 1×1 PNG, as raw base64. */
export const WALK_PNG =
  "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==";

async function expect201(call: WalkCaller, path: string, body: unknown): Promise<WalkAnswer> {
  const answer = await call("POST", path, body);
  if (answer.status !== 201) {
    throw new Error(`walk set-up ${path}: ${answer.status} ${JSON.stringify(answer.body)}`);
  }
  return answer;
}

/** Sends a text and an image and creates a group on the open `instance`, for the rows that need them. */
export async function prepareWalk(
  call: WalkCaller,
  names: { instance: string; spare: string },
  number: string,
): Promise<WalkFixture> {
  const at = (action: string) => `/${action}/${encodeURIComponent(names.instance)}`;
  const text = await expect201(call, at("message/sendText"), { number, text: "walk fixture" });
  const image = await expect201(call, at("message/sendMedia"), {
    number,
    mediatype: "image",
    media: WALK_PNG,
  });
  const group = await expect201(call, at("group/create"), {
    subject: "Walk fixture",
    participants: [number],
  });
  const jid = String(group.body.id);
  const invite = await call("GET", `${at("group/inviteCode")}?groupJid=${encodeURIComponent(jid)}`);
  if (invite.status !== 200) throw new Error(`walk set-up inviteCode: ${invite.status}`);
  return {
    ...names,
    number,
    group: jid,
    inviteCode: String(invite.body.inviteCode),
    messageId: String(text.body.key.id),
    mediaId: String(image.body.key.id),
    image: WALK_PNG,
  };
}

/** Every row once: the others in table order, then the `last` rows in reverse (leave, delete, logout). */
export function walkOrder(f: WalkFixture): EngineRoute[] {
  const last = ENGINE_ROUTES.filter((r) => r.sample(f).last);
  return [...ENGINE_ROUTES.filter((r) => !last.includes(r)), ...last.reverse()];
}

/** Calls one row with its sample. */
export function walkCall(call: WalkCaller, route: EngineRoute, f: WalkFixture): Promise<WalkAnswer> {
  const sample = route.sample(f);
  let path = `/${route.group}/${route.action}`;
  if (route.instance) path += `/${encodeURIComponent(sample.on === "spare" ? f.spare : f.instance)}`;
  const query = new URLSearchParams(sample.query ?? {}).toString();
  if (query) path += `?${query}`;
  const method = route.methods[0];
  const body = sample.body ?? (method === "GET" ? undefined : {});
  return call(method, path, body);
}

/**
 * The shape of a JSON value (object keys and value types, arrays by their first item), so two answers
 * to the same call can be compared without their ids and timestamps.
 */
export function shapeOf(value: unknown): unknown {
  if (value === null) return "null";
  if (Array.isArray(value)) return value.length === 0 ? [] : [shapeOf(value[0])];
  if (typeof value === "object") {
    const entries = Object.entries(value as Record<string, unknown>).sort(([a], [b]) => a.localeCompare(b));
    return Object.fromEntries(entries.map(([k, v]) => [k, shapeOf(v)]));
  }
  return typeof value;
}
