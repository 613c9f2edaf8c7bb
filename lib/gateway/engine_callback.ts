import { type AppDeps, keyedDigest, keyedDigests, timingSafeEqual } from "../core/mod.ts";

/** The ingest route's path prefix; the per-instance token follows it. */
export const ENGINE_EVENTS_PATH = "/internal/engine-events";
const PURPOSE = "engine-events-token";

/**
 * What the token is an HMAC of: the name and the instance row's random callback_nonce (migration 0009),
 * so a later instance of the same name gets another token. Rows from before 0009 have '' and keep
 * HMAC(name); ':' cannot occur in a name, so the two forms never collide.
 */
const tokenInput = (instanceName: string, nonce: string) => nonce ? `${instanceName}:${nonce}` : instanceName;

/** The instance row's callback nonce; null when the name is not registered. */
async function callbackNonce(deps: AppDeps, instanceName: string): Promise<string | null> {
  const [row] = await deps.sql<{ callback_nonce: string }[]>`
    SELECT callback_nonce FROM taguato.user_instances WHERE instance_name = ${instanceName}`;
  return row?.callback_nonce ?? null;
}

/**
 * The per-instance path secret: hex HMAC-SHA256 of the instance name and its row's nonce under a derived
 * deployment key (an unregistered name: of the name alone; its events are ignored anyway).
 */
export async function engineEventsToken(deps: AppDeps, instanceName: string): Promise<string> {
  return await keyedDigest(
    deps,
    PURPOSE,
    tokenInput(instanceName, await callbackNonce(deps, instanceName) ?? ""),
  );
}

/**
 * True when `token` is the path secret of the registered instance `instanceName` under any available key (a
 * URL registered before APP_SECRET was set keeps working); compared in constant time.
 */
export async function verifyEngineEventsToken(
  deps: AppDeps,
  instanceName: string,
  token: string,
): Promise<boolean> {
  const nonce = await callbackNonce(deps, instanceName);
  if (nonce === null) return false;
  let ok = false;
  for (const expected of await keyedDigests(deps, PURPOSE, tokenInput(instanceName, nonce))) {
    ok = timingSafeEqual(expected, token) || ok;
  }
  return ok;
}

/**
 * How the engine reaches this gateway: GATEWAY_INTERNAL_URL, else the address this process listens on
 * (main.ts and the test helper set `selfUrl` once serving), else loopback on the configured port.
 */
export function gatewayInternalBase(deps: AppDeps): string {
  return deps.config.gatewayInternalUrl ?? deps.selfUrl ?? `http://127.0.0.1:${deps.config.port}`;
}

/** The full webhook target the engine should call for `instanceName` (register it after the row exists). */
export async function engineCallbackUrl(deps: AppDeps, instanceName: string): Promise<string> {
  const token = await engineEventsToken(deps, instanceName);
  return `${gatewayInternalBase(deps)}${ENGINE_EVENTS_PATH}/${token}`;
}
