/**
 * The sends beyond text, media, audio and location: sticker, contact card, reaction, poll, list, buttons,
 * round video (ptv) and status, with the schema rules and business checks of Evolution 2.3.7's service.
 */
import type { SandboxContext } from "./context.ts";
import { badRequest, runtimeError } from "./errors.ts";
import { instanceOf, readBody } from "./guards.ts";
import { toJid } from "./jid.ts";
import { common, fileOf, isBase64, isUrl, quotedContext } from "./message_routes.ts";
import type { Handlers } from "./router.ts";
import { type Content, send } from "./send.ts";
import { Checker, isObject, type Json } from "./validate.ts";

const NOT_ON_CLOUD = "Method not available on WhatsApp Business API";
const BUTTON_TYPES = ["reply", "copy", "url", "call", "pix"];
const STATUS_TYPES = ["text", "image", "audio", "video"];
const BUTTON_NAMES: Record<string, string> = {
  reply: "quick_reply",
  copy: "cta_copy",
  url: "cta_url",
  call: "cta_call",
  pix: "payment_info",
};

const mediaUrl = () => `https://mmg.whatsapp.net/v/sandbox/${crypto.randomUUID()}.enc`;

/** A URL or raw base64 from the field or the multipart `file`; `message` is the 400 otherwise. */
function mediaSource(body: Json, field: string, message: string): string {
  const value = fileOf(body)?.base64 ?? body[field];
  if (typeof value !== "string" || !(isUrl(value) || isBase64(value))) throw badRequest(message);
  return value;
}

/** WhatsApp's vCard for one contact (`waid` = the number's JID user part when no `wuid` is given). */
function vcard(contact: Json): string {
  const lines = ["BEGIN:VCARD", "VERSION:3.0", `N:${contact.fullName}`, `FN:${contact.fullName}`];
  if (contact.organization) lines.push(`ORG:${contact.organization};`);
  if (contact.email) lines.push(`EMAIL:${contact.email}`);
  if (contact.url) lines.push(`URL:${contact.url}`);
  const wuid = contact.wuid ?? toJid(String(contact.phoneNumber));
  lines.push(`item1.TEL;waid=${wuid}:${contact.phoneNumber}`, "item1.X-ABLabel:Celular", "END:VCARD");
  return lines.join("\n");
}

function contactContent(list: Json[]): Content {
  if (list.length === 1) {
    return {
      messageType: "contactMessage",
      message: { contactMessage: { displayName: list[0].fullName, vcard: vcard(list[0]) } },
    };
  }
  return {
    messageType: "contactsArrayMessage",
    message: {
      contactsArrayMessage: {
        displayName: `${list.length} contacts`,
        contacts: list.map((c) => ({ displayName: c.fullName, vcard: vcard(c) })),
      },
    },
  };
}

/** One emoji (a single grapheme with an emoji in it), or "" to remove a reaction. */
function isReaction(value: string): boolean {
  if (value === "") return true;
  const graphemes = [...new Intl.Segmenter().segment(value)];
  return graphemes.length === 1 && /\p{Extended_Pictographic}|\p{Regional_Indicator}/u.test(value);
}

/** buttonMessage's rules, in its order. */
function checkButtons(buttons: unknown): Json[] {
  // Evolution reads `buttons.length` unguarded.
  if (!Array.isArray(buttons)) throw runtimeError("Cannot read properties of undefined (reading 'length')");
  if (buttons.length === 0) throw badRequest("At least one button is required");
  const types = buttons.map((b) => (b as Json).type);
  const others = types.some((t) => t !== "reply" && t !== "pix");
  if (types.includes("reply")) {
    if (buttons.length > 3) throw badRequest("Maximum of 3 reply buttons allowed");
    if (others) throw badRequest("Reply buttons cannot be mixed with other button types");
  }
  if (types.includes("pix")) {
    if (buttons.length > 1) throw badRequest("Only one PIX button is allowed");
    if (others) throw badRequest("PIX button cannot be mixed with other button types");
  }
  return buttons as Json[];
}

