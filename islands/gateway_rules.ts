// The server's input rules (lib/gateway/send_rules.ts), repeated for the browser so forms can say what is wrong
// before a round trip. tests/panel_gateway_test.ts checks both sides agree. Imports nothing at run time.
import type { MessageKey } from "../lib/core/i18n.ts";

const NAME_RE = /^[a-zA-Z0-9][a-zA-Z0-9_-]*$/;

/** Contract §1.7.3 instance names: the message key of the first rule broken, or null. */
export function instanceNameProblem(name: string): MessageKey | null {
  if (name === "") return "inst.nameRequired";
  if (name.length > 100) return "inst.nameLength";
  if (!NAME_RE.test(name)) return "inst.nameChars";
  return null;
}

const USER_JID = /^\d{5,25}(:\d{1,3})?@s\.whatsapp\.net$/i;
const GROUP_JID = /^\d{5,30}(-\d{1,15})?@g\.us$/i;

/** A recipient as the server takes it: 8-20 digits once `+ ( ) space -` are gone, or a user/group JID. */
export function recipientProblem(value: string): MessageKey | null {
  const trimmed = value.trim();
  if (trimmed === "") return "msg.numberRequired";
  if (trimmed.includes("@")) {
    return USER_JID.test(trimmed) || GROUP_JID.test(trimmed) ? null : "msg.numberJid";
  }
  const digits = trimmed.replace(/[+()\s-]/g, "");
  if (!/^\d+$/.test(digits)) return "msg.numberDigits";
  if (digits.length < 8 || digits.length > 20) return "msg.numberLength";
  return null;
}

/** What the server's MAX_TEXT_LENGTH counts: code points. */
export const MAX_TEXT = 4096;
export const textLength = (text: string) => [...text].length;

/** The panel's upload limit for media (the contract's panel used the same). */
export const MAX_MEDIA_BYTES = 10 * 1024 * 1024;

export type MediaType = "image" | "video" | "audio" | "document";

/** sendMedia's `mediatype` for a file: by its MIME family, anything else is a document. */
export function mediaTypeOf(mime: string): MediaType {
  if (mime.startsWith("image/")) return "image";
  if (mime.startsWith("video/")) return "video";
  if (mime.startsWith("audio/")) return "audio";
  return "document";
}

/** `data:<mime>;base64,<payload>` → the payload (what the engine wants), or null for anything else. */
export function base64Payload(dataUrl: string): string | null {
  const comma = dataUrl.indexOf(",");
  if (!dataUrl.startsWith("data:") || comma < 0 || !dataUrl.slice(0, comma).endsWith(";base64")) return null;
  return dataUrl.slice(comma + 1);
}

export type InstanceState = "open" | "connecting" | "close";

/** The engine's connection state normalised to the three the panel shows. */
export const normalizeState = (value: unknown): InstanceState =>
  value === "open" || value === "connecting" ? value : "close";

/** "1.5 MB" style sizes. */
export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
}

/** The phone number in an owner JID (`595981…@s.whatsapp.net` → `+595981…`). */
export const phoneOfJid = (jid: string | null | undefined) =>
  jid ? `+${jid.split("@")[0].split(":")[0]}` : null;
