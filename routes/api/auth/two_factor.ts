import { z } from "@hono/zod-openapi";
import QRCode from "qrcode";
import {
  type AppDeps,
  type AuthEnv,
  createRouter,
  fail,
  issue,
  jsonBody,
  jsonContent,
  requiredString,
  routeDocs,
  timingSafeEqual,
} from "../../../lib/core/mod.ts";
import {
  checkSecondFactor,
  codeAttemptsLeft,
  disableTwoFactor,
  dropPendingSecret,
  enableTwoFactor,
  generateTotpSecret,
  otpauthUri,
  pendingSecret,
  recordCodeFailure,
  regenerateRecoveryCodes,
  sealTotpSecret,
  storePendingSecret,
  twoFactorEnabled,
  verifyTotp,
  verifyUserTotp,
} from "../../../lib/auth/mod.ts";
import { auditFor, AUTH_TAG, authMiddleware } from "./_middleware.ts";

// Every route is for login sessions only, and answers a bad credential with "Unauthorized".
const route = routeDocs({
  tag: AUTH_TAG,
  errors: { 401: ["unauthorized"], 403: ["account_disabled", "session_required"] },
});
const present = (v: unknown) => v !== undefined && v !== null && v !== "";

const Setup = z.object({ secret: z.string(), otpauth_uri: z.string(), qr: z.string() }).openapi("TotpSetup");
const EnableBody = z.object({
  secret: requiredString("tfa_secret_code_required", 128),
  code: z.unknown().refine(present, issue("tfa_secret_code_required"))
    .openapi({ type: "string", example: "123456" }),
}, { error: issue("tfa_secret_code_required") }).openapi("TotpEnableRequest");
const CodeBody = z.object({
  code: z.unknown().refine(present, issue("code_required"))
    .openapi({
      type: "string",
      description: "A 6-digit authenticator code (disable also takes a recovery code)",
    }),
}, { error: issue("code_required") }).openapi("TotpCodeRequest");
const Codes = z.object({ message: z.string(), recovery_codes: z.array(z.string()) });

/** `/api/auth/2fa/*`, mounted there: setup, enable, disable, regenerate recovery codes (login sessions only). */
export function twoFactorRoutes(deps: AppDeps) {
  const app = createRouter<AuthEnv>();
  const { sessionOnly } = authMiddleware(deps, { unauthorized: "unauthorized" });
  // disable and recovery-codes take a current code: the same body and errors (takesCode), and the same
  // checks (checkedCode): 2FA must be on, the user under the attempt limit, and `check` must accept the
  // code (a refused one counts towards the limit). checkedCode answers what `check` found.
  const takesCode = {
    middleware: sessionOnly,
    request: { body: jsonBody(CodeBody) },
    errors: { 400: ["code_required", "tfa_not_enabled", "invalid_code"], 429: ["tfa_too_many_codes"] },
  } as const;
  const checkedCode = async <T>(userId: number, check: () => Promise<T>): Promise<NonNullable<T>> => {
    if (!await twoFactorEnabled(deps.sql, userId)) throw fail("tfa_not_enabled");
    if (!await codeAttemptsLeft(deps, userId)) throw fail("tfa_too_many_codes");
    const found = await check();
    if (!found) {
      await recordCodeFailure(deps, userId);
      throw fail("invalid_code");
    }
    return found;
  };

  app.openapi(
    route({
      method: "get",
      path: "/setup",
      summary: "Start 2FA setup: a new secret, its otpauth URI and a QR code (valid 10 minutes)",
      middleware: sessionOnly,
      responses: { 200: jsonContent(Setup, "The secret to add to an authenticator app") },
      errors: { 400: ["tfa_already_enabled"] },
    }),
    async (c) => {
      const user = c.var.user;
      if (await twoFactorEnabled(deps.sql, user.id)) throw fail("tfa_already_enabled");
      const secret = generateTotpSecret();
      await storePendingSecret(deps, user.id, secret);
      const uri = otpauthUri(user.username, secret);
      return c.json(
        { secret, otpauth_uri: uri, qr: await QRCode.toDataURL(uri, { margin: 1, width: 240 }) },
        200,
      );
    },
  );

  app.openapi(
    route({
      method: "post",
      path: "/enable",
      summary: "Confirm the pending secret with a code; returns 10 one-time recovery codes",
      middleware: sessionOnly,
      request: { body: jsonBody(EnableBody) },
      responses: { 200: jsonContent(Codes, "Two-factor authentication enabled") },
      errors: {
        400: ["tfa_secret_code_required", "tfa_already_enabled", "tfa_no_pending", "tfa_bad_enable_code"],
      },
    }),
    async (c) => {
      const user = c.var.user;
      const input = c.req.valid("json");
      if (await twoFactorEnabled(deps.sql, user.id)) throw fail("tfa_already_enabled");
      const pending = await pendingSecret(deps, user.id);
      // The client echoes the secret (contract body), but only the one this server issued is accepted.
      const given = input.secret.toUpperCase().replace(/[\s=]/g, "");
      if (!pending || !timingSafeEqual(given, pending)) throw fail("tfa_no_pending");
      const step = await verifyTotp(pending, input.code, deps.clock.now());
      if (step === null) throw fail("tfa_bad_enable_code");
      const sealed = await sealTotpSecret(deps, pending);
      const codes = await enableTwoFactor(deps, user.id, sealed, step);
      if (!codes) throw fail("tfa_already_enabled");
      await dropPendingSecret(deps, user.id);
      await auditFor(deps, c, { action: "2fa_enabled", resourceType: "user", resourceId: user.id });
      return c.json({ message: "Two-factor authentication enabled", recovery_codes: codes }, 200);
    },
  );

  app.openapi(
    route({
      method: "post",
      path: "/disable",
      summary: "Turn 2FA off with a current code or a recovery code",
      ...takesCode,
      responses: {
        200: jsonContent(z.object({ message: z.string() }), "Two-factor authentication disabled"),
      },
    }),
    async (c) => {
      const user = c.var.user;
      const { code } = c.req.valid("json");
      const via = await checkedCode(user.id, () => checkSecondFactor(deps, user.id, code));
      if (via === "recovery") {
        await auditFor(deps, c, {
          action: "2fa_recovery_code_used",
          resourceType: "user",
          resourceId: user.id,
        });
      }
      await disableTwoFactor(deps, user.id);
      await auditFor(deps, c, { action: "2fa_disabled", resourceType: "user", resourceId: user.id });
      return c.json({ message: "Two-factor authentication disabled" }, 200);
    },
  );

  app.openapi(
    route({
      method: "post",
      path: "/recovery-codes",
      summary: "Replace the recovery codes (needs a current authenticator code)",
      ...takesCode,
      responses: { 200: jsonContent(Codes, "New recovery codes; the old ones stop working") },
    }),
    async (c) => {
      const user = c.var.user;
      const { code } = c.req.valid("json");
      await checkedCode(user.id, () => verifyUserTotp(deps, user.id, code));
      const codes = await regenerateRecoveryCodes(deps, user.id);
      await auditFor(deps, c, {
        action: "recovery_codes_regenerated",
        resourceType: "user",
        resourceId: user.id,
      });
      return c.json({ message: "Recovery codes regenerated", recovery_codes: codes }, 200);
    },
  );
  return app;
}
