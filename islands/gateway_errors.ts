import { type Locale, t } from "../lib/core/i18n.ts";
import { ApiError, errorMessage } from "./use_api.ts";

/**
 * What to tell the user about a failed gateway or engine call: the engine's own words when the answer
 * is the engine's (no catalogue code; its envelope nests them in response.message, and a recipient that
 * is not on WhatsApp comes back as `{exists: false}`), else errorMessage's translation by code.
 */
export function gatewayError(locale: Locale, err: unknown): string {
  if (err instanceof ApiError && !err.code) {
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
