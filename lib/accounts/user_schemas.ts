/**
 * zod schemas for user fields; each rule names its catalogue code (§1.4, §2.5 texts), which the router's
 * 400 hook answers.
 */
import { z } from "@hono/zod-openapi";
import { type ErrorCode, issue } from "../core/mod.ts";
import { passwordPolicyError } from "../auth/mod.ts";

const INT4_MAX = 2_147_483_647;
const EMAIL_RE = /^[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]+$/;

export const UsernameSchema = z.string({ error: issue("username_required") })
  .min(3, issue("username_length"))
  .max(50, issue("username_length"))
  .regex(/^[a-zA-Z0-9_]+$/, issue("username_chars"))
  .openapi({ example: "acme_ops" });

/** The password policy of contract §2.5, checked by passwordPolicyError. */
export const passwordSchema = (missing: ErrorCode = "password_required") =>
  z.string({ error: issue(missing) }).refine((pw) => passwordPolicyError(pw) === null, {
    error: (i) => issue(passwordPolicyError(String(i.input)) ?? "invalid_request"),
  }).openapi({ format: "password", example: "Str0ngPassw0rd" });

export const RoleSchema = z.enum(["user", "admin"], { error: issue("role_invalid") });

const nonNegativeInt = (code: ErrorCode) =>
  z.number({ error: issue(code) }).int(issue(code)).min(0, issue(code)).max(INT4_MAX, issue(code));

export const MaxInstancesSchema = nonNegativeInt("max_instances_invalid")
  .openapi({ example: 1 });
export const RateLimitSchema = nonNegativeInt("rate_limit_invalid")
  .nullable().openapi({ description: "Requests per 60 s; null = unlimited", example: 60 });
export const IsActiveSchema = z.boolean({ error: issue("is_active_invalid") });

/** `""` and `null` clear the address (stored as NULL). */
export const EmailSchema = z.string({ error: issue("email_invalid") })
  .refine((v) => v === "" || v.length <= 255, issue("email_too_long"))
  .refine((v) => v === "" || EMAIL_RE.test(v), issue("email_invalid"))
  .transform((v) => (v === "" ? null : v))
  .nullable().openapi({ example: "ops@acme.example" });

/** Whitespace is ignored; the digits are stored. `""` and `null` clear the number. */
export const PhoneSchema = z.string({ error: issue("phone_not_string") })
  .transform((v) => v.replace(/\s+/g, ""))
  .refine((v) => v === "" || /^[0-9]+$/.test(v), issue("phone_digits"))
  .refine(
    (v) => v === "" || (v.length >= 8 && v.length <= 20),
    issue("phone_length"),
  )
  .transform((v) => (v === "" ? null : v))
  .nullable().openapi({ example: "595981000000" });

/** The fields every user answer carries (never password data, tokens or TOTP secrets). */
export const UserSchema = z.object({
  id: z.number().int(),
  username: z.string(),
  role: RoleSchema,
  max_instances: z.number().int(),
  is_active: z.boolean(),
  must_change_password: z.boolean(),
  rate_limit: z.number().int().nullable(),
  email: z.string().nullable(),
  phone_number: z.string().nullable(),
  totp_enabled: z.boolean(),
  created_at: z.string(),
  updated_at: z.string(),
}).openapi("User");

/** POST /admin/users: the contract's validation order, "username and password are required" first. */
export const CreateUserBody = z.preprocess(
  (body, ctx) => {
    const b = body as Record<string, unknown> | null;
    if (b && typeof b === "object" && !Array.isArray(b) && (b.username == null || b.password == null)) {
      ctx.issues.push({ code: "custom", message: issue("credentials_required"), input: body });
      return z.NEVER;
    }
    return body;
  },
  z.object({
    username: UsernameSchema,
    password: passwordSchema(),
    role: RoleSchema.default("user"),
    max_instances: MaxInstancesSchema.default(1),
    email: EmailSchema.optional(),
    phone_number: PhoneSchema.optional(),
    rate_limit: RateLimitSchema.optional(),
    is_active: IsActiveSchema.default(true),
  }, { error: issue("invalid_json") }),
).openapi("CreateUser");
