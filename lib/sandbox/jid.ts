/**
 * Number → JID normalisation as Evolution does it (contract §5), and the recipient directory that decides
 * which numbers "are on WhatsApp" in the sandbox.
 */

const PASS_THROUGH = ["@g.us", "@s.whatsapp.net", "@lid", "@broadcast"];

/** Turns a `number` field into a JID following Evolution's order of rules. */
export function toJid(input: string): string {
  // A device suffix such as `:12` in `595…:12@s.whatsapp.net` never identifies a different chat.
  let value = input.replace(/:\d+(?=@|$)/, "");
  if (PASS_THROUGH.some((suffix) => value.includes(suffix))) return value.toLowerCase();
  value = value.replace(/[\s+()]/g, "").split(/[:@]/)[0];
  if (value.includes("-") && value.length >= 24) return `${value.replace(/[^\d-]/g, "")}@g.us`;
  const digits = value.replace(/\D/g, "");
  if (digits.length >= 18) return `${digits}@g.us`;
  return `${rewriteCountry(digits)}@s.whatsapp.net`;
}

/** Mexican and Argentinian numbers lose their mobile marker; Brazilian ones may lose the extra 9. */
function rewriteCountry(digits: string): string {
  if (digits.length === 13 && (digits.startsWith("52") || digits.startsWith("54"))) {
    return digits.slice(0, 2) + digits.slice(3);
  }
  return brazilWithoutNine(digits) ?? digits;
}

function brazilWithoutNine(digits: string): string | null {
  if (digits.length !== 13 || !digits.startsWith("55") || digits[4] !== "9") return null;
  const area = Number(digits.slice(2, 4));
  return area >= 31 && Number(digits[5]) >= 7 ? digits.slice(0, 4) + digits.slice(5) : null;
}

/** Brazil: the existence check tries the number with and without the 9. */
export function jidVariants(jid: string): string[] {
  const [user, domain] = jid.split("@");
  if (domain !== "s.whatsapp.net" || !user.startsWith("55") || user.length !== 12) return [jid];
  const area = Number(user.slice(2, 4));
  if (area < 31 || Number(user[4]) < 7) return [jid];
  return [jid, `${user.slice(0, 4)}9${user.slice(4)}@s.whatsapp.net`];
}

export type JidKind = "user" | "group" | "broadcast" | "lid";

/** Classifies a JID the way the send path and whatsappNumbers group their results. */
export function jidKind(jid: string): JidKind {
  if (jid.endsWith("@g.us")) return "group";
  if (jid.endsWith("@broadcast")) return "broadcast";
  if (jid.endsWith("@lid")) return "lid";
  return "user";
}

/**
 * Which JIDs exist. With `known` set, only those users exist; otherwise every user exists except `unknown`.
 * Entries may be written any way a `number` field may, so they go through the same normalisation. Groups
 * exist only when listed (in `groups` or among `known`): the instance "can read their metadata".
 */
export class Directory {
  #known: Set<string> | null;
  #unknown: Set<string>;
  #groups: Set<string>;

  constructor(config: { known?: string[]; unknown?: string[]; groups?: string[] } = {}) {
    const norm = (list: string[] = []) => list.flatMap((n) => jidVariants(toJid(n)));
    this.#known = config.known ? new Set(norm(config.known)) : null;
    this.#unknown = new Set(norm(config.unknown));
    this.#groups = new Set(
      [...norm(config.groups), ...norm(config.known)].filter((j) => j.endsWith("@g.us")),
    );
  }

  /** The matching JID when the user exists (Brazil may answer the other variant), else null. */
  lookup(jid: string): string | null {
    for (const candidate of jidVariants(jid)) {
      if (this.#unknown.has(candidate)) continue;
      if (this.#known === null || this.#known.has(candidate)) return candidate;
    }
    return null;
  }

  /** True when the group is known to the instance. */
  hasGroup(jid: string): boolean {
    return this.#groups.has(jid);
  }

  /** The configuration, for the state dump. */
  describe(): { knownNumbers: string[] | null; unknownNumbers: string[]; groups: string[] } {
    return {
      knownNumbers: this.#known ? [...this.#known] : null,
      unknownNumbers: [...this.#unknown],
      groups: [...this.#groups],
    };
  }
}
