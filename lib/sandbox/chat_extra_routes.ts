/**
 * The rest of `/chat/*`: archive and unread marks, delete and edit, media download, presence, blocking,
 * status receipts, one chat, profiles and privacy. Answers and caught errors follow Evolution 2.3.7's
 * chat service; every route that touches the socket fails like it does when the socket is missing or closed.
 */
import type { SandboxContext } from "./context.ts";
import { badRequest, envelope, EvoError, rawError, runtimeError, serverError } from "./errors.ts";
import { instanceOf, readBody, socketDetail } from "./guards.ts";
import { toJid } from "./jid.ts";
import { newKeyId, publicRecord } from "./records.ts";
import type { Handlers } from "./router.ts";
import { resolveRecipient } from "./send.ts";
import { type Instance, nowIso, type Privacy, type StoredMessage } from "./state.ts";
import { Checker, isObject, type Json } from "./validate.ts";

const PRESENCES = ["unavailable", "available", "composing", "recording", "paused"];
const AUDIENCE = ["all", "contacts", "contact_blacklist", "none"];
const PRIVACY_ENUMS: Record<keyof Privacy, string[]> = {
  readreceipts: ["all", "none"],
  profile: AUDIENCE,
  status: AUDIENCE,
  online: ["all", "match_last_seen"],
  last: AUDIENCE,
  groupadd: AUDIENCE,
};
const MEDIA_KEYS = [
  "imageMessage",
  "videoMessage",
  "audioMessage",
  "documentMessage",
  "stickerMessage",
  "ptvMessage",
];

function keyChecker(raw: unknown, path: string): Checker {
  return new Checker(raw, path).required("id", "fromMe", "remoteJid").type("fromMe", "boolean");
}

function storedById(ctx: SandboxContext, instance: Instance, id: unknown): StoredMessage | undefined {
  return ctx.store.messagesOf(instance).find((m) => m.key.id === id);
}

/** archiveChat's and markChatUnread's `chat` and `lastMessage: {key: {id, fromMe, remoteJid}}`. */
function lastMessageSchema(check: Checker): Checker {
  check.type("chat", "string").type("lastMessage", "object");
  const last = check.body.lastMessage;
  if (isObject(last)) {
    const k = new Checker(last, "lastMessage").required("key");
    if (isObject(last.key)) k.merge(keyChecker(last.key, "lastMessage.key"));
    check.merge(k);
  }
  return check;
}

/** The chat's newest message, as archiveChat and markChatUnread look it up when only `chat` is given. */
function lastOf(ctx: SandboxContext, instance: Instance, jid: string): StoredMessage | undefined {
  return ctx.store.messagesOf(instance).filter((m) => m.key.remoteJid === jid).at(-1);
}

/** archiveChat / markChatUnread: the caught error is an object, so `message` holds that object. */
function chatModify(
  ctx: SandboxContext,
  instance: Instance,
  body: Json,
  flag: "archived" | "markedChatUnread",
  failure: string,
): Json {
  const given = isObject(body.lastMessage) && isObject(body.lastMessage.key) ? body.lastMessage : null;
  const chat = given ? String((given.key as Json).remoteJid) : typeof body.chat === "string" ? body.chat : "";
  const found = given ?? (chat ? lastOf(ctx, instance, toJid(chat)) : undefined);
  const detail = socketDetail(instance, "chatModify") ??
    (found ? null : "NotFoundException: Last message not found");
  if (detail) throw new EvoError(500, envelope(500, [{ [flag]: false, message: [failure, detail] }]));
  return { chatId: chat, [flag]: true };
}

/** A closed or missing socket on a route without its own catch: a plain-string 500. */
function liveOrThrow(instance: Instance, method: string): void {
  const detail = socketDetail(instance, method);
  if (detail) throw runtimeError(detail.replace(/^\w+: /, ""));
}

