/**
 * The allowlist of Evolution API v2.3.7 route shapes a non-admin may reach through the gateway
 * (evolution-api.md §3). Anything else is answered 404 without touching the engine; admins may reach
 * every engine path.
 *
 * `kind` drives API-key scopes: "read" (GET and find* queries), "send" (/message/*), "write" (the rest).
 * `handler` names the gateway logic that serves the route; "proxy" forwards it as is.
 * `query` lists the query keys the engine reads for the route (Evolution 2.3.7 source: controllers reading
 * the merged instance object, `groupValidate`, `inviteCodeValidate`, `getParticipantsValidate`,
 * `findChatByRemoteJid`); the forwarded query is rebuilt from these keys only.
 *
 * This one table also drives the sandbox engine's router (lib/sandbox/router.ts mounts a handler for every
 * row and refuses to start when one is missing) and the route walks of the tests, which call each row
 * with its `sample` and expect its `status`, the success status Evolution 2.3.7's router gives.
 */

export type RouteKind = "read" | "send" | "write";
export type RouteHandler =
  | "create"
  | "fetchInstances"
  | "delete"
  | "connect"
  | "send"
  | "engineWebhook"
  | "proxy";

export interface EngineRoute {
  /** Accepted methods; the first is the engine's (restart also takes PUT from v1 clients). */
  methods: string[];
  group: string;
  action: string;
  /** Whether the third path segment is the instance name. */
  instance: boolean;
  kind: RouteKind;
  handler: RouteHandler;
  /** Query keys forwarded to the engine; any other key is refused (400). */
  query: readonly string[];
  /** Admins only (the engine's outbound proxy decides where an instance connects). */
  admin: boolean;
  /** The HTTP status Evolution 2.3.7 answers on success (its routers use 200 or 201 per route). */
  status: 200 | 201;
  /** A valid call of the route, for the walks (tests/sandbox_walk_test.ts, tests/proxy_walk_test.ts). */
  sample: (f: WalkFixture) => RouteSample;
}

/** What a route walk prepares before it calls every route: instances, a recipient, a group, messages. */
export interface WalkFixture {
  /** The open instance most routes act on. */
  instance: string;
  /** A second instance: `instance/create` makes it, the lifecycle routes that would close `instance` use it. */
  spare: string;
  /** A recipient on WhatsApp (digits). */
  number: string;
  /** A group `instance` created and belongs to. */
  group: string;
  /** That group's invite code. */
  inviteCode: string;
  /** The key id of a text message `instance` sent to `number`. */
  messageId: string;
  /** The key id of an image `instance` sent to `number`. */
  mediaId: string;
  /** Raw base64 of a small PNG. */
  image: string;
}

export interface RouteSample {
  /** Which fixture instance the path names; default `instance`. */
  on?: "instance" | "spare";
  query?: Record<string, string>;
  body?: unknown;
  /** Routes that end the instance's session or membership run after every other route. */
  last?: boolean;
}

interface RouteOptions {
  handler?: RouteHandler;
  instance?: boolean;
  query?: readonly string[];
  admin?: boolean;
  status?: 200 | 201;
  sample?: (f: WalkFixture) => RouteSample;
}

const r = (
  method: string | string[],
  path: string,
  kind: RouteKind,
  {
    handler = "proxy",
    instance = true,
    query = [],
    admin = false,
    status = 200,
    sample = () => ({}),
  }: RouteOptions = {},
): EngineRoute => {
  const [group, action] = path.split("/");
  return {
    methods: Array.isArray(method) ? method : [method],
    group,
    action,
    instance,
    kind,
    handler,
    query,
    admin,
    status,
    sample,
  };
};

type Sample = RouteOptions["sample"];
const send = (action: string, sample: Sample) =>
  r("POST", `message/${action}`, "send", { handler: "send", status: 201, sample });
// Evolution's groupValidate takes the group from the body or else `?groupJid=`.
const GROUP = { query: ["groupJid"] };
const INVITE = { query: ["inviteCode"] };
const inGroup = (f: WalkFixture) => ({ query: { groupJid: f.group } });
const jidOf = (f: WalkFixture) => `${f.number}@s.whatsapp.net`;
const sentKey = (f: WalkFixture) => ({ id: f.messageId, remoteJid: jidOf(f), fromMe: true });

