import { Fragment } from "preact";
import { useEffect, useState } from "preact/hooks";
import { Icon } from "../components/Icon.tsx";
import type { Locale, MessageKey } from "../lib/core/i18n.ts";
import { Pagination } from "./paged_list.tsx";
import { DataTable } from "./data_table.tsx";
import { LocalTime } from "./local_time.tsx";
import { Alert, Button, Dialog, EmptyState, RefreshCloseActions, translator } from "./ui.tsx";
import { api, useApi } from "./use_api.ts";

interface Attempt {
  attempt: number;
  status_code: number | null;
  error: string | null;
  duration_ms: number;
  next_attempt_at: string | null;
  created_at: string;
}

interface Delivery {
  id: number;
  event: string;
  status: "pending" | "succeeded" | "failed";
  attempt_count: number;
  next_attempt_at: string | null;
  last_status_code: number | null;
  last_error: string | null;
  redelivery_of: number | null;
  created_at: string;
  attempts: Attempt[];
}

interface DeliveryPage {
  deliveries: Delivery[];
  total: number;
  page: number;
  limit: number;
  pages: number;
}

const TONE: Record<Delivery["status"], [MessageKey, string]> = {
  pending: ["wh.dPending", "badge-warn"],
  succeeded: ["wh.dSucceeded", "badge-ok"],
  failed: ["wh.dFailed", "badge-danger"],
};

const LIMIT = 20;

