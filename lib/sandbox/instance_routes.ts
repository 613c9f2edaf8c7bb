/** `/instance/*` (contract §3.1.1–§3.1.8): create, connect, state, list, restart, logout, delete, presence. */
import type { SandboxContext } from "./context.ts";
import type { Handlers } from "./router.ts";
import { badRequest, forbidden, notFound, rawError, unauthorized } from "./errors.ts";
import { instanceOf, readBody } from "./guards.ts";
import {
  connectionStateBody,
  deleteInstance,
  logout,
  qrBody,
  startSocket,
  transientDrop,
} from "./lifecycle.ts";
import { dbId, type Instance, type Integration, INTEGRATIONS, nowIso, SETTING_FLAGS } from "./state.ts";
import { Checker, isObject, type Json } from "./validate.ts";
import { webhookRowFrom } from "./webhook_routes.ts";

const PRESENCES = ["unavailable", "available", "composing", "recording", "paused"];
const NUMBER_PATTERN = "^\\d+[\\.@\\w-]+";

/** Mounts the instance routes. */
export function instanceHandlers(ctx: SandboxContext): Handlers {
  return {
    "instance/create": async (c) => {
      const raw = await readBody(c);
      const name = isObject(raw) ? raw.instanceName : undefined;
      // Name in use is checked before the key; a missing name matches any existing row (contract §3.1.1).
      if (typeof name === "string" ? ctx.store.instances.has(name) : ctx.store.instances.size > 0) {
        throw forbidden(`This name "${name}" is already in use.`);
      }
      if (c.req.header("apikey") !== ctx.options.apiKey) throw unauthorized();
      const check = new Checker(raw).notEmpty("instanceName")
        .type("instanceName", "string").type("token", "string").type("number", "string")
        .pattern("number", NUMBER_PATTERN).type("qrcode", "boolean").type("businessId", "string")
        .type("msgCall", "string").type("wavoipToken", "string").type("webhook", "object");
      for (const flag of SETTING_FLAGS) check.type(flag, "boolean");
      const body = check.done();
      return c.json(await createInstance(ctx, body), 201);
    },

    "instance/connect": async (c) => {
      const instance = instanceOf(c);
      if (instance.integration !== "WHATSAPP-BAILEYS" || instance.state === "open") {
        return c.json(connectionStateBody(instance));
      }
      if (instance.state === "close") await startSocket(ctx, instance, c.req.query("number") || null);
      return c.json(qrBody(instance));
    },

    "instance/connectionState": (c) => c.json(connectionStateBody(instanceOf(c))),

    "instance/fetchInstances": (c) => {
      const key = c.req.header("apikey");
      const all = [...ctx.store.instances.values()];
      const isGlobal = key === ctx.options.apiKey;
      const visible = isGlobal ? all : all.filter((i) => i.token === key);
      if (!isGlobal && visible.length === 0) throw unauthorized();
      const { instanceName, instanceId, number } = c.req.query();
      const filter = instanceName ?? instanceId ?? number;
      if (filter === undefined) return c.json(visible.map((i) => fetchItem(ctx, i)));
      const found = visible.filter((i) =>
        instanceName !== undefined
          ? i.name === instanceName
          : instanceId !== undefined
          ? i.id === instanceId
          : i.number === number
      );
      if (found.length === 0) {
        if (!isGlobal) throw unauthorized();
        throw notFound(`Instance "${filter}" not found`);
      }
      return c.json(found.map((i) => fetchItem(ctx, i)));
    },

    "instance/restart": (c) => {
      const instance = instanceOf(c);
      // Evolution catches everything here and answers 200; a closed socket flattens to "[object Object]".
      if (instance.state === "close") throw rawError(200, { error: true, message: "[object Object]" });
      if (instance.state === "connecting") return c.json(qrBody(instance));
      const body = connectionStateBody(instance);
      transientDrop(ctx, instance, 20);
      return c.json(body);
    },

    "instance/logout": (c) => {
      const instance = instanceOf(c);
      if (instance.state === "close") throw badRequest(`The "${instance.name}" instance is not connected`);
      logout(ctx, instance);
      return c.json({ status: "SUCCESS", error: false, response: { message: "Instance logged out" } });
    },

    "instance/delete": (c) => {
      deleteInstance(ctx, instanceOf(c));
      return c.json({ status: "SUCCESS", error: false, response: { message: "Instance deleted" } });
    },

    "instance/setPresence": async (c) => {
      const instance = instanceOf(c);
      const body = new Checker(await readBody(c)).required("presence").oneOf("presence", PRESENCES).done();
      if (instance.integration === "WHATSAPP-BUSINESS") {
        throw badRequest("Method not available on WhatsApp Business API");
      }
      if (instance.state !== "open") {
        throw badRequest(
          instance.hasSocket
            ? "Error: Connection Closed"
            : "TypeError: Cannot read properties of undefined (reading 'sendPresenceUpdate')",
        );
      }
      return c.json({ presence: body.presence }, 201);
    },
  };
}

