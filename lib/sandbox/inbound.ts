/**
 * Injected inbound traffic (contract §8.8): a received (or typed-on-the-phone) message becomes
 * MESSAGES_UPSERT with `status: "DELIVERY_ACK"`, plus CONTACTS_UPSERT / CONTACTS_UPDATE and storage for
 * the find* queries.
 */
import type { SandboxContext } from "./context.ts";
import { toJid } from "./jid.ts";
import { publicRecord, storeMessage } from "./records.ts";
import { dbId, hex, type Instance, type MessageKey, nowIso, type StoredMessage } from "./state.ts";

export interface InboundInput {
  /** The sender's phone number (any format a `number` field accepts). */
  from?: string;
  /** A LID identity (`123…` or `123…@lid`). With `from` too, the phone JID replaces it like 2.3.7 does. */
  lid?: string;
  text?: string;
  pushName?: string;
  fromMe?: boolean;
  /** A raw message object instead of `text`, with its `messageType`. */
  message?: Record<string, unknown>;
  messageType?: string;
  source?: "android" | "ios" | "web" | "desktop" | "unknown";
}

function keyFor(input: InboundInput): MessageKey {
  const id = input.source === "ios" ? hex(20) : hex(32);
  const fromMe = input.fromMe ?? false;
  const phone = input.from ? toJid(input.from) : undefined;
  if (!input.lid) return { remoteJid: phone!, fromMe, id };
  const lid = input.lid.includes("@") ? input.lid : `${input.lid}@lid`;
  // Baileys 7 addresses some chats by LID; 2.3.7 swaps in the phone JID when the alternate is known.
  if (phone) return { remoteJid: phone, fromMe, id, remoteJidAlt: phone, addressingMode: "lid" };
  return { remoteJid: lid, fromMe, id, addressingMode: "lid" };
}

/** Stores and announces an inbound message; returns the stored row. */
export function injectInbound(ctx: SandboxContext, instance: Instance, input: InboundInput): StoredMessage {
  const key = keyFor(input);
  const pushName = input.fromMe ? instance.profileName : input.pushName ?? null;
  const stored = storeMessage(ctx.store, instance, {
    key,
    pushName,
    messageType: input.message ? input.messageType ?? Object.keys(input.message)[0] : "conversation",
    message: input.message ?? { conversation: input.text ?? "" },
    source: input.source ?? "android",
    status: input.fromMe ? "SERVER_ACK" : "DELIVERY_ACK",
  });
  ctx.events.emit(instance, "MESSAGES_UPSERT", publicRecord(stored));
  if (!input.fromMe) upsertContact(ctx, instance, key.remoteJid, pushName);
  return stored;
}

function upsertContact(
  ctx: SandboxContext,
  instance: Instance,
  remoteJid: string,
  pushName: string | null,
): void {
  const contacts = ctx.store.contactsOf(instance);
  const existing = contacts.get(remoteJid);
  const now = nowIso();
  const contact = existing ? { ...existing, pushName: pushName ?? existing.pushName, updatedAt: now } : {
    id: dbId(),
    remoteJid,
    pushName,
    profilePicUrl: null,
    createdAt: now,
    updatedAt: now,
    instanceId: instance.id,
  };
  contacts.set(remoteJid, contact);
  const data = { remoteJid, pushName: contact.pushName, profilePicUrl: null, instanceId: instance.id };
  ctx.events.emit(instance, existing ? "CONTACTS_UPDATE" : "CONTACTS_UPSERT", data);
}
