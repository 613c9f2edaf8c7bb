/**
 * Mutually exclusive choices drawn as one segmented control: radios when it picks a form value, tabs
 * when it picks which panel shows. Each button carries `data-<attr>` = its value (what tests click).
 */
export function SegToggle<V extends string>({ role, label, attr, options, value, onValue }: {
  role: "radio" | "tab";
  label: string;
  attr: string;
  options: readonly (readonly [NoInfer<V>, string])[];
  value: V;
  onValue(value: NoInfer<V>): void;
}) {
  return (
    <div class="seg-toggle" role={role === "radio" ? "radiogroup" : "tablist"} aria-label={label}>
      {options.map(([v, text]) => (
        <button
          key={v}
          type="button"
          role={role}
          {...{ [role === "radio" ? "aria-checked" : "aria-selected"]: value === v ? "true" : "false" }}
          onClick={() => onValue(v)}
          {...{ [`data-${attr}`]: v }}
        >
          {text}
        </button>
      ))}
    </div>
  );
}
