/**
 * Input rules the gateway enforces itself before anything reaches the engine (evolution-api.md §1.3:
 * the engine's own emptiness checks are weak): instance names, recipients (§5), text and media.
 * Each checker throws a 400 HttpError with a clear message or returns the normalised value.
 */
import { isIP } from "node:net";
import { fail, isPrivateAddress } from "../core/mod.ts";

const NAME_RE = /^[a-zA-Z0-9][a-zA-Z0-9_-]*$/;

/** Contract §1.7.3 name rules and messages; returns the name. */
export function validateInstanceName(value: unknown): string {
  if (typeof value !== "string" || value === "") throw fail("field_required", { field: "instanceName" });
  if (value.length > 100) throw fail("instance_name_length");
  if (!NAME_RE.test(value)) {
    throw fail("instance_name_chars");
  }
  return value;
}

/** True for a string that could be an instance name we store (cheap pre-check before ownership). */
export const isInstanceName = (value: string) => value.length <= 100 && NAME_RE.test(value);

const USER_JID = /^\d{5,25}(:\d{1,3})?@s\.whatsapp\.net$/i;
const GROUP_JID = /^\d{5,30}(-\d{1,15})?@g\.us$/i;

/**
 * A send's recipient (evolution-api.md §5): 8-20 digits once `+ ( ) space -` are stripped, or a user or
 * group JID. Returns the form the ledger stores: the digits, or the lower-cased JID.
 */
export function normalizeRecipient(value: unknown, field = "number"): string {
  if (value === undefined || value === null || value === "") throw fail("field_required", { field });
  if (typeof value !== "string") throw fail("field_not_string", { field });
  const trimmed = value.trim();
  if (trimmed.includes("@")) {
    if (USER_JID.test(trimmed) || GROUP_JID.test(trimmed)) return trimmed.toLowerCase();
    throw fail("recipient_invalid", { field });
  }
  const digits = trimmed.replace(/[+()\s-]/g, "");
  if (!/^\d+$/.test(digits)) throw fail("phone_digits");
  if (digits.length < 8 || digits.length > 20) {
    throw fail("phone_length");
  }
  return digits;
}

export const MAX_TEXT_LENGTH = 4096;

/** Non-blank text of at most MAX_TEXT_LENGTH characters. */
export function validateText(value: unknown, field = "text"): string {
  if (typeof value !== "string" || value.trim() === "") throw fail("field_required", { field });
  if ([...value].length > MAX_TEXT_LENGTH) {
    throw fail("field_too_long", { field, max: MAX_TEXT_LENGTH });
  }
  return value;
}

const BASE64_RE = /^[A-Za-z0-9+/]+={0,2}$/;
const DATA_URL_RE = /^data:([a-z0-9.+-]+\/[a-z0-9.+-]+)?((?:;[a-z0-9-]+=[^;,]*)*);base64,/i;

function isBase64(value: string): boolean {
  return value.length % 4 === 0 && BASE64_RE.test(value);
}

function isPublicHttpsUrl(value: string): boolean {
  if (!URL.canParse(value)) return false;
  const url = new URL(value);
  if (url.protocol !== "https:" || url.username || url.password) return false;
  const host = url.hostname.replace(/^\[|\]$/g, "");
  if (isIP(host)) return !isPrivateAddress(host);
  // The engine only fetches URLs whose host has a TLD; single-label hosts are internal names.
  return host.includes(".") && !host.endsWith(".localhost") && !host.endsWith(".internal");
}

export interface Media {
  /** An https URL or raw base64 (what the engine accepts). */
  media: string;
  /** The data URL's MIME type, when one was given. */
  mimetype?: string;
}

/**
 * Media for the engine: a public https URL, or raw base64. A `data:<mime>;base64,` URL (what browsers
 * produce, and what the engine rejects) becomes raw base64 with its MIME type kept.
 */
export function normalizeMedia(value: unknown, field = "media", allowPrivate = false): Media {
  if (typeof value !== "string" || value.trim() === "") throw fail("field_required", { field });
  const data = DATA_URL_RE.exec(value);
  if (data) {
    const raw = value.slice(data[0].length).replace(/\s+/g, "");
    if (!isBase64(raw)) throw fail("media_base64_invalid", { field });
    return data[1] ? { media: raw, mimetype: data[1].toLowerCase() } : { media: raw };
  }
  if (/^https?:\/\//i.test(value)) {
    // The URL is downloaded by the gateway (media_fetch.ts), which checks the resolved addresses too.
    if (allowPrivate ? URL.canParse(value) : isPublicHttpsUrl(value)) return { media: value };
    throw fail("media_url_private", { field });
  }
  const raw = value.replace(/\s+/g, "");
  if (isBase64(raw)) return { media: raw };
  throw fail("media_invalid", { field });
}

