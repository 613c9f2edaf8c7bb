import type { Locale } from "../lib/core/i18n.ts";
import { phoneOfJid } from "./gateway_rules.ts";
import type { Action, InstanceItem } from "./Instances.tsx";
import { StateBadge } from "./state_badge.tsx";
import { ActionsCell, DataTable, DateCell } from "./data_table.tsx";
import { Button, EmptyState, IconButton, translator } from "./ui.tsx";

/** The instances table: state, phone, and each row's connect/disconnect, restart, details and delete. */
export function InstanceTable({ locale, items, sandbox, restarting, onAction, onRestart }: {
  locale: Locale;
  items: InstanceItem[];
  sandbox: boolean;
  /** The instance being restarted, if any. */
  restarting: string | null;
  onAction(action: Action): void;
  onRestart(name: string): void;
}) {
  const tr = translator(locale);
  return (
    <DataTable
      locale={locale}
      name="instances"
      rows={items.length}
      empty={
        <EmptyState
          icon="server"
          title={tr("inst.empty")}
          text={tr(sandbox ? "inst.emptySandbox" : "inst.emptyHint")}
        />
      }
      columns={[tr("inst.name"), tr("inst.state"), tr("inst.phone"), tr("inst.createdAt")]}
    >
      {items.map((i) => (
        <tr key={i.name} data-instance-row={i.name}>
          <td>
            <span class="cell-stack">
              <button
                type="button"
                class="link-button"
                onClick={() => onAction({ kind: "detail", name: i.name })}
              >
                <strong>{i.name}</strong>
              </button>
              {i.granted && (
                <span class="muted">
                  {tr(i.canDelete ? "inst.ownedBy" : "inst.sharedBy", { owner: i.owner })}
                </span>
              )}
            </span>
          </td>
          <td>
            <StateBadge locale={locale} state={i.state} />
          </td>
          <td>
            {phoneOfJid(i.ownerJid)
              ? (
                <span class="cell-stack">
                  <code>{phoneOfJid(i.ownerJid)}</code>
                  {i.profileName && <span class="muted">{i.profileName}</span>}
                </span>
              )
              : <span class="muted">—</span>}
          </td>
          <DateCell iso={i.createdAt} locale={locale} dateOnly />
          <ActionsCell>
            {i.state === "open"
              ? (
                <Button
                  small
                  onClick={() => onAction({ kind: "logout", name: i.name })}
                  data-action="logout"
                >
                  {tr("inst.disconnect")}
                </Button>
              )
              : (
                <Button
                  small
                  variant="primary"
                  icon="bolt"
                  onClick={() => onAction({ kind: "connect", name: i.name })}
                  data-action="connect"
                >
                  {tr("inst.connect")}
                </Button>
              )}
            <Button
              small
              variant="ghost"
              icon="refresh"
              busy={restarting === i.name}
              onClick={() => onRestart(i.name)}
              data-action="restart"
              title={tr("inst.restartHint")}
            >
              {tr("inst.restart")}
            </Button>
            <Button
              small
              variant="ghost"
              icon="eye"
              onClick={() => onAction({ kind: "detail", name: i.name })}
              data-action="detail"
            >
              {tr("inst.details")}
            </Button>
            {i.canDelete && (
              <IconButton
                icon="trash"
                danger
                label={tr("inst.deleteNamed", { name: i.name })}
                title={tr("inst.delete")}
                onClick={() => onAction({ kind: "delete", name: i.name })}
                data-action="delete"
              />
            )}
          </ActionsCell>
        </tr>
      ))}
    </DataTable>
  );
}
