/**
 * `/group/*`: groups kept per instance (create, info, participants, invite codes, settings, leave), with
 * Evolution 2.3.7's validators: `groupValidate` takes `groupJid` from the body or else the query (and
 * appends `@g.us`), `inviteCodeValidate` and `getParticipantsValidate` read the query; their schema
 * failures list `{property, message}` objects, unlike `dataValidate`'s nested array.
 */
import type { Context } from "hono";
import type { SandboxContext } from "./context.ts";
import { badRequest, envelope, EvoError, notFound, serverError } from "./errors.ts";
import { instanceOf, readBody, type SandboxEnv, socketDetail } from "./guards.ts";
import { toJid } from "./jid.ts";
import type { Handlers } from "./router.ts";
import { send } from "./send.ts";
import { digits, type Group, hex, type Instance } from "./state.ts";
import { Checker, isObject, type Json } from "./validate.ts";

const NUMERIC_ITEMS = (field: string) => `"${field}" must be an array of numeric strings`;
const ALNUM = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
const PARTICIPANT_ACTIONS = ["add", "remove", "promote", "demote"];
const SETTING_ACTIONS = ["announcement", "not_announcement", "locked", "unlocked"];
const EPHEMERAL = [0, 86400, 604800, 7776000];

/** A fresh invite code: 22 letters and digits, the shape `inviteCodeValidate`'s schema wants. */
function newInviteCode(): string {
  return [...crypto.getRandomValues(new Uint8Array(22))].map((b) => ALNUM[b % ALNUM.length]).join("");
}

/** groupValidate's schema failure: one `{property, message}` object per error. */
function groupSchemaError(errors: string[]): EvoError {
  const items = errors.map((message) => ({
    property: message.startsWith("instance ") ? "instance" : message.split(" ")[0],
    message,
  }));
  return new EvoError(400, envelope(400, items));
}

function checked(check: Checker): Json {
  if (check.errors.length > 0) throw groupSchemaError(check.errors);
  return check.body;
}

/** An array of distinct strings of 10+ digits, like the participants/numbers schemas. */
function numericList(check: Checker, field: string): Checker {
  check.stringArray(field, 1);
  const value = check.body[field];
  if (Array.isArray(value) && value.some((v) => typeof v === "string" && (v.length < 10 || !/\d/.test(v)))) {
    check.errors.push(NUMERIC_ITEMS(field));
  }
  return check;
}

/** groupValidate: the body (JSON or empty) with `groupJid` from the body or the query. */
async function groupBody(c: Context<SandboxEnv>): Promise<Json> {
  const raw = await readBody(c);
  const body = isObject(raw) ? { ...raw } : {};
  let jid = typeof body.groupJid === "string" && body.groupJid ? body.groupJid : c.req.query("groupJid");
  if (!jid) throw badRequest("The group id needs to be informed in the query", 'ex: "groupJid=120362@g.us"');
  if (!jid.endsWith("@g.us")) jid += "@g.us";
  return { ...body, groupJid: jid };
}

/** inviteCodeValidate: the code must be in the query. */
function inviteCodeOf(c: Context<SandboxEnv>): string {
  const code = c.req.query("inviteCode");
  if (!code) {
    throw badRequest(
      "The group invite code id needs to be informed in the query",
      'ex: "inviteCode=F1EX5QZxO181L3TMVP31gY" (Obtained from group join link)',
    );
  }
  checked(new Checker({ inviteCode: code }).pattern("inviteCode", "^[a-zA-Z0-9]{22}$"));
  return code;
}

type Wrap = (detail: string) => EvoError;
const internal = (title: string): Wrap => (detail) => serverError(title, detail);
const missing = (title: string): Wrap => (detail) => new EvoError(404, envelope(404, [title, detail]));
const refused = (title: string): Wrap => (detail) => badRequest(title, detail);

