// /api/campaigns (issue #10): server-side campaigns. Create (numbers and/or contact lists, a template or up
// to 5 variants, optional media, start now or at a time), list, read with counts, pause / resume / cancel /
// start, the recipients page, the per-variant funnel, the CSV of results, and live progress over SSE. The
// sends themselves happen only in the dispatcher (lib/campaigns/dispatch.ts), never in a request.
import { z } from "@hono/zod-openapi";
import { streamSSE } from "hono/streaming";
import {
  type AppDeps,
  fail,
  idOr404,
  idPath,
  jsonBody,
  jsonContent,
  onePage,
  PageInfo,
  pageParams,
  PageQuery,
  refuseIssue,
  routeDocs,
} from "../../lib/core/mod.ts";
import { requireScope } from "../../lib/auth/mod.ts";
import { assertReachable, idempotent, validateInstanceName } from "../../lib/gateway/mod.ts";
import {
  budgetUse,
  type CampaignAction,
  campaignView,
  changeCampaign,
  checkCampaignBody,
  createCampaign,
  exportResultsCsv,
  findCampaign,
  governorVerdict,
  healthHistory,
  instanceHealth,
  instanceSignals,
  listCampaignViews,
  pageRecipients,
  progressOf,
  RECIPIENT_STATES,
  recipientCounts,
  type RecipientState,
  resolveCampaign,
  RESULTS_CSV_HEADER,
  type Signals,
  variantResults,
} from "../../lib/campaigns/mod.ts";
import { tenantRouter } from "./_middleware.ts";

const CreateCampaignBody = z.preprocess(
  (body, ctx) => {
    const checked = checkCampaignBody(body);
    return checked.ok ? body : refuseIssue(ctx, checked.code, checked.params);
  },
  z.object({
    name: z.string().openapi({ example: "Promo mayo" }),
    instance: z.string().openapi({ example: "ventas" }),
    numbers: z.array(z.string()).optional().openapi({ description: "Up to 100,000 numbers" }),
    contact_list_ids: z.array(z.number().int()).optional().openapi({ description: "Up to 20 of my lists" }),
    csv: z.string().optional().openapi({
      description: "A CSV file's text (UTF-8, BOM ok, `,` or `;`), up to 100,000 rows; columns other than " +
        "the number and the name become the recipient's variables. A file that cannot be read is a 400.",
      example: "telefono;nombre;deuda\n595981100000;Ana;120000",
    }),
    csv_number_column: z.string().optional().openapi({ description: "Default: number / phone / telefono …" }),
    csv_name_column: z.string().optional().openapi({ description: "Default: name / nombre …" }),
    template_id: z.number().int().optional().openapi({ description: "One of my templates (or variants)" }),
    variants: z.array(z.string()).optional().openapi({
      description: "1-5 texts with {{variables}}; each recipient gets one at random",
      example: ["Hola {{name}}!", "Buen día {{name}}"],
    }),
    media_url: z.string().optional().openapi({ description: "A public https URL; the text is its caption" }),
    media_type: z.enum(["image", "document", "video", "audio"]).optional(),
    start_at: z.string().optional().openapi({
      description: "ISO 8601 with an offset; default now",
      example: "2026-05-01T09:00:00-03:00",
    }),
    draft: z.boolean().optional().openapi({ description: "Keep it as a draft until POST /{id}/start" }),
    pacing: z.object({
      min_gap_s: z.number().int().optional().openapi({ description: "default 8" }),
      max_gap_s: z.number().int().optional().openapi({ description: "default 20" }),
      long_pause_every: z.number().int().optional(),
      long_pause_s: z.number().int().optional(),
      daily_cap: z.number().int().optional().openapi({ description: "Campaign sends per instance and day" }),
      quiet_start: z.string().optional().openapi({ example: "21:00" }),
      quiet_end: z.string().optional().openapi({ example: "08:00" }),
      time_zone: z.string().optional().openapi({ example: "America/Asuncion" }),
      quiet_hours_zone: z.enum(["campaign", "recipient"]).optional().openapi({
        description:
          "Quiet hours in time_zone (default) or in each recipient's zone, from the number's country",
      }),
      typing_ms: z.number().int().optional().openapi({
        description: "Typing shown before each send (0-30000 ms)",
      }),
    }).optional(),
  }),
).openapi("CreateCampaign");

