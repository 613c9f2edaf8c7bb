/**
 * zod schemas for user fields, carrying the contract's messages (§1.4, §2.5) so the app's defaultHook
 * answers a failed field with exactly that string.
 */
import { z } from "@hono/zod-openapi";
import { passwordPolicyError } from "../auth/mod.ts";

const INT4_MAX = 2_147_483_647;
const EMAIL_RE = /^[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]+$/;

export const UsernameSchema = z.string({ error: "Username is required" })
  .min(3, "Username must be between 3 and 50 characters")
  .max(50, "Username must be between 3 and 50 characters")
  .regex(/^[a-zA-Z0-9_]+$/, "Username must contain only letters, numbers and underscores")
  .openapi({ example: "acme_ops" });

/** The password policy of contract §2.5, checked by passwordPolicyError. */
export const passwordSchema = (missing = "Password is required") =>
  z.string({ error: missing }).refine((pw) => passwordPolicyError(pw) === null, {
    error: (issue) => passwordPolicyError(String(issue.input)) ?? "Invalid password",
  }).openapi({ format: "password", example: "Str0ngPassw0rd" });

export const RoleSchema = z.enum(["user", "admin"], { error: "role must be 'user' or 'admin'" });

const nonNegativeInt = (message: string) =>
  z.number({ error: message }).int(message).min(0, message).max(INT4_MAX, message);

export const MaxInstancesSchema = nonNegativeInt("max_instances must be a non-negative integer")
  .openapi({ example: 1 });
export const RateLimitSchema = nonNegativeInt("rate_limit must be a non-negative integer or null")
  .nullable().openapi({ description: "Requests per 60 s; null = unlimited", example: 60 });
export const IsActiveSchema = z.boolean({ error: "is_active must be a boolean" });

/** `""` and `null` clear the address (stored as NULL). */
export const EmailSchema = z.string({ error: "Invalid email format" })
  .refine((v) => v === "" || v.length <= 255, "Email must be at most 255 characters")
  .refine((v) => v === "" || EMAIL_RE.test(v), "Invalid email format")
  .transform((v) => (v === "" ? null : v))
  .nullable().openapi({ example: "ops@acme.example" });

/** Whitespace is ignored; the digits are stored. `""` and `null` clear the number. */
export const PhoneSchema = z.string({ error: "phone_number must be a string" })
  .transform((v) => v.replace(/\s+/g, ""))
  .refine((v) => v === "" || /^[0-9]+$/.test(v), "Phone number must contain only digits")
  .refine(
    (v) => v === "" || (v.length >= 8 && v.length <= 20),
    "Phone number must be between 8 and 20 digits",
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

const REQUIRED = "username and password are required";

/** POST /admin/users: the contract's validation order, "username and password are required" first. */
export const CreateUserBody = z.preprocess(
  (body, ctx) => {
    const b = body as Record<string, unknown> | null;
    if (b && typeof b === "object" && !Array.isArray(b) && (b.username == null || b.password == null)) {
      ctx.issues.push({ code: "custom", message: REQUIRED, input: body });
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
  }, { error: "Invalid JSON body" }),
).openapi("CreateUser");
