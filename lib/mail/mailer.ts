/** Outgoing e-mail over SMTP with nodemailer, configured from SMTP_* (contract §2.7, §11.1). */
import nodemailer from "nodemailer";
import type { Config } from "../core/mod.ts";
import type { EmailContent } from "./templates.ts";

export type SmtpConfig = NonNullable<Config["smtp"]>;

export interface Mailer {
  send(to: string, content: EmailContent): Promise<void>;
}

/**
 * A mailer for one SMTP server. `SMTP_SECURE`: `ssl` = implicit TLS, `tls` = STARTTLS required,
 * anything else = plain; PLAIN/LOGIN auth only when SMTP_USER is set.
 */
export function createMailer(smtp: SmtpConfig): Mailer {
  const transport = nodemailer.createTransport({
    host: smtp.host,
    port: smtp.port,
    secure: smtp.secure === "ssl",
    requireTLS: smtp.secure === "tls",
    ignoreTLS: smtp.secure === "none",
    auth: smtp.user ? { user: smtp.user, pass: smtp.password ?? "" } : undefined,
    connectionTimeout: 10_000,
    greetingTimeout: 10_000,
    socketTimeout: 20_000,
  });
  return {
    async send(to, content) {
      try {
        await transport.sendMail({
          from: smtp.from,
          to,
          subject: content.subject,
          text: content.text,
          html: content.html,
          headers: content.headers,
          // Keeps the code readable in the raw message (digits are never encoded in quoted-printable).
          textEncoding: "quoted-printable",
        });
      } finally {
        transport.close();
      }
    },
  };
}