function buttonsContent(body: Json, buttons: Json[]): Content {
  const native = {
    buttons: buttons.map((b) => ({
      name: BUTTON_NAMES[b.type as string],
      buttonParamsJson: JSON.stringify(b),
    })),
    messageParamsJson: JSON.stringify({ from: "api", templateId: crypto.randomUUID() }),
  };
  const text = `*${body.title}*` + (body.description ? `\n\n${body.description}\n` : "");
  const thumb = body.thumbnailUrl;
  // A thumbnail (URL or base64) becomes the image header, as prepareMediaMessage makes it.
  const header = typeof thumb === "string" && (isUrl(thumb) || isBase64(thumb))
    ? { header: { hasMediaAttachment: true, imageMessage: { url: mediaUrl(), mimetype: "image/jpeg" } } }
    : {};
  const interactive = buttons[0].type === "pix"
    ? { nativeFlowMessage: native }
    : { body: { text }, footer: { text: body.footer }, ...header, nativeFlowMessage: native };
  return {
    messageType: "viewOnceMessage",
    message: { viewOnceMessage: { message: { interactiveMessage: interactive } } },
    contextInfo: quotedContext(body),
  };
}

/** formatStatusMessage's checks, in its order; the content of the status@broadcast message. */
function statusContent(ctx: SandboxContext, body: Json, instanceId: string): Content {
  const content = fileOf(body)?.base64 ?? body.content;
  if (!body.type) throw badRequest("Type is required");
  if (!content) throw badRequest("Content is required");
  if (body.allContacts === true) {
    const contacts = ctx.store.contacts.get(instanceId);
    if (!contacts || contacts.size === 0) throw badRequest("Contacts not found");
  } else if (!Array.isArray(body.statusJidList) || body.statusJidList.length === 0) {
    throw badRequest("StatusJidList is required");
  }
  if (body.type === "text") {
    if (!body.backgroundColor) throw badRequest("Background color is required");
    if (!body.font) throw badRequest("Font is required");
    return {
      messageType: "extendedTextMessage",
      message: {
        extendedTextMessage: { text: content, backgroundArgb: body.backgroundColor, font: body.font },
      },
    };
  }
  const type = body.type as string;
  const inner: Json = { url: mediaUrl(), ...(body.caption !== undefined ? { caption: body.caption } : {}) };
  if (type === "audio") Object.assign(inner, { mimetype: "audio/ogg; codecs=opus", ptt: true });
  return {
    messageType: `${type}Message`,
    message: { [`${type}Message`]: inner },
    media: true,
    base64: isBase64(String(content)) ? String(content) : undefined,
  };
}

