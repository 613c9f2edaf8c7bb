// The message quota of one user inside the admin's edit dialog (UsersAdmin's private part): loads
// GET /admin/users/{id}/quota, shows today's and this month's usage, and saves the caps on its own.
import { useEffect, useState } from "preact/hooks";
import type { Locale } from "../lib/core/i18n.ts";
import { Alert, Button, TextField, translator } from "./ui.tsx";
import { COUNT } from "./input_kinds.ts";
import { api, useApi } from "./use_api.ts";

interface Period {
  used: number;
  limit: number | null;
}
interface Quota {
  daily_limit: number | null;
  monthly_limit: number | null;
  usage: { daily: Period; monthly: Period };
}

const asText = (v: number | null) => (v === null ? "" : String(v));
/** "" → null (no cap), else the integer typed (NaN when it is not one: the server names the field). */
const capOf = (v: string): number | null => (v.trim() === "" ? null : Number(v));

/** Daily and monthly cap inputs with the current usage, and a save button of their own. */
export function QuotaFields({ locale, userId }: { locale: Locale; userId: number }) {
  const tr = translator(locale);
  const [quota, setQuota] = useState<Quota | null>(null);
  const [daily, setDaily] = useState("");
  const [monthly, setMonthly] = useState("");
  const [saved, setSaved] = useState(false);
  const { busy, error, run } = useApi(locale);
  const show = (q: Quota) => {
    setQuota(q);
    setDaily(asText(q.daily_limit));
    setMonthly(asText(q.monthly_limit));
  };

  useEffect(() => {
    run(() => api<Quota>(`/admin/users/${userId}/quota`)).then((q) => q && show(q));
  }, [userId]);

  const save = async () => {
    setSaved(false);
    const body = { daily_limit: capOf(daily), monthly_limit: capOf(monthly) };
    const q = await run(() => api<Quota>(`/admin/users/${userId}/quota`, { method: "PUT", body }));
    if (q) {
      show(q);
      setSaved(true);
    }
  };

  return (
    <fieldset class="stack" data-quota-fields>
      <legend>{tr("quota.title")}</legend>
      {error && <Alert tone="error">{error}</Alert>}
      {saved && <Alert tone="success">{tr("quota.saved")}</Alert>}
      <div class="form-grid">
        <TextField
          label={tr("quota.daily")}
          {...COUNT}
          min={1}
          hint={quota ? tr("quota.usedHint", { used: quota.usage.daily.used }) : tr("quota.noCapHint")}
          value={daily}
          onValue={setDaily}
          name="daily_limit"
        />
        <TextField
          label={tr("quota.monthly")}
          {...COUNT}
          min={1}
          hint={quota ? tr("quota.usedHint", { used: quota.usage.monthly.used }) : tr("quota.noCapHint")}
          value={monthly}
          onValue={setMonthly}
          name="monthly_limit"
        />
      </div>
      <p class="field-hint">{tr("quota.noCapHint")}</p>
      <div class="form-actions">
        <Button variant="secondary" busy={busy} onClick={save} data-action="save-quota">
          {tr("quota.save")}
        </Button>
      </div>
    </fieldset>
  );
}
