import type { ComponentChildren } from "preact";

/** A page's title, one line saying what it is for, and optional actions on the right. */
export function PageHead(
  { title, lead, children }: { title: string; lead?: string; children?: ComponentChildren },
) {
  return (
    <div class="page-head">
      <div>
        <h1>{title}</h1>
        {lead && <p class="lead">{lead}</p>}
      </div>
      {children && <div class="page-actions">{children}</div>}
    </div>
  );
}
