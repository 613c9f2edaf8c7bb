import { z } from "@hono/zod-openapi";
import {
  type AppDeps,
  createRouter,
  errorText,
  fail,
  issue,
  jsonBody,
  jsonContent,
  LOCALE_COOKIE,
  negotiateLocale,
  readCookie,
  routeDocs,
} from "../../../lib/core/mod.ts";
import { requestRecovery, resetPassword, verifyAllowed, verifyCode } from "../../../lib/auth/mod.ts";
import { passwordSchema } from "../../../lib/accounts/mod.ts";

const IDENTIFIER_REQUIRED = issue("identifier_required");
export const GENERIC_ANSWER = "If the account exists, a recovery code has been sent.";
export const RESET_DONE = "Password has been reset successfully. Please login with your new password.";

const identifier = z.string({ error: IDENTIFIER_REQUIRED }).max(320, IDENTIFIER_REQUIRED).optional();
const Identified = {
  username: identifier.openapi({ description: "Username or e-mail (either field is accepted)" }),
  email: identifier.openapi({ example: "ops@acme.example" }),
};
const pickIdentifier = (b: { username?: unknown; email?: unknown }) =>
  [b.username, b.email].find((v): v is string => typeof v === "string" && v.trim() !== "")?.trim() ?? "";

/** The identifier is checked before any other field, as in the contract. */
const identifierFirst = <T extends z.ZodType>(schema: T) =>
  z.preprocess((body, ctx) => {
    if (body && typeof body === "object" && !Array.isArray(body) && pickIdentifier(body) === "") {
      ctx.issues.push({ code: "custom", message: IDENTIFIER_REQUIRED, input: body });
      return z.NEVER;
    }
    return body;
  }, schema);

const ForgotBody = identifierFirst(z.object(Identified, { error: issue("invalid_json") }))
  .openapi("ForgotPassword");
const VerifyBody = identifierFirst(
  z.object({
    ...Identified,
    code: z.string({ error: (i) => issue(i.input === undefined ? "code_required" : "code_not_string") })
      .min(1, issue("code_required")).max(32, issue("reset_code_invalid")).openapi({ example: "042917" }),
  }, { error: issue("invalid_json") }),
).openapi("VerifyResetCode");
const ResetBody = z.object({
  reset_token: z.string({ error: issue("reset_token_required") }).min(1, issue("reset_token_required")),
  new_password: passwordSchema("new_password_required"),
}, { error: issue("invalid_json") }).openapi("ResetPassword");

const Message = z.object({ message: z.string() });
const route = routeDocs({ tag: "Password recovery", public: true });

/** The three public steps of password recovery (contract §2.7), mounted at /api/auth. */
export function recoveryRoutes(deps: AppDeps) {
  const app = createRouter();

  app.openapi(
    route({
      method: "post",
      path: "/forgot-password",
      summary: "Step 1: send a 6-digit code by e-mail or WhatsApp",
      description: "Always the same answer, whether or not the account exists (3 requests per hour per " +
        "IP and per account; more are silently ignored). The code expires in 15 minutes.",
      request: { body: jsonBody(ForgotBody) },
      responses: { 200: jsonContent(Message, GENERIC_ANSWER) },
      errors: { 400: ["identifier_required"] },
    }),
    async (c) => {
      const locale = negotiateLocale(
        readCookie(c.req.header("cookie"), LOCALE_COOKIE),
        c.req.header("accept-language"),
      );
      await requestRecovery(deps, {
        identifier: pickIdentifier(c.req.valid("json")),
        ip: c.var.clientIp,
        locale,
      });
      return c.json({ message: GENERIC_ANSWER }, 200);
    },
  );

  app.openapi(
    route({
      method: "post",
      path: "/verify-reset-code",
      summary: "Step 2: exchange the code for a 10-minute reset token",
      description: "5 attempts per code; 30 verifications per hour per IP.",
      request: { body: jsonBody(VerifyBody) },
      responses: { 200: jsonContent(z.object({ reset_token: z.string() }), "The reset token") },
      errors: {
        400: ["reset_code_invalid", "reset_too_many_attempts"],
        429: ["reset_verify_limited"],
      },
    }),
    async (c) => {
      const b = c.req.valid("json");
      if (!(await verifyAllowed(deps, c.var.clientIp))) {
        throw fail("reset_verify_limited", {}, { headers: { "Retry-After": "3600" } });
      }
      const reset_token = await verifyCode(deps, pickIdentifier(b), b.code);
      return c.json({ reset_token }, 200);
    },
  );

  app.openapi(
    route({
      method: "post",
      path: "/reset-password",
      summary: "Step 3: set the new password (signs out every session)",
      request: { body: jsonBody(ResetBody) },
      responses: { 200: jsonContent(Message, RESET_DONE) },
      errors: { 400: `Validation failed / ${errorText("reset_token_invalid")}` },
    }),
    async (c) => {
      const b = c.req.valid("json");
      await resetPassword(deps, { token: b.reset_token, newPassword: b.new_password, ip: c.var.clientIp });
      return c.json({ message: RESET_DONE }, 200);
    },
  );

  return app;
}