export const MEDIA_TYPES = ["image", "document", "video", "audio"] as const;
export type MediaType = typeof MEDIA_TYPES[number];

/** The `mediatype` enum of sendMedia. */
export function validateMediaType(value: unknown): MediaType {
  if (typeof value !== "string" || !(MEDIA_TYPES as readonly string[]).includes(value)) {
    throw fail("mediatype_invalid", { values: MEDIA_TYPES.join(", ") });
  }
  return value as MediaType;
}

/** The optional `delay` (ms the engine holds the request while "typing"); the gateway waits as long. */
export function validateDelay(value: unknown): number {
  if (value === undefined || value === null) return 0;
  if (typeof value !== "number" || !Number.isInteger(value) || value < 0 || value > 300_000) {
    throw fail("delay_invalid");
  }
  return value;
}

/** The sends the gateway validates and records in the ledger, with the ledger's message type. */
export const SEND_ACTIONS = {
  sendText: "text",
  sendMedia: "media",
  sendWhatsAppAudio: "audio",
  sendSticker: "sticker",
  sendLocation: "location",
  sendContact: "contact",
  sendReaction: "reaction",
  sendPoll: "poll",
  sendList: "list",
  sendButtons: "buttons",
  // A round video note is a video in the ledger (its CHECK has no `ptv`).
  sendPtv: "video",
  // A status is recorded as the type it posts (text, image, audio or video).
  sendStatus: "text",
} as const;
export type SendAction = keyof typeof SEND_ACTIONS;

export interface ValidSend {
  /** Digits or lower-cased JID, for the ledger. */
  phone: string;
  messageType: string;
  /** The body to forward (media data URLs converted); unchanged otherwise. */
  body: Record<string, unknown>;
  delay: number;
  /** Whether the route's media field holds media (a text status holds text, which is never downloaded). */
  media: boolean;
}

const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v);

function nonEmptyArray(value: unknown, field: string, min = 1, max = Infinity): unknown[] {
  if (!Array.isArray(value) || value.length < min || value.length > max) {
    throw max === Infinity ? fail("array_empty", { field }) : fail("array_size", { field, min, max });
  }
  return value;
}

function finiteIn(value: unknown, field: string, min: number, max: number): number {
  if (typeof value !== "number" || !Number.isFinite(value) || value < min || value > max) {
    throw fail("number_range", { field, min, max });
  }
  return value;
}

/**
 * Validates one send body (JSON, or the text fields of a multipart upload when `hasFile`; media URLs may be
 * http and private with `allowPrivateMedia`, MEDIA_ALLOW_PRIVATE). Throws a 400
 * with a clear message; the engine's own schema still runs afterwards.
 */
