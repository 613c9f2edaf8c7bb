/** Request state and helpers shared by the engine-facing route modules. */
import type { Context } from "hono";
import type { AppDeps, AppEnv, AuthEnv } from "../../lib/core/mod.ts";
import {
  admit,
  type Caller,
  type EngineAnswer,
  forward,
  isEngineFailure,
  recordFailure,
  recordSuccess,
  type UpstreamCall,
} from "../../lib/gateway/mod.ts";

/** What the circuit breaker needs to learn from the handler. */
interface EngineVariables {
  /** Set by every handler that called the engine: true for 5xx/timeout/network, false otherwise. */
  engineFailed?: boolean;
  /** The gate admitted this request under the breaker of the engine it goes to (see _middleware.ts). */
  engineGated?: boolean;
}
/** Request state of the engine routes before authentication (the breaker and the per-IP limit). */
export type EvoEnv = { Variables: AppEnv["Variables"] & EngineVariables };
/** Request state once requireAuth ran: the user is known. */
export type EvoAuthEnv = { Variables: AuthEnv["Variables"] & EngineVariables };
export type EvoContext = Context<EvoAuthEnv>;

/** A request body read once: the raw bytes (forwarded as is) and, when parseable, its fields. */
export interface RequestBody {
  bytes: Uint8Array<ArrayBuffer> | null;
  contentType?: string;
  /** A JSON value, or the text fields of a form; undefined when there is no body or it is not parseable. */
  fields: unknown;
  /** Whether the body was meant as JSON but did not parse. */
  invalidJson: boolean;
  /** A multipart upload carried a file part. */
  hasFile: boolean;
}

/** Reads the body once (bodyReader already capped it at 50 MB and marked JSON-looking bodies). */
export async function readRequestBody(c: EvoContext): Promise<RequestBody> {
  const contentType = c.req.header("content-type") ?? undefined;
  if (c.req.method === "GET" || c.req.method === "HEAD" || !c.req.raw.body) {
    return { bytes: null, contentType, fields: undefined, invalidJson: false, hasFile: false };
  }
  const bytes = new Uint8Array(await c.req.arrayBuffer());
  const type = (contentType ?? "").toLowerCase();
  let fields: unknown;
  let invalidJson = false;
  let hasFile = false;
  if (type.includes("json")) {
    // Decoded once by the edge's readBody (lib/core/http.ts), served from Hono's body cache.
    const text = await c.req.text();
    if (text.trim() !== "") {
      try {
        fields = JSON.parse(text);
      } catch {
        invalidJson = true;
      }
    }
  } else if (type.startsWith("multipart/form-data") || type.startsWith("application/x-www-form-urlencoded")) {
    try {
      const form = await new Response(bytes, { headers: { "content-type": contentType! } }).formData();
      const out: Record<string, string> = {};
      for (const [k, v] of form) {
        if (typeof v === "string") out[k] = v;
        else hasFile = true;
      }
      fields = out;
    } catch {
      fields = undefined;
    }
  }
  return { bytes, contentType, fields, invalidJson, hasFile };
}

/** The incoming request and client address, for the forwarding headers. */
export const callerOf = (c: EvoContext): Caller => ({ request: c.req.raw, clientIp: c.get("clientIp") });

/** Forwards to the engine, tells the breaker how it went, and returns the response. */
export async function forwardAndRecord(deps: AppDeps, c: EvoContext, call: UpstreamCall): Promise<Response> {
  const { response, failed } = await forward(deps, callerOf(c), call);
  c.set("engineFailed", failed);
  return response;
}

/**
 * One engine call under engine `engineId`'s breaker: the gate's admission when the gate covered this
 * request, else its own (create and fetchInstances pick their engines after the gate, with several
 * engines). Null when that breaker refuses; a transport failure is counted and rethrown.
 */
export async function underBreaker(
  deps: AppDeps,
  c: EvoContext,
  engineId: number,
  run: () => Promise<EngineAnswer>,
): Promise<EngineAnswer | null> {
  if (c.get("engineGated")) {
    c.set("engineFailed", true);
    const answer = await run();
    c.set("engineFailed", isEngineFailure(answer.status, answer.text));
    return answer;
  }
  const admission = await admit(deps, engineId);
  if (!admission.allowed) return null;
  let answer: EngineAnswer;
  try {
    answer = await run();
  } catch (err) {
    await recordFailure(deps, admission);
    throw err;
  }
  if (isEngineFailure(answer.status, answer.text)) await recordFailure(deps, admission);
  else await recordSuccess(deps, admission);
  return answer;
}
