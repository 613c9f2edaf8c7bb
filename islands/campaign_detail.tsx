import { useEffect, useState } from "preact/hooks";
import type { Locale } from "../lib/core/i18n.ts";
import {
  type Action,
  actionsFor,
  BADGES,
  type Campaign,
  type Counts,
  FINAL,
  type Progress,
  progressFrom,
  reasonLabel,
  RECIPIENT_STATES,
  stateLabel,
} from "./campaign_parts.ts";
import { useCampaignProgress } from "./campaign_live.ts";
import { CampaignRecipients } from "./campaign_recipients.tsx";
import { CampaignResults } from "./campaign_results.tsx";
import { Alert, Button, ConfirmDialog, IconButton, translator } from "./ui.tsx";
import { api, useApi } from "./use_api.ts";

// One campaign, live: the state with its actions, the progress bar, counters and rate from the event
// stream, the recipients by state and the per-variant results. Opened from the list (or the address bar's
// ?campaign=), it reads the progress back first, so a page reopened mid-way carries on where it is.

type Detail = { campaign: Campaign; counts: Counts; health: { score?: number } };

export function CampaignDetail({ locale, id, onProgress, onClose }: {
  locale: Locale;
  id: number;
  /** Each progress the stream (or an action) brings, for the history row to follow. */
  onProgress(p: Progress): void;
  onClose(): void;
}) {
  const tr = translator(locale);
  const [detail, setDetail] = useState<Detail | null>(null);
  const load = useApi(locale);
  useEffect(() => {
    setDetail(null);
    load.run(() => api<Detail>(`/api/campaigns/${id}`)).then((d) => d && setDetail(d));
  }, [id]);
  return (
    <section class="card stack campaign-detail" aria-labelledby="camp-detail-title" data-campaign={id}>
      <header class="card-head">
        <h2 class="card-title" id="camp-detail-title">
          {detail ? detail.campaign.name : tr("campaigns.detailTitle", { id })}
        </h2>
        <IconButton icon="close" label={tr("ui.close")} onClick={onClose} data-action="close-detail" />
      </header>
      {load.error && <Alert tone="error">{load.error}</Alert>}
      {detail && <LiveDetail key={id} locale={locale} detail={detail} onProgress={onProgress} />}
    </section>
  );
}

function LiveDetail({ locale, detail, onProgress }: {
  locale: Locale;
  detail: Detail;
  onProgress(p: Progress): void;
}) {
  const tr = translator(locale);
  const c = detail.campaign;
  const { progress, live, patch } = useCampaignProgress(c.id, progressFrom(c, detail.counts));
  const [confirm, setConfirm] = useState(false);
  const action = useApi(locale);
  useEffect(() => onProgress(progress), [progress]);

  const act = async (a: Action) => {
    const r = await action.run(() =>
      api<{ campaign: Campaign }>(`/api/campaigns/${c.id}/${a}`, { method: "POST" })
    );
    if (!r) return;
    setConfirm(false);
    patch({ status: r.campaign.status, status_reason: r.campaign.status_reason });
  };
  const reason = reasonLabel(locale, progress.status_reason);
  return (
    <>
      <div class="campaign-head">
        <span
          class={`badge ${BADGES[progress.status] ?? "badge-neutral"}`}
          data-campaign-status={progress.status}
        >
          {stateLabel(locale, progress.status)}
        </span>
        <span class="muted">{c.instance}</span>
        {detail.health.score !== undefined && (
          <span class="muted" data-health>{tr("campaigns.health", { score: detail.health.score })}</span>
        )}
        <span class="muted" data-live={live}>{tr(`campaigns.live.${live}`)}</span>
        <div class="row-actions">
          {actionsFor(progress.status).map((a) => (
            <Button
              key={a}
              small
              variant={a === "cancel" ? "danger" : a === "pause" ? "secondary" : "primary"}
              busy={action.busy && !confirm}
              onClick={() => a === "cancel" ? setConfirm(true) : act(a)}
              data-action={a}
            >
              {tr(`campaigns.action.${a}`)}
            </Button>
          ))}
        </div>
      </div>
      {reason && <Alert tone="warn">{tr("campaigns.pausedBecause", { reason })}</Alert>}
      {!confirm && action.error && <Alert tone="error">{action.error}</Alert>}
      <ProgressBlock locale={locale} progress={progress} />
      <CampaignRecipients locale={locale} id={c.id} counts={progress.counts} />
      <CampaignResults locale={locale} id={c.id} done={progress.done} final={FINAL.has(progress.status)} />
      {confirm && (
        <ConfirmDialog
          locale={locale}
          title={tr("campaigns.cancelTitle", { name: c.name })}
          message={tr("campaigns.cancelText")}
          confirmLabel={tr("campaigns.action.cancel")}
          onConfirm={() => act("cancel")}
          onClose={() => setConfirm(false)}
          action={action}
        />
      )}
    </>
  );
}

/** The bar (a native <progress>, so the CSP needs no inline style), the share, the rate and the counters. */
function ProgressBlock({ locale, progress: p }: { locale: Locale; progress: Progress }) {
  const tr = translator(locale);
  return (
    <div class="stack" data-progress={p.percent}>
      <div class="campaign-progress-head">
        <span data-percent>
          {tr("campaigns.percentDone", { percent: p.percent, done: p.done, total: p.total })}
        </span>
        <span class="muted" data-rate>{tr("campaigns.rate", { n: p.per_minute })}</span>
      </div>
      <progress class="progress" max={100} value={p.percent} aria-label={tr("campaigns.progress")} />
      <dl class="campaign-counters">
        {RECIPIENT_STATES.map((s) => (
          <div key={s} data-count={s}>
            <dt>{tr(`campaigns.counts.${s}`)}</dt>
            <dd>{p.counts[s] ?? 0}</dd>
          </div>
        ))}
      </dl>
    </div>
  );
}
