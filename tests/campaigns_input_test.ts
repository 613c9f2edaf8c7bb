/**
 * Campaign recipients from a CSV in the create body (`csv`, `csv_number_column`, `csv_name_column`): the
 * contacts parser's rules (BOM, `,` or `;`, other columns as variables), bad rows left out and counted, a
 * file that cannot be read → 400 with nothing created. And quiet hours in each recipient's zone (from the
 * number's country), on a fake clock.
 */
import { assertEquals } from "../lib/core/testing.ts";
import { ManualClock } from "../lib/core/mod.ts";
import { dispatchCampaigns } from "../lib/campaigns/mod.ts";
import { startWithInstance } from "./proxy_fixtures.ts";
import { createCampaign, engineRecipients, NO_PACING, recipientRows } from "./_helpers/campaigns.ts";

const INST = "input-inst";

const campaignCount = async (gw: { db: { sql: (s: TemplateStringsArray) => Promise<{ n: number }[]> } }) =>
  (await gw.db.sql`SELECT count(*)::int AS n FROM taguato.campaigns`)[0].n;

Deno.test("a CSV gives the recipients and their variables; unreadable files are a 400 and create nothing", async () => {
  await using gw = await startWithInstance(INST);
  const csv = "\uFEFFTeléfono;Nombre;Deuda\r\n595981100001;Ana;120.000\r\n0981 abc;Bea;1\r\n" +
    "595981100002;Carlos;5\r\n595981100001;Ana otra vez;9\r\n";
  const r = await createCampaign(gw, gw.owner.token, {
    instance: INST,
    csv,
    variants: ["Hola {{name}}, debés {{deuda}}"],
  });
  assertEquals(r.status, 201);
  assertEquals([r.body.recipients, r.body.csv], [2, { rows: 4, accepted: 2, invalid: 1, duplicate: 1 }]);
  assertEquals((await dispatchCampaigns(gw.deps)).sent, 2);
  const texts = await gw.db.sql<{ body_text: string }[]>`
    SELECT body_text FROM taguato.message_logs WHERE source = 'campaign' ORDER BY id`;
  assertEquals(texts.map((t) => t.body_text), ["Hola Ana, debés 120.000", "Hola Carlos, debés 5"]);

  // Named columns, `,` separated, merged with `numbers` (a number in both is sent once).
  const named = await createCampaign(gw, gw.owner.token, {
    instance: INST,
    numbers: ["595981100003"],
    csv: "id,celu,quien\n1,595981100003,Dora\n2,595981100004,Eva\n",
    csv_number_column: "Celu",
    csv_name_column: "quien",
    variants: ["{{name}} #{{id}}"],
  });
  assertEquals([named.status, named.body.recipients], [201, 2]);
  assertEquals((await recipientRows(gw, named.body.campaign.id)).map((x) => x.phone_number), [
    "595981100003",
    "595981100004",
  ]);

  const before = await campaignCount(gw);
  const bad = async (body: Record<string, unknown>) => {
    const res = await createCampaign(gw, gw.owner.token, { instance: INST, ...body });
    return [res.status, res.body.code];
  };
  assertEquals(await bad({ csv: 'number,name\n"595981100001,Ana\n' }), [400, "csv_malformed"]);
  assertEquals(await bad({ csv: "number\n595981100001\n", csv_number_column: "celu" }), [
    400,
    "csv_column_missing",
  ]);
  assertEquals(await bad({ csv: "nombre,ciudad\nAna,Asunción\n" }), [400, "csv_no_number_column"]);
  assertEquals(await bad({ csv: "" }), [400, "csv_empty"]);
  assertEquals(await bad({ csv: 42 }), [400, "field_not_string"]);
  assertEquals(await bad({ csv: "number\n1\n", csv_name_column: 7 }), [400, "field_not_string"]);
  const huge = "number\n" + Array.from({ length: 100_001 }, (_, i) => String(595981000000 + i)).join("\n");
  assertEquals(await bad({ csv: huge }), [400, "csv_too_many_rows"]);
  // Readable, but not one good row.
  assertEquals(await bad({ csv: "number\nabc\n" }), [400, "campaign_recipients_required"]);
  assertEquals(await campaignCount(gw), before);
});

Deno.test("quiet hours in the recipient's zone hold only the recipients whose local night it is (fake clock)", async () => {
  // 08:30 UTC: 05:30 in Asunción (quiet), 17:30 in Tokyo and 09:30 in London (not quiet).
  const clock = new ManualClock(Date.UTC(2026, 4, 2, 8, 30));
  await using gw = await startWithInstance(INST, { clock });
  const [py, jp, uk] = ["595981100001", "819012345678", "447700900123"];
  const quiet = { ...NO_PACING, quiet_start: "22:00", quiet_end: "07:00", time_zone: "UTC" };
  const r = await createCampaign(gw, gw.owner.token, {
    instance: INST,
    numbers: [py, jp, uk],
    pacing: { ...quiet, quiet_hours_zone: "recipient" },
  });
  assertEquals([r.status, r.body.campaign.pacing.quiet_hours_zone], [201, "recipient"]);
  // The same night in the campaign's zone (UTC, 08:30 is outside 22:00-07:00): nobody is held.
  const same = await createCampaign(gw, gw.owner.token, {
    instance: INST,
    numbers: ["595981100009"],
    pacing: quiet,
  });
  assertEquals(same.body.campaign.pacing.quiet_hours_zone, "campaign");
  const first = await dispatchCampaigns(gw.deps);
  assertEquals([first.sent, first.completed], [3, 1]);
  assertEquals((await engineRecipients(gw, INST)).sort(), [jp, uk, "595981100009"].sort());
  // The campaign wakes when Asunción's quiet hours end: 07:00 local = 10:00 UTC.
  const [row] = await gw.db.sql<{ next_send_at: Date }[]>`
    SELECT next_send_at FROM taguato.campaigns WHERE id = ${r.body.campaign.id}`;
  assertEquals(row.next_send_at.toISOString(), "2026-05-02T10:00:00.000Z");
  clock.advance(89 * 60_000); // 09:59 UTC
  assertEquals((await dispatchCampaigns(gw.deps)).sent, 0);
  clock.advance(60_000);
  const last = await dispatchCampaigns(gw.deps);
  assertEquals([last.sent, last.completed], [1, 1]);
  assertEquals((await recipientRows(gw, r.body.campaign.id)).map((x) => x.status), ["sent", "sent", "sent"]);

  const bad = await createCampaign(gw, gw.owner.token, {
    instance: INST,
    numbers: [py],
    pacing: { ...quiet, quiet_hours_zone: "tenant" },
  });
  assertEquals([bad.status, bad.body.code], [400, "campaign_quiet_hours_invalid"]);
});
