import { type Locale, type MessageKey, t } from "../lib/core/i18n.ts";
import { ApiError, errorMessage } from "./use_api.ts";

/** The gateway's (contract) messages on the instance, send and webhook routes the panel can translate. */
const KNOWN: Record<string, MessageKey> = {
  "Instance name already in use": "err.instanceTaken",
  "Instance limit reached": "err.instanceLimit",
  "Instance name must be between 1 and 100 characters": "inst.nameLength",
  "Instance name must start with a letter or number and contain only letters, numbers, underscores and hyphens":
    "inst.nameChars",
  "You don't own this instance": "err.notYourInstance",
  "You do not own this instance": "err.notYourInstance",
  "Phone number must contain only digits": "msg.numberDigits",
  "Phone number must be between 8 and 20 digits": "msg.numberLength",
  "Webhook already exists for this instance": "err.webhookExists",
  "webhook_url cannot point to private/internal IP addresses": "err.webhookPrivate",
  "webhook_url host does not resolve": "err.webhookResolve",
  "webhook_url must start with http:// or https://": "wh.urlScheme",
  "Invalid webhook URL": "err.webhookInvalid",
  "Service temporarily unavailable, please retry later": "err.engineUnavailable",
  "WhatsApp API unavailable": "err.engineUnavailable",
};

/**
 * What to tell the user about a failed gateway or engine call: a translated contract message, the
 * engine's own words (its envelope nests them in response.message; a recipient that is not on WhatsApp
 * comes back as `{exists: false}`), or the generic translation of errorMessage.
 */
export function gatewayError(locale: Locale, err: unknown): string {
  if (err instanceof ApiError) {
    const known = KNOWN[err.message];
    if (known) return t(locale, known);
    const message = (err.body.response as { message?: unknown } | undefined)?.message;
    const parts = (Array.isArray(message) ? message : message === undefined ? [] : [message]).map((m) => {
      if (typeof m === "string") return m;
      const item = m as { exists?: unknown; number?: unknown; jid?: unknown } | null;
      if (item && item.exists === false) {
        return t(locale, "err.notOnWhatsApp", { number: String(item.number ?? item.jid ?? "") });
      }
      return JSON.stringify(m);
    }).filter(Boolean);
    if (parts.length) return parts.join("; ");
  }
  return errorMessage(locale, err);
}

/** Runs an API call and rethrows a refusal (4xx) with gatewayError's message, for useApi to show. */
export async function translated<T>(locale: Locale, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof ApiError && err.status >= 400 && err.status < 500 && err.status !== 429) {
      throw new ApiError(err.status, gatewayError(locale, err), err.body);
    }
    throw err;
  }
}
