import type { ComponentType } from "preact";
import type * as z from "zod/mini";
import { ApiKeys, ApiKeysProps } from "./ApiKeys.tsx";
import { AuditLog, AuditLogProps } from "./AuditLog.tsx";
import { ChangePasswordForm, ChangePasswordFormProps } from "./ChangePasswordForm.tsx";
import { Instances, InstancesProps } from "./Instances.tsx";
import { LoginForm, LoginFormProps } from "./LoginForm.tsx";
import { LogoutButton, LogoutButtonProps } from "./LogoutButton.tsx";
import { MessageComposer, MessageComposerProps } from "./MessageComposer.tsx";
import { MessageHistory, MessageHistoryProps } from "./MessageHistory.tsx";
import { RecoveryWizard, RecoveryWizardProps } from "./RecoveryWizard.tsx";
import { ScheduledList, ScheduledListProps } from "./ScheduledList.tsx";
import { SessionList, SessionListProps } from "./SessionList.tsx";
import { StatusAdmin, StatusAdminProps } from "./StatusAdmin.tsx";
import { StatusChart, StatusChartProps } from "./StatusChart.tsx";
import { StatusSubscribe, StatusSubscribeProps } from "./StatusSubscribe.tsx";
import { ThemeToggle, ThemeToggleProps } from "./ThemeToggle.tsx";
import { TwoFactor, TwoFactorProps } from "./TwoFactor.tsx";
import { UserDashboard, UserDashboardProps } from "./UserDashboard.tsx";
import { UsersAdmin, UsersAdminProps } from "./UsersAdmin.tsx";
import { Webhooks, WebhooksProps } from "./Webhooks.tsx";
import { Templates, TemplatesProps } from "./Templates.tsx";
import { Contacts, ContactsProps } from "./Contacts.tsx";
import { OptOuts, OptOutsProps } from "./OptOuts.tsx";
// --- operations: workers, backups ---
import { BackupsAdmin, BackupsAdminProps } from "./BackupsAdmin.tsx";
import { WorkersAdmin, WorkersAdminProps } from "./WorkersAdmin.tsx";
import { EnginesAdmin, EnginesAdminProps } from "./EnginesAdmin.tsx";
import { SessionsAdmin, SessionsAdminProps } from "./SessionsAdmin.tsx";
import { Campaigns, CampaignsProps } from "./Campaigns.tsx";

/** An interactive component plus the schema its serialized props must satisfy on both sides of the wire. */
export interface IslandDefinition<P> {
  component: ComponentType<P>;
  props: z.ZodMiniType<P>;
}

const island = <P>(component: ComponentType<P>, props: z.ZodMiniType<P>): IslandDefinition<P> => ({
  component,
  props,
});

/**
 * Every island the browser bundle can hydrate. Adding one: write islands/Name.tsx exporting the component
 * and a zod/mini props schema, then add a line here; `<Island name="Name" props={...}>` renders it.
 * Shared pieces that are not islands live beside them in snake_case modules (ui.tsx with IslandRoot for
 * the root element, use_api.ts, use_form.ts, input_kinds.ts, password.tsx, data_table.tsx with the row
 * cells, paged_list.tsx for every paginated list, seg_toggle.tsx, local_time.tsx), and so do an island's
 * private parts (instance_table.tsx, user_dialog.tsx, …).
 */
export const islands = {
  ThemeToggle: island(ThemeToggle, ThemeToggleProps),
  LogoutButton: island(LogoutButton, LogoutButtonProps),
  LoginForm: island(LoginForm, LoginFormProps),
  ChangePasswordForm: island(ChangePasswordForm, ChangePasswordFormProps),
  RecoveryWizard: island(RecoveryWizard, RecoveryWizardProps),
  TwoFactor: island(TwoFactor, TwoFactorProps),
  SessionList: island(SessionList, SessionListProps),
  ApiKeys: island(ApiKeys, ApiKeysProps),
  UsersAdmin: island(UsersAdmin, UsersAdminProps),
  AuditLog: island(AuditLog, AuditLogProps),
  Instances: island(Instances, InstancesProps),
  MessageComposer: island(MessageComposer, MessageComposerProps),
  MessageHistory: island(MessageHistory, MessageHistoryProps),
  Webhooks: island(Webhooks, WebhooksProps),
  // Scheduled messages (issue 9).
  ScheduledList: island(ScheduledList, ScheduledListProps),
  // templates, contacts, opt-outs.
  Templates: island(Templates, TemplatesProps),
  Contacts: island(Contacts, ContactsProps),
  OptOuts: island(OptOuts, OptOutsProps),
  // --- operations: workers, backups ---
  WorkersAdmin: island(WorkersAdmin, WorkersAdminProps),
  EnginesAdmin: island(EnginesAdmin, EnginesAdminProps),
  BackupsAdmin: island(BackupsAdmin, BackupsAdminProps),
  SessionsAdmin: island(SessionsAdmin, SessionsAdminProps),
  UserDashboard: island(UserDashboard, UserDashboardProps),
  // public status, incidents and maintenance
  StatusChart: island(StatusChart, StatusChartProps),
  StatusAdmin: island(StatusAdmin, StatusAdminProps),
  StatusSubscribe: island(StatusSubscribe, StatusSubscribeProps),
  // Campaigns (issue #10).
  Campaigns: island(Campaigns, CampaignsProps),
};

export type IslandName = keyof typeof islands;
export type IslandProps<N extends IslandName> = z.infer<typeof islands[N]["props"]>;

/** True when `name` (e.g. from a data-island attribute) is a registered island. */
export const isIslandName = (name: unknown): name is IslandName =>
  typeof name === "string" && Object.hasOwn(islands, name);
