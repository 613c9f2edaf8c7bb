/**
 * Test hooks under `/_sandbox/` (global apikey): drive the state machine as a phone would, inject inbound
 * traffic, script receipts and break the engine on purpose. Bodies are checked with zod; see README.md.
 */
import { Hono } from "hono";
import { z } from "zod";
import { ACK_STATUSES, applyAck, CLOUD_STATUSES } from "./acks.ts";
import type { SandboxContext } from "./context.ts";
import { envelope, EvoError, notFound } from "./errors.ts";
import { globalKeyGuard, readBody, type SandboxEnv } from "./guards.ts";
import { injectInbound } from "./inbound.ts";
import { injectReply } from "./replies.ts";
import { Directory } from "./jid.ts";
import { logout, markOpen, nextQr, qrLimitReached, startSocket, transientDrop } from "./lifecycle.ts";
import { publicRecord } from "./records.ts";
import type { Instance } from "./state.ts";

const Scan = z.object({
  phone: z.string().optional(),
  profileName: z.string().optional(),
  profilePicUrl: z.string().nullable().optional(),
});
const Drop = z.object({ reconnectMs: z.number().int().min(0).default(50) });
const Inbound = z.object({
  from: z.string().optional(),
  lid: z.string().optional(),
  text: z.string().optional(),
  pushName: z.string().optional(),
  fromMe: z.boolean().optional(),
  message: z.record(z.string(), z.unknown()).optional(),
  messageType: z.string().optional(),
  source: z.enum(["android", "ios", "web", "desktop", "unknown"]).optional(),
}).refine((v) => v.from || v.lid, "from or lid is required");
const Fail = z.object({
  count: z.number().int().min(1).default(1),
  status: z.number().int().refine((s) => s === 0 || (s >= 200 && s <= 599), "0 or an HTTP status").default(
    500,
  ),
  pathPrefix: z.string().default("/"),
  body: z.unknown().optional(),
});
const Latency = z.object({ ms: z.number().int().min(0) });
const DirectoryBody = z.object({
  knownNumbers: z.array(z.string()).optional(),
  unknownNumbers: z.array(z.string()).optional(),
  groups: z.array(z.string()).optional(),
});
const Acks = z.object({
  mode: z.enum(["auto", "manual"]),
  delaysMs: z.tuple([z.number().min(0), z.number().min(0), z.number().min(0)]).optional(),
});
const Ack = z.object({ status: z.enum([...ACK_STATUSES, ...CLOUD_STATUSES]) });
const Reply = z.object({
  from: z.string().optional(),
  pushName: z.string().optional(),
  selected: z.array(z.string()),
});
const SendDelay = z.object({ factor: z.number().min(0) });

function parse<T extends z.ZodType>(schema: T, raw: unknown): z.infer<T> {
  const result = schema.safeParse(raw ?? {});
  if (!result.success) {
    const messages = result.error.issues.map((i) => `${i.path.join(".") || "body"}: ${i.message}`);
    throw new EvoError(400, envelope(400, messages));
  }
  return result.data;
}

function conflict(message: string): EvoError {
  return new EvoError(409, envelope(409, [message]));
}

