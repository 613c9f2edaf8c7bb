/** Sends a recovery code by e-mail (SMTP) or WhatsApp (the RECOVERY_ADMIN_INSTANCE engine instance). */
import type { AppDeps, Locale } from "../core/mod.ts";
import { createMailer, recoveryEmail, recoveryWhatsAppText } from "../mail/mod.ts";

const CODE_MINUTES = 15;
const WHATSAPP_TIMEOUT_MS = 5_000;

export interface CodeRecipient {
  username: string;
  email: string | null;
  phone_number: string | null;
}

/**
 * Delivers `code` through `method`. WhatsApp first asks the engine for the instance's live state and
 * sends only when it is `open`. Throws on any failure (callers log it, or report it for the admin variant).
 */
export async function deliverCode(
  deps: AppDeps,
  user: CodeRecipient,
  method: "email" | "whatsapp" | "admin_email",
  code: string,
  locale: Locale,
  adminUsername?: string,
): Promise<void> {
  if (method === "whatsapp") {
    const instance = deps.config.recoveryAdminInstance;
    if (!instance || !user.phone_number) throw new Error("WhatsApp recovery is not configured");
    const state = await deps.evolution.connectionState(instance, { timeoutMs: WHATSAPP_TIMEOUT_MS });
    if (state.instance.state !== "open") {
      throw new Error(`recovery instance ${instance} is ${state.instance.state ?? "unknown"}, not open`);
    }
    await deps.evolution.sendText(
      instance,
      { number: user.phone_number, text: recoveryWhatsAppText(locale, code, CODE_MINUTES) },
      { timeoutMs: WHATSAPP_TIMEOUT_MS },
    );
    return;
  }
  const smtp = deps.config.smtp;
  if (!smtp || !user.email) throw new Error("e-mail recovery is not configured");
  await createMailer(smtp).send(
    user.email,
    recoveryEmail(locale, { code, minutes: CODE_MINUTES, username: user.username, adminUsername }),
  );
}
