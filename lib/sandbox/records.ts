/** Message records (contract §4.4) and their stored form, shared by sends, inbound injection and find*. */
import { dbId, hex, type Instance, type MessageKey, type SandboxStore, type StoredMessage } from "./state.ts";

/** Baileys-style id for messages sent through the API: 22 upper-case hex starting with 3EB0. */
export function newKeyId(): string {
  return "3EB0" + hex(18);
}

/** Cloud API ids look like `wamid.HBgM…`. */
export function newWamid(): string {
  return "wamid." + btoa(hex(48)).replace(/=+$/, "");
}

export interface NewMessage {
  key: MessageKey;
  pushName: string | null;
  messageType: string;
  message: Record<string, unknown>;
  source: string;
  status: string;
  contextInfo?: unknown;
  voiceNote?: boolean;
  mediaBase64?: string;
}

/** Creates and stores a message row (the store keeps its per-instance counts in step). */
export function storeMessage(store: SandboxStore, instance: Instance, input: NewMessage): StoredMessage {
  const stored: StoredMessage = {
    id: dbId(),
    key: input.key,
    pushName: input.pushName,
    messageType: input.messageType,
    message: input.message,
    messageTimestamp: Math.floor(Date.now() / 1000),
    instanceId: instance.id,
    source: input.source,
    contextInfo: input.contextInfo ?? null,
    status: input.status,
    voiceNote: input.voiceNote ?? false,
    updates: [],
    ...(input.mediaBase64 !== undefined ? { mediaBase64: input.mediaBase64 } : {}),
  };
  store.addMessage(instance, stored);
  return stored;
}

/** The record as a send answers it and SEND_MESSAGE / MESSAGES_UPSERT carry it. */
export function publicRecord(m: StoredMessage, cloud = false): Record<string, unknown> {
  if (cloud) {
    return {
      key: m.key,
      message: m.message,
      messageType: m.messageType,
      messageTimestamp: m.messageTimestamp,
      instanceId: m.instanceId,
      status: m.status,
      source: m.source,
    };
  }
  return {
    key: m.key,
    pushName: m.pushName,
    status: m.status,
    message: m.message,
    contextInfo: m.contextInfo,
    messageType: m.messageType,
    messageTimestamp: m.messageTimestamp,
    instanceId: m.instanceId,
    source: m.source,
  };
}

/** The findMessages row: no top-level status, the receipts live in `MessageUpdate`. */
export function findRecord(m: StoredMessage): Record<string, unknown> {
  return {
    id: m.id,
    key: m.key,
    pushName: m.pushName,
    messageType: m.messageType,
    message: m.message,
    messageTimestamp: m.messageTimestamp,
    instanceId: m.instanceId,
    source: m.source,
    contextInfo: m.contextInfo,
    MessageUpdate: m.updates.map((status) => ({ status })),
  };
}
