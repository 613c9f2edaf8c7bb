import { useCallback, useState } from "preact/hooks";
import { type Locale, type MessageKey, t } from "../lib/core/i18n.ts";

/** A failed API call: the HTTP status (0 = network failure) and the server's `error` string. */
export class ApiError extends Error {
  constructor(readonly status: number, message: string, readonly body: Record<string, unknown> = {}) {
    super(message);
    this.name = "ApiError";
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

/** The contract's English error strings the panel knows how to say in the user's language. */
const KNOWN_ERRORS: Record<string, MessageKey> = {
  "Invalid username or password": "err.invalidCredentials",
  "Invalid authenticator code": "err.invalidTotp",
  "Account temporarily locked. Try again in 15 minutes.": "err.locked",
  "Account is disabled": "err.disabled",
  "Current password is incorrect": "err.currentPassword",
  "Password must be at least 8 characters": "pw.min",
  "Password must contain at least one uppercase letter": "pw.upper",
  "Password must contain at least one lowercase letter": "pw.lower",
  "Password must contain at least one number": "pw.digit",
  "Invalid code or expired": "err.resetCode",
  "Too many attempts. Please request a new code.": "err.resetAttempts",
  "Invalid or expired reset token": "err.resetToken",
  "Invalid code — verify your authenticator app is synchronized": "err.totpSetup",
  "Invalid code": "err.invalidCode",
  "2FA is not currently enabled": "err.totpNotEnabled",
  "Username already exists": "err.usernameTaken",
  "Email already in use": "err.emailTaken",
  "Cannot remove the last active admin": "err.lastAdmin",
  "max_instances must be a non-negative integer": "err.maxInstances",
  "rate_limit must be a non-negative integer or null": "err.rateLimit",
  "CSRF check failed": "err.csrf",
  "Too many failed attempts from this address. Try again later.": "err.ipBlocked",
  "Too many invalid codes. Try again later.": "err.tooManyCodes",
  "Too many attempts. Please try again later.": "err.rateLimited",
  "2FA is already enabled": "err.tfaAlready",
  "No pending 2FA setup for this secret; start the setup again": "err.tfaNoPending",
  "This endpoint requires a login session": "err.sessionRequired",
  "expires_at must be in the future": "err.expiresFuture",
  "API key limit reached (25 active keys)": "keys.limitReached",
  "Username must be between 3 and 50 characters": "err.usernameLength",
  "Username must contain only letters, numbers and underscores": "err.usernameChars",
  "Invalid email format": "err.email",
  "Phone number must contain only digits": "err.phoneDigits",
  "Phone number must be between 8 and 20 digits": "err.phoneLength",
  "max_instances must be a positive integer": "err.maxInstances",
  "Cannot delete your own account": "err.deleteSelf",
  "User not found": "err.userNotFound",
  "Session not found": "err.sessionNotFound",
  "Admin access required": "err.adminOnly",
};

/** The message to show for a failed call: translated when known, else the server's own words. */
export function errorMessage(locale: Locale, err: unknown): string {
  if (!(err instanceof ApiError)) return t(locale, "err.unexpected");
  const known = KNOWN_ERRORS[err.message];
  if (known) return t(locale, known);
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
