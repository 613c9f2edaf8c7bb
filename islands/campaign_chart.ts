// The per-variant funnel of a campaign as grouped bars (Chart.js, loaded on first use like the dashboard's
// chart): one group per variant, one bar per step sent → delivered → read → replied → opted out.
import type { Chart as ChartType } from "chart.js";

export interface VariantResult {
  variant: number;
  text: string | null;
  recipients: number;
  sent: number;
  delivered: number;
  read: number;
  replied: number;
  failed: number;
  skipped: number;
  opted_out: number;
}

export const FUNNEL = ["sent", "delivered", "read", "replied", "opted_out"] as const;

let loading: Promise<typeof import("chart.js")> | null = null;

async function chartJs() {
  loading ??= import("chart.js").then((m) => {
    // Colors: a distinct colour per funnel step without a palette of our own.
    m.Chart.register(
      m.BarController,
      m.BarElement,
      m.CategoryScale,
      m.LinearScale,
      m.Tooltip,
      m.Legend,
      m.Colors,
    );
    return m;
  });
  return await loading;
}

/** Draws (or redraws) the funnel on `canvas`; returns the chart so the caller can destroy it. */
export async function drawVariantChart(
  canvas: HTMLCanvasElement,
  variants: VariantResult[],
  labels: { variant(n: number): string; steps: Record<typeof FUNNEL[number], string> },
  previous: ChartType | null,
): Promise<ChartType> {
  const { Chart } = await chartJs();
  previous?.destroy();
  return new Chart(canvas, {
    type: "bar",
    data: {
      labels: variants.map((v) => labels.variant(v.variant)),
      datasets: FUNNEL.map((step) => ({ label: labels.steps[step], data: variants.map((v) => v[step]) })),
    },
    options: {
      responsive: true,
      maintainAspectRatio: false,
      animation: false,
      scales: { y: { beginAtZero: true, ticks: { precision: 0 } } },
    },
  });
}
