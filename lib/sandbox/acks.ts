/**
 * Delivery receipts for sent messages: scripted MESSAGES_UPDATE events (SERVER_ACK → DELIVERY_ACK → READ,
 * then PLAYED for voice notes; SENT → DELIVERED → READ on Cloud), automatic with configurable delays or
 * pushed one by one from tests in manual mode.
 */
import type { SandboxContext } from "./context.ts";
import type { Instance, StoredMessage } from "./state.ts";

export const ACK_STATUSES = ["ERROR", "PENDING", "SERVER_ACK", "DELIVERY_ACK", "READ", "PLAYED"] as const;
export const CLOUD_STATUSES = ["SENT", "DELIVERED", "READ", "FAILED"] as const;

function script(instance: Instance, message: StoredMessage): string[] {
  if (instance.integration === "WHATSAPP-BUSINESS") return ["SENT", "DELIVERED", "READ"];
  return message.voiceNote
    ? ["SERVER_ACK", "DELIVERY_ACK", "READ", "PLAYED"]
    : ["SERVER_ACK", "DELIVERY_ACK", "READ"];
}

/** Starts the automatic receipts of a sent message (nothing in manual mode). */
export function scheduleAcks(ctx: SandboxContext, instance: Instance, message: StoredMessage): void {
  if (ctx.store.ackMode !== "auto") return;
  const steps = script(instance, message);
  const delays = ctx.store.ackDelaysMs;
  const step = (index: number) => {
    // A deleted (or re-created) instance gets no late receipts.
    if (ctx.store.instances.get(instance.name) !== instance) return;
    applyAck(ctx, instance, message, steps[index]);
    if (index + 1 < steps.length) {
      ctx.scheduler.after(delays[Math.min(index + 1, delays.length - 1)], () => step(index + 1), instance.id);
    }
  };
  ctx.scheduler.after(delays[0], () => step(0), instance.id);
}

/** Records one receipt and emits MESSAGES_UPDATE; a repeated status is dropped like Evolution's cache does. */
export function applyAck(
  ctx: SandboxContext,
  instance: Instance,
  message: StoredMessage,
  status: string,
): boolean {
  if (message.updates.includes(status)) return false;
  message.updates.push(status);
  message.status = status;
  ctx.events.emit(instance, "MESSAGES_UPDATE", {
    keyId: message.key.id,
    remoteJid: message.key.remoteJid,
    fromMe: message.key.fromMe,
    ...(message.key.participant ? { participant: message.key.participant } : {}),
    status,
    instanceId: instance.id,
    messageId: message.id,
  });
  return true;
}
