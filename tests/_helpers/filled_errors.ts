import { type ErrorCode, ERRORS } from "../../lib/core/errors.ts";
import { errorBody } from "./errors.ts";

// Each catalogue text with `{name}` placeholders, as a pattern its filled-in texts match.
const TEMPLATES = (Object.keys(ERRORS) as ErrorCode[])
  .filter((code) => ERRORS[code].en.includes("{"))
  .map((code) => {
    const parts = ERRORS[code].en.split(/\{\w+\}/).map((p) => p.replace(/[.*+?^$()|[\]\\]/g, "\\$&"));
    return { code, re: new RegExp(`^${parts.join(".+")}$`) };
  });

/**
 * errorBody for a text whose params are filled in ("number is required" → field_required), for routes
 * that answer every error with its code. A text that is not filled in falls back to errorBody.
 */
export function filledErrorBody(text: string): { error: string; code?: string } {
  const plain = errorBody(text);
  if (plain.code) return plain;
  const matches = TEMPLATES.filter((t) => t.re.test(text));
  if (matches.length > 1) throw new Error(`"${text}" matches ${matches.map((m) => m.code).join(", ")}`);
  return matches.length ? { error: text, code: matches[0].code } : plain;
}
