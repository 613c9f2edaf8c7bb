/** QR payloads and pairing codes that look like Baileys' ones, rendered as real PNG data URLs. */
import QRCode from "qrcode";

function randomBase64(bytes: number): string {
  return btoa(String.fromCharCode(...crypto.getRandomValues(new Uint8Array(bytes))));
}

/** A raw QR payload: `ref,noiseKey,identityKey,advSecret`, the shape WhatsApp Web encodes. */
export function newQrPayload(): string {
  return `2@${randomBase64(72)},${randomBase64(32)},${randomBase64(32)},${randomBase64(32)}`;
}

/** Renders the payload as `data:image/png;base64,…`, ready for `<img src>` like Evolution's `base64`. */
export function renderQr(payload: string): Promise<string> {
  return QRCode.toDataURL(payload, { type: "image/png", errorCorrectionLevel: "L", margin: 4, scale: 4 });
}

// WhatsApp pairing codes avoid look-alike characters (no 0, O, I, U).
const PAIRING_ALPHABET = "123456789ABCDEFGHJKLMNPQRSTVWXYZ";

/** An 8-character pairing code such as `WZYEH1YY`. */
export function newPairingCode(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(8));
  return [...bytes].map((b) => PAIRING_ALPHABET[b % PAIRING_ALPHABET.length]).join("");
}
