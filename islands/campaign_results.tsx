import type { Chart } from "chart.js";
import { useEffect, useRef, useState } from "preact/hooks";
import type { Locale } from "../lib/core/i18n.ts";
import { drawVariantChart, FUNNEL, type VariantResult } from "./campaign_chart.ts";
import { Alert, Button, translator } from "./ui.tsx";
import { api, useApi } from "./use_api.ts";

// The campaign detail's results: the per-variant funnel (GET /api/campaigns/{id}/results) as a chart and
// as a table (the numbers themselves, for screen readers and tests), and the CSV export of every recipient.

// While sends go on, the funnel is read again at most this often (it joins the ledger: not every event).
const REFRESH_MS = 5000;

export function CampaignResults({ locale, id, done, final }: {
  locale: Locale;
  id: number;
  /** Recipients past the queue: a change means new results to read. */
  done: number;
  final: boolean;
}) {
  const tr = translator(locale);
  const [variants, setVariants] = useState<VariantResult[] | null>(null);
  // Whether what is shown was read after the campaign ended (its final numbers, until receipts come in).
  const [settled, setSettled] = useState(false);
  // Only the latest read is shown: an earlier one answering late must not overwrite it.
  const seq = useRef(0);
  const load = useApi(locale);
  const canvas = useRef<HTMLCanvasElement>(null);
  const chart = useRef<Chart | null>(null);
  const last = useRef(0);

  const read = async () => {
    last.current = Date.now();
    const mine = ++seq.current;
    const r = await load.run(() => api<{ variants: VariantResult[] }>(`/api/campaigns/${id}/results`));
    if (!r || mine !== seq.current) return;
    setVariants(r.variants);
    setSettled(final);
  };
  // Read on open, at the end, and as sends go on (throttled; a trailing read catches the last change).
  useEffect(() => {
    const wait = last.current + REFRESH_MS - Date.now();
    if (final || wait <= 0) {
      read();
      return;
    }
    const timer = setTimeout(read, wait);
    return () => clearTimeout(timer);
  }, [id, done, final]);

  useEffect(() => {
    if (!canvas.current || !variants || variants.length === 0) return;
    const steps = Object.fromEntries(FUNNEL.map((s) => [s, tr(`campaigns.funnel.${s}`)])) as Record<
      typeof FUNNEL[number],
      string
    >;
    drawVariantChart(canvas.current, variants, {
      variant: (n) => tr("campaigns.variantN", { n }),
      steps,
    }, chart.current).then((c) => chart.current = c);
  }, [variants]);
  useEffect(() => () => chart.current?.destroy(), []);

  return (
    <section class="stack" aria-labelledby={`camp-results-${id}`} data-results={settled ? "final" : "live"}>
      <header class="card-head">
        <h3 class="card-title" id={`camp-results-${id}`}>{tr("campaigns.results")}</h3>
        <div class="row-actions">
          <Button small icon="refresh" busy={load.busy} onClick={read}>{tr("ui.refresh")}</Button>
          <a
            class="btn btn-secondary btn-small"
            href={`/api/campaigns/${id}/export`}
            download
            data-action="export"
          >
            {tr("campaigns.export")}
          </a>
        </div>
      </header>
      {load.error && <Alert tone="error">{load.error}</Alert>}
      {variants && variants.length > 0 && (
        <>
          <div class="chart-box">
            <canvas ref={canvas} role="img" aria-label={tr("campaigns.results")} />
          </div>
          <div class="table-wrap">
            <table class="table" data-table="campaign-results">
              <thead>
                <tr>
                  <th scope="col">{tr("campaigns.variant")}</th>
                  <th scope="col">{tr("campaigns.recipients")}</th>
                  {FUNNEL.map((s) => <th key={s} scope="col">{tr(`campaigns.funnel.${s}`)}</th>)}
                  <th scope="col">{tr("campaigns.counts.failed")}</th>
                  <th scope="col">{tr("campaigns.counts.skipped")}</th>
                </tr>
              </thead>
              <tbody>
                {variants.map((v) => (
                  <tr key={v.variant} data-variant={v.variant}>
                    <td class="truncate" title={v.text ?? ""}>
                      {tr("campaigns.variantN", { n: v.variant })}
                    </td>
                    <td>{v.recipients}</td>
                    {FUNNEL.map((s) => <td key={s} data-step={s}>{v[s]}</td>)}
                    <td>{v.failed}</td>
                    <td>{v.skipped}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </>
      )}
    </section>
  );
}
