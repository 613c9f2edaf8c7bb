import { useEffect, useRef, useState } from "preact/hooks";
import type { Locale } from "../lib/core/i18n.ts";
import { type InstanceState, normalizeState, recipientProblem } from "./gateway_rules.ts";
import { Alert, Button, Dialog, TextField, translator } from "./ui.tsx";
import { SegToggle } from "./seg_toggle.tsx";
import { api, errorMessage } from "./use_api.ts";

/** What GET /instance/connect answers: a QR object, or the state when already open (or an error). */
interface ConnectAnswer {
  base64?: string | null;
  pairingCode?: string | null;
  count?: number;
  instance?: { state?: string };
  error?: boolean;
  message?: unknown;
}

type Phase = "loading" | "qr" | "open" | "expired" | "error";

const POLL_MS = 2000;
// The QR rotates on the engine side; fetch it again every few polls (at once while none is shown).
const QR_REFRESH_EVERY = 5;

const path = (name: string, action: string) => `/instance/${action}/${encodeURIComponent(name)}`;

/**
 * Connect one instance: the QR from GET /instance/connect (refreshed while it waits), or a pairing code
 * for a phone number, while GET /instance/connectionState is polled every 2 s until the phone is linked.
 * With the sandbox engine there is no phone: a button plays its part through the gateway.
 */
