/**
 * The instance routes with gateway logic (contract §1.7.3-1.7.6, engine §3.1): create (atomic limit and
 * name reservation, placement on the engine with the most free capacity, rollback when the engine
 * refuses), fetchInstances (every engine's list merged, only reachable instances, status normalised),
 * delete (owner or admin only: grantees may not), connect (re-asserts the gateway webhook).
 */
import { type AppDeps, fail } from "../../lib/core/mod.ts";
import {
  confirmInstance,
  deleteInstanceRow,
  type EngineAnswer,
  engineTarget,
  errorResponse,
  EvolutionError,
  findInstance,
  forgetInstanceAccess,
  forgetPlacement,
  instanceEngineId,
  isEngineFailure,
  listedEngineIds,
  openEngineIds,
  reachableInstances,
  releaseInstance,
  rememberPlacement,
  reserveInstance,
  severalEngines,
  transportError,
  validateInstanceName,
} from "../../lib/gateway/mod.ts";
import { ensureGatewayWebhook } from "../../lib/messaging/mod.ts";
import { type EvoContext, forwardAndRecord, type RequestBody, underBreaker } from "./context.ts";

// Fields a tenant may pass to the engine's create. Webhook, event-sink, proxy and chatbot settings are
// dropped: they would bypass the gateway's webhook validation (contract §14.1-3) or make the engine
// connect to arbitrary hosts. Admins pass the body unchanged.
const TENANT_CREATE_FIELDS = new Set([
  "instanceName",
  "integration",
  "token",
  "number",
  "businessId",
  "qrcode",
  "rejectCall",
  "msgCall",
  "groupsIgnore",
  "alwaysOnline",
  "readMessages",
  "readStatus",
  "syncFullHistory",
]);

/** Tells the circuit breaker how an engine answer went, and hands it on. */
function recorded(c: EvoContext, answer: EngineAnswer): EngineAnswer {
  c.set("engineFailed", isEngineFailure(answer.status, answer.text));
  return answer;
}

const timeout = (deps: AppDeps) => ({ timeoutMs: deps.config.evolutionTimeoutMs });

async function webhookQuietly(deps: AppDeps, name: string) {
  try {
    await ensureGatewayWebhook(deps, name);
  } catch (err) {
    deps.log.error("gateway webhook registration failed", { instance: name, error: String(err) });
  }
}

/** `POST /instance/create`. */
export async function createInstance(deps: AppDeps, c: EvoContext, req: RequestBody): Promise<Response> {
  const user = c.var.user;
  const key = c.get("apiKey");
  const input = req.fields;
  if (typeof input !== "object" || input === null || Array.isArray(input)) {
    throw fail("field_required", { field: "instanceName" });
  }
  const fields = input as Record<string, unknown>;
  const name = validateInstanceName(fields.instanceName);
  if (fields.integration === "TELEGRAM") throw fail("telegram_unsupported");
  if (key && (key.scope !== "full" || (key.instanceNames && !key.instanceNames.includes(name)))) {
    throw fail("api_key_scope");
  }
  const body = user.role === "admin"
    ? { ...fields }
    : Object.fromEntries(Object.entries(fields).filter(([k]) => TENANT_CREATE_FIELDS.has(k)));
  body.integration ??= "WHATSAPP-BAILEYS";

  // Engines whose breaker is open get no new instance (one engine: the gate already refused).
  const several = await severalEngines(deps);
  const skipped = several ? await openEngineIds(deps) : [];
  const reserved = await reserveInstance(deps.sql, user.id, name, skipped);
  if (!reserved.ok) {
    if (reserved.reason === "taken") throw fail("instance_name_taken");
    if (reserved.reason === "limit") {
      throw fail("instance_limit", {}, { extra: { current: reserved.current, max: reserved.max } });
    }
    if (reserved.reason === "no_engine") {
      throw fail(skipped.length > 0 ? "engine_circuit_open" : "engine_capacity_full");
    }
    throw fail("invalid_session");
  }
  if (several) await rememberPlacement(deps, name, reserved.engineId);
  // The reserved row was visible meanwhile (a profile read in between lists it): drop what was cached.
  const release = async () => {
    await releaseInstance(deps.sql, user.id, name);
    await forgetInstanceAccess(deps, user.id);
  };
  let answer: EngineAnswer | null;
  try {
    const engine = await engineTarget(deps, reserved.engineId);
    answer = await underBreaker(
      deps,
      c,
      reserved.engineId,
      () => deps.evolution.createInstanceAnswer(body, { ...timeout(deps), engine }),
    );
  } catch (err) {
    await release();
    const details = err instanceof EvolutionError ? err.detail : String(err);
    return errorResponse(fail("engine_unavailable", {}, { extra: { details } }));
  }
  if (answer === null) {
    await release();
    throw fail("engine_circuit_open");
  }
  if (answer.status >= 400) {
    await release();
    return Response.json(answer.json, { status: answer.status });
  }
  await confirmInstance(deps.sql, user.id, name);
  await forgetInstanceAccess(deps, user.id);
  await webhookQuietly(deps, name);
  return Response.json(answer.json, { status: answer.status });
}

