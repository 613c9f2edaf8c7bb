// INTERIM, deleted when every call site uses `fail(code)` from errors.ts (structure issue, step 5).
// Raises errors by their text: a text the catalogue already holds gets its code; others answer codeless.
import { type ErrorCode, ERRORS, HttpError } from "./errors.ts";

const CODE_OF_TEXT = new Map<string, ErrorCode>(
  (Object.keys(ERRORS) as ErrorCode[]).map((code) => [ERRORS[code].en, code]),
);

const legacy = (
  status: number,
  message: string,
  extra?: Record<string, unknown>,
  headers?: Record<string, string>,
) => {
  const code = CODE_OF_TEXT.get(message);
  return code
    ? new HttpError(code, { status, extra, headers })
    : new HttpError("invalid_request", { status, message, extra, headers });
};

/** @deprecated use fail(code) */
export const legacyHttpError = legacy;
/** @deprecated use fail(code) */
export const badRequest = (message: string, extra?: Record<string, unknown>) => legacy(400, message, extra);
/** @deprecated use fail(code) */
export const unauthorized = (message: string) => legacy(401, message);
/** @deprecated use fail(code) */
export const forbidden = (message: string, extra?: Record<string, unknown>) => legacy(403, message, extra);
/** @deprecated use fail(code) */
export const notFound = (message = "Not found") => legacy(404, message);
/** @deprecated use fail(code) */
export const conflict = (message: string) => legacy(409, message);
/** @deprecated use fail("method_not_allowed") */
export const methodNotAllowed = () => legacy(405, "Method not allowed");
/** @deprecated use fail("invalid_json") */
export const INVALID_JSON = "Invalid JSON body";
