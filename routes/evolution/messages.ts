/**
 * `POST /message/send*\/{instance}` for the sends the gateway validates (lib/gateway/send_rules.ts). At most once
 * (DESIGN §6): the ledger row is written as `sending` before the engine call and settled once from its
 * answer; a transport failure after the request may have left is `unknown` and is never retried. The
 * engine's status and body are returned unchanged.
 */
import { type AppDeps, fail } from "../../lib/core/mod.ts";
import {
  type EngineExchange,
  errorResponse,
  EvolutionError,
  evolutionErrorMessage,
  exchangeText,
  inlineMediaUrl,
  isEngineFailure,
  isMediaUrl,
  MEDIA_FIELDS,
  type SendAction,
  transportError,
  upstreamHeaders,
  validateSend,
} from "../../lib/gateway/mod.ts";
import {
  admitOutbound,
  beginSend,
  IGNORE_OPT_OUT_HEADER,
  refuseOptedOut,
  settleOutbound,
} from "../../lib/messaging/mod.ts";
import { callerOf, type EvoContext, type RequestBody } from "./context.ts";

type Settlement = Parameters<typeof settleOutbound>[2];

// Refused or unresolvable: the request never left, so the send certainly failed.
const NEVER_SENT = /refused|ECONNREFUSED|failed to lookup|dns error|No such host/i;

function settlementOf(status: number, json: unknown): Settlement {
  if (status >= 200 && status < 300) {
    const key = (json as { key?: { id?: unknown } } | null)?.key;
    if (typeof key?.id === "string" && key.id !== "") return { status: "sent", engineMessageId: key.id };
    // A Cloud (Meta) error arrives as 201 without a key (evolution-api.md §4.4).
    return {
      status: "failed",
      errorMessage: evolutionErrorMessage(json) ?? "Engine answered without a message id",
    };
  }
  return { status: "failed", errorMessage: evolutionErrorMessage(json) ?? `Engine answered HTTP ${status}` };
}

// The text History searches: the message of a text send, the caption of a media send.
function textOf(body: Record<string, unknown>): string | null {
  const text = body.text ?? body.caption;
  return typeof text === "string" ? text : null;
}

/** Validates, records, sends and settles one message. */
export async function sendMessage(
  deps: AppDeps,
  c: EvoContext,
  action: SendAction,
  instanceName: string,
  path: string,
  req: RequestBody,
): Promise<Response> {
  if (req.invalidJson) throw fail("invalid_json");
  const multipart = (req.contentType ?? "").toLowerCase().startsWith("multipart/");
  const valid = validateSend(action, req.fields, req.hasFile, deps.config.mediaAllowPrivate);
  const routeKey = `message/${action}`;
  // A multipart body is forwarded as is, so a URL in it would be fetched by the engine.
  if (multipart && valid.media && isMediaUrl(valid.body[MEDIA_FIELDS[routeKey]])) {
    throw fail("media_url_in_form", { field: MEDIA_FIELDS[routeKey] });
  }
  const user = c.var.user;
  // Opted-out numbers are refused before anything is fetched or recorded, unless overridden by header.
  await refuseOptedOut(deps.sql, user.id, valid.phone, c.req.header(IGNORE_OPT_OUT_HEADER));
  const body = multipart || !valid.media
    ? valid.body
    : await inlineMediaUrl(routeKey, valid.body, { allowPrivate: deps.config.mediaAllowPrivate });
  // The quota is counted and the `sending` row written in one commit, before anything is sent: at the cap
  // the answer is a 429, nothing is recorded and the engine never hears of it.
  const { id } = await admitOutbound(deps, {
    userId: user.id,
    instanceName,
    phoneNumber: valid.phone,
    messageType: valid.messageType,
    status: "sending",
    source: c.get("authVia") === "cookie" ? "panel" : "api",
    bodyText: textOf(valid.body),
  });
  const settle = async (s: Settlement) => {
    try {
      await settleOutbound(deps, id, s);
    } catch (err) {
      deps.log.error("ledger settle failed", { id, status: s.status, error: String(err) });
    }
  };

  const contentType = multipart ? req.contentType : "application/json";
  // Until it settled, the engine's SEND_MESSAGE for this send waits for it (lib/messaging/send_flights.ts).
  const landed = beginSend(deps.sql, instanceName, valid.phone);
  try {
    let res: EngineExchange;
    let text: string;
    try {
      res = await deps.evolution.exchange("POST", path, {
        headers: upstreamHeaders(callerOf(c), contentType),
        body: multipart ? req.bytes : JSON.stringify(body),
        timeoutMs: deps.config.evolutionTimeoutMs + valid.delay,
      });
      text = await exchangeText(res.body);
    } catch (err) {
      c.set("engineFailed", true);
      const detail = err instanceof EvolutionError ? err.detail : String(err);
      const mapped = transportError(err);
      const neverSent = mapped.status === 502 && NEVER_SENT.test(detail);
      await settle({
        status: neverSent ? "failed" : "unknown",
        errorMessage: `${mapped.message}: ${detail}`,
      });
      return errorResponse(mapped);
    }
    c.set("engineFailed", isEngineFailure(res.status, text));
    let json: unknown = null;
    try {
      json = JSON.parse(text);
    } catch { /* a non-JSON answer settles from its status */ }
    await settle(settlementOf(res.status, json));
    return new Response(text, {
      status: res.status,
      headers: { "content-type": res.headers.get("content-type") ?? "application/json; charset=utf-8" },
    });
  } finally {
    landed();
  }
}
