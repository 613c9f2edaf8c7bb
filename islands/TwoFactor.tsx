import { useState } from "preact/hooks";
import * as z from "zod/mini";
import { LOCALES, type MessageKey } from "../lib/core/i18n.ts";
import { CopyButton } from "./copy_button.tsx";
import { Alert, Button, CheckField, Dialog, IslandRoot, TextField, translator } from "./ui.tsx";
import { ONE_TIME_CODE } from "./input_kinds.ts";
import { api, useApi } from "./use_api.ts";

export const TwoFactorProps = z.object({
  locale: z.enum(LOCALES),
  username: z.string(),
  enabled: z.boolean(),
});
type Props = z.infer<typeof TwoFactorProps>;

interface Setup {
  secret: string;
  otpauth_uri: string;
  qr?: string;
}

type State =
  | { kind: "off" }
  | { kind: "setup"; setup: Setup }
  | { kind: "codes"; codes: string[]; regenerated?: boolean }
  | { kind: "on" };

/** "ABCD EFGH ..." so a person can type the secret without losing their place. */
const groupSecret = (secret: string) => secret.replace(/(.{4})/g, "$1 ").trim();

/** Offers the codes as a text file, made in the browser: they never travel again. */
function download(codes: string[], username: string) {
  const text = `TAGUATO-SEND — ${username}\n\n${codes.join("\n")}\n`;
  const url = URL.createObjectURL(new Blob([text], { type: "text/plain" }));
  const a = document.createElement("a");
  a.href = url;
  a.download = `taguato-recovery-codes-${username}.txt`;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

/**
 * Two-step verification: set up with a QR code or the secret typed by hand, confirm with a first code,
 * keep the ten one-time recovery codes (shown once), and switch it off again with a current code.
 */
export function TwoFactor({ locale, username, enabled }: Props) {
  const tr = translator(locale);
  const [state, setState] = useState<State>({ kind: enabled ? "on" : "off" });
  const [code, setCode] = useState("");
  const [saved, setSaved] = useState(false);
  // The dialogs that need a current code: turning 2FA off, or replacing the recovery codes.
  const [asking, setAsking] = useState<"disable" | "regenerate" | null>(null);
  const [message, setMessage] = useState<MessageKey | null>(null);
  const { busy, error, setError, run } = useApi(locale);
  const on = state.kind === "on" || state.kind === "codes";

  const start = async () => {
    setMessage(null);
    const setup = await run(() => api<Setup>("/api/auth/2fa/setup"));
    if (setup) {
      setCode("");
      setState({ kind: "setup", setup });
    }
  };

  const enable = async (e: Event) => {
    e.preventDefault();
    if (state.kind !== "setup") return;
    const res = await run(() =>
      api<{ recovery_codes?: string[] }>("/api/auth/2fa/enable", {
        body: { secret: state.setup.secret, code: code.replace(/\s+/g, "") },
      })
    );
    if (res) {
      setSaved(false);
      setState({ kind: "codes", codes: res.recovery_codes ?? [] });
    }
  };

  const confirmWithCode = async (e: Event) => {
    e.preventDefault();
    const body = { code: code.replace(/\s+/g, "") };
    if (asking === "disable") {
      const res = await run(() => api("/api/auth/2fa/disable", { body }));
      if (!res) return;
      setState({ kind: "off" });
      setMessage("tfa.disabledNotice");
    } else {
      const res = await run(() =>
        api<{ recovery_codes: string[] }>("/api/auth/2fa/recovery-codes", { body })
      );
      if (!res) return;
      setSaved(false);
      setState({ kind: "codes", codes: res.recovery_codes, regenerated: true });
      setMessage(null);
    }
    setAsking(null);
    setCode("");
  };

  const ask = (what: "disable" | "regenerate") => {
    setError(null);
    setMessage(null);
    setCode("");
    setAsking(what);
  };

  const cancel = () => {
    setError(null);
    setState({ kind: "off" });
  };

  return (
    <IslandRoot
      as="section"
      class="card"
      aria-labelledby="tfa-title"
      root="two-factor"
      data-tfa-state={state.kind}
    >
      <header class="card-head">
        <div>
          <h2 class="card-title" id="tfa-title">{tr("tfa.title")}</h2>
          <p class="card-lead">{tr("tfa.intro")}</p>
        </div>
        <span class={`badge ${on ? "badge-ok" : "badge-neutral"}`} data-tfa-badge>
          {tr(on ? "tfa.on" : "tfa.off")}
        </span>
      </header>

      {message && <Alert tone="success">{tr(message)}</Alert>}
      {error && !asking && <Alert tone="error">{error}</Alert>}

      {state.kind === "off" && (
        <div class="form-actions form-actions-start">
          <Button variant="primary" icon="shield" busy={busy} onClick={start} data-tfa-start>
            {tr("tfa.enable")}
          </Button>
        </div>
      )}

      {state.kind === "setup" && (
        <form class="tfa-setup" onSubmit={enable}>
          <div class="tfa-qr">
            {state.setup.qr
              ? <img src={state.setup.qr} alt={tr("tfa.qrAlt")} width={180} height={180} />
              : <p class="muted">{tr("tfa.noQr")}</p>}
          </div>
          <div class="stack">
            <p>
              <strong>1.</strong> {tr("tfa.scan")}
            </p>
            <div class="secret-box">
              <span class="field-hint">{tr("tfa.manual")}</span>
              <code class="secret" data-totp-secret={state.setup.secret}>
                {groupSecret(state.setup.secret)}
              </code>
              <CopyButton text={state.setup.secret} locale={locale} />
            </div>
            <p>
              <strong>2.</strong> {tr("tfa.enterCode")}
            </p>
            <TextField
              label={tr("tfa.code")}
              name="code"
              {...ONE_TIME_CODE}
              pattern="[0-9 ]{6,7}"
              maxLength={7}
              required
              autoFocus
              value={code}
              onValue={setCode}
            />
            <div class="form-actions form-actions-start">
              <Button type="submit" variant="primary" busy={busy} data-tfa-confirm>
                {tr("tfa.confirm")}
              </Button>
              <Button variant="ghost" onClick={cancel}>{tr("ui.cancel")}</Button>
            </div>
          </div>
        </form>
      )}

      {state.kind === "codes" && (
        <div class="stack" data-recovery-codes>
          <Alert tone="success">
            {tr(state.regenerated ? "tfa.regeneratedNotice" : "tfa.enabledNotice")}
          </Alert>
          <h3 class="subheading">{tr("tfa.codesTitle")}</h3>
          <p>{tr("tfa.codesIntro")}</p>
          <ol class="code-grid">
            {state.codes.map((c) => (
              <li key={c}>
                <code>{c}</code>
              </li>
            ))}
          </ol>
          <div class="form-actions form-actions-start">
            <CopyButton text={state.codes.join("\n")} locale={locale} label={tr("tfa.copyAll")} />
            <Button small icon="download" onClick={() => download(state.codes, username)}>
              {tr("tfa.download")}
            </Button>
          </div>
          <CheckField label={tr("tfa.saved")} checked={saved} onChange={setSaved} />
          <div class="form-actions form-actions-start">
            <Button
              variant="primary"
              disabled={!saved}
              onClick={() => setState({ kind: "on" })}
              data-tfa-done
            >
              {tr("tfa.done")}
            </Button>
          </div>
        </div>
      )}

      {state.kind === "on" && (
        <div class="form-actions form-actions-start">
          <Button icon="refresh" onClick={() => ask("regenerate")}>{tr("tfa.regenerate")}</Button>
          <Button variant="danger" icon="lock" onClick={() => ask("disable")}>{tr("tfa.disable")}</Button>
        </div>
      )}

      {asking && (
        <Dialog
          title={tr(asking === "disable" ? "tfa.disableTitle" : "tfa.regenerateTitle")}
          onClose={() => setAsking(null)}
          locale={locale}
        >
          <form class="stack" onSubmit={confirmWithCode}>
            <p>{tr(asking === "disable" ? "tfa.disableText" : "tfa.regenerateText")}</p>
            {error && <Alert tone="error">{error}</Alert>}
            <TextField
              label={tr("tfa.code")}
              name="code"
              {...ONE_TIME_CODE}
              required
              autoFocus
              value={code}
              onValue={setCode}
            />
            <div class="form-actions">
              <Button variant="ghost" onClick={() => setAsking(null)}>{tr("ui.cancel")}</Button>
              <Button type="submit" variant={asking === "disable" ? "danger" : "primary"} busy={busy}>
                {tr(asking === "disable" ? "tfa.disable" : "tfa.regenerate")}
              </Button>
            </div>
          </form>
        </Dialog>
      )}
    </IslandRoot>
  );
}
