/**
 * The error catalogue: every error the HTTP API answers with, once, under a stable code. The English text
 * is the wire message (`{ "error": en, "code": code }`, the contract's strings); `es` is what the panel
 * shows in Spanish. This module imports nothing, so the islands bundle it and translate by code.
 *
 * `{name}` in a text is filled from the params given where the error is raised.
 * Each domain keeps its entries in its own section; codes are snake_case and never change once shipped.
 */
interface ErrorEntry {
  status: number;
  en: string;
  es: string;
}

export const ERRORS = {
  // ── core: HTTP, validation, pagination ──
  not_found: { status: 404, en: "Not found", es: "No encontrado" },
  method_not_allowed: { status: 405, en: "Method not allowed", es: "Método no permitido" },
  invalid_json: { status: 400, en: "Invalid JSON body", es: "El cuerpo JSON no es válido" },
  invalid_request: { status: 400, en: "Invalid request", es: "Solicitud no válida" },
  body_too_large: {
    status: 413,
    en: "Request body too large",
    es: "El cuerpo de la solicitud es demasiado grande",
  },
  internal: { status: 500, en: "Internal server error", es: "Error interno del servidor" },
  page_invalid: {
    status: 400,
    en: "page must be a positive integer",
    es: "page debe ser un entero positivo",
  },
  limit_invalid: {
    status: 400,
    en: "limit must be a positive integer",
    es: "limit debe ser un entero positivo",
  },
  field_required: { status: 400, en: "{field} is required", es: "{field} es obligatorio" },
  // ── auth: credentials, sessions, 2FA, recovery ──

  // ── accounts: users, API keys, audit ──

  // ── gateway: engine proxy, instances, sends, limits, breaker ──

  // ── messaging: ledger, message log, templates ──

  // ── webhooks ──
} as const satisfies Record<string, ErrorEntry>;

export type ErrorCode = keyof typeof ERRORS;
export type ErrorParams = Record<string, string | number>;

export const isErrorCode = (value: unknown): value is ErrorCode =>
  typeof value === "string" && Object.hasOwn(ERRORS, value);

/** The text of `code` in `locale` (English is the wire language), with `{name}` filled from `params`. */
export function errorText(code: ErrorCode, params: ErrorParams = {}, locale: "en" | "es" = "en"): string {
  const text: string = ERRORS[code][locale];
  return text.replace(/\{(\w+)\}/g, (whole, name) => name in params ? String(params[name]) : whole);
}

export interface ErrorOptions {
  /** Fills `{name}` placeholders of the catalogue text. */
  params?: ErrorParams;
  /** Extra JSON fields of the answer beside `error` and `code` (e.g. the rate limit's `limit`). */
  extra?: Record<string, unknown>;
  headers?: Record<string, string>;
  /** Overrides the catalogue's status for the rare code answered with two statuses. */
  status?: number;
  /** @deprecated Interim, for errors_legacy.ts only: a text outside the catalogue. Removed with it. */
  message?: string;
}

/**
 * An error the API answers on purpose. Mapped to a response in exactly one place (`errorMapper` in
 * lib/core/http.ts): `{ "error": text, "code": code, ...extra }` on API paths, an HTML page on the panel.
 */
export class HttpError extends Error {
  readonly status: number;
  readonly extra: Record<string, unknown>;
  readonly headers: Record<string, string>;
  /** INTERIM (errors_legacy.ts): a text outside the catalogue, answered without a code. */
  readonly legacy: boolean;
  constructor(readonly code: ErrorCode, options: ErrorOptions = {}) {
    super(options.message ?? errorText(code, options.params));
    this.name = "HttpError";
    this.status = options.status ?? ERRORS[code].status;
    this.extra = options.extra ?? {};
    this.headers = options.headers ?? {};
    this.legacy = options.message !== undefined;
  }
}

/** `throw fail("user_not_found")`, `throw fail("field_required", { field: "number" })`. */
export const fail = (code: ErrorCode, params?: ErrorParams, options: Omit<ErrorOptions, "params"> = {}) =>
  new HttpError(code, { ...options, params });
