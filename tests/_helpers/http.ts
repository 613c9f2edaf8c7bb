/** What a request helper sends: a string `body` goes as written, anything else as JSON. */
export interface SendOptions {
  /** Sent as the `apikey` header. */
  token?: string | null;
  body?: unknown;
  headers?: Record<string, string>;
}

/** Sends one request and reads the whole answer as text (the body is always consumed). */
export async function send(
  url: string,
  method: string,
  opts: SendOptions = {},
): Promise<{ status: number; text: string; headers: Headers }> {
  const headers: Record<string, string> = { ...opts.headers };
  if (opts.token) headers.apikey = opts.token;
  let body: string | undefined;
  if (opts.body !== undefined) {
    body = typeof opts.body === "string" ? opts.body : JSON.stringify(opts.body);
    headers["content-type"] ??= "application/json";
  }
  const res = await fetch(url, { method, headers, body });
  return { status: res.status, text: await res.text(), headers: res.headers };
}