/** Mounts the remaining send routes. */
export function messageKindHandlers(ctx: SandboxContext): Handlers {
  return {
    "message/sendSticker": async (c) => {
      const body = common(await readBody(c, { multipart: true })).type("sticker", "string")
        .type("notConvertSticker", "boolean").done();
      const sticker = mediaSource(body, "sticker", "Owned media must be a url or base64");
      const content: Content = {
        messageType: "stickerMessage",
        message: { stickerMessage: { url: mediaUrl(), mimetype: "image/webp", isAnimated: false } },
        media: true,
        base64: isBase64(sticker) ? sticker : undefined,
        contextInfo: quotedContext(body),
      };
      return c.json(await send(ctx, instanceOf(c), body.number as string, body.delay, content), 201);
    },

    "message/sendContact": async (c) => {
      const check = common(await readBody(c), "contact").type("contact", "array");
      const list = check.body.contact;
      if (Array.isArray(list)) {
        if (list.length === 0) check.errors.push("contact does not meet minimum length of 1");
        list.forEach((item, i) => {
          const k = new Checker(item, `contact[${i}]`).required("fullName", "phoneNumber")
            .type("fullName", "string").type("phoneNumber", "string").type("wuid", "string");
          const phone = isObject(item) ? item.phoneNumber : undefined;
          if (typeof phone === "string" && phone.length < 10) {
            k.errors.push(`contact[${i}].phoneNumber does not meet minimum length of 10`);
          }
          check.merge(k);
        });
      }
      const body = check.done();
      const content = contactContent(body.contact as Json[]);
      return c.json(await send(ctx, instanceOf(c), body.number as string, body.delay, content), 201);
    },

    "message/sendReaction": async (c) => {
      const check = new Checker(await readBody(c)).required("key", "reaction").type("key", "object")
        .type("reaction", "string");
      if (isObject(check.body.key)) {
        check.merge(
          new Checker(check.body.key, "key").required("id", "remoteJid", "fromMe").type("fromMe", "boolean"),
        );
      }
      const body = check.done();
      if (!isReaction(body.reaction as string)) {
        throw badRequest("Reaction must be a single emoji or empty string");
      }
      const key = body.key as Json;
      const content: Content = {
        messageType: "reactionMessage",
        message: { reactionMessage: { key, text: body.reaction } },
      };
      return c.json(await send(ctx, instanceOf(c), String(key.remoteJid), undefined, content), 201);
    },

    "message/sendPoll": async (c) => {
      const check = common(await readBody(c), "name", "selectableCount", "values").type("name", "string")
        .type("selectableCount", "integer").stringArray("values", 2);
      const values = check.body.values;
      if (Array.isArray(values) && values.length > 10) {
        check.errors.push("values does not meet maximum length of 10");
      }
      const n = check.body.selectableCount;
      if (typeof n === "number" && (n < 0 || n > 10)) {
        check.errors.push("selectableCount must be between 0 and 10");
      }
      const body = check.done();
      if (instanceOf(c).integration === "WHATSAPP-BUSINESS") throw badRequest(NOT_ON_CLOUD);
      // Baileys sends single-choice polls as V3.
      const messageType = n === 1 ? "pollCreationMessageV3" : "pollCreationMessage";
      const poll = {
        name: body.name,
        options: (body.values as string[]).map((optionName) => ({ optionName })),
        selectableOptionsCount: n,
      };
      const content: Content = {
        messageType,
        message: { [messageType]: poll },
        contextInfo: quotedContext(body),
      };
      return c.json(await send(ctx, instanceOf(c), body.number as string, body.delay, content), 201);
    },

    "message/sendList": async (c) => {
      const check = common(await readBody(c), "title", "footerText", "buttonText", "sections")
        .type("title", "string").type("description", "string").type("footerText", "string")
        .type("buttonText", "string").type("sections", "array");
      const sections = check.body.sections;
      if (Array.isArray(sections)) {
        if (sections.length === 0) check.errors.push("sections does not meet minimum length of 1");
        sections.forEach((section, i) => {
          const k = new Checker(section, `sections[${i}]`).required("title", "rows").type("rows", "array");
          const rows = isObject(section) ? section.rows : undefined;
          if (Array.isArray(rows)) {
            if (rows.length === 0) k.errors.push(`sections[${i}].rows does not meet minimum length of 1`);
            rows.forEach((row, j) =>
              k.merge(new Checker(row, `sections[${i}].rows[${j}]`).required("title", "rowId"))
            );
          }
          check.merge(k);
        });
      }
      const body = check.done();
      const list = {
        title: body.title,
        description: body.description,
        buttonText: body.buttonText,
        footerText: body.footerText,
        sections: body.sections,
        listType: 2,
      };
      const content: Content = {
        messageType: "listMessage",
        message: { listMessage: list },
        contextInfo: quotedContext(body),
      };
      return c.json(await send(ctx, instanceOf(c), body.number as string, body.delay, content), 201);
    },

    "message/sendButtons": async (c) => {
      const check = common(await readBody(c)).type("title", "string").type("description", "string")
        .type("footer", "string").type("thumbnailUrl", "string").type("buttons", "array");
      const list = check.body.buttons;
      if (Array.isArray(list)) {
        list.forEach((b, i) =>
          check.merge(new Checker(b, `buttons[${i}]`).required("type").oneOf("type", BUTTON_TYPES))
        );
      }
      const body = check.done();
      const content = buttonsContent(body, checkButtons(body.buttons));
      return c.json(await send(ctx, instanceOf(c), body.number as string, body.delay, content), 201);
    },

    "message/sendPtv": async (c) => {
      const body = common(await readBody(c, { multipart: true })).type("video", "string").done();
      const video = mediaSource(body, "video", "Owned media must be a url or base64");
      const content: Content = {
        messageType: "ptvMessage",
        message: { ptvMessage: { url: mediaUrl(), mimetype: "video/mp4", seconds: 1 } },
        media: true,
        base64: isBase64(video) ? video : undefined,
        contextInfo: quotedContext(body),
      };
      return c.json(await send(ctx, instanceOf(c), body.number as string, body.delay, content), 201);
    },

    "message/sendStatus": async (c) => {
      const instance = instanceOf(c);
      const body = new Checker(await readBody(c, { multipart: true })).required("type").oneOf(
        "type",
        STATUS_TYPES,
      )
        .type("content", "string").type("caption", "string").type("backgroundColor", "string")
        .type("font", "integer").type("allContacts", "boolean").stringArray("statusJidList").done();
      const content = statusContent(ctx, body, instance.id);
      return c.json(await send(ctx, instance, "status@broadcast", undefined, content), 201);
    },
  };
}
