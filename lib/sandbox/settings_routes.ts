/** `/settings/set|find` (contract §3.1.9–§3.1.10). */
import type { SandboxContext } from "./context.ts";
import type { Handlers } from "./router.ts";
import { instanceOf, readBody } from "./guards.ts";
import { nowIso, SETTING_FLAGS, type Settings } from "./state.ts";
import { Checker } from "./validate.ts";

/** Mounts the settings routes. */
export function settingsHandlers(_ctx: SandboxContext): Handlers {
  return {
    "settings/set": async (c) => {
      const instance = instanceOf(c);
      const check = new Checker(await readBody(c)).required(...SETTING_FLAGS);
      for (const flag of SETTING_FLAGS) check.type(flag, "boolean");
      const body = check.type("msgCall", "string").type("wavoipToken", "string").done();
      const next: Settings = {
        rejectCall: body.rejectCall as boolean,
        msgCall: (body.msgCall as string | undefined) ?? "",
        groupsIgnore: body.groupsIgnore as boolean,
        alwaysOnline: body.alwaysOnline as boolean,
        readMessages: body.readMessages as boolean,
        readStatus: body.readStatus as boolean,
        syncFullHistory: body.syncFullHistory as boolean,
        wavoipToken: (body.wavoipToken as string | undefined) ?? "",
      };
      instance.settings = { ...instance.settings, ...next, updatedAt: nowIso() };
      // The answer echoes the request inside a double wrapper, as Evolution does.
      return c.json({ settings: { instanceName: instance.name, settings: body } }, 201);
    },

    "settings/find": (c) => {
      const { id: _id, createdAt: _c, updatedAt: _u, ...settings } = instanceOf(c).settings;
      return c.json(settings);
    },
  };
}
