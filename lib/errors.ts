/**
 * The few error shapes the gateway answers with. Every one is mapped to a response in exactly one place
 * (`onError` in app.ts): `{ "error": message, ...extra }` on API paths, an HTML page on panel paths.
 */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly extra: Record<string, unknown> = {},
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
    this.name = "HttpError";
  }
}

export const badRequest = (message: string, extra?: Record<string, unknown>) =>
  new HttpError(400, message, extra);
export const unauthorized = (message: string) => new HttpError(401, message);
export const forbidden = (message: string, extra?: Record<string, unknown>) =>
  new HttpError(403, message, extra);
export const notFound = (message = "Not found") => new HttpError(404, message);
export const conflict = (message: string) => new HttpError(409, message);
export const methodNotAllowed = () => new HttpError(405, "Method not allowed");

/** The contract's answer to any body that is not parseable JSON. */
export const INVALID_JSON = "Invalid JSON body";
