/**
 * The gateway's only way to talk to the WhatsApp engines (Evolution API v2.3.7, or the sandbox): typed calls
 * whose answers are checked with zod, a raw `request` for the proxy, a timeout on every call, and one error
 * type whose `kind` says what went wrong. With a router installed (lib/gateway/engines.ts) every call is
 * sent to the engine of the instance it names, and an unfiltered fetchInstances asks every engine.
 */
import { z } from "zod";
import { timeoutSignal } from "../core/timeout.ts";

/** Engine answers up to this size (all but media downloads) are read whole by `request`. */
export const BUFFERED_BODY_BYTES = 1024 * 1024;
const NULL_BODY_STATUS = new Set([101, 103, 204, 205, 304]);

/** Evolution v2.3.7's webhook event names (evolution-api.md §6.1), in the order its schema lists them. */
export const ENGINE_EVENTS = [
  "APPLICATION_STARTUP",
  "QRCODE_UPDATED",
  "MESSAGES_SET",
  "MESSAGES_UPSERT",
  "MESSAGES_EDITED",
  "MESSAGES_UPDATE",
  "MESSAGES_DELETE",
  "SEND_MESSAGE",
  "SEND_MESSAGE_UPDATE",
  "CONTACTS_SET",
  "CONTACTS_UPSERT",
  "CONTACTS_UPDATE",
  "PRESENCE_UPDATE",
  "CHATS_SET",
  "CHATS_UPSERT",
  "CHATS_UPDATE",
  "CHATS_DELETE",
  "GROUPS_UPSERT",
  "GROUP_UPDATE",
  "GROUP_PARTICIPANTS_UPDATE",
  "CONNECTION_UPDATE",
  "LABELS_EDIT",
  "LABELS_ASSOCIATION",
  "CALL",
  "TYPEBOT_START",
  "TYPEBOT_CHANGE_STATUS",
  "REMOVE_INSTANCE",
  "LOGOUT_INSTANCE",
  "INSTANCE_CREATE",
  "INSTANCE_DELETE",
  "STATUS_INSTANCE",
] as const;
export type EngineEvent = typeof ENGINE_EVENTS[number];

// ---- response schemas: lenient (loose objects) because the engine adds fields between versions ----

const ConnStateSchema = z.enum(["open", "connecting", "close"]);
export type ConnState = z.infer<typeof ConnStateSchema>;

export const RootSchema = z.looseObject({
  status: z.number(),
  message: z.string(),
  version: z.string(),
  clientName: z.string().optional(),
});
export type EvolutionRoot = z.infer<typeof RootSchema>;

export const ConnectionStateSchema = z.looseObject({
  instance: z.looseObject({ instanceName: z.string(), state: ConnStateSchema.optional() }),
});
export type ConnectionState = z.infer<typeof ConnectionStateSchema>;

/** QR/pairing object; before the first QR only `count` is present. */
export const QrCodeSchema = z.looseObject({
  pairingCode: z.string().nullable().optional(),
  code: z.string().optional(),
  base64: z.string().optional(),
  count: z.number().optional(),
});
export type QrCode = z.infer<typeof QrCodeSchema>;

/** `connect` and `restart` answer either the connectionState shape (open) or a QR object. */
export const ConnectResponseSchema = z.union([ConnectionStateSchema, QrCodeSchema]);
export type ConnectResponse = z.infer<typeof ConnectResponseSchema>;

/** True when `connect`/`restart` answered the state (already open) rather than a QR object. */
export function isConnectionState(response: ConnectResponse): response is ConnectionState {
  return "instance" in response && typeof response.instance === "object" && response.instance !== null;
}

export const CreateInstanceResponseSchema = z.looseObject({
  instance: z.looseObject({
    instanceName: z.string(),
    instanceId: z.string(),
    integration: z.string(),
    status: z.string(),
  }),
  hash: z.string(),
  settings: z.looseObject({}).optional(),
  qrcode: QrCodeSchema.optional(),
});
export type CreateInstanceResponse = z.infer<typeof CreateInstanceResponseSchema>;