/** One webhook's delivery log: every attempt (status code, error, duration) and a redeliver button. */
export function DeliveriesDialog(
  { locale, webhook, onClose }: {
    locale: Locale;
    webhook: { id: number; instance_name: string; webhook_url: string };
    onClose(): void;
  },
) {
  const tr = translator(locale);
  const [data, setData] = useState<DeliveryPage | null>(null);
  const [open, setOpen] = useState<number | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [redelivering, setRedelivering] = useState<number | null>(null);
  const list = useApi(locale);
  const action = useApi(locale);

  const load = async (page: number) => {
    const res = await list.run(() =>
      api<DeliveryPage>(`/api/webhooks/${webhook.id}/deliveries?page=${page}&limit=${LIMIT}`)
    );
    if (res) setData(res);
  };
  useEffect(() => {
    load(1);
  }, [webhook.id]);
  // Pending deliveries move on their own: look again while any is waiting.
  useEffect(() => {
    if (!data?.deliveries.some((d) => d.status === "pending")) return;
    const timer = setTimeout(() => load(data.page), 3000);
    return () => clearTimeout(timer);
  }, [data]);

  const redeliver = async (d: Delivery) => {
    setNotice(null);
    setRedelivering(d.id);
    const res = await action.run(() =>
      api<{ delivery: { id: number } }>(`/api/webhooks/${webhook.id}/deliveries/${d.id}/redeliver`, {
        method: "POST",
      })
    );
    setRedelivering(null);
    if (!res) return;
    setNotice(tr("wh.redelivered", { id: d.id, newId: res.delivery.id }));
    await load(1);
  };

  const last = (d: Delivery) => d.attempts[d.attempts.length - 1];

  return (
    <Dialog
      locale={locale}
      wide
      title={tr("wh.deliveriesTitle", { instance: webhook.instance_name })}
      onClose={onClose}
    >
      <div class="stack" data-deliveries={webhook.id}>
        <p class="muted cell-truncate" title={webhook.webhook_url}>
          <code>{webhook.webhook_url}</code>
        </p>
        {notice && <Alert tone="success">{notice}</Alert>}
        {(list.error || action.error) && <Alert tone="error">{list.error ?? action.error}</Alert>}
        {!data
          ? (
            <p class="muted">
              <span class="spinner" aria-hidden="true" /> {tr("ui.loading")}
            </p>
          )
          : (
            <DataTable
              locale={locale}
              name="deliveries"
              class="table table-compact"
              rows={data.deliveries.length}
              empty={
                <EmptyState icon="list" title={tr("wh.noDeliveries")} text={tr("wh.noDeliveriesHint")} />
              }
              columns={[
                "#",
                tr("wh.event"),
                tr("wh.dStatus"),
                { label: tr("wh.attempts"), class: "col-num" },
                tr("wh.statusCode"),
                tr("wh.date"),
              ]}
            >
              {data.deliveries.map((d) => (
                <Fragment key={d.id}>
                  <tr data-delivery-id={d.id}>
                    <td>
                      <button
                        type="button"
                        class="link-button"
                        aria-expanded={open === d.id ? "true" : "false"}
                        aria-label={tr("wh.showAttempts", { id: d.id })}
                        onClick={() => setOpen(open === d.id ? null : d.id)}
                      >
                        <Icon
                          name="chevronRight"
                          class={open === d.id ? "icon-inline icon-turned" : "icon-inline"}
                        />
                        {d.id}
                      </button>
                      {d.redelivery_of && <span class="muted">↻{d.redelivery_of}</span>}
                    </td>
                    <td>
                      <code>{d.event}</code>
                    </td>
                    <td>
                      <span class={`badge ${TONE[d.status][1]}`}>{tr(TONE[d.status][0])}</span>
                    </td>
                    <td class="col-num">{d.attempt_count}</td>
                    <td>
                      <span class="cell-stack">
                        <span class="nowrap">
                          {d.last_status_code ?? <span class="muted">—</span>}
                          {last(d) && <span class="muted">{` · ${last(d).duration_ms} ms`}</span>}
                        </span>
                        {d.last_error && (
                          <span class="cell-truncate muted small" title={d.last_error}>
                            {d.last_error}
                          </span>
                        )}
                      </span>
                    </td>
                    <td class="nowrap">
                      <LocalTime iso={d.created_at} locale={locale} />
                    </td>
                    <td class="col-actions">
                      <Button
                        small
                        variant="ghost"
                        icon="refresh"
                        busy={redelivering === d.id}
                        onClick={() => redeliver(d)}
                        data-action="redeliver"
                      >
                        {tr("wh.redeliver")}
                      </Button>
                    </td>
                  </tr>
                  {open === d.id && (
                    <tr class="row-detail">
                      <td colSpan={7}>
                        {d.attempts.length === 0
                          ? <p class="muted">{tr("wh.noAttempts")}</p>
                          : (
                            <ol class="attempt-list">
                              {d.attempts.map((a) => (
                                <li key={a.attempt}>
                                  <strong>{tr("wh.attemptN", { n: a.attempt })}</strong>{" "}
                                  <LocalTime iso={a.created_at} locale={locale} />
                                  {" · "}
                                  {a.status_code === null
                                    ? <span class="badge badge-danger">{tr("wh.noResponse")}</span>
                                    : (
                                      <span
                                        class={`badge ${a.status_code < 300 ? "badge-ok" : "badge-danger"}`}
                                      >
                                        HTTP {a.status_code}
                                      </span>
                                    )} · {a.duration_ms} ms
                                  {a.error && <span class="muted">· {a.error}</span>}
                                  {a.next_attempt_at && (
                                    <span class="muted">
                                      {" · "}
                                      {tr("wh.nextAttempt")}{" "}
                                      <LocalTime iso={a.next_attempt_at} locale={locale} />
                                    </span>
                                  )}
                                </li>
                              ))}
                            </ol>
                          )}
                      </td>
                    </tr>
                  )}
                </Fragment>
              ))}
            </DataTable>
          )}
        {data && <Pagination locale={locale} info={data} busy={list.busy} onPage={load} />}
        <RefreshCloseActions
          locale={locale}
          busy={list.busy}
          onRefresh={() => load(data?.page ?? 1)}
          onClose={onClose}
        />
      </div>
    </Dialog>
  );
}
