/**
 * Injected answers to interactive messages the instance sent. In 2.3.7 a poll vote never becomes a
 * message: Baileys decrypts it into the poll's `pollUpdates`, and Evolution emits MESSAGES_UPDATE with the
 * aggregated votes (`[{name, voters}]`). A list choice or a button press arrives as an ordinary received
 * message (`listResponseMessage`, `interactiveResponseMessage`) quoting the original.
 */
import type { SandboxContext } from "./context.ts";
import { badRequest, envelope, EvoError } from "./errors.ts";
import { injectInbound } from "./inbound.ts";
import { toJid } from "./jid.ts";
import type { Instance, StoredMessage } from "./state.ts";
import { isObject, type Json } from "./validate.ts";

export interface ReplyInput {
  /** The answering number; default the chat's. */
  from?: string;
  pushName?: string;
  /** Poll: the option names voted for ([] takes a vote back). List: one rowId. Buttons: one button id. */
  selected: string[];
}

/** Each poll's votes by voter JID (a later vote of the same voter replaces the earlier one). */
const votes = new WeakMap<StoredMessage, Map<string, string[]>>();

function conflict(message: string): EvoError {
  return new EvoError(409, envelope(409, [message]));
}

function pollOf(message: StoredMessage): Json | null {
  const poll = message.message.pollCreationMessageV3 ?? message.message.pollCreationMessage;
  return isObject(poll) ? poll : null;
}

function vote(
  ctx: SandboxContext,
  instance: Instance,
  message: StoredMessage,
  poll: Json,
  voter: string,
  input: ReplyInput,
) {
  const names = (poll.options as { optionName: string }[]).map((o) => o.optionName);
  const unknown = input.selected.filter((s) => !names.includes(s));
  if (unknown.length > 0) throw badRequest(`Not an option of this poll: ${unknown.join(", ")}`);
  const max = Number(poll.selectableOptionsCount) || names.length;
  if (input.selected.length > max) throw badRequest(`This poll takes at most ${max} options`);
  const byVoter = votes.get(message) ?? new Map<string, string[]>();
  votes.set(message, byVoter);
  byVoter.set(voter, input.selected);
  const pollUpdates = names.map((name) => ({
    name,
    voters: [...byVoter].filter(([, chosen]) => chosen.includes(name)).map(([jid]) => jid),
  }));
  const data = {
    keyId: message.key.id,
    remoteJid: message.key.remoteJid,
    fromMe: message.key.fromMe,
    status: message.status,
    pollUpdates,
    instanceId: instance.id,
    messageId: message.id,
  };
  ctx.events.emit(instance, "MESSAGES_UPDATE", data);
  return data;
}

function quoting(message: StoredMessage) {
  return { stanzaId: message.key.id, participant: message.key.remoteJid, quotedMessage: message.message };
}

function listReply(message: StoredMessage, list: Json, rowId: string): Record<string, unknown> {
  const rows = (list.sections as Json[]).flatMap((s) => (Array.isArray(s.rows) ? s.rows as Json[] : []));
  const row = rows.find((r) => r.rowId === rowId);
  if (!row) throw badRequest(`Not a row of this list: ${rowId}`);
  return {
    listResponseMessage: {
      title: row.title,
      listType: "SINGLE_SELECT",
      singleSelectReply: { selectedRowId: rowId },
      contextInfo: quoting(message),
    },
  };
}

function buttonReply(message: StoredMessage, id: string): Record<string, unknown> {
  const inner = (message.message.viewOnceMessage as Json).message as Json;
  const flow = (inner.interactiveMessage as Json).nativeFlowMessage as Json;
  const buttons = (flow.buttons as Json[]).map((b) => JSON.parse(String(b.buttonParamsJson)) as Json);
  const button = buttons.find((b) => b.id === id && b.type === "reply");
  if (!button) throw badRequest(`Not a reply button of this message: ${id}`);
  const params = JSON.stringify({ id });
  return {
    interactiveResponseMessage: {
      body: { text: button.displayText, format: "DEFAULT" },
      nativeFlowResponseMessage: { name: "quick_reply", paramsJson: params, version: 3 },
      contextInfo: quoting(message),
    },
  };
}

/** Answers a sent poll, list or buttons message; 409 for any other message. */
export function injectReply(
  ctx: SandboxContext,
  instance: Instance,
  message: StoredMessage,
  input: ReplyInput,
): { update: Json } | { received: StoredMessage } {
  if (instance.state !== "open") throw conflict(`The "${instance.name}" instance is not open`);
  if (!message.key.fromMe) throw conflict("Only messages the instance sent can be answered");
  const from = input.from ?? message.key.remoteJid;
  const poll = pollOf(message);
  if (poll) return { update: vote(ctx, instance, message, poll, toJid(from), input) };
  if (input.selected.length !== 1) throw badRequest("A list or buttons reply selects exactly one item");
  const list = message.message.listMessage;
  const reply = isObject(list)
    ? listReply(message, list, input.selected[0])
    : message.messageType === "viewOnceMessage"
    ? buttonReply(message, input.selected[0])
    : null;
  if (!reply) throw conflict("Only polls, lists and buttons messages can be answered");
  const messageType = Object.keys(reply)[0];
  return {
    received: injectInbound(ctx, instance, { from, pushName: input.pushName, message: reply, messageType }),
  };
}