export const InstanceItemSchema = z.looseObject({
  id: z.string(),
  name: z.string(),
  connectionStatus: ConnStateSchema,
  ownerJid: z.string().nullable().optional(),
  profileName: z.string().nullable().optional(),
  profilePicUrl: z.string().nullable().optional(),
  integration: z.string(),
  number: z.string().nullable().optional(),
  token: z.string().nullable().optional(),
  disconnectionReasonCode: z.number().nullable().optional(),
  disconnectionAt: z.string().nullable().optional(),
});
export type InstanceItem = z.infer<typeof InstanceItemSchema>;

export const StatusResponseSchema = z.looseObject({
  status: z.string(),
  error: z.boolean(),
  response: z.looseObject({ message: z.string() }),
});
export type StatusResponse = z.infer<typeof StatusResponseSchema>;

/** A send's answer; a Cloud (Meta) error arrives as 201 without `key` and therefore fails this schema. */
export const MessageRecordSchema = z.looseObject({
  key: z.looseObject({ remoteJid: z.string(), fromMe: z.boolean(), id: z.string().min(1) }),
  pushName: z.string().nullable().optional(),
  status: z.string().optional(),
  message: z.record(z.string(), z.unknown()).optional(),
  messageType: z.string(),
  messageTimestamp: z.coerce.number(),
  instanceId: z.string().optional(),
  source: z.string().optional(),
});
export type MessageRecord = z.infer<typeof MessageRecordSchema>;

export const WebhookRowSchema = z.looseObject({
  url: z.string(),
  enabled: z.boolean(),
  events: z.array(z.string()),
  webhookByEvents: z.boolean().optional(),
  webhookBase64: z.boolean().optional(),
  headers: z.record(z.string(), z.unknown()).nullable().optional(),
});
export type WebhookRow = z.infer<typeof WebhookRowSchema>;

export const NumberCheckSchema = z.looseObject({
  jid: z.string(),
  exists: z.boolean(),
  number: z.string(),
  name: z.string().optional(),
  lid: z.string().optional(),
});
export type NumberCheck = z.infer<typeof NumberCheckSchema>;

// ---- request inputs ----

export interface CreateInstanceInput {
  instanceName: string;
  integration?: "WHATSAPP-BAILEYS" | "WHATSAPP-BUSINESS" | "EVOLUTION";
  token?: string;
  number?: string;
  qrcode?: boolean;
  [field: string]: unknown;
}

interface SendCommon {
  number: string;
  /** Milliseconds the engine holds the request open while "typing"; the client extends its timeout by it. */
  delay?: number;
  quoted?: { key: { id: string; remoteJid?: string; fromMe?: boolean }; message?: unknown };
}

export interface SendTextInput extends SendCommon {
  text: string;
  linkPreview?: boolean;
}

export interface SendMediaInput extends SendCommon {
  mediatype: "image" | "document" | "video" | "audio";
  /** An http(s) URL with a TLD, or raw base64 (data URLs are rejected by the engine). */
  media: string;
  mimetype?: string;
  caption?: string;
  fileName?: string;
}

/** The v2 nested webhook body; `events: []` means every event. */
export interface WebhookInput {
  enabled: boolean;
  url: string;
  events: string[];
  byEvents?: boolean;
  base64?: boolean;
  headers?: Record<string, string>;
}

/** The engine configured by EVOLUTION_API_URL (or the built-in sandbox): row 1 of taguato.engines. */
export const DEFAULT_ENGINE_ID = 1;

/** Where to send a call: another engine than the client's own (which is the default engine). */
export interface EngineTarget {
  id: number;
  baseUrl: string;
  apiKey: string;
}

/** Finds the engine of an instance; `null` answers mean the client's own engine. */
export interface EngineRouter {
  /** The engine `instance` lives on (null name or unknown instance: the default engine). */
  route(instance: string | null): Promise<EngineTarget | null>;
  /** Every engine an unfiltered list must ask, the default one as null. */
  all(): Promise<(EngineTarget | null)[]>;
}

export interface CallOptions {
  timeoutMs?: number;
  signal?: AbortSignal;
  /** Send to this engine (null: the client's own) instead of routing by the instance in the path. */
  engine?: EngineTarget | null;
  /** Route by this instance when the path names none (create). */
  instance?: string;
}

