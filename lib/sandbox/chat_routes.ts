/**
 * `/chat/*` (contract §3.3): whatsappNumbers (with its unwrapped 400s), the find* queries over stored
 * messages and contacts, markMessageAsRead and fetchProfilePictureUrl.
 */
import type { SandboxContext } from "./context.ts";
import type { Handlers } from "./router.ts";
import { badRequest, rawError, serverError } from "./errors.ts";
import { instanceOf, readBody } from "./guards.ts";
import { jidKind, toJid } from "./jid.ts";
import { findRecord } from "./records.ts";
import type { Instance, StoredMessage } from "./state.ts";
import { Checker, isObject, type Json } from "./validate.ts";

const NOT_ON_CLOUD = "Method not available on WhatsApp Business API";
const DAY_MS = 86_400_000;

/** whatsappNumbers catches its own errors and answers the raw error object, without `response`. */
function unwrapped(message: unknown): never {
  throw rawError(400, { status: 400, error: "Bad Request", message });
}

/** How a serialised Boom error looks once Express prints it. */
function boom(message: string): Json {
  return {
    data: null,
    isBoom: true,
    isServer: true,
    output: {
      statusCode: 500,
      payload: { statusCode: 500, error: "Internal Server Error", message },
      headers: {},
    },
  };
}

function whatsappNumbers(ctx: SandboxContext, instance: Instance, numbers: string[]): Json[] {
  const contacts = ctx.store.contactsOf(instance);
  const buckets: Record<string, Json[]> = { broadcast: [], group: [], user: [] };
  for (const number of numbers) {
    const jid = toJid(number);
    const kind = jidKind(jid);
    if (kind === "broadcast") buckets.broadcast.push({ jid, exists: true, number });
    else if (kind === "group") {
      const exists = ctx.store.directory.hasGroup(jid);
      buckets.group.push({ jid, exists, number, ...(exists ? { name: "Sandbox group" } : {}) });
    } else if (kind === "lid") buckets.user.push({ jid, exists: true, number, lid: "lid" });
    else {
      const found = ctx.store.directory.lookup(jid);
      const name = found ? contacts.get(found)?.pushName : undefined;
      buckets.user.push({ jid: found ?? jid, exists: found !== null, number, ...(name ? { name } : {}) });
    }
  }
  // Evolution answers grouped (broadcast, groups, users), not in input order.
  return [...buckets.broadcast, ...buckets.group, ...buckets.user];
}

function inRange(m: StoredMessage, range: unknown): boolean {
  if (!isObject(range) || range.gte === undefined || range.lte === undefined) return true;
  const gte = Date.parse(String(range.gte)) / 1000;
  const lte = Date.parse(String(range.lte)) / 1000;
  return m.messageTimestamp >= gte && m.messageTimestamp <= lte;
}

function matchesWhere(m: StoredMessage, where: Json): boolean {
  const key = isObject(where.key) ? where.key : {};
  const checks: [unknown, unknown][] = [
    [where.id, m.id],
    [where.source, m.source],
    [where.messageType, m.messageType],
    [key.id, m.key.id],
    [key.remoteJid, m.key.remoteJid],
    [key.remoteJidAlt, m.key.remoteJidAlt],
    [key.participant, m.key.participant],
  ];
  // Only truthy filters apply, so `fromMe:false` is ignored, as in Evolution.
  if (key.fromMe && !m.key.fromMe) return false;
  return checks.every(([want, have]) => !want || want === have) && inRange(m, where.messageTimestamp);
}

function pageOf<T>(list: T[], page: unknown, offset: unknown, defaultSize: number) {
  const size = Number(offset) > 0 ? Number(offset) : defaultSize;
  const current = Number(page) > 0 ? Number(page) : 1;
  return { size, current, items: list.slice((current - 1) * size, current * size) };
}

function asJid(value: unknown): string | undefined {
  return typeof value === "string" && value ? toJid(value) : undefined;
}

