/**
 * Evolution's error envelopes. Its global handler answers `{status, error, response: {message}}`, and the
 * type of `message` depends on where the error came from (contract §1.1), so each variant has a factory.
 */

const REASONS: Record<number, string> = {
  400: "Bad Request",
  401: "Unauthorized",
  403: "Forbidden",
  404: "Not Found",
  409: "Conflict",
  422: "Unprocessable Entity",
  429: "Too Many Requests",
  500: "Internal Server Error",
  502: "Bad Gateway",
  503: "Service Unavailable",
  504: "Gateway Timeout",
};

/** Reason phrase for an HTTP status, as Express prints it. */
export function reasonPhrase(status: number): string {
  return REASONS[status] ?? "Error";
}

/** The wrapped envelope used by Evolution's global error handler. */
export function envelope(status: number, message: unknown): Record<string, unknown> {
  return { status, error: reasonPhrase(status), response: { message } };
}

/** An error that becomes an exact HTTP answer; `body` is sent as JSON verbatim. */
export class EvoError extends Error {
  constructor(readonly status: number, readonly body: unknown) {
    super(typeof body === "string" ? body : JSON.stringify(body));
  }
}

/** Business error: 400 with an array of strings (or the exists:false objects). */
export function badRequest(...messages: unknown[]): EvoError {
  return new EvoError(400, envelope(400, messages));
}

/** Schema failure: 400 with a nested array, the jsonschema texts. */
export function schemaError(messages: string[]): EvoError {
  return new EvoError(400, envelope(400, [messages]));
}

/** 404 with a string-array message. */
export function notFound(message: string): EvoError {
  return new EvoError(404, envelope(404, [message]));
}

/** 403 with a string-array message. */
export function forbidden(message: string): EvoError {
  return new EvoError(403, envelope(403, [message]));
}

/** 401 carries a plain string, unlike every other guard. */
export function unauthorized(): EvoError {
  return new EvoError(401, envelope(401, "Unauthorized"));
}

/** Unexpected runtime error: 500 whose message is a plain string. */
export function runtimeError(message: string): EvoError {
  return new EvoError(500, envelope(500, message));
}

/** A 500 raised through an exception with arguments: a string array. */
export function serverError(...messages: string[]): EvoError {
  return new EvoError(500, envelope(500, messages));
}

/** An answer that skips the envelope (whatsappNumbers' local catch, connect/restart's HTTP-200 errors). */
export function rawError(status: number, body: unknown): EvoError {
  return new EvoError(status, body);
}
