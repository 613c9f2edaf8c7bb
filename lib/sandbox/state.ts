/**
 * The sandbox's "database" and "memory". Evolution keeps an instance's live socket state in memory
 * (`connectionState`) and a slower summary in its DB (`fetchInstances.connectionStatus`); both live on the
 * Instance record as `state` and `connectionStatus` so tests can watch them diverge.
 */
import { Directory } from "./jid.ts";

export type ConnState = "open" | "connecting" | "close";
export type Integration = "WHATSAPP-BAILEYS" | "WHATSAPP-BUSINESS" | "EVOLUTION";
export const INTEGRATIONS: readonly Integration[] = ["WHATSAPP-BAILEYS", "WHATSAPP-BUSINESS", "EVOLUTION"];

export interface Settings {
  rejectCall: boolean;
  msgCall: string;
  groupsIgnore: boolean;
  alwaysOnline: boolean;
  readMessages: boolean;
  readStatus: boolean;
  syncFullHistory: boolean;
  wavoipToken: string;
}

export const SETTING_FLAGS = [
  "rejectCall",
  "groupsIgnore",
  "alwaysOnline",
  "readMessages",
  "readStatus",
  "syncFullHistory",
] as const;

export interface QrState {
  count: number;
  code?: string;
  base64?: string;
  pairingCode: string | null;
}

/** The stored webhook row; its field names differ from the request's (contract §3.4.1). */
export interface WebhookRow {
  id: string;
  url: string;
  headers: Record<string, string> | null;
  enabled: boolean;
  events: string[];
  webhookByEvents: boolean;
  webhookBase64: boolean;
  createdAt: string;
  updatedAt: string;
  instanceId: string;
}

export interface Instance {
  id: string;
  name: string;
  token: string;
  integration: Integration;
  number: string | null;
  businessId: string | null;
  /** DB value, as fetchInstances reports it. */
  connectionStatus: ConnState;
  /** In-memory socket state, as connectionState reports it. */
  state: ConnState;
  statusReason: number;
  /** Whether a socket was ever started in this process: decides how a send on a closed instance fails. */
  hasSocket: boolean;
  /** The connected account; it becomes the envelope's `sender` once the instance was open. */
  wuid: string | null;
  ownerJid: string | null;
  profileName: string | null;
  profilePicUrl: string | null;
  disconnectionReasonCode: number | null;
  disconnectionObject: string | null;
  disconnectionAt: string | null;
  createdAt: string;
  updatedAt: string;
  settings: Settings & { id: string; createdAt: string; updatedAt: string };
  qr: QrState;
  pairingNumber: string | null;
  webhook: WebhookRow | null;
}

export interface MessageKey {
  remoteJid: string;
  fromMe: boolean;
  id: string;
  remoteJidAlt?: string;
  participant?: string;
  addressingMode?: string;
}

export interface StoredMessage {
  id: string;
  key: MessageKey;
  pushName: string | null;
  messageType: string;
  message: Record<string, unknown>;
  messageTimestamp: number;
  instanceId: string;
  source: string;
  contextInfo: unknown;
  status: string;
  voiceNote: boolean;
  /** Ack history, exposed as findMessages' `MessageUpdate`. */
  updates: string[];
  /** The media a send carried as base64, for getBase64FromMediaMessage. */
  mediaBase64?: string;
}

export interface Contact {
  id: string;
  remoteJid: string;
  pushName: string | null;
  profilePicUrl: string | null;
  createdAt: string;
  updatedAt: string;
  instanceId: string;
}

export interface GroupParticipant {
  id: string;
  admin: "superadmin" | "admin" | null;
}

/** A group an instance created or joined (Baileys' GroupMetadata as findGroupInfos prints it). */
export interface Group {
  id: string;
  subject: string;
  subjectOwner: string;
  subjectTime: number;
  creation: number;
  owner: string;
  desc: string;
  descId: string;
  restrict: boolean;
  announce: boolean;
  ephemeralDuration: number;
  participants: GroupParticipant[];
  inviteCode: string;
  pictureUrl: string | null;
}

export type Privacy = Record<"readreceipts" | "profile" | "status" | "online" | "last" | "groupadd", string>;

/** Per-instance account state beyond the connection: groups, blocks, privacy, labels, proxy, profile status. */
export interface AccountState {
  groups: Map<string, Group>;
  blocked: Set<string>;
  privacy: Privacy;
  profileStatus: string;
  /** Label id → the chats it is on. */
  labels: Map<string, Set<string>>;
  proxy: Record<string, unknown> | null;
}

export interface FailRule {
  remaining: number;
  status: number;
  pathPrefix: string;
  body?: unknown;
}

export type AckMode = "auto" | "manual";

/** Defaults the store returns to on reset. */
export interface StoreDefaults {
  knownNumbers?: string[];
  unknownNumbers?: string[];
  ackDelaysMs: [number, number, number];
}

