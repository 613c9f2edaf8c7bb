/** Recovery messages in Spanish and English: e-mail (plain text + inline-styled HTML) and WhatsApp text. */
import type { Locale } from "../core/mod.ts";

export interface EmailContent {
  subject: string;
  text: string;
  html: string;
  /** Extra headers (e.g. List-Unsubscribe for status notifications). */
  headers?: Record<string, string>;
}

interface CodeMessage {
  code: string;
  minutes: number;
  username: string;
  /** Set for the admin-initiated variant: who asked for the reset. */
  adminUsername?: string;
}

const escapeHtml = (s: string) =>
  s.replace(
    /[&<>"']/g,
    (ch) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[ch]!,
  );

const copy = {
  es: {
    subject: "Código de recuperación - TAGUATO-SEND",
    adminSubject: "Restablecimiento de contraseña - TAGUATO-SEND",
    greeting: (u: string) => `Hola ${u}:`,
    intro: "Recibimos una solicitud para restablecer la contraseña de tu cuenta. Tu código es:",
    adminIntro: (a: string) =>
      `El administrador ${a} solicitó restablecer la contraseña de tu cuenta. Tu código es:`,
    expires: (m: number) => `El código vence en ${m} minutos.`,
    ignore: "Si no lo solicitaste, ignora este mensaje: tu contraseña no cambia.",
    whatsapp: (code: string, m: number) =>
      `Tu código de recuperación de contraseña es: *${code}*\n\nVence en ${m} minutos. ` +
      "Si no lo solicitaste, ignora este mensaje.",
  },
  en: {
    subject: "Recovery code - TAGUATO-SEND",
    adminSubject: "Password reset - TAGUATO-SEND",
    greeting: (u: string) => `Hello ${u},`,
    intro: "We received a request to reset the password of your account. Your code is:",
    adminIntro: (a: string) =>
      `Administrator ${a} requested a password reset for your account. Your code is:`,
    expires: (m: number) => `The code expires in ${m} minutes.`,
    ignore: "If you did not request this, ignore this message: your password does not change.",
    whatsapp: (code: string, m: number) =>
      `Your password recovery code is: *${code}*\n\nThis code expires in ${m} minutes. ` +
      "If you did not request this, ignore this message.",
  },
} as const;

/** The recovery e-mail; with `adminUsername` it is the "admin reset" template naming the admin. */
export function recoveryEmail(locale: Locale, m: CodeMessage): EmailContent {
  const t = copy[locale];
  const intro = m.adminUsername ? t.adminIntro(m.adminUsername) : t.intro;
  const subject = m.adminUsername ? t.adminSubject : t.subject;
  const text = [
    t.greeting(m.username),
    "",
    intro,
    "",
    m.code,
    "",
    t.expires(m.minutes),
    t.ignore,
    "",
    "TAGUATO-SEND",
  ]
    .join("\n");
  const p = 'style="margin:0 0 16px;font-size:15px;line-height:1.5;color:#1f2937"';
  const html = `<!doctype html>
<html lang="${locale}"><body style="margin:0;padding:24px;background:#f3f4f6;font-family:Arial,Helvetica,sans-serif">
<div style="max-width:480px;margin:0 auto;background:#ffffff;border-radius:8px;padding:32px">
<h1 style="margin:0 0 24px;font-size:20px;color:#065f46">TAGUATO-SEND</h1>
<p ${p}>${escapeHtml(t.greeting(m.username))}</p>
<p ${p}>${escapeHtml(intro)}</p>
<p style="margin:0 0 16px;font-size:32px;font-weight:bold;letter-spacing:8px;text-align:center;color:#111827">${
    escapeHtml(m.code)
  }</p>
<p ${p}>${escapeHtml(t.expires(m.minutes))}</p>
<p style="margin:0;font-size:13px;color:#6b7280">${escapeHtml(t.ignore)}</p>
</div></body></html>`;
  return { subject, text, html };
}

/** The WhatsApp message carrying a recovery code. */
export const recoveryWhatsAppText = (locale: Locale, code: string, minutes: number) =>
  copy[locale].whatsapp(code, minutes);
