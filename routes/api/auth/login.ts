import { z } from "@hono/zod-openapi";
import {
  type AppDeps,
  createRouter,
  type ErrorCode,
  fail,
  issue,
  jsonBody,
  jsonContent,
  routeDocs,
} from "../../../lib/core/mod.ts";
import {
  clearAccountFailures,
  consumeRecoveryCode,
  createSession,
  dummyPasswordHash,
  findLoginUser,
  ipBlocked,
  isLocked,
  isNameLocked,
  type LoginUser,
  MAX_PASSWORD_LENGTH,
  needsRehash,
  normalizeRecoveryCode,
  recordAccountFailure,
  recordIpFailure,
  recordNameFailure,
  setSessionCookie,
  upgradePasswordHash,
  verifyPassword,
  verifyUserTotp,
} from "../../../lib/auth/mod.ts";
import { auditFor, AUTH_TAG } from "./_middleware.ts";

const REQUIRED = issue("credentials_required");

const LoginBody = z.object({
  username: z.string({ error: REQUIRED }).min(1, REQUIRED).max(1024, REQUIRED),
  password: z.string({ error: REQUIRED }).min(1, REQUIRED),
  totp_code: z.unknown().optional().openapi({
    type: "string",
    description: "6-digit authenticator code (second call), or a 10-character recovery code",
  }),
  recovery_code: z.unknown().optional().openapi({ type: "string", description: "A 2FA recovery code" }),
}, { error: REQUIRED }).openapi("LoginRequest");

const LoginUserOut = z.object({
  id: z.number(),
  username: z.string(),
  role: z.enum(["admin", "user"]),
  max_instances: z.number(),
  must_change_password: z.boolean(),
});
const LoginOk = z.union([
  z.object({ token: z.string().optional(), user: LoginUserOut }),
  z.object({ requires_2fa: z.literal(true) }),
]).openapi("LoginResponse");

const publicRoute = routeDocs({ tag: AUTH_TAG, public: true });
const route = publicRoute({
  method: "post",
  path: "/login",
  summary: "Log in with username and password (and a 2FA code when enabled)",
  description: "Returns a 24 h session token for the `apikey` header. With `X-Taguato-Client: panel` the " +
    "token is set as the HttpOnly `taguato_session` cookie (`__Host-taguato_session`, Secure, over HTTPS) " +
    "instead and omitted from the body. Five failures lock the submitted name for 15 minutes, whether or " +
    "not an account has it; 20 failures from one address in 15 minutes block that address.",
  request: { body: jsonBody(LoginBody) },
  responses: {
    200: jsonContent(LoginOk, "Logged in, or `{requires_2fa: true}` when a second factor is needed"),
  },
  errors: {
    400: ["credentials_required"],
    401: ["invalid_credentials", "invalid_totp"],
    429: ["account_locked", "ip_blocked"],
  },
});

const present = (v: unknown) => v !== undefined && v !== null && v !== "";

/** `POST /api/auth/login` (contract §1.3), mounted at /api/auth; public. */
export function loginRoutes(deps: AppDeps) {
  const app = createRouter();
  app.openapi(route, async (c) => {
    const input = c.req.valid("json");
    const ip = c.get("clientIp");
    if (await ipBlocked(deps, ip)) throw fail("ip_blocked", {}, { headers: { "Retry-After": "900" } });

    const user = await findLoginUser(deps, input.username);
    // A name without an active account locks by the same rule, so a 429 tells nothing about who exists.
    const locked = user?.is_active ? isLocked(deps, user) : await isNameLocked(deps, input.username);
    if (locked) throw fail("account_locked");

    const refuse = async (u: LoginUser | null, reason: string, code: ErrorCode): Promise<never> => {
      await recordIpFailure(deps, ip);
      // Unknown usernames are not recorded: people type passwords into the username field.
      const known = u && u.is_active ? u : null;
      await auditFor(deps, c, {
        who: known,
        action: "login_failed",
        resourceType: "user",
        details: { reason },
      });
      if (!known) await recordNameFailure(deps, input.username);
      else if (await recordAccountFailure(deps, known.id)) {
        await auditFor(deps, c, {
          who: known,
          action: "account_locked",
          resourceType: "user",
          resourceId: known.id,
        });
      }
      throw fail(code);
    };

    // Unknown and inactive users cost the same argon2 verification as real ones.
    const tooLong = [...input.password].length > MAX_PASSWORD_LENGTH;
    const hash = user?.is_active ? user.password_hash : await dummyPasswordHash();
    const ok = !tooLong && await verifyPassword(hash, input.password) && !!user?.is_active;
    if (!ok || !user) {
      return await refuse(
        user,
        user?.is_active ? "bad_password" : "unknown_or_inactive",
        "invalid_credentials",
      );
    }

    // An imported TAGUATO-SEND bcrypt hash becomes argon2id once the password is known to be right.
    if (needsRehash(hash)) await upgradePasswordHash(deps.sql, user.id, hash, input.password);

    if (user.totp_enabled) {
      const recovery = present(input.recovery_code)
        ? input.recovery_code
        : normalizeRecoveryCode(input.totp_code) !== null
        ? input.totp_code
        : undefined;
      if (recovery === undefined && !present(input.totp_code)) {
        return c.json({ requires_2fa: true as const }, 200);
      }
      if (recovery !== undefined) {
        if (!await consumeRecoveryCode(deps, user.id, recovery)) {
          return await refuse(user, "bad_recovery_code", "invalid_totp");
        }
        await auditFor(deps, c, {
          who: user,
          action: "2fa_recovery_code_used",
          resourceType: "user",
          resourceId: user.id,
        });
      } else if (!await verifyUserTotp(deps, user.id, input.totp_code)) {
        return await refuse(user, "bad_totp_code", "invalid_totp");
      }
    }

    await clearAccountFailures(deps, user.id);
    const { token, sessionId } = await createSession(deps, user, {
      ip,
      userAgent: c.req.header("user-agent"),
    });
    await auditFor(deps, c, {
      who: user,
      action: "user_login",
      resourceType: "session",
      resourceId: sessionId,
    });
    const out = {
      id: user.id,
      username: user.username,
      role: user.role,
      max_instances: user.max_instances,
      must_change_password: user.must_change_password,
    };
    if (c.req.header("x-taguato-client") === "panel") {
      setSessionCookie(c, token, deps.config.publicUrl);
      return c.json({ user: out }, 200);
    }
    return c.json({ token, user: out }, 200);
  });
  return app;
}