async function createInstance(ctx: SandboxContext, body: Json): Promise<Json> {
  const integration = body.integration as Integration;
  if (!INTEGRATIONS.includes(integration)) throw badRequest("Invalid integration");
  const cloud = integration === "WHATSAPP-BUSINESS";
  if (cloud && !body.token) throw badRequest("token is required");
  if (cloud && !body.number) throw badRequest("number is required");
  const hook = body.webhook as Json | undefined;
  // Evolution reads `events.length` unguarded, so a webhook without events fails the whole create.
  if (hook && !Array.isArray(hook.events)) {
    throw badRequest("Cannot read properties of undefined (reading 'length')");
  }
  const now = nowIso();
  const id = crypto.randomUUID();
  const open = integration !== "WHATSAPP-BAILEYS";
  const instance: Instance = {
    id,
    name: String(body.instanceName ?? ""),
    token: typeof body.token === "string" && body.token ? body.token : crypto.randomUUID().toUpperCase(),
    integration,
    number: (body.number as string | undefined) ?? null,
    businessId: (body.businessId as string | undefined) ?? null,
    connectionStatus: open ? "open" : "close",
    state: open ? "open" : "close",
    statusReason: 200,
    hasSocket: false,
    wuid: null,
    ownerJid: null,
    profileName: null,
    profilePicUrl: null,
    disconnectionReasonCode: null,
    disconnectionObject: null,
    disconnectionAt: null,
    createdAt: now,
    updatedAt: now,
    settings: {
      id: dbId(),
      rejectCall: body.rejectCall === true,
      msgCall: (body.msgCall as string | undefined) ?? "",
      groupsIgnore: body.groupsIgnore === true,
      alwaysOnline: body.alwaysOnline === true,
      readMessages: body.readMessages === true,
      readStatus: body.readStatus === true,
      syncFullHistory: body.syncFullHistory === true,
      wavoipToken: (body.wavoipToken as string | undefined) ?? "",
      createdAt: now,
      updatedAt: now,
    },
    qr: { count: 0, pairingCode: null },
    pairingNumber: null,
    webhook: null,
  };
  if (hook) instance.webhook = webhookRowFrom(instance, { ...hook, enabled: true }, null);
  ctx.store.instances.set(instance.name, instance);
  ctx.events.emit(instance, "INSTANCE_CREATE", { instanceName: instance.name, instanceId: id });
  if (body.qrcode === true && !open) await startSocket(ctx, instance, instance.number);
  const { id: _id, createdAt: _c, updatedAt: _u, ...settings } = instance.settings;
  return {
    instance: {
      instanceName: instance.name,
      instanceId: id,
      integration,
      webhookWaBusiness: cloud ? `${ctx.options.serverUrl}/webhook/meta` : null,
      accessTokenWaBusiness: "",
      status: instance.state,
    },
    hash: instance.token,
    webhook: hook
      ? dropUndefined({
        webhookUrl: hook.url,
        webhookHeaders: hook.headers,
        webhookByEvents: hook.byEvents,
        webhookBase64: hook.base64,
      })
      : {},
    websocket: sinkEcho(body.websocket),
    rabbitmq: sinkEcho(body.rabbitmq),
    nats: sinkEcho(body.nats),
    sqs: sinkEcho(body.sqs),
    settings,
    ...(body.qrcode === true && !open ? { qrcode: qrBody(instance) } : {}),
  };
}

function sinkEcho(value: unknown): Json {
  return isObject(value) ? dropUndefined({ enabled: value.enabled }) : {};
}

function dropUndefined(value: Json): Json {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined));
}

/** A fetchInstances item: the raw DB row with relations (contract §4.1). */
function fetchItem(ctx: SandboxContext, i: Instance): Json {
  const counts = ctx.store.countsOf(i);
  return {
    id: i.id,
    name: i.name,
    connectionStatus: i.connectionStatus,
    ownerJid: i.ownerJid,
    profileName: i.profileName,
    profilePicUrl: i.profilePicUrl,
    integration: i.integration,
    number: i.number,
    businessId: i.businessId,
    token: i.token,
    clientName: "evolution",
    disconnectionReasonCode: i.disconnectionReasonCode,
    disconnectionObject: i.disconnectionObject,
    disconnectionAt: i.disconnectionAt,
    createdAt: i.createdAt,
    updatedAt: i.updatedAt,
    Chatwoot: null,
    Proxy: null,
    Rabbitmq: null,
    Nats: null,
    Sqs: null,
    Websocket: null,
    Setting: { ...i.settings, instanceId: i.id },
    _count: {
      Message: counts.messages,
      Contact: ctx.store.contacts.get(i.id)?.size ?? 0,
      Chat: counts.chats,
    },
  };
}
