// The opt-out registry on a real database: per tenant, idempotent, batch lookups, stop and start words.
import { assert, assertEquals } from "../lib/core/testing.ts";
import {
  addOptOut,
  applyInboundKeyword,
  isOptedOut,
  normalizeKeyword,
  optedOutAmong,
  removeOptOut,
} from "../lib/messaging/mod.ts";
import { startTestApp } from "./_helpers/app.ts";
import { createUser } from "./_helpers/auth_client.ts";

Deno.test("normalizeKeyword compares words without case, accents or edge punctuation", () => {
  assertEquals(normalizeKeyword("  baja. "), "BAJA");
  assertEquals(normalizeKeyword("¡Cancelár!"), "CANCELAR");
  assertEquals(normalizeKeyword("no me escriban"), "NO ME ESCRIBAN");
});

Deno.test("opt-outs are per tenant and idempotent; stop and start words move a number", async (t) => {
  await using app = await startTestApp({ cache: "memory" });
  const sql = app.db.sql;
  const ana = await createUser(app, "optout_ana", "Passw0rd!x");
  const beto = await createUser(app, "optout_beto", "Passw0rd!x");

  await t.step("added once, seen only by its tenant, removed once", async () => {
    assert(await addOptOut(sql, ana, "595981000111", "manual", "asked by phone"));
    assertEquals(await addOptOut(sql, ana, "595981000111", "api"), false, "the first record stays");
    assert(await isOptedOut(sql, ana, "595981000111"));
    assertEquals(await isOptedOut(sql, beto, "595981000111"), false);
    assertEquals(
      [...await optedOutAmong(sql, ana, ["595981000111", "595981000222"])],
      ["595981000111"],
    );
    assertEquals((await optedOutAmong(sql, ana, [])).size, 0);
    assert(await removeOptOut(sql, ana, "595981000111"));
    assertEquals(await removeOptOut(sql, ana, "595981000111"), false);
  });

  await t.step("an inbound stop word opts out with source 'inbound'; a start word opts back in", async () => {
    assertEquals(await applyInboundKeyword(sql, ana, "595981000333", " Baja "), "opted_out");
    assertEquals(await applyInboundKeyword(sql, ana, "595981000333", "STOP"), null, "already out");
    const [row] = await sql`SELECT source, reason FROM taguato.opt_outs WHERE phone_number = '595981000333'`;
    assertEquals([row.source, row.reason], ["inbound", "keyword BAJA"]);
    assertEquals(await applyInboundKeyword(sql, ana, "595981000333", "quiero la baja por favor"), null);
    assertEquals(await applyInboundKeyword(sql, ana, "595981000333", "alta"), "opted_in");
    assertEquals(await isOptedOut(sql, ana, "595981000333"), false);
  });

  await t.step("a tenant's own words replace the defaults", async () => {
    await sql`UPDATE taguato.users SET opt_out_words = ARRAY['NO MAS'] WHERE id = ${ana}`;
    assertEquals(await applyInboundKeyword(sql, ana, "595981000444", "stop"), null);
    assertEquals(await applyInboundKeyword(sql, ana, "595981000444", "no más"), "opted_out");
  });
});

Deno.test("concurrent isOptedOut checks share one query and each gets its own tenant's answer", async () => {
  await using app = await startTestApp({ cache: "memory" });
  const sql = app.db.sql;
  const ana = await createUser(app, "optout_batch_ana", "Passw0rd!x");
  const beto = await createUser(app, "optout_batch_beto", "Passw0rd!x");
  await addOptOut(sql, ana, "595981000001", "manual");
  await addOptOut(sql, beto, "595981000002", "manual");
  const asks: [number, string, boolean][] = [
    [ana, "595981000001", true],
    [beto, "595981000001", false],
    [ana, "595981000002", false],
    [beto, "595981000002", true],
    [ana, "595981000003", false],
    [ana, "595981000001", true],
  ];
  const answers = await Promise.all(asks.map(([u, n]) => isOptedOut(sql, u, n)));
  assertEquals(answers, asks.map(([, , want]) => want));
  // A removal committed before the next checks is seen by them.
  await removeOptOut(sql, ana, "595981000001");
  assertEquals(
    await Promise.all([isOptedOut(sql, ana, "595981000001"), isOptedOut(sql, beto, "595981000002")]),
    [false, true],
  );
});
