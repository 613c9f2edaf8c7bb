import { useCallback, useState } from "preact/hooks";
import { type ErrorCode, ERRORS, errorText, isErrorCode, paramsOfText } from "../lib/core/errors.ts";
import { type Locale, t } from "../lib/core/i18n.ts";

/**
 * A failed API call: the HTTP status (0 = network failure), the server's `error` string and, when the
 * body names one, its catalogue `code` (what the panel translates by).
 */
export class ApiError extends Error {
  readonly code?: ErrorCode;
  constructor(readonly status: number, message: string, readonly body: Record<string, unknown> = {}) {
    super(message);
    this.name = "ApiError";
    if (isErrorCode(body.code)) this.code = body.code;
  }
}

export interface RequestOptions {
  method?: "GET" | "POST" | "PUT" | "DELETE";
  body?: unknown;
  /**
   * When the session is gone (401 on a signed-in page), send the browser to the login page instead of
   * showing an error. Forms whose 401 means "wrong password" (login, change password) turn this off.
   */
  redirectOn401?: boolean;
  headers?: Record<string, string>;
}

/** Where a signed-out browser goes, coming back to the page it was on. */
export function loginUrl(notice?: string): string {
  const here = location.pathname + location.search;
  const params = new URLSearchParams({ next: here });
  if (notice) params.set("notice", notice);
  return `/panel/login?${params}`;
}

/**
 * fetch() for the gateway's JSON API with the panel's cookie (same origin only; the browser adds the
 * Origin header the API checks on writes). Resolves with the parsed body, rejects with ApiError.
 */
export async function api<T = Record<string, unknown>>(
  path: string,
  options: RequestOptions = {},
): Promise<T> {
  const { method = options.body === undefined ? "GET" : "POST", body, redirectOn401 = true } = options;
  let res: Response;
  try {
    res = await fetch(path, {
      method,
      credentials: "same-origin",
      cache: "no-store",
      headers: {
        Accept: "application/json",
        ...(body === undefined ? {} : { "Content-Type": "application/json" }),
        ...options.headers,
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch {
    throw new ApiError(0, "Network error");
  }
  let data: Record<string, unknown> = {};
  const text = await res.text();
  if (text) {
    try {
      data = JSON.parse(text);
    } catch {
      data = {};
    }
  }
  if (!res.ok) {
    if (res.status === 401 && redirectOn401) {
      location.assign(loginUrl("expired"));
      // Never settles: the page is going away, and no error should flash before it does.
      return new Promise<T>(() => {});
    }
    const message = typeof data.error === "string" ? data.error : res.statusText || `HTTP ${res.status}`;
    throw new ApiError(res.status, message, data);
  }
  return data as T;
}

/**
 * The message to show for a failed call: the catalogue's text for the answer's code in the user's
 * language, else the server's own words (also when the catalogue text has `{…}` placeholders, which
 * only the server filled), with generic messages for network failures, rate limits and server errors.
 */
export function errorMessage(locale: Locale, err: unknown): string {
  if (!(err instanceof ApiError)) return t(locale, "err.unexpected");
  // A text with values (a number, a limit) is re-worded only when the answer is that template filled in.
  const params = !err.code
    ? null
    : /\{\w+\}/.test(ERRORS[err.code].en)
    ? paramsOfText(err.code, err.message)
    : {};
  if (err.code && params) return errorText(err.code, params, locale);
  if (err.status === 0) return t(locale, "err.network");
  if (err.status === 429) return t(locale, "err.rateLimited");
  if (err.status >= 500) return t(locale, "err.server");
  if (err.status === 403 && !err.message) return t(locale, "err.adminOnly");
  return err.message;
}

/**
 * One in-flight action per form: `run(fn)` sets busy, clears the previous error, and turns a rejection
 * into a translated message. Resolves with fn's result, or undefined when it failed.
 */
export function useApi(locale: Locale) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const run = useCallback(async <T>(fn: () => Promise<T>): Promise<T | undefined> => {
    setBusy(true);
    setError(null);
    try {
      return await fn();
    } catch (err) {
      setError(errorMessage(locale, err));
      return undefined;
    } finally {
      setBusy(false);
    }
  }, [locale]);
  return { busy, error, setError, run };
}