export const ENGINE_ROUTES: EngineRoute[] = [
  // instance (§3.1)
  r("POST", "instance/create", "write", {
    handler: "create",
    instance: false,
    status: 201,
    sample: (f) => ({ body: { instanceName: f.spare, integration: "WHATSAPP-BAILEYS" } }),
  }),
  r("GET", "instance/fetchInstances", "read", {
    handler: "fetchInstances",
    instance: false,
    query: ["instanceName", "instanceId", "number"],
  }),
  r("GET", "instance/connect", "write", {
    handler: "connect",
    query: ["number"],
    sample: () => ({ on: "spare" }),
  }),
  r("GET", "instance/connectionState", "read"),
  r(["POST", "PUT"], "instance/restart", "write", { sample: () => ({ on: "spare" }) }),
  r("POST", "instance/setPresence", "write", {
    status: 201,
    sample: () => ({ body: { presence: "available" } }),
  }),
  r("DELETE", "instance/logout", "write", { sample: () => ({ last: true }) }),
  r("DELETE", "instance/delete", "write", { handler: "delete", sample: () => ({ on: "spare", last: true }) }),
  // settings, webhook, proxy (§3.1.9, §3.4)
  r("POST", "settings/set", "write", {
    status: 201,
    sample: () => ({
      body: {
        rejectCall: false,
        groupsIgnore: false,
        alwaysOnline: false,
        readMessages: false,
        readStatus: false,
        syncFullHistory: false,
      },
    }),
  }),
  r("GET", "settings/find", "read"),
  r("POST", "webhook/set", "write", {
    handler: "engineWebhook",
    status: 201,
    sample: () => ({
      body: { webhook: { enabled: false, url: "https://hooks.example.com/wa", events: [] } },
    }),
  }),
  r("GET", "webhook/find", "read", { handler: "engineWebhook" }),
  // The proxy makes the engine connect through any host (and find shows its password): admins only.
  r("POST", "proxy/set", "write", {
    admin: true,
    status: 201,
    sample: () => ({ body: { enabled: false, host: "proxy.example.com", port: "3128", protocol: "http" } }),
  }),
  r("GET", "proxy/find", "read", { admin: true }),
  // message (§3.2): the sends the gateway validates and records
  send("sendText", (f) => ({ body: { number: f.number, text: "walk" } })),
  send("sendMedia", (f) => ({
    body: { number: f.number, mediatype: "image", media: f.image, caption: "walk" },
  })),
  send("sendWhatsAppAudio", (f) => ({ body: { number: f.number, audio: f.image } })),
  send("sendSticker", (f) => ({ body: { number: f.number, sticker: f.image } })),
  send("sendLocation", (f) => ({
    body: { number: f.number, latitude: -25.28, longitude: -57.63, name: "Asunción", address: "Centro" },
  })),
  send("sendContact", (f) => ({
    body: { number: f.number, contact: [{ fullName: "Ana Pérez", phoneNumber: "+595981000123" }] },
  })),
  send("sendReaction", (f) => ({ body: { key: sentKey(f), reaction: "👍" } })),
  send("sendPoll", (f) => ({
    body: { number: f.number, name: "Lunch?", selectableCount: 1, values: ["Yes", "No"] },
  })),
  send("sendList", (f) => ({
    body: {
      number: f.number,
      title: "Menu",
      description: "Pick one",
      footerText: "Sandbox",
      buttonText: "Open",
      sections: [{ title: "Dishes", rows: [{ title: "Soup", rowId: "soup" }] }],
    },
  })),
  send("sendButtons", (f) => ({
    body: {
      number: f.number,
      title: "Confirm",
      description: "Tomorrow at 9",
      footer: "Sandbox",
      buttons: [{ type: "reply", displayText: "Yes", id: "yes" }],
    },
  })),
  send("sendPtv", (f) => ({ body: { number: f.number, video: f.image } })),
  send("sendStatus", (f) => ({
    body: { type: "text", content: "walk", backgroundColor: "#008000", font: 1, statusJidList: [f.number] },
  })),
  // chat (§3.3)
  r("POST", "chat/whatsappNumbers", "write", { sample: (f) => ({ body: { numbers: [f.number] } }) }),
  r("POST", "chat/markMessageAsRead", "write", {
    status: 201,
    sample: (f) => ({ body: { readMessages: [sentKey(f)] } }),
  }),
  r("POST", "chat/archiveChat", "write", {
    status: 201,
    sample: (f) => ({ body: { chat: jidOf(f), archive: true } }),
  }),
  r("POST", "chat/markChatUnread", "write", {
    status: 201,
    sample: (f) => ({ body: { lastMessage: { key: sentKey(f) } } }),
  }),
  r("DELETE", "chat/deleteMessageForEveryone", "write", {
    status: 201,
    sample: (f) => ({ body: sentKey(f) }),
  }),
  r("POST", "chat/fetchProfilePictureUrl", "write", { sample: (f) => ({ body: { number: f.number } }) }),
  r("POST", "chat/getBase64FromMediaMessage", "write", {
    status: 201,
    sample: (f) => ({ body: { message: { key: { id: f.mediaId } } } }),
  }),
  r("POST", "chat/updateMessage", "write", {
    sample: (f) => ({ body: { number: f.number, key: sentKey(f), text: "walk, edited" } }),
  }),
  r("POST", "chat/sendPresence", "write", {
    status: 201,
    sample: (f) => ({ body: { number: f.number, presence: "composing", delay: 1 } }),
  }),
  r("POST", "chat/updateBlockStatus", "write", {
    status: 201,
    sample: (f) => ({ body: { number: f.number, status: "unblock" } }),
  }),
  r("POST", "chat/findContacts", "read"),
  r("POST", "chat/findMessages", "read"),
  r("POST", "chat/findStatusMessage", "read"),
  r("POST", "chat/findChats", "read"),
  r("GET", "chat/findChatByRemoteJid", "read", {
    query: ["remoteJid"],
    sample: (f) => ({ query: { remoteJid: jidOf(f) } }),
  }),
  r("POST", "chat/fetchBusinessProfile", "write", { sample: (f) => ({ body: { number: f.number } }) }),
  r("POST", "chat/fetchProfile", "write", { sample: (f) => ({ body: { number: f.number } }) }),
  r("POST", "chat/updateProfileName", "write", { sample: () => ({ body: { name: "Sandbox walk" } }) }),
  r("POST", "chat/updateProfileStatus", "write", { sample: () => ({ body: { status: "Walking" } }) }),
  r("POST", "chat/updateProfilePicture", "write", { sample: (f) => ({ body: { picture: f.image } }) }),
  r("DELETE", "chat/removeProfilePicture", "write"),
  r("GET", "chat/fetchPrivacySettings", "read"),
  r("POST", "chat/updatePrivacySettings", "write", {
    status: 201,
    sample: () => ({
      body: {
        readreceipts: "all",
        profile: "contacts",
        status: "contacts",
        online: "all",
        last: "contacts",
        groupadd: "contacts",
      },
    }),
  }),
  // group
  r("POST", "group/create", "write", {
    status: 201,
    sample: (f) => ({ body: { subject: "Walk group", participants: [f.number] } }),
  }),
  r("POST", "group/updateGroupSubject", "write", {
    ...GROUP,
    status: 201,
    sample: (f) => ({ ...inGroup(f), body: { subject: "Walk group, renamed" } }),
  }),
  r("POST", "group/updateGroupPicture", "write", {
    ...GROUP,
    status: 201,
    sample: (f) => ({ ...inGroup(f), body: { image: f.image } }),
  }),
  r("POST", "group/updateGroupDescription", "write", {
    ...GROUP,
    status: 201,
    sample: (f) => ({ ...inGroup(f), body: { description: "Where the walk meets" } }),
  }),
  r("GET", "group/findGroupInfos", "read", { ...GROUP, sample: inGroup }),
  r("GET", "group/fetchAllGroups", "read", {
    query: ["getParticipants"],
    sample: () => ({ query: { getParticipants: "false" } }),
  }),
  r("GET", "group/participants", "read", { ...GROUP, sample: inGroup }),
  r("GET", "group/inviteCode", "read", { ...GROUP, sample: inGroup }),
  r("GET", "group/inviteInfo", "read", {
    ...INVITE,
    sample: (f) => ({ query: { inviteCode: f.inviteCode } }),
  }),
  // A GET that joins a group: a write whatever its method.
  r("GET", "group/acceptInviteCode", "write", {
    ...INVITE,
    sample: (f) => ({ query: { inviteCode: f.inviteCode } }),
  }),
  r("POST", "group/sendInvite", "write", {
    sample: (f) => ({ body: { groupJid: f.group, description: "Join us", numbers: [f.number] } }),
  }),
  r("POST", "group/revokeInviteCode", "write", { ...GROUP, status: 201, sample: inGroup }),
  r("POST", "group/updateParticipant", "write", {
    ...GROUP,
    status: 201,
    sample: (f) => ({ ...inGroup(f), body: { action: "promote", participants: [f.number] } }),
  }),
  r("POST", "group/updateSetting", "write", {
    ...GROUP,
    status: 201,
    sample: (f) => ({ ...inGroup(f), body: { action: "locked" } }),
  }),
  r("POST", "group/toggleEphemeral", "write", {
    ...GROUP,
    status: 201,
    sample: (f) => ({ ...inGroup(f), body: { expiration: 0 } }),
  }),
  r("DELETE", "group/leaveGroup", "write", { ...GROUP, sample: (f) => ({ ...inGroup(f), last: true }) }),
  // label, call
  r("GET", "label/findLabels", "read"),
  r("POST", "label/handleLabel", "write", {
    sample: (f) => ({ body: { number: f.number, labelId: "1", action: "add" } }),
  }),
  r("POST", "call/offer", "write", {
    status: 201,
    sample: (f) => ({ body: { number: f.number, isVideo: false, callDuration: 5 } }),
  }),
];

/**
 * First path segments that belong to the engine (Evolution's routers, manager UI and static files).
 * Other paths are never the proxy's business and fall through to the gateway's 404.
 */
export const ENGINE_PREFIXES = new Set(
  [
    "instance",
    "message",
    "chat",
    "group",
    "settings",
    "webhook",
    "proxy",
    "label",
    "call",
    "business",
    "template",
    "chatwoot",
    "typebot",
    "openai",
    "dify",
    "flowise",
    "evolutionBot",
    "evoai",
    "n8n",
    "evolution",
    "websocket",
    "rabbitmq",
    "nats",
    "sqs",
    "pusher",
    "kafka",
    "s3",
    "manager",
    "docs",
    "assets",
    "store",
    "verify-creds",
    "metrics",
  ].map((p) => p.toLowerCase()),
);

/** Engine areas that need an admin session whatever the method (contract §1.8, fixed §14.1-2). */
export const ADMIN_AREAS = new Set(["manager", "docs"]);