const Counts = z.object(Object.fromEntries(RECIPIENT_STATES.map((s) => [s, z.number().int()])));

const CampaignSchema = z.object({
  id: z.number().int(),
  name: z.string(),
  instance: z.string(),
  status: z.string(),
  status_reason: z.string().nullable(),
  variants: z.array(z.string()),
  media_url: z.string().nullable(),
  media_type: z.string().nullable(),
  start_at: z.string(),
  pacing: z.record(z.string(), z.unknown()),
  created_at: z.string(),
  started_at: z.string().nullable(),
  finished_at: z.string().nullable(),
}).openapi("Campaign");

const CsvReportSchema = z.object({
  rows: z.number().int(),
  accepted: z.number().int(),
  invalid: z.number().int(),
  duplicate: z.number().int(),
}).openapi("CampaignCsvReport");

const HealthSchema = z.object({
  instance: z.string(),
  score: z.number().int(),
  reason: z.string().nullable(),
  engagement: z.number(),
  daily_budget: z.number().int().nullable().openapi({ description: "null: the budget is off" }),
  sent_24h: z.number().int(),
  age_days: z.number().int(),
  signals: z.record(z.string(), z.number()),
  history: z.array(z.object({
    at: z.string(),
    score: z.number().int(),
    daily_budget: z.number().int(),
    reason: z.string().nullable(),
  })),
}).openapi("InstanceHealth");

const InstanceParam = z.object({
  instance: z.string().openapi({ param: { name: "instance", in: "path" }, example: "ventas" }),
});

const signalsView = (s: Signals) => ({
  samples: s.samples,
  failed: s.failed,
  delivered: s.delivered,
  read: s.read,
  replied: s.replied,
  opted_out: s.optedOut,
});

const iso = (d: Date | null) => d ? d.toISOString() : null;
const view = campaignView;

const route = routeDocs({ tag: "Campaigns" });
const idParams = idPath("1");
const RecipientQuery = PageQuery.extend({
  status: z.string().optional().openapi({ param: { name: "status", in: "query" }, example: "failed" }),
});
const ACTIONS: CampaignAction[] = ["pause", "resume", "cancel", "start"];

