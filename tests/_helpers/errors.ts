import {
  codeOfEnglishText,
  type ErrorCode,
  type ErrorParams,
  ERRORS,
  errorText,
} from "../../lib/core/errors.ts";

// Each catalogue text with `{name}` placeholders, as a pattern its filled-in texts match.
const TEMPLATES = (Object.keys(ERRORS) as ErrorCode[])
  .filter((code) => ERRORS[code].en.includes("{"))
  .map((code) => {
    const parts = ERRORS[code].en.split(/\{\w+\}/).map((p) => p.replace(/[.*+?^$()|[\]\\]/g, "\\$&"));
    return { code, re: new RegExp(`^${parts.join(".+")}$`) };
  });

/**
 * The JSON body the API answers for an error: from the contract's English text, whose code is the
 * catalogue entry of exactly that text or else the template it fills in ("number is required" →
 * field_required); or from a code and its params (`errorBody("field_required", { field: "number" })`).
 * A text the catalogue does not know comes back without a code, so the comparison fails loudly.
 */
export function errorBody(textOrCode: string, params?: ErrorParams): { error: string; code?: string } {
  if (Object.hasOwn(ERRORS, textOrCode)) {
    const text = errorText(textOrCode as ErrorCode, params);
    return { error: text, code: codeOfEnglishText(text) ?? textOrCode };
  }
  const exact = codeOfEnglishText(textOrCode);
  if (exact) return { error: textOrCode, code: exact };
  const matches = TEMPLATES.filter((t) => t.re.test(textOrCode));
  if (matches.length > 1) throw new Error(`"${textOrCode}" matches ${matches.map((m) => m.code).join(", ")}`);
  return matches.length ? { error: textOrCode, code: matches[0].code } : { error: textOrCode };
}
