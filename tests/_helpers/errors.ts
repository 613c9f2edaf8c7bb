import { type ErrorCode, type ErrorParams, ERRORS, errorText } from "../../lib/core/errors.ts";

const CODE_OF_TEXT = new Map<string, ErrorCode>(
  (Object.keys(ERRORS) as ErrorCode[]).map((code) => [ERRORS[code].en, code]),
);

/**
 * The JSON body the API answers for an error, from the contract's English text (the code is looked up
 * in the catalogue) or from a code with params: `errorBody("User not found")`,
 * `errorBody("field_required", { field: "number" })`.
 */
export function errorBody(textOrCode: string, params?: ErrorParams): { error: string; code?: string } {
  if (Object.hasOwn(ERRORS, textOrCode)) {
    const code = textOrCode as ErrorCode;
    return { error: errorText(code, params), code };
  }
  const code = CODE_OF_TEXT.get(textOrCode);
  return code ? { error: textOrCode, code } : { error: textOrCode };
}
