// Outgoing e-mail: the SMTP mailer and the message templates.
export * from "./mailer.ts";
export * from "./templates.ts";