const STATES = new Set(["open", "connecting", "close"]);

interface Listed {
  answer: EngineAnswer | null;
  error?: unknown;
}

/**
 * Every engine's fetchInstances under its own breaker (`?instanceName=` asks that instance's engine only).
 * An engine that is down or whose breaker is open is left out of the list, not an error for all.
 */
async function listEveryEngine(deps: AppDeps, c: EvoContext, search: string): Promise<Listed[]> {
  const filter = new URLSearchParams(search).get("instanceName");
  const ids = filter === null ? await listedEngineIds(deps) : [await instanceEngineId(deps, filter)];
  return await Promise.all(ids.map(async (id): Promise<Listed> => {
    try {
      const engine = await engineTarget(deps, id);
      return {
        answer: await underBreaker(
          deps,
          c,
          id,
          () => deps.evolution.fetchInstancesAnswer(search, { ...timeout(deps), engine }),
        ),
      };
    } catch (error) {
      return { answer: null, error };
    }
  }));
}

/** The engines' lists as one answer; when no engine answered a list, the first failure as it was. */
async function mergedList(
  deps: AppDeps,
  c: EvoContext,
  search: string,
): Promise<(EngineAnswer & { unavailable?: number }) | Response> {
  if (!(await severalEngines(deps))) {
    return recorded(c, await deps.evolution.fetchInstancesAnswer(search, timeout(deps)));
  }
  const listed = await listEveryEngine(deps, c, search);
  const lists = listed.filter((l) => l.answer && l.answer.status < 400 && Array.isArray(l.answer.json));
  if (lists.length === 0) {
    const answered = listed.find((l) => l.answer !== null);
    if (answered) return answered.answer!;
    const failed = listed.find((l) => l.error !== undefined);
    return errorResponse(failed ? transportError(failed.error) : fail("engine_circuit_open"));
  }
  const json = lists.flatMap((l) => l.answer!.json as unknown[]);
  return { status: 200, text: "", json, unavailable: listed.length - lists.length };
}

/** `GET /instance/fetchInstances` (`search`: the rebuilt query): the caller's owned and granted instances (admins: all). */
export async function fetchInstances(deps: AppDeps, c: EvoContext, search: string): Promise<Response> {
  const user = c.var.user;
  const keyNames = c.get("apiKey")?.instanceNames ?? null;
  const answer = await mergedList(deps, c, search);
  if (answer instanceof Response) return answer;
  if (answer.status >= 400 || !Array.isArray(answer.json)) {
    return Response.json(answer.json, { status: answer.status });
  }
  const reachable = user.role === "admin" ? null : await reachableInstances(deps, user.id);
  const items = (answer.json as Record<string, unknown>[])
    .filter((i) => typeof i?.name === "string")
    .filter((i) => !reachable || reachable.has(i.name as string))
    .filter((i) => !keyNames || keyNames.includes(i.name as string))
    .map((i) => ({
      ...i,
      connectionStatus: STATES.has(i.connectionStatus as string) ? i.connectionStatus : "close",
    }));
  return Response.json(items, {
    headers: {
      "Cache-Control": "no-store",
      Pragma: "no-cache",
      Expires: "0",
      // How many engines were left out because they are down (several engines only).
      ...(answer.unavailable && { "X-Engines-Unavailable": String(answer.unavailable) }),
    },
  });
}

/** `DELETE /instance/delete/{name}`: the owner or an admin; a 404 from the engine counts as gone. */
export async function deleteInstance(deps: AppDeps, c: EvoContext, name: string): Promise<Response> {
  const user = c.var.user;
  const row = await findInstance(deps.sql, name);
  if (user.role !== "admin" && row?.userId !== user.id) throw fail("engine_instance_not_owned");
  if (row?.channelType === "telegram") throw fail("not_found");
  const answer = recorded(c, await deps.evolution.deleteInstanceAnswer(name, timeout(deps)));
  if (answer.status >= 400 && answer.status !== 404) {
    return Response.json(answer.json, { status: answer.status });
  }
  const changed = await deleteInstanceRow(deps.sql, name);
  await forgetInstanceAccess(deps, ...changed);
  await forgetPlacement(deps, name);
  return c.json({ message: "Instance deleted", instance: name });
}

/** `GET /instance/connect/{name}`: forwarded; a successful connect re-asserts the gateway webhook. */
export async function connectInstance(
  deps: AppDeps,
  c: EvoContext,
  name: string,
  path: string,
): Promise<Response> {
  const response = await forwardAndRecord(deps, c, { method: "GET", path });
  if (response.status < 300) await webhookQuietly(deps, name);
  return response;
}
