import { useEffect, useRef, useState } from "preact/hooks";
import * as z from "zod/mini";
import type { Chart } from "chart.js";
import { LOCALES } from "../lib/core/i18n.ts";
import { drawDashboardChart } from "./dashboard_chart.ts";
import { SegToggle } from "./seg_toggle.tsx";
import { api, ApiError } from "./use_api.ts";
import { Alert, IslandRoot, translator } from "./ui.tsx";

const Day = z.object({
  day: z.string(),
  count: z.number(),
  sent: z.number(),
  delivered: z.number(),
  read: z.number(),
  failed: z.number(),
  delivery_rate: z.number(),
  read_rate: z.number(),
});

export const UserDashboardProps = z.object({
  locale: z.enum(LOCALES),
  daily: z.array(Day),
});
type Props = z.infer<typeof UserDashboardProps>;
type DayRow = z.infer<typeof Day>;

const RANGES = ["7", "30", "90"] as const;
type Range = typeof RANGES[number];

/** "My dashboard" chart: messages per day with delivery and read rates, over 7, 30 or 90 days. */
export function UserDashboard({ locale, daily }: Props) {
  const tr = translator(locale);
  const [range, setRange] = useState<Range>("7");
  const [days, setDays] = useState<DayRow[]>(daily);
  const [error, setError] = useState<string | null>(null);
  const canvas = useRef<HTMLCanvasElement>(null);
  const chart = useRef<Chart | null>(null);

  useEffect(() => {
    if (!canvas.current) return;
    const labels = {
      messages: tr("dash.messages"),
      delivery: tr("dash.deliveryRate"),
      read: tr("dash.readRate"),
    };
    drawDashboardChart(canvas.current, days, labels, chart.current).then((c) => chart.current = c);
  }, [days]);
  useEffect(() => () => chart.current?.destroy(), []);

  const pick = async (r: Range) => {
    setRange(r);
    try {
      const body = await api<{ daily: DayRow[] }>(`/api/user/dashboard?days=${r}`);
      setDays(body.daily);
      setError(null);
    } catch (err) {
      setError(err instanceof ApiError ? err.message : String(err));
    }
  };

  return (
    <IslandRoot as="section" class="card stack" root="dashboard" aria-labelledby="dash-chart-title">
      <div class="section-head">
        <h2 class="card-title" id="dash-chart-title">{tr("dash.chartTitle")}</h2>
        <SegToggle
          role="radio"
          label={tr("dash.range")}
          attr="range"
          options={RANGES.map((r) => [r, tr("dash.days", { n: r })] as const)}
          value={range}
          onValue={pick}
        />
      </div>
      {error && <Alert tone="error">{error}</Alert>}
      <div class="chart-box">
        <canvas ref={canvas} role="img" aria-label={tr("dash.chartTitle")} />
      </div>
      <table class="sr-only" data-dashboard-days>
        <caption>{tr("dash.chartTitle")}</caption>
        <tbody>
          {days.map((d) => (
            <tr key={d.day}>
              <th scope="row">{d.day}</th>
              <td>{d.count}</td>
              <td>{d.delivery_rate}%</td>
              <td>{d.read_rate}%</td>
            </tr>
          ))}
        </tbody>
      </table>
    </IslandRoot>
  );
}
