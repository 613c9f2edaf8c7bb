import { createRoute, z } from "@hono/zod-openapi";
import QRCode from "qrcode";
import { type AppDeps, badRequest, legacyHttpError, timingSafeEqual } from "../../../lib/core/mod.ts";
import {
  checkSecondFactor,
  codeAttemptsLeft,
  dropPendingSecret,
  generateTotpSecret,
  otpauthUri,
  pendingSecret,
  recordCodeFailure,
  replaceRecoveryCodes,
  requireAuth,
  requireSessionCredential,
  sealTotpSecret,
  storePendingSecret,
  verifyTotp,
  verifyUserTotp,
} from "../../../lib/auth/mod.ts";
import { auditFor, body, errors, json, requiredString, router, security, tags } from "./_shared.ts";

const AUTH = { 401: "Unauthorized", 403: "Account is disabled / This endpoint requires a login session" };
const ALREADY = "2FA is already enabled";
const NOT_ENABLED = "2FA is not currently enabled";
const NO_PENDING = "No pending 2FA setup for this secret; start the setup again";
const BAD_ENABLE_CODE = "Invalid code — verify your authenticator app is synchronized";
const TOO_MANY = "Too many invalid codes. Try again later.";

const Setup = z.object({ secret: z.string(), otpauth_uri: z.string(), qr: z.string() }).openapi("TotpSetup");
const EnableBody = z.object({
  secret: requiredString("secret and code are required", 128),
  code: z.unknown().refine((v) => v !== undefined && v !== null && v !== "", "secret and code are required")
    .openapi({ type: "string", example: "123456" }),
}, { error: "secret and code are required" }).openapi("TotpEnableRequest");
const CodeBody = z.object({
  code: z.unknown().refine((v) => v !== undefined && v !== null && v !== "", "code is required")
    .openapi({
      type: "string",
      description: "A 6-digit authenticator code (disable also takes a recovery code)",
    }),
}, { error: "code is required" }).openapi("TotpCodeRequest");
const Codes = z.object({ message: z.string(), recovery_codes: z.array(z.string()) });

async function twoFactorState(deps: AppDeps, userId: number): Promise<boolean> {
  const [row] = await deps.sql<{ totp_enabled: boolean }[]>`
    SELECT totp_enabled FROM taguato.users WHERE id = ${userId}`;
  return row?.totp_enabled ?? false;
}