/** The `exists` lookup of whatsappNumbers for one number. */
function lookup(ctx: SandboxContext, number: string): Json {
  const jid = toJid(number);
  const found = ctx.store.directory.lookup(jid);
  return { jid: found ?? jid, exists: found !== null || !jid.endsWith("@s.whatsapp.net"), number };
}

function mediaOf(m: StoredMessage): Json {
  const key = MEDIA_KEYS.find((k) => isObject(m.message[k]));
  if (!key) throw badRequest("TypeError: Cannot read properties of undefined (reading 'mimetype')");
  const media = m.message[key] as Json;
  const base64 = m.mediaBase64 ?? "";
  return {
    mediaType: key.replace(/Message$/, ""),
    fileName: media.fileName ?? `${m.key.id}.${String(media.mimetype ?? "bin").split("/")[1]?.split(";")[0]}`,
    caption: media.caption,
    size: {
      fileLength: media.fileLength ?? String(Math.floor(base64.length * 3 / 4)),
      height: media.height,
      width: media.width,
    },
    mimetype: media.mimetype,
    base64,
    buffer: null,
  };
}

function profileAnswer(ctx: SandboxContext, instance: Instance, number: unknown): Json {
  if (typeof number !== "string" || number === "") {
    return {
      wuid: instance.ownerJid,
      name: instance.profileName,
      numberExists: true,
      picture: instance.profilePicUrl,
      status: instance.connectionStatus,
      isBusiness: false,
    };
  }
  const info = lookup(ctx, number);
  if (!info.exists) throw badRequest(info);
  const contact = ctx.store.contactsOf(instance).get(info.jid as string);
  return {
    wuid: info.jid,
    name: contact?.pushName ?? undefined,
    numberExists: true,
    picture: contact?.profilePicUrl ?? null,
    status: undefined,
    isBusiness: false,
  };
}

/** updateProfilePicture and updateGroupPicture accept a URL or raw base64. */
export function isPicture(value: string): boolean {
  return /^https?:\/\/[^/]+\.[a-z]{2,}/i.test(value) || /^[A-Za-z0-9+/]+={0,2}$/.test(value);
}

