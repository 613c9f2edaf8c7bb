import { Icon } from "./Icon.tsx";

/** Shown on every panel page while the built-in sandbox engine stands in for WhatsApp. */
export function SandboxBanner({ title, detail }: { title: string; detail: string }) {
  return (
    <div class="sandbox-banner" role="status" data-sandbox-banner>
      <Icon name="alert" />
      <strong>{title}</strong>
      <span class="sandbox-detail">{detail}</span>
    </div>
  );
}