export function validateSend(
  action: SendAction,
  input: unknown,
  hasFile = false,
  allowPrivateMedia = false,
): ValidSend {
  if (!isRecord(input)) throw fail("invalid_json");
  const body = { ...input };
  const delay = validateDelay(body.delay);
  let messageType: string = SEND_ACTIONS[action];
  const mediaField = (field: string) => {
    if (hasFile && (body[field] === undefined || body[field] === "")) return;
    const m = normalizeMedia(body[field], field, allowPrivateMedia);
    body[field] = m.media;
    if (m.mimetype && body.mimetype === undefined) body.mimetype = m.mimetype;
  };
  if (action === "sendReaction") {
    const key = body.key;
    if (!isRecord(key) || typeof key.id !== "string" || key.id === "") {
      throw fail("field_required", { field: "key.id" });
    }
    if (typeof key.fromMe !== "boolean") throw fail("field_not_boolean", { field: "key.fromMe" });
    if (typeof body.reaction !== "string") throw fail("field_required", { field: "reaction" });
    return {
      phone: normalizeRecipient(key.remoteJid, "key.remoteJid"),
      messageType,
      body,
      delay,
      media: false,
    };
  }
  if (action === "sendStatus") return validateStatus(body, delay, mediaField);
  const phone = normalizeRecipient(body.number);
  switch (action) {
    case "sendText":
      validateText(body.text);
      break;
    case "sendMedia":
      messageType = validateMediaType(body.mediatype);
      mediaField("media");
      if (body.caption !== undefined) validateText(body.caption, "caption");
      break;
    case "sendWhatsAppAudio":
      mediaField("audio");
      break;
    case "sendSticker":
      mediaField("sticker");
      break;
    case "sendLocation":
      finiteIn(body.latitude, "latitude", -90, 90);
      finiteIn(body.longitude, "longitude", -180, 180);
      break;
    case "sendContact":
      for (const c of nonEmptyArray(body.contact, "contact")) {
        if (!isRecord(c) || typeof c.fullName !== "string" || typeof c.phoneNumber !== "string") {
          throw fail("contact_fields");
        }
      }
      break;
    case "sendPoll": {
      validateText(body.name, "name");
      const values = nonEmptyArray(body.values, "values", 2, 10);
      if (
        !values.every((v) => typeof v === "string" && v.trim() !== "") ||
        new Set(values).size !== values.length
      ) {
        throw fail("poll_values");
      }
      const n = body.selectableCount;
      if (typeof n !== "number" || !Number.isInteger(n) || n < 0 || n > 10) {
        throw fail("poll_selectable_count");
      }
      break;
    }
    case "sendList":
      validateText(body.title, "title");
      validateText(body.buttonText, "buttonText");
      nonEmptyArray(body.sections, "sections");
      break;
    case "sendButtons":
      validateButtons(body);
      // The engine downloads a thumbnail URL itself: like any media, the gateway checks and inlines it.
      if (body.thumbnailUrl !== undefined) mediaField("thumbnailUrl");
      break;
    case "sendPtv":
      mediaField("video");
      break;
  }
  return { phone, messageType, body, delay, media: true };
}

const BUTTON_TYPES = ["reply", "copy", "url", "call", "pix"];

/** Evolution's buttonMessage rules, checked up front so a refused set never reaches the ledger. */
function validateButtons(body: Record<string, unknown>): void {
  validateText(body.title, "title");
  for (const field of ["description", "footer"]) {
    if (body[field] !== undefined) validateText(body[field], field);
  }
  const buttons = nonEmptyArray(body.buttons, "buttons", 1, 10);
  const types = buttons.map((b) => {
    const ok = isRecord(b) && BUTTON_TYPES.includes(b.type as string) &&
      (b.type === "pix" || (typeof b.displayText === "string" && b.displayText.trim() !== ""));
    if (!ok) throw fail("buttons_invalid");
    return b.type as string;
  });
  const replies = types.filter((t) => t === "reply").length;
  const pix = types.filter((t) => t === "pix").length;
  if ((replies > 0 && (replies > 3 || replies < types.length)) || (pix > 0 && types.length > 1)) {
    throw fail("buttons_mixed");
  }
}

const STATUS_TYPES = ["text", "image", "audio", "video"];

/** sendStatus has no `number`: it posts to status@broadcast for the listed numbers (or every contact). */
function validateStatus(
  body: Record<string, unknown>,
  delay: number,
  mediaField: (field: string) => void,
): ValidSend {
  const type = body.type;
  if (typeof type !== "string" || !STATUS_TYPES.includes(type)) throw fail("status_type_invalid");
  if (type === "text") {
    validateText(body.content, "content");
    if (typeof body.backgroundColor !== "string" || body.backgroundColor.trim() === "") {
      throw fail("field_required", { field: "backgroundColor" });
    }
    // Evolution refuses font 0 ("Font is required") although its schema allows it.
    const font = body.font;
    if (typeof font !== "number" || !Number.isInteger(font) || font < 1 || font > 5) {
      throw fail("number_range", { field: "font", min: 1, max: 5 });
    }
  } else {
    mediaField("content");
    if (body.caption !== undefined) validateText(body.caption, "caption");
  }
  if (body.allContacts !== true) {
    if (!Array.isArray(body.statusJidList) || body.statusJidList.length === 0) {
      throw fail("status_recipients");
    }
    body.statusJidList.forEach((n, i) => normalizeRecipient(n, `statusJidList[${i}]`));
  }
  return { phone: "status@broadcast", messageType: type, body, delay, media: type !== "text" };
}