/** Mutable sandbox state; `reset()` returns it to the configured defaults. */
export class SandboxStore {
  instances = new Map<string, Instance>();
  messages = new Map<string, StoredMessage[]>();
  /** Per instance: the distinct chats (remote JIDs) its messages touch, kept as messages are stored so
   * fetchInstances' `_count` costs O(instances), not O(messages). */
  chats = new Map<string, Set<string>>();
  /** Every stored message by its WhatsApp key id (the control routes' acks and replies look them up). */
  byKeyId = new Map<string, StoredMessage>();
  contacts = new Map<string, Map<string, Contact>>();
  accounts = new Map<string, AccountState>();
  directory = new Directory();
  ackMode: AckMode = "auto";
  ackDelaysMs: [number, number, number] = [0, 0, 0];
  latencyMs = 0;
  sendDelayFactor = 1;
  failRules: FailRule[] = [];

  constructor(readonly defaults: StoreDefaults) {
    this.reset();
  }

  /** Forgets everything: instances, messages, chaos settings. */
  reset(): void {
    this.instances.clear();
    this.messages.clear();
    this.chats.clear();
    this.byKeyId.clear();
    this.contacts.clear();
    this.accounts.clear();
    this.directory = new Directory({
      known: this.defaults.knownNumbers,
      unknown: this.defaults.unknownNumbers,
    });
    this.ackMode = "auto";
    this.ackDelaysMs = [...this.defaults.ackDelaysMs];
    this.latencyMs = 0;
    this.sendDelayFactor = 1;
    this.failRules = [];
  }

  /** Messages of an instance, oldest first. */
  messagesOf(instance: Instance): StoredMessage[] {
    let list = this.messages.get(instance.id);
    if (!list) this.messages.set(instance.id, list = []);
    return list;
  }

  /** Appends a message to its instance's list and keeps the chat set and the key-id index in step. */
  addMessage(instance: Instance, message: StoredMessage): void {
    this.messagesOf(instance).push(message);
    let chats = this.chats.get(instance.id);
    if (!chats) this.chats.set(instance.id, chats = new Set());
    chats.add(message.key.remoteJid);
    // The first message stored under a key id wins, as the scan over instances found it before.
    if (!this.byKeyId.has(message.key.id)) this.byKeyId.set(message.key.id, message);
  }

  /** How many messages and distinct chats an instance holds (O(1)). */
  countsOf(instance: Instance): { messages: number; chats: number } {
    return {
      messages: this.messages.get(instance.id)?.length ?? 0,
      chats: this.chats.get(instance.id)?.size ?? 0,
    };
  }

  /** Contacts of an instance keyed by JID. */
  contactsOf(instance: Instance): Map<string, Contact> {
    let map = this.contacts.get(instance.id);
    if (!map) this.contacts.set(instance.id, map = new Map());
    return map;
  }

  /** Groups, blocks, privacy, labels and proxy of an instance. */
  accountOf(instance: Instance): AccountState {
    let account = this.accounts.get(instance.id);
    if (!account) {
      account = {
        groups: new Map(),
        blocked: new Set(),
        // WhatsApp's defaults for a new account.
        privacy: {
          readreceipts: "all",
          profile: "all",
          status: "contacts",
          online: "all",
          last: "all",
          groupadd: "all",
        },
        profileStatus: "Hey there! I am using WhatsApp.",
        labels: new Map(),
        proxy: null,
      };
      this.accounts.set(instance.id, account);
    }
    return account;
  }

  /** Finds a message by its WhatsApp key id across instances. */
  findByKeyId(keyId: string): { instance: Instance; message: StoredMessage } | null {
    const message = this.byKeyId.get(keyId);
    if (!message) return null;
    for (const instance of this.instances.values()) {
      if (instance.id === message.instanceId) return { instance, message };
    }
    return null;
  }

  /** Drops an instance and all its rows. */
  remove(instance: Instance): void {
    this.instances.delete(instance.name);
    for (const m of this.messages.get(instance.id) ?? []) {
      if (this.byKeyId.get(m.key.id) === m) this.byKeyId.delete(m.key.id);
    }
    this.messages.delete(instance.id);
    this.chats.delete(instance.id);
    this.contacts.delete(instance.id);
    this.accounts.delete(instance.id);
  }

  /** Consumes one matching fail rule, if any. */
  takeFailure(path: string): FailRule | null {
    const rule = this.failRules.find((r) => r.remaining > 0 && path.startsWith(r.pathPrefix));
    if (!rule) return null;
    rule.remaining--;
    this.failRules = this.failRules.filter((r) => r.remaining > 0);
    return rule;
  }
}

/** Random upper-case hex. */
export function hex(length: number): string {
  const bytes = crypto.getRandomValues(new Uint8Array(Math.ceil(length / 2)));
  return [...bytes].map((b) => b.toString(16).padStart(2, "0")).join("").slice(0, length).toUpperCase();
}

/** Random decimal digits (fake phone numbers). */
export function digits(length: number): string {
  return [...crypto.getRandomValues(new Uint8Array(length))].map((b) => String(b % 10)).join("");
}

/** A cuid-looking DB id like Prisma's. */
export function dbId(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return "cm" + [...bytes].map((b) => (b % 36).toString(36)).join("").slice(0, 23);
}

/** ISO timestamp for DB columns. */
export function nowIso(): string {
  return new Date().toISOString();
}
