/** `/label/*`, `/call/offer` and `/proxy/*` as Evolution 2.3.7 answers them. */
import type { SandboxContext } from "./context.ts";
import { badRequest, notFound } from "./errors.ts";
import { instanceOf, readBody } from "./guards.ts";
import { toJid } from "./jid.ts";
import type { Handlers } from "./router.ts";
import { dbId, nowIso } from "./state.ts";
import { Checker } from "./validate.ts";

/** The labels WhatsApp Business predefines on a new account (id, name, color index). */
const LABELS: [string, string, number][] = [
  ["1", "New customer", 1],
  ["2", "New order", 2],
  ["3", "Pending payment", 3],
  ["4", "Paid", 4],
  ["5", "Order complete", 5],
];

/** Mounts the label, call and proxy routes. */
export function miscHandlers(ctx: SandboxContext): Handlers {
  return {
    "label/findLabels": (c) =>
      c.json(LABELS.map(([id, name, color]) => ({ color, name, id, predefinedId: id }))),
    "label/handleLabel": async (c) => {
      const instance = instanceOf(c);
      const body = new Checker(await readBody(c)).required("number", "labelId", "action")
        .type("number", "string").type("labelId", "string").oneOf("action", ["add", "remove"]).done();
      const jid = ctx.store.directory.lookup(toJid(body.number as string));
      if (!jid) throw notFound("Number is not on WhatsApp");
      const labels = ctx.store.accountOf(instance).labels;
      const id = body.labelId as string;
      const chats = labels.get(id) ?? new Set<string>();
      labels.set(id, chats);
      if (body.action === "add") {
        chats.add(jid);
        return c.json({ numberJid: jid, labelId: id, add: true });
      }
      chats.delete(jid);
      return c.json({ numberJid: jid, labelId: id, remove: true });
    },
    // 2.3.7 answers without placing a call (its Baileys call is commented out).
    "call/offer": async (c) => {
      const body = new Checker(await readBody(c)).required("number", "callDuration").type("number", "string")
        .type("isVideo", "boolean").type("callDuration", "integer").done();
      return c.json(
        {
          id: "123",
          jid: toJid(body.number as string),
          isVideo: body.isVideo,
          callDuration: body.callDuration,
        },
        201,
      );
    },
    "proxy/set": async (c) => {
      const instance = instanceOf(c);
      const body = new Checker(await readBody(c)).required("enabled", "host", "port", "protocol")
        .type("enabled", "boolean").type("host", "string").type("port", "string").type("protocol", "string")
        .type("username", "string").type("password", "string").notEmpty("enabled", "host", "port", "protocol")
        .done();
      // Evolution tests an enabled proxy by fetching through it; the sandbox has no network to try.
      if (body.enabled === true) throw badRequest("Invalid proxy");
      const account = ctx.store.accountOf(instance);
      const now = nowIso();
      account.proxy = {
        id: (account.proxy?.id as string | undefined) ?? dbId(),
        enabled: false,
        host: body.host,
        port: body.port,
        protocol: body.protocol,
        username: body.username ?? "",
        password: body.password ?? "",
        createdAt: (account.proxy?.createdAt as string | undefined) ?? now,
        updatedAt: now,
        instanceId: instance.id,
      };
      return c.json(account.proxy, 201);
    },
    "proxy/find": (c) => c.json(ctx.store.accountOf(instanceOf(c)).proxy),
  };
}
