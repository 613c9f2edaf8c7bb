import type { Context, MiddlewareHandler } from "hono";
import { type AppDeps, type AppEnv, fail } from "../../lib/core/mod.ts";
import { readSessionCookie, resolveCredential } from "../../lib/auth/mod.ts";
import { safeReturnPath } from "./preferences.ts";

/** Who may open a page: anyone (login, recovery), any signed-in user, or admins only. */
export type PageAccess = "public" | "user" | "admin";

export const LOGIN_PATH = "/panel/login";
export const CHANGE_PASSWORD_PATH = "/panel/change-password";
const HOME = "/panel/";

/**
 * Sets `c.var.user` (and `sessionId`) from the panel's session cookie (`taguato_session`, set by
 * `POST /api/auth/login` with `X-Taguato-Client: panel`) when it names a live session of
 * an active account; otherwise leaves them unset. Never answers by itself: the per-page guard decides.
 * Only the cookie counts here: `apikey` headers and API keys are for the JSON API, not for pages.
 */
export function panelSession(deps: AppDeps): MiddlewareHandler<AppEnv> {
  return async function panelSession(c, next) {
    const raw = readSessionCookie(c, deps.config.publicUrl);
    if (raw) {
      const principal = await resolveCredential(deps, raw, { ip: c.get("clientIp") });
      if (principal?.sessionId !== undefined && principal.user.isActive) {
        c.set("user", principal.user);
        c.set("sessionId", principal.sessionId);
      }
    }
    await next();
  };
}

/** `/panel/login?next=<this page>`; the login page validates `next` again before using it. */
export function loginRedirect(pathAndQuery: string, notice?: string): string {
  const params = new URLSearchParams();
  if (pathAndQuery !== HOME) params.set("next", pathAndQuery);
  if (notice) params.set("notice", notice);
  const query = params.toString();
  return query ? `${LOGIN_PATH}?${query}` : LOGIN_PATH;
}

/**
 * The guard of one page. Signed out → the login page, remembering where the user was going. A user
 * who must change their password sees only the change-password page (logout is an API call and stays
 * reachable). Admin pages answer 403 to everyone else (`onForbidden` renders that answer).
 */
export function requireAccess(
  access: PageAccess,
  pagePath: string,
  onForbidden: (c: Context<AppEnv>) => Response | Promise<Response> = () => {
    throw fail("admin_required");
  },
): MiddlewareHandler<AppEnv> {
  const url = `/panel${pagePath}`;
  return async function requireAccess(c, next) {
    const user = c.get("user");
    if (access === "public") {
      // The login page is pointless to someone already signed in: send them on.
      if (user && url === LOGIN_PATH) {
        const origin = new URL(c.req.url).origin;
        const target = user.mustChangePassword
          ? CHANGE_PASSWORD_PATH
          : safeNext(c.req.query("next"), origin) ?? HOME;
        return c.redirect(target, 302);
      }
      return await next();
    }
    if (!user) {
      const here = new URL(c.req.url);
      return c.redirect(loginRedirect(here.pathname + here.search), 302);
    }
    if (user.mustChangePassword && url !== CHANGE_PASSWORD_PATH) return c.redirect(CHANGE_PASSWORD_PATH, 302);
    if (!user.mustChangePassword && url === CHANGE_PASSWORD_PATH) return c.redirect(HOME, 302);
    if (access === "admin" && user.role !== "admin") return await onForbidden(c);
    await next();
  };
}

/**
 * Where to go after signing in: a same-origin panel path, never the login or change-password pages
 * themselves (which would loop), else null.
 */
export function safeNext(candidate: string | undefined, origin: string): string | null {
  const path = safeReturnPath(candidate, origin);
  if (!path) return null;
  const pathname = path.split("?")[0];
  if (pathname === LOGIN_PATH || pathname === CHANGE_PASSWORD_PATH) return null;
  return path;
}
