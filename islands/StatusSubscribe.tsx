import { useState } from "preact/hooks";
import * as z from "zod/mini";
import { LOCALES } from "../lib/core/i18n.ts";
import { api, useApi } from "./use_api.ts";
import { Alert, Button, CheckField, IslandRoot, TextField, translator } from "./ui.tsx";

export const StatusSubscribeProps = z.object({
  locale: z.enum(LOCALES),
  services: z.array(z.object({ id: z.number(), name: z.string() })),
});
type Props = z.infer<typeof StatusSubscribeProps>;

/** The status page's "follow by e-mail" form: all services, or the ones ticked. */
export function StatusSubscribe({ locale, services }: Props) {
  const tr = translator(locale);
  const [email, setEmail] = useState("");
  const [ids, setIds] = useState<number[]>([]);
  const [sent, setSent] = useState(false);
  const { busy, error, run } = useApi(locale);
  const submit = async (e: Event) => {
    e.preventDefault();
    const body = { email, locale, ...(ids.length && { service_ids: ids }) };
    if (await run(() => api("/api/status/subscribe", { body, redirectOn401: false }))) setSent(true);
  };
  return (
    <IslandRoot as="form" root="status-subscribe" class="stack" onSubmit={submit} data-form="subscribe">
      {error && <Alert tone="error">{error}</Alert>}
      {sent && <Alert tone="success">{tr("status.subscribeSent")}</Alert>}
      <TextField
        label={tr("status.email")}
        name="email"
        type="email"
        value={email}
        onValue={setEmail}
        required
      />
      <p class="field-hint">{tr("status.subscribeHint")}</p>
      <div class="check-grid">
        {services.map((s) => (
          <CheckField
            key={s.id}
            label={s.name}
            checked={ids.includes(s.id)}
            onChange={(on) => setIds(on ? [...ids, s.id] : ids.filter((x) => x !== s.id))}
          />
        ))}
      </div>
      <div class="form-actions-start">
        <Button type="submit" variant="primary" busy={busy}>{tr("status.subscribeBtn")}</Button>
      </div>
    </IslandRoot>
  );
}
