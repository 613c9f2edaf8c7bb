import { Icon, type IconName } from "./Icon.tsx";

export type Tone = "neutral" | "ok" | "warn";

interface Props {
  icon: IconName;
  label: string;
  value: string;
  hint: string;
  badge?: { text: string; tone: Tone };
}

/** A tile on an overview grid: what it is, its current value, and one line of context. */
export function StatCard({ icon, label, value, hint, badge }: Props) {
  return (
    <article class="card stat-card">
      <header class="stat-head">
        <span class="stat-icon">
          <Icon name={icon} />
        </span>
        <h2 class="stat-label">{label}</h2>
      </header>
      <p class="stat-value">
        <span>{value}</span>
        {badge && <span class={`badge badge-${badge.tone}`}>{badge.text}</span>}
      </p>
      <p class="stat-hint">{hint}</p>
    </article>
  );
}