/** `/api/auth/2fa/*`: setup, enable, disable, regenerate recovery codes (session credentials only). */
export function twoFactorRoutes(deps: AppDeps) {
  const app = router();
  const auth = requireAuth(deps, { rateLimit: false, unauthorizedMessage: "Unauthorized" });
  const sessionOnly = requireSessionCredential();
  const throttle = async (userId: number) => {
    if (!await codeAttemptsLeft(deps, userId)) throw legacyHttpError(429, TOO_MANY);
  };

  app.openapi(
    createRoute({
      method: "get",
      path: "/api/auth/2fa/setup",
      tags,
      security,
      summary: "Start 2FA setup: a new secret, its otpauth URI and a QR code (valid 10 minutes)",
      middleware: [auth, sessionOnly] as const,
      responses: {
        200: json(Setup, "The secret to add to an authenticator app"),
        ...errors({ 400: ALREADY, ...AUTH }),
      },
    }),
    async (c) => {
      const user = c.var.user!;
      if (await twoFactorState(deps, user.id)) throw badRequest(ALREADY);
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
    createRoute({
      method: "post",
      path: "/api/auth/2fa/enable",
      tags,
      security,
      summary: "Confirm the pending secret with a code; returns 10 one-time recovery codes",
      middleware: [auth, sessionOnly] as const,
      request: { body: body(EnableBody) },
      responses: {
        200: json(Codes, "Two-factor authentication enabled"),
        ...errors({
          400: `secret and code are required / ${ALREADY} / ${NO_PENDING} / ${BAD_ENABLE_CODE}`,
          ...AUTH,
        }),
      },
    }),
    async (c) => {
      const user = c.var.user!;
      const input = c.req.valid("json");
      if (await twoFactorState(deps, user.id)) throw badRequest(ALREADY);
      const pending = await pendingSecret(deps, user.id);
      // The client echoes the secret (contract body), but only the one this server issued is accepted.
      const given = input.secret.toUpperCase().replace(/[\s=]/g, "");
      if (!pending || !timingSafeEqual(given, pending)) throw badRequest(NO_PENDING);
      const step = await verifyTotp(pending, input.code, deps.clock.now());
      if (step === null) throw badRequest(BAD_ENABLE_CODE);
      const sealed = await sealTotpSecret(deps, pending);
      const codes = await deps.sql.begin(async (tx) => {
        const done = await tx`
          UPDATE taguato.users
          SET totp_secret_enc = ${sealed}, totp_enabled = true, totp_last_step = ${step},
              updated_at = ${new Date(deps.clock.now())}
          WHERE id = ${user.id} AND NOT totp_enabled RETURNING id`;
        if (done.length === 0) throw badRequest(ALREADY);
        return await replaceRecoveryCodes(deps, tx, user.id);
      });
      await dropPendingSecret(deps, user.id);
      await auditFor(deps, c, { action: "2fa_enabled", resourceType: "user", resourceId: user.id });
      return c.json({ message: "Two-factor authentication enabled", recovery_codes: codes }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: "post",
      path: "/api/auth/2fa/disable",
      tags,
      security,
      summary: "Turn 2FA off with a current code or a recovery code",
      middleware: [auth, sessionOnly] as const,
      request: { body: body(CodeBody) },
      responses: {
        200: json(z.object({ message: z.string() }), "Two-factor authentication disabled"),
        ...errors({ 400: `code is required / ${NOT_ENABLED} / Invalid code`, ...AUTH, 429: TOO_MANY }),
      },
    }),
    async (c) => {
      const user = c.var.user!;
      const { code } = c.req.valid("json");
      if (!await twoFactorState(deps, user.id)) throw badRequest(NOT_ENABLED);
      await throttle(user.id);
      const via = await checkSecondFactor(deps, user.id, code);
      if (!via) {
        await recordCodeFailure(deps, user.id);
        throw badRequest("Invalid code");
      }
      if (via === "recovery") {
        await auditFor(deps, c, {
          action: "2fa_recovery_code_used",
          resourceType: "user",
          resourceId: user.id,
        });
      }
      await deps.sql.begin(async (tx) => {
        await tx`
          UPDATE taguato.users SET totp_enabled = false, totp_secret_enc = NULL,
                 updated_at = ${new Date(deps.clock.now())}
          WHERE id = ${user.id}`;
        await tx`DELETE FROM taguato.totp_recovery_codes WHERE user_id = ${user.id}`;
      });
      await auditFor(deps, c, { action: "2fa_disabled", resourceType: "user", resourceId: user.id });
      return c.json({ message: "Two-factor authentication disabled" }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: "post",
      path: "/api/auth/2fa/recovery-codes",
      tags,
      security,
      summary: "Replace the recovery codes (needs a current authenticator code)",
      middleware: [auth, sessionOnly] as const,
      request: { body: body(CodeBody) },
      responses: {
        200: json(Codes, "New recovery codes; the old ones stop working"),
        ...errors({ 400: `code is required / ${NOT_ENABLED} / Invalid code`, ...AUTH, 429: TOO_MANY }),
      },
    }),
    async (c) => {
      const user = c.var.user!;
      const { code } = c.req.valid("json");
      if (!await twoFactorState(deps, user.id)) throw badRequest(NOT_ENABLED);
      await throttle(user.id);
      if (!await verifyUserTotp(deps, user.id, code)) {
        await recordCodeFailure(deps, user.id);
        throw badRequest("Invalid code");
      }
      const codes = await deps.sql.begin((tx) => replaceRecoveryCodes(deps, tx, user.id));
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