/** An engine answer the gateway passes through unchanged (status and body). */
export interface EngineAnswer {
  status: number;
  /** The body as received. */
  text: string;
  /** The body parsed; `{}` when empty or not JSON (the contract re-encodes such answers as `{}`). */
  json: unknown;
}

/** The engine's answer to `exchange`: the body read (up to BUFFERED_BODY_BYTES, null when it has none) or streaming. */
export interface EngineExchange {
  status: number;
  headers: Headers;
  body: Uint8Array<ArrayBuffer> | ReadableStream<Uint8Array> | null;
}

const utf8 = new TextDecoder();

/** The text of an exchange's body: a read one decoded, a streamed one read to its end, none as "". */
export async function exchangeText(body: EngineExchange["body"]): Promise<string> {
  if (body instanceof ReadableStream) return await new Response(body).text();
  return body ? utf8.decode(body) : "";
}

export interface RequestOptions extends Omit<RequestInit, "signal"> {
  timeoutMs?: number;
  signal?: AbortSignal;
  engine?: EngineTarget | null;
  instance?: string;
}

/**
 * The instance a call is about: the third path segment (`/{group}/{action}/{instance}`, the shape of
 * every instance route), else `?instanceName=` (fetchInstances' filter); null when it names none.
 */
export function instanceInPath(path: string): string | null {
  const [pathname, query = ""] = path.split("?", 2);
  const segments = pathname.split("/");
  if (segments.length === 4 && segments[3] !== "") {
    try {
      return decodeURIComponent(segments[3]);
    } catch {
      return null;
    }
  }
  return new URLSearchParams(query).get("instanceName");
}

// ---- errors ----

export type EvolutionErrorKind = "timeout" | "network" | "http" | "invalid_response";

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function flatten(message: unknown): string {
  if (typeof message === "string") return message;
  if (Array.isArray(message)) return message.map(flatten).filter(Boolean).join("; ");
  if (!isRecord(message)) return "";
  if (message.exists === false) return `${message.number ?? message.jid} is not on WhatsApp`;
  // A serialised Boom error keeps its text in output.payload.message.
  const payload = isRecord(message.output) && isRecord(message.output.payload)
    ? message.output.payload
    : null;
  if (payload && typeof payload.message === "string") return payload.message;
  return typeof message.message === "string" ? message.message : "";
}

/**
 * A readable message from any of the engine's error bodies: the wrapped envelope (string, string array,
 * nested schema array, exists:false objects), the unwrapped whatsappNumbers 400, the HTTP-200
 * `{error:true,message}` of connect/restart, or a Meta error. Null when the body says nothing useful.
 */
export function evolutionErrorMessage(body: unknown): string | null {
  if (typeof body === "string") return body.trim() || null;
  if (!isRecord(body)) return null;
  const inner = isRecord(body.response) && "message" in body.response ? body.response.message : body.message;
  const text = flatten(inner) || flatten(body);
  if (text) return text;
  return typeof body.error === "string" ? body.error : null;
}

export class EvolutionError extends Error {
  override name = "EvolutionError";
  readonly kind: EvolutionErrorKind;
  readonly method: string;
  readonly path: string;
  readonly status?: number;
  readonly body?: unknown;

  constructor(init: {
    kind: EvolutionErrorKind;
    method: string;
    path: string;
    status?: number;
    body?: unknown;
    detail?: string;
    cause?: unknown;
  }) {
    const where = `${init.method} ${init.path}`;
    const status = init.status !== undefined ? ` (HTTP ${init.status})` : "";
    super(`Evolution ${init.kind} error on ${where}${status}: ${init.detail ?? "no details"}`, {
      cause: init.cause,
    });
    this.kind = init.kind;
    this.method = init.method;
    this.path = init.path;
    this.status = init.status;
    this.body = init.body;
  }

  /** The engine's own words, for logs and user-facing errors. */
  get detail(): string {
    return evolutionErrorMessage(this.body) ??
      (this.cause instanceof Error ? this.cause.message : this.message);
  }

  /** True when a send failed because the recipient is not on WhatsApp (the 400 exists:false answer). */
  get notOnWhatsApp(): boolean {
    const response = isRecord(this.body) ? this.body.response : undefined;
    const message = isRecord(response) ? response.message : undefined;
    return Array.isArray(message) && isRecord(message[0]) && message[0].exists === false;
  }
}