/** Mounts the remaining chat routes. */
export function chatExtraHandlers(ctx: SandboxContext): Handlers {
  return {
    "chat/archiveChat": async (c) => {
      const check = new Checker(await readBody(c)).required("archive").type("archive", "boolean");
      const body = lastMessageSchema(check).done();
      const failure = "An error occurred while archiving the chat. Open a calling.";
      return c.json(chatModify(ctx, instanceOf(c), body, "archived", failure), 201);
    },
    "chat/markChatUnread": async (c) => {
      const body = lastMessageSchema(new Checker(await readBody(c)).required("lastMessage")).done();
      const failure = "An error occurred while marked unread the chat. Open a calling.";
      return c.json(chatModify(ctx, instanceOf(c), body, "markedChatUnread", failure), 201);
    },
    "chat/deleteMessageForEveryone": async (c) => {
      const instance = instanceOf(c);
      const body = keyChecker(await readBody(c), "").type("participant", "string").done();
      const detail = socketDetail(instance, "sendMessage");
      if (detail) throw serverError("Error while deleting message for everyone", detail);
      const target = storedById(ctx, instance, body.id);
      if (target) target.status = "DELETED";
      const revoke = { key: { id: body.id, remoteJid: body.remoteJid, fromMe: body.fromMe }, type: "REVOKE" };
      const record = {
        key: { remoteJid: toJid(String(body.remoteJid)), fromMe: true, id: newKeyId() },
        message: { protocolMessage: revoke },
        messageTimestamp: String(Math.floor(Date.now() / 1000)),
        status: "PENDING",
      };
      return c.json(record, 201);
    },
    "chat/getBase64FromMediaMessage": async (c) => {
      const instance = instanceOf(c);
      const check = new Checker(await readBody(c)).type("message", "object").type("convertToMp4", "boolean");
      const message = isObject(check.body.message) ? check.body.message : {};
      const key = isObject(message.key) ? message.key : {};
      const found = storedById(ctx, instance, key.id);
      if (!found) throw badRequest("Message not found");
      return c.json(mediaOf(found), 201);
    },
    "chat/updateMessage": async (c) => {
      const instance = instanceOf(c);
      const check = new Checker(await readBody(c)).required("number", "key", "text").type("number", "string")
        .type("text", "string").type("key", "object");
      if (isObject(check.body.key)) check.merge(keyChecker(check.body.key, "key"));
      const body = check.done();
      const key = body.key as Json;
      const target = storedById(ctx, instance, key.id);
      const type = target?.messageType;
      if (
        !target || !["conversation", "extendedTextMessage", "imageMessage", "videoMessage"].includes(type!)
      ) {
        throw badRequest("Message not compatible");
      }
      liveOrThrow(instance, "sendMessage");
      if (type === "conversation") target.message = { ...target.message, conversation: body.text };
      const edit = { key, type: "MESSAGE_EDIT", editedMessage: { conversation: body.text } };
      const record = {
        key: { remoteJid: target.key.remoteJid, fromMe: true, id: newKeyId() },
        message: { protocolMessage: edit },
        messageTimestamp: String(Math.floor(Date.now() / 1000)),
        status: "PENDING",
      };
      ctx.events.emit(instance, "SEND_MESSAGE_UPDATE", { ...publicRecord(target), message: target.message });
      return c.json(record);
    },
    "chat/sendPresence": async (c) => {
      const instance = instanceOf(c);
      const body = new Checker(await readBody(c)).required("number", "presence", "delay").type(
        "number",
        "string",
      )
        .oneOf("presence", PRESENCES).type("delay", "integer").done();
      const detail = socketDetail(instance, "presenceSubscribe");
      if (detail) throw badRequest(detail);
      resolveRecipient(ctx, body.number as string, instance);
      // The request is held for the whole delay, like a send's.
      await ctx.scheduler.sleep((body.delay as number) * ctx.store.sendDelayFactor);
      return c.json({ presence: body.presence }, 201);
    },
    "chat/updateBlockStatus": async (c) => {
      const instance = instanceOf(c);
      const body = new Checker(await readBody(c)).required("number", "status").type("number", "string")
        .oneOf("status", ["block", "unblock"]).done();
      const detail = socketDetail(instance, "onWhatsApp");
      const info = lookup(ctx, body.number as string);
      if (detail || !info.exists) {
        throw serverError("Error blocking user", detail ?? "BadRequestException: Bad Request");
      }
      const blocked = ctx.store.accountOf(instance).blocked;
      if (body.status === "block") blocked.add(info.jid as string);
      else blocked.delete(info.jid as string);
      return c.json({ block: "success" }, 201);
    },
    "chat/findStatusMessage": async (c) => {
      const instance = instanceOf(c);
      const body = new Checker(await readBody(c)).body;
      const where = isObject(body.where) ? body.where : {};
      const rows = ctx.store.messagesOf(instance).filter((m) =>
        (!where.remoteJid || m.key.remoteJid === where.remoteJid) && (!where.id || m.key.id === where.id)
      ).flatMap((m) =>
        m.updates.map((status) => ({
          keyId: m.key.id,
          remoteJid: m.key.remoteJid,
          fromMe: m.key.fromMe,
          participant: m.key.participant ?? null,
          status,
          messageId: m.id,
          instanceId: instance.id,
        }))
      );
      const size = Number(body.offset) > 0 ? Number(body.offset) : rows.length;
      const page = Number(body.page) > 0 ? Number(body.page) : 1;
      return c.json(rows.slice((page - 1) * size, page * size));
    },
    "chat/findChatByRemoteJid": (c) => {
      const instance = instanceOf(c);
      const remoteJid = c.req.query("remoteJid");
      if (!remoteJid) throw rawError(400, { error: "remoteJid is a required query parameter" });
      const last = lastOf(ctx, instance, remoteJid);
      if (!last) return c.json(null);
      const contact = ctx.store.contactsOf(instance).get(remoteJid);
      const at = new Date(last.messageTimestamp * 1000).toISOString();
      return c.json({
        id: contact?.id ?? last.id,
        remoteJid,
        name: contact?.pushName ?? null,
        labels: [...ctx.store.accountOf(instance).labels].filter(([, chats]) => chats.has(remoteJid)).map((
          [id],
        ) => id),
        createdAt: at,
        updatedAt: at,
        unreadMessages: 0,
        instanceId: instance.id,
      });
    },
    "chat/fetchBusinessProfile": async (c) => {
      const instance = instanceOf(c);
      const body = new Checker(await readBody(c)).type("number", "string").body;
      const detail = socketDetail(instance, "getBusinessProfile");
      if (detail) throw serverError("Error updating profile name", detail);
      const number = typeof body.number === "string" && body.number ? body.number : instance.ownerJid ?? "";
      return c.json({ isBusiness: false, message: "Not is business profile", ...lookup(ctx, number) });
    },
    "chat/fetchProfile": async (c) => {
      const instance = instanceOf(c);
      const body = new Checker(await readBody(c)).type("number", "string").done();
      liveOrThrow(instance, "onWhatsApp");
      return c.json(profileAnswer(ctx, instance, body.number));
    },
    "chat/updateProfileName": async (c) => {
      const instance = instanceOf(c);
      const body = new Checker(await readBody(c)).required("name").type("name", "string").done();
      const detail = socketDetail(instance, "updateProfileName");
      if (detail) throw serverError("Error updating profile name", detail);
      instance.profileName = body.name as string;
      return c.json({ update: "success" });
    },
    "chat/updateProfileStatus": async (c) => {
      const instance = instanceOf(c);
      const body = new Checker(await readBody(c)).required("status").type("status", "string").done();
      const detail = socketDetail(instance, "updateProfileStatus");
      if (detail) throw serverError("Error updating profile status", detail);
      ctx.store.accountOf(instance).profileStatus = body.status as string;
      return c.json({ update: "success" });
    },
    "chat/updateProfilePicture": async (c) => {
      const instance = instanceOf(c);
      const body = new Checker(await readBody(c)).type("picture", "string").body;
      const picture = typeof body.picture === "string" ? body.picture : "";
      const detail = socketDetail(instance, "updateProfilePicture") ??
        (isPicture(picture) ? null : 'BadRequestException: "profilePicture" must be a url or a base64');
      if (detail) throw serverError("Error updating profile picture", detail);
      instance.profilePicUrl = `https://pps.whatsapp.net/v/sandbox/${crypto.randomUUID()}.jpg`;
      instance.updatedAt = nowIso();
      return c.json({ update: "success" });
    },
    "chat/removeProfilePicture": (c) => {
      const instance = instanceOf(c);
      const detail = socketDetail(instance, "removeProfilePicture");
      if (detail) throw serverError("Error removing profile picture", detail);
      instance.profilePicUrl = null;
      return c.json({ update: "success" });
    },
    "chat/fetchPrivacySettings": (c) => {
      const instance = instanceOf(c);
      liveOrThrow(instance, "fetchPrivacySettings");
      return c.json(ctx.store.accountOf(instance).privacy);
    },
    "chat/updatePrivacySettings": async (c) => {
      const instance = instanceOf(c);
      const keys = Object.keys(PRIVACY_ENUMS) as (keyof Privacy)[];
      const check = new Checker(await readBody(c)).required(...keys);
      for (const key of keys) check.oneOf(key, PRIVACY_ENUMS[key]);
      const body = check.done();
      const detail = socketDetail(instance, "updateReadReceiptsPrivacy");
      if (detail) throw serverError("Error updating privacy settings", detail);
      const data = Object.fromEntries(keys.map((k) => [k, body[k] as string])) as Privacy;
      ctx.store.accountOf(instance).privacy = data;
      return c.json({ update: "success", data }, 201);
    },
  };
}