/** /api/campaigns and below (mounted at /api/campaigns). */
export function campaignRoutes(deps: AppDeps) {
  const { sql } = deps;
  const app = tenantRouter(deps);
  const read = [requireScope("full", "read")];
  const write = [requireScope("full")];
  const mine = async (raw: string, userId: number) => {
    const c = await findCampaign(sql, userId, idOr404(raw, "campaign_not_found"));
    if (!c) throw fail("campaign_not_found");
    return c;
  };

  app.openapi(
    route({
      method: "get",
      path: "/",
      middleware: read,
      summary: "My campaigns, newest first (paginated), each with its recipient counts by state",
      request: { query: PageQuery },
      responses: {
        200: jsonContent(
          z.object({ campaigns: z.array(CampaignSchema.extend({ counts: Counts })), ...PageInfo }),
          "Campaigns",
        ),
      },
      errors: { 400: ["page_invalid", "limit_invalid"] },
    }),
    async (c) => {
      const { campaigns, ...page } = await onePage(
        pageParams(c.req.valid("query")),
        ({ limit, offset }) => listCampaignViews(sql, c.var.user.id, limit, offset),
      );
      return c.json({ campaigns, ...page }, 200);
    },
  );

  app.openapi(
    route({
      method: "post",
      path: "/",
      middleware: [...write, idempotent(deps)],
      summary: "Create a campaign (scheduled at start_at, or a draft); honours Idempotency-Key",
      description: "Recipients are validated at dispatch: invalid, opted-out and over-quota numbers are " +
        "skipped with that reason, never failing the whole campaign.",
      request: { body: jsonBody(CreateCampaignBody) },
      responses: {
        201: jsonContent(
          z.object({
            campaign: CampaignSchema,
            recipients: z.number().int(),
            csv: CsvReportSchema.optional(),
          }),
          "Created",
        ),
      },
      errors: {
        400: "Body rules (name, recipients, content, media, start_at, pacing)",
        403: ["engine_instance_not_owned"],
        404: ["template_not_found", "contact_list_not_found"],
      },
    }),
    async (c) => {
      const checked = checkCampaignBody(c.req.valid("json"));
      if (!checked.ok) throw fail(checked.code, checked.params);
      const { campaign, recipients, csv } = await resolveCampaign(
        deps,
        c.var.user,
        c.var.apiKey,
        checked.value,
      );
      if (recipients.length === 0) throw fail("campaign_recipients_required");
      const row = await createCampaign(sql, c.var.user.id, campaign, recipients);
      return c.json({ campaign: view(row), recipients: recipients.length, ...(csv && { csv }) }, 201);
    },
  );

  app.openapi(
    route({
      method: "get",
      path: "/health/{instance}",
      middleware: read,
      summary: "The ban-risk governor's view of one of my instances: score, budget, signals, 7-day history",
      description: "Score and budget as in the README (Campaigns, ban-risk governor); `history` holds one " +
        "sample per 5 minutes while campaigns send, oldest first.",
      request: { params: InstanceParam },
      responses: { 200: jsonContent(HealthSchema, "The instance's health") },
      errors: { 403: ["engine_instance_not_owned"] },
    }),
    async (c) => {
      const instance = validateInstanceName(c.req.valid("param").instance);
      await assertReachable(deps, c.var.user, c.var.apiKey, [instance]);
      const now = deps.clock.now();
      const [h, history, use] = await Promise.all([
        instanceHealth(sql, c.var.user.id, instance, deps.config.campaignWarmupDaily, now),
        healthHistory(sql, instance, now),
        budgetUse(sql, instance, new Date(now)),
      ]);
      return c.json({
        instance,
        score: h.score,
        reason: h.reason,
        engagement: h.engagement,
        daily_budget: h.dailyBudget,
        sent_24h: use.used,
        age_days: h.ageDays,
        signals: { ...signalsView(h.signals), matured: h.signals.matured },
        history: history.map((s) => ({
          at: s.sampled_at.toISOString(),
          score: s.score,
          daily_budget: s.daily_budget,
          reason: s.reason,
        })),
      }, 200);
    },
  );

  app.openapi(
    route({
      method: "get",
      path: "/{id}",
      middleware: read,
      summary: "One of my campaigns with its recipient counts by state and the instance's health",
      description:
        "`health`: the governor's score (0-100) over the instance's last 50 campaign sends since " +
        "the last resume, and the signals behind it (README, Campaigns). The instance's history: " +
        "GET /api/campaigns/health/{instance}.",
      request: { params: idParams },
      responses: {
        200: jsonContent(
          z.object({ campaign: CampaignSchema, counts: Counts, health: z.record(z.string(), z.unknown()) }),
          "The campaign",
        ),
      },
      errors: { 404: ["campaign_not_found"] },
    }),
    async (c) => {
      const row = await mine(c.req.valid("param").id, c.var.user.id);
      const [counts, signals] = await Promise.all([
        recipientCounts(sql, row.id),
        instanceSignals(sql, row.user_id, row.instance_name, row.resumed_at, deps.clock.now()),
      ]);
      const health = { score: governorVerdict(signals).score, ...signalsView(signals) };
      return c.json({ campaign: view(row), counts, health }, 200);
    },
  );

  for (const action of ACTIONS) {
    app.openapi(
      route({
        method: "post",
        path: `/{id}/${action}`,
        middleware: write,
        summary: `${action[0].toUpperCase()}${action.slice(1)} one of my campaigns`,
        description: "Takes effect before the next send: the dispatcher claims under the same row lock.",
        request: { params: idParams },
        responses: { 200: jsonContent(z.object({ campaign: CampaignSchema }), "The campaign") },
        errors: { 404: ["campaign_not_found"], 409: ["campaign_state_conflict"] },
      }),
      async (c) => {
        const id = idOr404(c.req.valid("param").id, "campaign_not_found");
        const r = await changeCampaign(sql, c.var.user.id, id, action, new Date(deps.clock.now()));
        if (!r) throw fail("campaign_not_found");
        if (!r.changed) throw fail("campaign_state_conflict", { action, status: r.campaign.status });
        return c.json({ campaign: view(r.campaign) }, 200);
      },
    );
  }

  app.openapi(
    route({
      method: "get",
      path: "/{id}/recipients",
      middleware: read,
      summary: "The recipients of one of my campaigns (paginated, optional status filter)",
      request: { params: idParams, query: RecipientQuery },
      responses: {
        200: jsonContent(
          z.object({ recipients: z.array(z.record(z.string(), z.unknown())), ...PageInfo }),
          "Recipients",
        ),
      },
      errors: {
        400: ["page_invalid", "limit_invalid", "campaign_status_filter_invalid"],
        404: ["campaign_not_found"],
      },
    }),
    async (c) => {
      const row = await mine(c.req.valid("param").id, c.var.user.id);
      const q = c.req.valid("query");
      const status = q.status === undefined || q.status === "" ? undefined : q.status;
      if (status !== undefined && !(RECIPIENT_STATES as readonly string[]).includes(status)) {
        throw fail("campaign_status_filter_invalid", { values: RECIPIENT_STATES.join(", ") });
      }
      const { recipients, ...page } = await onePage(
        pageParams(q),
        ({ limit, offset }) => pageRecipients(sql, row.id, status as RecipientState, limit, offset),
      );
      const shaped = recipients.map((r) => ({ ...r, variant: r.variant + 1, sent_at: iso(r.sent_at) }));
      return c.json({ recipients: shaped, ...page }, 200);
    },
  );

  app.openapi(
    route({
      method: "get",
      path: "/{id}/results",
      middleware: read,
      summary: "Per-variant funnel: sent → delivered → read → replied → opted out",
      request: { params: idParams },
      responses: {
        200: jsonContent(z.object({ variants: z.array(z.record(z.string(), z.unknown())) }), "Results"),
      },
      errors: { 404: ["campaign_not_found"] },
    }),
    async (c) => {
      const row = await mine(c.req.valid("param").id, c.var.user.id);
      const variants = (await variantResults(sql, row)).map((v) => ({
        ...v,
        variant: v.variant + 1,
        text: row.variants[v.variant] ?? null,
      }));
      return c.json({ variants }, 200);
    },
  );

  app.openapi(
    route({
      method: "get",
      path: "/{id}/export",
      middleware: read,
      summary: "CSV of the results, one line per recipient, streamed",
      request: { params: idParams },
      responses: {
        200: {
          description: "Phone,Variant,Status,Reason,Message status,Sent at",
          content: { "text/csv": { schema: z.string() } },
        },
      },
      errors: { 404: ["campaign_not_found"] },
    }),
    async (c) => {
      const row = await mine(c.req.valid("param").id, c.var.user.id);
      const enc = new TextEncoder();
      const body = ReadableStream.from((async function* () {
        yield enc.encode(RESULTS_CSV_HEADER);
        for await (const chunk of exportResultsCsv(sql, row.id)) yield enc.encode(chunk);
      })());
      return c.body(body, 200, {
        "content-type": "text/csv; charset=utf-8",
        "content-disposition": `attachment; filename=campaign_${row.id}.csv`,
      });
    },
  );

  app.openapi(
    route({
      method: "get",
      path: "/{id}/events",
      middleware: read,
      summary: "Live progress as Server-Sent Events (`progress` every second until the campaign ends)",
      request: { params: idParams },
      responses: { 200: { description: "text/event-stream of `progress` events" } },
      errors: { 404: ["campaign_not_found"] },
    }),
    async (c) => {
      const row = await mine(c.req.valid("param").id, c.var.user.id);
      return streamSSE(c, async (stream) => {
        let aborted = false;
        stream.onAbort(() => {
          aborted = true;
        });
        while (!aborted) {
          const p = await progressOf(sql, row.id, deps.clock.now());
          if (!p) break;
          await stream.writeSSE({ event: "progress", data: JSON.stringify(p) });
          if (p.final) break;
          await stream.sleep(SSE_INTERVAL_MS);
        }
      });
    },
  );

  return app;
}

const SSE_INTERVAL_MS = 1000;
