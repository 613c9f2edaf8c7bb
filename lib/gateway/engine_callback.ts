import { type AppDeps, keyedDigest, keyedDigests, timingSafeEqual } from "../core/mod.ts";

/** The ingest route's path prefix; the per-instance token follows it. */
export const ENGINE_EVENTS_PATH = "/internal/engine-events";
const PURPOSE = "engine-events-token";

/** The per-instance path secret: hex HMAC-SHA256 of the instance name under a derived deployment key. */
export async function engineEventsToken(deps: AppDeps, instanceName: string): Promise<string> {
  return await keyedDigest(deps, PURPOSE, instanceName);
}

/**
 * True when `token` is the path secret of `instanceName` under any available key (a URL registered before
 * APP_SECRET was set keeps working); compared in constant time.
 */
export async function verifyEngineEventsToken(
  deps: AppDeps,
  instanceName: string,
  token: string,
): Promise<boolean> {
  let ok = false;
  for (const expected of await keyedDigests(deps, PURPOSE, instanceName)) {
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

/** The full webhook target the engine should call for `instanceName`. */
export async function engineCallbackUrl(deps: AppDeps, instanceName: string): Promise<string> {
  const token = await engineEventsToken(deps, instanceName);
  return `${gatewayInternalBase(deps)}${ENGINE_EVENTS_PATH}/${token}`;
}
