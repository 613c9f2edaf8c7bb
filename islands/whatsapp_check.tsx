import { useState } from "preact/hooks";
import type { Locale } from "../lib/core/i18n.ts";
import { Alert, Button, SelectField, translator } from "./ui.tsx";
import { api, useApi } from "./use_api.ts";

// The Contacts page's WhatsApp check: asks the engine through one of the user's instances, a slice of
// numbers per call, so the progress bar moves and a long list never holds one request open for minutes.

const SLICE = 100;

interface CheckAnswer {
  checked: number;
  valid: number;
  invalid: number;
  remaining: number;
}

export function WhatsappCheck({ locale, listId, instances, onChecked }: {
  locale: Locale;
  listId: number;
  instances: string[];
  onChecked(): void;
}) {
  const tr = translator(locale);
  const [instance, setInstance] = useState(instances[0] ?? "");
  const [progress, setProgress] = useState<number | null>(null);
  const [summary, setSummary] = useState<{ valid: number; invalid: number } | null>(null);
  const call = useApi(locale);

  const run = async (recheck: boolean) => {
    setSummary(null);
    setProgress(0);
    let valid = 0, invalid = 0, done = 0, first = true;
    for (;;) {
      const res = await call.run(() =>
        api<CheckAnswer>(`/api/contacts/${listId}/check`, {
          body: { instance_name: instance, limit: SLICE, recheck: recheck && first },
        })
      );
      first = false;
      if (!res) break;
      valid += res.valid;
      invalid += res.invalid;
      done += res.checked;
      setProgress(done / Math.max(1, done + res.remaining));
      if (res.remaining === 0 || res.checked === 0) {
        setSummary({ valid, invalid });
        break;
      }
    }
    setProgress(null);
    onChecked();
  };

  if (instances.length === 0) return <p class="field-hint">{tr("ct.checkNoInstance")}</p>;
  return (
    <div class="card card-pad stack" data-whatsapp-check>
      <h3 class="card-title">{tr("ct.checkTitle")}</h3>
      <p class="field-hint">{tr("ct.checkHint")}</p>
      <SelectField
        label={tr("ct.instance")}
        name="check-instance"
        value={instance}
        onValue={setInstance}
        options={instances.map((i) => [i, i] as const)}
      />
      {progress !== null && (
        <progress
          class="progress"
          data-check-progress
          max={1}
          value={progress}
          aria-label={tr("ct.checking")}
        />
      )}
      {call.error && <Alert tone="error">{call.error}</Alert>}
      {summary && <Alert tone="success">{tr("ct.checked", summary)}</Alert>}
      <div class="form-actions form-actions-start">
        <Button
          variant="primary"
          icon="check"
          busy={progress !== null}
          data-action="check"
          onClick={() => run(false)}
        >
          {tr("ct.check")}
        </Button>
        <Button variant="ghost" icon="refresh" disabled={progress !== null} onClick={() => run(true)}>
          {tr("ct.recheck")}
        </Button>
      </div>
    </div>
  );
}
