// The ledger's closed set of message types (migration 0003) and how engine message types map onto it.

const LEDGER_TYPES = new Set([
  "text",
  "image",
  "document",
  "audio",
  "video",
  "sticker",
  "location",
  "contact",
  "reaction",
  "poll",
  "list",
  "buttons",
]);

/** Baileys `messageType` values (evolution-api.md §4.4) → ledger type. */
const ENGINE_TYPES: Record<string, string> = {
  conversation: "text",
  extendedTextMessage: "text",
  imageMessage: "image",
  documentMessage: "document",
  documentWithCaptionMessage: "document",
  audioMessage: "audio",
  videoMessage: "video",
  ptvMessage: "video",
  stickerMessage: "sticker",
  locationMessage: "location",
  liveLocationMessage: "location",
  contactMessage: "contact",
  contactsArrayMessage: "contact",
  reactionMessage: "reaction",
  pollCreationMessage: "poll",
  pollCreationMessageV3: "poll",
  listMessage: "list",
  buttonsMessage: "buttons",
};

/** Maps any type name onto the ledger's closed set ("other" for the rest). */
export function ledgerMessageType(type: string): string {
  return LEDGER_TYPES.has(type) ? type : "other";
}

/** The ledger type of an engine message record's `messageType`. */
export function engineMessageType(messageType: string | undefined): string {
  return ENGINE_TYPES[messageType ?? ""] ?? "other";
}
