/**
 * Media given as a URL is downloaded by the gateway and handed to the engine as base64 (issue 8: the
 * engine follows redirects and fetches whatever host it is given, its own network included). Every hop's
 * host is resolved once, each address checked (lib/core/url_guard.ts), and the connection made to that
 * checked address (node:http's `lookup` hook), so a second DNS answer cannot swap in a private one;
 * redirects are followed a few times, each target checked the same way; the body is capped.
 */
import http from "node:http";
import https from "node:https";
import { isIP } from "node:net";
import { fail, isBlockedAddress, pinnedLookup, resolveAll } from "../core/mod.ts";

/** Largest media the gateway downloads (WhatsApp's own limit for most media is 16 MB). */
export const MEDIA_MAX_BYTES = 16 * 1024 * 1024;
const MAX_REDIRECTS = 3;
const TIMEOUT_MS = 20_000;

export interface MediaFetchOptions {
  /** MEDIA_ALLOW_PRIVATE: http and private or loopback addresses are allowed (tests, closed networks). */
  allowPrivate: boolean;
  /** Which resolved addresses may be contacted; defaults to the blocked-address rule unless allowPrivate. */
  addressAllowed?: (ip: string) => boolean;
  /** Host name resolution; defaults to every A/AAAA record. */
  resolve?: (host: string) => Promise<string[]>;
  maxBytes?: number;
}

export interface FetchedMedia {
  base64: string;
  /** The answer's Content-Type (without parameters), when it names a type. */
  mimetype?: string;
  /** The last path segment of the final URL, when it has one. */
  fileName?: string;
}

/** True for a value the engine would take as a URL to fetch itself. */
export const isMediaUrl = (value: unknown): value is string =>
  typeof value === "string" && /^https?:\/\//i.test(value.trim());

interface Hop {
  status: number;
  location?: string;
  contentType?: string;
  bytes?: Uint8Array;
}

function request(url: URL, address: string, maxBytes: number, field: string): Promise<Hop> {
  const client = url.protocol === "https:" ? https : http;
  return new Promise((resolve, reject) => {
    const req = client.get(url, {
      headers: { "user-agent": "taguato-send-media/1", accept: "*/*" },
      // The connection goes to the address that was checked, whatever DNS answers now.
      lookup: pinnedLookup([address]),
      timeout: TIMEOUT_MS,
    }, (res) => {
      const status = res.statusCode ?? 0;
      const contentType = res.headers["content-type"];
      if (status >= 300 && status < 400) {
        res.resume();
        return resolve({ status, location: res.headers.location });
      }
      if (status !== 200) {
        res.resume();
        return resolve({ status });
      }
      if (Number(res.headers["content-length"] ?? 0) > maxBytes) {
        req.destroy();
        return reject(fail("media_too_large", { field, max: maxBytes / (1024 * 1024) }));
      }
      const chunks: Uint8Array[] = [];
      let size = 0;
      res.on("data", (chunk: Uint8Array) => {
        size += chunk.length;
        if (size > maxBytes) {
          req.destroy();
          reject(fail("media_too_large", { field, max: maxBytes / (1024 * 1024) }));
          return;
        }
        chunks.push(chunk);
      });
      res.on("end", () => {
        const bytes = new Uint8Array(size);
        let at = 0;
        for (const c of chunks) {
          bytes.set(c, at);
          at += c.length;
        }
        resolve({ status, contentType, bytes });
      });
      res.on("error", () => reject(fail("media_fetch_failed", { field })));
    });
    req.on("timeout", () => req.destroy(new Error("timeout")));
    req.on("error", () => reject(fail("media_fetch_failed", { field })));
  });
}

async function checkedAddress(url: URL, field: string, opts: MediaFetchOptions): Promise<string> {
  const schemes = opts.allowPrivate ? ["http:", "https:"] : ["https:"];
  if (!schemes.includes(url.protocol) || url.username || url.password) {
    throw fail("media_url_private", { field });
  }
  const host = url.hostname.replace(/^\[|\]$/g, "");
  const addresses = isIP(host) ? [host] : await (opts.resolve ?? resolveAll)(host);
  if (addresses.length === 0) throw fail("media_url_unresolvable", { field });
  const allowed = opts.addressAllowed ?? ((ip: string) => opts.allowPrivate || !isBlockedAddress(ip));
  // One blocked record is enough to refuse: which one a client would pick is not ours to guess.
  if (!addresses.every(allowed)) throw fail("media_url_private", { field });
  return addresses[0];
}

/** Downloads a media URL (addresses checked and pinned, redirects re-checked, size capped). */
export async function fetchMedia(raw: string, field: string, opts: MediaFetchOptions): Promise<FetchedMedia> {
  const maxBytes = opts.maxBytes ?? MEDIA_MAX_BYTES;
  if (!URL.canParse(raw.trim())) throw fail("media_invalid", { field });
  let url = new URL(raw.trim());
  for (let hop = 0; hop <= MAX_REDIRECTS; hop++) {
    const address = await checkedAddress(url, field, opts);
    const answer = await request(url, address, maxBytes, field);
    if (answer.location !== undefined) {
      if (!URL.canParse(answer.location, url)) throw fail("media_fetch_failed", { field });
      url = new URL(answer.location, url);
      continue;
    }
    if (!answer.bytes) throw fail("media_fetch_failed", { field });
    const type = answer.contentType?.split(";")[0].trim().toLowerCase();
    const name = decodeURIComponent(url.pathname.split("/").pop() ?? "");
    return {
      base64: toBase64(answer.bytes),
      ...(type && /^[a-z0-9.+-]+\/[a-z0-9.+-]+$/.test(type) ? { mimetype: type } : {}),
      ...(name ? { fileName: name } : {}),
    };
  }
  throw fail("media_fetch_failed", { field });
}

function toBase64(bytes: Uint8Array): string {
  let binary = "";
  for (let i = 0; i < bytes.length; i += 0x8000) {
    binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  }
  return btoa(binary);
}

/** Which body field carries media (or a picture) for the engine routes that accept a URL there. */
export const MEDIA_FIELDS: Record<string, string> = {
  "message/sendMedia": "media",
  "message/sendWhatsAppAudio": "audio",
  "message/sendSticker": "sticker",
  "message/sendPtv": "video",
  "message/sendButtons": "thumbnailUrl",
  "message/sendStatus": "content",
  "chat/updateProfilePicture": "picture",
  "group/updateGroupPicture": "image",
};

/**
 * Replaces a URL in the route's media field by the downloaded base64 (keeping a given mimetype and
 * fileName, else taking the answer's). Returns the body unchanged when the field holds no URL.
 */
export async function inlineMediaUrl(
  routeKey: string,
  body: Record<string, unknown>,
  opts: MediaFetchOptions,
): Promise<Record<string, unknown>> {
  const field = MEDIA_FIELDS[routeKey];
  const value = field ? body[field] : undefined;
  if (!field || !isMediaUrl(value)) return body;
  const media = await fetchMedia(value, field, opts);
  const out: Record<string, unknown> = { ...body, [field]: media.base64 };
  if (routeKey === "message/sendMedia") {
    if (out.mimetype === undefined && media.mimetype) out.mimetype = media.mimetype;
    // Without a fileName the engine takes a document's name from the URL, which base64 does not have.
    if (out.fileName === undefined && media.fileName) out.fileName = media.fileName;
  }
  return out;
}