export function ConnectDialog(
  { locale, name, sandbox, onState, onClose }: {
    locale: Locale;
    name: string;
    /** The built-in sandbox engine stands in for WhatsApp: offer to simulate the phone. */
    sandbox: boolean;
    /** Called with every state seen, so the list behind stays current. */
    onState(state: InstanceState): void;
    onClose(): void;
  },
) {
  const tr = translator(locale);
  const [phase, setPhase] = useState<Phase>("loading");
  const [qr, setQr] = useState<string | null>(null);
  const [pairing, setPairing] = useState<string | null>(null);
  const [mode, setMode] = useState<"qr" | "code">("qr");
  const [phone, setPhone] = useState("");
  const [phoneError, setPhoneError] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [attempt, setAttempt] = useState(0);
  const [scanning, setScanning] = useState(false);
  const report = useRef(onState);
  report.current = onState;

  /** Applies a connect answer; returns false when it was an error. */
  const apply = (res: ConnectAnswer): boolean => {
    if (res.error === true) {
      setError(typeof res.message === "string" && res.message ? res.message : tr("conn.engineError"));
      setPhase("error");
      return false;
    }
    if (res.instance?.state === "open") {
      setPhase("open");
      report.current("open");
      return true;
    }
    if (res.base64) setQr(res.base64);
    if (res.pairingCode) setPairing(res.pairingCode);
    setPhase("qr");
    return true;
  };

  // The number of a pairing-code request: the session restarts with it (a code is only issued when the
  // session starts with the number).
  const pairingNumber = useRef<string | null>(null);

  // Start (or restart, after "new QR") the session and poll its state until it is open.
  useEffect(() => {
    let alive = true;
    let timer: ReturnType<typeof setTimeout> | undefined;
    let ticks = 0;
    let shown = false;
    const tick = async () => {
      if (!alive) return;
      ticks++;
      try {
        const res = await api<{ instance?: { state?: string } }>(path(name, "connectionState"));
        if (!alive) return;
        const state = normalizeState(res.instance?.state);
        report.current(state);
        if (state === "open") {
          setPhase("open");
          return;
        }
        if (state === "close") {
          // The engine gave up on this QR (limit reached or refused): offer a new one.
          setPhase("expired");
          return;
        }
        if (!shown || ticks % QR_REFRESH_EVERY === 0) {
          const res = await api<ConnectAnswer>(path(name, "connect"));
          if (!alive) return;
          shown = Boolean(res.base64 || res.pairingCode) || shown;
          if (!apply(res)) return;
        }
      } catch (err) {
        if (!alive) return;
        setError(errorMessage(locale, err));
      }
      timer = setTimeout(tick, POLL_MS);
    };
    (async () => {
      setPhase("loading");
      setError(null);
      const number = pairingNumber.current;
      try {
        if (number) await api(path(name, "logout"), { method: "DELETE" }).catch(() => {});
        const query = number ? `?number=${encodeURIComponent(number)}` : "";
        const res = await api<ConnectAnswer>(path(name, "connect") + query);
        if (!alive) return;
        shown = Boolean(res.base64);
        if (!apply(res) || res.instance?.state === "open") return;
        report.current("connecting");
      } catch (err) {
        if (!alive) return;
        setError(errorMessage(locale, err));
        setPhase("error");
        return;
      }
      timer = setTimeout(tick, POLL_MS);
    })();
    return () => {
      alive = false;
      clearTimeout(timer);
    };
  }, [name, attempt]);

  // The sandbox's phone "scans" the QR or "types" the pairing code; the gateway asks the sandbox.
  const simulateScan = async () => {
    setScanning(true);
    setError(null);
    try {
      await api(`/api/sandbox/instances/${encodeURIComponent(name)}/scan`, { method: "POST" });
      setPhase("open");
      report.current("open");
    } catch (err) {
      setError(errorMessage(locale, err));
    } finally {
      setScanning(false);
    }
  };
  const simulateButton = (label: string) =>
    sandbox && (
      <div class="sandbox-simulate stack">
        <p class="field-hint">{tr("conn.sandboxHint")}</p>
        <div class="form-actions form-actions-start">
          <Button
            variant="primary"
            icon="check"
            busy={scanning}
            onClick={simulateScan}
            data-action="simulate-scan"
          >
            {label}
          </Button>
        </div>
      </div>
    );

  const requestCode = (e: Event) => {
    e.preventDefault();
    const problem = recipientProblem(phone);
    if (problem || phone.includes("@")) return setPhoneError(tr(problem ?? "msg.numberDigits"));
    setPhoneError(null);
    setPairing(null);
    pairingNumber.current = phone.replace(/[+()\s-]/g, "");
    setAttempt((a) => a + 1);
  };

  return (
    <Dialog locale={locale} title={tr("conn.title", { name })} onClose={onClose} wide>
      <div class="connect" data-connect-state={phase} data-connect={name}>
        {error && <Alert tone="error">{error}</Alert>}
        {phase === "open" && (
          <div class="connect-done">
            <Alert tone="success">{tr("conn.connected")}</Alert>
            <div class="form-actions">
              <Button variant="primary" icon="check" onClick={onClose} data-action="connect-done">
                {tr("conn.done")}
              </Button>
            </div>
          </div>
        )}
        {(phase === "expired" || phase === "error") && (
          <div class="stack">
            {phase === "expired" && <Alert tone="warn">{tr("conn.expired")}</Alert>}
            <div class="form-actions form-actions-start">
              <Button
                variant="primary"
                icon="refresh"
                onClick={() => {
                  if (mode === "qr") pairingNumber.current = null;
                  setAttempt((a) => a + 1);
                }}
              >
                {tr("conn.newQr")}
              </Button>
            </div>
          </div>
        )}
        {(phase === "loading" || phase === "qr") && (
          <>
            <SegToggle
              role="tab"
              label={tr("conn.method")}
              attr="mode"
              options={[["qr", tr("conn.methodQr")], ["code", tr("conn.methodCode")]]}
              value={mode}
              onValue={setMode}
            />
            {mode === "qr"
              ? (
                <div class="connect-body">
                  <div class="qr-box" aria-live="polite">
                    {qr
                      ? <img src={qr} alt={tr("conn.qrAlt", { name })} width={264} height={264} data-qr />
                      : (
                        <span class="qr-wait">
                          <span class="spinner" aria-hidden="true" /> {tr("conn.generating")}
                        </span>
                      )}
                  </div>
                  <div class="stack">
                    <ol class="connect-steps">
                      <li>{tr("conn.step1")}</li>
                      <li>{tr("conn.step2")}</li>
                      <li>{tr("conn.step3")}</li>
                    </ol>
                    {qr && simulateButton(tr("conn.simulateScan"))}
                  </div>
                </div>
              )
              : (
                <div class="connect-body connect-body-code">
                  <form class="stack" onSubmit={requestCode} noValidate data-form="pairing">
                    <TextField
                      label={tr("conn.phone")}
                      name="pairing_phone"
                      inputMode="tel"
                      autocomplete="tel"
                      placeholder="595981000000"
                      hint={tr("conn.phoneHint")}
                      error={phoneError}
                      value={phone}
                      onValue={setPhone}
                    />
                    <div class="form-actions form-actions-start">
                      <Button
                        type="submit"
                        variant="primary"
                        busy={phase === "loading"}
                        data-action="get-code"
                      >
                        {tr("conn.getCode")}
                      </Button>
                    </div>
                  </form>
                  <div class="pairing-box" aria-live="polite">
                    {pairing
                      ? (
                        <>
                          <p class="muted">{tr("conn.codeIntro")}</p>
                          <p class="pairing-code" data-pairing-code={pairing}>
                            {pairing.slice(0, 4)}-{pairing.slice(4)}
                          </p>
                          <p class="field-hint">{tr("conn.codeSteps")}</p>
                          {simulateButton(tr("conn.simulateCode"))}
                        </>
                      )
                      : <p class="muted">{tr("conn.codeEmpty")}</p>}
                  </div>
                </div>
              )}
            <p class="connect-status muted" role="status">
              <span class="pulse-dot" aria-hidden="true" /> {tr("conn.waiting")}
            </p>
          </>
        )}
      </div>
    </Dialog>
  );
}
