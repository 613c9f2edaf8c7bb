/**
 * The send pipeline shared by every `/message/send*` route (contract §3.2, §8.4–§8.5): the socket check,
 * the recipient directory, `delay`, the PENDING record, SEND_MESSAGE and the scripted receipts.
 */
import { scheduleAcks } from "./acks.ts";
import type { SandboxContext } from "./context.ts";
import { badRequest, runtimeError, serverError } from "./errors.ts";
import { jidKind, toJid } from "./jid.ts";
import { newKeyId, newWamid, publicRecord, storeMessage } from "./records.ts";
import type { Instance } from "./state.ts";

export interface Content {
  messageType: string;
  message: Record<string, unknown>;
  voiceNote?: boolean;
  media?: boolean;
  /** Raw base64 of the media, added as `message.base64` when the webhook asks for it. */
  base64?: string;
  contextInfo?: unknown;
}

/** What a send on a non-open instance does; Evolution has no guard, so it depends on history (§8.5). */
function notOpenError(instance: Instance, media: boolean) {
  if (instance.hasSocket) return runtimeError("Connection Closed");
  const reason = "Cannot read properties of undefined (reading 'onWhatsApp')";
  return media ? serverError(`TypeError: ${reason}`) : runtimeError(reason);
}

/** The existence check of the send path; unknown users get the exists:false object. */
export function resolveRecipient(ctx: SandboxContext, number: string, instance?: Instance): string {
  const jid = toJid(number);
  switch (jidKind(jid)) {
    case "broadcast":
    case "lid":
      return jid;
    case "group":
      // Evolution flattens the group-metadata failure into this literal.
      // Groups the instance created or joined exist as well as those the directory lists.
      if (
        !ctx.store.directory.hasGroup(jid) && !(instance && ctx.store.accountOf(instance).groups.has(jid))
      ) {
        throw badRequest("[object Object]");
      }
      return jid;
    default: {
      const found = ctx.store.directory.lookup(jid);
      if (!found) throw badRequest({ jid, exists: false, number });
      return found;
    }
  }
}

/** Runs a send and returns the record to answer with 201. */
export async function send(
  ctx: SandboxContext,
  instance: Instance,
  number: string,
  delay: unknown,
  content: Content,
): Promise<unknown> {
  if (instance.integration === "WHATSAPP-BUSINESS") return cloudSend(ctx, instance, number, content);
  if (instance.state !== "open") throw notOpenError(instance, content.media ?? false);
  const jid = resolveRecipient(ctx, number, instance);
  if (typeof delay === "number" && delay > 0) {
    await ctx.scheduler.sleep(delay * ctx.store.sendDelayFactor);
    // The socket may have gone away while the request was held.
    if (instance.state !== "open") throw badRequest("Error: Connection Closed");
  }
  const message = { ...content.message };
  if (content.base64 && instance.webhook?.webhookBase64) message.base64 = content.base64;
  const stored = storeMessage(ctx.store, instance, {
    key: { remoteJid: jid, fromMe: true, id: newKeyId() },
    pushName: "Você",
    messageType: content.messageType,
    message,
    source: "web",
    status: "PENDING",
    contextInfo: content.contextInfo,
    voiceNote: content.voiceNote,
    mediaBase64: content.base64,
  });
  const record = publicRecord(stored);
  ctx.events.emit(instance, "SEND_MESSAGE", record);
  scheduleAcks(ctx, instance, stored);
  return record;
}

/** Cloud API: no existence check or delay; Meta's errors come back with 201 and no `key`. */
function cloudSend(ctx: SandboxContext, instance: Instance, number: string, content: Content): unknown {
  const jid = toJid(number);
  if (jidKind(jid) === "user" && !ctx.store.directory.lookup(jid)) {
    return {
      message: "(#131030) Recipient phone number not in allowed list",
      type: "OAuthException",
      code: 131030,
      error_data: { messaging_product: "whatsapp", details: "Recipient phone number not in allowed list" },
      fbtrace_id: newKeyId(),
    };
  }
  const stored = storeMessage(ctx.store, instance, {
    key: { fromMe: true, id: newWamid(), remoteJid: jid },
    pushName: null,
    messageType: content.messageType,
    message: content.message,
    source: "unknown",
    status: "PENDING",
  });
  const record = publicRecord(stored, true);
  ctx.events.emit(instance, "SEND_MESSAGE", record);
  scheduleAcks(ctx, instance, stored);
  return record;
}
