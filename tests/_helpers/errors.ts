import { type ErrorCode, type ErrorParams, ERRORS, errorText } from "../../lib/core/errors.ts";

const CODE_OF_TEXT = new Map<string, ErrorCode>(
  (Object.keys(ERRORS) as ErrorCode[]).map((code) => [ERRORS[code].en, code]),
);

// A filled-in text ("number is required") names the code whose template it matches ("{field} is required").
const TEMPLATES = (Object.keys(ERRORS) as ErrorCode[])
  .filter((code) => ERRORS[code].en.includes("{"))
  .map((code) => {
    const parts = ERRORS[code].en.split(/\{\w+\}/).map((p) => p.replace(/[.*+?^$()|[\]\\]/g, "\\$&"));
    return { code, re: new RegExp(`^${parts.join(".+")}$`) };
  });

function codeOfText(text: string): ErrorCode | undefined {
  const exact = CODE_OF_TEXT.get(text);
  if (exact) return exact;
  const matches = TEMPLATES.filter((t) => t.re.test(text));
  if (matches.length > 1) throw new Error(`"${text}" matches ${matches.map((m) => m.code).join(", ")}`);
  return matches[0]?.code;
}

/**
 * The JSON body the API answers for an error, from the contract's English text (the code is looked up
 * in the catalogue, also for a text with its params filled in) or from a code with params:
 * `errorBody("User not found")`, `errorBody("number is required")`,
 * `errorBody("field_required", { field: "number" })`.
 */
export function errorBody(textOrCode: string, params?: ErrorParams): { error: string; code?: string } {
  if (Object.hasOwn(ERRORS, textOrCode)) {
    const code = textOrCode as ErrorCode;
    return { error: errorText(code, params), code };
  }
  const code = codeOfText(textOrCode);
  return code ? { error: textOrCode, code } : { error: textOrCode };
}
