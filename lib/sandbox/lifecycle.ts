/**
 * The Baileys instance state machine (contract §8.3). Each transition updates the in-memory `state`, the
 * DB `connectionStatus` only where Evolution writes it, and emits the same events in the same order.
 */
import type { SandboxContext } from "./context.ts";
import { toJid } from "./jid.ts";
import { newPairingCode, newQrPayload, renderQr } from "./qr.ts";
import { digits, type Instance, nowIso } from "./state.ts";

/** `{"instance":{"instanceName","state"}}`, the connectionState shape. */
export function connectionStateBody(instance: Instance): Record<string, unknown> {
  return { instance: { instanceName: instance.name, state: instance.state } };
}

/** The QR object; before the first QR only `count` is present (contract §4.3). */
export function qrBody(instance: Instance): Record<string, unknown> {
  const qr = instance.qr;
  if (!qr.code) return { count: qr.count };
  return { pairingCode: qr.pairingCode, code: qr.code, base64: qr.base64, count: qr.count };
}

function setDbStatus(instance: Instance, status: Instance["connectionStatus"]): void {
  instance.connectionStatus = status;
  instance.updatedAt = nowIso();
}

/** `connect` on a closed instance: a socket starts, emits `connecting`, then its first QR. */
export async function startSocket(
  ctx: SandboxContext,
  instance: Instance,
  number: string | null,
): Promise<void> {
  instance.hasSocket = true;
  instance.state = "connecting";
  instance.statusReason = 200;
  instance.pairingNumber = number;
  instance.qr = { count: 0, pairingCode: null };
  ctx.events.emit(instance, "CONNECTION_UPDATE", {
    instance: instance.name,
    state: "connecting",
    statusReason: 200,
  });
  await nextQr(ctx, instance);
}

/** A QR rotation; past the limit the socket is refused and closed. */
export async function nextQr(ctx: SandboxContext, instance: Instance): Promise<void> {
  if (instance.state !== "connecting") return;
  if (instance.qr.count >= ctx.options.qrLimit) return qrLimitReached(ctx, instance);
  const code = newQrPayload();
  const base64 = await renderQr(code);
  // Rendering yields; the instance may have been scanned or deleted meanwhile.
  if (instance.state !== "connecting" || !ctx.store.instances.has(instance.name)) return;
  const pairingCode = instance.pairingNumber ? instance.qr.pairingCode ?? newPairingCode() : null;
  instance.qr = { count: instance.qr.count + 1, code, base64, pairingCode };
  if (instance.connectionStatus !== "connecting") setDbStatus(instance, "connecting");
  ctx.events.emit(instance, "QRCODE_UPDATED", {
    qrcode: { instance: instance.name, pairingCode, code, base64 },
  });
}

/** QRCODE_LIMIT reached: a limit event, `refused`, then `close` with the counter reset. */
export function qrLimitReached(ctx: SandboxContext, instance: Instance): void {
  ctx.events.emit(instance, "QRCODE_UPDATED", {
    message: "QR code limit reached, please login again",
    statusCode: 500,
  });
  ctx.events.emit(instance, "CONNECTION_UPDATE", {
    instance: instance.name,
    state: "refused",
    statusReason: 428,
  });
  instance.state = "close";
  instance.statusReason = 428;
  instance.qr = { count: 0, pairingCode: null };
  instance.pairingNumber = null;
  setDbStatus(instance, "close");
}

export interface Profile {
  phone?: string;
  profileName?: string;
  profilePicUrl?: string | null;
}

/** The phone scanned the QR (or typed the pairing code): the instance opens. */
export function markOpen(ctx: SandboxContext, instance: Instance, profile: Profile = {}): void {
  const phone = profile.phone ?? instance.pairingNumber ?? instance.number ?? `5959${digits(8)}`;
  instance.ownerJid = toJid(phone);
  instance.wuid = instance.ownerJid;
  instance.profileName = profile.profileName ?? instance.profileName ?? `Sandbox ${instance.name}`;
  instance.profilePicUrl = profile.profilePicUrl !== undefined
    ? profile.profilePicUrl
    : `https://pps.whatsapp.net/v/sandbox/${instance.id}.jpg`;
  instance.state = "open";
  instance.statusReason = 200;
  instance.qr = { count: 0, pairingCode: null };
  setDbStatus(instance, "open");
  emitOpen(ctx, instance);
}

function emitOpen(ctx: SandboxContext, instance: Instance): void {
  ctx.events.emit(instance, "CONNECTION_UPDATE", {
    instance: instance.name,
    wuid: instance.wuid,
    profileName: instance.profileName,
    profilePictureUrl: instance.profilePicUrl,
    state: "open",
    statusReason: 200,
  });
}

/** A recoverable drop: `connecting` then `open` again, with no close event and no DB write. */
export function transientDrop(ctx: SandboxContext, instance: Instance, reconnectMs: number): void {
  instance.state = "connecting";
  ctx.events.emit(instance, "CONNECTION_UPDATE", {
    instance: instance.name,
    state: "connecting",
    statusReason: 200,
  });
  ctx.scheduler.after(reconnectMs, () => {
    if (ctx.store.instances.get(instance.name) !== instance || instance.state !== "connecting") return;
    instance.state = "open";
    instance.statusReason = 200;
    emitOpen(ctx, instance);
  }, instance.id);
}

/** Logout through the API or from the phone: session wiped, `close` with reason 401, instance kept. */
export function logout(ctx: SandboxContext, instance: Instance): void {
  ctx.scheduler.cancelGroup(instance.id);
  instance.state = "close";
  instance.statusReason = 401;
  if (instance.integration !== "WHATSAPP-BAILEYS") return;
  const at = nowIso();
  instance.qr = { count: 0, pairingCode: null };
  instance.pairingNumber = null;
  instance.disconnectionReasonCode = 401;
  instance.disconnectionAt = at;
  instance.disconnectionObject = JSON.stringify({
    error: {
      isBoom: true,
      output: { statusCode: 401, payload: { statusCode: 401, message: "Intentional Logout" } },
    },
    date: at,
  });
  setDbStatus(instance, "close");
  ctx.events.emit(instance, "LOGOUT_INSTANCE", null);
  ctx.events.emit(instance, "STATUS_INSTANCE", {
    instance: instance.name,
    status: "closed",
    disconnectionAt: at,
    disconnectionReasonCode: 401,
    disconnectionObject: instance.disconnectionObject,
  });
  ctx.events.emit(instance, "CONNECTION_UPDATE", {
    instance: instance.name,
    state: "close",
    statusReason: 401,
  });
}

/** Delete: logs out a live socket first, emits the delete events, then forgets every row. */
export function deleteInstance(ctx: SandboxContext, instance: Instance): void {
  if (instance.state !== "close") logout(ctx, instance);
  ctx.events.emit(instance, "INSTANCE_DELETE", { instanceName: instance.name, instanceId: instance.id });
  ctx.events.emit(instance, "REMOVE_INSTANCE", null);
  ctx.scheduler.cancelGroup(instance.id);
  ctx.store.remove(instance);
}