/** Mounts the chat routes. */
export function chatHandlers(ctx: SandboxContext): Handlers {
  return {
    "chat/whatsappNumbers": async (c) => {
      const instance = instanceOf(c);
      const check = new Checker(await readBody(c)).stringArray("numbers", 1);
      if (check.errors.length > 0) unwrapped([check.errors]);
      if (instance.integration === "WHATSAPP-BUSINESS") unwrapped([NOT_ON_CLOUD]);
      if (instance.state !== "open") throw rawError(400, instance.hasSocket ? boom("Connection Closed") : {});
      const numbers = check.body.numbers;
      if (!Array.isArray(numbers)) throw rawError(400, {});
      return c.json(whatsappNumbers(ctx, instance, numbers));
    },

    "chat/findMessages": async (c) => {
      const body = new Checker(await readBody(c)).body;
      const where = isObject(body.where) ? body.where : {};
      const all = ctx.store.messagesOf(instanceOf(c)).filter((m) => matchesWhere(m, where)).reverse();
      const { size, current, items } = pageOf(all, body.page, body.offset, 50);
      return c.json({
        messages: {
          total: all.length,
          pages: Math.ceil(all.length / size),
          currentPage: current,
          records: items.map(findRecord),
        },
      });
    },

    "chat/findChats": async (c) => {
      const instance = instanceOf(c);
      const body = new Checker(await readBody(c)).body;
      const where = isObject(body.where) ? body.where : {};
      const wanted = asJid(where.remoteJid);
      const last = new Map<string, StoredMessage>();
      for (const m of ctx.store.messagesOf(instance)) {
        if (inRange(m, where.messageTimestamp)) last.set(m.key.remoteJid, m);
      }
      const contacts = ctx.store.contactsOf(instance);
      const chats = [...last.values()].filter((m) => !wanted || m.key.remoteJid === wanted).reverse()
        .sort((a, b) => b.messageTimestamp - a.messageTimestamp)
        .map((m) => {
          const contact = contacts.get(m.key.remoteJid);
          const start = m.messageTimestamp * 1000;
          const { base64: _b, ...message } = m.message;
          return {
            id: contact?.id ?? null,
            remoteJid: m.key.remoteJid,
            pushName: contact?.pushName ?? null,
            profilePicUrl: contact?.profilePicUrl ?? null,
            updatedAt: new Date(start).toISOString(),
            windowStart: new Date(start).toISOString(),
            windowExpires: new Date(start + DAY_MS).toISOString(),
            windowActive: start + DAY_MS > Date.now(),
            lastMessage: { ...findRecord(m), message, status: m.status, MessageUpdate: undefined },
            unreadCount: 0,
            isSaved: contact !== undefined,
          };
        });
      const skip = Number(body.skip) || 0;
      const take = Number(body.take) || chats.length;
      return c.json(chats.slice(skip, skip + take));
    },

    "chat/findContacts": async (c) => {
      const body = new Checker(await readBody(c)).body;
      const where = isObject(body.where) ? body.where : {};
      const wanted = asJid(where.remoteJid);
      const all = [...ctx.store.contactsOf(instanceOf(c)).values()].filter((k) =>
        (!where.id || where.id === k.id) && (!wanted || wanted === k.remoteJid) &&
        (!where.pushName || where.pushName === k.pushName)
      ).map((k) => ({ ...k, isGroup: k.remoteJid.endsWith("@g.us"), isSaved: true, type: "contact" }));
      if (body.offset === undefined) return c.json(all);
      return c.json(pageOf(all, body.page, body.offset, all.length).items);
    },

    "chat/markMessageAsRead": async (c) => {
      const instance = instanceOf(c);
      const check = new Checker(await readBody(c)).required("readMessages").type("readMessages", "array");
      const items = check.body.readMessages;
      if (Array.isArray(items)) {
        if (items.length === 0) check.errors.push("readMessages does not meet minimum length of 1");
        items.forEach((item, i) =>
          check.merge(new Checker(item, `readMessages[${i}]`).required("id", "fromMe", "remoteJid"))
        );
      }
      check.done();
      if (instance.integration === "WHATSAPP-BUSINESS") throw badRequest(NOT_ON_CLOUD);
      if (instance.state !== "open") {
        throw serverError(
          "Read messages fail",
          instance.hasSocket
            ? "Error: Connection Closed"
            : "TypeError: Cannot read properties of undefined (reading 'readMessages')",
        );
      }
      return c.json({ message: "Read messages", read: "success" }, 201);
    },

    "chat/fetchProfilePictureUrl": async (c) => {
      const instance = instanceOf(c);
      const body = new Checker(await readBody(c)).body;
      const wuid = asJid(body.number) ?? null;
      // This endpoint never fails; a hidden or unknown picture is null.
      const own = wuid !== null && wuid === instance.ownerJid && instance.integration === "WHATSAPP-BAILEYS";
      return c.json({ wuid, profilePictureUrl: own ? instance.profilePicUrl : null });
    },
  };
}
