import { useEffect, useRef } from "preact/hooks";
import * as z from "zod/mini";
import uPlot from "uplot";

export const StatusChartProps = z.object({
  /** Accessible name of the chart (the figure's caption says the same). */
  label: z.string(),
  /** X values: Unix seconds (time axis) or plain indexes with `categories`. */
  x: z.array(z.number()),
  series: z.array(
    z.object({ label: z.string(), values: z.array(z.nullable(z.number())), color: z.string() }),
  ),
  /** Unit shown on the Y axis ("ms", "%", ""). */
  unit: z.string(),
  /** Labels for a category X axis (e.g. service names of the SLA report); omitted: time axis. */
  categories: z.optional(z.array(z.string())),
  height: z.optional(z.number()),
});
type Props = z.infer<typeof StatusChartProps>;

/**
 * A small uPlot chart (response times, SLA, dashboard sends). The server renders an empty figure with
 * the data as a hidden table for screen readers; the browser draws the canvas into it.
 */
export function StatusChart(p: Props) {
  const box = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const el = box.current;
    if (!el) return;
    const categories = p.categories;
    const plot = new uPlot(
      {
        width: Math.max(280, el.clientWidth),
        height: p.height ?? 180,
        legend: { show: p.series.length > 1 },
        scales: { x: { time: !categories }, ...(p.unit === "%" && { y: { range: [0, 100] } }) },
        axes: [
          categories ? { values: (_u, ticks) => ticks.map((i) => categories[i] ?? "") } : {},
          { values: (_u, ticks) => ticks.map((v) => `${v}${p.unit}`), size: 60 },
        ],
        series: [
          {},
          ...p.series.map((s) => ({
            label: s.label,
            stroke: s.color,
            width: 2,
            points: { show: p.x.length < 40 },
            ...(categories && { paths: uPlot.paths.bars!({ size: [0.6] }), fill: s.color }),
          })),
        ],
      },
      [p.x, ...p.series.map((s) => s.values)] as uPlot.AlignedData,
      el,
    );
    const resize = () => plot.setSize({ width: Math.max(280, el.clientWidth), height: p.height ?? 180 });
    addEventListener("resize", resize);
    return () => {
      removeEventListener("resize", resize);
      plot.destroy();
    };
  }, [p]);
  return (
    <figure class="status-chart" aria-label={p.label}>
      <div ref={box} class="status-chart-canvas" data-chart-ready={p.x.length ? "true" : "empty"} />
      <table class="sr-only">
        <caption>{p.label}</caption>
        <tbody>
          {p.x.map((x, i) => (
            <tr key={x}>
              <th scope="row">{p.categories?.[i] ?? new Date(x * 1000).toISOString()}</th>
              {p.series.map((s) => <td key={s.label}>{s.values[i] ?? ""}{p.unit}</td>)}
            </tr>
          ))}
        </tbody>
      </table>
    </figure>
  );
}
