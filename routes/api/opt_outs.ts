// /api/opt-outs: the caller's registry of numbers that asked not to be messaged (not in the contract; the
// issue's item 3), and the stop/start words that inbound messages are matched against.
import { z } from "@hono/zod-openapi";
import { type AppDeps, fail, jsonContent, pageInfo, routeDocs } from "../../lib/core/mod.ts";
import { requireScope } from "../../lib/auth/mod.ts";
import {
  addOptOut,
  DEFAULT_OPT_IN_WORDS,
  DEFAULT_OPT_OUT_WORDS,
  findOptOut,
  keywordsOf,
  listOptOuts,
  MAX_KEYWORD_CHARS,
  MAX_KEYWORDS,
  normalizeKeyword,
  OPT_OUT_REASON_MAX_CHARS,
  optOutNumber,
  type OptOutRow,
  removeOptOut,
  setKeywords,
} from "../../lib/messaging/mod.ts";
import { documented, pageOf, readObject } from "./_manual.ts";
import { tenantRouter } from "./_middleware.ts";

const route = routeDocs({ tag: "Opt-outs" });
const scope = [requireScope("full", "read")];

const OptOut = z.object({
  phone_number: z.string(),
  source: z.enum(["manual", "api", "inbound"]),
  reason: z.string().nullable(),
  created_at: z.string(),
}).openapi("OptOut");
const Words = z.object({
  opt_out_words: z.array(z.string()),
  opt_in_words: z.array(z.string()),
  defaults: z.object({ opt_out_words: z.array(z.string()), opt_in_words: z.array(z.string()) }),
}).openapi("OptOutWords");

const view = (r: OptOutRow) => ({ ...r, created_at: r.created_at.toISOString() });
const wordsView = (w: { optOut: string[]; optIn: string[] }) => ({
  opt_out_words: w.optOut,
  opt_in_words: w.optIn,
  defaults: { opt_out_words: [...DEFAULT_OPT_OUT_WORDS], opt_in_words: [...DEFAULT_OPT_IN_WORDS] },
});

/** A words field of PUT /words: absent, null (the defaults) or a list of usable words. */
function wordList(value: unknown, field: string): string[] | null | undefined {
  if (value === undefined || value === null) return value;
  if (!Array.isArray(value) || value.length > MAX_KEYWORDS) {
    throw fail("opt_out_words_invalid", { field, max: MAX_KEYWORDS });
  }
  for (const word of value) {
    const ok = typeof word === "string" && normalizeKeyword(word) !== "" &&
      [...word].length <= MAX_KEYWORD_CHARS;
    if (!ok) throw fail("opt_out_word_invalid", { field, max: MAX_KEYWORD_CHARS });
  }
  return value as string[];
}

/** /api/opt-outs* (mounted at /api/opt-outs). */
export function optOutRoutes(deps: AppDeps) {
  const { sql } = deps;
  const app = tenantRouter(deps);

  documented(
    app,
    route({
      method: "get",
      path: "/",
      middleware: scope,
      summary: "My opted-out numbers, newest first (paginated; `search` matches part of the number)",
      responses: {
        200: jsonContent(
          z.object({
            opt_outs: z.array(OptOut),
            total: z.number(),
            page: z.number(),
            limit: z.number(),
            pages: z.number(),
          }),
          "Opt-outs",
        ),
      },
      errors: { 400: ["page_invalid", "limit_invalid"] },
    }),
    async (c) => {
      const { page, limit, offset } = pageOf(c.req.query());
      const search = c.req.query("search")?.trim() || undefined;
      const { opt_outs, total } = await listOptOuts(sql, c.var.user.id, search, limit, offset);
      return c.json({ opt_outs: opt_outs.map(view), ...pageInfo(total, page, limit) });
    },
  );

  documented(
    app,
    route({
      method: "post",
      path: "/",
      middleware: scope,
      summary: "Opt a number out by hand (`{phone_number, reason?}`); 200 when it already was",
      responses: {
        201: jsonContent(z.object({ opt_out: OptOut }), "Added"),
        200: jsonContent(z.object({ opt_out: OptOut }), "Already opted out (the first entry stays)"),
      },
      errors: { 400: "phone_number is required / phone rules / reason must be at most 500 characters" },
    }),
    async (c) => {
      const b = await readObject(c);
      const number = optOutNumber(b.phone_number);
      const reason = b.reason ?? null;
      if (reason !== null && typeof reason !== "string") throw fail("field_not_string", { field: "reason" });
      if (reason !== null && [...reason].length > OPT_OUT_REASON_MAX_CHARS) {
        throw fail("field_too_long", { field: "reason", max: OPT_OUT_REASON_MAX_CHARS });
      }
      // The panel (cookie session) records "manual"; API clients "api".
      const source = c.get("authVia") === "cookie" ? "manual" : "api";
      const added = await addOptOut(sql, c.var.user.id, number, source, reason || null);
      const row = await findOptOut(sql, c.var.user.id, number);
      return c.json({ opt_out: view(row!) }, added ? 201 : 200);
    },
  );

  documented(
    app,
    route({
      method: "get",
      path: "/words",
      middleware: scope,
      summary: "My stop words and start words (the defaults until I set my own)",
      responses: { 200: jsonContent(Words, "Words") },
    }),
    async (c) => c.json(wordsView(await keywordsOf(sql, c.var.user.id))),
  );

  documented(
    app,
    route({
      method: "put",
      path: "/words",
      middleware: scope,
      summary: "Set my stop and/or start words (`{opt_out_words?, opt_in_words?}`; null = the defaults)",
      responses: { 200: jsonContent(Words, "Words") },
      errors: { 400: ["opt_out_words_invalid", "opt_out_word_invalid", "opt_out_words_overlap"] },
    }),
    async (c) => {
      const b = await readObject(c);
      const optOut = wordList(b.opt_out_words, "opt_out_words");
      const optIn = wordList(b.opt_in_words, "opt_in_words");
      if (optOut === undefined && optIn === undefined) throw fail("no_fields_to_update");
      const current = await keywordsOf(sql, c.var.user.id);
      const stops = (optOut === undefined ? current.optOut : optOut ?? [...DEFAULT_OPT_OUT_WORDS]).map(
        normalizeKeyword,
      );
      const starts = (optIn === undefined ? current.optIn : optIn ?? [...DEFAULT_OPT_IN_WORDS]).map(
        normalizeKeyword,
      );
      const both = stops.find((w) => starts.includes(w));
      if (both) throw fail("opt_out_words_overlap", { word: both });
      return c.json(wordsView(await setKeywords(sql, c.var.user.id, { optOut, optIn })));
    },
  );

  documented(
    app,
    route({
      method: "delete",
      path: "/{number}",
      middleware: scope,
      summary: "Take a number out of my registry (it may be messaged again)",
      responses: {
        200: jsonContent(z.object({ deleted: z.object({ phone_number: z.string() }) }), "Removed"),
      },
      errors: { 400: "phone rules", 404: ["opt_out_not_found"] },
    }),
    async (c) => {
      const number = optOutNumber(c.req.param("number") ?? "");
      if (!await removeOptOut(sql, c.var.user.id, number)) throw fail("opt_out_not_found");
      return c.json({ deleted: { phone_number: number } });
    },
  );

  return app;
}