/** The group the instance belongs to, or the service's caught error (Baileys: `item-not-found`). */
function groupOf(
  ctx: SandboxContext,
  instance: Instance,
  jid: string,
  wrap: Wrap,
  method = "groupMetadata",
): Group {
  const detail = socketDetail(instance, method);
  if (detail) throw wrap(detail);
  const group = ctx.store.accountOf(instance).groups.get(jid);
  if (!group) throw wrap("Error: item-not-found");
  return group;
}

/** findGroupInfos / fetchAllGroups item; `participants` only where asked for. */
function groupInfo(group: Group, withParticipants: boolean): Json {
  const { inviteCode: _i, ephemeralDuration: _e, participants, ...rest } = group;
  return {
    ...rest,
    size: participants.length,
    isCommunity: false,
    isCommunityAnnounce: false,
    ...(withParticipants ? { participants } : {}),
  };
}

function createGroup(ctx: SandboxContext, instance: Instance, body: Json): Group {
  const owner = instance.ownerJid ?? "";
  const now = Math.floor(Date.now() / 1000);
  const members = (body.participants as string[]).map(toJid).filter((jid) => ctx.store.directory.lookup(jid));
  const id = `120363${digits(12)}@g.us`;
  const group: Group = {
    id,
    subject: body.subject as string,
    subjectOwner: owner,
    subjectTime: now,
    creation: now,
    owner,
    desc: (body.description as string | undefined) ?? "",
    descId: hex(16),
    restrict: false,
    announce: false,
    ephemeralDuration: 0,
    participants: [
      { id: owner, admin: "superadmin" },
      ...members.map((jid) => ({
        id: jid,
        admin: body.promoteParticipants === true ? "admin" as const : null,
      })),
    ],
    inviteCode: newInviteCode(),
    pictureUrl: null,
  };
  ctx.store.accountOf(instance).groups.set(id, group);
  return group;
}

/** The group an invite code opens, among every instance's groups. */
function groupByInvite(ctx: SandboxContext, code: string): Group | undefined {
  for (const account of ctx.store.accounts.values()) {
    for (const group of account.groups.values()) if (group.inviteCode === code) return group;
  }
  return undefined;
}