// ---- client ----

export interface EvolutionClientOptions {
  baseUrl: string;
  /** The global key (`AUTHENTICATION_API_KEY`), sent as the `apikey` header. */
  apiKey: string;
  timeoutMs?: number;
  fetch?: typeof fetch;
}

export type EvolutionClient = ReturnType<typeof createEvolutionClient>;

/** Headers as name/value pairs without `apikey` (fetch takes pairs faster than a Headers object). */
function headerPairs(init: HeadersInit | undefined): [string, string][] {
  const pairs: [string, string][] = [];
  const entries = init === undefined
    ? []
    : init instanceof Headers || Array.isArray(init)
    ? init
    : Object.entries(init);
  for (const [k, v] of entries as Iterable<[string, string]>) {
    if (k.toLowerCase() !== "apikey") pairs.push([k, v]);
  }
  return pairs;
}

/** Creates a client for one engine. */
export function createEvolutionClient(options: EvolutionClientOptions) {
  const baseUrl = options.baseUrl.replace(/\/+$/, "");
  const defaultTimeout = options.timeoutMs ?? 30_000;
  const doFetch = options.fetch ?? fetch;
  const seg = encodeURIComponent;
  let router: EngineRouter | undefined;

  /** Where a call goes: the engine given, else the engine of the instance in the path (routing errors propagate). */
  async function target(path: string, engine: EngineTarget | null | undefined, instance?: string) {
    const routed = engine !== undefined
      ? engine
      : router
      ? await router.route(instance ?? instanceInPath(path))
      : null;
    return routed ?? { baseUrl, apiKey: options.apiKey };
  }

  /**
   * Sends a request with the engine key and a timeout; the answer is returned whatever its status. A body
   * of known length up to BUFFERED_BODY_BYTES is read here (the timeout covers it) and the deadline
   * dropped; a larger or unsized one streams, the deadline still running until it ends. The engine key
   * replaces any `apikey` among the headers given.
   */
  async function exchange(method: string, path: string, init: RequestOptions = {}): Promise<EngineExchange> {
    const { timeoutMs = defaultTimeout, signal, engine, instance, ...rest } = init;
    const to = await target(path, engine, instance);
    const timeout = timeoutSignal(timeoutMs, `${method} ${path}`);
    const headers = headerPairs(rest.headers);
    headers.push(["apikey", to.apiKey]);
    try {
      const res = await doFetch(to.baseUrl + path, {
        ...rest,
        method,
        headers,
        signal: signal ? AbortSignal.any([signal, timeout.signal]) : timeout.signal,
      });
      const declared = Number(res.headers.get("content-length") ?? NaN);
      if (res.body && !(declared <= BUFFERED_BODY_BYTES)) {
        const ends = new TransformStream<Uint8Array, Uint8Array>({ flush: timeout.clear });
        return { status: res.status, headers: res.headers, body: res.body.pipeThrough(ends) };
      }
      const body = res.body && !NULL_BODY_STATUS.has(res.status) ? await res.bytes() : null;
      timeout.clear();
      return { status: res.status, headers: res.headers, body };
    } catch (e) {
      timeout.clear();
      throw transportError(e, method, path, timeoutMs);
    }
  }

  /** `exchange` as a Response (read it like any fetch answer). */
  async function request(method: string, path: string, init: RequestOptions = {}): Promise<Response> {
    const { status, headers, body } = await exchange(method, path, init);
    return new Response(body, { status, headers });
  }

  /** The abort reason of a timeout signal is a TimeoutError, also when it surfaces while reading the body. */
  function transportError(e: unknown, method: string, path: string, ms: number): EvolutionError {
    if (e instanceof EvolutionError) return e;
    if (e instanceof DOMException && e.name === "TimeoutError") {
      return new EvolutionError({
        kind: "timeout",
        method,
        path,
        detail: `no answer within ${ms} ms`,
        cause: e,
      });
    }
    const detail = e instanceof Error ? e.message : String(e);
    return new EvolutionError({ kind: "network", method, path, detail, cause: e });
  }

  async function call<S extends z.ZodType>(
    schema: S,
    method: string,
    path: string,
    body?: unknown,
    opts: CallOptions = {},
  ): Promise<z.output<S>> {
    const timeoutMs = opts.timeoutMs ?? defaultTimeout;
    const init: RequestOptions = {
      timeoutMs,
      signal: opts.signal,
      engine: opts.engine,
      instance: opts.instance,
      ...(body !== undefined
        ? { body: JSON.stringify(body), headers: { "content-type": "application/json" } }
        : {}),
    };
    let status: number;
    let text: string;
    try {
      const res = await exchange(method, path, init);
      status = res.status;
      text = await exchangeText(res.body);
    } catch (e) {
      throw transportError(e, method, path, timeoutMs);
    }
    let parsed: unknown = text;
    try {
      parsed = text === "" ? undefined : JSON.parse(text);
    } catch {
      if (status >= 200 && status < 300) {
        throw new EvolutionError({
          kind: "invalid_response",
          method,
          path,
          status,
          body: text,
          detail: "not JSON",
        });
      }
    }
    if (status < 200 || status >= 300) {
      throw new EvolutionError({
        kind: "http",
        method,
        path,
        status,
        body: parsed,
        detail: evolutionErrorMessage(parsed) ?? undefined,
      });
    }
    // connect and restart catch everything and answer 200 with {error:true,message}.
    if (isRecord(parsed) && parsed.error === true) {
      throw new EvolutionError({
        kind: "http",
        method,
        path,
        status,
        body: parsed,
        detail: evolutionErrorMessage(parsed) ?? undefined,
      });
    }
    const result = schema.safeParse(parsed);
    if (!result.success) {
      const detail = evolutionErrorMessage(parsed) ??
        result.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ");
      throw new EvolutionError({ kind: "invalid_response", method, path, status, body: parsed, detail });
    }
    return result.data;
  }

  /** A call whose answer, whatever its status, is returned for the gateway to pass through. */
  async function answer(method: string, path: string, body?: unknown, opts: CallOptions = {}) {
    const res = await exchange(method, path, {
      timeoutMs: opts.timeoutMs,
      signal: opts.signal,
      engine: opts.engine,
      instance: opts.instance,
      ...(body === undefined
        ? {}
        : { body: JSON.stringify(body), headers: { "content-type": "application/json" } }),
    });
    const text = await exchangeText(res.body);
    let json: unknown = {};
    try {
      json = text === "" ? {} : JSON.parse(text);
    } catch { /* not JSON: {} */ }
    return { status: res.status, text, json } satisfies EngineAnswer;
  }

  const withDelay = (opts: CallOptions, delay?: number): CallOptions => ({
    ...opts,
    timeoutMs: (opts.timeoutMs ?? defaultTimeout) + Math.max(0, delay ?? 0),
  });

  /** Asks every engine (a router's `all`) and concatenates the lists; fails only when every engine failed. */
  async function everyEngine<T>(ask: (engine: EngineTarget | null) => Promise<T[]>): Promise<T[]> {
    const engines = router ? await router.all() : [null];
    if (engines.length <= 1) return await ask(engines[0] ?? null);
    const settled = await Promise.allSettled(engines.map(ask));
    const answered = settled.filter((r) => r.status === "fulfilled");
    if (answered.length === 0) throw (settled[0] as PromiseRejectedResult).reason;
    return answered.flatMap((r) => r.value);
  }

  return {
    baseUrl,
    exchange,
    request,
    /** Sends each later call to the engine of the instance it names (lib/gateway/engines.ts). */
    useRouter(next: EngineRouter | undefined) {
      router = next;
    },
    /** `GET /`: liveness and version. */
    root: (opts?: CallOptions) => call(RootSchema, "GET", "/", undefined, opts),
    /** `POST /instance/create` (global key only). */
    createInstance: (input: CreateInstanceInput, opts?: CallOptions) =>
      call(CreateInstanceResponseSchema, "POST", "/instance/create", {
        integration: "WHATSAPP-BAILEYS",
        ...input,
      }, { instance: input.instanceName, ...opts }),
    /** `GET /instance/connect/{name}`: the QR object, or the state when already open. */
    connect: (name: string, params: { number?: string } = {}, opts?: CallOptions) =>
      call(
        ConnectResponseSchema,
        "GET",
        `/instance/connect/${seg(name)}${params.number ? `?number=${seg(params.number)}` : ""}`,
        undefined,
        opts,
      ),
    /** `GET /instance/connectionState/{name}`: the in-memory state, the truth for "can I send now". */
    connectionState: (name: string, opts?: CallOptions) =>
      call(ConnectionStateSchema, "GET", `/instance/connectionState/${seg(name)}`, undefined, opts),
    /** `GET /instance/fetchInstances`: DB rows; `connectionStatus` is the slow-moving DB value. */
    fetchInstances: (
      filter: { instanceName?: string; instanceId?: string; number?: string } = {},
      opts?: CallOptions,
    ) => {
      const query = new URLSearchParams(
        Object.entries(filter).filter(([, v]) => v !== undefined) as [string, string][],
      );
      const qs = query.size > 0 ? `?${query}` : "";
      const ask = (engine?: EngineTarget | null) =>
        call(z.array(InstanceItemSchema), "GET", `/instance/fetchInstances${qs}`, undefined, {
          ...opts,
          ...(engine !== undefined && { engine }),
        });
      // One instance lives on one engine; the whole list is every engine's (an engine that is down is left out).
      return filter.instanceName !== undefined || opts?.engine !== undefined ? ask() : everyEngine(ask);
    },
    /** `POST /instance/restart/{name}` (POST in v2; PUT is a 404). */
    restart: (name: string, opts?: CallOptions) =>
      call(ConnectResponseSchema, "POST", `/instance/restart/${seg(name)}`, undefined, opts),
    /** `DELETE /instance/logout/{name}`. */
    logout: (name: string, opts?: CallOptions) =>
      call(StatusResponseSchema, "DELETE", `/instance/logout/${seg(name)}`, undefined, opts),
    /** `DELETE /instance/delete/{name}`; a 404 afterwards means it is gone. */
    deleteInstance: (name: string, opts?: CallOptions) =>
      call(StatusResponseSchema, "DELETE", `/instance/delete/${seg(name)}`, undefined, opts),
    /** `POST /instance/create` with a body the gateway already filtered; the answer as is. */
    createInstanceAnswer: (body: Record<string, unknown>, opts?: CallOptions) =>
      answer("POST", "/instance/create", body, {
        ...(typeof body.instanceName === "string" && { instance: body.instanceName }),
        ...opts,
      }),
    /** `GET /instance/fetchInstances` with the caller's query string (`?…` or ""); the answer as is. */
    fetchInstancesAnswer: (search: string, opts?: CallOptions) =>
      answer("GET", `/instance/fetchInstances${search}`, undefined, opts),
    /** `DELETE /instance/delete/{name}`; the answer as is (a 404 means it is already gone). */
    deleteInstanceAnswer: (name: string, opts?: CallOptions) =>
      answer("DELETE", `/instance/delete/${seg(name)}`, undefined, opts),
    /** `POST /message/sendText/{name}`. */
    sendText: (name: string, input: SendTextInput, opts: CallOptions = {}) =>
      call(
        MessageRecordSchema,
        "POST",
        `/message/sendText/${seg(name)}`,
        input,
        withDelay(opts, input.delay),
      ),
    /** `POST /message/sendMedia/{name}`. */
    sendMedia: (name: string, input: SendMediaInput, opts: CallOptions = {}) =>
      call(
        MessageRecordSchema,
        "POST",
        `/message/sendMedia/${seg(name)}`,
        input,
        withDelay(opts, input.delay),
      ),
    /** `POST /webhook/set/{name}` with the v2 nested body. */
    setWebhook: (name: string, webhook: WebhookInput, opts?: CallOptions) =>
      call(WebhookRowSchema, "POST", `/webhook/set/${seg(name)}`, { webhook }, opts),
    /** `GET /webhook/find/{name}`: the stored row or null. */
    findWebhook: (name: string, opts?: CallOptions) =>
      call(WebhookRowSchema.nullable(), "GET", `/webhook/find/${seg(name)}`, undefined, opts),
    /** `POST /chat/whatsappNumbers/{name}`; results are grouped, match them on `number`. */
    whatsappNumbers: (name: string, numbers: string[], opts?: CallOptions) =>
      call(z.array(NumberCheckSchema), "POST", `/chat/whatsappNumbers/${seg(name)}`, { numbers }, opts),
  };
}
