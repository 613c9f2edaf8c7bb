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
}

interface RouteOptions {
  handler?: RouteHandler;
  instance?: boolean;
  query?: readonly string[];
  admin?: boolean;
}

const r = (
  method: string | string[],
  path: string,
  kind: RouteKind,
  { handler = "proxy", instance = true, query = [], admin = false }: RouteOptions = {},
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
  };
};

const send = (action: string) => r("POST", `message/${action}`, "send", { handler: "send" });
// Evolution's groupValidate takes the group from the body or else `?groupJid=`.
const GROUP = { query: ["groupJid"] };
const INVITE = { query: ["inviteCode"] };

export const ENGINE_ROUTES: EngineRoute[] = [
  // instance (§3.1)
  r("POST", "instance/create", "write", { handler: "create", instance: false }),
  r("GET", "instance/fetchInstances", "read", {
    handler: "fetchInstances",
    instance: false,
    query: ["instanceName", "instanceId", "number"],
  }),
  r("GET", "instance/connect", "write", { handler: "connect", query: ["number"] }),
  r("GET", "instance/connectionState", "read"),
  r(["POST", "PUT"], "instance/restart", "write"),
  r("POST", "instance/setPresence", "write"),
  r("DELETE", "instance/logout", "write"),
  r("DELETE", "instance/delete", "write", { handler: "delete" }),
  // settings, webhook, proxy (§3.1.9, §3.4)
  r("POST", "settings/set", "write"),
  r("GET", "settings/find", "read"),
  r("POST", "webhook/set", "write", { handler: "engineWebhook" }),
  r("GET", "webhook/find", "read", { handler: "engineWebhook" }),
  // The proxy makes the engine connect through any host (and find shows its password): admins only.
  r("POST", "proxy/set", "write", { admin: true }),
  r("GET", "proxy/find", "read", { admin: true }),
  // message (§3.2): the sends the gateway validates and records
  ...[
    "sendText",
    "sendMedia",
    "sendWhatsAppAudio",
    "sendSticker",
    "sendLocation",
    "sendContact",
    "sendReaction",
    "sendPoll",
    "sendList",
  ].map(send),
  // chat (§3.3)
  r("POST", "chat/whatsappNumbers", "write"),
  r("POST", "chat/markMessageAsRead", "write"),
  r("POST", "chat/archiveChat", "write"),
  r("POST", "chat/markChatUnread", "write"),
  r("DELETE", "chat/deleteMessageForEveryone", "write"),
  r("POST", "chat/fetchProfilePictureUrl", "write"),
  r("POST", "chat/getBase64FromMediaMessage", "write"),
  r("POST", "chat/updateMessage", "write"),
  r("POST", "chat/sendPresence", "write"),
  r("POST", "chat/updateBlockStatus", "write"),
  r("POST", "chat/findContacts", "read"),
  r("POST", "chat/findMessages", "read"),
  r("POST", "chat/findStatusMessage", "read"),
  r("POST", "chat/findChats", "read"),
  r("GET", "chat/findChatByRemoteJid", "read", { query: ["remoteJid"] }),
  r("POST", "chat/fetchBusinessProfile", "write"),
  r("POST", "chat/fetchProfile", "write"),
  r("POST", "chat/updateProfileName", "write"),
  r("POST", "chat/updateProfileStatus", "write"),
  r("POST", "chat/updateProfilePicture", "write"),
  r("DELETE", "chat/removeProfilePicture", "write"),
  r("GET", "chat/fetchPrivacySettings", "read"),
  r("POST", "chat/updatePrivacySettings", "write"),
  // group
  r("POST", "group/create", "write"),
  r("POST", "group/updateGroupSubject", "write", GROUP),
  r("POST", "group/updateGroupPicture", "write", GROUP),
  r("POST", "group/updateGroupDescription", "write", GROUP),
  r("GET", "group/findGroupInfos", "read", GROUP),
  r("GET", "group/fetchAllGroups", "read", { query: ["getParticipants"] }),
  r("GET", "group/participants", "read", GROUP),
  r("GET", "group/inviteCode", "read", GROUP),
  r("GET", "group/inviteInfo", "read", INVITE),
  // A GET that joins a group: a write whatever its method.
  r("GET", "group/acceptInviteCode", "write", INVITE),
  r("POST", "group/sendInvite", "write"),
  r("POST", "group/revokeInviteCode", "write", GROUP),
  r("POST", "group/updateParticipant", "write", GROUP),
  r("POST", "group/updateSetting", "write", GROUP),
  r("POST", "group/toggleEphemeral", "write", GROUP),
  r("DELETE", "group/leaveGroup", "write", GROUP),
  // label, call
  r("GET", "label/findLabels", "read"),
  r("POST", "label/handleLabel", "write"),
  r("POST", "call/offer", "write"),
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