/** Mounts the group routes. */
export function groupHandlers(ctx: SandboxContext): Handlers {
  const update = (
    title: string,
    schema: (check: Checker) => Checker,
    apply: (group: Group, body: Json) => Json,
    method = "groupMetadata",
  ) =>
  async (c: Context<SandboxEnv>) => {
    const instance = instanceOf(c);
    const body = checked(schema(new Checker(await groupBody(c))));
    const group = groupOf(ctx, instance, body.groupJid as string, internal(title), method);
    return c.json(apply(group, body), 201);
  };

  return {
    "group/create": async (c) => {
      const instance = instanceOf(c);
      const check = new Checker(await readBody(c)).required("subject", "participants")
        .type("subject", "string").type("description", "string").type("profilePicture", "string")
        .type("promoteParticipants", "boolean").notEmpty("subject", "description", "profilePicture");
      const body = numericList(check, "participants").done();
      const detail = socketDetail(instance, "groupCreate");
      if (detail) throw serverError("Error creating group", detail);
      return c.json(groupInfo(createGroup(ctx, instance, body), true), 201);
    },
    "group/updateGroupSubject": update(
      "Error updating group subject",
      (k) => k.required("groupJid", "subject").type("subject", "string").notEmpty("groupJid", "subject"),
      (group, body) => {
        group.subject = body.subject as string;
        group.subjectTime = Math.floor(Date.now() / 1000);
        return { update: "success" };
      },
    ),
    "group/updateGroupPicture": update(
      "Error update group picture",
      (k) => k.required("groupJid", "image").type("image", "string").notEmpty("groupJid", "image"),
      (group, body) => {
        const image = body.image as string;
        if (!/^https?:\/\//.test(image) && !/^[A-Za-z0-9+/]+={0,2}$/.test(image)) {
          throw serverError(
            "Error update group picture",
            'BadRequestException: "profilePicture" must be a url or a base64',
          );
        }
        group.pictureUrl = `https://pps.whatsapp.net/v/sandbox/${crypto.randomUUID()}.jpg`;
        return { update: "success" };
      },
    ),
    "group/updateGroupDescription": update(
      "Error updating group description",
      (k) =>
        k.required("groupJid", "description").type("description", "string").notEmpty(
          "groupJid",
          "description",
        ),
      (group, body) => {
        group.desc = body.description as string;
        group.descId = hex(16);
        return { update: "success" };
      },
    ),
    "group/findGroupInfos": async (c) => {
      const body = checked(new Checker(await groupBody(c)).pattern("groupJid", "^[\\d-]+@g.us$"));
      const group = groupOf(ctx, instanceOf(c), body.groupJid as string, missing("Error fetching group"));
      return c.json(groupInfo(group, true));
    },
    "group/fetchAllGroups": (c) => {
      const instance = instanceOf(c);
      const wanted = c.req.query("getParticipants");
      if (!wanted) throw badRequest("The getParticipants needs to be informed in the query");
      checked(new Checker({ getParticipants: wanted }).oneOf("getParticipants", ["true", "false"]));
      const detail = socketDetail(instance, "groupFetchAllParticipating");
      // No try/catch around this call in Evolution: a plain-string 500.
      if (detail) throw new EvoError(500, envelope(500, detail.replace(/^\w+: /, "")));
      const groups = [...ctx.store.accountOf(instance).groups.values()];
      return c.json(groups.map((g) => groupInfo(g, wanted === "true")));
    },
    "group/participants": async (c) => {
      const instance = instanceOf(c);
      const body = checked(new Checker(await groupBody(c)).pattern("groupJid", "^[\\d-]+@g.us$"));
      const group = groupOf(ctx, instance, body.groupJid as string, missing("No participants"));
      const contacts = ctx.store.contactsOf(instance);
      const participants = group.participants.map((p) => ({
        ...p,
        name: contacts.get(p.id)?.pushName ?? undefined,
        imgUrl: contacts.get(p.id)?.profilePicUrl ?? undefined,
      }));
      return c.json({ participants });
    },
    "group/inviteCode": async (c) => {
      const body = checked(new Checker(await groupBody(c)).pattern("groupJid", "^[\\d-]+@g.us$"));
      const group = groupOf(
        ctx,
        instanceOf(c),
        body.groupJid as string,
        missing("No invite code"),
        "groupInviteCode",
      );
      return c.json({
        inviteUrl: `https://chat.whatsapp.com/${group.inviteCode}`,
        inviteCode: group.inviteCode,
      });
    },
    "group/inviteInfo": (c) => {
      const instance = instanceOf(c);
      const code = inviteCodeOf(c);
      const group = groupByInvite(ctx, code);
      if (socketDetail(instance, "groupGetInviteInfo") || !group) {
        throw new EvoError(404, envelope(404, ["No invite info", code]));
      }
      return c.json(groupInfo(group, true));
    },
    "group/acceptInviteCode": (c) => {
      const instance = instanceOf(c);
      const code = inviteCodeOf(c);
      const detail = socketDetail(instance, "groupAcceptInvite");
      const group = groupByInvite(ctx, code);
      if (detail || !group) {
        throw new EvoError(404, envelope(404, ["Accept invite error", detail ?? "Error: not-authorized"]));
      }
      const me = instance.ownerJid ?? "";
      if (!group.participants.some((p) => p.id === me)) group.participants.push({ id: me, admin: null });
      ctx.store.accountOf(instance).groups.set(group.id, group);
      return c.json({ accepted: true, groupJid: group.id });
    },
    "group/sendInvite": async (c) => {
      const instance = instanceOf(c);
      const check = new Checker(await readBody(c)).required("groupJid", "description", "numbers")
        .type("groupJid", "string").type("description", "string").notEmpty(
          "groupJid",
          "description",
          "numbers",
        );
      const body = checked(numericList(check, "numbers"));
      // Evolution swallows every failure of this route into one 404 without details.
      const group = ctx.store.accountOf(instance).groups.get(body.groupJid as string);
      if (socketDetail(instance, "groupInviteCode") || !group) throw notFound("No send invite");
      const inviteUrl = `https://chat.whatsapp.com/${group.inviteCode}`;
      const text = `${body.description}\n\n${inviteUrl}`;
      // Evolution swallows a failed send here too.
      try {
        for (const number of body.numbers as string[]) {
          await send(ctx, instance, number, 0, {
            messageType: "conversation",
            message: { conversation: text },
          });
        }
      } catch {
        throw notFound("No send invite");
      }
      return c.json({ send: true, inviteUrl });
    },
    "group/revokeInviteCode": update(
      "Revoke error",
      (k) => k.pattern("groupJid", "^[\\d-]+@g.us$"),
      (group) => {
        group.inviteCode = newInviteCode();
        return { revoked: true, inviteCode: group.inviteCode };
      },
      "groupRevokeInvite",
    ),
    "group/updateParticipant": async (c) => {
      const instance = instanceOf(c);
      const check = new Checker(await groupBody(c)).required("groupJid", "action", "participants")
        .oneOf("action", PARTICIPANT_ACTIONS).notEmpty("groupJid", "action");
      const body = checked(numericList(check, "participants"));
      const group = groupOf(ctx, instance, body.groupJid as string, refused("Error updating participants"));
      const result = (body.participants as string[]).map((n) =>
        updateParticipant(group, toJid(n), body.action as string)
      );
      return c.json({ updateParticipants: result }, 201);
    },
    "group/updateSetting": async (c) => {
      const instance = instanceOf(c);
      const body = checked(
        new Checker(await groupBody(c)).required("groupJid", "action").oneOf("action", SETTING_ACTIONS)
          .notEmpty("groupJid", "action"),
      );
      const group = groupOf(ctx, instance, body.groupJid as string, refused("Error updating setting"));
      const action = body.action as string;
      if (action.endsWith("announcement")) group.announce = action === "announcement";
      else group.restrict = action === "locked";
      return c.json({ updateSetting: undefined }, 201);
    },
    "group/toggleEphemeral": async (c) => {
      const instance = instanceOf(c);
      const check = new Checker(await groupBody(c)).required("groupJid", "expiration").type(
        "expiration",
        "number",
      );
      const expiration = check.body.expiration;
      if (typeof expiration === "number" && !EPHEMERAL.includes(expiration)) {
        check.errors.push(`expiration is not one of enum values: ${EPHEMERAL.join(",")}`);
      }
      const body = checked(check);
      const group = groupOf(ctx, instance, body.groupJid as string, refused("Error updating setting"));
      group.ephemeralDuration = expiration as number;
      return c.json({ success: true }, 201);
    },
    "group/leaveGroup": async (c) => {
      const instance = instanceOf(c);
      const body = await groupBody(c);
      const jid = body.groupJid as string;
      const group = groupOf(ctx, instance, jid, refused("Unable to leave the group"), "groupLeave");
      group.participants = group.participants.filter((p) => p.id !== instance.ownerJid);
      ctx.store.accountOf(instance).groups.delete(jid);
      return c.json({ groupJid: jid, leave: true });
    },
  };
}

/** Baileys' per-participant result: status 200, or 409 (already in), 404 (not a member), 403 (not allowed). */
function updateParticipant(group: Group, jid: string, action: string): Json {
  const member = group.participants.find((p) => p.id === jid);
  let status = "200";
  if (action === "add") {
    if (member) status = "409";
    else group.participants.push({ id: jid, admin: null });
  } else if (!member) status = "404";
  else if (member.admin === "superadmin") status = "403";
  else if (action === "remove") group.participants = group.participants.filter((p) => p.id !== jid);
  else member.admin = action === "promote" ? "admin" : null;
  return { status, jid, content: { tag: "participant", attrs: { jid } } };
}