/** Mounts the control routes. */
export function controlRoutes(ctx: SandboxContext): Hono<SandboxEnv> {
  const app = new Hono<SandboxEnv>();
  app.use("*", globalKeyGuard(ctx));

  const find = (name: string): Instance => {
    const instance = ctx.store.instances.get(name);
    if (!instance) throw notFound(`The "${name}" instance does not exist`);
    return instance;
  };
  const state = (i: Instance) => ({ name: i.name, state: i.state, connectionStatus: i.connectionStatus });

  app.post("/instances/:instance/scan", async (c) => {
    const instance = find(c.req.param("instance"));
    const body = parse(Scan, await readBody(c));
    if (instance.state === "open") throw conflict(`The "${instance.name}" instance is already open`);
    // Scanning needs a QR on screen; from `close` the hook shows one first, like a user pressing connect.
    if (instance.state === "close") await startSocket(ctx, instance, null);
    markOpen(ctx, instance, body);
    return c.json(state(instance));
  });

  app.post("/instances/:instance/drop", async (c) => {
    const instance = find(c.req.param("instance"));
    const body = parse(Drop, await readBody(c));
    if (instance.state !== "open") throw conflict(`The "${instance.name}" instance is not open`);
    transientDrop(ctx, instance, body.reconnectMs);
    return c.json(state(instance));
  });

  app.post("/instances/:instance/phone-logout", (c) => {
    const instance = find(c.req.param("instance"));
    if (instance.state === "close") throw conflict(`The "${instance.name}" instance is not connected`);
    logout(ctx, instance);
    return c.json(state(instance));
  });

  app.post("/instances/:instance/qr-rotate", async (c) => {
    const instance = find(c.req.param("instance"));
    if (instance.state !== "connecting") throw conflict(`The "${instance.name}" instance is not connecting`);
    await nextQr(ctx, instance);
    return c.json({ ...state(instance), count: instance.qr.count });
  });

  app.post("/instances/:instance/qr-limit", (c) => {
    const instance = find(c.req.param("instance"));
    if (instance.state !== "connecting") throw conflict(`The "${instance.name}" instance is not connecting`);
    qrLimitReached(ctx, instance);
    return c.json(state(instance));
  });

  app.post("/instances/:instance/inbound", async (c) => {
    const instance = find(c.req.param("instance"));
    const body = parse(Inbound, await readBody(c));
    if (instance.state !== "open") throw conflict(`The "${instance.name}" instance is not open`);
    return c.json(publicRecord(injectInbound(ctx, instance, body)), 201);
  });

  app.post("/messages/:id/ack", async (c) => {
    const body = parse(Ack, await readBody(c));
    const found = ctx.store.findByKeyId(c.req.param("id"));
    if (!found) throw notFound(`Message "${c.req.param("id")}" not found`);
    const emitted = applyAck(ctx, found.instance, found.message, body.status);
    return c.json({ keyId: found.message.key.id, status: body.status, emitted });
  });

  app.post("/messages/:id/reply", async (c) => {
    const body = parse(Reply, await readBody(c));
    const found = ctx.store.findByKeyId(c.req.param("id"));
    if (!found) throw notFound(`Message "${c.req.param("id")}" not found`);
    const answer = injectReply(ctx, found.instance, found.message, body);
    return c.json("update" in answer ? answer.update : publicRecord(answer.received), 201);
  });

  app.post("/acks", async (c) => {
    const body = parse(Acks, await readBody(c));
    ctx.store.ackMode = body.mode;
    if (body.delaysMs) ctx.store.ackDelaysMs = body.delaysMs;
    return c.json({ mode: ctx.store.ackMode, delaysMs: ctx.store.ackDelaysMs });
  });

  app.post("/fail", async (c) => {
    const body = parse(Fail, await readBody(c));
    ctx.store.failRules.push({
      remaining: body.count,
      status: body.status,
      pathPrefix: body.pathPrefix,
      body: body.body,
    });
    return c.json({ rules: ctx.store.failRules });
  });

  app.post("/latency", async (c) => {
    ctx.store.latencyMs = (parse(Latency, await readBody(c))).ms;
    return c.json({ ms: ctx.store.latencyMs });
  });

  app.post("/send-delay", async (c) => {
    ctx.store.sendDelayFactor = (parse(SendDelay, await readBody(c))).factor;
    return c.json({ factor: ctx.store.sendDelayFactor });
  });

  app.post("/directory", async (c) => {
    const body = parse(DirectoryBody, await readBody(c));
    ctx.store.directory = new Directory({
      known: body.knownNumbers,
      unknown: body.unknownNumbers,
      groups: body.groups,
    });
    return c.json(ctx.store.directory.describe());
  });

  app.post("/reset", (c) => {
    ctx.scheduler.clear();
    ctx.store.reset();
    ctx.events.deliveries.length = 0;
    return c.json({ reset: true });
  });

  app.get("/state", (c) =>
    c.json({
      instances: [...ctx.store.instances.values()].map((i) => ({
        ...state(i),
        hasSocket: i.hasSocket,
        qrCount: i.qr.count,
        messages: ctx.store.messages.get(i.id)?.length ?? 0,
      })),
      directory: ctx.store.directory.describe(),
      ackMode: ctx.store.ackMode,
      ackDelaysMs: ctx.store.ackDelaysMs,
      latencyMs: ctx.store.latencyMs,
      sendDelayFactor: ctx.store.sendDelayFactor,
      failRules: ctx.store.failRules,
    }));

  app.get("/deliveries", (c) => c.json(ctx.events.deliveries));

  return app;
}
