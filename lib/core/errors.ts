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
  instance_name_length: {
    status: 400,
    en: "Instance name must be between 1 and 100 characters",
    es: "El nombre debe tener entre 1 y 100 caracteres.",
  },
  instance_name_chars: {
    status: 400,
    en:
      "Instance name must start with a letter or number and contain only letters, numbers, underscores and hyphens",
    es:
      "El nombre debe empezar con una letra o un número y solo puede tener letras, números, guiones bajos y guiones.",
  },
  field_not_string: { status: 400, en: "{field} must be a string", es: "{field} debe ser un texto" },
  recipient_invalid: {
    status: 400,
    en: "{field} must be a phone number or a WhatsApp JID (…@s.whatsapp.net, …@g.us)",
    es: "{field} debe ser un número de teléfono o un JID de WhatsApp (…@s.whatsapp.net, …@g.us)",
  },
  phone_digits: {
    status: 400,
    en: "Phone number must contain only digits",
    es: "El número solo puede tener dígitos (se admiten + ( ) - y espacios).",
  },
  phone_length: {
    status: 400,
    en: "Phone number must be between 8 and 20 digits",
    es: "El número debe tener entre 8 y 20 dígitos.",
  },
  field_too_long: {
    status: 400,
    en: "{field} must be at most {max} characters",
    es: "{field} no puede superar los {max} caracteres",
  },
  media_base64_invalid: {
    status: 400,
    en: "{field} data URL does not hold valid base64",
    es: "{field}: la URL de datos no contiene base64 válido",
  },
  media_url_private: {
    status: 400,
    en: "{field} URL must be a public https URL",
    es: "{field}: la URL debe ser una dirección https pública",
  },
  media_invalid: {
    status: 400,
    en: "{field} must be an https URL or base64 data",
    es: "{field} debe ser una URL https o datos en base64",
  },
  mediatype_invalid: {
    status: 400,
    en: "mediatype must be one of {values}",
    es: "mediatype debe ser uno de: {values}",
  },
  delay_invalid: {
    status: 400,
    en: "delay must be an integer between 0 and 300000",
    es: "delay debe ser un entero entre 0 y 300000",
  },
  array_empty: {
    status: 400,
    en: "{field} must be a non-empty array",
    es: "{field} debe ser una lista no vacía",
  },
  array_size: {
    status: 400,
    en: "{field} must have {min} to {max} items",
    es: "{field} debe tener entre {min} y {max} elementos",
  },
  number_range: {
    status: 400,
    en: "{field} must be a number between {min} and {max}",
    es: "{field} debe ser un número entre {min} y {max}",
  },
  field_not_boolean: {
    status: 400,
    en: "{field} must be a boolean",
    es: "{field} debe ser verdadero o falso",
  },
  contact_fields: {
    status: 400,
    en: "every contact needs fullName and phoneNumber",
    es: "Cada contacto necesita fullName y phoneNumber",
  },
  poll_values: {
    status: 400,
    en: "values must be distinct non-empty strings",
    es: "Las opciones deben ser textos distintos y no vacíos",
  },
  poll_selectable_count: {
    status: 400,
    en: "selectableCount must be an integer between 0 and 10",
    es: "selectableCount debe ser un entero entre 0 y 10",
  },
  telegram_unsupported: {
    status: 400,
    en: "Telegram instances are not supported yet",
    es: "Las instancias de Telegram todavía no están disponibles",
  },
  instance_name_taken: {
    status: 409,
    en: "Instance name already in use",
    es: "Ese nombre de instancia ya está en uso.",
  },
  instance_limit: {
    status: 403,
    en: "Instance limit reached",
    es: "Alcanzó el máximo de instancias de su cuenta.",
  },
  engine_unavailable: {
    status: 502,
    en: "WhatsApp API unavailable",
    es: "El motor de WhatsApp no responde. Intente de nuevo en unos momentos.",
  },
  engine_timeout: {
    status: 504,
    en: "WhatsApp API timeout",
    es: "El motor de WhatsApp tardó demasiado en responder. Intente de nuevo en unos momentos.",
  },
  engine_circuit_open: {
    status: 503,
    en: "Service temporarily unavailable, please retry later",
    es: "El servicio no está disponible por el momento. Intente de nuevo en unos momentos.",
  },
  engine_instance_not_owned: {
    status: 403,
    en: "You don't own this instance",
    es: "No tiene acceso a esa instancia.",
  },
  manager_admin_required: {
    status: 403,
    en: "Admin access required for Manager",
    es: "El Manager requiere acceso de administrador.",
  },
  engine_webhook_managed: {
    status: 400,
    en: "Engine webhooks are managed by the gateway; use /api/webhooks",
    es: "El webhook del motor lo administra el gateway; use /api/webhooks",
  },
  send_rate_limited: {
    status: 429,
    en: "Too many requests",
    es: "Demasiados intentos. Espere un momento e intente de nuevo.",
  },

  // ── messaging: ledger, message log, templates ──
  log_filter_choice: {
    status: 400,
    en: "{field} must be one of: {values}",
    es: "{field} debe ser uno de: {values}",
  },
  log_filter_date: {
    status: 400,
    en: "{field} must be a date (YYYY-MM-DD or ISO 8601)",
    es: "{field} debe ser una fecha (AAAA-MM-DD o ISO 8601)",
  },
  stats_instance_required: {
    status: 400,
    en: "Instance name required",
    es: "Falta el nombre de la instancia",
  },
  stats_instance_not_yours: {
    status: 403,
    en: "Instance not found or not owned by you",
    es: "La instancia no existe o no tiene acceso a ella.",
  },
  template_fields_required: {
    status: 400,
    en: "name and content are required",
    es: "El nombre y el contenido son obligatorios",
  },
  field_too_short: {
    status: 400,
    en: "{field} must be at least {min} characters",
    es: "{field} debe tener al menos {min} caracteres",
  },
  no_fields_to_update: { status: 400, en: "No fields to update", es: "No hay campos para actualizar" },
  template_not_found: { status: 404, en: "Template not found", es: "La plantilla ya no existe." },

  // ── webhooks ──
  webhook_not_found: { status: 404, en: "Webhook not found", es: "El webhook ya no existe." },
  webhook_url_empty: {
    status: 400,
    en: "webhook_url cannot be empty",
    es: "Ingrese la URL del webhook.",
  },
  webhook_url_scheme: {
    status: 400,
    en: "webhook_url must start with http:// or https://",
    es: "La URL debe empezar con http:// o https://.",
  },
  webhook_url_invalid: { status: 400, en: "Invalid webhook URL", es: "La URL no es válida." },
  webhook_url_private: {
    status: 400,
    en: "webhook_url must not point to a private or loopback address",
    es: "La URL no puede apuntar a direcciones privadas o internas.",
  },
  webhook_url_unresolvable: {
    status: 400,
    en: "webhook_url host does not resolve",
    es: "No se encontró el servidor de esa URL (DNS).",
  },
  webhook_events_not_array: { status: 400, en: "events must be an array", es: "events debe ser una lista" },
  webhook_event_invalid: { status: 400, en: "Invalid event: {event}", es: "Evento no válido: {event}" },
  webhook_instance_not_owned: {
    status: 403,
    en: "You do not own this instance",
    es: "No tiene acceso a esa instancia.",
  },
  webhook_exists: {
    status: 409,
    en: "Webhook already exists for this instance",
    es: "Esa instancia ya tiene un webhook: edítelo en lugar de crear otro.",
  },
  webhook_delivery_not_found: { status: 404, en: "Delivery not found", es: "La entrega ya no existe." },
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
