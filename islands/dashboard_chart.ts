// The dashboard's chart with Chart.js (bar = messages per day, lines = delivery and read rates), imported on
// first use so pages without a chart do not evaluate it. Only the controllers and scales it draws are
// registered. A canvas drawn by script needs no inline style, so the panel's CSP is unchanged.
import type { Chart as ChartType } from "chart.js";

export interface ChartDay {
  day: string;
  count: number;
  delivery_rate: number;
  read_rate: number;
}

export interface ChartLabels {
  messages: string;
  delivery: string;
  read: string;
}

let loading: Promise<typeof import("chart.js")> | null = null;

/** Chart.js with the controllers and scales the panel draws, loaded once on first use. */
export async function chartJs() {
  loading ??= import("chart.js").then((m) => {
    m.Chart.register(
      m.BarController,
      m.BarElement,
      m.LineController,
      m.LineElement,
      m.PointElement,
      m.CategoryScale,
      m.LinearScale,
      m.Tooltip,
      m.Legend,
    );
    return m;
  });
  return await loading;
}

/** Draws (or redraws) the series on `canvas`; returns the chart so the caller can destroy it. */
export async function drawDashboardChart(
  canvas: HTMLCanvasElement,
  days: ChartDay[],
  labels: ChartLabels,
  previous: ChartType | null,
): Promise<ChartType> {
  const { Chart } = await chartJs();
  previous?.destroy();
  return new Chart(canvas, {
    data: {
      labels: days.map((d) => d.day.slice(5)),
      datasets: [
        { type: "bar", label: labels.messages, data: days.map((d) => d.count), yAxisID: "y" },
        { type: "line", label: labels.delivery, data: days.map((d) => d.delivery_rate), yAxisID: "rate" },
        { type: "line", label: labels.read, data: days.map((d) => d.read_rate), yAxisID: "rate" },
      ],
    },
    options: {
      responsive: true,
      maintainAspectRatio: false,
      animation: false,
      scales: {
        y: { beginAtZero: true, position: "left", ticks: { precision: 0 } },
        rate: { min: 0, max: 100, position: "right", grid: { drawOnChartArea: false } },
      },
    },
  });
}
