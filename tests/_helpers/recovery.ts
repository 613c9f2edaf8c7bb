// Calls of the three public recovery steps (each from a chosen client address) and SMTP settings for a sink.
import { call } from "./accounts.ts";
import { startTestApp, type TestApp } from "./app.ts";
import { type SmtpSink, startSmtpSink } from "./smtp.ts";

export const GENERIC = "If the account exists, a recovery code has been sent.";

/** Gateway SMTP_* settings pointing at a loopback sink, without TLS. */
export const smtpEnv = (sink: SmtpSink) => ({
  SMTP_HOST: "127.0.0.1",
  SMTP_PORT: String(sink.port),
  SMTP_FROM: "noreply@taguato.test",
  SMTP_SECURE: "none",
});

/** The gateway sending its mail to a fresh SMTP sink; `await using t` stops both. */
export async function startMailingApp(): Promise<TestApp & { sink: SmtpSink }> {
  const sink = await startSmtpSink();
  const t = await startTestApp({ env: smtpEnv(sink) }).catch(async (err) => {
    await sink.stop();
    throw err;
  });
  const closeApp = t.close;
  const close = async () => {
    await closeApp();
    await sink.stop();
  };
  return Object.assign(t, { sink, close, [Symbol.asyncDispose]: close });
}

// The loopback peer is a trusted proxy (TRUSTED_PROXIES in startTestApp), so X-Forwarded-For sets the client address.
export const forgot = (t: TestApp, body: unknown, ip = "203.0.113.1", headers: Record<string, string> = {}) =>
  call(t, "POST", "/api/auth/forgot-password", { body, headers: { "x-forwarded-for": ip, ...headers } });
export const verify = (t: TestApp, body: unknown, ip = "203.0.113.1") =>
  call(t, "POST", "/api/auth/verify-reset-code", { body, headers: { "x-forwarded-for": ip } });
export const reset = (t: TestApp, body: unknown) => call(t, "POST", "/api/auth/reset-password", { body });

/** How many reset codes were ever issued to a user. */
export const codesOf = async (t: TestApp, userId: number) =>
  (await t.deps.sql`SELECT count(*)::int AS n FROM taguato.password_resets WHERE user_id = ${userId}`)[0].n;
