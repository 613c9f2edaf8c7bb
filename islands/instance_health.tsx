// The instance dialog's campaign health: the ban-risk governor's score, budget and signals (GET
// /api/campaigns/health/{name}) and a Chart.js line chart of the samples of the last 7 days.
import { useEffect, useRef, useState } from "preact/hooks";
import type { Chart } from "chart.js";
import { type Locale, type MessageKey, t } from "../lib/core/i18n.ts";
import { chartJs } from "./dashboard_chart.ts";
import { translator } from "./ui.tsx";
import { api } from "./use_api.ts";

/** GET /api/campaigns/health/{name}. */
export interface InstanceHealthView {
  score: number;
  reason: string | null;
  daily_budget: number | null;
  sent_24h: number;
  age_days: number;
  signals: Record<"samples" | "failed" | "delivered" | "read" | "replied" | "opted_out", number>;
  history: { at: string; score: number; daily_budget: number }[];
}

async function drawHealth(
  canvas: HTMLCanvasElement,
  h: InstanceHealthView,
  locale: Locale,
  prev: Chart | null,
) {
  const { Chart } = await chartJs();
  prev?.destroy();
  const time = (iso: string) =>
    new Date(iso).toLocaleString(locale === "es" ? "es-PY" : "en-US", {
      month: "short",
      day: "numeric",
      hour: "2-digit",
      minute: "2-digit",
    });
  return new Chart(canvas, {
    type: "line",
    data: {
      labels: h.history.map((s) => time(s.at)),
      datasets: [
        { label: t(locale, "health.score"), data: h.history.map((s) => s.score), yAxisID: "score" },
        ...(h.daily_budget === null ? [] : [{
          label: t(locale, "health.budget"),
          data: h.history.map((s) => s.daily_budget),
          yAxisID: "budget",
        }]),
      ],
    },
    options: {
      responsive: true,
      maintainAspectRatio: false,
      animation: false,
      scales: {
        score: { min: 0, max: 100, position: "left" },
        budget: { beginAtZero: true, position: "right", grid: { drawOnChartArea: false }, display: "auto" },
      },
    },
  });
}

const scoreTone = (score: number) => score >= 80 ? "tile-ok" : score >= 50 ? "" : "tile-danger";

/** The score tiles, the signals line and the history chart; nothing when the health cannot be read. */
export function InstanceHealth({ locale, name }: { locale: Locale; name: string }) {
  const tr = translator(locale);
  const [health, setHealth] = useState<InstanceHealthView | null>(null);
  const canvas = useRef<HTMLCanvasElement>(null);
  const chart = useRef<Chart | null>(null);
  useEffect(() => {
    api<InstanceHealthView>(`/api/campaigns/health/${encodeURIComponent(name)}`)
      .then(setHealth)
      .catch(() => setHealth(null));
  }, [name]);
  useEffect(() => {
    if (!health || !canvas.current || health.history.length === 0) return;
    drawHealth(canvas.current, health, locale, chart.current).then((c) => chart.current = c);
  }, [health]);
  useEffect(() => () => chart.current?.destroy(), []);
  if (!health) return null;
  const reason = health.reason ? `health.reason.${health.reason}` as MessageKey : null;
  return (
    <section class="stack" data-instance-health={name}>
      <h3 class="subheading">{tr("health.title")}</h3>
      <div class="tile-row">
        <div class={`tile ${scoreTone(health.score)}`}>
          <span class="tile-value" data-health-score>{health.score}</span>
          <span class="tile-label">{tr("health.score")}</span>
        </div>
        <div class="tile">
          <span class="tile-value">{health.daily_budget ?? tr("health.noBudget")}</span>
          <span class="tile-label">{tr("health.budget")}</span>
        </div>
        <div class="tile">
          <span class="tile-value">{health.sent_24h}</span>
          <span class="tile-label">{tr("health.sent24h")}</span>
        </div>
        <div class="tile">
          <span class="tile-value">{health.age_days}</span>
          <span class="tile-label">{tr("health.age")}</span>
        </div>
      </div>
      {reason && <p class="badge badge-danger">{tr(reason)}</p>}
      <p class="muted">{tr("health.signals", health.signals)}</p>
      {health.history.length === 0 ? <p class="muted">{tr("health.noHistory")}</p> : (
        <div class="chart-box">
          <canvas ref={canvas} role="img" aria-label={tr("health.chartLabel")} />
        </div>
      )}
    </section>
  );
}
