/** `/message/send*` (contract §3.2): per-action schemas and business checks, then the shared pipeline. */
import type { SandboxContext } from "./context.ts";
import type { Handlers } from "./router.ts";
import { badRequest } from "./errors.ts";
import { instanceOf, readBody } from "./guards.ts";
import { type Content, send } from "./send.ts";
import { Checker, isObject, type Json } from "./validate.ts";

const MEDIA_TYPES = ["image", "document", "video", "audio"];
const MIME_BY_EXT: Record<string, string> = {
  pdf: "application/pdf",
  png: "image/png",
  jpg: "image/jpeg",
  jpeg: "image/jpeg",
  mp4: "video/mp4",
  mp3: "audio/mpeg",
  ogg: "audio/ogg",
  txt: "text/plain",
};

/** Common fields: `number` must be a string (its schema description is "Invalid format"). */
export function common(raw: unknown, ...required: string[]): Checker {
  return new Checker(raw).required("number", ...required).type("number", "string", "Invalid format")
    .type("delay", "integer").type("quoted", "object");
}

/** http(s)/ftp URL whose host is an IP or has a TLD, like class-validator's isURL. */
export function isUrl(value: string): boolean {
  try {
    const url = new URL(value);
    if (!["http:", "https:", "ftp:"].includes(url.protocol)) return false;
    const host = url.hostname;
    return /^\d{1,3}(\.\d{1,3}){3}$/.test(host) || host.startsWith("[") || /\.[a-z]{2,}$/i.test(host);
  } catch {
    return false;
  }
}

/** Raw base64 only; data URLs are rejected, which is what breaks TAGUATO's panel. */
export function isBase64(value: string): boolean {
  return value.length >= 4 && value.length % 4 === 0 && /^[A-Za-z0-9+/]+={0,2}$/.test(value);
}

export function quotedContext(body: Json): unknown {
  const quoted = body.quoted;
  if (!isObject(quoted) || !isObject(quoted.key)) return undefined;
  return {
    stanzaId: quoted.key.id,
    participant: quoted.key.remoteJid,
    quotedMessage: quoted.message ?? null,
  };
}

export function fileOf(body: Json): { name: string; type: string; base64: string } | undefined {
  return body.__file as { name: string; type: string; base64: string } | undefined;
}

function mediaContent(body: Json): Content {
  const file = fileOf(body);
  const media = file?.base64 ?? body.media;
  if (typeof media !== "string" || !(isUrl(media) || isBase64(media))) {
    throw badRequest("Owned media must be a url or base64");
  }
  const base64 = isBase64(media) ? media : undefined;
  const mediatype = body.mediatype as string;
  let fileName = (body.fileName as string | undefined) ?? file?.name;
  if (base64 && mediatype === "document" && !fileName) {
    throw badRequest("For base64 the file name must be informed.");
  }
  const ext = (fileName ?? (base64 ? "" : new URL(media).pathname)).split(".").pop()?.toLowerCase() ?? "";
  let mimetype = (body.mimetype as string | undefined) ?? file?.type ?? MIME_BY_EXT[ext] ??
    "application/octet-stream";
  // Evolution re-encodes images to JPEG.
  if (mediatype === "image") {
    mimetype = "image/jpeg";
    fileName ??= "image.jpg";
  }
  const messageType = `${mediatype}Message`;
  const inner: Json = {
    url: `https://mmg.whatsapp.net/v/sandbox/${crypto.randomUUID()}.enc`,
    mimetype,
    fileLength: String(base64 ? base64.length * 3 / 4 - (base64.match(/=+$/)?.[0].length ?? 0) : 0),
    ...(body.caption !== undefined ? { caption: body.caption } : {}),
    ...(fileName !== undefined ? { fileName } : {}),
  };
  return { messageType, message: { [messageType]: inner }, media: true, base64 };
}

/** Mounts the send routes. */
export function messageHandlers(ctx: SandboxContext): Handlers {
  return {
    "message/sendText": async (c) => {
      const body = common(await readBody(c), "text").type("text", "string").type("linkPreview", "boolean")
        .notEmpty("number", "text").done();
      if (!body.text) throw badRequest("Text is required");
      const content: Content = {
        messageType: "conversation",
        message: { conversation: body.text },
        contextInfo: quotedContext(body),
      };
      return c.json(await send(ctx, instanceOf(c), body.number as string, body.delay, content), 201);
    },

    "message/sendMedia": async (c) => {
      const body = common(await readBody(c, { multipart: true }), "mediatype").oneOf("mediatype", MEDIA_TYPES)
        .type("media", "string").type("caption", "string").type("fileName", "string").type(
          "mimetype",
          "string",
        )
        .done();
      const content = { ...mediaContent(body), contextInfo: quotedContext(body) };
      return c.json(await send(ctx, instanceOf(c), body.number as string, body.delay, content), 201);
    },

    "message/sendWhatsAppAudio": async (c) => {
      const body = common(await readBody(c, { multipart: true })).type("audio", "string").type(
        "encoding",
        "boolean",
      )
        .done();
      const audio = fileOf(body)?.base64 ?? body.audio;
      if (typeof audio !== "string" || !(isUrl(audio) || isBase64(audio))) {
        throw badRequest("Owned media must be a url, base64, or valid file with buffer");
      }
      const content: Content = {
        messageType: "audioMessage",
        message: {
          audioMessage: {
            url: `https://mmg.whatsapp.net/v/sandbox/${crypto.randomUUID()}.enc`,
            mimetype: "audio/ogg; codecs=opus",
            ptt: true,
            seconds: 1,
          },
        },
        voiceNote: true,
        media: true,
        base64: isBase64(audio) ? audio : undefined,
      };
      return c.json(await send(ctx, instanceOf(c), body.number as string, body.delay, content), 201);
    },

    "message/sendLocation": async (c) => {
      const body = common(await readBody(c), "latitude", "longitude", "name", "address")
        .type("latitude", "number").type("longitude", "number").type("name", "string").type(
          "address",
          "string",
        )
        .done();
      const content: Content = {
        messageType: "locationMessage",
        message: {
          locationMessage: {
            degreesLatitude: body.latitude,
            degreesLongitude: body.longitude,
            name: body.name,
            address: body.address,
          },
        },
        contextInfo: quotedContext(body),
      };
      return c.json(await send(ctx, instanceOf(c), body.number as string, body.delay, content), 201);
    },
  };
}
